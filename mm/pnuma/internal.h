/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma internals shared by the files of mm/pnuma: pools, their members,
 * and the functions each file offers to the others.
 */
#ifndef _MM_PNUMA_INTERNAL_H
#define _MM_PNUMA_INTERNAL_H

#include <linux/blkdev.h>
#include <linux/kobject.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pfn_t.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "format.h"
#include "journal.h"

struct badblocks;
struct dax_device;
struct dentry;
struct pnuma_pool;

/**
 * struct pnuma_jring - a member's journal ring, in DRAM
 * @lock: protects the other fields
 * @wait: where reservations wait for room
 * @slots: slots in the ring
 * @head: next slot to hand out, counted from assembly (monotonic)
 * @tail: oldest slot still in use (monotonic); [@tail, @head) is in use
 * @next_seq: sequence number of the next record
 * @live: reservations not yet released, oldest first
 */
struct pnuma_jring {
	struct mutex lock;		/* protects the fields below */
	wait_queue_head_t wait;
	u64 slots;
	u64 head;
	u64 tail;
	u64 next_seq;
	struct list_head live;
};

/**
 * struct pnuma_member - one persistent-memory namespace of a pool
 * @kobj: /sys/kernel/mm/pnuma/<pool>/members/<index>
 * @pool: the pool
 * @bdev_file: the block device, claimed exclusively with the member as
 *	holder
 * @dax_dev: its DAX device, held with the member as holder
 * @media: its media: kernel address of page 0, and its superblock
 * @base_pfn: pfn of page 0 of the member
 * @dev_pages: size of the device in pages
 * @node: NUMA node of the device (where its CPUs are), or NUMA_NO_NODE
 * @bb: the bad ranges its block device knows of (pmem's badblocks), or
 *	NULL
 * @used: bitmap of its data pages in use, or taken out of use because
 *	they are bad
 * @nr_used: number of data pages in use
 * @nr_bad: number of free data pages taken out of use since assembly
 *	because they are in a bad range
 * @next: where the next allocation starts looking
 * @ring: its journal ring
 * @rate_lock: protects @rate_start and @rate_pages
 * @rate_start: when the current second of the balancing rate limit began
 * @rate_pages: pages NUMA balancing moved into the member in that second
 * @sb_damaged: NULL, or what is wrong with the superblock copy not used;
 *	that copy is rewritten at the next clean stop (under @pool's
 *	alloc_lock)
 * @sb_primary_damaged: @sb_damaged is about the primary copy
 * @name: block device name, e.g. "pmem0"
 *
 * @used, @nr_used, @nr_bad and @next are protected by
 * &pnuma_pool.alloc_lock.
 */
struct pnuma_member {
	struct kobject kobj;
	struct pnuma_pool *pool;
	struct file *bdev_file;
	struct dax_device *dax_dev;
	struct pnuma_media media;
	unsigned long base_pfn;
	u64 dev_pages;
	int node;
	struct badblocks *bb;
	unsigned long *used;
	u64 nr_used;
	u64 nr_bad;
	u64 next;
	struct pnuma_jring ring;
	spinlock_t rate_lock;		/* protects rate_start, rate_pages */
	unsigned long rate_start;
	u64 rate_pages;
	const char *sb_damaged;
	bool sb_primary_damaged;
	char name[BDEVNAME_SIZE];
};

/* Pages waiting for the balancing worker, per pool. */
#define PNUMA_NUMA_QUEUE	4096

/**
 * struct pnuma_numa_req - a page queued for the balancing worker
 * @lpn: the logical page
 * @node: where to move it
 */
struct pnuma_numa_req {
	u64 lpn;
	int node;
};

/**
 * struct pnuma_numa - a pool's automatic NUMA balancing
 * @state: per logical page: last fault, queued, last move (see numa.c),
 *	in arrays of 512 pages indexed by lpn / 512, allocated at the first
 *	hinting fault in their range; freed with the pool
 * @balanced: the queue and the batch are allocated: the pool is balanced
 * @lock: protects @queue and @nr
 * @nr: pages queued
 * @queue: the pages queued, oldest first
 * @batch: the worker's scratch space
 * @work: the worker, moving queued pages through the journal
 * @hint_faults: NUMA hinting faults on the pool's pages
 * @hint_faults_local: those from the page's own node
 * @migrated: pages NUMA balancing moved
 * @migrate_failed: pages it queued that could not move
 * @rate_limited: moves the rate limit held back
 * @backoff: moves the ping-pong hysteresis held back
 */
struct pnuma_numa {
	struct xarray state;
	bool balanced;
	spinlock_t lock;		/* protects queue and nr */
	unsigned int nr;
	struct pnuma_numa_req *queue;
	struct pnuma_mig *batch;
	struct work_struct work;
	atomic64_t hint_faults;
	atomic64_t hint_faults_local;
	atomic64_t migrated;
	atomic64_t migrate_failed;
	atomic64_t rate_limited;
	atomic64_t backoff;
};

/**
 * struct pnuma_rescue - what a read-only assembly left aside
 * @meta_damaged: data pages whose metadata entry could not be read or
 *	failed its checks, left out
 * @meta_unreadable: logical pages such entries named that no other page
 *	holds: reads of them fail with -EIO (the others read as holes)
 * @settled: logical pages held at consecutive generations with the same
 *	content, read from the copy a move would keep
 * @ambiguous: logical pages held twice in a way no move explains: reads
 *	of them fail with -EIO
 * @journal_records: journal records left on the media, unrecovered
 */
struct pnuma_rescue {
	unsigned long meta_damaged;
	unsigned long meta_unreadable;
	unsigned long settled;
	unsigned long ambiguous;
	unsigned long journal_records;
};

enum pnuma_pool_state {
	PNUMA_POOL_SETUP,
	PNUMA_POOL_ACTIVE,
	PNUMA_POOL_STOPPING,
	PNUMA_POOL_DEAD,
};

/**
 * struct pnuma_pool - an assembled pool
 * @kobj: /sys/kernel/mm/pnuma/<name>; the last reference frees the pool
 * @members_kobj: /sys/kernel/mm/pnuma/<name>/members
 * @id: N of /dev/pnumaN
 * @name: "pnumaN"
 * @uuid: the pool's identity
 * @logical_pages: logical capacity: offsets of /dev/pnumaN, in pages
 * @clean_shutdown: the pool had been shut down cleanly before assembly
 * @read_only: assembled read-only, as a way out of damage that refuses a
 *	normal assembly: nothing is ever written to its members
 * @misc: /dev/pnumaN
 * @inode: the inode whose mapping every open of /dev/pnumaN and of its
 *	pnumafs file shares, so that unmap_mapping_range() reaches every
 *	mapping of a page
 * @lock: protects @state and @users
 * @state: being set up, active, stopping, or dead (a member went away)
 * @users: open files of /dev/pnumaN and of its pnumafs file
 * @alloc_lock: serialises page allocation: the members' @used bitmaps and
 *	counters, metadata claims, @state_clean and insertions into @map
 * @state_clean: the members' state words say "clean"
 * @attr: owner and mode of its pnumafs file, as its members hold them
 *	(under @alloc_lock)
 * @map: logical page -> xa_mk_value(ppn << PNUMA_MAP_MEMBER_BITS | member)
 *	for every allocated logical page; lookups under RCU. Entries being
 *	migrated carry %PNUMA_MIGRATING. In a read-only pool, a logical page
 *	whose copies the metadata cannot tell apart maps to
 *	%PNUMA_MAP_UNREADABLE.
 * @fault_lock: held for read by faults and read/write while they look a
 *	page up and map or copy it; migration takes it for write to set
 *	%PNUMA_MIGRATING, so that no fault maps a page it is about to move
 * @migrate_wq: faults waiting for a page to finish moving
 * @fallback_allocs: first touches served by a member other than the one
 *	on the faulting CPU's node
 * @reserve_pages: free data pages per member that a first touch takes
 *	only when no member has others: room for moves in a fully allocated
 *	pool; at most %PNUMA_RESERVE_PAGES, and no more than the members
 *	have beyond the logical capacity
 * @exchange_lock: serialises exchanges, so that two movers neither pick
 *	the same cold pages nor both make the same room
 * @exchange_next: where the search for cold pages to move out of a full
 *	node resumes (a hint)
 * @exchanged: cold pages moved out of a full node to make room
 * @pages_migrated: pages moved since assembly
 * @migrate_failed: pages that could not be moved since assembly
 * @media_errors: those of them that met a media error at the source
 * @recovery: what recovery did at assembly
 * @rescue: what a read-only assembly left aside
 * @recovery_us: how long it took
 * @numa: automatic NUMA balancing of its pages
 * @nr_members: number of members
 * @members: the members, by index
 */
struct pnuma_pool {
	struct kobject kobj;
	struct kobject *members_kobj;
	int id;
	char name[16];
	u8 uuid[16];
	u64 logical_pages;
	bool clean_shutdown;
	bool read_only;
	struct miscdevice misc;
	struct inode *inode;
	spinlock_t lock;		/* protects state and users */
	enum pnuma_pool_state state;
	unsigned int users;
	struct mutex alloc_lock;	/* serialises page allocation */
	bool state_clean;
	struct pnuma_attr_info attr;
	struct xarray map;
	struct rw_semaphore fault_lock;
	wait_queue_head_t migrate_wq;
	atomic64_t fallback_allocs;
	u64 reserve_pages;
	struct mutex exchange_lock;	/* serialises exchanges */
	unsigned long exchange_next;
	atomic64_t exchanged;
	atomic64_t pages_migrated;
	atomic64_t migrate_failed;
	atomic64_t media_errors;
	struct pnuma_recovery recovery;
	struct pnuma_rescue rescue;
	u64 recovery_us;
	struct pnuma_numa numa;
	unsigned int nr_members;
	struct pnuma_member *members[] __counted_by(nr_members);
};

#define PNUMA_MAP_MEMBER_BITS	6
/* The most a member keeps free for moves: one journal record's worth. */
#define PNUMA_RESERVE_PAGES	PNUMA_JREC_MAX_ENTRIES
#define PNUMA_MAP_UNREADABLE	xa_mk_value(LONG_MAX)

/* The end of a refusal's log line where a read-only assembly would do. */
#define PNUMA_RO_HINT	"; to read it anyway: echo readonly > /sys/kernel/mm/pnuma/assemble"
#define PNUMA_MIGRATING		XA_MARK_1
/* Written through a mapping that is not MAP_SYNC since the last fsync(). */
#define PNUMA_DIRTY		XA_MARK_2
static_assert(PNUMA_MAX_MEMBERS <= 1 << PNUMA_MAP_MEMBER_BITS);

/*
 * pnuma_pools_lock serialises creating, assembling and stopping pools,
 * and protects pnuma_pools (id -> pool).
 */
extern struct mutex pnuma_pools_lock;
extern struct xarray pnuma_pools;

/* pool.c */
/**
 * struct pnuma_sb_pair - the two superblock copies read from a device
 * @primary: the copy at page 0
 * @backup: the copy at page @backup_page
 * @primary_ok: @primary was read without a media error
 * @backup_ok: likewise for @backup
 * @backup_page: the member's last page as a valid @primary says, or else
 *	the device's
 */
struct pnuma_sb_pair {
	struct pnuma_sb primary;
	struct pnuma_sb backup;
	bool primary_ok;
	bool backup_ok;
	u64 backup_page;
};

int pnuma_pool_create(const char * const *paths, unsigned int nr, bool force,
		      u64 logical_pages);
int pnuma_pool_assemble(const dev_t *devts, unsigned int nr, bool read_only);
int pnuma_pool_stop(const char *name);
bool pnuma_devt_in_pool(dev_t devt);
struct pnuma_pool *pnuma_pool_find_uuid(const u8 *uuid);
void pnuma_member_set_state(struct pnuma_member *m, u64 state);
int pnuma_pool_set_attr(struct pnuma_pool *pool,
			const struct pnuma_attr_info *attr);
u64 pnuma_pool_used_pages(struct pnuma_pool *pool);
int pnuma_read_superblocks(dev_t devt, struct pnuma_sb_pair *sbs,
			   u64 *dev_pages, char *name);
const char *pnuma_sb_pair_choose(const struct pnuma_sb_pair *sbs,
				 struct pnuma_sb_info *info,
				 const char **damaged, bool *primary_damaged);
const char *pnuma_sb_pair_rescue(const struct pnuma_sb_pair *sbs,
				 struct pnuma_sb_info *info);

/* scan.c */
int pnuma_scan(bool manual, bool read_only);
void pnuma_scan_forget(dev_t devt);
int pnuma_scan_init(void);

/* alloc.c */
int pnuma_page_lookup(struct pnuma_pool *pool, u64 lpn,
		      struct pnuma_member **m, u64 *ppn);
void *pnuma_map_entry(struct pnuma_member *m, u64 ppn);
bool pnuma_member_page_bad(struct pnuma_member *m, u64 page);
bool pnuma_page_bad(struct pnuma_member *m, u64 ppn);
struct pnuma_member *pnuma_node_member(struct pnuma_pool *pool, int node);
u64 pnuma_member_room(struct pnuma_member *m);
u64 pnuma_node_room(struct pnuma_pool *pool, int node);
struct pnuma_member *pnuma_node_any_member(struct pnuma_pool *pool, int node);
int pnuma_page_reserve(struct pnuma_member *m, u64 *ppn);
int pnuma_node_reserve(struct pnuma_pool *pool, int node,
		       struct pnuma_member **m, u64 *ppn);
void pnuma_page_unreserve(struct pnuma_member *m, u64 ppn);
int pnuma_page_get(struct pnuma_pool *pool, u64 lpn, int node,
		   struct pnuma_member **m, u64 *ppn);
int pnuma_map_build(struct pnuma_pool *pool);
void pnuma_alloc_debugfs(struct dentry *dir);

/* migrate.c */
void pnuma_jring_init(struct pnuma_jring *ring, u64 slots);
int pnuma_page_wait(struct pnuma_pool *pool, u64 lpn);
bool pnuma_mapped_elsewhere(struct address_space *mapping, u64 lpn,
			    struct mm_struct *mm, bool atomic);
int pnuma_migrate_init(void);

/* debug.c */
#ifdef CONFIG_PNUMA_DEBUG
void pnuma_debug_init(struct dentry *dir);
#else
static inline void pnuma_debug_init(struct dentry *dir)
{
}
#endif

/**
 * struct pnuma_mig - one page to move, and what became of it
 * @lpn: the logical page
 * @node: the node to move it to
 * @status: the outcome, as move_pages(2) reports it: @node, or a
 *	negative errno
 * @src: its member
 * @src_ppn: its data page there
 * @dst: the member it moves to, chosen when its page is reserved
 * @dst_ppn: the data page reserved there
 * @gen: its generation
 * @marked: %PNUMA_MIGRATING is set on it
 */
struct pnuma_mig {
	u64 lpn;
	int node;
	int status;
	struct pnuma_member *src;
	u64 src_ppn;
	struct pnuma_member *dst;
	u64 dst_ppn;
	u32 gen;
	bool marked;
};

/* Why pages move, for the pnuma_migrate tracepoint. */
enum pnuma_migrate_reason {
	PNUMA_MR_SYSCALL,
	PNUMA_MR_NUMA_BALANCING,
	PNUMA_MR_EXCHANGE,
};

int pnuma_migrate(struct pnuma_pool *pool, struct pnuma_mig *pages,
		  unsigned int nr, struct mm_struct *mm, bool move_all,
		  enum pnuma_migrate_reason reason);

/* numa.c */

/**
 * struct pnuma_numa_fault - a NUMA hinting fault, for the policy
 * @page_nid: node of the page
 * @this_nid: node of the faulting CPU
 * @cpupid: cpu_pid_to_cpupid() of the faulting CPU and task
 * @pid: the faulting task
 * @early: the task is early in its life for NUMA balancing (no preferred
 *	node yet, or at most 4 scan passes)
 * @now: pnuma_numa_now()
 */
struct pnuma_numa_fault {
	int page_nid;
	int this_nid;
	int cpupid;
	pid_t pid;
	bool early;
	u32 now;
};

enum pnuma_numa_verdict {
	PNUMA_NV_LOCAL,		/* the page is on the faulting CPU's node */
	PNUMA_NV_FILTER,	/* not two faults in a row from this node */
	PNUMA_NV_QUEUED,	/* already waiting to move */
	PNUMA_NV_BACKOFF,	/* moved too recently */
	PNUMA_NV_MIGRATE,	/* move it to the faulting CPU's node */
};

enum pnuma_numa_verdict pnuma_numa_decide(u64 old,
					  const struct pnuma_numa_fault *f,
					  u64 *new);
u64 pnuma_numa_moved(u64 old, bool held, u32 now);
void pnuma_numa_init(struct pnuma_pool *pool);
void pnuma_numa_setup(struct pnuma_pool *pool);
void pnuma_numa_stop(struct pnuma_pool *pool);
void pnuma_numa_free(struct pnuma_pool *pool);
bool pnuma_numa_hot(struct pnuma_pool *pool, u64 lpn, int node);
void pnuma_numa_note_moved(struct pnuma_pool *pool,
			   const struct pnuma_mig *pages, unsigned int nr);
void pnuma_trace_recovery(struct pnuma_pool *pool);
void pnuma_trace_migrate(struct pnuma_pool *pool, const struct pnuma_mig *p,
			 enum pnuma_migrate_reason reason);

/* balance.c */
unsigned int pnuma_rate_limit_mbps(void);

/* dev.c */
int pnuma_dev_init(void);
int pnuma_dev_add(struct pnuma_pool *pool);
void pnuma_dev_del(struct pnuma_pool *pool);
bool pnuma_dev_kill(struct pnuma_pool *pool);
int pnuma_file_open(struct pnuma_pool *pool, struct file *file);
vm_fault_t pnuma_fault_hole(struct vm_fault *vmf, struct pnuma_pool *pool,
			    struct pnuma_member **m, u64 *ppn);
int pnuma_file_release(struct inode *inode, struct file *file);
int pnuma_file_mmap(struct file *file, struct vm_area_struct *vma);
loff_t pnuma_file_llseek(struct file *file, loff_t offset, int whence);
ssize_t pnuma_file_read_iter(struct kiocb *iocb, struct iov_iter *to);
ssize_t pnuma_file_write_iter(struct kiocb *iocb, struct iov_iter *from);
int pnuma_file_fsync(struct file *file, loff_t start, loff_t end,
		     int datasync);

/* fs.c */
int pnumafs_init(void);

/* sysfs.c */
int pnuma_sysfs_init(void);
int pnuma_sysfs_add_pool(struct pnuma_pool *pool);
void pnuma_sysfs_del_pool(struct pnuma_pool *pool);
extern const struct kobj_type pnuma_pool_ktype;
extern const struct kobj_type pnuma_member_ktype;

/* Address and pfn of data page @ppn of member @m. */
static inline void *pnuma_data_addr(struct pnuma_member *m, u64 ppn)
{
	return pnuma_media_data(&m->media, ppn);
}

static inline pfn_t pnuma_data_pfn(struct pnuma_member *m, u64 ppn)
{
	return __pfn_to_pfn_t(m->base_pfn + m->media.sb.geo.data_start + ppn,
			      PFN_DEV | PFN_MAP);
}

/*
 * Is data page @ppn of @m pinned (get_user_pages(): DMA, a pipe, direct
 * I/O)? On 6.12 an fsdax-style devmap page idles at a reference count of
 * 1 and its mappings take none; the one place that knows it.
 *
 * Context: inside dax_read_lock() with the member's DAX device alive:
 * the struct page lives in the device's memmap.
 */
static inline bool pnuma_page_pinned(struct pnuma_member *m, u64 ppn)
{
	return page_ref_count(pfn_t_to_page(pnuma_data_pfn(m, ppn))) != 1;
}

#endif /* _MM_PNUMA_INTERNAL_H */
