#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# make demo: what the guest kernel is, whether kpkeys is active, and what
# the representative page-table workloads cost in it.

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
hr
field "page-table memory" "${before} kB before, ${after} kB after the workloads"
