// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys audit: the kernel code paths that gain page-table write access. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "audit.skel.h"

struct audit_ctx {
	struct audit_bpf *skel;
	struct snapshot prev;
};

enum { A_WINDOWS, A_WRITES };

/*
 * Symbolize stack ID into ROW's name as folded frames, root first; the
 * frames of the tracing path are left out. Frames leaf-first in FRAMES.
 */
static int stack_name(struct env *env, int fd, __u32 id, char *out, size_t size)
{
	__u64 ips[KP_MAX_STACK] = {};
	char sym[128];
	int n = 0, first = 0;
	size_t len = 0;

	out[0] = 0;
	if (bpf_map_lookup_elem(fd, &id, ips))
		return -1;
	while (n < KP_MAX_STACK && ips[n])
		n++;
	first = kp_first_traced_frame(env, ips, n);
	for (int i = n - 1; i >= first && len + 1 < size; i--) {
		int w = snprintf(out + len, size - len, "%s%s", len ? ";" : "",
				 kp_sym(env, ips[i], sym, sizeof(sym)));

		if (w < 0)
			break;
		len += (size_t)w < size - len ? (size_t)w : size - len - 1;
	}
	return 0;
}

static int audit_report(struct env *env, void *ctx, double secs, bool last)
{
	struct audit_ctx *t = ctx;
	struct audit_bpf *skel = t->skel;
	int sfd = bpf_map__fd(skel->maps.stacks), err;
	struct rows stacks = {};
	struct snapshot s;
	struct audit_bpf__bss g;
	struct json *j = &env->json_doc;
	__u64 windows = 0, writes = 0;
	static char name[KP_MAX_STACK * 128];
	char clk[16];
	size_t rows;

	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	err = snapshot_read(bpf_map__fd(skel->maps.windows), sizeof(__u32),
			    sizeof(struct kp_audit_stat), &s);
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < s.n; i++) {
		const __u32 *id = SNAP_KEY(&s, i);
		const struct kp_audit_stat *v = SNAP_VAL(&s, i);
		const struct kp_audit_stat *o = snapshot_find(&t->prev, id);
		__u64 dw = v->windows - (o ? o->windows : 0);
		__u64 dr = v->writes - (o ? o->writes : 0);
		struct row *r;

		if (!dw && !dr)
			continue;
		if (stack_name(env, sfd, *id, name, sizeof(name)))
			snprintf(name, sizeof(name), "[stack %u lost]", *id);
		r = rows_get(&stacks, name, 0);
		if (r) {
			r->v[A_WINDOWS] += dw;
			r->v[A_WRITES] += dr;
		}
		windows += dw;
		writes += dr;
	}
	rows_sort(&stacks, env->weight_writes ? A_WRITES : A_WINDOWS, 0);
	rows = env->rows && !env->folded && (size_t)env->rows < stacks.n ?
	       (size_t)env->rows : stacks.n;

	if (env->json) {
		json_obj_begin(j, NULL);
		json_str(j, "type", "audit");
		json_double(j, "time", kp_now() + kp_boot_offset());
		json_double(j, "interval_s", secs);
		json_uint(j, "windows", windows);
		json_uint(j, "writes", writes);
		json_arr_begin(j, "stacks");
		for (size_t i = 0; i < rows; i++) {
			char *p = stacks.r[i].name, *q;
			int nf = 1;

			json_obj_begin(j, NULL);
			json_uint(j, "windows", stacks.r[i].v[A_WINDOWS]);
			json_uint(j, "writes", stacks.r[i].v[A_WRITES]);
			/* frames leaf first */
			json_arr_begin(j, "frames");
			for (q = p; *q; q++)
				nf += *q == ';';
			for (int f = nf - 1; f >= 0; f--) {
				char *b = p, *e;

				for (int k = 0; k < f; k++)
					b = strchr(b, ';') + 1;
				e = strchr(b, ';');
				if (e)
					*e = 0;
				json_str(j, NULL, b);
				if (e)
					*e = ';';
			}
			json_arr_end(j);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_uint(j, "stack_errors", g.stack_errors);
		json_uint(j, "dropped", g.dropped_windows);
		json_bool(j, "last", last);
		json_obj_end(j);
		err = json_emit(j, env->out) ? EXIT_RUNTIME : 0;
	} else if (env->folded) {
		for (size_t i = 0; i < rows; i++)
			fprintf(env->out, "%s %llu\n", stacks.r[i].name,
				(unsigned long long)stacks.r[i].v[env->weight_writes ? A_WRITES : A_WINDOWS]);
		fflush(env->out);
	} else {
		fprintf(env->out, "%s  %.2f s: %llu windows with page-table write access, %llu page-table writes, %zu code paths\n",
			kp_clock(clk, sizeof(clk)), secs, (unsigned long long)windows,
			(unsigned long long)writes, stacks.n);
		fprintf(env->out, "%10s %10s  %s\n", "WINDOWS", "WRITES", "KERNEL STACK (leaf first)");
		for (size_t i = 0; i < rows; i++) {
			char *p = stacks.r[i].name, *e;
			int nf = 1;

			for (e = p; *e; e++)
				nf += *e == ';';
			fprintf(env->out, "%10llu %10llu", (unsigned long long)stacks.r[i].v[A_WINDOWS],
				(unsigned long long)stacks.r[i].v[A_WRITES]);
			for (int f = nf - 1; f >= 0; f--) {
				char *b = p;

				for (int k = 0; k < f; k++)
					b = strchr(b, ';') + 1;
				e = strchr(b, ';');
				fprintf(env->out, "%s%.*s\n", f == nf - 1 ? "  " : "                        ",
					(int)(e ? e - b : (long)strlen(b)), b);
			}
		}
		if (rows < stacks.n)
			fprintf(env->out, "(%zu more code paths; -n 0 shows all)\n", stacks.n - rows);
		if (g.stack_errors || g.dropped_windows)
			fprintf(env->out, "%llu stacks not captured, %llu windows not attributed (full maps)\n",
				(unsigned long long)g.stack_errors,
				(unsigned long long)g.dropped_windows);
		fputc('\n', env->out);
		fflush(env->out);
	}
	snapshot_free(&t->prev);
	t->prev = s;
	rows_free(&stacks);
	return err;
}

static int audit_run(struct env *env)
{
	struct audit_ctx t = {};
	int err;

	t.skel = audit_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	err = kp_run_loop(env, NULL, audit_report, &t);
out:
	snapshot_free(&t.prev);
	audit_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_audit = {
	.name = "audit",
	.summary = "kernel code paths that gain page-table write access, with windows and writes",
	.help =
"Takes the kernel stack of every raise to the PGTABLES level (a guarded\n"
"page-table write, or a lazy-MMU section's enter) and counts, per code\n"
"path, the windows opened and the page-table writes made in them (a\n"
"section's writes from kpkeys:kpkeys_batch, one for a guarded write).\n"
"Frames of the tracing path are left out; stacks are symbolized to\n"
"function names and merged. Reports at the end, or every INTERVAL.\n",
	.opt_help = {
		[KO_ROWS] = "code paths shown (default 10, 0: all)",
		[KO_FOLDED] =
			"folded stacks (root;...;leaf COUNT), every path,\n"
			"for flamegraph.pl and other flame-graph tools",
		[KO_WRITES] =
			"rank paths by writes, not windows (the switches\n"
			"they cost); with -f, COUNT is writes",
	},
	.examples =
"  kpkeys audit -d 10              the 10 paths that open the most windows, 10 s\n"
"  kpkeys audit --writes -n 5      the 5 paths that write the most entries\n"
"  kpkeys audit -f -d 30 > pt.folded && flamegraph.pl pt.folded > pt.svg\n"
"  kpkeys audit -p 1234 -n 0 --json\n",
	.events = { "kpkeys_switch", "kpkeys_batch" },
	.run = audit_run,
};
