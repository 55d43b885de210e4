// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_autobench: automatic NUMA balancing in the guest, for make bench.
 *
 *   pnuma_autobench [PAGES [REPEAT]]
 *
 *  1. Convergence: PAGES pages written from node 0, then read over and
 *     over by a thread pinned to node 1, until 90% of them are on node 1:
 *     anonymous memory under upstream NUMA balancing against pnuma pages
 *     under numa_balancing_pmem. Time and scan passes (the mm's
 *     numa_scan_seq, from /proc/self/sched) to 90%, and pages moved per
 *     second meanwhile.
 *  2. Overhead on local pages: one thread reads pnuma pages written from
 *     its own node, with numa_balancing_pmem 0 and 1 in turn: pages read
 *     per second, and the difference; alone in its process, and with an
 *     idle second thread (a multi-threaded process, whose local pages
 *     still take hinting faults).
 *
 * Anonymous memory is kept in 4 KiB pages (THP "never"), as pnuma's.
 * Each measurement runs in a fresh child process (a fresh mm, as a new
 * program would have), REPEAT times; the median is reported. The scanner
 * runs sped up (scan_delay_ms 0, scan_period_min_ms 100,
 * scan_period_max_ms 1000), the same for both kinds of memory. Prints
 * Markdown tables.
 */

#include <sys/wait.h>

#include "pnuma_util.h"

#define DEV		"/dev/pnuma0"
#define SCHED_DEBUGFS	"/sys/kernel/debug/sched/numa_balancing"
#define MAX_REPEAT	15
#define TIMEOUT_S	60

/* This mm's numa_scan_seq, or -1. */
static long scan_seq(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/sched", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "mm->numa_scan_seq"))
			v = strtol(strchr(line, ':') + 1, NULL, 10);
	fclose(f);
	return v;
}

struct reader {
	char *map;
	unsigned long pages;
	int cpu;
	int stop;
	unsigned long long reads;	/* pages read */
};

static uint64_t sink;

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	unsigned long i, j;
	uint64_t sum = 0;

	pnuma_pin_cpu(r->cpu);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < r->pages; i++)
			for (j = 0; j < PNUMA_PAGE; j += 512)
				sum += __atomic_load_n((uint64_t *)(r->map +
						       i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED);
		__atomic_add_fetch(&r->reads, r->pages, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&sink, sum, __ATOMIC_RELAXED);
	return NULL;
}

/* The mapping a measurement uses: anonymous, or pnuma pages at @lpn. */
static char *map_pages(int anon, unsigned long n, long long lpn)
{
	char *map;
	int fd;

	if (anon) {
		map = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return map;
	}
	fd = open(DEV, O_RDWR);
	if (fd < 0)
		return MAP_FAILED;
	map = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, lpn * PNUMA_PAGE);
	close(fd);
	return map;
}

/* Results a child sends back. */
struct result {
	double secs;		/* to 90% on node 1, or reading */
	double scans;		/* scan passes meanwhile */
	double rate;		/* pages moved, or read, per second */
};

/* Child: write from node 0, read from node 1 until 90% are there. */
static int converge(int anon, unsigned long n, long long lpn, struct result *res)
{
	struct reader r = { .pages = n, .cpu = pnuma_node_cpu(1) };
	unsigned long there = 0;
	double t0, t;
	pthread_t th;
	long seq0;

	r.map = map_pages(anon, n, lpn);
	if (r.map == MAP_FAILED || pnuma_pin_cpu(pnuma_node_cpu(0)))
		return -1;
	memset(r.map, 0x3c, n * PNUMA_PAGE);
	if (pnuma_pages_on_node(r.map, n, 0) != n)
		return -1;
	seq0 = scan_seq();
	t0 = pnuma_now();
	pthread_create(&th, NULL, reader_fn, &r);
	do {
		usleep(10000);
		t = pnuma_now();
		there = pnuma_pages_on_node(r.map, n, 1);
	} while (there * 10 < n * 9 && t - t0 < TIMEOUT_S);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	if (there * 10 < n * 9)
		return -1;
	res->secs = t - t0;
	res->scans = scan_seq() - seq0;
	res->rate = there / res->secs;
	return 0;
}

static void *idle_fn(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

/*
 * Child: one thread reads pages written from its own node for 3 s; with
 * @idle, a second thread sleeps meanwhile.
 */
static int local_reads(unsigned long n, long long lpn, int idle,
		       struct result *res)
{
	struct reader r = { .pages = n, .cpu = pnuma_node_cpu(0) };
	pthread_t th;
	double t0;

	r.map = map_pages(0, n, lpn);
	if (r.map == MAP_FAILED || pnuma_pin_cpu(r.cpu))
		return -1;
	if (idle && pthread_create(&th, NULL, idle_fn, NULL))
		return -1;
	memset(r.map, 0x3c, n * PNUMA_PAGE);
	t0 = pnuma_now();
	r.stop = 0;
	while (pnuma_now() - t0 < 3) {
		unsigned long i, j;
		uint64_t sum = 0;

		for (i = 0; i < n; i++)
			for (j = 0; j < PNUMA_PAGE; j += 512)
				sum += __atomic_load_n((uint64_t *)(r.map +
						       i * PNUMA_PAGE + j),
						       __ATOMIC_RELAXED);
		r.reads += n;
		sink += sum;
	}
	res->secs = pnuma_now() - t0;
	res->rate = r.reads / res->secs;
	return 0;
}

/* Run @fn in a child; 0 and *@res, or -1. */
static int in_child(int kind, unsigned long n, long long lpn,
		    struct result *res)
{
	struct result *shared = mmap(NULL, sizeof(*shared),
				     PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, err;
	pid_t pid;

	if (shared == MAP_FAILED)
		return -1;
	pid = fork();
	if (!pid)
		_exit(kind >= 2 ? local_reads(n, lpn, kind == 3, shared) ? 1 : 0 :
		      converge(kind, n, lpn, shared) ? 1 : 0);
	err = pid < 0 || waitpid(pid, &status, 0) != pid ||
	      !WIFEXITED(status) || WEXITSTATUS(status);
	*res = *shared;
	munmap(shared, sizeof(*shared));
	return err ? -1 : 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	int repeat = argc > 2 ? atoi(argv[2]) : 5;
	double secs[2][MAX_REPEAT], scans[2][MAX_REPEAT], rate[2][MAX_REPEAT];
	double local[2][2][MAX_REPEAT], on, off;
	unsigned long long logical;
	struct result res;
	long long lpn;
	int fd, i, k;

	if (!n || repeat < 1 || repeat > MAX_REPEAT) {
		fprintf(stderr, "usage: %s [PAGES [REPEAT (1-%d)]]\n", argv[0],
			MAX_REPEAT);
		return 2;
	}
	if (pnuma_thp_never() ||
	    pnuma_write_file("/proc/sys/kernel/numa_balancing", "1") ||
	    pnuma_write_file(SCHED_DEBUGFS "/scan_delay_ms", "0") ||
	    pnuma_write_file(SCHED_DEBUGFS "/scan_period_min_ms", "100") ||
	    pnuma_write_file(SCHED_DEBUGFS "/scan_period_max_ms", "1000")) {
		perror("NUMA balancing knobs");
		return 1;
	}
	fd = open(DEV, O_RDWR);
	logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0");
	if (fd < 0 || (long long)logical <= 0) {
		perror(DEV);
		return 1;
	}

	for (i = 0; i < repeat; i++) {
		for (k = 0; k < 2; k++) {	/* 0: pnuma, 1: anonymous */
			pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem",
					 k ? "0" : "1");
			lpn = pnuma_free_window(fd, logical, n);
			if (lpn < 0 || in_child(k, n, lpn, &res)) {
				fprintf(stderr, "convergence run %d (%s) failed\n",
					i, k ? "anonymous" : "pnuma");
				return 1;
			}
			secs[k][i] = res.secs;
			scans[k][i] = res.scans;
			rate[k][i] = res.rate;
		}
		for (k = 0; k < 4; k++) {	/* switch off/on, 1/2 threads */
			pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem",
					 k & 1 ? "1" : "0");
			lpn = pnuma_free_window(fd, logical, n);
			if (lpn < 0 || in_child(2 + k / 2, n, lpn, &res)) {
				fprintf(stderr, "local run %d failed\n", i);
				return 1;
			}
			local[k / 2][k & 1][i] = res.rate;
		}
	}
	pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem", "0");

	printf("| memory | time to 90%% on node 1 | scan passes | pages moved per second |\n");
	printf("|---|---:|---:|---:|\n");
	printf("| anonymous, upstream NUMA balancing | %.2f s | %.0f | %.0f |\n",
	       median(secs[1], repeat), median(scans[1], repeat),
	       median(rate[1], repeat));
	printf("| pnuma, numa_balancing_pmem=1 | %.2f s | %.0f | %.0f |\n",
	       median(secs[0], repeat), median(scans[0], repeat),
	       median(rate[0], repeat));
	printf("\n%lu pages written from node 0, read from a thread on node 1;",
	       n);
	printf(" median of %d runs, each in a new process.\n\n", repeat);
	printf("| local-only workload | numa_balancing_pmem=0 |");
	printf(" numa_balancing_pmem=1 | overhead |\n");
	printf("|---|---:|---:|---:|\n");
	for (k = 0; k < 2; k++) {
		off = median(local[k][0], repeat);
		on = median(local[k][1], repeat);
		printf("| %s | %.0f | %.0f | %+.1f%% |\n",
		       k ? "reader + idle thread" : "one thread", off, on,
		       (off - on) / off * 100);
	}
	printf("\nPages read per second by a thread reading %lu pnuma pages",
	       n);
	printf(" written from its own node for 3 s; median of %d runs.\n",
	       repeat);
	return 0;
}
