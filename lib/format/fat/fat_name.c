/* SPDX-License-Identifier: Apache-2.0 */
/* FAT short names, aliases and their checksum (spec/filesystems.md §3.6, §3.7). */
#include "fat_name.h"

#include <stdio.h>

/*
 * Upper case of one code point as Python's str.upper() gives it, for the scripts a file
 * name is likely to use; @second receives a second letter for the few that expand.
 * Others stay as they are (names in other scripts are rare on a device).
 */
static uint32_t upper1(uint32_t c, uint32_t *second)
{
	*second = 0;
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if (c < 0x80)
		return c;
	if (c == 0xB5)
		return 0x39C;
	if (c == 0xDF) {
		*second = 'S';
		return 'S';
	}
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 32;
	if (c == 0xFF)
		return 0x178;
	if (c == 0x131)
		return 'I';
	if (c == 0x149) {
		*second = 'N';
		return 0x2BC;
	}
	if (c == 0x17F)
		return 'S';
	/* Latin Extended-A pairs: upper on the even code point, except two odd-based runs */
	if (((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) && (c & 1))
		return c - 1;
	if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && !(c & 1))
		return c - 1;
	/* Greek */
	if (c == 0x3AC)
		return 0x386;
	if (c >= 0x3AD && c <= 0x3AF)
		return c - 37;
	if (c == 0x3C2)
		return 0x3A3;
	if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB))
		return c - 32;
	if (c == 0x3CC)
		return 0x38C;
	if (c == 0x3CD || c == 0x3CE)
		return c - 63;
	/* Cyrillic */
	if (c >= 0x430 && c <= 0x44F)
		return c - 32;
	if (c >= 0x450 && c <= 0x45F)
		return c - 80;
	if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) && (c & 1))
		return c - 1;
	/* full-width Latin */
	if (c >= 0xFF41 && c <= 0xFF5A)
		return c - 32;
	return c;
}

size_t fat_name_upper(const char *s, size_t len, uint32_t *out)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	size_t n = 0;

	while (p < end) {
		uint32_t c, second;
		size_t k, i;

		if (p[0] < 0x80) {
			c = p[0];
			k = 1;
		} else if ((p[0] & 0xE0) == 0xC0) {
			c = p[0] & 0x1Fu;
			k = 2;
		} else if ((p[0] & 0xF0) == 0xE0) {
			c = p[0] & 0x0Fu;
			k = 3;
		} else if ((p[0] & 0xF8) == 0xF0) {
			c = p[0] & 0x07u;
			k = 4;
		} else {
			return (size_t)-1;
		}
		if ((size_t)(end - p) < k)
			return (size_t)-1;
		for (i = 1; i < k; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)-1;
			c = c << 6 | (p[i] & 0x3Fu);
		}
		if ((k == 2 && c < 0x80) || (k == 3 && c < 0x800) || (k == 4 && c < 0x10000) ||
		    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return (size_t)-1;
		p += k;
		out[n++] = upper1(c, &second);
		if (second)
			out[n++] = second;
	}
	return n;
}

size_t fat_name_split(const uint32_t *cp, size_t n)
{
	size_t lead = 0, i;

	while (lead < n && cp[lead] == '.')
		lead++;
	for (i = n; i > lead; i--)
		if (cp[i - 1] == '.')
			return i - 1;
	return n;
}

int fat_name_field(const uint32_t *cp, size_t n, size_t width, uint8_t *out)
{
	size_t i;

	for (i = 0; i < width; i++) {
		if (i >= n) {
			out[i] = ' ';
			continue;
		}
		if (cp[i] >= 0x80)
			return -1;
		out[i] = (uint8_t)cp[i];
	}
	return 0;
}

int fat_name_needs_lfn(const uint32_t *name, size_t name_len, size_t ext_len)
{
	size_t i;

	/* fatfsgen looks for these in the name part only, never in the extension */
	for (i = 0; i < name_len; i++) {
		switch (name[i]) {
		case '.':
		case '+':
		case ',':
		case ';':
		case '=':
		case '[':
		case ']':
			return 1;
		default:
			break;
		}
	}
	return name_len > FAT_NAME_BASE || ext_len > FAT_NAME_EXT;
}

size_t fat_name_tail(unsigned k, const uint32_t *lfn, size_t n, char *out)
{
	uint32_t h = k;
	size_t i;
	int bit;

	/* past 5 aliases FatFs (gen_numname) hashes the long name into the number, so the
	 * 16-bit CRC below keeps the tails of many similar names apart */
	if (k > 5) {
		for (i = 0; i < n; i++) {
			uint32_t c = lfn[i];

			for (bit = 0; bit < 16; bit++) {
				h = (h << 1) + (c & 1);
				c >>= 1;
				if (h & 0x10000)
					h ^= 0x11021;
			}
		}
		h &= 0xFFFF;
	}
	return (size_t)snprintf(out, 8, "~%X", (unsigned)h);
}

uint8_t fat_name_checksum(const uint8_t alias[11])
{
	unsigned sum = 0;
	int i;

	for (i = 0; i < 11; i++)
		sum = (((sum & 1) << 7) + (sum >> 1) + alias[i]) & 0xFF;
	return (uint8_t)sum;
}
