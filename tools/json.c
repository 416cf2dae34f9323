// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "utf8.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
	j->first[0] = true;
}

void json_free(struct json *j)
{
	free(j->buf);
	json_init(j);
}

void json_reset(struct json *j)
{
	j->len = 0;
	j->depth = 0;
	j->oom = false;
	j->first[0] = true;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->oom)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 4096;
		char *p;

		while (cap < j->len + n + 1)
			cap *= 2;
		p = realloc(j->buf, cap);
		if (!p) {
			j->oom = true;
			return;
		}
		j->buf = p;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = 0;
}

static void putf(struct json *j, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(j, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void json_put_string(struct json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n;

	put(j, "\"", 1);
	for (; *p; p++) {
		switch (*p) {
		case '"': put(j, "\\\"", 2); break;
		case '\\': put(j, "\\\\", 2); break;
		case '\n': put(j, "\\n", 2); break;
		case '\r': put(j, "\\r", 2); break;
		case '\t': put(j, "\\t", 2); break;
		case '\b': put(j, "\\b", 2); break;
		case '\f': put(j, "\\f", 2); break;
		default:
			if (*p >= 0x80 && (n = utf8_seq_len(p))) {
				/* valid UTF-8 (a process name, say) as it is */
				put(j, (const char *)p, n);
				p += n - 1;
			} else if (*p < 0x20 || *p >= 0x7f) {
				/*
				 * control bytes, and bytes that are not UTF-8:
				 * one \u00XX each, so the document stays valid
				 */
				putf(j, "\\u%04x", *p);
			} else {
				put(j, (const char *)p, 1);
			}
		}
	}
	put(j, "\"", 1);
}

/* comma and key before a value */
static void member(struct json *j, const char *key)
{
	/* one value at the top level */
	if (j->depth == 0 && !j->first[0])
		j->oom = true;
	if (!j->first[j->depth])
		put(j, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		json_put_string(j, key);
		put(j, ":", 1);
	}
}

static void open_(struct json *j, const char *key, const char *c)
{
	member(j, key);
	put(j, c, 1);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->oom = true;	/* too deep: refuse to emit */
		return;
	}
	j->first[++j->depth] = true;
	j->close[j->depth] = *c == '{' ? '}' : ']';
}

static void close_(struct json *j, const char *c)
{
	put(j, c, 1);
	if (j->depth > 0 && j->close[j->depth] == *c)
		j->depth--;
	else
		j->oom = true;	/* unbalanced: refuse to emit */
}

void json_obj_begin(struct json *j, const char *key) { open_(j, key, "{"); }
void json_obj_end(struct json *j) { close_(j, "}"); }
void json_arr_begin(struct json *j, const char *key) { open_(j, key, "["); }
void json_arr_end(struct json *j) { close_(j, "]"); }

void json_str(struct json *j, const char *key, const char *s)
{
	member(j, key);
	json_put_string(j, s);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	putf(j, "%" PRId64, v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	putf(j, "%" PRIu64, v);
}

void json_hex(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	putf(j, "\"0x%" PRIx64 "\"", v);
}

void json_double(struct json *j, const char *key, double v)
{
	member(j, key);
	if (!isfinite(v))
		put(j, "null", 4);
	else
		putf(j, "%.15g", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	put(j, "null", 4);
}

int json_emit(struct json *j, FILE *out)
{
	int ret = 0;

	if (j->oom || j->depth != 0 || !j->len) {
		ret = -1;
	} else {
		put(j, "\n", 1);
		if (j->oom || fwrite(j->buf, 1, j->len, out) != j->len ||
		    fflush(out))
			ret = -1;
	}
	json_reset(j);
	return ret;
}
