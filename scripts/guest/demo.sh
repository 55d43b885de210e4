#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-demo, three times on the same NVDIMMs:
#   demo.sh write    show the machine and the pool; write data from node 0;
#                    a workload on node 1 reads it and automatic NUMA
#                    balancing moves the pages to node 1 (with "plot T N0
#                    N1" lines: the pages each node holds, for the plot)
#   demo.sh storm S  a migration storm: the data pages moved between the
#                    nodes over and over, and 128 more pages written and
#                    moved; after S seconds, the power is cut right after
#                    the commit point of a move (debugfs crash_at)
#   demo.sh verify   after the power cut: the pool came back by itself, its
#                    journals recovered; every byte is verified

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
	section "where the $PAGES data pages live ($1; move_pages(2) asked)"
	$K/pnuma_placement 0 $PAGES 4
}

# The member of node $1.
member_of_node()
{
	for m in $POOL/members/*; do
		[ "$(cat "$m/node")" = "$1" ] && echo "$m" && return
	done
}

# "plot SECONDS PAGES-ON-NODE-0 PAGES-ON-NODE-1", every 0.1 s, until killed.
sample()
{
	m0=$(member_of_node 0)
	m1=$(member_of_node 1)
	read -r t0 _ </proc/uptime
	while :; do
		read -r t _ </proc/uptime
		echo "plot $(echo "$t $t0" | awk '{ printf "%.2f", $1 - $2 }')" \
			"$(cat "$m0/used_pages") $(cat "$m1/used_pages")"
		sleep 0.1
	done
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
	section "write $PAGES pages of random data from a CPU of node 0 (first touch: node 0)"
	dd if=/dev/urandom of=/tmp/data bs=4096 count=$PAGES 2>/dev/null
	numactl --cpunodebind=0 dd if=/tmp/data of=/dev/pnuma0 bs=4096 \
		count=$PAGES conv=notrunc 2>/dev/null
	# The checksum goes into the pool too, in the page after the data.
	sum=$(sha256sum </tmp/data | cut -d' ' -f1)
	echo "$sum" | numactl --cpunodebind=0 dd of=/dev/pnuma0 bs=4096 \
		conv=sync,notrunc seek=$PAGES 2>/dev/null
	echo "sha256 of the data: $sum"
	placement "before balancing"
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
	# 1 MB/s (256 pages/s) per member rather than 256, to watch it happen.
	echo 1 >/proc/sys/kernel/numa_balancing_pmem_rate_limit_MBps
	echo "numa_balancing = 1, numa_balancing_pmem = 1," \
		"numa_balancing_pmem_rate_limit_MBps = 1 (default 256; 1 MB/s lets you watch)"
	section "a workload pinned to node 1 reads all $PAGES pages for 5 s"
	sample &
	sampler=$!
	numactl --cpunodebind=1 $K/pnuma_placement -r 5 0 $PAGES 1 >/tmp/reader
	sleep 0.5
	kill $sampler
	grep '^reading' /tmp/reader
	placement "after balancing"
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
storm)
	section "a migration storm: the $PAGES data pages moved between the nodes over and over,"
	echo "while a writer stores self-checking words into 128 more pages, moved as well;"
	echo "after ${2:-4} s the kernel is told to cut the power right after the next commit"
	echo 0 >/proc/sys/kernel/numa_balancing_pmem
	$K/pnuma_placement -m 0 $PAGES &
	$K/pnuma_crash storm 128 &
	sleep "${2:-4}"
	echo "arming the power cut: after-commit > /sys/kernel/debug/pnuma/crash_at"
	echo after-commit >/sys/kernel/debug/pnuma/crash_at
	wait
	;;
verify)
	section "after the power cut: the kernel assembled the pool by itself and recovered its journals"
	dmesg | grep 'pnuma: ' | sed 's/^\[[^]]*\] //'
	grep -E '^pnuma_journal_' /proc/vmstat
	show_pool
	section "the writer's 128 pages: every word is what was durably written before the cut"
	$K/pnuma_crash storm-verify || exit 1
	section "the $PAGES data pages, moved over and over until the cut"
	want=$(dd if=/dev/pnuma0 bs=4096 count=1 skip=$PAGES 2>/dev/null | head -c 64)
	got=$(dd if=/dev/pnuma0 bs=4096 count=$PAGES 2>/dev/null | sha256sum | cut -d' ' -f1)
	echo "sha256 written before balancing and the storm: $want"
	echo "sha256 read back now:                          $got"
	[ "$want" = "$got" ] || { echo "error: the data changed"; exit 1; }
	placement "after the power cut"
	echo "every byte verified"
	;;
*)
	echo "usage: $0 write | storm | verify" >&2
	exit 2
	;;
esac
