// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_placement: where the logical pages of a pool live, as
 * move_pages(2) reports it, for demos and for eyeballing a test.
 *
 *   pnuma_placement [-d DEVICE] [-r SECONDS] START COUNT [ROWS]
 *
 * prints, for ROWS slices of the COUNT logical pages from START, how many
 * pages are on node 0 and node 1 and how many were never touched, and a
 * total line. With -r, it first reads the pages over and over for SECONDS
 * seconds from the CPU it runs on (a workload for NUMA balancing to
 * notice), printing a progress line every second.
 */

#include <time.h>

#include "pnuma_util.h"

#define MAX_NODES 64

int main(int argc, char **argv)
{
	long total[MAX_NODES + 1] = { 0 };
	const char *dev = "/dev/pnuma0";
	unsigned long long start, count, rows = 8, r, i;
	int fd, opt, node, secs = 0;
	char *map;

	while ((opt = getopt(argc, argv, "d:r:")) != -1) {
		if (opt == 'd')
			dev = optarg;
		else if (opt == 'r' && atoi(optarg) > 0)
			secs = atoi(optarg);
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
	fd = open(dev, secs ? O_RDWR : O_RDONLY);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	map = mmap(NULL, count * PNUMA_PAGE,
		   secs ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd,
		   start * PNUMA_PAGE);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
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
	fprintf(stderr, "usage: %s [-d DEVICE] [-r SECONDS] START COUNT [ROWS]\n",
		argv[0]);
	return 2;
}
