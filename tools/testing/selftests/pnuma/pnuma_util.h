/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pnuma selftests: sysfs attributes of a pool,
 * move_pages(2) queries, CPU pinning, and stores persisted with libpmem2.
 *
 * Stores are persisted the way any program using libpmem2 does: on the
 * pool's pnumafs file (mounted on PNUMA_FS_DIR when it is not), with
 * pmem2_source_from_fd() and pmem2_map_new() at cache-line granularity;
 * libpmem2 hands out the memcpy and persist functions for that mapping
 * (non-temporal stores or CLWB/CLFLUSHOPT, then SFENCE). Writers into
 * mappings of /dev/pnumaN persist with libpmem's pmem_memcpy_persist().
 */
#ifndef _PNUMA_UTIL_H
#define _PNUMA_UTIL_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <libpmem.h>
#include <libpmem2.h>

#define PNUMA_SYSFS	"/sys/kernel/mm/pnuma"
#define PNUMA_PAGE	4096UL

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Read the sysfs file @fmt names into @buf, trailing white space stripped. */
static inline int pnuma_sysfs_read(char *buf, size_t size, const char *fmt, ...)
{
	char path[PATH_MAX];
	ssize_t len;
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -errno;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	buf[len] = '\0';
	return 0;
}

/* A numeric attribute, or -1 if it cannot be read. */
static inline long long pnuma_sysfs_num(const char *fmt, const char *pool)
{
	char buf[64];

	if (pnuma_sysfs_read(buf, sizeof(buf), fmt, pool))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Write @val to the file at @path: 0 or the negative errno. */
static inline int pnuma_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Write @val to /sys/kernel/mm/pnuma/<attr>: 0 or the errno. */
static inline int pnuma_sysfs_write(const char *attr, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PNUMA_SYSFS "/%s", attr);
	return -pnuma_write_file(path, val);
}

/* Write @val to /sys/kernel/debug/pnuma/<file>: 0 or the errno. */
static inline int pnuma_debugfs_write(const char *file, const char *val)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/kernel/debug/pnuma/%s", file);
	return -pnuma_write_file(path, val);
}

/*
 * The /proc/self/pagemap entry of the page at @addr (bit 63: present;
 * bits 0-54: the pfn, for root), or 0 if it cannot be read.
 */
static inline uint64_t pnuma_pagemap(const void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)addr / PNUMA_PAGE * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	return entry;
}

/*
 * The setup of the tests of an assembled pool: as root, with /dev/pnuma0
 * present. Returns NULL with *fd open read-write (or -1) and *logical the
 * pool's size in pages, or the reason to skip the test.
 */
static inline const char *pnuma_pool_open(int *fd, unsigned long long *logical)
{
	*fd = -1;
	*logical = 0;
	if (geteuid())
		return "must be run as root";
	if (access("/dev/pnuma0", F_OK))
		return "no pool: /dev/pnuma0 is missing";
	*fd = open("/dev/pnuma0", O_RDWR);
	*logical = pnuma_sysfs_num(PNUMA_SYSFS "/%s/logical_pages", "pnuma0");
	return NULL;
}

/*
 * Automatic NUMA balancing of pnuma pages on, its scanner sped up (every
 * 100 to 500 ms rather than 1 to 60 s). Returns NULL, or the file that
 * could not be written.
 */
static inline const char *pnuma_autonuma_on(void)
{
	static const char * const knobs[][2] = {
		{ "/proc/sys/kernel/numa_balancing", "1" },
		{ "/proc/sys/kernel/numa_balancing_pmem", "1" },
		{ "/sys/kernel/debug/sched/numa_balancing/scan_delay_ms", "0" },
		{ "/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms", "100" },
		{ "/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms", "500" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (pnuma_write_file(knobs[i][0], knobs[i][1]))
			return knobs[i][0];
	return NULL;
}

/* A counter of /proc/vmstat, or -1. */
static inline long long pnuma_vmstat(const char *name)
{
	size_t len = strlen(name);
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

/* Lines of the trace buffer with both @a and @b in them, or -1. */
static inline int pnuma_trace_count(const char *a, const char *b)
{
	FILE *f = fopen("/sys/kernel/tracing/trace", "r");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, a) && strstr(line, b);
	fclose(f);
	return n;
}

/* Monotonic time in seconds. */
static inline double pnuma_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* move_pages(2) with a NULL node list: where are these pages? */
static inline long pnuma_page_status(void **pages, int *status, unsigned long n)
{
	return syscall(SYS_move_pages, 0, n, pages, NULL, status, 0);
}

/* How many of the @n pages at @map move_pages(2) says are on @node. */
static inline unsigned long pnuma_pages_on_node(char *map, unsigned long n,
						int node)
{
	void **pages = calloc(n, sizeof(*pages));
	int *status = calloc(n, sizeof(*status));
	unsigned long i, count = 0;

	if (pages && status) {
		for (i = 0; i < n; i++)
			pages[i] = map + i * PNUMA_PAGE;
		if (!pnuma_page_status(pages, status, n))
			for (i = 0; i < n; i++)
				count += status[i] == node;
	}
	free(pages);
	free(status);
	return count;
}

/*
 * move_pages(2) every page of [@map, @map + @n pages) to @node, with
 * @flags (0 or MPOL_MF_MOVE_ALL). @status, if not NULL, gets each page's
 * outcome. Returns what move_pages(2) returns, or -1 with errno ENOMEM.
 */
static inline long pnuma_move_range(char *map, unsigned long n, int node,
				    int *status, int flags)
{
	void **pages = malloc(n * sizeof(*pages));
	int *nodes = malloc(n * sizeof(*nodes));
	int *st = status ? status : malloc(n * sizeof(*st));
	unsigned long i;
	long ret = -1;

	if (pages && nodes && st) {
		for (i = 0; i < n; i++) {
			pages[i] = map + i * PNUMA_PAGE;
			nodes[i] = node;
		}
		ret = syscall(SYS_move_pages, 0, n, pages, nodes, st, flags);
	} else {
		errno = ENOMEM;
	}
	free(pages);
	free(nodes);
	if (st != status)
		free(st);
	return ret;
}

/* The node of one page, or the negative errno move_pages() reports. */
static inline int pnuma_node_of(void *addr)
{
	int status = -1;

	if (pnuma_page_status(&addr, &status, 1))
		return -errno;
	return status;
}

/*
 * The first logical page of a run of @n pages that nobody has touched yet,
 * searching a read-only view of the whole pool; -1 if there is none.
 */
static inline long long pnuma_free_window(int fd, unsigned long long logical,
					  unsigned long n)
{
	unsigned long long lpn, run = 0;
	enum { BATCH = 512 };
	void *pages[BATCH];
	int status[BATCH];
	char *map;
	unsigned long i, cnt;

	map = mmap(NULL, logical * PNUMA_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	for (lpn = 0; lpn < logical; lpn += cnt) {
		cnt = logical - lpn < BATCH ? logical - lpn : BATCH;
		for (i = 0; i < cnt; i++)
			pages[i] = map + (lpn + i) * PNUMA_PAGE;
		if (pnuma_page_status(pages, status, cnt))
			break;
		for (i = 0; i < cnt; i++) {
			run = status[i] == -ENOENT ? run + 1 : 0;
			if (run == n) {
				munmap(map, logical * PNUMA_PAGE);
				return lpn + i + 1 - n;
			}
		}
	}
	munmap(map, logical * PNUMA_PAGE);
	return -1;
}

/*
 * Anonymous memory in 4 KiB pages only, as pnuma's, for benchmarks: THP
 * "never" (the guest kernel has no madvise(2); its THP default is
 * "always"). Returns 0 or -1.
 */
static inline int pnuma_thp_never(void)
{
	return pnuma_write_file("/sys/kernel/mm/transparent_hugepage/enabled",
				"never") ? -1 : 0;
}

/* Run the calling thread on @cpu only. */
static inline int pnuma_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The first CPU of @node, or -1. */
static inline int pnuma_node_cpu(int node)
{
	char buf[64];

	if (pnuma_sysfs_read(buf, sizeof(buf),
			     "/sys/devices/system/node/node%d/cpulist", node))
		return -1;
	return buf[0] ? atoi(buf) : -1;
}

/* Where the tests mount pnumafs, unless it is mounted there already. */
#define PNUMA_FS_DIR	"/tmp/pnumafs"
#define PNUMA_FS_MAGIC	0x706e6673

/*
 * Open the pnumafs file of pool @pool ("pnuma0") with @flags, mounting
 * pnumafs on PNUMA_FS_DIR first if need be. Returns the fd or -1.
 */
static inline int pnuma_fs_open(const char *pool, int flags)
{
	char path[64];
	struct statfs st;

	if (mkdir(PNUMA_FS_DIR, 0755) && errno != EEXIST)
		return -1;
	if ((statfs(PNUMA_FS_DIR, &st) || st.f_type != PNUMA_FS_MAGIC) &&
	    mount("none", PNUMA_FS_DIR, "pnumafs", 0, NULL))
		return -1;
	snprintf(path, sizeof(path), PNUMA_FS_DIR "/%s", pool);
	return open(path, flags);
}

/**
 * struct pnuma_pm - a mapping of a pool's pnumafs file made by libpmem2
 * @src: the file, as libpmem2 sees it
 * @map: the mapping
 * @memcpy_fn: copy with non-temporal or flushed stores, then fence
 * @persist_fn: flush and fence a range
 */
struct pnuma_pm {
	struct pmem2_source *src;
	struct pmem2_map *map;
	pmem2_memcpy_fn memcpy_fn;
	pmem2_persist_fn persist_fn;
};

/*
 * Map @len bytes at @off of the pnumafs file @fd the way any libpmem2
 * program maps a file on persistent memory: a source from the fd, a
 * shared mapping with MAP_SYNC, cache-line granularity required. Returns
 * the address, or NULL with pmem2_errormsg() saying why.
 */
static inline void *pnuma_pm_map(struct pnuma_pm *pm, int fd, off_t off,
				 size_t len)
{
	struct pmem2_config *cfg = NULL;

	memset(pm, 0, sizeof(*pm));
	if (pmem2_source_from_fd(&pm->src, fd) || pmem2_config_new(&cfg) ||
	    pmem2_config_set_required_store_granularity
			(cfg, PMEM2_GRANULARITY_CACHE_LINE) ||
	    pmem2_config_set_offset(cfg, off) ||
	    pmem2_config_set_length(cfg, len) ||
	    pmem2_map_new(&pm->map, cfg, pm->src)) {
		if (cfg)
			pmem2_config_delete(&cfg);
		if (pm->src)
			pmem2_source_delete(&pm->src);
		return NULL;
	}
	pmem2_config_delete(&cfg);
	pm->memcpy_fn = pmem2_get_memcpy_fn(pm->map);
	pm->persist_fn = pmem2_get_persist_fn(pm->map);
	return pmem2_map_get_address(pm->map);
}

/* Unmap what pnuma_pm_map() mapped. */
static inline void pnuma_pm_fini(struct pnuma_pm *pm)
{
	if (pm->map)
		pmem2_map_delete(&pm->map);
	if (pm->src)
		pmem2_source_delete(&pm->src);
}

/* A page's worth of a pattern that depends on @seed and the page number. */
static inline void pnuma_pattern(uint64_t *buf, uint64_t seed, uint64_t lpn)
{
	unsigned long i;

	for (i = 0; i < PNUMA_PAGE / sizeof(*buf); i++)
		buf[i] = (seed * 0x9e3779b97f4a7c15ULL) ^ (lpn << 20) ^ i;
}

/**
 * struct pnuma_writer - a thread that fills pages with pnuma_pattern()
 * @addr: first page, mapped from /dev/pnumaN
 * @pages: how many
 * @lpn: logical page number of @addr
 * @seed: pattern seed
 * @cpu: CPU to run on
 * @err: set if the thread could not pin itself
 */
struct pnuma_writer {
	char *addr;
	unsigned long pages;
	long long lpn;
	uint64_t seed;
	int cpu;
	int err;
};

/* Thread body: pinned to its CPU, write and persist each page. */
static inline void *pnuma_writer_fn(void *arg)
{
	struct pnuma_writer *w = arg;
	uint64_t buf[PNUMA_PAGE / sizeof(uint64_t)];
	unsigned long i;

	if (pnuma_pin_cpu(w->cpu)) {
		w->err = -1;
		return NULL;
	}
	for (i = 0; i < w->pages; i++) {
		pnuma_pattern(buf, w->seed, w->lpn + i);
		pmem_memcpy_persist(w->addr + i * PNUMA_PAGE, buf, PNUMA_PAGE);
	}
	return NULL;
}

/*
 * Fill @pages pages at @addr (logical page @lpn) from two threads, the
 * first half pinned to @cpu0, the second to @cpu1, seeds @seed and
 * @seed + 1. Returns 0, or -1 if a thread failed.
 */
static inline int pnuma_write_halves(char *addr, unsigned long pages,
				     long long lpn, uint64_t seed, int cpu0,
				     int cpu1)
{
	unsigned long half = pages / 2;
	struct pnuma_writer w[2] = {
		{ addr, half, lpn, seed, cpu0, 0 },
		{ addr + half * PNUMA_PAGE, pages - half, lpn + half, seed + 1,
		  cpu1, 0 },
	};
	pthread_t th[2];
	int t;

	for (t = 0; t < 2; t++)
		if (pthread_create(&th[t], NULL, pnuma_writer_fn, &w[t]))
			return -1;
	for (t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	return w[0].err || w[1].err ? -1 : 0;
}

/*
 * How many of the @pages pages of @fd from logical page @lpn do not read
 * back what pnuma_write_halves() wrote there with @seed; each is named.
 */
static inline int pnuma_bad_halves(int fd, unsigned long pages, long long lpn,
				   uint64_t seed)
{
	uint64_t want[PNUMA_PAGE / sizeof(uint64_t)];
	uint64_t got[PNUMA_PAGE / sizeof(uint64_t)];
	unsigned long i;
	int bad = 0;

	for (i = 0; i < pages; i++) {
		pnuma_pattern(want, seed + (i >= pages / 2), lpn + i);
		if (pread(fd, got, PNUMA_PAGE, (lpn + i) * PNUMA_PAGE) != PNUMA_PAGE ||
		    memcmp(got, want, PNUMA_PAGE)) {
			printf("# logical page %llu differs\n", lpn + i);
			bad++;
		}
	}
	return bad;
}

#endif /* _PNUMA_UTIL_H */
