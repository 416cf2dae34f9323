// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys splits: set_memory_pkey() calls and the block/contiguous mapping
 * splits they cause. Counted per kernel stack in maps (calls, pages,
 * failures) and, unless user space only wants the summary, streamed one
 * by one through a ring buffer (a call per page-table page allocated or
 * freed: a few thousand per second at most), with a drop counter.
 */
#include "common.bpf.h"

const volatile bool stream = true;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, KP_MAX_STACK * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct kp_smp_stat);
} calls SEC(".maps");

/* totals since load, for the summary */
__u64 total_calls, total_pages, total_failed, total_splits, dropped, stack_errors;

static const struct kp_smp_stat zero;

static __always_inline struct kp_split_event *new_event(__u32 type, __s32 stackid)
{
	struct kp_split_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	if (!stream)
		return NULL;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		kp_add(&dropped, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->ts_ns = bpf_ktime_get_ns();
	e->cpu = bpf_get_smp_processor_id();
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->stackid = stackid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

SEC("tp_btf/kpkeys_set_memory_pkey")
int BPF_PROG(splits_set_memory_pkey, KP_SET_MEMORY_PKEY_PROTO)
{
	struct kp_split_event *e;
	struct kp_smp_stat *s;
	__s32 id;
	__u32 key;

	if (kp_filtered())
		return 0;
	kp_add(&total_calls, 1);
	kp_add(&total_pages, nr_pages > 0 ? nr_pages : 0);
	if (ret)
		kp_add(&total_failed, 1);
	id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0) {
		kp_add(&stack_errors, 1);
	} else {
		key = id;
		s = kp_lookup_or_init(&calls, &key, &zero);
		if (s) {
			kp_add(&s->calls, 1);
			kp_add(&s->pages, nr_pages > 0 ? nr_pages : 0);
			if (ret)
				kp_add(&s->failed, 1);
		}
	}
	e = new_event(KP_EV_SET_MEMORY_PKEY, id);
	if (!e)
		return 0;
	e->addr = addr;
	e->nr_pages = nr_pages;
	e->pkey = pkey;
	e->ret = ret;
	e->caller = caller;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/kpkeys_split")
int BPF_PROG(splits_split, KP_SPLIT_PROTO)
{
	struct kp_split_event *e;
	__s32 id;

	if (kp_filtered())
		return 0;
	kp_add(&total_splits, 1);
	id = bpf_get_stackid(ctx, &stacks, 0);
	if (id < 0)
		kp_add(&stack_errors, 1);
	e = new_event(KP_EV_SPLIT, id);
	if (!e)
		return 0;
	e->addr = addr;
	e->size_before = size_before;
	e->size_after = size_after;
	e->level = level;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
