// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys faults: every pkey fault, as it happens, with its kernel stack.
 * Faults are rare (each is a bug or an attack), so each one crosses to
 * user space through a ring buffer; a full buffer counts a drop. The
 * fault record is read field by field with CO-RE, so the program loads on
 * kernels whose struct kpkeys_fault_info differs from the one it was built
 * against.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 dropped;

SEC("tp_btf/kpkeys_fault")
int BPF_PROG(fault, KP_FAULT_PROTO)
{
	struct kp_fault_event *e;
	__u64 id = bpf_get_current_pid_tgid();
	long n;

	if (kp_filtered())
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		kp_add(&dropped, 1);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->addr = BPF_CORE_READ(f, addr);
	e->ip = BPF_CORE_READ(f, ip);
	e->reg = BPF_CORE_READ(f, reg);
	e->syndrome = BPF_CORE_READ(f, syndrome);
	e->pkey = BPF_CORE_READ(f, pkey);
	e->level = BPF_CORE_READ(f, level);
	e->access = BPF_CORE_READ(f, access);
	e->pgtable = BPF_CORE_READ(f, pgtable);
	if (bpf_core_field_exists(f->pgtable_level))
		e->pgtable_level = BPF_CORE_READ(f, pgtable_level);
	else
		e->pgtable_level = -1;
	/* kpkeys.enforce=report: what the kernel did; older kernels oops */
	if (bpf_core_field_exists(f->action))
		e->action = BPF_CORE_READ(f, action);
	else
		e->action = KP_FAULT_UNKNOWN;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	n = bpf_get_stack(ctx, e->stack, sizeof(e->stack), 0);
	e->nr_frames = n > 0 ? n / sizeof(__u64) : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
