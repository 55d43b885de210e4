// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma page map and allocation: which physical page holds each logical
 * page of a pool, first-touch allocation on the member nearest to the
 * touching CPU, and the rebuilding of the map from the members' page
 * metadata when a pool is assembled.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/badblocks.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/fault-inject.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/topology.h>

#include "internal.h"
#include "meta.h"
#include "pm.h"

static DECLARE_FAULT_ATTR(pnuma_fail_touch);

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
 * Return: 0, -ENOENT if the logical page was never touched, or -EIO if
 * a read-only assembly found it unreadable.
 */
int pnuma_page_lookup(struct pnuma_pool *pool, u64 lpn,
		      struct pnuma_member **m, u64 *ppn)
{
	void *entry = xa_load(&pool->map, lpn);
	unsigned long v;

	if (!xa_is_value(entry))
		return -ENOENT;
	if (unlikely(entry == PNUMA_MAP_UNREADABLE))
		return -EIO;
	v = xa_to_value(entry);
	*m = pool->members[v & PNUMA_MAP_MEMBER_MASK];
	*ppn = v >> PNUMA_MAP_MEMBER_BITS;
	return 0;
}

/**
 * pnuma_member_page_bad() - is a page of a member in a range known to be bad?
 * @m: the member
 * @page: the page, counted from the start of the member
 *
 * The pmem driver keeps the ranges the platform reported (address range
 * scrub, machine checks) and those written to /sys/block/pmemN/badblocks:
 * copying from one would take a machine check, and data written to one
 * may not read back.
 *
 * The list belongs to the pmem device, which frees it when it goes away,
 * after kill_dax(): it is only read inside the DAX read lock, with the
 * device alive.
 *
 * Return: true if any sector of the page is in a bad range; false if the
 * device is gone (the callers check that themselves).
 */
bool pnuma_member_page_bad(struct pnuma_member *m, u64 page)
{
	sector_t sector = page << (PAGE_SHIFT - SECTOR_SHIFT);
	sector_t first;
	int len, id;
	bool bad;

	if (!m->bb)
		return false;
	id = dax_read_lock();
	bad = dax_alive(m->dax_dev) && READ_ONCE(m->bb->count) &&
	      badblocks_check(m->bb, sector, PAGE_SIZE >> SECTOR_SHIFT, &first,
			      &len);
	dax_read_unlock(id);
	return bad;
}

/* Is data page @ppn of @m in a bad range? (pnuma_member_page_bad()) */
bool pnuma_page_bad(struct pnuma_member *m, u64 ppn)
{
	return pnuma_member_page_bad(m, m->media.sb.geo.data_start + ppn);
}

/**
 * pnuma_member_room() - free data pages left in a member
 * @m: the member
 *
 * Neither in use nor taken out of use as bad. Read without the
 * allocation lock, the two counts may be from different instants.
 *
 * Return: the count, never more than the member has.
 */
u64 pnuma_member_room(struct pnuma_member *m)
{
	u64 room = m->media.sb.geo.data_pages - READ_ONCE(m->nr_used) -
		   READ_ONCE(m->nr_bad);

	return room <= m->media.sb.geo.data_pages ? room : 0;
}

static bool pnuma_member_full(struct pnuma_member *m)
{
	return !pnuma_member_room(m);
}

static struct pnuma_member *__pnuma_node_member(struct pnuma_pool *pool,
						int node, u64 keep)
{
	struct pnuma_member *best = NULL;
	u64 best_free = keep;
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		u64 free = pnuma_member_room(m);

		if (m->node == node && free > best_free) {
			best = m;
			best_free = free;
		}
	}
	return best;
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
 * Context: &pnuma_pool.alloc_lock held for an answer that holds until it
 * is dropped; without it (NUMA balancing choosing where a move would go,
 * for its rate limit), a hint.
 * Return: the member, or NULL if no member of @node has room.
 */
struct pnuma_member *pnuma_node_member(struct pnuma_pool *pool, int node)
{
	return __pnuma_node_member(pool, node, 0);
}

/**
 * pnuma_node_any_member() - a member of a node, full or not
 * @pool: the pool
 * @node: the node
 *
 * Return: the first member of @node, or NULL if it has none.
 */
struct pnuma_member *pnuma_node_any_member(struct pnuma_pool *pool, int node)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		if (pool->members[i]->node == node)
			return pool->members[i];
	return NULL;
}

/**
 * pnuma_node_room() - free data pages on the members of a node
 * @pool: the pool
 * @node: the node
 *
 * Return: their sum, a snapshot unless &pnuma_pool.alloc_lock is held.
 */
u64 pnuma_node_room(struct pnuma_pool *pool, int node)
{
	unsigned int i;
	u64 room = 0;

	for (i = 0; i < pool->nr_members; i++)
		if (pool->members[i]->node == node)
			room += pnuma_member_room(pool->members[i]);
	return room;
}

/* The nearest member to @node with more than @keep free pages, or NULL. */
static struct pnuma_member *pnuma_nearest_member(struct pnuma_pool *pool,
						 int node, u64 keep)
{
	struct pnuma_member *best = __pnuma_node_member(pool, node, keep);
	int best_dist = INT_MAX;
	unsigned int i;

	if (best)
		return best;
	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		int dist;

		if (pnuma_member_room(m) <= keep)
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

/*
 * The member for a page first touched on @node: one on that node with
 * room beyond the pool's reserve, else the nearest one with room beyond
 * it; only when no member has any, one that takes a page of its reserve
 * (a first touch never fails where the pool has a free page). *@fallback
 * says it was not local.
 */
static struct pnuma_member *pnuma_pick_member(struct pnuma_pool *pool,
					      int node, bool *fallback)
{
	struct pnuma_member *m;

	m = pnuma_nearest_member(pool, node, pool->reserve_pages);
	if (!m)
		m = pnuma_nearest_member(pool, node, 0);
	*fallback = m && m->node != node;
	return m;
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

/*
 * A free data page of @m, searching from its allocation hint, or
 * data_pages if there is none. A free page found in a bad range is taken
 * out of use (set in @used, counted in @nr_bad) rather than handed out:
 * nothing is ever written to a page known to be bad.
 */
static u64 pnuma_member_find_free(struct pnuma_member *m)
{
	u64 n = m->media.sb.geo.data_pages;
	u64 ppn;

	lockdep_assert_held(&m->pool->alloc_lock);
	for (;;) {
		ppn = find_next_zero_bit(m->used, n, m->next);
		if (ppn >= n)
			ppn = find_first_zero_bit(m->used, n);
		if (ppn >= n || !pnuma_page_bad(m, ppn))
			return ppn;
		__set_bit(ppn, m->used);
		m->nr_bad++;
		m->next = ppn + 1;
	}
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
 * Return: 0, -ENOMEM if the member is full (of pages in use or bad), or
 * -ENXIO if the pool is dead.
 */
int pnuma_page_reserve(struct pnuma_member *m, u64 *ppn)
{
	lockdep_assert_held(&m->pool->alloc_lock);
	if (READ_ONCE(m->pool->state) == PNUMA_POOL_DEAD)
		return -ENXIO;
	if (pnuma_member_full(m))
		return -ENOMEM;
	*ppn = pnuma_member_find_free(m);
	if (*ppn >= m->media.sb.geo.data_pages)
		return -ENOMEM;		/* only bad pages were left */
	pnuma_pool_mark_dirty(m->pool);
	__set_bit(*ppn, m->used);
	m->nr_used++;
	m->next = *ppn + 1;
	return 0;
}

/**
 * pnuma_node_reserve() - reserve a data page on a node, in DRAM only
 * @pool: the pool
 * @node: the node
 * @m: the member of @node with the most room, which gave the page
 * @ppn: the page taken
 *
 * Context: &pnuma_pool.alloc_lock held.
 * Return: 0, -ENOMEM if no member of @node has a page that is not bad,
 * or -ENXIO if the pool is dead.
 */
int pnuma_node_reserve(struct pnuma_pool *pool, int node,
		       struct pnuma_member **m, u64 *ppn)
{
	int err;

	/* A member whose free pages were all bad has no room left: next. */
	while ((*m = pnuma_node_member(pool, node))) {
		err = pnuma_page_reserve(*m, ppn);
		if (err != -ENOMEM)
			return err;
	}
	return -ENOMEM;
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
	/* A member whose free pages were all bad has no room left: next. */
	do {
		m = pnuma_pick_member(pool, node, &fallback);
		if (!m)
			return -ENOSPC;
		ppn = pnuma_member_find_free(m);
	} while (ppn >= m->media.sb.geo.data_pages);
	/* Reserve the map slot first: storing into it cannot fail then. */
	err = xa_reserve(&pool->map, lpn, GFP_KERNEL);
	if (err)
		return err;

	pnuma_pool_mark_dirty(pool);
	err = __pnuma_claim_page(m, ppn, lpn);
	if (err) {
		xa_release(&pool->map, lpn);
		return err;
	}
	__set_bit(ppn, m->used);
	m->nr_used++;
	m->next = ppn + 1;
	/*
	 * Read faults map the zero page for a page never written, under this
	 * lock (dev.c): unmap it everywhere before the page map has the page,
	 * so that whoever finds the page there finds no zero page mapped.
	 */
	unmap_mapping_range(pool->inode->i_mapping, (loff_t)lpn << PAGE_SHIFT,
			    PAGE_SIZE, 0);
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
 * Return: 0, -ENOSPC if the pool is full, -ENXIO if it is dead, -ENOMEM,
 * -EROFS if it is read-only, -EIO if a read-only pool cannot read it.
 */
int pnuma_page_get(struct pnuma_pool *pool, u64 lpn, int node,
		   struct pnuma_member **m, u64 *ppn)
{
	int err = pnuma_page_lookup(pool, lpn, m, ppn);

	if (err != -ENOENT)
		return err;
	if (pool->read_only)
		return -EROFS;

	guard(mutex)(&pool->alloc_lock);
	/* Someone else may have allocated it meanwhile. */
	err = pnuma_page_lookup(pool, lpn, m, ppn);
	if (err != -ENOENT)
		return err;
	if (should_fail(&pnuma_fail_touch, PAGE_SIZE))
		return -ENOSPC;
	return __pnuma_page_alloc(pool, lpn, node, m, ppn);
}

/**
 * pnuma_alloc_debugfs() - the fault injection of first touches
 * @dir: /sys/kernel/debug/pnuma
 *
 * fail_touch makes the allocation of a logical page's first page (a
 * first touch, a write, fallocate()) fail as if the pool were full.
 */
void __init pnuma_alloc_debugfs(struct dentry *dir)
{
	fault_create_debugfs_attr("fail_touch", dir, &pnuma_fail_touch);
}

/* Pages found holding a logical page a newer page holds too. */
struct pnuma_stale {
	struct pnuma_member *m;
	u64 ppn;
};

/**
 * struct pnuma_stale_set - what building the map settles once it is built
 * @v: the pages
 * @nr: how many
 * @size: room in @v
 * @settled: the logical pages settled, each once at most
 * @suspect: logical pages that damaged metadata entries still name (a
 *	read-only assembly only)
 * @first_lpn: the first one settled, for the log
 * @first_gen: the older generation of it
 */
struct pnuma_stale_set {
	struct pnuma_stale *v;
	size_t nr, size;
	struct xarray settled;
	struct xarray suspect;
	u64 first_lpn;
	u32 first_gen;
};

static int pnuma_stale_add(struct pnuma_stale_set *set,
			   struct pnuma_member *m, u64 ppn)
{
	if (set->nr == set->size) {
		size_t size = set->size ? 2 * set->size : 16;
		struct pnuma_stale *v;

		v = kvrealloc(set->v, size * sizeof(*v), GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		set->v = v;
		set->size = size;
	}
	set->v[set->nr++] = (struct pnuma_stale){ .m = m, .ppn = ppn };
	return 0;
}

static int pnuma_meta_gen(struct pnuma_member *m, u64 ppn, u64 logical_pages,
			  u64 *lpn, u32 *gen, const char **bad)
{
	int id = dax_read_lock(), err = -ENXIO;

	*bad = "device gone";
	if (dax_alive(m->dax_dev))
		err = pnuma_meta_get(&m->media, ppn, logical_pages, lpn, gen,
				     bad);
	dax_read_unlock(id);
	return err;
}

/*
 * Read data page @ppn of @m into @buf. Return 0, -EIO on a media error
 * (poison, or a range the driver knows is bad), -ENXIO if the device is
 * gone.
 */
static int pnuma_data_read(struct pnuma_member *m, u64 ppn, void *buf)
{
	int id = dax_read_lock(), err = 0;

	if (!dax_alive(m->dax_dev))
		err = -ENXIO;
	else if (pnuma_page_bad(m, ppn) ||
		 copy_mc_to_kernel(buf, pnuma_data_addr(m, ppn), PAGE_SIZE))
		err = -EIO;
	dax_read_unlock(id);
	return err;
}

/*
 * Which of two copies of a logical page to keep: the newer, unless it
 * cannot be read and the older can; -EUCLEAN if both can be read and
 * differ, which no lost record explains. Return 1 to keep the newer, 0
 * the older.
 */
static int pnuma_map_pick(struct pnuma_member *old, u64 old_ppn,
			  struct pnuma_member *new, u64 new_ppn)
{
	void *a, *b;
	int err_old, err_new, ret;

	a = kmalloc(PAGE_SIZE, GFP_KERNEL);
	b = kmalloc(PAGE_SIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!a || !b)
		goto out;
	err_old = pnuma_data_read(old, old_ppn, a);
	err_new = pnuma_data_read(new, new_ppn, b);
	ret = -ENXIO;
	if (err_old == -ENXIO || err_new == -ENXIO)
		goto out;
	if (err_new && !err_old)
		ret = 0;
	else if (err_new || err_old)
		ret = 1;	/* neither, or only the newer, reads: the newer */
	else
		ret = memcmp(a, b, PAGE_SIZE) ? -EUCLEAN : 1;
out:
	kfree(a);
	kfree(b);
	return ret;
}

/*
 * Logical page @lpn is held by @dup's page @dup_ppn, already in the map,
 * and by @m's page @ppn at generation @gen. A move's apply claims the
 * destination, on another member, at the next generation, after the
 * commit (so after the copy was durable), and then frees the source: a
 * committed move whose journal record was lost leaves exactly that. It is
 * settled only when recovery found such a record damaged, once per
 * logical page, and the two copies must be the same: nothing writes the
 * page between the copy and the retirement of the record. The newer copy
 * is kept (the older if the newer cannot be read). Anything else is
 * refused.
 */
static int pnuma_map_settle(struct pnuma_pool *pool, u64 lpn, u32 gen,
			    struct pnuma_member *m, u64 ppn,
			    struct pnuma_member *dup, u64 dup_ppn,
			    struct pnuma_stale_set *stale)
{
	const char *bad, *why = NULL;
	bool newer_is_m;
	u64 dup_lpn;
	int err, keep = 1;
	u32 dup_gen;

	err = pnuma_meta_gen(dup, dup_ppn, pool->logical_pages, &dup_lpn,
			     &dup_gen, &bad);
	if (err)
		return err;
	newer_is_m = gen == dup_gen + 1;
	if (!pool->recovery.damaged)
		why = "no journal record was lost";
	else if (m == dup)
		why = "both on one member";
	else if (!newer_is_m && dup_gen != gen + 1)
		why = "generations not consecutive";
	else if (xa_load(&stale->settled, lpn))
		why = "held more than twice";
	if (!why) {
		keep = newer_is_m ? pnuma_map_pick(dup, dup_ppn, m, ppn) :
				    pnuma_map_pick(m, ppn, dup, dup_ppn);
		if (keep == -EUCLEAN)
			why = "the two copies differ";
		else if (keep < 0)
			return keep;
	}
	if (why) {
		pr_err("pool %pUb not assembled: logical page %llu is held by %s page %llu (generation %u) and %s page %llu (generation %u): %s%s\n",
		       pool->uuid, lpn, dup->name, dup_ppn, dup_gen, m->name,
		       ppn, gen, why, PNUMA_RO_HINT);
		return -EUCLEAN;
	}
	err = xa_err(xa_store(&stale->settled, lpn, xa_mk_value(1),
			      GFP_KERNEL));
	if (err)
		return err;
	if (!stale->nr) {
		stale->first_lpn = lpn;
		stale->first_gen = newer_is_m ? dup_gen : gen;
	}
	/* Keep @m's page if it is the one to keep (keep: the newer one). */
	if (newer_is_m != !!keep)
		return pnuma_stale_add(stale, m, ppn);
	err = pnuma_stale_add(stale, dup, dup_ppn);
	if (err)
		return err;
	return xa_err(xa_store(&pool->map, lpn, pnuma_map_entry(m, ppn),
			       GFP_KERNEL));
}

/*
 * A read-only assembly writes nothing, so it settles what a normal one
 * refuses in DRAM alone, and never by guessing. A logical page held by
 * two members at consecutive generations is read from the copy
 * pnuma_map_pick() keeps (a move whose committed record was lost, did not
 * fit, or was never replayed: the newer copy, complete since the commit
 * came after the copy, unless only the older can be read), provided both
 * hold the same bytes. Any other pair (on one member, other generations,
 * copies that differ, an entry that cannot be read again), and any third
 * holder, leaves the logical page unreadable (%PNUMA_MAP_UNREADABLE): its
 * reads fail rather than return either copy.
 */
static int pnuma_map_settle_ro(struct pnuma_pool *pool, u64 lpn, u32 gen,
			       struct pnuma_member *m, u64 ppn, void *entry,
			       struct pnuma_stale_set *stale)
{
	const char *bad, *why = NULL;
	struct pnuma_member *dup;
	u64 dup_lpn, dup_ppn;
	bool third = false;
	u32 dup_gen = 0;
	int keep, err;

	if (entry == PNUMA_MAP_UNREADABLE)
		return 0;
	pnuma_page_lookup(pool, lpn, &dup, &dup_ppn);
	keep = pnuma_meta_gen(dup, dup_ppn, pool->logical_pages, &dup_lpn,
			      &dup_gen, &bad);
	if (keep == -ENXIO)
		return keep;
	third = xa_load(&stale->settled, lpn);
	if (keep)
		why = bad;
	else if (third)
		why = "held more than twice";
	else if (m == dup)
		why = "both on one member";
	else if (gen != dup_gen + 1 && dup_gen != gen + 1)
		why = "generations not consecutive";
	if (!why) {
		keep = gen > dup_gen ? pnuma_map_pick(dup, dup_ppn, m, ppn) :
				       pnuma_map_pick(m, ppn, dup, dup_ppn);
		if (keep == -EUCLEAN)
			why = "the two copies differ";
		else if (keep < 0)
			return keep;
	}
	err = xa_err(xa_store(&stale->settled, lpn, xa_mk_value(1),
			      GFP_KERNEL));
	if (err)
		return err;
	if (why) {
		if (third)	/* its first pair is settled no more */
			pool->rescue.settled--;
		if (!pool->rescue.ambiguous++)
			pr_warn("pool %pUb: logical page %llu is held by %s page %llu (generation %u) and %s page %llu (generation %u): %s; reads of it fail\n",
				pool->uuid, lpn, dup->name, dup_ppn, dup_gen,
				m->name, ppn, gen, why);
		entry = PNUMA_MAP_UNREADABLE;
	} else {
		bool newer_is_m = gen > dup_gen;

		pool->rescue.settled++;
		/* pnuma_map_pick() said 1 for the newer copy. */
		if (newer_is_m != !!keep)
			return 0;
		entry = pnuma_map_entry(m, ppn);
	}
	return xa_err(xa_store(&pool->map, lpn, entry, GFP_KERNEL));
}

/* A logical page named by several damaged entries. */
#define PNUMA_SUSPECT_MANY	xa_mk_value(LONG_MAX)

/*
 * The metadata entry of @m's data page @ppn cannot be used: a normal
 * assembly refuses the pool; a read-only one counts the page and goes on
 * without it. If the entry's owner word still has a used bit (a used
 * entry keeps one through any single flipped bit) and names a logical
 * page, the page is noted in @stale->suspect for pnuma_map_suspects().
 */
static int pnuma_meta_damaged(struct pnuma_pool *pool, struct pnuma_member *m,
			      u64 ppn, int err, const char *bad,
			      struct pnuma_stale_set *stale)
{
	struct pnuma_meta meta;
	u64 owner;
	int id;

	if (!pool->read_only || err == -ENXIO) {
		pr_err("pool %pUb not assembled: %s: metadata of page %llu: %s%s\n",
		       pool->uuid, m->name, ppn, bad,
		       err == -ENXIO ? "" : PNUMA_RO_HINT);
		return err;
	}
	if (!pool->rescue.meta_damaged++)
		pr_warn("pool %pUb: %s: metadata of page %llu: %s; the page is left out\n",
			pool->uuid, m->name, ppn, bad);
	id = dax_read_lock();
	err = -ENXIO;
	if (dax_alive(m->dax_dev))
		err = pnuma_pm_read(&meta, pnuma_media_meta(&m->media, ppn),
				    sizeof(meta));
	dax_read_unlock(id);
	if (err)
		return err == -ENXIO ? err : 0;
	owner = le64_to_cpu(meta.owner);
	if (!(owner & PNUMA_OWNER_USED) ||
	    (owner & PNUMA_OWNER_LPN_MASK) >= pool->logical_pages)
		return 0;
	owner &= PNUMA_OWNER_LPN_MASK;
	return xa_err(xa_store(&stale->suspect, owner,
			       xa_load(&stale->suspect, owner) ?
			       PNUMA_SUSPECT_MANY : pnuma_map_entry(m, ppn),
			       GFP_KERNEL));
}

/*
 * Do data page @ppn of @m and the page holding logical page @lpn hold the
 * same bytes, on two members? 1 if so, 0 if not (or if either cannot be
 * read), or a negative errno.
 */
static int pnuma_suspect_agrees(struct pnuma_pool *pool, u64 lpn,
				struct pnuma_member *m, u64 ppn)
{
	struct pnuma_member *hm;
	void *a = NULL, *b = NULL;
	int ret = 0;
	u64 hppn;

	pnuma_page_lookup(pool, lpn, &hm, &hppn);
	if (hm == m)
		return 0;
	a = kmalloc(PAGE_SIZE, GFP_KERNEL);
	b = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}
	ret = pnuma_data_read(m, ppn, a) ?: pnuma_data_read(hm, hppn, b);
	if (ret == -EIO)
		ret = 0;
	else if (!ret)
		ret = !memcmp(a, b, PAGE_SIZE);
out:
	kfree(a);
	kfree(b);
	return ret;
}

/*
 * After every entry was read: a logical page that damaged entries name is
 * unreadable, unless exactly one damaged entry names it and one intact
 * page of another member holds it with the same bytes (a move's two
 * copies): then it reads from the intact page.
 */
static int pnuma_map_suspects(struct pnuma_pool *pool,
			      struct pnuma_stale_set *stale)
{
	struct pnuma_member *m;
	unsigned long lpn;
	void *v, *entry;
	int ret;
	u64 ppn;

	xa_for_each(&stale->suspect, lpn, v) {
		entry = xa_load(&pool->map, lpn);
		if (entry == PNUMA_MAP_UNREADABLE)
			continue;
		if (entry && v != PNUMA_SUSPECT_MANY &&
		    !xa_load(&stale->settled, lpn)) {
			m = pool->members[xa_to_value(v) & PNUMA_MAP_MEMBER_MASK];
			ppn = xa_to_value(v) >> PNUMA_MAP_MEMBER_BITS;
			ret = pnuma_suspect_agrees(pool, lpn, m, ppn);
			if (ret < 0)
				return ret;
			if (ret)
				continue;
		}
		ret = xa_err(xa_store(&pool->map, lpn, PNUMA_MAP_UNREADABLE,
				      GFP_KERNEL));
		if (ret)
			return ret;
		pool->rescue.meta_unreadable++;
	}
	return 0;
}

/* Read one member's page metadata into the map and its bitmap. */
static int pnuma_member_load(struct pnuma_pool *pool, struct pnuma_member *m,
			     struct pnuma_stale_set *stale)
{
	u64 ppn, lpn, dup_ppn;
	struct pnuma_member *dup;
	const char *bad;
	void *entry;
	int err;
	u32 gen;

	for (ppn = 0; ppn < m->media.sb.geo.data_pages; ppn++) {
		err = pnuma_meta_gen(m, ppn, pool->logical_pages, &lpn, &gen,
				     &bad);
		if (err) {
			err = pnuma_meta_damaged(pool, m, ppn, err, bad, stale);
			if (err)
				return err;
			continue;
		}
		if (lpn == PNUMA_LPN_FREE)
			continue;
		entry = xa_load(&pool->map, lpn);
		if (!entry)
			err = xa_err(xa_store(&pool->map, lpn,
					      pnuma_map_entry(m, ppn),
					      GFP_KERNEL));
		else if (pool->read_only)
			err = pnuma_map_settle_ro(pool, lpn, gen, m, ppn, entry,
						  stale);
		else
			err = pnuma_page_lookup(pool, lpn, &dup, &dup_ppn) ?:
			      pnuma_map_settle(pool, lpn, gen, m, ppn, dup,
					       dup_ppn, stale);
		if (err)
			return err;
		__set_bit(ppn, m->used);
		m->nr_used++;
		if (!(ppn % 4096))
			cond_resched();
	}
	return 0;
}

/* Free the stale pages, now that every member's metadata has been read. */
static int pnuma_stale_free(struct pnuma_pool *pool,
			    struct pnuma_stale_set *stale)
{
	size_t i;
	int id;

	id = dax_read_lock();
	for (i = 0; i < stale->nr; i++) {
		struct pnuma_stale *s = &stale->v[i];

		if (!dax_alive(s->m->dax_dev)) {
			dax_read_unlock(id);
			return -ENXIO;
		}
		pnuma_meta_free(&s->m->media, s->ppn);
		__clear_bit(s->ppn, s->m->used);
		s->m->nr_used--;
	}
	pnuma_pm_fence();
	dax_read_unlock(id);
	pr_warn("pool %pUb: %zu logical pages were held twice, at consecutive generations (first: page %llu, generation %u and %u): moves whose journal record was lost; one copy of each kept (the newer, unless it could not be read), the other freed\n",
		pool->uuid, stale->nr, stale->first_lpn, stale->first_gen,
		stale->first_gen + 1);
	return 0;
}

/**
 * pnuma_map_build() - build a pool's page map from its members' metadata
 * @pool: the pool, its members claimed, its journals recovered
 *
 * Every used entry must be intact and every logical page held once, but
 * for the pages a lost committed journal record left held twice
 * (pnuma_map_settle()): one copy is kept and the other freed, once every
 * entry has been read (nothing is written if the map is refused). A
 * read-only pool writes nothing and refuses nothing the media can still
 * tell: damaged entries are left out (pnuma_meta_damaged(),
 * pnuma_map_suspects()) and pages held twice settled in DRAM
 * (pnuma_map_settle_ro()).
 *
 * Return: 0, or -EUCLEAN (with a log line naming the member and the page)
 * if the metadata is corrupt, or another negative errno.
 */
int pnuma_map_build(struct pnuma_pool *pool)
{
	struct pnuma_stale_set stale = {};
	unsigned int i;
	int err = 0;

	xa_init(&stale.settled);
	xa_init(&stale.suspect);
	for (i = 0; i < pool->nr_members && !err; i++)
		err = pnuma_member_load(pool, pool->members[i], &stale);
	if (!err && stale.nr)
		err = pnuma_stale_free(pool, &stale);
	if (!err)
		err = pnuma_map_suspects(pool, &stale);
	if (!err && pool->rescue.meta_damaged)
		pr_warn("pool %pUb: %lu data pages left out for damaged metadata entries; %lu logical pages they named read as unreadable (EIO, SIGBUS), any others they held (unknown) as holes\n",
			pool->uuid, pool->rescue.meta_damaged,
			pool->rescue.meta_unreadable);
	if (!err && pool->rescue.settled)
		pr_warn("pool %pUb: %lu logical pages held twice at consecutive generations, as a move leaves them: read from the copy it keeps\n",
			pool->uuid, pool->rescue.settled);
	if (!err && pool->rescue.ambiguous)
		pr_warn("pool %pUb: %lu logical pages held twice in a way no move explains: reads of them fail (EIO, SIGBUS)\n",
			pool->uuid, pool->rescue.ambiguous);
	xa_destroy(&stale.suspect);
	xa_destroy(&stale.settled);
	kvfree(stale.v);
	if (err && err != -EUCLEAN)
		pr_err("pool %pUb not assembled: building its page map: %pe\n",
		       pool->uuid, ERR_PTR(err));
	return err;
}
