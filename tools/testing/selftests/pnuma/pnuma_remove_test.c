// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_remove_test: a member taken away while the pool is in use. With
 * processes writing and reading the pool through mappings and through
 * write(2)/read(2), and another moving its pages back and forth between
 * the nodes, the pmem driver of the node 1 member is unbound (as 'ndctl
 * disable-namespace' or a hot-unplug would). The pool must go dead at
 * once, with one log line naming the member: every mapping access then
 * gets SIGBUS, read(2) and write(2) EIO, and none of the processes ever
 * sees a page that is not what was written. No kernel splat (the boot's
 * log is checked by scripts/pnuma-check). Then the dead pool is stopped,
 * the driver bound again, the pool assembled (recovery replays or
 * discards what the removal interrupted) and every page is found intact.
 *
 * The writers rewrite each page with what it already holds, so that any
 * interleaving of writes, moves and the removal leaves the same content:
 * a page that differs afterwards was lost or torn by the removal.
 *
 * Runs alone in a boot on fresh NVDIMMs (scripts/pnuma-check): it leaves
 * the pool stopped and assembled again.
 */

#include <setjmp.h>
#include <signal.h>
#include <sys/klog.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define N		512	/* pages used */
#define SEED		0x72656d
#define RUN_MAX		60	/* s a child waits for the pool to die */
#define NR_CHILDREN	5

enum child_exit {
	CHILD_SAW_DEATH = 0,	/* SIGBUS or EIO, after good data only */
	CHILD_BAD_DATA = 1,
	CHILD_NO_DEATH = 2,
	CHILD_SETUP = 3,
};

/* Where the pool lives: found once by the fixture. */
struct where {
	char pool[32];
	char block[32];		/* the node 1 member's block device */
	char nd_dev[256];	/* the nd device its pmem driver is bound to */
};

static int member_of_node(const char *pool, int node, char *block,
			  size_t size)
{
	char buf[64];
	int i, n;

	n = pnuma_sysfs_num(PNUMA_SYSFS "/%s/nr_members", pool);
	for (i = 0; i < n; i++) {
		char path[128];

		snprintf(path, sizeof(path), PNUMA_SYSFS "/%s/members/%d/node",
			 pool, i);
		if (pnuma_sysfs_read(buf, sizeof(buf), "%s", path) ||
		    atoi(buf) != node)
			continue;
		snprintf(path, sizeof(path),
			 PNUMA_SYSFS "/%s/members/%d/device", pool, i);
		return pnuma_sysfs_read(block, size, "%s", path);
	}
	return -1;
}

/* The nd device (pfnX.Y or namespaceX.Y) that /dev/@block comes from. */
static int nd_device_of(const char *block, char *nd, size_t size)
{
	char link[256], path[128];
	ssize_t len;
	const char *base;

	snprintf(path, sizeof(path), "/sys/block/%s/device", block);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -1;
	link[len] = '\0';
	base = strrchr(link, '/');
	snprintf(nd, size, "%s", base ? base + 1 : link);
	return 0;
}

static char *pool_state(const char *pool, char *buf, size_t size)
{
	if (pnuma_sysfs_read(buf, size, PNUMA_SYSFS "/%s/state", pool))
		snprintf(buf, size, "(gone)");
	return buf;
}

/* Wait up to @secs for an active pool; its name in @pool. */
static int wait_active_pool(char *pool, size_t size, int secs)
{
	double end = pnuma_now() + secs;
	char buf[32];

	do {
		int i;

		for (i = 0; i < 8; i++) {
			char name[16];

			snprintf(name, sizeof(name), "pnuma%d", i);
			if (!strcmp(pool_state(name, buf, sizeof(buf)),
				    "active")) {
				snprintf(pool, size, "%s", name);
				return 0;
			}
		}
		usleep(100 * 1000);
	} while (pnuma_now() < end);
	return -1;
}

/* Page @i of the window at @lpn, as pnuma_write_halves() wrote it. */
static void want_page(uint64_t *buf, long long lpn, unsigned long i)
{
	pnuma_pattern(buf, SEED + (i >= N / 2), lpn + i);
}

static int page_ok(const char *page, long long lpn, unsigned long i)
{
	uint64_t want[PNUMA_PAGE / sizeof(uint64_t)];

	want_page(want, lpn, i);
	return !memcmp(page, want, PNUMA_PAGE);
}

static sigjmp_buf sigbus_jmp;
/* Set by the handler only; read after sigsetjmp() returns again. */
static void *sigbus_addr;
/* Where a read through a mapping goes, so that it is not optimised away. */
char sink;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	sigbus_addr = si->si_addr;
	siglongjmp(sigbus_jmp, 1);
}

static int catch_sigbus(void)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigbus,
		.sa_flags = SA_SIGINFO,
	};

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL);
}

/*
 * The children. Each loops over the pages until the pool dies under it
 * (SIGBUS, EIO: exit CHILD_SAW_DEATH), finds a page that is not what was
 * written (CHILD_BAD_DATA), or RUN_MAX passes (CHILD_NO_DEATH).
 */
static int child_map_rw(int fd, long long lpn, bool write)
{
	uint64_t buf[PNUMA_PAGE / sizeof(uint64_t)];
	double end = pnuma_now() + RUN_MAX;
	char *map;

	map = mmap(NULL, N * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, lpn * PNUMA_PAGE);
	if (map == MAP_FAILED || catch_sigbus())
		return CHILD_SETUP;
	if (sigsetjmp(sigbus_jmp, 1))
		return CHILD_SAW_DEATH;
	while (pnuma_now() < end) {
		unsigned long i;

		for (i = 0; i < N; i++) {
			char *page = map + i * PNUMA_PAGE;

			if (write) {
				want_page(buf, lpn, i);
				memcpy(page, buf, PNUMA_PAGE);
			} else if (!page_ok(page, lpn, i)) {
				return CHILD_BAD_DATA;
			}
		}
	}
	return CHILD_NO_DEATH;
}

static int child_syscall_rw(int fd, long long lpn, bool write)
{
	uint64_t buf[PNUMA_PAGE / sizeof(uint64_t)];
	double end = pnuma_now() + RUN_MAX;
	unsigned long i;
	ssize_t n;

	while (pnuma_now() < end) {
		for (i = 0; i < N; i++) {
			off_t off = (lpn + i) * PNUMA_PAGE;

			if (write) {
				want_page(buf, lpn, i);
				n = pwrite(fd, buf, PNUMA_PAGE, off);
			} else {
				n = pread(fd, buf, PNUMA_PAGE, off);
			}
			if (n < 0)
				return errno == EIO ? CHILD_SAW_DEATH :
						      CHILD_SETUP;
			if (n != PNUMA_PAGE)
				return CHILD_SETUP;
			if (!write && !page_ok((char *)buf, lpn, i))
				return CHILD_BAD_DATA;
		}
	}
	return CHILD_NO_DEATH;
}

/* Move the pages back and forth between the nodes until the moves fail. */
static int child_mover(int fd, long long lpn)
{
	double end = pnuma_now() + RUN_MAX;
	int status[N], node = 1, i;
	char *map;

	map = mmap(NULL, N * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		return CHILD_SETUP;
	while (pnuma_now() < end) {
		if (pnuma_move_range(map, N, node, status, MPOL_MF_MOVE_ALL) < 0)
			return CHILD_SETUP;
		for (i = 0; i < N; i++)
			if (status[i] == -EIO)
				return CHILD_SAW_DEATH;
		node = !node;
	}
	return CHILD_NO_DEATH;
}

static pid_t spawn(int which, int fd, long long lpn)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	switch (which) {
	case 0:
		_exit(child_map_rw(fd, lpn, true));
	case 1:
		_exit(child_map_rw(fd, lpn, false));
	case 2:
		_exit(child_syscall_rw(fd, lpn, true));
	case 3:
		_exit(child_syscall_rw(fd, lpn, false));
	default:
		_exit(child_mover(fd, lpn));
	}
}

static const char * const child_name[NR_CHILDREN] = {
	"mapped writer", "mapped reader", "pwrite writer", "pread reader",
	"mover",
};

/* Does the kernel log hold @a, and @b on the same line? */
static int klog_has(const char *a, const char *b)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *log, *line;
	int n, found = 0;

	if (size <= 0)
		return 0;
	log = malloc(size + 1);
	if (!log)
		return 0;
	n = klogctl(3, log, size);		/* SYSLOG_ACTION_READ_ALL */
	if (n > 0) {
		log[n] = '\0';
		for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n"))
			if (strstr(line, a) && strstr(line, b))
				found = 1;
	}
	free(log);
	return found;
}

FIXTURE(remove) {
	struct where w;
};

FIXTURE_SETUP(remove)
{
	int fd;
	unsigned long long logical;
	const char *skip = pnuma_pool_open(&fd, &logical);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(self->w.pool, sizeof(self->w.pool), "pnuma0");
	if (pnuma_node_cpu(1) < 0)
		SKIP(return, "node 1 has no CPU");
	ASSERT_EQ(0, member_of_node(self->w.pool, 1, self->w.block,
				    sizeof(self->w.block)));
	ASSERT_EQ(0, nd_device_of(self->w.block, self->w.nd_dev,
				  sizeof(self->w.nd_dev)));
	TH_LOG("node 1 member %s, from %s", self->w.block, self->w.nd_dev);
}

FIXTURE_TEARDOWN(remove)
{
}

TEST_F_TIMEOUT(remove, unbinding_a_member_in_use_kills_the_pool_and_loses_nothing,
	       300)
{
	unsigned long long logical;
	long long lpn, migrated;
	pid_t pid[NR_CHILDREN];
	char buf[64], path[160], *map;
	unsigned long i, bad = 0;
	int fd, c, status;

	fd = open("/dev/pnuma0", O_RDWR);
	ASSERT_LE(0, fd);
	logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0");
	lpn = pnuma_free_window(fd, logical, N);
	ASSERT_LE(0, lpn);
	map = mmap(NULL, N * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, map);
	/* Pages on both members: half written from each node, persisted. */
	ASSERT_EQ(0, pnuma_write_halves(map, N, lpn, SEED, pnuma_node_cpu(0),
					pnuma_node_cpu(1)));
	ASSERT_EQ(N / 2, pnuma_pages_on_node(map, N, 1));
	munmap(map, N * PNUMA_PAGE);

	migrated = pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", "pnuma0");
	for (c = 0; c < NR_CHILDREN; c++) {
		pid[c] = spawn(c, fd, lpn);
		ASSERT_LT(0, pid[c]);
	}
	/* Let the moves and the I/O run (TCG: allow 10 s). */
	for (i = 0; i < 500; i++) {
		usleep(20 * 1000);
		if (pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated",
				    "pnuma0") > migrated + 2 * N)
			break;
	}
	EXPECT_LT(migrated + 2 * N,
		  pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", "pnuma0"));

	ASSERT_EQ(0, pnuma_write_file("/sys/bus/nd/drivers/nd_pmem/unbind",
				      self->w.nd_dev));
	EXPECT_STREQ("dead", pool_state("pnuma0", buf, sizeof(buf)));
	EXPECT_TRUE(klog_has("pnuma0: member", "is going away: the pool is dead"));

	for (c = 0; c < NR_CHILDREN; c++) {
		ASSERT_EQ(pid[c], waitpid(pid[c], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) &&
			    WEXITSTATUS(status) == CHILD_SAW_DEATH)
			TH_LOG("%s: %s %d", child_name[c],
			       WIFEXITED(status) ? "exit" : "signal",
			       WIFEXITED(status) ? WEXITSTATUS(status) :
						   WTERMSIG(status));
	}

	/* Dead: no access, no new mapping that works, no move. */
	EXPECT_EQ(-1, pread(fd, buf, sizeof(buf), lpn * PNUMA_PAGE));
	EXPECT_EQ(EIO, errno);
	map = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, catch_sigbus());
	sigbus_addr = NULL;
	if (!sigsetjmp(sigbus_jmp, 1))
		sink = map[0];
	EXPECT_EQ(map, sigbus_addr) TH_LOG("a page of a dead pool was mapped");
	munmap(map, PNUMA_PAGE);
	close(fd);

	/* Stop it, bring the member back: the pool assembles, intact. */
	ASSERT_EQ(0, pnuma_sysfs_write("stop", "pnuma0"));
	ASSERT_EQ(0, pnuma_write_file("/sys/bus/nd/drivers/nd_pmem/bind",
				      self->w.nd_dev));
	snprintf(path, sizeof(path), "/sys/block/%s", self->w.block);
	for (i = 0; i < 100 && access(path, F_OK); i++)
		usleep(100 * 1000);
	ASSERT_EQ(0, access(path, F_OK));
	if (wait_active_pool(self->w.pool, sizeof(self->w.pool), 10)) {
		/* Not assembled by the scan of the new device: ask for it. */
		ASSERT_EQ(0, pnuma_sysfs_write("assemble", "scan"));
		ASSERT_EQ(0, wait_active_pool(self->w.pool,
					      sizeof(self->w.pool), 10));
	}
	TH_LOG("assembled again as %s", self->w.pool);
	EXPECT_EQ(0, pnuma_sysfs_num(PNUMA_SYSFS "/%s/clean_shutdown",
				     self->w.pool));

	snprintf(path, sizeof(path), "/dev/%s", self->w.pool);
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd);
	map = mmap(NULL, N * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, map);
	for (i = 0; i < N; i++)
		bad += !page_ok(map + i * PNUMA_PAGE, lpn, i);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(N, pnuma_pages_on_node(map, N, 0) +
		     pnuma_pages_on_node(map, N, 1));
	munmap(map, N * PNUMA_PAGE);
	close(fd);
}

TEST_HARNESS_MAIN
