// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma_pmemobj: a PMDK libpmemobj workload on a DAX file, whose state
 * after a power cut can be checked exactly.
 *
 *   pnuma_pmemobj create PATH [SEED]
 *	make the existing file PATH (its size already set, 16 MiB at least;
 *	it is not created here) a libpmemobj pool with layout
 *	"pnuma_pmemobj" (pmemobj_create with poolsize 0: the file's size),
 *	or open the empty pool "pmempool create obj --layout pnuma_pmemobj"
 *	made of it, and initialise the root with SEED (default 1). The capacity in
 *	entries and the bucket count are fixed here from the file's size:
 *	one entry per 512 bytes, a bucket per entry.
 *   pnuma_pmemobj run PATH NOPS
 *	perform NOPS more operations, continuing from the pool's count of
 *	committed operations; print "pnuma_pmemobj: ops N entries M" every
 *	1000 operations.
 *   pnuma_pmemobj loop PATH
 *	the same, until killed (for power-cut tests).
 *   pnuma_pmemobj verify PATH
 *	pmemobj_check (which must return 1), then the full check below;
 *	prints
 *	"pnuma_pmemobj: verify ok: ops N entries M" and exits 0, or prints
 *	what is wrong and exits 1.
 *   pnuma_pmemobj bench PATH NOPS
 *	insert NOPS keys (one transaction each), look each of them up 10
 *	times, delete them again (one transaction each); prints
 *	"pnuma_pmemobj: bench inserts_per_s X lookups_per_s Y", then
 *	"pnuma_pmemobj: bench deletes_per_s Z". Creates the pool first, as
 *	create with the default seed, if PATH is not a pool yet. The bench
 *	keys lie outside the operations' key range and are all gone at the
 *	end, so a pool verifies after a bench as before it; a bench that was
 *	killed leaves keys that verify reports (the next bench removes them).
 *   pnuma_pmemobj storm PATH
 *	move the file's pages between nodes 0 and 1 with move_pages(2)
 *	(MPOL_MF_MOVE_ALL), 64 at a time, until killed, while another
 *	process runs the workload: no PMDK here.
 *   pnuma_pmemobj move PATH NODE N
 *	move_pages(2) the first N pages of the file that are not on NODE to
 *	NODE in one call; prints "pnuma_pmemobj: move: M of N moved, T there
 *	now" and exits 0 only if every one moved and is still there.
 *
 * The pool holds a hash map (a fixed power-of-two array of buckets,
 * chained) from 64-bit keys to records of key, sequence number, 64 bytes
 * of payload derived from both, and a checksum of the lot; and an array of
 * the keys present, in an order the operations determine. The root keeps
 * the seed, the count of entries and "ops", the count of committed
 * operations, which every operation increments in its own transaction.
 *
 * Operation i is decided by the seed, i and the state operations 0 to i-1
 * left: 70% insert key f(seed, i) with sequence number i (rewriting the
 * record if the key is present), 30% delete the key at position g(seed, i)
 * of the array of keys present (moving the last key there); but always
 * insert into an empty map, and delete from a full one. So the state is
 * a function of seed and ops alone: verify replays operations 0 to ops-1
 * into a hash table in memory (O(ops)) and requires the pool to hold
 * exactly that: every key the replay has, with its sequence number, the
 * payload derived from them and a good checksum, in the right bucket; no
 * key the replay does not have (deleted, or never inserted); the same
 * count and the same array of keys; and no object allocated that the map
 * does not account for (a leak).
 *
 * After every 97th operation a transaction deletes an entry, inserts three
 * marker keys (bit 63 set; no operation's key has it) and counts them in
 * the root, then aborts with pmemobj_tx_abort(ECANCELED); run checks that
 * everything came back: no marker key, the deleted entry present, the
 * root and the array of keys unchanged. verify checks that no marker key
 * is in the pool: a power cut during such a transaction must roll it back
 * too.
 *
 * The pool must not be in use by another process. Every PMDK error is
 * printed with pmemobj_errormsg(), and the program exits 1; bad arguments
 * exit 2.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>
#include <linux/mempolicy.h>
#include <stdnoreturn.h>

/* As in tools/include/linux/compiler.h, which is not on the include path */
#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

#define PROG			"pnuma_pmemobj"
#define LAYOUT			"pnuma_pmemobj"
#define PMO_MAGIC		0x314a424f4d4d50ULL	/* "PMMOBJ1" */
#define DEFAULT_SEED		1
#define INSERT_PCT		70
#define ABORT_EVERY		97
#define MARKERS			3
#define PROGRESS_EVERY		1000
#define BYTES_PER_ENTRY		512
#define MIN_POOL		(16 << 20)	/* smaller: too little heap */
#define MAX_OPS			0x10000000000ULL	/* 2^40 */
#define BENCH_PASSES		10
#define MAX_REPORTS		20
#define PAYLOAD_WORDS		8

#define KEY_MARK		0x8000000000000000ULL	/* aborted tx keys */
#define KEY_BENCH		0x4000000000000000ULL	/* bench keys */
#define KEY_MASK		(KEY_BENCH - 1)	/* operations' keys */

/* Salts separating the pseudo-random streams drawn from the seed. */
#define SALT_KIND		0x6b696e64ULL
#define SALT_KEY		0x6b6579ULL
#define SALT_PICK		0x7069636bULL
#define SALT_MARK		0x6d61726bULL
#define SALT_VICTIM		0x76696374696dULL
#define SALT_BENCH		0x62656e6368ULL
#define SALT_BUCKET		0x6275636b6574ULL
#define SALT_PAYLOAD		0x7061796c6f6164ULL
#define SALT_CSUM		0x6373756dULL

enum {
	TYPE_BUCKETS = 1,	/* PMEMoid[nbuckets] */
	TYPE_LIVE,		/* uint64_t[cap]: the keys present */
	TYPE_NODE,		/* struct pmo_node */
};

struct pmo_root {
	uint64_t magic;		/* PMO_MAGIC once initialised */
	uint64_t seed;
	uint64_t cap;		/* most entries; size of live[] */
	uint64_t nbuckets;	/* a power of two */
	PMEMoid buckets;
	PMEMoid live;
	uint64_t ops;		/* committed operations */
	uint64_t count;		/* entries: live[0] to live[count - 1] */
	uint64_t bench;		/* bench entries present */
};

struct pmo_node {
	PMEMoid next;		/* next in the bucket's chain */
	uint64_t key;
	uint64_t seq;		/* the operation that last wrote the record */
	uint64_t payload[PAYLOAD_WORDS];
	uint64_t csum;		/* of key, seq and payload */
};

/*
 * How the last transaction ended, set in its TX_ONCOMMIT or TX_ONABORT:
 * not in local variables, which the longjmp of an abort may clobber.
 */
static int tx_committed, tx_aborted, tx_errno;

static const char *path;
static size_t pool_size;
static PMEMobjpool *pop;
static PMEMoid root_oid;
static struct pmo_root *root;
static PMEMoid *buckets;
static uint64_t *live;

static noreturn void print_usage(void)
{
	fprintf(stderr,
		"usage: " PROG " create PATH [SEED]\n"
		"       " PROG " run PATH NOPS\n"
		"       " PROG " loop PATH\n"
		"       " PROG " verify PATH\n"
		"       " PROG " bench PATH NOPS\n"
		"       " PROG " storm PATH\n"
		"       " PROG " move PATH NODE N\n"
		"SEED defaults to 1.\n"
		"PATH must exist with its size set (16 MiB at least); create\n"
		"makes it a pool.\n"
		"bench creates the pool if PATH is not one yet, and deletes\n"
		"its own keys again before it exits.\n");
	exit(2);
}

static noreturn void __printf(1, 2) fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A PMDK call failed: say which, with PMDK's message. */
static noreturn void fail_pmem(const char *what)
{
	fail("%s: %s: %s", path, what, pmemobj_errormsg());
}

/* The splitmix64 finaliser: a bijection of 64-bit words. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The pseudo-random word of stream salt for operation i. */
static uint64_t op_rand(uint64_t seed, uint64_t i, uint64_t salt)
{
	return mix64(mix64(seed ^ salt) + (i + 1) * 0x9e3779b97f4a7c15ULL);
}

static uint64_t op_key(uint64_t seed, uint64_t i)
{
	return op_rand(seed, i, SALT_KEY) & KEY_MASK;
}

/* Whether operation i inserts (else it deletes), given count entries. */
static int op_inserts(uint64_t seed, uint64_t i, uint64_t count, uint64_t cap)
{
	if (count == 0)
		return 1;
	if (count >= cap)
		return 0;
	return op_rand(seed, i, SALT_KIND) % 100 < INSERT_PCT;
}

static uint64_t bucket_of(uint64_t key, uint64_t nbuckets)
{
	return mix64(key ^ SALT_BUCKET) & (nbuckets - 1);
}

static void make_payload(uint64_t *payload, uint64_t key, uint64_t seq)
{
	int j;

	for (j = 0; j < PAYLOAD_WORDS; j++)
		payload[j] = mix64(key ^ mix64(seq * PAYLOAD_WORDS + j +
					       SALT_PAYLOAD));
}

/*
 * Each step is a bijection of h given the word, and of the word given h:
 * a change to any one word always changes the sum.
 */
static uint64_t node_csum(const struct pmo_node *n)
{
	uint64_t h = SALT_CSUM;
	int j;

	h = mix64(h ^ n->key);
	h = mix64(h ^ n->seq);
	for (j = 0; j < PAYLOAD_WORDS; j++)
		h = mix64(h ^ n->payload[j]);
	return h;
}

static void fill_node(struct pmo_node *n, uint64_t key, uint64_t seq)
{
	n->key = key;
	n->seq = seq;
	make_payload(n->payload, key, seq);
	n->csum = node_csum(n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

/* The pool file must exist: the file system under test provides it. */
static void stat_pool_file(void)
{
	struct stat st;

	if (stat(path, &st))
		fail("%s: %s (the pool file must exist, with its size set)",
		     path, strerror(errno));
	pool_size = st.st_size;
}

/* The map, for run and bench (verify checks it without trusting it) */

static struct pmo_node *pmo_lookup(uint64_t key)
{
	PMEMoid oid = buckets[bucket_of(key, root->nbuckets)];
	struct pmo_node *n;

	while (!OID_IS_NULL(oid)) {
		n = pmemobj_direct(oid);
		if (n->key == key)
			return n;
		oid = n->next;
	}
	return NULL;
}

/*
 * In a transaction: give key a record with sequence number seq. Returns 1
 * if the key is new, 0 if its record was rewritten. A failure aborts the
 * transaction.
 */
static int pmo_put(uint64_t key, uint64_t seq)
{
	PMEMoid *head = &buckets[bucket_of(key, root->nbuckets)];
	struct pmo_node *n = pmo_lookup(key);
	PMEMoid oid;

	if (n) {
		pmemobj_tx_add_range_direct(n, sizeof(*n));
		fill_node(n, key, seq);
		return 0;
	}
	/* A new object needs no snapshot; the commit flushes it. */
	oid = pmemobj_tx_alloc(sizeof(*n), TYPE_NODE);
	n = pmemobj_direct(oid);
	fill_node(n, key, seq);
	n->next = *head;
	pmemobj_tx_add_range_direct(head, sizeof(*head));
	*head = oid;
	return 1;
}

/* In a transaction: remove key's record. Returns 0 if there was none. */
static int pmo_del(uint64_t key)
{
	PMEMoid *link = &buckets[bucket_of(key, root->nbuckets)];
	struct pmo_node *n;
	PMEMoid oid;

	while (!OID_IS_NULL(*link)) {
		oid = *link;
		n = pmemobj_direct(oid);
		if (n->key == key) {
			pmemobj_tx_add_range_direct(link, sizeof(*link));
			*link = n->next;
			pmemobj_tx_free(oid);
			return 1;
		}
		link = &n->next;
	}
	return 0;
}

/*
 * In a transaction whose snapshot covers root->ops and root->count: insert
 * key with sequence number seq, appending it to live[] if it is new.
 */
static void op_insert(uint64_t key, uint64_t seq)
{
	if (pmo_put(key, seq)) {
		pmemobj_tx_add_range_direct(&live[root->count],
					    sizeof(*live));
		live[root->count] = key;
		root->count++;
	}
}

/* Likewise: delete the key at live[idx], moving the last key there. */
static void op_delete(uint64_t idx)
{
	uint64_t last = root->count - 1;

	if (!pmo_del(live[idx])) {
		fprintf(stderr, PROG ": key %#" PRIx64 " at live[%" PRIu64
			"] is not in the map\n", live[idx], idx);
		pmemobj_tx_abort(ENOENT);
		return;
	}
	pmemobj_tx_add_range_direct(&live[idx], sizeof(*live));
	live[idx] = live[last];
	root->count = last;
}

static void snapshot_ops_count(void)
{
	pmemobj_tx_add_range(root_oid, offsetof(struct pmo_root, ops),
			     2 * sizeof(uint64_t));
}

/* Pool and root */

static void attach_root(void)
{
	if (pmemobj_root_size(pop) < sizeof(struct pmo_root))
		fail("%s: no root object: the pool was not (fully) created",
		     path);
	root_oid = pmemobj_root(pop, sizeof(struct pmo_root));
	if (OID_IS_NULL(root_oid))
		fail_pmem("pmemobj_root");
	root = pmemobj_direct(root_oid);
}

/* For run and bench: the root as create left it, trusted once checked. */
static void use_root(void)
{
	attach_root();
	if (root->magic != PMO_MAGIC)
		fail("%s: root not initialised (magic %#" PRIx64 ")", path,
		     root->magic);
	buckets = pmemobj_direct(root->buckets);
	live = pmemobj_direct(root->live);
	if (!buckets || !live || !root->nbuckets ||
	    (root->nbuckets & (root->nbuckets - 1)) || !root->cap ||
	    root->count > root->cap)
		fail("%s: corrupt root (run verify)", path);
}

static void open_pool(void)
{
	pop = pmemobj_open(path, LAYOUT);
	if (!pop)
		fail_pmem("pmemobj_open");
	use_root();
}

static void close_pool(void)
{
	pmemobj_close(pop);
	pop = NULL;
}

static void tx_start(void)
{
	tx_committed = 0;
	tx_aborted = 0;
	tx_errno = 0;
}

/*
 * The transactions are in functions of their own, which use no local
 * variable after TX_END (see tx_committed).
 */
static void init_root(uint64_t seed, uint64_t cap, uint64_t nbuckets)
{
	tx_start();
	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root_oid, 0, sizeof(*root));
		root->buckets = pmemobj_tx_zalloc(nbuckets * sizeof(PMEMoid),
						  TYPE_BUCKETS);
		root->live = pmemobj_tx_zalloc(cap * sizeof(uint64_t),
					       TYPE_LIVE);
		root->seed = seed;
		root->cap = cap;
		root->nbuckets = nbuckets;
		root->ops = 0;
		root->count = 0;
		root->bench = 0;
		root->magic = PMO_MAGIC;
	} TX_ONABORT {
		tx_aborted = 1;
	} TX_END
	if (tx_aborted)
		fail_pmem("transaction initialising the root");
}

static void create_pool(uint64_t seed)
{
	uint64_t cap = pool_size / BYTES_PER_ENTRY, nbuckets = 1;

	if (pool_size < MIN_POOL)
		fail("%s: %zu bytes; the pool file must have at least %d MiB",
		     path, pool_size, MIN_POOL >> 20);
	pop = pmemobj_create(path, LAYOUT, 0, 0644);
	/* Made by "pmempool create obj --layout pnuma_pmemobj": open it. */
	if (!pop && errno == EEXIST)
		pop = pmemobj_open(path, LAYOUT);
	if (!pop)
		fail_pmem("pmemobj_create and pmemobj_open");
	while (nbuckets < cap)
		nbuckets <<= 1;
	root_oid = pmemobj_root(pop, sizeof(struct pmo_root));
	if (OID_IS_NULL(root_oid))
		fail_pmem("pmemobj_root");
	root = pmemobj_direct(root_oid);
	if (root->magic)
		fail("%s: the pool is initialised already", path);
	init_root(seed, cap, nbuckets);
	buckets = pmemobj_direct(root->buckets);
	live = pmemobj_direct(root->live);
}

/* run and loop */

static void do_op(void)
{
	uint64_t seed = root->seed, i = root->ops;

	tx_start();
	TX_BEGIN(pop) {
		snapshot_ops_count();
		if (op_inserts(seed, i, root->count, root->cap))
			op_insert(op_key(seed, i), i);
		else
			op_delete(op_rand(seed, i, SALT_PICK) % root->count);
		root->ops = i + 1;
	} TX_ONABORT {
		tx_aborted = 1;
	} TX_END
	if (tx_aborted)
		fail_pmem("operation transaction");
}

static uint64_t live_sum(uint64_t n)
{
	uint64_t h = 0, i;

	for (i = 0; i < n; i++)
		h = mix64(h ^ live[i]);
	return h;
}

static int record_ok(const struct pmo_node *n, uint64_t key, uint64_t seq)
{
	uint64_t want[PAYLOAD_WORDS];

	make_payload(want, key, seq);
	return n && n->key == key && n->seq == seq && n->csum == node_csum(n) &&
	       !memcmp(n->payload, want, sizeof(want));
}

/*
 * A transaction that deletes live[idx] (if count), inserts the marker
 * keys, counts all that in the root, and aborts. Returns the errno of the
 * abort, or -1 if it committed.
 */
static int abort_tx(const uint64_t *marks, uint64_t idx, uint64_t count,
		    uint64_t ops)
{
	int j;

	tx_start();
	TX_BEGIN(pop) {
		snapshot_ops_count();
		if (count)
			op_delete(idx);
		for (j = 0; j < MARKERS; j++) {
			if (root->count < root->cap)
				op_insert(marks[j], ops);
			else
				pmo_put(marks[j], ops);
		}
		root->ops++;
		pmemobj_tx_abort(ECANCELED);
	} TX_ONCOMMIT {
		tx_committed = 1;
	} TX_ONABORT {
		tx_aborted = 1;
		tx_errno = pmemobj_tx_errno();
	} TX_END
	return tx_committed || !tx_aborted ? -1 : tx_errno;
}

/* After abort_tx, all must be as before. */
static void abort_test(void)
{
	uint64_t seed = root->seed, ops = root->ops, count = root->count;
	uint64_t span = count + MARKERS < root->cap ? count + MARKERS :
						      root->cap;
	uint64_t marks[MARKERS], idx = 0, victim = 0, victim_seq = 0;
	uint64_t sum = live_sum(span);
	int j, err;

	for (j = 0; j < MARKERS; j++)
		marks[j] = KEY_MARK | op_rand(seed, ops, SALT_MARK + j);
	if (count) {
		idx = op_rand(seed, ops, SALT_VICTIM) % count;
		victim = live[idx];
		if (!pmo_lookup(victim))
			fail("key %#" PRIx64 " at live[%" PRIu64
			     "] is not in the map", victim, idx);
		victim_seq = pmo_lookup(victim)->seq;
	}

	err = abort_tx(marks, idx, count, ops);
	if (err < 0)
		fail("aborted transaction at ops %" PRIu64 " committed", ops);
	if (err != ECANCELED)
		fail_pmem("transaction aborted, not by pmemobj_tx_abort");
	if (errno != ECANCELED)
		fail("errno %d after the aborted transaction, not ECANCELED",
		     errno);
	if (root->ops != ops || root->count != count)
		fail("abort at ops %" PRIu64 " left ops %" PRIu64 " entries %"
		     PRIu64 ", not %" PRIu64 " and %" PRIu64, ops, root->ops,
		     root->count, ops, count);
	for (j = 0; j < MARKERS; j++)
		if (pmo_lookup(marks[j]))
			fail("abort at ops %" PRIu64 " left marker key %#"
			     PRIx64, ops, marks[j]);
	if (count && !record_ok(pmo_lookup(victim), victim, victim_seq))
		fail("abort at ops %" PRIu64 " lost key %#" PRIx64, ops,
		     victim);
	if (live_sum(span) != sum)
		fail("abort at ops %" PRIu64 " changed the keys' array", ops);
}

/* Printed once the operations counted are durable. */
static void progress(void)
{
	printf(PROG ": ops %" PRIu64 " entries %" PRIu64 "\n", root->ops,
	       root->count);
	fflush(stdout);
}

static void cmd_run(uint64_t nops, int forever)
{
	uint64_t n, aborts = 0;

	open_pool();
	for (n = 0; forever || n < nops; n++) {
		do_op();
		if (root->ops % ABORT_EVERY == 0) {
			abort_test();
			aborts++;
		}
		if (root->ops % PROGRESS_EVERY == 0)
			progress();
	}
	printf(PROG ": run done: ops %" PRIu64 " entries %" PRIu64
	       " aborted_tx_checked %" PRIu64 "\n", root->ops, root->count,
	       aborts);
	close_pool();
}

/* verify */

/* The replay's hash table: linear probing, deletion by backward shift. */
struct vent {
	uint64_t key;
	uint64_t seq;
	uint32_t used;
	uint32_t seen;		/* found in the pool */
};

struct vmap {
	struct vent *tab;
	uint64_t mask;
};

static uint64_t vhome(const struct vmap *m, uint64_t key)
{
	return mix64(key) & m->mask;
}

static struct vent *vfind(const struct vmap *m, uint64_t key)
{
	uint64_t i = vhome(m, key);

	while (m->tab[i].used) {
		if (m->tab[i].key == key)
			return &m->tab[i];
		i = (i + 1) & m->mask;
	}
	return NULL;
}

/* Add key, which is not present; the table is never over half full. */
static void vadd(struct vmap *m, uint64_t key, uint64_t seq)
{
	uint64_t i = vhome(m, key);

	while (m->tab[i].used)
		i = (i + 1) & m->mask;
	m->tab[i].key = key;
	m->tab[i].seq = seq;
	m->tab[i].used = 1;
}

static void vdel(struct vmap *m, struct vent *e)
{
	uint64_t i = e - m->tab, j = i, k;

	for (;;) {
		j = (j + 1) & m->mask;
		if (!m->tab[j].used)
			break;
		k = vhome(m, m->tab[j].key);
		/* Leave the entry at j if its home is cyclically in (i, j]. */
		if (i <= j ? i < k && k <= j : i < k || k <= j)
			continue;
		m->tab[i] = m->tab[j];
		i = j;
	}
	m->tab[i].used = 0;
}

static unsigned long problems;

static void __printf(1, 2) problem(const char *fmt, ...)
{
	va_list ap;

	if (++problems > MAX_REPORTS)
		return;
	printf(PROG ": verify: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Whether oid is an object of this pool of at least size bytes. */
static int oid_ok(PMEMoid oid, uint64_t type, size_t size)
{
	return oid.pool_uuid_lo == root_oid.pool_uuid_lo &&
	       oid.off >= 4096 && oid.off < pool_size &&
	       size <= pool_size - oid.off &&
	       pmemobj_type_num(oid) == type &&
	       pmemobj_alloc_usable_size(oid) >= size;
}

static int verify_root(void)
{
	if (root->magic != PMO_MAGIC) {
		problem("root not initialised (magic %#" PRIx64 ")",
			root->magic);
		return -1;
	}
	if (!root->cap || root->cap > pool_size / sizeof(struct pmo_node) ||
	    !root->nbuckets || (root->nbuckets & (root->nbuckets - 1)) ||
	    root->nbuckets > pool_size / sizeof(PMEMoid) ||
	    root->ops > MAX_OPS || root->count > root->cap) {
		problem("corrupt root: cap %" PRIu64 " buckets %" PRIu64
			" ops %" PRIu64 " entries %" PRIu64, root->cap,
			root->nbuckets, root->ops, root->count);
		return -1;
	}
	if (!oid_ok(root->buckets, TYPE_BUCKETS,
		    root->nbuckets * sizeof(PMEMoid)) ||
	    !oid_ok(root->live, TYPE_LIVE, root->cap * sizeof(uint64_t))) {
		problem("corrupt root: bad bucket or key array");
		return -1;
	}
	buckets = pmemobj_direct(root->buckets);
	live = pmemobj_direct(root->live);
	return 0;
}

/* Operations 0 to ops-1, into m and vlive; returns the count of entries. */
static uint64_t replay(struct vmap *m, uint64_t *vlive)
{
	uint64_t seed = root->seed, cap = root->cap, count = 0, i, idx, key;
	struct vent *e;

	for (i = 0; i < root->ops; i++) {
		if (op_inserts(seed, i, count, cap)) {
			key = op_key(seed, i);
			e = vfind(m, key);
			if (e) {
				e->seq = i;
			} else {
				vadd(m, key, i);
				vlive[count++] = key;
			}
		} else {
			idx = op_rand(seed, i, SALT_PICK) % count;
			vdel(m, vfind(m, vlive[idx]));
			vlive[idx] = vlive[--count];
		}
	}
	return count;
}

/* One record of bucket b against the replay. */
static void verify_node(struct vmap *m, const struct pmo_node *n, uint64_t b)
{
	uint64_t want[PAYLOAD_WORDS], home = bucket_of(n->key, root->nbuckets);
	struct vent *e;

	if (n->csum != node_csum(n))
		problem("key %#" PRIx64 " seq %" PRIu64
			": bad checksum (torn or corrupt record)",
			n->key, n->seq);
	if (home != b)
		problem("key %#" PRIx64 " in bucket %" PRIu64 ", not %" PRIu64,
			n->key, b, home);
	if (n->key & KEY_MARK) {
		problem("key %#" PRIx64 " of an aborted transaction present",
			n->key);
		return;
	}
	if (n->key & KEY_BENCH) {
		problem("bench key %#" PRIx64 " left (bench interrupted?)",
			n->key);
		return;
	}
	e = vfind(m, n->key);
	if (!e) {
		problem("key %#" PRIx64 " seq %" PRIu64
			" present, but deleted or never inserted",
			n->key, n->seq);
		return;
	}
	if (e->seen++) {
		problem("key %#" PRIx64 " twice in the map", n->key);
		return;
	}
	if (n->seq != e->seq) {
		problem("key %#" PRIx64 " has seq %" PRIu64 ", not %" PRIu64,
			n->key, n->seq, e->seq);
		return;
	}
	make_payload(want, n->key, n->seq);
	if (memcmp(n->payload, want, sizeof(want)))
		problem("key %#" PRIx64 " seq %" PRIu64 ": wrong payload",
			n->key, n->seq);
}

/* Every record in every chain against the replay; returns how many. */
static uint64_t verify_map(struct vmap *m, uint64_t count)
{
	uint64_t b, walked = 0, limit = count + root->bench + 1;
	struct pmo_node *n;
	PMEMoid oid;

	for (b = 0; b < root->nbuckets; b++) {
		for (oid = buckets[b]; !OID_IS_NULL(oid); oid = n->next) {
			if (!oid_ok(oid, TYPE_NODE, sizeof(*n))) {
				problem("bucket %" PRIu64 ": bad object %#"
					PRIx64, b, (uint64_t)oid.off);
				break;
			}
			if (++walked > limit) {
				problem("more records than entries (a cycle?)");
				return walked;
			}
			n = pmemobj_direct(oid);
			verify_node(m, n, b);
		}
	}
	for (b = 0; b <= m->mask; b++)
		if (m->tab[b].used && !m->tab[b].seen)
			problem("key %#" PRIx64 " (inserted by op %" PRIu64
				") missing", m->tab[b].key, m->tab[b].seq);
	return walked;
}

/*
 * Every object allocated must be one the root or the map holds: count
 * records expected, mapped found in the map.
 */
static void verify_objects(uint64_t count, uint64_t mapped)
{
	uint64_t nodes = 0, others = 0, arrays = 0;
	PMEMoid oid;

	POBJ_FOREACH(pop, oid) {
		switch (pmemobj_type_num(oid)) {
		case TYPE_NODE:
			nodes++;
			break;
		case TYPE_BUCKETS:
		case TYPE_LIVE:
			arrays++;
			break;
		default:
			others++;
		}
	}
	if (nodes != count || nodes != mapped || arrays != 2 || others)
		problem("objects allocated: %" PRIu64 " records (%" PRIu64
			" in the map), %" PRIu64 " arrays, %" PRIu64
			" others; expected %" PRIu64 ", 2, 0 (a leak?)", nodes,
			mapped, arrays, others, count);
}

static int cmd_verify(void)
{
	uint64_t count = 0, size = 16, i;
	struct vmap m = { NULL, 0 };
	uint64_t *vlive = NULL;
	int ret;

	ret = pmemobj_check(path, LAYOUT);
	if (ret != 1) {
		problem("pmemobj_check returned %d: %s", ret,
			pmemobj_errormsg());
		goto out;
	}
	pop = pmemobj_open(path, LAYOUT);
	if (!pop)
		fail_pmem("pmemobj_open");
	attach_root();
	if (verify_root())
		goto out;

	while (size < 2 * root->cap)
		size <<= 1;
	m.tab = calloc(size, sizeof(*m.tab));
	vlive = malloc(root->cap * sizeof(*vlive));
	if (!m.tab || !vlive)
		fail("out of memory for the replay of %" PRIu64 " entries",
		     root->cap);
	m.mask = size - 1;
	count = replay(&m, vlive);

	if (root->count != count)
		problem("%" PRIu64 " entries, expected %" PRIu64, root->count,
			count);
	if (root->bench)
		problem("%" PRIu64 " bench entries left (bench interrupted?)",
			root->bench);
	for (i = 0; i < count && i < root->count; i++)
		if (live[i] != vlive[i]) {
			problem("live[%" PRIu64 "] is %#" PRIx64 ", not %#"
				PRIx64, i, live[i], vlive[i]);
			break;
		}
	verify_objects(count, verify_map(&m, count));
out:
	if (problems) {
		if (problems > MAX_REPORTS)
			printf(PROG ": verify: ... %lu problems in all\n",
			       problems);
		printf(PROG ": verify FAILED: %s\n", path);
	} else {
		printf(PROG ": verify ok: ops %" PRIu64 " entries %" PRIu64
		       "\n", root->ops, root->count);
	}
	fflush(stdout);
	free(m.tab);
	free(vlive);
	if (pop)
		close_pool();
	return problems ? 1 : 0;
}

/* bench */

static uint64_t bench_key(uint64_t j)
{
	return KEY_BENCH | (op_rand(0, j, SALT_BENCH) & KEY_MASK);
}

/* In a transaction: add or remove a bench key, counting it in the root. */
static void bench_tx(uint64_t key, int insert)
{
	tx_start();
	TX_BEGIN(pop) {
		pmemobj_tx_add_range(root_oid,
				     offsetof(struct pmo_root, bench),
				     sizeof(uint64_t));
		if (insert && pmo_put(key, 0))
			root->bench++;
		else if (!insert && pmo_del(key))
			root->bench--;
	} TX_ONABORT {
		tx_aborted = 1;
	} TX_END
	if (tx_aborted)
		fail_pmem("bench transaction");
}

/* Remove the keys of a bench that did not finish. */
static void bench_cleanup(void)
{
	struct pmo_node *n;
	uint64_t b, key;
	PMEMoid oid;

	for (b = 0; b < root->nbuckets && root->bench; b++) {
		oid = buckets[b];
		while (!OID_IS_NULL(oid)) {
			n = pmemobj_direct(oid);
			key = n->key;
			oid = n->next;
			if (key & KEY_BENCH)
				bench_tx(key, 0);
		}
	}
}

static void cmd_bench(uint64_t nops)
{
	double t0, t_ins, t_look, t_del;
	uint64_t j, p, sum = 0;
	struct pmo_node *n;

	pop = pmemobj_open(path, LAYOUT);
	if (pop) {
		use_root();
	} else {
		fprintf(stderr, PROG ": %s is not a pool (%s): creating it\n",
			path, pmemobj_errormsg());
		create_pool(DEFAULT_SEED);
	}
	bench_cleanup();

	t0 = now();
	for (j = 0; j < nops; j++)
		bench_tx(bench_key(j), 1);
	t_ins = now() - t0;

	t0 = now();
	for (p = 0; p < BENCH_PASSES; p++)
		for (j = 0; j < nops; j++) {
			n = pmo_lookup(bench_key(j));
			if (!n)
				fail("bench key %#" PRIx64 " not found",
				     bench_key(j));
			sum += n->payload[p % PAYLOAD_WORDS];
		}
	t_look = now() - t0;

	t0 = now();
	for (j = 0; j < nops; j++)
		bench_tx(bench_key(j), 0);
	t_del = now() - t0;

	if (root->bench)
		fail("%" PRIu64 " bench entries left after the bench",
		     root->bench);
	printf(PROG ": bench inserts_per_s %.0f lookups_per_s %.0f\n",
	       nops / t_ins, nops * BENCH_PASSES / t_look);
	printf(PROG ": bench deletes_per_s %.0f\n", nops / t_del);
	/* The sum keeps the lookups' reads from being optimised away. */
	printf(PROG ": bench nops %" PRIu64 " passes %d entries %" PRIu64
	       " (sum %#" PRIx64 ")\n", nops, BENCH_PASSES, root->count, sum);
	fflush(stdout);
	close_pool();
}

/*
 * storm: move the file's pages between nodes 0 and 1 under the program's
 * feet, 64 at a time from random places, until killed; pages never
 * touched are skipped by the kernel (-ENOENT). Only move_pages(2): no
 * PMDK, the file mapped read-only.
 */
static noreturn void cmd_storm(void)
{
	enum { BATCH = 64 };
	size_t pages = pool_size / 4096;
	unsigned long long moved = 0, pass;
	void *addrs[BATCH];
	int nodes[BATCH], status[BATCH];
	char *map;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		fail("%s: %s", path, strerror(errno));
	map = mmap(NULL, pool_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		fail("%s: mmap: %s", path, strerror(errno));
	srand(getpid());
	for (pass = 0;; pass++) {
		size_t first = (size_t)rand() % (pages - BATCH);

		for (i = 0; i < BATCH; i++) {
			addrs[i] = map + (first + i) * 4096;
			nodes[i] = pass & 1;
		}
		if (syscall(SYS_move_pages, 0, BATCH, addrs, nodes, status,
			    MPOL_MF_MOVE_ALL))
			fail("move_pages: %s", strerror(errno));
		for (i = 0; i < BATCH; i++)
			moved += status[i] == (int)(pass & 1);
		if (pass % 10 == 9) {
			printf(PROG ": storm passes %llu pages %llu\n", pass + 1,
			       moved);
			fflush(stdout);
		}
	}
}

static int cmd_move(int node, size_t want)
{
	size_t pages = pool_size / 4096, i, n = 0, moved = 0, there;
	void **addrs = calloc(want, sizeof(*addrs));
	int *nodes = calloc(want, sizeof(*nodes));
	int *status = calloc(want, sizeof(*status));
	char *map;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || !addrs || !nodes || !status)
		fail("%s: %s", path, strerror(errno));
	map = mmap(NULL, pool_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		fail("%s: mmap: %s", path, strerror(errno));
	for (i = 0; i < pages && n < want; i++) {
		void *a = map + i * 4096;
		int st;

		if (syscall(SYS_move_pages, 0, 1, &a, NULL, &st, 0))
			fail("move_pages: %s", strerror(errno));
		if (st >= 0 && st != node) {
			addrs[n] = a;
			nodes[n++] = node;
		}
	}
	if (n && syscall(SYS_move_pages, 0, n, addrs, nodes, status,
			 MPOL_MF_MOVE_ALL))
		fail("move_pages: %s", strerror(errno));
	for (i = 0; i < n; i++)
		moved += status[i] == node;
	/* Where they are now: an exchange must not have moved them back. */
	if (n && syscall(SYS_move_pages, 0, n, addrs, NULL, status, 0))
		fail("move_pages: %s", strerror(errno));
	for (i = 0, there = 0; i < n; i++)
		there += status[i] == node;
	printf(PROG ": move: %zu of %zu moved, %zu there now\n", moved, want,
	       there);
	return moved == want && there == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t n = DEFAULT_SEED;
	const char *cmd;

	if (argc < 3)
		print_usage();
	cmd = argv[1];
	path = argv[2];

	if (!strcmp(cmd, "create") && argc <= 4) {
		if (argc == 4 && parse_u64(argv[3], &n))
			print_usage();
		stat_pool_file();
		create_pool(n);
		printf(PROG ": created %s: seed %" PRIu64 " capacity %" PRIu64
		       " buckets %" PRIu64 "\n", path, root->seed, root->cap,
		       root->nbuckets);
		close_pool();
		return 0;
	}
	if (!strcmp(cmd, "run") && argc == 4) {
		if (parse_u64(argv[3], &n))
			print_usage();
		stat_pool_file();
		cmd_run(n, 0);
		return 0;
	}
	if (!strcmp(cmd, "loop") && argc == 3) {
		stat_pool_file();
		cmd_run(0, 1);
		return 0;
	}
	if (!strcmp(cmd, "verify") && argc == 3) {
		stat_pool_file();
		return cmd_verify();
	}
	if (!strcmp(cmd, "bench") && argc == 4) {
		if (parse_u64(argv[3], &n) || !n)
			print_usage();
		stat_pool_file();
		cmd_bench(n);
		return 0;
	}
	if (!strcmp(cmd, "move") && argc == 5) {
		uint64_t node;

		if (parse_u64(argv[3], &node) || parse_u64(argv[4], &n) || !n)
			print_usage();
		stat_pool_file();
		return cmd_move((int)node, n);
	}
	if (!strcmp(cmd, "storm") && argc == 3) {
		stat_pool_file();
		cmd_storm();
	}
	print_usage();
}
