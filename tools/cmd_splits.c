// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys splits: set_memory_pkey() calls and mapping splits, with callers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "splits.skel.h"

struct splits_ctx {
	struct splits_bpf *skel;
	struct env *env;
	double boot_offset;
	__u64 prev_calls, prev_pages, prev_failed, prev_splits, prev_dropped;
	__u64 prev_stack_errors;
	struct snapshot prev;
	int err;
};

/* The call path of a stack id: the first frames outside the tracing path
 * and kpkeys' own set_memory_pkey plumbing, leaf first, " <- " between. */
static void call_path(struct env *env, int fd, __s32 id, int depth, char *out,
		      size_t size)
{
	__u64 ips[KP_MAX_STACK] = {};
	char sym[128];
	size_t len = 0;
	int shown = 0;

	out[0] = 0;
	/* "?" and why: what to look at when a path is missing */
	if (id < 0) {
		snprintf(out, size, "? (no stack: %s)", strerror(-id));
		return;
	}
	if (bpf_map_lookup_elem(fd, &id, ips)) {
		snprintf(out, size, "? (stack %d not in the map)", id);
		return;
	}
	for (int i = kp_first_traced_frame(env, ips, KP_MAX_STACK);
	     i < KP_MAX_STACK && ips[i] && shown < depth; i++) {
		kp_sym(env, ips[i], sym, sizeof(sym));
		if (kp_frame_is_tracing(sym) || !strcmp(sym, "set_memory_pkey") ||
		    !strncmp(sym, "kpkeys_", 7) || !strncmp(sym, "__kpkeys_", 9))
			continue;
		len += snprintf(out + len, size > len ? size - len : 0, "%s%s",
				shown ? " <- " : "", sym);
		if (len >= size)
			break;
		shown++;
	}
	if (!shown)
		snprintf(out, size, "? (only tracing and kpkeys frames)");
}

/* One event, as read from the ring buffer and resolved. */
struct split_event {
	const struct kp_split_event *e;
	double time;
	char comm[KP_TASK_COMM_LEN + 1];
	char path[512];
};

static int event_print_json(struct env *env, const struct split_event *ev)
{
	const struct kp_split_event *e = ev->e;
	struct json *j = &env->json_doc;
	char caller[160];

	json_obj_begin(j, NULL);
	json_str(j, "type", e->type == KP_EV_SPLIT ? "split" : "set_memory_pkey");
	json_double(j, "time", ev->time);
	json_uint(j, "cpu", e->cpu);
	json_uint(j, "pid", e->pid);
	json_str(j, "comm", ev->comm);
	json_hex(j, "addr", e->addr);
	if (e->type == KP_EV_SPLIT) {
		json_uint(j, "size_before", e->size_before);
		json_uint(j, "size_after", e->size_after);
		json_int(j, "level", e->level);
	} else {
		json_int(j, "nr_pages", e->nr_pages);
		json_int(j, "pkey", e->pkey);
		json_int(j, "ret", e->ret);
		json_str(j, "caller", kp_sym_off(env, e->caller, caller, sizeof(caller)));
	}
	json_str(j, "path", ev->path);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void event_print_plain(struct env *env, const struct split_event *ev)
{
	const struct kp_split_event *e = ev->e;

	if (e->type == KP_EV_SPLIT)
		fprintf(env->out, "%.6f cpu %u %-16s split 0x%llx %llu -> %llu bytes, level %d  %s\n",
			ev->time, e->cpu, ev->comm, (unsigned long long)e->addr,
			(unsigned long long)e->size_before,
			(unsigned long long)e->size_after, e->level, ev->path);
	else
		fprintf(env->out, "%.6f cpu %u %-16s set_memory_pkey 0x%llx pages %d pkey %d ret %d  %s\n",
			ev->time, e->cpu, ev->comm, (unsigned long long)e->addr, e->nr_pages,
			e->pkey, e->ret, ev->path);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct splits_ctx *t = ctx;
	struct env *env = t->env;
	struct split_event ev = { .e = data };

	if (size < sizeof(*ev.e))
		return 0;
	ev.time = ev.e->ts_ns / 1e9 + t->boot_offset;
	memcpy(ev.comm, ev.e->comm, KP_TASK_COMM_LEN);
	call_path(env, bpf_map__fd(t->skel->maps.stacks), ev.e->stackid, 4,
		  ev.path, sizeof(ev.path));
	if (env->json) {
		if (event_print_json(env, &ev))
			t->err = EXIT_RUNTIME;
	} else {
		event_print_plain(env, &ev);
	}
	return 0;
}

/* The summary: what changed since the previous one. */
struct splits_report {
	double secs;
	bool last;
	__u64 calls, pages, failed, splits, dropped, stack_errors;
	struct rows paths;	/* name: the call path; v[0] calls, v[1] pages, v[2] failed */
	size_t shown;
};

static int splits_collect(struct env *env, struct splits_ctx *t,
			  struct splits_report *rep)
{
	struct splits_bpf *skel = t->skel;
	int sfd = bpf_map__fd(skel->maps.stacks), err;
	struct splits_bpf__bss g;
	struct snapshot s;
	char path[512];

	if (kp_read_globals(env, skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	err = snapshot_read(bpf_map__fd(skel->maps.calls), sizeof(__u32),
			    sizeof(struct kp_smp_stat), &s);
	if (err) {
		kp_err(env, "reading the BPF maps: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	for (size_t i = 0; i < s.n; i++) {
		const __s32 *id = SNAP_KEY(&s, i);
		const struct kp_smp_stat *v = SNAP_VAL(&s, i);
		const struct kp_smp_stat *o = snapshot_find(&t->prev, id);
		struct row *r;

		if (v->calls == (o ? o->calls : 0))
			continue;
		call_path(env, sfd, *id, 4, path, sizeof(path));
		r = rows_get(&rep->paths, path, 0);
		if (!r)
			continue;
		r->v[0] += v->calls - (o ? o->calls : 0);
		r->v[1] += v->pages - (o ? o->pages : 0);
		r->v[2] += v->failed - (o ? o->failed : 0);
	}
	rows_sort(&rep->paths, 0, 0);
	rep->shown = env->rows && (size_t)env->rows < rep->paths.n ?
		     (size_t)env->rows : rep->paths.n;
	rep->calls = g.total_calls - t->prev_calls;
	rep->pages = g.total_pages - t->prev_pages;
	rep->failed = g.total_failed - t->prev_failed;
	rep->splits = g.total_splits - t->prev_splits;
	rep->dropped = g.dropped - t->prev_dropped;
	rep->stack_errors = g.stack_errors - t->prev_stack_errors;

	t->prev_calls = g.total_calls;
	t->prev_pages = g.total_pages;
	t->prev_failed = g.total_failed;
	t->prev_splits = g.total_splits;
	t->prev_dropped = g.dropped;
	t->prev_stack_errors = g.stack_errors;
	snapshot_free(&t->prev);
	t->prev = s;
	return 0;
}

static int splits_print_json(struct env *env, const struct splits_report *rep)
{
	struct json *j = &env->json_doc;

	json_obj_begin(j, NULL);
	json_str(j, "type", "splits_summary");
	json_double(j, "interval_s", rep->secs);
	json_uint(j, "calls", rep->calls);
	json_uint(j, "pages", rep->pages);
	json_uint(j, "failed", rep->failed);
	json_uint(j, "splits", rep->splits);
	json_uint(j, "dropped", rep->dropped);
	json_uint(j, "stack_errors", rep->stack_errors);
	json_arr_begin(j, "paths");
	for (size_t i = 0; i < rep->shown; i++) {
		const struct row *r = &rep->paths.r[i];

		json_obj_begin(j, NULL);
		json_str(j, "path", r->name);
		json_uint(j, "calls", r->v[0]);
		json_uint(j, "pages", r->v[1]);
		json_uint(j, "failed", r->v[2]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void splits_print_plain(struct env *env, const struct splits_report *rep)
{
	fprintf(env->out, "%.2f s: %llu set_memory_pkey() calls (%llu pages, %llu failed), %llu splits, %llu events dropped\n",
		rep->secs, (unsigned long long)rep->calls,
		(unsigned long long)rep->pages, (unsigned long long)rep->failed,
		(unsigned long long)rep->splits, (unsigned long long)rep->dropped);
	if (rep->stack_errors)
		fprintf(env->out, "(%llu calls and splits without a stack)\n",
			(unsigned long long)rep->stack_errors);
	if (rep->shown)
		fprintf(env->out, "%10s %10s %8s  %s\n", "CALLS", "PAGES", "FAILED",
			"CALL PATH (leaf first)");
	for (size_t i = 0; i < rep->shown; i++) {
		const struct row *r = &rep->paths.r[i];

		fprintf(env->out, "%10llu %10llu %8llu  %s\n", (unsigned long long)r->v[0],
			(unsigned long long)r->v[1], (unsigned long long)r->v[2], r->name);
	}
	if (rep->shown < rep->paths.n)
		fprintf(env->out, "(%zu more call paths)\n", rep->paths.n - rep->shown);
	fflush(env->out);
}

static int splits_report(struct env *env, void *ctx, double secs, bool last)
{
	struct splits_ctx *t = ctx;
	struct splits_report rep = { .secs = secs, .last = last };
	int err = t->err;

	if (!err)
		err = splits_collect(env, t, &rep);
	if (!err) {
		if (env->json)
			err = splits_print_json(env, &rep);
		else
			splits_print_plain(env, &rep);
	}
	rows_free(&rep.paths);
	return err;
}

static int splits_run(struct env *env)
{
	struct splits_ctx t = { .env = env };
	struct ring_buffer *rb = NULL;
	int err;

	t.skel = splits_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	t.skel->rodata->stream = !env->summary;
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	if (!env->summary) {
		rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), on_event, &t, NULL);
		if (!rb) {
			kp_err(env, "cannot open the ring buffer: %s", strerror(errno));
			err = EXIT_RUNTIME;
			goto out;
		}
	}
	t.boot_offset = kp_boot_offset();
	err = kp_run_loop(env, rb, splits_report, &t);
out:
	ring_buffer__free(rb);
	snapshot_free(&t.prev);
	splits_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_splits = {
	.name = "splits",
	.summary = "set_memory_pkey() calls and mapping splits, with their call paths",
	.help =
"Streams every set_memory_pkey() call (kpkeys:kpkeys_set_memory_pkey:\n"
"address, pages, pkey, result) and every block/contiguous mapping split\n"
"(kpkeys:kpkeys_split) with the call path that made it, and prints a\n"
"summary per call path at the end (and every INTERVAL): calls, pages,\n"
"failures, and events the ring buffer dropped. With hardened page tables\n"
"each page-table page allocated or freed is one call. arm64 never splits\n"
"(its linear map is page-mapped with rodata=full, and set_memory_pkey()\n"
"refuses a block mapping with -EOPNOTSUPP); x86-64 splits a 1 GiB or\n"
"2 MiB direct-map entry that a call covers in part.\n",
	.opt_help = {
		[KO_SUMMARY] = "no per-event lines, only the summaries",
		[KO_ROWS] = "call paths in the summary (default 10, 0: all)",
	},
	.examples =
"  kpkeys splits                   stream until Ctrl-C\n"
"  kpkeys splits -S -d 60          one minute, call paths only\n"
"  kpkeys splits --json -d 5 | grep '\"ret\":-'   failed calls\n",
	.events = { "kpkeys_set_memory_pkey", "kpkeys_split" },
	.run = splits_run,
};
