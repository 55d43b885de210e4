/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PNUMA_SHIM_ERRNO_H
#define _PNUMA_SHIM_ERRNO_H
/* glibc's <errno.h> includes <linux/errno.h>: take the numbers directly. */
#include <asm-generic/errno.h>
#endif
