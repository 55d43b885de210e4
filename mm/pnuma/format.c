// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma on-media format: member geometry, superblock and page metadata
 * encoding, checksums and validation, and recognition of other formats a
 * device may hold. Pure functions of their arguments: no I/O, no locks.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/crc32c.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "format.h"

/**
 * pnuma_geometry_compute() - lay out a member
 * @member_pages: size of the member in pages
 * @geo: the layout
 *
 * Page 0 holds the superblock and the last page its backup. The journal
 * gets 1/512 of the member, within [%PNUMA_JOURNAL_MIN_PAGES,
 * %PNUMA_JOURNAL_MAX_PAGES]; the rest is shared between data pages and
 * their metadata, and the data pages start on a 2 MiB boundary when the
 * member is at least 32 MiB, so that they could be mapped with PMDs.
 *
 * Return: 0, or -ENOSPC if the member is too small for
 * %PNUMA_MIN_DATA_PAGES data pages.
 */
int pnuma_geometry_compute(u64 member_pages, struct pnuma_geometry *geo)
{
	u64 usable, meta, data, start;

	memset(geo, 0, sizeof(*geo));
	if (member_pages < 2 + PNUMA_JOURNAL_MIN_PAGES + 1 + PNUMA_MIN_DATA_PAGES ||
	    member_pages > PNUMA_MAX_LOGICAL_PAGES)
		return -ENOSPC;

	geo->member_pages = member_pages;
	geo->journal_start = 1;
	geo->journal_pages = clamp_t(u64, member_pages / 512,
				     PNUMA_JOURNAL_MIN_PAGES,
				     PNUMA_JOURNAL_MAX_PAGES);
	/* pages left between the journal and the backup superblock */
	usable = member_pages - 2 - geo->journal_pages;
	/* meta * PNUMA_META_PER_PAGE >= data and meta + data == usable */
	meta = DIV_ROUND_UP_ULL(usable, PNUMA_META_PER_PAGE + 1);
	data = usable - meta;

	geo->meta_start = geo->journal_start + geo->journal_pages;
	geo->meta_pages = meta;
	start = geo->meta_start + meta;
	if (member_pages >= PNUMA_DATA_ALIGN_MIN)
		start = round_up(start, PNUMA_DATA_ALIGN_PAGES);
	geo->data_start = start;
	geo->data_pages = min(data, member_pages - 1 - start);
	if (geo->data_pages < PNUMA_MIN_DATA_PAGES)
		return -ENOSPC;
	return 0;
}

/**
 * pnuma_geometry_check() - validate a layout read from the media
 * @geo: the layout
 *
 * Return: NULL if the regions are in order, within the member and large
 * enough, or what is wrong.
 */
const char *pnuma_geometry_check(const struct pnuma_geometry *geo)
{
	if (geo->member_pages > PNUMA_MAX_LOGICAL_PAGES ||
	    geo->journal_pages > PNUMA_MAX_LOGICAL_PAGES ||
	    geo->meta_pages > PNUMA_MAX_LOGICAL_PAGES ||
	    geo->data_pages > PNUMA_MAX_LOGICAL_PAGES ||
	    geo->meta_start > PNUMA_MAX_LOGICAL_PAGES ||
	    geo->data_start > PNUMA_MAX_LOGICAL_PAGES)
		return "geometry out of range";
	if (geo->journal_start != 1 ||
	    geo->journal_pages < PNUMA_JOURNAL_MIN_PAGES)
		return "bad journal geometry";
	if (geo->meta_start < geo->journal_start + geo->journal_pages ||
	    geo->meta_pages * PNUMA_META_PER_PAGE < geo->data_pages)
		return "bad metadata geometry";
	if (geo->data_start < geo->meta_start + geo->meta_pages ||
	    geo->data_pages < PNUMA_MIN_DATA_PAGES ||
	    geo->data_start + geo->data_pages > geo->member_pages - 1)
		return "bad data geometry";
	return NULL;
}

/**
 * pnuma_sb_csum() - checksum of a superblock
 * @sb: the superblock
 *
 * Return: crc32c, seeded with ~0, of every byte before @sb->csum.
 */
u32 pnuma_sb_csum(const struct pnuma_sb *sb)
{
	return crc32c(~0U, sb, offsetof(struct pnuma_sb, csum));
}

/**
 * pnuma_sb_encode() - build a superblock
 * @info: its content
 * @sb: the superblock, checksummed
 */
void pnuma_sb_encode(const struct pnuma_sb_info *info, struct pnuma_sb *sb)
{
	const struct pnuma_geometry *geo = &info->geo;

	memset(sb, 0, sizeof(*sb));
	sb->magic = cpu_to_le64(PNUMA_SB_MAGIC);
	sb->version = cpu_to_le32(PNUMA_SB_VERSION);
	sb->sb_size = cpu_to_le32(sizeof(*sb));
	memcpy(sb->pool_uuid, info->pool_uuid, sizeof(sb->pool_uuid));
	memcpy(sb->member_uuid, info->member_uuid, sizeof(sb->member_uuid));
	sb->member_index = cpu_to_le32(info->member_index);
	sb->member_count = cpu_to_le32(info->member_count);
	sb->home_node = cpu_to_le32(info->home_node);
	sb->page_shift = cpu_to_le32(PNUMA_PAGE_SHIFT);
	sb->feature_compat = cpu_to_le64(0);
	sb->feature_incompat = cpu_to_le64(0);
	sb->feature_ro_compat = cpu_to_le64(0);
	sb->member_pages = cpu_to_le64(geo->member_pages);
	sb->journal_start = cpu_to_le64(geo->journal_start);
	sb->journal_pages = cpu_to_le64(geo->journal_pages);
	sb->meta_start = cpu_to_le64(geo->meta_start);
	sb->meta_pages = cpu_to_le64(geo->meta_pages);
	sb->data_start = cpu_to_le64(geo->data_start);
	sb->data_pages = cpu_to_le64(geo->data_pages);
	sb->pool_logical_pages = cpu_to_le64(info->pool_logical_pages);
	sb->create_time = cpu_to_le64(info->create_time);
	sb->csum = cpu_to_le32(pnuma_sb_csum(sb));
}

static const char *__pnuma_sb_decode(const struct pnuma_sb *sb,
				     struct pnuma_sb_info *info, bool csum)
{
	struct pnuma_sb_info tmp;
	const char *bad;

	if (le64_to_cpu(sb->magic) != PNUMA_SB_MAGIC)
		return "bad magic";
	if (le32_to_cpu(sb->version) != PNUMA_SB_VERSION)
		return "unsupported version";
	if (le32_to_cpu(sb->sb_size) != sizeof(*sb))
		return "bad superblock size";
	if (csum && le32_to_cpu(sb->csum) != pnuma_sb_csum(sb))
		return "bad checksum";
	if (le64_to_cpu(sb->feature_incompat) & ~PNUMA_FEATURE_INCOMPAT_SUPP)
		return "unknown incompatible features";
	if (le64_to_cpu(sb->feature_ro_compat) & ~PNUMA_FEATURE_RO_COMPAT_SUPP)
		return "unknown read-only features";
	if (le32_to_cpu(sb->page_shift) != PNUMA_PAGE_SHIFT)
		return "unsupported page size";

	memset(&tmp, 0, sizeof(tmp));
	memcpy(tmp.pool_uuid, sb->pool_uuid, sizeof(tmp.pool_uuid));
	memcpy(tmp.member_uuid, sb->member_uuid, sizeof(tmp.member_uuid));
	tmp.member_index = le32_to_cpu(sb->member_index);
	tmp.member_count = le32_to_cpu(sb->member_count);
	tmp.home_node = le32_to_cpu(sb->home_node);
	tmp.geo.member_pages = le64_to_cpu(sb->member_pages);
	tmp.geo.journal_start = le64_to_cpu(sb->journal_start);
	tmp.geo.journal_pages = le64_to_cpu(sb->journal_pages);
	tmp.geo.meta_start = le64_to_cpu(sb->meta_start);
	tmp.geo.meta_pages = le64_to_cpu(sb->meta_pages);
	tmp.geo.data_start = le64_to_cpu(sb->data_start);
	tmp.geo.data_pages = le64_to_cpu(sb->data_pages);
	tmp.pool_logical_pages = le64_to_cpu(sb->pool_logical_pages);
	tmp.create_time = le64_to_cpu(sb->create_time);

	if (!tmp.member_count || tmp.member_count > PNUMA_MAX_MEMBERS ||
	    tmp.member_index >= tmp.member_count)
		return "bad member index or count";
	if (!tmp.pool_logical_pages ||
	    tmp.pool_logical_pages > PNUMA_MAX_LOGICAL_PAGES)
		return "bad logical capacity";
	bad = pnuma_geometry_check(&tmp.geo);
	if (bad)
		return bad;
	*info = tmp;
	return NULL;
}

/**
 * pnuma_sb_decode() - validate a superblock read from the media
 * @sb: the superblock
 * @info: its content, filled in only if it is valid
 *
 * The magic, version and size are checked first, then the checksum, then
 * the features and the values.
 *
 * Return: NULL if @sb is a valid version 1 superblock, or what is wrong
 * with it ("bad magic" if it is not a pnuma superblock at all).
 */
const char *pnuma_sb_decode(const struct pnuma_sb *sb,
			    struct pnuma_sb_info *info)
{
	return __pnuma_sb_decode(sb, info, true);
}

/*
 * Why @sb fails its integrity checks (magic, size, checksum), or NULL if
 * it passes them: then it is what a pnuma kernel wrote, whatever it says.
 */
static const char *pnuma_sb_damage(const struct pnuma_sb *sb)
{
	if (le64_to_cpu(sb->magic) != PNUMA_SB_MAGIC)
		return "bad magic";
	if (le32_to_cpu(sb->sb_size) != sizeof(*sb))
		return "bad superblock size";
	if (le32_to_cpu(sb->csum) != pnuma_sb_csum(sb))
		return "bad checksum";
	return NULL;
}

/* How many bytes of @a and @b differ. */
static unsigned int pnuma_sb_distance(const struct pnuma_sb *a,
				      const struct pnuma_sb *b)
{
	const u8 *x = (const u8 *)a, *y = (const u8 *)b;
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(*a); i++)
		n += x[i] != y[i];
	return n;
}

/*
 * A copy failing its integrity checks is a damaged copy of the other one
 * only if it still is that copy but for a few bytes: a head wiped or
 * reused by something else is not pnuma's any more.
 */
#define PNUMA_SB_DAMAGE_BYTES	16

/*
 * @bad, a copy that failed pnuma_sb_decode() (NULL: unreadable), beside
 * @good, a valid one: what damaged it, or NULL if it is no damaged copy
 * of @good (intact but invalid, or something else now).
 */
static const char *pnuma_sb_damaged(const struct pnuma_sb *bad,
				    const struct pnuma_sb *good)
{
	const char *why;

	if (!bad)
		return "media error";
	why = pnuma_sb_damage(bad);
	if (why && pnuma_sb_distance(bad, good) <= PNUMA_SB_DAMAGE_BYTES)
		return why;
	return NULL;
}

/**
 * pnuma_sb_choose() - pick the superblock copy of a member to trust
 * @primary: the copy at page 0, or NULL if it could not be read
 * @backup: the copy read at page @backup_page, or NULL likewise
 * @backup_page: where @backup was read: the last page of the member as
 *	the primary says, or of the device if the primary is not valid
 * @info: the content of the copy chosen, filled in only if one is
 * @damaged: set to NULL, or to what is wrong with the copy not chosen
 * @primary_damaged: set if @damaged is about the primary
 *
 * A copy is damaged if it could not be read (a media error), or if it
 * fails its magic, size or checksum while differing from the other, valid
 * copy in at most %PNUMA_SB_DAMAGE_BYTES bytes: media damage, never
 * anything pnuma wrote. The other copy is then used, and may be rewritten
 * over the damaged one. Anything else refuses the member, since nothing
 * says which copy to trust: a copy intact but invalid (a version, a
 * feature or a value this kernel does not know), two valid copies that
 * differ, a copy that is something else now, or a backup found at the
 * end of the device that belongs to a member of another size.
 *
 * Return: NULL, or why the member cannot be used.
 */
const char *pnuma_sb_choose(const struct pnuma_sb *primary,
			    const struct pnuma_sb *backup, u64 backup_page,
			    struct pnuma_sb_info *info, const char **damaged,
			    bool *primary_damaged)
{
	struct pnuma_sb_info pinfo, binfo;
	const char *pbad = primary ? pnuma_sb_decode(primary, &pinfo) :
				     "media error";
	const char *bbad = backup ? pnuma_sb_decode(backup, &binfo) :
				    "media error";

	/* Standing in for the primary, the backup must be where it belongs. */
	if (pbad && !bbad && binfo.geo.member_pages - 1 != backup_page)
		bbad = "backup superblock out of place";
	*damaged = NULL;
	*primary_damaged = false;
	/*
	 * A valid primary of a member longer than its device: the backup
	 * was read elsewhere; the caller refuses the member for its size.
	 */
	if (!pbad && pinfo.geo.member_pages - 1 != backup_page) {
		*info = pinfo;
		return NULL;
	}
	if (!pbad && !bbad) {
		if (memcmp(primary, backup, sizeof(*primary)))
			return "its primary and backup superblocks differ";
		*info = pinfo;
		return NULL;
	}
	if (pbad && bbad)
		return pbad;
	if (pbad) {
		*damaged = pnuma_sb_damaged(primary, backup);
		if (!*damaged)
			return pbad;
		*info = binfo;
		*primary_damaged = true;
		return NULL;
	}
	*damaged = pnuma_sb_damaged(backup, primary);
	if (!*damaged)
		return bbad;
	*info = pinfo;
	return NULL;
}

/*
 * A copy that fails its checksum and nothing else (pnuma_sb_decode()
 * without the checksum), laid out as pnuma lays out a member of its size,
 * and (a backup, read at @backup_page) at that member's last page.
 */
static bool pnuma_sb_rescuable(const struct pnuma_sb *sb, u64 backup_page,
			       struct pnuma_sb_info *info)
{
	struct pnuma_geometry geo;

	if (le64_to_cpu(sb->magic) != PNUMA_SB_MAGIC ||
	    le32_to_cpu(sb->sb_size) != sizeof(*sb) ||
	    le32_to_cpu(sb->csum) == pnuma_sb_csum(sb) ||
	    __pnuma_sb_decode(sb, info, false) ||
	    pnuma_geometry_compute(info->geo.member_pages, &geo) ||
	    memcmp(&geo, &info->geo, sizeof(geo)))
		return false;
	return !backup_page || backup_page == info->geo.member_pages - 1;
}

/**
 * pnuma_sb_rescue() - a copy a read-only assembly may read a member by
 * @primary: the copy at page 0, or NULL if it could not be read
 * @backup: the copy read at page @backup_page, or NULL likewise
 * @backup_page: where @backup was read (pnuma_sb_choose())
 * @info: the content of the copy chosen, filled in only if one is
 *
 * Only for a member pnuma_sb_choose() refused, and only when no copy is
 * intact (magic, size and checksum, whatever it says: an intact copy of
 * another version or with unknown features forbids any guess): a copy
 * that fails nothing but its checksum (pnuma_sb_rescuable()). Two such
 * copies must be the same but for their checksums; one alone must be
 * within %PNUMA_SB_DAMAGE_BYTES bytes of the other copy if that could be
 * read (or the other is something else now). Nothing may ever be written
 * on the strength of the copy chosen.
 *
 * Return: NULL, or why even a read-only assembly cannot use the member.
 */
const char *pnuma_sb_rescue(const struct pnuma_sb *primary,
			    const struct pnuma_sb *backup, u64 backup_page,
			    struct pnuma_sb_info *info)
{
	struct pnuma_sb_info p, b;
	const struct pnuma_sb *other;
	bool pok, bok;

	if ((primary && !pnuma_sb_damage(primary)) ||
	    (backup && !pnuma_sb_damage(backup)))
		return "a copy is intact";
	pok = primary && pnuma_sb_rescuable(primary, 0, &p);
	bok = backup && pnuma_sb_rescuable(backup, backup_page, &b);
	if (!pok && !bok)
		return "no copy fails only its checksum";
	if (pok && bok) {
		if (memcmp(primary, backup, offsetof(struct pnuma_sb, csum)))
			return "its two copies differ";
	} else {
		other = pok ? backup : primary;
		if (other && pnuma_sb_distance(other, pok ? primary : backup) >
			     PNUMA_SB_DAMAGE_BYTES)
			return "the other copy is something else now";
	}
	*info = pok ? p : b;
	return NULL;
}

/**
 * pnuma_meta_tag() - the tag word of a used metadata entry
 * @owner: the entry's owner word (%PNUMA_OWNER_USED | logical page)
 * @gen: generation of the logical page
 * @member_index: index of the member holding the entry
 * @ppn: data page number of the entry within the member
 *
 * Return: @gen in the low 32 bits, the entry's crc32c in the high 32.
 */
u64 pnuma_meta_tag(u64 owner, u32 gen, u32 member_index, u64 ppn)
{
	struct pnuma_meta_csum c = {
		.owner = cpu_to_le64(owner),
		.gen = cpu_to_le32(gen),
		.member_index = cpu_to_le32(member_index),
		.ppn = cpu_to_le64(ppn),
	};

	return (u64)crc32c(~0U, &c, sizeof(c)) << 32 | gen;
}

/**
 * pnuma_meta_decode() - validate a metadata entry read from the media
 * @meta: the entry
 * @member_index: index of the member it was read from
 * @ppn: its data page number in that member
 * @logical_pages: logical capacity of the pool
 * @lpn: the logical page it holds, or %PNUMA_LPN_FREE
 * @gen: the generation of that logical page (untouched if free)
 *
 * Return: NULL if the entry is free or valid, or what is wrong with it.
 */
const char *pnuma_meta_decode(const struct pnuma_meta *meta, u32 member_index,
			      u64 ppn, u64 logical_pages, u64 *lpn, u32 *gen)
{
	u64 owner = le64_to_cpu(meta->owner);
	u64 tag = le64_to_cpu(meta->tag);

	if (!owner) {
		*lpn = PNUMA_LPN_FREE;
		return NULL;
	}
	if ((owner & ~PNUMA_OWNER_LPN_MASK) != PNUMA_OWNER_USED)
		return "bad owner word";
	if (tag != pnuma_meta_tag(owner, (u32)tag, member_index, ppn))
		return "bad checksum";
	if (!(u32)tag)
		return "bad generation";
	if ((owner & PNUMA_OWNER_LPN_MASK) >= logical_pages)
		return "logical page out of range";
	*lpn = owner & PNUMA_OWNER_LPN_MASK;
	*gen = (u32)tag;
	return NULL;
}

struct pnuma_signature {
	u64 offset;
	const char *magic;
	unsigned int len;
	const char *name;
};

static const struct pnuma_signature pnuma_signatures[] = {
	{ 0,       "XFSB",              4,  "an xfs file system" },
	{ 0,       "LUKS\xba\xbe",      6,  "a LUKS header" },
	{ 0x400,   "\x10\x20\xf5\xf2",  4,  "an f2fs file system" },
	{ 0x438,   "\x53\xef",          2,  "an ext2/3/4 file system" },
	{ 0x10040, "_BHRfS_M",          8,  "a btrfs file system" },
	{ 4086,    "SWAPSPACE2",        10, "a swap area" },
	{ 4086,    "SWAP-SPACE",        10, "a swap area" },
	{ 512,     "EFI PART",          8,  "a GPT partition table" },
	{ 510,     "\x55\xaa",          2,  "a DOS/MBR boot sector" },
};

/**
 * pnuma_foreign_signature() - does a device hold some other format?
 * @dev: the start of the device's contents
 * @dev_bytes: how many bytes @dev covers
 *
 * Looks for the magic numbers of common file systems, swap, LUKS and
 * partition tables at their fixed offsets.
 *
 * Return: a description of what was found, or NULL.
 */
const char *pnuma_foreign_signature(const u8 *dev, u64 dev_bytes)
{
	const struct pnuma_signature *sig;

	for (sig = pnuma_signatures;
	     sig < pnuma_signatures + ARRAY_SIZE(pnuma_signatures); sig++) {
		if (sig->offset + sig->len <= dev_bytes &&
		    !memcmp(dev + sig->offset, sig->magic, sig->len))
			return sig->name;
	}
	return NULL;
}

static u32 pnuma_attr_csum(const struct pnuma_attr *attr, const u8 *uuid)
{
	return crc32c(crc32c(~0U, uuid, 16), attr,
		      offsetof(struct pnuma_attr, csum));
}

/**
 * pnuma_attr_encode() - build a slot of the pool file's attributes
 * @info: the attributes and their sequence number
 * @uuid: the pool's UUID
 * @attr: the slot, checksummed
 */
void pnuma_attr_encode(const struct pnuma_attr_info *info, const u8 *uuid,
		       struct pnuma_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->seq = cpu_to_le64(info->seq);
	attr->mode = cpu_to_le32(info->mode & PNUMA_ATTR_MODE_MASK);
	attr->uid = cpu_to_le32(info->uid);
	attr->gid = cpu_to_le32(info->gid);
	attr->csum = cpu_to_le32(pnuma_attr_csum(attr, uuid));
}

/**
 * pnuma_attr_pick() - the newer valid slot of the pool file's attributes
 * @slots: the %PNUMA_ATTR_SLOTS slots of a member
 * @uuid: the pool's UUID
 * @info: set to the valid slot of highest sequence number, if it is
 *	higher than @info->seq (start with @info->seq 0; call once per
 *	member to pick across members)
 *
 * A slot is valid if its checksum, sequence number and reserved fields
 * are: a torn write leaves the slot it was writing invalid and the other
 * one as it was.
 *
 * Return: true if @info was set.
 */
bool pnuma_attr_pick(const struct pnuma_attr *slots, const u8 *uuid,
		     struct pnuma_attr_info *info)
{
	bool picked = false;
	unsigned int i;

	for (i = 0; i < PNUMA_ATTR_SLOTS; i++) {
		const struct pnuma_attr *a = &slots[i];
		u64 seq = le64_to_cpu(a->seq);

		if (le32_to_cpu(a->csum) != pnuma_attr_csum(a, uuid) ||
		    !seq || a->reserved[0] || a->reserved[1] ||
		    le32_to_cpu(a->mode) & ~PNUMA_ATTR_MODE_MASK ||
		    seq <= info->seq)
			continue;
		info->seq = seq;
		info->mode = le32_to_cpu(a->mode);
		info->uid = le32_to_cpu(a->uid);
		info->gid = le32_to_cpu(a->gid);
		picked = true;
	}
	return picked;
}

#include "tests/format-kunit.h"
