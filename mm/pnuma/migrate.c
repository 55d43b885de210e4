// SPDX-License-Identifier: GPL-2.0
/*
 * Moving pnuma pages between members, crash-consistently.
 *
 * For a set of logical pages and their target nodes, pnuma_migrate():
 *
 *  1. marks each page PNUMA_MIGRATING under the pool's fault lock, so that
 *     faults and read/write wait for it, and unmaps it from every process
 *     (unmap_mapping_range() on the pool's shared mapping, TLBs flushed);
 *  2. refuses pages pinned by get_user_pages() (-EBUSY), before and
 *     after unmapping them;
 *  3. reserves a destination page on the member of the target node with
 *     the most room, never in a bad range (-ENOMEM if the node has no
 *     member or no good free page);
 *  4. moves the pages leaving each member in one transaction of that
 *     member's journal (journal.c: intent, copy, commit, apply, retire);
 *  5. points the page map at the new pages, frees the old ones, clears
 *     the marks and wakes the waiters; the next fault maps the new page.
 *
 * The journal's slots are handed out by a ring per member; a transaction
 * that finds no room waits for older ones to retire. Crash tests can cut
 * the power at each step (debug.c, CONFIG_PNUMA_DEBUG), and fault
 * injection can fail the copy or the allocation (debugfs fail_copy,
 * fail_alloc).
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pnuma.h>
#include <linux/rmap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "internal.h"
#include "journal.h"
#include "meta.h"
#include "pm.h"

static DECLARE_FAULT_ATTR(pnuma_fail_copy);
static DECLARE_FAULT_ATTR(pnuma_fail_alloc);

/**
 * pnuma_jring_init() - set up a member's journal ring, empty
 * @ring: the ring
 * @slots: its size in slots
 */
void pnuma_jring_init(struct pnuma_jring *ring, u64 slots)
{
	mutex_init(&ring->lock);
	init_waitqueue_head(&ring->wait);
	INIT_LIST_HEAD(&ring->live);
	ring->slots = slots;
	ring->head = 0;
	ring->tail = 0;
	ring->next_seq = 1;
}

/*
 * A reservation of contiguous slots in a journal ring, on the ring's live
 * list from pnuma_jring_reserve() to pnuma_jring_release(), never after:
 * it lives on its caller's stack.
 */
struct pnuma_jres {
	struct list_head node;
	u64 begin;	/* first slot counted, padding included */
	u64 start;	/* first slot of the record */
	u64 end;	/* one past its last slot */
	u64 free_end;	/* where the tail goes when it is retired: @end, or
			 * the end of newer reservations released before it
			 */
	u64 seq;
};

static bool pnuma_jring_room(struct pnuma_jring *ring, u64 n)
{
	u64 head = READ_ONCE(ring->head), pos = head % ring->slots;
	u64 pad = pos + n > ring->slots ? ring->slots - pos : 0;

	return head + pad + n - READ_ONCE(ring->tail) <= ring->slots;
}

/* Reserve @n contiguous slots, waiting for older records to retire. */
static void pnuma_jring_reserve(struct pnuma_jring *ring, u64 n,
				struct pnuma_jres *res)
{
	u64 pos;

	mutex_lock(&ring->lock);
	while (!pnuma_jring_room(ring, n)) {
		mutex_unlock(&ring->lock);
		wait_event(ring->wait, pnuma_jring_room(ring, n));
		mutex_lock(&ring->lock);
	}
	pos = ring->head % ring->slots;
	res->begin = ring->head;
	res->start = ring->head + (pos + n > ring->slots ? ring->slots - pos : 0);
	res->end = res->start + n;
	res->free_end = res->end;
	res->seq = ring->next_seq++;
	ring->head = res->end;
	list_add_tail(&res->node, &ring->live);
	mutex_unlock(&ring->lock);
}

/*
 * Release a reservation. The oldest moves the tail past its slots and
 * those of the newer ones released before it; any other hands its slots
 * to the reservation just older than it, which frees them when it goes.
 * Either way @res leaves the list: the ring never refers to it again.
 */
static void pnuma_jring_release(struct pnuma_jring *ring, struct pnuma_jres *res)
{
	bool oldest;

	mutex_lock(&ring->lock);
	oldest = list_is_first(&res->node, &ring->live);
	if (oldest)
		WRITE_ONCE(ring->tail, res->free_end);
	else
		list_prev_entry(res, node)->free_end = res->free_end;
	list_del(&res->node);
	mutex_unlock(&ring->lock);
	if (oldest)
		wake_up_all(&ring->wait);
}

/**
 * pnuma_page_wait() - wait while a logical page is being moved
 * @pool: the pool
 * @lpn: the logical page
 *
 * Context: &pnuma_pool.fault_lock held for read; dropped while waiting.
 * Return: 0 with the lock held and the page not moving, or -EINTR (lock
 * not held) if a fatal signal came.
 */
int pnuma_page_wait(struct pnuma_pool *pool, u64 lpn)
{
	while (xa_get_mark(&pool->map, lpn, PNUMA_MIGRATING)) {
		up_read(&pool->fault_lock);
		if (wait_event_killable(pool->migrate_wq,
					!xa_get_mark(&pool->map, lpn,
						     PNUMA_MIGRATING)))
			return -EINTR;
		down_read(&pool->fault_lock);
	}
	return 0;
}

/* Has @node a member at all? Which one takes a page is decided later. */
static bool pnuma_node_has_member(struct pnuma_pool *pool, int node)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		if (pool->members[i]->node == node)
			return true;
	return false;
}

/**
 * pnuma_mapped_elsewhere() - is a logical page mapped by another process?
 * @mapping: the pool's shared mapping
 * @lpn: the logical page
 * @mm: the process asking
 * @atomic: the caller cannot sleep: only try the mapping's lock, and
 *	answer false if it is busy
 *
 * Return: true if a VMA of a process other than @mm maps @lpn.
 */
bool pnuma_mapped_elsewhere(struct address_space *mapping, u64 lpn,
			    struct mm_struct *mm, bool atomic)
{
	struct vm_area_struct *vma;
	bool shared = false;

	if (!atomic)
		i_mmap_lock_read(mapping);
	else if (!i_mmap_trylock_read(mapping))
		return false;
	vma_interval_tree_foreach(vma, &mapping->i_mmap, lpn, lpn) {
		if (vma->vm_mm != mm) {
			shared = true;
			break;
		}
	}
	i_mmap_unlock_read(mapping);
	return shared;
}

/* Decide what to do with one page; pending pages are left -EAGAIN. */
static void pnuma_mig_prepare(struct pnuma_pool *pool, struct pnuma_mig *p,
			      struct mm_struct *mm, bool move_all)
{
	p->marked = false;
	if (pnuma_page_lookup(pool, p->lpn, &p->src, &p->src_ppn)) {
		p->status = -ENOENT;
		return;
	}
	if (!pnuma_node_has_member(pool, p->node)) {
		p->status = -ENOMEM;
		return;
	}
	/* Never from one member of a node to another: it is there already. */
	if (p->src->node == p->node) {
		p->status = p->node;
		return;
	}
	if (!move_all && mm &&
	    pnuma_mapped_elsewhere(pool->inode->i_mapping, p->lpn, mm, false)) {
		p->status = -EACCES;
		return;
	}
	p->status = -EAGAIN;
}

/* Is a page pinned (-EBUSY), or its member gone (-EIO)? 0 if neither. */
static int pnuma_mig_pinned(struct pnuma_mig *p)
{
	int id = dax_read_lock(), err = 0;

	if (!dax_alive(p->src->dax_dev))
		err = -EIO;
	else if (pnuma_page_pinned(p->src, p->src_ppn))
		err = -EBUSY;
	dax_read_unlock(id);
	return err;
}

/*
 * Mark the pending pages, then unmap them everywhere. Return how many
 * were refused as pinned before being unmapped: failed moves.
 */
static unsigned int pnuma_mig_isolate(struct pnuma_pool *pool,
				      struct pnuma_mig *pages, unsigned int nr)
{
	struct address_space *mapping = pool->inode->i_mapping;
	unsigned int i, j, refused = 0;

	down_write(&pool->fault_lock);
	for (i = 0; i < nr; i++) {
		struct pnuma_mig *p = &pages[i];

		if (p->status != -EAGAIN)
			continue;
		xa_lock(&pool->map);
		/*
		 * pnuma_mig_prepare() looked the page up unmarked: a mover
		 * that has finished since may have moved it. Marked, it stays
		 * where it is now until the mark is cleared.
		 */
		if (xa_get_mark(&pool->map, p->lpn, PNUMA_MIGRATING)) {
			p->status = -EBUSY;
		} else if (pnuma_page_lookup(pool, p->lpn, &p->src,
					     &p->src_ppn)) {
			p->status = -ENOENT;
		} else if (p->src->node == p->node) {
			p->status = p->node;
		} else {
			/* A pinned page is refused before it is unmapped. */
			p->status = pnuma_mig_pinned(p) ?: -EAGAIN;
			p->marked = p->status == -EAGAIN;
			if (p->marked)
				__xa_set_mark(&pool->map, p->lpn, PNUMA_MIGRATING);
			else
				refused++;
		}
		xa_unlock(&pool->map);
	}
	up_write(&pool->fault_lock);

	/* One unmap (one TLB shootdown) per run of consecutive pages. */
	for (i = 0; i < nr; i = j) {
		if (!pages[i].marked) {
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < nr && pages[j].marked &&
		     pages[j].lpn == pages[j - 1].lpn + 1; j++)
			;
		/*
		 * The pool's pages are mapped by devmap PTEs, zapped whatever
		 * even_cows says; the anonymous copies private mappings of the
		 * pnumafs file made are the processes' own, and stay.
		 */
		unmap_mapping_range(mapping, pages[i].lpn << PAGE_SHIFT,
				    (loff_t)(j - i) << PAGE_SHIFT, 0);
	}
	return refused;
}

/*
 * Once unmapped, a page still referenced is pinned by get_user_pages()
 * (DMA, vmsplice, O_DIRECT in flight): it cannot move. Pins taken before
 * the page was marked are refused before it is unmapped; this catches
 * those that came in between. Also read the page's generation.
 */
static void pnuma_mig_check(struct pnuma_pool *pool, struct pnuma_mig *p)
{
	const char *bad;
	u64 lpn;
	int id;

	id = dax_read_lock();
	if (!dax_alive(p->src->dax_dev))
		p->status = -EIO;
	else if (pnuma_page_pinned(p->src, p->src_ppn))
		p->status = -EBUSY;
	else if (pnuma_meta_get(&p->src->media, p->src_ppn, pool->logical_pages,
				&lpn, &p->gen, &bad) || lpn != p->lpn)
		p->status = -EIO;
	else if (p->gen == U32_MAX)
		p->status = -EBUSY;	/* moved 2^32 - 2 times: stays */
	dax_read_unlock(id);
}

/* Reserve the destination pages, on the member of the node with most room. */
static void pnuma_mig_reserve(struct pnuma_pool *pool, struct pnuma_mig *pages,
			      unsigned int nr)
{
	unsigned int i;

	guard(mutex)(&pool->alloc_lock);
	for (i = 0; i < nr; i++) {
		struct pnuma_mig *p = &pages[i];
		int err;

		if (p->status != -EAGAIN)
			continue;
		if (should_fail(&pnuma_fail_alloc, PAGE_SIZE))
			err = -ENOMEM;
		else
			err = pnuma_node_reserve(pool, p->node, &p->dst,
						 &p->dst_ppn);
		if (err)	/* no room, or the pool died: a member is gone */
			p->status = err == -ENXIO ? -EIO : -ENOMEM;
	}
}

/*
 * Copy page @i of transaction @t: refused if the source is in a bad
 * range, or failed by a machine check during the copy (or by fail_copy).
 * A media error leaves the page where it is: the transaction is abandoned
 * before its commit. It is counted and logged.
 */
static int pnuma_mig_copy(struct pnuma_pool *pool, const struct pnuma_jtxn *t,
			  const struct pnuma_mig *p, unsigned int i)
{
	int err;

	if (pnuma_page_bad(p->src, p->src_ppn) ||
	    should_fail(&pnuma_fail_copy, PAGE_SIZE))
		err = -EIO;
	else
		err = pnuma_jtxn_copy(t, i);
	if (err) {
		atomic64_inc(&pool->media_errors);
		count_vm_event(PNUMA_MIGRATE_MEDIA_ERROR);
		pr_warn_ratelimited("%s: media error on %s, data page %llu (logical page %llu): not moved\n",
				    pool->name, p->src->name, p->src_ppn, p->lpn);
	}
	return err;
}

/**
 * pnuma_mig_settle() - account for a transaction, committed or abandoned
 * @pool: the pool
 * @pages: the pages of the transaction
 * @nr: how many
 * @committed: the transaction committed and was applied
 *
 * A committed transaction points the page map at the destination pages
 * and frees the source pages. An abandoned one frees the destination of
 * each page it failed (status set); the others, still -EAGAIN, keep their
 * reservation for the retry in a new transaction, which writes to the same
 * destination page: giving it back here would let the next allocation
 * hand it to another logical page.
 */
static void pnuma_mig_settle(struct pnuma_pool *pool, struct pnuma_mig **pages,
			     unsigned int nr, bool committed)
{
	unsigned int i;

	guard(mutex)(&pool->alloc_lock);
	for (i = 0; i < nr; i++) {
		struct pnuma_mig *p = pages[i];

		if (!committed) {
			if (p->status != -EAGAIN)
				pnuma_page_unreserve(p->dst, p->dst_ppn);
			continue;
		}
		xa_store(&pool->map, p->lpn, pnuma_map_entry(p->dst, p->dst_ppn),
			 GFP_KERNEL);
		pnuma_page_unreserve(p->src, p->src_ppn);
		p->status = p->node;
	}
}

/* Scratch space of the transactions of one member. */
struct pnuma_txn_buf {
	const struct pnuma_media *members[PNUMA_MAX_MEMBERS];
	struct pnuma_jmove moves[PNUMA_JREC_MAX_ENTRIES];
	struct pnuma_mig *batch[PNUMA_JREC_MAX_ENTRIES];
};

/* Move up to PNUMA_JREC_MAX_ENTRIES pages from one member. */
static void pnuma_mig_txn(struct pnuma_pool *pool, struct pnuma_member *src,
			  struct pnuma_txn_buf *buf, unsigned int nr)
{
	const struct pnuma_media **members = buf->members;
	struct pnuma_jmove *moves = buf->moves;
	struct pnuma_mig **pages = buf->batch;
	struct pnuma_jtxn t = {
		.src = &src->media,
		.members = members,
		.nr_members = pool->nr_members,
		.nr = nr,
		.moves = moves,
	};
	bool journal = !pnuma_unsafe_no_journal();
	struct pnuma_jres res;
	unsigned int i;
	int id, err = 0;

	for (i = 0; i < pool->nr_members; i++)
		members[i] = &pool->members[i]->media;
	for (i = 0; i < nr; i++) {
		moves[i] = (struct pnuma_jmove){
			.lpn = pages[i]->lpn,
			.src_ppn = pages[i]->src_ppn,
			.dst_ppn = pages[i]->dst_ppn,
			.new_gen = pages[i]->gen + 1,
			.dst_member = pages[i]->dst->media.sb.member_index,
		};
	}

	pnuma_jring_reserve(&src->ring, pnuma_jrec_slots(nr), &res);
	t.slot = res.start % src->ring.slots;
	t.seq = res.seq;

	/*
	 * A member going away kills the pool (pnuma_dev_kill()) before its
	 * memory goes, and its removal waits for this lock: a transaction
	 * that starts with the pool alive ends with the media there.
	 */
	id = dax_read_lock();
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		err = -EIO;
	for (i = 0; i < pool->nr_members; i++)
		if (!dax_alive(pool->members[i]->dax_dev))
			err = -EIO;
	if (err) {
		/* A member is going away: none of these pages can move. */
		for (i = 0; i < nr; i++)
			pages[i]->status = err;
		goto out;
	}
	if (journal)
		pnuma_jtxn_intent(&t);
	pnuma_crash_point(PNUMA_CP_AFTER_INTENT);
	for (i = 0; i < nr && !err; i++) {
		err = pnuma_mig_copy(pool, &t, pages[i], i);
		if (!i)
			pnuma_crash_point(PNUMA_CP_DURING_COPY);
	}
	if (err) {
		/* Abandoned before its commit: the pages stay where they are. */
		pages[i - 1]->status = err;
		if (journal)
			pnuma_jtxn_retire(&t);
		goto out;
	}
	pnuma_crash_point(PNUMA_CP_AFTER_COPY);
	if (journal) {
		pnuma_jtxn_commit(&t);
		pnuma_crash_point(PNUMA_CP_AFTER_COMMIT);
	} else {
		pnuma_pm_fence();
	}
	pnuma_jtxn_apply(&t);
	pnuma_crash_point(PNUMA_CP_AFTER_APPLY);
	if (journal)
		pnuma_jtxn_retire(&t);
out:
	dax_read_unlock(id);
	pnuma_jring_release(&src->ring, &res);
	pnuma_mig_settle(pool, pages, nr, !err);
}

/*
 * Move the pending pages of @src in transactions of up to
 * PNUMA_JREC_MAX_ENTRIES; a page whose copy fails is dropped and the rest
 * of its transaction tried again, with the destinations they reserved.
 */
static void pnuma_mig_member(struct pnuma_pool *pool, struct pnuma_member *src,
			     struct pnuma_mig *pages, unsigned int nr,
			     struct pnuma_txn_buf *buf)
{
	unsigned int i, n;

	do {
		for (n = 0, i = 0; i < nr && n < PNUMA_JREC_MAX_ENTRIES; i++)
			if (pages[i].src == src && pages[i].status == -EAGAIN)
				buf->batch[n++] = &pages[i];
		if (n)
			pnuma_mig_txn(pool, src, buf, n);
	} while (n);
}

/* Is @lpn one of the pages of this move? */
static bool pnuma_mig_has(const struct pnuma_mig *pages, unsigned int nr,
			  u64 lpn)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (pages[i].lpn == lpn)
			return true;
	return false;
}

/* Allocated logical pages looked at per search for cold pages, at most. */
#define PNUMA_EXCHANGE_SCAN	65536

/* Is the page of map entry @entry at @lpn a cold page of @node? */
static bool pnuma_cold_page(struct pnuma_pool *pool, struct xa_state *xas,
			    void *entry, int node,
			    const struct pnuma_mig *pages, unsigned int nr)
{
	unsigned long v = xa_to_value(entry);

	return entry != PNUMA_MAP_UNREADABLE &&
	       pool->members[v & (BIT(PNUMA_MAP_MEMBER_BITS) - 1)]->node == node &&
	       !xas_get_mark(xas, PNUMA_MIGRATING) &&
	       !pnuma_mig_has(pages, nr, xas->xa_index) &&
	       !pnuma_numa_hot(pool, xas->xa_index, node);
}

/*
 * Up to @want pages held on @node that are not hot there (by the balancing
 * state, which also holds pages moved lately), not moving and not among
 * @pages, set up to move to @to in @out. The search walks the page map
 * from where the last one stopped, wrapping around, and looks at no more
 * than %PNUMA_EXCHANGE_SCAN allocated pages.
 */
static unsigned int pnuma_cold_pages(struct pnuma_pool *pool, int node,
				     int to, const struct pnuma_mig *pages,
				     unsigned int nr, struct pnuma_mig *out,
				     unsigned int want)
{
	unsigned long start = READ_ONCE(pool->exchange_next);
	XA_STATE(xas, &pool->map, start);
	unsigned int n = 0, seen = 0, pass;
	void *entry;

	rcu_read_lock();
	for (pass = 0; pass < 2 && n < want && seen < PNUMA_EXCHANGE_SCAN;
	     pass++) {
		unsigned long max = pass ? start - 1 : ULONG_MAX;

		if (pass) {
			if (!start)
				break;
			xas_set(&xas, 0);
		}
		xas_for_each(&xas, entry, max) {
			if (xas_retry(&xas, entry))
				continue;
			if (pnuma_cold_page(pool, &xas, entry, node, pages, nr))
				out[n++] = (struct pnuma_mig){
					.lpn = xas.xa_index, .node = to };
			if (n == want || ++seen == PNUMA_EXCHANGE_SCAN)
				break;
			if (!(seen % 1024)) {
				xas_pause(&xas);
				rcu_read_unlock();
				cond_resched();
				rcu_read_lock();
			}
		}
	}
	rcu_read_unlock();
	WRITE_ONCE(pool->exchange_next, n ? out[n - 1].lpn + 1 : xas.xa_index);
	return n;
}

/*
 * An exchange: where the pages of this move need more free pages on a
 * node than its members have (a fully allocated pool keeps only its
 * reserve), move that many cold pages of the node first to the member
 * with the most room elsewhere, one exchange at a time per pool, with the
 * caller's rights (@mm, @move_all). Each is an ordinary journalled move, so a
 * crash between them, or in one, loses nothing: every page is whole at
 * its old place or its new one. The pages of this move then find room;
 * where too few cold pages could move, some get -ENOMEM as before.
 */
static void pnuma_make_room(struct pnuma_pool *pool, struct pnuma_mig *pages,
			    unsigned int nr, struct mm_struct *mm, bool move_all)
{
	struct pnuma_mig *out = NULL;
	struct pnuma_member *m, *to;
	unsigned int i, j, k, need;
	u64 room;

	if (!pool->reserve_pages ||
	    READ_ONCE(pool->state) != PNUMA_POOL_ACTIVE)
		return;
	guard(mutex)(&pool->exchange_lock);
	for (i = 0; i < nr; i++) {
		int node = pages[i].node;

		for (j = 0; j < i && pages[j].node != node; j++)
			;
		if (j < i)
			continue;	/* this node was seen */
		/* The pages that will move (pnuma_mig_prepare() said so). */
		need = 0;
		for (j = i; j < nr; j++)
			if (pages[j].node == node && pages[j].status == -EAGAIN)
				need++;
		room = pnuma_node_room(pool, node);
		if (need <= room || !pnuma_node_any_member(pool, node))
			continue;
		need -= room;

		/* Where the cold pages go: the most room off this node. */
		to = NULL;
		for (j = 0; j < pool->nr_members; j++) {
			m = pool->members[j];
			if (m->node != node && m->node != NUMA_NO_NODE &&
			    (!to || pnuma_member_room(m) > pnuma_member_room(to)))
				to = m;
		}
		if (!to || !pnuma_member_room(to))
			continue;
		need = min_t(u64, need, pnuma_member_room(to));
		if (!out)
			out = kmalloc_array(PNUMA_JREC_MAX_ENTRIES, sizeof(*out),
					    GFP_KERNEL);
		if (!out)
			return;
		k = pnuma_cold_pages(pool, node, to->node, pages, nr, out,
				     min_t(unsigned int, need,
					   PNUMA_JREC_MAX_ENTRIES));
		/*
		 * As the caller may: without MPOL_MF_MOVE_ALL, pages other
		 * processes map stay (-EACCES), as in move_pages(2).
		 */
		if (k)
			atomic64_add(pnuma_migrate(pool, out, k, mm, move_all,
						   PNUMA_MR_EXCHANGE),
				     &pool->exchanged);
	}
	kfree(out);
}

/**
 * pnuma_migrate() - move logical pages to the members of given nodes
 * @pool: the pool
 * @pages: the pages, their target nodes; their status is filled in
 * @nr: how many
 * @mm: the process asking (for the "mapped by another process" rule),
 *	or NULL for the kernel
 * @move_all: move pages other processes map too (MPOL_MF_MOVE_ALL)
 * @reason: who asked, for the pnuma_migrate tracepoint
 *
 * Each page's status ends as move_pages(2) documents it: the node it is
 * now on, or -ENOENT (never touched), -ENOMEM (no room on that node even
 * after moving cold pages of it elsewhere, or no member there), -EACCES
 * (mapped by another process, without @move_all), -EBUSY (pinned, or
 * being moved already), -EIO (media error) or -EROFS
 * (every page of a read-only pool). Every move is crash consistent: after
 * a crash at any point, each page is found whole at its old place or at
 * its new one.
 *
 * Return: the number of pages moved.
 */
int pnuma_migrate(struct pnuma_pool *pool, struct pnuma_mig *pages,
		  unsigned int nr, struct mm_struct *mm, bool move_all,
		  enum pnuma_migrate_reason reason)
{
	unsigned int i, j, moved = 0, failed;
	struct pnuma_txn_buf *buf;

	if (pool->read_only) {
		for (i = 0; i < nr; i++)
			pages[i].status = -EROFS;
		return 0;
	}
	buf = kmalloc(sizeof(*buf), GFP_KERNEL);
	for (i = 0; i < nr; i++) {
		pnuma_mig_prepare(pool, &pages[i], mm, move_all);
		if (!buf && pages[i].status == -EAGAIN)
			pages[i].status = -ENOMEM;
	}
	if (reason != PNUMA_MR_EXCHANGE)
		pnuma_make_room(pool, pages, nr, mm, move_all);
	failed = pnuma_mig_isolate(pool, pages, nr);
	for (i = 0; i < nr; i++)
		if (pages[i].status == -EAGAIN)
			pnuma_mig_check(pool, &pages[i]);
	pnuma_mig_reserve(pool, pages, nr);

	for (i = 0; i < pool->nr_members; i++) {
		for (j = 0; j < nr; j++) {
			if (pages[j].src == pool->members[i] &&
			    pages[j].status == -EAGAIN) {
				pnuma_mig_member(pool, pool->members[i], pages,
						 nr, buf);
				break;
			}
		}
	}
	kfree(buf);

	for (i = 0; i < nr; i++) {
		if (pages[i].marked) {
			xa_clear_mark(&pool->map, pages[i].lpn, PNUMA_MIGRATING);
			if (pages[i].status >= 0)
				moved++;
			else
				failed++;
		}
		pnuma_trace_migrate(pool, &pages[i], reason);
	}
	wake_up_all(&pool->migrate_wq);
	if (reason != PNUMA_MR_NUMA_BALANCING)
		pnuma_numa_note_moved(pool, pages, nr);
	atomic64_add(moved, &pool->pages_migrated);
	atomic64_add(failed, &pool->migrate_failed);
	count_vm_events(PNUMA_MIGRATE_SUCCESS, moved);
	count_vm_events(PNUMA_MIGRATE_FAIL, failed);
	return moved;
}

#define PNUMA_MOVE_BATCH	PNUMA_JREC_MAX_ENTRIES

/* A pnuma page of a move_pages(2) call. */
struct pnuma_move_req {
	struct file *file;	/* the mapped /dev/pnumaN, referenced */
	u64 lpn;
	int node;
	int index;		/* in the caller's arrays */
};

/**
 * __pnuma_move_pages_queue() - queue a page of move_pages(2), if it is pnuma's
 * @b: the call's batch
 * @p: the page's address in @b->mm
 * @node: where to move it
 * @index: its index in the call's arrays
 *
 * The body of pnuma_move_pages_queue(), once a pool is assembled.
 *
 * Return: 0 if @p is not in a pnuma mapping, 1 if it was queued, or a
 * negative errno to report as its status.
 */
int __pnuma_move_pages_queue(struct pnuma_move_batch *b, const void __user *p,
			     int node, int index)
{
	struct vm_area_struct *vma;
	struct pnuma_move_req *r;
	unsigned long addr;

	mmap_read_lock(b->mm);
	addr = (unsigned long)untagged_addr_remote(b->mm, p);
	vma = vma_lookup(b->mm, addr);
	if (!vma || !vma_is_pnuma(vma)) {
		mmap_read_unlock(b->mm);
		return 0;
	}
	if (!b->req) {
		b->req = kmalloc_array(PNUMA_MOVE_BATCH, sizeof(*b->req),
				       GFP_KERNEL);
		if (!b->req) {
			mmap_read_unlock(b->mm);
			return -ENOMEM;
		}
	}
	r = &b->req[b->nr++];
	r->file = get_file(vma->vm_file);
	r->lpn = linear_page_index(vma, addr);
	r->node = node;
	r->index = index;
	mmap_read_unlock(b->mm);
	return 1;
}

/**
 * pnuma_move_pages_flush() - move the queued pages, store their status
 * @b: the call's batch
 * @status: the call's status array
 * @all: move them now; otherwise only once a whole batch is queued
 *
 * Return: 0, or -EFAULT if a status could not be stored.
 */
int pnuma_move_pages_flush(struct pnuma_move_batch *b, int __user *status,
			   bool all)
{
	struct pnuma_mig *pages;
	unsigned int i, j, k;
	int err = 0;

	if (!b->nr || (!all && b->nr < PNUMA_MOVE_BATCH))
		return 0;
	pages = kmalloc_array(b->nr, sizeof(*pages), GFP_KERNEL);
	for (i = 0; i < b->nr; i = j) {
		struct file *file = b->req[i].file;

		for (j = i; j < b->nr && b->req[j].file == file; j++) {
			if (pages)
				pages[j - i] = (struct pnuma_mig){
					.lpn = b->req[j].lpn,
					.node = b->req[j].node,
				};
		}
		if (pages)
			pnuma_migrate(file->private_data, pages, j - i, b->mm,
				      b->move_all, PNUMA_MR_SYSCALL);
		for (k = i; k < j; k++)
			if (put_user(pages ? pages[k - i].status : -ENOMEM,
				     status + b->req[k].index))
				err = -EFAULT;
	}
	for (i = 0; i < b->nr; i++)
		fput(b->req[i].file);
	b->nr = 0;
	kfree(pages);
	return err;
}

/**
 * pnuma_move_pages_end() - forget what move_pages(2) did not flush
 * @b: the call's batch
 */
void pnuma_move_pages_end(struct pnuma_move_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		fput(b->req[i].file);
	kfree(b->req);
}

/**
 * pnuma_migrate_init() - debugfs knobs of the migration engine
 *
 * /sys/kernel/debug/pnuma/: fail_copy and fail_alloc (fault injection
 * attributes), fail_touch (alloc.c's); with CONFIG_PNUMA_DEBUG, the
 * crash-test knobs of debug.c.
 *
 * Return: 0.
 */
int __init pnuma_migrate_init(void)
{
	struct dentry *dir = debugfs_create_dir("pnuma", NULL);

	fault_create_debugfs_attr("fail_copy", dir, &pnuma_fail_copy);
	fault_create_debugfs_attr("fail_alloc", dir, &pnuma_fail_alloc);
	pnuma_alloc_debugfs(dir);
	pnuma_debug_init(dir);
	return 0;
}

#include "tests/migrate-kunit.h"
