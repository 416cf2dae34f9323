/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Kernel code symbols (types t, T, w, W) from /proc/kallsyms: loaded once,
 * sorted, binary search.
 */
#ifndef KPKEYS_KSYMS_H
#define KPKEYS_KSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksym {
	uint64_t addr;
	const char *name;
	const char *module;	/* NULL for the kernel image */
};

struct ksyms;

/* An address this far past a symbol is not attributed to it. */
#define KSYMS_MAX_OFFSET (1ULL << 20)

/* Load PATH (normally /proc/kallsyms); NULL with errno set on failure. */
struct ksyms *ksyms_load(const char *path);
void ksyms_free(struct ksyms *ks);
size_t ksyms_count(const struct ksyms *ks);
/* Whether every address read as 0 (kptr_restrict hides them). */
int ksyms_hidden(const struct ksyms *ks);
/* The symbol at or below ADDR (within KSYMS_MAX_OFFSET), else NULL. */
const struct ksym *ksyms_search(const struct ksyms *ks, uint64_t addr);
const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name);
/*
 * "name+0xoff" (with " [module]"), or "0x..." when unknown, into BUF;
 * with OFFSET 0 just the function name. Returns BUF.
 */
char *ksyms_format(const struct ksyms *ks, uint64_t addr, int offset,
		   char *buf, size_t size);

#endif
