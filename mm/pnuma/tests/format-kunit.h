/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the on-media format of mm/pnuma/format.c: superblock
 * and metadata round trips, rejection of every single-bit flip, geometry
 * of members from the smallest possible to petabytes, and recognition of
 * foreign signatures; slots of the pool file's attributes.
 */

#ifdef CONFIG_PNUMA_KUNIT_TEST

#ifndef _PNUMA_FORMAT_KUNIT_H
#define _PNUMA_FORMAT_KUNIT_H

#include <kunit/test.h>
#include <linux/slab.h>

static void pnuma_test_sb_info(struct pnuma_sb_info *info, u64 member_pages)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < sizeof(info->pool_uuid); i++) {
		info->pool_uuid[i] = 0x10 + i;
		info->member_uuid[i] = 0xa0 + i;
	}
	info->member_index = 1;
	info->member_count = 2;
	info->home_node = 1;
	WARN_ON(pnuma_geometry_compute(member_pages, &info->geo));
	info->pool_logical_pages = 2 * info->geo.data_pages;
	info->create_time = 1764150000123456789ULL;
}

static void pnuma_test_sb_roundtrip(struct kunit *test)
{
	struct pnuma_sb_info in, out;
	struct pnuma_sb sb;

	pnuma_test_sb_info(&in, 64000);
	pnuma_sb_encode(&in, &sb);
	KUNIT_ASSERT_NULL(test, pnuma_sb_decode(&sb, &out));
	KUNIT_EXPECT_MEMEQ(test, &in, &out, sizeof(in));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(sb.magic), PNUMA_SB_MAGIC);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(sb.version), PNUMA_SB_VERSION);
	/* fixed byte order: the magic reads "PNUMAPOL" on every CPU */
	KUNIT_EXPECT_MEMEQ(test, &sb.magic, "PNUMAPOL", 8);
}

/*
 * The pool file's attributes: zeroed slots (every pool before the first
 * chmod) give nothing, the newer valid slot wins within and across
 * members, a torn or flipped slot falls back to the other, and a slot of
 * another pool is not taken.
 */
static void pnuma_test_attr_slots(struct kunit *test)
{
	struct pnuma_attr_info in = { .seq = 1, .mode = 0640, .uid = 1000,
				      .gid = 100 }, out = {};
	struct pnuma_attr slots[PNUMA_ATTR_SLOTS] = {}, other[PNUMA_ATTR_SLOTS];
	u8 uuid[16], uuid2[16];
	unsigned int bit, accepted = 0;

	memset(uuid, 0x5a, sizeof(uuid));
	memset(uuid2, 0x5a, sizeof(uuid2));
	uuid2[15] ^= 1;
	KUNIT_EXPECT_FALSE(test, pnuma_attr_pick(slots, uuid, &out));
	KUNIT_EXPECT_EQ(test, out.seq, 0);

	pnuma_attr_encode(&in, uuid, &slots[1]);
	KUNIT_EXPECT_TRUE(test, pnuma_attr_pick(slots, uuid, &out));
	KUNIT_EXPECT_MEMEQ(test, &in, &out, sizeof(in));
	memset(&out, 0, sizeof(out));
	KUNIT_EXPECT_FALSE(test, pnuma_attr_pick(slots, uuid2, &out));

	/* The second change goes to the other slot; the newer one wins. */
	in.seq = 2;
	in.mode = 0600;
	in.uid = 0;
	pnuma_attr_encode(&in, uuid, &slots[0]);
	memset(&out, 0, sizeof(out));
	KUNIT_EXPECT_TRUE(test, pnuma_attr_pick(slots, uuid, &out));
	KUNIT_EXPECT_MEMEQ(test, &in, &out, sizeof(in));

	/* A member still holding only the older one changes nothing. */
	memcpy(other, slots, sizeof(other));
	memset(&other[0], 0, sizeof(other[0]));
	KUNIT_EXPECT_FALSE(test, pnuma_attr_pick(other, uuid, &out));
	KUNIT_EXPECT_EQ(test, out.seq, 2);

	/* Every flipped bit of the newer slot leaves the older one. */
	for (bit = 0; bit < sizeof(slots[0]) * BITS_PER_BYTE; bit++) {
		memcpy(other, slots, sizeof(other));
		((u8 *)&other[0])[bit / 8] ^= 1 << (bit % 8);
		memset(&out, 0, sizeof(out));
		KUNIT_EXPECT_TRUE(test, pnuma_attr_pick(other, uuid, &out));
		if (out.seq == 2)
			accepted++;
		else
			KUNIT_EXPECT_EQ(test, out.mode, 0640);
	}
	KUNIT_EXPECT_EQ(test, accepted, 0);

	/* Mode bits beyond permissions are refused at decode. */
	in.seq = 3;
	pnuma_attr_encode(&in, uuid, &other[1]);
	other[1].mode = cpu_to_le32(0100600);	/* S_IFREG | 0600 */
	other[1].csum = cpu_to_le32(pnuma_attr_csum(&other[1], uuid));
	memset(&out, 0, sizeof(out));
	pnuma_attr_pick(other, uuid, &out);
	KUNIT_EXPECT_NE(test, out.seq, 3);
}

static void pnuma_test_sb_every_bit_flip(struct kunit *test)
{
	struct pnuma_sb_info in, out;
	struct pnuma_sb sb, bad;
	unsigned int bit, accepted = 0;

	pnuma_test_sb_info(&in, 64000);
	pnuma_sb_encode(&in, &sb);
	for (bit = 0; bit < sizeof(sb) * BITS_PER_BYTE; bit++) {
		bad = sb;
		((u8 *)&bad)[bit / 8] ^= 1 << (bit % 8);
		if (!pnuma_sb_decode(&bad, &out))
			accepted++;
	}
	KUNIT_EXPECT_EQ(test, accepted, 0);
}

static void pnuma_test_sb_reasons(struct kunit *test)
{
	struct pnuma_sb_info in, out;
	struct pnuma_sb sb, bad;

	pnuma_test_sb_info(&in, 64000);
	pnuma_sb_encode(&in, &sb);

	bad = sb;
	bad.magic = 0;
	KUNIT_EXPECT_STREQ(test, pnuma_sb_decode(&bad, &out), "bad magic");

	bad = sb;
	bad.version = cpu_to_le32(2);
	KUNIT_EXPECT_STREQ(test, pnuma_sb_decode(&bad, &out),
			   "unsupported version");

	bad = sb;
	bad.reserved[7] = 1;
	KUNIT_EXPECT_STREQ(test, pnuma_sb_decode(&bad, &out), "bad checksum");

	/* Checksummed but wrong: unknown feature, index out of range. */
	bad = sb;
	bad.feature_incompat = cpu_to_le64(1);
	bad.csum = cpu_to_le32(pnuma_sb_csum(&bad));
	KUNIT_EXPECT_STREQ(test, pnuma_sb_decode(&bad, &out),
			   "unknown incompatible features");

	bad = sb;
	bad.member_index = cpu_to_le32(2);
	bad.csum = cpu_to_le32(pnuma_sb_csum(&bad));
	KUNIT_EXPECT_STREQ(test, pnuma_sb_decode(&bad, &out),
			   "bad member index or count");

	bad = sb;
	bad.data_pages = cpu_to_le64(le64_to_cpu(sb.data_pages) + 1);
	bad.csum = cpu_to_le32(pnuma_sb_csum(&bad));
	KUNIT_EXPECT_NOT_NULL(test, pnuma_sb_decode(&bad, &out));
}

/* Which copy is trusted, for every kind of damage to one or both. */
static void pnuma_test_sb_choose(struct kunit *test)
{
	struct {
		struct pnuma_sb sb, torn, newer, other, zero;
	} *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct pnuma_sb_info in, out;
	const char *damaged;
	u64 last = 64000 - 1;
	bool primary;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pnuma_test_sb_info(&in, 64000);
	pnuma_sb_encode(&in, &c->sb);
	c->torn = c->sb;
	c->torn.reserved[3] ^= 0x40;		/* fails its checksum */
	c->newer = c->sb;
	c->newer.version = cpu_to_le32(2);	/* checksummed: not damage */
	c->newer.csum = cpu_to_le32(pnuma_sb_csum(&c->newer));
	pnuma_test_sb_info(&in, 64000);
	in.create_time++;
	pnuma_sb_encode(&in, &c->other);	/* valid, but not the same */

	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(&c->sb, &c->sb, last, &out,
						&damaged, &primary));
	KUNIT_EXPECT_NULL(test, damaged);

	/* One copy damaged or unreadable: the other is used. */
	memset(&out, 0, sizeof(out));
	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(&c->torn, &c->sb, last, &out,
						&damaged, &primary));
	KUNIT_ASSERT_NOT_NULL(test, damaged);
	KUNIT_EXPECT_STREQ(test, damaged, "bad checksum");
	KUNIT_EXPECT_TRUE(test, primary);
	KUNIT_EXPECT_EQ(test, out.create_time, 1764150000123456789ULL);
	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(&c->sb, &c->torn, last, &out,
						&damaged, &primary));
	KUNIT_ASSERT_NOT_NULL(test, damaged);
	KUNIT_EXPECT_STREQ(test, damaged, "bad checksum");
	KUNIT_EXPECT_FALSE(test, primary);
	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(NULL, &c->sb, last, &out,
						&damaged, &primary));
	KUNIT_ASSERT_NOT_NULL(test, damaged);
	KUNIT_EXPECT_STREQ(test, damaged, "media error");
	c->torn = c->sb;
	c->torn.magic = 0;
	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(&c->torn, &c->sb, last, &out,
						&damaged, &primary));
	KUNIT_ASSERT_NOT_NULL(test, damaged);
	KUNIT_EXPECT_STREQ(test, damaged, "bad magic");
	c->torn = c->sb;
	c->torn.version = cpu_to_le32(2);	/* not checksummed: damage */
	KUNIT_EXPECT_NULL(test, pnuma_sb_choose(&c->torn, &c->sb, last, &out,
						&damaged, &primary));
	KUNIT_ASSERT_NOT_NULL(test, damaged);
	KUNIT_EXPECT_STREQ(test, damaged, "bad checksum");

	/*
	 * Refused: both damaged, an intact copy this kernel cannot read, two
	 * valid copies that disagree, a head that is something else now (not
	 * a few bytes away from the backup), a backup of another size.
	 */
	KUNIT_EXPECT_NOT_NULL(test, pnuma_sb_choose(&c->torn, &c->torn, last,
						    &out, &damaged, &primary));
	KUNIT_EXPECT_STREQ(test, pnuma_sb_choose(&c->newer, &c->sb, last, &out,
						 &damaged, &primary),
			   "unsupported version");
	KUNIT_EXPECT_STREQ(test, pnuma_sb_choose(&c->sb, &c->newer, last, &out,
						 &damaged, &primary),
			   "unsupported version");
	KUNIT_EXPECT_STREQ(test, pnuma_sb_choose(&c->sb, &c->other, last, &out,
						 &damaged, &primary),
			   "its primary and backup superblocks differ");
	KUNIT_EXPECT_STREQ(test, pnuma_sb_choose(&c->zero, &c->sb, last, &out,
						 &damaged, &primary),
			   "bad magic");
	KUNIT_EXPECT_STREQ(test, pnuma_sb_choose(&c->zero, &c->sb, last + 8,
						 &out, &damaged, &primary),
			   "bad magic");
	KUNIT_EXPECT_NOT_NULL(test, pnuma_sb_choose(NULL, &c->sb, last + 8,
						    &out, &damaged, &primary));
}

/* What a read-only assembly may read a member by, and what it may not. */
static void pnuma_test_sb_rescue(struct kunit *test)
{
	struct {
		struct pnuma_sb sb, p, b, newer, moved, wiped;
	} *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct pnuma_sb_info in, out;
	u64 last = 64000 - 1;

	KUNIT_ASSERT_NOT_NULL(test, c);
	pnuma_test_sb_info(&in, 64000);
	pnuma_sb_encode(&in, &c->sb);
	c->p = c->sb;
	c->p.csum = cpu_to_le32(le32_to_cpu(c->sb.csum) ^ 1);
	c->b = c->sb;
	c->b.csum = cpu_to_le32(le32_to_cpu(c->sb.csum) ^ 2);

	/* Both fail only their checksums, and agree: either is read. */
	memset(&out, 0, sizeof(out));
	KUNIT_EXPECT_NULL(test, pnuma_sb_rescue(&c->p, &c->b, last, &out));
	KUNIT_EXPECT_EQ(test, out.geo.member_pages, 64000ULL);
	KUNIT_EXPECT_NULL(test, pnuma_sb_rescue(NULL, &c->b, last, &out));
	KUNIT_EXPECT_NULL(test, pnuma_sb_rescue(&c->p, NULL, last, &out));

	/* An intact copy, even of a version this kernel does not know. */
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(&c->sb, &c->b, last, &out),
			   "a copy is intact");
	c->newer = c->sb;
	c->newer.version = cpu_to_le32(2);
	c->newer.csum = cpu_to_le32(pnuma_sb_csum(&c->newer));
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(&c->newer, &c->b, last, &out),
			   "a copy is intact");

	/* Copies that say different things; a backup out of place. */
	c->b.reserved[0] ^= 1;
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(&c->p, &c->b, last, &out),
			   "its two copies differ");
	c->b.reserved[0] ^= 1;
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(NULL, &c->b, last + 8, &out),
			   "no copy fails only its checksum");

	/* A layout pnuma would not have written, unchecked. */
	c->moved = c->p;
	c->moved.data_start = cpu_to_le64(le64_to_cpu(c->p.data_start) + 1);
	c->moved.data_pages = cpu_to_le64(le64_to_cpu(c->p.data_pages) - 1);
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(&c->moved, NULL, last, &out),
			   "no copy fails only its checksum");

	/* The other copy is something else now: not a damaged copy. */
	memset(&c->wiped, 0xab, sizeof(c->wiped));
	KUNIT_EXPECT_STREQ(test, pnuma_sb_rescue(&c->wiped, &c->b, last, &out),
			   "the other copy is something else now");
}

static void pnuma_test_meta_roundtrip(struct kunit *test)
{
	static const u64 lpns[] = { 0, 1, 4095, 123456789, (1ULL << 40) - 1 };
	struct pnuma_meta meta;
	unsigned int i;
	u64 lpn;
	u32 gen;

	memset(&meta, 0, sizeof(meta));
	KUNIT_EXPECT_NULL(test, pnuma_meta_decode(&meta, 3, 7, 1ULL << 40,
						  &lpn, &gen));
	KUNIT_EXPECT_EQ(test, lpn, PNUMA_LPN_FREE);

	for (i = 0; i < ARRAY_SIZE(lpns); i++) {
		u64 owner = PNUMA_OWNER_USED | lpns[i];

		meta.owner = cpu_to_le64(owner);
		meta.tag = cpu_to_le64(pnuma_meta_tag(owner, 5 + i, 3, 7));
		KUNIT_EXPECT_NULL(test, pnuma_meta_decode(&meta, 3, 7,
							  1ULL << 40, &lpn, &gen));
		KUNIT_EXPECT_EQ(test, lpn, lpns[i]);
		KUNIT_EXPECT_EQ(test, gen, 5 + i);
		/* The same entry in another slot or member is caught. */
		KUNIT_EXPECT_NOT_NULL(test, pnuma_meta_decode(&meta, 3, 8,
							      1ULL << 40, &lpn, &gen));
		KUNIT_EXPECT_NOT_NULL(test, pnuma_meta_decode(&meta, 2, 7,
							      1ULL << 40, &lpn, &gen));
	}
	/* Out of the pool's logical capacity */
	KUNIT_EXPECT_STREQ(test, pnuma_meta_decode(&meta, 3, 7, 100, &lpn, &gen),
			   "logical page out of range");
}

/* No single flipped bit makes a used entry free or valid otherwise. */
static void pnuma_test_meta_every_bit_flip(struct kunit *test)
{
	u64 owner = PNUMA_OWNER_USED | 4096;
	struct pnuma_meta meta, bad;
	unsigned int bit, accepted = 0;
	u64 lpn;
	u32 gen;

	meta.owner = cpu_to_le64(owner);
	meta.tag = cpu_to_le64(pnuma_meta_tag(owner, 1, 0, 42));
	for (bit = 0; bit < sizeof(meta) * BITS_PER_BYTE; bit++) {
		bad = meta;
		((u8 *)&bad)[bit / 8] ^= 1 << (bit % 8);
		if (!pnuma_meta_decode(&bad, 0, 42, 1ULL << 40, &lpn, &gen))
			accepted++;
	}
	KUNIT_EXPECT_EQ(test, accepted, 0);
}

static void pnuma_test_geometry(struct kunit *test)
{
	static const u64 sizes[] = {
		27, 28, 29, 100, 4095, 4096, 8191, 8192, 64000, 65536,
		1ULL << 20, (1ULL << 20) + 1, 1ULL << 28, (1ULL << 38) + 12345,
		1ULL << 40,
	};
	struct pnuma_geometry geo;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pnuma_geometry_compute(0, &geo), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pnuma_geometry_compute(26, &geo), -ENOSPC);
	KUNIT_EXPECT_EQ(test, pnuma_geometry_compute((1ULL << 40) + 1, &geo),
			-ENOSPC);

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 n = sizes[i];

		KUNIT_ASSERT_EQ_MSG(test, pnuma_geometry_compute(n, &geo), 0,
				    "%llu pages", n);
		KUNIT_EXPECT_NULL_MSG(test, pnuma_geometry_check(&geo),
				      "%llu pages", n);
		KUNIT_EXPECT_EQ(test, geo.member_pages, n);
		KUNIT_EXPECT_GE(test, geo.meta_pages * PNUMA_META_PER_PAGE,
				geo.data_pages);
		KUNIT_EXPECT_LE(test, geo.data_start + geo.data_pages, n - 1);
		if (n >= PNUMA_DATA_ALIGN_MIN) {
			KUNIT_EXPECT_EQ(test, geo.data_start % PNUMA_DATA_ALIGN_PAGES, 0);
			/* overhead: journal, metadata, alignment, superblocks */
			KUNIT_EXPECT_GE_MSG(test, geo.data_pages * 100, n * 93,
					    "%llu pages", n);
		}
		if (n >= 1ULL << 20)
			KUNIT_EXPECT_GE_MSG(test, geo.data_pages * 100, n * 99,
					    "%llu pages", n);
	}
	KUNIT_EXPECT_EQ(test, pnuma_geometry_compute(27, &geo), 0);
	KUNIT_EXPECT_EQ(test, geo.data_pages, PNUMA_MIN_DATA_PAGES);
}

static void pnuma_test_foreign_signatures(struct kunit *test)
{
	u64 len = 17 * PNUMA_PAGE_SIZE;
	u8 *dev = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_EXPECT_NULL(test, pnuma_foreign_signature(dev, len));
	dev[0x438] = 0x53;
	dev[0x439] = 0xef;
	KUNIT_EXPECT_STREQ(test, pnuma_foreign_signature(dev, len),
			   "an ext2/3/4 file system");
	/* Too short a device to hold that offset: not recognised there. */
	KUNIT_EXPECT_NULL(test, pnuma_foreign_signature(dev, 0x400));
	memset(dev, 0, len);
	memcpy(dev + 0x10040, "_BHRfS_M", 8);
	KUNIT_EXPECT_STREQ(test, pnuma_foreign_signature(dev, len),
			   "a btrfs file system");
	memset(dev, 0, len);
	memcpy(dev, "XFSB", 4);
	KUNIT_EXPECT_STREQ(test, pnuma_foreign_signature(dev, len),
			   "an xfs file system");
}

static struct kunit_case pnuma_format_test_cases[] = {
	KUNIT_CASE(pnuma_test_sb_roundtrip),
	KUNIT_CASE(pnuma_test_sb_every_bit_flip),
	KUNIT_CASE(pnuma_test_sb_reasons),
	KUNIT_CASE(pnuma_test_sb_choose),
	KUNIT_CASE(pnuma_test_sb_rescue),
	KUNIT_CASE(pnuma_test_meta_roundtrip),
	KUNIT_CASE(pnuma_test_meta_every_bit_flip),
	KUNIT_CASE(pnuma_test_geometry),
	KUNIT_CASE(pnuma_test_foreign_signatures),
	KUNIT_CASE(pnuma_test_attr_slots),
	{},
};

static struct kunit_suite pnuma_format_test_suite = {
	.name = "pnuma-format",
	.test_cases = pnuma_format_test_cases,
};

kunit_test_suite(pnuma_format_test_suite);

#endif /* _PNUMA_FORMAT_KUNIT_H */

#endif /* CONFIG_PNUMA_KUNIT_TEST */
