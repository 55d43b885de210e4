#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/test-pnuma-pmdk (installed as pnuma-pmdk):
# Debian's PMDK on a pool's pnumafs file. Prints TAP.
#
# Usage: pmdk.sh setup    a pool of 128 MiB over both members (room for
#                         moves once PMDK has allocated all of it), a
#                         libpmemobj pool in its file made by pmempool,
#                         transactions from node 0, then the same program
#                         on node 1 with NUMA balancing on: pages move
#        pmdk.sh verify N after power cut N: pmempool check and the
#                         program's own check
#        pmdk.sh load     the workload on node 1 with NUMA balancing on
#                         and a move_pages(2) storm beside it, until the
#                         power is cut (prints no TAP)

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

verify()
{
	check "$1: pnuma_pmemobj verify (pmemobj_check, every committed operation, no aborted one)" \
		"$P" verify "$F"
	check "$1: pmempool check: consistent" pmempool_check
}

case $1 in
setup)
	echo "size=128M /dev/pmem0 /dev/pmem1" >/sys/kernel/mm/pnuma/create
	tap $? "a pool of 128 MiB over both members"
	mount_it
	tap $? "mount -t pnumafs none $MNT"
	check "pmempool create obj over the pool's file, from node 0" \
		numactl --cpunodebind=0 pmempool create obj --layout pnuma_pmemobj "$F"
	check "pmemobj_create/pmemobj_open and the root, from node 0" \
		numactl --cpunodebind=0 "$P" create "$F" 42
	check "5000 transactions from node 0 (inserts, deletes, aborts)" \
		numactl --cpunodebind=0 "$P" run "$F" 5000
	on1=$(cat $POOL/members/1/used_pages)
	tap $((on1 != 0)) "every page PMDK allocated is on node 0 (node 1: $on1)"
	verify "after node 0"

	balancing_on
	tap $? "NUMA balancing of pnuma pages on"
	before=$(cat $POOL/numa/pages_migrated)
	timeout -s KILL 20 numactl --cpunodebind=1 "$P" loop "$F" >/tmp/loop.log
	tail -n 1 /tmp/loop.log | sed 's/^/# /'
	moved=$(($(cat $POOL/numa/pages_migrated) - before))
	on1=$(cat $POOL/members/1/used_pages)
	tap $((moved == 0 || on1 == 0)) "the program on node 1 for 20 s: NUMA balancing moved $moved pages; node 1 holds $on1"
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
*)
	echo "usage: $0 setup | verify N | load" >&2
	exit 2
	;;
esac
echo "1..$n"
