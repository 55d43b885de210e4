#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run in the guest by scripts/pnuma-check: run a command that prints TAP
# (a kselftest program) between markers that scripts/ktap-summary finds,
# its cases named "NAME: ...".
#
# Usage: tap.sh NAME COMMAND [ARGS...]

name=$1
shift
echo "PNUMA-TAP-BEGIN $name"
"$@"
echo "PNUMA-TAP-END $name"
