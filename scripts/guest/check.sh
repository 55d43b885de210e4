#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-check (through pnuma-vm run, with
# kunit.enable=1 on the kernel command line): print the KTAP results of
# the built-in KUnit suites, then run the installed kselftests. Each KTAP
# document is framed by marker lines that scripts/ktap-summary looks for; a part
# whose end marker is missing counts as a failure, and so does a run with
# no KUnit suite.
#
# Usage: check.sh [RUN_KSELFTEST_ARGS...], e.g. check.sh -t pnuma:pnuma_sysctl_test

# One KTAP document per suite.
suites=0
for results in /sys/kernel/debug/kunit/*/results; do
	[ -r "$results" ] || continue
	echo "PNUMA-KUNIT-BEGIN"
	cat "$results"
	echo "PNUMA-KUNIT-END"
	suites=$((suites + 1))
done
[ $suites -gt 0 ] || echo "PNUMA-KUNIT-NONE"

echo "PNUMA-KSELFTEST-BEGIN"
"$PNUMA_KSELFTEST/run_kselftest.sh" "$@"
echo "PNUMA-KSELFTEST-END"
