// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_stress: many processes on one pool at once, for a while, then
 * every page and the pool's accounting checked.
 *
 *   pnuma_stress [-t SECONDS] [-w WRITERS] [-r READERS] [-m MOVERS]
 *                [-p PAGES] [-a]
 *
 * In a window of untouched logical pages of /dev/pnuma0:
 *  - each writer owns PAGES pages and rewrites them over and over, each
 *    page stamped with a generation at both ends around data derived
 *    from it, moving to the other node's CPU every pass; it remaps its
 *    pages every few passes and exits after a second or three, and a new
 *    writer takes over where it stopped;
 *  - readers map every page and check random ones: a page whose two
 *    stamps agree must hold exactly that generation's data, and never a
 *    generation older than the one its writer had finished before the
 *    read began (no lost or stale write); they come and go too;
 *  - movers move random batches of 64 pages to random nodes with
 *    move_pages(2) (MPOL_MF_MOVE_ALL: the pages are shared);
 *  - with -a, automatic NUMA balancing of pnuma pages is on, its scanner
 *    sped up, and moves pages after the writers.
 * At the end, with everything stopped: every page holds the last
 * generation its writers finished; the pool's used pages grew by exactly
 * the window, on each member by the window's pages on that member's
 * node; the journal is empty; no process died. It reports the pages
 * moved and the faults served per second.
 */

#include <sys/resource.h>
#include <sys/wait.h>
#include <signal.h>
#include <linux/mempolicy.h>

#include "../kselftest.h"
#include "pnuma_util.h"

#define DEV		"/dev/pnuma0"
#define POOL		PNUMA_SYSFS "/pnuma0"
#define WORDS		(PNUMA_PAGE / 8)
#define MAX_PROCS	64
#define MAX_MEMBERS	64

enum role { WRITER, READER, MOVER };

/* Shared by every process (anonymous MAP_SHARED). */
struct shared {
	int stop;			/* read with __atomic_load_n() */
	uint64_t errors;		/* wrong data seen */
	uint64_t checks;		/* pages checked by readers */
	uint64_t retries;		/* checks that met a write in flight */
	uint64_t passes;		/* writer passes */
	uint64_t move_calls;		/* move_pages(2) calls of movers */
	uint64_t spawned;		/* processes started */
	uint64_t last_gen[];		/* per page: last generation finished */
};

static struct shared *sh;
static unsigned long long base;	/* first logical page of the window */
static unsigned long npages, per_writer = 256;
static int seconds = 600, writers = 4, readers = 2, movers = 2, autonuma;

static uint64_t data_word(uint64_t lpn, uint64_t gen, unsigned long j)
{
	uint64_t h = (lpn + 1) * 0x9e3779b97f4a7c15ULL ^ gen * 0xc2b2ae3d27d4eb4fULL;

	h ^= (j + 1) * 0x165667b19e3779f9ULL;
	return h ^ h >> 31;
}

static char *map_pages(int fd, unsigned long first, unsigned long n)
{
	char *p = mmap(NULL, n * PNUMA_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, (base + first) * PNUMA_PAGE);

	if (p == MAP_FAILED) {
		perror("mmap " DEV);
		exit(2);
	}
	return p;
}

static void error(const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&sh->errors, 1, __ATOMIC_RELAXED) < 10) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		fflush(stdout);
	}
}

/* Rewrite the pages of writer @w, generation after generation. */
static void writer(int fd, int w, unsigned int seed)
{
	unsigned long first = w * per_writer, i, j;
	double end = pnuma_now() + 1 + rand_r(&seed) % 3;
	int pass = 0;
	char *map = NULL;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) && pnuma_now() < end) {
		if (pass % 4 == 0) {
			if (map)
				munmap(map, per_writer * PNUMA_PAGE);
			map = map_pages(fd, first, per_writer);
		}
		pnuma_pin_cpu(pnuma_node_cpu((w + pass) % 2));
		for (i = 0; i < per_writer; i++) {
			uint64_t *p = (uint64_t *)(map + i * PNUMA_PAGE);
			uint64_t lpn = base + first + i;
			uint64_t g = sh->last_gen[first + i] + 1;

			__atomic_store_n(&p[0], g, __ATOMIC_RELEASE);
			for (j = 1; j < WORDS - 1; j++)
				__atomic_store_n(&p[j], data_word(lpn, g, j),
						 __ATOMIC_RELAXED);
			__atomic_store_n(&p[WORDS - 1], g, __ATOMIC_RELEASE);
			__atomic_store_n(&sh->last_gen[first + i], g,
					 __ATOMIC_RELEASE);
		}
		pass++;
		__atomic_fetch_add(&sh->passes, 1, __ATOMIC_RELAXED);
	}
}

/* Check one page; 1 if a write was in flight. */
static int check_page(uint64_t *p, unsigned long i)
{
	uint64_t min = __atomic_load_n(&sh->last_gen[i], __ATOMIC_ACQUIRE);
	uint64_t lpn = base + i, end, begin;
	unsigned long j, bad = 0;

	end = __atomic_load_n(&p[WORDS - 1], __ATOMIC_ACQUIRE);
	for (j = 1; j < WORDS - 1; j++)
		bad += __atomic_load_n(&p[j], __ATOMIC_ACQUIRE) !=
		       (end ? data_word(lpn, end, j) : 0);
	begin = __atomic_load_n(&p[0], __ATOMIC_ACQUIRE);
	if (begin != end)
		return 1;
	if (bad)
		error("page %lu (logical %llu): %lu words wrong for generation %llu\n",
		      i, (unsigned long long)lpn, bad, (unsigned long long)end);
	else if (end < min)
		error("page %lu (logical %llu): generation %llu, but %llu was finished before\n",
		      i, (unsigned long long)lpn, (unsigned long long)end,
		      (unsigned long long)min);
	return 0;
}

static void reader(int fd, int r, unsigned int seed)
{
	double end = pnuma_now() + 2 + rand_r(&seed) % 4;
	char *map = map_pages(fd, 0, npages);
	unsigned long n = 0;

	pnuma_pin_cpu(pnuma_node_cpu(r % 2));
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) && pnuma_now() < end) {
		unsigned long i = rand_r(&seed) % npages;

		if (check_page((uint64_t *)(map + i * PNUMA_PAGE), i))
			__atomic_fetch_add(&sh->retries, 1, __ATOMIC_RELAXED);
		else
			__atomic_fetch_add(&sh->checks, 1, __ATOMIC_RELAXED);
		if (++n % 4096 == 0) {
			munmap(map, npages * PNUMA_PAGE);
			map = map_pages(fd, 0, npages);
		}
	}
}

static void mover(int fd, unsigned int seed)
{
	char *map = map_pages(fd, 0, npages);
	void *pages[64];
	int nodes[64], status[64];
	unsigned long i, n;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		int node = rand_r(&seed) % 2;

		n = npages < 64 ? npages : 64;
		for (i = 0; i < n; i++) {
			pages[i] = map + (rand_r(&seed) % npages) * PNUMA_PAGE;
			nodes[i] = node;
		}
		/* MOVE_ALL: every page is mapped by other processes too. */
		if (syscall(SYS_move_pages, 0, n, pages, nodes, status,
			    MPOL_MF_MOVE_ALL) < 0) {
			error("move_pages: %s\n", strerror(errno));
			return;
		}
		__atomic_fetch_add(&sh->move_calls, 1, __ATOMIC_RELAXED);
	}
}

struct proc {
	pid_t pid;
	enum role role;
	int index;
};

static pid_t spawn(int fd, enum role role, int index)
{
	unsigned int seed = (unsigned int)(pnuma_now() * 1e6) ^ index << 16 ^ role;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid)
		return pid;
	if (role == WRITER)
		writer(fd, index, seed);
	else if (role == READER)
		reader(fd, index, seed);
	else
		mover(fd, seed);
	_exit(0);
}

/* The used pages of each member, and the node of each. */
static int read_members(long long *used, int *node)
{
	int m;

	for (m = 0; m < MAX_MEMBERS; m++) {
		char attr[64];

		snprintf(attr, sizeof(attr), "%s/members/%d/used_pages", POOL, m);
		if (access(attr, R_OK))
			break;
		used[m] = pnuma_sysfs_num("%s", attr);
		snprintf(attr, sizeof(attr), "%s/members/%d/node", POOL, m);
		node[m] = pnuma_sysfs_num("%s", attr);
	}
	return m;
}

static void bad_args(const char *prog)
{
	fprintf(stderr, "%s [-t SECONDS] [-w WRITERS] [-r READERS] [-m MOVERS]\n"
		"\t[-p PAGES] [-a]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	long long used0[MAX_MEMBERS], used1[MAX_MEMBERS], moved0, numa0, hint0;
	long long logical, moved, grew;
	unsigned long i, j, bad = 0, on_node[MAX_MEMBERS] = { 0 };
	struct proc procs[MAX_PROCS];
	int opt, fd, nproc = 0, nmem, node[MAX_MEMBERS], died = 0, p, status;
	double start, elapsed;
	struct rusage ru;
	const char *knob;
	char *map;

	while ((opt = getopt(argc, argv, "t:w:r:m:p:a")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		case 'w':
			writers = atoi(optarg);
			break;
		case 'r':
			readers = atoi(optarg);
			break;
		case 'm':
			movers = atoi(optarg);
			break;
		case 'p':
			per_writer = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			autonuma = 1;
			break;
		default:
			bad_args(argv[0]);
		}
	}
	if (optind != argc || seconds < 1 || writers < 1 || readers < 0 ||
	    movers < 0 || writers + readers + movers > MAX_PROCS || !per_writer)
		bad_args(argv[0]);

	ksft_print_header();
	ksft_set_plan(6);
	fd = open(DEV, O_RDWR);
	if (fd < 0)
		ksft_exit_skip("no pool: cannot open " DEV "\n");
	npages = writers * per_writer;
	logical = pnuma_sysfs_num(POOL "/%s", "logical_pages");
	base = pnuma_free_window(fd, logical, npages);
	if ((long long)base < 0)
		ksft_exit_fail_msg("no window of %lu untouched pages\n", npages);
	sh = mmap(NULL, sizeof(*sh) + npages * sizeof(uint64_t),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		ksft_exit_fail_perror("mmap shared");
	nmem = read_members(used0, node);
	moved0 = pnuma_vmstat("pnuma_migrate_success");
	numa0 = pnuma_vmstat("pnuma_numa_pages_migrated");
	hint0 = pnuma_vmstat("pnuma_hint_faults");
	knob = autonuma ? pnuma_autonuma_on() : NULL;
	if (knob)
		ksft_exit_fail_msg("cannot set %s\n", knob);
	ksft_print_msg("%d s: %d writers x %lu pages (logical %llu-%llu)\n",
		       seconds, writers, per_writer, base, base + npages - 1);
	ksft_print_msg("%d readers, %d movers, NUMA balancing %s\n",
		       readers, movers, autonuma ? "on" : "off");

	/* The first pass of every writer, so that readers find pages. */
	for (i = 0; i < (unsigned long)writers; i++) {
		procs[nproc++] = (struct proc){ spawn(fd, WRITER, i), WRITER, i };
		sh->spawned++;
	}
	while (sh->passes < (uint64_t)writers)
		usleep(10000);
	for (i = 0; i < (unsigned long)readers; i++) {
		procs[nproc++] = (struct proc){ spawn(fd, READER, i), READER, i };
		sh->spawned++;
	}
	for (i = 0; i < (unsigned long)movers; i++) {
		procs[nproc++] = (struct proc){ spawn(fd, MOVER, i), MOVER, i };
		sh->spawned++;
	}

	start = pnuma_now();
	while (pnuma_now() - start < seconds) {
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0) {
			usleep(20000);
			continue;
		}
		for (p = 0; p < nproc && procs[p].pid != pid; p++)
			;
		if (p == nproc)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			died++;
			ksft_print_msg("%s %d died (status %#x)\n",
				       procs[p].role == WRITER ? "writer" :
				       procs[p].role == READER ? "reader" : "mover",
				       procs[p].index, status);
		}
		/* A new process takes the place of the one that exited. */
		procs[p].pid = spawn(fd, procs[p].role, procs[p].index);
		sh->spawned++;
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (p = 0; p < nproc; p++) {
		if (waitpid(procs[p].pid, &status, 0) < 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			died++;
	}
	elapsed = pnuma_now() - start;
	if (autonuma)
		pnuma_write_file("/proc/sys/kernel/numa_balancing_pmem", "0");
	getrusage(RUSAGE_CHILDREN, &ru);

	ksft_print_msg("%llu processes, %llu writer passes, %llu reader checks (%llu retried)\n",
		       (unsigned long long)sh->spawned, (unsigned long long)sh->passes,
		       (unsigned long long)sh->checks, (unsigned long long)sh->retries);
	moved = pnuma_vmstat("pnuma_migrate_success") - moved0;
	ksft_print_msg("pages moved: %.0f/s (%lld in %.0f s, %lld by NUMA balancing)\n",
		       moved / elapsed, moved, elapsed,
		       pnuma_vmstat("pnuma_numa_pages_migrated") - numa0);
	ksft_print_msg("move_pages(2) calls of the movers: %llu\n",
		       (unsigned long long)sh->move_calls);
	ksft_print_msg("page faults served: %.0f/s; NUMA hinting faults on pnuma pages: %.0f/s\n",
		       (ru.ru_minflt + ru.ru_majflt) / elapsed,
		       (pnuma_vmstat("pnuma_hint_faults") - hint0) / elapsed);
	ksft_test_result(!sh->errors && sh->checks,
			 "readers: %llu pages checked while everything ran, %llu wrong\n",
			 (unsigned long long)sh->checks, (unsigned long long)sh->errors);
	ksft_test_result(!died, "no process died (%d did)\n", died);

	/* Every page holds the last generation its writers finished. */
	map = map_pages(fd, 0, npages);
	for (i = 0; i < npages; i++) {
		uint64_t *w = (uint64_t *)(map + i * PNUMA_PAGE);
		uint64_t g = sh->last_gen[i];
		int nd = pnuma_node_of(w);

		for (j = 1; j < WORDS - 1 && w[j] == data_word(base + i, g, j); j++)
			;
		if (w[0] != g || w[WORDS - 1] != g || j != WORDS - 1) {
			if (bad++ < 5)
				ksft_print_msg("page %lu: generation %llu/%llu, want %llu\n",
					       i, (unsigned long long)w[0],
					       (unsigned long long)w[WORDS - 1],
					       (unsigned long long)g);
		}
		for (p = 0; p < nmem; p++)
			if (node[p] == nd)
				on_node[p]++;
	}
	ksft_test_result(!bad, "each of the %lu pages holds its last generation (%lu do not)\n",
			 npages, bad);

	read_members(used1, node);
	for (grew = 0, p = 0; p < nmem; p++)
		grew += used1[p] - used0[p];
	ksft_test_result(grew == (long long)npages,
			 "the pool's used pages grew by %lld, the pages the processes wrote: %lu\n",
			 grew, npages);
	for (bad = 0, p = 0; p < nmem; p++) {
		ksft_print_msg("member %d (node %d): %lld more pages in use, %lu of the window\n",
			       p, node[p], used1[p] - used0[p], on_node[p]);
		bad += used1[p] - used0[p] != (long long)on_node[p];
	}
	ksft_test_result(!bad, "each member's used pages grew by the window's pages on its node\n");
	ksft_test_result(!pnuma_sysfs_num(POOL "/%s", "journal_pending"),
			 "the journal is empty\n");
	munmap(map, npages * PNUMA_PAGE);
	close(fd);
	ksft_finished();
}
