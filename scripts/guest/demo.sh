#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-demo, twice on the same NVDIMMs:
#   demo.sh write    show the machine and the pool, write data from a CPU
#                    of each node, show where it landed; then a workload
#                    on node 1 reads it all, and automatic NUMA balancing
#                    moves the pages it uses to node 1
#   demo.sh verify   after the reboot: the pool came back by itself, the
#                    data and its placement are unchanged

K=/kselftest/pnuma
POOL=/sys/kernel/mm/pnuma/pnuma0
PAGES=512

section()
{
	printf '\n=== %s\n' "$*"
}

show_pool()
{
	echo "pool $(cat $POOL/uuid): $(cat $POOL/state)," \
		"$(cat $POOL/logical_pages) logical pages," \
		"$(cat $POOL/used_pages) in use," \
		"clean shutdown before assembly: $(cat $POOL/clean_shutdown)"
	for m in $POOL/members/*; do
		echo "  member ${m##*/}: /dev/$(cat "$m/device"), node $(cat "$m/node")," \
			"$(cat "$m/used_pages") of $(cat "$m/capacity_pages") pages used"
	done
}

placement()
{
	section "where the $PAGES logical pages live (move_pages(2))"
	$K/pnuma_placement 0 $PAGES 4
}

case $1 in
write)
	section "NUMA topology (numactl --hardware)"
	numactl --hardware
	section "persistent memory: one fsdax namespace per node (ndctl list)"
	ndctl list --namespaces | grep -E '"(dev|mode|map|blockdev)"'
	section "pnuma's switch: /proc/sys/kernel/numa_balancing_pmem"
	echo "numa_balancing = $(cat /proc/sys/kernel/numa_balancing)," \
		"numa_balancing_pmem = $(cat /proc/sys/kernel/numa_balancing_pmem)"
	section "the pool the guest created over both namespaces (/sys/kernel/mm/pnuma)"
	dmesg | grep 'pnuma: ' | sed 's/^\[[^]]*\] //'
	show_pool
	section "write $PAGES pages of random data: the first half from node 0, the second from node 1"
	dd if=/dev/urandom of=/tmp/data bs=4096 count=$PAGES 2>/dev/null
	numactl --cpunodebind=0 dd if=/tmp/data of=/dev/pnuma0 bs=4096 \
		count=$((PAGES / 2)) conv=notrunc 2>/dev/null
	numactl --cpunodebind=1 dd if=/tmp/data of=/dev/pnuma0 bs=4096 \
		skip=$((PAGES / 2)) seek=$((PAGES / 2)) count=$((PAGES / 2)) \
		conv=notrunc 2>/dev/null
	placement
	# The checksum goes into the pool too, in its last logical page.
	sum=$(sha256sum </tmp/data | cut -d' ' -f1)
	echo "$sum" | dd of=/dev/pnuma0 bs=4096 conv=sync,notrunc \
		seek=$(($(cat $POOL/logical_pages) - 1)) 2>/dev/null
	echo "sha256 of the data: $sum"
	section "after writing"
	show_pool

	section "automatic NUMA balancing of persistent memory: on"
	echo 1 >/proc/sys/kernel/numa_balancing
	echo 1 >/proc/sys/kernel/numa_balancing_pmem
	# Scan every 100 ms to 1 s rather than every 1 to 60 s, for the demo.
	D=/sys/kernel/debug/sched/numa_balancing
	echo 0 >$D/scan_delay_ms
	echo 100 >$D/scan_period_min_ms
	echo 1000 >$D/scan_period_max_ms
	echo "numa_balancing = 1, numa_balancing_pmem = 1," \
		"rate limit $(cat /proc/sys/kernel/numa_balancing_pmem_rate_limit_MBps) MB/s per member"
	section "a workload pinned to node 1 reads all $PAGES pages for 5 s"
	numactl --cpunodebind=1 $K/pnuma_placement -r 5 0 $PAGES 4
	section "the counters (/proc/vmstat, and the pool's numa/ folder)"
	grep -E '^(numa_pte_updates|numa_hint_faults|pnuma_)' /proc/vmstat
	for f in $POOL/numa/*; do
		echo "pool numa/${f##*/}: $(cat "$f")"
	done
	section "the data, read back after the moves"
	got=$(dd if=/dev/pnuma0 bs=4096 count=$PAGES 2>/dev/null | sha256sum | cut -d' ' -f1)
	echo "sha256 now: $got"
	[ "$got" = "$sum" ] || { echo "error: the data changed"; exit 1; }
	echo "every byte verified"
	;;
verify)
	section "after the reboot: the kernel assembled the pool by itself, pages where balancing put them"
	dmesg | grep 'pnuma: ' | sed 's/^\[[^]]*\] //'
	show_pool
	placement
	want=$(dd if=/dev/pnuma0 bs=4096 count=1 \
		skip=$(($(cat $POOL/logical_pages) - 1)) 2>/dev/null | head -c 64)
	got=$(dd if=/dev/pnuma0 bs=4096 count=$PAGES 2>/dev/null | sha256sum | cut -d' ' -f1)
	echo "sha256 recorded before the reboot: $want"
	echo "sha256 read back now:              $got"
	[ "$want" = "$got" ] || { echo "error: the data changed"; exit 1; }
	echo "every byte verified"
	;;
*)
	echo "usage: $0 write | verify" >&2
	exit 2
	;;
esac
