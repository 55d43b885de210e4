/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma page metadata on the media: claiming, freeing and reading the
 * entry of a data page (meta.c).
 */
#ifndef _MM_PNUMA_META_H
#define _MM_PNUMA_META_H

#include "format.h"

void pnuma_meta_claim(const struct pnuma_media *m, u64 ppn, u64 lpn, u32 gen);
void pnuma_meta_first_touch(const struct pnuma_media *m, u64 ppn, u64 lpn);
void pnuma_meta_free(const struct pnuma_media *m, u64 ppn);
int pnuma_meta_get(const struct pnuma_media *m, u64 ppn, u64 logical_pages,
		   u64 *lpn, u32 *gen, const char **bad);

#endif /* _MM_PNUMA_META_H */
