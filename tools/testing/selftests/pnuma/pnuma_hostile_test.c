// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_hostile_test: bad, malformed and racing input on every entry
 * point (the sysfs files, the sysctls' neighbours in debugfs, /dev/pnuma0
 * and its mappings, move_pages(2), pnumafs), each refused with the error the
 * admin guide documents. Nothing here may write the media: make check
 * runs it alone in a boot and compares checksums of the NVDIMM files
 * from before and after. (pnuma_pool_test, pnuma_create_test and
 * pnuma_sysctl_test have the cases that need a pool in use.)
 */

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <linux/falloc.h>
#include <linux/mempolicy.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define POOL	"pnuma0"
#define DEV	"/dev/" POOL
#define DEBUGFS	"/sys/kernel/debug/pnuma"

FIXTURE(hostile) {
	int fd;
	unsigned long long logical;
	char member[32];
};

/* The block device of member 0, e.g. "/dev/pmem0". */
static void member0(char *dev, size_t size)
{
	char name[32];

	if (pnuma_sysfs_read(name, sizeof(name),
			     PNUMA_SYSFS "/%s/members/0/device", POOL) < 0)
		name[0] = 0;
	snprintf(dev, size, "/dev/%s", name);
}

FIXTURE_SETUP(hostile)
{
	const char *skip = pnuma_pool_open(&self->fd, &self->logical);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, self->logical);
	member0(self->member, sizeof(self->member));
	ASSERT_NE(0, strcmp(self->member, "/dev/"));
}

FIXTURE_TEARDOWN(hostile)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Write @val to @path: 0 or the errno. */
static int put(const char *path, const char *val)
{
	return -pnuma_write_file(path, val);
}

TEST_F(hostile, create_malformed)
{
	char many[65 * 16 + 1] = "", big[5000];
	int i;

	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "\n"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "force"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "frobnicate /dev/pmem9"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "size=12345 /dev/pmem9"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "size=0 /dev/pmem9"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "size=1Z /dev/pmem9"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "size= /dev/pmem9"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", "pmem9"));
	for (i = 0; i < 65; i++)
		strcat(many, "/dev/pmem9 ");
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", many));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/create", big));
}

TEST_F(hostile, create_on_what_is_not_a_free_device)
{
	char twice[80];

	EXPECT_EQ(ENOENT, put(PNUMA_SYSFS "/create", "/dev/no-such-device"));
	EXPECT_EQ(ENOTBLK, put(PNUMA_SYSFS "/create", "/dev/null"));
	EXPECT_EQ(ENOTBLK, put(PNUMA_SYSFS "/create", "/proc/self/status"));
	/* A member of the assembled pool, alone, forced, or twice. */
	EXPECT_EQ(EBUSY, put(PNUMA_SYSFS "/create", self->member));
	snprintf(twice, sizeof(twice), "force %s", self->member);
	EXPECT_EQ(EBUSY, put(PNUMA_SYSFS "/create", twice));
	snprintf(twice, sizeof(twice), "%s %s", self->member, self->member);
	EXPECT_EQ(EBUSY, put(PNUMA_SYSFS "/create", twice));
	EXPECT_EQ(ENOTBLK, put(PNUMA_SYSFS "/create", "/dev/null /dev/null"));
}

TEST_F(hostile, assemble_and_stop_malformed)
{
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/assemble", "\n"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/assemble", "scan please"));
	EXPECT_EQ(EINVAL, put(PNUMA_SYSFS "/assemble", "/dev/pmem0"));
	/* The pool is assembled already: a scan finds nothing to do. */
	EXPECT_EQ(0, put(PNUMA_SYSFS "/assemble", "scan"));
	EXPECT_EQ(0, access(DEV, F_OK));
	EXPECT_EQ(ENODEV, put(PNUMA_SYSFS "/stop", "\n"));
	EXPECT_EQ(ENODEV, put(PNUMA_SYSFS "/stop", "pnuma9999"));
	EXPECT_EQ(ENODEV, put(PNUMA_SYSFS "/stop", "pnuma0 pnuma0"));
	/* Open (this fixture holds it): refused. */
	EXPECT_EQ(EBUSY, put(PNUMA_SYSFS "/stop", POOL));
}

TEST_F(hostile, read_only_files_refuse_writes)
{
	static const char * const ro[] = {
		"uuid", "state", "logical_pages", "used_pages", "journal_pending",
		"media_errors", "members/0/node", "numa/pages_migrated",
	};
	char path[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		snprintf(path, sizeof(path), PNUMA_SYSFS "/%s/%s", POOL, ro[i]);
		EXPECT_EQ(EACCES, put(path, "0")) TH_LOG("%s", ro[i]);
	}
}

TEST_F(hostile, debugfs_malformed)
{
	char crash[64];

	if (access(DEBUGFS "/crash_at", F_OK))
		SKIP(return, "no " DEBUGFS);
	EXPECT_EQ(EINVAL, put(DEBUGFS "/crash_at", "bogus"));
	EXPECT_EQ(EINVAL, put(DEBUGFS "/crash_at", "\n"));
	EXPECT_EQ(EINVAL, put(DEBUGFS "/crash_at",
			      "after-commit-after-commit-after-commit"));
	ASSERT_EQ(0, pnuma_sysfs_read(crash, sizeof(crash), "%s", DEBUGFS "/crash_at"));
	EXPECT_STREQ("none", crash);
	/* debugfs booleans ignore what is not a boolean (upstream's rule). */
	EXPECT_EQ(0, put(DEBUGFS "/unsafe_no_journal", "maybe"));
	ASSERT_EQ(0, pnuma_sysfs_read(crash, sizeof(crash), "%s",
				      DEBUGFS "/unsafe_no_journal"));
	EXPECT_STREQ("N", crash);
}

TEST_F(hostile, device_io_at_the_edges)
{
	off_t end = self->logical * PNUMA_PAGE;
	char buf[2 * 4096];
	long long used;
	void *none;

	EXPECT_EQ(-1, ioctl(self->fd, 0x1234, 0));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, lseek(self->fd, end + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(end, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), end));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), 1LL << 62));
	EXPECT_EQ(-1, pread(self->fd, buf, sizeof(buf), -4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, end));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), end + 4096));
	EXPECT_EQ(ENOSPC, errno);
	/* Buffers the caller may not touch: -EFAULT, and nothing allocated. */
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	EXPECT_EQ(-1, pread(self->fd, none, 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pwrite(self->fd, none, 4096, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	munmap(none, 4096);
}

TEST_F(hostile, mappings_out_of_range)
{
	unsigned long long n = self->logical;
	void *p;

	p = mmap(NULL, (n + 1) * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (n - 1) * PNUMA_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd, n * PNUMA_PAGE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd, 1LL << 50);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* The last page maps; it is not touched (nothing may be written). */
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 (n - 1) * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	/* mremap() cannot grow it past the pool (VM_DONTEXPAND). */
	EXPECT_EQ(MAP_FAILED, mremap(p, PNUMA_PAGE, 2 * PNUMA_PAGE, MREMAP_MAYMOVE));
	munmap(p, PNUMA_PAGE);
}

TEST_F(hostile, move_pages_to_nowhere)
{
	long long lpn = pnuma_free_window(self->fd, self->logical, 1);
	void *p;
	static const int nowhere[] = { -5, 5, 1000 };
	int status = 1000, node;
	unsigned int i;

	ASSERT_LE(0, lpn);
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		 lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(nowhere); i++) {
		node = nowhere[i];
		EXPECT_EQ(-1, syscall(SYS_move_pages, 0, 1, &p, &node, &status,
				      MPOL_MF_MOVE_ALL));
		EXPECT_EQ(ENODEV, errno) TH_LOG("node %d", node);
	}
	/* Nothing to move: the page was never touched, and still is not. */
	node = 1;
	EXPECT_EQ(0, syscall(SYS_move_pages, 0, 1, &p, &node, &status, 0));
	EXPECT_EQ(-ENOENT, status);
	munmap(p, PNUMA_PAGE);
}

TEST_F(hostile, unprivileged_writers_are_refused)
{
	static const char * const files[] = {
		PNUMA_SYSFS "/create", PNUMA_SYSFS "/assemble", PNUMA_SYSFS "/stop",
		"/proc/sys/kernel/numa_balancing_pmem", DEV,
	};
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned int i;
		int bad = 0, fd;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			fd = open(files[i], O_WRONLY);
			if (fd >= 0 || errno != EACCES)
				bad |= 1 << i;
			if (fd >= 0)
				close(fd);
		}
		/* debugfs: not even visible. */
		if (!access(DEBUGFS "/crash_at", F_OK) || errno != EACCES)
			bad |= 1 << 7;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * pnumafs: everything it refuses, refused with its documented error and
 * nothing written (the size, names, fallocate modes, ranges past the
 * end, mount options, attributes changed by someone who may not).
 */
TEST_F(hostile, pnumafs_refusals)
{
	const char *mnt = "/tmp/pnumafs-hostile", *file = "/tmp/pnumafs-hostile/" POOL;
	off_t size = self->logical * PNUMA_PAGE;
	static const int modes[] = {
		FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_ZERO_RANGE, FALLOC_FL_COLLAPSE_RANGE,
		FALLOC_FL_INSERT_RANGE,
	};
	unsigned int i;
	struct stat st;
	int fd, status;
	pid_t pid;

	if (mkdir(mnt, 0755))
		ASSERT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, mount("none", mnt, "pnumafs", 0, "size=1G"));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mount("none", mnt, "pnumafs", 0, NULL));
	fd = open(file, O_RDWR);
	ASSERT_LE(0, fd);

	EXPECT_EQ(-1, ftruncate(fd, size + PNUMA_PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ftruncate(fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, open(file, O_WRONLY | O_TRUNC));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, open(file, O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(ENOTDIR, errno);
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		EXPECT_EQ(-1, fallocate(fd, modes[i], 0, PNUMA_PAGE));
		EXPECT_EQ(EOPNOTSUPP, errno) TH_LOG("mode %#x", modes[i]);
	}
	EXPECT_EQ(-1, fallocate(fd, 0, size, PNUMA_PAGE));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(-1, fallocate(fd, 0, size - PNUMA_PAGE, 2 * PNUMA_PAGE));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(-1, fallocate(fd, 0, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(fd, "x", 1, size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, lseek(fd, -1, SEEK_DATA));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PNUMA_PAGE, PROT_READ, MAP_PRIVATE,
				   fd, size - PNUMA_PAGE));
	EXPECT_EQ(-1, fsetxattr(fd, "user.x", "y", 1, 0));
	EXPECT_EQ(EOPNOTSUPP, errno);

	EXPECT_EQ(-1, open("/tmp/pnumafs-hostile/x", O_CREAT | O_RDWR, 0600));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, mkdir("/tmp/pnumafs-hostile/d", 0700));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(file, "/tmp/pnumafs-hostile/y"));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rename(file, "/tmp/elsewhere"));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(-1, unlink(file));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, rmdir(mnt));
	EXPECT_EQ(EBUSY, errno);
	/* A member path through pnumafs: refused, not a deadlock. */
	EXPECT_EQ(ENOTBLK, pnuma_sysfs_write("create", file));

	/* Only the owner (root) may change the owner or the mode. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		bad |= (!chmod(file, 0666) || errno != EPERM) << 0;
		bad |= (!chown(file, 65534, 65534) || errno != EPERM) << 1;
		bad |= (open(file, O_RDONLY) >= 0 || errno != EACCES) << 2;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Not even root turns it into something else than a regular file. */
	EXPECT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(size, st.st_size);
	close(fd);
	EXPECT_EQ(0, umount(mnt));
}

/* Racing: creates over a member and scans, from two threads at once. */
static void *create_loop(void *arg)
{
	const char *member = arg;
	long refused = 0;
	int i;

	for (i = 0; i < 200; i++)
		refused += put(PNUMA_SYSFS "/create", member) == EBUSY;
	return (void *)refused;
}

static void *scan_loop(void *arg)
{
	long ok = 0;
	int i;

	for (i = 0; i < 200; i++)
		ok += put(PNUMA_SYSFS "/assemble", "scan") == 0;
	return (void *)ok;
}

TEST_F(hostile, racing_create_and_scan)
{
	pthread_t c[2], s[2];
	void *r;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&c[i], NULL, create_loop, self->member));
		ASSERT_EQ(0, pthread_create(&s[i], NULL, scan_loop, NULL));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(c[i], &r);
		EXPECT_EQ(200, (long)r);
		pthread_join(s[i], &r);
		EXPECT_EQ(200, (long)r);
	}
	EXPECT_EQ(0, access(DEV, F_OK));
}

/*
 * Racing: stop against processes that open and map the pool; mapped
 * after its file is closed, it still may not stop. Whenever a stop went
 * through, a scan must bring the pool back, unchanged.
 */
TEST_F(hostile, racing_stop_and_open)
{
	char uuid[64], again[64];
	int stopped = 0, i, status;
	pid_t pid;
	void *p;

	ASSERT_EQ(0, pnuma_sysfs_read(uuid, sizeof(uuid), PNUMA_SYSFS "/%s/uuid", POOL));
	/* Mapped, its file closed: still in use. */
	p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(EBUSY, put(PNUMA_SYSFS "/stop", POOL));
	munmap(p, PNUMA_PAGE);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (i = 0; i < 500; i++) {
			int fd = open(DEV, O_RDWR);

			if (fd < 0)
				continue;
			p = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, fd, 0);
			close(fd);
			if (p != MAP_FAILED)
				munmap(p, PNUMA_PAGE);
		}
		_exit(0);
	}
	for (i = 0; i < 100; i++) {
		int err = put(PNUMA_SYSFS "/stop", POOL);

		if (!err) {
			stopped++;
			ASSERT_EQ(0, put(PNUMA_SYSFS "/assemble", "scan"));
		} else {
			EXPECT_TRUE(err == EBUSY || err == ENODEV) TH_LOG("stop: %d", err);
		}
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	if (access(DEV, F_OK))
		ASSERT_EQ(0, put(PNUMA_SYSFS "/assemble", "scan"));
	ASSERT_EQ(0, pnuma_sysfs_read(again, sizeof(again), PNUMA_SYSFS "/%s/uuid", POOL));
	EXPECT_STREQ(uuid, again);
	TH_LOG("%d of 100 stops went through between the opens", stopped);
}

TEST_HARNESS_MAIN
