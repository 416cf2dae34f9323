/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The kpkeys command: what the subcommands share (tools/kpkeys.c). */
#ifndef KPKEYS_TOOL_MAIN_H
#define KPKEYS_TOOL_MAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "kpkeys_tool.h"
#include "decode.h"
#include "hist.h"
#include "json.h"
#include "ksyms.h"

/* Exit statuses: kpkeys help documents them. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

/*
 * Every option, in --help order: first those every command takes, then
 * those a command takes when it gives their help line (opt_help).
 */
enum kp_opt_id {
	KO_DURATION, KO_PID, KO_CPU, KO_JSON, KO_VERBOSE, KO_HELP,
	KO_FIRST_OWN,
	KO_SUMMARY = KO_FIRST_OWN, KO_ROWS, KO_SORT, KO_PERCPU, KO_FOLDED,
	KO_WRITES,
	KO_NR
};

struct kp_option {
	int val;		/* its short option, or 0: long only */
	const char *name;	/* its long option */
	const char *arg;	/* its value's name in --help, NULL: a flag */
	const char *help;	/* the help line of a common option */
};
extern const struct kp_option kp_options[KO_NR];

enum sort_key { SORT_COUNT, SORT_NAME };

struct env;

struct command {
	const char *name;
	const char *summary;
	const char *help;		/* what it reports, after the summary */
	/* its own options' help, lines joined by "\n"; NULL: not taken */
	const char *opt_help[KO_NR];
	const char *examples;
	double default_interval;	/* 0: report at the end only */
	const char *events[6];		/* trace events it attaches to */
	int (*run)(struct env *env);
};

struct env {
	const struct command *cmd;
	double interval;	/* seconds between reports, 0: none */
	long count;		/* reports, 0: unlimited */
	double duration;	/* -d, 0: until Ctrl-C */
	int pid;		/* -p, 0: every process */
	int cpu;		/* -C, -1: every CPU */
	bool json;
	bool verbose;
	int rows;		/* -n, 0: all */
	enum sort_key sort;
	bool per_cpu;
	bool folded;
	bool weight_writes;
	bool summary;
	int nr_cpus;		/* possible CPUs */
	enum kp_arch arch;
	struct ksyms *ksyms;
	struct bpf_object_skeleton *skel;	/* attached by kp_load_attach() */
	FILE *out;
	struct json json_doc;
};

/*
 * Parse argv (after the subcommand name) into ENV. Returns 0, or
 * EXIT_USAGE after printing one line; *help is set for -h/--help.
 * Exposed for the unit tests; checks of PID and CPU existence included.
 */
int parse_args(struct env *env, const struct command *cmd, int argc,
	       char **argv, bool *help);
/*
 * --help's option lines, from kp_options: CMD's own (CMD non-NULL) or the
 * common ones (NULL) and INTERVAL [COUNT].
 */
void print_options(FILE *out, const struct command *cmd);
/* strict number parsers: the whole string, in range */
int parse_double(const char *s, double *out);
int parse_long(const char *s, long min, long max, long *out);

/* One line on stderr, "kpkeys CMD: ..." */
void kp_err(const struct env *env, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Before loading: privileges, BTF, the command's trace events, symbols.
 * Returns 0 or an exit status (the message printed).
 */
int kp_preflight(struct env *env);
/*
 * Load and attach a skeleton's programs (filters already set in its
 * rodata); 0 or an exit status, the message printed.
 */
int kp_load_attach(struct env *env, struct bpf_object_skeleton *skel);
/* A log2 histogram's non-empty buckets as "buckets": [{lo, hi, count}]. */
void kp_json_buckets(struct json *j, const struct kp_hist *h);
/*
 * Read a program's global variables (its .bss map) from the kernel, into
 * BUF of the skeleton's bss type. 0 or an exit status (message printed).
 */
int kp_read_globals(struct env *env, struct bpf_map *bss, void *buf, size_t size);
/* Set the common filters in a skeleton's rodata. */
#define KP_SET_FILTERS(env, skel) do {				\
	(skel)->rodata->targ_tgid = (env)->pid;			\
	(skel)->rodata->targ_cpu = (env)->cpu;			\
} while (0)

/*
 * Run until the duration, the report count or a signal ends it, calling
 * REPORT every interval and once at the end (LAST true), and polling RB
 * (may be NULL) in between. Returns an exit status.
 */
typedef int (*report_fn)(struct env *env, void *ctx, double elapsed, bool last);
int kp_run_loop(struct env *env, struct ring_buffer *rb, report_fn report,
		void *ctx);

double kp_now(void);			/* CLOCK_MONOTONIC seconds */
double kp_boot_offset(void);		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
/* "HH:MM:SS" of the current time */
const char *kp_clock(char *buf, size_t size);
/* Function name of a kernel address ("0x..." unknown). */
const char *kp_sym(struct env *env, uint64_t addr, char *buf, size_t size);
const char *kp_sym_off(struct env *env, uint64_t addr, char *buf, size_t size);
/*
 * Index of the first frame of a kernel stack (leaf first) past the
 * tracing path: BPF programs (JIT code, unknown to kallsyms unless
 * net.core.bpf_jit_kallsyms is set) and the tracepoint's frames.
 */
int kp_first_traced_frame(struct env *env, const __u64 *ips, int n);
#endif
