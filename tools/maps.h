/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Reading the tools' maps: snapshots of hash maps (sorted by key, for
 * differences between two reports) and rows of a report table.
 */
#ifndef KPKEYS_MAPS_H
#define KPKEYS_MAPS_H

#include <stddef.h>
#include <stdint.h>

struct snapshot {
	size_t n, key_size, value_size;
	char *keys;
	char *values;
};

/* Every entry of hash map FD, sorted by key bytes. 0 or -errno. */
int snapshot_read(int fd, size_t key_size, size_t value_size,
		  struct snapshot *s);
const void *snapshot_find(const struct snapshot *s, const void *key);
void snapshot_free(struct snapshot *s);
/*
 * Per-CPU array maps, read whole at each report: KEYS keys, each with one
 * VALUE_SIZE value per CPU, laid out [key][cpu]. The previous read is kept
 * for the difference between two reports (the maps are never cleared).
 */
struct percpu_snap {
	size_t keys, ncpu, value_size;
	char *prev, *cur;
};

/* Zeroed prev and cur (the maps start zeroed): 0 or -ENOMEM. */
int percpu_snap_init(struct percpu_snap *s, size_t keys, size_t ncpu,
		     size_t value_size);
/* Every key of per-CPU array FD into cur: 0 or -errno. */
int percpu_snap_read(struct percpu_snap *s, int fd);
/* This report's values are the next one's base. */
void percpu_snap_next(struct percpu_snap *s);
void percpu_snap_free(struct percpu_snap *s);
#define PSNAP_CUR(s, key, cpu) \
	((const void *)((s)->cur + ((key) * (s)->ncpu + (cpu)) * (s)->value_size))
#define PSNAP_PREV(s, key, cpu) \
	((const void *)((s)->prev + ((key) * (s)->ncpu + (cpu)) * (s)->value_size))

#define SNAP_KEY(s, i) ((const void *)((s)->keys + (i) * (s)->key_size))
#define SNAP_VAL(s, i) ((const void *)((s)->values + (i) * (s)->value_size))

#define ROW_VALS 8
struct row {
	char *name;		/* owned by the rows */
	int64_t id;		/* CPU, PID, stack id... */
	uint64_t v[ROW_VALS];
	void *data;		/* owned by the caller */
};

struct rows {
	struct row *r;
	size_t n, cap;
	/* open addressing over r: index + 1, 0 empty; rebuilt after a sort */
	size_t *slot;
	size_t nslots;		/* a power of two, at least twice n */
};

/*
 * The row named NAME with ID (created zeroed if missing), found by hash;
 * NULL if out of memory. A pointer to a row lasts until the next
 * rows_get() or rows_sort().
 */
struct row *rows_get(struct rows *rs, const char *name, int64_t id);
/* Descending by v[COL] (ties by id, then name), or ascending by name. */
void rows_sort(struct rows *rs, int col, int by_name);
void rows_free(struct rows *rs);

#endif
