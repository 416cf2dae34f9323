/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Types shared by the kpkeys tool's BPF programs (bpf/NAME.bpf.c) and its
 * user-space side (tools/). Included after vmlinux.h in BPF and after
 * <linux/types.h> in user space; only fixed-size types.
 */
#ifndef KPKEYS_TOOL_H
#define KPKEYS_TOOL_H

/*
 * The trace ABI (tracepoints/README.md): each event's arguments as its
 * TP_PROTO declares them, with the same names. The programs take them as
 * these lists; the tool checks each list against the kernel's BTF before
 * it loads a program (tools/abi.c), so a kernel whose events changed gets
 * an error that says so, never wrong numbers. Level values come from the
 * kernel's enum kpkeys_level (bpf_core_enum_value() in the programs, its
 * names in the tool), never from here.
 */
#define KP_SWITCH_PROTO bool restore, enum kpkeys_level from_level,		\
	enum kpkeys_level to_level, u64 from_reg, u64 to_reg, u64 cycles,	\
	u64 cost_ns, bool sync, unsigned long caller
#define KP_BATCH_PROTO unsigned int writes, unsigned int switches,		\
	unsigned int switches_avoided, unsigned int syncs_elided,		\
	u64 duration_ns, unsigned long caller
#define KP_FAULT_PROTO const struct kpkeys_fault_info *f
#define KP_SET_MEMORY_PKEY_PROTO unsigned long addr, int nr_pages, int pkey,	\
	int ret, unsigned long caller
#define KP_SPLIT_PROTO unsigned long addr, unsigned long size_before,		\
	unsigned long size_after, int level

#define KP_NR_LEVELS		8	/* slots for levels -1..6, as level + 1 */

#define KP_TASK_COMM_LEN	16
#define KP_MAX_STACK		32	/* kernel frames kept per stack */
#define KP_HIST_SLOTS		64	/* log2 buckets: slot i holds [2^i, 2^(i+1)) */

/* top: per-CPU counts per transition; index = kp_trans_idx(). */
#define KP_NR_TRANS		(2 * KP_NR_LEVELS * KP_NR_LEVELS)

static inline int kp_lvl_slot(int level)
{
	if (level < -1)
		level = -1;
	if (level > KP_NR_LEVELS - 2)
		level = KP_NR_LEVELS - 2;
	return level + 1;
}

static inline unsigned int kp_trans_idx(int restore, int from, int to)
{
	return ((restore ? 1 : 0) * KP_NR_LEVELS + kp_lvl_slot(from)) *
	       KP_NR_LEVELS + kp_lvl_slot(to);
}

struct kp_trans_count {
	__u64 count;
	__u64 syncs;
};

/* top: per process and command name (an exec starts a new row). */
struct kp_task_key {
	__u32 tgid;
	char comm[KP_TASK_COMM_LEN];
};

/* isb: one log2 histogram of nanoseconds (per CPU through a per-CPU map). */
struct kp_hist {
	__u64 slots[KP_HIST_SLOTS];
	__u64 count;
	__u64 sum;
	__u64 max;
};

/* batch: per caller address, folded to functions in user space. */
struct kp_batch_stat {
	__u64 windows;		/* kpkeys_batch events */
	__u64 writes;		/* their writes */
	__u64 switches;		/* their switches (2 per raised section) */
	__u64 avoided;		/* their switches_avoided */
	__u64 elided;		/* their syncs_elided */
	__u64 pgt_switches;	/* kpkeys_switch events to or from PGTABLES */
	__u64 pgt_restores;	/* of which restores from PGTABLES */
};

/* audit: per kernel stack of a raise to PGTABLES. */
struct kp_audit_stat {
	__u64 windows;
	__u64 writes;
};

#define KP_AUDIT_DEPTH 4
struct kp_audit_task {
	__s32 open[KP_AUDIT_DEPTH];	/* stack ids of open windows */
	__u32 depth;
	__s32 last;			/* stack id of the last closed window */
};

/* faults: one record per kpkeys_fault, through a ring buffer. action is
 * the kernel's enum kpkeys_fault_action, or KP_FAULT_UNKNOWN on a kernel
 * whose event has no such field. */
enum { KP_FAULT_UNKNOWN = -1, KP_FAULT_OOPS = 0, KP_FAULT_ALLOWED = 1 };

struct kp_fault_event {
	__u64 ts_ns;
	__u64 addr;
	__u64 ip;
	__u64 reg;
	__u64 syndrome;
	__s32 pkey;
	__s32 level;
	__s32 access;
	__s32 pgtable_level;
	__u32 pgtable;
	__u32 cpu;
	__u32 pid;
	__u32 tid;
	char comm[KP_TASK_COMM_LEN];
	__s32 nr_frames;
	__s32 action;			/* enum kpkeys_fault_action, -1 unknown */
	__u64 stack[KP_MAX_STACK];
};

/* splits: set_memory_pkey() calls and splits, through a ring buffer. */
enum { KP_EV_SET_MEMORY_PKEY = 1, KP_EV_SPLIT = 2 };

struct kp_split_event {
	__u32 type;
	__u32 cpu;
	__u64 ts_ns;
	__u32 pid;
	__u32 tid;
	char comm[KP_TASK_COMM_LEN];
	__u64 addr;
	__u64 caller;		/* set_memory_pkey */
	__u64 size_before;	/* split */
	__u64 size_after;	/* split */
	__s32 nr_pages;		/* set_memory_pkey */
	__s32 pkey;		/* set_memory_pkey */
	__s32 ret;		/* set_memory_pkey */
	__s32 level;		/* split */
	__s32 stackid;		/* in the program's stack map, < 0 if none */
	__u32 pad;
};

struct kp_smp_stat {
	__u64 calls;
	__u64 pages;
	__u64 failed;
};

#endif /* KPKEYS_TOOL_H */
