// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The trace ABI, read from the kernel's BTF: whether each kpkeys event
 * takes the arguments the BPF programs were written for, and the names of
 * the levels. Nothing here is a copy of a kernel definition: the programs'
 * parameter lists (bpf/kpkeys_tool.h) are compared with BTF, and the level
 * names come from it.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include "abi.h"
#include "decode.h"
#include "kpkeys_tool.h"

#define KP_STR_(...) #__VA_ARGS__
#define KP_STR(...) KP_STR_(__VA_ARGS__)

static const struct {
	const char *event, *proto;
} protos[] = {
	{ "kpkeys_switch", KP_STR(KP_SWITCH_PROTO) },
	{ "kpkeys_batch", KP_STR(KP_BATCH_PROTO) },
	{ "kpkeys_fault", KP_STR(KP_FAULT_PROTO) },
	{ "kpkeys_set_memory_pkey", KP_STR(KP_SET_MEMORY_PKEY_PROTO) },
	{ "kpkeys_split", KP_STR(KP_SPLIT_PROTO) },
};

const char *kp_abi_proto(const char *event)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(protos[i].event, event))
			return protos[i].proto;
	return NULL;
}

/* ID past typedefs and qualifiers */
static __u32 strip(const struct btf *btf, __u32 id)
{
	for (;;) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t || !(btf_is_typedef(t) || btf_is_mod(t)))
			return id;
		id = t->type;
	}
}

static bool is_enum(const struct btf_type *t)
{
	return btf_is_enum(t) || btf_is_enum64(t);
}

/* Whether A and B are the same type, typedefs and qualifiers aside. */
static bool same_type(const struct btf *btf, __u32 a, __u32 b)
{
	const struct btf_type *x, *y;

	a = strip(btf, a);
	b = strip(btf, b);
	if (a == b)
		return true;
	x = btf__type_by_id(btf, a);
	y = btf__type_by_id(btf, b);
	if (!x || !y)
		return false;
	if (is_enum(x) && is_enum(y))
		return !strcmp(btf__name_by_offset(btf, x->name_off),
			       btf__name_by_offset(btf, y->name_off));
	if (btf_kind(x) != btf_kind(y))
		return false;
	switch (btf_kind(x)) {
	case BTF_KIND_INT:
		return x->size == y->size &&
		       (btf_int_encoding(x) & BTF_INT_SIGNED) ==
		       (btf_int_encoding(y) & BTF_INT_SIGNED);
	case BTF_KIND_PTR:
		return same_type(btf, x->type, y->type);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return !strcmp(btf__name_by_offset(btf, x->name_off),
			       btf__name_by_offset(btf, y->name_off));
	}
	return false;
}

/* ID's type as C would name it, "u64", "enum kpkeys_level", "struct x *" */
static void type_str(const struct btf *btf, __u32 id, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	char inner[96];

	if (!t) {
		snprintf(buf, size, "?");
	} else if (btf_is_ptr(t)) {
		type_str(btf, t->type, inner, sizeof(inner));
		snprintf(buf, size, "%s *", inner);
	} else if (btf_is_const(t) || btf_is_volatile(t)) {
		type_str(btf, t->type, inner, sizeof(inner));
		snprintf(buf, size, "%s %s", btf_is_const(t) ? "const" : "volatile", inner);
	} else if (name && *name) {
		snprintf(buf, size, "%s%s", is_enum(t) ? "enum " : btf_is_struct(t) ?
			 "struct " : btf_is_union(t) ? "union " : "", name);
	} else {
		snprintf(buf, size, "(anonymous %s)", is_enum(t) ? "enum" : "type");
	}
}

/*
 * Whether BASE is C's spelling of an integer type ("unsigned long",
 * "int"; "_Bool", which <stdbool.h> makes of the lists' "bool"), which BTF
 * names as DWARF does ("long unsigned int"): then its size and
 * signedness, as on the 64-bit targets (LP64).
 */
static bool c_int(const char *base, unsigned int *size, bool *is_signed)
{
	char words[96], *w, *save;
	int longs = 0, shorts = 0, chars = 0;

	*is_signed = true;
	snprintf(words, sizeof(words), "%s", base);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "unsigned"))
			*is_signed = false;
		else if (!strcmp(w, "long"))
			longs++;
		else if (!strcmp(w, "short"))
			shorts++;
		else if (!strcmp(w, "char") || !strcmp(w, "_Bool"))
			chars++, *is_signed = *is_signed && strcmp(w, "_Bool");
		else if (strcmp(w, "signed") && strcmp(w, "int"))
			return false;
	}
	*size = chars ? 1 : shorts ? 2 : longs ? 8 : 4;
	return true;
}

/*
 * The BTF type of a parameter's C type TYPE ("const struct x *", "u64"),
 * its pointer depth in *DEPTH; a negative number when BTF lacks it, or
 * INT_SPEC for a C integer type, described in *SIZE and *IS_SIGNED.
 */
#define INT_SPEC (-100)
static int find_type(const struct btf *btf, const char *type, int *depth,
		     unsigned int *size, bool *is_signed)
{
	char base[96] = "", word[64];
	const char *p = type;
	int n, id;

	*depth = 0;
	while (sscanf(p, " %63[A-Za-z0-9_]%n", word, &n) == 1 || (*p && strchr(" *", *p))) {
		if (strchr(" *", *p)) {
			*depth += *p == '*';
			p++;
			continue;
		}
		p += n;
		if (!strcmp(word, "const") || !strcmp(word, "volatile"))
			continue;
		if (*base)
			strncat(base, " ", sizeof(base) - strlen(base) - 1);
		strncat(base, word, sizeof(base) - strlen(base) - 1);
	}
	if (!strncmp(base, "struct ", 7))
		return btf__find_by_name_kind(btf, base + 7, BTF_KIND_STRUCT);
	if (!strncmp(base, "union ", 6))
		return btf__find_by_name_kind(btf, base + 6, BTF_KIND_UNION);
	if (!strncmp(base, "enum ", 5)) {
		id = btf__find_by_name_kind(btf, base + 5, BTF_KIND_ENUM);
		return id >= 0 ? id : btf__find_by_name_kind(btf, base + 5, BTF_KIND_ENUM64);
	}
	id = btf__find_by_name_kind(btf, base, BTF_KIND_TYPEDEF);
	if (id >= 0)
		return id;
	return c_int(base, size, is_signed) ? INT_SPEC : -1;
}

/* Whether ID is an integer of SIZE bytes and that signedness. */
static bool int_is(const struct btf *btf, __u32 id, unsigned int size, bool is_signed)
{
	const struct btf_type *t = btf__type_by_id(btf, strip(btf, id));

	return t && btf_is_int(t) && t->size == size &&
	       !!(btf_int_encoding(t) & BTF_INT_SIGNED) == is_signed;
}

int kp_abi_check(const struct btf *btf, const char *event, const char *proto,
		 char *why, size_t size)
{
	const struct btf_type *t = NULL;
	const struct btf_param *params;
	char name[128], want[128], have[128];
	const char *p = proto;
	int id, nargs, expected = 0;

	snprintf(name, sizeof(name), "btf_trace_%s", event);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id >= 0)
		t = btf__type_by_id(btf, strip(btf, id));
	if (t && btf_is_ptr(t))
		t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t)) {
		snprintf(why, size, "no trace event kpkeys:%s", event);
		return -2;
	}
	/* the first parameter is the probe's data pointer */
	nargs = btf_vlen(t) - 1;
	params = btf_params(t) + 1;
	for (const char *c = proto; *c; c++)
		expected += *c == ',';
	expected += *proto != 0;
	if (nargs != expected) {
		snprintf(why, size, "kpkeys:%s takes %d arguments, this tool expects %d (%s)",
			 event, nargs, expected, proto);
		return -1;
	}
	for (int i = 0; i < nargs; i++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char param[128], *arg;
		int depth, want_id, have_id = params[i].type;
		unsigned int isize = 0;
		bool isigned = false, ok;

		snprintf(param, sizeof(param), "%.*s", (int)len, p);
		p += len + (end ? 1 : 0);
		/* split "TYPE NAME" at the name */
		arg = param + strlen(param);
		while (arg > param && (isalnum((unsigned char)arg[-1]) || arg[-1] == '_'))
			arg--;
		snprintf(want, sizeof(want), "%.*s", (int)(arg - param), param);
		want_id = find_type(btf, want, &depth, &isize, &isigned);
		for (; want_id != -1 && depth > 0; depth--) {
			const struct btf_type *pt = btf__type_by_id(btf, strip(btf, have_id));

			if (!pt || !btf_is_ptr(pt))
				break;
			have_id = pt->type;
		}
		ok = want_id == INT_SPEC ? int_is(btf, have_id, isize, isigned) :
		     want_id >= 0 && same_type(btf, have_id, want_id);
		if (depth || !ok) {
			type_str(btf, params[i].type, have, sizeof(have));
			while (*want == ' ')
				memmove(want, want + 1, strlen(want));
			while (*want && want[strlen(want) - 1] == ' ')
				want[strlen(want) - 1] = 0;
			snprintf(why, size, "kpkeys:%s argument %d (%s) is %s in this kernel, this tool expects %s",
				 event, i + 1, arg, have, want);
			return -1;
		}
	}
	return 0;
}

static char level_names[KP_NR_LEVELS - 1][24];

int kp_levels_from_btf(const struct btf *btf)
{
	const char *prefix = "KPKEYS_LVL_";
	const struct btf_type *t;
	int id = btf__find_by_name_kind(btf, "kpkeys_level", BTF_KIND_ENUM);

	memset(level_names, 0, sizeof(level_names));
	if (id < 0)
		id = btf__find_by_name_kind(btf, "kpkeys_level", BTF_KIND_ENUM64);
	t = id >= 0 ? btf__type_by_id(btf, id) : NULL;
	if (!t)
		return -1;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *name;
		long long v;

		if (btf_is_enum(t)) {
			name = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			v = btf_enum(t)[i].val;
		} else {
			name = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			v = (long long)btf_enum64_value(&btf_enum64(t)[i]);
		}
		if (v < 0 || v >= KP_NR_LEVELS - 1 || !name)
			continue;	/* KPKEYS_LVL_NONE is "?" */
		if (!strncmp(name, prefix, strlen(prefix)))
			name += strlen(prefix);
		snprintf(level_names[v], sizeof(level_names[v]), "%s", name);
	}
	return 0;
}

const char *kp_level_name(int level, char *buf, size_t size)
{
	if (level == -1)
		snprintf(buf, size, "?");
	else if (level >= 0 && level < KP_NR_LEVELS - 1 && level_names[level][0])
		snprintf(buf, size, "%s", level_names[level]);
	else
		snprintf(buf, size, "%d", level);
	return buf;
}
