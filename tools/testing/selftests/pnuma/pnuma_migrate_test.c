// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of moving pnuma pages with move_pages(2): pages and their data
 * move between the nodes and back; each page's status is what the man
 * page documents (the node, -ENOENT, -EBUSY for a pinned page, -EACCES
 * for a page another process maps, -ENOMEM, -EIO); pnuma and anonymous
 * pages mix in one call; writers keep writing while their pages move and
 * lose nothing; injected copy and allocation failures leave the page
 * where it was; a process unmapping or exiting meanwhile is harmless.
 */

#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>

#include "../kselftest_harness.h"
#include "../../../../mm/gup_test.h"
#include "pnuma_util.h"

#define POOL	"pnuma0"
#define DEV	"/dev/" POOL
#define DEBUGFS	"/sys/kernel/debug/pnuma"

FIXTURE(migrate) {
	int fd;
	unsigned long long logical;
	int cpu[2];
};

FIXTURE_SETUP(migrate)
{
	const char *skip = pnuma_pool_open(&self->fd, &self->logical);

	if (skip)
		SKIP(return, "%s", skip);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, self->logical);
	self->cpu[0] = pnuma_node_cpu(0);
	self->cpu[1] = pnuma_node_cpu(1);
}

FIXTURE_TEARDOWN(migrate)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Map @n untouched logical pages and fill them from a CPU of @node. */
static char *fresh_pages(int fd, unsigned long long logical, unsigned long n,
			 int cpu, long long *lpn)
{
	char *map;

	*lpn = pnuma_free_window(fd, logical, n);
	if (*lpn < 0)
		return NULL;
	map = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, *lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		return NULL;
	if (pnuma_write_halves(map, n, *lpn, 0xabcd, cpu, cpu)) {
		munmap(map, n * PNUMA_PAGE);
		return NULL;
	}
	return map;
}

/* Number of pages whose content is not what fresh_pages() wrote. */
static int bad_pages(int fd, char *map, unsigned long n, long long lpn)
{
	uint64_t want[PNUMA_PAGE / sizeof(uint64_t)];
	uint64_t got[PNUMA_PAGE / sizeof(uint64_t)];
	unsigned long i;
	int bad = 0;

	for (i = 0; i < n; i++) {
		pnuma_pattern(want, 0xabcd + (i >= n / 2), lpn + i);
		if (memcmp(map + i * PNUMA_PAGE, want, PNUMA_PAGE) ||
		    pread(fd, got, PNUMA_PAGE, (lpn + i) * PNUMA_PAGE) != PNUMA_PAGE ||
		    memcmp(got, want, PNUMA_PAGE))
			bad++;
	}
	return bad;
}

TEST_F(migrate, pages_move_to_the_other_node_and_back)
{
	enum { N = 64 };
	long long lpn, migrated;
	int status[N], i, round;
	char *map;

	map = fresh_pages(self->fd, self->logical, N, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	migrated = pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", POOL);
	for (round = 0; round < 4; round++) {
		int node = round % 2 ? 0 : 1;

		ASSERT_EQ(0, pnuma_move_range(map, N, node, status, 0));
		for (i = 0; i < N; i++)
			ASSERT_EQ(node, status[i]) TH_LOG("round %d page %d", round, i);
		for (i = 0; i < N; i++)
			ASSERT_EQ(node, pnuma_node_of(map + i * PNUMA_PAGE));
		EXPECT_EQ(0, bad_pages(self->fd, map, N, lpn)) TH_LOG("round %d", round);
	}
	EXPECT_EQ(migrated + 4 * N,
		  pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", POOL));
	munmap(map, N * PNUMA_PAGE);
}

TEST_F(migrate, untouched_page_is_enoent)
{
	long long lpn = pnuma_free_window(self->fd, self->logical, 1);
	int status = 0;
	char *map;

	ASSERT_LE(0, lpn);
	map = mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, self->fd,
		   lpn * PNUMA_PAGE);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(-ENOENT, status);
	EXPECT_EQ(-ENOENT, pnuma_node_of(map));
	munmap(map, PNUMA_PAGE);
}

TEST_F(migrate, page_already_there_stays)
{
	long long lpn, migrated;
	int status = -1;
	char *map;

	map = fresh_pages(self->fd, self->logical, 2, self->cpu[1], &lpn);
	ASSERT_NE(NULL, map);
	migrated = pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", POOL);
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(1, status);
	EXPECT_EQ(migrated, pnuma_sysfs_num(PNUMA_SYSFS "/%s/pages_migrated", POOL));
	munmap(map, 2 * PNUMA_PAGE);
}

/*
 * vmsplice() takes references on the pages it puts in a pipe: the move is
 * refused before the page is unmapped from anyone (no TLB shootdown for
 * a page that cannot move).
 */
TEST_F(migrate, pinned_page_is_ebusy)
{
	char buf[PNUMA_PAGE], *map;
	struct iovec iov;
	int pipefd[2], status = 0;
	long long lpn;

	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, pipe(pipefd));
	iov = (struct iovec){ .iov_base = map, .iov_len = PNUMA_PAGE };
	ASSERT_EQ(PNUMA_PAGE, vmsplice(pipefd[1], &iov, 1, 0));
	ASSERT_EQ(1, !!(pnuma_pagemap(map) >> 63));
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(-EBUSY, status);
	EXPECT_EQ(1, !!(pnuma_pagemap(map) >> 63));
	EXPECT_EQ(0, pnuma_node_of(map));
	/* Once the pipe is drained, the page moves. */
	ASSERT_EQ(PNUMA_PAGE, read(pipefd[0], buf, PNUMA_PAGE));
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(1, status);
	EXPECT_EQ(0, bad_pages(self->fd, map, 2, lpn));
	close(pipefd[0]);
	close(pipefd[1]);
	munmap(map, 2 * PNUMA_PAGE);
}

#define GUP_TEST	"/sys/kernel/debug/gup_test"

/*
 * A long-term pin (FOLL_LONGTERM: RDMA, io_uring fixed buffers, VFIO)
 * would keep a pnuma page from ever moving: refused, as for fsdax pages.
 * The same pin of anonymous memory works (the test's control).
 */
TEST_F(migrate, long_term_pin_is_refused)
{
	struct pin_longterm_test pin = { .size = PNUMA_PAGE };
	int fd, status = 0;
	char *map, *anon;
	long long lpn;

	fd = open(GUP_TEST, O_RDWR);
	if (fd < 0)
		SKIP(return, "no " GUP_TEST " (CONFIG_GUP_TEST)");
	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	anon = mmap(NULL, PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	anon[0] = 1;

	pin.addr = (uintptr_t)anon;
	ASSERT_EQ(0, ioctl(fd, PIN_LONGTERM_TEST_START, &pin));
	ASSERT_EQ(0, ioctl(fd, PIN_LONGTERM_TEST_STOP));

	pin.addr = (uintptr_t)map;
	EXPECT_EQ(-1, ioctl(fd, PIN_LONGTERM_TEST_START, &pin));
	EXPECT_EQ(EOPNOTSUPP, errno);
	pin.flags = PIN_LONGTERM_TEST_FLAG_USE_FAST;
	EXPECT_EQ(-1, ioctl(fd, PIN_LONGTERM_TEST_START, &pin));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ioctl(fd, PIN_LONGTERM_TEST_STOP);
	/* Not pinned: it still moves. */
	EXPECT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(1, status);
	close(fd);
	munmap(anon, PNUMA_PAGE);
	munmap(map, 2 * PNUMA_PAGE);
}

TEST_F(migrate, page_another_process_maps_needs_move_all)
{
	int status = 0, ready[2], wstatus;
	long long lpn;
	char *map, c;
	pid_t pid;

	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(DEV, O_RDWR);
		char *m = fd < 0 ? MAP_FAILED :
			mmap(NULL, PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
			     lpn * PNUMA_PAGE);

		c = 'n';
		if (m != MAP_FAILED) {
			(void)__atomic_load_n(m, __ATOMIC_RELAXED);
			c = 'y';
		}
		if (write(ready[1], &c, 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ('y', c);
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(-EACCES, status);
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, MPOL_MF_MOVE_ALL));
	EXPECT_EQ(1, status);
	kill(pid, SIGKILL);
	waitpid(pid, &wstatus, 0);
	EXPECT_EQ(0, bad_pages(self->fd, map, 2, lpn));
	munmap(map, 2 * PNUMA_PAGE);
}

TEST_F(migrate, pnuma_and_anonymous_pages_in_one_call)
{
	enum { N = 8 };
	void *pages[2 * N];
	int nodes[2 * N], status[2 * N], i;
	long long lpn;
	char *map, *anon;

	map = fresh_pages(self->fd, self->logical, N, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	anon = mmap(NULL, N * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 7, N * PNUMA_PAGE);
	for (i = 0; i < 2 * N; i++) {
		pages[i] = i % 2 ? anon + i / 2 * PNUMA_PAGE : map + i / 2 * PNUMA_PAGE;
		nodes[i] = 1;
	}
	ASSERT_EQ(0, syscall(SYS_move_pages, 0, 2 * N, pages, nodes, status, 0));
	for (i = 0; i < 2 * N; i++)
		EXPECT_EQ(1, status[i]) TH_LOG("page %d (%s)", i, i % 2 ? "anonymous" : "pnuma");
	EXPECT_EQ(0, bad_pages(self->fd, map, N, lpn));
	for (i = 0; i < N * (int)PNUMA_PAGE; i++)
		ASSERT_EQ(7, anon[i]);
	munmap(anon, N * PNUMA_PAGE);
	munmap(map, N * PNUMA_PAGE);
}

/*
 * move_pages(2) stops early when upstream cannot migrate the anonymous
 * pages it queued for one node (here one a pipe holds) and a page for
 * another node, or a pnuma page, follows: a pnuma page queued before, or
 * the one that follows, must still move and get its status, and the
 * count of pages not migrated must not include it.
 */
TEST_F(migrate, pnuma_page_before_a_failed_anonymous_batch_moves)
{
	enum { SENTINEL = 0x5e47 };
	int nodes[3] = { 1, 1, 0 };
	int status[3] = { SENTINEL, SENTINEL, SENTINEL };
	int pipefd[2];
	struct iovec iov;
	void *pages[3];
	char *map, *anon;
	long long lpn;
	long ret;

	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, pnuma_pin_cpu(self->cpu[0]));
	anon = mmap(NULL, 2 * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 7, 2 * PNUMA_PAGE);
	ASSERT_EQ(0, pnuma_node_of(anon));
	/* The pipe holds a reference: upstream cannot migrate the page. */
	ASSERT_EQ(0, pipe(pipefd));
	iov = (struct iovec){ .iov_base = anon, .iov_len = PNUMA_PAGE };
	ASSERT_EQ(PNUMA_PAGE, vmsplice(pipefd[1], &iov, 1, 0));

	pages[0] = map;
	pages[1] = anon;
	pages[2] = anon + PNUMA_PAGE;
	/* Not migrated: the pinned page, and the one never reached. */
	ret = syscall(SYS_move_pages, 0, 3, pages, nodes, status, 0);
	EXPECT_EQ(2, ret) TH_LOG("move_pages: %ld (%s)", ret, strerror(errno));
	EXPECT_EQ(1, status[0]);
	EXPECT_EQ(1, pnuma_node_of(map));
	EXPECT_EQ(0, pnuma_node_of(anon));

	/*
	 * The pnuma page after the pinned one: upstream's batch fails when
	 * the pnuma page comes; it still moves, and is not counted as one
	 * move_pages(2) could not migrate.
	 */
	pages[0] = anon;
	pages[1] = map;
	nodes[0] = 1;
	nodes[1] = 0;
	status[0] = SENTINEL;
	status[1] = SENTINEL;
	ret = syscall(SYS_move_pages, 0, 2, pages, nodes, status, 0);
	EXPECT_EQ(1, ret) TH_LOG("move_pages: %ld (%s)", ret, strerror(errno));
	EXPECT_EQ(0, status[1]);
	EXPECT_EQ(0, pnuma_node_of(map));
	EXPECT_EQ(0, pnuma_node_of(anon));
	EXPECT_EQ(0, bad_pages(self->fd, map, 2, lpn));
	close(pipefd[0]);
	close(pipefd[1]);
	munmap(anon, 2 * PNUMA_PAGE);
	munmap(map, 2 * PNUMA_PAGE);
}

struct counter_writer {
	uint64_t *map;
	unsigned long pages;
	uint64_t last[16];
	int stop;
	int cpu;
};

/* Keep incrementing the first word of every page; remember what it wrote. */
static void *counter_fn(void *arg)
{
	struct counter_writer *w = arg;
	uint64_t v = 0;
	unsigned long i;

	pnuma_pin_cpu(w->cpu);
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		v++;
		for (i = 0; i < w->pages; i++) {
			__atomic_store_n(&w->map[i * PNUMA_PAGE / 8], v, __ATOMIC_RELAXED);
			__atomic_store_n(&w->last[i], v, __ATOMIC_RELEASE);
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(migrate, writers_lose_nothing_while_pages_move, 300)
{
	enum { N = 16, ROUNDS = 20 };
	struct counter_writer w = { .pages = N, .cpu = self->cpu[0] };
	int status[N], round, i, moved = 0;
	pthread_t th;
	long long lpn;
	char *map;

	map = fresh_pages(self->fd, self->logical, N, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	w.map = (uint64_t *)map;
	ASSERT_EQ(0, pthread_create(&th, NULL, counter_fn, &w));
	for (round = 0; round < ROUNDS; round++) {
		ASSERT_EQ(0, pnuma_move_range(map, N, round % 2 ? 0 : 1, status, 0));
		for (i = 0; i < N; i++)
			moved += status[i] == (round % 2 ? 0 : 1);
	}
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	EXPECT_LT(ROUNDS * N / 2, moved);
	for (i = 0; i < N; i++) {
		uint64_t got;

		ASSERT_EQ(8, pread(self->fd, &got, 8, (lpn + i) * PNUMA_PAGE));
		EXPECT_EQ(w.last[i], got) TH_LOG("page %d lost writes", i);
	}
	munmap(map, N * PNUMA_PAGE);
}

struct opposite_mover {
	char *map;
	int node;
	int cpu;
	long calls;
	long bad;		/* statuses move_pages(2) must not give here */
	int last_bad;
	double until;
};

/* move_pages() every page to ->node until ->until; count odd statuses. */
static void *opposite_fn(void *arg)
{
	enum { N = 64 };
	struct opposite_mover *m = arg;
	int status[N], i;

	pnuma_pin_cpu(m->cpu);
	while (pnuma_now() < m->until) {
		if (pnuma_move_range(m->map, N, m->node, status, 0)) {
			m->bad++;
			m->last_bad = -errno;
			continue;
		}
		m->calls++;
		for (i = 0; i < N; i++) {
			if (status[i] == 0 || status[i] == 1 || status[i] == -EBUSY)
				continue;
			m->bad++;
			m->last_bad = status[i];
		}
	}
	return NULL;
}

/*
 * Two movers push the same pages toward opposite nodes: a page the other
 * mover has just moved is reported where it is now or -EBUSY, never a
 * false -EIO (a media error) or another node.
 */
TEST_F_TIMEOUT(migrate, opposite_movers_get_true_statuses, 120)
{
	enum { N = 64 };
	struct opposite_mover m[2];
	pthread_t th[2];
	long long lpn, errors;
	char *map;
	int t;

	map = fresh_pages(self->fd, self->logical, N, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	errors = pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL);
	for (t = 0; t < 2; t++) {
		m[t] = (struct opposite_mover){
			.map = map, .node = !t, .cpu = self->cpu[t],
			.until = pnuma_now() + 5,
		};
		ASSERT_EQ(0, pthread_create(&th[t], NULL, opposite_fn, &m[t]));
	}
	for (t = 0; t < 2; t++) {
		pthread_join(th[t], NULL);
		EXPECT_LT(0, m[t].calls);
		EXPECT_EQ(0, m[t].bad) TH_LOG("mover to node %d: last odd status %d",
					      m[t].node, m[t].last_bad);
	}
	EXPECT_EQ(errors, pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL));
	EXPECT_EQ(0, bad_pages(self->fd, map, N, lpn));
	munmap(map, N * PNUMA_PAGE);
}

TEST_F(migrate, injected_copy_failure_leaves_the_page)
{
	long long lpn, errors, vmstat;
	int status = 0;
	char *map;

	if (access(DEBUGFS "/fail_copy", F_OK))
		SKIP(return, "no " DEBUGFS "/fail_copy");
	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	/* No stack dump: the console is checked for kernel splats. */
	ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/verbose", "0"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/times", "1"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_copy/probability", "100"));
	errors = pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL);
	vmstat = pnuma_vmstat("pnuma_migrate_media_error");
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	pnuma_debugfs_write("fail_copy/probability", "0");
	EXPECT_EQ(-EIO, status);
	EXPECT_EQ(0, pnuma_node_of(map));
	EXPECT_EQ(0, bad_pages(self->fd, map, 2, lpn));
	/* A failed copy is a media error: counted (and logged). */
	EXPECT_EQ(errors + 1,
		  pnuma_sysfs_num(PNUMA_SYSFS "/%s/media_errors", POOL));
	EXPECT_EQ(vmstat + 1, pnuma_vmstat("pnuma_migrate_media_error"));
	/* The next try works. */
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	EXPECT_EQ(1, status);
	munmap(map, 2 * PNUMA_PAGE);
}

TEST_F(migrate, injected_allocation_failure_is_enomem)
{
	long long lpn, used;
	int status = 0;
	char *map;

	if (access(DEBUGFS "/fail_alloc", F_OK))
		SKIP(return, "no " DEBUGFS "/fail_alloc");
	map = fresh_pages(self->fd, self->logical, 2, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	/* No stack dump: the console is checked for kernel splats. */
	ASSERT_EQ(0, pnuma_debugfs_write("fail_alloc/verbose", "0"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_alloc/times", "1"));
	ASSERT_EQ(0, pnuma_debugfs_write("fail_alloc/probability", "100"));
	ASSERT_EQ(0, pnuma_move_range(map, 1, 1, &status, 0));
	pnuma_debugfs_write("fail_alloc/probability", "0");
	EXPECT_EQ(-ENOMEM, status);
	EXPECT_EQ(0, pnuma_node_of(map));
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	EXPECT_EQ(0, bad_pages(self->fd, map, 2, lpn));
	munmap(map, 2 * PNUMA_PAGE);
}

/* Children map the pages and unmap or exit while the parent moves them. */
TEST_F_TIMEOUT(migrate, unmap_and_exit_during_moves, 300)
{
	enum { N = 32, CHILDREN = 4, ROUNDS = 10 };
	int status[N], round, c, wstatus;
	pid_t pids[CHILDREN];
	long long lpn;
	char *map;

	map = fresh_pages(self->fd, self->logical, N, self->cpu[0], &lpn);
	ASSERT_NE(NULL, map);
	for (c = 0; c < CHILDREN; c++) {
		pids[c] = fork();
		ASSERT_LE(0, pids[c]);
		if (!pids[c]) {
			int fd = open(DEV, O_RDWR), r;

			for (r = 0; r < 50 && fd >= 0; r++) {
				char *m = mmap(NULL, N * PNUMA_PAGE, PROT_READ,
					       MAP_SHARED, fd, lpn * PNUMA_PAGE);

				if (m == MAP_FAILED)
					_exit(1);
				for (int i = 0; i < N; i++)
					__atomic_load_n(m + i * PNUMA_PAGE,
							__ATOMIC_RELAXED);
				munmap(m, N * PNUMA_PAGE);
			}
			_exit(c % 2 ? 0 : 3);
		}
	}
	for (round = 0; round < ROUNDS; round++)
		ASSERT_EQ(0, pnuma_move_range(map, N, round % 2 ? 0 : 1, status,
					      MPOL_MF_MOVE_ALL));
	for (c = 0; c < CHILDREN; c++) {
		ASSERT_EQ(pids[c], waitpid(pids[c], &wstatus, 0));
		EXPECT_EQ(c % 2 ? 0 : 3, WEXITSTATUS(wstatus));
	}
	EXPECT_EQ(0, bad_pages(self->fd, map, N, lpn));
	munmap(map, N * PNUMA_PAGE);
}

TEST_HARNESS_MAIN
