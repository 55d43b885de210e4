/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the journal ring of mm/pnuma/migrate.c: how slots are
 * handed out, padded at the wrap, given back in order, and what a
 * reservation does when the ring is full: it waits for retirement and
 * never takes a slot that a live record still uses. And the DRAM
 * accounting around a transaction: which data pages a committed or an
 * abandoned transaction leaves reserved, on a pool of two members that
 * lives in DRAM only (no media is written by pnuma_mig_settle()).
 */

#ifdef CONFIG_PNUMA_KUNIT_TEST

#ifndef _PNUMA_MIGRATE_KUNIT_H
#define _PNUMA_MIGRATE_KUNIT_H

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/poison.h>

/* Reservations are contiguous, numbered, and padded at the wrap. */
static void pnuma_test_jring_wrap(struct kunit *test)
{
	struct pnuma_jring ring;
	struct pnuma_jres a, b, c;

	pnuma_jring_init(&ring, 8);
	pnuma_jring_reserve(&ring, 3, &a);
	pnuma_jring_reserve(&ring, 3, &b);
	KUNIT_EXPECT_EQ(test, a.start, 0);
	KUNIT_EXPECT_EQ(test, a.end, 3);
	KUNIT_EXPECT_EQ(test, b.start, 3);
	KUNIT_EXPECT_EQ(test, b.seq, a.seq + 1);

	/* Slots 6 and 7 cannot hold 3: the record would need padding. */
	KUNIT_EXPECT_FALSE(test, pnuma_jring_room(&ring, 3));
	KUNIT_EXPECT_TRUE(test, pnuma_jring_room(&ring, 2));

	pnuma_jring_release(&ring, &a);
	KUNIT_EXPECT_EQ(test, ring.tail, 3);
	KUNIT_EXPECT_TRUE(test, pnuma_jring_room(&ring, 3));
	pnuma_jring_reserve(&ring, 3, &c);
	KUNIT_EXPECT_EQ(test, c.begin, 6);
	KUNIT_EXPECT_EQ(test, c.start, 8);	/* slot 0 of the next lap */
	KUNIT_EXPECT_EQ(test, c.end, 11);
	KUNIT_EXPECT_EQ(test, c.seq, b.seq + 1);
	KUNIT_EXPECT_FALSE(test, pnuma_jring_room(&ring, 1));

	pnuma_jring_release(&ring, &b);
	pnuma_jring_release(&ring, &c);
	KUNIT_EXPECT_EQ(test, ring.tail, ring.head);
	KUNIT_EXPECT_TRUE(test, list_empty(&ring.live));
}

/*
 * The tail moves only past released records with no live one before, and
 * a released reservation is never looked at again: its caller may reuse
 * the memory at once (here it is poisoned).
 */
static void pnuma_test_jring_release_order(struct kunit *test)
{
	struct pnuma_jring ring;
	struct pnuma_jres a, b, c, d;

	pnuma_jring_init(&ring, 16);
	pnuma_jring_reserve(&ring, 2, &a);
	pnuma_jring_reserve(&ring, 4, &b);
	pnuma_jring_reserve(&ring, 1, &c);
	pnuma_jring_reserve(&ring, 3, &d);

	pnuma_jring_release(&ring, &c);
	memset(&c, POISON_FREE, sizeof(c));
	KUNIT_EXPECT_EQ(test, ring.tail, 0);
	pnuma_jring_release(&ring, &b);
	memset(&b, POISON_FREE, sizeof(b));
	KUNIT_EXPECT_EQ(test, ring.tail, 0);
	KUNIT_EXPECT_TRUE(test, list_is_first(&a.node, &ring.live));
	KUNIT_EXPECT_TRUE(test, list_is_last(&d.node, &ring.live));

	pnuma_jring_release(&ring, &a);
	memset(&a, POISON_FREE, sizeof(a));
	KUNIT_EXPECT_EQ(test, ring.tail, 7);
	KUNIT_EXPECT_TRUE(test, list_is_singular(&ring.live));

	pnuma_jring_release(&ring, &d);
	KUNIT_EXPECT_EQ(test, ring.tail, 10);
	KUNIT_EXPECT_EQ(test, ring.head, 10);
	KUNIT_EXPECT_TRUE(test, list_empty(&ring.live));
}

struct pnuma_test_waiter {
	struct pnuma_jring *ring;
	struct pnuma_jres res;
	u64 slots;
	struct completion done;
};

static int pnuma_test_waiter_fn(void *data)
{
	struct pnuma_test_waiter *w = data;

	pnuma_jring_reserve(w->ring, w->slots, &w->res);
	complete(&w->done);
	return 0;
}

/* A full ring: the next reservation sleeps until a record retires. */
static void pnuma_test_jring_full_waits(struct kunit *test)
{
	struct pnuma_test_waiter *w;
	struct pnuma_jring *ring;
	struct pnuma_jres a, b;
	struct task_struct *t;
	int i;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_NOT_NULL(test, w);

	pnuma_jring_init(ring, 4);
	pnuma_jring_reserve(ring, 2, &a);
	pnuma_jring_reserve(ring, 2, &b);
	w->ring = ring;
	w->slots = 2;
	init_completion(&w->done);
	t = kthread_run(pnuma_test_waiter_fn, w, "pnuma-test-jring");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));

	/* Up to 5 s for the waiter to go to sleep on the full ring. */
	for (i = 0; i < 250 && !wq_has_sleeper(&ring->wait); i++)
		msleep(20);
	KUNIT_EXPECT_TRUE(test, wq_has_sleeper(&ring->wait));
	KUNIT_EXPECT_FALSE(test, completion_done(&w->done));

	/* Retiring the newer record frees nothing: the older is still live. */
	pnuma_jring_release(ring, &b);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&w->done));

	pnuma_jring_release(ring, &a);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&w->done, 5 * HZ), 0);
	KUNIT_EXPECT_EQ(test, w->res.start, 4);	/* slot 0 of the next lap */
	KUNIT_EXPECT_EQ(test, w->res.seq, b.seq + 1);
	pnuma_jring_release(ring, &w->res);
	KUNIT_EXPECT_EQ(test, ring->tail, ring->head);
}

#define PNUMA_TEST_DATA_PAGES	64

/* A pool of two members of PNUMA_TEST_DATA_PAGES data pages, DRAM only. */
static struct pnuma_pool *pnuma_test_pool(struct kunit *test)
{
	struct pnuma_pool *pool;
	unsigned int i;

	pool = kunit_kzalloc(test, struct_size(pool, members, 2), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	pool->nr_members = 2;
	mutex_init(&pool->alloc_lock);
	xa_init(&pool->map);
	for (i = 0; i < 2; i++) {
		struct pnuma_member *m;

		m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m);
		m->used = kunit_kzalloc(test,
					BITS_TO_LONGS(PNUMA_TEST_DATA_PAGES) *
					sizeof(long), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, m->used);
		m->pool = pool;
		m->node = i;
		m->media.sb.member_index = i;
		m->media.sb.geo.data_pages = PNUMA_TEST_DATA_PAGES;
		pool->members[i] = m;
	}
	return pool;
}

/*
 * @nr logical pages on member 0 (data pages 0..@nr-1), each with a
 * destination reserved on member 1, as pnuma_migrate() leaves them
 * before their first transaction.
 */
static void pnuma_test_txn_pages(struct kunit *test, struct pnuma_pool *pool,
				 struct pnuma_mig *pages, struct pnuma_mig **txn,
				 unsigned int nr)
{
	struct pnuma_member *src = pool->members[0], *dst = pool->members[1];
	unsigned int i;
	u64 ppn = 0;
	int err = 0;

	/* No KUNIT_ASSERT with the lock held: a failed one ends the thread. */
	mutex_lock(&pool->alloc_lock);
	for (i = 0; i < nr && !err; i++) {
		err = pnuma_page_reserve(src, &ppn) ?:
		      xa_err(xa_store(&pool->map, 100 + i,
				      pnuma_map_entry(src, ppn), GFP_KERNEL));
		pages[i] = (struct pnuma_mig){
			.lpn = 100 + i, .node = 1, .status = -EAGAIN,
			.src = src, .src_ppn = ppn, .dst = dst,
		};
		err = err ?: pnuma_page_reserve(dst, &pages[i].dst_ppn);
		txn[i] = &pages[i];
	}
	mutex_unlock(&pool->alloc_lock);
	KUNIT_ASSERT_EQ(test, err, 0);
}

/*
 * One copy fails in a transaction of 8 (the first, a middle or the last
 * page): the failed page gives its destination back, the 7 others keep
 * theirs through the retry, and after the retry commits, a member filled
 * to the brim never hands one of the moved pages' data pages out again.
 */
static void pnuma_test_settle_failed_copy(struct kunit *test)
{
	static const unsigned int fail_at[] = { 0, 3, 7 };
	enum { N = 8 };
	unsigned int f;

	for (f = 0; f < ARRAY_SIZE(fail_at); f++) {
		struct pnuma_pool *pool = pnuma_test_pool(test);
		struct pnuma_member *src = pool->members[0];
		struct pnuma_member *dst = pool->members[1];
		struct pnuma_mig pages[N], *txn[N], *retry[N];
		struct pnuma_member *m;
		unsigned int i, n = 0;
		u64 ppn;

		pnuma_test_txn_pages(test, pool, pages, txn, N);
		KUNIT_EXPECT_EQ(test, dst->nr_used, N);

		pages[fail_at[f]].status = -EIO;
		pnuma_mig_settle(pool, txn, N, false);
		KUNIT_EXPECT_EQ(test, dst->nr_used, N - 1);
		KUNIT_EXPECT_EQ(test, src->nr_used, N);
		for (i = 0; i < N; i++) {
			KUNIT_EXPECT_EQ_MSG(test, test_bit(pages[i].dst_ppn, dst->used),
					    i != fail_at[f], "failing page %u, page %u",
					    fail_at[f], i);
			if (i != fail_at[f])
				retry[n++] = &pages[i];
		}

		/* The retry, with the same destinations, commits. */
		pnuma_mig_settle(pool, retry, n, true);
		KUNIT_EXPECT_EQ(test, dst->nr_used, N - 1);
		KUNIT_EXPECT_EQ(test, src->nr_used, 1);
		for (i = 0; i < N; i++) {
			bool moved = i != fail_at[f];

			KUNIT_ASSERT_EQ(test, pnuma_page_lookup(pool, pages[i].lpn,
								&m, &ppn), 0);
			KUNIT_EXPECT_PTR_EQ(test, m, moved ? dst : src);
			KUNIT_EXPECT_EQ(test, ppn, moved ? pages[i].dst_ppn :
					pages[i].src_ppn);
			KUNIT_EXPECT_EQ(test, pages[i].status, moved ? 1 : -EIO);
		}

		/* Fill the destination: no page of it is handed out twice. */
		mutex_lock(&pool->alloc_lock);
		while (!pnuma_page_reserve(dst, &ppn))
			for (i = 0; i < N; i++)
				KUNIT_EXPECT_TRUE(test, i == fail_at[f] ||
						  ppn != pages[i].dst_ppn);
		mutex_unlock(&pool->alloc_lock);
		KUNIT_EXPECT_EQ(test, dst->nr_used, PNUMA_TEST_DATA_PAGES);
		xa_destroy(&pool->map);
	}
}

/* A member going away fails every page: every destination is given back. */
static void pnuma_test_settle_all_failed(struct kunit *test)
{
	enum { N = 8 };
	struct pnuma_pool *pool = pnuma_test_pool(test);
	struct pnuma_mig pages[N], *txn[N];
	unsigned int i;

	pnuma_test_txn_pages(test, pool, pages, txn, N);
	for (i = 0; i < N; i++)
		pages[i].status = -EIO;
	pnuma_mig_settle(pool, txn, N, false);
	KUNIT_EXPECT_EQ(test, pool->members[1]->nr_used, 0);
	KUNIT_EXPECT_EQ(test, pool->members[0]->nr_used, N);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(pool->members[1]->used,
					     PNUMA_TEST_DATA_PAGES));
	xa_destroy(&pool->map);
}

/*
 * Two members on node 0: the one with more room takes the next page, a
 * full one never does, and a node whose members are all full has none.
 */
static void pnuma_test_node_member_by_room(struct kunit *test)
{
	struct pnuma_pool *pool = pnuma_test_pool(test);
	struct pnuma_member *a = pool->members[0], *b = pool->members[1];
	unsigned int i;
	u64 ppn;

	b->node = 0;
	/* KUNIT_EXPECT only, with the lock held (see pnuma_test_txn_pages()). */
	mutex_lock(&pool->alloc_lock);
	KUNIT_EXPECT_NULL(test, pnuma_node_member(pool, 1));
	for (i = 0; i < PNUMA_TEST_DATA_PAGES; i++)
		KUNIT_EXPECT_EQ(test, pnuma_page_reserve(a, &ppn), 0);
	KUNIT_EXPECT_PTR_EQ(test, pnuma_node_member(pool, 0), b);
	KUNIT_EXPECT_EQ(test, pnuma_page_reserve(b, &ppn), 0);
	pnuma_page_unreserve(a, 5);
	pnuma_page_unreserve(a, 6);
	/* a has 2 free pages, b 63 */
	KUNIT_EXPECT_PTR_EQ(test, pnuma_node_member(pool, 0), b);
	for (i = 1; i < PNUMA_TEST_DATA_PAGES - 1; i++)
		KUNIT_EXPECT_EQ(test, pnuma_page_reserve(b, &ppn), 0);
	/* a 2, b 1 */
	KUNIT_EXPECT_PTR_EQ(test, pnuma_node_member(pool, 0), a);
	KUNIT_EXPECT_EQ(test, pnuma_page_reserve(b, &ppn), 0);
	KUNIT_EXPECT_EQ(test, pnuma_page_reserve(a, &ppn), 0);
	KUNIT_EXPECT_EQ(test, pnuma_page_reserve(a, &ppn), 0);
	KUNIT_EXPECT_NULL(test, pnuma_node_member(pool, 0));
	mutex_unlock(&pool->alloc_lock);
}

static struct kunit_case pnuma_migrate_test_cases[] = {
	KUNIT_CASE(pnuma_test_jring_wrap),
	KUNIT_CASE(pnuma_test_jring_release_order),
	KUNIT_CASE(pnuma_test_jring_full_waits),
	KUNIT_CASE(pnuma_test_settle_failed_copy),
	KUNIT_CASE(pnuma_test_settle_all_failed),
	KUNIT_CASE(pnuma_test_node_member_by_room),
	{},
};

static struct kunit_suite pnuma_migrate_test_suite = {
	.name = "pnuma-migrate",
	.test_cases = pnuma_migrate_test_cases,
};

kunit_test_suite(pnuma_migrate_test_suite);

#endif /* _PNUMA_MIGRATE_KUNIT_H */

#endif /* CONFIG_PNUMA_KUNIT_TEST */
