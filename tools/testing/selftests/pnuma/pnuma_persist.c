// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma data across reboots, in two runs of the guest on the same media:
 *
 *   pnuma_persist write
 *	threads pinned to node 0 and node 1 each write a pattern into their
 *	half of a window of untouched pages of /dev/pnuma0 (stores persisted
 *	with libpmem2); the pages must land on the writer's node. A record
 *	in the pool's last logical page says where the window is and where
 *	each page was.
 *   pnuma_persist verify [--clean | --unclean]
 *	after a reboot: every byte reads back, every page is still on the
 *	same node, and the pool's clean_shutdown flag is as expected. Only
 *	reads, so it verifies a read-only pool too, and there also checks
 *	that the pool refuses opens for writing and moves.
 *
 * Not run by run_kselftest.sh (it needs a reboot in between); make check
 * drives it through scripts/pnuma-vm.
 */

#include "../kselftest.h"
#include "pnuma_util.h"

#define DEV	"/dev/pnuma0"
#define PAGES	256
#define RECORD_MAGIC	0x3154534953524550ULL	/* "PERSIST1" */

struct record {
	uint64_t magic;
	uint64_t lpn;
	uint64_t pages;
	uint64_t seed;
	int32_t node[PAGES];
};

static unsigned long long pool_pages(void)
{
	long long n = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0");

	if (n <= PAGES + 1)
		ksft_exit_fail_msg("no usable pool at " DEV "\n");
	return n;
}

static void page_nodes(char *map, int *node)
{
	void *pages[PAGES];
	int i;

	for (i = 0; i < PAGES; i++)
		pages[i] = map + i * PNUMA_PAGE;
	if (pnuma_page_status(pages, node, PAGES))
		ksft_exit_fail_perror("move_pages");
}

static void do_write(int fd)
{
	unsigned long long logical = pool_pages();
	struct record rec = { .magic = RECORD_MAGIC, .pages = PAGES };
	int node[PAGES], i, misplaced = 0;
	struct pnuma_pm pm;
	long long lpn;
	char *map, *last;
	int ffd;

	ksft_set_plan(3);
	/* The window, below the record page. */
	lpn = pnuma_free_window(fd, logical - 1, PAGES);
	if (lpn < 0)
		ksft_exit_fail_msg("no %d untouched pages in " DEV "\n", PAGES);
	rec.lpn = lpn;
	rec.seed = (uint64_t)getpid() << 16 | (uint64_t)time(NULL);
	map = mmap(NULL, PAGES * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	if (pnuma_write_halves(map, PAGES, lpn, rec.seed, pnuma_node_cpu(0),
			       pnuma_node_cpu(1)))
		ksft_exit_fail_msg("writer threads failed\n");

	page_nodes(map, node);
	for (i = 0; i < PAGES; i++) {
		rec.node[i] = node[i];
		misplaced += node[i] != (i < PAGES / 2 ? 0 : 1);
	}
	ksft_test_result(!misplaced, "every page on its writer's node (%d misplaced)\n",
			 misplaced);
	ksft_test_result(!pnuma_bad_halves(fd, rec.pages, rec.lpn, rec.seed),
			 "every byte reads back\n");

	ffd = pnuma_fs_open("pnuma0", O_RDWR);
	last = ffd < 0 ? NULL : pnuma_pm_map(&pm, ffd, (logical - 1) * PNUMA_PAGE,
					     PNUMA_PAGE);
	if (!last)
		ksft_exit_fail_msg("cannot map the record page: %s\n",
				   ffd < 0 ? strerror(errno) : pmem2_errormsg());
	close(ffd);
	pm.memcpy_fn(last, &rec, sizeof(rec), 0);
	pnuma_pm_fini(&pm);
	ksft_test_result_pass("record of %d pages from logical page %lld persisted\n",
			      PAGES, lpn);
}

static void do_verify(int fd, int want_clean)
{
	unsigned long long logical = pool_pages();
	int node[PAGES], i, moved = 0;
	struct record rec;
	char *map;

	ksft_set_plan((want_clean < 0 ? 3 : 4) +
		      2 * (pnuma_sysfs_num(PNUMA_SYSFS "/%s/read_only", "pnuma0") == 1));
	if (pread(fd, &rec, sizeof(rec), (logical - 1) * PNUMA_PAGE) != sizeof(rec) ||
	    rec.magic != RECORD_MAGIC || rec.pages != PAGES ||
	    rec.lpn + PAGES >= logical)
		ksft_exit_fail_msg("no record: run 'pnuma_persist write' first\n");
	ksft_test_result_pass("record found: %d pages from logical page %llu\n",
			      PAGES, (unsigned long long)rec.lpn);
	ksft_test_result(!pnuma_bad_halves(fd, rec.pages, rec.lpn, rec.seed),
			 "every byte survived the reboot\n");

	map = mmap(NULL, PAGES * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   rec.lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	page_nodes(map, node);
	for (i = 0; i < PAGES; i++)
		moved += node[i] != rec.node[i];
	ksft_test_result(!moved, "placement unchanged (%d pages elsewhere)\n", moved);

	if (pnuma_sysfs_num(PNUMA_SYSFS "/%s/read_only", "pnuma0") == 1) {
		int status[PAGES], refused = 0, wfd;

		wfd = open(DEV, O_RDWR);
		ksft_test_result(wfd < 0 && errno == EROFS,
				 "read-only pool: open for writing fails with EROFS\n");
		if (wfd >= 0)
			close(wfd);
		for (i = 0; i < PAGES; i++)
			status[i] = 0;
		if (pnuma_move_range(map, PAGES, !rec.node[0], status, 0) < 0)
			ksft_print_msg("move_pages: %s\n", strerror(errno));
		for (i = 0; i < PAGES; i++)
			refused += status[i] == -EROFS;
		ksft_test_result(refused == PAGES,
				 "read-only pool: move_pages refuses every page with -EROFS (%d of %d)\n",
				 refused, PAGES);
	}

	if (want_clean >= 0) {
		long long clean = pnuma_sysfs_num(PNUMA_SYSFS "/%s/clean_shutdown",
						  "pnuma0");

		ksft_test_result(clean == want_clean,
				 "clean_shutdown is %lld, expected %d\n", clean,
				 want_clean);
	}
}

int main(int argc, char **argv)
{
	int fd, want_clean = -1;

	ksft_print_header();
	if (argc < 2 || (strcmp(argv[1], "write") && strcmp(argv[1], "verify")))
		ksft_exit_fail_msg("usage: %s write | verify [--clean | --unclean]\n",
				   argv[0]);
	if (argc > 2)
		want_clean = !strcmp(argv[2], "--clean");
	fd = open(DEV, strcmp(argv[1], "write") ? O_RDONLY : O_RDWR);
	if (fd < 0)
		ksft_exit_fail_perror("open " DEV);
	if (!strcmp(argv[1], "write"))
		do_write(fd);
	else
		do_verify(fd, want_clean);
	close(fd);
	ksft_finished();
}
