// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kp-tptrace: attach a tp_btf program to every kpkeys trace event, fork a
 * child that touched N MiB, and print what each program counted:
 *
 *   kp-tptrace: switch=S raise=R restore=T batch=B batch_writes=W set_memory_pkey=K keyed_ok=O fault=F split=P
 *
 * Exit 0 when every program attached and the fork produced level switches,
 * set_memory_pkey() calls, batching windows with writes (when
 * /sys/kernel/kpkeys/batching is on) and no fault; 1 otherwise; 2 on bad
 * usage.
 *
 *   kp-tptrace [-v] [MIB]      (default 8)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "tptrace.skel.h"

static int verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* /sys/kernel/kpkeys/batching says whether lazy sections batch. */
static int read_batching(void)
{
	FILE *f = fopen("/sys/kernel/kpkeys/batching", "r");
	char buf[8] = "";

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return !strncmp(buf, "on", 2);
}

/*
 * Empty kpkeys' cache of keyed page-table pages through its shrinker, so
 * that the fork keys the tables it allocates and set_memory_pkey fires.
 * Harmless where there is no such cache.
 */
static void drop_pgtable_cache(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "2", 1) != 1)
		fprintf(stderr, "kp-tptrace: drop_caches: %s\n", strerror(errno));
	close(fd);
}

int main(int argc, char **argv)
{
	int batching;
	struct tptrace *skel;
	long mib = 8, off;
	char *end, *p;
	int err = 1, status;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argc--, argv++;
	}
	if (argc > 1) {
		mib = strtol(argv[1], &end, 10);
		if (*end || mib <= 0 || mib > 1024) {
			fprintf(stderr, "kp-tptrace: bad size '%s'; give MiB from 1 to 1024\n",
				argv[1]);
			return 2;
		}
	}
	libbpf_set_print(print_fn);
	batching = read_batching();

	skel = tptrace__open_and_load();
	if (!skel) {
		fprintf(stderr, "kp-tptrace: cannot load the BPF programs (a kernel without the kpkeys tracepoints? run with -v)\n");
		return 1;
	}
	if (tptrace__attach(skel)) {
		fprintf(stderr, "kp-tptrace: cannot attach the tp_btf programs: %s\n",
			strerror(errno));
		goto out;
	}

	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "kp-tptrace: mmap: %s\n", strerror(errno));
		goto out;
	}
	madvise(p, mib << 20, MADV_NOHUGEPAGE);
	for (off = 0; off < mib << 20; off += 4096)
		p[off] = 1;
	drop_pgtable_cache();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "kp-tptrace: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0)
		_exit(0);
	if (waitpid(pid, &status, 0) < 0) {
		fprintf(stderr, "kp-tptrace: waitpid: %s\n", strerror(errno));
		goto out;
	}
	munmap(p, mib << 20);

	printf("kp-tptrace: switch=%llu raise=%llu restore=%llu batch=%llu batch_writes=%llu set_memory_pkey=%llu keyed_ok=%llu fault=%llu split=%llu\n",
	       (unsigned long long)skel->bss->switches,
	       (unsigned long long)skel->bss->raises,
	       (unsigned long long)skel->bss->restores,
	       (unsigned long long)skel->bss->batches,
	       (unsigned long long)skel->bss->batch_writes,
	       (unsigned long long)skel->bss->set_memory_pkeys,
	       (unsigned long long)skel->bss->keyed_ok,
	       (unsigned long long)skel->bss->faults,
	       (unsigned long long)skel->bss->splits);
	/* Without batching (kpkeys.batching=off) no window is expected. */
	err = !(skel->bss->switches && skel->bss->raises &&
		skel->bss->restores && skel->bss->keyed_ok &&
		!skel->bss->faults &&
		(!batching || (skel->bss->batches &&
			       skel->bss->batch_writes >= (unsigned long long)(mib << 8))));
out:
	tptrace__destroy(skel);
	return err;
}
