/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Names for what the kpkeys trace events carry: levels, access types, and
 * the architecture's fault syndrome and pkey register (arm64: ESR_EL1 and
 * POR_EL1; x86-64: the page-fault error code and PKRS).
 */
#ifndef KPKEYS_DECODE_H
#define KPKEYS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kp_arch { KP_ARCH_ARM64, KP_ARCH_X86_64, KP_ARCH_OTHER };

/* From a uname machine string ("aarch64", "x86_64", ...). */
enum kp_arch kp_arch_from_machine(const char *machine);
/*
 * Level LEVEL's name into BUF (at least 16 bytes), which it returns: as
 * the kernel's BTF names it (kp_levels_from_btf(), tools/abi.c), "?" for
 * -1 (a register value no level has), else the number.
 */
const char *kp_level_name(int level, char *buf, size_t size);
const char *kp_access_name(int access);
/* The syndrome in words, e.g. "data abort (same EL), permission fault L3, write, overlay". */
void kp_decode_syndrome(enum kp_arch arch, uint64_t syndrome, char *buf, size_t size);
/* Per-pkey permissions, e.g. "0:rwx 1:r-- 2:rwx ..." (arm64 POR_EL1). */
void kp_decode_reg(enum kp_arch arch, uint64_t reg, char *buf, size_t size);
/*
 * Whether a stack frame belongs to the tracing machinery (BPF, the
 * tracepoint, kpkeys' own trace wrappers) rather than the code traced.
 */
bool kp_frame_is_tracing(const char *name);

#endif
