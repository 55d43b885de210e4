// SPDX-License-Identifier: GPL-2.0
/*
 * pnumafs: every active pool as one regular DAX file, so that programs
 * written for files on persistent memory (PMDK's pools among them) run on
 * pnuma unchanged.
 *
 *	mount -t pnumafs none /mnt/pnuma	# /mnt/pnuma/pnuma0, ...
 *
 * There is one superblock, shared by every mount. The root directory is
 * not stored anywhere: it lists the pools published at the time, and a
 * pool appears or disappears with its assembly or stop. A pool's file is
 * the same logical pages as /dev/pnumaN, through the same address_space,
 * page map, fault path, moves and NUMA balancing (dev.c); its size is the
 * pool's logical capacity and never changes. Its owner and mode are kept
 * on the members (pnuma_pool_set_attr()); nothing else of the file
 * system is. Names are never created, removed or renamed here.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/dax.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/splice.h>
#include <linux/statfs.h>

#include "internal.h"

/* "pnfs" */
#define PNUMAFS_MAGIC		0x706e6673
#define PNUMAFS_ROOT_INO	1

static struct pnuma_pool *pnumafs_pool(const struct inode *inode)
{
	return S_ISREG(inode->i_mode) ? inode->i_private : NULL;
}

static int pnumafs_open(struct inode *inode, struct file *file)
{
	int err;

	err = pnuma_file_open(pnumafs_pool(inode), file);
	if (!err)
		file->f_mode |= FMODE_CAN_ODIRECT;
	return err;
}

/*
 * fallocate(2) mode 0 allocates every logical page of the range that is
 * not allocated yet, on the caller's node as a first touch would, zeroed
 * and durable. A failure part-way (-ENOSPC for a full pool, -EIO for a
 * dead one) leaves the pages allocated so far, as on other file systems.
 * The size never changes: a range past it is -EFBIG; every other mode is
 * -EOPNOTSUPP.
 */
static long pnumafs_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct pnuma_pool *pool = file->private_data;
	loff_t size = pool->logical_pages << PAGE_SHIFT;
	struct pnuma_member *m;
	u64 lpn, last, ppn;
	int err = 0;

	if (mode)
		return -EOPNOTSUPP;
	if (offset > size || len > size - offset)
		return -EFBIG;
	last = (offset + len - 1) >> PAGE_SHIFT;
	for (lpn = offset >> PAGE_SHIFT; lpn <= last && !err; lpn++) {
		down_read(&pool->fault_lock);
		if (pnuma_page_wait(pool, lpn))
			return -EINTR;
		if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
			err = -EIO;
		else
			err = pnuma_page_get(pool, lpn, numa_node_id(), &m, &ppn);
		up_read(&pool->fault_lock);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	return err == -ENXIO ? -EIO : err;
}

/*
 * A private mapping of the pool file, as fsdax gives one (PMDK's
 * pmemobj_check() and pmempool check --dry-run write to one): reads map
 * the pool's page, or the zero page for a hole, read-only; the first
 * write copies it into an anonymous page of the process. Not a pnuma
 * mapping for the rest of mm (no move_pages(2), no NUMA balancing): the
 * pool's pages it maps read-only are unmapped by a move like any other.
 */
static vm_fault_t pnumafs_private_fault(struct vm_fault *vmf)
{
	struct pnuma_pool *pool = vmf->vma->vm_file->private_data;
	struct pnuma_member *m = NULL;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	void *dst;
	int id, err;
	u64 ppn;

	if (vmf->pgoff >= pool->logical_pages)
		return VM_FAULT_SIGBUS;
	down_read(&pool->fault_lock);
	if (pnuma_page_wait(pool, vmf->pgoff))
		return VM_FAULT_SIGBUS;
	if (READ_ONCE(pool->state) == PNUMA_POOL_DEAD)
		goto out;
	err = pnuma_page_lookup(pool, vmf->pgoff, &m, &ppn);
	if (err == -ENOENT && vmf->cow_page) {
		m = NULL;
	} else if (err == -ENOENT) {
		/* The zero page, under the lock an allocation unmaps it under. */
		ret = pnuma_fault_hole(vmf, pool, &m, &ppn);
		if (ret)
			goto out;
	} else if (err) {
		goto out;
	}

	id = dax_read_lock();
	if (m && !dax_alive(m->dax_dev)) {
		ret = VM_FAULT_SIGBUS;
	} else if (vmf->cow_page) {
		ret = 0;
		if (!m) {
			clear_user_highpage(vmf->cow_page, vmf->address);
		} else {
			dst = kmap_local_page(vmf->cow_page);
			if (copy_mc_to_kernel(dst, pnuma_data_addr(m, ppn),
					      PAGE_SIZE))
				ret = VM_FAULT_SIGBUS;
			kunmap_local(dst);
		}
	} else {
		ret = vmf_insert_mixed(vmf->vma, vmf->address,
				       pnuma_data_pfn(m, ppn));
	}
	dax_read_unlock(id);
out:
	up_read(&pool->fault_lock);
	if (ret || !vmf->cow_page)
		return ret;
	__folio_mark_uptodate(page_folio(vmf->cow_page));
	ret = finish_fault(vmf);
	return ret ?: VM_FAULT_DONE_COW;
}

static const struct vm_operations_struct pnumafs_private_vm_ops = {
	.fault = pnumafs_private_fault,
};

static int pnumafs_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pnuma_pool *pool = file->private_data;

	if (vma->vm_flags & VM_MAYSHARE)
		return pnuma_file_mmap(file, vma);
	if (vma->vm_pgoff >= pool->logical_pages ||
	    vma_pages(vma) > pool->logical_pages - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_ops = &pnumafs_private_vm_ops;
	vm_flags_set(vma, VM_DONTEXPAND);
	return 0;
}

static const struct file_operations pnumafs_file_fops = {
	.owner		= THIS_MODULE,
	.open		= pnumafs_open,
	.release	= pnuma_file_release,
	.mmap		= pnumafs_mmap,
	.llseek		= pnuma_file_llseek,
	.read_iter	= pnuma_file_read_iter,
	.write_iter	= pnuma_file_write_iter,
	.splice_read	= copy_splice_read,
	.splice_write	= iter_file_splice_write,
	.fsync		= pnuma_file_fsync,
	.fallocate	= pnumafs_fallocate,
	.fop_flags	= FOP_MMAP_SYNC,
};

/*
 * chmod and chown are kept on the members, so that an operator can give
 * a pool to one service account for good; the size can only be "changed"
 * to what it is (O_TRUNC, ftruncate to another size: -EINVAL, nothing
 * changed). Times are not kept: the inode goes once unused, and comes
 * back with the pool's creation time.
 */
static int pnumafs_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			   struct iattr *iattr)
{
	struct inode *inode = d_inode(dentry);
	unsigned int valid = iattr->ia_valid;
	struct pnuma_attr_info attr;
	umode_t mode = inode->i_mode;
	kuid_t uid = inode->i_uid;
	kgid_t gid = inode->i_gid;
	int err;

	err = setattr_prepare(idmap, dentry, iattr);
	if (err)
		return err;
	if ((valid & ATTR_SIZE) && iattr->ia_size != i_size_read(inode))
		return -EINVAL;

	/*
	 * What setattr_copy() will make of the owner and mode is kept on the
	 * members first: nothing sees a mode that was not stored.
	 */
	if (valid & (ATTR_MODE | ATTR_UID | ATTR_GID)) {
		if (valid & ATTR_UID)
			uid = from_vfsuid(idmap, i_user_ns(inode),
					  iattr->ia_vfsuid);
		if (valid & ATTR_GID)
			gid = from_vfsgid(idmap, i_user_ns(inode),
					  iattr->ia_vfsgid);
		if (valid & ATTR_MODE) {
			mode = iattr->ia_mode;
			if (!in_group_or_capable(idmap, inode,
						 make_vfsgid(idmap, i_user_ns(inode),
							     gid)))
				mode &= ~S_ISGID;
		}
		attr.mode = mode & PNUMA_ATTR_MODE_MASK;
		attr.uid = from_kuid(&init_user_ns, uid);
		attr.gid = from_kgid(&init_user_ns, gid);
		err = pnuma_pool_set_attr(pnumafs_pool(inode), &attr);
		if (err)
			return err;
	}
	setattr_copy(idmap, inode, iattr);
	return 0;
}

static int pnumafs_getattr(struct mnt_idmap *idmap, const struct path *path,
			   struct kstat *stat, u32 request_mask,
			   unsigned int query_flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct pnuma_pool *pool = pnumafs_pool(inode);

	generic_fillattr(idmap, request_mask, inode, stat);
	stat->blksize = PAGE_SIZE;
	stat->blocks = min(pnuma_pool_used_pages(pool), pool->logical_pages) <<
		       (PAGE_SHIFT - SECTOR_SHIFT);
	return 0;
}

static const struct inode_operations pnumafs_file_iops = {
	.setattr	= pnumafs_setattr,
	.getattr	= pnumafs_getattr,
};

static int pnumafs_inode_test(struct inode *inode, void *pool)
{
	return inode->i_private == pool;
}

/* Under the inode hash lock: the reference is dropped at eviction. */
static int pnumafs_inode_set(struct inode *inode, void *data)
{
	struct pnuma_pool *pool = data;

	kobject_get(&pool->kobj);
	inode->i_private = pool;
	return 0;
}

static struct inode *pnumafs_pool_inode(struct super_block *sb,
					struct pnuma_pool *pool)
{
	struct timespec64 ctime;
	struct inode *inode;

	inode = iget5_locked(sb, pool->id, pnumafs_inode_test,
			     pnumafs_inode_set, pool);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW))
		return inode;

	inode->i_ino = PNUMAFS_ROOT_INO + 1 + pool->id;
	mutex_lock(&pool->alloc_lock);
	inode->i_mode = S_IFREG | pool->attr.mode;
	inode->i_uid = make_kuid(&init_user_ns, pool->attr.uid);
	inode->i_gid = make_kgid(&init_user_ns, pool->attr.gid);
	mutex_unlock(&pool->alloc_lock);
	if (!uid_valid(inode->i_uid))
		inode->i_uid = GLOBAL_ROOT_UID;
	if (!gid_valid(inode->i_gid))
		inode->i_gid = GLOBAL_ROOT_GID;
	i_size_write(inode, pool->logical_pages << PAGE_SHIFT);
	ctime = ns_to_timespec64(pool->members[0]->media.sb.create_time);
	inode_set_ctime_to_ts(inode, ctime);
	inode_set_mtime_to_ts(inode, ctime);
	inode_set_atime_to_ts(inode, ctime);
	inode->i_flags |= S_DAX;
	inode->i_op = &pnumafs_file_iops;
	inode->i_fop = &pnumafs_file_fops;
	unlock_new_inode(inode);
	return inode;
}

/*
 * The published pool named @name, referenced, or NULL. Under the pools'
 * xarray lock, not pnuma_pools_lock: pool creation resolves its device
 * paths under that one, and a path may cross a pnumafs mount. A pool is
 * erased from the xarray before its last reference can go.
 */
static struct pnuma_pool *pnumafs_find(const struct qstr *name)
{
	struct pnuma_pool *pool;
	unsigned int id;
	char buf[16];

	if (name->len >= sizeof(buf))
		return NULL;
	memcpy(buf, name->name, name->len);
	buf[name->len] = 0;
	if (sscanf(buf, "pnuma%u", &id) != 1)
		return NULL;
	xa_lock(&pnuma_pools);
	pool = xa_load(&pnuma_pools, id);
	if (pool && strcmp(pool->name, buf))
		pool = NULL;
	if (pool)
		kobject_get(&pool->kobj);
	xa_unlock(&pnuma_pools);
	return pool;
}

static struct dentry *pnumafs_lookup(struct inode *dir, struct dentry *dentry,
				     unsigned int flags)
{
	struct pnuma_pool *pool = pnumafs_find(&dentry->d_name);
	struct inode *inode = NULL;

	if (pool) {
		inode = pnumafs_pool_inode(dir->i_sb, pool);
		kobject_put(&pool->kobj);
	}
	return d_splice_alias(inode, dentry);
}

/*
 * The names are the pools' and change with them: a name found before is
 * good while its pool is still published; a name not found may have
 * appeared since.
 */
static int pnumafs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct inode *inode = d_inode_rcu(dentry);
	bool valid;

	if (!inode)
		return 0;
	if (!S_ISREG(inode->i_mode))
		return 1;
	/* The pool itself may be going with the inode: only compare. */
	rcu_read_lock();
	valid = xa_load(&pnuma_pools, inode->i_ino - PNUMAFS_ROOT_INO - 1) ==
		inode->i_private;
	rcu_read_unlock();
	return valid;
}

static const struct dentry_operations pnumafs_dops = {
	.d_revalidate	= pnumafs_d_revalidate,
	.d_delete	= always_delete_dentry,
};

/*
 * The pools in id order, one at a time: the name is copied out under the
 * xarray's lock (a pool is erased under it before it can go), and
 * dir_emit(), which may fault, runs without it.
 */
static int pnumafs_readdir(struct file *file, struct dir_context *ctx)
{
	struct pnuma_pool *pool;
	char name[sizeof(pool->name)];
	unsigned long id;

	if (!dir_emit_dots(file, ctx))
		return 0;
	for (;;) {
		id = ctx->pos - 2;
		xa_lock(&pnuma_pools);
		pool = xa_find(&pnuma_pools, &id, ULONG_MAX, XA_PRESENT);
		if (pool)
			strscpy(name, pool->name);
		xa_unlock(&pnuma_pools);
		if (!pool)
			return 0;
		ctx->pos = id + 2;
		if (!dir_emit(ctx, name, strlen(name),
			      PNUMAFS_ROOT_INO + 1 + id, DT_REG))
			return 0;
		ctx->pos++;
	}
}

static const struct file_operations pnumafs_dir_fops = {
	.llseek		= generic_file_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= pnumafs_readdir,
	.fsync		= noop_fsync,
};

/* Names belong to the pools: nothing is created, linked or removed. */
static int pnumafs_create(struct mnt_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, umode_t mode, bool excl)
{
	return -EPERM;
}

static int pnumafs_mknod(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, dev_t dev)
{
	return -EPERM;
}

static const struct inode_operations pnumafs_dir_iops = {
	.lookup		= pnumafs_lookup,
	.create		= pnumafs_create,
	.mknod		= pnumafs_mknod,
};

/*
 * statfs(2) of a pool's file: its logical pages, those not allocated
 * free; of the root: the sum over the pools.
 */
static int pnumafs_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	struct pnuma_pool *pool = pnumafs_pool(d_inode(dentry));
	u64 blocks = 0, used = 0, files = 0;
	unsigned long id;

	buf->f_type = PNUMAFS_MAGIC;
	buf->f_bsize = PAGE_SIZE;
	buf->f_frsize = PAGE_SIZE;
	buf->f_namelen = NAME_MAX;
	if (pool) {
		blocks = pool->logical_pages;
		used = pnuma_pool_used_pages(pool);
		files = 1;
	} else {
		xa_lock(&pnuma_pools);
		xa_for_each(&pnuma_pools, id, pool) {
			blocks += pool->logical_pages;
			used += min(pnuma_pool_used_pages(pool),
				    pool->logical_pages);
			files++;
		}
		xa_unlock(&pnuma_pools);
	}
	buf->f_blocks = blocks;
	buf->f_bfree = blocks - min(used, blocks);
	buf->f_bavail = buf->f_bfree;
	buf->f_files = files;
	buf->f_ffree = 0;
	return 0;
}

static void pnumafs_evict_inode(struct inode *inode)
{
	struct pnuma_pool *pool = pnumafs_pool(inode);

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (pool)
		kobject_put(&pool->kobj);
}

static const struct super_operations pnumafs_sops = {
	.statfs		= pnumafs_statfs,
	.drop_inode	= generic_delete_inode,
	.evict_inode	= pnumafs_evict_inode,
};

static int pnumafs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct inode *root;

	sb->s_magic = PNUMAFS_MAGIC;
	sb->s_op = &pnumafs_sops;
	sb->s_d_op = &pnumafs_dops;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	sb->s_time_gran = 1;
	sb->s_iflags |= SB_I_NOEXEC | SB_I_NODEV;

	root = new_inode(sb);
	if (!root)
		return -ENOMEM;
	root->i_ino = PNUMAFS_ROOT_INO;
	root->i_mode = S_IFDIR | 0755;
	simple_inode_init_ts(root);
	root->i_op = &pnumafs_dir_iops;
	root->i_fop = &pnumafs_dir_fops;
	set_nlink(root, 2);
	sb->s_root = d_make_root(root);
	return sb->s_root ? 0 : -ENOMEM;
}

static int pnumafs_get_tree(struct fs_context *fc)
{
	return get_tree_single(fc, pnumafs_fill_super);
}

static const struct fs_context_operations pnumafs_context_ops = {
	.get_tree	= pnumafs_get_tree,
};

static int pnumafs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &pnumafs_context_ops;
	return 0;
}

static struct file_system_type pnumafs_type = {
	.owner		= THIS_MODULE,
	.name		= "pnumafs",
	.init_fs_context = pnumafs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

/**
 * pnumafs_init() - register the pnumafs file system type
 *
 * Return: 0 or a negative errno.
 */
int __init pnumafs_init(void)
{
	return register_filesystem(&pnumafs_type);
}
