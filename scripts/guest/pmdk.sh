#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/test-pnuma-pmdk (installed as pnuma-pmdk):
# Debian's PMDK on a pool's pnumafs file. Prints TAP.
#
# Usage: pmdk.sh setup    a pool over both members, a libpmemobj pool in
#                         its file made by pmempool (which allocates all
#                         of it), transactions from node 0; on the full
#                         pool, move_pages(2) both ways, then the same
#                         program on node 1 with NUMA balancing on: pages
#                         move, cold ones out to make room
#        pmdk.sh verify N after power cut N: pmempool check and the
#                         program's own check
#        pmdk.sh load     the workload on node 1 with NUMA balancing on
#                         and a move_pages(2) storm beside it, until the
#                         power is cut (prints no TAP)
#        pmdk.sh bench [NOPS]  make bench: pnuma_pmemobj bench on the
#                         pool's file and on ext4 -o dax on the third
#                         NVDIMM, 9 runs each, then on the pool's file
#                         with NUMA balancing on ("pmdk-bench" lines)

P=/kselftest/pnuma/pnuma_pmemobj
MNT=/mnt/pnuma
F=$MNT/pnuma0
POOL=/sys/kernel/mm/pnuma/pnuma0
n=0

tap()
{
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

# check NAME COMMAND...: a case for COMMAND's exit status, its output
# shown as TAP diagnostics.
check()
{
	name=$1
	shift
	out=$("$@" 2>&1)
	status=$?
	echo "$out" | tail -n 5 | sed 's/^/# /'
	tap $status "$name"
}

pmempool_check()
{
	pmempool check -v "$F" | grep -q ": consistent$"
}

mount_it()
{
	grep -q " $MNT pnumafs " /proc/mounts && return 0
	mkdir -p "$MNT" && mount -t pnumafs none "$MNT"
}

balancing_on()
{
	echo 1 >/proc/sys/kernel/numa_balancing &&
	echo 1 >/proc/sys/kernel/numa_balancing_pmem &&
	echo 0 >/sys/kernel/debug/sched/numa_balancing/scan_delay_ms &&
	echo 100 >/sys/kernel/debug/sched/numa_balancing/scan_period_min_ms &&
	echo 500 >/sys/kernel/debug/sched/numa_balancing/scan_period_max_ms
}

# The pool stays fully allocated: pmemobj_create() fallocated all of it.
full()
{
	used=$(cat $POOL/used_pages)
	logical=$(cat $POOL/logical_pages)
	tap $((used != logical)) "the pool is fully allocated: $used of $logical logical pages"
}

verify()
{
	check "$1: pnuma_pmemobj verify (pmemobj_check, every committed operation, no aborted one)" \
		"$P" verify "$F"
	check "$1: pmempool check: consistent" pmempool_check
}

case $1 in
setup)
	echo "/dev/pmem0 /dev/pmem1" >/sys/kernel/mm/pnuma/create
	tap $? "a pool over both members, of the default size"
	echo "# $(cat $POOL/logical_pages) logical pages; each member keeps $(cat $POOL/reserve_pages) free for moves"
	mount_it
	tap $? "mount -t pnumafs none $MNT"
	check "pmempool create obj over the pool's file, from node 0" \
		numactl --cpunodebind=0 pmempool create obj --layout pnuma_pmemobj "$F"
	check "pmemobj_create/pmemobj_open and the root, from node 0" \
		numactl --cpunodebind=0 "$P" create "$F" 42
	check "5000 transactions from node 0 (inserts, deletes, aborts)" \
		numactl --cpunodebind=0 "$P" run "$F" 5000
	full
	verify "after node 0"

	# A full pool still moves: each page moved in needs a cold page out.
	check "move_pages(2) of 256 pages to node 1 on the full pool" \
		"$P" move "$F" 1 256
	check "move_pages(2) of 256 pages to node 0 on the full pool" \
		"$P" move "$F" 0 256
	full

	balancing_on
	tap $? "NUMA balancing of pnuma pages on"
	before=$(cat $POOL/numa/pages_migrated)
	timeout -s KILL 20 numactl --cpunodebind=1 "$P" loop "$F" >/tmp/loop.log
	tail -n 1 /tmp/loop.log | sed 's/^/# /'
	moved=$(($(cat $POOL/numa/pages_migrated) - before))
	tap $((moved == 0)) "the program on node 1 for 20 s: NUMA balancing moved $moved pages, $(cat $POOL/exchanged) cold pages moved out to make room"
	full
	verify "after balancing and a kill -9"
	;;
verify)
	mount_it
	tap $? "mount -t pnumafs none $MNT"
	verify "power cut $2"
	;;
load)
	mount_it || exit 1
	balancing_on || exit 1
	numactl --cpunodebind=1 "$P" loop "$F" &
	"$P" storm "$F" &
	wait
	exit 1
	;;
bench)
	# The pool over a namespace of each node; the third one (node 0)
	# gets ext4 -o dax: what a PMDK user would run instead. Both files
	# 192 MiB, the program on node 0, where both files' pages are.
	n0= n1= rest=
	for d in /dev/pmem*; do
		node=$(cat /sys/block/${d#/dev/}/device/numa_node)
		if [ "$node" = 0 ] && [ -z "$n0" ]; then n0=$d
		elif [ "$node" = 1 ] && [ -z "$n1" ]; then n1=$d
		else rest=$d; fi
	done
	echo "size=192M $n0 $n1" >/sys/kernel/mm/pnuma/create || exit 1
	mount_it || exit 1
	/sbin/mke2fs -q -t ext4 -b 4096 "$rest" >/dev/null && mkdir -p /mnt/ext4 &&
		mount -t ext4 -o dax "$rest" /mnt/ext4 || exit 1
	truncate -s 192M /mnt/ext4/pool || exit 1
	for i in 1 2 3 4 5 6 7 8 9; do
		for f in "$F" /mnt/ext4/pool; do
			[ "$f" = "$F" ] && what=pnumafs || what=ext4-dax
			numactl --cpunodebind=0 "$P" bench "$f" "${2:-50000}" |
				sed -n "s/^pnuma_pmemobj: bench inserts_per_s \([0-9]*\) lookups_per_s \([0-9]*\)/pmdk-bench $what off \1 \2/p"
		done
	done
	balancing_on || exit 1
	for i in 1 2 3 4 5 6 7 8 9; do
		numactl --cpunodebind=0 "$P" bench "$F" "${2:-50000}" |
			sed -n "s/^pnuma_pmemobj: bench inserts_per_s \([0-9]*\) lookups_per_s \([0-9]*\)/pmdk-bench pnumafs on \1 \2/p"
	done
	exit 0
	;;
*)
	echo "usage: $0 setup | verify N | load | bench [NOPS]" >&2
	exit 2
	;;
esac
echo "1..$n"
