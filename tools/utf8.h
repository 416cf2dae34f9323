/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * UTF-8 validation (RFC 3629) for the JSON writer (json.c) and the strict
 * JSON checker the guest tests use (tests/workloads/jsoncheck.c).
 */
#ifndef KPKEYS_TOOL_UTF8_H
#define KPKEYS_TOOL_UTF8_H

#include <stddef.h>

/*
 * The length (2 to 4) of the well-formed multi-byte UTF-8 sequence at S,
 * or 0: an ASCII byte, a stray continuation byte, a truncated sequence (a
 * NUL ends the string, so nothing past it is read), an overlong form, a
 * surrogate or a code point above U+10FFFF.
 */
static inline size_t utf8_seq_len(const unsigned char *s)
{
	unsigned int cp, min;
	size_t len;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

#endif
