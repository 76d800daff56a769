/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Values as the NVS partition generator holds them (spec/nvs.md §6): None, a str
 * or bytes, with Python's len(), strip(), int() and binascii.a2b_base64() rules, and
 * the integer encodings with their ranges.
 */
#include "nvs_int.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

void nvs_val_free(struct nvs_val *v)
{
	free(v->p);
	v->p = NULL;
	v->len = 0;
	v->kind = V_NONE;
}

int nvs_val_set(struct nvs_val *v, enum nvs_vkind kind, const void *p, size_t len)
{
	uint8_t *n = malloc(len + 1);

	if (!n)
		return diag_error("out of memory");
	if (len)
		memcpy(n, p, len);
	n[len] = 0;
	nvs_val_free(v);
	v->kind = kind;
	v->p = n;
	v->len = len;
	return 0;
}

int nvs_val_from_field(struct nvs_val *v, const struct nvs_field *f)
{
	if (!f->s) {
		nvs_val_free(v);
		return 0;
	}
	return nvs_val_set(v, V_STR, f->s, f->len);
}

int nvs_val_true(const struct nvs_val *v)
{
	return v->kind != V_NONE && v->len > 0;
}

size_t nvs_val_utf8_chars(const uint8_t *p, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

size_t nvs_val_units(const struct nvs_val *v)
{
	return v->kind == V_STR ? nvs_val_utf8_chars(v->p, v->len) : v->len;
}

/* Byte offset of character @unit of a str (bytes: the same number). */
size_t nvs_val_byte_off(const struct nvs_val *v, size_t unit)
{
	size_t i = 0;

	if (v->kind != V_STR)
		return unit;
	while (i < v->len && unit) {
		i++;
		while (i < v->len && (v->p[i] & 0xC0) == 0x80)
			i++;
		unit--;
	}
	return i;
}

int nvs_val_is_ascii(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] & 0x80)
			return 0;
	return 1;
}

static int ascii_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void nvs_val_strip(const struct nvs_val *v, const uint8_t **p, size_t *len)
{
	if (v->kind == V_STR) {
		const char *s = (const char *)v->p;

		*len = v->len;
		utf8_strip(&s, len);
		*p = (const uint8_t *)s;
		return;
	}
	*p = v->p;
	*len = v->len;
	while (*len && ascii_space(**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len && ascii_space((*p)[*len - 1]))
		(*len)--;
}

static int b64val(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * binascii.a2b_base64() in its default, non-strict mode: characters outside the
 * alphabet are skipped, '=' ends the data once a quad has at least two characters
 * and enough padding. Returns 0, or -1 with @err set.
 */
int nvs_val_base64(const uint8_t *in, size_t len, struct buf *out, const char **err, size_t *nchars)
{
	unsigned quad = 0, pads = 0, left = 0;
	size_t i;
	uint8_t b;

	for (i = 0; i < len; i++) {
		int v;

		if (in[i] == '=') {
			if (quad >= 2 && quad + ++pads >= 4)
				return 0;
			continue;
		}
		v = b64val(in[i]);
		if (v < 0)
			continue;
		pads = 0;
		switch (quad) {
		case 0:
			quad = 1;
			left = (unsigned)v;
			break;
		case 1:
			quad = 2;
			b = (uint8_t)(left << 2 | (unsigned)v >> 4);
			left = (unsigned)v & 0x0F;
			if (buf_append(out, &b, 1) < 0)
				return -1;
			break;
		case 2:
			quad = 3;
			b = (uint8_t)(left << 4 | (unsigned)v >> 2);
			left = (unsigned)v & 0x03;
			if (buf_append(out, &b, 1) < 0)
				return -1;
			break;
		default:
			quad = 0;
			b = (uint8_t)(left << 6 | (unsigned)v);
			left = 0;
			if (buf_append(out, &b, 1) < 0)
				return -1;
			break;
		}
	}
	*nchars = 0;
	if (quad == 1) {
		*err = "invalid length";
		*nchars = out->len / 3 * 4 + 1;
		return -1;
	}
	if (quad) {
		*err = "incorrect padding";
		return -1;
	}
	return 0;
}

/* First code point of well-formed UTF-8 at @p (@n > 0 bytes); *len gets its length. */
static uint32_t utf8_decode1(const uint8_t *p, size_t n, size_t *len)
{
	uint32_t c = p[0];
	size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4, i;

	if (k > n)
		k = n;
	if (k > 1)
		c &= 0xFFu >> (k + 1);
	for (i = 1; i < k; i++)
		c = c << 6 | (p[i] & 0x3Fu);
	*len = k;
	return c;
}

/* Zero digits of Unicode's decimal digit ranges (category Nd, Unicode 14 as in
 * Python 3.11): Python's int() accepts every one of them in a str. */
static const uint32_t nd_zeros[] = {
    0x660,   0x6F0,   0x7C0,   0x966,	0x9E6,	 0xA66,	  0xAE6,   0xB66,   0xBE6,   0xC66,
    0xCE6,   0xD66,   0xDE6,   0xE50,	0xED0,	 0xF20,	  0x1040,  0x1090,  0x17E0,  0x1810,
    0x1946,  0x19D0,  0x1A80,  0x1A90,	0x1B50,	 0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,
    0xA900,  0xA9D0,  0xA9F0,  0xAA50,	0xABF0,	 0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
};

static int decimal_value(uint32_t c)
{
	size_t i;

	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	for (i = 0; i < sizeof(nd_zeros) / sizeof(nd_zeros[0]); i++)
		if (c >= nd_zeros[i] && c < nd_zeros[i] + 10)
			return (int)(c - nd_zeros[i]);
	return -1;
}

/*
 * Python int(x) in base 10 for a str (Unicode whitespace around, Unicode decimal
 * digits) or bytes (ASCII only): sign, digits, single '_' between digits, leading
 * zeros allowed. Returns 0, -1 when it is not such a literal, -2 when the
 * magnitude exceeds 2^64-1.
 */
int nvs_val_int10(const struct nvs_val *v, int *neg, uint64_t *mag)
{
	const uint8_t *p;
	size_t n, i = 0, k;
	int digit_before = 0, overflow = 0, d;
	uint32_t c;

	nvs_val_strip(v, &p, &n);
	*neg = 0;
	*mag = 0;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		*neg = p[i++] == '-';
	if (i >= n)
		return -1;
	for (; i < n; i += k) {
		if (p[i] == '_') {
			k = 1;
			if (!digit_before || i + 1 >= n)
				return -1;
			digit_before = 0;
			continue;
		}
		if (v->kind == V_STR) {
			c = utf8_decode1(p + i, n - i, &k);
		} else {
			c = p[i];
			k = 1;
			if (c >= 0x80)
				return -1;
		}
		d = decimal_value(c);
		if (d < 0)
			return -1;
		if (*mag > (UINT64_MAX - (uint64_t)d) / 10)
			overflow = 1;
		else
			*mag = *mag * 10 + (uint64_t)d;
		digit_before = 1;
	}
	return digit_before ? (overflow ? -2 : 0) : -1;
}

static const struct nvs_int_type int_types[] = {
    {"u8", NVS_TYPE_U8, 0, 0xFF},	  {"i8", NVS_TYPE_I8, 1, 0x7F},
    {"u16", NVS_TYPE_U16, 0, 0xFFFF},	  {"i16", NVS_TYPE_I16, 1, 0x7FFF},
    {"u32", NVS_TYPE_U32, 0, 0xFFFFFFFF}, {"i32", NVS_TYPE_I32, 1, 0x7FFFFFFF},
    {"u64", NVS_TYPE_U64, 0, UINT64_MAX}, {"i64", NVS_TYPE_I64, 1, INT64_MAX},
};

const struct nvs_int_type *nvs_val_int_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(int_types) / sizeof(int_types[0]); i++)
		if (strcmp(int_types[i].name, name) == 0)
			return &int_types[i];
	return NULL;
}

const struct nvs_int_type *nvs_val_int_of_type(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(int_types) / sizeof(int_types[0]); i++)
		if (int_types[i].type == type)
			return &int_types[i];
	return NULL;
}
