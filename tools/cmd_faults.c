// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys faults: stream pkey faults, decoded and symbolized. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "faults.skel.h"

struct faults_ctx {
	struct faults_bpf *skel;
	struct env *env;
	__u64 seen, prev_seen, prev_dropped;
	__u64 allowed, prev_allowed;
	/*
	 * this interval's faults per site: data a struct site, v[0] faults,
	 * v[1] of them allowed (kpkeys.enforce=report)
	 */
	struct rows sites;
	double boot_offset;	/* realtime - monotonic (bpf_ktime_get_ns) */
	int err;
};

/*
 * What the kernel did (enum kpkeys_fault_action): the normal path (an oops
 * unless an exception fixup applies) or, under kpkeys.enforce=report, let
 * the access through. NULL for a kernel without the field.
 */
static const char *action_name(int a)
{
	switch (a) {
	case KP_FAULT_OOPS:
		return "oops";
	case KP_FAULT_ALLOWED:
		return "allowed";
	}
	return NULL;
}

static const char *pgtable_level_name(int l)
{
	static const char *const n[] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

	return l >= 0 && l <= 4 ? n[l] : "?";
}

/* One fault, decoded for this architecture and symbolized. */
struct fault {
	const struct kp_fault_event *e;
	double time;
	char comm[KP_TASK_COMM_LEN + 1];
	char syn[160], reg[160], ip[160], level[16];
	const char *action;	/* NULL: a kernel without the field */
	int first, nr_frames;	/* the frames below the tracing path */
};

static void fault_decode(struct env *env, struct faults_ctx *t,
			 const struct kp_fault_event *e, struct fault *f)
{
	f->e = e;
	f->time = e->ts_ns / 1e9 + t->boot_offset;
	memcpy(f->comm, e->comm, KP_TASK_COMM_LEN);
	f->comm[KP_TASK_COMM_LEN] = 0;
	kp_decode_syndrome(env->arch, e->syndrome, f->syn, sizeof(f->syn));
	kp_decode_reg(env->arch, e->reg, f->reg, sizeof(f->reg));
	kp_sym_off(env, e->ip, f->ip, sizeof(f->ip));
	kp_level_name(e->level, f->level, sizeof(f->level));
	f->action = action_name(e->action);
	f->nr_frames = e->nr_frames < KP_MAX_STACK ? e->nr_frames : KP_MAX_STACK;
	/* skip the frames of the tracing path, down to the faulting code */
	f->first = kp_first_traced_frame(env, e->stack, f->nr_frames);
}

static int fault_print_json(struct env *env, const struct fault *f)
{
	const struct kp_fault_event *e = f->e;
	struct json *j = &env->json_doc;
	char frame[160];

	json_obj_begin(j, NULL);
	json_str(j, "type", "fault");
	json_double(j, "time", f->time);
	json_uint(j, "cpu", e->cpu);
	json_uint(j, "pid", e->pid);
	json_uint(j, "tid", e->tid);
	json_str(j, "comm", f->comm);
	json_hex(j, "addr", e->addr);
	json_int(j, "pkey", e->pkey);
	json_str(j, "level", f->level);
	json_str(j, "access", kp_access_name(e->access));
	json_hex(j, "syndrome", e->syndrome);
	json_str(j, "syndrome_decoded", f->syn);
	json_hex(j, "reg", e->reg);
	json_str(j, "reg_decoded", f->reg);
	json_hex(j, "ip", e->ip);
	json_str(j, "ip_sym", f->ip);
	json_bool(j, "pgtable", e->pgtable);
	if (e->pgtable_level >= 0)
		json_int(j, "pgtable_level", e->pgtable_level);
	else
		json_null(j, "pgtable_level");
	if (f->action)
		json_str(j, "action", f->action);
	else
		json_null(j, "action");
	json_arr_begin(j, "stack");
	for (int i = f->first; i < f->nr_frames; i++)
		json_str(j, NULL, kp_sym_off(env, e->stack[i], frame, sizeof(frame)));
	json_arr_end(j);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void fault_print_plain(struct env *env, const struct fault *f)
{
	const struct kp_fault_event *e = f->e;
	char frame[160];

	fprintf(env->out, "%.6f cpu %u %s pid %u tid %u: pkey fault: %s at 0x%llx, pkey %d%s%s%s, level %s, %s\n",
		f->time, e->cpu, f->comm, e->pid, e->tid, kp_access_name(e->access),
		(unsigned long long)e->addr, e->pkey,
		e->pgtable ? " (page table " : "",
		e->pgtable ? pgtable_level_name(e->pgtable_level) : "",
		e->pgtable ? ")" : "", f->level,
		f->action ?: "action unknown");
	fprintf(env->out, "  syndrome 0x%llx: %s\n", (unsigned long long)e->syndrome, f->syn);
	fprintf(env->out, "  register 0x%llx: %s\n", (unsigned long long)e->reg, f->reg);
	fprintf(env->out, "  ip %s\n", f->ip);
	for (int i = f->first; i < f->nr_frames; i++)
		fprintf(env->out, "    %s\n", kp_sym_off(env, e->stack[i], frame, sizeof(frame)));
	fflush(env->out);
}

/*
 * A fault's site: the faulting instruction and the function that called
 * the one it is in (the frame below it on the stack), which is where a
 * write outside the helpers came from. "?" when the stack does not show it.
 */
struct site {
	char ip[160], caller[128];
};

static int count_site(struct env *env, struct faults_ctx *t, const struct fault *f)
{
	const struct kp_fault_event *e = f->e;
	struct site site = { .caller = "?" };
	char key[sizeof(site.ip) + sizeof(site.caller)];
	struct row *r;

	snprintf(site.ip, sizeof(site.ip), "%s", f->ip);
	for (int i = f->first; i + 1 < f->nr_frames; i++) {
		if (e->stack[i] == e->ip) {
			kp_sym(env, e->stack[i + 1], site.caller, sizeof(site.caller));
			break;
		}
	}
	/* the row's name is only the lookup key; the report reads r->data */
	snprintf(key, sizeof(key), "%s %s", site.ip, site.caller);
	r = rows_get(&t->sites, key, 0);
	if (r && !r->data) {
		r->data = malloc(sizeof(site));
		if (r->data)
			memcpy(r->data, &site, sizeof(site));
	}
	if (!r || !r->data) {
		kp_err(env, "out of memory");
		return -1;
	}
	r->v[0]++;
	if (e->action == KP_FAULT_ALLOWED)
		r->v[1]++;
	return 0;
}

static void sites_free(struct rows *sites)
{
	for (size_t i = 0; i < sites->n; i++)
		free(sites->r[i].data);
	rows_free(sites);
}

static int on_fault(void *ctx, void *data, size_t size)
{
	struct faults_ctx *t = ctx;
	struct env *env = t->env;
	struct fault f;

	if (size < sizeof(struct kp_fault_event))
		return 0;
	t->seen++;
	fault_decode(env, t, data, &f);
	if (f.e->action == KP_FAULT_ALLOWED)
		t->allowed++;
	if (count_site(env, t, &f))
		t->err = EXIT_RUNTIME;
	if (env->summary)
		return 0;
	if (env->json) {
		if (fault_print_json(env, &f))
			t->err = EXIT_RUNTIME;
	} else {
		fault_print_plain(env, &f);
	}
	return 0;
}

/* The summary: faults seen and dropped since the previous one, and
 * where they came from. */
struct faults_report {
	double secs;
	bool last;
	__u64 faults, allowed, dropped;
	const struct rows *sites;	/* sorted, most faults first */
	size_t shown;
};

static int faults_print_json(struct env *env, const struct faults_report *rep)
{
	struct json *j = &env->json_doc;

	json_obj_begin(j, NULL);
	json_str(j, "type", "faults_summary");
	json_double(j, "interval_s", rep->secs);
	json_uint(j, "faults", rep->faults);
	json_uint(j, "allowed", rep->allowed);
	json_uint(j, "dropped", rep->dropped);
	json_arr_begin(j, "sites");
	for (size_t i = 0; i < rep->shown; i++) {
		const struct row *r = &rep->sites->r[i];
		const struct site *site = r->data;

		json_obj_begin(j, NULL);
		json_str(j, "ip_sym", site->ip);
		json_str(j, "caller", site->caller);
		json_uint(j, "faults", r->v[0]);
		json_uint(j, "allowed", r->v[1]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void faults_print_plain(struct env *env, const struct faults_report *rep)
{
	fprintf(env->out, "%.2f s: %llu pkey faults, %llu dropped, %llu allowed\n",
		rep->secs, (unsigned long long)rep->faults,
		(unsigned long long)rep->dropped, (unsigned long long)rep->allowed);
	/* the sites table is -S's report; the stream has shown every fault */
	if (env->summary && rep->shown)
		fprintf(env->out, "%10s %8s  %-40s %s\n", "FAULTS", "ALLOWED", "IP", "CALLER");
	for (size_t i = 0; env->summary && i < rep->shown; i++) {
		const struct row *r = &rep->sites->r[i];
		const struct site *site = r->data;

		fprintf(env->out, "%10llu %8llu  %-40s %s\n", (unsigned long long)r->v[0],
			(unsigned long long)r->v[1], site->ip, site->caller);
	}
	if (env->summary && rep->shown < rep->sites->n)
		fprintf(env->out, "(%zu more sites)\n", rep->sites->n - rep->shown);
	fflush(env->out);
}

static int faults_report(struct env *env, void *ctx, double secs, bool last)
{
	struct faults_ctx *t = ctx;
	struct faults_report rep = { .secs = secs, .last = last };
	struct faults_bpf__bss g;
	int err = 0;

	if (t->err)
		return t->err;
	if (kp_read_globals(env, t->skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	rep.faults = t->seen - t->prev_seen;
	rep.allowed = t->allowed - t->prev_allowed;
	t->prev_allowed = t->allowed;
	rep.dropped = g.dropped - t->prev_dropped;
	t->prev_seen = t->seen;
	t->prev_dropped = g.dropped;
	rows_sort(&t->sites, 0, env->sort == SORT_NAME);
	rep.sites = &t->sites;
	rep.shown = env->rows && (size_t)env->rows < t->sites.n ?
		    (size_t)env->rows : t->sites.n;
	if (env->json)
		err = faults_print_json(env, &rep);
	else
		faults_print_plain(env, &rep);
	/* the next summary counts the next interval's faults */
	sites_free(&t->sites);
	return err;
}

static int faults_run(struct env *env)
{
	struct faults_ctx t = { .env = env };
	struct ring_buffer *rb = NULL;
	int err;

	t.skel = faults_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	rb = ring_buffer__new(bpf_map__fd(t.skel->maps.events), on_fault, &t, NULL);
	if (!rb) {
		kp_err(env, "cannot open the ring buffer: %s", strerror(errno));
		err = EXIT_RUNTIME;
		goto out;
	}
	t.boot_offset = kp_boot_offset();
	err = kp_run_loop(env, rb, faults_report, &t);
out:
	ring_buffer__free(rb);
	sites_free(&t.sites);
	faults_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_faults = {
	.name = "faults",
	.summary = "stream pkey faults: address, pkey, level, access, decoded syndrome, stack",
	.help =
"Prints every kernel access a pkey denied (kpkeys:kpkeys_fault) as it\n"
"happens: time, CPU, task, address, the target's pkey (and page-table\n"
"level when it is a page-table page), the level the register held, the\n"
"access, the syndrome and the register decoded for this architecture,\n"
"the faulting instruction and the kernel stack, symbolized, and what the\n"
"kernel did: oops (the normal path; an exception fixup may still apply)\n"
"or allowed (kpkeys.enforce=report let the access through). At the end\n"
"(and every INTERVAL) a summary line counts faults, drops (ring buffer\n"
"full) and allowed ones, and lists the sites they came from: the\n"
"faulting instruction and its caller, with counts (-S: only these\n"
"summaries; under kpkeys.enforce=report, the list to read before turning\n"
"enforcement on). Faults need an enforcing backend (PKS on x86-64, the\n"
"default there; kpkeys=poe on POE hardware); under kpkeys=mock none\n"
"happen.\n",
	.examples =
"  kpkeys faults                   until Ctrl-C\n"
"  kpkeys faults --json -d 3600    an hour, one JSON document per fault\n"
"  kpkeys faults 60                a summary line every minute\n"
"  kpkeys faults -S -d 600         ten minutes, then the sites and counts\n",
	.opt_help = {
		[KO_SUMMARY] = "no per-fault lines, only the summaries and their sites",
		[KO_ROWS] = "sites in the summary (default 10, 0: all)",
		[KO_SORT] = "count (default, descending) or name",
	},
	.events = { "kpkeys_fault" },
	.run = faults_run,
};
