/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 helpers for text inputs: validation, BOM decoding, Python-compatible
 * line splitting and whitespace stripping. */
#ifndef ESPGEN_UTF8_H
#define ESPGEN_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* True when @len bytes are well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int utf8_valid(const uint8_t *s, size_t len);
/* Offset of the first malformed sequence, or @len when all is well-formed. */
size_t utf8_check(const uint8_t *s, size_t len);

/*
 * Turns a text file into UTF-8 the way Python decodes by BOM: a UTF-8 BOM is
 * dropped, UTF-16/UTF-32 (LE or BE, by BOM) are converted; otherwise the bytes are
 * copied. Returns 0, or -1 with *bad_pos set to the byte offset of the first
 * undecodable unit (no message printed).
 */
int utf8_from_text(const uint8_t *in, size_t len, struct buf *out, size_t *bad_pos);

/*
 * Length of the line break at @p (0 if none): \n, \r\n, \r, \v, \f, \x1c-\x1e,
 * U+0085, U+2028, U+2029 — the breaks of Python's str.splitlines().
 */
size_t utf8_line_break(const char *p, size_t left);

/* Strips Python's str.strip() whitespace (ASCII and Unicode) from both ends. */
void utf8_strip(const char **s, size_t *len);

#endif
