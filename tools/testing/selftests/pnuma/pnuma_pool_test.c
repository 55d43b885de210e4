// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of an assembled pnuma pool, /dev/pnuma0, spanning persistent
 * memory on two NUMA nodes: sysfs status, first-touch placement on the
 * toucher's node as move_pages(2) and numa_maps report it, reads of pages
 * never written allocating nothing (the zero page), read/write and
 * mmap seeing the same pages, sharing between processes, the mmap and
 * open rules, and stopping and re-assembling the pool.
 *
 * Each test works on logical pages nobody has touched yet, so the tests
 * can run again on a pool that is not fresh.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define POOL	"pnuma0"
#define DEV	"/dev/" POOL
#define NOBODY	65534

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif

FIXTURE(pool) {
	int fd;
	unsigned long long logical;
	int cpu[2];
};

FIXTURE_SETUP(pool)
{
	const char *skip = pnuma_pool_open(&self->fd, &self->logical);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, self->logical);
	self->cpu[0] = pnuma_node_cpu(0);
	self->cpu[1] = pnuma_node_cpu(1);
	ASSERT_LE(0, self->cpu[0]);
	ASSERT_LE(0, self->cpu[1]);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Map @n logical pages from @lpn, read-write. */
static char *map_pages(int fd, long long lpn, unsigned long n)
{
	char *p = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, lpn * PNUMA_PAGE);

	return p == MAP_FAILED ? NULL : p;
}

TEST_F(pool, sysfs_status)
{
	long long cap, used, total = 0;
	char buf[128], path[64];
	int nr, i, nodes = 0;
	struct stat st;

	ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), PNUMA_SYSFS "/%s/uuid", POOL));
	EXPECT_EQ(36, strlen(buf));
	ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), PNUMA_SYSFS "/%s/state", POOL));
	EXPECT_STREQ("active", buf);
	nr = pnuma_sysfs_num(PNUMA_SYSFS "/%s/nr_members", POOL);
	ASSERT_EQ(2, nr);
	for (i = 0; i < nr; i++) {
		int node;

		ASSERT_EQ(0, pnuma_sysfs_read(buf, sizeof(buf), PNUMA_SYSFS
					      "/" POOL "/members/%d/device", i));
		snprintf(path, sizeof(path), "/dev/%s", buf);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_TRUE(S_ISBLK(st.st_mode));
		snprintf(path, sizeof(path), PNUMA_SYSFS "/" POOL "/members/%d/%%s", i);
		node = pnuma_sysfs_num(path, "node");
		ASSERT_TRUE(node == 0 || node == 1);
		nodes |= 1 << node;
		cap = pnuma_sysfs_num(path, "capacity_pages");
		used = pnuma_sysfs_num(path, "used_pages");
		EXPECT_LT(0, cap);
		EXPECT_LE(0, used);
		EXPECT_LE(used, cap);
		total += used;
	}
	EXPECT_EQ(3, nodes);
	EXPECT_EQ(total, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
}

/* N0=... and N1=... of the numa_maps line of the mapping at @addr. */
static int numa_maps_counts(void *addr, long *n0, long *n1)
{
	char line[1024], want[32];
	int found = -1;
	char *p;
	FILE *f;

	*n0 = *n1 = 0;
	snprintf(want, sizeof(want), "%lx ", (unsigned long)addr);
	f = fopen("/proc/self/numa_maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)))
			continue;
		found = strstr(line, "file=" DEV) ? 0 : -1;
		p = strstr(line, " N0=");
		if (p)
			*n0 = atol(p + 4);
		p = strstr(line, " N1=");
		if (p)
			*n1 = atol(p + 4);
	}
	fclose(f);
	return found;
}

TEST_F(pool, placement_follows_writer)
{
	enum { HALF = 64, N = 2 * HALF };
	uint64_t expect[PNUMA_PAGE / sizeof(uint64_t)];
	uint64_t got[PNUMA_PAGE / sizeof(uint64_t)];
	void *pages[N];
	int status[N];
	long long lpn;
	unsigned long i;
	long n0, n1;
	char *map;

	lpn = pnuma_free_window(self->fd, self->logical, N);
	ASSERT_LE(0, lpn) TH_LOG("no %d untouched pages left", N);
	map = map_pages(self->fd, lpn, N);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, pnuma_write_halves(map, N, lpn, 0x5eed0, self->cpu[0],
					self->cpu[1]));

	for (i = 0; i < N; i++)
		pages[i] = map + i * PNUMA_PAGE;
	ASSERT_EQ(0, pnuma_page_status(pages, status, N));
	for (i = 0; i < N; i++) {
		int node = i < HALF ? 0 : 1;

		EXPECT_EQ(node, status[i]) TH_LOG("page %lu", i);
	}

	/* Every byte, through the mapping and through pread(). */
	for (i = 0; i < N; i++) {
		pnuma_pattern(expect, i < HALF ? 0x5eed0 : 0x5eed1, lpn + i);
		EXPECT_EQ(0, memcmp(map + i * PNUMA_PAGE, expect, PNUMA_PAGE))
			TH_LOG("page %lu via mmap", i);
		ASSERT_EQ(PNUMA_PAGE, pread(self->fd, got, PNUMA_PAGE,
					    (lpn + i) * PNUMA_PAGE));
		EXPECT_EQ(0, memcmp(got, expect, PNUMA_PAGE))
			TH_LOG("page %lu via pread", i);
	}

	ASSERT_EQ(0, numa_maps_counts(map, &n0, &n1));
	EXPECT_EQ(HALF, n0);
	EXPECT_EQ(HALF, n1);
	munmap(map, N * PNUMA_PAGE);
}

/*
 * Reading pages never written maps the zero page and allocates nothing,
 * through a fault or MAP_POPULATE; the first write allocates each page on
 * the writer's node.
 */
TEST_F(pool, reads_allocate_nothing_writes_allocate_locally)
{
	enum { N = 64 };
	long long lpn, used;
	char *map, *pop;
	unsigned long i;
	uint64_t sum = 0;

	lpn = pnuma_free_window(self->fd, self->logical, 2 * N);
	ASSERT_LE(0, lpn);
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	map = map_pages(self->fd, lpn, N);
	ASSERT_NE(NULL, map);
	for (i = 0; i < N * PNUMA_PAGE; i += 512)
		sum += map[i];
	EXPECT_EQ(0, sum);
	pop = mmap(NULL, N * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_POPULATE, self->fd, (lpn + N) * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, pop);
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	EXPECT_EQ(-ENOENT, pnuma_node_of(map));

	ASSERT_EQ(0, pnuma_pin_cpu(self->cpu[1]));
	for (i = 0; i < N; i++)
		map[i * PNUMA_PAGE + 7] = 0x77;
	EXPECT_EQ(used + N, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	EXPECT_EQ(N, pnuma_pages_on_node(map, N, 1));
	for (i = 0; i < N; i++)
		EXPECT_EQ(0x77, map[i * PNUMA_PAGE + 7]);
	munmap(pop, N * PNUMA_PAGE);
	munmap(map, N * PNUMA_PAGE);
}

/*
 * A page read through one mapping (the zero page) and then written
 * through another mapping, or with pwrite(), shows the data in the first
 * mapping too: allocation replaces the zero page everywhere.
 */
TEST_F(pool, zero_page_is_replaced_in_every_mapping)
{
	long long lpn, used;
	char *a, *b, c = 0x42;
	pid_t pid;
	int status;

	lpn = pnuma_free_window(self->fd, self->logical, 2);
	ASSERT_LE(0, lpn);
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	a = map_pages(self->fd, lpn, 2);
	b = map_pages(self->fd, lpn, 2);
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, b[100]);
	EXPECT_EQ(0, b[PNUMA_PAGE + 100]);
	/* The zero page is what b maps: nothing was allocated. */
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	EXPECT_EQ(-ENOENT, pnuma_node_of(b));
	a[100] = 0x5a;
	EXPECT_EQ(0x5a, b[100]);
	ASSERT_EQ(1, pwrite(self->fd, &c, 1, (lpn + 1) * PNUMA_PAGE + 100));
	EXPECT_EQ(0x42, b[PNUMA_PAGE + 100]);
	EXPECT_EQ(0x42, a[PNUMA_PAGE + 100]);

	/* And in another process that read it before. */
	lpn = pnuma_free_window(self->fd, self->logical, 1);
	ASSERT_LE(0, lpn);
	munmap(a, 2 * PNUMA_PAGE);
	a = map_pages(self->fd, lpn, 1);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, a[5]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *m = map_pages(self->fd, lpn, 1);

		if (!m || m[5])
			_exit(1);
		m[5] = 9;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(9, a[5]);

	/* A written page read first (a read-only PTE), then written. */
	munmap(b, 2 * PNUMA_PAGE);
	b = map_pages(self->fd, lpn, 1);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(9, b[5]);
	b[6] = 10;
	ASSERT_EQ(1, pread(self->fd, &c, 1, lpn * PNUMA_PAGE + 6));
	EXPECT_EQ(10, c);
	EXPECT_EQ(10, a[6]);
	munmap(a, PNUMA_PAGE);
	munmap(b, PNUMA_PAGE);
}

TEST_F(pool, pread_of_untouched_page_is_zero_and_allocates_nothing)
{
	char buf[PNUMA_PAGE], zero[PNUMA_PAGE] = { 0 };
	long long lpn, used;

	lpn = pnuma_free_window(self->fd, self->logical, 1);
	ASSERT_LE(0, lpn);
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(PNUMA_PAGE, pread(self->fd, buf, PNUMA_PAGE, lpn * PNUMA_PAGE));
	EXPECT_EQ(0, memcmp(buf, zero, PNUMA_PAGE));
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
}

TEST_F(pool, pwrite_and_mmap_see_the_same_pages)
{
	char buf[PNUMA_PAGE], *map;
	long long lpn;

	lpn = pnuma_free_window(self->fd, self->logical, 2);
	ASSERT_LE(0, lpn);
	memset(buf, 'w', sizeof(buf));
	/* Unaligned, across the two pages. */
	ASSERT_EQ(100, pwrite(self->fd, buf, 100, lpn * PNUMA_PAGE + PNUMA_PAGE - 50));
	map = map_pages(self->fd, lpn, 2);
	ASSERT_NE(NULL, map);
	EXPECT_EQ('w', map[PNUMA_PAGE - 50]);
	EXPECT_EQ('w', map[PNUMA_PAGE + 49]);
	EXPECT_EQ(0, map[PNUMA_PAGE - 51]);
	EXPECT_EQ(0, map[PNUMA_PAGE + 50]);
	memcpy(map + 10, "through the mapping", 19);
	ASSERT_EQ(19, pread(self->fd, buf, 19, lpn * PNUMA_PAGE + 10));
	EXPECT_EQ(0, memcmp(buf, "through the mapping", 19));
	munmap(map, 2 * PNUMA_PAGE);
}

TEST_F(pool, io_past_the_end)
{
	char buf[16] = "x";
	off_t end = self->logical * PNUMA_PAGE;

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), end));
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), end));
	EXPECT_EQ(ENOSPC, errno);
	/* A write that straddles the end is cut at the end. */
	EXPECT_EQ(8, pwrite(self->fd, buf, sizeof(buf), end - 8));
	EXPECT_EQ(end, lseek(self->fd, 0, SEEK_END));
}

TEST_F(pool, mmap_private_is_einval)
{
	void *p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       self->fd, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pool, mmap_past_capacity_is_einval)
{
	void *p;

	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 self->logical * PNUMA_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* Starts inside, ends outside. */
	p = mmap(NULL, 2 * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (self->logical - 1) * PNUMA_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* The very last page is fine. */
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (self->logical - 1) * PNUMA_PAGE);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, PNUMA_PAGE);
}

TEST_F(pool, mmap_unaligned_is_einval)
{
	void *p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		       PNUMA_PAGE + 512);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(pool, map_sync_is_accepted)
{
	void *p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED_VALIDATE | MAP_SYNC, self->fd, 0);

	EXPECT_NE(MAP_FAILED, p) TH_LOG("errno %d", errno);
	if (p != MAP_FAILED)
		munmap(p, PNUMA_PAGE);
}

TEST_F(pool, non_root_open_is_eacces)
{
	struct stat st;
	int status;
	pid_t pid;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		_exit(open(DEV, O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Two processes, each with its own open and mmap, share one page. */
TEST_F(pool, two_processes_share_a_page)
{
	uint64_t *p;
	long long lpn;
	int status;
	pid_t pid;

	lpn = pnuma_free_window(self->fd, self->logical, 1);
	ASSERT_LE(0, lpn);
	p = (uint64_t *)map_pages(self->fd, lpn, 1);
	ASSERT_NE(NULL, p);
	p[1] = 0x1234;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(DEV, O_RDWR);
		uint64_t *q = fd < 0 ? NULL : (uint64_t *)map_pages(fd, lpn, 1);

		if (!q || q[1] != 0x1234)
			_exit(1);
		q[0] = 0xc0ffee;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0xc0ffee, p[0]);
	munmap(p, PNUMA_PAGE);
}

TEST_F(pool, stop_is_refused_while_open)
{
	EXPECT_EQ(EBUSY, pnuma_sysfs_write("stop", POOL));
	EXPECT_EQ(0, access(DEV, F_OK));
}

TEST_F(pool, stop_and_assemble_again)
{
	char uuid[64], again[64], buf[PNUMA_PAGE];
	long long lpn;
	int fd;

	lpn = pnuma_free_window(self->fd, self->logical, 1);
	ASSERT_LE(0, lpn);
	ASSERT_EQ(12, pwrite(self->fd, "still there", 12, lpn * PNUMA_PAGE));
	ASSERT_EQ(0, pnuma_sysfs_read(uuid, sizeof(uuid), PNUMA_SYSFS "/%s/uuid", POOL));
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, pnuma_sysfs_write("stop", POOL));
	EXPECT_NE(0, access(DEV, F_OK));
	EXPECT_NE(0, access(PNUMA_SYSFS "/" POOL, F_OK));
	EXPECT_EQ(ENODEV, pnuma_sysfs_write("stop", POOL));

	ASSERT_EQ(0, pnuma_sysfs_write("assemble", "scan"));
	ASSERT_EQ(0, pnuma_sysfs_read(again, sizeof(again), PNUMA_SYSFS "/%s/uuid", POOL));
	EXPECT_STREQ(uuid, again);
	/* Stopped cleanly: the assembly found the clean-shutdown flag. */
	EXPECT_EQ(1, pnuma_sysfs_num(PNUMA_SYSFS "/%s/clean_shutdown", POOL));
	fd = open(DEV, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, pread(fd, buf, 12, lpn * PNUMA_PAGE));
	EXPECT_STREQ("still there", buf);
	close(fd);
}

TEST_F(pool, create_over_a_member_is_ebusy)
{
	char dev[64], path[80];

	ASSERT_EQ(0, pnuma_sysfs_read(dev, sizeof(dev),
				      PNUMA_SYSFS "/%s/members/0/device", POOL));
	snprintf(path, sizeof(path), "force /dev/%s", dev);
	EXPECT_EQ(EBUSY, pnuma_sysfs_write("create", path));
}

TEST_F(pool, lifecycle_rejects_bad_arguments)
{
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("create", "bogus"));
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("create", "force"));
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("create", "size=12345 /dev/pmem0"));
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("create", "size=1Q /dev/pmem0"));
	EXPECT_EQ(ENOENT, pnuma_sysfs_write("create", "/dev/does-not-exist"));
	EXPECT_EQ(ENOTBLK, pnuma_sysfs_write("create", "/dev/null"));
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("assemble", "now"));
	EXPECT_EQ(ENODEV, pnuma_sysfs_write("stop", "pnuma9"));
	EXPECT_EQ(0, access(DEV, F_OK));
}

TEST_HARNESS_MAIN
