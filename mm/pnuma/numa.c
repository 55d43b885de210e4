// SPDX-License-Identifier: GPL-2.0
/*
 * Automatic NUMA balancing of pnuma pages.
 *
 * Core NUMA balancing scans the mappings of /dev/pnumaN like those of
 * anonymous memory when kernel.numa_balancing_pmem is 1: task_numa_work()
 * walks them, change_pte_range() asks pnuma_prot_numa_pte() whether to make
 * a PTE PROT_NONE, and do_numa_page() hands the hinting fault that follows
 * to pnuma_numa_fault(). That restores the mapping at once, as upstream
 * does, and decides from per-page state what the fault means:
 *
 *  - a fault from the page's own node: local, nothing to do;
 *  - the two-fault filter of upstream's should_numa_migrate_memory(): a
 *    page moves only on the second fault in a row from the same remote
 *    node, or early in a task's life on a private fault;
 *  - hysteresis against ping-pong: a page that moved stays put for a hold
 *    time that doubles each time it moves again soon after its last move
 *    (pages shared by CPUs on several nodes), and is reset once the page
 *    stays put long enough;
 *  - kernel.numa_balancing_pmem_rate_limit_MBps bounds the pages moved
 *    into each member per second, to spare the endurance of its media;
 *  - the page moves to a member on the faulting CPU's node (the one with
 *    the most room); where they are full, a cold page of theirs moves
 *    out first (an exchange, pnuma_migrate()).
 *
 * A page that should move is queued; a worker per pool moves the queued
 * pages in batches through the journal (pnuma_migrate()), so the faulting
 * task never waits for a move, and a move is as crash consistent as one
 * asked for with move_pages(2).
 *
 * The per-page state is a u64 per logical page, in DRAM, kept across moves,
 * allocated for 512 logical pages (2 MiB) at a time at the first hinting
 * fault on one of them, so that no allocation is sized by the capacity of
 * the pool and untouched ranges cost nothing:
 *
 *   bits  0-31  cpupid of the last hinting fault (cpu_pid_to_cpupid())
 *   bit     32  the cpupid is valid
 *   bit     33  the page is queued for a move
 *   bit     34  the page has moved, or failed to (the stamp is valid)
 *   bits 35-37  backoff level: the hold time is PNUMA_NUMA_HOLD_MS << level
 *   bits 38-63  when it last moved, in units of 16 ms (wraps in 12 days)
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/bitfield.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/pnuma.h>
#include <linux/sched.h>
#include <linux/sched/numa_balancing.h>
#include <linux/sched/sysctl.h>
#include <linux/slab.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/pnuma.h>

#define PNUMA_NS_CPUPID		GENMASK_ULL(31, 0)
#define PNUMA_NS_VALID		BIT_ULL(32)
#define PNUMA_NS_QUEUED		BIT_ULL(33)
#define PNUMA_NS_MOVED		BIT_ULL(34)
#define PNUMA_NS_LEVEL		GENMASK_ULL(37, 35)
#define PNUMA_NS_STAMP		GENMASK_ULL(63, 38)

/* What a tick of the stamp is worth, and the first hold time. */
#define PNUMA_NUMA_TICK_SHIFT	4	/* 16 ms */
#define PNUMA_NUMA_HOLD_MS	1000
/* A move within this many hold times of the last one raises the level. */
#define PNUMA_NUMA_BOUNCE	4
/* Pages moved per call of pnuma_migrate() by the worker. */
#define PNUMA_NUMA_BATCH	64
/* Logical pages whose states are allocated together. */
#define PNUMA_NS_CHUNK_SHIFT	9
#define PNUMA_NS_CHUNK		BIT(PNUMA_NS_CHUNK_SHIFT)

/**
 * pnuma_numa_now() - the time, in the unit of the stamp
 *
 * Return: milliseconds since boot / 16, modulo the width of the stamp.
 */
static u32 pnuma_numa_now(void)
{
	return (jiffies_to_msecs(jiffies) >> PNUMA_NUMA_TICK_SHIFT) &
		FIELD_MAX(PNUMA_NS_STAMP);
}

/* Ticks since @stamp, modulo the width of the stamp. */
static u32 pnuma_numa_since(u32 now, u64 state)
{
	return (now - FIELD_GET(PNUMA_NS_STAMP, state)) &
		FIELD_MAX(PNUMA_NS_STAMP);
}

static u32 pnuma_numa_hold(u64 state)
{
	return (PNUMA_NUMA_HOLD_MS << FIELD_GET(PNUMA_NS_LEVEL, state)) >>
		PNUMA_NUMA_TICK_SHIFT;
}

/**
 * pnuma_numa_decide() - what a hinting fault on a pnuma page means
 * @old: the page's state
 * @f: the fault
 * @new: the page's state after it
 *
 * A pure function of its arguments, so that KUnit can drive it.
 *
 * Return: the verdict; with %PNUMA_NV_MIGRATE, @new marks the page queued.
 */
enum pnuma_numa_verdict pnuma_numa_decide(u64 old,
					  const struct pnuma_numa_fault *f,
					  u64 *new)
{
	int last = (int)FIELD_GET(PNUMA_NS_CPUPID, old);
	bool valid = old & PNUMA_NS_VALID;

	*new = (old & ~PNUMA_NS_CPUPID) | PNUMA_NS_VALID |
		FIELD_PREP(PNUMA_NS_CPUPID, (u32)f->cpupid);

	if (f->this_nid == f->page_nid)
		return PNUMA_NV_LOCAL;
	/*
	 * Upstream's two-fault filter: move on the second fault in a row from
	 * this node; early in a task's life, also on a first fault or one
	 * from the same task (a private page).
	 */
	if (!(f->early && (!valid || __cpupid_match_pid(f->pid, last))) &&
	    (!valid || cpupid_to_nid(last) != f->this_nid))
		return PNUMA_NV_FILTER;
	if (old & PNUMA_NS_QUEUED)
		return PNUMA_NV_QUEUED;
	if ((old & PNUMA_NS_MOVED) &&
	    pnuma_numa_since(f->now, old) < pnuma_numa_hold(old))
		return PNUMA_NV_BACKOFF;
	*new |= PNUMA_NS_QUEUED;
	return PNUMA_NV_MIGRATE;
}

/**
 * pnuma_numa_moved() - the state of a page after the worker tried it
 * @old: its state
 * @held: it moved, or failed to (pinned, a media error, no room):
 *	either way it is held back for its hold time
 * @now: pnuma_numa_now()
 *
 * A page that moves again within %PNUMA_NUMA_BOUNCE hold times of its last
 * move is bouncing between nodes: its hold time doubles (up to 2 minutes).
 * One that stayed put longer starts again from the first hold time. A page
 * whose moves keep failing backs off the same way.
 *
 * Return: the new state, no longer queued.
 */
u64 pnuma_numa_moved(u64 old, bool held, u32 now)
{
	u64 level = FIELD_GET(PNUMA_NS_LEVEL, old);
	u64 new = old & ~PNUMA_NS_QUEUED;

	if (!held)
		return new;
	if ((old & PNUMA_NS_MOVED) &&
	    pnuma_numa_since(now, old) < PNUMA_NUMA_BOUNCE * pnuma_numa_hold(old))
		level = min_t(u64, level + 1, FIELD_MAX(PNUMA_NS_LEVEL));
	else
		level = 0;
	new &= ~(PNUMA_NS_LEVEL | PNUMA_NS_STAMP);
	return new | PNUMA_NS_MOVED | FIELD_PREP(PNUMA_NS_LEVEL, level) |
		FIELD_PREP(PNUMA_NS_STAMP, now);
}

/*
 * The balancing state of logical page @lpn. If its range has none yet,
 * allocate it when @alloc (without sleeping: faults hold the PTE lock),
 * or return NULL; NULL too when memory is short.
 */
static atomic64_t *pnuma_numa_state(struct pnuma_numa *numa, u64 lpn,
				    bool alloc)
{
	const gfp_t gfp = GFP_NOWAIT | __GFP_NOWARN;
	unsigned long idx = lpn >> PNUMA_NS_CHUNK_SHIFT;
	atomic64_t *chunk = xa_load(&numa->state, idx);
	atomic64_t *old;

	if (!chunk && alloc) {
		chunk = kcalloc(PNUMA_NS_CHUNK, sizeof(*chunk), gfp);
		if (!chunk)
			return NULL;
		old = xa_cmpxchg(&numa->state, idx, NULL, chunk, gfp);
		if (old) {
			kfree(chunk);
			chunk = xa_is_err(old) ? NULL : old;
		}
	}
	return chunk ? &chunk[lpn & (PNUMA_NS_CHUNK - 1)] : NULL;
}

/* The member holding @pfn, and its data page number there. */
static struct pnuma_member *pnuma_pfn_member(struct pnuma_pool *pool,
					     unsigned long pfn, u64 *ppn)
{
	unsigned int i;

	for (i = 0; i < pool->nr_members; i++) {
		struct pnuma_member *m = pool->members[i];
		unsigned long first = m->base_pfn + m->media.sb.geo.data_start;

		if (pfn >= first && pfn - first < m->media.sb.geo.data_pages) {
			*ppn = pfn - first;
			return m;
		}
	}
	return NULL;
}

/**
 * pnuma_prot_numa_pte() - should a NUMA scan make this PTE PROT_NONE?
 * @vma: a mapping of /dev/pnumaN
 * @pte: one of its present PTEs
 * @target_node: the node a single-threaded process runs on, or
 *	NUMA_NO_NODE (see change_pte_range())
 *
 * Upstream leaves alone the pages of a single-threaded process that are
 * already on the node it runs on, for private mappings only. The same holds
 * for a pnuma mapping, shared or not: the PTE is this process's own, and
 * its only user runs here; other processes' accesses show in their own
 * PTEs. So pnuma applies it to its shared mappings too.
 *
 * pnuma's balancing is NUMA balancing's normal mode: with
 * kernel.numa_balancing set to memory tiering only (2), upstream leaves
 * the pages of top-tier nodes alone, and pnuma leaves its pages alone.
 *
 * Context: the PTE lock held, in the context of the task being scanned.
 * Return: true if numa_balancing_pmem is on, NUMA balancing is in normal
 * mode, and the page is not already on @target_node nor pinned.
 */
bool pnuma_prot_numa_pte(struct vm_area_struct *vma, pte_t pte,
			 int target_node)
{
	struct pnuma_pool *pool = vma->vm_file->private_data;
	struct pnuma_member *m;
	u64 ppn;

	if (!pnuma_balancing_enabled() || !pool->numa.balanced ||
	    !(READ_ONCE(sysctl_numa_balancing_mode) & NUMA_BALANCING_NORMAL))
		return false;
	if (target_node == NUMA_NO_NODE &&
	    atomic_read(&vma->vm_mm->mm_users) == 1)
		target_node = numa_node_id();
	m = pnuma_pfn_member(pool, pte_pfn(pte), &ppn);
	if (!m || m->node == target_node)
		return false;
	/*
	 * Pinned for DMA, it could not move: no hinting faults for nothing.
	 * (The PTE is present under its lock: the member's memmap is there.)
	 */
	return !pnuma_page_pinned(m, ppn);
}

/* Charge one page to @m's rate limit window; false if it is used up. */
static bool pnuma_numa_rate_ok(struct pnuma_member *m)
{
	u64 limit = (u64)pnuma_rate_limit_mbps() << (20 - PAGE_SHIFT);
	unsigned long now = jiffies;
	bool ok;

	spin_lock(&m->rate_lock);
	if (time_after_eq(now, m->rate_start + HZ)) {
		m->rate_start = now;
		m->rate_pages = 0;
	}
	ok = m->rate_pages < limit;
	if (ok)
		m->rate_pages++;
	spin_unlock(&m->rate_lock);
	return ok;
}

/* Queue @lpn for a move to @node; false if the queue is full. */
static bool pnuma_numa_queue(struct pnuma_pool *pool, u64 lpn, int node)
{
	struct pnuma_numa *numa = &pool->numa;
	bool queued = false;

	spin_lock(&numa->lock);
	if (numa->nr < PNUMA_NUMA_QUEUE &&
	    READ_ONCE(pool->state) == PNUMA_POOL_ACTIVE) {
		numa->queue[numa->nr++] = (struct pnuma_numa_req){
			.lpn = lpn,
			.node = node,
		};
		queued = true;
	}
	spin_unlock(&numa->lock);
	if (queued)
		queue_work(system_unbound_wq, &numa->work);
	return queued;
}

/**
 * pnuma_numa_fault() - a NUMA hinting fault on a pnuma page
 * @vmf: the fault, on a mapping of /dev/pnumaN
 * @pte: the PTE with the VMA's protection back
 * @writable: whether the fault will map the page writable
 * @flags: TNF_* flags for task_numa_fault()
 * @last_cpupid: the page's last cpupid, for task_numa_fault()
 *
 * Called by do_numa_page() instead of looking at a folio, which pnuma's
 * devmap pages do not offer. Counts the fault, runs the policy above and
 * queues the page for a move if it should move; never waits. The caller
 * maps the page again.
 *
 * Context: the PTE lock held: allocations are GFP_NOWAIT, the mapping's
 * lock is only tried.
 * Return: the node of the page, or NUMA_NO_NODE if the fault is not for
 * NUMA balancing to count (numa_balancing_pmem is off).
 */
int pnuma_numa_fault(struct vm_fault *vmf, pte_t pte, bool writable,
		     int *flags, int *last_cpupid)
{
	struct vm_area_struct *vma = vmf->vma;
	struct pnuma_pool *pool = vma->vm_file->private_data;
	struct pnuma_numa_fault f = {
		.this_nid = numa_node_id(),
		.cpupid = cpu_pid_to_cpupid(raw_smp_processor_id(), current->pid),
		.pid = current->pid,
		.early = current->numa_preferred_nid == NUMA_NO_NODE ||
			 current->numa_scan_seq <= 4,
		.now = pnuma_numa_now(),
	};
	struct pnuma_numa *numa = &pool->numa;
	enum pnuma_numa_verdict v;
	struct pnuma_member *src, *dst;
	atomic64_t *state;
	u64 old, new, ppn;

	/* For task_numa_fault(), whenever a node is returned: none known. */
	*last_cpupid = -1 & LAST_CPUPID_MASK;
	if (!pnuma_balancing_enabled() || !numa->balanced ||
	    vmf->pgoff >= pool->logical_pages)
		return NUMA_NO_NODE;
	src = pnuma_pfn_member(pool, pte_pfn(pte), &ppn);
	if (!src)
		return NUMA_NO_NODE;
	f.page_nid = src->node;

	vma_set_access_pid_bit(vma);
	count_vm_numa_event(NUMA_HINT_FAULTS);
	count_vm_event(PNUMA_HINT_FAULTS);
	atomic64_inc(&numa->hint_faults);
	if (f.page_nid == f.this_nid) {
		count_vm_numa_event(NUMA_HINT_FAULTS_LOCAL);
		count_vm_event(PNUMA_HINT_FAULTS_LOCAL);
		atomic64_inc(&numa->hint_faults_local);
		*flags |= TNF_FAULT_LOCAL;
	}
	if (!writable)
		*flags |= TNF_NO_GROUP;
	/*
	 * Upstream's folio_likely_mapped_shared(), which pnuma's devmap
	 * pages cannot answer (they carry no mapcount): task_numa_fault()
	 * groups tasks of different processes only on shared faults. The
	 * PTE lock is held: a busy mapping counts as a private fault.
	 */
	if (pnuma_mapped_elsewhere(vma->vm_file->f_mapping, vmf->pgoff,
				   vma->vm_mm, true))
		*flags |= TNF_SHARED;

	state = pnuma_numa_state(numa, vmf->pgoff, true);
	if (!state)
		return f.page_nid;
	old = atomic64_read(state);
	do {
		v = pnuma_numa_decide(old, &f, &new);
	} while (!atomic64_try_cmpxchg(state, &old, new));
	*last_cpupid = old & PNUMA_NS_VALID ?
		(int)FIELD_GET(PNUMA_NS_CPUPID, old) : -1 & LAST_CPUPID_MASK;

	if (v == PNUMA_NV_BACKOFF) {
		count_vm_event(PNUMA_NUMA_BACKOFF);
		atomic64_inc(&numa->backoff);
	}
	if (v != PNUMA_NV_MIGRATE)
		return f.page_nid;

	/* A full node makes room by an exchange, where members keep some. */
	dst = pnuma_node_member(pool, f.this_nid);
	if (!dst && pool->reserve_pages)
		dst = pnuma_node_any_member(pool, f.this_nid);
	if (dst && !pnuma_numa_rate_ok(dst)) {
		count_vm_event(PNUMA_NUMA_RATE_LIMITED);
		atomic64_inc(&numa->rate_limited);
		dst = NULL;
	}
	if (!dst || !pnuma_numa_queue(pool, vmf->pgoff, f.this_nid))
		atomic64_andnot(PNUMA_NS_QUEUED, state);
	return f.page_nid;
}

/* Move what the faults queued, a batch at a time. */
static void pnuma_numa_work(struct work_struct *work)
{
	struct pnuma_pool *pool = container_of(work, struct pnuma_pool,
					       numa.work);
	struct pnuma_numa *numa = &pool->numa;
	struct pnuma_mig *pages = numa->batch;
	unsigned int i, n, moved, failed;
	u32 now;

	for (;;) {
		spin_lock(&numa->lock);
		n = min_t(unsigned int, numa->nr, PNUMA_NUMA_BATCH);
		for (i = 0; i < n; i++)
			pages[i] = (struct pnuma_mig){
				.lpn = numa->queue[i].lpn,
				.node = numa->queue[i].node,
			};
		numa->nr -= n;
		memmove(numa->queue, numa->queue + n,
			numa->nr * sizeof(numa->queue[0]));
		spin_unlock(&numa->lock);
		if (!n)
			break;

		pnuma_migrate(pool, pages, n, NULL, true,
			      PNUMA_MR_NUMA_BALANCING);
		now = pnuma_numa_now();
		moved = 0;
		failed = 0;
		for (i = 0; i < n; i++) {
			atomic64_t *state = pnuma_numa_state(numa, pages[i].lpn,
							     false);
			bool ok = pages[i].marked && pages[i].status >= 0;
			bool held = ok || pages[i].status < 0;
			u64 old;

			/* Queued: its state exists, and lives as long as the pool. */
			if (WARN_ON_ONCE(!state))
				continue;
			old = atomic64_read(state);

			while (!atomic64_try_cmpxchg(state, &old,
						     pnuma_numa_moved(old, held, now)))
				;
			if (ok)
				moved++;
			else if (pages[i].status < 0)
				failed++;
		}
		count_vm_events(PNUMA_NUMA_PAGES_MIGRATED, moved);
		count_vm_events(PNUMA_NUMA_MIGRATE_FAIL, failed);
		atomic64_add(moved, &numa->migrated);
		atomic64_add(failed, &numa->migrate_failed);
		cond_resched();
	}
}

/**
 * pnuma_numa_init() - initialise a new pool's balancing state
 * @pool: the pool, just allocated
 */
void pnuma_numa_init(struct pnuma_pool *pool)
{
	xa_init(&pool->numa.state);
	spin_lock_init(&pool->numa.lock);
	INIT_WORK(&pool->numa.work, pnuma_numa_work);
}

/**
 * pnuma_numa_setup() - allocate a pool's balancing queue
 * @pool: the pool, its logical capacity known
 *
 * The per-page state comes later, a range at a time (pnuma_numa_state()).
 * A pool for which the queue cannot be had still serves its pages; NUMA
 * balancing leaves it alone, and says so in the log and in sysfs
 * (numa/balanced).
 */
void pnuma_numa_setup(struct pnuma_pool *pool)
{
	struct pnuma_numa *numa = &pool->numa;

	numa->queue = kvcalloc(PNUMA_NUMA_QUEUE, sizeof(*numa->queue),
			       GFP_KERNEL);
	numa->batch = kvcalloc(PNUMA_NUMA_BATCH, sizeof(*numa->batch),
			       GFP_KERNEL);
	if (!numa->queue || !numa->batch) {
		pr_warn("%s: no memory for the NUMA balancing queue; the pool will not be balanced\n",
			pool->name);
		pnuma_numa_free(pool);
		return;
	}
	numa->balanced = true;
}

/**
 * pnuma_numa_stop() - wait for a stopping pool's balancing worker
 * @pool: the pool, no longer active: nothing queues any more
 */
void pnuma_numa_stop(struct pnuma_pool *pool)
{
	flush_work(&pool->numa.work);
}

/**
 * pnuma_numa_hot() - is a page in use from a node, as balancing sees it?
 * @pool: the pool
 * @lpn: the logical page
 * @node: the node
 *
 * For the choice of a cold page to move out of a full node: a page whose
 * last hinting fault came from @node, that is queued to move, or that
 * moved within its hold time, is hot; one without a recorded fault is
 * not.
 *
 * Return: true if it is hot on @node.
 */
bool pnuma_numa_hot(struct pnuma_pool *pool, u64 lpn, int node)
{
	atomic64_t *state = pnuma_numa_state(&pool->numa, lpn, false);
	u64 v;

	if (!state)
		return false;
	v = atomic64_read(state);
	return (v & PNUMA_NS_QUEUED) ||
	       ((v & PNUMA_NS_MOVED) &&
		pnuma_numa_since(pnuma_numa_now(), v) < pnuma_numa_hold(v)) ||
	       ((v & PNUMA_NS_VALID) &&
		cpupid_to_nid((int)FIELD_GET(PNUMA_NS_CPUPID, v)) == node);
}

/**
 * pnuma_numa_note_moved() - hold pages moved by request or by an exchange
 * @pool: the pool
 * @pages: the pages of a pnuma_migrate() call, their statuses set
 * @nr: how many
 *
 * A page a move_pages(2) placed, or an exchange moved out of the way, is
 * held for its hold time like one balancing moved: neither balancing nor
 * the next exchange (pnuma_numa_hot()) moves it straight back, so that a
 * request of more than a batch does not undo its own first batches.
 */
void pnuma_numa_note_moved(struct pnuma_pool *pool,
			   const struct pnuma_mig *pages, unsigned int nr)
{
	u32 now = pnuma_numa_now();
	atomic64_t *state;
	unsigned int i;
	u64 old, new;

	for (i = 0; i < nr; i++) {
		if (!pages[i].marked || pages[i].status < 0)
			continue;
		state = pnuma_numa_state(&pool->numa, pages[i].lpn, true);
		if (!state)
			continue;
		old = atomic64_read(state);
		do {
			new = pnuma_numa_moved(old, true, now) |
			      (old & PNUMA_NS_QUEUED);
		} while (!atomic64_try_cmpxchg(state, &old, new));
	}
}

/**
 * pnuma_numa_free() - free a pool's balancing state
 * @pool: the pool
 */
void pnuma_numa_free(struct pnuma_pool *pool)
{
	struct pnuma_numa *numa = &pool->numa;
	unsigned long idx;
	atomic64_t *chunk;

	numa->balanced = false;
	xa_for_each(&numa->state, idx, chunk)
		kfree(chunk);
	xa_destroy(&numa->state);
	kvfree(numa->queue);
	kvfree(numa->batch);
	numa->queue = NULL;
	numa->batch = NULL;
}

/**
 * pnuma_trace_recovery() - the tracepoint of a recovery pass
 * @pool: the pool, published
 */
void pnuma_trace_recovery(struct pnuma_pool *pool)
{
	trace_pnuma_recovery(pool->id, pool->recovery.replayed,
			     pool->recovery.discarded, pool->recovery_us);
}

/**
 * pnuma_trace_migrate() - the tracepoint of a page move
 * @pool: the pool
 * @p: the page, its status final
 * @reason: why it moved
 */
void pnuma_trace_migrate(struct pnuma_pool *pool, const struct pnuma_mig *p,
			 enum pnuma_migrate_reason reason)
{
	trace_pnuma_migrate(pool->id, p->lpn, p->src ? p->src->node : NUMA_NO_NODE,
			    p->node, p->status, reason);
}

#include "tests/numa-kunit.h"
