// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_media_test: a move never reads a source page in a range the pmem
 * driver knows to be bad. The test marks the first 64 MiB of the node 0
 * member's device bad through /sys/block/pmemN/badblocks (which cannot be
 * undone until the next boot: scripts/pnuma-check runs this test alone in
 * a boot on fresh NVDIMMs), then moves pages that live there: each fails
 * with -EIO and stays where it was, intact and readable, the pool's
 * media_errors and /proc/vmstat's pnuma_migrate_media_error count it and
 * the kernel log says so. (pnuma_migrate_test checks the same for a
 * failed copy, with fault injection.) And a destination in a bad range is
 * never used: with the first 64 MiB of the node 1 member's device marked
 * bad, pages moved there and pages first touched there all land past it
 * (their physical addresses say so), and the member counts the free pages
 * it took out of use.
 */

#include <sys/klog.h>
#include <linux/mempolicy.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define POOL	"pnuma0"
#define DEV	"/dev/" POOL
#define N	16
#define SEED	0x6d65

FIXTURE(media) {
	int fd;
	unsigned long long logical;
};

FIXTURE_SETUP(media)
{
	const char *skip = pnuma_pool_open(&self->fd, &self->logical);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, self->logical);
}

FIXTURE_TEARDOWN(media)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* N untouched logical pages, written from a CPU of @node. */
static char *fresh_pages(int fd, unsigned long long logical, int node,
			 long long *lpn)
{
	int cpu = pnuma_node_cpu(node);
	char *map;

	*lpn = pnuma_free_window(fd, logical, N);
	if (*lpn < 0 || cpu < 0)
		return NULL;
	map = mmap(NULL, N * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, *lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		return NULL;
	if (pnuma_write_halves(map, N, *lpn, SEED, cpu, cpu)) {
		munmap(map, N * PNUMA_PAGE);
		return NULL;
	}
	return map;
}

/* Pages whose content, mapped or read(), is not what fresh_pages() wrote. */
static int bad_pages(int fd, char *map, long long lpn)
{
	uint64_t want[PNUMA_PAGE / sizeof(uint64_t)];
	uint64_t got[PNUMA_PAGE / sizeof(uint64_t)];
	int i, bad = 0;

	for (i = 0; i < N; i++) {
		pnuma_pattern(want, SEED + (i >= N / 2), lpn + i);
		if (memcmp(map + i * PNUMA_PAGE, want, PNUMA_PAGE) ||
		    pread(fd, got, PNUMA_PAGE, (lpn + i) * PNUMA_PAGE) != PNUMA_PAGE ||
		    memcmp(got, want, PNUMA_PAGE))
			bad++;
	}
	return bad;
}

/* The block device of the member on @node, e.g. "pmem0", or "". */
static void member_device(int node, char *dev, size_t size)
{
	char attr[128];
	int m;

	dev[0] = 0;
	for (m = 0; m < 64; m++) {
		snprintf(attr, sizeof(attr), "%s/%s/members/%d/node", PNUMA_SYSFS,
			 POOL, m);
		if (access(attr, R_OK))
			return;
		if (pnuma_sysfs_num("%s", attr) != node)
			continue;
		snprintf(attr, sizeof(attr), "%s/members/%d/device", POOL, m);
		if (pnuma_sysfs_read(dev, size, PNUMA_SYSFS "/%s", attr) < 0)
			dev[0] = 0;
		return;
	}
}

/* The index of the member on @node, or -1. */
static int member_index(int node)
{
	char attr[128];
	int m;

	for (m = 0; m < 64; m++) {
		snprintf(attr, sizeof(attr), "%s/%s/members/%d/node", PNUMA_SYSFS,
			 POOL, m);
		if (access(attr, R_OK))
			return -1;
		if (pnuma_sysfs_num("%s", attr) == node)
			return m;
	}
	return -1;
}

/* Mark the first 64 MiB of block device @dev bad; 0 or -errno. */
static int mark_first_64m_bad(const char *dev)
{
	char bb[128], range[32];
	int i, err;

	/* The badblocks table takes at most 512 sectors per entry. */
	snprintf(bb, sizeof(bb), "/sys/block/%s/badblocks", dev);
	for (i = 0; i < 64 << 11; i += 512) {
		snprintf(range, sizeof(range), "%d 512", i);
		err = pnuma_write_file(bb, range);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Where in block device @dev the page mapped at @addr is: its physical
 * address (pagemap, as root) less that of the device's sector 0 (the pfn
 * device's resource). -1 if either cannot be read.
 */
static long long device_offset(void *addr, const char *dev)
{
	uint64_t entry;
	char buf[64];

	/* Mapped: a move leaves the page unmapped until the next access. */
	(void)__atomic_load_n((char *)addr, __ATOMIC_RELAXED);
	entry = pnuma_pagemap(addr);
	if (!(entry >> 63) ||
	    pnuma_sysfs_read(buf, sizeof(buf), "/sys/block/%s/device/resource", dev))
		return -1;
	return (long long)((entry & ((1ULL << 55) - 1)) * PNUMA_PAGE) -
	       (long long)strtoull(buf, NULL, 0);
}

/* How many lines of the kernel log contain @needle. */
static int klog_count(const char *needle)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n = 0;
	char *buf, *p;

	if (len <= 0)
		return -1;
	buf = calloc(1, len + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return -1;
	}
	for (p = buf; (p = strstr(p, needle)); p++)
		n++;
	free(buf);
	return n;
}

TEST_F(media, bad_source_range_is_eio_and_stays)
{
	long long lpn, errors, vmstat;
	char dev[32], needle[64];
	int status[N], i, logged;
	char *map;

	member_device(0, dev, sizeof(dev));
	ASSERT_NE(0, dev[0]);
	map = fresh_pages(self->fd, self->logical, 0, &lpn);
	ASSERT_NE(NULL, map);
	for (i = 0; i < N; i++)
		ASSERT_EQ(0, pnuma_node_of(map + i * PNUMA_PAGE));

	/* The first 64 MiB of the device: a fresh pool's first data pages. */
	ASSERT_EQ(0, mark_first_64m_bad(dev));
	errors = pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL);
	vmstat = pnuma_vmstat("pnuma_migrate_media_error");
	snprintf(needle, sizeof(needle), "media error on %s", dev);
	logged = klog_count(needle);
	ASSERT_LE(0, logged);

	for (i = 0; i < N; i++)
		status[i] = 1000;	/* not a status: each must be written */
	ASSERT_EQ(0, pnuma_move_range(map, N, 1, status, MPOL_MF_MOVE_ALL));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(-EIO, status[i]);
		EXPECT_EQ(0, pnuma_node_of(map + i * PNUMA_PAGE));
	}
	EXPECT_EQ(0, bad_pages(self->fd, map, lpn));
	EXPECT_EQ(errors + N,
		  pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL));
	EXPECT_EQ(vmstat + N, pnuma_vmstat("pnuma_migrate_media_error"));
	EXPECT_LT(logged, klog_count(needle));
	EXPECT_EQ(0, pnuma_sysfs_num(PNUMA_SYSFS "/%s/journal_pending", POOL));

	/* Still written and read in place. */
	map[0] ^= 0x5a;
	map[0] ^= 0x5a;
	EXPECT_EQ(0, bad_pages(self->fd, map, lpn));
	munmap(map, N * PNUMA_PAGE);
}

TEST_F(media, bad_destination_range_is_never_used)
{
	char dev[32], path[128], *map, *touched;
	long long lpn, lpn2, bad;
	int status[N], i, m1;

	member_device(1, dev, sizeof(dev));
	m1 = member_index(1);
	ASSERT_NE(0, dev[0]);
	ASSERT_LE(0, m1);
	snprintf(path, sizeof(path), PNUMA_SYSFS "/" POOL "/members/%d/%%s", m1);
	bad = pnuma_sysfs_num(path, "bad_pages");
	ASSERT_LE(0, bad);
	ASSERT_EQ(0, mark_first_64m_bad(dev));

	map = fresh_pages(self->fd, self->logical, 0, &lpn);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, pnuma_move_range(map, N, 1, status, MPOL_MF_MOVE_ALL));
	for (i = 0; i < N; i++) {
		EXPECT_EQ(1, status[i]) TH_LOG("page %d", i);
		EXPECT_LE(64LL << 20, device_offset(map + i * PNUMA_PAGE, dev))
			TH_LOG("page %d moved into the bad range of %s", i, dev);
	}
	EXPECT_EQ(0, bad_pages(self->fd, map, lpn));

	/* First touches on node 1 skip the bad range too. */
	touched = fresh_pages(self->fd, self->logical, 1, &lpn2);
	ASSERT_NE(NULL, touched);
	for (i = 0; i < N; i++) {
		EXPECT_EQ(1, pnuma_node_of(touched + i * PNUMA_PAGE));
		EXPECT_LE(64LL << 20, device_offset(touched + i * PNUMA_PAGE, dev))
			TH_LOG("page %d first touched in the bad range of %s", i, dev);
	}
	/* Counted: the free data pages of those 64 MiB, taken out of use. */
	EXPECT_LT(bad + 8192, pnuma_sysfs_num(path, "bad_pages"));
	munmap(touched, N * PNUMA_PAGE);
	munmap(map, N * PNUMA_PAGE);
}

TEST_HARNESS_MAIN
