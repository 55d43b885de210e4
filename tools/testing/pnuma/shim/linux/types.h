/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel types mm/pnuma's pure files use. */
#ifndef _PNUMA_SHIM_TYPES_H
#define _PNUMA_SHIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef long long s64;
typedef uint8_t __u8;
typedef uint32_t __u32;
typedef unsigned long long __u64;
/* The harness runs on little-endian x86: no byte swapping. */
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef unsigned long long __le64;

#define cpu_to_le16(x)	((__le16)(x))
#define cpu_to_le32(x)	((__le32)(x))
#define cpu_to_le64(x)	((__le64)(x))
#define le16_to_cpu(x)	((u16)(x))
#define le32_to_cpu(x)	((u32)(x))
#define le64_to_cpu(x)	((u64)(x))

#define U64_MAX		UINT64_MAX

#endif
