#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Guest test suite: runs the given test files (names relative to this
# directory, default: every t-*.sh) in order, as KTAP: the plan is the
# number of files, each file is a subtest whose result line comes after
# its checks, so that the host notices a suite that died half-way.
dir=$(dirname "$0")
. "$dir/lib.sh"
[ $# -gt 0 ] || set -- $(cd "$dir" && ls t-*.sh)
echo "KTAP version 1"
echo "1..$#"
_kp_n=0
for _kp_t in "$@"; do
	_kp_n=$((_kp_n + 1))
	echo "  KTAP version 1"
	echo "  # Subtest: ${_kp_t%.sh}"
	KP_NUM=0
	KP_FAILED=0
	if [ -e "$dir/$_kp_t" ]; then
		. "$dir/$_kp_t"
	else
		fail "$_kp_t" "no such test file in $dir"
	fi
	if [ $KP_FAILED -eq 0 ]; then
		echo "ok $_kp_n ${_kp_t%.sh}"
	else
		echo "not ok $_kp_n ${_kp_t%.sh}"
	fi
done
