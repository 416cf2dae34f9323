// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys top: level-switch rates per transition, caller, CPU and process. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "top.skel.h"

struct top_ctx {
	struct top_bpf *skel;
	struct percpu_snap trans;	/* kp_trans_count, keys [0, KP_NR_TRANS) */
	struct snapshot prev_callers, prev_tasks;
	__u64 prev_dropped;
};

static void level_pair(int idx, int *restore, int *from, int *to)
{
	*to = idx % KP_NR_LEVELS - 1;
	idx /= KP_NR_LEVELS;
	*from = idx % KP_NR_LEVELS - 1;
	*restore = idx / KP_NR_LEVELS;
}

/* One report: what changed since the previous one. */
struct top_trans {
	bool restore;
	int from, to;		/* levels */
	char from_name[16], to_name[16];
	__u64 count;
};

struct top_report {
	double secs;
	bool last;
	__u64 total, sets, restores, syncs, dropped;
	struct top_trans trans[KP_NR_TRANS];
	size_t ntrans;
	/* v[0]: switches; callers by name, cpus by id, tasks by comm and tgid */
	struct rows callers, cpus, tasks;
};

static void top_report_free(struct top_report *rep)
{
	rows_free(&rep->callers);
	rows_free(&rep->cpus);
	rows_free(&rep->tasks);
}

/* by "FROM -> TO" as text would sort */
static int cmp_trans_levels(const struct top_trans *x, const struct top_trans *y)
{
	int c = strcmp(x->from_name, y->from_name);

	return c ? c : strcmp(x->to_name, y->to_name);
}

/* descending by count, ties: set before restore, then by levels */
static int cmp_trans_count(const void *a, const void *b)
{
	const struct top_trans *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->restore != y->restore)
		return x->restore - y->restore;
	return cmp_trans_levels(x, y);
}

/* by levels, then set before restore */
static int cmp_trans_name(const void *a, const void *b)
{
	const struct top_trans *x = a, *y = b;
	int c = cmp_trans_levels(x, y);

	return c ? c : x->restore - y->restore;
}

static int cmp_row_id(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Rows of a snapshot's keys that grew since PREV; KEY_ROW names them. */
static void add_counter_rows(struct rows *rs, const struct snapshot *cur,
			     const struct snapshot *prev,
			     struct row *(*key_row)(struct env *, struct rows *, const void *),
			     struct env *env)
{
	for (size_t i = 0; i < cur->n; i++) {
		const __u64 *val = SNAP_VAL(cur, i);
		const __u64 *old = snapshot_find(prev, SNAP_KEY(cur, i));
		__u64 d = *val - (old ? *old : 0);
		struct row *r;

		if (d && (r = key_row(env, rs, SNAP_KEY(cur, i))))
			r->v[0] += d;
	}
}

static struct row *caller_row(struct env *env, struct rows *rs, const void *key)
{
	char buf[64];

	return rows_get(rs, kp_sym(env, *(const __u64 *)key, buf, sizeof(buf)), 0);
}

static struct row *task_row(struct env *env, struct rows *rs, const void *key)
{
	const struct kp_task_key *k = key;
	char comm[KP_TASK_COMM_LEN + 1];

	memcpy(comm, k->comm, KP_TASK_COMM_LEN);
	comm[KP_TASK_COMM_LEN] = 0;
	return rows_get(rs, comm, k->tgid);
}

/*
 * Read the maps into REP, sorted as asked, and make this report the next
 * one's base. Returns 0 or an exit status (the message printed).
 */
static int top_collect(struct env *env, struct top_ctx *t, struct top_report *rep)
{
	struct top_bpf *skel = t->skel;
	struct snapshot cs, ts;
	struct top_bpf__bss g;
	bool by_name = env->sort == SORT_NAME;
	int err;

	err = percpu_snap_read(&t->trans, bpf_map__fd(skel->maps.trans));
	if (!err)
		err = snapshot_read(bpf_map__fd(skel->maps.callers), sizeof(__u64),
				    sizeof(__u64), &cs);
	if (!err) {
		err = snapshot_read(bpf_map__fd(skel->maps.tasks),
				    sizeof(struct kp_task_key), sizeof(__u64), &ts);
		if (err)
			snapshot_free(&cs);
	}
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g))) {
		snapshot_free(&cs);
		snapshot_free(&ts);
		return EXIT_RUNTIME;
	}

	for (int i = 0; i < KP_NR_TRANS; i++) {
		struct top_trans *tr = &rep->trans[rep->ntrans];
		__u64 n = 0, s = 0;
		int restore;

		for (int c = 0; c < env->nr_cpus; c++) {
			const struct kp_trans_count *cur = PSNAP_CUR(&t->trans, i, c);
			const struct kp_trans_count *prev = PSNAP_PREV(&t->trans, i, c);
			__u64 d = cur->count - prev->count;
			struct row *r;

			n += d;
			s += cur->syncs - prev->syncs;
			if (d && (r = rows_get(&rep->cpus, "", c)))
				r->v[0] += d;
		}
		if (!n)
			continue;
		level_pair(i, &restore, &tr->from, &tr->to);
		tr->restore = restore;
		tr->count = n;
		kp_level_name(tr->from, tr->from_name, sizeof(tr->from_name));
		kp_level_name(tr->to, tr->to_name, sizeof(tr->to_name));
		rep->ntrans++;
		rep->total += n;
		rep->syncs += s;
		if (restore)
			rep->restores += n;
		else
			rep->sets += n;
	}
	add_counter_rows(&rep->callers, &cs, &t->prev_callers, caller_row, env);
	add_counter_rows(&rep->tasks, &ts, &t->prev_tasks, task_row, env);
	rep->dropped = g.dropped_callers + g.dropped_tasks - t->prev_dropped;

	qsort(rep->trans, rep->ntrans, sizeof(rep->trans[0]),
	      by_name ? cmp_trans_name : cmp_trans_count);
	rows_sort(&rep->callers, 0, by_name);
	rows_sort(&rep->tasks, 0, by_name);
	if (by_name && rep->cpus.n)	/* CPUs in number order */
		qsort(rep->cpus.r, rep->cpus.n, sizeof(rep->cpus.r[0]), cmp_row_id);
	else
		rows_sort(&rep->cpus, 0, 0);

	/* this report's totals are the next one's base */
	percpu_snap_next(&t->trans);
	snapshot_free(&t->prev_callers);
	snapshot_free(&t->prev_tasks);
	t->prev_callers = cs;
	t->prev_tasks = ts;
	t->prev_dropped = g.dropped_callers + g.dropped_tasks;
	return 0;
}

static double rate(__u64 n, double secs)
{
	return secs > 0 ? n / secs : 0.0;
}

/* the rows -n shows */
static size_t shown(const struct env *env, const struct rows *rs)
{
	return env->rows && (size_t)env->rows < rs->n ? (size_t)env->rows : rs->n;
}

enum row_kind { ROW_CALLER, ROW_CPU, ROW_TASK };

static void print_rows_plain(struct env *env, const struct rows *rs,
			     const char *title, enum row_kind kind, double secs)
{
	size_t n = shown(env, rs);

	fprintf(env->out, "\n%-40s %12s %12s\n", title, "COUNT", "PER SEC");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rs->r[i];
		char key[160];

		if (kind == ROW_CPU)
			snprintf(key, sizeof(key), "%lld", (long long)r->id);
		else if (kind == ROW_TASK)
			snprintf(key, sizeof(key), "%-8lld %s", (long long)r->id, r->name);
		else
			snprintf(key, sizeof(key), "%s", r->name);
		fprintf(env->out, "%-40s %12llu %12.1f\n", key,
			(unsigned long long)r->v[0], rate(r->v[0], secs));
	}
	if (n < rs->n)
		fprintf(env->out, "(%zu more)\n", rs->n - n);
}

static void top_print_plain(struct env *env, const struct top_report *rep)
{
	double secs = rep->secs;
	char buf[32], tr[40];

	if (isatty(fileno(env->out)) && env->interval)
		fputs("\033[H\033[2J", env->out);
	fprintf(env->out, "%s  %.2f s: %llu switches (%.1f/s): %llu set, %llu restore, %llu with their own sync",
		kp_clock(buf, sizeof(buf)), secs, (unsigned long long)rep->total,
		rate(rep->total, secs), (unsigned long long)rep->sets,
		(unsigned long long)rep->restores, (unsigned long long)rep->syncs);
	if (rep->dropped)
		fprintf(env->out, "; %llu not attributed (full maps)",
			(unsigned long long)rep->dropped);
	fputc('\n', env->out);
	fprintf(env->out, "\n%-28s %-11s %12s %12s\n", "TRANSITION", "OP", "COUNT", "PER SEC");
	for (size_t i = 0; i < rep->ntrans; i++) {
		const struct top_trans *t = &rep->trans[i];

		snprintf(tr, sizeof(tr), "%s -> %s", t->from_name, t->to_name);
		fprintf(env->out, "%-28s %-11s %12llu %12.1f\n", tr,
			t->restore ? "restore" : "set",
			(unsigned long long)t->count, rate(t->count, secs));
	}
	print_rows_plain(env, &rep->callers, "CALLER", ROW_CALLER, secs);
	print_rows_plain(env, &rep->cpus, "CPU", ROW_CPU, secs);
	print_rows_plain(env, &rep->tasks, "PID      COMM", ROW_TASK, secs);
	fputc('\n', env->out);
	fflush(env->out);
}

static void print_rows_json(struct env *env, const struct rows *rs,
			    const char *name, enum row_kind kind, double secs)
{
	struct json *j = &env->json_doc;
	size_t n = shown(env, rs);

	json_arr_begin(j, name);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rs->r[i];

		json_obj_begin(j, NULL);
		if (kind == ROW_CPU) {
			json_int(j, "cpu", r->id);
		} else if (kind == ROW_TASK) {
			json_int(j, "pid", r->id);
			json_str(j, "comm", r->name);
		} else {
			json_str(j, "caller", r->name);
		}
		json_uint(j, "count", r->v[0]);
		json_double(j, "rate", rate(r->v[0], secs));
		json_obj_end(j);
	}
	json_arr_end(j);
}

static int top_print_json(struct env *env, const struct top_report *rep)
{
	struct json *j = &env->json_doc;
	double secs = rep->secs;

	json_obj_begin(j, NULL);
	json_str(j, "type", "top");
	json_double(j, "time", kp_now() + kp_boot_offset());
	json_double(j, "interval_s", secs);
	json_uint(j, "switches", rep->total);
	json_uint(j, "sets", rep->sets);
	json_uint(j, "restores", rep->restores);
	json_uint(j, "syncs", rep->syncs);
	json_double(j, "rate", rate(rep->total, secs));
	json_arr_begin(j, "transitions");
	for (size_t i = 0; i < rep->ntrans; i++) {
		const struct top_trans *t = &rep->trans[i];

		json_obj_begin(j, NULL);
		json_str(j, "op", t->restore ? "restore" : "set");
		json_str(j, "from", t->from_name);
		json_str(j, "to", t->to_name);
		json_uint(j, "count", t->count);
		json_double(j, "rate", rate(t->count, secs));
		json_obj_end(j);
	}
	json_arr_end(j);
	print_rows_json(env, &rep->callers, "callers", ROW_CALLER, secs);
	print_rows_json(env, &rep->cpus, "cpus", ROW_CPU, secs);
	print_rows_json(env, &rep->tasks, "tasks", ROW_TASK, secs);
	json_uint(j, "dropped", rep->dropped);
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static int top_report(struct env *env, void *ctx, double secs, bool last)
{
	struct top_report rep = { .secs = secs, .last = last };
	int err = top_collect(env, ctx, &rep);

	if (!err) {
		if (env->json)
			err = top_print_json(env, &rep);
		else
			top_print_plain(env, &rep);
	}
	top_report_free(&rep);
	return err;
}

static int top_run(struct env *env)
{
	struct top_ctx t = {};
	int err;

	t.skel = top_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	if (percpu_snap_init(&t.trans, KP_NR_TRANS, env->nr_cpus,
			     sizeof(struct kp_trans_count))) {
		kp_err(env, "out of memory");
		err = EXIT_RUNTIME;
		goto out;
	}
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	err = kp_run_loop(env, NULL, top_report, &t);
out:
	snapshot_free(&t.prev_callers);
	snapshot_free(&t.prev_tasks);
	percpu_snap_free(&t.trans);
	top_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_top = {
	.name = "top",
	.summary = "level switches per second: per transition, caller, CPU and process",
	.help =
"Counts every kpkeys level switch (kpkeys:kpkeys_switch) in the kernel and\n"
"prints, each interval (default 1 s), the switches made in it per\n"
"transition (set/restore, from -> to level), per calling function, per\n"
"CPU and per process and command name (an exec starts a new row), with\n"
"rates. Counts are exact (per-CPU counters);\n"
"callers and processes beyond the maps' 8192 entries are counted as\n"
"not attributed.\n",
	.opt_help = {
		[KO_ROWS] = "rows per table (default 10, 0: all)",
		[KO_SORT] = "count (default, descending) or name",
	},
	.examples =
"  kpkeys top                      refresh every second until Ctrl-C\n"
"  kpkeys top 5 3                  three reports, 5 s apart\n"
"  kpkeys top -d 10 -n 0           one report over 10 s, every row\n"
"  kpkeys top -p $(pidof qemu) -s name\n"
"  kpkeys top --json -d 5 | jq '.callers[0]'\n",
	.default_interval = 1.0,
	.events = { "kpkeys_switch" },
	.run = top_run,
};
