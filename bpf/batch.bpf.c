// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys batch: how well lazy-MMU sections batch page-table writes. From
 * kpkeys_batch (one event per section that wrote): windows, writes, the
 * switches they made and avoided, a log2 histogram of writes per window;
 * from kpkeys_switch: every switch to or from PGTABLES, so that user space
 * can count the windows no batch covered. Totals in a per-CPU array, the
 * same figures per caller address in a hash map.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_batch_stat);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kp_hist);
} writes_hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct kp_batch_stat);
} callers SEC(".maps");

__u64 dropped_callers;

static const struct kp_batch_stat zero;

SEC("tp_btf/kpkeys_batch")
int BPF_PROG(batch_window, KP_BATCH_PROTO)
{
	__u32 k = 0;
	__u64 key = caller;
	struct kp_batch_stat *t, *c;
	struct kp_hist *h;

	if (kp_filtered())
		return 0;
	t = bpf_map_lookup_elem(&totals, &k);
	if (t) {
		t->windows++;
		t->writes += writes;
		t->switches += switches;
		t->avoided += switches_avoided;
		t->elided += syncs_elided;
	}
	h = bpf_map_lookup_elem(&writes_hist, &k);
	if (h)
		kp_hist_add(h, writes);
	c = kp_lookup_or_init(&callers, &key, &zero);
	if (!c) {
		kp_add(&dropped_callers, 1);
		return 0;
	}
	kp_add(&c->windows, 1);
	kp_add(&c->writes, writes);
	kp_add(&c->switches, switches);
	kp_add(&c->avoided, switches_avoided);
	kp_add(&c->elided, syncs_elided);
	return 0;
}

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(batch_switch, KP_SWITCH_PROTO)
{
	__u32 k = 0;
	__u64 key = caller;
	struct kp_batch_stat *t, *c;
	bool down = restore && from_level == kp_lvl_pgtables() &&
		    to_level != kp_lvl_pgtables();

	if (from_level != kp_lvl_pgtables() && to_level != kp_lvl_pgtables())
		return 0;
	if (kp_filtered())
		return 0;
	t = bpf_map_lookup_elem(&totals, &k);
	if (t) {
		t->pgt_switches++;
		if (down)
			t->pgt_restores++;
	}
	c = kp_lookup_or_init(&callers, &key, &zero);
	if (!c) {
		kp_add(&dropped_callers, 1);
		return 0;
	}
	kp_add(&c->pgt_switches, 1);
	if (down)
		kp_add(&c->pgt_restores, 1);
	return 0;
}
