// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma page metadata on the media: claiming a data page for a logical
 * page, freeing it, and reading an entry back. Every write goes through
 * the persistence API (pm.h), so that this file also builds in userspace
 * against a simulated persistent memory (tools/testing/pnuma/).
 */

#include <linux/errno.h>

#include "meta.h"
#include "pm.h"

/**
 * pnuma_meta_claim() - make a data page hold a logical page
 * @m: the member
 * @ppn: the data page
 * @lpn: the logical page
 * @gen: its generation (1 on the first touch, one more on each move)
 *
 * Stores the tag, makes it durable, then stores the owner: a crash leaves
 * the entry either as it was or claimed, never torn. The owner store is
 * flushed; it is durable after the caller's next fence.
 */
void pnuma_meta_claim(const struct pnuma_media *m, u64 ppn, u64 lpn, u32 gen)
{
	struct pnuma_meta *meta = pnuma_media_meta(m, ppn);
	u64 owner = PNUMA_OWNER_USED | lpn;

	pnuma_pm_store64(&meta->tag,
			 pnuma_meta_tag(owner, gen, m->sb.member_index, ppn));
	pnuma_pm_flush(&meta->tag, sizeof(meta->tag));
	pnuma_pm_fence();
	pnuma_pm_store64(&meta->owner, owner);
	pnuma_pm_flush(&meta->owner, sizeof(meta->owner));
}

/**
 * pnuma_meta_first_touch() - allocate a data page to a logical page, zeroed
 * @m: the member
 * @ppn: the free data page
 * @lpn: the logical page touched for the first time
 *
 * Zeroes the page and makes that durable, then claims it (generation 1)
 * and makes that durable: after a crash at any point the page is either
 * free or allocated and zero.
 */
void pnuma_meta_first_touch(const struct pnuma_media *m, u64 ppn, u64 lpn)
{
	pnuma_pm_zero(pnuma_media_data(m, ppn), PNUMA_PAGE_SIZE);
	pnuma_pm_fence();
	pnuma_meta_claim(m, ppn, lpn, 1);
	pnuma_pm_fence();
}

/**
 * pnuma_meta_free() - make a data page free
 * @m: the member
 * @ppn: the data page
 *
 * One atomic store, flushed; durable after the caller's next fence.
 */
void pnuma_meta_free(const struct pnuma_media *m, u64 ppn)
{
	struct pnuma_meta *meta = pnuma_media_meta(m, ppn);

	pnuma_pm_store64(&meta->owner, 0);
	pnuma_pm_flush(&meta->owner, sizeof(meta->owner));
}

/**
 * pnuma_meta_get() - read and check the entry of a data page
 * @m: the member
 * @ppn: the data page
 * @logical_pages: the pool's logical capacity
 * @lpn: the logical page it holds, or %PNUMA_LPN_FREE
 * @gen: the generation of that logical page
 * @bad: what is wrong with the entry, when it fails
 *
 * Return: 0, -EIO on a media error, -EUCLEAN if the entry is corrupt.
 */
int pnuma_meta_get(const struct pnuma_media *m, u64 ppn, u64 logical_pages,
		   u64 *lpn, u32 *gen, const char **bad)
{
	struct pnuma_meta meta;

	if (pnuma_pm_read(&meta, pnuma_media_meta(m, ppn), sizeof(meta))) {
		*bad = "media error";
		return -EIO;
	}
	*bad = pnuma_meta_decode(&meta, m->sb.member_index, ppn, logical_pages,
				 lpn, gen);
	return *bad ? -EUCLEAN : 0;
}
