// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kpkeys: reports on a live kpkeys kernel from its trace events, with
 * libbpf CO-RE programs (bpf/). bpftool-style dispatch: kpkeys CMD [ARGS].
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include "kpkeys.h"
#include "abi.h"

#ifndef KPKEYS_VERSION
#define KPKEYS_VERSION "dev"
#endif

/*
 * The subcommands, in `kpkeys help` order. Each NAME is tools/cmd_NAME.c,
 * which defines cmd_NAME, with its BPF program bpf/NAME.bpf.c; the
 * Makefile and the tests find them from there and from `kpkeys help`.
 */
#define KPKEYS_COMMANDS(X) X(top) X(isb) X(batch) X(faults) X(audit) X(splits)

#define DECLARE_COMMAND(name) extern const struct command cmd_##name;
KPKEYS_COMMANDS(DECLARE_COMMAND)
#define COMMAND_ENTRY(name) &cmd_##name,
static const struct command *commands[] = { KPKEYS_COMMANDS(COMMAND_ENTRY) };
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void common_help(FILE *out)
{
	fprintf(out, "\nCommon options:\n");
	print_options(out, NULL);
}

static volatile sig_atomic_t exiting;
static bool verbose_libbpf;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage_all(FILE *out)
{
	fprintf(out,
"Usage: kpkeys COMMAND [OPTIONS] [INTERVAL [COUNT]]\n"
"       kpkeys help [COMMAND] | kpkeys COMMAND --help | kpkeys version\n"
"\n"
"Reports on kernel protection keys (kpkeys) and hardened page tables from\n"
"the kpkeys trace events, aggregated in the kernel by BPF programs.\n"
"\n"
"Commands:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
	common_help(out);
	fprintf(out,
"\n"
"Examples:\n"
"  kpkeys top                  switches per level, caller, CPU, process; every second\n"
"  kpkeys isb -d 10            cost of a switch (register write + sync) over 10 s\n"
"  kpkeys batch -p 1234 -d 5   how well process 1234's page-table writes batch\n"
"  kpkeys faults --json        stream pkey faults as JSON\n"
"  kpkeys audit -f -d 30 > pgtables.folded   flame graph input\n"
"  kpkeys splits -S -d 60      set_memory_pkey() calls per call path\n"
"\n"
"Exit status: 0 success, 1 runtime error (privileges, kernel support,\n"
"BPF load), 2 usage error. Needs root (or CAP_BPF and CAP_PERFMON), a\n"
"kernel with BTF and the kpkeys tracepoints series.\n");
}

static void usage_cmd(FILE *out, const struct command *c)
{
	bool own = false;

	fprintf(out, "Usage: kpkeys %s [OPTIONS] [INTERVAL [COUNT]]\n\n%s\n%s",
		c->name, c->summary, c->help);
	for (int id = KO_FIRST_OWN; id < KO_NR; id++)
		own |= c->opt_help[id] != NULL;
	if (own) {
		fprintf(out, "\nOptions:\n");
		print_options(out, c);
	}
	fprintf(out, "\nExamples:\n%s", c->examples);
	common_help(out);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

/* Effective capabilities from /proc/self/status. */
static uint64_t cap_eff(void)
{
	char line[256];
	unsigned long long v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define CAP_BIT(n) (1ULL << (n))
#define CAP_SYS_ADMIN_ 21
#define CAP_PERFMON_ 38
#define CAP_BPF_ 39

int kp_preflight(struct env *env)
{
	const char *btf_path = "/sys/kernel/btf/vmlinux";
	struct utsname u;
	struct btf *btf;
	uint64_t caps = cap_eff();

	if (!(caps & CAP_BIT(CAP_SYS_ADMIN_)) &&
	    (caps & (CAP_BIT(CAP_BPF_) | CAP_BIT(CAP_PERFMON_))) !=
	    (CAP_BIT(CAP_BPF_) | CAP_BIT(CAP_PERFMON_))) {
		kp_err(env, "permission denied: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON); run it as root or with sudo");
		return EXIT_RUNTIME;
	}
	if (access(btf_path, R_OK)) {
		kp_err(env, "this kernel has no BTF (%s: %s); it needs CONFIG_DEBUG_INFO_BTF=y",
		       btf_path, strerror(errno));
		return EXIT_RUNTIME;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		kp_err(env, "cannot read the kernel's BTF (%s): %s", btf_path,
		       strerror(errno));
		return EXIT_RUNTIME;
	}
	/* each event takes what the programs were written for */
	for (int i = 0; env->cmd->events[i]; i++) {
		const char *event = env->cmd->events[i];
		const char *proto = kp_abi_proto(event);
		char why[256];
		int ret = proto ? kp_abi_check(btf, event, proto, why, sizeof(why)) : -2;

		if (ret == -2)
			kp_err(env, "this kernel (%s) has no trace event kpkeys:%s; it needs the kpkeys patches with the kpkeys tracepoints series (tracepoints/)",
			       uname(&u) ? "?" : u.release, event);
		else if (ret)
			kp_err(env, "this kernel's kpkeys trace events are not the ones this tool was built for: %s; use the kpkeys tool of this kernel's tracepoints series (tracepoints/README.md)",
			       why);
		if (ret) {
			btf__free(btf);
			return EXIT_RUNTIME;
		}
	}
	if (kp_levels_from_btf(btf)) {
		kp_err(env, "this kernel's BTF has no enum kpkeys_level, which names the levels; it needs the kpkeys tracepoints series of this tool (tracepoints/README.md)");
		btf__free(btf);
		return EXIT_RUNTIME;
	}
	btf__free(btf);

	env->arch = kp_arch_from_machine(uname(&u) ? "" : u.machine);
	env->ksyms = ksyms_load("/proc/kallsyms");
	if (!env->ksyms)
		kp_err(env, "warning: cannot read /proc/kallsyms (%s); addresses stay unresolved",
		       strerror(errno));
	else if (ksyms_hidden(env->ksyms))
		kp_err(env, "warning: /proc/kallsyms hides addresses (kernel.kptr_restrict); addresses stay unresolved");
	env->nr_cpus = libbpf_num_possible_cpus();
	if (env->nr_cpus <= 0) {
		kp_err(env, "cannot count the possible CPUs: %s", strerror(-env->nr_cpus));
		return EXIT_RUNTIME;
	}
	return 0;
}

int kp_load_attach(struct env *env, struct bpf_object_skeleton *skel)
{
	int err = bpf_object__load_skeleton(skel);

	if (err == -EPERM || err == -EACCES) {
		kp_err(env, "the kernel refused the BPF programs (%s); run as root, and check kernel.unprivileged_bpf_disabled and lockdown",
		       strerror(-err));
		return EXIT_RUNTIME;
	}
	if (err) {
		kp_err(env, "the kernel rejected the BPF program of '%s' (%s)%s",
		       env->cmd->name, strerror(-err),
		       env->verbose ? "; the verifier log is above" :
		       "; run with -v to see the verifier log");
		return EXIT_RUNTIME;
	}
	err = bpf_object__attach_skeleton(skel);
	env->skel = skel;
	if (err) {
		kp_err(env, "cannot attach to the kpkeys trace events (%s); run with -v for details",
		       strerror(err < 0 ? -err : err));
		return EXIT_RUNTIME;
	}
	return 0;
}

void kp_json_buckets(struct json *j, const struct kp_hist *h)
{
	json_arr_begin(j, "buckets");
	for (int i = 0; i < KP_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		json_obj_begin(j, NULL);
		json_uint(j, "lo", hist_slot_lo(i));
		json_uint(j, "hi", hist_slot_hi(i));
		json_uint(j, "count", h->slots[i]);
		json_obj_end(j);
	}
	json_arr_end(j);
}

int kp_read_globals(struct env *env, struct bpf_map *bss, void *buf, size_t size)
{
	__u32 zero = 0;

	if (bpf_map__lookup_elem(bss, &zero, sizeof(zero), buf, size, 0)) {
		kp_err(env, "reading the BPF program's counters: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	return 0;
}

double kp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double kp_boot_offset(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (rt.tv_sec - mono.tv_sec) + (rt.tv_nsec - mono.tv_nsec) / 1e9;
}

const char *kp_clock(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, size, "%H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

const char *kp_sym(struct env *env, uint64_t addr, char *buf, size_t size)
{
	return ksyms_format(env->ksyms, addr, 0, buf, size);
}

const char *kp_sym_off(struct env *env, uint64_t addr, char *buf, size_t size)
{
	return ksyms_format(env->ksyms, addr, 1, buf, size);
}

int kp_first_traced_frame(struct env *env, const __u64 *ips, int n)
{
	char sym[128];
	int i = 0;

	while (i < n && ips[i] &&
	       (!ksyms_search(env->ksyms, ips[i]) ||
		kp_frame_is_tracing(kp_sym(env, ips[i], sym, sizeof(sym)))))
		i++;
	return i < n && ips[i] ? i : 0;
}

static int rb_wait(struct ring_buffer *rb, double timeout)
{
	int ms = (int)(timeout * 1000) + 1;

	if (ms > 200)
		ms = 200;	/* check the signal flag now and then */
	if (rb) {
		int n = ring_buffer__poll(rb, ms);

		return n == -EINTR ? 0 : n;
	}
	poll(NULL, 0, ms);
	return 0;
}

/*
 * The last report must add up: every event a program counted must be in
 * the ring buffer the report drains. A program counts and then submits, so
 * stop the programs first, then drain, then read the counters. Once the
 * links are closed no new call starts; a call already running when they
 * closed finishes within microseconds, so give it a short pause.
 */
static void stop_tracing(struct env *env)
{
	if (!env->skel)
		return;
	bpf_object__detach_skeleton(env->skel);
	env->skel = NULL;
	poll(NULL, 0, 20);
}

int kp_run_loop(struct env *env, struct ring_buffer *rb, report_fn report,
		void *ctx)
{
	double interval = env->interval ? env->interval :
			  env->duration ? 0 : env->cmd->default_interval;
	double start = kp_now(), last_report = start;
	double end = env->duration ? start + env->duration : INFINITY;
	double next = interval ? start + interval : INFINITY;
	long reports = 0;
	int err;

	fprintf(stderr, "kpkeys %s: tracing%s; Ctrl-C to end\n", env->cmd->name,
		env->duration ? " for the duration" : "");
	for (;;) {
		double now = kp_now();
		bool final;

		if (!exiting && now < next && now < end) {
			err = rb_wait(rb, (next < end ? next : end) - now);
			if (err < 0) {
				kp_err(env, "reading the ring buffer: %s", strerror(-err));
				stop_tracing(env);
				report(env, ctx, kp_now() - last_report, true);
				return EXIT_RUNTIME;
			}
			continue;
		}
		final = exiting || now >= end ||
			(env->count && reports + 1 >= env->count);
		if (final)
			stop_tracing(env);
		if (rb)
			ring_buffer__consume(rb);
		err = report(env, ctx, now - last_report, final);
		if (err || final)
			return err;
		reports++;
		last_report = now;
		while (next <= now)
			next += interval;
	}
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	const struct command *cmd;
	struct env env;
	bool help;
	int ret;

	memset(&env, 0, sizeof(env));
	env.out = stdout;
	if (argc < 2) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		if (argc > 2) {
			cmd = find_command(argv[2]);
			if (!cmd) {
				kp_err(NULL, "unknown command '%s'; see 'kpkeys help'", argv[2]);
				return EXIT_USAGE;
			}
			usage_cmd(stdout, cmd);
		} else {
			usage_all(stdout);
		}
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("kpkeys %s (libbpf %s)\n", KPKEYS_VERSION, libbpf_version_string());
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		kp_err(NULL, "unknown command '%s'; see 'kpkeys help' for the list",
		       argv[1]);
		return EXIT_USAGE;
	}
	ret = parse_args(&env, cmd, argc - 1, argv + 1, &help);
	if (ret)
		return ret;
	if (help) {
		usage_cmd(stdout, cmd);
		return EXIT_OK;
	}
	verbose_libbpf = env.verbose;
	libbpf_set_print(libbpf_print);
	setup_signals();
	json_init(&env.json_doc);
	ret = kp_preflight(&env);
	if (!ret)
		ret = cmd->run(&env);
	json_free(&env.json_doc);
	ksyms_free(env.ksyms);
	return ret;
}
