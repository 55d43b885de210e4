#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest on the CONFIG_PNUMA=n kernel by scripts/pnuma-check:
# the kernel must be upstream's, so numa_balancing_pmem must not exist
# while numa_balancing (same configuration otherwise) does. Then upstream's
# mm selftests, the baseline of those run on the pnuma kernel.

status=0
if [ -e /proc/sys/kernel/numa_balancing_pmem ]; then
	echo "error: /proc/sys/kernel/numa_balancing_pmem exists without CONFIG_PNUMA"
	status=1
fi
if [ ! -e /proc/sys/kernel/numa_balancing ]; then
	echo "error: /proc/sys/kernel/numa_balancing is missing: wrong kernel?"
	status=1
fi
[ $status = 0 ] && echo "numa_balancing_pmem is absent, numa_balancing is present"
pnuma-mm-selftests upstream || status=1
exit $status
