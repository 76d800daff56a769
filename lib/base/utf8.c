/* SPDX-License-Identifier: Apache-2.0 */
#include "utf8.h"

#include <string.h>

/* Decodes one code point; returns its length, or 0 when malformed. */
static size_t decode_one(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c;
	size_t n, i;

	if (len == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t utf8_check(const uint8_t *s, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		uint32_t cp;
		size_t n = decode_one(s + pos, len - pos, &cp);

		if (!n)
			return pos;
		pos += n;
	}
	return len;
}

int utf8_valid(const uint8_t *s, size_t len)
{
	return utf8_check(s, len) == len;
}

static int put_utf8(struct buf *out, uint32_t c)
{
	uint8_t b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = (uint8_t)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (uint8_t)(0xC0 | (c >> 6));
		b[1] = (uint8_t)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (uint8_t)(0xE0 | (c >> 12));
		b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | (c >> 18));
		b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (uint8_t)(0x80 | (c & 0x3F));
		n = 4;
	}
	return buf_append(out, b, n);
}

static uint32_t unit(const uint8_t *p, size_t width, int be)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < width; i++)
		v |= (uint32_t)p[be ? width - 1 - i : i] << (8 * i);
	return v;
}

int utf8_from_text(const uint8_t *in, size_t len, struct buf *out, size_t *bad_pos)
{
	size_t width = 0, pos;
	int be = 0;

	*bad_pos = 0;
	/* UTF-32 LE must be tested before UTF-16 LE: its BOM starts the same way */
	if (len >= 4 && memcmp(in, "\xff\xfe\x00\x00", 4) == 0)
		width = 4;
	else if (len >= 4 && memcmp(in, "\x00\x00\xfe\xff", 4) == 0)
		width = 4, be = 1;
	else if (len >= 2 && memcmp(in, "\xff\xfe", 2) == 0)
		width = 2;
	else if (len >= 2 && memcmp(in, "\xfe\xff", 2) == 0)
		width = 2, be = 1;
	else if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0)
		return buf_append(out, in + 3, len - 3);
	else
		return buf_append(out, in, len);

	for (pos = width; pos < len;) {
		uint32_t c;

		if (len - pos < width) {
			*bad_pos = pos;
			return -1;
		}
		c = unit(in + pos, width, be);
		if (width == 2 && c >= 0xD800 && c <= 0xDBFF) {
			uint32_t lo;

			if (len - pos < 4) {
				*bad_pos = pos;
				return -1;
			}
			lo = unit(in + pos + 2, 2, be);
			if (lo < 0xDC00 || lo > 0xDFFF) {
				*bad_pos = pos;
				return -1;
			}
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			pos += 2;
		} else if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
			*bad_pos = pos;
			return -1;
		}
		pos += width;
		if (put_utf8(out, c) < 0)
			return -1;
	}
	return 0;
}

size_t utf8_line_break(const char *p, size_t left)
{
	const uint8_t *u = (const uint8_t *)p;

	if (!left)
		return 0;
	if (u[0] == '\r')
		return (left > 1 && u[1] == '\n') ? 2 : 1;
	if (u[0] == '\n' || u[0] == '\v' || u[0] == '\f' || (u[0] >= 0x1c && u[0] <= 0x1e))
		return 1;
	if (left >= 2 && u[0] == 0xC2 && u[1] == 0x85)
		return 2;
	if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
		return 3;
	return 0;
}

/* Length of the whitespace code point at @p (0 if it is not one), per str.isspace(). */
static size_t space_len(const uint8_t *p, size_t left)
{
	uint32_t cp;
	size_t n = decode_one(p, left, &cp);

	if (!n)
		return 0;
	if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x1f) || cp == 0x85 ||
	    cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
	    cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return n;
	return 0;
}

void utf8_strip(const char **s, size_t *len)
{
	const uint8_t *p = (const uint8_t *)*s;
	size_t n = *len, k;

	while (n && (k = space_len(p, n)) != 0) {
		p += k;
		n -= k;
	}
	/* from the end: step back over at most 3 continuation bytes to a lead byte */
	while (n) {
		size_t back = 1;

		while (back < n && back < 4 && (p[n - back] & 0xC0) == 0x80)
			back++;
		if (space_len(p + n - back, back) == back)
			n -= back;
		else
			break;
	}
	*s = (const char *)p;
	*len = n;
}
