// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma crash-state harness.
 *
 * Runs the kernel's own journal, metadata and recovery code (mm/pnuma/
 * format.c, meta.c, journal.c, built against a thin shim) on a simulated
 * persistent memory (sim.c), and at every fence of a scenario enumerates
 * the crash states: every subset of the words not yet durable (every
 * subset when there are few, a structured and random sample when there
 * are many; each data page copy as none, all or half of its words). For
 * each state it runs recovery and checks pnuma's invariants:
 *
 *  - recovery succeeds and leaves every journal empty;
 *  - every logical page that existed is held by exactly one data page,
 *    with exactly its content (the old or the new copy, never a mix);
 *  - a page first touched during the scenario is absent or zero;
 *  - no page is held twice or by a logical page that never existed;
 *  - recovery is idempotent: a second run changes nothing;
 *  - a crash during recovery itself recovers too (every crash state of
 *    the recovery is enumerated in turn, and recovered again).
 *
 * Bug switches drop a named fence or flush of the protocol; the harness
 * must then find violations. A fuzzer feeds corrupted journals and
 * metadata to recovery: it must discard or refuse, never map a page
 * wrongly. Output is TAP.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kernel.h>

#include "sim.h"
#include "../../../mm/pnuma/format.h"
#include "../../../mm/pnuma/journal.h"
#include "../../../mm/pnuma/meta.h"

#define MEMBERS		2
#define MEMBER_PAGES	40
#define MEMBER_BYTES	((size_t)MEMBER_PAGES * PNUMA_PAGE_SIZE)
#define LOGICAL		64
#define INITIAL		8	/* logical pages 0..7 exist before a scenario */
#define EXHAUSTIVE	14	/* enumerate every subset up to 2^14 states */
#define SAMPLES		2048

/* The harness's pool: two members in one arena. */
struct pool {
	struct sim *sim;
	struct pnuma_media media[MEMBERS];
	const struct pnuma_media *mp[MEMBERS];
};

/* What a scenario may leave behind, per logical page. */
enum expect { EXPECT_ABSENT, EXPECT_DATA, EXPECT_ZERO_OR_ABSENT };

struct scenario_ctx {
	struct pool base;	/* the pool being run */
	enum expect expect[LOGICAL];
	int nested;		/* enumerate recovery's crash states too */
	unsigned long states, recovery_states, violations, intervals;
	char first_violation[512];
};

static unsigned long total_states;
static unsigned int rng_state = 12345;
static int verbose;

static unsigned int rnd(void)
{
	rng_state = rng_state * 1103515245 + 12345;
	return rng_state >> 8;
}

/* Point the members' media at the arena of @s. */
static void pool_attach(struct pool *p, struct sim *s)
{
	unsigned int i;

	p->sim = s;
	sim_current = s;
	for (i = 0; i < MEMBERS; i++) {
		p->media[i].base = s->cur + i * MEMBER_BYTES;
		p->mp[i] = &p->media[i];
	}
}

static void pattern(uint64_t *page, uint64_t lpn)
{
	unsigned int i;

	for (i = 0; i < PNUMA_PAGE_SIZE / 8; i++)
		page[i] = (lpn << 32 | i) ^ 0x5a5aa5a5c3c33c3cULL;
}

/*
 * A formatted pool with logical pages 0..INITIAL-1: page k on member k % 2,
 * data page k / 2, generation 1, filled with pattern(k). Written straight
 * to the media: the starting point is clean.
 */
static void pool_init(struct pool *p)
{
	struct pnuma_sb_info info = { 0 };
	uint64_t data[PNUMA_PAGE_SIZE / 8];
	struct pnuma_sb sb;
	unsigned int i, k;

	pool_attach(p, sim_new(MEMBERS * MEMBER_BYTES));
	if (pnuma_geometry_compute(MEMBER_PAGES, &info.geo))
		abort();
	memset(info.pool_uuid, 0x42, sizeof(info.pool_uuid));
	info.member_count = MEMBERS;
	info.pool_logical_pages = LOGICAL;
	for (i = 0; i < MEMBERS; i++) {
		info.member_index = i;
		info.member_uuid[0] = i;
		p->media[i].sb = info;
		pnuma_sb_encode(&info, &sb);
		memcpy(p->media[i].base, &sb, sizeof(sb));
		memcpy((char *)p->media[i].base +
		       (MEMBER_PAGES - 1) * PNUMA_PAGE_SIZE, &sb, sizeof(sb));
	}
	for (k = 0; k < INITIAL; k++) {
		const struct pnuma_media *m = &p->media[k % 2];
		struct pnuma_meta *meta = pnuma_media_meta(m, k / 2);
		uint64_t owner = PNUMA_OWNER_USED | k;

		pattern(data, k);
		memcpy(pnuma_media_data(m, k / 2), data, sizeof(data));
		meta->owner = owner;
		meta->tag = pnuma_meta_tag(owner, 1, m->sb.member_index, k / 2);
	}
	memcpy(p->sim->dur, p->sim->cur, p->sim->size);
}

/* Which data page, over all members, arena word @w belongs to, or -1. */
static long data_page_of(const struct pool *p, size_t w)
{
	size_t off = w * 8, member = off / MEMBER_BYTES;
	uint64_t page = (off % MEMBER_BYTES) / PNUMA_PAGE_SIZE;
	const struct pnuma_geometry *geo = &p->media[0].sb.geo;

	if (page < geo->data_start || page >= geo->data_start + geo->data_pages)
		return -1;
	return member * MEMBER_PAGES + page;
}

/* Check a recovered pool: a violation is described in @why (returns 1). */
static int check_pool(struct pool *p, const enum expect *expect, char *why,
		      size_t len)
{
	uint64_t want[PNUMA_PAGE_SIZE / 8];
	int held[LOGICAL] = { 0 };
	unsigned int i, slot;
	const char *bad;
	u64 ppn, lpn;
	u32 gen;

	for (i = 0; i < MEMBERS; i++) {
		const struct pnuma_media *m = &p->media[i];

		if (pnuma_journal_pending(m)) {
			snprintf(why, len, "member %u: journal not empty", i);
			return 1;
		}
		for (ppn = 0; ppn < m->sb.geo.data_pages; ppn++) {
			if (pnuma_meta_get(m, ppn, LOGICAL, &lpn, &gen, &bad)) {
				snprintf(why, len, "member %u page %llu: %s", i,
					 (unsigned long long)ppn, bad);
				return 1;
			}
			if (lpn == PNUMA_LPN_FREE)
				continue;
			if (held[lpn]++) {
				snprintf(why, len, "logical page %llu held twice",
					 (unsigned long long)lpn);
				return 1;
			}
			if (expect[lpn] == EXPECT_ABSENT) {
				snprintf(why, len, "logical page %llu appeared",
					 (unsigned long long)lpn);
				return 1;
			}
			if (expect[lpn] == EXPECT_DATA)
				pattern(want, lpn);
			else
				memset(want, 0, sizeof(want));
			if (memcmp(pnuma_media_data(m, ppn), want, sizeof(want))) {
				snprintf(why, len, "page %llu (member %u, %llu): wrong content",
					 (unsigned long long)lpn, i,
					 (unsigned long long)ppn);
				return 1;
			}
		}
	}
	for (slot = 0; slot < LOGICAL; slot++) {
		if (expect[slot] == EXPECT_DATA && !held[slot]) {
			snprintf(why, len, "logical page %u lost", slot);
			return 1;
		}
	}
	return 0;
}

/* Recover @p and check it, and that a second recovery changes nothing. */
static int recover_and_check(struct pool *p, const enum expect *expect,
			     char *why, size_t len)
{
	struct pnuma_recovery rec = { 0 }, again = { 0 };
	uint8_t *after;
	int err;

	err = pnuma_journal_recover(p->mp, MEMBERS, LOGICAL, &rec, why, len);
	if (err)
		return 1;
	if (check_pool(p, expect, why, len))
		return 1;
	after = malloc(p->sim->size);
	memcpy(after, p->sim->cur, p->sim->size);
	err = pnuma_journal_recover(p->mp, MEMBERS, LOGICAL, &again, why, len);
	if (!err && (again.replayed || again.discarded ||
		     memcmp(after, p->sim->cur, p->sim->size))) {
		snprintf(why, len, "a second recovery changed the pool");
		err = 1;
	}
	free(after);
	return !!err;
}

struct enum_ctx {
	struct scenario_ctx *sc;
	const char *label;
	int recovery;	/* enumerating the crash states of a recovery */
};

static void enumerate_at_fence(struct sim *s, void *arg);

/* Build a crash image of the pool in @s and check what recovery makes of it. */
static void try_image(struct enum_ctx *ec, struct pool *from, const uint8_t *image,
		      const char *what)
{
	struct scenario_ctx *sc = ec->sc;
	struct sim *saved = sim_current;
	struct pool p = from[0];
	char why[256] = "";
	int bad;

	pool_attach(&p, sim_clone_image(from->sim, image));
	if (ec->recovery) {
		sc->recovery_states++;
	} else {
		sc->states++;
		/* Recovery that has work to do: enumerate its crash states too. */
		if (sc->nested) {
			struct pool q = p;
			struct pnuma_recovery rec = { 0 };
			struct enum_ctx rc = { sc, ec->label, 1 };
			struct sim *probe = sim_clone_image(p.sim, image);

			pool_attach(&q, probe);
			pnuma_journal_recover(q.mp, MEMBERS, LOGICAL, &rec, why,
					      sizeof(why));
			sim_free(probe);
			if (rec.replayed || rec.discarded) {
				probe = sim_clone_image(p.sim, image);
				pool_attach(&q, probe);
				probe->crash_hook = enumerate_at_fence;
				probe->hook_arg = &rc;
				pnuma_journal_recover(q.mp, MEMBERS, LOGICAL, &rec,
						      why, sizeof(why));
				sim_free(probe);
			}
			pool_attach(&p, p.sim);
		}
	}
	bad = recover_and_check(&p, sc->expect, why, sizeof(why));
	if (bad) {
		if (!sc->violations++)
			snprintf(sc->first_violation, sizeof(sc->first_violation),
				 "%s%s, %s: %s", ec->recovery ? "recovery crash, " : "",
				 ec->label, what, why);
		if (verbose)
			fprintf(stderr, "violation: %s%s, %s: %s\n",
				ec->recovery ? "recovery crash, " : "", ec->label,
				what, why);
	}
	sim_free(p.sim);
	sim_current = saved;
}

/*
 * The crash hook: the words of @s that are not durable, as units (single
 * metadata and journal words; each data page as one unit, durable as
 * none, all or half of its dirty words), and every combination of them,
 * or a sample when there are too many.
 */
static void enumerate_at_fence(struct sim *s, void *arg)
{
	struct enum_ctx *ec = arg;
	size_t nwords = s->size / 8, w, nu = 0, nd = 0;
	size_t *units = malloc(nwords * sizeof(*units));
	long *unit_page = malloc(nwords * sizeof(*unit_page));
	struct pool p;
	uint8_t *image = malloc(s->size);
	unsigned long combos, c, i;
	char what[96];
	long page;

	if (!ec->recovery)
		ec->sc->intervals++;
	pool_attach(&p, s);
	p.media[0].sb = ec->sc->base.media[0].sb;
	p.media[1].sb = ec->sc->base.media[1].sb;
	/* units: metadata words first, then data pages */
	for (w = 0; w < nwords; w++) {
		if (s->state[w] == SIM_CLEAN || data_page_of(&p, w) >= 0)
			continue;
		unit_page[nu] = -1;
		units[nu++] = w;
	}
	for (w = 0; w < nwords; w++) {
		if (s->state[w] == SIM_CLEAN)
			continue;
		page = data_page_of(&p, w);
		if (page < 0 || (nd && unit_page[nu + nd - 1] == page))
			continue;
		unit_page[nu + nd++] = page;
	}
	combos = 1;
	for (i = 0; i < nu && combos <= (1UL << EXHAUSTIVE); i++)
		combos *= 2;
	for (i = 0; i < nd && combos <= (1UL << EXHAUSTIVE); i++)
		combos *= 3;
	if (combos > (1UL << EXHAUSTIVE))
		combos = 0;	/* sample */

	for (c = 0; c < (combos ? combos : SAMPLES + 2 * nu + 2); c++) {
		unsigned long code = c;

		memcpy(image, s->dur, s->size);
		for (i = 0; i < nu; i++) {
			int take;

			if (combos) {
				take = code & 1;
				code >>= 1;
			} else if (c < 2) {
				take = c;		/* none, then all */
			} else if (c < 2 + nu) {
				take = i == c - 2;	/* one alone */
			} else if (c < 2 + 2 * nu) {
				take = i != c - 2 - nu;	/* all but one */
			} else {
				take = rnd() & 1;
			}
			if (take)
				memcpy(image + units[i] * 8, s->cur + units[i] * 8, 8);
		}
		for (i = 0; i < nd; i++) {
			unsigned int v;

			if (combos) {
				v = code % 3;
				code /= 3;
			} else {
				v = c < 2 ? c * 2 : rnd() % 3;
			}
			for (w = unit_page[nu + i] * (PNUMA_PAGE_SIZE / 8);
			     w < (size_t)(unit_page[nu + i] + 1) * (PNUMA_PAGE_SIZE / 8); w++) {
				if (s->state[w] == SIM_CLEAN)
					continue;
				/* 0: none, 1: every other word, 2: all */
				if (v == 2 || (v == 1 && w % 2))
					memcpy(image + w * 8, s->cur + w * 8, 8);
			}
		}
		snprintf(what, sizeof(what), "%s fence %u of step %s, state %lu",
			 ec->recovery ? "recovery" : "scenario", s->step_fences,
			 s->step ? s->step : "-", c);
		try_image(ec, &p, image, what);
	}
	free(image);
	free(units);
	free(unit_page);
	sim_current = s;
}

/* Start a scenario: a fresh pool, the crash hook on. */
static void scenario_begin(struct scenario_ctx *sc, const char *label,
			   const char *drop_fence, unsigned int fence_n,
			   const char *drop_flush, unsigned int flush_n,
			   struct enum_ctx *ec)
{
	unsigned int k;

	memset(sc, 0, sizeof(*sc));
	pool_init(&sc->base);
	for (k = 0; k < LOGICAL; k++)
		sc->expect[k] = k < INITIAL ? EXPECT_DATA : EXPECT_ABSENT;
	sc->nested = 1;
	*ec = (struct enum_ctx){ sc, label, 0 };
	sc->base.sim->crash_hook = enumerate_at_fence;
	sc->base.sim->hook_arg = ec;
	sc->base.sim->drop_fence_step = drop_fence;
	sc->base.sim->drop_fence_n = fence_n;
	sc->base.sim->drop_flush_step = drop_flush;
	sc->base.sim->drop_flush_n = flush_n;
}

/* The end of the run is a crash state too: nothing pending. */
static void scenario_end(struct scenario_ctx *sc, struct enum_ctx *ec)
{
	struct sim *s = sc->base.sim;

	s->crash_hook = NULL;
	sim_fence();
	try_image(ec, &sc->base, s->cur, "after the last step");
	total_states += sc->states + sc->recovery_states;
	sim_free(s);
}

static void txn_init(struct pool *p, struct pnuma_jtxn *t, unsigned int src,
		     u64 slot, struct pnuma_jmove *moves, unsigned int nr)
{
	*t = (struct pnuma_jtxn){
		.src = &p->media[src],
		.members = p->mp,
		.nr_members = MEMBERS,
		.slot = slot,
		.seq = slot + 1,
		.nr = nr,
		.moves = moves,
	};
}

/* One transaction, step by step, each step labelled for the bug switches. */
static void run_txn(struct sim *s, struct pnuma_jtxn *t)
{
	unsigned int i;

	sim_set_step(s, "intent");
	pnuma_jtxn_intent(t);
	sim_set_step(s, "copy");
	for (i = 0; i < t->nr; i++)
		pnuma_jtxn_copy(t, i);
	sim_set_step(s, "commit");
	pnuma_jtxn_commit(t);
	sim_set_step(s, "apply");
	pnuma_jtxn_apply(t);
	sim_set_step(s, "retire");
	pnuma_jtxn_retire(t);
}

/* Logical page 0 (member 0, data page 0) moves to member 1's page 4. */
static void scenario_single(struct scenario_ctx *sc, const char **bug)
{
	struct pnuma_jmove mv = { 0, 0, 4, 2, 1 };
	struct pnuma_jtxn t;
	struct enum_ctx ec;

	scenario_begin(sc, "single", bug[0], bug[0] ? atoi(bug[1]) : 0,
		       bug[2], bug[2] ? atoi(bug[3]) : 0, &ec);
	txn_init(&sc->base, &t, 0, 0, &mv, 1);
	run_txn(sc->base.sim, &t);
	scenario_end(sc, &ec);
}

/* Logical pages 0, 2, 4, 6 (member 0) move to member 1 in one record. */
static void scenario_batch(struct scenario_ctx *sc, const char **bug)
{
	struct pnuma_jmove mv[4];
	struct pnuma_jtxn t;
	struct enum_ctx ec;
	unsigned int i;

	scenario_begin(sc, "batch", bug[0], bug[0] ? atoi(bug[1]) : 0,
		       bug[2], bug[2] ? atoi(bug[3]) : 0, &ec);
	for (i = 0; i < 4; i++)
		mv[i] = (struct pnuma_jmove){ 2 * i, i, 4 + i, 2, 1 };
	/* near the end of the ring: the record's slots are contiguous */
	txn_init(&sc->base, &t, 0, pnuma_journal_slots(&sc->base.media[0]) - 3,
		 mv, 4);
	run_txn(sc->base.sim, &t);
	scenario_end(sc, &ec);
}

/* A move from member 1 with first touches on both members in between. */
static void scenario_touch(struct scenario_ctx *sc, const char **bug)
{
	struct pnuma_jmove mv = { 1, 0, 4, 2, 0 };
	struct pnuma_jtxn t;
	struct enum_ctx ec;
	struct sim *s;

	scenario_begin(sc, "touch", bug[0], bug[0] ? atoi(bug[1]) : 0,
		       bug[2], bug[2] ? atoi(bug[3]) : 0, &ec);
	s = sc->base.sim;
	sc->expect[20] = EXPECT_ZERO_OR_ABSENT;
	sc->expect[21] = EXPECT_ZERO_OR_ABSENT;
	/* stale data in the pages about to be touched */
	memset(pnuma_media_data(&sc->base.media[0], 5), 0xee, PNUMA_PAGE_SIZE);
	memset(pnuma_media_data(&sc->base.media[1], 6), 0xee, PNUMA_PAGE_SIZE);
	memcpy(s->dur, s->cur, s->size);
	txn_init(&sc->base, &t, 1, 7, &mv, 1);
	sim_set_step(s, "intent");
	pnuma_jtxn_intent(&t);
	sim_set_step(s, "touch");
	pnuma_meta_first_touch(&sc->base.media[0], 5, 20);
	sim_set_step(s, "copy");
	pnuma_jtxn_copy(&t, 0);
	sim_set_step(s, "commit");
	pnuma_jtxn_commit(&t);
	sim_set_step(s, "touch");
	pnuma_meta_first_touch(&sc->base.media[1], 6, 21);
	sim_set_step(s, "apply");
	pnuma_jtxn_apply(&t);
	sim_set_step(s, "retire");
	pnuma_jtxn_retire(&t);
	scenario_end(sc, &ec);
}

/* Two transactions in flight, one in each member's journal, interleaved. */
static void scenario_two(struct scenario_ctx *sc, const char **bug)
{
	struct pnuma_jmove a = { 0, 0, 4, 2, 1 }, b = { 1, 0, 4, 2, 0 };
	struct pnuma_jtxn ta, tb;
	struct enum_ctx ec;
	struct sim *s;

	scenario_begin(sc, "two journals", bug[0], bug[0] ? atoi(bug[1]) : 0,
		       bug[2], bug[2] ? atoi(bug[3]) : 0, &ec);
	s = sc->base.sim;
	txn_init(&sc->base, &ta, 0, 3, &a, 1);
	txn_init(&sc->base, &tb, 1, 11, &b, 1);
	sim_set_step(s, "intent");
	pnuma_jtxn_intent(&ta);
	pnuma_jtxn_intent(&tb);
	sim_set_step(s, "copy");
	pnuma_jtxn_copy(&ta, 0);
	pnuma_jtxn_copy(&tb, 0);
	sim_set_step(s, "commit");
	pnuma_jtxn_commit(&tb);
	sim_set_step(s, "apply");
	pnuma_jtxn_apply(&tb);
	sim_set_step(s, "commit");
	pnuma_jtxn_commit(&ta);
	sim_set_step(s, "retire");
	pnuma_jtxn_retire(&tb);
	sim_set_step(s, "apply");
	pnuma_jtxn_apply(&ta);
	sim_set_step(s, "retire");
	pnuma_jtxn_retire(&ta);
	scenario_end(sc, &ec);
}

/*
 * An exchange (pnuma_make_room()): member 1 has no free page, so its cold
 * logical page 1 moves out to member 0 first, then the hot logical page 0
 * moves from member 0 into the page that move freed: two chained records,
 * one in each journal, the second reusing the first one's source.
 */
static void scenario_exchange(struct scenario_ctx *sc, const char **bug)
{
	struct pnuma_jmove out = { 1, 0, 4, 2, 0 }, in = { 0, 0, 0, 2, 1 };
	struct pnuma_jtxn to, ti;
	struct enum_ctx ec;

	scenario_begin(sc, "exchange", bug[0], bug[0] ? atoi(bug[1]) : 0,
		       bug[2], bug[2] ? atoi(bug[3]) : 0, &ec);
	txn_init(&sc->base, &to, 1, 5, &out, 1);
	run_txn(sc->base.sim, &to);
	txn_init(&sc->base, &ti, 0, 9, &in, 1);
	run_txn(sc->base.sim, &ti);
	scenario_end(sc, &ec);
}

struct scenario {
	const char *name;
	const char *title;
	void (*run)(struct scenario_ctx *sc, const char **bug);
};

static const struct scenario scenarios[] = {
	{ "single", "one page moved", scenario_single },
	{ "batch", "four pages moved in one record", scenario_batch },
	{ "touch", "a move interleaved with first touches", scenario_touch },
	{ "two", "moves in two journals at once", scenario_two },
	{ "exchange", "an exchange: a cold page out, then a hot page into its place",
	  scenario_exchange },
};

/*
 * Corruption fuzzer: a pool with a committed record waiting (or one
 * half-applied), then random bit flips in the journals or the metadata,
 * or garbage records. Recovery and the map check must discard or refuse;
 * a pool that comes out usable must map every page to its own content.
 */
static int fuzz(unsigned long rounds)
{
	unsigned long i, discarded = 0, refused = 0, clean = 0, wrong = 0;
	struct pnuma_jmove mv = { 0, 0, 4, 2, 1 };
	struct pool base, p;
	struct pnuma_jtxn t;
	uint8_t *images[2];
	char why[256];
	int k;

	pool_init(&base);
	txn_init(&base, &t, 0, 5, &mv, 1);
	pnuma_jtxn_intent(&t);
	pnuma_jtxn_copy(&t, 0);
	pnuma_jtxn_commit(&t);
	images[0] = malloc(base.sim->size);
	memcpy(images[0], base.sim->cur, base.sim->size);
	pnuma_meta_claim(&base.media[1], 4, 0, 2);	/* half applied */
	sim_fence();
	images[1] = malloc(base.sim->size);
	memcpy(images[1], base.sim->cur, base.sim->size);

	for (i = 0; i < rounds; i++) {
		struct pnuma_recovery rec = { 0 };
		enum expect expect[LOGICAL];
		unsigned int m = rnd() % MEMBERS, n, kind = rnd() % 3;
		const struct pnuma_geometry *geo;
		uint8_t *media;
		size_t off;

		p = base;
		pool_attach(&p, sim_clone_image(base.sim, images[rnd() % 2]));
		geo = &p.media[m].sb.geo;
		media = p.media[m].base;
		if (kind == 0) {		/* bit flips in the journal */
			for (n = 1 + rnd() % 8; n; n--) {
				off = (geo->journal_start << PNUMA_PAGE_SHIFT) +
				      rnd() % (16 * PNUMA_JSLOT_SIZE);
				media[off] ^= 1 << (rnd() % 8);
			}
		} else if (kind == 1) {		/* bit flips in the metadata */
			for (n = 1 + rnd() % 4; n; n--) {
				off = (geo->meta_start << PNUMA_PAGE_SHIFT) +
				      rnd() % (8 * sizeof(struct pnuma_meta));
				media[off] ^= 1 << (rnd() % 8);
			}
		} else {			/* a garbage record */
			uint64_t state = rnd() % 2 ? PNUMA_JREC_COMMIT : PNUMA_JREC_INTENT;

			off = (geo->journal_start << PNUMA_PAGE_SHIFT) +
			      (rnd() % 32) * PNUMA_JSLOT_SIZE;
			for (n = 0; n < 4 * PNUMA_JSLOT_SIZE; n++)
				media[off + n] = rnd();
			memcpy(media + off, &state, sizeof(state));
		}
		memcpy(p.sim->dur, p.sim->cur, p.sim->size);

		for (k = 0; k < LOGICAL; k++)
			expect[k] = k < INITIAL ? EXPECT_DATA : EXPECT_ABSENT;
		if (pnuma_journal_recover(p.mp, MEMBERS, LOGICAL, &rec, why,
					  sizeof(why))) {
			refused++;
		} else if (check_pool(&p, expect, why, sizeof(why))) {
			/* the map check refuses: a lost page is a refusal too */
			if (strstr(why, "wrong content") || strstr(why, "appeared")) {
				if (!wrong++ || verbose)
					fprintf(stderr, "input %lu: %s\n", i, why);
			}
			refused++;
		} else if (rec.discarded) {
			discarded++;
		} else {
			clean++;
		}
		sim_free(p.sim);
	}
	printf("%s %d corruption fuzzer: %lu inputs: %lu discarded records, ",
	       wrong ? "not ok" : "ok", (int)ARRAY_SIZE(scenarios) + 1, rounds,
	       discarded);
	printf("%lu refused, %lu clean, %lu wrong mappings\n", refused, clean,
	       wrong);
	free(images[0]);
	free(images[1]);
	sim_free(base.sim);
	return !!wrong;
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: pnuma_harness [--scenario NAME] [--fuzz N] [--seed N]\n"
		"                     [--drop-fence STEP:N] [--drop-flush STEP:N]\n"
		"                     [--expect-violation] [-v]\n"
		"scenarios: single batch touch two (default: all)\n"
		"steps: intent copy commit apply retire touch\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "fuzz", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'r' },
		{ "drop-fence", required_argument, NULL, 'F' },
		{ "drop-flush", required_argument, NULL, 'L' },
		{ "expect-violation", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *bug[4] = { NULL };
	unsigned long fuzz_rounds = 2000, violations = 0;
	int opt, expect_violation = 0, failed = 0;
	char fence_spec[64], flush_spec[64];
	unsigned int i, nr = 0;

	while ((opt = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			only = optarg;
			break;
		case 'f':
			fuzz_rounds = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rng_state = strtoul(optarg, NULL, 0);
			break;
		case 'F':
			snprintf(fence_spec, sizeof(fence_spec), "%s", optarg);
			bug[0] = strtok(fence_spec, ":");
			bug[1] = strtok(NULL, ":");
			if (!bug[1])
				goto bad;
			break;
		case 'L':
			snprintf(flush_spec, sizeof(flush_spec), "%s", optarg);
			bug[2] = strtok(flush_spec, ":");
			bug[3] = strtok(NULL, ":");
			if (!bug[3])
				goto bad;
			break;
		case 'x':
			expect_violation = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}

	printf("TAP version 13\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		nr += !only || !strcmp(only, scenarios[i].name);
	if (!nr)
		goto bad;
	printf("1..%u\n", nr + (expect_violation ? 0 : 1));
	nr = 0;
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		struct scenario_ctx sc;

		if (only && strcmp(only, scenarios[i].name))
			continue;
		scenarios[i].run(&sc, bug);
		violations += sc.violations;
		if (expect_violation) {
			printf("%s %u %s, without fence %s:%s, flush %s:%s: ",
			       sc.violations ? "ok" : "not ok", ++nr,
			       scenarios[i].title, bug[0] ? bug[0] : "-",
			       bug[1] ? bug[1] : "-", bug[2] ? bug[2] : "-",
			       bug[3] ? bug[3] : "-");
			printf("%lu of %lu crash states break an invariant%s%s\n",
			       sc.violations, sc.states + sc.recovery_states,
			       sc.violations ? "; first: " : "",
			       sc.violations ? sc.first_violation : "");
			failed |= !sc.violations;
			continue;
		}
		printf("%s %u %s: %lu fence intervals, %lu crash states, ",
		       sc.violations ? "not ok" : "ok", ++nr, scenarios[i].title,
		       sc.intervals, sc.states);
		printf("%lu crash states of recovery itself, %lu violations%s%s\n",
		       sc.recovery_states, sc.violations,
		       sc.violations ? "; first: " : "",
		       sc.violations ? sc.first_violation : "");
		failed |= !!sc.violations;
	}
	if (!expect_violation)
		failed |= fuzz(fuzz_rounds);
	printf("# %lu crash states explored, %lu violations ", total_states,
	       violations);
	printf("(every subset of the words not durable up to 2^%d, %d samples beyond)\n",
	       EXHAUSTIVE, SAMPLES);
	return failed;
bad:
	print_usage(stderr);
	return 2;
}
