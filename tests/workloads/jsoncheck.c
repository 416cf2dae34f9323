// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * jsoncheck: strict check of newline-delimited JSON (RFC 8259) for the
 * guest tests, which have no Python: every line of FILE (or stdin) must be
 * exactly one JSON object. Prints "jsoncheck: N documents" and exits 0, or
 * names the first bad line and column and exits 1; 2 on bad usage.
 *
 *   jsoncheck [-t TYPE] [FILE]   (-t: every document has "type":"TYPE"...
 *                                 at least one does)
 */
#include <ctype.h>
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

int main(int argc, char **argv)
{
	const char *type = NULL, *path = NULL;
	char *line = NULL, want[128];
	size_t cap = 0;
	long n = 0, typed = 0, lineno = 0;
	FILE *f = stdin;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			type = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1])
			return fprintf(stderr, "usage: jsoncheck [-t TYPE] [FILE]\n"), 2;
		else
			path = argv[i];
	}
	if (path && !(f = fopen(path, "r")))
		return perror(path), 2;
	snprintf(want, sizeof(want), "\"type\":\"%s\"", type ? type : "");
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
			printf("jsoncheck: line %ld, column %ld: %s: %.60s\n", lineno,
			       (long)(p - start) + 1, err, line);
			return 1;
		}
		n++;
		if (type && strstr(line, want))
			typed++;
	}
	if (type && !typed) {
		printf("jsoncheck: %ld documents, none of type %s\n", n, type);
		return 1;
	}
	printf("jsoncheck: %ld documents%s%s\n", n, type ? ", type " : "", type ? type : "");
	return n ? 0 : 1;
}
