// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Host unit tests of the kpkeys command's pure parts (tools/): log2
 * histograms, kallsyms lookup, JSON output, argument parsing, decoding of
 * syndromes and pkey registers, report rows, and the trace ABI checks
 * against BTF (with BTF built here, libbpf's btf__add_*()).
 *
 *   kpkeys-unit [GROUP...]    groups: hist ksyms json args decode rows abi
 *
 * Prints KTAP (Documentation/dev-tools/ktap.rst), which the host reads
 * with scripts/ktap.py: one subtest per group, one result line per check
 * in it, a failed check's detail as a diagnostic line before its result.
 * Exits 0 iff every check passed (2 for an unknown group).
 * Every expected value is written out by hand, not taken from the code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "abi.h"
#include "kpkeys.h"
#include "maps.h"

/* ---- the harness ---- */

static int t_num, t_failed;	/* in the current group */

static const char *nm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *nm(const char *fmt, ...)
{
	static char names[4][256];
	static int next;
	char *b = names[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b, sizeof(names[0]), fmt, ap);
	va_end(ap);
	return b;
}

/* a KTAP description: no '#' (it starts the directive), one line */
static void put_name(const char *name)
{
	for (; *name; name++)
		putchar(*name == '#' ? '_' : *name == '\n' ? ' ' : *name);
}

static bool result(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	t_num++;
	if (!ok) {
		t_failed++;
		printf("  # ");
		put_name(name);
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	printf("  %sok %d ", ok ? "" : "not ", t_num);
	put_name(name);
	putchar('\n');
	return ok;
}

/* COND first: NAME may print what COND computed */
#define CHECK(cond, name) ({						\
	bool ok_ = !!(cond);						\
	result(ok_, (name), "%s is false", #cond);			\
})

/* S with control bytes escaped, so that a detail stays on one line */
static const char *esc(const char *s)
{
	static char bufs[2][2048];
	static int next;
	char *b = bufs[next++ % 2];
	size_t len = 0;

	for (; *s && len < sizeof(bufs[0]) - 5; s++) {
		unsigned char c = *s;

		if (c == '\n')
			len += sprintf(b + len, "\\n");
		else if (c < 0x20 || c == 0x7f)
			len += sprintf(b + len, "\\x%02x", c);
		else
			b[len++] = c;
	}
	b[len] = 0;
	return b;
}

static bool check_str(const char *got, const char *want, const char *name)
{
	if (got && !strcmp(got, want))
		return result(true, name, "%s", "");
	return result(false, name, "got %s%s%s, want \"%s\"", got ? "\"" : "",
		      got ? esc(got) : "NULL", got ? "\"" : "", esc(want));
}

static bool check_int(long long got, long long want, const char *name)
{
	return result(got == want, name, "got %lld, want %lld", got, want);
}

static bool check_u64(uint64_t got, uint64_t want, const char *name)
{
	return result(got == want, name, "got 0x%" PRIx64 ", want 0x%" PRIx64,
		      got, want);
}

static bool check_dbl(double got, double want, const char *name)
{
	double tol = 1e-9 * (fabs(want) > 1 ? fabs(want) : 1);

	return result(fabs(got - want) <= tol, name, "got %.17g, want %.17g",
		      got, want);
}

/* N copies of C, for building expected output */
static const char *rep(char c, int n)
{
	static char bufs[16][128];
	static int next;
	char *b = bufs[next++ % 16];

	memset(b, c, n);
	b[n] = 0;
	return b;
}

/* ---- hist ---- */

static void hist_set(struct kp_hist *h, uint64_t count, uint64_t sum,
		     uint64_t max)
{
	h->count = count;
	h->sum = sum;
	h->max = max;
}

static void test_hist(void)
{
	struct kp_hist h, a, b, d, e;
	char *out;
	size_t len;
	FILE *f;
	bool adjacent = true, monotonic = true, capped = true;
	double prev = 0;

	/* slot bounds: slot i holds [2^i, 2^(i+1)), slot 0 also 0 */
	check_u64(hist_slot_lo(0), 0, "hist_slot_lo(0) is 0");
	check_u64(hist_slot_hi(0), 1, "hist_slot_hi(0) is 1");
	check_u64(hist_slot_lo(1), 2, "hist_slot_lo(1) is 2");
	check_u64(hist_slot_hi(1), 3, "hist_slot_hi(1) is 3");
	check_u64(hist_slot_lo(10), 1024, "hist_slot_lo(10) is 1024");
	check_u64(hist_slot_hi(10), 2047, "hist_slot_hi(10) is 2047");
	check_u64(hist_slot_lo(62), 0x4000000000000000ULL, "hist_slot_lo(62) is 2^62");
	check_u64(hist_slot_hi(62), 0x7fffffffffffffffULL, "hist_slot_hi(62) is 2^63-1");
	check_u64(hist_slot_lo(63), 0x8000000000000000ULL, "hist_slot_lo(63) is 2^63");
	check_u64(hist_slot_hi(63), 0xffffffffffffffffULL, "hist_slot_hi(63) is UINT64_MAX");
	for (int i = 1; i < KP_HIST_SLOTS; i++)
		if (hist_slot_lo(i) != hist_slot_hi(i - 1) + 1)
			adjacent = false;
	CHECK(adjacent, "hist slots 0..63 tile the u64 range without gaps");

	/* empty */
	memset(&h, 0, sizeof(h));
	check_dbl(hist_percentile(&h, 50), 0, "hist_percentile of an empty hist is 0 (p50)");
	check_dbl(hist_percentile(&h, 100), 0, "hist_percentile of an empty hist is 0 (p100)");
	check_dbl(hist_mean(&h), 0, "hist_mean of an empty hist is 0");

	/* 10 samples in slot 4 [16, 32), max 31: linear inside the slot */
	memset(&h, 0, sizeof(h));
	h.slots[4] = 10;
	hist_set(&h, 10, 200, 31);
	check_dbl(hist_percentile(&h, 10), 17.6, "one slot: p10 = 16 + 16 * 1/10");
	check_dbl(hist_percentile(&h, 50), 24, "one slot: p50 = 16 + 16 * 5/10");
	check_dbl(hist_percentile(&h, 90), 30.4, "one slot: p90 = 16 + 16 * 9/10");
	check_dbl(hist_percentile(&h, 100), 31, "one slot: p100 = 32 capped at max 31");
	check_dbl(hist_percentile(&h, 150), 31, "one slot: p150 is taken as p100");
	/* the same with a lower maximum */
	h.max = 20;
	check_dbl(hist_percentile(&h, 10), 17.6, "one slot, max 20: p10 = 17.6 below max");
	check_dbl(hist_percentile(&h, 50), 20, "one slot, max 20: p50 capped at max");
	check_dbl(hist_percentile(&h, 99), 20, "one slot, max 20: p99 capped at max");

	/* slot 0 holds 0 and 1: [0, 2) */
	memset(&h, 0, sizeof(h));
	h.slots[0] = 4;
	hist_set(&h, 4, 2, 1);
	check_dbl(hist_percentile(&h, 25), 0.5, "slot 0: p25 = 0 + 2 * 1/4");
	check_dbl(hist_percentile(&h, 50), 1, "slot 0: p50 = 0 + 2 * 2/4");
	check_dbl(hist_percentile(&h, 100), 1, "slot 0: p100 capped at max 1");
	/* every sample 0 (e.g. batch windows without writes): max 0 is real */
	memset(&h, 0, sizeof(h));
	h.slots[0] = 5;
	hist_set(&h, 5, 0, 0);
	check_dbl(hist_percentile(&h, 50), 0, "all samples 0: p50 is 0 (not above max 0)");
	check_dbl(hist_percentile(&h, 99), 0, "all samples 0: p99 is 0 (not above max 0)");

	/* 50 in [2,4), 40 in [8,16), 10 in [1024,2048); max 2000 */
	memset(&h, 0, sizeof(h));
	h.slots[1] = 50;
	h.slots[3] = 40;
	h.slots[10] = 10;
	hist_set(&h, 100, 50 * 3 + 40 * 10 + 10 * 1500, 2000);
	check_dbl(hist_percentile(&h, 25), 3, "three slots: p25 = 2 + 2 * 25/50");
	check_dbl(hist_percentile(&h, 50), 4, "three slots: p50 = 2 + 2 * 50/50");
	check_dbl(hist_percentile(&h, 60), 10, "three slots: p60 = 8 + 8 * 10/40");
	check_dbl(hist_percentile(&h, 90), 16, "three slots: p90 = 8 + 8 * 40/40");
	check_dbl(hist_percentile(&h, 95), 1536, "three slots: p95 = 1024 + 1024 * 5/10");
	check_dbl(hist_percentile(&h, 99), 1945.6, "three slots: p99 = 1024 + 1024 * 9/10");
	check_dbl(hist_percentile(&h, 99.9), 2000, "three slots: p99.9 = 2037.76 capped at 2000");
	check_dbl(hist_percentile(&h, 100), 2000, "three slots: p100 = 2048 capped at max 2000");
	for (double p = 0.5; p <= 100; p += 0.5) {
		double v = hist_percentile(&h, p);

		if (v < prev)
			monotonic = false;
		if (v > 2000)
			capped = false;
		prev = v;
	}
	CHECK(monotonic, "three slots: percentiles never decrease with p");
	CHECK(capped, "three slots: no percentile above max");
	check_dbl(hist_mean(&h), 155.5, "hist_mean = 15550 / 100");

	/* the top slot */
	memset(&h, 0, sizeof(h));
	h.slots[63] = 2;
	hist_set(&h, 2, 0, UINT64_MAX);
	check_dbl(hist_percentile(&h, 50), 13835058055282163712.0,
		  "slot 63: p50 = 2^63 + 2^63 * 1/2");

	memset(&h, 0, sizeof(h));
	hist_set(&h, 4, 10, 5);
	check_dbl(hist_mean(&h), 2.5, "hist_mean = 10 / 4");
	hist_set(&h, 3, 10, 5);
	check_dbl(hist_mean(&h), 10.0 / 3, "hist_mean = 10 / 3");

	/* add and sub */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.slots[2] = 3;
	a.slots[5] = 1;
	hist_set(&a, 4, 50, 40);
	b.slots[2] = 1;
	b.slots[7] = 2;
	hist_set(&b, 3, 300, 200);
	d = a;
	hist_add(&d, &b);
	CHECK(d.slots[2] == 4 && d.slots[5] == 1 && d.slots[7] == 2,
	      "hist_add adds the slots");
	check_u64(d.count, 7, "hist_add adds the counts");
	check_u64(d.sum, 350, "hist_add adds the sums");
	check_u64(d.max, 200, "hist_add takes the larger max (src's)");
	e = b;
	hist_add(&e, &a);
	check_u64(e.max, 200, "hist_add keeps dst's max when larger");
	{
		uint64_t total = 0;

		for (int i = 0; i < KP_HIST_SLOTS; i++)
			total += d.slots[i];
		check_u64(total, 7, "hist_add: no other slot touched");
	}

	hist_sub(&e, &d, &a);		/* (a + b) - a */
	CHECK(e.slots[2] == 1 && e.slots[5] == 0 && e.slots[7] == 2,
	      "hist_sub subtracts the slots");
	check_u64(e.count, 3, "hist_sub subtracts the counts");
	check_u64(e.sum, 300, "hist_sub subtracts the sums");
	check_u64(e.max, 200, "hist_sub keeps the newer snapshot's max");
	hist_sub(&e, &d, &d);
	check_u64(e.count, 0, "hist_sub of equal snapshots: count 0");
	check_u64(e.max, 0, "hist_sub of equal snapshots: max 0");
	check_u64(e.slots[2] + e.slots[7] + e.sum, 0, "hist_sub of equal snapshots: empty");
	e = d;
	hist_sub(&e, &e, &a);		/* dst aliasing a */
	CHECK(e.slots[2] == 1 && e.slots[7] == 2 && e.count == 3 && e.sum == 300 &&
	      e.max == 200, "hist_sub with dst == a");

	/* bcc-style rendering */
	memset(&h, 0, sizeof(h));
	h.slots[1] = 2;
	h.slots[3] = 4;
	hist_set(&h, 6, 40, 12);
	f = open_memstream(&out, &len);
	hist_print(f, &h, "ns");
	fclose(f);
	{
		char want[1024];

		snprintf(want, sizeof(want),
			 "%sns : count      |distribution%s|\n"
			 "%s2 -> 3 : 2          |%s%s|\n"
			 "%s4 -> 7 : 0          |%s|\n"
			 "%s8 -> 15 : 4          |%s|\n",
			 rep(' ', 22), rep(' ', 28),
			 rep(' ', 18), rep('*', 20), rep(' ', 20),
			 rep(' ', 18), rep(' ', 40),
			 rep(' ', 17), rep('*', 40));
		check_str(out, want, "hist_print: header, empty slot between, bars to scale");
	}
	free(out);
	memset(&h, 0, sizeof(h));
	f = open_memstream(&out, &len);
	hist_print(f, &h, "ns");
	fclose(f);
	check_str(out, "     (no samples)\n", "hist_print of an empty hist");
	free(out);
}

/* ---- ksyms ---- */

static char tmpdir[256];

static const char *write_file(const char *name, const char *text)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) == EOF || fclose(f)) {
		fprintf(stderr, "kpkeys-unit: cannot write %s: %s\n", p, strerror(errno));
		exit(1);
	}
	return p;
}

static const char kallsyms[] =
	"ffffffff81200000 T late_fn\n"
	"ffffffff81000200 W weak_alias\n"
	"ffffffff81000000 T startup_64\n"
	"ffffffff81000800 D data_obj\n"
	"ffffffff81000000 T _stext\n"
	"ffffffffc0001000 t foo_fn\t[foomod]\n"
	"ffffffff81000200 t helper_b\n"
	"this is not a symbol line\n"
	"\n"
	"ffffffff81000300\n"
	"ffffffff81000200 T alias_a\n"
	"ffffffff81000400 w weak_small\n"
	"ffffffff81000900 b bss_obj\n"
	"ffffffff81000a00 r rodata_obj\n"
	"ffffffff81000b00 d local_data\n"
	"ffffffff81100100 T _einittext\n"
	"ffffffff81100000 t init_fn\n"
	"ffffffffc0002000 T bar_fn\t[barmod]\n"
	"ffffffffc0001100 t foo_fn2\t[foomod]\n"
	"ffffffffc0003000 b foo_bss\t[foomod]\n";

/* the same three aliases, listed the other way round */
static const char kallsyms_rev[] =
	"ffffffff81000200 T alias_a\n"
	"ffffffff81000000 T _stext\n"
	"ffffffff81000200 t helper_b\n"
	"ffffffff81000200 W weak_alias\n";

static void check_sym(const struct ksyms *ks, uint64_t addr, const char *want,
		      uint64_t want_addr, const char *want_mod, const char *name)
{
	const struct ksym *s = ksyms_search(ks, addr);

	if (!want) {
		result(!s, name, "got %s, want NULL", s ? s->name : "");
		return;
	}
	if (!s) {
		result(false, name, "got NULL, want %s", want);
		return;
	}
	result(!strcmp(s->name, want) && s->addr == want_addr &&
	       (want_mod ? s->module && !strcmp(s->module, want_mod) : !s->module),
	       name, "got %s at 0x%" PRIx64 " [%s], want %s at 0x%" PRIx64 " [%s]",
	       s->name, s->addr, s->module ? s->module : "-", want, want_addr,
	       want_mod ? want_mod : "-");
}

static void test_ksyms(void)
{
	const char *base = getenv("TMPDIR");
	struct ksyms *ks, *ks2;
	char buf[512], small[8];
	int err;

	snprintf(tmpdir, sizeof(tmpdir), "%s/kpkeys-unit.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		result(false, "ksyms: temporary directory", "mkdtemp: %s", strerror(errno));
		return;
	}

	ks = ksyms_load(write_file("kallsyms", kallsyms));
	if (!CHECK(ks, "ksyms_load of a fake kallsyms"))
		goto out;
	/* 12 code symbols; D d b r lines and the malformed lines are not kept */
	check_int(ksyms_count(ks), 12, "ksyms_count: code symbols (t T w W) only");
	CHECK(!ksyms_by_name(ks, "data_obj"), "D symbol not loaded");
	CHECK(!ksyms_by_name(ks, "local_data"), "d symbol not loaded");
	CHECK(!ksyms_by_name(ks, "bss_obj"), "b symbol not loaded");
	CHECK(!ksyms_by_name(ks, "rodata_obj"), "r symbol not loaded");
	CHECK(!ksyms_by_name(ks, "foo_bss"), "module b symbol not loaded");
	CHECK(ksyms_by_name(ks, "weak_small"), "w symbol loaded");
	CHECK(ksyms_by_name(ks, "weak_alias"), "W symbol loaded");
	CHECK(!ksyms_hidden(ks), "ksyms_hidden is false with real addresses");

	check_sym(ks, 0xffffffff81000000, "_stext", 0xffffffff81000000, NULL,
		  "exact hit; alias _stext sorts before startup_64");
	check_sym(ks, 0xffffffff81000010, "_stext", 0xffffffff81000000, NULL,
		  "inside the first function");
	check_sym(ks, 0xffffffff81000200, "alias_a", 0xffffffff81000200, NULL,
		  "three aliases: alias_a < helper_b < weak_alias");
	check_sym(ks, 0xffffffff81000250, "alias_a", 0xffffffff81000200, NULL,
		  "inside an aliased function");
	check_sym(ks, 0xffffffff81000400, "weak_small", 0xffffffff81000400, NULL,
		  "exact hit on a w symbol");
	check_sym(ks, 0xffffffff81000800, "weak_small", 0xffffffff81000400, NULL,
		  "a data symbol's address falls to the code symbol before");
	check_sym(ks, 0xffffffff80ffffff, NULL, 0, NULL, "below the first symbol: NULL");
	check_sym(ks, 0, NULL, 0, NULL, "address 0: NULL");
	check_sym(ks, 0xffffffff81100080, "init_fn", 0xffffffff81100000, NULL,
		  "inside the last init function");
	check_sym(ks, 0xffffffff81100100, NULL, 0, NULL, "_einittext itself: NULL");
	check_sym(ks, 0xffffffff81100180, NULL, 0, NULL, "past _einittext: NULL");
	check_sym(ks, 0xffffffff81200000 + KSYMS_MAX_OFFSET - 1, "late_fn",
		  0xffffffff81200000, NULL, "KSYMS_MAX_OFFSET - 1 past a symbol: found");
	check_sym(ks, 0xffffffff81200000 + KSYMS_MAX_OFFSET, NULL, 0, NULL,
		  "KSYMS_MAX_OFFSET past a symbol: NULL");
	check_sym(ks, 0xffffffffa0000000, NULL, 0, NULL,
		  "between the kernel image and the modules: NULL");
	check_sym(ks, 0xffffffffc0001024, "foo_fn", 0xffffffffc0001000, "foomod",
		  "module symbol with its module");
	check_sym(ks, 0xffffffffc0001100, "foo_fn2", 0xffffffffc0001100, "foomod",
		  "module symbol after another module's line");
	check_sym(ks, 0xffffffffc0002010, "bar_fn", 0xffffffffc0002000, "barmod",
		  "second module");
	check_sym(ks, 0xffffffffc0003000, "bar_fn", 0xffffffffc0002000, "barmod",
		  "module data address falls to the code symbol before");
	check_sym(ks, UINT64_MAX, NULL, 0, NULL, "top of the address space: NULL");

	check_str(ksyms_format(ks, 0xffffffff81000250, 1, buf, sizeof(buf)),
		  "alias_a+0x50", "ksyms_format with offset");
	check_str(ksyms_format(ks, 0xffffffff81000250, 0, buf, sizeof(buf)),
		  "alias_a", "ksyms_format without offset");
	check_str(ksyms_format(ks, 0xffffffff81000000, 1, buf, sizeof(buf)),
		  "_stext+0x0", "ksyms_format exact hit with offset");
	check_str(ksyms_format(ks, 0xffffffffc0001024, 1, buf, sizeof(buf)),
		  "foo_fn+0x24 [foomod]", "ksyms_format module suffix");
	check_str(ksyms_format(ks, 0xffffffffc0001024, 0, buf, sizeof(buf)),
		  "foo_fn", "ksyms_format module symbol without offset");
	check_str(ksyms_format(ks, 0xffffffff80000000, 1, buf, sizeof(buf)),
		  "0xffffffff80000000", "ksyms_format unknown address with offset");
	check_str(ksyms_format(ks, 0xffffffff80000000, 0, buf, sizeof(buf)),
		  "0xffffffff80000000", "ksyms_format unknown address without offset");
	check_str(ksyms_format(ks, 0xffffffff81100100, 1, buf, sizeof(buf)),
		  "0xffffffff81100100", "ksyms_format _einittext: unknown");
	check_str(ksyms_format(NULL, 0x1234, 1, buf, sizeof(buf)), "0x1234",
		  "ksyms_format without symbols");
	check_str(ksyms_format(ks, 0xffffffff81000250, 1, small, sizeof(small)),
		  "alias_a", "ksyms_format truncates to the buffer");

	ks2 = ksyms_load(write_file("kallsyms_rev", kallsyms_rev));
	if (CHECK(ks2, "ksyms_load of aliases in another order"))
		check_sym(ks2, 0xffffffff81000210, "alias_a", 0xffffffff81000200,
			  NULL, "alias choice independent of file order");
	ksyms_free(ks2);
	ksyms_free(ks);

	ks = ksyms_load(write_file("hidden",
		"0000000000000000 T _stext\n"
		"0000000000000000 t helper\n"
		"0000000000000000 D data\n"));
	if (CHECK(ks, "ksyms_load of a kptr_restrict kallsyms")) {
		CHECK(ksyms_hidden(ks), "ksyms_hidden when every address is 0");
		check_int(ksyms_count(ks), 2, "hidden: code symbols still counted");
		check_sym(ks, 0, NULL, 0, NULL, "hidden: search 0 is NULL");
		check_sym(ks, 0x100, NULL, 0, NULL, "hidden: search 0x100 is NULL");
		check_str(ksyms_format(ks, 0x10, 1, buf, sizeof(buf)), "0x10",
			  "hidden: format gives the address");
	}
	ksyms_free(ks);

	ks = ksyms_load(write_file("empty", ""));
	if (CHECK(ks, "ksyms_load of an empty file")) {
		check_int(ksyms_count(ks), 0, "empty: no symbols");
		CHECK(!ksyms_hidden(ks), "empty: not hidden");
		check_sym(ks, 0xffffffff81000000, NULL, 0, NULL, "empty: search is NULL");
	}
	ksyms_free(ks);

	errno = 0;
	ks = ksyms_load("/nonexistent/kpkeys-unit/kallsyms");
	err = errno;
	CHECK(!ks, "ksyms_load of a missing path returns NULL");
	check_int(err, ENOENT, "ksyms_load of a missing path sets errno ENOENT");
	ksyms_free(ks);
	ksyms_free(NULL);
out:
	{
		static const char *const files[] = {
			"kallsyms", "kallsyms_rev", "hidden", "empty",
		};

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(buf, sizeof(buf), "%s/%s", tmpdir, files[i]);
			unlink(buf);
		}
		rmdir(tmpdir);
	}
}

/* ---- json ---- */

/* json_emit into memory: returns its status, *out what was written */
static int emit_mem(struct json *j, char **out)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	int ret;

	if (!f) {
		*out = strdup("");
		return -2;
	}
	ret = json_emit(j, f);
	fclose(f);
	return ret;
}

static void check_doc(struct json *j, const char *want, const char *name)
{
	char *out = NULL;
	int ret = emit_mem(j, &out);

	result(ret == 0 && out && !strcmp(out, want), name,
	       "json_emit returned %d, wrote \"%s\", want \"%s\"", ret,
	       out ? out : "", want);
	free(out);
}

static void check_refused(struct json *j, const char *name)
{
	char *out = NULL;
	int ret = emit_mem(j, &out);

	result(ret == -1 && out && !*out, name,
	       "json_emit returned %d and wrote \"%s\", want -1 and nothing",
	       ret, out ? out : "");
	free(out);
	CHECK(j->len == 0 && j->depth == 0 && !j->oom,
	      nm("%s: reset afterwards", name));
}

static void test_json(void)
{
	struct json j;
	FILE *full;

	json_init(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "a", "x");
	json_arr_begin(&j, "l");
	json_int(&j, NULL, 1);
	json_int(&j, NULL, -2);
	json_obj_begin(&j, NULL);
	json_null(&j, "n");
	json_obj_end(&j);
	json_arr_end(&j);
	json_bool(&j, "t", true);
	json_bool(&j, "f", false);
	json_uint(&j, "u", UINT64_MAX);
	json_int(&j, "i", INT64_MIN);
	json_double(&j, "d", 2.5);
	json_obj_begin(&j, "e");
	json_obj_end(&j);
	json_arr_begin(&j, "z");
	json_arr_end(&j);
	json_obj_end(&j);
	check_doc(&j, "{\"a\":\"x\",\"l\":[1,-2,{\"n\":null}],\"t\":true,\"f\":false,"
		  "\"u\":18446744073709551615,\"i\":-9223372036854775808,\"d\":2.5,"
		  "\"e\":{},\"z\":[]}\n", "nested objects and arrays");
	CHECK(j.len == 0 && j.depth == 0, "json_emit resets the document");

	/* a second document on the same struct starts clean */
	json_arr_begin(&j, NULL);
	json_arr_begin(&j, NULL);
	json_int(&j, NULL, 0);
	json_arr_end(&j);
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	check_doc(&j, "[[0],[]]\n", "second document, arrays of arrays");

	/* escaping */
	json_reset(&j);
	json_put_string(&j, "q\"b\\s\nn\tt\rr\bb\ff\x01x\x1fy\x7fz");
	check_str(j.buf, "\"q\\\"b\\\\s\\nn\\tt\\rr\\bb\\ff\\u0001x\\u001fy\\u007fz\"",
		  "json_put_string escapes \" \\ \\n \\t \\r \\b \\f, 0x01 0x1f 0x7f");
	json_reset(&j);
	/* é (2 bytes), € (3), U+10FFFF and 😀 (4) */
	json_put_string(&j, "caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80");
	check_str(j.buf, "\"caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80\"",
		  "json_put_string passes valid UTF-8 through");
	json_reset(&j);
	/*
	 * a stray continuation byte, an overlong '/', a surrogate, above
	 * U+10FFFF, a lead byte before ASCII, a sequence cut by the end
	 */
	json_put_string(&j, "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xc3x|\xe2\x82");
	check_str(j.buf, "\"\\u0080|\\u00c0\\u00af|\\u00ed\\u00a0\\u0080|"
		  "\\u00f4\\u0090\\u0080\\u0080|\\u00c3x|\\u00e2\\u0082\"",
		  "json_put_string escapes each byte that is not UTF-8");
	json_reset(&j);
	json_put_string(&j, NULL);
	check_str(j.buf, "\"\"", "json_put_string(NULL) is \"\"");
	json_reset(&j);
	json_obj_begin(&j, NULL);
	json_str(&j, "k\"ey", "tab\there");
	json_obj_end(&j);
	check_doc(&j, "{\"k\\\"ey\":\"tab\\there\"}\n", "keys are escaped too");

	/* numbers */
	json_arr_begin(&j, NULL);
	json_double(&j, NULL, 2.5);
	json_double(&j, NULL, 0.1);
	json_double(&j, NULL, -0.5);
	json_double(&j, NULL, 1e20);
	json_double(&j, NULL, 1.0 / 3);
	json_double(&j, NULL, NAN);
	json_double(&j, NULL, INFINITY);
	json_double(&j, NULL, -INFINITY);
	json_arr_end(&j);
	check_doc(&j, "[2.5,0.1,-0.5,1e+20,0.333333333333333,null,null,null]\n",
		  "json_double: %.15g, NAN and infinities are null");
	json_obj_begin(&j, NULL);
	json_hex(&j, "zero", 0);
	json_hex(&j, "addr", 0xffffffff81000000ULL);
	json_hex(&j, "esr", 0x9600004f);
	json_obj_end(&j);
	check_doc(&j, "{\"zero\":\"0x0\",\"addr\":\"0xffffffff81000000\","
		  "\"esr\":\"0x9600004f\"}\n", "json_hex: lowercase hex strings");

	/* refusals */
	json_obj_begin(&j, NULL);
	json_int(&j, "a", 1);
	check_refused(&j, "unclosed object refused");
	json_arr_begin(&j, NULL);
	json_arr_end(&j);
	json_arr_end(&j);
	check_refused(&j, "extra close refused");
	check_refused(&j, "empty document refused");
	json_int(&j, NULL, 7);
	check_doc(&j, "7\n", "a document after refusals is clean");
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_arr_begin(&j, NULL);
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_arr_end(&j);
	check_doc(&j, nm("%s%s\n", rep('[', JSON_MAX_DEPTH - 1), rep(']', JSON_MAX_DEPTH - 1)),
		  "JSON_MAX_DEPTH - 1 levels of nesting emitted");
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_begin(&j, NULL);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_end(&j);
	check_refused(&j, "JSON_MAX_DEPTH levels of nesting refused");

	full = fopen("/dev/full", "w");
	if (full) {
		json_obj_begin(&j, NULL);
		json_obj_end(&j);
		check_int(json_emit(&j, full), -1, "json_emit reports a write error (/dev/full)");
		CHECK(j.len == 0 && j.depth == 0, "json_emit resets after a write error");
		fclose(full);
	}
	json_free(&j);
	CHECK(!j.buf && j.len == 0 && j.cap == 0, "json_free releases the buffer");
}

/* ---- args ---- */

/* A command takes the options it gives a help line for. */
static const struct command cmd_rows = {
	.name = "top", .summary = "unit", .help = "",
	.opt_help = { [KO_ROWS] = "rows", [KO_SORT] = "sort" },
};
static const struct command cmd_fold = {
	.name = "audit", .summary = "unit", .help = "",
	.opt_help = { [KO_FOLDED] = "folded", [KO_WRITES] = "writes" },
};
static const struct command cmd_all = {
	.name = "isb", .summary = "unit", .help = "",
	.opt_help = { [KO_ROWS] = "rows", [KO_SORT] = "sort", [KO_PERCPU] = "per CPU",
		      [KO_FOLDED] = "folded", [KO_WRITES] = "writes",
		      [KO_SUMMARY] = "summary" },
};

/* --help's option lines, from the table parse_args reads */
static void print_options_checks(void)
{
	static const struct command two = {
		.name = "x", .summary = "", .help = "",
		.opt_help = { [KO_WRITES] = "w", [KO_ROWS] = "first\nsecond" },
	};
	const char *first = "  -d, --duration SECONDS  run this long, report and exit\n";
	const char *last = "  INTERVAL [COUNT]        report every INTERVAL seconds, COUNT times\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print_options(f, &two);
	fclose(f);
	CHECK(buf && !strcmp(buf, "  -n, --rows N            first\n"
				  "                          second\n"
				  "      --writes            w\n"),
	      "print_options: a command's own options in table order, later lines indented");
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	print_options(f, NULL);
	fclose(f);
	CHECK(buf && !strncmp(buf, first, strlen(first)) &&
	      strstr(buf, "  -h, --help              this help\n") &&
	      !strstr(buf, "--rows") &&
	      len > strlen(last) && !strcmp(buf + len - strlen(last), last),
	      "print_options: the common options, then INTERVAL [COUNT]");
	free(buf);
}

static struct env env;
static bool help;
static char errbuf[1024];

/* parse_args with stderr captured into errbuf */
static int parse(const struct command *cmd, int argc, char **argv)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t n = 0;

	memset(&env, 0, sizeof(env));
	help = false;
	errbuf[0] = 0;
	fflush(stderr);
	saved = dup(2);
	if (!tmp || saved < 0 || dup2(fileno(tmp), 2) < 0) {
		fprintf(stderr, "kpkeys-unit: cannot capture stderr: %s\n", strerror(errno));
		exit(1);
	}
	ret = parse_args(&env, cmd, argc, argv, &help);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(errbuf, 1, sizeof(errbuf) - 1, tmp);
	errbuf[n] = 0;
	fclose(tmp);
	return ret;
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(cmd, ...) parse(cmd, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* parse_args accepted ARGV silently */
static bool accepted(int ret, const char *name)
{
	return result(ret == 0 && !errbuf[0], name, "returned %d, stderr \"%s\"",
		      ret, errbuf);
}

/* parse_args refused with one line "kpkeys CMD: ..." that contains WORD */
static void refused(int ret, const struct command *cmd, const char *word,
		    const char *name)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "kpkeys %s: ", cmd->name);
	result(ret == EXIT_USAGE && lines(errbuf) == 1 &&
	       errbuf[strlen(errbuf) - 1] == '\n' &&
	       !strncmp(errbuf, prefix, strlen(prefix)) &&
	       (!word || strstr(errbuf, word)), name,
	       "returned %d, stderr \"%s\"; want %d and one line \"%s...%s...\"",
	       ret, errbuf, EXIT_USAGE, prefix, word ? word : "");
}

static void test_args(void)
{
	static char *stale1[] = { "top", "-Pj", NULL };
	static char *stale2[] = { "top", NULL };
	char pid[32], pidopt[48];
	double dv;
	long lv;
	int ret;

	/* parse_double */
	CHECK(parse_double("", &dv) == -1, "parse_double(\"\") fails");
	CHECK(parse_double(NULL, &dv) == -1, "parse_double(NULL) fails");
	CHECK(parse_double("1x", &dv) == -1, "parse_double(\"1x\") fails");
	CHECK(parse_double("x1", &dv) == -1, "parse_double(\"x1\") fails");
	CHECK(parse_double("1.5 ", &dv) == -1, "parse_double(\"1.5 \") fails (trailing space)");
	dv = 0;
	CHECK(parse_double("1e3", &dv) == 0 && dv == 1000, "parse_double(\"1e3\") is 1000");
	CHECK(parse_double("-1", &dv) == 0 && dv == -1, "parse_double(\"-1\") is -1 (callers check the range)");
	CHECK(parse_double("2.5", &dv) == 0 && dv == 2.5, "parse_double(\"2.5\") is 2.5");
	CHECK(parse_double("inf", &dv) == -1, "parse_double(\"inf\") fails");
	CHECK(parse_double("nan", &dv) == -1, "parse_double(\"nan\") fails");
	CHECK(parse_double("1e999", &dv) == -1, "parse_double(\"1e999\") fails (out of range)");
	dv = 42;
	parse_double("junk", &dv);
	CHECK(dv == 42, "parse_double leaves *out alone on failure");

	/* parse_long */
	CHECK(parse_long("", 0, 10, &lv) == -1, "parse_long(\"\") fails");
	CHECK(parse_long(NULL, 0, 10, &lv) == -1, "parse_long(NULL) fails");
	CHECK(parse_long("1x", 0, 10, &lv) == -1, "parse_long(\"1x\") fails");
	CHECK(parse_long("1e3", 0, 10000, &lv) == -1, "parse_long(\"1e3\") fails");
	CHECK(parse_long("1.0", 0, 10, &lv) == -1, "parse_long(\"1.0\") fails");
	CHECK(parse_long("-1", 0, 10, &lv) == -1, "parse_long(\"-1\") below min fails");
	CHECK(parse_long("-1", -5, 10, &lv) == 0 && lv == -1, "parse_long(\"-1\") in [-5, 10] is -1");
	CHECK(parse_long("10", 0, 10, &lv) == 0 && lv == 10, "parse_long at max");
	CHECK(parse_long("11", 0, 10, &lv) == -1, "parse_long above max fails");
	CHECK(parse_long("0", 0, 10, &lv) == 0 && lv == 0, "parse_long at min");
	CHECK(parse_long("9223372036854775808", 0, LONG_MAX, &lv) == -1,
	      "parse_long past LONG_MAX fails (ERANGE)");
	CHECK(parse_long("9223372036854775807", 0, LONG_MAX, &lv) == 0 && lv == LONG_MAX,
	      "parse_long of LONG_MAX");
	lv = 42;
	parse_long("x", 0, 10, &lv);
	CHECK(lv == 42, "parse_long leaves *out alone on failure");

	/* defaults */
	ret = PARSE(&cmd_rows, "top");
	accepted(ret, "no arguments accepted");
	CHECK(env.cmd == &cmd_rows, "env.cmd set");
	check_int(env.cpu, -1, "default cpu -1");
	check_int(env.rows, 10, "default rows 10");
	check_dbl(env.interval, 0, "default interval 0");
	check_int(env.count, 0, "default count 0");
	check_dbl(env.duration, 0, "default duration 0");
	check_int(env.pid, 0, "default pid 0");
	CHECK(!env.json && !env.verbose && !env.folded && !env.per_cpu &&
	      !env.summary && !env.weight_writes, "default flags off");
	check_int(env.sort, SORT_COUNT, "default sort by count");
	CHECK(!help, "help not set by default");

	/* duration */
	ret = PARSE(&cmd_rows, "top", "-d", "2.5");
	accepted(ret, "-d 2.5 accepted");
	check_dbl(env.duration, 2.5, "-d 2.5 sets duration");
	ret = PARSE(&cmd_rows, "top", "--duration=3");
	accepted(ret, "--duration=3 accepted");
	check_dbl(env.duration, 3, "--duration=3 sets duration");
	refused(PARSE(&cmd_rows, "top", "-d", "0"), &cmd_rows, "bad duration '0'", "-d 0 refused");
	refused(PARSE(&cmd_rows, "top", "-d", "abc"), &cmd_rows, "bad duration 'abc'", "-d abc refused");
	refused(PARSE(&cmd_rows, "top", "-d", "-1"), &cmd_rows, "bad duration '-1'", "-d -1 refused");
	refused(PARSE(&cmd_rows, "top", "-d", "31536001"), &cmd_rows, "bad duration",
		"-d past a year refused");

	/* interval and count */
	ret = PARSE(&cmd_rows, "top", "2", "5");
	accepted(ret, "interval and count accepted");
	check_dbl(env.interval, 2, "interval 2");
	check_int(env.count, 5, "count 5");
	ret = PARSE(&cmd_rows, "top", "0.5");
	accepted(ret, "interval 0.5 alone accepted");
	check_dbl(env.interval, 0.5, "interval 0.5");
	check_int(env.count, 0, "no count: 0");
	ret = PARSE(&cmd_rows, "top", "-d", "10", "2", "3");
	accepted(ret, "options then interval and count");
	CHECK(env.duration == 10 && env.interval == 2 && env.count == 3,
	      "-d 10 2 3: duration 10, interval 2, count 3");
	refused(PARSE(&cmd_rows, "top", "-1"), &cmd_rows, "bad interval '-1'",
		"interval -1 refused as a bad interval");
	refused(PARSE(&cmd_rows, "top", "-12"), &cmd_rows, "bad interval '-12'",
		"interval -12 refused naming '-12'");
	refused(PARSE(&cmd_rows, "top", "-0.5"), &cmd_rows, "bad interval '-0.5'",
		"interval -0.5 refused naming '-0.5'");
	refused(PARSE(&cmd_rows, "top", "0"), &cmd_rows, "bad interval '0'", "interval 0 refused");
	refused(PARSE(&cmd_rows, "top", "abc"), &cmd_rows, "bad interval 'abc'",
		"non-numeric interval refused");
	refused(PARSE(&cmd_rows, "top", "86401"), &cmd_rows, "bad interval", "interval past a day refused");
	refused(PARSE(&cmd_rows, "top", "1", "0"), &cmd_rows, "bad count '0'", "count 0 refused");
	refused(PARSE(&cmd_rows, "top", "1", "x"), &cmd_rows, "bad count 'x'", "non-numeric count refused");
	refused(PARSE(&cmd_rows, "top", "1", "2.5"), &cmd_rows, "bad count '2.5'", "fractional count refused");
	refused(PARSE(&cmd_rows, "top", "1", "2", "3"), &cmd_rows, "unexpected argument '3'",
		"extra positional refused");

	/* pid */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	ret = PARSE(&cmd_rows, "top", "-p", pid);
	accepted(ret, "-p of our own PID accepted");
	check_int(env.pid, getpid(), "-p sets pid");
	snprintf(pidopt, sizeof(pidopt), "--pid=%d", (int)getpid());
	ret = PARSE(&cmd_rows, "top", pidopt);
	accepted(ret, "--pid=PID accepted");
	check_int(env.pid, getpid(), "--pid sets pid");
	refused(PARSE(&cmd_rows, "top", "-p", "999999999"), &cmd_rows, "no process with PID 999999999",
		"-p of a nonexistent PID refused");
	refused(PARSE(&cmd_rows, "top", "-p", "abc"), &cmd_rows, "bad PID 'abc'", "-p abc refused");
	refused(PARSE(&cmd_rows, "top", "-p", "0"), &cmd_rows, "bad PID '0'", "-p 0 refused");
	refused(PARSE(&cmd_rows, "top", "-p", "-5"), &cmd_rows, "bad PID '-5'", "-p -5 refused");

	/* cpu */
	ret = PARSE(&cmd_rows, "top", "-C", "0");
	accepted(ret, "-C 0 accepted");
	check_int(env.cpu, 0, "-C 0 sets cpu 0");
	refused(PARSE(&cmd_rows, "top", "-C", "99999"), &cmd_rows, "bad CPU '99999'", "-C 99999 refused");
	refused(PARSE(&cmd_rows, "top", "-C", "65535"), &cmd_rows, "no CPU 65535",
		"-C of a CPU this machine lacks refused");
	refused(PARSE(&cmd_rows, "top", "-C", "-1"), &cmd_rows, "bad CPU '-1'", "-C -1 refused");

	/* options per command */
	refused(PARSE(&cmd_rows, "top", "-f"), &cmd_rows, "option '-f' does not apply to top",
		"-f refused without its help line");
	refused(PARSE(&cmd_rows, "top", "--folded"), &cmd_rows, "option '--folded' does not apply",
		"--folded refused without its help line");
	refused(PARSE(&cmd_rows, "top", "--writes"), &cmd_rows, "option '--writes' does not apply",
		"--writes refused without its help line");
	refused(PARSE(&cmd_rows, "top", "-P"), &cmd_rows, "option '-P' does not apply",
		"-P refused without its help line");
	refused(PARSE(&cmd_rows, "top", "-S"), &cmd_rows, "option '-S' does not apply",
		"-S refused without its help line");
	refused(PARSE(&cmd_fold, "audit", "-n", "5"), &cmd_fold, "option '-n' does not apply to audit",
		"-n refused without its help line");
	refused(PARSE(&cmd_fold, "audit", "-s", "name"), &cmd_fold, "option '-s' does not apply",
		"-s refused without its help line");
	print_options_checks();
	refused(PARSE(&cmd_rows, "top", "-jf"), &cmd_rows, "option '-jf' does not apply",
		"-jf refused naming '-jf'");
	refused(PARSE(&cmd_rows, "top", "-fj"), &cmd_rows, "option '-fj' does not apply",
		"-fj refused naming '-fj'");
	ret = PARSE(&cmd_all, "isb", "-P", "-S", "-n", "0", "-v", "-j");
	accepted(ret, "-P -S -n 0 -v -j accepted where allowed");
	CHECK(env.per_cpu && env.summary && env.rows == 0 && env.verbose && env.json,
	      "-P -S -n 0 -v -j set their fields");
	ret = PARSE(&cmd_rows, "top", "-n", "5");
	accepted(ret, "-n 5 accepted");
	check_int(env.rows, 5, "-n 5 sets rows");
	refused(PARSE(&cmd_rows, "top", "-n", "-1"), &cmd_rows, "bad row count '-1'", "-n -1 refused");
	refused(PARSE(&cmd_rows, "top", "-n", "1000001"), &cmd_rows, "bad row count", "-n too large refused");

	/* unknown options, missing values */
	refused(PARSE(&cmd_rows, "top", "-x"), &cmd_rows, "unknown option '-x'", "unknown short option refused");
	refused(PARSE(&cmd_rows, "top", "--bogus"), &cmd_rows, "unknown option '--bogus'",
		"unknown long option refused");
	refused(PARSE(&cmd_rows, "top", "-d"), &cmd_rows, "option '-d' needs a value",
		"-d without a value refused");
	refused(PARSE(&cmd_rows, "top", "--duration"), &cmd_rows, "option '--duration' needs a value",
		"--duration without a value refused");
	refused(PARSE(&cmd_rows, "top", "-p"), &cmd_rows, "needs a value", "-p without a value refused");
	refused(PARSE(&cmd_rows, "top", "--sort"), &cmd_rows, "needs a value", "--sort without a value refused");

	/* sort */
	ret = PARSE(&cmd_rows, "top", "--sort", "name");
	accepted(ret, "--sort name accepted");
	check_int(env.sort, SORT_NAME, "--sort name sets SORT_NAME");
	ret = PARSE(&cmd_rows, "top", "-s", "count");
	accepted(ret, "-s count accepted");
	check_int(env.sort, SORT_COUNT, "-s count sets SORT_COUNT");
	refused(PARSE(&cmd_rows, "top", "--sort", "bogus"), &cmd_rows, "unknown sort key 'bogus'",
		"--sort bogus refused");

	/* help */
	ret = PARSE(&cmd_rows, "top", "-h");
	accepted(ret, "-h accepted");
	CHECK(help, "-h sets help");
	ret = PARSE(&cmd_rows, "top", "--help");
	accepted(ret, "--help accepted");
	CHECK(help, "--help sets help");
	ret = PARSE(&cmd_rows, "top", "-h", "0");
	accepted(ret, "-h wins over a bad interval after it");
	CHECK(help, "-h before a bad interval sets help");

	/* output formats */
	ret = PARSE(&cmd_fold, "audit", "-f");
	accepted(ret, "-f accepted with its help line");
	CHECK(env.folded, "-f sets folded");
	ret = PARSE(&cmd_fold, "audit", "-f", "--writes");
	accepted(ret, "-f --writes accepted");
	CHECK(env.folded && env.weight_writes, "-f --writes sets folded and weight_writes");
	refused(PARSE(&cmd_fold, "audit", "--folded", "--json"), &cmd_fold, "pick one",
		"--folded --json refused");
	refused(PARSE(&cmd_fold, "audit", "-f", "-j"), &cmd_fold, "pick one", "-f -j refused");
	/* --writes also ranks the text report: it no longer needs -f */
	ret = PARSE(&cmd_fold, "audit", "--writes");
	accepted(ret, "--writes without -f accepted");
	CHECK(env.weight_writes && !env.folded, "--writes alone sets weight_writes only");

	/* a call must not see what an earlier call left half-read */
	ret = parse(&cmd_rows, 2, stale1);
	refused(ret, &cmd_rows, "does not apply", "-Pj refused at -P");
	ret = parse(&cmd_rows, 1, stale2);
	accepted(ret, "the next call accepted");
	CHECK(!env.json, "the next call does not read the -j left over from -Pj");
}

/* ---- decode ---- */

static void test_decode(void)
{
	char buf[160], small[10];

	check_str(kp_access_name(0), "read", "kp_access_name(0)");
	check_str(kp_access_name(1), "write", "kp_access_name(1)");
	check_str(kp_access_name(2), "exec", "kp_access_name(2)");
	check_str(kp_access_name(3), "?", "kp_access_name(3)");
	check_str(kp_access_name(-1), "?", "kp_access_name(-1)");

	/*
	 * ESR_EL1: EC [31:26], IL bit 25, ISS [24:0] (WnR bit 6, DFSC
	 * [5:0], permission fault 0b0011LL), ISS2 [55:32] (Overlay ISS2
	 * bit 6 = ESR bit 38). 0x25 << 26 | IL = 0x96000000.
	 */
	kp_decode_syndrome(KP_ARCH_ARM64, 0x96000000 | 0x40 | 0x0f, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), permission fault L3, write",
		  "ESR 0x9600004f: data abort same EL, permission L3, write");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x960000cf, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), permission fault L3, write",
		  "ESR 0x960000cf (S1PTW also set): the same words");
	kp_decode_syndrome(KP_ARCH_ARM64, (1ULL << 38) | 0x9600004f, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), permission fault L3, write, overlay",
		  "ESR 0x409600004f: ISS2 overlay bit 38");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x9600000d, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), permission fault L1, read",
		  "ESR 0x9600000d: permission L1, read");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x92000047, buf, sizeof(buf));
	check_str(buf, "data abort (lower EL), translation fault L3, write",
		  "ESR 0x92000047: data abort lower EL, translation L3, write");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x9600000a, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), access flag fault L2, read",
		  "ESR 0x9600000a: access flag L2");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x8600000f, buf, sizeof(buf));
	check_str(buf, "instruction abort (same EL), permission fault L3",
		  "ESR 0x8600000f: instruction abort same EL, no read/write");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x82000004, buf, sizeof(buf));
	check_str(buf, "instruction abort (lower EL), translation fault L0",
		  "ESR 0x82000004: instruction abort lower EL, translation L0");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x96000010, buf, sizeof(buf));
	check_str(buf, "data abort (same EL), FSC 0x10, read", "ESR 0x96000010: other FSC in hex");
	kp_decode_syndrome(KP_ARCH_ARM64, 0x56000000, buf, sizeof(buf));
	check_str(buf, "EC 0x15", "ESR 0x56000000: not an abort, EC in hex");

	/* x86 error code: P 1, W 2, U 4, RSVD 8, I 16, PK 32 */
	kp_decode_syndrome(KP_ARCH_X86_64, 0x23, buf, sizeof(buf));
	check_str(buf, "protection violation, write, supervisor, pkey",
		  "x86 error code 0x23: present|write|pkey");
	kp_decode_syndrome(KP_ARCH_X86_64, 0x21, buf, sizeof(buf));
	check_str(buf, "protection violation, read, supervisor, pkey", "x86 error code 0x21");
	kp_decode_syndrome(KP_ARCH_X86_64, 0, buf, sizeof(buf));
	check_str(buf, "not present, read, supervisor", "x86 error code 0");
	kp_decode_syndrome(KP_ARCH_X86_64, 0x15, buf, sizeof(buf));
	check_str(buf, "protection violation, exec, user", "x86 error code 0x15: instruction fetch");
	kp_decode_syndrome(KP_ARCH_X86_64, 0x0e, buf, sizeof(buf));
	check_str(buf, "not present, write, user, reserved bit", "x86 error code 0x0e");
	kp_decode_syndrome(KP_ARCH_OTHER, 0x1f, buf, sizeof(buf));
	check_str(buf, "0x1f", "other arch: syndrome in hex");

	/* POR_EL1 nibble per pkey: bit 0 read, bit 1 execute, bit 2 write */
	kp_decode_reg(KP_ARCH_ARM64, 0x17777717, buf, sizeof(buf));
	check_str(buf, "0:rwx 1:r-- 2:rwx 3:rwx 4:rwx 5:rwx 6:rwx 7:r--",
		  "POR 0x17777717");
	kp_decode_reg(KP_ARCH_ARM64, 0x76543210, buf, sizeof(buf));
	check_str(buf, "0:--- 1:r-- 2:--x 3:r-x 4:-w- 5:rw- 6:-wx 7:rwx",
		  "POR 0x76543210: every permission combination");
	kp_decode_reg(KP_ARCH_ARM64, 0x17777717, small, sizeof(small));
	check_str(small, "0:rwx 1:r", "kp_decode_reg truncates to the buffer");
	/* PKRS: 2 bits per pkey: bit 2k access disable, 2k+1 write disable */
	kp_decode_reg(KP_ARCH_X86_64, 0xe4, buf, sizeof(buf));
	check_str(buf, "0:rw 1:-- 2:r- 3:-- 4:rw 5:rw 6:rw 7:rw 8:rw 9:rw 10:rw "
		  "11:rw 12:rw 13:rw 14:rw 15:rw", "PKRS 0xe4: keys 1 AD, 2 WD, 3 AD|WD");
	kp_decode_reg(KP_ARCH_X86_64, 0x40000000, buf, sizeof(buf));
	check_str(buf, "0:rw 1:rw 2:rw 3:rw 4:rw 5:rw 6:rw 7:rw 8:rw 9:rw 10:rw "
		  "11:rw 12:rw 13:rw 14:rw 15:--", "PKRS 0x40000000: key 15 AD");
	kp_decode_reg(KP_ARCH_OTHER, 0xabc, buf, sizeof(buf));
	check_str(buf, "0xabc", "other arch: register in hex");

	check_int(kp_arch_from_machine("aarch64"), KP_ARCH_ARM64, "kp_arch_from_machine(aarch64)");
	check_int(kp_arch_from_machine("arm64"), KP_ARCH_ARM64, "kp_arch_from_machine(arm64)");
	check_int(kp_arch_from_machine("x86_64"), KP_ARCH_X86_64, "kp_arch_from_machine(x86_64)");
	check_int(kp_arch_from_machine("armv7l"), KP_ARCH_OTHER, "kp_arch_from_machine(armv7l)");
	check_int(kp_arch_from_machine("i686"), KP_ARCH_OTHER, "kp_arch_from_machine(i686)");
	check_int(kp_arch_from_machine(""), KP_ARCH_OTHER, "kp_arch_from_machine(\"\")");

	CHECK(kp_frame_is_tracing("bpf_prog_6deef7357e7b4530_kpkeys_switch"),
	      "tracing frame: bpf_prog_...");
	CHECK(kp_frame_is_tracing("__traceiter_kpkeys_switch"), "tracing frame: __traceiter_kpkeys_switch");
	CHECK(kp_frame_is_tracing("__kpkeys_trace_switch"), "tracing frame: __kpkeys_trace_switch");
	CHECK(kp_frame_is_tracing("trace_call_bpf"), "tracing frame: trace_call_bpf");
	CHECK(kp_frame_is_tracing("bpf_trace_run7"), "tracing frame: bpf_trace_run7");
	CHECK(kp_frame_is_tracing("__bpf_trace_kpkeys_switch"), "tracing frame: __bpf_trace_kpkeys_switch");
	CHECK(kp_frame_is_tracing("perf_trace_run_bpf_submit"), "tracing frame: perf_trace_run_bpf_submit");
	CHECK(kp_frame_is_tracing("ftrace_trampoline"), "tracing frame: ftrace_trampoline");
	CHECK(!kp_frame_is_tracing("copy_pte_range"), "traced frame: copy_pte_range");
	CHECK(!kp_frame_is_tracing("kpkeys_set_level"), "traced frame: kpkeys_set_level");
	CHECK(!kp_frame_is_tracing("set_memory_pkey"), "traced frame: set_memory_pkey");
	CHECK(!kp_frame_is_tracing(""), "traced frame: empty name");
}

/* ---- rows ---- */

static const char *row_str(const struct rows *rs)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rs->n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%s/%lld", i ? " " : "",
				rs->r[i].name, (long long)rs->r[i].id);
	return buf;
}

static void test_rows(void)
{
	struct rows rs = {0};
	struct row *r, *r2;
	char name[16];
	bool found = true, fresh = true;

	rows_sort(&rs, 0, 0);
	CHECK(rs.n == 0, "rows_sort of no rows");

	r = rows_get(&rs, "a", 1);
	if (!CHECK(r, "rows_get creates a row"))
		return;
	CHECK(!strcmp(r->name, "a") && r->id == 1, "new row has name and id");
	CHECK(r->v[0] == 0 && r->v[ROW_VALS - 1] == 0 && !r->data, "new row is zeroed");
	r->v[0] = 5;
	r2 = rows_get(&rs, "a", 1);
	CHECK(r2 == r && r2->v[0] == 5, "rows_get finds the same row");
	check_int(rs.n, 1, "one row");
	r2 = rows_get(&rs, "a", 2);
	CHECK(r2 && r2 != &rs.r[0] && r2->v[0] == 0, "same name, other id: a new row");
	r2 = rows_get(&rs, "b", 1);
	CHECK(r2 && r2->v[0] == 0, "other name, same id: a new row");
	check_int(rs.n, 3, "three rows");

	/* the name is copied */
	snprintf(name, sizeof(name), "tmp");
	rows_get(&rs, name, 9)->v[1] = 77;
	snprintf(name, sizeof(name), "xyz");
	r = rows_get(&rs, "tmp", 9);
	CHECK(r && r->v[1] == 77 && rs.n == 4, "rows_get copies the name");
	rows_free(&rs);
	CHECK(rs.n == 0 && !rs.r && rs.cap == 0, "rows_free empties the rows");
	rows_free(&rs);

	/* growth past the first allocation */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "row%d", i);
		r = rows_get(&rs, name, i % 7);
		if (!r)
			break;
		if (r->v[0] != 0)
			fresh = false;
		r->v[0] = i;
	}
	CHECK(fresh, "100 distinct rows each created fresh");
	check_int(rs.n, 100, "100 rows");
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "row%d", i);
		r = rows_get(&rs, name, i % 7);
		if (!r || r->v[0] != (uint64_t)i)
			found = false;
	}
	CHECK(found, "every one of 100 rows found again with its values");
	check_int(rs.n, 100, "still 100 rows after the lookups");
	rows_free(&rs);

	/* sorting */
	rows_get(&rs, "x", 3)->v[2] = 5;
	rows_get(&rs, "y", 1)->v[2] = 7;
	rows_get(&rs, "b", 2)->v[2] = 5;
	rows_get(&rs, "a", 2)->v[2] = 5;
	rows_get(&rs, "c", 1)->v[2] = 5;
	rows_get(&rs, "a", 1)->v[2] = 1;
	/* column 0 in reverse, to show column 2 is the one sorted on */
	for (size_t i = 0; i < rs.n; i++)
		rs.r[i].v[0] = 100 - i;
	rows_sort(&rs, 2, 0);
	check_str(row_str(&rs), "y/1 c/1 a/2 b/2 x/3 a/1",
		  "rows_sort by column 2 descending, ties by id then name");
	rows_sort(&rs, 2, 1);
	check_str(row_str(&rs), "a/1 a/2 b/2 c/1 x/3 y/1",
		  "rows_sort by name ascending, ties by id");
	rows_free(&rs);

	rows_get(&rs, "small", 0)->v[0] = 1;
	rows_get(&rs, "huge", 0)->v[0] = UINT64_MAX;
	rows_get(&rs, "mid", 0)->v[0] = 1ULL << 63;
	rows_sort(&rs, 0, 0);
	check_str(row_str(&rs), "huge/0 mid/0 small/0", "rows_sort of values near UINT64_MAX");
	rows_get(&rs, "neg", -5)->v[0] = 1;
	rows_sort(&rs, 0, 0);
	check_str(row_str(&rs), "huge/0 mid/0 neg/-5 small/0",
		  "rows_sort: negative ids sort first among ties");
	r = rows_get(&rs, "mid", 0);
	CHECK(r && r->v[0] == 1ULL << 63 && rs.n == 4, "rows_get finds a row after a sort");
	rows_free(&rs);

	/*
	 * The index: 20000 rows (the most a report has is two maps of 8192),
	 * names shared by 4 ids each, found again before and after a sort
	 */
	found = fresh = true;
	for (int i = 0; i < 20000 && fresh; i++) {
		snprintf(name, sizeof(name), "s%d", i / 4);
		r = rows_get(&rs, name, i % 4 - 2);
		fresh = r && r->v[0] == 0;
		if (r)
			r->v[0] = i + 1;
	}
	CHECK(fresh && rs.n == 20000, "20000 rows created fresh");
	rows_sort(&rs, 0, 1);
	for (int i = 0; i < 20000 && found; i++) {
		snprintf(name, sizeof(name), "s%d", i / 4);
		r = rows_get(&rs, name, i % 4 - 2);
		found = r && r->v[0] == (uint64_t)i + 1;
	}
	CHECK(found && rs.n == 20000, "every one of 20000 rows found after a sort");
	rows_free(&rs);
	CHECK(!rs.slot && rs.nslots == 0, "rows_free drops the index");
}

/* ---- abi ---- */

/*
 * A kernel BTF in miniature: the types the kpkeys events use, enum
 * kpkeys_level when WITH_ENUM, and btf_trace_kpkeys_switch taking the
 * level arguments as LEVEL_TYPE (enum or int) with the reg arguments'
 * order as given.
 */
static struct btf *fake_btf(bool with_enum, bool level_as_int, bool swap_regs)
{
	struct btf *b = btf__new_empty();
	int t_int, t_ull, t_u64, t_bool, t_ul, t_lvl = -1, t_void_p, fp, s, cs;

	if (!b)
		return NULL;
	t_int = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	t_ull = btf__add_int(b, "long long unsigned int", 8, 0);
	t_u64 = btf__add_typedef(b, "u64", t_ull);
	t_bool = btf__add_typedef(b, "bool", btf__add_int(b, "_Bool", 1, BTF_INT_BOOL));
	t_ul = btf__add_int(b, "long unsigned int", 8, 0);
	if (with_enum) {
		t_lvl = btf__add_enum(b, "kpkeys_level", 4);
		btf__add_enum_value(b, "KPKEYS_LVL_NONE", -1);
		btf__add_enum_value(b, "KPKEYS_LVL_DEFAULT", 0);
		btf__add_enum_value(b, "KPKEYS_LVL_TEST", 1);
		btf__add_enum_value(b, "KPKEYS_LVL_PGTABLES", 2);
	}
	t_void_p = btf__add_ptr(b, 0);
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "", t_void_p);
	btf__add_func_param(b, "", t_bool);
	btf__add_func_param(b, "", level_as_int ? t_int : t_lvl);
	btf__add_func_param(b, "", level_as_int ? t_int : t_lvl);
	btf__add_func_param(b, "", swap_regs ? t_int : t_u64);
	btf__add_func_param(b, "", t_u64);
	btf__add_func_param(b, "", t_u64);
	btf__add_func_param(b, "", t_u64);
	btf__add_func_param(b, "", t_bool);
	btf__add_func_param(b, "", t_ul);
	btf__add_typedef(b, "btf_trace_kpkeys_switch", btf__add_ptr(b, fp));
	/* kpkeys_fault: a pointer to a const struct */
	s = btf__add_struct(b, "kpkeys_fault_info", 8);
	btf__add_field(b, "addr", t_ul, 0, 0);
	cs = btf__add_ptr(b, btf__add_const(b, s));
	/* a prototype's parameters follow it with no other type between */
	fp = btf__add_func_proto(b, 0);
	btf__add_func_param(b, "", t_void_p);
	btf__add_func_param(b, "", cs);
	btf__add_typedef(b, "btf_trace_kpkeys_fault", btf__add_ptr(b, fp));
	return b;
}

static void test_abi(void)
{
	const char *sw = kp_abi_proto("kpkeys_switch");
	char why[256], buf[16];
	struct btf *b;
	int ret;

	CHECK(sw && strstr(sw, "enum kpkeys_level from_level") &&
	      kp_abi_proto("kpkeys_batch") && kp_abi_proto("kpkeys_fault") &&
	      kp_abi_proto("kpkeys_set_memory_pkey") && kp_abi_proto("kpkeys_split") &&
	      !kp_abi_proto("kpkeys_bogus"),
	      "kp_abi_proto knows the five events' parameter lists");

	/* the levels' names: numbers until BTF names them */
	check_str(kp_level_name(2, buf, sizeof(buf)), "2", "kp_level_name(2) without BTF: the number");
	b = fake_btf(false, true, false);
	CHECK(b && kp_levels_from_btf(b) == -1, "kp_levels_from_btf: -1 without enum kpkeys_level");
	btf__free(b);
	b = fake_btf(true, false, false);
	if (!CHECK(b, "fake BTF built"))
		return;
	CHECK(kp_levels_from_btf(b) == 0, "kp_levels_from_btf reads enum kpkeys_level");
	check_str(kp_level_name(-1, buf, sizeof(buf)), "?", "kp_level_name(-1), KPKEYS_LVL_NONE");
	check_str(kp_level_name(0, buf, sizeof(buf)), "DEFAULT", "kp_level_name(0) from BTF");
	check_str(kp_level_name(1, buf, sizeof(buf)), "TEST", "kp_level_name(1) from BTF");
	check_str(kp_level_name(2, buf, sizeof(buf)), "PGTABLES", "kp_level_name(2) from BTF");
	check_str(kp_level_name(5, buf, sizeof(buf)), "5", "kp_level_name(5): not in the enum");
	check_str(kp_level_name(-2, buf, sizeof(buf)), "-2", "kp_level_name(-2)");
	CHECK(kp_level_name(0, buf, sizeof(buf)) == buf, "kp_level_name writes BUF");

	/* the events' arguments */
	ret = kp_abi_check(b, "kpkeys_switch", sw, why, sizeof(why));
	CHECK(ret == 0, nm("kpkeys_switch matches KP_SWITCH_PROTO (%s)", ret ? why : ""));
	ret = kp_abi_check(b, "kpkeys_fault", kp_abi_proto("kpkeys_fault"), why, sizeof(why));
	CHECK(ret == 0, nm("kpkeys_fault: a pointer to const struct kpkeys_fault_info matches (%s)",
			   ret ? why : ""));
	CHECK(kp_abi_check(b, "kpkeys_split", kp_abi_proto("kpkeys_split"), why, sizeof(why)) == -2 &&
	      strstr(why, "no trace event kpkeys:kpkeys_split"), "an event BTF lacks: -2");
	CHECK(kp_abi_check(b, "kpkeys_switch", "bool restore", why, sizeof(why)) == -1 &&
	      strstr(why, "kpkeys:kpkeys_switch takes 9 arguments, this tool expects 1"),
	      nm("a different argument count is named: %s", why));
	CHECK(kp_abi_check(b, "kpkeys_fault", "const struct kpkeys_batch_info *f", why, sizeof(why)) == -1 &&
	      strstr(why, "argument 1 (f)"), nm("a pointer to another struct differs: %s", why));
	CHECK(kp_abi_check(b, "kpkeys_fault", "unsigned long f", why, sizeof(why)) == -1,
	      "a pointer against an integer differs");
	/* C's integer spellings against DWARF's names in BTF */
	CHECK(kp_abi_check(b, "kpkeys_switch", "bool restore, int a, int b, long long unsigned c, "
			   "unsigned long long d, u64 e, u64 f, _Bool g, unsigned long h",
			   why, sizeof(why)) == -1 && strstr(why, "argument 2 (a) is enum kpkeys_level"),
	      nm("int against enum kpkeys_level differs: %s", why));
	ret = kp_abi_check(b, "kpkeys_switch", "bool restore, enum kpkeys_level a, "
			   "enum kpkeys_level b, long long unsigned c, unsigned long long d, "
			   "u64 e, u64 f, _Bool g, long unsigned int h", why, sizeof(why));
	CHECK(ret == 0, nm("\"unsigned long long\" is u64, \"long unsigned int\" unsigned long (%s)",
			   ret ? why : ""));
	CHECK(kp_abi_check(b, "kpkeys_switch", "bool restore, enum kpkeys_level a, "
			   "enum kpkeys_level b, long c, u64 d, u64 e, u64 f, bool g, unsigned long h",
			   why, sizeof(why)) == -1 && strstr(why, "argument 4 (c) is u64"),
	      nm("long against u64 (signedness) differs: %s", why));
	CHECK(kp_abi_check(b, "kpkeys_switch", "bool restore, enum kpkeys_level a, "
			   "enum kpkeys_level b, u64 c, u64 d, u64 e, u64 f, bool g, unsigned int h",
			   why, sizeof(why)) == -1 && strstr(why, "argument 9 (h) is long unsigned int"),
	      nm("unsigned int against unsigned long (size) differs: %s", why));
	btf__free(b);

	/* a kernel whose levels are plain ints: the second argument differs */
	b = fake_btf(true, true, false);
	CHECK(b && kp_abi_check(b, "kpkeys_switch", sw, why, sizeof(why)) == -1 &&
	      !strcmp(why, "kpkeys:kpkeys_switch argument 2 (from_level) is int in this kernel, this tool expects enum kpkeys_level"),
	      nm("levels as int, not enum kpkeys_level: %s", why));
	btf__free(b);
	/* reordered arguments: an int where a u64 was */
	b = fake_btf(true, false, true);
	CHECK(b && kp_abi_check(b, "kpkeys_switch", sw, why, sizeof(why)) == -1 &&
	      strstr(why, "argument 4 (from_reg) is int in this kernel, this tool expects u64"),
	      nm("an int where u64 was: %s", why));
	btf__free(b);
}

/* ---- main ---- */

static const struct {
	const char *name;
	void (*fn)(void);
} groups[] = {
	{ "hist", test_hist },
	{ "ksyms", test_ksyms },
	{ "json", test_json },
	{ "args", test_args },
	{ "decode", test_decode },
	{ "rows", test_rows },
	{ "abi", test_abi },
};
#define NR_GROUPS (sizeof(groups) / sizeof(groups[0]))

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		size_t g;

		for (g = 0; g < NR_GROUPS; g++)
			if (!strcmp(argv[i], groups[g].name))
				break;
		if (g == NR_GROUPS) {
			fprintf(stderr, "kpkeys-unit: unknown group '%s'; groups:", argv[i]);
			for (g = 0; g < NR_GROUPS; g++)
				fprintf(stderr, " %s", groups[g].name);
			fputc('\n', stderr);
			return 2;
		}
	}
	bool run[NR_GROUPS];
	int nr_run = 0, num = 0, failed = 0;

	for (size_t g = 0; g < NR_GROUPS; g++) {
		run[g] = argc < 2;
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], groups[g].name))
				run[g] = true;
		nr_run += run[g];
	}
	printf("KTAP version 1\n1..%d\n", nr_run);
	for (size_t g = 0; g < NR_GROUPS; g++) {
		if (!run[g])
			continue;
		printf("  KTAP version 1\n  # Subtest: %s\n", groups[g].name);
		t_num = t_failed = 0;
		groups[g].fn();
		printf("%sok %d %s\n", t_failed ? "not " : "", ++num, groups[g].name);
		if (t_failed)
			printf("# %s: %d of %d checks failed\n", groups[g].name,
			       t_failed, t_num);
		failed += t_failed;
	}
	return failed ? 1 : 0;
}
