# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# Guest basics: filesystems /init mounts, BTF, a CO-RE tp_btf program,
# module loading and the memory workloads.

for fs in proc sysfs devtmpfs devpts tmpfs debugfs tracefs bpf; do
	check "mount-$fs" grep -q " $fs " /proc/mounts
done

check btf-vmlinux test -s /sys/kernel/btf/vmlinux
check tracefs-events test -d /sys/kernel/tracing/events/sched/sched_process_fork
check bpf-tp_btf-counts-forks kp-tpcount 32

# lib/test_vmalloc.ko: loads, runs one small case, unloads itself (its init
# returns -EAGAIN on purpose, so modprobe reports an error).
# Only the log lines the module adds are looked at: the log stays intact
# for later tests.
vmalloc_smoke() {
	before=$(dmesg | wc -l)
	modprobe test_vmalloc run_test_mask=1 nr_threads=1 test_repeat_count=1 \
		test_loop_count=1000 2>/dev/null
	dmesg | tail -n +$((before + 1)) |
		grep -E "Summary: fix_size_alloc_test passed: 1 failed: 0" ||
		{ dmesg | tail -n 5; return 1; }
}
check module-test_vmalloc vmalloc_smoke

check workload-fork mmwork fork -s 64M -n 2
check workload-munmap mmwork munmap -s 64M
t_workload_mprotect_mremap_madvise() {
	mmwork mprotect -s 16M && mmwork mremap -s 16M && mmwork madvise -s 16M
}
check workload-mprotect-mremap-madvise t_workload_mprotect_mremap_madvise
check workload-thp-pte-mapped mmwork fork -s 32M -H
