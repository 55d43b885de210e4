// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated persistent memory of pnuma's crash-state harness: see
 * sim.h for the model.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct sim *sim_current;

#define LINE	64

/* Freed arenas, kept for reuse: the harness makes one per crash state. */
#define SIM_CACHE	8
static struct sim *sim_cache[SIM_CACHE];
static unsigned int sim_cached;

static struct sim *sim_alloc(size_t size)
{
	struct sim *s;
	unsigned int i;

	for (i = 0; i < sim_cached; i++) {
		if (sim_cache[i]->size != size)
			continue;
		s = sim_cache[i];
		sim_cache[i] = sim_cache[--sim_cached];
		memset(s->state, 0, size / 8);
		return s;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->size = size;
	s->cur = aligned_alloc(4096, size);
	s->dur = aligned_alloc(4096, size);
	s->state = calloc(size / 8, 1);
	if (!s->cur || !s->dur || !s->state)
		abort();
	return s;
}

struct sim *sim_new(size_t size)
{
	struct sim *s = sim_alloc(size);
	uint8_t *cur = s->cur, *dur = s->dur, *state = s->state;

	memset(s, 0, sizeof(*s));
	s->size = size;
	s->cur = cur;
	s->dur = dur;
	s->state = state;
	memset(s->cur, 0, size);
	memset(s->dur, 0, size);
	return s;
}

void sim_free(struct sim *s)
{
	if (sim_cached < SIM_CACHE) {
		sim_cache[sim_cached++] = s;
		return;
	}
	free(s->cur);
	free(s->dur);
	free(s->state);
	free(s);
}

/* A new arena whose media and visible contents are @image, all clean. */
struct sim *sim_clone_image(const struct sim *s, const uint8_t *image)
{
	struct sim *c = sim_alloc(s->size);
	uint8_t *cur = c->cur, *dur = c->dur, *state = c->state;

	memset(c, 0, sizeof(*c));
	c->size = s->size;
	c->cur = cur;
	c->dur = dur;
	c->state = state;
	memcpy(c->cur, image, s->size);
	memcpy(c->dur, image, s->size);
	return c;
}

int sim_in_arena(const struct sim *s, const void *p)
{
	return (const uint8_t *)p >= s->cur && (const uint8_t *)p < s->cur + s->size;
}

static size_t sim_word(const void *p)
{
	struct sim *s = sim_current;

	if (!sim_in_arena(s, p)) {
		fprintf(stderr, "harness: pm access outside the arena: %p\n", p);
		abort();
	}
	return ((const uint8_t *)p - s->cur) / 8;
}

void sim_set_step(struct sim *s, const char *step)
{
	s->step = step;
	s->step_fences = 0;
	s->step_flushes = 0;
}

static int sim_dropped(const char *step, unsigned int n, const char *drop_step,
		       unsigned int drop_n)
{
	return drop_step && step && !strcmp(step, drop_step) && n == drop_n;
}

void sim_store64(unsigned long long *dst, unsigned long long val)
{
	size_t w = sim_word(dst);

	*dst = val;
	sim_current->state[w] = SIM_DIRTY;
}

/* Like CLWB: write back whole cache lines. */
void sim_flush(void *addr, size_t len)
{
	struct sim *s = sim_current;
	size_t first, last, w;

	if (!len)
		return;
	s->step_flushes++;
	if (sim_dropped(s->step, s->step_flushes, s->drop_flush_step,
			s->drop_flush_n))
		return;
	first = sim_word(addr) & ~(size_t)(LINE / 8 - 1);
	last = sim_word((uint8_t *)addr + len - 1) | (LINE / 8 - 1);
	for (w = first; w <= last && w < s->size / 8; w++)
		if (s->state[w] == SIM_DIRTY)
			s->state[w] = SIM_FLUSHED;
}

void sim_fence(void)
{
	struct sim *s = sim_current;
	size_t w;

	s->step_fences++;
	if (sim_dropped(s->step, s->step_fences, s->drop_fence_step,
			s->drop_fence_n))
		return;
	if (s->crash_hook)
		s->crash_hook(s, s->hook_arg);
	s->fences++;
	for (w = 0; w < s->size / 8; w++) {
		if (s->state[w] != SIM_FLUSHED)
			continue;
		memcpy(s->dur + w * 8, s->cur + w * 8, 8);
		s->state[w] = SIM_CLEAN;
	}
}

/* Ordinary stores (of @src, or zeroes): dirty until flushed. */
void sim_store(void *dst, const void *src, size_t len)
{
	struct sim *s = sim_current;
	size_t w, first = sim_word(dst), last = sim_word((uint8_t *)dst + len - 1);

	if (src)
		memmove(dst, src, len);
	else
		memset(dst, 0, len);
	for (w = first; w <= last; w++)
		s->state[w] = SIM_DIRTY;
}

/* Non-temporal stores: durable after the next fence. */
void sim_write(void *dst, const void *src, size_t len)
{
	struct sim *s = sim_current;
	size_t w, first = sim_word(dst), last = sim_word((uint8_t *)dst + len - 1);

	memmove(dst, src, len);
	for (w = first; w <= last; w++)
		s->state[w] = SIM_FLUSHED;
}
