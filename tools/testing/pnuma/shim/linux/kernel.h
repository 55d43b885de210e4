/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel.h, math.h and minmax.h helpers the pure files use, on
 * the only type they use them with, u64.
 */
#ifndef _PNUMA_SHIM_KERNEL_H
#define _PNUMA_SHIM_KERNEL_H

#include <stdio.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static inline u64 shim_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 shim_clamp(u64 v, u64 lo, u64 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static inline u64 shim_div_round_up(u64 n, u64 d)
{
	return (n + d - 1) / d;
}

static inline u64 shim_round_up(u64 x, u64 y)
{
	return shim_div_round_up(x, y) * y;
}

#define min(a, b)		shim_min(a, b)
#define min_t(t, a, b)		((t)shim_min(a, b))
#define clamp_t(t, v, lo, hi)	((t)shim_clamp(v, lo, hi))
#define round_up(x, y)		shim_round_up(x, y)
#define DIV_ROUND_UP_ULL(n, d)	shim_div_round_up(n, d)

#endif
