/* SPDX-License-Identifier: Apache-2.0 */
#include "num.h"

#include <string.h>

#include "ascii.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_tolower(c);
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	return 99;
}

int num_size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	unsigned base = 10;
	const char *p = s, *digits;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	digits = p;
	for (; digit_value(*p) < (int)base; p++) {
		unsigned d = (unsigned)digit_value(*p);

		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == digits)
		return -1;
	if (ascii_casecmp(p, "k") == 0 || ascii_casecmp(p, "kb") == 0)
		mult = 1024;
	else if (ascii_casecmp(p, "m") == 0 || ascii_casecmp(p, "mb") == 0)
		mult = 1024 * 1024;
	else if (*p)
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

static int is_py_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

int num_pyint_parse(const char *s, size_t len, int64_t *out)
{
	size_t i = 0, end = len, first;
	unsigned base = 10;
	uint64_t v = 0;
	int neg = 0, ndigits = 0, prev_us = 0, all_zero = 1;

	while (i < end && is_py_space(s[i]))
		i++;
	while (end > i && is_py_space(s[end - 1]))
		end--;
	if (i < end && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	first = i;
	if (end - i >= 2 && s[i] == '0') {
		char p = ascii_tolower(s[i + 1]);

		if (p == 'x' || p == 'o' || p == 'b') {
			base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
			i += 2;
			/* one underscore may follow the prefix directly ("0x_ff") */
			if (i < end && s[i] == '_')
				i++;
		}
	}
	for (; i < end; i++) {
		int d;

		if (s[i] == '_') {
			if (prev_us || ndigits == 0)
				return -1;
			prev_us = 1;
			continue;
		}
		d = digit_value(s[i]);
		if (d >= (int)base)
			return -1;
		prev_us = 0;
		ndigits++;
		if (d)
			all_zero = 0;
		if (v > ((uint64_t)INT64_MAX - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
	}
	if (ndigits == 0 || prev_us)
		return -1;
	/* Python rejects "010" but accepts "0", "00" and "0_0". */
	if (base == 10 && !all_zero && s[first] == '0')
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
