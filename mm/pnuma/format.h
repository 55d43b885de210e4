/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma on-media format, version 1.
 *
 * Every member of a pool (an fsdax persistent-memory namespace) is laid
 * out in 4 KiB pages:
 *
 *   page 0                  superblock (struct pnuma_sb, checksummed),
 *                           at PNUMA_STATE_OFFSET the clean-shutdown word,
 *                           at PNUMA_ATTR_OFFSET the pool file's owner and
 *                           mode (two checksummed slots)
 *   journal_start ...       the redo journal: a ring of 64-byte slots
 *   meta_start ...          one struct pnuma_meta per data page
 *   data_start ...          data pages (2 MiB aligned on members >= 32 MiB)
 *   member_pages - 1        backup copy of the superblock
 *
 * All fields are little endian. Only aligned 8-byte stores are atomic on
 * the media, so every field that changes after format time is one 8-byte
 * word, but for the owner and mode, which alternate between two slots
 * each checked by its crc32c. This header and format.c use nothing but fixed-size types, byte
 * order helpers and crc32c, so that they also build in userspace.
 */
#ifndef _MM_PNUMA_FORMAT_H
#define _MM_PNUMA_FORMAT_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>

#define PNUMA_PAGE_SHIFT	12
#define PNUMA_PAGE_SIZE		BIT(PNUMA_PAGE_SHIFT)

/* "PNUMAPOL" read as a little-endian u64 */
#define PNUMA_SB_MAGIC		0x4c4f50414d554e50ULL
#define PNUMA_SB_VERSION	1
#define PNUMA_MAX_MEMBERS	64
/* The logical capacity of a pool: at most 2^40 pages (4 PiB) */
#define PNUMA_MAX_LOGICAL_PAGES	BIT_ULL(40)
#define PNUMA_NO_NODE		0xffffffffU

/* Known feature bits: none yet in version 1. */
#define PNUMA_FEATURE_COMPAT_SUPP	0ULL
#define PNUMA_FEATURE_INCOMPAT_SUPP	0ULL
#define PNUMA_FEATURE_RO_COMPAT_SUPP	0ULL

/**
 * struct pnuma_sb - superblock of a pool member, at offset 0 of page 0
 * @magic: %PNUMA_SB_MAGIC
 * @version: %PNUMA_SB_VERSION
 * @sb_size: sizeof(struct pnuma_sb)
 * @pool_uuid: identity of the pool, the same on every member
 * @member_uuid: identity of this member
 * @member_index: position of this member in the pool, 0 .. @member_count - 1
 * @member_count: number of members of the pool
 * @home_node: NUMA node nearest to the member when it was formatted
 *	(%PNUMA_NO_NODE if unknown); informational, placement uses the
 *	node the device reports at run time
 * @page_shift: log2 of the page size of the layout (%PNUMA_PAGE_SHIFT)
 * @feature_compat: features an older kernel may ignore
 * @feature_incompat: features an older kernel must not assemble without
 * @feature_ro_compat: features an older kernel may only read
 * @member_pages: size of the member in pages, as formatted
 * @journal_start: first page of the redo journal
 * @journal_pages: pages of the redo journal
 * @meta_start: first page of the page metadata
 * @meta_pages: pages of the page metadata
 * @data_start: first data page
 * @data_pages: number of data pages
 * @pool_logical_pages: logical capacity of the whole pool, in pages
 * @create_time: creation time of the pool, ns since the epoch
 * @reserved: zero
 * @csum: crc32c (seed ~0) of the bytes before it
 *
 * Written once, when the pool is created, here and in the member's last
 * page; never updated afterwards.
 */
struct pnuma_sb {
	__le64 magic;
	__le32 version;
	__le32 sb_size;
	__u8 pool_uuid[16];
	__u8 member_uuid[16];
	__le32 member_index;
	__le32 member_count;
	__le32 home_node;
	__le32 page_shift;
	__le64 feature_compat;
	__le64 feature_incompat;
	__le64 feature_ro_compat;
	__le64 member_pages;
	__le64 journal_start;
	__le64 journal_pages;
	__le64 meta_start;
	__le64 meta_pages;
	__le64 data_start;
	__le64 data_pages;
	__le64 pool_logical_pages;
	__le64 create_time;
	__u8 reserved[92];
	__le32 csum;
};

static_assert(sizeof(struct pnuma_sb) == 256);

/*
 * The clean-shutdown word, page 0 at PNUMA_STATE_OFFSET: outside the
 * checksummed superblock so that one atomic 8-byte store changes it.
 */
#define PNUMA_STATE_OFFSET	256
#define PNUMA_STATE_CLEAN	0x4e41454c43414d50ULL	/* "PMACLEAN" */
#define PNUMA_STATE_DIRTY	0x5954524944414d50ULL	/* "PMADIRTY" */

/*
 * The pool file's owner and mode (pnumafs), page 0 at PNUMA_ATTR_OFFSET:
 * two slots, written in turn, each checksummed with the pool's UUID. The
 * valid slot of highest @seq on any member holds them; none valid (a pool
 * never given an owner: page 0 is zeroed at creation) means root, 0600.
 * Outside the superblock, which is never rewritten, and ignored by a
 * kernel that does not know them.
 */
#define PNUMA_ATTR_OFFSET	512
#define PNUMA_ATTR_SLOTS	2
#define PNUMA_ATTR_MODE_MASK	07777

/**
 * struct pnuma_attr - one slot of the pool file's attributes
 * @seq: how many times they were set, 1 for the first time
 * @mode: permission bits (%PNUMA_ATTR_MODE_MASK)
 * @uid: owner, in the initial user namespace
 * @gid: group, likewise
 * @reserved: zero
 * @csum: crc32c (seed ~0) of the pool's UUID followed by the bytes before
 *	@csum
 */
struct pnuma_attr {
	__le64 seq;
	__le32 mode;
	__le32 uid;
	__le32 gid;
	__le32 reserved[2];
	__le32 csum;
};

static_assert(sizeof(struct pnuma_attr) == 32);
static_assert(PNUMA_STATE_OFFSET + 8 <= PNUMA_ATTR_OFFSET);

/**
 * struct pnuma_attr_info - the pool file's attributes in CPU byte order
 * @seq: as in &struct pnuma_attr; 0 if no slot was valid
 * @mode: permission bits
 * @uid: owner
 * @gid: group
 */
struct pnuma_attr_info {
	u64 seq;
	u32 mode;
	u32 uid;
	u32 gid;
};

/**
 * struct pnuma_meta - persistent metadata of one data page
 * @owner: 0 if the page is free; otherwise %PNUMA_OWNER_USED ORed with
 *	the logical page number the page holds
 * @tag: generation of the logical page (low 32 bits) and the crc32c of
 *	&struct pnuma_meta_csum (high 32 bits)
 *
 * A page is claimed by storing @tag, flushing and fencing, then storing
 * @owner: each store is atomic and @tag is ignored while @owner is 0, so
 * a crash leaves the entry either free or complete. It is freed by
 * storing 0 in @owner. A used @owner has both %PNUMA_OWNER_USED bits set,
 * so that no single flipped bit turns a used page into a free one.
 */
struct pnuma_meta {
	__le64 owner;
	__le64 tag;
};

static_assert(sizeof(struct pnuma_meta) == 16);

#define PNUMA_OWNER_USED	(3ULL << 62)
#define PNUMA_OWNER_LPN_MASK	(PNUMA_MAX_LOGICAL_PAGES - 1)

#define PNUMA_META_PER_PAGE	(PNUMA_PAGE_SIZE / sizeof(struct pnuma_meta))

/*
 * What the metadata checksum covers: the entry and where it belongs, so
 * that an entry copied to the wrong slot or member is caught too.
 */
struct pnuma_meta_csum {
	__le64 owner;
	__le32 gen;
	__le32 member_index;
	__le64 ppn;
};

static_assert(sizeof(struct pnuma_meta_csum) == 24);

/*
 * The redo journal: a ring of 64-byte slots in the journal pages of the
 * member that pages move away from. A record is a header slot followed by
 * its entries, two per slot, in contiguous slots.
 */
#define PNUMA_JSLOT_SIZE	64
#define PNUMA_JREC_MAX_ENTRIES	64
/* State words of a record: "PNJINTNT", "PNJCOMIT"; 0 is free or retired. */
#define PNUMA_JREC_INTENT	0x544e544e494a4e50ULL
#define PNUMA_JREC_COMMIT	0x54494d4f434a4e50ULL

/**
 * struct pnuma_jhdr - header of a journal record
 * @state: 0 (free or retired), %PNUMA_JREC_INTENT or %PNUMA_JREC_COMMIT;
 *	the commit point of a record is the one store that sets it to
 *	%PNUMA_JREC_COMMIT
 * @seq: sequence number of the record in its journal
 * @nr: number of entries, 1 .. %PNUMA_JREC_MAX_ENTRIES
 * @member_index: the member whose journal holds the record
 * @pool_uuid: the pool's UUID
 * @reserved: zero
 * @csum: crc32c (seed ~0) of bytes 8 to 59 of the header followed by the
 *	entries; @state is not covered, so that it can change alone
 */
struct pnuma_jhdr {
	__le64 state;
	__le64 seq;
	__le32 nr;
	__le32 member_index;
	__u8 pool_uuid[16];
	__u8 reserved[20];
	__le32 csum;
};

static_assert(sizeof(struct pnuma_jhdr) == PNUMA_JSLOT_SIZE);

/**
 * struct pnuma_jentry - one page move of a journal record
 * @lpn: the logical page
 * @src_ppn: its data page in the journal's member (the source)
 * @dst_ppn: its data page in the destination member
 * @new_gen: the generation the destination's metadata gets (the source's
 *	plus one)
 * @dst_member: index of the destination member
 */
struct pnuma_jentry {
	__le64 lpn;
	__le64 src_ppn;
	__le64 dst_ppn;
	__le32 new_gen;
	__le32 dst_member;
};

static_assert(sizeof(struct pnuma_jentry) * 2 == PNUMA_JSLOT_SIZE);

/* Slots a record of @nr entries takes. */
static inline unsigned int pnuma_jrec_slots(unsigned int nr)
{
	return 1 + (nr + 1) / 2;
}

/* Geometry limits */
#define PNUMA_JOURNAL_MIN_PAGES	8
#define PNUMA_JOURNAL_MAX_PAGES	1024
#define PNUMA_MIN_DATA_PAGES	16
#define PNUMA_DATA_ALIGN_PAGES	512	/* 2 MiB */
#define PNUMA_DATA_ALIGN_MIN	8192	/* align data on members >= 32 MiB */

/**
 * struct pnuma_geometry - layout of one member, in pages
 * @member_pages: pages of the member
 * @journal_start: first journal page
 * @journal_pages: journal pages
 * @meta_start: first metadata page
 * @meta_pages: metadata pages
 * @data_start: first data page
 * @data_pages: data pages
 */
struct pnuma_geometry {
	u64 member_pages;
	u64 journal_start;
	u64 journal_pages;
	u64 meta_start;
	u64 meta_pages;
	u64 data_start;
	u64 data_pages;
};

/**
 * struct pnuma_sb_info - a superblock in CPU byte order
 * @pool_uuid: pool identity
 * @member_uuid: member identity
 * @member_index: index of the member
 * @member_count: members in the pool
 * @home_node: node at format time, %PNUMA_NO_NODE if unknown
 * @geo: the member's layout
 * @pool_logical_pages: logical capacity of the pool
 * @create_time: creation time, ns since the epoch
 */
struct pnuma_sb_info {
	u8 pool_uuid[16];
	u8 member_uuid[16];
	u32 member_index;
	u32 member_count;
	u32 home_node;
	struct pnuma_geometry geo;
	u64 pool_logical_pages;
	u64 create_time;
};

/**
 * struct pnuma_media - a member's media, as the format code sees it
 * @base: where page 0 of the member is mapped
 * @sb: the member's superblock
 *
 * The code that reads and writes metadata and the journal (meta.c,
 * journal.c) works on this alone, so that it runs in userspace as well,
 * against a simulated persistent memory.
 */
struct pnuma_media {
	void *base;
	struct pnuma_sb_info sb;
};

/* Metadata entry and data page @ppn of a member. */
static inline struct pnuma_meta *pnuma_media_meta(const struct pnuma_media *m,
						  u64 ppn)
{
	return (struct pnuma_meta *)((char *)m->base +
		(m->sb.geo.meta_start << PNUMA_PAGE_SHIFT)) + ppn;
}

static inline void *pnuma_media_data(const struct pnuma_media *m, u64 ppn)
{
	return (char *)m->base + ((m->sb.geo.data_start + ppn) << PNUMA_PAGE_SHIFT);
}

int pnuma_geometry_compute(u64 member_pages, struct pnuma_geometry *geo);
const char *pnuma_geometry_check(const struct pnuma_geometry *geo);
u32 pnuma_sb_csum(const struct pnuma_sb *sb);
void pnuma_sb_encode(const struct pnuma_sb_info *info, struct pnuma_sb *sb);
const char *pnuma_sb_decode(const struct pnuma_sb *sb,
			    struct pnuma_sb_info *info);
const char *pnuma_sb_choose(const struct pnuma_sb *primary,
			    const struct pnuma_sb *backup, u64 backup_page,
			    struct pnuma_sb_info *info, const char **damaged,
			    bool *primary_damaged);
const char *pnuma_sb_rescue(const struct pnuma_sb *primary,
			    const struct pnuma_sb *backup, u64 backup_page,
			    struct pnuma_sb_info *info);
u64 pnuma_meta_tag(u64 owner, u32 gen, u32 member_index, u64 ppn);
#define PNUMA_LPN_FREE		U64_MAX

const char *pnuma_meta_decode(const struct pnuma_meta *meta, u32 member_index,
			      u64 ppn, u64 logical_pages, u64 *lpn, u32 *gen);
const char *pnuma_foreign_signature(const u8 *dev, u64 dev_bytes);
void pnuma_attr_encode(const struct pnuma_attr_info *info, const u8 *uuid,
		       struct pnuma_attr *attr);
bool pnuma_attr_pick(const struct pnuma_attr *slots, const u8 *uuid,
		     struct pnuma_attr_info *info);

#endif /* _MM_PNUMA_FORMAT_H */
