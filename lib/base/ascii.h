/* SPDX-License-Identifier: Apache-2.0 */
/* ASCII-only character helpers: never affected by the locale (STYLE.md 2.4). */
#ifndef ESPGEN_ASCII_H
#define ESPGEN_ASCII_H

#include <stddef.h>
#include <stdint.h>

/* @c in lowercase when it is an ASCII capital, else @c unchanged. */
static inline char ascii_tolower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}
/* strcmp() / strncmp() ignoring ASCII case. */
int ascii_casecmp(const char *a, const char *b);
int ascii_ncasecmp(const char *a, const char *b, size_t n);
/* The value of hex digit @c (0-9, a-f, A-F), or -1. */
int ascii_hex_digit(int c);
/* Lowercase hex of @len bytes into @out (2*len+1 bytes, NUL-terminated). */
void ascii_hex_encode(const uint8_t *data, size_t len, char *out);

#endif
