// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys isb: what a level switch costs, the pkey-register write plus its
 * sync barrier (ISB on arm64; x86-64's WRMSR to IA32_PKRS needs none),
 * from kpkeys_switch's cost_ns: one log2 histogram per CPU (per-CPU array,
 * no contention), slot 0 for switches with their own barrier and slot 1
 * for writes whose barrier a later one covered (sync=0). Where the
 * architecture has no barrier (no_sync_arch, set before load) every switch
 * is a whole switch and goes to slot 0.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct kp_hist);
} hists SEC(".maps");

const volatile bool no_sync_arch = false;

SEC("tp_btf/kpkeys_switch")
int BPF_PROG(isb_switch, KP_SWITCH_PROTO)
{
	__u32 idx = sync || no_sync_arch ? 0 : 1;
	struct kp_hist *h;

	if (kp_filtered())
		return 0;
	h = bpf_map_lookup_elem(&hists, &idx);
	if (!h)
		return 0;
	kp_hist_add(h, cost_ns);
	return 0;
}
