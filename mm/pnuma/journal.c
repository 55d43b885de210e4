// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma's redo journal. Pages leave a member in a transaction recorded in
 * that member's journal:
 *
 *   intent   the record (its moves and checksum) is written with state
 *            INTENT and made durable;
 *   copy     each page is copied to its destination, machine-check
 *            safely, and flushed;
 *   commit   a fence makes the copies durable, then one atomic store sets
 *            the state to COMMIT and is made durable: the commit point;
 *   apply    every destination entry claims its logical page with the
 *            new generation, made durable, then every source entry is
 *            freed, made durable;
 *   retire   one atomic store sets the state to 0, made durable.
 *
 * Recovery, when a pool assembles, scans every journal: committed records
 * are applied again (apply is idempotent) and retired; records without a
 * commit, and damaged ones, are retired without being applied, which
 * leaves their pages at the source, untouched. A crash during recovery is
 * recovered the same way. A committed record can only be damaged after
 * its commit (it is checksummed before): if it had been half applied, a
 * logical page is then held at two generations, and building the page
 * map keeps the newer one (alloc.c).
 *
 * Every write goes through the persistence API (pm.h), so that this file
 * also builds in userspace, where tools/testing/pnuma/ explores every
 * crash state of these steps.
 */

#include <linux/crc32c.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "journal.h"
#include "meta.h"
#include "pm.h"

static void *pnuma_jslot(const struct pnuma_media *m, u64 slot)
{
	return (char *)m->base + (m->sb.geo.journal_start << PNUMA_PAGE_SHIFT) +
		slot * PNUMA_JSLOT_SIZE;
}

/**
 * pnuma_journal_slots() - size of a member's journal
 * @m: the member
 *
 * Return: the number of 64-byte slots in its journal ring.
 */
u64 pnuma_journal_slots(const struct pnuma_media *m)
{
	return (m->sb.geo.journal_pages << PNUMA_PAGE_SHIFT) / PNUMA_JSLOT_SIZE;
}

/**
 * pnuma_journal_pending() - records of a member's journal not retired yet
 * @m: the member
 *
 * Return: how many slots hold the state of a live record.
 */
u64 pnuma_journal_pending(const struct pnuma_media *m)
{
	u64 slot, n = 0, state;
	struct pnuma_jhdr h;

	for (slot = 0; slot < pnuma_journal_slots(m); slot++) {
		if (pnuma_pm_read(&h, pnuma_jslot(m, slot), sizeof(h)))
			continue;
		state = le64_to_cpu(h.state);
		n += state == PNUMA_JREC_INTENT || state == PNUMA_JREC_COMMIT;
	}
	return n;
}

/* The checksum of a record starts with bytes 8 to 59 of its header. */
static u32 pnuma_jhdr_csum(const struct pnuma_jhdr *h)
{
	return crc32c(~0U, (const u8 *)h + sizeof(h->state),
		      offsetof(struct pnuma_jhdr, csum) - sizeof(h->state));
}

static void pnuma_jentry_encode(const struct pnuma_jmove *mv,
				struct pnuma_jentry *e)
{
	e->lpn = cpu_to_le64(mv->lpn);
	e->src_ppn = cpu_to_le64(mv->src_ppn);
	e->dst_ppn = cpu_to_le64(mv->dst_ppn);
	e->new_gen = cpu_to_le32(mv->new_gen);
	e->dst_member = cpu_to_le32(mv->dst_member);
}

static void pnuma_jentry_decode(const struct pnuma_jentry *e,
				struct pnuma_jmove *mv)
{
	mv->lpn = le64_to_cpu(e->lpn);
	mv->src_ppn = le64_to_cpu(e->src_ppn);
	mv->dst_ppn = le64_to_cpu(e->dst_ppn);
	mv->new_gen = le32_to_cpu(e->new_gen);
	mv->dst_member = le32_to_cpu(e->dst_member);
}

/**
 * pnuma_jtxn_intent() - write a transaction's record, state INTENT
 * @t: the transaction, its slots reserved
 *
 * Durable when this returns. A record torn by a crash fails its checksum.
 */
void pnuma_jtxn_intent(const struct pnuma_jtxn *t)
{
	struct pnuma_jhdr *hdr = pnuma_jslot(t->src, t->slot);
	struct pnuma_jentry *entries = (struct pnuma_jentry *)(hdr + 1);
	struct pnuma_jhdr h = {
		.seq = cpu_to_le64(t->seq),
		.nr = cpu_to_le32(t->nr),
		.member_index = cpu_to_le32(t->src->sb.member_index),
	};
	struct pnuma_jentry e;
	unsigned int i;
	u32 crc;

	memcpy(h.pool_uuid, t->src->sb.pool_uuid, sizeof(h.pool_uuid));
	crc = pnuma_jhdr_csum(&h);
	for (i = 0; i < t->nr; i++) {
		pnuma_jentry_encode(&t->moves[i], &e);
		crc = crc32c(crc, &e, sizeof(e));
		pnuma_pm_memcpy(&entries[i], &e, sizeof(e));
	}
	h.csum = cpu_to_le32(crc);
	h.state = cpu_to_le64(PNUMA_JREC_INTENT);
	pnuma_pm_memcpy(hdr, &h, sizeof(h));
	pnuma_pm_fence();
}

/**
 * pnuma_jtxn_copy() - copy one page of a transaction to its destination
 * @t: the transaction
 * @i: which move
 *
 * Flushed; durable after pnuma_jtxn_commit()'s first fence.
 *
 * Return: 0, or -EIO if the source page has a media error.
 */
int pnuma_jtxn_copy(const struct pnuma_jtxn *t, unsigned int i)
{
	const struct pnuma_jmove *mv = &t->moves[i];

	return pnuma_pm_copy(pnuma_media_data(t->members[mv->dst_member],
					      mv->dst_ppn),
			     pnuma_media_data(t->src, mv->src_ppn),
			     PNUMA_PAGE_SIZE);
}

/* Set the state word of the record at @slot; durable after a fence. */
static void pnuma_jslot_set_state(const struct pnuma_media *m, u64 slot,
				  u64 state)
{
	struct pnuma_jhdr *hdr = pnuma_jslot(m, slot);

	pnuma_pm_store64(&hdr->state, state);
	pnuma_pm_flush(&hdr->state, sizeof(hdr->state));
}

/**
 * pnuma_jtxn_commit() - commit a transaction
 * @t: the transaction, its pages copied
 *
 * The first fence makes the copies durable; the state store that follows
 * is the commit point. Durable when this returns.
 */
void pnuma_jtxn_commit(const struct pnuma_jtxn *t)
{
	pnuma_pm_fence();
	pnuma_jslot_set_state(t->src, t->slot, PNUMA_JREC_COMMIT);
	pnuma_pm_fence();
}

/* Claim every destination entry, then free every source entry. */
static void pnuma_jmoves_apply(const struct pnuma_media *const *members,
			       const struct pnuma_media *src,
			       const struct pnuma_jmove *moves, unsigned int nr,
			       enum pnuma_crash_point cp)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		pnuma_meta_claim(members[moves[i].dst_member], moves[i].dst_ppn,
				 moves[i].lpn, moves[i].new_gen);
	pnuma_pm_fence();
	pnuma_crash_point(cp);
	for (i = 0; i < nr; i++)
		pnuma_meta_free(src, moves[i].src_ppn);
	pnuma_pm_fence();
}

/**
 * pnuma_jtxn_apply() - apply a committed transaction to the page metadata
 * @t: the transaction
 *
 * Durable when this returns.
 */
void pnuma_jtxn_apply(const struct pnuma_jtxn *t)
{
	pnuma_jmoves_apply(t->members, t->src, t->moves, t->nr,
			   PNUMA_CP_DURING_APPLY);
}

/**
 * pnuma_jtxn_retire() - retire a transaction's record
 * @t: the transaction, applied (or abandoned before its commit)
 *
 * Durable when this returns; its slots may then be reused.
 */
void pnuma_jtxn_retire(const struct pnuma_jtxn *t)
{
	pnuma_jslot_set_state(t->src, t->slot, 0);
	pnuma_pm_fence();
}

/* Read and check the record whose header @h is at @slot of @m. */
static const char *pnuma_jrec_load(const struct pnuma_media *const *members,
				   unsigned int nr_members,
				   const struct pnuma_media *m, u64 slot,
				   u64 logical_pages, const struct pnuma_jhdr *h,
				   struct pnuma_jmove *moves)
{
	const struct pnuma_jhdr *hdr = pnuma_jslot(m, slot);
	const struct pnuma_jentry *entries = (const struct pnuma_jentry *)(hdr + 1);
	unsigned int i, nr = le32_to_cpu(h->nr);
	struct pnuma_jentry e;
	u32 crc;

	if (!nr || nr > PNUMA_JREC_MAX_ENTRIES)
		return "bad entry count";
	if (slot + pnuma_jrec_slots(nr) > pnuma_journal_slots(m))
		return "record runs past the end of the journal";
	if (le32_to_cpu(h->member_index) != m->sb.member_index ||
	    memcmp(h->pool_uuid, m->sb.pool_uuid, sizeof(h->pool_uuid)))
		return "record of another member";
	crc = pnuma_jhdr_csum(h);
	for (i = 0; i < nr; i++) {
		if (pnuma_pm_read(&e, &entries[i], sizeof(e)))
			return "media error";
		crc = crc32c(crc, &e, sizeof(e));
		pnuma_jentry_decode(&e, &moves[i]);
	}
	if (crc != le32_to_cpu(h->csum))
		return "bad checksum";
	for (i = 0; i < nr; i++) {
		const struct pnuma_jmove *mv = &moves[i];

		if (mv->dst_member >= nr_members ||
		    mv->dst_member == m->sb.member_index ||
		    mv->src_ppn >= m->sb.geo.data_pages ||
		    mv->dst_ppn >= members[mv->dst_member]->sb.geo.data_pages ||
		    mv->lpn >= logical_pages || mv->new_gen < 2)
			return "entry out of range";
	}
	return NULL;
}

/*
 * Before replaying a committed move, its destination must be free or
 * already hold the page at the new generation, and its source must hold
 * the page at the old generation or be free already: anything else is
 * damage that replaying would make worse.
 */
static const char *pnuma_jmove_check(const struct pnuma_media *const *members,
				     const struct pnuma_media *src,
				     const struct pnuma_jmove *mv,
				     u64 logical_pages)
{
	const char *bad;
	u64 lpn;
	u32 gen;

	if (pnuma_meta_get(members[mv->dst_member], mv->dst_ppn, logical_pages,
			   &lpn, &gen, &bad))
		return bad;
	if (lpn != PNUMA_LPN_FREE && (lpn != mv->lpn || gen != mv->new_gen))
		return "its destination page holds another logical page";
	if (pnuma_meta_get(src, mv->src_ppn, logical_pages, &lpn, &gen, &bad))
		return bad;
	if (lpn != PNUMA_LPN_FREE && (lpn != mv->lpn || gen != mv->new_gen - 1))
		return "its source page holds another logical page";
	return NULL;
}

/* Recover one member's journal. */
static int pnuma_journal_recover_one(const struct pnuma_media *const *members,
				     unsigned int nr_members,
				     const struct pnuma_media *m,
				     u64 logical_pages, struct pnuma_jmove *moves,
				     struct pnuma_recovery *rec, char *why,
				     size_t len)
{
	u64 slot, nslots = pnuma_journal_slots(m), state;
	struct pnuma_jhdr h;
	const char *bad;
	unsigned int i, nr;

	for (slot = 0; slot < nslots; slot++) {
		if (pnuma_pm_read(&h, pnuma_jslot(m, slot), sizeof(h))) {
			snprintf(why, len, "member %u: journal slot %llu: media error",
				 m->sb.member_index, slot);
			return -EIO;
		}
		state = le64_to_cpu(h.state);
		if (state != PNUMA_JREC_INTENT && state != PNUMA_JREC_COMMIT)
			continue;
		bad = pnuma_jrec_load(members, nr_members, m, slot,
				      logical_pages, &h, moves);
		if (bad || state == PNUMA_JREC_INTENT) {
			pnuma_jslot_set_state(m, slot, 0);
			rec->discarded++;
			if (bad && state == PNUMA_JREC_COMMIT)
				rec->damaged++;
			if (!bad)
				slot += pnuma_jrec_slots(le32_to_cpu(h.nr)) - 1;
			continue;
		}
		nr = le32_to_cpu(h.nr);
		for (i = 0; i < nr; i++) {
			bad = pnuma_jmove_check(members, m, &moves[i],
						logical_pages);
			if (bad) {
				snprintf(why, len, "member %u: slot %llu: logical page %llu: %s",
					 m->sb.member_index, slot, moves[i].lpn,
					 bad);
				return -EUCLEAN;
			}
		}
		pnuma_jmoves_apply(members, m, moves, nr,
				   PNUMA_CP_DURING_RECOVERY);
		pnuma_jslot_set_state(m, slot, 0);
		pnuma_pm_fence();
		rec->replayed++;
		slot += pnuma_jrec_slots(nr) - 1;
	}
	pnuma_pm_fence();
	return 0;
}

/**
 * pnuma_journal_recover() - recover every journal of a pool
 * @members: the members, by index
 * @nr_members: how many
 * @logical_pages: the pool's logical capacity
 * @rec: counts of replayed and discarded records, added to
 * @why: what went wrong, on failure
 * @len: size of @why
 *
 * Committed records are applied again and retired, the others retired
 * unapplied. On return every journal is empty, and the page metadata is
 * as if every committed transaction had completed and no other had begun.
 * Idempotent: a crash in the middle is recovered by running it again.
 *
 * Return: 0; -EUCLEAN if a committed record does not fit the metadata
 * (the pool must not be used); -EIO on a media error; -ENOMEM.
 */
int pnuma_journal_recover(const struct pnuma_media *const *members,
			  unsigned int nr_members, u64 logical_pages,
			  struct pnuma_recovery *rec, char *why, size_t len)
{
	struct pnuma_jmove *moves;
	unsigned int i;
	int err = 0;

	moves = kmalloc_array(PNUMA_JREC_MAX_ENTRIES, sizeof(*moves),
			      GFP_KERNEL);
	if (!moves)
		return -ENOMEM;
	for (i = 0; i < nr_members && !err; i++)
		err = pnuma_journal_recover_one(members, nr_members, members[i],
						logical_pages, moves, rec, why,
						len);
	kfree(moves);
	return err;
}
