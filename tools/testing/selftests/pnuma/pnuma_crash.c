// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma crash tests, driven from the host by scripts/test-pnuma-crash
 * across power cuts of the guest:
 *
 *   pnuma_crash start PAGES STEP
 *	fill PAGES untouched pages from node 0 with known data, record where
 *	they are in the pool's last logical page, ask the kernel to cut the
 *	power at STEP of the next move (debugfs crash_at), and move them all
 *	to node 1. Only returns if the power stayed on (an error).
 *   pnuma_crash verify old|new REPLAYED DISCARDED
 *	after the reboot: every byte is intact, every page is on node 0
 *	(old) or node 1 (new), recovery replayed and discarded that many
 *	records, the journal is empty and no page leaked.
 *   pnuma_crash storm PAGES
 *	a writer keeps storing self-checking 8-byte words into PAGES pages,
 *	persisting each pass and then a checkpoint, while a mover moves the
 *	pages between the nodes; until the power is cut.
 *   pnuma_crash autostorm PAGES
 *	the same writer, without the mover: the writer changes node every
 *	half second, and automatic NUMA balancing (numa_balancing_pmem, with
 *	the scanner sped up) moves the pages after it; until the power is cut.
 *   pnuma_crash exchange STEP SKIP
 *	make the pool fully allocated (fallocate its pnumafs file from node
 *	0), fill 128 pages of node 0 and 256 of node 1 with known data, and
 *	move the 128 to node 1: the move first moves 64 cold pages of node 1
 *	to node 0 (an exchange); the power is cut at STEP of transaction
 *	SKIP of the chain (0: the cold pages', 1: the first hot one's).
 *   pnuma_crash exchange-verify
 *	after the reboot: every byte of both sets intact, the pool still
 *	fully allocated (no page leaked or lost), the journal empty.
 *   pnuma_crash storm-verify
 *	every word is what the checkpoint says was durably written (or the
 *	pass in flight wrote): nothing lost, nothing torn, nothing stale.
 */

#include <signal.h>

#include "../kselftest.h"
#include "pnuma_util.h"

#define DEV	"/dev/pnuma0"
#define POOL	PNUMA_SYSFS "/pnuma0"
#define MAGIC_START	0x31545241545343ULL	/* "CSTART1" */
#define MAGIC_STORM	0x314d524f5453ULL	/* "STORM1" */
#define WORDS	(PNUMA_PAGE / 8)
#define SLOTS	(WORDS - 2)	/* words 0 and 1 of a storm page are unused */

/* What the last logical page of the pool records. */
struct record {
	uint64_t magic;
	uint64_t lpn;
	uint64_t pages;
	uint64_t checkpoint;	/* storm: last pass made durable */
};

static int pool_fd(void)
{
	int fd = open(DEV, O_RDWR);

	if (fd < 0)
		ksft_exit_fail_perror("open " DEV);
	return fd;
}

static unsigned long long logical_pages(void)
{
	return pnuma_sysfs_num(POOL "/%s", "logical_pages");
}

/* The pool's pnumafs file, for libpmem2. */
static int file_fd(void)
{
	int fd = pnuma_fs_open("pnuma0", O_RDWR);

	if (fd < 0)
		ksft_exit_fail_perror("open the pnumafs file of pnuma0");
	return fd;
}

/* The record page, mapped by libpmem2. */
static struct record *map_record(struct pnuma_pm *pm)
{
	int fd = file_fd();
	void *p = pnuma_pm_map(pm, fd, (logical_pages() - 1) * PNUMA_PAGE,
			       PNUMA_PAGE);

	if (!p)
		ksft_exit_fail_msg("libpmem2: map the record page: %s\n",
				   pmem2_errormsg());
	close(fd);
	return p;
}

static int start(unsigned long pages, const char *step)
{
	int fd = pool_fd(), cfd;
	struct pnuma_pm pm;
	struct record *rec = map_record(&pm);
	long long lpn;
	char *map;

	lpn = pnuma_free_window(fd, logical_pages() - 1, pages);
	map = lpn < 0 ? MAP_FAILED :
		mmap(NULL, pages * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		     MAP_SHARED, fd, lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("no window of %lu pages\n", pages);
	if (pnuma_write_halves(map, pages, lpn, 0xc4a5, pnuma_node_cpu(0),
			       pnuma_node_cpu(0)))
		ksft_exit_fail_msg("writers failed\n");
	*rec = (struct record){ .magic = MAGIC_START, .lpn = lpn, .pages = pages };
	pm.persist_fn(rec, sizeof(*rec));

	cfd = open("/sys/kernel/debug/pnuma/crash_at", O_WRONLY);
	if (cfd < 0 || write(cfd, step, strlen(step)) < 0)
		ksft_exit_fail_perror("crash_at");
	printf("moving %lu pages from node 0 to node 1, power cut at %s\n",
	       pages, step);
	fflush(stdout);
	pnuma_move_range(map, pages, 1, NULL, 0);
	printf("error: the power is still on after the move\n");
	return 1;
}

static void verify(const char *expect, long replayed, long discarded)
{
	int fd = pool_fd(), node = strcmp(expect, "new") ? 0 : 1;
	struct pnuma_pm pm;
	struct record *rec = map_record(&pm);
	uint64_t want[WORDS];
	unsigned long i, bad = 0, misplaced = 0;
	char *map;

	ksft_print_header();
	ksft_set_plan(5);
	if (rec->magic != MAGIC_START)
		ksft_exit_fail_msg("no record: run 'pnuma_crash start' first\n");
	map = mmap(NULL, rec->pages * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   rec->lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	for (i = 0; i < rec->pages; i++) {
		pnuma_pattern(want, 0xc4a5 + (i >= rec->pages / 2), rec->lpn + i);
		bad += !!memcmp(map + i * PNUMA_PAGE, want, PNUMA_PAGE);
		misplaced += pnuma_node_of(map + i * PNUMA_PAGE) != node;
	}
	ksft_test_result(!bad, "every byte of %llu pages intact (%lu pages differ)\n",
			 (unsigned long long)rec->pages, bad);
	ksft_test_result(!misplaced, "every page on node %d, the %s copy (%lu elsewhere)\n",
			 node, expect, misplaced);
	ksft_test_result(pnuma_sysfs_num(POOL "/%s", "journal_replayed") == replayed &&
			 pnuma_sysfs_num(POOL "/%s", "journal_discarded") == discarded,
			 "recovery replayed %lld and discarded %lld records, expected %ld and %ld\n",
			 pnuma_sysfs_num(POOL "/%s", "journal_replayed"),
			 pnuma_sysfs_num(POOL "/%s", "journal_discarded"),
			 replayed, discarded);
	ksft_test_result(!pnuma_sysfs_num(POOL "/%s", "journal_pending"),
			 "the journal is empty\n");
	/* the pages, plus the record page: nothing else may be in use */
	ksft_test_result(pnuma_sysfs_num(POOL "/%s", "used_pages") ==
			 (long long)rec->pages + 1,
			 "no page leaked: %lld pages in use for %llu + 1\n",
			 pnuma_sysfs_num(POOL "/%s", "used_pages"),
			 (unsigned long long)rec->pages);
	ksft_finished();
}

/* The self-checking word pass @v writes into logical page @lpn. */
static uint64_t storm_word(uint64_t lpn, uint64_t v)
{
	uint64_t h = (lpn + 1) * 0x9e3779b97f4a7c15ULL ^ v * 0xc2b2ae3d27d4eb4fULL;

	return v << 32 | (uint32_t)(h ^ h >> 29);
}

struct storm {
	struct record *rec;
	uint64_t *map;
	unsigned long pages;
	int autonuma;
	struct pnuma_pm pm, rpm;
};

static void *storm_writer(void *arg)
{
	struct storm *s = arg;
	uint64_t v = s->rec->checkpoint;
	double flip = pnuma_now() + 0.5;
	unsigned long i;
	int node = 0;

	pnuma_pin_cpu(pnuma_node_cpu(0));
	for (;;) {
		if (s->autonuma && pnuma_now() >= flip) {
			node ^= 1;
			pnuma_pin_cpu(pnuma_node_cpu(node));
			flip += 0.5;
		}
		v++;
		for (i = 0; i < s->pages; i++) {
			uint64_t *w = &s->map[i * WORDS + 2 + v % SLOTS];

			__atomic_store_n(w, storm_word(s->rec->lpn + i, v),
					 __ATOMIC_RELAXED);
			s->pm.persist_fn(w, sizeof(*w));
		}
		__atomic_store_n(&s->rec->checkpoint, v, __ATOMIC_RELAXED);
		s->rpm.persist_fn(&s->rec->checkpoint, sizeof(uint64_t));
	}
	return NULL;
}

static int run_storm(unsigned long pages, int autonuma)
{
	int fd = pool_fd(), ffd, round = 0;
	struct storm s = { .pages = pages, .autonuma = autonuma };
	pthread_t th;
	const char *knob;
	long long lpn;

	s.rec = map_record(&s.rpm);
	if (s.rec->magic != MAGIC_STORM) {
		lpn = pnuma_free_window(fd, logical_pages() - 1, pages);
		if (lpn < 0)
			ksft_exit_fail_msg("no window of %lu pages\n", pages);
		*s.rec = (struct record){ .magic = MAGIC_STORM, .lpn = lpn,
					  .pages = pages };
		s.rpm.persist_fn(s.rec, sizeof(*s.rec));
	}
	s.pages = s.rec->pages;
	ffd = file_fd();
	s.map = pnuma_pm_map(&s.pm, ffd, s.rec->lpn * PNUMA_PAGE,
			     s.pages * PNUMA_PAGE);
	if (!s.map)
		ksft_exit_fail_msg("libpmem2: map the pages: %s\n",
				   pmem2_errormsg());
	close(ffd);
	printf("writing from pass %llu on over %lu pages, %s moving them meanwhile\n",
	       (unsigned long long)s.rec->checkpoint + 1, s.pages,
	       autonuma ? "NUMA balancing" : "move_pages(2)");
	fflush(stdout);
	knob = autonuma ? pnuma_autonuma_on() : NULL;
	if (knob)
		ksft_exit_fail_msg("cannot set %s\n", knob);
	pthread_create(&th, NULL, storm_writer, &s);
	while (autonuma) {
		usleep(200000);
		printf("autostorm: %lld pages moved by NUMA balancing\n",
		       pnuma_sysfs_num("%s/numa/pages_migrated", POOL));
		fflush(stdout);
	}
	pnuma_pin_cpu(pnuma_node_cpu(1));
	for (;;)
		pnuma_move_range((char *)s.map, s.pages, round++ % 2, NULL, 0);
	return 1;
}

/* What word @j of page @lpn may hold after checkpoint @cp, if it is @got. */
static int storm_word_ok(uint64_t lpn, unsigned long j, uint64_t cp, uint64_t got)
{
	uint64_t slot = j - 2, v;

	/* the pass in flight at the power cut may have reached it */
	if ((cp + 1) % SLOTS == slot && got == storm_word(lpn, cp + 1))
		return 1;
	/* else the last durable pass that wrote it, or nothing */
	if (cp < slot || !cp)
		return got == 0;
	v = cp - (cp - slot) % SLOTS;
	if (!v)
		return got == 0;
	return got == storm_word(lpn, v);
}

static void storm_verify(void)
{
	int fd = pool_fd();
	struct pnuma_pm pm;
	struct record *rec = map_record(&pm);
	unsigned long i, j, bad = 0;
	uint64_t *map, cp;

	ksft_print_header();
	ksft_set_plan(2);
	if (rec->magic != MAGIC_STORM)
		ksft_exit_fail_msg("no storm record\n");
	cp = rec->checkpoint;
	map = mmap(NULL, rec->pages * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd,
		   rec->lpn * PNUMA_PAGE);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	for (i = 0; i < rec->pages; i++) {
		for (j = 2; j < WORDS; j++) {
			if (storm_word_ok(rec->lpn + i, j, cp, map[i * WORDS + j]))
				continue;
			if (bad++ < 5)
				ksft_print_msg("page %lu word %lu: %#llx\n", i, j,
					       (unsigned long long)map[i * WORDS + j]);
		}
	}
	ksft_test_result(!bad, "%llu pages x %lu words as of pass %llu (%lu wrong)\n",
			 (unsigned long long)rec->pages, SLOTS,
			 (unsigned long long)cp, bad);
	ksft_test_result(!pnuma_sysfs_num(POOL "/%s", "journal_pending"),
			 "the journal is empty (%lld replayed, %lld discarded)\n",
			 pnuma_sysfs_num(POOL "/%s", "journal_replayed"),
			 pnuma_sysfs_num(POOL "/%s", "journal_discarded"));
	ksft_finished();
}

#define MAGIC_EXCHANGE	0x31484358454eULL	/* "NEXCH1" */
#define EXCH_HOT	128
#define EXCH_COLD	256

/* The first logical page on @node, or -1. */
static long long first_on_node(char *map, unsigned long long logical, int node)
{
	enum { BATCH = 512 };
	int status[BATCH];
	void *pages[BATCH];
	unsigned long long lpn, i, n;

	for (lpn = 0; lpn < logical; lpn += n) {
		n = logical - lpn < BATCH ? logical - lpn : BATCH;
		for (i = 0; i < n; i++)
			pages[i] = map + (lpn + i) * PNUMA_PAGE;
		if (pnuma_page_status(pages, status, n))
			return -1;
		for (i = 0; i < n; i++)
			if (status[i] == node)
				return lpn + i;
	}
	return -1;
}

static int run_exchange(const char *step, const char *skip)
{
	unsigned long long logical = logical_pages();
	int fd = pool_fd(), ffd = file_fd();
	struct pnuma_pm pm;
	struct record *rec = map_record(&pm);
	long long l1;
	char *map;

	/* Node 0 first, up to the pages it keeps for moves, then node 1. */
	if (pnuma_pin_cpu(pnuma_node_cpu(0)) ||
	    fallocate(ffd, 0, 0, logical * PNUMA_PAGE))
		ksft_exit_fail_perror("fallocate the whole pool from node 0");
	if (pnuma_sysfs_num(POOL "/%s", "used_pages") != (long long)logical)
		ksft_exit_fail_msg("the pool is not fully allocated\n");
	map = mmap(NULL, logical * PNUMA_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_perror("mmap");
	l1 = first_on_node(map, logical - 1, 1);
	if (l1 < EXCH_HOT || l1 + EXCH_COLD >= (long long)logical - 1 ||
	    first_on_node(map, EXCH_HOT, 1) >= 0)
		ksft_exit_fail_msg("no layout for an exchange (node 1 from %lld)\n",
				   l1);
	if (pnuma_write_halves(map, EXCH_HOT, 0, 0xe0, pnuma_node_cpu(0),
			       pnuma_node_cpu(0)) ||
	    pnuma_write_halves(map + l1 * PNUMA_PAGE, EXCH_COLD, l1, 0xe2,
			       pnuma_node_cpu(1), pnuma_node_cpu(1)))
		ksft_exit_fail_msg("writers failed\n");
	*rec = (struct record){ .magic = MAGIC_EXCHANGE, .lpn = l1,
				.pages = EXCH_COLD };
	pm.persist_fn(rec, sizeof(*rec));

	if (pnuma_debugfs_write("crash_skip", skip) ||
	    pnuma_debugfs_write("crash_at", step))
		ksft_exit_fail_perror("crash_at");
	printf("moving %d pages of node 0 to the full node 1 (from %lld),\n"
	       "power cut at %s of transaction %s\n", EXCH_HOT, l1, step, skip);
	fflush(stdout);
	pnuma_move_range(map, EXCH_HOT, 1, NULL, 0);
	ksft_exit_fail_msg("the power stayed on\n");
	return 1;
}

static void verify_exchange(void)
{
	unsigned long long logical = logical_pages();
	int fd = pool_fd();
	struct pnuma_pm pm;
	struct record *rec = map_record(&pm);

	ksft_print_header();
	ksft_set_plan(4);
	if (rec->magic != MAGIC_EXCHANGE)
		ksft_exit_fail_msg("no exchange record\n");
	ksft_test_result(!pnuma_bad_halves(fd, EXCH_HOT, 0, 0xe0),
			 "exchange: every byte of the %d hot pages intact\n",
			 EXCH_HOT);
	ksft_test_result(!pnuma_bad_halves(fd, rec->pages, rec->lpn, 0xe2),
			 "exchange: every byte of the %llu pages of node 1 intact\n",
			 (unsigned long long)rec->pages);
	ksft_test_result(pnuma_sysfs_num(POOL "/%s", "used_pages") ==
			 (long long)logical,
			 "exchange: the pool is still fully allocated: no page lost or leaked\n");
	ksft_test_result(pnuma_sysfs_num(POOL "/%s", "journal_pending") == 0,
			 "exchange: the journal is empty\n");
	ksft_finished();
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "start"))
		return start(strtoul(argv[2], NULL, 0), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "verify"))
		verify(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "storm"))
		return run_storm(strtoul(argv[2], NULL, 0), 0);
	if (argc == 3 && !strcmp(argv[1], "autostorm"))
		return run_storm(strtoul(argv[2], NULL, 0), 1);
	if (argc == 2 && !strcmp(argv[1], "storm-verify"))
		storm_verify();
	if (argc == 4 && !strcmp(argv[1], "exchange"))
		return run_exchange(argv[2], argv[3]);
	if (argc == 2 && !strcmp(argv[1], "exchange-verify"))
		verify_exchange();
	fprintf(stderr, "usage: %s start PAGES STEP | verify old|new REPLAYED DISCARDED |\n"
		"       storm PAGES | autostorm PAGES | storm-verify |\n"
		"       exchange STEP SKIP | exchange-verify\n", argv[0]);
	return 2;
}
