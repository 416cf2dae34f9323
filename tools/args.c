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

enum { OPT_WRITES = 256, OPT_VERSION };

int parse_args(struct env *env, const struct command *cmd, int argc,
	       char **argv, bool *help)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "pid", required_argument, NULL, 'p' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "rows", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "per-cpu", no_argument, NULL, 'P' },
		{ "folded", no_argument, NULL, 'f' },
		{ "writes", no_argument, NULL, OPT_WRITES },
		{ "summary", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = cmd->name;
	long v;
	int arg, c;

	env->cmd = cmd;
	env->cpu = -1;
	env->rows = 10;
	*help = false;
	/* 0, not 1: getopt also forgets a "-xy" an earlier call left half-read */
	optind = 0;
	opterr = 0;
	/* ARG: the element holding the option (optind may be past its value) */
	while ((arg = optind ? optind : 1),
	       (c = getopt_long(argc, argv, "+:d:p:C:jvhn:s:PfS", longopts,
				NULL)) != -1) {
		unsigned int need = 0;

		switch (c) {
		case 'n': need = OPT_ROWS; break;
		case 's': need = OPT_SORT; break;
		case 'P': need = OPT_PERCPU; break;
		case 'f': case OPT_WRITES: need = OPT_FOLDED; break;
		case 'S': need = OPT_SUMMARY; break;
		}
		if (need && !(cmd->opts & need)) {
			kp_err(env, "option '%s' does not apply to %s; see 'kpkeys %s --help'",
			       argv[arg], name, name);
			return EXIT_USAGE;
		}
		switch (c) {
		case 'd':
			if (parse_double(optarg, &env->duration) ||
			    env->duration <= 0 || env->duration > 31536000) {
				kp_err(env, "bad duration '%s'; give a positive number of seconds",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'p':
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
		case 'C':
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
		case 'j': env->json = true; break;
		case 'v': env->verbose = true; break;
		case 'h': *help = true; return 0;
		case 'n':
			if (parse_long(optarg, 0, 1000000, &v)) {
				kp_err(env, "bad row count '%s'; give a number, 0 for all rows",
				       optarg);
				return EXIT_USAGE;
			}
			env->rows = v;
			break;
		case 's':
			if (!strcmp(optarg, "count"))
				env->sort = SORT_COUNT;
			else if (!strcmp(optarg, "name"))
				env->sort = SORT_NAME;
			else {
				kp_err(env, "unknown sort key '%s'; use count or name", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P': env->per_cpu = true; break;
		case 'f': env->folded = true; break;
		case OPT_WRITES: env->weight_writes = true; break;
		case 'S': env->summary = true; break;
		case ':':
			kp_err(env, "option '%s' needs a value; see 'kpkeys %s --help'",
			       argv[arg], name);
			return EXIT_USAGE;
		default:
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

