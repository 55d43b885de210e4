// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of automatic NUMA balancing of pnuma pages (numa_balancing_pmem):
 *
 *  - convergence: pages first written on node 0 and then read by a thread
 *    pinned to node 1 end up on node 1, every byte intact;
 *  - off means off: with numa_balancing_pmem 0, no hinting fault on a
 *    pnuma page and no move, with NUMA balancing itself on; likewise with
 *    NUMA balancing in memory-tiering mode only (numa_balancing=2);
 *  - anonymous memory converges as before, the switch 0 or 1;
 *  - local pages: touched only from their own node, scanned and faulted
 *    but never moved;
 *  - shared pages: read from both nodes at once move, but only a few
 *    times each;
 *  - processes writing the same pages form one numa_group, as they do
 *    for shared anonymous or page-cache pages;
 *  - moves that keep failing back off;
 *  - the rate limit: pages moved per second stay under
 *    numa_balancing_pmem_rate_limit_MBps;
 *  - processes mapping, unmapping and exiting during balancing and a
 *    move_pages(2) storm: no page lost, none leaked;
 *  - the tracepoints: pnuma_migrate for every move NUMA balancing makes,
 *    pnuma_recovery when the pool is assembled again.
 *
 * The scanner is sped up through debugfs sched/numa_balancing (no delay
 * after exec, a scan period of 100 ms to 1 s); every setting is restored
 * afterwards.
 */

#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/mempolicy.h>

#include "../kselftest_harness.h"
#include "pnuma_util.h"

#define POOL		"pnuma0"
#define DEV		"/dev/" POOL
#define SCHED_DEBUGFS	"/sys/kernel/debug/sched/numa_balancing"
#define NUMA_SYSFS	PNUMA_SYSFS "/" POOL "/numa"

/* How long convergence may take, in seconds (TCG: about 1 to 3). */
#define CONVERGE_S	60

/* A file and the value it had before the test, restored afterwards. */
struct knob {
	const char *path;
	const char *val;
	char old[32];
};

static struct knob knobs[] = {
	{ "/proc/sys/kernel/numa_balancing", "1" },
	{ "/proc/sys/kernel/numa_balancing_pmem", "1" },
	{ "/proc/sys/kernel/numa_balancing_pmem_rate_limit_MBps", "256" },
	{ SCHED_DEBUGFS "/scan_delay_ms", "0" },
	{ SCHED_DEBUGFS "/scan_period_min_ms", "100" },
	{ SCHED_DEBUGFS "/scan_period_max_ms", "1000" },
};

FIXTURE(balance) {
	int fd;
	unsigned long long logical;
	int cpu[2];
	char *map;
	unsigned long pages;
	long long lpn;
};

FIXTURE_SETUP(balance)
{
	unsigned int i;

	self->fd = -1;
	self->map = MAP_FAILED;
	if (geteuid())
		SKIP(return, "must be run as root");
	if (access(DEV, F_OK))
		SKIP(return, "no pool: " DEV " is missing");
	if (access(SCHED_DEBUGFS, F_OK))
		SKIP(return, "no " SCHED_DEBUGFS " (CONFIG_SCHED_DEBUG)");
	ASSERT_EQ(1, pnuma_sysfs_num("%s", NUMA_SYSFS "/balanced"));
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		ASSERT_EQ(0, pnuma_sysfs_read(knobs[i].old,
					      sizeof(knobs[i].old), "%s",
					      knobs[i].path));
		ASSERT_EQ(0, pnuma_write_file(knobs[i].path, knobs[i].val));
	}
	self->fd = open(DEV, O_RDWR);
	ASSERT_LE(0, self->fd);
	self->logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", POOL);
	ASSERT_LT(0, self->logical);
	self->cpu[0] = pnuma_node_cpu(0);
	self->cpu[1] = pnuma_node_cpu(1);
	ASSERT_LE(0, self->cpu[0]);
	ASSERT_LE(0, self->cpu[1]);
}

FIXTURE_TEARDOWN(balance)
{
	unsigned int i;

	if (self->map != MAP_FAILED)
		munmap(self->map, self->pages * PNUMA_PAGE);
	if (self->fd >= 0)
		close(self->fd);
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].old[0])
			pnuma_write_file(knobs[i].path, knobs[i].old);
	/* A test that stopped half-way leaves no fault injection armed. */
	pnuma_write_file("/sys/kernel/debug/pnuma/fail_copy/probability", "0");
}

/*
 * Map @n untouched pages of @fd (*@map, logical page *@lpn) and write
 * them from @cpu; 0 or -1.
 */
static int map_fresh(int fd, unsigned long long logical, unsigned long n,
		     int cpu, char **map, long long *lpn)
{
	*lpn = pnuma_free_window(fd, logical, n);
	if (*lpn < 0)
		return -1;
	*map = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, *lpn * PNUMA_PAGE);
	if (*map == MAP_FAILED)
		return -1;
	return pnuma_write_halves(*map, n, *lpn, 0x5eed, cpu, cpu);
}

/* Pages whose content is not the pattern pnuma_write_halves() wrote. */
static unsigned long bad_pages(char *map, unsigned long n, long long lpn)
{
	uint64_t want[PNUMA_PAGE / sizeof(uint64_t)];
	unsigned long i, bad = 0;

	for (i = 0; i < n; i++) {
		pnuma_pattern(want, i < n / 2 ? 0x5eed : 0x5eed + 1, lpn + i);
		bad += !!memcmp(map + i * PNUMA_PAGE, want, PNUMA_PAGE);
	}
	return bad;
}

/**
 * struct reader - a thread that reads pages over and over
 * @map: the pages
 * @pages: how many
 * @cpu: the CPU it is pinned to
 * @stop: set to make it return
 * @err: it could not pin itself
 */
struct reader {
	char *map;
	unsigned long pages;
	int cpu;
	int stop;
	int err;
};

/* Read a word, in a way the compiler cannot leave out. */
static uint64_t touch(const char *p)
{
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}

static uint64_t sink;

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	unsigned long i, j;
	uint64_t sum = 0;

	if (pnuma_pin_cpu(r->cpu)) {
		r->err = 1;
		return NULL;
	}
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED))
		for (i = 0; i < r->pages; i++)
			for (j = 0; j < PNUMA_PAGE; j += 512)
				sum += touch(r->map + i * PNUMA_PAGE + j);
	__atomic_add_fetch(&sink, sum, __ATOMIC_RELAXED);
	return NULL;
}

/* Run readers on @cpus (@nr of them) for @secs seconds, or until @until. */
static int read_from(char *map, unsigned long n, const int *cpus, int nr,
		     double secs, bool (*until)(char *, unsigned long))
{
	struct reader r[2] = {};
	pthread_t th[2];
	double end = pnuma_now() + secs;
	int i, err = 0;

	for (i = 0; i < nr; i++) {
		r[i] = (struct reader){ .map = map, .pages = n, .cpu = cpus[i] };
		if (pthread_create(&th[i], NULL, reader_fn, &r[i]))
			return -1;
	}
	while (pnuma_now() < end && !(until && until(map, n)))
		usleep(100000);
	for (i = 0; i < nr; i++)
		__atomic_store_n(&r[i].stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < nr; i++) {
		pthread_join(th[i], NULL);
		err |= r[i].err;
	}
	return err ? -1 : 0;
}

static bool mostly_on_node1(char *map, unsigned long n)
{
	return pnuma_pages_on_node(map, n, 1) * 10 >= n * 9;
}

TEST_F_TIMEOUT(balance, converge, CONVERGE_S + 60)
{
	long long faults = pnuma_vmstat("pnuma_hint_faults");
	long long moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated");
	unsigned long n = 1024, there;
	double t0, took;

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	ASSERT_EQ(n, pnuma_pages_on_node(self->map, n, 0));

	t0 = pnuma_now();
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, CONVERGE_S,
			       mostly_on_node1));
	took = pnuma_now() - t0;
	there = pnuma_pages_on_node(self->map, n, 1);
	TH_LOG("%lu of %lu pages on node 1 after %.2f s; %lld hint faults, %lld pages moved",
	       there, n, took, pnuma_vmstat("pnuma_hint_faults") - faults,
	       pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated") - moved);
	EXPECT_LE(n * 9, there * 10);
	EXPECT_LT(0, pnuma_vmstat("pnuma_hint_faults") - faults);
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

TEST_F(balance, off_means_off)
{
	long long faults = pnuma_vmstat("pnuma_hint_faults");
	long long moved = pnuma_vmstat("pnuma_numa_pages_migrated");
	long long pool_faults = pnuma_sysfs_num("%s", NUMA_SYSFS "/hint_faults");
	unsigned long n = 512;

	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem", "0"));
	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, 5, NULL));
	EXPECT_EQ(0, pnuma_vmstat("pnuma_hint_faults") - faults);
	EXPECT_EQ(0, pnuma_vmstat("pnuma_numa_pages_migrated") - moved);
	EXPECT_EQ(0, pnuma_sysfs_num("%s", NUMA_SYSFS "/hint_faults") - pool_faults);
	EXPECT_EQ(n, pnuma_pages_on_node(self->map, n, 0));
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

/* Memory tiering only (numa_balancing=2): pnuma pages are not scanned. */
TEST_F(balance, tiering_mode_leaves_pnuma_alone)
{
	long long pool_faults = pnuma_sysfs_num("%s", NUMA_SYSFS "/hint_faults");
	long long moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated");
	unsigned long n = 512;

	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing", "2"));
	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, 5, NULL));
	EXPECT_EQ(0, pnuma_sysfs_num("%s", NUMA_SYSFS "/hint_faults") - pool_faults);
	EXPECT_EQ(0, pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated") - moved);
	EXPECT_EQ(n, pnuma_pages_on_node(self->map, n, 0));
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

/* Anonymous memory still converges as upstream's, with the switch 0 or 1. */
static void anon_converges(struct __test_metadata *_metadata, const int *cpu,
			   const char *pmem)
{
	unsigned long n = 1024;
	char *anon;
	double t0;

	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem", pmem));
	anon = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_EQ(0, pnuma_pin_cpu(cpu[0]));
	memset(anon, 0x77, n * PNUMA_PAGE);
	EXPECT_EQ(n, pnuma_pages_on_node(anon, n, 0));
	t0 = pnuma_now();
	ASSERT_EQ(0, read_from(anon, n, &cpu[1], 1, CONVERGE_S,
			       mostly_on_node1));
	TH_LOG("numa_balancing_pmem=%s: %lu of %lu anonymous pages on node 1 after %.2f s",
	       pmem, pnuma_pages_on_node(anon, n, 1), n, pnuma_now() - t0);
	EXPECT_LE(n * 9, pnuma_pages_on_node(anon, n, 1) * 10);
	munmap(anon, n * PNUMA_PAGE);
}

TEST_F_TIMEOUT(balance, anon_unaffected, 2 * CONVERGE_S + 60)
{
	anon_converges(_metadata, self->cpu, "0");
	anon_converges(_metadata, self->cpu, "1");
}

TEST_F(balance, local_pages_stay)
{
	long long local = pnuma_vmstat("pnuma_hint_faults_local");
	long long moved = pnuma_vmstat("pnuma_numa_pages_migrated");
	unsigned long n = 512;

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[1],
			       &self->map, &self->lpn));
	ASSERT_EQ(n, pnuma_pages_on_node(self->map, n, 1));
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, 5, NULL));
	/* They were scanned and faulted: the test saw balancing at work. */
	EXPECT_LT(0, pnuma_vmstat("pnuma_hint_faults_local") - local);
	EXPECT_EQ(0, pnuma_vmstat("pnuma_numa_pages_migrated") - moved);
	EXPECT_EQ(n, pnuma_pages_on_node(self->map, n, 1));
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

TEST_F(balance, shared_pages_settle)
{
	long long moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated");
	long long backoff = pnuma_sysfs_num("%s", NUMA_SYSFS "/backoff");
	unsigned long n = 256;
	double secs = 10;

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	ASSERT_EQ(0, read_from(self->map, n, self->cpu, 2, secs, NULL));
	moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated") - moved;
	TH_LOG("%lld moves of %lu shared pages in %.0f s, %lld held back",
	       moved, n, secs, pnuma_sysfs_num("%s", NUMA_SYSFS "/backoff") - backoff);
	/* Hold times of 1, 2, 4 s...: at most 4 moves each in 10 s. */
	EXPECT_GE(4 * (long long)n, moved);
	/* But they are balanced: hinting faults moved some of them. */
	EXPECT_LT(0, moved);
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

/* The numa_group_id /proc/PID/sched shows for @pid, or -1. */
static int group_id_of(pid_t pid)
{
	char path[64], line[256];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/sched", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "numa_group_id=");

		if (p)
			id = atoi(p + strlen("numa_group_id="));
	}
	fclose(f);
	return id;
}

static void *idle_fn(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/*
 * A child: write the pages from @cpu until killed. It has a second,
 * idle thread, as most programs do: the NUMA scanner then makes all its
 * pages PROT_NONE, local ones included (change_pte_range() leaves alone
 * only the local pages of single-threaded processes), so that both
 * children take hinting faults whichever node the pages are on.
 */
static void group_child(int fd, long long lpn, unsigned long n, int cpu)
{
	char *map = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, lpn * PNUMA_PAGE);
	unsigned long i;
	pthread_t idle;
	uint64_t v = 0;

	/* Busy for ever: gone with the test, however it ends. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1 ||
	    map == MAP_FAILED || pnuma_pin_cpu(cpu) ||
	    pthread_create(&idle, NULL, idle_fn, NULL))
		_exit(1);
	for (;;) {
		v++;
		for (i = 0; i < n; i++)
			__atomic_store_n((uint64_t *)(map + i * PNUMA_PAGE) + 1 +
					 (cpu & 1), v, __ATOMIC_RELAXED);
	}
}

/*
 * Two processes write the same pnuma pages: their hinting faults are
 * shared faults (TNF_SHARED), so NUMA balancing puts them in one
 * numa_group, as it does for processes sharing anonymous or file pages.
 */
TEST_F_TIMEOUT(balance, sharing_processes_form_a_numa_group, CONVERGE_S + 60)
{
	unsigned long n = 64;
	pid_t pid[2];
	int g[2] = { -1, -1 }, c, status;
	double end;

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	for (c = 0; c < 2; c++) {
		pid[c] = fork();
		ASSERT_LE(0, pid[c]);
		if (!pid[c])
			group_child(self->fd, self->lpn, n, self->cpu[c]);
	}
	end = pnuma_now() + CONVERGE_S;
	while (pnuma_now() < end) {
		usleep(200000);
		g[0] = group_id_of(pid[0]);
		g[1] = group_id_of(pid[1]);
		if (g[0] > 0 && g[0] == g[1])
			break;
	}
	for (c = 0; c < 2; c++) {
		kill(pid[c], SIGKILL);
		waitpid(pid[c], &status, 0);
	}
	TH_LOG("numa_group_id %d and %d", g[0], g[1]);
	EXPECT_LT(0, g[0]);
	EXPECT_EQ(g[0], g[1]);
}

#define FAIL_COPY	"/sys/kernel/debug/pnuma/fail_copy"

/*
 * Moves that keep failing (here every copy, by fault injection) back off
 * like pages that bounce: held 1 s, then 2 s, 4 s... rather than tried
 * again at every hinting fault.
 */
TEST_F_TIMEOUT(balance, failed_moves_back_off, 60)
{
	long long failed = pnuma_sysfs_num("%s", NUMA_SYSFS "/migrate_failed");
	unsigned long n = 16;
	double secs = 12;

	if (access(FAIL_COPY, F_OK))
		SKIP(return, "no " FAIL_COPY);
	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	/* A scan every 100 ms: without a back-off, a try every few. */
	ASSERT_EQ(0, pnuma_write_file(SCHED_DEBUGFS "/scan_period_max_ms", "100"));
	/* No stack dump: the console is checked for kernel splats. */
	ASSERT_EQ(0, pnuma_write_file(FAIL_COPY "/verbose", "0"));
	ASSERT_EQ(0, pnuma_write_file(FAIL_COPY "/times", "-1"));
	ASSERT_EQ(0, pnuma_write_file(FAIL_COPY "/probability", "100"));
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, secs, NULL));
	/* Still armed: a move queued by the last faults fails too. */
	EXPECT_EQ(n, pnuma_pages_on_node(self->map, n, 0));
	pnuma_write_file(FAIL_COPY "/probability", "0");
	failed = pnuma_sysfs_num("%s", NUMA_SYSFS "/migrate_failed") - failed;
	TH_LOG("%lld failed moves of %lu pages in %.0f s", failed, n, secs);
	/*
	 * Tried at 0 s, then after 1, 2 and 4 s more: at most 4 tries each
	 * in 12 s; without the back-off, about one per second each.
	 */
	EXPECT_LT(0, failed);
	EXPECT_GE(4 * (long long)n, failed);
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

TEST_F(balance, rate_limit)
{
	long long limited = pnuma_sysfs_num("%s", NUMA_SYSFS "/rate_limited");
	long long moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated");
	unsigned long n = 2048, per_s = 1 << (20 - 12); /* 1 MB/s in pages */
	double secs = 4, t0;

	ASSERT_EQ(0, pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem_rate_limit_MBps",
				      "1"));
	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	t0 = pnuma_now();
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, secs, NULL));
	secs = pnuma_now() - t0;
	moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated") - moved;
	limited = pnuma_sysfs_num("%s", NUMA_SYSFS "/rate_limited") - limited;
	TH_LOG("%lld pages moved in %.1f s at 1 MB/s (%lu pages/s), %lld held back",
	       moved, secs, per_s, limited);
	/* Each started second of the window allows one second's worth. */
	EXPECT_GE((long long)(per_s * (secs + 1)), moved);
	EXPECT_LT(0, moved);
	EXPECT_LT(0, limited);
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
}

/* A child: map the pages, read them from node 1, then unmap or exit. */
static void churn_child(int fd, long long lpn, unsigned long n, int cpu,
			unsigned int seed)
{
	char *map = mmap(NULL, n * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
			 lpn * PNUMA_PAGE);
	uint64_t sum = 0;
	unsigned long i;
	double end;

	if (map == MAP_FAILED || pnuma_pin_cpu(cpu))
		_exit(1);
	end = pnuma_now() + 0.2 + (rand_r(&seed) % 500) / 1000.0;
	while (pnuma_now() < end)
		for (i = 0; i < n; i++)
			sum += touch(map + i * PNUMA_PAGE);
	sink = sum;
	if (rand_r(&seed) & 1)
		munmap(map, n * PNUMA_PAGE);
	_exit(0);
}

TEST_F(balance, churn)
{
	long long used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL);
	unsigned long n = 512, i;
	double end;
	int spawned = 0, status;
	void **pages;
	int *nodes, *st;

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	used += n;
	pages = calloc(n, sizeof(*pages));
	nodes = calloc(n, sizeof(*nodes));
	st = calloc(n, sizeof(*st));
	ASSERT_TRUE(pages && nodes && st);

	/* Children come and go for 8 s while the parent moves pages. */
	end = pnuma_now() + 8;
	while (pnuma_now() < end) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid)
			churn_child(self->fd, self->lpn, n, self->cpu[spawned & 1],
				    spawned);
		spawned++;
		for (i = 0; i < n; i++) {
			pages[i] = self->map + i * PNUMA_PAGE;
			nodes[i] = (i + spawned) & 1;
		}
		syscall(SYS_move_pages, 0, n, pages, nodes, st, MPOL_MF_MOVE_ALL);
		while (waitpid(-1, &status, WNOHANG) > 0)
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	}
	while (wait(&status) > 0)
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* Let the worker finish what the last faults queued. */
	usleep(500000);

	TH_LOG("%d children", spawned);
	EXPECT_EQ(0, bad_pages(self->map, n, self->lpn));
	EXPECT_EQ(used, pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", POOL));
	EXPECT_EQ(0, pnuma_sysfs_num(PNUMA_SYSFS "/%s/journal_pending", POOL));
	free(pages);
	free(nodes);
	free(st);
}

#define TRACEFS	"/sys/kernel/tracing"

TEST_F(balance, tracepoints)
{
	long long moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated");
	unsigned long n = 128;
	int events;

	if (access(TRACEFS "/trace", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/pnuma", F_OK))
		SKIP(return, "no pnuma events in " TRACEFS);
	ASSERT_EQ(0, pnuma_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, pnuma_write_file(TRACEFS "/events/pnuma/enable", "1"));

	self->pages = n;
	ASSERT_EQ(0, map_fresh(self->fd, self->logical, n, self->cpu[0],
			       &self->map, &self->lpn));
	ASSERT_EQ(0, read_from(self->map, n, &self->cpu[1], 1, CONVERGE_S,
			       mostly_on_node1));
	moved = pnuma_sysfs_num("%s", NUMA_SYSFS "/pages_migrated") - moved;
	events = pnuma_trace_count("reason=numa_balancing", "");
	TH_LOG("%lld pages moved, %d pnuma_migrate events", moved, events);
	EXPECT_LT(0, moved);
	EXPECT_EQ(moved, pnuma_trace_count("dst_nid=1 result=1 reason=numa_balancing", ""));

	/* A recovery pass: stop the pool and assemble it again. */
	munmap(self->map, n * PNUMA_PAGE);
	self->map = MAP_FAILED;
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, pnuma_sysfs_write("stop", POOL));
	ASSERT_EQ(0, pnuma_sysfs_write("assemble", "scan"));
	EXPECT_EQ(1, pnuma_trace_count("pnuma_recovery: pool=" POOL " replayed=0 discarded=0", ""));
	pnuma_write_file(TRACEFS "/events/pnuma/enable", "0");
}

TEST_HARNESS_MAIN
