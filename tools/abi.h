/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The trace ABI as the kernel's BTF describes it: the kpkeys events'
 * arguments, checked against what the BPF programs take (the KP_*_PROTO
 * lists of bpf/kpkeys_tool.h), and the level names of enum kpkeys_level.
 */
#ifndef KPKEYS_ABI_H
#define KPKEYS_ABI_H

#include <stddef.h>

struct btf;

/*
 * Whether kpkeys:EVENT's arguments in BTF (its btf_trace_EVENT typedef)
 * are PROTO's, a C parameter list such as "bool restore, u64 reg": as
 * many, each of the same type. 0; -1 with WHY saying what differs, or
 * -2 when the kernel has no such event.
 */
int kp_abi_check(const struct btf *btf, const char *event, const char *proto,
		 char *why, size_t size);
/* The parameter list the programs take for EVENT; NULL if unknown. */
const char *kp_abi_proto(const char *event);
/*
 * The level names, from BTF's enum kpkeys_level (KPKEYS_LVL_NAME: NAME;
 * KPKEYS_LVL_NONE, a register value no level has: "?"). 0, or -1 when
 * BTF has no such enum (the names stay numbers).
 */
int kp_levels_from_btf(const struct btf *btf);

#endif
