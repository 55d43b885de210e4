# SPDX-License-Identifier: GPL-2.0
#
# Shared settings and helpers for the pnuma scripts. Sourced, never run.
#
# Layout of the build folder ($PNUMA_BUILD, default <repo>/build, ignored by
# git):
#   linux/          Debian's linux-source-6.12 tree, plus the overlay and
#                   the patch queue (scripts/pnuma-tree)
#   pristine/       base copies of the files the patch queue edits
#   obj-pnuma/      kernel objects, CONFIG_PNUMA=y (scripts/pnuma-kernel)
#   obj-nopnuma/    kernel objects, CONFIG_PNUMA=n
#   kselftest/      installed kselftests (scripts/pnuma-selftests)
#   initramfs.cpio.gz  the guest's root file system (scripts/pnuma-initramfs)
#   vm/             default guest state: the NVDIMM backing files

PNUMA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNUMA_BUILD=${PNUMA_BUILD:-$PNUMA_REPO/build}
case $PNUMA_BUILD in
/*) ;;
*) PNUMA_BUILD=$PWD/$PNUMA_BUILD ;;
esac
PNUMA_SRC=$PNUMA_BUILD/linux

# Debian package that provides the base tree, and the version the patch
# queue was last rebased on and tested with.
PNUMA_BASE_PKG=linux-source-6.12
PNUMA_BASE_TARBALL=/usr/src/linux-source-6.12.tar.xz
PNUMA_BASE_TESTED=6.12.118-1~deb12u1

# Top-level folders of the repository that are copied into the kernel
# tree at the same paths. Everything else (scripts/, patches/, README.md,
# the top-level Makefile, ...) belongs to the repository only.
PNUMA_OVERLAY_DIRS=(Documentation include mm tools)

# Kernel command line shared by every guest boot. loglevel=5 puts
# warnings (KERN_WARNING: WARN(), lockdep reports) on the console, where
# the tests look for kernel splats; notices and info stay in dmesg.
PNUMA_GUEST_APPEND="console=ttyS0 panic=-1 loglevel=5"

# Kernel messages on a guest console that mean something went wrong,
# whatever the tests say (ODEBUG: the debug kernel's object checks).
PNUMA_SPLAT='(BUG:|WARNING:|Oops|Kernel panic|general protection fault|'
PNUMA_SPLAT+='UBSAN:|KASAN:|possible circular locking|INFO: task .* blocked|'
PNUMA_SPLAT+='RCU stall|Call Trace:|ODEBUG:)'

pnuma_log()
{
	printf '==> %s\n' "$*" >&2
}

pnuma_die()
{
	printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2
	exit 1
}

# pnuma_obj_dir y|n|debug: the kernel object folder for CONFIG_PNUMA=y or
# n, or for the debug kernel (CONFIG_PNUMA=y with lockdep, KASAN...).
pnuma_obj_dir()
{
	case $1 in
	y) echo "$PNUMA_BUILD/obj-pnuma" ;;
	n) echo "$PNUMA_BUILD/obj-nopnuma" ;;
	debug) echo "$PNUMA_BUILD/obj-debug" ;;
	*) pnuma_die "PNUMA must be y, n or debug, not '$1'" ;;
	esac
}

# pnuma_kmake_in SRC OBJ MAKE-ARGS...: make in kernel tree SRC, out of
# tree in OBJ, with ccache.
pnuma_kmake_in()
{
	local src=$1 obj=$2

	shift 2
	make -C "$src" O="$obj" -j"$(pnuma_jobs)" CC="ccache gcc" \
		HOSTCC="ccache gcc" "$@"
}

# pnuma_kmake y|n|debug MAKE-ARGS...: make in the kernel tree for that
# variant, out of tree, with ccache.
pnuma_kmake()
{
	local obj

	obj=$(pnuma_obj_dir "$1")
	shift
	pnuma_kmake_in "$PNUMA_SRC" "$obj" "$@"
}

# pnuma_config_fragment y|n|debug: what goes on top of tinyconfig for that
# variant: scripts/config/guest.config, the selftests' config, and pnuma
# off (n) or the debug options (debug).
pnuma_config_fragment()
{
	cat "$PNUMA_REPO/scripts/config/guest.config" \
		"$PNUMA_REPO/tools/testing/selftests/pnuma/config"
	if [[ $1 == n ]]; then
		echo "# CONFIG_PNUMA is not set"
		echo "# CONFIG_PNUMA_KUNIT_TEST is not set"
		echo "# CONFIG_PNUMA_DEBUG is not set"
	fi
	if [[ $1 == debug ]]; then
		cat "$PNUMA_REPO/scripts/config/debug.config"
	fi
}

pnuma_bzimage()
{
	echo "$(pnuma_obj_dir "$1")/arch/x86/boot/bzImage"
}

# The installed Debian version of the base tree, empty if not installed.
pnuma_base_version()
{
	dpkg-query -W -f='${Version}' "$PNUMA_BASE_PKG" 2>/dev/null || true
}

pnuma_jobs()
{
	nproc 2>/dev/null || echo 2
}

# Host-side results, as TAP in the file $PNUMA_HOST_TAP: pnuma_host_case
# for each, pnuma_host_plan at the end.
pnuma_host_n=0

# pnuma_host_case NAME STATUS: a result, ok if STATUS is 0.
pnuma_host_case()
{
	pnuma_host_n=$((pnuma_host_n + 1))
	if [[ $2 == 0 ]]; then
		echo "ok $pnuma_host_n $1"
	else
		echo "not ok $pnuma_host_n $1"
	fi >>"$PNUMA_HOST_TAP"
}

pnuma_host_plan()
{
	echo "1..$pnuma_host_n" >>"$PNUMA_HOST_TAP"
}

# pnuma_check_console NAME LOG: a result that fails on any kernel splat
# (PNUMA_SPLAT) in the console log LOG, which it prints.
pnuma_check_console()
{
	local splats

	splats=$(grep -E "$PNUMA_SPLAT" "$2" || true)
	[[ -z $splats ]] || printf 'kernel splat in %s:\n%s\n' "$2" "$splats"
	pnuma_host_case "$1" "$([[ -z $splats ]] && echo 0 || echo 1)"
}

# pnuma_guest_case NAME WANT LOG PNUMA-VM-RUN-ARGS...: one boot of the
# guest (scripts/pnuma-vm run), its console in LOG, and two results: its
# exit status is WANT, and its console is free of kernel splats.
pnuma_guest_case()
{
	local name=$1 want=$2 log=$3 status=0

	shift 3
	"$PNUMA_REPO/scripts/pnuma-vm" run "$@" >"$log" 2>&1 || status=$?
	pnuma_host_case "$name: exit status $want" \
		"$([[ $status == "$want" ]] && echo 0 || echo 1)"
	pnuma_check_console "$name: console free of kernel splats" "$log"
}

# pnuma_series_ignore STAGE-FILE: the --ignore=TYPES checkpatch option for
# a patch of the exported series: the types scripts/config/checkpatch.ignore
# lists for the files the stage adds, the patches it applies, and "series".
pnuma_series_ignore()
{
	local ignore=$PNUMA_REPO/scripts/config/checkpatch.ignore f types

	types=$(for f in series $(sed -n '/^$/q; s/^\(Add\|Apply\): *//p' "$1"); do
		if [[ $f == */ ]]; then
			awk -v d="$f" 'index($1, d) == 1 { print $2 }' "$ignore"
		else
			awk -v f="$f" '$1 == f { print $2 }' "$ignore"
		fi
	done | sort -u | paste -sd,)
	[[ -z $types ]] || echo "--ignore=$types"
}
