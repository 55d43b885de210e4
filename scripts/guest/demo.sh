#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-demo: show what pnuma has to work with
# and what it offers today.

section()
{
	printf '\n=== %s\n' "$*"
}

section "kernel"
uname -a

section "NUMA topology (numactl --hardware)"
numactl --hardware

section "persistent memory: fsdax namespaces and their NUMA nodes (ndctl list)"
ndctl list --namespaces
for pfn in /sys/bus/nd/devices/pfn*; do
	[ "$(cat "$pfn/mode" 2>/dev/null)" = pmem ] || continue
	for blk in "$pfn"/block/pmem*; do
		dev=${blk##*/}
		echo "/dev/$dev: node $(cat /sys/block/"$dev"/device/numa_node)," \
			"$(($(cat /sys/block/"$dev"/size) / 2048)) MiB," \
			"dax=$(cat /sys/block/"$dev"/queue/dax)," \
			"memmap on the device (${pfn##*/})"
	done
done

section "pnuma's switch: /proc/sys/kernel/numa_balancing_pmem"
echo "numa_balancing       = $(cat /proc/sys/kernel/numa_balancing)"
echo "numa_balancing_pmem  = $(cat /proc/sys/kernel/numa_balancing_pmem)"
echo 1 >/proc/sys/kernel/numa_balancing_pmem &&
	echo "set to 1             -> $(cat /proc/sys/kernel/numa_balancing_pmem)"
if echo 2 >/proc/sys/kernel/numa_balancing_pmem 2>/dev/null; then
	echo "error: 2 was accepted"
	exit 1
fi
echo "writing 2 is refused -> $(cat /proc/sys/kernel/numa_balancing_pmem)"
echo 0 >/proc/sys/kernel/numa_balancing_pmem &&
	echo "set back to 0        -> $(cat /proc/sys/kernel/numa_balancing_pmem)"
