/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * What every kpkeys tool program shares: the -p/-C filters, set by user
 * space before load (const volatile: the verifier prunes what they rule
 * out), and the kpkeys trace events' BTF-typed arguments
 * (tracepoints/README.md).
 */
#ifndef KPKEYS_COMMON_BPF_H
#define KPKEYS_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kpkeys_tool.h"

const volatile __u32 targ_tgid = 0;	/* 0: every process */
const volatile __s32 targ_cpu = -1;	/* -1: every CPU */

static __always_inline bool kp_filtered(void)
{
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return true;
	if (targ_cpu >= 0 && bpf_get_smp_processor_id() != (__u32)targ_cpu)
		return true;
	return false;
}

/* Find-or-create for hash maps of counters: NULL only when the map is full. */
static __always_inline void *kp_lookup_or_init(void *map, const void *key,
					       const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static __always_inline void kp_add(__u64 *p, __u64 v)
{
	__sync_fetch_and_add(p, v);
}

/* log2 histogram slot: floor(log2(v)), 0 for 0 and 1. */
static __always_inline __u32 kp_log2_slot(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void kp_hist_add(struct kp_hist *h, __u64 v)
{
	__u32 slot = kp_log2_slot(v);

	if (slot >= KP_HIST_SLOTS)
		slot = KP_HIST_SLOTS - 1;
	h->slots[slot]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

/* The level page-table writes need, as this kernel numbers it. */
static __always_inline int kp_lvl_pgtables(void)
{
	return bpf_core_enum_value(enum kpkeys_level, KPKEYS_LVL_PGTABLES);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#endif /* KPKEYS_COMMON_BPF_H */
