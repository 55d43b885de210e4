// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of creating pools, on fresh media with no pool assembled (make
 * check boots the guest with --fresh --no-pool for them): what create
 * refuses and with which error, the logical size option, first-touch
 * fallback to another node's member, SIGBUS when the pool is full, and
 * the accounting of a move whose copy fails part-way through a batch,
 * checked by filling the destination member to the brim, and several
 * members on one node (make check boots with a third NVDIMM, on node 0).
 *
 * These tests format /dev/pmem0 and /dev/pmem1: not run by
 * run_kselftest.sh, only on scratch media.
 */

#include <setjmp.h>
#include <signal.h>
#include <dirent.h>
#include <sys/wait.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define PMEM0	"/dev/pmem0"
#define PMEM1	"/dev/pmem1"
#define NOBODY	65534

/* Stop every assembled pool. */
static void stop_all_pools(void)
{
	struct dirent *de;
	DIR *dir = opendir(PNUMA_SYSFS);

	if (!dir)
		return;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "pnuma", 5))
			pnuma_sysfs_write("stop", de->d_name);
	closedir(dir);
}

/* Write @len bytes at @off of a block device, bypassing its page cache. */
static int write_bdev(const char *dev, off_t off, const void *data, size_t len)
{
	void *buf;
	int fd, ret = -1;

	if (posix_memalign(&buf, PNUMA_PAGE, PNUMA_PAGE))
		return -1;
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd >= 0 && pread(fd, buf, PNUMA_PAGE, off & ~(PNUMA_PAGE - 1)) == PNUMA_PAGE) {
		memcpy(buf + (off & (PNUMA_PAGE - 1)), data, len);
		if (pwrite(fd, buf, PNUMA_PAGE, off & ~(PNUMA_PAGE - 1)) == PNUMA_PAGE)
			ret = 0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

FIXTURE(create) {
	int unused;
};

FIXTURE_SETUP(create)
{
	if (geteuid())
		SKIP(return, "must be run as root");
	if (access(PMEM0, F_OK) || access(PMEM1, F_OK) || access(PNUMA_SYSFS, F_OK))
		SKIP(return, "needs " PMEM0 ", " PMEM1 " and CONFIG_PNUMA");
	stop_all_pools();
}

FIXTURE_TEARDOWN(create)
{
	/* A test that stopped half-way leaves no fault injection armed. */
	pnuma_debugfs_write("fail_copy/probability", "0");
	stop_all_pools();
}

TEST_F(create, pool_over_both_nodes)
{
	char dev[32];

	ASSERT_EQ(0, pnuma_sysfs_write("create", "force " PMEM0 " " PMEM1 "\n"));
	ASSERT_EQ(0, access("/dev/pnuma0", F_OK));
	EXPECT_EQ(2, pnuma_sysfs_num(PNUMA_SYSFS "/%s/nr_members", "pnuma0"));
	ASSERT_EQ(0, pnuma_sysfs_read(dev, sizeof(dev),
				      PNUMA_SYSFS "/pnuma0/members/1/device"));
	EXPECT_STREQ("pmem1", dev);
	EXPECT_EQ(0, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", "pnuma0"));
	/*
	 * The logical capacity defaults to the data pages of the members
	 * less the 64 each keeps free for moves in a full pool.
	 */
	EXPECT_EQ(64, pnuma_sysfs_num(PNUMA_SYSFS "/%s/reserve_pages", "pnuma0"));
	EXPECT_EQ(pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/0/%s", "capacity_pages") +
		  pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/1/%s", "capacity_pages") -
		  2 * 64,
		  pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0"));
}

TEST_F(create, pnuma_superblock_needs_force)
{
	ASSERT_EQ(0, pnuma_sysfs_write("create", "force " PMEM1));
	ASSERT_EQ(0, pnuma_sysfs_write("stop", "pnuma0"));
	EXPECT_EQ(EEXIST, pnuma_sysfs_write("create", PMEM1));
	EXPECT_NE(0, access("/dev/pnuma0", F_OK));
	EXPECT_EQ(0, pnuma_sysfs_write("create", "force " PMEM1));
}

TEST_F(create, foreign_superblock_needs_force)
{
	static const char zero[PNUMA_PAGE];
	const unsigned char ext4_magic[2] = { 0x53, 0xef };

	/* Wipe pnuma's own superblock first, then look like ext4. */
	ASSERT_EQ(0, write_bdev(PMEM0, 0, zero, sizeof(zero)));
	ASSERT_EQ(0, write_bdev(PMEM0, 0x438, ext4_magic, 2));
	EXPECT_EQ(EEXIST, pnuma_sysfs_write("create", PMEM0));
	EXPECT_NE(0, access("/dev/pnuma0", F_OK));
	EXPECT_EQ(0, pnuma_sysfs_write("create", "force " PMEM0));
}

TEST_F(create, member_of_assembled_pool_is_ebusy)
{
	ASSERT_EQ(0, pnuma_sysfs_write("create", "force " PMEM0));
	EXPECT_EQ(EBUSY, pnuma_sysfs_write("create", "force " PMEM0 " " PMEM1));
	EXPECT_NE(0, access("/dev/pnuma1", F_OK));
}

TEST_F(create, device_held_by_someone_else_is_ebusy)
{
	int fd = open(PMEM1, O_RDONLY | O_EXCL);

	ASSERT_LE(0, fd);
	EXPECT_EQ(EBUSY, pnuma_sysfs_write("create", "force " PMEM1));
	close(fd);
}

TEST_F(create, device_listed_twice_is_einval)
{
	EXPECT_EQ(EINVAL, pnuma_sysfs_write("create", "force " PMEM0 " " PMEM0));
}

TEST_F(create, non_root_is_refused)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		_exit(pnuma_sysfs_write("create", "force " PMEM0) == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_NE(0, access("/dev/pnuma0", F_OK));
}

TEST_F(create, logical_size)
{
	ASSERT_EQ(0, pnuma_sysfs_write("create", "force size=1G " PMEM1));
	EXPECT_EQ(262144, pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0"));
}

/* No member on the toucher's node: the page goes elsewhere, counted. */
TEST_F(create, first_touch_falls_back_to_another_node)
{
	char *p;
	int fd;

	ASSERT_EQ(0, pnuma_sysfs_write("create", "force " PMEM0));
	fd = open("/dev/pnuma0", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pnuma_pin_cpu(pnuma_node_cpu(1)));
	p = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	EXPECT_EQ(0, pnuma_node_of(p));
	EXPECT_EQ(1, pnuma_sysfs_num(PNUMA_SYSFS "/%s/fallback_allocations", "pnuma0"));
	munmap(p, PNUMA_PAGE);
	close(fd);
}

static sigjmp_buf sigbus_jmp;
/* Set by the handler only; read after sigsetjmp() returns again. */
static void *sigbus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigbus_addr = si->si_addr;
	siglongjmp(sigbus_jmp, 1);
}

/* Touch pages until the pool is full: the next first touch gets SIGBUS. */
TEST_F_TIMEOUT(create, full_pool_gives_sigbus, 600)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	long long cap, i;
	char *p;
	int fd;

	ASSERT_EQ(0, pnuma_sysfs_write("create", "force size=1G " PMEM1));
	cap = pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/0/%s", "capacity_pages");
	ASSERT_LT(0, cap);
	ASSERT_LT(cap, pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0"));
	fd = open("/dev/pnuma0", O_RDWR);
	ASSERT_LE(0, fd);
	p = mmap(NULL, (cap + 1) * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));

	sigbus_addr = NULL;
	if (!sigsetjmp(sigbus_jmp, 1)) {
		for (i = 0; i <= cap; i++)
			p[i * PNUMA_PAGE] = 0x5a;
	}
	/* The fault came at the first page past the capacity, not before. */
	EXPECT_EQ(p + cap * PNUMA_PAGE, sigbus_addr);
	EXPECT_EQ(cap, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", "pnuma0"));
	/* What is there stays readable. */
	EXPECT_EQ(0x5a, p[(cap - 1) * PNUMA_PAGE]);
	munmap(p, (cap + 1) * PNUMA_PAGE);
	close(fd);
}

/* The /dev/pmemN of @node, at most @max of them: how many. */
static int node_pmems(int node, char (*dev)[32], int max)
{
	char name[16], buf[32];
	int i, n = 0;

	for (i = 0; i < 16 && n < max; i++) {
		snprintf(name, sizeof(name), "pmem%d", i);
		if (pnuma_sysfs_read(buf, sizeof(buf),
				     "/sys/block/%s/device/numa_node", name))
			continue;
		if (atoi(buf) == node)
			snprintf(dev[n++], sizeof(dev[0]), "/dev/%s", name);
	}
	return n;
}

static long long member_used(int member)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PNUMA_SYSFS "/pnuma0/members/%d/%%s", member);
	return pnuma_sysfs_num(path, "used_pages");
}

/*
 * One copy fails in a move of 64 pages (one journal transaction): at the
 * first page, in the middle, at the last. The failed page stays with
 * -EIO; the 63 others move, and each member's used_pages counts exactly
 * the pages it holds. Filling the destination member with first touches
 * afterwards must not hand out a data page a moved page lives in: every
 * moved page keeps its content.
 */
TEST_F_TIMEOUT(create, copy_failure_in_a_batch_keeps_every_page_once, 900)
{
	static const int fail_at[] = { 0, 31, 63 };
	enum { N = 64, SETS = ARRAY_SIZE(fail_at) };
	char n0[1][32], n1[1][32], cmd[96], space[32], *map;
	long long used0, used1, cap1, i, lpn;
	int status[N], s, k, fd;

	if (access("/sys/kernel/debug/pnuma/fail_copy", F_OK))
		SKIP(return, "no /sys/kernel/debug/pnuma/fail_copy");
	if (node_pmems(0, n0, 1) < 1 || node_pmems(1, n1, 1) < 1)
		SKIP(return, "needs a pmem device on node 0 and one on node 1");
	snprintf(cmd, sizeof(cmd), "force %s %s", n0[0], n1[0]);
	ASSERT_EQ(0, pnuma_sysfs_write("create", cmd));
	fd = open("/dev/pnuma0", O_RDWR);
	ASSERT_LE(0, fd);
	map = mmap(NULL, SETS * N * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pnuma_write_halves(map, SETS * N, 0, 0x600d,
					pnuma_node_cpu(0), pnuma_node_cpu(0)));
	ASSERT_EQ(SETS * N, member_used(0));
	ASSERT_EQ(0, member_used(1));

	/* No stack dump: the console is checked for kernel splats. */
	ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/verbose", "0"));
	for (s = 0; s < SETS; s++) {
		/* space: the copies before the one that fails. */
		snprintf(space, sizeof(space), "%lu", (fail_at[s] + 1) * PNUMA_PAGE);
		ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/space", space));
		ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/times", "1"));
		ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/probability", "100"));
		ASSERT_EQ(0, pnuma_move_range(map + s * N * PNUMA_PAGE, N, 1,
					      status, 0));
		pnuma_debugfs_write("fail_copy/probability", "0");
		for (k = 0; k < N; k++)
			EXPECT_EQ(k == fail_at[s] ? -EIO : 1, status[k])
				TH_LOG("failing page %d: page %d", fail_at[s], k);
		EXPECT_EQ(SETS * N - (s + 1) * (N - 1), member_used(0))
			TH_LOG("failing page %d", fail_at[s]);
		EXPECT_EQ((s + 1) * (N - 1), member_used(1))
			TH_LOG("failing page %d", fail_at[s]);
	}
	EXPECT_EQ(0, pnuma_bad_halves(fd, SETS * N, 0, 0x600d));

	/*
	 * Fill member 1 (node 1) with first touches from node 1, up to the
	 * free pages it keeps for moves (member 0 has others).
	 */
	used0 = member_used(0);
	used1 = member_used(1);
	cap1 = pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/1/%s", "capacity_pages") -
	       pnuma_sysfs_num(PNUMA_SYSFS "/%s/reserve_pages", "pnuma0");
	ASSERT_LT(used1, cap1);
	lpn = SETS * N;
	munmap(map, SETS * N * PNUMA_PAGE);
	map = mmap(NULL, (cap1 - used1 + 1) * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pnuma_pin_cpu(pnuma_node_cpu(1)));
	for (i = 0; i < cap1 - used1; i++)
		map[i * PNUMA_PAGE] = 0x5a;
	EXPECT_EQ(cap1, member_used(1));
	EXPECT_EQ(used0, member_used(0));
	EXPECT_EQ(0, pnuma_bad_halves(fd, SETS * N, 0, 0x600d));
	/* The next one goes to member 0, which has room beyond its reserve. */
	map[i * PNUMA_PAGE] = 0x5a;
	EXPECT_EQ(cap1, member_used(1));
	EXPECT_EQ(used0 + 1, member_used(0));
	munmap(map, (cap1 - used1 + 1) * PNUMA_PAGE);
	close(fd);
}

/*
 * Two members on node 0, one on node 1: pages first touched on node 0
 * spread over both node-0 members by room; a move to the node a page is
 * on already does nothing, whichever of its members holds it; pages
 * moved back to node 0 spread by room again.
 */
TEST_F(create, several_members_on_a_node)
{
	enum { N = 32 };
	char n0[2][32], n1[1][32], cmd[128], *map;
	int status[2 * N], i, fd;
	long long moved;

	if (node_pmems(0, n0, 2) < 2 || node_pmems(1, n1, 1) < 1)
		SKIP(return, "needs two pmem devices on node 0 and one on node 1");
	snprintf(cmd, sizeof(cmd), "force %s %s %s", n0[0], n0[1], n1[0]);
	ASSERT_EQ(0, pnuma_sysfs_write("create", cmd));
	fd = open("/dev/pnuma0", O_RDWR);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 2 * N * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pnuma_write_halves(map, 2 * N, 0, 0x600d, pnuma_node_cpu(0),
					pnuma_node_cpu(0)));
	/* Equal members take turns (the first on a tie). */
	ASSERT_EQ(pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/0/%s", "capacity_pages"),
		  pnuma_sysfs_num(PNUMA_SYSFS "/pnuma0/members/1/%s", "capacity_pages"));
	EXPECT_EQ(N, member_used(0));
	EXPECT_EQ(N, member_used(1));
	EXPECT_EQ(0, member_used(2));
	EXPECT_EQ(0, pnuma_sysfs_num(PNUMA_SYSFS "/%s/fallback_allocations", "pnuma0"));

	moved = pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", "pnuma0");
	ASSERT_EQ(0, pnuma_move_range(map, 2 * N, 0, status, 0));
	for (i = 0; i < 2 * N; i++)
		EXPECT_EQ(0, status[i]) TH_LOG("page %d", i);
	EXPECT_EQ(moved, pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", "pnuma0"));
	EXPECT_EQ(N, member_used(0));
	EXPECT_EQ(N, member_used(1));

	ASSERT_EQ(0, pnuma_move_range(map, 2 * N, 1, status, 0));
	for (i = 0; i < 2 * N; i++)
		EXPECT_EQ(1, status[i]) TH_LOG("page %d", i);
	EXPECT_EQ(2 * N, member_used(2));
	ASSERT_EQ(0, pnuma_move_range(map, 2 * N, 0, status, 0));
	for (i = 0; i < 2 * N; i++)
		EXPECT_EQ(0, status[i]) TH_LOG("page %d", i);
	EXPECT_EQ(N, member_used(0));
	EXPECT_EQ(N, member_used(1));
	EXPECT_EQ(0, member_used(2));
	EXPECT_EQ(0, pnuma_bad_halves(fd, 2 * N, 0, 0x600d));
	munmap(map, 2 * N * PNUMA_PAGE);
	close(fd);
}

TEST_HARNESS_MAIN
