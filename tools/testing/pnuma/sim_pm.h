/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The persistence API of mm/pnuma/pm.h, on the simulated persistent
 * memory. Included before anything else when the harness compiles the
 * kernel's files: its include guard is pm.h's, so that pm.h itself is
 * skipped (the way tools/testing/vma stands in for vma_internal.h).
 */
#ifndef _MM_PNUMA_PM_H
#define _MM_PNUMA_PM_H

#include <string.h>
#include <linux/types.h>

#include "sim.h"

static inline void pnuma_pm_store64(__le64 *dst, u64 val)
{
	sim_store64(dst, val);
}

static inline void pnuma_pm_flush(void *addr, size_t len)
{
	sim_flush(addr, len);
}

static inline void pnuma_pm_fence(void)
{
	sim_fence();
}

/* memcpy_flushcache(): non-temporal stores */
static inline void pnuma_pm_memcpy(void *dst, const void *src, size_t len)
{
	sim_write(dst, src, len);
}

/* memset() then arch_wb_cache_pmem() */
static inline void pnuma_pm_zero(void *dst, size_t len)
{
	sim_store(dst, NULL, len);
	sim_flush(dst, len);
}

static inline int pnuma_pm_read(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	return 0;
}

/* copy_mc_to_kernel() then arch_wb_cache_pmem() */
static inline int pnuma_pm_copy(void *dst, const void *src, size_t len)
{
	sim_store(dst, src, len);
	sim_flush(dst, len);
	return 0;
}

#endif /* _MM_PNUMA_PM_H */
