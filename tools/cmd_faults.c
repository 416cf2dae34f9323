// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys faults: stream pkey faults, decoded and symbolized. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "faults.skel.h"

struct faults_ctx {
	struct faults_bpf *skel;
	struct env *env;
	__u64 seen, prev_seen, prev_dropped;
	double boot_offset;	/* realtime - monotonic (bpf_ktime_get_ns) */
	int err;
};

static const char *pgtable_level_name(int l)
{
	static const char *const n[] = { "PGD", "P4D", "PUD", "PMD", "PTE" };

	return l >= 0 && l <= 4 ? n[l] : "?";
}

static int on_fault(void *ctx, void *data, size_t size)
{
	struct faults_ctx *t = ctx;
	struct env *env = t->env;
	const struct kp_fault_event *e = data;
	struct json *j = &env->json_doc;
	char syn[160], reg[160], ip[160], lvl[16], frame[160], comm[KP_TASK_COMM_LEN + 1];
	double ts = e->ts_ns / 1e9 + t->boot_offset;
	int first = 0;

	if (size < sizeof(*e))
		return 0;
	t->seen++;
	memcpy(comm, e->comm, KP_TASK_COMM_LEN);
	comm[KP_TASK_COMM_LEN] = 0;
	kp_decode_syndrome(env->arch, e->syndrome, syn, sizeof(syn));
	kp_decode_reg(env->arch, e->reg, reg, sizeof(reg));
	kp_sym_off(env, e->ip, ip, sizeof(ip));
	/* skip the frames of the tracing path, down to the faulting code */
	first = kp_first_traced_frame(env, e->stack,
				      e->nr_frames < KP_MAX_STACK ? e->nr_frames : KP_MAX_STACK);

	if (env->json) {
		json_obj_begin(j, NULL);
		json_str(j, "type", "fault");
		json_double(j, "time", ts);
		json_uint(j, "cpu", e->cpu);
		json_uint(j, "pid", e->pid);
		json_uint(j, "tid", e->tid);
		json_str(j, "comm", comm);
		json_hex(j, "addr", e->addr);
		json_int(j, "pkey", e->pkey);
		json_str(j, "level", kp_level_name(e->level, lvl, sizeof(lvl)));
		json_str(j, "access", kp_access_name(e->access));
		json_hex(j, "syndrome", e->syndrome);
		json_str(j, "syndrome_decoded", syn);
		json_hex(j, "reg", e->reg);
		json_str(j, "reg_decoded", reg);
		json_hex(j, "ip", e->ip);
		json_str(j, "ip_sym", ip);
		json_bool(j, "pgtable", e->pgtable);
		if (e->pgtable_level >= 0)
			json_int(j, "pgtable_level", e->pgtable_level);
		else
			json_null(j, "pgtable_level");
		json_arr_begin(j, "stack");
		for (int i = first; i < e->nr_frames && i < KP_MAX_STACK; i++)
			json_str(j, NULL, kp_sym_off(env, e->stack[i], frame, sizeof(frame)));
		json_arr_end(j);
		json_obj_end(j);
		if (json_emit(j, env->out))
			t->err = EXIT_RUNTIME;
		return 0;
	}
	fprintf(env->out, "%.6f cpu %u %s pid %u tid %u: pkey fault: %s at 0x%llx, pkey %d%s%s%s, level %s\n",
		ts, e->cpu, comm, e->pid, e->tid, kp_access_name(e->access),
		(unsigned long long)e->addr, e->pkey,
		e->pgtable ? " (page table " : "",
		e->pgtable ? pgtable_level_name(e->pgtable_level) : "",
		e->pgtable ? ")" : "", kp_level_name(e->level, lvl, sizeof(lvl)));
	fprintf(env->out, "  syndrome 0x%llx: %s\n", (unsigned long long)e->syndrome, syn);
	fprintf(env->out, "  register 0x%llx: %s\n", (unsigned long long)e->reg, reg);
	fprintf(env->out, "  ip %s\n", ip);
	for (int i = first; i < e->nr_frames && i < KP_MAX_STACK; i++)
		fprintf(env->out, "    %s\n", kp_sym_off(env, e->stack[i], frame, sizeof(frame)));
	fflush(env->out);
	return 0;
}

static int faults_report(struct env *env, void *ctx, double secs, bool last)
{
	struct faults_ctx *t = ctx;
	struct faults_bpf__bss g;
	struct json *j = &env->json_doc;
	__u64 dropped;

	if (t->err)
		return t->err;
	if (kp_read_globals(env, t->skel->maps.bss, &g, sizeof(g)))
		return EXIT_RUNTIME;
	dropped = g.dropped;
	if (env->json) {
		json_obj_begin(j, NULL);
		json_str(j, "type", "faults_summary");
		json_double(j, "interval_s", secs);
		json_uint(j, "faults", t->seen - t->prev_seen);
		json_uint(j, "dropped", dropped - t->prev_dropped);
		json_bool(j, "last", last);
		json_obj_end(j);
		if (json_emit(j, env->out))
			return EXIT_RUNTIME;
	} else {
		fprintf(env->out, "%.2f s: %llu pkey faults, %llu dropped\n", secs,
			(unsigned long long)(t->seen - t->prev_seen),
			(unsigned long long)(dropped - t->prev_dropped));
		fflush(env->out);
	}
	t->prev_seen = t->seen;
	t->prev_dropped = dropped;
	return 0;
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
"the faulting instruction and the kernel stack, symbolized. At the end\n"
"(and every INTERVAL) a summary line counts faults and drops (ring\n"
"buffer full). Faults need an enforcing backend (PKS on x86-64, the\n"
"default there; kpkeys=poe on POE hardware); under kpkeys=mock none\n"
"happen.\n",
	.examples =
"  kpkeys faults                   until Ctrl-C\n"
"  kpkeys faults --json -d 3600    an hour, one JSON document per fault\n"
"  kpkeys faults 60                a summary line every minute\n",
	.events = { "kpkeys_fault" },
	.run = faults_run,
};
