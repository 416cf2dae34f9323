// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* kpkeys isb: the cost of a level switch, register write plus sync barrier. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "kpkeys.h"
#include "maps.h"
#include "isb.skel.h"

struct isb_ctx {
	struct isb_bpf *skel;
	struct percpu_snap hists;	/* keys: 0 synced, 1 unsynced */
};

static void json_hist(struct json *j, const struct kp_hist *h)
{
	json_uint(j, "count", h->count);
	json_double(j, "mean_ns", hist_mean(h));
	json_double(j, "p50_ns", hist_percentile(h, 50));
	json_double(j, "p99_ns", hist_percentile(h, 99));
	json_uint(j, "max_ns", h->max);
	kp_json_buckets(j, h);
}

static void print_hist(struct env *env, const char *title, const struct kp_hist *h)
{
	fprintf(env->out, "%s: %llu switches, mean %.0f ns, p50 %.0f ns, p99 %.0f ns, max %llu ns\n",
		title, (unsigned long long)h->count, hist_mean(h),
		hist_percentile(h, 50), hist_percentile(h, 99),
		(unsigned long long)h->max);
	if (h->count)
		hist_print(env->out, h, "ns");
}

/* One report: the switches since the previous one. */
struct isb_report {
	double secs;
	bool last;
	struct kp_hist all;		/* with their own sync (or every one on x86-64) */
	struct kp_hist nosync;		/* whose barrier a later one covered */
	struct kp_hist *cpus;		/* "all" per CPU, nr_cpus of them */
};

static int isb_collect(struct env *env, struct isb_ctx *t, struct isb_report *rep)
{
	int err = percpu_snap_read(&t->hists, bpf_map__fd(t->skel->maps.hists));
	struct kp_hist d;

	if (err) {
		kp_err(env, "reading the BPF map: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	rep->cpus = calloc(env->nr_cpus, sizeof(*rep->cpus));
	if (!rep->cpus) {
		kp_err(env, "out of memory");
		return EXIT_RUNTIME;
	}
	for (int c = 0; c < env->nr_cpus; c++) {
		hist_sub(&rep->cpus[c], PSNAP_CUR(&t->hists, 0, c), PSNAP_PREV(&t->hists, 0, c));
		hist_add(&rep->all, &rep->cpus[c]);
		hist_sub(&d, PSNAP_CUR(&t->hists, 1, c), PSNAP_PREV(&t->hists, 1, c));
		hist_add(&rep->nosync, &d);
	}
	percpu_snap_next(&t->hists);
	return 0;
}

static int isb_print_json(struct env *env, const struct isb_report *rep)
{
	struct json *j = &env->json_doc;

	json_obj_begin(j, NULL);
	json_str(j, "type", "isb");
	json_double(j, "time", kp_now() + kp_boot_offset());
	json_double(j, "interval_s", rep->secs);
	json_hist(j, &rep->all);
	json_obj_begin(j, "without_sync");
	json_uint(j, "count", rep->nosync.count);
	json_double(j, "mean_ns", hist_mean(&rep->nosync));
	json_obj_end(j);
	if (env->per_cpu) {
		json_arr_begin(j, "cpus");
		for (int c = 0; c < env->nr_cpus; c++) {
			if (!rep->cpus[c].count)
				continue;
			json_obj_begin(j, NULL);
			json_int(j, "cpu", c);
			json_hist(j, &rep->cpus[c]);
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	json_bool(j, "last", rep->last);
	json_obj_end(j);
	return json_emit(j, env->out) ? EXIT_RUNTIME : 0;
}

static void isb_print_plain(struct env *env, const struct isb_report *rep)
{
	char clk[16], title[32];

	fprintf(env->out, "%s  %.2f s: cost of a level switch (%s), kpkeys_switch cost_ns\n",
		kp_clock(clk, sizeof(clk)), rep->secs,
		env->arch == KP_ARCH_X86_64 ? "WRMSR to IA32_PKRS, no barrier needed" :
		env->arch == KP_ARCH_ARM64 ? "POR_EL1 write + ISB" :
		"pkey register write + sync barrier");
	print_hist(env, "all CPUs", &rep->all);
	for (int c = 0; env->per_cpu && c < env->nr_cpus; c++) {
		if (!rep->cpus[c].count)
			continue;
		snprintf(title, sizeof(title), "CPU %d", c);
		fputc('\n', env->out);
		print_hist(env, title, &rep->cpus[c]);
	}
	if (env->arch != KP_ARCH_X86_64)
		fprintf(env->out, "writes whose barrier a later one covered (sync=0, not above): %llu, mean %.0f ns\n",
			(unsigned long long)rep->nosync.count, hist_mean(&rep->nosync));
	fputc('\n', env->out);
	fflush(env->out);
}

static int isb_report(struct env *env, void *ctx, double secs, bool last)
{
	struct isb_report rep = { .secs = secs, .last = last };
	int err = isb_collect(env, ctx, &rep);

	if (!err) {
		if (env->json)
			err = isb_print_json(env, &rep);
		else
			isb_print_plain(env, &rep);
	}
	free(rep.cpus);
	return err;
}

static int isb_run(struct env *env)
{
	struct isb_ctx t = {};
	int err;

	t.skel = isb_bpf__open();
	if (!t.skel) {
		kp_err(env, "cannot open the BPF object: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	KP_SET_FILTERS(env, t.skel);
	t.skel->rodata->no_sync_arch = env->arch == KP_ARCH_X86_64;
	if (percpu_snap_init(&t.hists, 2, env->nr_cpus, sizeof(struct kp_hist))) {
		kp_err(env, "out of memory");
		err = EXIT_RUNTIME;
		goto out;
	}
	err = kp_load_attach(env, t.skel->skeleton);
	if (err)
		goto out;
	err = kp_run_loop(env, NULL, isb_report, &t);
out:
	percpu_snap_free(&t.hists);
	isb_bpf__destroy(t.skel);
	return err;
}

const struct command cmd_isb = {
	.name = "isb",
	.summary = "cost of a switch (register write + sync barrier): log2 histogram, mean, p50, p99",
	.help =
"Histograms kpkeys_switch's cost_ns: the time from before reading the pkey\n"
"register to after the write has taken effect, per switch. On arm64 that\n"
"is the POR_EL1 write and its ISB; writes whose barrier a following one\n"
"covered (sync=0) are counted apart. On x86-64 it is the WRMSR to\n"
"IA32_PKRS, which needs no barrier (every switch has sync=0 there and is\n"
"counted as such). p50 and p99 are interpolated inside their\n"
"log2 bucket. The kernel measures only while the event is enabled; under\n"
"an emulator the figures are emulated time.\n"
"Reports at the end (Ctrl-C or -d), or every INTERVAL.\n",
	.opt_help = {
		[KO_PERCPU] = "a histogram per CPU as well",
	},
	.examples =
"  kpkeys isb -d 10                one histogram over 10 s\n"
"  kpkeys isb -P 1 5               per CPU, every second, 5 times\n"
"  kpkeys isb -C 0 --json -d 3     CPU 0 only, as JSON\n",
	.events = { "kpkeys_switch" },
	.run = isb_run,
};
