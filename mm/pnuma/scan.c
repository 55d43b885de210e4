// SPDX-License-Identifier: GPL-2.0
/*
 * Finding pools. When a DAX-capable block device appears (at boot, or a
 * namespace enabled later), and when an administrator asks for it, read
 * the superblocks of every DAX block device not yet in a pool, group them
 * by pool UUID, and assemble each pool whose members are all present and
 * consistent. A pool that cannot be assembled gets one log line naming
 * the device and the reason, and nothing is written to its members.
 *
 * An automatic scan only decides about pools with a member among the
 * devices that appeared since the last one, so that a pool an
 * administrator stopped stays stopped. It decides nothing while a device
 * is still being set up, and it reports a pool incomplete only once no
 * DAX device has appeared for PNUMA_SCAN_SETTLE: devices show up one by
 * one at boot, and a member that merely has not appeared yet is not
 * missing.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "internal.h"

#define PNUMA_SCAN_MAX		256	/* DAX block devices per scan */
#define PNUMA_SCAN_DELAY	(HZ / 10)
#define PNUMA_SCAN_RETRIES	20
#define PNUMA_SCAN_SETTLE	(2 * HZ)

/**
 * struct pnuma_cand - a device that holds (or held) a pnuma superblock
 * @devt: the block device
 * @name: its name
 * @dev_pages: its size in pages
 * @info: the content of the superblock copy trusted
 * @bad: NULL, or why the member cannot be used (its pool is refused)
 * @grouped: already considered with the other members of its pool
 */
struct pnuma_cand {
	dev_t devt;
	char name[BDEVNAME_SIZE];
	u64 dev_pages;
	struct pnuma_sb_info info;
	const char *bad;
	bool grouped;
};

static void pnuma_scan_workfn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pnuma_scan_work, pnuma_scan_workfn);
static atomic_t pnuma_scan_retries;
static unsigned long pnuma_last_add;	/* jiffies */

/**
 * struct pnuma_new_set - block devices that appeared
 * @devts: the devices
 * @nr: how many
 * @all: more than fit in @devts: consider every device new
 */
struct pnuma_new_set {
	dev_t devts[PNUMA_SCAN_MAX];
	unsigned int nr;
	bool all;
};

/* Devices that appeared since the last automatic scan. */
static DEFINE_SPINLOCK(pnuma_new_lock);
static struct pnuma_new_set pnuma_new;	/* protected by pnuma_new_lock */

static void pnuma_new_add(dev_t devt)
{
	spin_lock(&pnuma_new_lock);
	if (pnuma_new.nr < PNUMA_SCAN_MAX)
		pnuma_new.devts[pnuma_new.nr++] = devt;
	else
		pnuma_new.all = true;
	spin_unlock(&pnuma_new_lock);
}

/* Take the new devices into @set, or put them back from it. */
static void pnuma_new_take(struct pnuma_new_set *set)
{
	spin_lock(&pnuma_new_lock);
	*set = pnuma_new;
	pnuma_new.nr = 0;
	pnuma_new.all = false;
	spin_unlock(&pnuma_new_lock);
}

static void pnuma_new_put_back(const struct pnuma_new_set *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++)
		pnuma_new_add(set->devts[i]);
	if (set->all) {
		spin_lock(&pnuma_new_lock);
		pnuma_new.all = true;
		spin_unlock(&pnuma_new_lock);
	}
}

/**
 * pnuma_scan_forget() - a device is no longer new to automatic scans
 * @devt: the block device
 *
 * Called for the members of a pool created by hand, so that a pending
 * automatic scan does not assemble it again after it is stopped.
 */
void pnuma_scan_forget(dev_t devt)
{
	unsigned int i;

	spin_lock(&pnuma_new_lock);
	for (i = 0; i < pnuma_new.nr; i++) {
		if (pnuma_new.devts[i] == devt)
			pnuma_new.devts[i--] = pnuma_new.devts[--pnuma_new.nr];
	}
	spin_unlock(&pnuma_new_lock);
}

/* Has no DAX device appeared for PNUMA_SCAN_SETTLE? */
static bool pnuma_scan_settled(void)
{
	return time_after_eq(jiffies, READ_ONCE(pnuma_last_add) + PNUMA_SCAN_SETTLE);
}

static bool pnuma_new_has(const struct pnuma_new_set *set, dev_t devt)
{
	unsigned int i;

	if (set->all)
		return true;
	for (i = 0; i < set->nr; i++)
		if (set->devts[i] == devt)
			return true;
	return false;
}

static unsigned int pnuma_dax_disks(dev_t *devts, unsigned int max)
{
	struct class_dev_iter iter;
	struct device *dev;
	unsigned int n = 0;

	class_dev_iter_init(&iter, &block_class, NULL, &disk_type);
	while (n < max && (dev = class_dev_iter_next(&iter)))
		if (blk_queue_dax(dev_to_disk(dev)->queue))
			devts[n++] = dev->devt;
	class_dev_iter_exit(&iter);
	return n;
}

/*
 * Read a device's superblocks into @c. Return 1 for a pnuma member
 * (possibly with one damaged copy, or with @c->bad saying why it cannot be
 * used), 0 for anything else, or a negative errno if the device could not
 * be read. For a read-only assembly, a member may also be one whose copies
 * fail only their checksums (pnuma_sb_pair_rescue()).
 */
static int pnuma_cand_read(dev_t devt, struct pnuma_cand *c, bool read_only)
{
	struct pnuma_sb_pair *sbs;
	const char *damaged, *pbad, *bbad, *rescue;
	struct pnuma_sb_info rescued;
	bool pdamaged;
	int err;

	sbs = kmalloc(sizeof(*sbs), GFP_KERNEL);
	if (!sbs)
		return -ENOMEM;
	err = pnuma_read_superblocks(devt, sbs, &c->dev_pages, c->name);
	if (err) {
		err = err == -ENODEV ? 0 : err;
		goto out;
	}
	c->devt = devt;
	err = 1;
	/* One damaged copy is reported, and repaired, by the assembly. */
	c->bad = pnuma_sb_pair_choose(sbs, &c->info, &damaged, &pdamaged);
	if (!c->bad)
		goto out;
	/* What only a read-only assembly may use (pnuma_member_sb()). */
	rescue = pnuma_sb_pair_rescue(sbs, &rescued);
	if (read_only && !rescue) {
		c->info = rescued;
		c->bad = NULL;
		goto out;
	}
	if (read_only)
		pr_err("%s: superblock: %s; a read-only assembly cannot use it either: %s\n",
		       c->name, c->bad, rescue);
	/* Refused: grouped by a valid copy, so that its pool says why. */
	pbad = sbs->primary_ok ? pnuma_sb_decode(&sbs->primary, &c->info) :
				 "media error";
	if (!pbad)
		goto out;
	bbad = sbs->backup_ok ? pnuma_sb_decode(&sbs->backup, &c->info) :
				"media error";
	if (!bbad)
		goto out;
	err = 0;
	if ((sbs->primary_ok &&
	     le64_to_cpu(sbs->primary.magic) == PNUMA_SB_MAGIC) ||
	    (sbs->backup_ok && le64_to_cpu(sbs->backup.magic) == PNUMA_SB_MAGIC))
		pr_err("%s: no usable pnuma superblock (primary: %s, backup: %s); its pool cannot be assembled%s\n",
		       c->name, pbad, bbad, rescue ? "" : PNUMA_RO_HINT);
out:
	kfree(sbs);
	return err;
}

/*
 * Check the @n members found for one pool and put their devices in member
 * order into @devts. Return 0, or a negative errno with @why saying what
 * is wrong.
 */
static int pnuma_group_check(struct pnuma_cand **group, unsigned int n,
			     dev_t *devts, char *why, size_t len)
{
	struct pnuma_cand *by_index[PNUMA_MAX_MEMBERS] = {};
	const struct pnuma_sb_info *first = &group[0]->info;
	unsigned int i, j, off;

	for (i = 0; i < n; i++) {
		const struct pnuma_cand *c = group[i];
		const struct pnuma_sb_info *info = &c->info;

		if (c->bad) {
			snprintf(why, len, "member %u (%s): superblock: %s",
				 info->member_index, c->name, c->bad);
			return -EUCLEAN;
		}
		if (info->member_count != first->member_count ||
		    info->pool_logical_pages != first->pool_logical_pages ||
		    info->create_time != first->create_time) {
			snprintf(why, len, "%s and %s disagree on the pool's geometry",
				 group[0]->name, c->name);
			return -EINVAL;
		}
		if (info->geo.member_pages > c->dev_pages) {
			snprintf(why, len, "member %u (%s): %llu pages, superblock says %llu",
				 info->member_index, c->name, c->dev_pages,
				 info->geo.member_pages);
			return -EINVAL;
		}
		if (by_index[info->member_index]) {
			snprintf(why, len, "%s and %s both claim to be member %u",
				 by_index[info->member_index]->name, c->name,
				 info->member_index);
			return -EINVAL;
		}
		by_index[info->member_index] = group[i];
	}
	for (i = 0; i < first->member_count; i++) {
		if (by_index[i]) {
			devts[i] = by_index[i]->devt;
			continue;
		}
		off = scnprintf(why, len, "member %u of %u not found (present:",
				i, first->member_count);
		for (j = 0; j < n; j++)
			off += scnprintf(why + off, len - off, " %s", group[j]->name);
		scnprintf(why + off, len - off, ")");
		return -ENODEV;
	}
	return 0;
}

/*
 * Group the candidates by pool and assemble what can be assembled. For an
 * automatic scan, @new limits the decisions to pools with a new member,
 * and an incomplete pool is only reported once the devices have settled;
 * until then its new members stay new, for the next scan.
 */
static int pnuma_assemble_all(struct pnuma_cand *cands, unsigned int nc,
			      const struct pnuma_new_set *new, bool read_only)
{
	struct pnuma_cand **group;
	dev_t devts[PNUMA_MAX_MEMBERS];
	unsigned int i, j, n;
	char why[192];
	int err, ret = 0;
	bool has_new;

	group = kcalloc(nc, sizeof(*group), GFP_KERNEL);
	if (!group)
		return -ENOMEM;
	for (i = 0; i < nc; i++) {
		const u8 *uuid = cands[i].info.pool_uuid;

		if (cands[i].grouped)
			continue;
		has_new = !new;
		for (n = 0, j = i; j < nc; j++) {
			if (memcmp(cands[j].info.pool_uuid, uuid, 16))
				continue;
			cands[j].grouped = true;
			group[n++] = &cands[j];
			if (new && pnuma_new_has(new, cands[j].devt))
				has_new = true;
		}
		if (!has_new || pnuma_pool_find_uuid(uuid))
			continue;
		err = pnuma_group_check(group, n, devts, why, sizeof(why));
		if (err == -ENODEV && new && !pnuma_scan_settled()) {
			for (j = 0; j < n; j++)
				pnuma_new_add(group[j]->devt);
			mod_delayed_work(system_wq, &pnuma_scan_work,
					 PNUMA_SCAN_SETTLE);
			continue;
		}
		if (err)
			pr_err("pool %pUb not assembled: %s; nothing was written to its members\n",
			       uuid, why);
		else
			err = pnuma_pool_assemble(devts,
						  cands[i].info.member_count,
						  read_only);
		if (err && !ret)
			ret = err;
	}
	kfree(group);
	return ret;
}

/**
 * pnuma_scan() - find and assemble pools
 * @manual: asked for through sysfs: consider every pool not assembled,
 *	and decide at once, even if some device cannot be read
 * @read_only: assemble them read-only (pnuma_pool_assemble())
 *
 * Return: 0 if every pool considered was assembled (or there was none),
 * -EAGAIN if an automatic scan was postponed, else the first error.
 */
int pnuma_scan(bool manual, bool read_only)
{
	struct pnuma_new_set *new = NULL;
	unsigned int i, n, nc = 0;
	struct pnuma_cand *cands;
	bool unreadable = false;
	dev_t *devts;
	int ret;

	devts = kcalloc(PNUMA_SCAN_MAX, sizeof(*devts), GFP_KERNEL);
	cands = kcalloc(PNUMA_SCAN_MAX, sizeof(*cands), GFP_KERNEL);
	if (!manual)
		new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!devts || !cands || (!manual && !new)) {
		ret = -ENOMEM;
		goto out;
	}
	if (new)
		pnuma_new_take(new);

	mutex_lock(&pnuma_pools_lock);
	n = pnuma_dax_disks(devts, PNUMA_SCAN_MAX);
	for (i = 0; i < n; i++) {
		if (pnuma_devt_in_pool(devts[i]))
			continue;
		ret = pnuma_cand_read(devts[i], &cands[nc], read_only);
		if (ret < 0)
			unreadable = true;
		else if (ret)
			nc++;
	}
	/* A device is still being set up: decide nothing, look again soon. */
	if (new && unreadable &&
	    atomic_inc_return(&pnuma_scan_retries) <= PNUMA_SCAN_RETRIES) {
		pnuma_new_put_back(new);
		mutex_unlock(&pnuma_pools_lock);
		mod_delayed_work(system_wq, &pnuma_scan_work, PNUMA_SCAN_DELAY);
		ret = -EAGAIN;
		goto out;
	}
	ret = pnuma_assemble_all(cands, nc, new, read_only);
	mutex_unlock(&pnuma_pools_lock);
out:
	kfree(new);
	kfree(cands);
	kfree(devts);
	return ret;
}

static void pnuma_scan_workfn(struct work_struct *work)
{
	pnuma_scan(false, false);
}

/* A block device appeared: scan shortly, once for a burst of them. */
static int pnuma_blk_add(struct device *dev)
{
	if (dev->type == &disk_type && blk_queue_dax(dev_to_disk(dev)->queue)) {
		pnuma_new_add(dev->devt);
		WRITE_ONCE(pnuma_last_add, jiffies);
		atomic_set(&pnuma_scan_retries, 0);
		mod_delayed_work(system_wq, &pnuma_scan_work, PNUMA_SCAN_DELAY);
	}
	return 0;
}

static struct class_interface pnuma_blk_interface = {
	.class = &block_class,
	.add_dev = pnuma_blk_add,
};

/**
 * pnuma_scan_init() - scan for pools whenever a DAX block device appears
 *
 * Return: 0 or a negative errno.
 */
int __init pnuma_scan_init(void)
{
	return class_interface_register(&pnuma_blk_interface);
}
