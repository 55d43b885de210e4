/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PNUMA_SHIM_SLAB_H
#define _PNUMA_SHIM_SLAB_H

#include <stdlib.h>

#define GFP_KERNEL	0

static inline void *kmalloc_array(size_t n, size_t size, int gfp)
{
	return calloc(n, size);
}

static inline void kfree(const void *p)
{
	free((void *)p);
}

#endif
