// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Command-line parsing shared by every kpkeys subcommand. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kpkeys.h"

void kp_err(const struct env *env, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kpkeys%s%s: ", env && env->cmd ? " " : "",
		env && env->cmd ? env->cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;

	/* plain decimal only: no sign, space, hex, inf or nan */
	if (!s || !*s || strspn(s, "0123456789.eE-") != strlen(s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s || strspn(s, "0123456789-") != strlen(s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int cpu_exists(int cpu)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", cpu);
	return access(path, F_OK) == 0;
}

static int pid_exists(int pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return access(path, F_OK) == 0;
}

const struct kp_option kp_options[KO_NR] = {
	[KO_DURATION]	= { 'd', "duration", "SECONDS", "run this long, report and exit" },
	[KO_PID]	= { 'p', "pid", "PID", "only the process PID" },
	[KO_CPU]	= { 'C', "cpu", "CPU", "only events on CPU" },
	[KO_JSON]	= { 'j', "json", NULL,
			    "newline-delimited JSON, one document per report or event" },
	[KO_VERBOSE]	= { 'v', "verbose", NULL,
			    "libbpf debug output (with the verifier log on a rejection)" },
	[KO_HELP]	= { 'h', "help", NULL, "this help" },
	[KO_SUMMARY]	= { 'S', "summary", NULL, NULL },
	[KO_ROWS]	= { 'n', "rows", "N", NULL },
	[KO_SORT]	= { 's', "sort", "KEY", NULL },
	[KO_PERCPU]	= { 'P', "per-cpu", NULL, NULL },
	[KO_FOLDED]	= { 'f', "folded", NULL, NULL },
	[KO_WRITES]	= { 0, "writes", NULL, NULL },
};

/* getopt_long's value for option ID: its short option or 256 + ID */
static int opt_val(int id)
{
	return kp_options[id].val ? kp_options[id].val : 256 + id;
}

/* The option getopt_long returned as C, or -1 (an error). */
static int opt_id(int c)
{
	for (int id = 0; id < KO_NR; id++)
		if (c == opt_val(id))
			return id;
	return -1;
}

/* "  LABEL  TEXT", TEXT's later lines under its first */
static void print_option_line(FILE *out, const char *label, const char *text)
{
	fprintf(out, "  %-22s  ", label);
	for (; *text; text++) {
		fputc(*text, out);
		if (*text == '\n')
			fprintf(out, "%26s", "");
	}
	fputc('\n', out);
}

void print_options(FILE *out, const struct command *cmd)
{
	for (int id = cmd ? KO_FIRST_OWN : 0; id < (cmd ? KO_NR : KO_FIRST_OWN); id++) {
		const struct kp_option *o = &kp_options[id];
		const char *text = cmd ? cmd->opt_help[id] : o->help;
		char label[64];

		if (!text)
			continue;
		if (o->val)
			snprintf(label, sizeof(label), "-%c, --%s%s%s", o->val,
				 o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(label, sizeof(label), "    --%s%s%s", o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		print_option_line(out, label, text);
	}
	if (!cmd)
		print_option_line(out, "INTERVAL [COUNT]",
				  "report every INTERVAL seconds, COUNT times");
}

int parse_args(struct env *env, const struct command *cmd, int argc,
	       char **argv, bool *help)
{
	struct option longopts[KO_NR + 1] = {};
	char shortopts[2 + 2 * KO_NR + 1] = "+:", *sp = shortopts + 2;
	const char *name = cmd->name;
	long v;
	int arg, c, id;

	for (id = 0; id < KO_NR; id++) {
		const struct kp_option *o = &kp_options[id];

		longopts[id] = (struct option){ o->name,
			o->arg ? required_argument : no_argument, NULL, opt_val(id) };
		if (o->val) {
			*sp++ = o->val;
			if (o->arg)
				*sp++ = ':';
		}
	}
	env->cmd = cmd;
	env->cpu = -1;
	env->rows = 10;
	*help = false;
	/* 0, not 1: getopt also forgets a "-xy" an earlier call left half-read */
	optind = 0;
	opterr = 0;
	/* ARG: the element holding the option (optind may be past its value) */
	while ((arg = optind ? optind : 1),
	       (c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		id = opt_id(c);
		/* a command takes its own options when it documents them */
		if (id >= KO_FIRST_OWN && !cmd->opt_help[id]) {
			kp_err(env, "option '%s' does not apply to %s; see 'kpkeys %s --help'",
			       argv[arg], name, name);
			return EXIT_USAGE;
		}
		switch (id) {
		case KO_DURATION:
			if (parse_double(optarg, &env->duration) ||
			    env->duration <= 0 || env->duration > 31536000) {
				kp_err(env, "bad duration '%s'; give a positive number of seconds",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case KO_PID:
			if (parse_long(optarg, 1, INT_MAX, &v)) {
				kp_err(env, "bad PID '%s'; give a positive process ID", optarg);
				return EXIT_USAGE;
			}
			if (!pid_exists(v)) {
				kp_err(env, "no process with PID %ld; give the PID of a running process",
				       v);
				return EXIT_USAGE;
			}
			env->pid = v;
			break;
		case KO_CPU:
			if (parse_long(optarg, 0, 65535, &v)) {
				kp_err(env, "bad CPU '%s'; give a CPU number from 0", optarg);
				return EXIT_USAGE;
			}
			if (!cpu_exists(v)) {
				kp_err(env, "no CPU %ld on this system; see /sys/devices/system/cpu",
				       v);
				return EXIT_USAGE;
			}
			env->cpu = v;
			break;
		case KO_JSON: env->json = true; break;
		case KO_VERBOSE: env->verbose = true; break;
		case KO_HELP: *help = true; return 0;
		case KO_ROWS:
			if (parse_long(optarg, 0, 1000000, &v)) {
				kp_err(env, "bad row count '%s'; give a number, 0 for all rows",
				       optarg);
				return EXIT_USAGE;
			}
			env->rows = v;
			break;
		case KO_SORT:
			if (!strcmp(optarg, "count"))
				env->sort = SORT_COUNT;
			else if (!strcmp(optarg, "name"))
				env->sort = SORT_NAME;
			else {
				kp_err(env, "unknown sort key '%s'; use count or name", optarg);
				return EXIT_USAGE;
			}
			break;
		case KO_PERCPU: env->per_cpu = true; break;
		case KO_FOLDED: env->folded = true; break;
		case KO_WRITES: env->weight_writes = true; break;
		case KO_SUMMARY: env->summary = true; break;
		default:
			if (c == ':') {
				kp_err(env, "option '%s' needs a value; see 'kpkeys %s --help'",
				       argv[arg], name);
				return EXIT_USAGE;
			}
			if (optopt >= '0' && optopt <= '9') {
				kp_err(env, "bad interval '%s'; give a positive number of seconds",
				       argv[arg]);
				return EXIT_USAGE;
			}
			if (optopt && optopt < 256)
				kp_err(env, "unknown option '-%c'; see 'kpkeys %s --help'",
				       optopt, name);
			else
				kp_err(env, "unknown option '%s'; see 'kpkeys %s --help'",
				       argv[arg], name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		double iv;

		if (parse_double(argv[optind], &iv) || iv <= 0 || iv > 86400) {
			kp_err(env, "bad interval '%s'; give a positive number of seconds (at most 86400)",
			       argv[optind]);
			return EXIT_USAGE;
		}
		env->interval = iv;
		optind++;
	}
	if (optind < argc) {
		if (parse_long(argv[optind], 1, LONG_MAX, &v)) {
			kp_err(env, "bad count '%s'; give a positive number of reports",
			       argv[optind]);
			return EXIT_USAGE;
		}
		env->count = v;
		optind++;
	}
	if (optind < argc) {
		kp_err(env, "unexpected argument '%s'; usage: kpkeys %s [OPTIONS] [INTERVAL [COUNT]]",
		       argv[optind], name);
		return EXIT_USAGE;
	}
	if (env->folded && env->json) {
		kp_err(env, "--folded and --json are two output formats; pick one");
		return EXIT_USAGE;
	}
	return 0;
}

