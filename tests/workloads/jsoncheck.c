// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jsoncheck: strict check of newline-delimited JSON (RFC 8259) for the
 * guest tests, which have no Python, and their field extractor: every line
 * of FILE (or stdin) must be exactly one JSON object.
 *
 *   jsoncheck [-t TYPE] [FILE]
 *	Prints "jsoncheck: N documents" and exits 0, or names the first bad
 *	line and column and exits 1; 2 on bad usage. -t: at least one
 *	document's "type" is TYPE.
 *
 *   jsoncheck -g PATH [-w KEY=VALUE]... [-t TYPE] [FILE]
 *	Checks the same, then prints the value at PATH of every document
 *	(of type TYPE), one per line: strings without their quotes, anything
 *	else as its JSON text. PATH is keys joined by '.'; "KEY[]" steps
 *	into every element of an array ("transitions[].count"). -w keeps
 *	only the values whose object (the one holding PATH's last key) has
 *	KEY equal to VALUE (compared as printed). Exit 1 when the input is
 *	bad (the reason on stderr) or nothing matched.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../tools/utf8.h"

static const char *p, *start, *err;

static void ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
}

static int value(int depth);

static int string(void)
{
	if (*p != '"')
		return err = "expected a string", 0;
	for (p++; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return err = "unterminated string or raw control character", 0;
		if ((unsigned char)*p >= 0x80) {
			size_t n = utf8_seq_len((const unsigned char *)p);

			if (!n)
				return err = "a string byte that is not UTF-8", 0;
			p += n - 1;
			continue;
		}
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return err = "bad \\u escape", 0;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return err = "bad escape", 0;
			}
		}
	}
	p++;
	return 1;
}

static int number(void)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (isdigit((unsigned char)*p))
			p++;
	else
		return err = "bad number", 0;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return err = "bad fraction", 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return err = "bad exponent", 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p > s;
}

static int members(int depth, char close, int keyed)
{
	p++;
	ws();
	if (*p == close) {
		p++;
		return 1;
	}
	for (;;) {
		ws();
		if (keyed) {
			if (!string())
				return 0;
			ws();
			if (*p++ != ':')
				return err = "expected ':'", 0;
		}
		if (!value(depth + 1))
			return 0;
		ws();
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == close) {
			p++;
			return 1;
		}
		return err = keyed ? "expected ',' or '}'" : "expected ',' or ']'", 0;
	}
}

static int value(int depth)
{
	if (depth > 64)
		return err = "nested too deep", 0;
	ws();
	switch (*p) {
	case '{': return members(depth, '}', 1);
	case '[': return members(depth, ']', 0);
	case '"': return string();
	case 't': if (!strncmp(p, "true", 4)) { p += 4; return 1; } break;
	case 'f': if (!strncmp(p, "false", 5)) { p += 5; return 1; } break;
	case 'n': if (!strncmp(p, "null", 4)) { p += 4; return 1; } break;
	default: return number();
	}
	return err = "unexpected token", 0;
}

/* ---- the extractor, over text value() has already checked ---- */

/* the end of the value at V */
static const char *skip(const char *v)
{
	p = v;
	value(0);
	return p;
}

/* the value of KEY (LEN bytes) in the object at O, or NULL */
static const char *member(const char *o, const char *key, size_t len)
{
	const char *k;
	size_t klen;

	if (*o != '{')
		return NULL;
	for (p = o + 1;;) {
		ws();
		if (*p != '"')
			return NULL;
		k = p + 1;
		string();
		klen = p - k - 1;
		ws();
		p++;			/* ':' */
		ws();
		if (klen == len && !memcmp(k, key, len))
			return p;
		p = skip(p);
		ws();
		if (*p++ != ',')
			return NULL;
	}
}

/* V as printed: a string's bytes without its quotes, else its text */
static int same(const char *v, const char *want)
{
	const char *e = skip(v);
	size_t len = strlen(want);

	if (*v == '"')
		v++, e--;
	return (size_t)(e - v) == len && !memcmp(v, want, len);
}

static void show(const char *v)
{
	const char *e = skip(v);

	if (*v == '"')
		v++, e--;
	printf("%.*s\n", (int)(e - v), v);
}

static const char *wheres[16];
static int nr_wheres;

static bool kept(const char *obj)
{
	for (int i = 0; i < nr_wheres; i++) {
		const char *eq = strchr(wheres[i], '=');
		const char *v = member(obj, wheres[i], eq - wheres[i]);

		if (!v || !same(v, eq + 1))
			return false;
	}
	return true;
}

/* print PATH's values under the object at OBJ; how many */
static long get(const char *obj, const char *path)
{
	size_t len = strcspn(path, ".[");
	const char *v = member(obj, path, len);
	const char *rest = path + len;
	long n = 0;

	if (!v)
		return 0;
	if (!strncmp(rest, "[]", 2)) {
		if (*v != '[')
			return 0;
		rest += 2;
		for (p = v + 1;;) {
			const char *el, *e;

			ws();
			if (*p == ']')
				break;
			el = p;
			e = skip(el);
			if (*rest == '.')
				n += get(el, rest + 1);
			else if (!*rest && kept(obj))
				show(el), n++;
			p = e;
			ws();
			if (*p++ != ',')
				break;
		}
		return n;
	}
	if (*rest == '.')
		return get(v, rest + 1);
	if (*rest || !kept(obj))
		return 0;
	show(v);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: jsoncheck [-g PATH [-w KEY=VALUE]...] [-t TYPE] [FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *type = NULL, *path = NULL, *field = NULL;
	char *line = NULL;
	size_t cap = 0;
	long n = 0, typed = 0, lineno = 0, found = 0;
	FILE *f = stdin;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			type = argv[++i];
		else if (!strcmp(argv[i], "-g") && i + 1 < argc && !field)
			field = argv[++i];
		else if (!strcmp(argv[i], "-w") && i + 1 < argc && nr_wheres < 16 &&
			 strchr(argv[i + 1], '=') > argv[i + 1])
			wheres[nr_wheres++] = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return usage();
		else if (path)
			return usage();
		else
			path = argv[i];
	}
	if ((nr_wheres && !field) || (field && !*field))
		return usage();
	if (path && !(f = fopen(path, "r")))
		return perror(path), 2;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		start = p = line;
		err = NULL;
		ws();
		if (*p != '{')
			err = "a document must be an object";
		else if (value(0)) {
			ws();
			if (*p)
				err = "text after the document";
		} else if (!err) {
			err = "bad value";
		}
		if (err) {
			fprintf(field ? stderr : stdout,
				"jsoncheck: line %ld, column %ld: %s: %.60s\n", lineno,
				(long)(p - start) + 1, err, line);
			return 1;
		}
		n++;
		const char *doc = start + strspn(start, " \t");
		const char *t = type ? member(doc, "type", 4) : NULL;

		if (type && !(t && same(t, type)))
			continue;
		typed++;
		if (field)
			found += get(doc, field);
	}
	if (field) {
		if (!found)
			fprintf(stderr, "jsoncheck: no %s in %ld documents%s%s\n", field,
				n, type ? " of type " : "", type ? type : "");
		return found ? 0 : 1;
	}
	if (type && !typed) {
		printf("jsoncheck: %ld documents, none of type %s\n", n, type);
		return 1;
	}
	printf("jsoncheck: %ld documents%s%s\n", n, type ? ", type " : "", type ? type : "");
	return n ? 0 : 1;
}
