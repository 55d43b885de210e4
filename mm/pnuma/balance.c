// SPDX-License-Identifier: GPL-2.0
/*
 * pnuma's part of automatic NUMA balancing.
 *
 * This file owns the run-time switch of NUMA balancing for pnuma pages,
 * /proc/sys/kernel/numa_balancing_pmem, and the static branch behind it
 * that the NUMA-balancing hooks test; and the rate limit of those moves,
 * /proc/sys/kernel/numa_balancing_pmem_rate_limit_MBps. The policy itself
 * is in numa.c.
 */

#define pr_fmt(fmt) "pnuma: " fmt

#include <linux/capability.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/pnuma.h>
#include <linux/sysctl.h>

#include "internal.h"

DEFINE_STATIC_KEY_FALSE(pnuma_balancing_key);

/*
 * Serialises writers of numa_balancing_pmem, so that the value readers see
 * and the state of pnuma_balancing_key always agree.
 */
static DEFINE_MUTEX(pnuma_sysctl_lock);
static int pnuma_sysctl_balancing;	/* protected by pnuma_sysctl_lock */

/*
 * At most this many MiB per second moved into each member by NUMA
 * balancing: PM media wear with writes. 256 MiB/s is a tenth of what an
 * Optane DC module can take for its rated life.
 */
#define PNUMA_RATE_LIMIT_DEFAULT	256
#define PNUMA_RATE_LIMIT_MAX		65536
static unsigned int pnuma_sysctl_rate_limit = PNUMA_RATE_LIMIT_DEFAULT;
static const unsigned int pnuma_rate_limit_max = PNUMA_RATE_LIMIT_MAX;

/**
 * pnuma_rate_limit_mbps() - the balancing rate limit per member
 *
 * Return: numa_balancing_pmem_rate_limit_MBps.
 */
unsigned int pnuma_rate_limit_mbps(void)
{
	return READ_ONCE(pnuma_sysctl_rate_limit);
}

static void __pnuma_set_balancing(int enable)
{
	lockdep_assert_held(&pnuma_sysctl_lock);

	if (enable)
		static_branch_enable(&pnuma_balancing_key);
	else
		static_branch_disable(&pnuma_balancing_key);
	pnuma_sysctl_balancing = enable;
}

/*
 * Reads show the current value; a write takes CAP_SYS_ADMIN and one of the
 * values in [extra1, extra2]. Anything else fails with -EPERM or -EINVAL
 * and leaves the old value in place.
 */
static int pnuma_sysctl_handler(const struct ctl_table *table, int write,
				void *buffer, size_t *lenp, loff_t *ppos)
{
	struct ctl_table t;
	int state, err;

	if (write && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	guard(mutex)(&pnuma_sysctl_lock);
	state = pnuma_sysctl_balancing;
	t = *table;
	t.data = &state;
	err = proc_dointvec_minmax(&t, write, buffer, lenp, ppos);
	if (err || !write)
		return err;

	__pnuma_set_balancing(state);
	return 0;
}

static struct ctl_table pnuma_sysctls[] = {
	{
		.procname	= "numa_balancing_pmem",
		.data		= NULL, /* filled in by the handler */
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= pnuma_sysctl_handler,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "numa_balancing_pmem_rate_limit_MBps",
		.data		= &pnuma_sysctl_rate_limit,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= (void *)&pnuma_rate_limit_max,
	},
};

static int __init pnuma_balance_init(void)
{
	register_sysctl_init("kernel", pnuma_sysctls);
	return 0;
}
late_initcall(pnuma_balance_init);

#include "tests/balance-kunit.h"
