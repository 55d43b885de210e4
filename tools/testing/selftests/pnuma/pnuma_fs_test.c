// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of pnumafs, the file system that shows every active pool as one
 * regular DAX file: two mounts showing the same files; the file and
 * /dev/pnuma0 being the same pages (a move through one unmaps the other);
 * what PMDK needs of a file (S_DAX, MAP_SYNC, libpmem2's cache-line
 * granularity, libpmem's is_pmem, fsync write-protecting what it wrote
 * back, fallocate, SEEK_DATA/SEEK_HOLE, flock, statfs); what it refuses
 * (other sizes, other fallocate modes, names created, linked, renamed or
 * removed), each leaving the pool unchanged; owner and mode kept on the
 * members across a stop and an assembly; the file following the pool.
 *
 * Each test works on logical pages nobody has touched yet.
 */

#include <dirent.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <libpmem.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define POOL	"pnuma0"
#define DEV	"/dev/" POOL
#define MNT_A	"/tmp/pnumafs-a"
#define MNT_B	"/tmp/pnumafs-b"
#define FILE_A	MNT_A "/" POOL
#define PNUMAFS_MAGIC	0x706e6673

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

FIXTURE(fs) {
	int dev;
	int fd;
	unsigned long long logical;
};

/* Mount pnumafs on @dir unless it is already there. */
static int mount_pnumafs(const char *dir)
{
	struct statfs st;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -1;
	if (!statfs(dir, &st) && st.f_type == PNUMAFS_MAGIC)
		return 0;
	return mount("none", dir, "pnumafs", 0, NULL);
}

FIXTURE_SETUP(fs)
{
	const char *skip = pnuma_pool_open(&self->dev, &self->logical);

	self->fd = -1;
	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, mount_pnumafs(MNT_A)) TH_LOG("mount: %s", strerror(errno));
	ASSERT_EQ(0, mount_pnumafs(MNT_B));
	self->fd = open(FILE_A, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", FILE_A, strerror(errno));
}

FIXTURE_TEARDOWN(fs)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev >= 0)
		close(self->dev);
}

static long long pool_used(void)
{
	return pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
}

/* Both mounts list the pool, as a regular file of the pool's size. */
TEST_F(fs, two_mounts_same_file)
{
	struct stat a, b;
	struct dirent *d;
	int found = 0;
	DIR *dir;

	ASSERT_EQ(0, stat(FILE_A, &a));
	ASSERT_EQ(0, stat(MNT_B "/" POOL, &b));
	EXPECT_TRUE(S_ISREG(a.st_mode));
	EXPECT_EQ(a.st_ino, b.st_ino);
	EXPECT_EQ(a.st_dev, b.st_dev);
	EXPECT_EQ(self->logical * PNUMA_PAGE, (unsigned long long)a.st_size);
	EXPECT_EQ(PNUMA_PAGE, a.st_blksize);
	EXPECT_EQ(pool_used() * 8, (long long)a.st_blocks);

	dir = opendir(MNT_B);
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)))
		if (!strcmp(d->d_name, POOL)) {
			found++;
			EXPECT_EQ(DT_REG, d->d_type);
		}
	closedir(dir);
	EXPECT_EQ(1, found);
	EXPECT_EQ(ENOENT, stat(MNT_A "/pnuma9", &a) ? errno : 0);
}

TEST_F(fs, statx_says_dax)
{
	struct statx stx;

	ASSERT_EQ(0, statx(AT_FDCWD, FILE_A, 0, STATX_BASIC_STATS, &stx));
	EXPECT_TRUE(stx.stx_attributes_mask & STATX_ATTR_DAX);
	EXPECT_TRUE(stx.stx_attributes & STATX_ATTR_DAX);
}

/*
 * The file and the device are the same pages, through read/write and
 * through mappings; a move through a mapping of the file unmaps the
 * device's mapping of the page too, and both read it on the new node.
 */
TEST_F(fs, same_pages_as_the_device)
{
	char buf[32], *f, *d;
	long long lpn;
	int node, other;

	lpn = pnuma_free_window(self->dev, self->logical, 2);
	ASSERT_LE(0, lpn);
	ASSERT_EQ(10, pwrite(self->fd, "from file", 10, lpn * PNUMA_PAGE));
	ASSERT_EQ(10, pread(self->dev, buf, 10, lpn * PNUMA_PAGE));
	EXPECT_STREQ("from file", buf);

	f = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	d = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->dev,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, f);
	ASSERT_NE(MAP_FAILED, d);
	memcpy(d, "from device", 12);
	EXPECT_STREQ("from device", f);
	EXPECT_NE(0, pnuma_pagemap(d) & (1ULL << 63));

	node = pnuma_node_of(f);
	ASSERT_LE(0, node);
	other = !node;
	ASSERT_EQ(0, pnuma_move_range(f, 1, other, NULL, 0));
	EXPECT_EQ(other, pnuma_node_of(f));
	/* The device's mapping was unmapped with the move. */
	EXPECT_EQ(0, pnuma_pagemap(d) & (1ULL << 63));
	EXPECT_STREQ("from device", d);
	EXPECT_EQ(other, pnuma_node_of(d));
	munmap(f, PNUMA_PAGE);
	munmap(d, PNUMA_PAGE);
}

/*
 * MAP_SYNC is accepted. A private mapping (pmemobj_check() writes to one)
 * reads the pool and keeps its writes to itself, holes included, also
 * when the pool's page moves; nothing is allocated for it.
 */
TEST_F(fs, map_sync_and_private)
{
	long long lpn, used;
	char buf[16];
	char *p, *q;
	int node;

	p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED_VALIDATE | MAP_SYNC, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("MAP_SYNC: %s", strerror(errno));
	munmap(p, PNUMA_PAGE);
	p = mmap(NULL, 2 * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (self->logical - 1) * PNUMA_PAGE);
	EXPECT_EQ(MAP_FAILED, p);

	lpn = pnuma_free_window(self->dev, self->logical, 2);
	ASSERT_LE(0, lpn);
	ASSERT_EQ(7, pwrite(self->fd, "shared", 7, lpn * PNUMA_PAGE));
	used = pool_used();
	p = mmap(NULL, 2 * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		 self->fd, lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("MAP_PRIVATE: %s", strerror(errno));
	EXPECT_STREQ("shared", p);
	EXPECT_EQ(0, p[PNUMA_PAGE]);
	memcpy(p, "private", 8);
	memcpy(p + PNUMA_PAGE, "private hole", 13);
	EXPECT_STREQ("private", p);
	EXPECT_STREQ("private hole", p + PNUMA_PAGE);
	ASSERT_EQ(7, pread(self->fd, buf, 7, lpn * PNUMA_PAGE));
	EXPECT_STREQ("shared", buf);
	ASSERT_EQ(1, pread(self->fd, buf, 1, (lpn + 1) * PNUMA_PAGE));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(used, pool_used());

	/* A move of the pool's page leaves the private copy alone. */
	q = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, q);
	node = pnuma_node_of(q);
	ASSERT_LE(0, node);
	ASSERT_EQ(0, pnuma_move_range(q, 1, !node, NULL, 0));
	EXPECT_EQ(!node, pnuma_node_of(q));
	EXPECT_STREQ("shared", q);
	EXPECT_STREQ("private", p);
	munmap(q, PNUMA_PAGE);
	munmap(p, 2 * PNUMA_PAGE);
}

/* libpmem2's ordinary path: a source from the fd, cache-line stores. */
TEST_F(fs, libpmem2_cache_line)
{
	struct pmem2_config *cfg;
	struct pmem2_source *src;
	struct pmem2_map *map;
	size_t len = 16 * PNUMA_PAGE;

	ASSERT_EQ(0, pmem2_source_from_fd(&src, self->fd))
		TH_LOG("%s", pmem2_errormsg());
	ASSERT_EQ(0, pmem2_config_new(&cfg));
	ASSERT_EQ(0, pmem2_config_set_required_store_granularity
			(cfg, PMEM2_GRANULARITY_CACHE_LINE));
	ASSERT_EQ(0, pmem2_config_set_length(cfg, len));
	ASSERT_EQ(0, pmem2_map_new(&map, cfg, src)) TH_LOG("%s", pmem2_errormsg());
	EXPECT_EQ(PMEM2_GRANULARITY_CACHE_LINE,
		  pmem2_map_get_store_granularity(map));
	EXPECT_EQ(len, pmem2_map_get_size(map));
	pmem2_map_delete(&map);
	pmem2_config_delete(&cfg);
	pmem2_source_delete(&src);
}

/* libpmem's ordinary path: pmem_map_file() says it is persistent memory. */
TEST_F(fs, libpmem_is_pmem)
{
	size_t len = 0;
	int is_pmem = 0;
	void *p;

	p = pmem_map_file(FILE_A, 0, 0, 0, &len, &is_pmem);
	ASSERT_NE(NULL, p) TH_LOG("%s", pmem_errormsg());
	EXPECT_EQ(1, is_pmem);
	EXPECT_EQ(self->logical * PNUMA_PAGE, len);
	EXPECT_EQ(1, pmem_is_pmem(p, len));
	pmem_unmap(p, len);
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/*
 * Stores through a mapping that is not MAP_SYNC are written back by
 * fsync(), msync() and fdatasync(), which write-protect the page again:
 * the next store faults (to mark it dirty once more). A MAP_SYNC store
 * is the program's to flush, and never faults again.
 */
TEST_F(fs, fsync_writes_back_and_write_protects)
{
	long long lpn;
	long before;
	char *p, *s;

	lpn = pnuma_free_window(self->dev, self->logical, 2);
	ASSERT_LE(0, lpn);
	p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	s = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE,
		 MAP_SHARED_VALIDATE | MAP_SYNC, self->fd, (lpn + 1) * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(MAP_FAILED, s);
	p[0] = 1;
	s[0] = 1;

	before = minor_faults();
	p[1] = 2;
	s[1] = 2;
	EXPECT_EQ(before, minor_faults());	/* writable until written back */

	EXPECT_EQ(0, fsync(self->fd));
	before = minor_faults();
	p[2] = 3;
	EXPECT_EQ(before + 1, minor_faults());
	s[2] = 3;
	EXPECT_EQ(before + 1, minor_faults());

	EXPECT_EQ(0, msync(p, PNUMA_PAGE, MS_SYNC));
	before = minor_faults();
	p[3] = 4;
	EXPECT_EQ(before + 1, minor_faults());
	EXPECT_EQ(0, fdatasync(self->fd));
	before = minor_faults();
	p[4] = 5;
	EXPECT_EQ(before + 1, minor_faults());
	EXPECT_EQ(0, memcmp(p, "\1\2\3\4\5", 5));
	EXPECT_EQ(0, fsync(self->dev));
	munmap(p, PNUMA_PAGE);
	munmap(s, PNUMA_PAGE);
}

/*
 * fallocate(2) mode 0 allocates on the caller's node what is not yet
 * allocated, zeroed; again, it changes nothing. Other modes and ranges
 * past the size are refused and change nothing.
 */
TEST_F(fs, fallocate_allocates_once)
{
	const unsigned long n = 8;
	long long lpn, used;
	int cpu, node;
	char *p;

	cpu = sched_getcpu();
	node = pnuma_node_cpu(1) == cpu ? 1 : 0;
	lpn = pnuma_free_window(self->dev, self->logical, n);
	ASSERT_LE(0, lpn);
	used = pool_used();
	ASSERT_EQ(0, fallocate(self->fd, 0, lpn * PNUMA_PAGE + 100,
			       (n - 1) * PNUMA_PAGE));
	EXPECT_EQ(used + n, pool_used());
	ASSERT_EQ(0, fallocate(self->fd, 0, lpn * PNUMA_PAGE, n * PNUMA_PAGE));
	EXPECT_EQ(used + n, pool_used());

	p = mmap(NULL, n * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(n, pnuma_pages_on_node(p, n, node))
		TH_LOG("the caller ran on node %d", node);
	EXPECT_EQ(0, p[0] | p[n * PNUMA_PAGE - 1]);
	munmap(p, n * PNUMA_PAGE);

	used = pool_used();
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_KEEP_SIZE, 0, PNUMA_PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fallocate(self->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				lpn * PNUMA_PAGE, PNUMA_PAGE));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, fallocate(self->fd, 0, (self->logical - 1) * PNUMA_PAGE,
				2 * PNUMA_PAGE));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(used, pool_used());
}

/*
 * A pool that runs out in the middle of a fallocate(2): ENOSPC, the pages
 * before the failure allocated, the ones after it not.
 */
TEST_F(fs, fallocate_enospc_in_the_middle)
{
	const unsigned long n = 8;
	long long lpn, used;
	int status[8];
	char *p;
	int i;

	if (access("/sys/kernel/debug/pnuma/fail_touch", F_OK))
		SKIP(return, "no debugfs pnuma/fail_touch");
	lpn = pnuma_free_window(self->dev, self->logical, n);
	ASSERT_LE(0, lpn);
	used = pool_used();
	/* Three allocations pass, the fourth fails. */
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/verbose", "0"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/space", "16384"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/probability", "100"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/times", "1"));
	EXPECT_EQ(-1, fallocate(self->fd, 0, lpn * PNUMA_PAGE, n * PNUMA_PAGE));
	EXPECT_EQ(ENOSPC, errno);
	pnuma_debugfs_write("fail_touch/probability", "0");
	pnuma_debugfs_write("fail_touch/space", "0");
	EXPECT_EQ(used + 3, pool_used());

	p = mmap(NULL, n * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < (int)n; i++) {
		void *addr = p + i * PNUMA_PAGE;

		ASSERT_EQ(0, pnuma_page_status(&addr, &status[i], 1));
		EXPECT_EQ(i < 3 ? 0 : -ENOENT, status[i] >= 0 ? 0 : status[i])
			TH_LOG("page %d", i);
	}
	munmap(p, n * PNUMA_PAGE);
}

/*
 * A write fault the pool cannot serve (full, here through fail_touch) is
 * SIGBUS, not an endless fault; appending to the fixed-size file finds no
 * room; O_DSYNC writes work.
 */
TEST_F(fs, full_pool_sigbus_append_dsync)
{
	struct iovec iov = { .iov_base = "dsync", .iov_len = 5 };
	long long lpn, used;
	int status, fd;
	pid_t pid;
	char *p;

	if (access("/sys/kernel/debug/pnuma/fail_touch", F_OK))
		SKIP(return, "no debugfs pnuma/fail_touch");
	lpn = pnuma_free_window(self->dev, self->logical, 2);
	ASSERT_LE(0, lpn);
	used = pool_used();
	p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/verbose", "0"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/space", "0"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/times", "-1"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_touch/probability", "100"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		p[0] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	pnuma_debugfs_write("fail_touch/probability", "0");
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	EXPECT_EQ(used, pool_used());
	munmap(p, PNUMA_PAGE);

	fd = open(FILE_A, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	EXPECT_EQ(5, pwritev2(self->fd, &iov, 1, (lpn + 1) * PNUMA_PAGE,
			      RWF_DSYNC));
	fd = open(FILE_A, O_RDWR | O_DSYNC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(5, pwrite(fd, "dsync", 5, (lpn + 1) * PNUMA_PAGE + 5));
	close(fd);
}

/* The size is the pool's: truncating to anything else changes nothing. */
TEST_F(fs, truncate_only_to_the_size)
{
	off_t size = self->logical * PNUMA_PAGE;
	struct stat st;

	EXPECT_EQ(0, ftruncate(self->fd, size));
	EXPECT_EQ(-1, ftruncate(self->fd, size - PNUMA_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ftruncate(self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, truncate(FILE_A, size + PNUMA_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, open(FILE_A, O_RDWR | O_TRUNC));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_EQ(size, st.st_size);
}

/* Names belong to the pools: none is created, linked, renamed, removed. */
TEST_F(fs, names_are_the_pools)
{
	struct stat st;

	EXPECT_EQ(-1, open(MNT_A "/new", O_RDWR | O_CREAT, 0600));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mkdir(MNT_A "/dir", 0700));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mknod(MNT_A "/fifo", S_IFIFO | 0600, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, symlink(POOL, MNT_A "/link"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, link(FILE_A, MNT_A "/hard"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(FILE_A, MNT_A "/renamed"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, unlink(FILE_A));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, open(MNT_A, O_TMPFILE | O_RDWR, 0600));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(0, stat(FILE_A, &st));
	EXPECT_EQ(-1, stat(MNT_A "/new", &st));
}

/* Allocated pages are data, the others holes. */
TEST_F(fs, seek_data_and_hole)
{
	long long lpn;
	off_t at;

	lpn = pnuma_free_window(self->dev, self->logical, 3);
	ASSERT_LE(0, lpn);
	ASSERT_EQ(1, pwrite(self->fd, "x", 1, (lpn + 1) * PNUMA_PAGE));
	at = lpn * PNUMA_PAGE + 5;
	EXPECT_EQ(at, lseek(self->fd, at, SEEK_HOLE));
	EXPECT_EQ((lpn + 1) * PNUMA_PAGE, lseek(self->fd, at, SEEK_DATA));
	EXPECT_EQ((lpn + 2) * PNUMA_PAGE,
		  lseek(self->fd, (lpn + 1) * PNUMA_PAGE + 7, SEEK_HOLE));
	EXPECT_EQ((lpn + 1) * PNUMA_PAGE + 7,
		  lseek(self->fd, (lpn + 1) * PNUMA_PAGE + 7, SEEK_DATA));
	EXPECT_EQ(-1, lseek(self->fd, self->logical * PNUMA_PAGE, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
}

TEST_F(fs, flock_excludes)
{
	int other = open(MNT_B "/" POOL, O_RDONLY);

	ASSERT_LE(0, other);
	ASSERT_EQ(0, flock(self->fd, LOCK_EX | LOCK_NB));
	EXPECT_EQ(-1, flock(other, LOCK_SH | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(0, flock(self->fd, LOCK_UN));
	EXPECT_EQ(0, flock(other, LOCK_SH | LOCK_NB));
	close(other);
}

/* statfs(2): the pool's pages, those not allocated free. */
TEST_F(fs, statfs_counts_pages)
{
	struct statfs st;

	ASSERT_EQ(0, fstatfs(self->fd, &st));
	EXPECT_EQ(PNUMAFS_MAGIC, st.f_type);
	EXPECT_EQ(PNUMA_PAGE, st.f_bsize);
	EXPECT_EQ(self->logical, st.f_blocks);
	EXPECT_EQ(self->logical - pool_used(), st.f_bfree);
	EXPECT_EQ(st.f_bfree, st.f_bavail);
	ASSERT_EQ(0, statfs(MNT_B, &st));
	EXPECT_EQ(self->logical, st.f_blocks);
}

/*
 * chmod and chown are kept on the members: a stopped and re-assembled
 * pool's file has them; an unprivileged user reads the file it was given.
 * A stopped pool's file is gone from every mount, and the stop is refused
 * while the file is open; a file opened O_PATH before the stop refuses
 * chmod and chown (ENODEV), changing nothing.
 */
TEST_F(fs, owner_and_mode_persist)
{
	struct stat st;
	char proc[64];
	int status, opath;
	pid_t pid;

	ASSERT_EQ(0, fchmod(self->fd, 0640));
	ASSERT_EQ(0, fchown(self->fd, 1000, 100));
	EXPECT_EQ(EBUSY, pnuma_sysfs_write("stop", POOL));
	close(self->fd);
	self->fd = -1;
	close(self->dev);
	self->dev = -1;

	/* An O_PATH file is no user: the pool stops, and it goes stale. */
	opath = open(FILE_A, O_PATH);
	ASSERT_LE(0, opath);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", opath);
	ASSERT_EQ(0, pnuma_sysfs_write("stop", POOL));
	EXPECT_EQ(-1, chmod(proc, 0666));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, chown(proc, 0, 0));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(0, fstat(opath, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);	/* nothing half-changed */
	EXPECT_EQ(-1, open(proc, O_RDWR));
	EXPECT_EQ(ENODEV, errno);
	close(opath);

	EXPECT_EQ(-1, stat(FILE_A, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, stat(MNT_B "/" POOL, &st));
	ASSERT_EQ(0, pnuma_sysfs_write("assemble", "scan"));
	ASSERT_EQ(0, stat(FILE_A, &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(100, st.st_gid);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (setgid(100) || setuid(1000))
			_exit(10);
		fd = open(FILE_A, O_RDWR);
		if (fd < 0)
			_exit(11);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));

	ASSERT_EQ(0, chown(FILE_A, 0, 0));
	ASSERT_EQ(0, chmod(FILE_A, 0600));
	ASSERT_EQ(0, stat(MNT_B "/" POOL, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(0, st.st_uid);
}

TEST_HARNESS_MAIN
