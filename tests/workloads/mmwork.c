// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * mmwork: memory-management workload generator.
 *
 * Drives page-table-heavy operations (fork, munmap, mprotect, mremap,
 * madvise, page faults) on private anonymous and file mappings and times them,
 * so that kernel page-table protection (kpkeys hardened page tables) and
 * its tracing can be exercised and measured. Built as a static binary for
 * a busybox guest; it needs nothing but libc. Run "mmwork --help".
 *
 * Exit status: 0 on success, 1 on a runtime failure, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE	15
#endif

#define SZ_4K		(4UL << 10)
#define SZ_1M		(1UL << 20)
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)

/* Touch granule and PMD (THP) size; the guest uses 4 KiB pages. */
#define TOUCH_STEP	SZ_4K
#define PMD_STEP	SZ_2M

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define __noreturn	__attribute__((__noreturn__))
#define __printf(a, b)	__attribute__((__format__(printf, a, b)))

#define DEFAULT_SIZE	(64UL << 20)
#define OPT_JSON	256

enum mm_op { OP_FORK, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_CLEARREFS,
	     OP_FAULT, OP_COW, OP_FILEFAULT, OP_ALL };

static const char *const op_names[] = {
	[OP_FORK]	= "fork",
	[OP_MUNMAP]	= "munmap",
	[OP_MPROTECT]	= "mprotect",
	[OP_MREMAP]	= "mremap",
	[OP_MADVISE]	= "madvise",
	[OP_CLEARREFS]	= "clearrefs",
	[OP_FAULT]	= "fault",
	[OP_COW]	= "cow",
	[OP_FILEFAULT]	= "filefault",
	[OP_ALL]	= "all",
};

struct opts {
	enum mm_op op;
	size_t size;
	unsigned long iters;
	bool thp;
	bool quiet;
	bool json;
	bool counters;
};

/* --counters: the kernel's kpkeys counters, as "name value" lines. */
#ifndef COUNTERS_PATH
#define COUNTERS_PATH	"/sys/kernel/debug/kpkeys/counters"
#endif
#define MAX_COUNTERS	16

struct counters {
	int n;
	char name[MAX_COUNTERS][32];
	unsigned long long val[MAX_COUNTERS];
};

struct stats {
	double sum_us;
	double min_us;
	double max_us;
	unsigned long n;
};

struct result {
	struct stats main;
	/* fork: fork() + waitpid(); mprotect: mprotect() back to RW */
	struct stats extra;
	const char *extra_name;
	/* --counters: snapshot at the start of the window, sum of deltas */
	struct counters start, total;
};

static const char usage_text[] =
"Usage: mmwork OP [options]\n"
"\n"
"Drive page-table-heavy memory-management operations on a private anonymous\n"
"mapping and time them with CLOCK_MONOTONIC. Before each timed operation the\n"
"mapping is fully touched (one byte written in every 4 KiB page), so every\n"
"PTE is populated.\n"
"\n"
"OP:\n"
"  fork      map+touch once, then N times: fork(), the child _exit(0)s at\n"
"            once, the parent waitpid()s. mean/min/max time fork() until it\n"
"            returns in the parent; fork_wait_mean_us is fork() + waitpid().\n"
"  munmap    N times: map+touch, time munmap() of the whole range.\n"
"  mprotect  N times: map+touch, time mprotect(PROT_READ) of the whole range\n"
"            (mean/min/max), then mprotect() back to PROT_READ|PROT_WRITE\n"
"            (rw_mean_us).\n"
"  mremap    N times: map+touch, time mremap(MREMAP_MAYMOVE|MREMAP_FIXED)\n"
"            of the whole range onto a reserved, distinct, 1 GiB-aligned\n"
"            target, then munmap().\n"
"  madvise   N times: map+touch, time madvise(MADV_DONTNEED) of the whole\n"
"            range, then munmap().\n"
"  clearrefs N times: map+touch, time a write of \"1\" to\n"
"            /proc/self/clear_refs (every young PTE of the process made old:\n"
"            one page-table write per touched page), then munmap().\n"
"  fault     N times: map a fresh region, time the write of one byte in\n"
"            every 4 KiB page (one anonymous page fault each), then munmap().\n"
"  cow       map+touch once, then N times: fork(); the child times the\n"
"            write of one byte in every page (one copy-on-write fault\n"
"            each) and reports it to the parent through a pipe.\n"
"  filefault create a file of SIZE in $TMPDIR (default /tmp; tmpfs in the\n"
"            guest) and fill it, then N times: mmap() it shared read-only,\n"
"            time the read of one byte in every page (file faults, with\n"
"            the kernel's fault-around), munmap(). The file is removed.\n"
"  all       run fork, munmap, mprotect, mremap, madvise, clearrefs, fault,\n"
"            cow, filefault in that order with the same options.\n"
"\n"
"Options:\n"
"  -s, --size SIZE      mapping size, with optional K/M/G suffix (binary\n"
"                       units), a multiple of 4K; default 64M\n"
"  -n, --iterations N   repeat the operation N times (default 1), each on a\n"
"                       fresh, fully touched mapping (for fork: the same\n"
"                       mapping, fork N times)\n"
"  -H, --thp            back the mapping with transparent huge pages\n"
"                       (MADV_HUGEPAGE on a 2 MiB-aligned mapping), then make\n"
"                       the kernel map it by PTEs: after touching, mprotect\n"
"                       one 4 KiB page in every 2 MiB to PROT_READ and back,\n"
"                       which splits the PMD mappings (the folios stay large;\n"
"                       MADV_NOHUGEPAGE then keeps khugepaged off the range).\n"
"                       Without -H, MADV_NOHUGEPAGE makes folios page-sized.\n"
"  -c, --counters       also report the kernel's kpkeys counters\n"
"                       (" COUNTERS_PATH ", CONFIG_KPKEYS_COUNTERS)\n"
"                       summed over the timed windows: for fork, fork()\n"
"                       + waitpid(), so the child's exit is included;\n"
"                       for cow, the child's writes\n"
"  -q, --quiet          print only the result lines (no '#' header)\n"
"      --json           print results as one JSON object per line\n"
"  -h, --help           show this help and exit\n"
"\n"
"Output, one line per operation (times in microseconds):\n"
"  mmwork OP size=64M thp=0 iterations=N mean_us=... min_us=... max_us=...\n"
"  {\"op\":\"OP\",\"size_bytes\":67108864,\"thp\":false,\"iterations\":N,\n"
"   \"mean_us\":...,\"min_us\":...,\"max_us\":...}\n"
"  fork adds fork_wait_mean_us, mprotect adds rw_mean_us. fault, cow and\n"
"  filefault time all the pages of one iteration (divide by SIZE / 4K).\n"
"  With -c the text output adds a line\n"
"  mmwork OP counters switches=... syncs=... (one NAME=VALUE per counter)\n"
"  and the JSON object a \"counters\" object {\"switches\":...,...}.\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n"
"\n"
"Examples:\n"
"  mmwork fork                      fork once with a 64M touched mapping\n"
"  mmwork all -s 8M -n 2            every operation, twice each, on 8 MiB\n"
"  mmwork munmap -s 1G -n 10 -H     PTE-mapped THP folios, 10 munmaps\n"
"  mmwork fork -s 16M -H --json     one JSON result line\n"
"  mmwork fork -c                   level switches made by one fork\n"
"  mmwork mprotect -n 100 -q        result line only\n"
"  mmwork fault -s 256M -c          switches per anonymous fault (/ 65536)\n";

static void __noreturn __printf(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mmwork: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* Report a failed system call; must be called before errno is clobbered. */
static void sys_fail(const char *what)
{
	fprintf(stderr, "mmwork: %s failed: %s\n", what, strerror(errno));
}

static void format_size(size_t size, char *buf, size_t len)
{
	if (size % SZ_1G == 0)
		snprintf(buf, len, "%zuG", size / SZ_1G);
	else if (size % SZ_1M == 0)
		snprintf(buf, len, "%zuM", size / SZ_1M);
	else if (size % (1UL << 10) == 0)
		snprintf(buf, len, "%zuK", size >> 10);
	else
		snprintf(buf, len, "%zu", size);
}

static size_t parse_size(const char *s)
{
	unsigned long long val, mult = 1;
	char buf[32];
	char *end;

	if (*s < '0' || *s > '9')
		goto invalid;
	errno = 0;
	val = strtoull(s, &end, 10);
	if (errno == ERANGE)
		goto too_large;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	default:
		goto invalid;
	}
	if (*end)
		goto invalid;
	/* Leave headroom for the 2 MiB alignment slack added when mapping. */
	if (val > (SIZE_MAX / 2) / mult)
		goto too_large;
	val *= mult;
	if (!val)
		usage_error("size must be greater than zero (got '%s'); use e.g. -s 64M",
			    s);
	if (val % SZ_4K) {
		format_size((val + SZ_4K - 1) & ~(unsigned long long)(SZ_4K - 1),
			    buf, sizeof(buf));
		usage_error("size '%s' is not a multiple of 4 KiB; round it up, e.g. -s %s",
			    s, buf);
	}
	return val;

invalid:
	usage_error("invalid size '%s'; use a positive number with an optional K, M or G suffix, e.g. -s 64M",
		    s);
too_large:
	usage_error("size '%s' is too large; use a size that fits in memory, e.g. -s 1G",
		    s);
}

static unsigned long parse_iters(const char *s)
{
	unsigned long val;
	char *end;

	if (*s < '0' || *s > '9')
		goto invalid;
	errno = 0;
	val = strtoul(s, &end, 10);
	if (errno == ERANGE)
		usage_error("iteration count '%s' is too large; use a smaller count, e.g. -n 1000",
			    s);
	if (*end || !val)
		goto invalid;
	return val;

invalid:
	usage_error("invalid iteration count '%s'; use a positive integer, e.g. -n 10",
		    s);
}

static int now_ns(uint64_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts)) {
		sys_fail("clock_gettime");
		return -1;
	}
	*t = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return 0;
}

static void stats_add(struct stats *st, uint64_t t0, uint64_t t1)
{
	double us = (double)(t1 - t0) / 1000.0;

	if (!st->n || us < st->min_us)
		st->min_us = us;
	if (!st->n || us > st->max_us)
		st->max_us = us;
	st->sum_us += us;
	st->n++;
}

static double stats_mean(const struct stats *st)
{
	return st->n ? st->sum_us / (double)st->n : 0.0;
}

/*
 * mmap() @size bytes at a 1 GiB-aligned address: reserve @size + 1 GiB of
 * address space with PROT_NONE (neither committed nor charged), map the
 * aligned part over it and give back the rest. Every mapping starts a
 * PUD, not only THP ones at a PMD, so the page-table layout (how many
 * tables a range needs, and so the cost) does not vary with ASLR.
 */
#define MAP_ALIGN	SZ_1G
static void *map_aligned(size_t size, int prot, int flags)
{
	size_t len = size + MAP_ALIGN, head, tail;
	char *raw, *p;

	raw = mmap(NULL, len, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED) {
		sys_fail("mmap");
		return NULL;
	}
	p = (char *)(((uintptr_t)raw + MAP_ALIGN - 1) & ~(uintptr_t)(MAP_ALIGN - 1));
	if (mmap(p, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | flags,
		 -1, 0) == MAP_FAILED) {
		sys_fail("mmap");
		(void)munmap(raw, len);
		return NULL;
	}
	head = p - raw;
	tail = len - head - size;
	if ((head && munmap(raw, head)) || (tail && munmap(p + size, tail))) {
		sys_fail("munmap");
		(void)munmap(raw, len);
		return NULL;
	}
	return p;
}

/*
 * Turn the PMD mappings of a THP-backed range into PTE mappings: changing
 * the protection of a single 4 KiB page splits the PMD that maps it, but
 * leaves the large folio intact. Restoring the protection lets the VMAs
 * merge again. MADV_NOHUGEPAGE afterwards stops khugepaged from collapsing
 * the range back into PMD mappings while we measure.
 */
static int split_pmd_mappings(char *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += PMD_STEP) {
		if (mprotect(p + off, SZ_4K, PROT_READ)) {
			sys_fail("mprotect");
			return -1;
		}
		if (mprotect(p + off, SZ_4K, PROT_READ | PROT_WRITE)) {
			sys_fail("mprotect");
			return -1;
		}
	}
	if (madvise(p, size, MADV_NOHUGEPAGE)) {
		sys_fail("madvise(MADV_NOHUGEPAGE)");
		return -1;
	}
	return 0;
}

/* Map, advise and fully touch a fresh region of o->size bytes. */
static char *prepare_region(const struct opts *o)
{
	/* volatile: the stores must really fault in every page */
	volatile char *v;
	size_t off;
	char *p;

	p = map_aligned(o->size, PROT_READ | PROT_WRITE, 0);
	if (!p)
		return NULL;
	if (o->thp) {
		if (madvise(p, o->size, MADV_HUGEPAGE)) {
			sys_fail("madvise(MADV_HUGEPAGE)");
			goto fail;
		}
	} else if (madvise(p, o->size, MADV_NOHUGEPAGE) && errno != EINVAL) {
		/* EINVAL: no THP in this kernel, folios are page-sized anyway. */
		sys_fail("madvise(MADV_NOHUGEPAGE)");
		goto fail;
	}

	v = p;
	for (off = 0; off < o->size; off += TOUCH_STEP)
		v[off] = 1;

	if (o->thp && split_pmd_mappings(p, o->size))
		goto fail;
	return p;

fail:
	(void)munmap(p, o->size);
	return NULL;
}

static int counters_read(struct counters *c)
{
	FILE *f = fopen(COUNTERS_PATH, "r");
	char name[32];
	unsigned long long v;

	if (!f) {
		fprintf(stderr, "mmwork: cannot open %s: %s; mount debugfs and run a kernel with CONFIG_KPKEYS_COUNTERS, or drop -c\n",
			COUNTERS_PATH, strerror(errno));
		return -1;
	}
	c->n = 0;
	while (c->n < MAX_COUNTERS && fscanf(f, "%31s %llu", name, &v) == 2) {
		strcpy(c->name[c->n], name);
		c->val[c->n++] = v;
	}
	fclose(f);
	if (c->n == 0) {
		fprintf(stderr, "mmwork: no counters in %s\n", COUNTERS_PATH);
		return -1;
	}
	return 0;
}

static int counters_start(const struct opts *o, struct result *r)
{
	return o->counters ? counters_read(&r->start) : 0;
}

/* Add what the counters moved from r->start to @now to the total. */
static int counters_add(struct result *r, const struct counters *end)
{
	struct counters now = *end;
	int i;

	if (now.n != r->start.n) {
		fprintf(stderr, "mmwork: %s changed shape while running\n",
			COUNTERS_PATH);
		return -1;
	}
	if (r->total.n == 0) {
		r->total = now;
		for (i = 0; i < now.n; i++)
			r->total.val[i] = 0;
	}
	for (i = 0; i < now.n; i++)
		r->total.val[i] += now.val[i] - r->start.val[i];
	return 0;
}

/* Add what the counters moved since counters_start() to the total. */
static int counters_stop(const struct opts *o, struct result *r)
{
	struct counters now;

	if (!o->counters)
		return 0;
	if (counters_read(&now))
		return -1;
	return counters_add(r, &now);
}

/* Write one byte in every page of [p, p + size): a fault per page. */
static void touch_pages(char *p, size_t size)
{
	volatile char *v = p;
	size_t off;

	for (off = 0; off < size; off += TOUCH_STEP)
		v[off] = 2;
}

static int run_fault(const struct opts *o, struct result *r)
{
	uint64_t t0, t1;
	unsigned long i;
	char *p;

	for (i = 0; i < o->iters; i++) {
		p = map_aligned(o->size, PROT_READ | PROT_WRITE, 0);
		if (!p)
			return -1;
		if (madvise(p, o->size, o->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) &&
		    (o->thp || errno != EINVAL)) {
			sys_fail("madvise");
			goto fail;
		}
		if (counters_start(o, r) || now_ns(&t0))
			goto fail;
		touch_pages(p, o->size);
		if (now_ns(&t1) || counters_stop(o, r))
			goto fail;
		stats_add(&r->main, t0, t1);
		if (munmap(p, o->size)) {
			sys_fail("munmap");
			return -1;
		}
	}
	return 0;

fail:
	(void)munmap(p, o->size);
	return -1;
}

/* What a cow child measured, sent to the parent through a pipe. */
struct cow_report {
	int ok;
	uint64_t t0, t1;
	struct counters start, end;
};

static void __noreturn cow_child(const struct opts *o, char *p, int fd)
{
	struct cow_report m;

	memset(&m, 0, sizeof(m));
	if ((o->counters && counters_read(&m.start)) || now_ns(&m.t0))
		_exit(1);
	touch_pages(p, o->size);
	if (now_ns(&m.t1) || (o->counters && counters_read(&m.end)))
		_exit(1);
	m.ok = 1;
	_exit(write(fd, &m, sizeof(m)) == (ssize_t)sizeof(m) ? 0 : 1);
}

static int run_cow(const struct opts *o, struct result *r)
{
	struct cow_report m;
	unsigned long i;
	int fds[2], status;
	ssize_t n;
	pid_t pid;
	char *p;

	/* The child reads the counters; fail here, once, if it cannot. */
	if (counters_start(o, r))
		return -1;
	p = prepare_region(o);
	if (!p)
		return -1;
	for (i = 0; i < o->iters; i++) {
		if (pipe(fds)) {
			sys_fail("pipe");
			goto fail;
		}
		pid = fork();
		if (pid < 0) {
			sys_fail("fork");
			close(fds[0]);
			close(fds[1]);
			goto fail;
		}
		if (pid == 0) {
			close(fds[0]);
			cow_child(o, p, fds[1]);
		}
		close(fds[1]);
		do {
			n = read(fds[0], &m, sizeof(m));
		} while (n < 0 && errno == EINTR);
		close(fds[0]);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				sys_fail("waitpid");
				goto fail;
			}
		}
		if (n != (ssize_t)sizeof(m) || !m.ok || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "mmwork: cow child failed (wait status 0x%x)\n",
				(unsigned int)status);
			goto fail;
		}
		stats_add(&r->main, m.t0, m.t1);
		if (o->counters) {
			r->start = m.start;
			if (counters_add(r, &m.end))
				goto fail;
		}
	}
	if (munmap(p, o->size)) {
		sys_fail("munmap");
		return -1;
	}
	return 0;

fail:
	(void)munmap(p, o->size);
	return -1;
}

/* A file of o->size bytes in $TMPDIR, written so its pages are cached. */
static int make_file(const struct opts *o, char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	static char buf[64 << 10];
	size_t done;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, len, "%s/mmwork.XXXXXX", dir) >= len) {
		fprintf(stderr, "mmwork: TMPDIR '%s' is too long; set TMPDIR to a shorter path\n",
			dir);
		return -1;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "mmwork: cannot create a file in %s: %s; set TMPDIR to a writable directory\n",
			dir, strerror(errno));
		return -1;
	}
	memset(buf, 1, sizeof(buf));
	for (done = 0; done < o->size; ) {
		size_t chunk = o->size - done < sizeof(buf) ? o->size - done : sizeof(buf);
		ssize_t n = write(fd, buf, chunk);

		if (n <= 0) {
			sys_fail("write");
			close(fd);
			unlink(path);
			return -1;
		}
		done += n;
	}
	return fd;
}

static int run_filefault(const struct opts *o, struct result *r)
{
	char path[4096];
	uint64_t t0, t1, sum = 0;
	unsigned long i;
	int fd, ret = -1;
	size_t off;
	char *p;

	fd = make_file(o, path, sizeof(path));
	if (fd < 0)
		return -1;
	for (i = 0; i < o->iters; i++) {
		volatile char *v;

		/* aligned like the anonymous mappings: reserve, then map over */
		p = map_aligned(o->size, PROT_NONE, MAP_NORESERVE);
		if (!p)
			goto out;
		if (mmap(p, o->size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED) {
			sys_fail("mmap");
			goto unmap;
		}
		v = p;
		if (counters_start(o, r) || now_ns(&t0))
			goto unmap;
		for (off = 0; off < o->size; off += TOUCH_STEP)
			sum += v[off];
		if (now_ns(&t1) || counters_stop(o, r))
			goto unmap;
		stats_add(&r->main, t0, t1);
		if (munmap(p, o->size)) {
			sys_fail("munmap");
			goto out;
		}
	}
	if (sum != (o->size / TOUCH_STEP) * o->iters) {
		fprintf(stderr, "mmwork: filefault read back the wrong bytes\n");
		goto out;
	}
	ret = 0;
	goto out;
unmap:
	(void)munmap(p, o->size);
out:
	close(fd);
	unlink(path);
	return ret;
}

static int run_fork(const struct opts *o, struct result *r)
{
	uint64_t t0, t1, t2;
	unsigned long i;
	int status, err;
	pid_t pid, w;
	char *p;

	r->extra_name = "fork_wait_mean_us";
	p = prepare_region(o);
	if (!p)
		return -1;

	for (i = 0; i < o->iters; i++) {
		if (counters_start(o, r) || now_ns(&t0))
			goto fail;
		pid = fork();
		if (pid < 0) {
			sys_fail("fork");
			goto fail;
		}
		if (pid == 0)
			_exit(0);
		err = now_ns(&t1);
		do {
			w = waitpid(pid, &status, 0);
		} while (w < 0 && errno == EINTR);
		if (w < 0) {
			sys_fail("waitpid");
			goto fail;
		}
		if (err || now_ns(&t2) || counters_stop(o, r))
			goto fail;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "mmwork: fork child terminated abnormally (wait status 0x%x)\n",
				(unsigned int)status);
			goto fail;
		}
		stats_add(&r->main, t0, t1);
		stats_add(&r->extra, t0, t2);
	}

	if (munmap(p, o->size)) {
		sys_fail("munmap");
		return -1;
	}
	return 0;

fail:
	(void)munmap(p, o->size);
	return -1;
}

static int run_munmap(const struct opts *o, struct result *r)
{
	uint64_t t0, t1;
	unsigned long i;
	char *p;

	for (i = 0; i < o->iters; i++) {
		p = prepare_region(o);
		if (!p)
			return -1;
		if (counters_start(o, r) || now_ns(&t0)) {
			(void)munmap(p, o->size);
			return -1;
		}
		if (munmap(p, o->size)) {
			sys_fail("munmap");
			return -1;
		}
		if (now_ns(&t1) || counters_stop(o, r))
			return -1;
		stats_add(&r->main, t0, t1);
	}
	return 0;
}

static int run_mprotect(const struct opts *o, struct result *r)
{
	uint64_t t0, t1, t2;
	unsigned long i;
	char *p;

	r->extra_name = "rw_mean_us";
	for (i = 0; i < o->iters; i++) {
		p = prepare_region(o);
		if (!p)
			return -1;
		if (counters_start(o, r) || now_ns(&t0))
			goto fail;
		if (mprotect(p, o->size, PROT_READ)) {
			sys_fail("mprotect(PROT_READ)");
			goto fail;
		}
		if (now_ns(&t1) || counters_stop(o, r))
			goto fail;
		if (mprotect(p, o->size, PROT_READ | PROT_WRITE)) {
			sys_fail("mprotect(PROT_READ|PROT_WRITE)");
			goto fail;
		}
		if (now_ns(&t2))
			goto fail;
		stats_add(&r->main, t0, t1);
		stats_add(&r->extra, t1, t2);
		if (munmap(p, o->size)) {
			sys_fail("munmap");
			return -1;
		}
	}
	return 0;

fail:
	(void)munmap(p, o->size);
	return -1;
}

static int run_mremap(const struct opts *o, struct result *r)
{
	uint64_t t0, t1;
	unsigned long i;
	char *p, *dst, *q;

	for (i = 0; i < o->iters; i++) {
		p = prepare_region(o);
		if (!p)
			return -1;
		/*
		 * Reserve the target so MREMAP_FIXED cannot clobber anything;
		 * it is distinct from the source and 1 GiB-aligned like it.
		 */
		dst = map_aligned(o->size, PROT_NONE, MAP_NORESERVE);
		if (!dst)
			goto fail_src;
		if (counters_start(o, r) || now_ns(&t0))
			goto fail_both;
		q = mremap(p, o->size, o->size, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst);
		if (q == MAP_FAILED) {
			sys_fail("mremap");
			goto fail_both;
		}
		if (now_ns(&t1) || counters_stop(o, r)) {
			(void)munmap(dst, o->size);
			return -1;
		}
		stats_add(&r->main, t0, t1);
		if (munmap(dst, o->size)) {
			sys_fail("munmap");
			return -1;
		}
	}
	return 0;

fail_both:
	(void)munmap(dst, o->size);
fail_src:
	(void)munmap(p, o->size);
	return -1;
}

/*
 * N times: map and touch a fresh region, time OP on it (inside the counter
 * window), then unmap it.
 */
static int run_on_fresh_region(const struct opts *o, struct result *r,
			       int (*op)(char *p, size_t size))
{
	uint64_t t0, t1;
	unsigned long i;
	char *p;

	for (i = 0; i < o->iters; i++) {
		p = prepare_region(o);
		if (!p)
			return -1;
		if (counters_start(o, r) || now_ns(&t0) || op(p, o->size) ||
		    now_ns(&t1) || counters_stop(o, r)) {
			(void)munmap(p, o->size);
			return -1;
		}
		stats_add(&r->main, t0, t1);
		if (munmap(p, o->size)) {
			sys_fail("munmap");
			return -1;
		}
	}
	return 0;
}

static int madvise_dontneed(char *p, size_t size)
{
	if (madvise(p, size, MADV_DONTNEED)) {
		sys_fail("madvise(MADV_DONTNEED)");
		return -1;
	}
	return 0;
}

/* Write one complete result line and flush it, so no partial output. */
static int print_result(const struct opts *o, enum mm_op op,
			const struct result *r)
{
	char line[1536], size[32];
	int i, n;

	if (o->json) {
		n = snprintf(line, sizeof(line),
			     "{\"op\":\"%s\",\"size_bytes\":%zu,\"thp\":%s,\"iterations\":%lu,\"mean_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f",
			     op_names[op], o->size, o->thp ? "true" : "false",
			     o->iters, stats_mean(&r->main), r->main.min_us,
			     r->main.max_us);
		if (r->extra_name && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, ",\"%s\":%.1f",
				      r->extra_name, stats_mean(&r->extra));
		for (i = 0; i < r->total.n && n > 0 && (size_t)n < sizeof(line); i++)
			n += snprintf(line + n, sizeof(line) - n, "%s\"%s\":%llu",
				      i ? "," : ",\"counters\":{",
				      r->total.name[i], r->total.val[i]);
		if (r->total.n && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, "}");
		if (n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, "}\n");
	} else {
		format_size(o->size, size, sizeof(size));
		n = snprintf(line, sizeof(line),
			     "mmwork %s size=%s thp=%d iterations=%lu mean_us=%.1f min_us=%.1f max_us=%.1f",
			     op_names[op], size, o->thp, o->iters,
			     stats_mean(&r->main), r->main.min_us,
			     r->main.max_us);
		if (r->extra_name && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " %s=%.1f",
				      r->extra_name, stats_mean(&r->extra));
		if (n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, "\n");
		if (r->total.n && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n,
				      "mmwork %s counters", op_names[op]);
		for (i = 0; i < r->total.n && n > 0 && (size_t)n < sizeof(line); i++)
			n += snprintf(line + n, sizeof(line) - n, " %s=%llu",
				      r->total.name[i], r->total.val[i]);
		if (r->total.n && n > 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, "\n");
	}
	if (n <= 0 || (size_t)n >= sizeof(line)) {
		fprintf(stderr, "mmwork: internal error: result line too long\n");
		return -1;
	}
	if (fputs(line, stdout) == EOF || fflush(stdout) == EOF) {
		sys_fail("write");
		return -1;
	}
	return 0;
}

/* Read a short sysfs file into @buf, stripping the newline; "n/a" if absent. */
static void read_sysfs(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	snprintf(buf, len, "n/a");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	if (close(fd) || n <= 0) {
		snprintf(buf, len, "n/a");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* Context for the text output: kernel, page size and THP policy. */
static int print_header(const struct opts *o)
{
	char thp_enabled[128];
	struct utsname uts;
	long page_size;
	int n;

	if (uname(&uts)) {
		snprintf(uts.release, sizeof(uts.release), "n/a");
		snprintf(uts.machine, sizeof(uts.machine), "n/a");
	}
	page_size = sysconf(_SC_PAGESIZE);
	read_sysfs("/sys/kernel/mm/transparent_hugepage/enabled",
		   thp_enabled, sizeof(thp_enabled));
	n = printf("# mmwork: kernel %s %s, page size %ld, thp enabled: %s, thp=%d\n",
		   uts.release, uts.machine, page_size, thp_enabled, o->thp);
	if (n < 0 || fflush(stdout) == EOF) {
		sys_fail("write");
		return -1;
	}
	return 0;
}

static int clear_refs(char *p, size_t size)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);
	int ret = 0;

	if (fd < 0) {
		sys_fail("open /proc/self/clear_refs");
		return -1;
	}
	if (write(fd, "1", 1) != 1) {
		sys_fail("write /proc/self/clear_refs");
		ret = -1;
	}
	close(fd);
	return ret;
}

static int run_op(const struct opts *o, enum mm_op op)
{
	struct result r;
	int ret;

	memset(&r, 0, sizeof(r));
	switch (op) {
	case OP_FORK:
		ret = run_fork(o, &r);
		break;
	case OP_MUNMAP:
		ret = run_munmap(o, &r);
		break;
	case OP_MPROTECT:
		ret = run_mprotect(o, &r);
		break;
	case OP_MREMAP:
		ret = run_mremap(o, &r);
		break;
	case OP_MADVISE:
		ret = run_on_fresh_region(o, &r, madvise_dontneed);
		break;
	case OP_CLEARREFS:
		ret = run_on_fresh_region(o, &r, clear_refs);
		break;
	case OP_FAULT:
		ret = run_fault(o, &r);
		break;
	case OP_COW:
		ret = run_cow(o, &r);
		break;
	case OP_FILEFAULT:
		ret = run_filefault(o, &r);
		break;
	default:
		return -1;
	}
	if (ret)
		return ret;
	return print_result(o, op, &r);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option long_opts[] = {
		{ "size",	required_argument,	NULL, 's' },
		{ "iterations",	required_argument,	NULL, 'n' },
		{ "thp",	no_argument,		NULL, 'H' },
		{ "quiet",	no_argument,		NULL, 'q' },
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "counters",	no_argument,		NULL, 'c' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	const char *opname;
	unsigned int i;
	int c;

	o->op = OP_ALL;
	o->size = DEFAULT_SIZE;
	o->iters = 1;
	o->thp = false;
	o->quiet = false;
	o->json = false;
	o->counters = false;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:n:Hcqh", long_opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->size = parse_size(optarg);
			break;
		case 'n':
			o->iters = parse_iters(optarg);
			break;
		case 'H':
			o->thp = true;
			break;
		case 'c':
			o->counters = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			if (fputs(usage_text, stdout) == EOF ||
			    fflush(stdout) == EOF) {
				sys_fail("write");
				exit(1);
			}
			exit(0);
		case ':':
			if (optopt == 's')
				usage_error("option -s/--size requires an argument; give a size, e.g. -s 64M");
			usage_error("option -n/--iterations requires an argument; give a count, e.g. -n 10");
		default:
			/* A known option here is a long one given "=value". */
			if (optopt == 'H' || optopt == 'q' || optopt == 'h' ||
			    optopt == 'c' ||
			    optopt == OPT_JSON)
				usage_error("option '%s' does not take an argument; drop the '=...' part",
					    argv[optind - 1]);
			if (optopt)
				usage_error("unknown option '-%c'; run 'mmwork --help' for the list of options",
					    optopt);
			usage_error("unknown option '%s'; run 'mmwork --help' for the list of options",
				    argv[optind - 1]);
		}
	}

	if (optind >= argc)
		usage_error("missing operation; give one of fork, munmap, mprotect, mremap, madvise, clearrefs, fault, cow, filefault, all");
	if (optind + 1 < argc)
		usage_error("unexpected argument '%s'; give exactly one operation",
			    argv[optind + 1]);
	opname = argv[optind];
	for (i = 0; i < ARRAY_SIZE(op_names); i++) {
		if (!strcmp(opname, op_names[i])) {
			o->op = i;
			return;
		}
	}
	usage_error("unknown operation '%s'; use one of fork, munmap, mprotect, mremap, madvise, clearrefs, fault, cow, filefault, all",
		    opname);
}

int main(int argc, char **argv)
{
	struct opts o;
	int op;

	parse_args(argc, argv, &o);

	if (!o.quiet && !o.json && print_header(&o))
		return 1;

	if (o.op != OP_ALL)
		return run_op(&o, o.op) ? 1 : 0;

	for (op = OP_FORK; op < OP_ALL; op++)
		if (run_op(&o, op))
			return 1;
	return 0;
}
