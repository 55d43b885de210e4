/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The persistence API of mm/pnuma/pm.h on plain memory, for timing the
 * kernel's recovery code (bench.c): stores are stores, flushes and fences
 * cost nothing. Stands in for pm.h through its include guard.
 */
#ifndef _MM_PNUMA_PM_H
#define _MM_PNUMA_PM_H

#include <string.h>
#include <linux/types.h>

static inline void pnuma_pm_store64(__le64 *dst, u64 val)
{
	__atomic_store_n(dst, val, __ATOMIC_RELAXED);
}

static inline void pnuma_pm_flush(void *addr, size_t len)
{
}

static inline void pnuma_pm_fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void pnuma_pm_memcpy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

static inline void pnuma_pm_zero(void *dst, size_t len)
{
	memset(dst, 0, len);
}

static inline int pnuma_pm_read(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	return 0;
}

static inline int pnuma_pm_copy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	return 0;
}

#endif /* _MM_PNUMA_PM_H */
