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

/* A code path: its symbolized frames, leaf first (a row's data). */
struct audit_path {
	int n;
	char *frames[KP_MAX_STACK];
};

struct audit_report {
	double secs;
	bool last;
	__u64 windows, writes, stack_errors, dropped;
	/*
	 * One row per code path: name, its frames folded root first (stacks
	 * that symbolize alike merge); v[A_WINDOWS], v[A_WRITES]; data, the
	 * struct audit_path. Sorted by the column ranked on.
	 */
	struct rows paths;
	size_t shown;		/* the rows to print */
};

static void audit_report_free(struct audit_report *rep)
{
	for (size_t i = 0; i < rep->paths.n; i++) {
		struct audit_path *p = rep->paths.r[i].data;

		for (int f = 0; p && f < p->n; f++)
			free(p->frames[f]);
		free(p);
	}
	rows_free(&rep->paths);
}

/*
 * Stack ID's frames, leaf first and without the tracing path's, into P,
 * and folded root first into FOLDED. 0, or -1 when the stack is gone.
 */
static int stack_frames(struct env *env, int fd, __u32 id, struct audit_path *p,
			char *folded, size_t size)
{
	__u64 ips[KP_MAX_STACK] = {};
	char sym[128];
	int n = 0, first;
	size_t len = 0;

	folded[0] = 0;
	p->n = 0;
	if (bpf_map_lookup_elem(fd, &id, ips))
		return -1;
	while (n < KP_MAX_STACK && ips[n])
		n++;
	first = kp_first_traced_frame(env, ips, n);
	for (int i = first; i < n; i++) {
		p->frames[p->n] = strdup(kp_sym(env, ips[i], sym, sizeof(sym)));
		if (p->frames[p->n])
			p->n++;
	}
	for (int f = p->n - 1; f >= 0 && len + 1 < size; f--) {
		int w = snprintf(folded + len, size - len, "%s%s", len ? ";" : "",
				 p->frames[f]);

		if (w < 0)
			break;
		len += (size_t)w < size - len ? (size_t)w : size - len - 1;
	}
	return 0;
}

/* One path's row, its frames attached when new. */
static struct row *path_row(struct env *env, struct rows *rs, int sfd, __u32 id)
{
	static char folded[KP_MAX_STACK * 128];
	struct audit_path *p = calloc(1, sizeof(*p));
	struct row *r;

	if (!p)
		return NULL;
	if (stack_frames(env, sfd, id, p, folded, sizeof(folded))) {
		snprintf(folded, sizeof(folded), "[stack %u lost]", id);
		p->frames[0] = strdup(folded);
		p->n = p->frames[0] ? 1 : 0;
	}
	r = rows_get(rs, folded, 0);
	if (r && !r->data) {
		r->data = p;
		return r;
	}
	for (int f = 0; f < p->n; f++)
		free(p->frames[f]);
	free(p);
	return r;
}

/* This report's windows and writes per path; 0 or an exit status. */
static int audit_collect(struct env *env, struct audit_ctx *t,
			 struct audit_report *rep)
{
	struct audit_bpf *skel = t->skel;
	int sfd = bpf_map__fd(skel->maps.stacks), err;
	struct audit_bpf__bss g;
	struct snapshot s;

	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	err = snapshot_read(bpf_map__fd(skel->maps.windows), sizeof(__u32),
			    sizeof(struct kp_audit_stat), &s);
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	rep->stack_errors = g.stack_errors;
	rep->dropped = g.dropped_windows;
	for (size_t i = 0; i < s.n; i++) {
		const __u32 *id = SNAP_KEY(&s, i);
		const struct kp_audit_stat *v = SNAP_VAL(&s, i);
		const struct kp_audit_stat *o = snapshot_find(&t->prev, id);
		__u64 dw = v->windows - (o ? o->windows : 0);
		__u64 dr = v->writes - (o ? o->writes : 0);
		struct row *r;

		if (!dw && !dr)
			continue;
		r = path_row(env, &rep->paths, sfd, *id);
		if (r) {
			r->v[A_WINDOWS] += dw;
			r->v[A_WRITES] += dr;
		}
		rep->windows += dw;
		rep->writes += dr;
	}
	rows_sort(&rep->paths, env->weight_writes ? A_WRITES : A_WINDOWS, 0);
	rep->shown = env->rows && !env->folded && (size_t)env->rows < rep->paths.n ?
		     (size_t)env->rows : rep->paths.n;
	snapshot_free(&t->prev);
	t->prev = s;
	return 0;
}

static int audit_print_json(struct env *env, const struct audit_report *rep)
{
	struct json *j = &env->json_doc;

	json_obj_begin(j, NULL);
	json_str(j, "type", "audit");
	json_double(j, "time", kp_now() + kp_boot_offset());
	json_double(j, "interval_s", rep->secs);
	json_uint(j, "windows", rep->windows);
	json_uint(j, "writes", rep->writes);
	json_arr_begin(j, "stacks");
	for (size_t i = 0; i < rep->shown; i++) {
		const struct row *r = &rep->paths.r[i];
		const struct audit_path *p = r->data;

		json_obj_begin(j, NULL);
		json_uint(j, "windows", r->v[A_WINDOWS]);
		json_uint(j, "writes", r->v[A_WRITES]);
		json_arr_begin(j, "frames");	/* leaf first */
		for (int f = 0; p && f < p->n; f++)
			json_str(j, NULL, p->frames[f]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_uint(j, "stack_errors", rep->stack_errors);
	json_uint(j, "dropped", rep->dropped);
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

/* root;...;leaf COUNT, for flame graphs */
static void audit_print_folded(struct env *env, const struct audit_report *rep)
{
	for (size_t i = 0; i < rep->shown; i++)
		fprintf(env->out, "%s %llu\n", rep->paths.r[i].name,
			(unsigned long long)rep->paths.r[i].v[env->weight_writes ?
							     A_WRITES : A_WINDOWS]);
	fflush(env->out);
}

static void audit_print_plain(struct env *env, const struct audit_report *rep)
{
	char clk[16];

	fprintf(env->out, "%s  %.2f s: %llu windows with page-table write access, %llu page-table writes, %zu code paths\n",
		kp_clock(clk, sizeof(clk)), rep->secs, (unsigned long long)rep->windows,
		(unsigned long long)rep->writes, rep->paths.n);
	fprintf(env->out, "%10s %10s  %s\n", "WINDOWS", "WRITES", "KERNEL STACK (leaf first)");
	for (size_t i = 0; i < rep->shown; i++) {
		const struct row *r = &rep->paths.r[i];
		const struct audit_path *p = r->data;

		fprintf(env->out, "%10llu %10llu", (unsigned long long)r->v[A_WINDOWS],
			(unsigned long long)r->v[A_WRITES]);
		for (int f = 0; p && f < p->n; f++)
			fprintf(env->out, "%s%s\n", f ? "                        " : "  ",
				p->frames[f]);
		if (!p || !p->n)
			fputc('\n', env->out);
	}
	if (rep->shown < rep->paths.n)
		fprintf(env->out, "(%zu more code paths; -n 0 shows all)\n",
			rep->paths.n - rep->shown);
	if (rep->stack_errors || rep->dropped)
		fprintf(env->out, "%llu stacks not captured, %llu windows not attributed (full maps)\n",
			(unsigned long long)rep->stack_errors,
			(unsigned long long)rep->dropped);
	fputc('\n', env->out);
	fflush(env->out);
}

static int audit_report(struct env *env, void *ctx, double secs, bool last)
{
	struct audit_report rep = { .secs = secs, .last = last };
	int err = audit_collect(env, ctx, &rep);

	if (!err) {
		if (env->json)
			err = audit_print_json(env, &rep);
		else if (env->folded)
			audit_print_folded(env, &rep);
		else
			audit_print_plain(env, &rep);
	}
	audit_report_free(&rep);
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
