// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pnumaN: the character device of an assembled pool. The file offset
 * is the stable name of a logical page. mmap(MAP_SHARED) maps logical
 * pages with devmap PTEs to the persistent pages that hold them (no page
 * cache); read and write reach the same pages. Also the answers pnuma
 * gives to move_pages(2) and /proc/PID/numa_maps about its mappings.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/blkdev.h>
#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/pagewalk.h>
#include <linux/pnuma.h>
#include <linux/pseudo_fs.h>
#include <linux/rmap.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "internal.h"
#include "pm.h"

static_assert(PAGE_SIZE == PNUMA_PAGE_SIZE);

/* Magic of the internal file system holding the pools' shared inodes. */
#define PNUMA_FS_MAGIC	0x706e756d

static struct vfsmount *pnuma_mnt;

static int pnuma_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, PNUMA_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type pnuma_fs_type = {
	.name		= "pnuma",
	.init_fs_context = pnuma_init_fs_context,
	.kill_sb	= kill_anon_super,
};

/*
 * A read fault on a logical page never written maps the shared zero page,
 * read-only, as fsdax maps holes: reading (MAP_POPULATE, mlock, ptrace, a
 * program scanning its pool) allocates nothing. Under the allocation lock,
 * under which an allocation unmaps the zero page before it publishes the
 * page: a page allocated meanwhile is found here, or its allocation
 * unmaps the zero page mapped here.
 *
 * Returns 0 with *@m and *@ppn set if the page exists after all, or what
 * inserting the zero page gave: VM_FAULT_NOPAGE, VM_FAULT_OOM, or
 * VM_FAULT_SIGBUS where the VMA may not map the zero page
 * (vm_mixed_zeropage_allowed()) or the pool died.
 */
vm_fault_t pnuma_fault_hole(struct vm_fault *vmf, struct pnuma_pool *pool,
			    struct pnuma_member **m, u64 *ppn)
{
	int err;

	guard(mutex)(&pool->alloc_lock);
	err = pnuma_page_lookup(pool, vmf->pgoff, m, ppn);
	if (!err)
		return 0;
	if (err != -ENOENT || READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return VM_FAULT_SIGBUS;
	return vmf_insert_mixed(vmf->vma, vmf->address,
				pfn_to_pfn_t(my_zero_pfn(vmf->address)));
}

/* Find the page of a fault, or map the zero page for a read of a hole. */
static vm_fault_t pnuma_fault_page(struct vm_fault *vmf,
				   struct pnuma_pool *pool,
				   struct pnuma_member **m, u64 *ppn)
{
	vm_fault_t ret;
	int err;

	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		err = pnuma_page_lookup(pool, vmf->pgoff, m, ppn);
		if (err != -ENOENT)
			return err ? VM_FAULT_SIGBUS : 0;
		ret = pnuma_fault_hole(vmf, pool, m, ppn);
		if (ret != VM_FAULT_SIGBUS)
			return ret;
		/* No zero page here: allocate, as a write would. */
	}
	err = pnuma_page_get(pool, vmf->pgoff, numa_node_id(), m, ppn);
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	return 0;
}

/*
 * A page made writable in a mapping that is not MAP_SYNC is marked dirty
 * once its PTE is writable: fsync() clears the mark, then write-protects
 * the page everywhere and writes back its CPU cache (pnuma_file_fsync()),
 * as fsdax does. A mark set before fsync clears it is for a PTE already
 * writable, which fsync write-protects; one set after survives for the
 * next fsync. The stores of a MAP_SYNC mapping are the program's to
 * flush; the metadata that makes the page reachable is durable since its
 * allocation.
 */
static vm_fault_t pnuma_fault_mkwrite(struct vm_fault *vmf,
				      struct pnuma_pool *pool,
				      struct pnuma_member *m, u64 ppn)
{
	vm_fault_t ret = vmf_insert_mixed_mkwrite(vmf->vma, vmf->address,
						  pnuma_data_pfn(m, ppn));

	if (!(ret & VM_FAULT_ERROR) && !(vmf->vma->vm_flags & VM_SYNC))
		xa_set_mark(&pool->map, vmf->pgoff, PNUMA_DIRTY);
	return ret;
}

static vm_fault_t pnuma_fault(struct vm_fault *vmf)
{
	struct pnuma_pool *pool = vmf->vma->vm_file->private_data;
	struct pnuma_member *m;
	vm_fault_t ret;
	u64 ppn;
	int id;

	if (vmf->pgoff >= pool->logical_pages)
		return VM_FAULT_SIGBUS;

	/*
	 * Look up and map under the fault lock: migration waits for us, and
	 * pnuma_dev_kill() changes the state under it.
	 */
	down_read(&pool->fault_lock);
	if (pnuma_page_wait(pool, vmf->pgoff))
		return VM_FAULT_SIGBUS;
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	ret = pnuma_fault_page(vmf, pool, &m, &ppn);
	if (ret)
		goto out;	/* the zero page is mapped, or an error */
	id = dax_read_lock();
	if (!dax_alive(m->dax_dev))
		ret = VM_FAULT_SIGBUS;
	else if (vmf->flags & FAULT_FLAG_WRITE)
		ret = pnuma_fault_mkwrite(vmf, pool, m, ppn);
	else
		ret = vmf_insert_mixed(vmf->vma, vmf->address,
				       pnuma_data_pfn(m, ppn));
	dax_read_unlock(id);
out:
	up_read(&pool->fault_lock);
	return ret;
}

/*
 * The first write through a read-only PTE. A data page becomes writable
 * and is marked dirty, through the fault path (its metadata is durable
 * since it was allocated: MAP_SYNC holds). The zero page of a page never
 * written is replaced: the page is allocated here, on the writer's node,
 * pnuma_page_get() zaps every zero page mapped for it, and the write
 * faults again, on the new page.
 */
static vm_fault_t pnuma_pfn_mkwrite(struct vm_fault *vmf)
{
	struct pnuma_pool *pool = vmf->vma->vm_file->private_data;
	struct pnuma_member *m;
	u64 ppn;
	int err;

	/* A data page: made writable and marked dirty, as by a write fault. */
	if (!is_zero_pfn(pte_pfn(vmf->orig_pte)))
		return pnuma_fault(vmf);
	if (vmf->pgoff >= pool->logical_pages ||
	    READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return VM_FAULT_SIGBUS;
	/* Never allocated, so not moving: no need for the fault lock. */
	err = pnuma_page_get(pool, vmf->pgoff, numa_node_id(), &m, &ppn);
	if (err)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	return VM_FAULT_NOPAGE;
}

const struct vm_operations_struct pnuma_vm_ops = {
	.fault = pnuma_fault,
	.pfn_mkwrite = pnuma_pfn_mkwrite,
};

/**
 * pnuma_file_open() - open a pool: /dev/pnumaN or its pnumafs file
 * @pool: the pool
 * @file: the file being opened
 *
 * Counts @file as a user of the pool, which cannot be stopped until it
 * is released, and points it at the pool's shared address_space.
 *
 * Return: 0, -EROFS for a write open of a read-only pool, or -ENODEV if
 * the pool is not active.
 */
int pnuma_file_open(struct pnuma_pool *pool, struct file *file)
{
	/* Nothing writes to a read-only pool: no page is ever allocated. */
	if (pool->read_only && (file->f_mode & FMODE_WRITE))
		return -EROFS;
	spin_lock(&pool->lock);
	if (pool->state != PNUMA_POOL_ACTIVE) {
		spin_unlock(&pool->lock);
		return -ENODEV;
	}
	pool->users++;
	spin_unlock(&pool->lock);

	kobject_get(&pool->kobj);
	file->private_data = pool;
	file->f_mapping = pool->inode->i_mapping;
	return 0;
}

static int pnuma_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return pnuma_file_open(container_of(misc, struct pnuma_pool, misc),
			       file);
}

/**
 * pnuma_file_release() - release a file pnuma_file_open() opened
 * @inode: its inode
 * @file: the file
 *
 * Return: 0.
 */
int pnuma_file_release(struct inode *inode, struct file *file)
{
	struct pnuma_pool *pool = file->private_data;

	spin_lock(&pool->lock);
	pool->users--;
	spin_unlock(&pool->lock);
	kobject_put(&pool->kobj);
	return 0;
}

/*
 * MAP_SYNC needs every member's stores to be durable once flushed from
 * the CPU, as fsdax asks of its device (daxdev_mapping_supported()):
 * not so for virtio-pmem, whose host must be asked to flush.
 */
static bool pnuma_pool_synchronous(struct pnuma_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++)
		if (!dax_synchronous(pool->members[i]->dax_dev))
			return false;
	return true;
}

/**
 * pnuma_file_mmap() - map logical pages of a pool
 * @file: an open pool
 * @vma: the new mapping
 *
 * Shared mappings only, entirely inside the logical capacity. Unaligned
 * offsets never get here: mmap(2) rejects them with -EINVAL itself.
 *
 * Return: 0, -EINVAL, or -EOPNOTSUPP for MAP_SYNC over a member that is
 * not synchronous.
 */
int pnuma_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pnuma_pool *pool = file->private_data;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= pool->logical_pages ||
	    vma_pages(vma) > pool->logical_pages - vma->vm_pgoff)
		return -EINVAL;
	if ((vma->vm_flags & VM_SYNC) && !pnuma_pool_synchronous(pool))
		return -EOPNOTSUPP;
	vma->vm_ops = &pnuma_vm_ops;
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

/* The first logical page from @lpn on that is not allocated. */
static u64 pnuma_next_hole(struct pnuma_pool *pool, u64 lpn)
{
	XA_STATE(xas, &pool->map, lpn);
	void *entry;

	rcu_read_lock();
	xas_for_each(&xas, entry, pool->logical_pages - 1) {
		if (xas_retry(&xas, entry))
			continue;
		if (xas.xa_index != lpn)
			break;
		lpn++;
		if (need_resched()) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	rcu_read_unlock();
	return lpn;
}

/**
 * pnuma_file_llseek() - lseek(2) in a pool
 * @file: an open pool
 * @offset: as lseek(2)
 * @whence: as lseek(2); %SEEK_DATA and %SEEK_HOLE see allocated logical
 *	pages as data and the others as holes
 *
 * Return: the new position or a negative errno.
 */
loff_t pnuma_file_llseek(struct file *file, loff_t offset, int whence)
{
	struct pnuma_pool *pool = file->private_data;
	loff_t size = pool->logical_pages << PAGE_SHIFT;
	unsigned long lpn;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return fixed_size_llseek(file, offset, whence, size);
	if (offset < 0 || offset >= size)
		return -ENXIO;
	lpn = offset >> PAGE_SHIFT;
	if (whence == SEEK_DATA) {
		if (!xa_find(&pool->map, &lpn, pool->logical_pages - 1,
			     XA_PRESENT))
			return -ENXIO;
	} else {
		lpn = pnuma_next_hole(pool, lpn);
	}
	return vfs_setpos(file, max_t(loff_t, offset, (loff_t)lpn << PAGE_SHIFT),
			  size);
}

/*
 * Copy between @iter and the part of logical page @lpn at @off. A page
 * never touched reads as zeroes; writing to it allocates it.
 */
static ssize_t pnuma_rw_page(struct pnuma_pool *pool, u64 lpn, size_t off,
			     size_t len, struct iov_iter *iter, bool write)
{
	struct pnuma_member *m;
	struct page *page = NULL;
	pgoff_t pgoff;
	size_t done;
	void *addr;
	u64 ppn;
	int id, err;

	/* A buffer that cannot be copied is -EFAULT, before a write allocates. */
	if (write ? fault_in_iov_iter_readable(iter, len) == len :
		    fault_in_iov_iter_writeable(iter, len) == len)
		return -EFAULT;

	/*
	 * Like a fault, look the page up under the fault lock, but hold a
	 * page reference rather than the lock while copying: the user buffer
	 * may fault, even on this pool. Migration refuses referenced pages.
	 * The struct page lives in the member's memmap, which goes with the
	 * member: take and drop the reference inside one DAX read lock, with
	 * the member alive at the start (its removal waits for the lock).
	 */
	id = dax_read_lock();
	down_read(&pool->fault_lock);
	if (pnuma_page_wait(pool, lpn)) {
		dax_read_unlock(id);
		return -EINTR;
	}
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		err = -EIO;
	else if (write)
		err = pnuma_page_get(pool, lpn, numa_node_id(), &m, &ppn);
	else
		err = pnuma_page_lookup(pool, lpn, &m, &ppn);
	if (!err && !dax_alive(m->dax_dev))
		err = -EIO;
	if (!err) {
		page = pfn_t_to_page(pnuma_data_pfn(m, ppn));
		get_page(page);
	}
	up_read(&pool->fault_lock);
	if (err) {
		dax_read_unlock(id);
		if (err != -ENOENT)
			return err;
		done = iov_iter_zero(len, iter);
		return done ?: -EFAULT;
	}

	pgoff = m->media.sb.geo.data_start + ppn;
	addr = pnuma_data_addr(m, ppn) + off;
	if (write)
		done = dax_copy_from_iter(m->dax_dev, pgoff, addr, len, iter);
	else
		done = dax_copy_to_iter(m->dax_dev, pgoff, addr, len, iter);
	put_page(page);
	dax_read_unlock(id);
	return done ?: -EIO;
}

static ssize_t pnuma_rw(struct kiocb *iocb, struct iov_iter *iter, bool write)
{
	struct pnuma_pool *pool = iocb->ki_filp->private_data;
	loff_t end = pool->logical_pages << PAGE_SHIFT;
	loff_t pos = iocb->ki_pos;
	ssize_t done = 0, n = 0;

	/* The size never changes: appending finds no room. */
	if (write && (iocb->ki_flags & IOCB_APPEND))
		pos = end;

	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return -EIO;
	if (pos >= end)
		return write && iov_iter_count(iter) ? -ENOSPC : 0;
	iov_iter_truncate(iter, end - pos);

	while (iov_iter_count(iter)) {
		size_t off = pos & ~PAGE_MASK;
		size_t len = min_t(size_t, PAGE_SIZE - off, iov_iter_count(iter));

		n = pnuma_rw_page(pool, pos >> PAGE_SHIFT, off, len, iter, write);
		if (n <= 0)
			break;
		pos += n;
		done += n;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	if (write && done)
		pnuma_pm_fence();
	iocb->ki_pos = pos;
	return done ?: n;
}

ssize_t pnuma_file_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return pnuma_rw(iocb, to, false);
}

/* O_SYNC, O_DSYNC and RWF_DSYNC writes end with what fsync() does. */
ssize_t pnuma_file_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	ssize_t ret = pnuma_rw(iocb, from, true);

	return ret > 0 ? generic_write_sync(iocb, ret) : ret;
}

/*
 * Write back the CPU cache of one dirty page and write-protect it in
 * every mapping, so that the next store faults and marks it dirty again.
 * A page being moved is waited for: a move that fails leaves the source,
 * whose cache is written back then; one that commits copied what the CPU
 * saw and flushed the copy.
 */
static int pnuma_writeback_page(struct pnuma_pool *pool,
				struct address_space *mapping, u64 lpn)
{
	struct vm_area_struct *vma;
	struct pnuma_member *m;
	unsigned long pfn;
	u64 ppn;
	int id;

	down_read(&pool->fault_lock);
	if (pnuma_page_wait(pool, lpn))
		return -EINTR;
	xa_clear_mark(&pool->map, lpn, PNUMA_DIRTY);
	if (pnuma_page_lookup(pool, lpn, &m, &ppn))
		goto out;
	id = dax_read_lock();
	if (dax_alive(m->dax_dev)) {
		pfn = pfn_t_to_pfn(pnuma_data_pfn(m, ppn));
		i_mmap_lock_read(mapping);
		vma_interval_tree_foreach(vma, &mapping->i_mmap, lpn, lpn)
			pfn_mkclean_range(pfn, 1, lpn, vma);
		i_mmap_unlock_read(mapping);
		pnuma_pm_flush(pnuma_data_addr(m, ppn), PAGE_SIZE);
	}
	dax_read_unlock(id);
out:
	up_read(&pool->fault_lock);
	return 0;
}

/**
 * pnuma_file_fsync() - make what was written to a pool durable
 * @file: an open pool
 * @start: first byte of the range
 * @end: last byte of the range, inclusive
 * @datasync: ignored: a pool has no metadata that fsync() would write
 *
 * write(2) stores bypass the CPU cache and are fenced before it returns;
 * the metadata of every page is durable once it is allocated or moved.
 * What a mapping that is not MAP_SYNC stored in dirty pages is written
 * back here, then every member's region is flushed the way the pmem
 * driver does for REQ_PREFLUSH (nvdimm_flush()).
 *
 * Return: 0, -EIO if the pool is dead, or what a member's flush gave.
 */
int pnuma_file_fsync(struct file *file, loff_t start, loff_t end,
		     int datasync)
{
	struct pnuma_pool *pool = file->private_data;
	unsigned long lpn = start >> PAGE_SHIFT;
	unsigned long last;
	unsigned int i;
	int err;

	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return -EIO;
	if (pool->read_only || start >= pool->logical_pages << PAGE_SHIFT)
		return 0;
	last = min_t(u64, end >> PAGE_SHIFT, pool->logical_pages - 1);
	while (xa_find(&pool->map, &lpn, last, PNUMA_DIRTY)) {
		if (pnuma_writeback_page(pool, file->f_mapping, lpn) ||
		    fatal_signal_pending(current))
			return -EINTR;
		if (lpn++ == last)
			break;
		cond_resched();
	}
	pnuma_pm_fence();
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		return -EIO;
	for (i = 0; i < pool->nr_members; i++) {
		err = blkdev_issue_flush(file_bdev(pool->members[i]->bdev_file));
		if (err)
			return err;
	}
	return 0;
}

static const struct file_operations pnuma_fops = {
	.owner		= THIS_MODULE,
	.open		= pnuma_open,
	.release	= pnuma_file_release,
	.mmap		= pnuma_file_mmap,
	.llseek		= pnuma_file_llseek,
	.read_iter	= pnuma_file_read_iter,
	.write_iter	= pnuma_file_write_iter,
	.fsync		= pnuma_file_fsync,
	.fop_flags	= FOP_MMAP_SYNC,
};

/*
 * Drop the pool's inode under the fault lock: a member's removal may be
 * unmapping through it (pnuma_dev_kill()).
 */
static void pnuma_dev_drop_inode(struct pnuma_pool *pool)
{
	struct inode *inode;

	down_write(&pool->fault_lock);
	inode = pool->inode;
	pool->inode = NULL;
	up_write(&pool->fault_lock);
	iput(inode);
}

/**
 * pnuma_dev_add() - create /dev/pnumaN for a pool
 * @pool: the pool, named
 *
 * Return: 0 or a negative errno.
 */
int pnuma_dev_add(struct pnuma_pool *pool)
{
	struct inode *inode;
	int err;

	inode = alloc_anon_inode(pnuma_mnt->mnt_sb);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	/*
	 * DAX: no page cache; NUMA balancing scans the VMAs only as pnuma's,
	 * while numa_balancing_pmem is on.
	 */
	inode->i_flags |= S_DAX;
	pool->inode = inode;

	pool->misc.minor = MISC_DYNAMIC_MINOR;
	pool->misc.name = pool->name;
	pool->misc.fops = &pnuma_fops;
	pool->misc.mode = 0600;
	err = misc_register(&pool->misc);
	if (err)
		pnuma_dev_drop_inode(pool);
	return err;
}

/**
 * pnuma_dev_del() - remove /dev/pnumaN
 * @pool: the pool, no longer open
 */
void pnuma_dev_del(struct pnuma_pool *pool)
{
	misc_deregister(&pool->misc);
	pnuma_dev_drop_inode(pool);
}

/**
 * pnuma_dev_kill() - a member is gone: unmap everything, fail every access
 * @pool: the pool
 *
 * The state changes under the fault lock, which pnuma_fault() checks it
 * under: a fault either maps its page before, and the unmapping below
 * removes it, or sees the pool dead. Migration checks it under the DAX
 * read lock, which the member's removal waits for.
 *
 * Return: true if the pool was not dead yet.
 */
bool pnuma_dev_kill(struct pnuma_pool *pool)
{
	bool killed;

	down_write(&pool->fault_lock);
	spin_lock(&pool->lock);
	killed = pool->state != PNUMA_POOL_DEAD;
	pool->state = PNUMA_POOL_DEAD;
	spin_unlock(&pool->lock);
	/* Under the lock: pnuma_dev_del() drops the inode under it too. */
	if (pool->inode)
		unmap_mapping_range(pool->inode->i_mapping, 0, 0, 0);
	up_write(&pool->fault_lock);
	return killed;
}

/**
 * pnuma_page_node() - the node of the page mapped at an address
 * @vma: a pnuma VMA
 * @addr: an address in it
 *
 * For move_pages(2) with a NULL node list: where the logical page mapped
 * at @addr lives, whether or not this process has touched it yet.
 *
 * Context: mmap_lock held.
 * Return: the node of the member holding it, -ENOENT if the logical page
 * was never touched, or -EIO if a read-only pool cannot read it.
 */
int pnuma_page_node(struct vm_area_struct *vma, unsigned long addr)
{
	struct pnuma_pool *pool = vma->vm_file->private_data;
	struct pnuma_member *m;
	int id, nid;
	u64 ppn;

	nid = pnuma_page_lookup(pool, linear_page_index(vma, addr), &m, &ppn);
	if (nid)
		return nid;
	if (m->node != NUMA_NO_NODE)
		return m->node;
	/* The struct page is in the member's memmap: only while it is there. */
	id = dax_read_lock();
	nid = dax_alive(m->dax_dev) ?
	      page_to_nid(pfn_t_to_page(pnuma_data_pfn(m, ppn))) : -EIO;
	dax_read_unlock(id);
	return nid;
}

static int pnuma_count_pte(pte_t *pte, unsigned long addr, unsigned long next,
			   struct mm_walk *walk)
{
	unsigned long *node_pages = walk->private;
	pte_t ptent = ptep_get(pte);

	/* The zero page of a page never written is no page of the pool. */
	if (pte_present(ptent) && !is_zero_pfn(pte_pfn(ptent)) &&
	    pfn_valid(pte_pfn(ptent)))
		node_pages[page_to_nid(pte_page(ptent))]++;
	return 0;
}

static const struct mm_walk_ops pnuma_count_ops = {
	.pte_entry	= pnuma_count_pte,
	.walk_lock	= PGWALK_RDLOCK,
};

/**
 * pnuma_vma_node_pages() - pages mapped by a pnuma VMA, per node
 * @vma: a pnuma VMA
 * @node_pages: MAX_NUMNODES counters, incremented
 *
 * For /proc/PID/numa_maps: the pages this VMA maps, by node.
 *
 * Context: mmap_lock held.
 * Return: the number of pages counted.
 */
unsigned long pnuma_vma_node_pages(struct vm_area_struct *vma,
				   unsigned long *node_pages)
{
	unsigned long before = 0, after = 0;
	int nid;

	for_each_node(nid)
		before += node_pages[nid];
	walk_page_vma(vma, &pnuma_count_ops, node_pages);
	for_each_node(nid)
		after += node_pages[nid];
	return after - before;
}

/**
 * pnuma_dev_init() - mount the internal file system of the pools' inodes
 *
 * Return: 0 or a negative errno.
 */
int __init pnuma_dev_init(void)
{
	pnuma_mnt = kern_mount(&pnuma_fs_type);
	return PTR_ERR_OR_ZERO(pnuma_mnt);
}
