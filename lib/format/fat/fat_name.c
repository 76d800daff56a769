/* SPDX-License-Identifier: Apache-2.0 */
/* FAT short names, aliases and their checksum (spec/filesystems.md §3.6, §3.7). */
#include "fat_name.h"

#include <stdio.h>

size_t fat_name_upper(const char *s, size_t len, uint32_t *out)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + len;
	size_t n = 0;

	while (p < end) {
		uint32_t c, up[3];
		size_t k, i, m;

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
		m = fat_upper(c, up);
		for (i = 0; i < m; i++)
			out[n++] = up[i];
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
