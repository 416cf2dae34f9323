# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Helpers for guest tests (sourced by suite.sh). The suite prints KTAP
# (Documentation/dev-tools/ktap.rst): one subtest per test file, one
# result line per check in it, which the host reads with scripts/ktap.py:
#   ok N NAME | not ok N NAME # reason | ok N NAME # SKIP reason
# Anything else a test prints goes out as a diagnostic line ("# ...").

KP_NUM=0	# checks so far in this file
KP_FAILED=0	# of them failed
pass() { KP_NUM=$((KP_NUM + 1)); echo "  ok $KP_NUM $1"; }
fail() {
	KP_NUM=$((KP_NUM + 1)); KP_FAILED=$((KP_FAILED + 1))
	echo "  not ok $KP_NUM $1 # $2"
}
skip() { KP_NUM=$((KP_NUM + 1)); echo "  ok $KP_NUM $1 # SKIP $2"; }

# note NAME: stdin as diagnostic lines of check NAME
note() { sed "s/^/  # [$1] /"; }

# check NAME FUNCTION [ARGS...]: pass when FUNCTION (a shell function, or
# a command) exits 0; otherwise fail with the last line it printed. It
# runs in a subshell, so it may exit; its output is shown either way.
check() {
	name=$1
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out" | note "$name"
	if [ $rc -eq 0 ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $(echo "$out" | tail -n 1)"
	fi
}

# jget FILE PATH [-w KEY=VALUE]...: the first value at PATH in the
# documents of FILE (jsoncheck -g; empty if none)
jget() {
	_jget_file=$1
	_jget_path=$2
	shift 2
	jsoncheck -g "$_jget_path" "$@" "$_jget_file" 2>/dev/null | head -n 1
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
