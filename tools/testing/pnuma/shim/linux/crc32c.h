/* SPDX-License-Identifier: GPL-2.0 */
/* crc32c (Castagnoli), as the kernel's crc32c(): no final inversion. */
#ifndef _PNUMA_SHIM_CRC32C_H
#define _PNUMA_SHIM_CRC32C_H

#include <linux/types.h>

static inline u32 crc32c(u32 crc, const void *address, unsigned int length)
{
	static u32 table[256];
	const u8 *p = address;
	unsigned int i, j;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			u32 c = i;

			for (j = 0; j < 8; j++)
				c = c >> 1 ^ (c & 1 ? 0x82f63b78 : 0);
			table[i] = c;
		}
	}
	while (length--)
		crc = crc >> 8 ^ table[(crc ^ *p++) & 0xff];
	return crc;
}

#endif
