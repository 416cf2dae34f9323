// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys audit: which kernel code paths gain page-table write access. Each
 * raise to PGTABLES (a guarded write, or a lazy-MMU section's enter) takes
 * the kernel stack; the window it opens is counted against that stack,
 * with its writes: the kpkeys_batch event that follows a section's restore
 * gives a section's writes, a window without one (a guarded write) counts
 * one. Open windows are tracked per thread (a small stack of them: an
 * exception inside a section opens its own).
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KP_MAX_STACK * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct kp_audit_stat);
} windows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct kp_audit_task);
} tasks SEC(".maps");

/* Raises whose stack could not be taken or kept; windows not attributed. */
__u64 stack_errors, dropped_windows;

static const struct kp_audit_stat zero;
static const struct kp_audit_task tzero = { .last = -1 };

static __always_inline struct kp_audit_stat *stat_of(__s32 id)
{
	__u32 key = id;

	if (id < 0)
		return NULL;
	return kp_lookup_or_init(&windows, &key, &zero);
}

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(audit_switch, KP_SWITCH_PROTO)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kp_audit_task *t;
	struct kp_audit_stat *s;
	__u32 d;
	__s32 id;

	if (kp_filtered())
		return 0;
	if (!restore && to_level == kp_lvl_pgtables() &&
	    from_level != kp_lvl_pgtables()) {
		id = bpf_get_stackid(ctx, &stacks, 0);
		if (id < 0)
			kp_add(&stack_errors, 1);
		s = stat_of(id);
		if (s)
			kp_add(&s->windows, 1);
		else
			kp_add(&dropped_windows, 1);
		t = kp_lookup_or_init(&tasks, &tid, &tzero);
		if (!t)
			return 0;
		d = t->depth;
		if (d < KP_AUDIT_DEPTH) {
			t->open[d & (KP_AUDIT_DEPTH - 1)] = id;
			t->depth = d + 1;
		}
		return 0;
	}
	if (restore && from_level == kp_lvl_pgtables() &&
	    to_level != kp_lvl_pgtables()) {
		t = bpf_map_lookup_elem(&tasks, &tid);
		if (!t || !t->depth)
			return 0;	/* opened before we attached */
		d = t->depth - 1;
		t->depth = d;
		id = t->open[d & (KP_AUDIT_DEPTH - 1)];
		t->last = id;
		/* One write, until a kpkeys_batch says how many. */
		s = stat_of(id);
		if (s)
			kp_add(&s->writes, 1);
	}
	return 0;
}

SEC("tp_btf/kpkeys_batch")
int BPF_PROG(audit_batch, KP_BATCH_PROTO)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct kp_audit_task *t;
	struct kp_audit_stat *s;

	/* Emitted right after the section's restore, on the same thread. */
	if (!switches || !writes || kp_filtered())
		return 0;
	t = bpf_map_lookup_elem(&tasks, &tid);
	if (!t || t->last < 0)
		return 0;
	s = stat_of(t->last);
	if (s)
		kp_add(&s->writes, writes - 1);
	t->last = -1;
	return 0;
}
