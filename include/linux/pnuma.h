/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma: crash-consistent NUMA balancing for persistent memory.
 *
 * The interface pnuma offers to the rest of mm: whether NUMA balancing of
 * pnuma pages is enabled, what core code needs to know about the VMAs
 * that map /dev/pnumaN, and the hooks of move_pages(2) and of NUMA
 * balancing (task_numa_work(), change_pte_range(), do_numa_page()). With
 * CONFIG_PNUMA=n every helper here compiles to the upstream behaviour.
 */
#ifndef _LINUX_PNUMA_H
#define _LINUX_PNUMA_H

#include <linux/errno.h>
#include <linux/jump_label.h>
#include <linux/mm_types.h>
#include <linux/numa.h>
#include <linux/pgtable.h>
#include <linux/types.h>

struct pnuma_move_req;
struct vm_fault;

/**
 * struct pnuma_move_batch - pnuma pages of one move_pages(2) call
 * @mm: the process whose pages move
 * @move_all: MPOL_MF_MOVE_ALL was given
 * @req: the queued pages, allocated for the first one
 * @nr: how many are queued
 */
struct pnuma_move_batch {
	struct mm_struct *mm;
	bool move_all;
	struct pnuma_move_req *req;
	unsigned int nr;
};

#ifdef CONFIG_PNUMA

DECLARE_STATIC_KEY_FALSE(pnuma_balancing_key);
DECLARE_STATIC_KEY_FALSE(pnuma_pools_key);
extern const struct vm_operations_struct pnuma_vm_ops;

/**
 * vma_is_pnuma() - Does a VMA map a pnuma pool?
 * @vma: the VMA
 *
 * Return: true for shared mappings of /dev/pnumaN or of a pool's pnumafs
 * file.
 */
static inline bool vma_is_pnuma(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &pnuma_vm_ops;
}

int pnuma_page_node(struct vm_area_struct *vma, unsigned long addr);
unsigned long pnuma_vma_node_pages(struct vm_area_struct *vma,
				   unsigned long *node_pages);
int __pnuma_move_pages_queue(struct pnuma_move_batch *b, const void __user *p,
			     int node, int index);
int pnuma_move_pages_flush(struct pnuma_move_batch *b, int __user *status,
			   bool all);
void pnuma_move_pages_end(struct pnuma_move_batch *b);
bool pnuma_prot_numa_pte(struct vm_area_struct *vma, pte_t pte,
			 int target_node);
int pnuma_numa_fault(struct vm_fault *vmf, pte_t pte, bool writable,
		     int *flags, int *last_cpupid);

/**
 * pnuma_move_pages_queue() - Queue a page of move_pages(2), if it is pnuma's
 * @b: the call's batch
 * @p: the page's address in @b->mm
 * @node: where to move it
 * @index: its index in the call's arrays
 *
 * Free while no pool is assembled (a static key): without a pool there is
 * no mapping of one, and move_pages(2) pays no VMA lookup for pnuma.
 *
 * Return: 0 if @p is not in a pnuma mapping, 1 if it was queued, or a
 * negative errno to report as its status.
 */
static inline int pnuma_move_pages_queue(struct pnuma_move_batch *b,
					 const void __user *p, int node,
					 int index)
{
	if (!static_branch_unlikely(&pnuma_pools_key))
		return 0;
	return __pnuma_move_pages_queue(b, p, node, index);
}

/**
 * pnuma_balancing_enabled() - Is NUMA balancing of pnuma pages on?
 *
 * Follows /proc/sys/kernel/numa_balancing_pmem. It is a static branch, so
 * that the NUMA-balancing hooks cost nothing while it is off.
 *
 * Return: true if numa_balancing_pmem is 1.
 */
static inline bool pnuma_balancing_enabled(void)
{
	return static_branch_unlikely(&pnuma_balancing_key);
}

/**
 * pnuma_vma_balanced() - Should NUMA balancing scan this VMA as pnuma's?
 * @vma: the VMA
 *
 * Return: true for pnuma mappings while numa_balancing_pmem is 1.
 */
static inline bool pnuma_vma_balanced(const struct vm_area_struct *vma)
{
	return pnuma_balancing_enabled() && vma_is_pnuma(vma);
}

#else /* CONFIG_PNUMA */

static inline bool pnuma_balancing_enabled(void)
{
	return false;
}

static inline bool pnuma_vma_balanced(const struct vm_area_struct *vma)
{
	return false;
}

static inline bool vma_is_pnuma(const struct vm_area_struct *vma)
{
	return false;
}

static inline int pnuma_page_node(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -ENOENT;
}

static inline unsigned long pnuma_vma_node_pages(struct vm_area_struct *vma,
						 unsigned long *node_pages)
{
	return 0;
}

static inline int pnuma_move_pages_queue(struct pnuma_move_batch *b,
					 const void __user *p, int node,
					 int index)
{
	return 0;
}

static inline int pnuma_move_pages_flush(struct pnuma_move_batch *b,
					 int __user *status, bool all)
{
	return 0;
}

static inline void pnuma_move_pages_end(struct pnuma_move_batch *b)
{
}

static inline bool pnuma_prot_numa_pte(struct vm_area_struct *vma, pte_t pte,
				       int target_node)
{
	return false;
}

static inline int pnuma_numa_fault(struct vm_fault *vmf, pte_t pte,
				   bool writable, int *flags, int *last_cpupid)
{
	return NUMA_NO_NODE;
}

#endif /* CONFIG_PNUMA */

#endif /* _LINUX_PNUMA_H */
