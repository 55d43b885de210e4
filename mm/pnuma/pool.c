// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma pools: formatting a new pool over fsdax namespaces, assembling an
 * existing one from its members, stopping it, and the members'
 * clean-shutdown word. Finding the members of existing pools is scan.c's
 * job; the page map is alloc.c's.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/pnuma.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>
#include <linux/vmstat.h>

#include "internal.h"
#include "pm.h"

/* Serialises creating, assembling and stopping pools; protects pnuma_pools. */
DEFINE_MUTEX(pnuma_pools_lock);
DEFINE_XARRAY_ALLOC(pnuma_pools);
/* On while a pool is published: pnuma_move_pages_queue() looks for it. */
DEFINE_STATIC_KEY_FALSE(pnuma_pools_key);

#define PNUMA_OPEN_MODE	(BLK_OPEN_READ | BLK_OPEN_WRITE | BLK_OPEN_RESTRICT_WRITES)
/*
 * A read-only pool's members: not opened for writing; other writers are
 * refused too where the block layer enforces it (bdev_allow_write_mounted
 * off). pnuma's own mapping stays writable: read-only is pnuma's
 * discipline, not the hardware's.
 */
#define PNUMA_OPEN_MODE_RO	(BLK_OPEN_READ | BLK_OPEN_RESTRICT_WRITES)
/* How much of a device pnuma_foreign_signature() looks at. */
#define PNUMA_SIGNATURE_BYTES	(17 * PNUMA_PAGE_SIZE)

/*
 * Member @m is going away: the pool dies. Once this returns no page of it
 * is mapped, faults, read(2) and write(2) fail, and no move starts; moves
 * already copying finish inside the DAX read lock that the member's
 * removal waits for. The media stays as it is, and the next assembly
 * recovers it like after a power cut.
 */
static void pnuma_pool_kill(struct pnuma_pool *pool, struct pnuma_member *m)
{
	if (pnuma_dev_kill(pool))
		pr_err("%s: member %s (node %d) is going away: the pool is dead; stop it, bring the member back and assemble the pool again\n",
		       pool->name, m->name, m->node);
}

/*
 * A member's block device is going away (namespace disabled, device
 * unbound). Called with bdev->bd_holder_lock held, which it must drop.
 * The pmem driver's DAX device died just before (kill_dax(), which told
 * pnuma_dax_notify_failure() first): this is for the devices that have no
 * DAX holder notification.
 */
static void pnuma_bdev_mark_dead(struct block_device *bdev, bool surprise)
{
	struct pnuma_member *m = bdev->bd_holder;
	struct pnuma_pool *pool = m->pool;

	kobject_get(&pool->kobj);
	mutex_unlock(&bdev->bd_holder_lock);
	pnuma_pool_kill(pool, m);
	kobject_put(&pool->kobj);
}

static const struct blk_holder_ops pnuma_holder_ops = {
	.mark_dead = pnuma_bdev_mark_dead,
};

/* Is @m a member of a pool still published? Compares pointers only. */
static struct pnuma_pool *pnuma_member_pool(const struct pnuma_member *m)
{
	struct pnuma_pool *pool;
	unsigned long id;
	unsigned int i;

	lockdep_assert_held(&pnuma_pools_lock);
	xa_for_each(&pnuma_pools, id, pool)
		for (i = 0; i < pool->nr_members; i++)
			if (pool->members[i] == m)
				return pool;
	return NULL;
}

/*
 * The DAX device of a member reports a failure. MF_MEM_PRE_REMOVE: the
 * device is about to go (driver unbound, namespace disabled), its memory
 * still mapped and its memmap still there; kill the pool now, so that
 * nothing maps or moves its pages once the memory is gone. Other failures
 * (poisoned ranges) are left to memory_failure()'s generic handling.
 *
 * Called inside dax_read_lock(). The holder may be a member being closed
 * concurrently (fs_put_dax() does not wait for notifiers), so it is read
 * under pnuma_pools_lock and only used once found among the members of
 * the published pools, holding this very DAX device.
 */
static int pnuma_dax_notify_failure(struct dax_device *dax_dev, u64 offset,
				    u64 len, int mf_flags)
{
	struct pnuma_member *m;
	struct pnuma_pool *pool;

	if (!(mf_flags & MF_MEM_PRE_REMOVE))
		return -EOPNOTSUPP;

	guard(mutex)(&pnuma_pools_lock);
	m = dax_holder(dax_dev);
	pool = pnuma_member_pool(m);
	if (!pool || m->dax_dev != dax_dev)
		return -ENXIO;
	pnuma_pool_kill(pool, m);
	return 0;
}

static const struct dax_holder_operations pnuma_dax_holder_ops = {
	.notify_failure = pnuma_dax_notify_failure,
};

/*
 * Claim the block and DAX devices of @devt (@what) for @m and map them,
 * for reading only if @read_only.
 */
static int pnuma_member_open(struct pnuma_member *m, dev_t devt,
			     const char *what, bool read_only)
{
	struct block_device *bdev;
	u64 start_off;
	void *kaddr;
	pfn_t pfn;
	long nr;
	int id;

	m->bdev_file = bdev_file_open_by_dev(devt, read_only ?
					     PNUMA_OPEN_MODE_RO : PNUMA_OPEN_MODE,
					     m, &pnuma_holder_ops);
	if (IS_ERR(m->bdev_file)) {
		int err = PTR_ERR(m->bdev_file);

		m->bdev_file = NULL;
		pr_warn("%s: cannot claim the device (%pe): mounted or held by someone else?\n",
			what, ERR_PTR(err));
		return err;
	}
	bdev = file_bdev(m->bdev_file);
	snprintf(m->name, sizeof(m->name), "%pg", bdev);
	m->node = bdev->bd_disk->node_id;
	m->dev_pages = bdev_nr_bytes(bdev) >> PNUMA_PAGE_SHIFT;
	m->bb = bdev->bd_disk->bb;

	if (!blk_queue_dax(bdev->bd_disk->queue)) {
		pr_err("%s: not a DAX-capable device: create an fsdax namespace with ndctl\n",
		       m->name);
		return -ENODEV;
	}
	m->dax_dev = fs_dax_get_by_bdev(bdev, &start_off, m,
					&pnuma_dax_holder_ops);
	if (!m->dax_dev) {
		pr_err("%s: its DAX device is held by someone else\n", m->name);
		return -EBUSY;
	}

	id = dax_read_lock();
	nr = dax_direct_access(m->dax_dev, 0, 1, DAX_ACCESS, &kaddr, &pfn);
	dax_read_unlock(id);
	if (nr < 1) {
		pr_err("%s: cannot map the device (%pe)\n", m->name,
		       ERR_PTR(nr < 0 ? nr : -EIO));
		return nr < 0 ? nr : -EIO;
	}
	if (!pfn_t_devmap(pfn)) {
		pr_err("%s: the device has no struct pages: create the namespace with 'ndctl create-namespace -m fsdax -M dev'\n",
		       m->name);
		return -EOPNOTSUPP;
	}
	m->media.base = kaddr;
	m->base_pfn = pfn_t_to_pfn(pfn);
	return 0;
}

static void pnuma_member_close(struct pnuma_member *m)
{
	if (m->dax_dev)
		fs_put_dax(m->dax_dev, m);
	if (m->bdev_file)
		bdev_fput(m->bdev_file);
	m->dax_dev = NULL;
	m->bdev_file = NULL;
}

/**
 * pnuma_member_set_state() - write a member's clean-shutdown word
 * @m: the member
 * @state: %PNUMA_STATE_CLEAN or %PNUMA_STATE_DIRTY
 *
 * Flushed; durable after the caller's next fence.
 */
void pnuma_member_set_state(struct pnuma_member *m, u64 state)
{
	__le64 *word = m->media.base + PNUMA_STATE_OFFSET;
	int id = dax_read_lock();

	if (dax_alive(m->dax_dev)) {
		pnuma_pm_store64(word, state);
		pnuma_pm_flush(word, sizeof(*word));
	}
	dax_read_unlock(id);
}

static struct pnuma_pool *pnuma_pool_alloc(unsigned int nr)
{
	struct pnuma_pool *pool;
	unsigned int i;

	pool = kzalloc(struct_size(pool, members, nr), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->nr_members = nr;
	kobject_init(&pool->kobj, &pnuma_pool_ktype);
	spin_lock_init(&pool->lock);
	mutex_init(&pool->alloc_lock);
	xa_init(&pool->map);
	init_rwsem(&pool->fault_lock);
	mutex_init(&pool->exchange_lock);
	init_waitqueue_head(&pool->migrate_wq);
	pnuma_numa_init(pool);
	pool->state = PNUMA_POOL_SETUP;
	pool->id = -1;

	for (i = 0; i < nr; i++) {
		struct pnuma_member *m = kzalloc(sizeof(*m), GFP_KERNEL);

		if (!m) {
			kobject_put(&pool->kobj);
			return NULL;
		}
		kobject_init(&m->kobj, &pnuma_member_ktype);
		m->pool = pool;
		m->node = NUMA_NO_NODE;
		spin_lock_init(&m->rate_lock);
		pool->members[i] = m;
	}
	return pool;
}

/* Release the devices of a pool that is not (or no longer) published. */
static void pnuma_pool_put(struct pnuma_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		pnuma_member_close(pool->members[i]);
	kobject_put(&pool->kobj);
}

/* The DRAM state of a member whose layout is known: bitmap, journal ring. */
static int pnuma_member_setup(struct pnuma_member *m)
{
	m->used = kvcalloc(BITS_TO_LONGS(m->media.sb.geo.data_pages),
			   sizeof(unsigned long), GFP_KERNEL);
	if (!m->used)
		return -ENOMEM;
	pnuma_jring_init(&m->ring, pnuma_journal_slots(&m->media));
	return 0;
}

/*
 * Read @len bytes at @off of a member's device into @buf, stopping at
 * poison instead of taking a machine check.
 */
static int pnuma_member_read(struct pnuma_member *m, u64 off, void *buf,
			     size_t len)
{
	int id, err = 0;

	id = dax_read_lock();
	if (!dax_alive(m->dax_dev))
		err = -ENXIO;
	else if (copy_mc_to_kernel(buf, m->media.base + off, len))
		err = -EIO;
	dax_read_unlock(id);
	return err;
}

/*
 * The owner and mode of the pool's pnumafs file: the newest valid slot on
 * any member. A member whose slots cannot be read is passed over: they
 * are a convenience, never a reason to refuse a pool.
 */
static void pnuma_pool_read_attr(struct pnuma_pool *pool)
{
	struct pnuma_attr slots[PNUMA_ATTR_SLOTS];
	struct pnuma_attr_info attr = { .mode = 0600 };
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];

		if (pnuma_member_read(m, PNUMA_ATTR_OFFSET, slots, sizeof(slots)))
			pr_warn("%s: owner and mode of the pool file unreadable\n",
				m->name);
		else
			pnuma_attr_pick(slots, pool->uuid, &attr);
	}
	pool->attr = attr;
}

/**
 * pnuma_pool_set_attr() - persist the owner and mode of the pool file
 * @pool: the pool
 * @attr: the new attributes; @attr->seq is ignored
 *
 * Written to the slot not holding the current attributes on every
 * member, flushed, fenced: a crash leaves each member with the old or the
 * new ones, and the newest on any member wins at assembly. Nothing is
 * written unless every member can take it.
 *
 * Return: 0, -EROFS for a read-only pool, -ENODEV for one being stopped,
 * or -EIO if it is dead, a member is gone or its page 0 is a known bad
 * block.
 */
int pnuma_pool_set_attr(struct pnuma_pool *pool,
			const struct pnuma_attr_info *attr)
{
	struct pnuma_attr_info new = *attr;
	struct pnuma_attr slot;
	unsigned int i;
	int id, err = 0;

	if (pool->read_only)
		return -EROFS;
	guard(mutex)(&pool->alloc_lock);
	/*
	 * The file of a pool being stopped (an O_PATH file, a bind mount)
	 * outlives its members: stop closes them after it took this lock.
	 */
	if (READ_ONCE(pool->state) != PNUMA_POOL_ACTIVE)
		return READ_ONCE(pool->state) == PNUMA_POOL_DEAD ? -EIO : -ENODEV;
	new.seq = pool->attr.seq + 1;
	pnuma_attr_encode(&new, pool->uuid, &slot);
	id = dax_read_lock();
	for (i = 0; i < pool->nr_members && !err; i++)
		if (!dax_alive(pool->members[i]->dax_dev) ||
		    pnuma_member_page_bad(pool->members[i], 0))
			err = -EIO;
	for (i = 0; i < pool->nr_members && !err; i++) {
		struct pnuma_attr *slots = pool->members[i]->media.base +
					   PNUMA_ATTR_OFFSET;

		pnuma_pm_memcpy(&slots[new.seq % PNUMA_ATTR_SLOTS], &slot,
				sizeof(slot));
	}
	pnuma_pm_fence();
	dax_read_unlock(id);
	if (!err)
		pool->attr = new;
	return err;
}

/**
 * pnuma_pool_used_pages() - data pages in use in a pool
 * @pool: the pool
 *
 * Return: the sum of its members' pages in use, a snapshot.
 */
u64 pnuma_pool_used_pages(struct pnuma_pool *pool)
{
	unsigned int i;
	u64 used = 0;

	for (i = 0; i < pool->nr_members; i++)
		used += READ_ONCE(pool->members[i]->nr_used);
	return used;
}

/*
 * The free pages each member keeps for moves: what the members have beyond
 * the logical capacity, shared evenly, at most %PNUMA_RESERVE_PAGES. A
 * pool whose logical capacity takes every data page has none, and moves
 * nothing once it is fully allocated.
 */
static void pnuma_pool_set_reserve(struct pnuma_pool *pool)
{
	u64 data_pages = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		data_pages += pool->members[i]->media.sb.geo.data_pages;
	pool->reserve_pages = data_pages <= pool->logical_pages ? 0 :
		min_t(u64, PNUMA_RESERVE_PAGES,
		      (data_pages - pool->logical_pages) / pool->nr_members);
}

/* Give the pool an id and a name, then /dev/pnumaN and its sysfs files. */
static int pnuma_pool_publish(struct pnuma_pool *pool)
{
	u32 id;
	int err;

	lockdep_assert_held(&pnuma_pools_lock);
	err = xa_alloc(&pnuma_pools, &id, pool, XA_LIMIT(0, 9999), GFP_KERNEL);
	if (err)
		return err;
	pool->id = id;
	snprintf(pool->name, sizeof(pool->name), "pnuma%u", id);
	pnuma_pool_read_attr(pool);
	pnuma_pool_set_reserve(pool);
	if (!pool->read_only)
		pnuma_numa_setup(pool);

	/* On before /dev/pnumaN can be mapped: see pnuma_move_pages_queue(). */
	static_branch_inc(&pnuma_pools_key);
	err = pnuma_dev_add(pool);
	if (err)
		goto err_key;
	err = pnuma_sysfs_add_pool(pool);
	if (err)
		goto err_dev;
	/* A member that went away during the setup left the pool dead. */
	spin_lock(&pool->lock);
	if (pool->state == PNUMA_POOL_SETUP)
		pool->state = PNUMA_POOL_ACTIVE;
	spin_unlock(&pool->lock);
	return 0;

err_dev:
	pnuma_dev_del(pool);
err_key:
	static_branch_dec(&pnuma_pools_key);
	xa_erase(&pnuma_pools, id);
	pool->id = -1;
	return err;
}

static void pnuma_pool_unpublish(struct pnuma_pool *pool)
{
	lockdep_assert_held(&pnuma_pools_lock);
	pnuma_sysfs_del_pool(pool);
	pnuma_dev_del(pool);
	static_branch_dec(&pnuma_pools_key);
	xa_erase(&pnuma_pools, pool->id);
}

/**
 * pnuma_devt_in_pool() - is a block device a member of an assembled pool?
 * @devt: the block device
 *
 * Context: pnuma_pools_lock held.
 * Return: true if it is.
 */
bool pnuma_devt_in_pool(dev_t devt)
{
	struct pnuma_pool *pool;
	unsigned long id;
	unsigned int i;

	lockdep_assert_held(&pnuma_pools_lock);
	xa_for_each(&pnuma_pools, id, pool) {
		for (i = 0; i < pool->nr_members; i++) {
			struct file *f = pool->members[i]->bdev_file;

			if (f && file_bdev(f)->bd_dev == devt)
				return true;
		}
	}
	return false;
}

/**
 * pnuma_pool_find_uuid() - the assembled pool with a given UUID
 * @uuid: the pool UUID
 *
 * Context: pnuma_pools_lock held.
 * Return: the pool, or NULL.
 */
struct pnuma_pool *pnuma_pool_find_uuid(const u8 *uuid)
{
	struct pnuma_pool *pool;
	unsigned long id;

	lockdep_assert_held(&pnuma_pools_lock);
	xa_for_each(&pnuma_pools, id, pool)
		if (!memcmp(pool->uuid, uuid, sizeof(pool->uuid)))
			return pool;
	return NULL;
}

/* Refuse to format over a pnuma or other recognisable superblock. */
static int pnuma_member_check_blank(struct pnuma_member *m, bool force)
{
	u64 len = min_t(u64, PNUMA_SIGNATURE_BYTES, m->dev_pages << PNUMA_PAGE_SHIFT);
	struct pnuma_sb backup;
	const char *what;
	u8 *buf;
	int err;

	buf = kvmalloc(PNUMA_SIGNATURE_BYTES, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	err = pnuma_member_read(m, 0, buf, len);
	if (!err)
		err = pnuma_member_read(m, (m->dev_pages - 1) << PNUMA_PAGE_SHIFT,
					&backup, sizeof(backup));
	if (err) {
		pr_warn("create: %s: cannot read the device (%pe)\n", m->name,
			ERR_PTR(err));
		goto out;
	}

	if (le64_to_cpu(((struct pnuma_sb *)buf)->magic) == PNUMA_SB_MAGIC ||
	    le64_to_cpu(backup.magic) == PNUMA_SB_MAGIC)
		what = "a pnuma superblock";
	else
		what = pnuma_foreign_signature(buf, len);
	if (what && !force) {
		pr_warn("create: %s holds %s; write 'force' with the devices to overwrite it\n",
			m->name, what);
		err = -EEXIST;
	} else if (what) {
		pr_warn("create: %s: overwriting %s (force)\n", m->name, what);
	}
out:
	kvfree(buf);
	return err;
}

/* Zero @nr pages of a member from page @start, a chunk at a time. */
static void pnuma_member_zero(struct pnuma_member *m, u64 start, u64 nr)
{
	while (nr) {
		u64 chunk = min_t(u64, nr, 512);

		pnuma_pm_zero(m->media.base + (start << PNUMA_PAGE_SHIFT),
			      chunk << PNUMA_PAGE_SHIFT);
		start += chunk;
		nr -= chunk;
		cond_resched();
	}
}

/*
 * Format every member of a new pool. The superblocks are written last, so
 * that a crash half-way leaves members without a superblock, which
 * assembly reports as missing, never a pool with stale metadata.
 */
static int pnuma_pool_format(struct pnuma_pool *pool)
{
	struct pnuma_sb sb;
	unsigned int i;
	int id, err = 0;

	id = dax_read_lock();
	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		const struct pnuma_geometry *geo = &m->media.sb.geo;

		if (!dax_alive(m->dax_dev)) {
			err = -ENXIO;
			goto out;
		}
		pnuma_member_zero(m, 0, 1);
		pnuma_member_zero(m, geo->member_pages - 1, 1);
		pnuma_member_zero(m, geo->journal_start, geo->journal_pages);
		pnuma_member_zero(m, geo->meta_start, geo->meta_pages);
	}
	pnuma_pm_fence();

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		void *backup = m->media.base +
			((m->media.sb.geo.member_pages - 1) << PNUMA_PAGE_SHIFT);

		pnuma_sb_encode(&m->media.sb, &sb);
		pnuma_pm_memcpy(backup, &sb, sizeof(sb));
		pnuma_pm_memcpy(m->media.base, &sb, sizeof(sb));
		pnuma_pm_store64(m->media.base + PNUMA_STATE_OFFSET, PNUMA_STATE_DIRTY);
		pnuma_pm_flush(m->media.base + PNUMA_STATE_OFFSET, sizeof(u64));
	}
	pnuma_pm_fence();
out:
	dax_read_unlock(id);
	return err;
}

/* Open and check the devices of a new pool, and lay each one out. */
static int pnuma_create_members(struct pnuma_pool *pool, const dev_t *devts,
				const char * const *paths, bool force,
				u64 *data_pages)
{
	unsigned int i;
	int err;

	*data_pages = 0;
	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];

		err = pnuma_member_open(m, devts[i], paths[i], false);
		if (err)
			return err;
		err = pnuma_member_check_blank(m, force);
		if (err)
			return err;
		if (pnuma_geometry_compute(m->dev_pages, &m->media.sb.geo)) {
			pr_warn("create: %s is too small (%llu pages)\n",
				m->name, m->dev_pages);
			return -ENOSPC;
		}
		*data_pages += m->media.sb.geo.data_pages;
		err = pnuma_member_setup(m);
		if (err)
			return err;
	}
	return 0;
}

/* Look up the block devices named by @paths; no duplicates, none in use. */
static int pnuma_lookup_paths(const char * const *paths, unsigned int nr,
			      dev_t *devts)
{
	unsigned int i, j;
	int err;

	for (i = 0; i < nr; i++) {
		err = lookup_bdev(paths[i], &devts[i]);
		if (err) {
			pr_warn("create: %s: not a block device (%pe)\n",
				paths[i], ERR_PTR(err));
			return err;
		}
		for (j = 0; j < i; j++) {
			if (devts[j] == devts[i]) {
				pr_warn("create: %s is listed twice\n", paths[i]);
				return -EINVAL;
			}
		}
		if (pnuma_devt_in_pool(devts[i])) {
			pr_warn("create: %s is a member of an assembled pool\n",
				paths[i]);
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * pnuma_pool_create() - format a new pool and assemble it
 * @paths: paths of the fsdax pmem block devices, in member order
 * @nr: how many
 * @force: overwrite pnuma or other superblocks found on them
 * @logical_pages: logical capacity in pages; 0 for the sum of the
 *	members' data pages less %PNUMA_RESERVE_PAGES per member (the
 *	pages a fully allocated pool keeps free for moves)
 *
 * Return: 0 and a new /dev/pnumaN, or a negative errno with a kernel log
 * line saying why; nothing is written to any device unless every device
 * passed every check.
 */
int pnuma_pool_create(const char * const *paths, unsigned int nr, bool force,
		      u64 logical_pages)
{
	dev_t devts[PNUMA_MAX_MEMBERS];
	struct pnuma_pool *pool;
	u64 data_pages, now;
	unsigned int i;
	int err;

	if (!nr || nr > PNUMA_MAX_MEMBERS ||
	    logical_pages > PNUMA_MAX_LOGICAL_PAGES)
		return -EINVAL;

	guard(mutex)(&pnuma_pools_lock);
	err = pnuma_lookup_paths(paths, nr, devts);
	if (err)
		return err;
	pool = pnuma_pool_alloc(nr);
	if (!pool)
		return -ENOMEM;
	err = pnuma_create_members(pool, devts, paths, force, &data_pages);
	if (err)
		goto err_put;

	generate_random_uuid(pool->uuid);
	/* By default, room for moves once every logical page is allocated. */
	if (!logical_pages)
		logical_pages = data_pages > 2 * nr * PNUMA_RESERVE_PAGES ?
				data_pages - nr * PNUMA_RESERVE_PAGES : data_pages;
	pool->logical_pages = logical_pages;
	pool->clean_shutdown = true;
	now = ktime_get_real_ns();
	for (i = 0; i < nr; i++) {
		struct pnuma_member *m = pool->members[i];

		memcpy(m->media.sb.pool_uuid, pool->uuid, sizeof(pool->uuid));
		generate_random_uuid(m->media.sb.member_uuid);
		m->media.sb.member_index = i;
		m->media.sb.member_count = nr;
		m->media.sb.home_node = m->node == NUMA_NO_NODE ? PNUMA_NO_NODE : m->node;
		m->media.sb.pool_logical_pages = pool->logical_pages;
		m->media.sb.create_time = now;
	}

	err = pnuma_pool_format(pool);
	if (err)
		goto err_put;
	err = pnuma_pool_publish(pool);
	if (err)
		goto err_put;
	for (i = 0; i < nr; i++)
		pnuma_scan_forget(devts[i]);
	pr_info("%s: created pool %pUb: %u members, %llu data pages, %llu logical pages\n",
		pool->name, pool->uuid, nr, data_pages, pool->logical_pages);
	return 0;

err_put:
	pnuma_pool_put(pool);
	return err;
}

/*
 * Read both superblock copies of @m (@dev_pages long): the primary at page
 * 0, the backup at the member's last page as a valid primary says, or at
 * the device's last page. A copy that meets a media error is marked
 * unreadable.
 *
 * Return: 0, or a negative errno if the device is gone.
 */
static int pnuma_member_read_sbs(struct pnuma_member *m, u64 dev_pages,
				 struct pnuma_sb_pair *sbs)
{
	struct pnuma_sb_info info;
	int err;

	err = pnuma_member_read(m, 0, &sbs->primary, sizeof(sbs->primary));
	if (err && err != -EIO)
		return err;
	sbs->primary_ok = !err;
	sbs->backup_page = dev_pages - 1;
	if (sbs->primary_ok && !pnuma_sb_decode(&sbs->primary, &info) &&
	    info.geo.member_pages <= dev_pages)
		sbs->backup_page = info.geo.member_pages - 1;
	err = pnuma_member_read(m, sbs->backup_page << PNUMA_PAGE_SHIFT,
				&sbs->backup, sizeof(sbs->backup));
	if (err && err != -EIO)
		return err;
	sbs->backup_ok = !err;
	return 0;
}

/**
 * pnuma_sb_pair_choose() - the copy to trust of a pair read from a member
 * @sbs: the copies
 * @info: the content of the copy chosen
 * @damaged: NULL, or what is wrong with the other copy
 * @primary_damaged: @damaged is about the primary
 *
 * Return: NULL, or why the member cannot be used (pnuma_sb_choose()).
 */
const char *pnuma_sb_pair_choose(const struct pnuma_sb_pair *sbs,
				 struct pnuma_sb_info *info,
				 const char **damaged, bool *primary_damaged)
{
	return pnuma_sb_choose(sbs->primary_ok ? &sbs->primary : NULL,
			       sbs->backup_ok ? &sbs->backup : NULL,
			       sbs->backup_page, info, damaged,
			       primary_damaged);
}

/**
 * pnuma_sb_pair_rescue() - a copy a read-only assembly may trust
 * @sbs: the copies, of which pnuma_sb_pair_choose() trusted none
 * @info: the content of the copy chosen
 *
 * Return: NULL, or why even a read-only assembly cannot use the member
 * (pnuma_sb_rescue()).
 */
const char *pnuma_sb_pair_rescue(const struct pnuma_sb_pair *sbs,
				 struct pnuma_sb_info *info)
{
	return pnuma_sb_rescue(sbs->primary_ok ? &sbs->primary : NULL,
			       sbs->backup_ok ? &sbs->backup : NULL,
			       sbs->backup_page, info);
}

/**
 * pnuma_read_superblocks() - read a device's superblocks without claiming it
 * @devt: the block device
 * @sbs: its two superblock copies (pnuma_member_read_sbs())
 * @dev_pages: size of the device in pages
 * @name: its name (BDEVNAME_SIZE bytes)
 *
 * Return: 0, -ENODEV if it is not a DAX device, or another negative errno
 * if it could not be read (for instance because it is still being set up).
 */
int pnuma_read_superblocks(dev_t devt, struct pnuma_sb_pair *sbs,
			   u64 *dev_pages, char *name)
{
	struct pnuma_member m = { .node = NUMA_NO_NODE };
	struct block_device *bdev;
	struct file *file;
	u64 start_off;
	pfn_t pfn;
	int id, err = 0;
	long nr;

	file = bdev_file_open_by_dev(devt, BLK_OPEN_READ, NULL, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);
	bdev = file_bdev(file);
	snprintf(name, BDEVNAME_SIZE, "%pg", bdev);
	*dev_pages = bdev_nr_bytes(bdev) >> PNUMA_PAGE_SHIFT;
	m.dax_dev = fs_dax_get_by_bdev(bdev, &start_off, NULL, NULL);
	if (!m.dax_dev || *dev_pages < 2) {
		err = -ENODEV;
		goto out;
	}

	id = dax_read_lock();
	nr = dax_direct_access(m.dax_dev, 0, 1, DAX_ACCESS, &m.media.base, &pfn);
	dax_read_unlock(id);
	if (nr < 1) {
		err = nr < 0 ? nr : -EIO;
		goto out;
	}
	err = pnuma_member_read_sbs(&m, *dev_pages, sbs);
out:
	if (m.dax_dev)
		fs_put_dax(m.dax_dev, NULL);
	fput(file);
	return err;
}

/*
 * Read a member's superblock copies again, as the scan did, and trust the
 * one pnuma_sb_choose() picks. A damaged copy is logged and noted, to be
 * rewritten at the next clean stop.
 */
static int pnuma_member_sb(struct pnuma_member *m, bool read_only)
{
	struct pnuma_sb_pair *sbs;
	const char *bad;
	int err;

	sbs = kmalloc(sizeof(*sbs), GFP_KERNEL);
	if (!sbs)
		return -ENOMEM;
	err = pnuma_member_read_sbs(m, m->dev_pages, sbs);
	if (err)
		goto out;
	bad = pnuma_sb_pair_choose(sbs, &m->media.sb, &m->sb_damaged,
				   &m->sb_primary_damaged);
	if (bad && read_only && !pnuma_sb_pair_rescue(sbs, &m->media.sb)) {
		pr_warn("%s: superblock: %s; read-only: using a copy that fails nothing but its checksum\n",
			m->name, bad);
		m->sb_damaged = NULL;
		goto out;
	}
	if (bad) {
		pr_err("%s: superblock changed during assembly: %s\n", m->name,
		       bad);
		err = -EUCLEAN;
		goto out;
	}
	if (m->sb_damaged)
		pr_warn("%s: %s superblock: %s; using the %s, which is written over it at the next clean stop%s\n",
			m->name, m->sb_primary_damaged ? "primary" : "backup",
			m->sb_damaged,
			m->sb_primary_damaged ? "backup" : "primary",
			read_only ? " (not while read-only)" : "");
out:
	kfree(sbs);
	return err;
}

/* Open every member of an existing pool and check its superblock again. */
static int pnuma_assemble_members(struct pnuma_pool *pool, const dev_t *devts)
{
	const char *bad;
	unsigned int i;
	int err;

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		char what[32];

		snprintf(what, sizeof(what), "member %u", i);
		err = pnuma_member_open(m, devts[i], what, pool->read_only);
		if (err)
			return err;
		err = pnuma_member_sb(m, pool->read_only);
		if (err)
			return err;
		bad = NULL;
		if (m->media.sb.member_index != i)
			bad = "member index changed";
		if (!bad && memcmp(m->media.sb.pool_uuid, pool->members[0]->media.sb.pool_uuid,
				   sizeof(m->media.sb.pool_uuid)))
			bad = "pool UUID changed";
		if (!bad && m->media.sb.geo.member_pages > m->dev_pages)
			bad = "device smaller than its superblock says";
		if (bad) {
			pr_err("%s: superblock changed during assembly: %s\n",
			       m->name, bad);
			return -EUCLEAN;
		}
		err = pnuma_member_setup(m);
		if (err)
			return err;
	}
	return 0;
}

/* Replay or discard what the members' journals hold. */
static int pnuma_pool_recover(struct pnuma_pool *pool)
{
	const struct pnuma_media *media[PNUMA_MAX_MEMBERS];
	ktime_t start = ktime_get();
	unsigned int i;
	char why[160];
	int id, err = 0;

	id = dax_read_lock();
	for (i = 0; i < pool->nr_members; i++) {
		media[i] = &pool->members[i]->media;
		if (!dax_alive(pool->members[i]->dax_dev))
			err = -ENXIO;
	}
	if (!err)
		err = pnuma_journal_recover(media, pool->nr_members,
					    pool->logical_pages,
					    &pool->recovery, why, sizeof(why));
	dax_read_unlock(id);
	pool->recovery_us = ktime_us_delta(ktime_get(), start);
	if (err == -ENXIO)
		snprintf(why, sizeof(why), "a member went away");
	if (err) {
		pr_err("pool %pUb not assembled: journal recovery: %s%s\n",
		       pool->uuid, why,
		       err == -EUCLEAN || err == -EIO ? PNUMA_RO_HINT : "");
		return err;
	}
	if (pool->recovery.damaged)
		pr_warn("pool %pUb: journal: %lu committed records damaged (media errors?), discarded; pages they had moved halfway are settled by generation\n",
			pool->uuid, pool->recovery.damaged);
	count_vm_events(PNUMA_JOURNAL_REPLAYED, pool->recovery.replayed);
	count_vm_events(PNUMA_JOURNAL_DISCARDED, pool->recovery.discarded);
	return 0;
}

/*
 * The clean-shutdown words of every member: all "clean" means the pool was
 * shut down cleanly. Anything else than the two known values is reported
 * and treated as an unclean shutdown; recovery never depends on it.
 */
static bool pnuma_pool_was_clean(struct pnuma_pool *pool)
{
	bool clean = true;
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		__le64 word;

		if (pnuma_member_read(m, PNUMA_STATE_OFFSET, &word, sizeof(word)))
			return false;
		if (le64_to_cpu(word) == PNUMA_STATE_CLEAN)
			continue;
		if (le64_to_cpu(word) != PNUMA_STATE_DIRTY)
			pr_warn("%s: unknown clean-shutdown word %#llx\n",
				m->name, le64_to_cpu(word));
		clean = false;
	}
	return clean;
}

/*
 * A read-only pool leaves its journals as they are: a move never changes
 * the content of a page, so the metadata alone says where every page can
 * be read (pnuma_map_build()), whether its last moves committed or not.
 */
static int pnuma_pool_count_journals(struct pnuma_pool *pool)
{
	unsigned int i;
	int id, err = 0;

	id = dax_read_lock();
	for (i = 0; i < pool->nr_members && !err; i++) {
		if (dax_alive(pool->members[i]->dax_dev))
			pool->rescue.journal_records +=
				pnuma_journal_pending(&pool->members[i]->media);
		else
			err = -ENXIO;
	}
	dax_read_unlock(id);
	if (err)
		pr_err("pool %pUb not assembled: a member went away\n",
		       pool->uuid);
	return err;
}

/**
 * pnuma_pool_assemble() - assemble a pool whose members scan.c found
 * @devts: the member block devices, by member index
 * @nr: how many (the pool's member count)
 * @read_only: assemble it read-only
 *
 * Claims every member and checks its superblock again, then recovers the
 * members' journals (replaying committed moves, discarding the others),
 * reads the metadata into the page map and only then marks the members in
 * use. A pool refused before recovery has not been written to; recovery
 * only writes what the journals say, and refuses the pool if a committed
 * record does not fit the metadata.
 *
 * A read-only assembly is the way out of damage that refuses a pool:
 * nothing is written to the members, ever (no recovery, no state word, no
 * repair, no allocation, no move), and what the media can still tell is
 * read (pnuma_member_sb(), pnuma_map_build()), so that the data can be
 * copied out.
 *
 * Context: pnuma_pools_lock held.
 * Return: 0, or a negative errno with a kernel log line saying why.
 */
int pnuma_pool_assemble(const dev_t *devts, unsigned int nr, bool read_only)
{
	struct pnuma_pool *pool;
	unsigned int i;
	u64 used = 0;
	int err;

	lockdep_assert_held(&pnuma_pools_lock);
	pool = pnuma_pool_alloc(nr);
	if (!pool)
		return -ENOMEM;
	pool->read_only = read_only;
	err = pnuma_assemble_members(pool, devts);
	if (err)
		goto err_put;
	memcpy(pool->uuid, pool->members[0]->media.sb.pool_uuid, sizeof(pool->uuid));
	pool->logical_pages = pool->members[0]->media.sb.pool_logical_pages;
	pool->clean_shutdown = pnuma_pool_was_clean(pool);
	if (read_only)
		err = pnuma_pool_count_journals(pool);
	else
		err = pnuma_pool_recover(pool);
	if (err)
		goto err_put;
	err = pnuma_map_build(pool);
	if (err)
		goto err_put;

	/* The pool is in use from now on. */
	for (i = 0; i < nr; i++) {
		if (!read_only)
			pnuma_member_set_state(pool->members[i],
					       PNUMA_STATE_DIRTY);
		used += pool->members[i]->nr_used;
	}
	pnuma_pm_fence();

	err = pnuma_pool_publish(pool);
	if (err)
		goto err_put;
	if (read_only) {
		pr_warn("%s: assembled pool %pUb read-only: %u members, %llu pages in use, %s shutdown; journal: %lu records left unrecovered; nothing is written to its members\n",
			pool->name, pool->uuid, nr, used,
			pool->clean_shutdown ? "clean" : "unclean",
			pool->rescue.journal_records);
		return 0;
	}
	pr_info("%s: assembled pool %pUb: %u members, %llu pages in use, %s shutdown; journal: %lu replayed, %lu discarded in %llu us\n",
		pool->name, pool->uuid, nr, used,
		pool->clean_shutdown ? "clean" : "unclean",
		pool->recovery.replayed, pool->recovery.discarded,
		pool->recovery_us);
	pnuma_trace_recovery(pool);
	return 0;

err_put:
	pnuma_pool_put(pool);
	return err;
}

/* Mark every member clean; later allocations mark them dirty again. */
/*
 * Write a member's trusted superblock over its damaged copy, unless that
 * copy sits in a range the driver knows is bad: a store through the
 * kernel mapping would not clear the poison. Read back to check.
 */
static void pnuma_member_sb_repair(struct pnuma_pool *pool,
				   struct pnuma_member *m)
{
	u64 page = m->sb_primary_damaged ? 0 : m->media.sb.geo.member_pages - 1;
	const char *which = m->sb_primary_damaged ? "primary" : "backup";
	void *addr = m->media.base + (page << PNUMA_PAGE_SHIFT);
	const char *failed = NULL;
	struct pnuma_sb sb, back;
	int id;

	pnuma_sb_encode(&m->media.sb, &sb);
	id = dax_read_lock();
	if (!dax_alive(m->dax_dev)) {
		failed = "the device is gone";
	} else if (pnuma_member_page_bad(m, page)) {
		failed = "its page is a known bad block";
	} else {
		pnuma_pm_memcpy(addr, &sb, sizeof(sb));
		pnuma_pm_fence();
		if (copy_mc_to_kernel(&back, addr, sizeof(back)) ||
		    memcmp(&back, &sb, sizeof(sb)))
			failed = "it does not read back";
	}
	dax_read_unlock(id);
	if (failed) {
		pr_warn("%s: member %s: %s superblock not rewritten: %s\n",
			pool->name, m->name, which, failed);
		return;
	}
	pr_info("%s: member %s: %s superblock rewritten from the %s\n",
		pool->name, m->name, which,
		m->sb_primary_damaged ? "backup" : "primary");
	m->sb_damaged = NULL;
}

static void pnuma_pool_mark_clean(struct pnuma_pool *pool)
{
	unsigned int i;

	guard(mutex)(&pool->alloc_lock);
	for (i = 0; i < pool->nr_members; i++) {
		if (pool->members[i]->sb_damaged)
			pnuma_member_sb_repair(pool, pool->members[i]);
		pnuma_member_set_state(pool->members[i], PNUMA_STATE_CLEAN);
	}
	pnuma_pm_fence();
	pool->state_clean = true;
}

/**
 * pnuma_pool_stop() - stop an assembled pool
 * @name: its name, "pnumaN"
 *
 * Refused while /dev/pnumaN is open (or mapped). Marks the members clean
 * (unless the pool is read-only) and releases them; the pool can be
 * assembled again with a scan.
 *
 * Return: 0, -ENODEV if there is no such pool, -EBUSY if it is in use.
 */
int pnuma_pool_stop(const char *name)
{
	enum pnuma_pool_state old;
	struct pnuma_pool *pool;
	unsigned long id;

	guard(mutex)(&pnuma_pools_lock);
	xa_for_each(&pnuma_pools, id, pool)
		if (sysfs_streq(pool->name, name))
			break;
	if (!pool)
		return -ENODEV;

	spin_lock(&pool->lock);
	if (pool->users) {
		spin_unlock(&pool->lock);
		pr_info("%s: not stopped: in use\n", pool->name);
		return -EBUSY;
	}
	old = pool->state;
	pool->state = PNUMA_POOL_STOPPING;
	spin_unlock(&pool->lock);

	pnuma_numa_stop(pool);
	pnuma_pool_unpublish(pool);
	if (old != PNUMA_POOL_DEAD && !pool->read_only)
		pnuma_pool_mark_clean(pool);
	pr_info("%s: stopped pool %pUb\n", pool->name, pool->uuid);
	pnuma_pool_put(pool);
	return 0;
}

static int pnuma_reboot_notify(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	struct pnuma_pool *pool;
	unsigned long id;

	guard(mutex)(&pnuma_pools_lock);
	xa_for_each(&pnuma_pools, id, pool)
		if (READ_ONCE(pool->state) == PNUMA_POOL_ACTIVE &&
		    !pool->read_only)
			pnuma_pool_mark_clean(pool);
	return NOTIFY_DONE;
}

static struct notifier_block pnuma_reboot_nb = {
	.notifier_call = pnuma_reboot_notify,
};

static int __init pnuma_init(void)
{
	int err;

	err = pnuma_dev_init();
	if (err)
		goto err;
	err = pnuma_sysfs_init();
	if (err)
		goto err;
	err = pnumafs_init();
	if (err)
		goto err;
	err = register_reboot_notifier(&pnuma_reboot_nb);
	if (err)
		goto err;
	pnuma_migrate_init();
	err = pnuma_scan_init();
	if (err)
		goto err_reboot;
	return 0;

err_reboot:
	unregister_reboot_notifier(&pnuma_reboot_nb);
err:
	pr_err("initialisation failed (%pe)\n", ERR_PTR(err));
	return err;
}
late_initcall(pnuma_init);
