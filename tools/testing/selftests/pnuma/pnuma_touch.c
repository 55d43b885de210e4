// SPDX-License-Identifier: GPL-2.0
/*
 * First touch across a power cut, in three runs of the guest:
 *
 *   pnuma_touch scribble MIB DEVICE...
 *	fill the first MIB MiB of the devices with a non-zero pattern
 *	through the block layer, before a pool is created over them: data
 *	pages start dirty.
 *   pnuma_touch storm PAGES
 *	two threads, pinned to node 0 and node 1, first-touch logical
 *	pages 0 .. PAGES - 1 of /dev/pnuma0 by storing a zero byte (a
 *	write allocates the page; a read would map the zero page), so that
 *	every allocated page must still read as zeroes; the power is cut in
 *	the middle (scripts/pnuma-vm --kill-after).
 *   pnuma_touch check PAGES
 *	after the reboot: every page the pool says is allocated reads as
 *	zeroes (it was zeroed and that was durable before its metadata
 *	claimed it), and the pool's count of used pages matches.
 *
 * Not run by run_kselftest.sh: make check drives it.
 */

#include <stdatomic.h>

#include "../kselftest.h"
#include "pnuma_util.h"

#define DEV	"/dev/pnuma0"

static int scribble(unsigned long mib, char **devs, int n)
{
	static char buf[1 << 20];
	unsigned long m;
	int i, fd;

	memset(buf, 0xa5, sizeof(buf));
	for (i = 0; i < n; i++) {
		fd = open(devs[i], O_WRONLY);
		if (fd < 0) {
			perror(devs[i]);
			return 1;
		}
		for (m = 0; m < mib; m++) {
			if (write(fd, buf, sizeof(buf)) != sizeof(buf)) {
				perror(devs[i]);
				return 1;
			}
		}
		if (fsync(fd)) {
			perror("fsync");
			return 1;
		}
		close(fd);
	}
	return 0;
}

struct toucher {
	char *map;
	unsigned long pages;
	atomic_ulong *next;
	int cpu;
};

static void *touch_fn(void *arg)
{
	struct toucher *t = arg;
	unsigned long i;

	pnuma_pin_cpu(t->cpu);
	while ((i = atomic_fetch_add(t->next, 1)) < t->pages)
		__atomic_store_n(&t->map[i * PNUMA_PAGE + 64], 0,
				 __ATOMIC_RELAXED);
	return NULL;
}

static int storm(unsigned long pages)
{
	atomic_ulong next = 0;
	struct toucher t[2];
	pthread_t th[2];
	char *map;
	int fd, i;

	fd = open(DEV, O_RDWR);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, pages * PNUMA_PAGE,
					 PROT_READ | PROT_WRITE, MAP_SHARED,
					 fd, 0);
	if (map == MAP_FAILED) {
		perror(DEV);
		return 1;
	}
	printf("touching %lu pages from both nodes\n", pages);
	fflush(stdout);
	for (i = 0; i < 2; i++) {
		t[i] = (struct toucher){ map, pages, &next, pnuma_node_cpu(i) };
		pthread_create(&th[i], NULL, touch_fn, &t[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("all %lu pages touched\n", pages);
	return 0;
}

static void check(unsigned long pages)
{
	unsigned long i, allocated = 0, dirty = 0, elsewhere = 0;
	static const char zero[PNUMA_PAGE];
	char buf[PNUMA_PAGE];
	long long used;
	char *map;
	int fd;

	ksft_print_header();
	ksft_set_plan(3);
	fd = open(DEV, O_RDONLY);
	if (fd < 0)
		ksft_exit_fail_perror("the pool was not assembled: open " DEV);
	map = mmap(NULL, pages * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	for (i = 0; i < pages; i++) {
		int node = pnuma_node_of(map + i * PNUMA_PAGE);

		if (node == -ENOENT)
			continue;
		if (node != 0 && node != 1)
			elsewhere++;
		allocated++;
		if (pread(fd, buf, PNUMA_PAGE, i * PNUMA_PAGE) != PNUMA_PAGE ||
		    memcmp(buf, zero, PNUMA_PAGE))
			dirty++;
	}
	used = pnuma_sysfs_num(PNUMA_SYSFS "/%s/used_pages", "pnuma0");
	ksft_test_result(allocated > 0 && !elsewhere,
			 "%lu of %lu pages allocated before the power cut\n",
			 allocated, pages);
	ksft_test_result(!dirty, "every allocated page reads zero (%lu do not)\n",
			 dirty);
	ksft_test_result(used == (long long)allocated,
			 "the pool counts %lld used pages, %lu are mapped\n",
			 used, allocated);
	ksft_finished();
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "scribble"))
		return scribble(strtoul(argv[2], NULL, 0), argv + 3, argc - 3);
	if (argc == 3 && !strcmp(argv[1], "storm"))
		return storm(strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "check"))
		check(strtoul(argv[2], NULL, 0));
	fprintf(stderr, "usage: %s scribble MIB DEVICE... | storm PAGES | check PAGES\n",
		argv[0]);
	return 2;
}
