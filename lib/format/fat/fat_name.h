/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FAT names as fatfsgen.py makes them (spec/filesystems.md §3.6, §3.7): Python strings
 * are code points, so names are handled as arrays of them here.
 */
#ifndef ESPGEN_FAT_NAME_H
#define ESPGEN_FAT_NAME_H

#include <stddef.h>
#include <stdint.h>

/* Short-name field widths (§3.5). */
#define FAT_NAME_BASE 8
#define FAT_NAME_EXT 3

/*
 * The upper case of @c as Python's str.upper() gives it, into @out: 1 code point, or 2 or
 * 3 for the letters that expand ('ß' -> "SS"). Returns the count (fat_upper.c).
 */
size_t fat_upper(uint32_t c, uint32_t out[3]);

/*
 * Decodes the UTF-8 text @s (@len bytes) into code points at @out, upper-cased by
 * fat_upper() (@out needs room for 2 * @len: a 2-byte letter may become three). Returns
 * the count, or (size_t)-1 when @s is not UTF-8.
 */
size_t fat_name_upper(const char *s, size_t len, uint32_t *out);

/*
 * Where os.path.splitext() splits @n code points: returns the length of the name part;
 * the extension (without its dot) starts one after it when shorter than @n. Leading dots
 * never start an extension (".hidden" has none).
 */
size_t fat_name_split(const uint32_t *cp, size_t n);

/*
 * Fills the @width-byte short-name field @out with @n code points, cut to @width and
 * padded with spaces (§3.7). Returns 0, or -1 when a character is not ASCII (its UTF-8
 * would overflow the field, as in fatfsgen).
 */
int fat_name_field(const uint32_t *cp, size_t n, size_t width, uint8_t *out);

/* True when a name part and extension need long-name entries (§3.7, with --long-names). */
int fat_name_needs_lfn(const uint32_t *name, size_t name_len, size_t ext_len);

/* The "~K" tail of the K-th alias of the long name @lfn (@n code units, with its
 * terminating U+0000 when it has one), NUL-terminated into @out (room for 8). */
size_t fat_name_tail(unsigned k, const uint32_t *lfn, size_t n, char *out);

/* The checksum of an 11-byte short name that long-name entries carry (§3.7). */
uint8_t fat_name_checksum(const uint8_t alias[11]);

#endif
