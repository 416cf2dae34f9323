#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# make demo: what the guest kernel is, whether kpkeys is active, what the
# representative page-table workloads cost in it, and the kpkeys tool's
# reports on them.

hr() { echo "---------------------------------------------------------------"; }
field() { printf '%-26s %s\n' "$1" "$2"; }

hr
field "kernel" "$(uname -r) ($(uname -m))"
field "command line" "$(cat /proc/cmdline)"
field "CPUs / memory" "$(nproc) / $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
if [ -r /sys/kernel/kpkeys/mode ]; then
	mode=$(cat /sys/kernel/kpkeys/mode)
	case $mode in
	mock) what="CONTEXTIDR_EL1 stands in for POR_EL1: real cost, no enforcement" ;;
	poe) what="POR_EL1 enforces kpkeys" ;;
	*) what="kpkeys inactive" ;;
	esac
	field "kpkeys mode" "$mode ($what)"
	field "kpkeys boot line" "$(dmesg | sed -n 's/^\[[^]]*\] //p' | grep -m1 '^kpkeys: mode')"
	if [ -r /sys/kernel/kpkeys/hardened_pgtables ]; then
		field "hardened page tables" "$(cat /sys/kernel/kpkeys/hardened_pgtables), batching $(cat /sys/kernel/kpkeys/batching)"
		field "  boot line" "$(dmesg | sed -n 's/^\[[^]]*\] //p' | grep -m1 '^kpkeys: hardened page tables')"
	fi
else
	field "kpkeys mode" "not present (this kernel has no kpkeys)"
fi
if [ -d /sys/kernel/tracing/events/kpkeys ]; then
	field "kpkeys tracepoints" "$(ls /sys/kernel/tracing/events/kpkeys | grep -v -e enable -e filter | tr '\n' ' ')"
else
	field "kpkeys tracepoints" "none (tracepoint series not applied)"
fi
field "BTF" "$( [ -s /sys/kernel/btf/vmlinux ] && echo "yes, $(wc -c < /sys/kernel/btf/vmlinux) bytes" || echo no)"
hr

pt() { awk '/^PageTables:/ {print $2}' /proc/meminfo; }
echo "Workloads (times are emulated: TCG says nothing about real hardware)"
echo
before=$(pt)
mmwork fork -s 256M -n 4
mmwork munmap -q -s 256M -n 2
mmwork mprotect -q -s 64M
mmwork mremap -q -s 64M
mmwork madvise -q -s 64M
after=$(pt)
if [ -r /sys/kernel/debug/kpkeys/counters ] &&
   [ "$(cat /sys/kernel/kpkeys/hardened_pgtables 2>/dev/null)" = on ]; then
	echo
	echo "kpkeys counters for one fork (and exit) of a 64M populated mapping:"
	mmwork fork -q -c -s 64M | sed -n 's/^mmwork fork counters /  /p' | tr ' ' '\n' | sed '/^$/d; s/^/  /; s/=/: /'
fi
echo
echo "vmalloc (lib/test_vmalloc.ko, fix_size_alloc_test, 1 page, 20000 loops):"
# The module's init returns -EAGAIN on purpose after its run; busybox then
# retries through init_module(), so the test runs twice: show the first.
dmesg -c >/dev/null
modprobe test_vmalloc run_test_mask=1 nr_threads=1 test_repeat_count=1 \
	test_loop_count=20000 2>/dev/null
dmesg | sed -n 's/.*\(Summary: .*\)/  \1/p' | head -n 1
field "page-table memory" "${before} kB before, ${after} kB after the workloads"

# The kpkeys tool on the same workloads: each report is started, fed the
# workload, and stopped with SIGINT as Ctrl-C would.
# report TITLE WORKLOAD KPKEYS-ARGS...
report() {
	title=$1
	work=$2
	shift 2
	hr
	echo "\$ kpkeys $*    # $title"
	kpkeys "$@" 2> /tmp/demo-tool.err &
	pid=$!
	i=0
	while ! grep -q tracing /tmp/demo-tool.err 2>/dev/null && [ $i -lt 300 ]; do
		kill -0 $pid 2>/dev/null || break
		i=$((i + 1))
		sleep 0.1
	done
	sh -c "$work" > /dev/null
	kill -INT $pid 2>/dev/null
	wait $pid || { echo "kpkeys $1 failed:"; cat /tmp/demo-tool.err; }
}
if command -v kpkeys > /dev/null && [ -d /sys/kernel/tracing/events/kpkeys ]; then
	report "switch rates during a fork of 64M and a munmap of 64M" \
		"mmwork fork -q -s 64M; mmwork munmap -q -s 64M" top -n 5
	report "what a switch costs (emulated here: TCG time, not a real ISB)" \
		"mmwork fork -q -s 64M" isb
	report "batching effectiveness over 4 forks of 64M" \
		"mmwork fork -q -s 64M -n 4" batch -n 6
	report "which code paths write page tables: munmap of 64M" \
		"mmwork munmap -q -s 64M" audit -n 3 --writes
	report "set_memory_pkey() calls per call path: a fork of 64M" \
		"mmwork fork -q -s 64M" splits -S -n 5
	report "pkey faults under normal load (none: the mock backend never faults)" \
		"mmwork fork -q -s 64M" faults
fi
hr
