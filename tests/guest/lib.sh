# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Helpers for guest tests (sourced by suite.sh). Each check prints one line:
#   KPTEST ok NAME | KPTEST not ok NAME - reason | KPTEST skip NAME - reason
# which the host (tests/run.py) counts.

KP_COUNT=0
pass() { echo "KPTEST ok $1"; KP_COUNT=$((KP_COUNT + 1)); }
fail() { echo "KPTEST not ok $1 - $2"; KP_COUNT=$((KP_COUNT + 1)); }
skip() { echo "KPTEST skip $1 - $2"; KP_COUNT=$((KP_COUNT + 1)); }

# check NAME COMMAND...: pass when COMMAND exits 0; otherwise fail with the
# last line COMMAND printed. The command's output is shown either way.
check() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | sed "s/^/  [$name] /"
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(echo "$out" | tail -n 1)"
	fi
}
