#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Guest test suite: runs the given test files (names relative to this
# directory, default: every t-*.sh) in order, then announces how many
# checks ran so that the host notices a suite that died.
dir=$(dirname "$0")
. "$dir/lib.sh"
[ $# -gt 0 ] || set -- $(cd "$dir" && ls t-*.sh)
for t in "$@"; do
	echo "== $t"
	if [ -e "$dir/$t" ]; then
		. "$dir/$t"
	else
		fail "$t" "no such test file in $dir"
	fi
done
echo "KPTEST done $KP_COUNT"
