// SPDX-License-Identifier: GPL-2.0
/*
 * Recovery time of pnuma, measured on the kernel's own code (mm/pnuma/
 * journal.c and meta.c) in userspace over plain memory, for make bench:
 * how the journal recovery grows with the size of the members and with
 * the records waiting in the journal, next to the scan of the page
 * metadata that assembly does after it (which grows with capacity).
 * Prints a Markdown table.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/kernel.h>

#include "../../../mm/pnuma/format.h"
#include "../../../mm/pnuma/journal.h"
#include "../../../mm/pnuma/meta.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Two members of @member_pages pages, @records committed records waiting. */
static void measure(u64 member_pages, unsigned int records, unsigned int per,
		    double *recover_us, double *scan_us)
{
	struct pnuma_jmove moves[PNUMA_JREC_MAX_ENTRIES];
	const struct pnuma_media *mp[2];
	struct pnuma_media media[2];
	struct pnuma_recovery rec = { 0 };
	u64 logical, bytes = member_pages << PNUMA_PAGE_SHIFT, ppn, lpn;
	unsigned int i, r, k;
	const char *bad;
	char why[128];
	double t0;
	u32 gen;

	for (i = 0; i < 2; i++) {
		media[i].base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				     -1, 0);
		if (media[i].base == MAP_FAILED || pnuma_geometry_compute(member_pages,
									  &media[i].sb.geo))
			abort();
		media[i].sb.member_index = i;
		media[i].sb.member_count = 2;
		mp[i] = &media[i];
	}
	logical = 2 * media[0].sb.geo.data_pages;
	for (r = 0; r < records; r++) {
		struct pnuma_jtxn t = {
			.src = &media[0], .members = mp, .nr_members = 2,
			.slot = (u64)r * pnuma_jrec_slots(per), .seq = r + 1,
			.nr = per, .moves = moves,
		};

		for (k = 0; k < per; k++) {
			lpn = (u64)r * per + k;
			pnuma_meta_claim(&media[0], lpn, lpn, 1);
			moves[k] = (struct pnuma_jmove){ lpn, lpn, lpn, 2, 1 };
		}
		pnuma_jtxn_intent(&t);
		pnuma_jtxn_commit(&t);
	}

	t0 = now_us();
	if (pnuma_journal_recover(mp, 2, logical, &rec, why, sizeof(why)) ||
	    rec.replayed != records) {
		fprintf(stderr, "recovery failed: %s\n", why);
		exit(1);
	}
	*recover_us = now_us() - t0;

	/* what assembly does next: read every metadata entry */
	t0 = now_us();
	for (i = 0; i < 2; i++)
		for (ppn = 0; ppn < media[i].sb.geo.data_pages; ppn++)
			if (pnuma_meta_get(&media[i], ppn, logical, &lpn, &gen, &bad))
				abort();
	*scan_us = now_us() - t0;
	for (i = 0; i < 2; i++)
		munmap(media[i].base, bytes);
}

int main(void)
{
	static const struct { u64 pages; const char *size; } sizes[] = {
		{ 1ULL << 16, "256 MiB" }, { 1ULL << 20, "4 GiB" },
		{ 1ULL << 24, "64 GiB" },
	};
	static const struct { unsigned int records, per; } loads[] = {
		{ 0, 1 }, { 1, 1 }, { 64, 1 }, { 512, 1 }, { 64, 64 },
	};
	unsigned int s, l;

	printf("| member size (x2) | records waiting | pages in them ");
	printf("| journal recovery | metadata scan |\n");
	printf("|---|---:|---:|---:|---:|\n");
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		for (l = 0; l < ARRAY_SIZE(loads); l++) {
			double rec_us, scan_us;

			measure(sizes[s].pages, loads[l].records, loads[l].per,
				&rec_us, &scan_us);
			printf("| %s | %u | %u | %.0f us | %.0f us |\n",
			       sizes[s].size, loads[l].records,
			       loads[l].records * loads[l].per, rec_us, scan_us);
		}
	}
	printf("\nThe kernel's recovery code in userspace over DRAM: no media latency.\n");
	return 0;
}
