/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the journal ring of mm/pnuma/migrate.c: how slots are
 * handed out, padded at the wrap, given back in order, and what a
 * reservation does when the ring is full: it waits for retirement and
 * never takes a slot that a live record still uses.
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

static struct kunit_case pnuma_migrate_test_cases[] = {
	KUNIT_CASE(pnuma_test_jring_wrap),
	KUNIT_CASE(pnuma_test_jring_release_order),
	KUNIT_CASE(pnuma_test_jring_full_waits),
	{},
};

static struct kunit_suite pnuma_migrate_test_suite = {
	.name = "pnuma-jring",
	.test_cases = pnuma_migrate_test_cases,
};

kunit_test_suite(pnuma_migrate_test_suite);

#endif /* _PNUMA_MIGRATE_KUNIT_H */

#endif /* CONFIG_PNUMA_KUNIT_TEST */
