// SPDX-License-Identifier: GPL-2.0
/*
 * A DAX mapping that is not pnuma's is left alone by NUMA balancing, with
 * numa_balancing_pmem on: a file on an fsdax file system (ext2 -o dax on
 * a pmem namespace outside any pool), written from node 0 and then read
 * from node 1 while a pnuma mapping in the same process is balanced, is
 * never scanned (the scanner skips its VMA as unsuitable), takes no
 * hinting fault, and reads back exactly what was written.
 *
 * Needs the file system mounted at PNUMA_FSDAX_DIR (make check's fsdax
 * boot sets it up; see scripts/pnuma-check) and a pool, /dev/pnuma0.
 */

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define DEV		"/dev/pnuma0"
#define SCHED_DEBUGFS	"/sys/kernel/debug/sched/numa_balancing"
#define TRACEFS		"/sys/kernel/tracing"
#define PAGES		1024UL

static uint64_t checksum(const char *p, unsigned long len)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned long i;

	for (i = 0; i < len; i += 8)
		h = (h ^ *(const uint64_t *)(p + i)) * 1099511628211ULL;
	return h;
}

TEST(fsdax_untouched)
{
	const char *dir = getenv("PNUMA_FSDAX_DIR");
	uint64_t buf[PNUMA_PAGE / sizeof(uint64_t)], sum, before;
	long long faults, pnuma_faults, moved;
	unsigned long i, j, len = PAGES * PNUMA_PAGE;
	char path[PATH_MAX], start[32];
	char *dax, *pm;
	double end;
	int fd, pfd;

	if (!dir)
		SKIP(return, "PNUMA_FSDAX_DIR is not set");
	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing", "1"));
	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem", "1"));
	ASSERT_EQ(0, pnuma_write_file(SCHED_DEBUGFS "/scan_delay_ms", "0"));
	ASSERT_EQ(0, pnuma_write_file(SCHED_DEBUGFS "/scan_period_min_ms", "100"));
	ASSERT_EQ(0, pnuma_write_file(SCHED_DEBUGFS "/scan_period_max_ms", "500"));
	ASSERT_EQ(0, pnuma_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, pnuma_write_file(TRACEFS "/events/sched/sched_skip_vma_numa/enable",
				      "1"));

	/* The DAX file, written from node 0. */
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, len));
	dax = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, dax);
	ASSERT_EQ(0, pnuma_pin_cpu(pnuma_node_cpu(0)));
	for (i = 0; i < PAGES; i++) {
		pnuma_pattern(buf, 0xda, i);
		memcpy(dax + i * PNUMA_PAGE, buf, PNUMA_PAGE);
	}
	ASSERT_EQ(0, msync(dax, len, MS_SYNC));
	before = checksum(dax, len);

	/* A pnuma mapping beside it, written from node 0 as well. */
	pfd = open(DEV, O_RDWR);
	ASSERT_LE(0, pfd);
	pm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0);
	ASSERT_NE(MAP_FAILED, pm);
	memset(pm, 0x5a, len);

	/* Both read from node 1 for 5 s. */
	faults = pnuma_vmstat("numa_pte_updates");
	pnuma_faults = pnuma_vmstat("pnuma_hint_faults");
	moved = pnuma_vmstat("pnuma_numa_pages_migrated");
	ASSERT_EQ(0, pnuma_pin_cpu(pnuma_node_cpu(1)));
	sum = 0;
	end = pnuma_now() + 5;
	while (pnuma_now() < end)
		for (i = 0; i < PAGES; i++)
			for (j = 0; j < PNUMA_PAGE; j += 1024)
				sum += __atomic_load_n((uint64_t *)(dax + i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED) +
				       __atomic_load_n((uint64_t *)(pm + i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED);
	faults = pnuma_vmstat("numa_pte_updates") - faults;
	pnuma_faults = pnuma_vmstat("pnuma_hint_faults") - pnuma_faults;
	moved = pnuma_vmstat("pnuma_numa_pages_migrated") - moved;
	pnuma_write_file(TRACEFS "/events/sched/sched_skip_vma_numa/enable", "0");

	snprintf(start, sizeof(start), "vm_start=%lX ", (unsigned long)dax);
	TH_LOG("checksum of reads %llx; %lld PTE updates, %lld pnuma hint faults",
	       (unsigned long long)sum, faults, pnuma_faults);
	TH_LOG("%lld pnuma pages moved; the DAX VMA skipped %d times", moved,
	       pnuma_trace_count(start, "reason=unsuitable"));
	/* NUMA balancing was at work on the pnuma mapping... */
	EXPECT_LT(0, pnuma_faults);
	EXPECT_LT(0, moved);
	/*
	 * ...and skipped the fsdax one every time it came to it: the PTEs it
	 * made PROT_NONE were pnuma's (and a few anonymous ones), not the
	 * file's.
	 */
	EXPECT_GT((long long)PAGES, faults - pnuma_faults);
	EXPECT_LT(0, pnuma_trace_count(start, "reason=unsuitable"));
	EXPECT_EQ(pnuma_trace_count(start, ""), pnuma_trace_count(start, "reason=unsuitable"));
	EXPECT_EQ(before, checksum(dax, len));
	for (i = 0; i < PAGES; i++) {
		pnuma_pattern(buf, 0xda, i);
		EXPECT_EQ(0, memcmp(dax + i * PNUMA_PAGE, buf, PNUMA_PAGE));
	}
	munmap(pm, len);
	munmap(dax, len);
	close(pfd);
	close(fd);
}

TEST_HARNESS_MAIN
