/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma's persistence API: every write of pnuma metadata to persistent
 * memory goes through these helpers.
 *
 * The model: only aligned 8-byte stores are failure atomic, and a store
 * is durable only after it has been flushed and a fence has followed.
 * Keeping all metadata writes behind this small interface lets the same
 * callers be compiled in userspace against a simulated persistent memory
 * that loses unflushed stores at a crash (tools/testing/pnuma/).
 */
#ifndef _MM_PNUMA_PM_H
#define _MM_PNUMA_PM_H

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/libnvdimm.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>

/**
 * pnuma_pm_store64() - failure-atomic store of one little-endian word
 * @dst: 8-byte aligned destination in persistent memory
 * @val: value, in CPU byte order
 *
 * Not durable until flushed and fenced.
 */
static inline void pnuma_pm_store64(__le64 *dst, u64 val)
{
	WRITE_ONCE(*dst, cpu_to_le64(val));
}

/**
 * pnuma_pm_flush() - write back the cache lines covering a range
 * @addr: start of the range in persistent memory
 * @len: its length in bytes
 */
static inline void pnuma_pm_flush(void *addr, size_t len)
{
	arch_wb_cache_pmem(addr, len);
}

/**
 * pnuma_pm_fence() - order flushes before later stores
 *
 * After the fence every range flushed before it is durable.
 */
static inline void pnuma_pm_fence(void)
{
	pmem_wmb();
}

/**
 * pnuma_pm_memcpy() - copy to persistent memory and flush
 * @dst: destination in persistent memory
 * @src: source
 * @len: length in bytes
 *
 * Non-temporal or flushed stores: durable after the next fence.
 */
static inline void pnuma_pm_memcpy(void *dst, const void *src, size_t len)
{
	memcpy_flushcache(dst, src, len);
}

/**
 * pnuma_pm_zero() - zero persistent memory and flush
 * @dst: destination in persistent memory
 * @len: length in bytes
 *
 * Durable after the next fence.
 */
static inline void pnuma_pm_zero(void *dst, size_t len)
{
	memset(dst, 0, len);
	arch_wb_cache_pmem(dst, len);
}

/**
 * pnuma_pm_read() - read from persistent memory, stopping at poison
 * @dst: destination in DRAM
 * @src: source in persistent memory
 * @len: length in bytes
 *
 * Return: 0, or -EIO if @src has a media error (no machine check).
 */
static inline int pnuma_pm_read(void *dst, const void *src, size_t len)
{
	return copy_mc_to_kernel(dst, src, len) ? -EIO : 0;
}

/**
 * pnuma_pm_copy() - copy between persistent-memory pages and flush
 * @dst: destination in persistent memory
 * @src: source in persistent memory
 * @len: length in bytes
 *
 * Machine-check safe: poison in @src fails the copy instead of crashing.
 * Durable after the next fence.
 *
 * Return: 0, or -EIO if @src has a media error.
 */
static inline int pnuma_pm_copy(void *dst, const void *src, size_t len)
{
	if (copy_mc_to_kernel(dst, src, len))
		return -EIO;
	arch_wb_cache_pmem(dst, len);
	return 0;
}

#endif /* _MM_PNUMA_PM_H */
