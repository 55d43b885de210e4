/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated persistent memory for pnuma's crash-state harness.
 *
 * The arena holds every member of a test pool. Each aligned 8-byte word
 * has the value the CPU sees and the value on the media, and a state:
 * clean (both agree), dirty (stored, not flushed) or flushed (flushed, no
 * fence since). Only a fence makes flushed words durable. At a crash, any
 * subset of the words that are not clean may have reached the media: the
 * harness enumerates those subsets at every fence (sim_fence() calls the
 * crash hook first). A word stored twice between fences counts with its
 * last value only; pnuma's protocol never does that.
 */
#ifndef _PNUMA_SIM_H
#define _PNUMA_SIM_H

#include <stddef.h>
#include <stdint.h>

enum sim_word { SIM_CLEAN, SIM_DIRTY, SIM_FLUSHED };

struct sim {
	uint8_t *cur;		/* what the CPU sees */
	uint8_t *dur;		/* what is on the media */
	uint8_t *state;		/* one enum sim_word per 8-byte word */
	size_t size;
	/* the protocol step the harness is running, for the bug switches */
	const char *step;
	unsigned int step_fences, step_flushes;
	/* bug switches: drop the Nth fence or flush of a step */
	const char *drop_fence_step, *drop_flush_step;
	unsigned int drop_fence_n, drop_flush_n;
	unsigned long fences;
	/* called at every fence, before it takes effect */
	void (*crash_hook)(struct sim *s, void *arg);
	void *hook_arg;
};

/* The arena the pm functions act on. */
extern struct sim *sim_current;

struct sim *sim_new(size_t size);
void sim_free(struct sim *s);
struct sim *sim_clone_image(const struct sim *s, const uint8_t *image);
void sim_set_step(struct sim *s, const char *step);
void sim_store64(unsigned long long *dst, unsigned long long val);
void sim_flush(void *addr, size_t len);
void sim_fence(void);
void sim_store(void *dst, const void *src, size_t len);
void sim_write(void *dst, const void *src, size_t len);
int sim_in_arena(const struct sim *s, const void *p);

#endif /* _PNUMA_SIM_H */
