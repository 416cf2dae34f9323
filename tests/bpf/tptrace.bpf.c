// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * One tp_btf program per kpkeys trace event: each counts its hits and
 * reads its BTF-typed arguments, which proves the events are BTF-typed and
 * attachable from BPF (tests/guest/t-trace.sh runs kp-tptrace).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

__u64 switches, raises, restores, batches, batch_writes, set_memory_pkeys;
__u64 keyed_ok, faults, splits;

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(on_switch, bool restore, int from_level, int to_level,
	     u64 from_reg, u64 to_reg, u64 cycles, u64 cost_ns, bool sync,
	     unsigned long caller)
{
	__sync_fetch_and_add(&switches, 1);
	if (restore)
		__sync_fetch_and_add(&restores, 1);
	else if (to_level > from_level)
		__sync_fetch_and_add(&raises, 1);
	return 0;
}

SEC("tp_btf/kpkeys_batch")
int BPF_PROG(on_batch, unsigned int writes, unsigned int nr_switches,
	     unsigned int avoided, unsigned int elided, u64 duration_ns,
	     unsigned long caller)
{
	__sync_fetch_and_add(&batches, 1);
	__sync_fetch_and_add(&batch_writes, writes);
	return 0;
}

SEC("tp_btf/kpkeys_set_memory_pkey")
int BPF_PROG(on_set_memory_pkey, unsigned long addr, int nr_pages, int pkey,
	     int ret, unsigned long caller)
{
	__sync_fetch_and_add(&set_memory_pkeys, 1);
	if (ret == 0)
		__sync_fetch_and_add(&keyed_ok, 1);
	return 0;
}

SEC("tp_btf/kpkeys_fault")
int BPF_PROG(on_fault, const struct kpkeys_fault_info *f)
{
	/* CO-RE read of the record the event passes. */
	if (BPF_CORE_READ(f, addr))
		__sync_fetch_and_add(&faults, 1);
	return 0;
}

SEC("tp_btf/kpkeys_split")
int BPF_PROG(on_split, unsigned long addr, unsigned long size_before,
	     unsigned long size_after, int level)
{
	__sync_fetch_and_add(&splits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
