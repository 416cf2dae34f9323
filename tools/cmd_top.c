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

static void print_rows(struct env *env, struct rows *rs, const char *title,
		       const char *key_fmt, double secs)
{
	size_t n = env->rows && (size_t)env->rows < rs->n ? (size_t)env->rows : rs->n;

	fprintf(env->out, "\n%-40s %12s %12s\n", title, "COUNT", "PER SEC");
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rs->r[i];
		char key[160];

		if (!strcmp(key_fmt, "cpu"))
			snprintf(key, sizeof(key), "%lld", (long long)r->id);
		else if (!strcmp(key_fmt, "pid"))
			snprintf(key, sizeof(key), "%-8lld %s", (long long)r->id, r->name);
		else
			snprintf(key, sizeof(key), "%s", r->name);
		fprintf(env->out, "%-40s %12llu %12.1f\n", key,
			(unsigned long long)r->v[0], secs > 0 ? r->v[0] / secs : 0.0);
	}
	if (n < rs->n)
		fprintf(env->out, "(%zu more)\n", rs->n - n);
}

static void json_rows(struct env *env, struct rows *rs, const char *name,
		      const char *kind, double secs)
{
	struct json *j = &env->json_doc;
	size_t n = env->rows && (size_t)env->rows < rs->n ? (size_t)env->rows : rs->n;

	json_arr_begin(j, name);
	for (size_t i = 0; i < n; i++) {
		struct row *r = &rs->r[i];

		json_obj_begin(j, NULL);
		if (!strcmp(kind, "cpu")) {
			json_int(j, "cpu", r->id);
		} else if (!strcmp(kind, "pid")) {
			json_int(j, "pid", r->id);
			json_str(j, "comm", r->name);
		} else {
			json_str(j, "caller", r->name);
		}
		json_uint(j, "count", r->v[0]);
		json_double(j, "rate", secs > 0 ? r->v[0] / secs : 0.0);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static int top_report(struct env *env, void *ctx, double secs, bool last)
{
	struct top_ctx *t = ctx;
	struct top_bpf *skel = t->skel;
	struct rows trans = {}, callers = {}, cpus = {}, tasks = {};
	struct snapshot cs, ts;
	struct top_bpf__bss g;
	__u64 total = 0, sets = 0, restores = 0, syncs = 0, dropped;
	int err, ncpu = env->nr_cpus;
	char buf[64], a[16], b[16];
	struct json *j = &env->json_doc;

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

	for (int i = 0; i < KP_NR_TRANS; i++) {
		__u64 n = 0, s = 0;
		int restore, from, to;

		for (int c = 0; c < ncpu; c++) {
			const struct kp_trans_count *cur = PSNAP_CUR(&t->trans, i, c);
			const struct kp_trans_count *prev = PSNAP_PREV(&t->trans, i, c);
			__u64 d = cur->count - prev->count;

			n += d;
			s += cur->syncs - prev->syncs;
			if (d) {
				struct row *r = rows_get(&cpus, "", c);

				if (r)
					r->v[0] += d;
			}
		}
		if (!n)
			continue;
		level_pair(i, &restore, &from, &to);
		snprintf(buf, sizeof(buf), "%s -> %s", kp_level_name(from, a, sizeof(a)),
			 kp_level_name(to, b, sizeof(b)));
		struct row *r = rows_get(&trans, buf, restore);

		if (r)
			r->v[0] += n;
		total += n;
		syncs += s;
		if (restore)
			restores += n;
		else
			sets += n;
	}
	for (size_t i = 0; i < cs.n; i++) {
		const __u64 *key = SNAP_KEY(&cs, i), *val = SNAP_VAL(&cs, i);
		const __u64 *old = snapshot_find(&t->prev_callers, key);
		__u64 d = *val - (old ? *old : 0);
		struct row *r;

		if (!d)
			continue;
		r = rows_get(&callers, kp_sym(env, *key, buf, sizeof(buf)), 0);
		if (r)
			r->v[0] += d;
	}
	for (size_t i = 0; i < ts.n; i++) {
		const struct kp_task_key *key = SNAP_KEY(&ts, i);
		const __u64 *val = SNAP_VAL(&ts, i);
		const __u64 *old = snapshot_find(&t->prev_tasks, key);
		__u64 d = *val - (old ? *old : 0);
		char comm[KP_TASK_COMM_LEN + 1];
		struct row *r;

		if (!d)
			continue;
		memcpy(comm, key->comm, KP_TASK_COMM_LEN);
		comm[KP_TASK_COMM_LEN] = 0;
		r = rows_get(&tasks, comm, key->tgid);
		if (r)
			r->v[0] += d;
	}
	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g))) {
		snapshot_free(&cs);
		snapshot_free(&ts);
		return EXIT_RUNTIME;
	}
	dropped = g.dropped_callers + g.dropped_tasks;

	rows_sort(&trans, 0, env->sort == SORT_NAME);
	rows_sort(&callers, 0, env->sort == SORT_NAME);
	rows_sort(&tasks, 0, env->sort == SORT_NAME);
	rows_sort(&cpus, 0, 0);
	if (env->sort == SORT_NAME) {
		/* CPUs in number order */
		for (size_t x = 1; x < cpus.n; x++)
			for (size_t y = x; y > 0 && cpus.r[y - 1].id > cpus.r[y].id; y--) {
				struct row tmp = cpus.r[y];

				cpus.r[y] = cpus.r[y - 1];
				cpus.r[y - 1] = tmp;
			}
	}

	if (env->json) {
		json_obj_begin(j, NULL);
		json_str(j, "type", "top");
		json_double(j, "time", kp_now() + kp_boot_offset());
		json_double(j, "interval_s", secs);
		json_uint(j, "switches", total);
		json_uint(j, "sets", sets);
		json_uint(j, "restores", restores);
		json_uint(j, "syncs", syncs);
		json_double(j, "rate", secs > 0 ? total / secs : 0.0);
		json_arr_begin(j, "transitions");
		for (size_t i = 0; i < trans.n; i++) {
			char *arrow = strstr(trans.r[i].name, " -> ");

			json_obj_begin(j, NULL);
			json_str(j, "op", trans.r[i].id ? "restore" : "set");
			*arrow = 0;
			json_str(j, "from", trans.r[i].name);
			json_str(j, "to", arrow + 4);
			*arrow = ' ';
			json_uint(j, "count", trans.r[i].v[0]);
			json_double(j, "rate", secs > 0 ? trans.r[i].v[0] / secs : 0.0);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_rows(env, &callers, "callers", "caller", secs);
		json_rows(env, &cpus, "cpus", "cpu", secs);
		json_rows(env, &tasks, "tasks", "pid", secs);
		json_uint(j, "dropped", dropped - t->prev_dropped);
		json_bool(j, "last", last);
		json_obj_end(j);
		err = json_emit(j, env->out) ? EXIT_RUNTIME : 0;
	} else {
		if (isatty(fileno(env->out)) && env->interval)
			fputs("\033[H\033[2J", env->out);
		fprintf(env->out, "%s  %.2f s: %llu switches (%.1f/s): %llu set, %llu restore, %llu with their own sync",
			kp_clock(buf, sizeof(buf)), secs, (unsigned long long)total,
			secs > 0 ? total / secs : 0.0, (unsigned long long)sets,
			(unsigned long long)restores, (unsigned long long)syncs);
		if (dropped - t->prev_dropped)
			fprintf(env->out, "; %llu not attributed (full maps)",
				(unsigned long long)(dropped - t->prev_dropped));
		fputc('\n', env->out);
		fprintf(env->out, "\n%-28s %-11s %12s %12s\n", "TRANSITION", "OP", "COUNT", "PER SEC");
		for (size_t i = 0; i < trans.n; i++)
			fprintf(env->out, "%-28s %-11s %12llu %12.1f\n", trans.r[i].name,
				trans.r[i].id ? "restore" : "set",
				(unsigned long long)trans.r[i].v[0],
				secs > 0 ? trans.r[i].v[0] / secs : 0.0);
		print_rows(env, &callers, "CALLER", "caller", secs);
		print_rows(env, &cpus, "CPU", "cpu", secs);
		print_rows(env, &tasks, "PID      COMM", "pid", secs);
		fputc('\n', env->out);
		fflush(env->out);
	}

	/* this report's totals are the next one's base */
	percpu_snap_next(&t->trans);
	snapshot_free(&t->prev_callers);
	snapshot_free(&t->prev_tasks);
	t->prev_callers = cs;
	t->prev_tasks = ts;
	t->prev_dropped = dropped;
	rows_free(&trans);
	rows_free(&callers);
	rows_free(&cpus);
	rows_free(&tasks);
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
