/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pnuma's redo journal: moving pages between members as transactions,
 * and recovering from a crash (journal.c).
 */
#ifndef _MM_PNUMA_JOURNAL_H
#define _MM_PNUMA_JOURNAL_H

#include "format.h"

/**
 * struct pnuma_jmove - one page move, in CPU byte order
 * @lpn: the logical page
 * @src_ppn: its data page in the source member
 * @dst_ppn: its data page in the destination member
 * @new_gen: its generation once moved (the source's plus one)
 * @dst_member: index of the destination member
 */
struct pnuma_jmove {
	u64 lpn;
	u64 src_ppn;
	u64 dst_ppn;
	u32 new_gen;
	u32 dst_member;
};

/**
 * struct pnuma_jtxn - a journal transaction: pages leaving one member
 * @src: the source member; its journal holds the record
 * @members: every member of the pool, by index
 * @nr_members: how many
 * @slot: first journal slot of the record (the caller reserves
 *	pnuma_jrec_slots(@nr) contiguous slots)
 * @seq: sequence number of the record
 * @nr: number of moves, 1 .. %PNUMA_JREC_MAX_ENTRIES
 * @moves: the moves
 */
struct pnuma_jtxn {
	const struct pnuma_media *src;
	const struct pnuma_media *const *members;
	unsigned int nr_members;
	u64 slot;
	u64 seq;
	unsigned int nr;
	struct pnuma_jmove *moves;
};

/**
 * struct pnuma_recovery - what recovery did
 * @replayed: committed records applied again and retired
 * @discarded: records without a commit, or damaged, retired unapplied
 * @damaged: of those, committed records that failed their checks: media
 *	damage, since a record is checksummed before its commit. They may
 *	have been half applied: pnuma_map_build() settles the pages they
 *	left held twice.
 */
struct pnuma_recovery {
	unsigned long replayed;
	unsigned long discarded;
	unsigned long damaged;
};

/*
 * Named points of the protocol where the kernel can cut the power for
 * crash tests (pnuma_crash_point(); debugfs crash_at, CONFIG_PNUMA_DEBUG).
 */
enum pnuma_crash_point {
	PNUMA_CP_NONE,
	PNUMA_CP_AFTER_INTENT,
	PNUMA_CP_DURING_COPY,
	PNUMA_CP_AFTER_COPY,
	PNUMA_CP_AFTER_COMMIT,
	PNUMA_CP_DURING_APPLY,
	PNUMA_CP_AFTER_APPLY,
	PNUMA_CP_DURING_RECOVERY,
	PNUMA_CP_COUNT,
};

#ifdef CONFIG_PNUMA_DEBUG
void pnuma_crash_point(enum pnuma_crash_point cp);
bool pnuma_unsafe_no_journal(void);
#else
static inline void pnuma_crash_point(enum pnuma_crash_point cp)
{
}

static inline bool pnuma_unsafe_no_journal(void)
{
	return false;
}
#endif

u64 pnuma_journal_slots(const struct pnuma_media *m);
u64 pnuma_journal_pending(const struct pnuma_media *m);
void pnuma_jtxn_intent(const struct pnuma_jtxn *t);
int pnuma_jtxn_copy(const struct pnuma_jtxn *t, unsigned int i);
void pnuma_jtxn_commit(const struct pnuma_jtxn *t);
void pnuma_jtxn_apply(const struct pnuma_jtxn *t);
void pnuma_jtxn_retire(const struct pnuma_jtxn *t);
int pnuma_journal_recover(const struct pnuma_media *const *members,
			  unsigned int nr_members, u64 logical_pages,
			  struct pnuma_recovery *rec, char *why, size_t len);

#endif /* _MM_PNUMA_JOURNAL_H */
