// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of /proc/sys/kernel/numa_balancing_pmem: it exists, toggles between
 * 0 and 1, rejects every other value with EINVAL and keeps the old one,
 * and refuses writers that are not root or lack CAP_SYS_ADMIN.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "../kselftest_harness.h"

#define PNUMA_SYSCTL "/proc/sys/kernel/numa_balancing_pmem"
#define NOBODY 65534

/* Read the sysctl's value; -1 if it cannot be read or is not a number. */
static int sysctl_read(void)
{
	char buf[32] = "", *end;
	ssize_t len;
	long val;
	int fd;

	fd = open(PNUMA_SYSCTL, O_RDONLY);
	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	val = strtol(buf, &end, 10);
	if (end == buf || strcmp(end, "\n") || val < 0 || val > INT_MAX)
		return -1;
	return val;
}

/* Write @val to the sysctl in one write(2); 0 or the errno it failed with. */
static int sysctl_write(const char *val)
{
	ssize_t len;
	int fd, err;

	fd = open(PNUMA_SYSCTL, O_WRONLY);
	if (fd < 0)
		return errno;
	len = write(fd, val, strlen(val));
	err = len < 0 ? errno : 0;
	close(fd);
	return err;
}

/* Drop CAP_SYS_ADMIN from the effective set of this (root) process. */
static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
		~CAP_TO_MASK(CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

/*
 * Run sysctl_write(@val) in a child that first becomes nobody (@as_nobody)
 * or stays root without CAP_SYS_ADMIN. Returns the errno the write got, 0
 * if it succeeded, or -1 if the child could not set itself up.
 */
static int unprivileged_write(const char *val, int as_nobody)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (as_nobody) {
			if (setgid(NOBODY) || setuid(NOBODY))
				_exit(255);
		} else if (drop_cap_sys_admin()) {
			_exit(255);
		}
		_exit(sysctl_write(val));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

FIXTURE(sysctl) {
	int saved;
};

FIXTURE_SETUP(sysctl)
{
	if (geteuid())
		SKIP(return, "must be run as root");
	if (access(PNUMA_SYSCTL, F_OK))
		SKIP(return, PNUMA_SYSCTL " is missing: kernel without CONFIG_PNUMA?");
	self->saved = sysctl_read();
	ASSERT_TRUE(self->saved == 0 || self->saved == 1);
}

FIXTURE_TEARDOWN(sysctl)
{
	if (self->saved == 0 || self->saved == 1)
		EXPECT_EQ(0, sysctl_write(self->saved ? "1" : "0"));
}

TEST_F(sysctl, mode_is_0644)
{
	struct stat st;

	ASSERT_EQ(0, stat(PNUMA_SYSCTL, &st));
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST_F(sysctl, toggles)
{
	ASSERT_EQ(0, sysctl_write("1\n"));
	EXPECT_EQ(1, sysctl_read());
	ASSERT_EQ(0, sysctl_write("0\n"));
	EXPECT_EQ(0, sysctl_read());
	ASSERT_EQ(0, sysctl_write("1"));
	EXPECT_EQ(1, sysctl_read());
	ASSERT_EQ(0, sysctl_write("0"));
	EXPECT_EQ(0, sysctl_read());
}

TEST_F(sysctl, rejects_out_of_range_and_garbage)
{
	static const char * const bad[] = {
		"2\n", "-1\n", "garbage\n", "1garbage\n", "0.5\n", "4294967297\n",
	};
	unsigned int i;
	int old;

	for (old = 0; old <= 1; old++) {
		ASSERT_EQ(0, sysctl_write(old ? "1" : "0"));
		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			EXPECT_EQ(EINVAL, sysctl_write(bad[i]))
				TH_LOG("writing %s", bad[i]);
			EXPECT_EQ(old, sysctl_read())
				TH_LOG("after writing %s", bad[i]);
		}
	}
}

TEST_F(sysctl, refuses_unprivileged_writer)
{
	int old;

	for (old = 0; old <= 1; old++) {
		ASSERT_EQ(0, sysctl_write(old ? "1" : "0"));
		/* Not root: the file mode stops the open. */
		EXPECT_EQ(EACCES, unprivileged_write(old ? "0" : "1", 1));
		EXPECT_EQ(old, sysctl_read());
		/* Root without CAP_SYS_ADMIN: the handler stops the write. */
		EXPECT_EQ(EPERM, unprivileged_write(old ? "0" : "1", 0));
		EXPECT_EQ(old, sysctl_read());
	}
}

TEST_F(sysctl, readable_by_anyone)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, sysctl_write("1"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(2);
		_exit(sysctl_read() == 1 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
