// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_placement: where the logical pages of a pool live, as
 * move_pages(2) reports it, for demos and for eyeballing a test.
 *
 *   pnuma_placement [-d DEVICE] START COUNT [ROWS]
 *
 * prints, for ROWS slices of the COUNT logical pages from START, how many
 * pages are on node 0 and node 1 and how many were never touched, and a
 * total line.
 */

#include "pnuma_util.h"

#define MAX_NODES 64

int main(int argc, char **argv)
{
	long total[MAX_NODES + 1] = { 0 };
	const char *dev = "/dev/pnuma0";
	unsigned long long start, count, rows = 8, r, i;
	int fd, opt, node;
	char *map;

	while ((opt = getopt(argc, argv, "d:")) != -1) {
		if (opt != 'd')
			goto usage;
		dev = optarg;
	}
	if (argc - optind < 2 || argc - optind > 3)
		goto usage;
	start = strtoull(argv[optind], NULL, 0);
	count = strtoull(argv[optind + 1], NULL, 0);
	if (argc - optind == 3)
		rows = strtoull(argv[optind + 2], NULL, 0);
	if (!count || !rows || rows > count)
		goto usage;

	fd = open(dev, O_RDONLY);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	map = mmap(NULL, count * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   start * PNUMA_PAGE);
	if (map == MAP_FAILED) {
		perror("mmap");
		return 1;
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
	fprintf(stderr, "usage: %s [-d DEVICE] START COUNT [ROWS]\n", argv[0]);
	return 2;
}
