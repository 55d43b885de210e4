/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma: crash-consistent NUMA balancing for persistent memory.
 *
 * The interface pnuma offers to the rest of mm: whether NUMA balancing of
 * pnuma pages is enabled. With CONFIG_PNUMA=n every helper here compiles
 * to the upstream behaviour.
 */
#ifndef _LINUX_PNUMA_H
#define _LINUX_PNUMA_H

#include <linux/jump_label.h>
#include <linux/types.h>

#ifdef CONFIG_PNUMA

DECLARE_STATIC_KEY_FALSE(pnuma_balancing_key);

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

#else /* CONFIG_PNUMA */

static inline bool pnuma_balancing_enabled(void)
{
	return false;
}

#endif /* CONFIG_PNUMA */

#endif /* _LINUX_PNUMA_H */
