#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The kernel's own mm selftests (tools/testing/selftests/mm of the same
# linux-source-6.12, built static by scripts/mm-selftests.sh), run one after
# another in the guest. tests/run.py boots the vanilla and the hardened
# kernel with this script and compares what each test reports.
#
#   mm-selftests.sh [--faults] [LIST]
#
# LIST (default: the archive's copy of tests/mm-selftests.txt): one test
# per line, "NAME COMMAND..."; blank lines and # comments are skipped.
# For each test the output is
#   MMST begin NAME
#   ... the test's own output (kselftest's TAP: ok / not ok / # SKIP) ...
#   MMST end NAME exit N SECONDS s
# With --faults, `kpkeys faults --json` traces the whole run (its files
# are in /run: a test mounts over /tmp) and its output is printed between "MMST faults begin" and "MMST faults end".
BIN=/usr/lib/kpkeys/mm-selftests
faults=
[ "$1" = --faults ] && { faults=1; shift; }
[ -d "$BIN" ] || { echo "mm-selftests: no $BIN: boot with build/ARCH-mm-selftests/mm-selftests.cpio.gz"; exit 2; }
list=${1:-$BIN/list}
[ -r "$list" ] || { echo "mm-selftests: no list $list"; exit 2; }

# hugetlb tests need pages in the pool; gup_test needs its debugfs file.
echo 64 > /proc/sys/vm/nr_hugepages
mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages

if [ -n "$faults" ]; then
	kpkeys faults --json > /run/mmst-faults.json 2> /run/mmst-faults.err &
	fpid=$!
	i=0
	while ! grep -q tracing /run/mmst-faults.err 2>/dev/null; do
		kill -0 $fpid 2>/dev/null || { cat /run/mmst-faults.err; echo "mm-selftests: kpkeys faults did not start"; exit 1; }
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "mm-selftests: kpkeys faults did not attach"; exit 1; }
		sleep 0.1
	done
fi

cd "$BIN" || exit 2
grep -v '^[[:space:]]*\(#\|$\)' "$list" | while read -r name cmd; do
	echo "MMST begin $name"
	t0=$(cut -d' ' -f1 /proc/uptime)
	# Each test gets 5 minutes.
	timeout 300 sh -c "exec ./$cmd" < /dev/null 2>&1
	rc=$?
	echo "MMST end $name exit $rc $(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime) s"
done

if [ -n "$faults" ]; then
	kill -INT $fpid
	wait $fpid
	rc=$?
	echo "MMST faults begin"
	cat /run/mmst-faults.json /run/mmst-faults.err
	echo "MMST faults end exit $rc"
fi
