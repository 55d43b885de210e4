#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-check: upstream's mm selftests
# (tools/testing/selftests/mm, built from the same tree) that this guest
# can run, one TAP case per program run, as the regression net of the mm
# hooks pnuma adds. On the CONFIG_PNUMA=y kernel ("pnuma"), a pool is
# active, automatic NUMA balancing and numa_balancing_pmem are on, and
# pnuma_stress keeps writing, reading and moving pool pages meanwhile (in
# rounds of 20 s, each checked: one more case); on the CONFIG_PNUMA=n
# kernel ("upstream"), the same programs run as they are.
#
# Installed in the guest as pnuma-mm-selftests; prints its TAP between
# the markers of a section "mm-MODE" for scripts/ktap-summary, and exits
# 0 only if every program passed.
#
# The slowest programs (split_huge_page_test, uffd-unit-tests,
# transhuge-stress: about 10 of the 13 minutes of two runs) are left out
# unless --all is given or they are named: make check runs the others,
# make check-mm all.
#
# Usage: pnuma-mm-selftests pnuma|upstream [--all] [NAME...]

mode=$1
shift
# Programs named on the command line run, slow or not.
slow="split_huge_page_test uffd-unit-tests transhuge-stress"
names=
for a in "$@"; do
	case $a in
	--all) slow= ;;
	*) names="$names $a"; slow= ;;
	esac
done
dir=/kselftest/mm
echo "PNUMA-TAP-BEGIN mm-$mode"
trap 'echo "PNUMA-TAP-END mm-$mode"' EXIT
[ -d $dir ] || { echo "not ok 1 mm: no $dir"; exit 1; }
cd $dir || exit 1

bg=
if [ "$mode" = pnuma ]; then
	[ -e /dev/pnuma0 ] || { echo "not ok 1 mm: no pool"; exit 1; }
	echo 1 >/proc/sys/kernel/numa_balancing
	echo 1 >/proc/sys/kernel/numa_balancing_pmem
	rm -f /tmp/mm.done /tmp/mm.stress
	while [ ! -e /tmp/mm.done ]; do
		/kselftest/pnuma/pnuma_stress -t 20 -w 1 -r 1 -m 1 -a \
			>/tmp/mm.stress.log 2>&1 || cp /tmp/mm.stress.log /tmp/mm.stress
	done &
	bg=$!
fi

# name command...: the programs, as run_vmtests.sh runs them.
list()
{
	cat <<'EOF_LIST'
migration ./migration
mremap_test overcommit ./mremap_test
mremap_dontunmap ./mremap_dontunmap
mlock2-tests ./mlock2-tests
gup_test-u ./gup_test -u
gup_test-a ./gup_test -a
gup_test-ct ./gup_test -ct -F 0x1 0 19 0x1000
gup_longterm ./gup_longterm
madv_populate ./madv_populate
map_fixed_noreplace ./map_fixed_noreplace
mkdirty ./mkdirty
mrelease_test ./mrelease_test
mseal_test ./mseal_test
seal_elf ./seal_elf
mdwe_test ./mdwe_test
droppable ./droppable
cow ./cow
split_huge_page_test ./split_huge_page_test
transhuge-stress ./transhuge-stress -d 20
uffd-unit-tests ./uffd-unit-tests
ksm_functional_tests ./ksm_functional_tests
soft-dirty ./soft-dirty
EOF_LIST
}

n=0
rm -f /tmp/mm.failed
echo "1..0" >/tmp/mm.plan
list | while read -r name cmd; do
	if [ -n "$names" ]; then
		case " $names " in *" $name "*) ;; *) continue ;; esac
	fi
	case " $slow " in *" $name "*) continue ;; esac
	n=$((n + 1))
	start=$(date +%s)
	# mremap_test maps 2 GiB: more than this guest has, without overcommit.
	oc=$(cat /proc/sys/vm/overcommit_memory)
	case $cmd in overcommit\ *)
		cmd=${cmd#overcommit }
		echo 1 >/proc/sys/vm/overcommit_memory ;;
	esac
	timeout 600 $cmd >/tmp/mm.log 2>&1
	rc=$?
	echo "$oc" >/proc/sys/vm/overcommit_memory
	t=$(($(date +%s) - start))
	if [ $rc = 0 ]; then
		echo "ok $n mm $mode: $name (${t}s)"
	else
		echo "not ok $n mm $mode: $name (exit $rc, ${t}s)"
		tail -15 /tmp/mm.log | sed 's/^/# /'
		touch /tmp/mm.failed
	fi
	echo "1..$n" >/tmp/mm.plan
done
n=$(sed 's/^1\.\.//' /tmp/mm.plan)
if [ -n "$bg" ]; then
	touch /tmp/mm.done
	wait $bg
	n=$((n + 1))
	if [ -e /tmp/mm.stress ]; then
		echo "not ok $n mm $mode: pnuma_stress beside them"
		sed 's/^/# /' /tmp/mm.stress
		touch /tmp/mm.failed
	else
		echo "ok $n mm $mode: pnuma_stress beside them"
	fi
fi
echo "1..$n"
[ ! -e /tmp/mm.failed ]
