/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pnuma

#if !defined(_TRACE_PNUMA_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PNUMA_H

#include <linux/tracepoint.h>

/**
 * pnuma_migrate - a logical page of a pnuma pool was moved, or not
 * @pool: N of /dev/pnumaN
 * @lpn: the logical page (its page offset in /dev/pnumaN)
 * @src_nid: the node it was on, or -1 if it was never touched
 * @dst_nid: the node it was to move to
 * @result: @dst_nid if it is there now, else a negative errno
 * @reason: 0 for move_pages(2), 1 for NUMA balancing, 2 for a cold page
 *	moved out of a full node to make room for those
 */
TRACE_EVENT(pnuma_migrate,

	TP_PROTO(int pool, u64 lpn, int src_nid, int dst_nid, int result,
		 int reason),

	TP_ARGS(pool, lpn, src_nid, dst_nid, result, reason),

	TP_STRUCT__entry(
		__field(u64, lpn)
		__field(int, pool)
		__field(int, src_nid)
		__field(int, dst_nid)
		__field(int, result)
		__field(int, reason)
	),

	TP_fast_assign(
		__entry->lpn = lpn;
		__entry->pool = pool;
		__entry->src_nid = src_nid;
		__entry->dst_nid = dst_nid;
		__entry->result = result;
		__entry->reason = reason;
	),

	TP_printk("pool=pnuma%d lpn=%llu src_nid=%d dst_nid=%d result=%d reason=%s",
		  __entry->pool, __entry->lpn, __entry->src_nid,
		  __entry->dst_nid, __entry->result,
		  __print_symbolic(__entry->reason,
				   { 0, "move_pages" },
				   { 1, "numa_balancing" },
				   { 2, "exchange" }))
);

/**
 * pnuma_recovery - a pool was assembled: what its journal recovery did
 * @pool: N of /dev/pnumaN
 * @replayed: committed records applied again
 * @discarded: uncommitted or damaged records dropped
 * @us: how long recovery took, in microseconds
 */
TRACE_EVENT(pnuma_recovery,

	TP_PROTO(int pool, unsigned long replayed, unsigned long discarded,
		 u64 us),

	TP_ARGS(pool, replayed, discarded, us),

	TP_STRUCT__entry(
		__field(u64, us)
		__field(unsigned long, replayed)
		__field(unsigned long, discarded)
		__field(int, pool)
	),

	TP_fast_assign(
		__entry->us = us;
		__entry->replayed = replayed;
		__entry->discarded = discarded;
		__entry->pool = pool;
	),

	TP_printk("pool=pnuma%d replayed=%lu discarded=%lu us=%llu",
		  __entry->pool, __entry->replayed, __entry->discarded,
		  __entry->us)
);

#endif /* _TRACE_PNUMA_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
