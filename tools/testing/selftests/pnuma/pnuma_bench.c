// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_bench: migration throughput in the guest, for make bench.
 *
 *   pnuma_bench [PAGES [ROUNDS [REPEAT]]]
 *
 * For batch sizes 1, 16 and 64 (pages per move_pages(2) call), moves
 * PAGES pages between the two nodes ROUNDS times and reports pages per
 * second for: anonymous memory (upstream migration), pnuma pages through
 * the journal, and pnuma pages without it (debugfs unsafe_no_journal, a
 * benchmark-only knob: such moves are not crash consistent). Each cell is
 * the median of REPEAT measurements. The anonymous memory is kept in 4 KiB
 * pages (THP set to "never"), as pnuma's are. Prints a Markdown table.
 *
 *   pnuma_bench anon-key PAGES ROUNDS REPEAT PMEM...
 *
 * On a guest with no pool: what move_pages(2) of anonymous pages costs
 * with CONFIG_PNUMA=y and no pool assembled (pnuma's hook behind a static
 * key that is off), then with a pool created over PMEM... (the key on: a
 * VMA lookup per page), then with the pool stopped again, side by side in
 * one run. Prints a Markdown table.
 */

#include <time.h>

#include "pnuma_util.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define DEV	"/dev/pnuma0"
#define NO_JOURNAL "/sys/kernel/debug/pnuma/unsafe_no_journal"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Pages per second moving @pages pages @rounds times, @batch per call. */
static double rate(char *map, unsigned long pages, int rounds, int batch)
{
	void **addr = calloc(pages, sizeof(*addr));
	int *nodes = calloc(pages, sizeof(int));
	int *status = calloc(pages, sizeof(int));
	unsigned long i, moved = 0;
	double t0;
	int r;

	for (i = 0; i < pages; i++)
		addr[i] = map + i * PNUMA_PAGE;
	t0 = now();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < pages; i++)
			nodes[i] = r % 2 ? 0 : 1;
		for (i = 0; i < pages; i += batch) {
			unsigned long n = pages - i < (unsigned long)batch ?
				pages - i : batch, k;

			if (syscall(SYS_move_pages, 0, n, addr + i, nodes + i,
				    status + i, 0) < 0) {
				perror("move_pages");
				exit(1);
			}
			for (k = i; k < i + n; k++)
				moved += status[k] == nodes[k];
		}
	}
	t0 = now() - t0;
	free(addr);
	free(nodes);
	free(status);
	if (moved < pages * rounds * 9 / 10)
		fprintf(stderr, "warning: only %lu of %lu moves done\n", moved,
			pages * rounds);
	return moved / t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of @repeat measurements of rate(). */
static double median_rate(char *map, unsigned long pages, int rounds,
			  int batch, int repeat)
{
	double r[16];
	int i;

	for (i = 0; i < repeat; i++)
		r[i] = rate(map, pages, rounds, batch);
	qsort(r, repeat, sizeof(r[0]), cmp_double);
	return r[repeat / 2];
}

static void set_no_journal(const char *v)
{
	int fd = open(NO_JOURNAL, O_WRONLY);

	if (fd < 0 || write(fd, v, 1) != 1) {
		perror(NO_JOURNAL);
		exit(1);
	}
	close(fd);
}

/* Anonymous move_pages(2) without a pool, then with one: the static key. */
static int anon_key(unsigned long pages, int rounds, int repeat, int nr,
		    char **pmem)
{
	static const int batches[] = { 1, 16, 64 };
	double off[ARRAY_SIZE(batches)], on[ARRAY_SIZE(batches)];
	char create[512] = "force";
	unsigned int b;
	char *anon;
	int i;

	if (!access(DEV, F_OK)) {
		fprintf(stderr, "a pool exists already: boot with --no-pool\n");
		return 1;
	}
	anon = mmap(NULL, pages * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (pnuma_thp_never())
		perror("transparent_hugepage/enabled");
	pnuma_pin_cpu(pnuma_node_cpu(0));
	memset(anon, 1, pages * PNUMA_PAGE);
	/* Untimed: the first moves of a fresh guest are much slower. */
	for (b = 0; b < ARRAY_SIZE(batches); b++)
		rate(anon, pages, rounds, batches[b]);
	for (b = 0; b < ARRAY_SIZE(batches); b++)
		off[b] = median_rate(anon, pages, rounds, batches[b], repeat);
	for (i = 0; i < nr; i++) {
		strncat(create, " ", sizeof(create) - strlen(create) - 1);
		strncat(create, pmem[i], sizeof(create) - strlen(create) - 1);
	}
	if (pnuma_sysfs_write("create", create)) {
		fprintf(stderr, "cannot create a pool: %s\n", create);
		return 1;
	}
	for (b = 0; b < ARRAY_SIZE(batches); b++)
		on[b] = median_rate(anon, pages, rounds, batches[b], repeat);
	/* And without the pool again: how much of a difference is noise. */
	if (pnuma_sysfs_write("stop", "pnuma0")) {
		fprintf(stderr, "cannot stop the pool\n");
		return 1;
	}
	printf("| pages per call | no pool (key off) | a pool (key on) ");
	printf("| no pool again | on against the mean of off |\n");
	printf("|---:|---:|---:|---:|---:|\n");
	for (b = 0; b < ARRAY_SIZE(batches); b++) {
		double again = median_rate(anon, pages, rounds, batches[b], repeat);

		printf("| %d | %.0f | %.0f | %.0f | %+.1f%% |\n", batches[b],
		       off[b], on[b], again,
		       (on[b] / ((off[b] + again) / 2) - 1) * 100);
	}
	printf("\nAnonymous pages/s, median of %d runs of %lu pages moved %d times ",
	       repeat, pages, rounds);
	printf("between node 0 and node 1.\n");
	return 0;
}

int main(int argc, char **argv)
{
	int key = argc > 1 && !strcmp(argv[1], "anon-key");
	unsigned long pages = argc > 1 + key ? strtoul(argv[1 + key], NULL, 0) : 2048;
	int rounds = argc > 2 + key ? atoi(argv[2 + key]) : 4;
	int repeat = argc > 3 + key ? atoi(argv[3 + key]) : 3;

	if (repeat < 1 || repeat > 16) {
		fprintf(stderr, "REPEAT must be 1 to 16\n");
		return 2;
	}
	if (key && argc < 6) {
		fprintf(stderr, "usage: pnuma_bench anon-key PAGES ROUNDS REPEAT PMEM...\n");
		return 2;
	}
	if (key)
		return anon_key(pages, rounds, repeat, argc - 5, argv + 5);
	static const int batches[] = { 1, 16, 64 };
	long long logical, lpn;
	char *anon, *pm;
	unsigned int b;
	int fd;

	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		perror(DEV);
		return 1;
	}
	logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0");
	lpn = pnuma_free_window(fd, logical, pages);
	if (lpn < 0) {
		fprintf(stderr, "no %lu untouched pages\n", pages);
		return 1;
	}
	pm = mmap(NULL, pages * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		  fd, lpn * PNUMA_PAGE);
	anon = mmap(NULL, pages * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pm == MAP_FAILED || anon == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* 4 KiB pages on both sides: pnuma does not map huge pages. */
	if (pnuma_thp_never())
		perror("transparent_hugepage/enabled");
	pnuma_pin_cpu(pnuma_node_cpu(0));
	memset(pm, 1, pages * PNUMA_PAGE);
	memset(anon, 1, pages * PNUMA_PAGE);

	printf("| pages per call | anonymous (upstream) | pnuma, journal ");
	printf("| pnuma, no journal (unsafe) | journal cost |\n");
	printf("|---:|---:|---:|---:|---:|\n");
	for (b = 0; b < ARRAY_SIZE(batches); b++) {
		double a, j, u;

		a = median_rate(anon, pages, rounds, batches[b], repeat);
		j = median_rate(pm, pages, rounds, batches[b], repeat);
		set_no_journal("1");
		u = median_rate(pm, pages, rounds, batches[b], repeat);
		set_no_journal("0");
		printf("| %d | %.0f | %.0f | %.0f | %+.1f%% |\n", batches[b], a, j,
		       u, (u / j - 1) * 100);
	}
	printf("\nPages/s, median of %d runs of %lu pages moved %d times ",
	       repeat, pages, rounds);
	printf("between node 0 and node 1.\n");
	return 0;
}
