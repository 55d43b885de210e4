# SPDX-License-Identifier: GPL-2.0
#
# pnuma: crash-consistent NUMA balancing for persistent memory.
# Every target is a thin wrapper around a script in scripts/ (each has
# --help). Build output goes to $(PNUMA_BUILD), default ./build.

PNUMA ?= y
export PNUMA_BUILD

S := scripts

.PHONY: help deps tree kernel selftests initramfs vm demo check check-debug check-mm bench lint \
	series series-check stress clean

help:
	@echo "pnuma make targets:"
	@echo "  demo        the main job: build the patched kernel, boot the QEMU guest"
	@echo "              with persistent memory on two NUMA nodes, show what pnuma sees"
	@echo "  check       the test command: build, lint, KUnit + kselftests in the guest,"
	@echo "              CONFIG_PNUMA=n guest; ends with 'N passed, N failed'"
	@echo "  check-debug the guest tests on a lockdep + KASAN + DEBUG_VM kernel; any"
	@echo "              kernel splat fails it"
	@echo "  check-mm    every upstream mm selftest, the slow ones make check leaves"
	@echo "              out included, beside a pool and on CONFIG_PNUMA=n"
	@echo "  stress      TIME=SECONDS (default 600): many processes on one pool,"
	@echo "              every page and the accounting checked; DEBUG=1: debug kernel"
	@echo "  bench       migration, NUMA balancing, recovery (build/bench/results.md)"
	@echo "  kernel      build bzImage (PNUMA=n: the same kernel without CONFIG_PNUMA)"
	@echo "  vm          interactive root shell in the guest (Ctrl-A X quits)"
	@echo "  selftests   build and install the kselftests"
	@echo "  initramfs   build the guest's initramfs"
	@echo "  lint        checkpatch --strict, kernel-doc, W=1 and sparse as TAP"
	@echo "  series      OUT=DIR: the patch series for linux-mm (git format-patch"
	@echo "              against the Debian base, with a cover letter) in DIR"
	@echo "  series-check apply the series patch by patch, build each, checkpatch,"
	@echo "              W=1, sparse, kernel-doc; prints a table"
	@echo "  deps        install the Debian packages pnuma needs (apt-get)"
	@echo "  tree        prepare the patched kernel tree only"
	@echo "  clean       remove the build folder ($${PNUMA_BUILD:-build})"

deps:
	$(S)/pnuma-deps

tree: deps
	$(S)/pnuma-tree

kernel:
	$(S)/pnuma-kernel --pnuma $(PNUMA)

selftests:
	$(S)/pnuma-kernel --pnuma y
	$(S)/pnuma-selftests

initramfs: selftests
	$(S)/pnuma-initramfs

vm: initramfs
ifeq ($(PNUMA),n)
	$(S)/pnuma-kernel --pnuma n
	$(S)/pnuma-vm shell --kernel $${PNUMA_BUILD:-build}/obj-nopnuma/arch/x86/boot/bzImage
else
	$(S)/pnuma-vm shell
endif

demo:
	$(S)/pnuma-demo

check:
	$(S)/pnuma-check

check-debug:
	$(S)/pnuma-check-debug

check-mm:
	$(S)/pnuma-check-mm

bench:
	$(S)/pnuma-bench

stress:
	$(S)/pnuma-stress --time $(or $(TIME),600) $(if $(DEBUG),--debug)

lint:
	$(S)/pnuma-lint

series:
ifndef OUT
	$(error make series needs OUT=DIR, the folder to write the patches to)
endif
	$(S)/pnuma-deps
	$(S)/pnuma-series export $(OUT)

series-check:
	$(S)/pnuma-deps
	$(S)/pnuma-series-check

clean:
	rm -rf $${PNUMA_BUILD:-build}
