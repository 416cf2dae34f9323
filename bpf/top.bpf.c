// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys top: level switches counted in the kernel per transition and CPU
 * (per-CPU array), per caller address and per process and command name
 * (hash maps). Nothing
 * crosses to user space per event; user space reads the maps each
 * interval and computes rates from the differences.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KP_NR_TRANS);
	__type(key, __u32);
	__type(value, struct kp_trans_count);
} trans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u64);
} callers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct kp_task_key);
	__type(value, __u64);
} tasks SEC(".maps");

/* Events a full map could not attribute (still in the totals). */
__u64 dropped_callers, dropped_tasks;

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(top_switch, KP_SWITCH_PROTO)
{
	static const __u64 zero;
	struct kp_trans_count *t;
	struct kp_task_key tk = {};
	__u64 key = caller, *c;
	__u32 idx;

	if (kp_filtered())
		return 0;
	idx = kp_trans_idx(restore, from_level, to_level);
	t = bpf_map_lookup_elem(&trans, &idx);
	if (t) {
		t->count++;
		if (sync)
			t->syncs++;
	}

	c = kp_lookup_or_init(&callers, &key, &zero);
	if (c)
		kp_add(c, 1);
	else
		kp_add(&dropped_callers, 1);

	tk.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(tk.comm, sizeof(tk.comm));
	c = kp_lookup_or_init(&tasks, &tk, &zero);
	if (c)
		kp_add(c, 1);
	else
		kp_add(&dropped_tasks, 1);
	return 0;
}
