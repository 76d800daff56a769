/* SPDX-License-Identifier: Apache-2.0 */
#include "ascii.h"

int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = ascii_tolower(*a), y = ascii_tolower(*b);

		if (x != y)
			return (unsigned char)x - (unsigned char)y;
		if (!x)
			return 0;
	}
}

int ascii_ncasecmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		char x = ascii_tolower(*a), y = ascii_tolower(*b);

		if (x != y)
			return (unsigned char)x - (unsigned char)y;
		if (!x)
			return 0;
	}
	return 0;
}

int ascii_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void ascii_hex_encode(const uint8_t *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}
