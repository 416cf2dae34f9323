// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "maps.h"

static size_t sort_key_size;

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sort_key_size);
}

int snapshot_read(int fd, size_t key_size, size_t value_size,
		  struct snapshot *s)
{
	size_t cap = 64, n = 0, entry = key_size + value_size;
	char *buf = malloc(cap * entry);
	char *cur = calloc(1, key_size), *next = calloc(1, key_size);
	void *prev = NULL;
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!buf || !cur || !next) {
		err = -ENOMEM;
		goto out;
	}
	/* key|value records; an entry deleted meanwhile is skipped */
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (n == cap) {
			char *p = realloc(buf, cap * 2 * entry);

			if (!p) {
				err = -ENOMEM;
				goto out;
			}
			buf = p;
			cap *= 2;
		}
		memcpy(buf + n * entry, next, key_size);
		if (bpf_map_lookup_elem(fd, next, buf + n * entry + key_size) == 0)
			n++;
		memcpy(cur, next, key_size);
		prev = cur;
	}
	if (n) {
		/* the key leads each record: sorting records sorts keys */
		sort_key_size = key_size;
		qsort(buf, n, entry, cmp_key);
		s->keys = malloc(n * key_size);
		s->values = malloc(n * value_size);
		if (!s->keys || !s->values) {
			snapshot_free(s);
			err = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			memcpy(s->keys + i * key_size, buf + i * entry, key_size);
			memcpy(s->values + i * value_size, buf + i * entry + key_size,
			       value_size);
		}
	}
	s->n = n;
	s->key_size = key_size;
	s->value_size = value_size;
out:
	free(buf);
	free(cur);
	free(next);
	return err;
}

const void *snapshot_find(const struct snapshot *s, const void *key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(SNAP_KEY(s, mid), key, s->key_size);

		if (!c)
			return SNAP_VAL(s, mid);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void snapshot_free(struct snapshot *s)
{
	free(s->keys);
	free(s->values);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a over the name and the id */
static size_t row_hash(const char *name, int64_t id)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	for (int i = 0; i < 8; i++)
		h = (h ^ (uint8_t)((uint64_t)id >> (8 * i))) * 0x100000001b3ULL;
	return (size_t)h;
}

/* The slot of NAME/ID: the one holding it, or the empty one it would take. */
static size_t *row_slot(const struct rows *rs, const char *name, int64_t id)
{
	size_t mask = rs->nslots - 1, i = row_hash(name, id) & mask;

	for (;; i = (i + 1) & mask) {
		size_t k = rs->slot[i];

		if (!k || (rs->r[k - 1].id == id && !strcmp(rs->r[k - 1].name, name)))
			return &rs->slot[i];
	}
}

/* An index with room for N rows: 0 or -ENOMEM. */
static int rows_index(struct rows *rs, size_t n)
{
	size_t nslots = 64;

	while (nslots < 2 * n)
		nslots *= 2;
	free(rs->slot);
	rs->slot = calloc(nslots, sizeof(*rs->slot));
	if (!rs->slot) {
		rs->nslots = 0;
		return -ENOMEM;
	}
	rs->nslots = nslots;
	for (size_t i = 0; i < rs->n; i++)
		*row_slot(rs, rs->r[i].name, rs->r[i].id) = i + 1;
	return 0;
}

struct row *rows_get(struct rows *rs, const char *name, int64_t id)
{
	size_t *slot;

	if (rs->nslots < 2 * (rs->n + 1) && rows_index(rs, 2 * (rs->n + 1)))
		return NULL;
	slot = row_slot(rs, name, id);
	if (*slot)
		return &rs->r[*slot - 1];
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct row *p = realloc(rs->r, cap * sizeof(*p));

		if (!p)
			return NULL;
		rs->r = p;
		rs->cap = cap;
	}
	memset(&rs->r[rs->n], 0, sizeof(rs->r[0]));
	rs->r[rs->n].name = strdup(name);
	if (!rs->r[rs->n].name)
		return NULL;
	rs->r[rs->n].id = id;
	*slot = ++rs->n;
	return &rs->r[rs->n - 1];
}

static int sort_col;

static int cmp_rows_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->v[sort_col] != y->v[sort_col])
		return x->v[sort_col] > y->v[sort_col] ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_rows_name(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

void rows_sort(struct rows *rs, int col, int by_name)
{
	sort_col = col;
	if (!rs->n)
		return;
	qsort(rs->r, rs->n, sizeof(rs->r[0]),
	      by_name ? cmp_rows_name : cmp_rows_count);
	/* the rows moved: the next rows_get() indexes them again */
	free(rs->slot);
	rs->slot = NULL;
	rs->nslots = 0;
}

void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].name);
	free(rs->r);
	free(rs->slot);
	memset(rs, 0, sizeof(*rs));
}

int percpu_snap_init(struct percpu_snap *s, size_t keys, size_t ncpu,
		     size_t value_size)
{
	s->keys = keys;
	s->ncpu = ncpu;
	s->value_size = value_size;
	s->prev = calloc(keys * ncpu, value_size);
	s->cur = calloc(keys * ncpu, value_size);
	if (!s->prev || !s->cur) {
		percpu_snap_free(s);
		return -ENOMEM;
	}
	return 0;
}

int percpu_snap_read(struct percpu_snap *s, int fd)
{
	for (__u32 k = 0; k < s->keys; k++)
		if (bpf_map_lookup_elem(fd, &k, s->cur + k * s->ncpu * s->value_size))
			return -errno;
	return 0;
}

void percpu_snap_next(struct percpu_snap *s)
{
	memcpy(s->prev, s->cur, s->keys * s->ncpu * s->value_size);
}

void percpu_snap_free(struct percpu_snap *s)
{
	free(s->prev);
	free(s->cur);
	s->prev = s->cur = NULL;
}
