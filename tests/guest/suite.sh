#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Guest test suite: runs every t-*.sh next to it, in name order, then
# announces how many checks ran so that the host notices a suite that died.
dir=$(dirname "$0")
. "$dir/lib.sh"
for t in "$dir"/t-*.sh; do
	[ -e "$t" ] || continue
	echo "== $(basename "$t")"
	. "$t"
done
echo "KPTEST done $KP_COUNT"
