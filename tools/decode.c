// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "decode.h"

enum kp_arch kp_arch_from_machine(const char *m)
{
	if (!strcmp(m, "aarch64") || !strcmp(m, "arm64"))
		return KP_ARCH_ARM64;
	if (!strcmp(m, "x86_64"))
		return KP_ARCH_X86_64;
	return KP_ARCH_OTHER;
}

const char *kp_access_name(int access)
{
	switch (access) {
	case 0: return "read";
	case 1: return "write";
	case 2: return "exec";
	}
	return "?";
}

/* Append to BUF (always terminated). */
static void __attribute__((format(printf, 4, 5)))
cat(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < size - *len ? (size_t)n : size - *len - 1;
}

static void decode_esr(uint64_t esr, char *buf, size_t size)
{
	unsigned int ec = (esr >> 26) & 0x3f;
	unsigned int fsc = esr & 0x3f;
	size_t len = 0;
	const char *what;

	buf[0] = 0;
	switch (ec) {
	case 0x20: what = "instruction abort (lower EL)"; break;
	case 0x21: what = "instruction abort (same EL)"; break;
	case 0x24: what = "data abort (lower EL)"; break;
	case 0x25: what = "data abort (same EL)"; break;
	default: what = NULL;
	}
	if (!what) {
		cat(buf, size, &len, "EC 0x%02x", ec);
		return;
	}
	cat(buf, size, &len, "%s", what);
	if (fsc >= 0x0c && fsc <= 0x0f)
		cat(buf, size, &len, ", permission fault L%u", fsc - 0x0c);
	else if (fsc >= 0x04 && fsc <= 0x07)
		cat(buf, size, &len, ", translation fault L%u", fsc - 0x04);
	else if (fsc >= 0x08 && fsc <= 0x0b)
		cat(buf, size, &len, ", access flag fault L%u", fsc - 0x08);
	else
		cat(buf, size, &len, ", FSC 0x%02x", fsc);
	if (ec == 0x24 || ec == 0x25) {
		/* ISS.WnR; ISS.CM (cache maintenance) reads as a write */
		cat(buf, size, &len, ", %s", (esr >> 6) & 1 ? "write" : "read");
	}
	/* ISS2 (ESR_EL1[55:32]): Overlay, bit 6 */
	if ((esr >> 32) & (1ULL << 6))
		cat(buf, size, &len, ", overlay");
}

static void decode_pf_error(uint64_t ec, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	cat(buf, size, &len, "%s", ec & 1 ? "protection violation" : "not present");
	cat(buf, size, &len, ", %s", ec & 16 ? "exec" : ec & 2 ? "write" : "read");
	cat(buf, size, &len, ", %s", ec & 4 ? "user" : "supervisor");
	if (ec & 8)
		cat(buf, size, &len, ", reserved bit");
	if (ec & 32)
		cat(buf, size, &len, ", pkey");
}

void kp_decode_syndrome(enum kp_arch arch, uint64_t syndrome, char *buf,
			size_t size)
{
	switch (arch) {
	case KP_ARCH_ARM64:
		decode_esr(syndrome, buf, size);
		break;
	case KP_ARCH_X86_64:
		decode_pf_error(syndrome, buf, size);
		break;
	default:
		snprintf(buf, size, "0x%llx", (unsigned long long)syndrome);
	}
}

void kp_decode_reg(enum kp_arch arch, uint64_t reg, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	switch (arch) {
	case KP_ARCH_ARM64:
		/* POR_EL1: 4 bits per pkey: bit 0 read, 1 execute, 2 write */
		for (int k = 0; k < 8; k++) {
			unsigned int p = (reg >> (4 * k)) & 0xf;

			cat(buf, size, &len, "%s%d:%c%c%c", k ? " " : "", k,
			    p & 1 ? 'r' : '-', p & 4 ? 'w' : '-',
			    p & 2 ? 'x' : '-');
		}
		break;
	case KP_ARCH_X86_64:
		/* PKRS: 2 bits per pkey: access disable, write disable */
		for (int k = 0; k < 16; k++) {
			unsigned int p = (reg >> (2 * k)) & 3;

			cat(buf, size, &len, "%s%d:%s", k ? " " : "", k,
			    p & 1 ? "--" : p & 2 ? "r-" : "rw");
		}
		break;
	default:
		snprintf(buf, size, "0x%llx", (unsigned long long)reg);
	}
}

bool kp_frame_is_tracing(const char *n)
{
	static const char *const prefixes[] = {
		"bpf_", "__bpf_", "___bpf_", "__traceiter_", "trace_",
		"__trace_", "perf_trace_", "__kpkeys_trace_", "kpkeys_trace_",
		/*
		 * ftrace trampolines, and BPF programs without kallsyms
		 * entries of their own, which resolve to the trampoline
		 * next to them: "ftrace_trampoline [__builtin__ftrace]"
		 */
		"ftrace_",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(n, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}
