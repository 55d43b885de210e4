// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_placement: where the logical pages of a pool live, as
 * move_pages(2) reports it, for demos and for eyeballing a test.
 *
 *   pnuma_placement [-d DEVICE] [-r SECONDS] [-m] START COUNT [ROWS]
 *
 * prints, for ROWS slices of the COUNT logical pages from START, how many
 * pages are on node 0 and node 1 and how many were never touched, and a
 * total line. With -r, it first reads the pages over and over for SECONDS
 * seconds from the CPU it runs on (a workload for NUMA balancing to
 * notice), printing a progress line every second. With -m, it moves the
 * pages to node 1, then node 0, and so on with move_pages(2), a line per
 * round, until it is killed (a migration storm for a power cut).
 */

#include <time.h>

#include "pnuma_util.h"

#define MAX_NODES 64

static void move_forever(char *map, unsigned long long count)
{
	int *status = calloc(count, sizeof(*status));
	unsigned long long i, round, moved;
	int node;

	if (!status) {
		perror("calloc");
		exit(1);
	}
	for (round = 1;; round++) {
		node = round % 2;
		if (pnuma_move_range(map, count, node, status, 0) < 0) {
			perror("move_pages");
			exit(1);
		}
		for (moved = 0, i = 0; i < count; i++)
			moved += status[i] == node;
		printf("move round %llu: %llu of %llu pages now on node %d\n",
		       round, moved, count, node);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	long total[MAX_NODES + 1] = { 0 };
	const char *dev = "/dev/pnuma0";
	unsigned long long start, count, rows = 8, r, i;
	int fd, opt, node, secs = 0, move = 0, rw;
	char *map;

	while ((opt = getopt(argc, argv, "d:r:m")) != -1) {
		if (opt == 'd')
			dev = optarg;
		else if (opt == 'r' && atoi(optarg) > 0)
			secs = atoi(optarg);
		else if (opt == 'm')
			move = 1;
		else
			goto usage;
	}
	if (argc - optind < 2 || argc - optind > 3)
		goto usage;
	start = strtoull(argv[optind], NULL, 0);
	count = strtoull(argv[optind + 1], NULL, 0);
	if (argc - optind == 3)
		rows = strtoull(argv[optind + 2], NULL, 0);
	if (!count || !rows || rows > count)
		goto usage;

	/* NUMA balancing skips read-only file mappings: map read-write. */
	rw = secs || move;
	fd = open(dev, rw ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	map = mmap(NULL, count * PNUMA_PAGE,
		   rw ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
		   start * PNUMA_PAGE);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	if (move)
		move_forever(map, count);
	for (r = 0; r < (unsigned long long)secs; r++) {
		struct timespec t0, t;
		unsigned long long passes = 0;
		uint64_t sum = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			for (i = 0; i < count * PNUMA_PAGE; i += 512)
				sum += __atomic_load_n((uint64_t *)(map + i),
						       __ATOMIC_RELAXED);
			passes++;
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while ((t.tv_sec - t0.tv_sec) * 1000000000LL +
			 t.tv_nsec - t0.tv_nsec < 1000000000LL);
		printf("reading from CPU %d: second %llu, %llu passes over the pages (%llx)\n",
		       sched_getcpu(), r + 1, passes,
		       (unsigned long long)(sum & 0xffff));
	}

	printf("%-24s %10s %10s %10s\n", "logical pages", "node 0", "node 1",
	       "untouched");
	for (r = 0; r < rows; r++) {
		unsigned long long lo = start + r * count / rows;
		unsigned long long hi = start + (r + 1) * count / rows;
		long row[MAX_NODES + 1] = { 0 };
		char range[32];

		for (i = lo; i < hi; i++) {
			node = pnuma_node_of(map + (i - start) * PNUMA_PAGE);
			if (node < 0 || node >= MAX_NODES)
				node = MAX_NODES;
			row[node]++;
			total[node]++;
		}
		snprintf(range, sizeof(range), "%llu-%llu", lo, hi - 1);
		printf("%-24s %10ld %10ld %10ld\n", range, row[0], row[1],
		       row[MAX_NODES]);
	}
	printf("%-24s %10ld %10ld %10ld\n", "total", total[0], total[1],
	       total[MAX_NODES]);
	munmap(map, count * PNUMA_PAGE);
	close(fd);
	return 0;
usage:
	fprintf(stderr, "usage: %s [-d DEVICE] [-r SECONDS] [-m] START COUNT [ROWS]\n",
		argv[0]);
	return 2;
}
