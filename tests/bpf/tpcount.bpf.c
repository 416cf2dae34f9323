// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Minimal CO-RE program for the guest's BPF smoke test: a BTF-typed
 * tracepoint (tp_btf) on sched_process_fork that counts forks made by one
 * process. It proves that the kernel's BTF, the BPF JIT, tp_btf attachment
 * and libbpf's skeleton loading all work in the guest.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

const volatile pid_t target_tgid = 0;

__u64 forks = 0;
__u64 other = 0;

SEC("tp_btf/sched_process_fork")
int BPF_PROG(count_fork, struct task_struct *parent, struct task_struct *child)
{
	/* CO-RE relocated field read. */
	pid_t tgid = BPF_CORE_READ(parent, tgid);

	if (target_tgid && tgid != target_tgid) {
		__sync_fetch_and_add(&other, 1);
		return 0;
	}
	__sync_fetch_and_add(&forks, 1);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
