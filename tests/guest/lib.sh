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

# The kpkeys tool, for t-tool.sh and t-pks.sh.
# tool_start OUT ARGS...: run kpkeys ARGS in the background, stdout to
# OUT, stderr to OUT.err; return once it has attached (or died).
tool_start() {
	out=$1
	shift
	kpkeys "$@" > "$out" 2> "$out.err" &
	TOOL_PID=$!
	i=0
	while ! grep -q 'tracing' "$out.err" 2>/dev/null; do
		kill -0 $TOOL_PID 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -lt 300 ] || return 1
		sleep 0.1
	done
}

# tool_stop: SIGINT, then the tool's exit status.
tool_stop() {
	kill -INT $TOOL_PID 2>/dev/null
	wait $TOOL_PID
}

# run_tool NAME WORKLOAD ARGS...: start, run WORKLOAD (a shell command),
# stop; the check passes when the tool exited 0 after a clean start.
# Output in /tmp/tool-NAME.out(.err).
run_tool() {
	name=$1
	work=$2
	shift 2
	o=/tmp/tool-$name.out
	if ! tool_start $o "$@"; then
		cat $o.err
		wait $TOOL_PID
		echo "kpkeys $* did not start (exit $?)"
		return 1
	fi
	sh -c "$work" > /dev/null
	tool_stop
	rc=$?
	cat $o.err
	echo "kpkeys $*: exit $rc, $(wc -l < $o) lines"
	[ $rc -eq 0 ]
}
