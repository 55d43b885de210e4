/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit tests for the numa_balancing_pmem sysctl of mm/pnuma/balance.c.
 *
 * The handler is called directly with kernel buffers, as the proc code
 * does, and the value and the static branch are checked after every
 * write. The suite restores the value it found.
 */

#ifdef CONFIG_PNUMA_KUNIT_TEST

#ifndef _PNUMA_BALANCE_KUNIT_H
#define _PNUMA_BALANCE_KUNIT_H

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/string.h>

static int pnuma_test_write(const char *val)
{
	char buf[16];
	size_t len = strscpy(buf, val, sizeof(buf));
	loff_t pos = 0;

	return pnuma_sysctl_handler(&pnuma_sysctls[0], 1, buf, &len, &pos);
}

static void pnuma_test_expect_state(struct kunit *test, int val)
{
	char buf[16] = "";
	size_t len = sizeof(buf);
	loff_t pos = 0;

	KUNIT_EXPECT_EQ(test, pnuma_sysctl_handler(&pnuma_sysctls[0], 0, buf,
						   &len, &pos), 0);
	KUNIT_EXPECT_STREQ(test, buf, val ? "1\n" : "0\n");
	KUNIT_EXPECT_EQ(test, pnuma_balancing_enabled(), !!val);
}

static void pnuma_test_sysctl_toggle(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pnuma_test_write("1\n"), 0);
	pnuma_test_expect_state(test, 1);
	KUNIT_EXPECT_EQ(test, pnuma_test_write("1"), 0);
	pnuma_test_expect_state(test, 1);
	KUNIT_EXPECT_EQ(test, pnuma_test_write("0\n"), 0);
	pnuma_test_expect_state(test, 0);
}

static void pnuma_test_sysctl_reject(struct kunit *test)
{
	static const char * const bad[] = {
		"2", "-1", "abc", "1x", "1.5", "99999999999",
	};
	int old, i;

	for (old = 0; old <= 1; old++) {
		KUNIT_ASSERT_EQ(test, pnuma_test_write(old ? "1" : "0"), 0);
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			KUNIT_EXPECT_EQ_MSG(test, pnuma_test_write(bad[i]),
					    -EINVAL, "value '%s'", bad[i]);
			pnuma_test_expect_state(test, old);
		}
	}
}

static void pnuma_test_sysctl_needs_cap(struct kunit *test)
{
	const struct cred *old_cred;
	struct cred *cred;

	KUNIT_ASSERT_EQ(test, pnuma_test_write("0"), 0);
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_SYS_ADMIN);
	old_cred = override_creds(cred);

	KUNIT_EXPECT_EQ(test, pnuma_test_write("1"), -EPERM);
	pnuma_test_expect_state(test, 0);

	revert_creds(old_cred);
	put_cred(cred);
	KUNIT_EXPECT_EQ(test, pnuma_test_write("1"), 0);
	pnuma_test_expect_state(test, 1);
}

static int pnuma_test_saved_balancing;

static int pnuma_balance_test_init(struct kunit_suite *suite)
{
	pnuma_test_saved_balancing = READ_ONCE(pnuma_sysctl_balancing);
	return 0;
}

static void pnuma_balance_test_exit(struct kunit_suite *suite)
{
	guard(mutex)(&pnuma_sysctl_lock);
	__pnuma_set_balancing(pnuma_test_saved_balancing);
}

static struct kunit_case pnuma_balance_test_cases[] = {
	KUNIT_CASE(pnuma_test_sysctl_toggle),
	KUNIT_CASE(pnuma_test_sysctl_reject),
	KUNIT_CASE(pnuma_test_sysctl_needs_cap),
	{},
};

static struct kunit_suite pnuma_balance_test_suite = {
	.name = "pnuma-balance",
	.suite_init = pnuma_balance_test_init,
	.suite_exit = pnuma_balance_test_exit,
	.test_cases = pnuma_balance_test_cases,
};

kunit_test_suite(pnuma_balance_test_suite);

#endif /* _PNUMA_BALANCE_KUNIT_H */

#endif /* CONFIG_PNUMA_KUNIT_TEST */
