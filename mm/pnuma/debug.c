// SPDX-License-Identifier: GPL-2.0
/*
 * Crash injection for pnuma's crash tests (CONFIG_PNUMA_DEBUG): the power
 * is cut, as an immediate emergency restart, at a named step of a page
 * move or of recovery, chosen through debugfs pnuma/crash_at or, for the
 * steps of recovery, which run before userspace, the pnuma.crash_at= boot
 * parameter. Also debugfs pnuma/unsafe_no_journal, which moves pages
 * without the journal so that benchmarks can measure what it costs.
 *
 * Nothing here belongs on a machine whose persistent data matters.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/reboot.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "journal.h"

/* debugfs crash_at: the step at which to cut the power, or none. */
static enum pnuma_crash_point pnuma_crash_at;
/* debugfs crash_skip: times the step of crash_at passes before the cut. */
static atomic_t pnuma_crash_skip = ATOMIC_INIT(0);
/* debugfs unsafe_no_journal: move pages without the journal (benchmarks). */
static bool pnuma_no_journal;

static const char * const pnuma_crash_names[PNUMA_CP_COUNT] = {
	[PNUMA_CP_NONE]			= "none",
	[PNUMA_CP_AFTER_INTENT]		= "after-intent",
	[PNUMA_CP_DURING_COPY]		= "during-copy",
	[PNUMA_CP_AFTER_COPY]		= "after-copy",
	[PNUMA_CP_AFTER_COMMIT]		= "after-commit",
	[PNUMA_CP_DURING_APPLY]		= "during-apply",
	[PNUMA_CP_AFTER_APPLY]		= "after-apply",
	[PNUMA_CP_DURING_RECOVERY]	= "during-recovery",
};

/* pnuma.crash_at= on the command line: for crashes during recovery. */
static int __init pnuma_crash_at_setup(char *str)
{
	int i;

	for (i = 0; i < PNUMA_CP_COUNT; i++)
		if (!strcmp(str, pnuma_crash_names[i]))
			pnuma_crash_at = i;
	return 1;
}
__setup("pnuma.crash_at=", pnuma_crash_at_setup);

/**
 * pnuma_crash_point() - cut the power here, if a crash test asked for it
 * @cp: the step reached
 *
 * An immediate emergency restart, with nothing flushed but what the
 * protocol made durable; QEMU started with -no-reboot turns it into an
 * exit, which is a power cut as far as the NVDIMMs are concerned. The
 * first crash_skip times the step is reached pass, so that a test can cut
 * the power in a later transaction of a chain (the hot page's move of an
 * exchange).
 */
void pnuma_crash_point(enum pnuma_crash_point cp)
{
	if (likely(READ_ONCE(pnuma_crash_at) != cp) || cp == PNUMA_CP_NONE)
		return;
	/* The step of an earlier transaction (an exchange's first move). */
	if (atomic_dec_if_positive(&pnuma_crash_skip) >= 0)
		return;
	pr_emerg("injected crash %s\n", pnuma_crash_names[cp]);
	emergency_restart();
}

/**
 * pnuma_unsafe_no_journal() - do moves skip the journal?
 *
 * Return: true while debugfs unsafe_no_journal is set (benchmarks only: a
 * crash during such a move can tear the page).
 */
bool pnuma_unsafe_no_journal(void)
{
	return READ_ONCE(pnuma_no_journal);
}

static int pnuma_crash_at_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", pnuma_crash_names[READ_ONCE(pnuma_crash_at)]);
	return 0;
}

static int pnuma_crash_at_open(struct inode *inode, struct file *file)
{
	return single_open(file, pnuma_crash_at_show, NULL);
}

static ssize_t pnuma_crash_at_write(struct file *file, const char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[32];
	int i;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	for (i = 0; i < PNUMA_CP_COUNT; i++) {
		if (sysfs_streq(buf, pnuma_crash_names[i])) {
			WRITE_ONCE(pnuma_crash_at, i);
			return count;
		}
	}
	return -EINVAL;
}

static const struct file_operations pnuma_crash_at_fops = {
	.owner = THIS_MODULE,
	.open = pnuma_crash_at_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = pnuma_crash_at_write,
};

/**
 * pnuma_debug_init() - the crash-test knobs in debugfs
 * @dir: /sys/kernel/debug/pnuma
 */
void __init pnuma_debug_init(struct dentry *dir)
{
	debugfs_create_file("crash_at", 0600, dir, NULL, &pnuma_crash_at_fops);
	debugfs_create_atomic_t("crash_skip", 0600, dir, &pnuma_crash_skip);
	debugfs_create_bool("unsafe_no_journal", 0600, dir, &pnuma_no_journal);
}
