/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the NUMA balancing policy of mm/pnuma/numa.c: the
 * two-fault filter, the early-life exception, the queued bit, and the
 * hysteresis that keeps pages shared across nodes from ping-ponging. The
 * policy is a pure function of a page's state and of the fault, so each
 * case drives it through a sequence of faults and moves.
 */

#ifdef CONFIG_PNUMA_KUNIT_TEST

#ifndef _PNUMA_NUMA_KUNIT_H
#define _PNUMA_NUMA_KUNIT_H

#include <kunit/test.h>

/* A fault from a task on @nid (cpu = nid, pid = @pid) at @now ticks. */
static struct pnuma_numa_fault pnuma_test_fault(int page_nid, int nid,
						pid_t pid, bool early, u32 now)
{
	return (struct pnuma_numa_fault){
		.page_nid = page_nid,
		.this_nid = nid,
		.cpupid = cpu_pid_to_cpupid(nid, pid),
		.pid = pid,
		.early = early,
		.now = now,
	};
}

/* Apply a fault to *@state; return the verdict. */
static enum pnuma_numa_verdict pnuma_test_apply(u64 *state, int page_nid,
						int nid, pid_t pid, bool early,
						u32 now)
{
	struct pnuma_numa_fault f = pnuma_test_fault(page_nid, nid, pid, early,
						     now);
	enum pnuma_numa_verdict v = pnuma_numa_decide(*state, &f, state);

	return v;
}

/* Ticks of the stamp in @ms milliseconds. */
#define MS(ms)	((u32)((ms) >> PNUMA_NUMA_TICK_SHIFT))

static void pnuma_test_numa_local(struct kunit *test)
{
	u64 s = 0;
	int i;

	/* Faults from the page's own node never move it, early or not. */
	for (i = 0; i < 8; i++)
		KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 0, 100, i & 1,
						       MS(i * 100)),
				PNUMA_NV_LOCAL);
	KUNIT_EXPECT_FALSE(test, s & PNUMA_NS_QUEUED);
}

static void pnuma_test_numa_two_faults(struct kunit *test)
{
	u64 s = 0;

	/* Not early: the first remote fault only records the node... */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 100, false, 0),
			PNUMA_NV_FILTER);
	/* ...a fault from another node resets it... */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false, 0),
			PNUMA_NV_FILTER);
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 100, false, 0),
			PNUMA_NV_FILTER);
	/* ...and the second in a row from node 1 moves the page. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 101, false, 0),
			PNUMA_NV_MIGRATE);
	KUNIT_EXPECT_TRUE(test, s & PNUMA_NS_QUEUED);
	/* While queued, it is not queued again. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 101, false, 0),
			PNUMA_NV_QUEUED);
}

static void pnuma_test_numa_early(struct kunit *test)
{
	u64 s = 0;

	/* Early in a task's life a first fault moves the page at once. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 100, true, 0),
			PNUMA_NV_MIGRATE);
	s = pnuma_numa_moved(s, false, 0);
	/* So does a private one (same task), from another node even. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, true, 0),
			PNUMA_NV_MIGRATE);
	s = pnuma_numa_moved(s, false, 0);
	/* A shared one (another task, another node) does not. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 200, true, 0),
			PNUMA_NV_FILTER);
}

static void pnuma_test_numa_backoff(struct kunit *test)
{
	u32 now = MS(10000);
	int moves = 0, nid, t;
	u64 s = 0;

	/* A page moved just now stays put for the first hold time. */
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 0, 1, 100, true, now),
			PNUMA_NV_MIGRATE);
	s = pnuma_numa_moved(s, true, now);
	KUNIT_EXPECT_EQ(test, FIELD_GET(PNUMA_NS_LEVEL, s), 0);
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false,
					       now + MS(100)),
			PNUMA_NV_FILTER);
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false,
					       now + MS(200)),
			PNUMA_NV_BACKOFF);
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false,
					       now + MS(1100)),
			PNUMA_NV_MIGRATE);
	/* Moving again soon after raises the level: the hold doubles. */
	s = pnuma_numa_moved(s, true, now + MS(1100));
	KUNIT_EXPECT_EQ(test, FIELD_GET(PNUMA_NS_LEVEL, s), 1);

	/*
	 * A page shared by two nodes, faulting twice in a row from each in
	 * turn every 100 ms for 60 s, moves whenever it is allowed to: it
	 * still moves only a handful of times.
	 */
	s = 0;
	for (t = 0; t < 60000; t += 100) {
		nid = (t / 200) & 1;
		if (pnuma_test_apply(&s, moves & 1, nid, 100 + nid, false,
				     now + MS(t)) == PNUMA_NV_MIGRATE) {
			moves++;
			s = pnuma_numa_moved(s, true, now + MS(t));
		}
	}
	KUNIT_EXPECT_LE(test, moves, 7);
	KUNIT_EXPECT_GE(test, moves, 3);

	/* A page left alone long enough starts from the first hold again. */
	s = pnuma_numa_moved(s, false, now + MS(60000));
	KUNIT_EXPECT_GT(test, FIELD_GET(PNUMA_NS_LEVEL, s), 1);
	s = pnuma_numa_moved(s, true, now + MS(60000) + MS(600000));
	KUNIT_EXPECT_EQ(test, FIELD_GET(PNUMA_NS_LEVEL, s), 0);
}

static void pnuma_test_numa_wrap(struct kunit *test)
{
	u32 max = FIELD_MAX(PNUMA_NS_STAMP);
	u64 s = 0;

	/* A move just before the stamp wraps still holds just after it. */
	s = pnuma_numa_moved(s, true, max - MS(100));
	pnuma_test_apply(&s, 1, 0, 100, false, MS(100));
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false, MS(200)),
			PNUMA_NV_BACKOFF);
	KUNIT_EXPECT_EQ(test, pnuma_test_apply(&s, 1, 0, 100, false,
					       MS(1000)),
			PNUMA_NV_MIGRATE);
}

/*
 * A pool of 4 TiB of logical pages (2^30): setting up balancing allocates
 * nothing sized by the capacity, and a page at either end gets a state of
 * its own, allocated with its 2 MiB range only.
 */
static void pnuma_test_numa_state_4tib(struct kunit *test)
{
	const u64 pages = 4ULL << (40 - PAGE_SHIFT);
	struct pnuma_pool *pool;
	atomic64_t *first, *last;
	unsigned long idx, n = 0;
	void *chunk;

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	pool->logical_pages = pages;
	strscpy(pool->name, "pnuma-test", sizeof(pool->name));
	pnuma_numa_init(pool);
	pnuma_numa_setup(pool);
	KUNIT_ASSERT_TRUE(test, pool->numa.balanced);
	KUNIT_EXPECT_TRUE(test, xa_empty(&pool->numa.state));

	KUNIT_EXPECT_NULL(test, pnuma_numa_state(&pool->numa, pages - 1, false));
	last = pnuma_numa_state(&pool->numa, pages - 1, true);
	first = pnuma_numa_state(&pool->numa, 0, true);
	KUNIT_ASSERT_NOT_NULL(test, last);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_EQ(test, atomic64_read(last), 0);
	atomic64_set(last, 42);
	KUNIT_EXPECT_EQ(test, atomic64_read(first), 0);
	KUNIT_EXPECT_PTR_EQ(test, pnuma_numa_state(&pool->numa, pages - 1, false),
			    last);
	KUNIT_EXPECT_PTR_EQ(test, pnuma_numa_state(&pool->numa, pages - 512, false),
			    last - 511);
	KUNIT_EXPECT_NULL(test, pnuma_numa_state(&pool->numa, pages - 513, false));
	xa_for_each(&pool->numa.state, idx, chunk)
		n++;
	KUNIT_EXPECT_EQ(test, n, 2);
	pnuma_numa_free(pool);
	KUNIT_EXPECT_FALSE(test, pool->numa.balanced);
}

static struct kunit_case pnuma_numa_test_cases[] = {
	KUNIT_CASE(pnuma_test_numa_local),
	KUNIT_CASE(pnuma_test_numa_two_faults),
	KUNIT_CASE(pnuma_test_numa_early),
	KUNIT_CASE(pnuma_test_numa_backoff),
	KUNIT_CASE(pnuma_test_numa_wrap),
	KUNIT_CASE(pnuma_test_numa_state_4tib),
	{},
};

static struct kunit_suite pnuma_numa_test_suite = {
	.name = "pnuma-numa-policy",
	.test_cases = pnuma_numa_test_cases,
};

kunit_test_suite(pnuma_numa_test_suite);

#undef MS

#endif /* _PNUMA_NUMA_KUNIT_H */

#endif /* CONFIG_PNUMA_KUNIT_TEST */
