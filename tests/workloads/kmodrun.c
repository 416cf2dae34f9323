// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * kmodrun: load a kernel module exactly once with finit_module(2).
 *
 * Test modules such as lib/test_vmalloc.ko do their work in their init
 * function and return -EAGAIN so that the kernel unloads them at once.
 * Busybox's insmod and modprobe take that failure for a reason to try
 * again with init_module(2), so the test runs twice; this loader never
 * retries.
 *
 *   kmodrun [-a] FILE [PARAM=VALUE ...]
 *
 * -a: init returning -EAGAIN counts as success (the module ran and left).
 * Exit status: 0 loaded (or ran, with -a), 1 the kernel refused the module
 * or init failed, 2 bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char usage[] =
"Usage: kmodrun [-a] FILE [PARAM=VALUE ...]\n"
"Load the kernel module FILE once with finit_module(2), with the\n"
"parameters given, and never retry.\n"
"  -a   accept -EAGAIN from the module's init: run-once test modules\n"
"       (test_vmalloc.ko) return it to be unloaded at once\n"
"Exit status: 0 loaded (or ran, with -a), 1 refused or init failed,\n"
"2 bad usage.\n"
"Example:\n"
"  kmodrun -a /lib/modules/$(uname -r)/kernel/lib/test_vmalloc.ko \\\n"
"          run_test_mask=1 nr_threads=1 test_loop_count=10000 nr_pages=4\n";

int main(int argc, char **argv)
{
	int accept_eagain = 0, argi = 1, fd;
	size_t len = 1;
	char *params;

	if (argi < argc && (!strcmp(argv[argi], "-h") ||
			    !strcmp(argv[argi], "--help"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argi < argc && !strcmp(argv[argi], "-a")) {
		accept_eagain = 1;
		argi++;
	}
	if (argi >= argc || argv[argi][0] == '-') {
		fprintf(stderr, "kmodrun: %s; give a module file, e.g. kmodrun -a test_vmalloc.ko run_test_mask=1\n",
			argi >= argc ? "missing module file" : "unknown option");
		return 2;
	}
	for (int i = argi + 1; i < argc; i++) {
		if (!strchr(argv[i], '=')) {
			fprintf(stderr, "kmodrun: parameter '%s' has no value; write PARAM=VALUE\n",
				argv[i]);
			return 2;
		}
		len += strlen(argv[i]) + 1;
	}
	params = calloc(1, len);
	if (!params) {
		perror("kmodrun: calloc");
		return 1;
	}
	for (int i = argi + 1; i < argc; i++) {
		if (i > argi + 1)
			strcat(params, " ");
		strcat(params, argv[i]);
	}

	fd = open(argv[argi], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kmodrun: cannot open '%s': %s; give the path of a .ko file\n",
			argv[argi], strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0) == 0)
		return 0;
	if (errno == EAGAIN && accept_eagain)
		return 0;
	fprintf(stderr, "kmodrun: loading '%s' failed: %s%s\n", argv[argi],
		strerror(errno),
		errno == EAGAIN ? " (init returned -EAGAIN; pass -a for run-once test modules)" : "");
	return 1;
}
