// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kp-tpcount: load tpcount.bpf.c through its skeleton, attach it, fork N
 * children and check that the program counted exactly N forks of this
 * process. Exit 0 when the count matches, 1 otherwise.
 *
 *   kp-tpcount [N]        (default 16)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tpcount.skel.h"

static int verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct tpcount *skel;
	long n = 16, i;
	char *end;
	int err = 1;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argc--, argv++;
	}
	if (argc > 1) {
		n = strtol(argv[1], &end, 10);
		if (*end || n <= 0 || n > 100000) {
			fprintf(stderr, "kp-tpcount: bad count '%s'; give a number of forks from 1 to 100000\n",
				argv[1]);
			return 2;
		}
	}
	libbpf_set_print(print_fn);

	skel = tpcount__open();
	if (!skel) {
		fprintf(stderr, "kp-tpcount: cannot open BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	if (tpcount__load(skel)) {
		fprintf(stderr, "kp-tpcount: cannot load BPF program (run with -v for the verifier log)\n");
		goto out;
	}
	if (tpcount__attach(skel)) {
		fprintf(stderr, "kp-tpcount: cannot attach tp_btf/sched_process_fork: %s\n",
			strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "kp-tpcount: fork failed: %s\n", strerror(errno));
			goto out;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, NULL, 0) < 0) {
			fprintf(stderr, "kp-tpcount: waitpid failed: %s\n", strerror(errno));
			goto out;
		}
	}
	printf("kp-tpcount: forked %ld, counted %llu (other processes: %llu)\n",
	       n, (unsigned long long)skel->bss->forks,
	       (unsigned long long)skel->bss->other);
	err = skel->bss->forks == (unsigned long long)n ? 0 : 1;
out:
	tpcount__destroy(skel);
	return err;
}
