/* SPDX-License-Identifier: Apache-2.0 */
/* Number and size parsing, locale-independent (ASCII only). */
#ifndef ESPGEN_NUM_H
#define ESPGEN_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses a size or address as users write them on command lines and in INI files:
 * decimal ("4096"), hex ("0x1000"), optionally followed by K, KB, M or MB (any case,
 * 1024-based). Returns 0 and stores the value, or -1 (no message) when the text is
 * not such a number or the value does not fit in 64 bits.
 */
int num_size_parse(const char *s, uint64_t *out);

/*
 * Parses @len bytes as Python's int(s, 0) does for ASCII text: optional surrounding
 * whitespace and sign, 0x/0o/0b prefixes, '_' between digits, no leading zeros on
 * decimals other than zero itself. Returns 0, or -1 when it is not a valid literal
 * or its magnitude exceeds INT64_MAX.
 */
int num_pyint_parse(const char *s, size_t len, int64_t *out);

#endif
