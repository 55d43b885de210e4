// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma page map and allocation: which physical page holds each logical
 * page of a pool, first-touch allocation on the member nearest to the
 * touching CPU, and the rebuilding of the map from the members' page
 * metadata when a pool is assembled.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/bitmap.h>
#include <linux/dax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/topology.h>

#include "internal.h"
#include "meta.h"
#include "pm.h"

#define PNUMA_MAP_MEMBER_MASK	((1UL << PNUMA_MAP_MEMBER_BITS) - 1)

/**
 * pnuma_map_entry() - the page map's entry for a data page
 * @m: the member
 * @ppn: the data page
 *
 * Return: the value to store in &pnuma_pool.map.
 */
void *pnuma_map_entry(struct pnuma_member *m, u64 ppn)
{
	return xa_mk_value(ppn << PNUMA_MAP_MEMBER_BITS | m->media.sb.member_index);
}

/**
 * pnuma_page_lookup() - where is a logical page?
 * @pool: the pool
 * @lpn: the logical page
 * @m: its member
 * @ppn: its data page number in that member
 *
 * Return: 0, or -ENOENT if the logical page was never touched.
 */
int pnuma_page_lookup(struct pnuma_pool *pool, u64 lpn,
		      struct pnuma_member **m, u64 *ppn)
{
	void *entry = xa_load(&pool->map, lpn);
	unsigned long v;

	if (!xa_is_value(entry))
		return -ENOENT;
	v = xa_to_value(entry);
	*m = pool->members[v & PNUMA_MAP_MEMBER_MASK];
	*ppn = v >> PNUMA_MAP_MEMBER_BITS;
	return 0;
}

static bool pnuma_member_full(struct pnuma_member *m)
{
	return m->nr_used >= m->media.sb.geo.data_pages;
}

/**
 * pnuma_node_member() - the member of a node with the most room
 * @pool: the pool
 * @node: the node
 *
 * Several members may share a node (two namespaces of one socket, or of
 * one CXL device): the one with the most free data pages takes the next
 * page, so that they fill evenly and a full one is never chosen.
 *
 * Context: &pnuma_pool.alloc_lock held.
 * Return: the member, or NULL if no member of @node has room.
 */
struct pnuma_member *pnuma_node_member(struct pnuma_pool *pool, int node)
{
	struct pnuma_member *best = NULL;
	u64 best_free = 0;
	unsigned int i;

	lockdep_assert_held(&pool->alloc_lock);
	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		u64 free = m->media.sb.geo.data_pages - m->nr_used;

		if (m->node == node && free > best_free) {
			best = m;
			best_free = free;
		}
	}
	return best;
}

/*
 * The member for a page first touched on @node: one on that node if it has
 * room, else the nearest one with room. *@fallback says it was not local.
 */
static struct pnuma_member *pnuma_pick_member(struct pnuma_pool *pool,
					      int node, bool *fallback)
{
	struct pnuma_member *best = pnuma_node_member(pool, node);
	int best_dist = INT_MAX;
	unsigned int i;

	*fallback = !best;
	if (best)
		return best;
	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		int dist;

		if (pnuma_member_full(m))
			continue;
		dist = node == NUMA_NO_NODE || m->node == NUMA_NO_NODE ?
			INT_MAX - 1 : node_distance(node, m->node);
		if (dist < best_dist) {
			best = m;
			best_dist = dist;
		}
	}
	return best;
}

/* Allocate data page @ppn of @m to logical page @lpn (meta.c's protocol). */
static int __pnuma_claim_page(struct pnuma_member *m, u64 ppn, u64 lpn)
{
	int id, err = 0;

	lockdep_assert_held(&m->pool->alloc_lock);
	id = dax_read_lock();
	if (dax_alive(m->dax_dev))
		pnuma_meta_first_touch(&m->media, ppn, lpn);
	else
		err = -ENXIO;
	dax_read_unlock(id);
	return err;
}

/* A free data page of @m, searching from its allocation hint. */
static u64 pnuma_member_find_free(struct pnuma_member *m)
{
	u64 n = m->media.sb.geo.data_pages;
	u64 ppn;

	ppn = find_next_zero_bit(m->used, n, m->next);
	if (ppn >= n)
		ppn = find_first_zero_bit(m->used, n);
	return ppn;
}

/* Mark the members in use again after an orderly-shutdown "clean". */
static void pnuma_pool_mark_dirty(struct pnuma_pool *pool)
{
	unsigned int i;

	lockdep_assert_held(&pool->alloc_lock);
	if (!pool->state_clean)
		return;
	for (i = 0; i < pool->nr_members; i++)
		pnuma_member_set_state(pool->members[i], PNUMA_STATE_DIRTY);
	pnuma_pm_fence();
	pool->state_clean = false;
}

/**
 * pnuma_page_reserve() - take a free data page of a member, in DRAM only
 * @m: the member
 * @ppn: the page taken
 *
 * For the destination of a move: nothing is written to the media until
 * the journal applies the move. Marks the pool in use.
 *
 * Context: &pnuma_pool.alloc_lock held.
 * Return: 0, or -ENOMEM if the member is full.
 */
int pnuma_page_reserve(struct pnuma_member *m, u64 *ppn)
{
	lockdep_assert_held(&m->pool->alloc_lock);
	if (pnuma_member_full(m))
		return -ENOMEM;
	pnuma_pool_mark_dirty(m->pool);
	*ppn = pnuma_member_find_free(m);
	__set_bit(*ppn, m->used);
	m->nr_used++;
	m->next = *ppn + 1;
	return 0;
}

/**
 * pnuma_page_unreserve() - give a data page back, in DRAM only
 * @m: the member
 * @ppn: the page
 *
 * Context: &pnuma_pool.alloc_lock held.
 */
void pnuma_page_unreserve(struct pnuma_member *m, u64 ppn)
{
	lockdep_assert_held(&m->pool->alloc_lock);
	__clear_bit(ppn, m->used);
	m->nr_used--;
}

static int __pnuma_page_alloc(struct pnuma_pool *pool, u64 lpn, int node,
			      struct pnuma_member **mp, u64 *ppnp)
{
	struct pnuma_member *m;
	bool fallback;
	u64 ppn;
	int err;

	lockdep_assert_held(&pool->alloc_lock);
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return -ENXIO;
	m = pnuma_pick_member(pool, node, &fallback);
	if (!m)
		return -ENOSPC;
	/* Reserve the map slot first: storing into it cannot fail then. */
	err = xa_reserve(&pool->map, lpn, GFP_KERNEL);
	if (err)
		return err;

	pnuma_pool_mark_dirty(pool);
	ppn = pnuma_member_find_free(m);
	err = __pnuma_claim_page(m, ppn, lpn);
	if (err) {
		xa_release(&pool->map, lpn);
		return err;
	}
	__set_bit(ppn, m->used);
	m->nr_used++;
	m->next = ppn + 1;
	xa_store(&pool->map, lpn, pnuma_map_entry(m, ppn), GFP_KERNEL);
	if (fallback)
		atomic64_inc(&pool->fallback_allocs);
	*mp = m;
	*ppnp = ppn;
	return 0;
}

/**
 * pnuma_page_get() - find a logical page, allocating it on first touch
 * @pool: the pool
 * @lpn: the logical page, below @pool->logical_pages
 * @node: the node of the CPU touching it
 * @m: its member
 * @ppn: its data page number in that member
 *
 * A new page is zeroed and its metadata made durable before this returns,
 * and any zero page mapped for it is unmapped.
 *
 * Return: 0, -ENOSPC if the pool is full, -ENXIO if it is dead, -ENOMEM.
 */
int pnuma_page_get(struct pnuma_pool *pool, u64 lpn, int node,
		   struct pnuma_member **m, u64 *ppn)
{
	int err;

	if (!pnuma_page_lookup(pool, lpn, m, ppn))
		return 0;

	scoped_guard(mutex, &pool->alloc_lock) {
		/* Someone else may have allocated it meanwhile. */
		if (!pnuma_page_lookup(pool, lpn, m, ppn))
			return 0;
		err = __pnuma_page_alloc(pool, lpn, node, m, ppn);
	}
	/*
	 * Read faults may have mapped the zero page for it (dev.c), before
	 * the page map had it: they fault again and find the new page.
	 */
	if (!err)
		unmap_mapping_range(pool->inode->i_mapping,
				    (loff_t)lpn << PAGE_SHIFT, PAGE_SIZE, 0);
	return err;
}

/* Read one member's page metadata into the map and its bitmap. */
static int pnuma_member_load(struct pnuma_pool *pool, struct pnuma_member *m)
{
	u64 ppn, lpn, dup_ppn;
	struct pnuma_member *dup;
	const char *bad;
	int id, err;
	u32 gen;

	for (ppn = 0; ppn < m->media.sb.geo.data_pages; ppn++) {
		err = -ENXIO;
		bad = "device gone";
		id = dax_read_lock();
		if (dax_alive(m->dax_dev))
			err = pnuma_meta_get(&m->media, ppn, pool->logical_pages,
					     &lpn, &gen, &bad);
		dax_read_unlock(id);
		if (err) {
			pr_err("pool %pUb not assembled: %s: metadata of page %llu: %s\n",
			       pool->uuid, m->name, ppn, bad);
			return err;
		}
		if (lpn == PNUMA_LPN_FREE)
			continue;
		if (!pnuma_page_lookup(pool, lpn, &dup, &dup_ppn)) {
			pr_err("pool %pUb not assembled: logical page %llu is held by %s page %llu and %s page %llu\n",
			       pool->uuid, lpn, dup->name, dup_ppn, m->name, ppn);
			return -EUCLEAN;
		}
		err = xa_err(xa_store(&pool->map, lpn, pnuma_map_entry(m, ppn),
				      GFP_KERNEL));
		if (err)
			return err;
		__set_bit(ppn, m->used);
		m->nr_used++;
		if (!(ppn % 4096))
			cond_resched();
	}
	return 0;
}

/**
 * pnuma_map_build() - build a pool's page map from its members' metadata
 * @pool: the pool, its members claimed
 *
 * Every used entry must be intact and every logical page held once.
 *
 * Return: 0, or -EUCLEAN (with a log line naming the member and the page)
 * if the metadata is corrupt, or another negative errno.
 */
int pnuma_map_build(struct pnuma_pool *pool)
{
	unsigned int i;
	int err;

	for (i = 0; i < pool->nr_members; i++) {
		err = pnuma_member_load(pool, pool->members[i]);
		if (err)
			return err;
	}
	return 0;
}
