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

#include <time.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define DEV		"/dev/pnuma0"
#define SCHED_DEBUGFS	"/sys/kernel/debug/sched/numa_balancing"
#define TRACEFS		"/sys/kernel/tracing"
#define PAGES		1024UL

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

static long long vmstat_read(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t checksum(const char *p, unsigned long len)
{
	uint64_t h = 1469598103934665603ULL;
	unsigned long i;

	for (i = 0; i < len; i += 8)
		h = (h ^ *(const uint64_t *)(p + i)) * 1099511628211ULL;
	return h;
}

/* Lines of the trace with @a and @b in them. */
static int trace_count(const char *a, const char *b)
{
	FILE *f = fopen(TRACEFS "/trace", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, a) && strstr(line, b);
	fclose(f);
	return n;
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
	ASSERT_EQ(0, write_file("/proc/sys/kernel/numa_balancing", "1"));
	ASSERT_EQ(0, write_file("/proc/sys/kernel/numa_balancing_pmem", "1"));
	ASSERT_EQ(0, write_file(SCHED_DEBUGFS "/scan_delay_ms", "0"));
	ASSERT_EQ(0, write_file(SCHED_DEBUGFS "/scan_period_min_ms", "100"));
	ASSERT_EQ(0, write_file(SCHED_DEBUGFS "/scan_period_max_ms", "500"));
	ASSERT_EQ(0, write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, write_file(TRACEFS "/events/sched/sched_skip_vma_numa/enable",
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
	faults = vmstat_read("numa_pte_updates");
	pnuma_faults = vmstat_read("pnuma_hint_faults");
	moved = vmstat_read("pnuma_numa_pages_migrated");
	ASSERT_EQ(0, pnuma_pin_cpu(pnuma_node_cpu(1)));
	sum = 0;
	end = now_s() + 5;
	while (now_s() < end)
		for (i = 0; i < PAGES; i++)
			for (j = 0; j < PNUMA_PAGE; j += 1024)
				sum += __atomic_load_n((uint64_t *)(dax + i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED) +
				       __atomic_load_n((uint64_t *)(pm + i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED);
	faults = vmstat_read("numa_pte_updates") - faults;
	pnuma_faults = vmstat_read("pnuma_hint_faults") - pnuma_faults;
	moved = vmstat_read("pnuma_numa_pages_migrated") - moved;
	write_file(TRACEFS "/events/sched/sched_skip_vma_numa/enable", "0");

	snprintf(start, sizeof(start), "vm_start=%lX ", (unsigned long)dax);
	TH_LOG("checksum of reads %llx; %lld PTE updates, %lld pnuma hint faults",
	       (unsigned long long)sum, faults, pnuma_faults);
	TH_LOG("%lld pnuma pages moved; the DAX VMA skipped %d times", moved,
	       trace_count(start, "reason=unsuitable"));
	/* NUMA balancing was at work on the pnuma mapping... */
	EXPECT_LT(0, pnuma_faults);
	EXPECT_LT(0, moved);
	/*
	 * ...and skipped the fsdax one every time it came to it: the PTEs it
	 * made PROT_NONE were pnuma's (and a few anonymous ones), not the
	 * file's.
	 */
	EXPECT_GT((long long)PAGES, faults - pnuma_faults);
	EXPECT_LT(0, trace_count(start, "reason=unsuitable"));
	EXPECT_EQ(trace_count(start, ""), trace_count(start, "reason=unsuitable"));
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
