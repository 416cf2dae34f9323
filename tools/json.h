/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Newline-delimited JSON: each document is built in memory and written
 * with one write when it is complete, so an error or a signal never
 * leaves a partial document on stdout.
 */
#ifndef KPKEYS_JSON_H
#define KPKEYS_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	char *buf;
	size_t len, cap;
	int depth;
	bool first[JSON_MAX_DEPTH];	/* nothing written yet at this depth */
	char close[JSON_MAX_DEPTH];	/* the bracket that closes this depth */
	bool oom;
};

void json_init(struct json *j);
void json_free(struct json *j);
void json_reset(struct json *j);

void json_obj_begin(struct json *j, const char *key);	/* key NULL in arrays/top */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *s);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_hex(struct json *j, const char *key, uint64_t v);	/* "0x..." string */
void json_double(struct json *j, const char *key, double v);	/* null if not finite */
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/*
 * Write the finished document and a newline to OUT, then reset. -1 (and
 * nothing written) if it is not balanced or memory ran out.
 */
int json_emit(struct json *j, FILE *out);

/* Escape S into a quoted JSON string (exposed for the unit tests). */
void json_put_string(struct json *j, const char *s);

#endif
