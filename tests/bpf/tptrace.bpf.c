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
#include "kpkeys_tool.h"	/* the events' parameter lists */

__u64 switches, raises, restores, batches, batch_writes, set_memory_pkeys;
__u64 keyed_ok, faults, splits;

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(on_switch, KP_SWITCH_PROTO)
{
	__sync_fetch_and_add(&switches, 1);
	if (restore)
		__sync_fetch_and_add(&restores, 1);
	else if (to_level > from_level)
		__sync_fetch_and_add(&raises, 1);
	return 0;
}

SEC("tp_btf/kpkeys_batch")
int BPF_PROG(on_batch, KP_BATCH_PROTO)
{
	__sync_fetch_and_add(&batches, 1);
	__sync_fetch_and_add(&batch_writes, writes);
	return 0;
}

SEC("tp_btf/kpkeys_set_memory_pkey")
int BPF_PROG(on_set_memory_pkey, KP_SET_MEMORY_PKEY_PROTO)
{
	__sync_fetch_and_add(&set_memory_pkeys, 1);
	if (ret == 0)
		__sync_fetch_and_add(&keyed_ok, 1);
	return 0;
}

SEC("tp_btf/kpkeys_fault")
int BPF_PROG(on_fault, KP_FAULT_PROTO)
{
	/* CO-RE read of the record the event passes. */
	if (BPF_CORE_READ(f, addr))
		__sync_fetch_and_add(&faults, 1);
	return 0;
}

SEC("tp_btf/kpkeys_split")
int BPF_PROG(on_split, KP_SPLIT_PROTO)
{
	__sync_fetch_and_add(&splits, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
