// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksyms {
	struct ksym *syms;
	size_t nr, cap;
	char *strs;		/* every name and module, NUL-separated */
	size_t strs_len, strs_cap;
	int hidden;
};

static int cmp_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* stable choice among aliases: the name that sorts first */
	return strcmp(x->name, y->name);
}

/* Append S to the string blob; returns its offset, or -1. */
static long add_str(struct ksyms *ks, const char *s)
{
	size_t n = strlen(s) + 1;
	long off;

	if (ks->strs_len + n > ks->strs_cap) {
		size_t cap = ks->strs_cap ? ks->strs_cap * 2 : 1 << 20;
		char *p;

		while (cap < ks->strs_len + n)
			cap *= 2;
		p = realloc(ks->strs, cap);
		if (!p)
			return -1;
		ks->strs = p;
		ks->strs_cap = cap;
	}
	memcpy(ks->strs + ks->strs_len, s, n);
	off = ks->strs_len;
	ks->strs_len += n;
	return off;
}

struct ksyms *ksyms_load(const char *path)
{
	struct ksyms *ks;
	char line[512], name[256], mod[128], type;
	unsigned long long addr;
	long last_mod_off = -1;
	char last_mod[128] = "";
	size_t nonzero = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		goto fail;
	while (fgets(line, sizeof(line), f)) {
		long name_off, mod_off = -1;
		int n;

		mod[0] = 0;
		n = sscanf(line, "%llx %c %255s [%127[^]]]", &addr, &type, name, mod);
		if (n < 3)
			continue;
		if (addr)
			nonzero++;
		/* code only: t/T text, w/W weak; the stacks and ips are code */
		if (!strchr("tTwW", type))
			continue;
		if (ks->nr == ks->cap) {
			size_t cap = ks->cap ? ks->cap * 2 : 4096;
			struct ksym *p = realloc(ks->syms, cap * sizeof(*p));

			if (!p)
				goto fail;
			ks->syms = p;
			ks->cap = cap;
		}
		name_off = add_str(ks, name);
		if (name_off < 0)
			goto fail;
		if (n == 4) {
			if (last_mod_off < 0 || strcmp(mod, last_mod)) {
				last_mod_off = add_str(ks, mod);
				if (last_mod_off < 0)
					goto fail;
				snprintf(last_mod, sizeof(last_mod), "%s", mod);
			}
			mod_off = last_mod_off;
		}
		/* offsets now, pointers once the blob stops moving */
		ks->syms[ks->nr].addr = addr;
		ks->syms[ks->nr].name = (const char *)(uintptr_t)name_off;
		ks->syms[ks->nr].module = (const char *)(uintptr_t)(mod_off + 1);
		ks->nr++;
	}
	fclose(f);
	f = NULL;
	for (size_t i = 0; i < ks->nr; i++) {
		uintptr_t m = (uintptr_t)ks->syms[i].module;

		ks->syms[i].name = ks->strs + (uintptr_t)ks->syms[i].name;
		ks->syms[i].module = m ? ks->strs + (m - 1) : NULL;
	}
	ks->hidden = ks->nr > 0 && nonzero == 0;
	if (ks->nr)
		qsort(ks->syms, ks->nr, sizeof(*ks->syms), cmp_addr);
	return ks;
fail:
	if (f)
		fclose(f);
	ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->strs);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->nr : 0;
}

int ksyms_hidden(const struct ksyms *ks)
{
	return ks && ks->hidden;
}

const struct ksym *ksyms_search(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!ks || !ks->nr || ks->hidden || addr < ks->syms[0].addr)
		return NULL;
	hi = ks->nr;
	/* last symbol with .addr <= addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* among aliases at the same address, the first in sorted order */
	while (lo > 0 && ks->syms[lo - 1].addr == ks->syms[lo].addr)
		lo--;
	/* far past the last symbol is no symbol's (a data or heap address) */
	if (addr - ks->syms[lo].addr >= KSYMS_MAX_OFFSET ||
	    !strcmp(ks->syms[lo].name, "_einittext"))
		return NULL;
	return &ks->syms[lo];
}

const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name)
{
	for (size_t i = 0; ks && i < ks->nr; i++)
		if (!strcmp(ks->syms[i].name, name))
			return &ks->syms[i];
	return NULL;
}

char *ksyms_format(const struct ksyms *ks, uint64_t addr, int offset,
		   char *buf, size_t size)
{
	const struct ksym *s = ksyms_search(ks, addr);

	if (!s) {
		snprintf(buf, size, "0x%" PRIx64, addr);
		return buf;
	}
	if (offset)
		snprintf(buf, size, "%s+0x%" PRIx64 "%s%s%s", s->name,
			 addr - s->addr, s->module ? " [" : "",
			 s->module ? s->module : "", s->module ? "]" : "");
	else
		snprintf(buf, size, "%s", s->name);
	return buf;
}
