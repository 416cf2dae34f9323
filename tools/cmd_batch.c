// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys batch: how well lazy-MMU sections batch page-table writes. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "batch.skel.h"

struct batch_ctx {
	struct batch_bpf *skel;
	struct percpu_snap tot;		/* kp_batch_stat, one key */
	struct percpu_snap hist;	/* kp_hist, one key */
	struct snapshot prev_callers;
};

/* Row columns. */
enum { C_WINDOWS, C_WRITES, C_SWITCHES, C_AVOIDED, C_ELIDED, C_PGT, C_PGT_DOWN, C_COST };

static void stat_delta(uint64_t *v, const struct kp_batch_stat *a,
		       const struct kp_batch_stat *b)
{
	static const struct kp_batch_stat zero;

	if (!b)
		b = &zero;
	v[C_WINDOWS] += a->windows - b->windows;
	v[C_WRITES] += a->writes - b->writes;
	v[C_SWITCHES] += a->switches - b->switches;
	v[C_AVOIDED] += a->avoided - b->avoided;
	v[C_ELIDED] += a->elided - b->elided;
	v[C_PGT] += a->pgt_switches - b->pgt_switches;
	v[C_PGT_DOWN] += a->pgt_restores - b->pgt_restores;
}

/* Percent of the switches page-table writes needed that batching avoided. */
static double effectiveness(const uint64_t *v)
{
	__u64 need = v[C_AVOIDED] + v[C_PGT];

	return need ? 100.0 * v[C_AVOIDED] / need : NAN;
}

/* PGTABLES windows no kpkeys_batch event covered. */
static uint64_t unbatched(const uint64_t *v)
{
	__u64 raised = v[C_SWITCHES] / 2;

	return v[C_PGT_DOWN] > raised ? v[C_PGT_DOWN] - raised : 0;
}

struct batch_report {
	double secs;
	bool last;
	uint64_t tot[ROW_VALS];		/* the columns, over every CPU */
	struct kp_hist hist;		/* writes per window */
	struct rows callers;		/* v: the columns; by C_COST, idle rows last */
	size_t active, shown;		/* callers with any window or cost; to print */
	__u64 dropped;
};

/* This report's figures; 0 or an exit status (the message printed). */
static int batch_collect(struct env *env, struct batch_ctx *t, struct batch_report *rep)
{
	struct batch_bpf *skel = t->skel;
	struct rows *callers = &rep->callers;
	struct batch_bpf__bss g;
	struct kp_hist d;
	struct snapshot cs;
	char buf[160];
	int err;

	err = percpu_snap_read(&t->tot, bpf_map__fd(skel->maps.totals));
	if (!err)
		err = percpu_snap_read(&t->hist, bpf_map__fd(skel->maps.writes_hist));
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	err = snapshot_read(bpf_map__fd(skel->maps.callers), sizeof(__u64),
			    sizeof(struct kp_batch_stat), &cs);
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	for (int c = 0; c < env->nr_cpus; c++) {
		stat_delta(rep->tot, PSNAP_CUR(&t->tot, 0, c), PSNAP_PREV(&t->tot, 0, c));
		hist_sub(&d, PSNAP_CUR(&t->hist, 0, c), PSNAP_PREV(&t->hist, 0, c));
		hist_add(&rep->hist, &d);
	}
	for (size_t i = 0; i < cs.n; i++) {
		const __u64 *key = SNAP_KEY(&cs, i);
		struct row *r = rows_get(callers, kp_sym(env, *key, buf, sizeof(buf)), 0);

		if (r)
			stat_delta(r->v, SNAP_VAL(&cs, i),
				   snapshot_find(&t->prev_callers, key));
	}
	/* rank by what the path's writes would cost unbatched; idle rows last */
	for (size_t i = 0; i < callers->n; i++)
		callers->r[i].v[C_COST] = callers->r[i].v[C_AVOIDED] + callers->r[i].v[C_PGT];
	rows_sort(callers, C_COST, 0);
	rep->active = callers->n;
	while (rep->active && !callers->r[rep->active - 1].v[C_COST] &&
	       !callers->r[rep->active - 1].v[C_WINDOWS])
		rep->active--;
	rep->shown = env->rows && (size_t)env->rows < rep->active ?
		     (size_t)env->rows : rep->active;
	rep->dropped = g.dropped_callers;

	percpu_snap_next(&t->tot);
	percpu_snap_next(&t->hist);
	snapshot_free(&t->prev_callers);
	t->prev_callers = cs;
	return 0;
}

static int batch_print_json(struct env *env, const struct batch_report *rep)
{
	struct json *j = &env->json_doc;
	const uint64_t *tot = rep->tot;

	json_obj_begin(j, NULL);
	json_str(j, "type", "batch");
	json_double(j, "time", kp_now() + kp_boot_offset());
	json_double(j, "interval_s", rep->secs);
	json_uint(j, "windows", tot[C_WINDOWS]);
	json_uint(j, "writes", tot[C_WRITES]);
	json_uint(j, "switches_made", tot[C_SWITCHES]);
	json_uint(j, "switches_avoided", tot[C_AVOIDED]);
	json_uint(j, "syncs_elided", tot[C_ELIDED]);
	json_uint(j, "pgtables_switches", tot[C_PGT]);
	json_uint(j, "unbatched_windows", unbatched(tot));
	json_double(j, "effectiveness_pct", effectiveness(tot));
	json_obj_begin(j, "writes_per_window");
	json_double(j, "mean", hist_mean(&rep->hist));
	json_double(j, "p50", hist_percentile(&rep->hist, 50));
	json_double(j, "p99", hist_percentile(&rep->hist, 99));
	json_uint(j, "max", rep->hist.max);
	kp_json_buckets(j, &rep->hist);
	json_obj_end(j);
	json_arr_begin(j, "callers");
	for (size_t i = 0; i < rep->shown; i++) {
		const uint64_t *v = rep->callers.r[i].v;

		json_obj_begin(j, NULL);
		json_str(j, "caller", rep->callers.r[i].name);
		json_uint(j, "windows", v[C_WINDOWS]);
		json_uint(j, "writes", v[C_WRITES]);
		json_uint(j, "unbatched_windows", unbatched(v));
		json_uint(j, "pgtables_switches", v[C_PGT]);
		json_uint(j, "switches_avoided", v[C_AVOIDED]);
		json_double(j, "effectiveness_pct", effectiveness(v));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_uint(j, "dropped", rep->dropped);
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void batch_print_plain(struct env *env, const struct batch_report *rep)
{
	const uint64_t *tot = rep->tot;
	const struct kp_hist *hist = &rep->hist;
	double e = effectiveness(tot);
	char buf[32];

	fprintf(env->out, "%s  %.2f s: batching effectiveness ", kp_clock(buf, sizeof(buf)),
		rep->secs);
	if (isnan(e))
		fprintf(env->out, "n/a (no page-table writes)\n");
	else
		fprintf(env->out, "%.1f%% (%llu of %llu switches avoided)\n", e,
			(unsigned long long)tot[C_AVOIDED],
			(unsigned long long)(tot[C_AVOIDED] + tot[C_PGT]));
	fprintf(env->out, "  lazy-MMU windows that wrote: %llu, with %llu page-table writes (per window: mean %.1f, p50 %.0f, p99 %.0f, max %llu)\n",
		(unsigned long long)tot[C_WINDOWS], (unsigned long long)tot[C_WRITES],
		hist_mean(hist), hist_percentile(hist, 50),
		hist_percentile(hist, 99), (unsigned long long)hist->max);
	fprintf(env->out, "  switches made by the windows: %llu, avoided: %llu, syncs elided: %llu\n",
		(unsigned long long)tot[C_SWITCHES], (unsigned long long)tot[C_AVOIDED],
		(unsigned long long)tot[C_ELIDED]);
	fprintf(env->out, "  switches to or from PGTABLES in all: %llu; windows outside any batch: %llu\n",
		(unsigned long long)tot[C_PGT], (unsigned long long)unbatched(tot));
	fprintf(env->out, "    (guarded writes outside a lazy-MMU section, 2 switches each, or sections that wrote nothing)\n");
	if (hist->count) {
		fprintf(env->out, "\nwrites per window:\n");
		hist_print(env->out, hist, "writes");
	}
	fprintf(env->out, "\n%-32s %9s %10s %10s %10s %10s %9s\n", "CALLER", "WINDOWS",
		"WRITES", "UNBATCHED", "SWITCHES", "AVOIDED", "EFFECT.");
	for (size_t i = 0; i < rep->shown; i++) {
		const uint64_t *v = rep->callers.r[i].v;
		double ce = effectiveness(v);

		fprintf(env->out, "%-32s %9llu %10llu %10llu %10llu %10llu ",
			rep->callers.r[i].name, (unsigned long long)v[C_WINDOWS],
			(unsigned long long)v[C_WRITES], (unsigned long long)unbatched(v),
			(unsigned long long)v[C_PGT], (unsigned long long)v[C_AVOIDED]);
		if (isnan(ce))
			fprintf(env->out, "%9s\n", "-");
		else
			fprintf(env->out, "%8.1f%%\n", ce);
	}
	if (rep->shown < rep->active)
		fprintf(env->out, "(%zu more)\n", rep->active - rep->shown);
	if (rep->dropped)
		fprintf(env->out, "%llu events not attributed to a caller (full map)\n",
			(unsigned long long)rep->dropped);
	fputc('\n', env->out);
	fflush(env->out);
}

static int batch_report(struct env *env, void *ctx, double secs, bool last)
{
	struct batch_report rep = { .secs = secs, .last = last };
	int err = batch_collect(env, ctx, &rep);

	if (!err) {
		if (env->json)
			err = batch_print_json(env, &rep);
		else
			batch_print_plain(env, &rep);
	}
	rows_free(&rep.callers);
	return err;
}

static int batch_run(struct env *env)
{
	struct batch_ctx t = {};
	size_t n = env->nr_cpus;
	int err;

	t.skel = batch_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	if (percpu_snap_init(&t.tot, 1, n, sizeof(struct kp_batch_stat)) ||
	    percpu_snap_init(&t.hist, 1, n, sizeof(struct kp_hist))) {
		kp_err(env, "out of memory");
		err = EXIT_RUNTIME;
		goto out;
	}
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	err = kp_run_loop(env, NULL, batch_report, &t);
out:
	snapshot_free(&t.prev_callers);
	percpu_snap_free(&t.tot);
	percpu_snap_free(&t.hist);
	batch_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_batch = {
	.name = "batch",
	.summary = "batching effectiveness: lazy-MMU windows, writes per window, switches avoided",
	.help =
"With hardened page tables, every page-table write needs the PGTABLES\n"
"level: 2 switches (raise, restore) when done alone. A lazy-MMU section\n"
"raises once for all its writes. From kpkeys:kpkeys_batch and\n"
"kpkeys:kpkeys_switch this reports: windows (sections that wrote), writes\n"
"per window (log2 histogram), switches the windows made and avoided, and\n"
"effectiveness = avoided / (avoided + every switch to or from PGTABLES),\n"
"overall and per calling function. \"Windows outside any batch\" are\n"
"raises no batch covered: guarded writes outside a lazy-MMU section (or\n"
"sections that wrote nothing). Reports at the end, or every INTERVAL.\n",
	.opt_help = {
		[KO_ROWS] = "callers shown (default 10, 0: all)",
	},
	.examples =
"  kpkeys batch -d 10              ten seconds of the whole system\n"
"  kpkeys batch -p 1234 -n 0       one process, every call path, until Ctrl-C\n"
"  kpkeys batch --json 1 10        ten one-second JSON documents\n",
	.events = { "kpkeys_switch", "kpkeys_batch" },
	.run = batch_run,
};
