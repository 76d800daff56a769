#include "nvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "crc.h"
#include "diag.h"
#include "num.h"
#include "utf8.h"

/* ------------------------------------------------------------------------ */
/* SHA-1, HMAC-SHA1 and PBKDF2 (FIPS 180-4, RFC 2104, RFC 8018), for ap.pmk_info */

struct sha1 {
	uint32_t h[5];
	uint64_t total;
	uint8_t block[64];
	size_t n;
};

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_compress(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5A827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = b ^ c ^ d;
			k = 0xCA62C1D6;
		}
		t = rol32(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void sha1_init(struct sha1 *s)
{
	static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
				       0xC3D2E1F0};

	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->n = 0;
}

static void sha1_update(struct sha1 *s, const uint8_t *p, size_t len)
{
	s->total += len;
	while (len) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;

		memcpy(s->block + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			sha1_compress(s->h, s->block);
			s->n = 0;
		}
	}
}

static void sha1_final(struct sha1 *s, uint8_t out[20])
{
	uint64_t bits = s->total * 8;
	uint8_t pad = 0x80, zero = 0, len[8];
	unsigned i;

	sha1_update(s, &pad, 1);
	while (s->n != 56)
		sha1_update(s, &zero, 1);
	for (i = 0; i < 8; i++)
		len[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_update(s, len, 8);
	for (i = 0; i < 20; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

static void hmac_sha1(const uint8_t *key, size_t keylen, const uint8_t *msg, size_t len,
		      uint8_t out[20])
{
	uint8_t k[64] = {0}, pad[64], inner[20];
	struct sha1 s;
	unsigned i;

	if (keylen > 64) {
		sha1_init(&s);
		sha1_update(&s, key, keylen);
		sha1_final(&s, k);
	} else {
		memcpy(k, key, keylen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&s);
	sha1_update(&s, pad, 64);
	sha1_update(&s, msg, len);
	sha1_final(&s, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5C;
	sha1_init(&s);
	sha1_update(&s, pad, 64);
	sha1_update(&s, inner, 20);
	sha1_final(&s, out);
}

void nvs_pbkdf2_sha1(const uint8_t *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		     unsigned iterations, uint8_t *out, size_t outlen)
{
	uint32_t block = 1;
	uint8_t *msg = malloc(saltlen + 4);
	uint8_t u[20], t[20];
	size_t done = 0, take, i;
	unsigned it;

	if (!msg)
		return;
	if (saltlen)
		memcpy(msg, salt, saltlen);
	while (done < outlen) {
		msg[saltlen] = (uint8_t)(block >> 24);
		msg[saltlen + 1] = (uint8_t)(block >> 16);
		msg[saltlen + 2] = (uint8_t)(block >> 8);
		msg[saltlen + 3] = (uint8_t)block;
		hmac_sha1(pw, pwlen, msg, saltlen + 4, u);
		memcpy(t, u, 20);
		for (it = 1; it < iterations; it++) {
			hmac_sha1(pw, pwlen, u, 20, u);
			for (i = 0; i < 20; i++)
				t[i] ^= u[i];
		}
		take = outlen - done < 20 ? outlen - done : 20;
		memcpy(out + done, t, take);
		done += take;
		block++;
	}
	free(msg);
}

/* ------------------------------------------------------------------------ */
/* CSV: the generator's reading (§6) */

void nvs_csv_init(struct nvs_csv *csv, const char *file)
{
	memset(csv, 0, sizeof(*csv));
	csv->file = file;
}

static void field_free(struct nvs_field *f)
{
	free(f->s);
	f->s = NULL;
	f->len = 0;
}

void nvs_csv_free(struct nvs_csv *csv)
{
	size_t i;

	for (i = 0; i < csv->n; i++) {
		field_free(&csv->v[i].key);
		field_free(&csv->v[i].type);
		field_free(&csv->v[i].encoding);
		field_free(&csv->v[i].value);
	}
	free(csv->v);
	csv->v = NULL;
	csv->n = csv->cap = 0;
}

/* One record being read: its fields (each a buf) and where it started. */
struct csv_rec {
	struct buf *f;
	size_t n;
	size_t cap;
	unsigned line;
};

enum csv_state { CS_START_RECORD, CS_START_FIELD, CS_IN_FIELD, CS_IN_QUOTED, CS_QUOTE_IN_QUOTED,
		 CS_EAT_CRNL };

struct csv_reader {
	const char *file;
	enum csv_state state;
	struct buf field;
	size_t field_chars;
	struct csv_rec rec;
	unsigned line;
};

#define CSV_EOL (-1)

static void rec_clear(struct csv_rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		buf_free(&r->f[i]);
	r->n = 0;
}

static int save_field(struct csv_reader *rd)
{
	struct csv_rec *r = &rd->rec;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		struct buf *f = realloc(r->f, cap * sizeof(*f));

		if (!f)
			return diag_error("out of memory");
		r->f = f;
		r->cap = cap;
	}
	r->f[r->n++] = rd->field;
	rd->field = (struct buf)BUF_INIT;
	rd->field_chars = 0;
	return 0;
}

static int add_char(struct csv_reader *rd, int c)
{
	uint8_t b = (uint8_t)c;

	/* Python counts characters against the limit: skip UTF-8 continuation bytes */
	if ((b & 0xC0) != 0x80) {
		if (rd->field_chars >= NVS_CSV_FIELD_MAX)
			return diag_at(rd->file, rd->line, "field larger than field limit (%d)",
				       NVS_CSV_FIELD_MAX);
		rd->field_chars++;
	}
	return buf_append(&rd->field, &b, 1);
}

/* Python's _csv parse_process_char() for the excel dialect (no escapechar, not strict). */
static int csv_char(struct csv_reader *rd, int c)
{
	int nl = c == '\n' || c == '\r' || c == CSV_EOL;

	switch (rd->state) {
	case CS_START_RECORD:
		if (c == CSV_EOL)
			return 0;
		rd->rec.line = rd->line;
		if (c == '\n' || c == '\r') {
			rd->state = CS_EAT_CRNL;
			return 0;
		}
		rd->state = CS_START_FIELD;
		/* fall through */
	case CS_START_FIELD:
		if (nl) {
			if (save_field(rd) < 0)
				return -1;
			rd->state = c == CSV_EOL ? CS_START_RECORD : CS_EAT_CRNL;
		} else if (c == '"') {
			rd->state = CS_IN_QUOTED;
		} else if (c == ',') {
			return save_field(rd);
		} else {
			rd->state = CS_IN_FIELD;
			return add_char(rd, c);
		}
		return 0;
	case CS_IN_FIELD:
		if (nl) {
			if (save_field(rd) < 0)
				return -1;
			rd->state = c == CSV_EOL ? CS_START_RECORD : CS_EAT_CRNL;
		} else if (c == ',') {
			if (save_field(rd) < 0)
				return -1;
			rd->state = CS_START_FIELD;
		} else {
			return add_char(rd, c);
		}
		return 0;
	case CS_IN_QUOTED:
		if (c == CSV_EOL)
			return 0;
		if (c == '"') {
			rd->state = CS_QUOTE_IN_QUOTED;
			return 0;
		}
		return add_char(rd, c);
	case CS_QUOTE_IN_QUOTED:
		if (c == '"') {
			rd->state = CS_IN_QUOTED;
			return add_char(rd, c);
		}
		if (c == ',') {
			if (save_field(rd) < 0)
				return -1;
			rd->state = CS_START_FIELD;
		} else if (nl) {
			if (save_field(rd) < 0)
				return -1;
			rd->state = c == CSV_EOL ? CS_START_RECORD : CS_EAT_CRNL;
		} else {
			rd->state = CS_IN_FIELD;
			return add_char(rd, c);
		}
		return 0;
	case CS_EAT_CRNL:
		if (c == CSV_EOL)
			rd->state = CS_START_RECORD;
		else if (!(c == '\n' || c == '\r'))
			return diag_at(rd->file, rd->line, "new-line character seen in unquoted field");
		return 0;
	}
	return 0;
}

static int field_dup(struct nvs_field *dst, const struct buf *src)
{
	dst->s = malloc(src->len + 1);
	if (!dst->s)
		return diag_error("out of memory");
	if (src->len)
		memcpy(dst->s, src->data, src->len);
	dst->s[src->len] = 0;
	dst->len = src->len;
	return 0;
}

static const char *const csv_columns[4] = {"key", "type", "encoding", "value"};

/*
 * DictReader's dict(zip(header, row)) followed by restval for short rows: the value
 * of column @name is the last cell under that name, or None when any column of
 * that name lies beyond the row's end. Returns -1 when the header lacks @name.
 */
static int pick_column(const struct csv_rec *hdr, const struct csv_rec *row, const char *name,
		       const struct buf **cell)
{
	size_t j, nlen = strlen(name);
	int found = 0;

	*cell = NULL;
	for (j = 0; j < hdr->n; j++) {
		if (hdr->f[j].len != nlen || memcmp(hdr->f[j].data, name, nlen) != 0)
			continue;
		found = 1;
		if (j < row->n)
			*cell = &row->f[j];
	}
	if (!found)
		return -1;
	for (j = row->n; j < hdr->n; j++)
		if (hdr->f[j].len == nlen && memcmp(hdr->f[j].data, name, nlen) == 0)
			*cell = NULL;
	return 0;
}

static int csv_add_row(struct nvs_csv *csv, const struct csv_rec *hdr, const struct csv_rec *r)
{
	struct nvs_field *dst[4];
	struct nvs_row *row;
	const struct buf *cell;
	size_t i;

	if (csv->n == csv->cap) {
		size_t cap = csv->cap ? csv->cap * 2 : 32;
		struct nvs_row *v = realloc(csv->v, cap * sizeof(*v));

		if (!v)
			return diag_error("out of memory");
		csv->v = v;
		csv->cap = cap;
	}
	row = &csv->v[csv->n];
	memset(row, 0, sizeof(*row));
	row->line = r->line;
	csv->n++;
	dst[0] = &row->key;
	dst[1] = &row->type;
	dst[2] = &row->encoding;
	dst[3] = &row->value;
	for (i = 0; i < 4; i++) {
		if (pick_column(hdr, r, csv_columns[i], &cell) < 0) {
			if (!csv->missing)
				csv->missing = csv_columns[i];
			continue;
		}
		if (cell && field_dup(dst[i], cell) < 0)
			return -1;
	}
	return 0;
}

/* Hands a finished record to the header or the row list; blank records are dropped
 * (DictReader skips them, but not as the header). */
static int csv_record_done(struct nvs_csv *csv, struct csv_rec *hdr, int *have_hdr,
			   struct csv_rec *r)
{
	if (!*have_hdr) {
		*hdr = *r;
		memset(r, 0, sizeof(*r));
		*have_hdr = 1;
		csv->header_line = hdr->line;
		return 0;
	}
	if (r->n == 0)
		return 0;
	if (csv_add_row(csv, hdr, r) < 0)
		return -1;
	rec_clear(r);
	return 0;
}

static unsigned line_of(const uint8_t *data, size_t pos)
{
	unsigned line = 1;
	size_t i;

	for (i = 0; i < pos; i++) {
		if (data[i] == '\n' || (data[i] == '\r' && !(i + 1 < pos && data[i + 1] == '\n')))
			line++;
	}
	return line;
}

int nvs_csv_parse(struct nvs_csv *csv, const uint8_t *data, size_t len)
{
	struct csv_reader rd;
	struct csv_rec hdr = {0};
	int have_hdr = 0, rc = -1;
	size_t pos = 0, bad;

	memset(&rd, 0, sizeof(rd));
	rd.file = csv->file;
	rd.state = CS_START_RECORD;
	bad = utf8_check(data, len);
	if (bad != len)
		return diag_at(csv->file, line_of(data, bad), "invalid UTF-8 (byte 0x%02x)", data[bad]);
	/* physical lines, with universal newlines: \n, \r\n and \r all end a line and
	 * read as \n; lines starting with '#' are dropped before the CSV reader sees them */
	while (pos < len) {
		size_t end = pos, next;
		int has_nl = 0;

		rd.line++;
		while (end < len && data[end] != '\n' && data[end] != '\r')
			end++;
		next = end;
		if (end < len) {
			has_nl = 1;
			next = end + 1;
			if (data[end] == '\r' && next < len && data[next] == '\n')
				next++;
		}
		if (end == pos || data[pos] != '#') {
			size_t i;

			for (i = pos; i < end; i++)
				if (csv_char(&rd, data[i]) < 0)
					goto out;
			if (has_nl && csv_char(&rd, '\n') < 0)
				goto out;
			if (csv_char(&rd, CSV_EOL) < 0)
				goto out;
			if (rd.state == CS_START_RECORD &&
			    csv_record_done(csv, &hdr, &have_hdr, &rd.rec) < 0)
				goto out;
		}
		pos = next;
	}
	/* end of input inside a quoted field: the reader keeps what it has */
	if (rd.state == CS_IN_QUOTED || rd.field.len) {
		if (save_field(&rd) < 0 || csv_record_done(csv, &hdr, &have_hdr, &rd.rec) < 0)
			goto out;
	}
	rc = 0;
out:
	rec_clear(&rd.rec);
	free(rd.rec.f);
	rec_clear(&hdr);
	free(hdr.f);
	buf_free(&rd.field);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Values as the generator holds them: None, text (str) or bytes (§6) */

enum vkind { V_NONE, V_STR, V_BYTES };

struct val {
	enum vkind kind;
	uint8_t *p; /* owned; NUL-terminated for convenience */
	size_t len;
};

static void val_free(struct val *v)
{
	free(v->p);
	v->p = NULL;
	v->len = 0;
	v->kind = V_NONE;
}

static int val_set(struct val *v, enum vkind kind, const void *p, size_t len)
{
	uint8_t *n = malloc(len + 1);

	if (!n)
		return diag_error("out of memory");
	if (len)
		memcpy(n, p, len);
	n[len] = 0;
	val_free(v);
	v->kind = kind;
	v->p = n;
	v->len = len;
	return 0;
}

static int val_from_field(struct val *v, const struct nvs_field *f)
{
	if (!f->s) {
		val_free(v);
		return 0;
	}
	return val_set(v, V_STR, f->s, f->len);
}

/* Python truthiness of a str/bytes/None. */
static int val_true(const struct val *v)
{
	return v->kind != V_NONE && v->len > 0;
}

static size_t utf8_chars(const uint8_t *p, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

/* len() of the value: characters of a str, bytes of a bytes object. */
static size_t val_units(const struct val *v)
{
	return v->kind == V_STR ? utf8_chars(v->p, v->len) : v->len;
}

/* Byte offset of character @unit of a str (bytes: the same number). */
static size_t val_byte_off(const struct val *v, size_t unit)
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

static int is_ascii(const uint8_t *p, size_t len)
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

/* str.strip() for text, bytes.strip() (ASCII whitespace) for bytes. */
static void val_strip(const struct val *v, const uint8_t **p, size_t *len)
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
static int a2b_base64(const uint8_t *in, size_t len, struct buf *out, const char **err,
		      size_t *nchars)
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
	0x660,	 0x6F0,	  0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,
	0xC66,	 0xCE6,	  0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,
	0x17E0,	 0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,
	0x1C50,	 0xA620,  0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,
	0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
	0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60,
	0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0,
	0x1E950, 0x1FBF0,
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
static int py_int10(const struct val *v, int *neg, uint64_t *mag)
{
	const uint8_t *p;
	size_t n, i = 0, k;
	int digit_before = 0, overflow = 0, d;
	uint32_t c;

	val_strip(v, &p, &n);
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

/* ------------------------------------------------------------------------ */
/* The generator (§4, §5) */

struct ns_name {
	char *name;
	size_t len;
};

struct gen {
	const struct nvs_gen_opts *o;
	struct buf *out;
	int have_page;
	size_t page;	   /* offset of the page being filled in out */
	unsigned entry;	   /* its next free entry */
	uint32_t page_num; /* sequence number of that page */
	uint64_t budget;   /* bytes of pages still allowed (the generator's NVS.size) */
	uint8_t version;   /* 0xFE (v2) or 0xFF (v1) */
	unsigned ns_count;
	struct ns_name *ns;
	size_t nns;
	int wifi_done;
	struct val ap_ssid, ap_passwd, ap_authmode;
	const char *file;
	unsigned line;
	const char *key; /* of the item being written, for messages */
	nvs_file_reader reader;
	void *reader_ctx;
};

enum venc { E_STRING, E_BINARY, E_HEX2BIN, E_BASE64 };

#define NVS_V1 0xFF
#define NVS_V2 0xFE
#define NVS_MAX_BLOB_V1 1984
#define NVS_MAX_BLOB_V2 4000

static uint8_t *page_ptr(struct gen *g)
{
	return g->out->data + g->page;
}

static int new_page(struct gen *g, int empty, int reserve)
{
	uint8_t *p;

	if (g->have_page && !empty && buf_get_le32(page_ptr(g)) == NVS_PAGE_ACTIVE)
		buf_put_le32(page_ptr(g), NVS_PAGE_FULL);
	if (!reserve) {
		if (g->budget == 0)
			return diag_at(g->file, g->line,
				       "size 0x%llx is less than the size of the data in the CSV; "
				       "increase the size",
				       (unsigned long long)g->o->size);
		g->budget -= NVS_PAGE_SIZE;
	}
	g->page_num = g->have_page ? g->page_num + 1 : 0;
	g->page = g->out->len;
	if (buf_fill(g->out, 0xFF, NVS_PAGE_SIZE) < 0)
		return -1;
	g->have_page = 1;
	g->entry = 0;
	if (empty || reserve)
		return 0;
	p = page_ptr(g);
	buf_put_le32(p, NVS_PAGE_ACTIVE);
	buf_put_le32(p + 4, g->page_num);
	p[8] = g->version;
	buf_put_le32(p + 28, crc32_esp(p + 4, 24));
	return 0;
}

/* CRC of an item header: bytes 0..3 and 8..31 (§3). */
static void entry_crc(uint8_t e[NVS_ENTRY_SIZE])
{
	uint8_t tmp[28];

	memcpy(tmp, e, 4);
	memcpy(tmp + 4, e + 8, 24);
	buf_put_le32(e + 4, crc32_esp(tmp, sizeof(tmp)));
}

/* Copies @len bytes at the next free entry and marks @count entries written. */
static int put_entries(struct gen *g, const uint8_t *data, size_t len, unsigned count)
{
	size_t off = 64 + (size_t)NVS_ENTRY_SIZE * g->entry;
	const char *key = g->key ? g->key : "";
	unsigned i;

	if (off + len > NVS_PAGE_SIZE)
		return diag_at(g->file, g->line, "%s: value bytes overflow the page (non-ASCII "
						 "text with an encoding that counts characters)",
			       key);
	if (len)
		memcpy(page_ptr(g) + off, data, len);
	for (i = 0; i < count; i++) {
		unsigned bit = 2 * g->entry;

		page_ptr(g)[32 + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
		g->entry++;
	}
	return 0;
}

static void entry_init(uint8_t e[NVS_ENTRY_SIZE], uint8_t ns, const char *key, size_t keylen)
{
	memset(e, 0xFF, NVS_ENTRY_SIZE);
	e[0] = ns;
	memset(e + 8, 0, 16);
	memcpy(e + 8, key, keylen);
}

static int write_primitive(struct gen *g, const char *key, size_t keylen, uint8_t type,
			   uint64_t raw, uint8_t ns)
{
	uint8_t e[NVS_ENTRY_SIZE];
	unsigned width = type & 0x0F, i;

	if (g->entry >= NVS_PAGE_ENTRIES && new_page(g, 0, 0) < 0)
		return -1;
	entry_init(e, ns, key, keylen);
	e[1] = type;
	e[2] = 1;
	for (i = 0; i < width; i++)
		e[24 + i] = (uint8_t)(raw >> (8 * i));
	entry_crc(e);
	return put_entries(g, e, NVS_ENTRY_SIZE, 1);
}

/* v2 blob: BLOB_DATA chunks filling the pages, then the BLOB_IDX item (§4). */
static int write_blob_chunks(struct gen *g, uint8_t e[NVS_ENTRY_SIZE], const struct val *v,
			     size_t datalen)
{
	size_t offset = 0, remaining = datalen, tailroom, chunk, b0, b1;
	unsigned chunks = 0, count;

	for (;;) {
		tailroom = (size_t)(NVS_PAGE_ENTRIES - g->entry - 1) * NVS_ENTRY_SIZE;
		chunk = tailroom < remaining ? tailroom : remaining;
		remaining -= chunk;
		count = (unsigned)((chunk + 31) / 32);
		if (chunks > 0xFF)
			return diag_at(g->file, g->line, "blob needs more than 255 chunks");
		e[1] = NVS_TYPE_BLOB_DATA;
		e[2] = (uint8_t)(count + 1);
		e[3] = (uint8_t)chunks;
		b0 = val_byte_off(v, offset);
		b1 = val_byte_off(v, offset + chunk);
		buf_put_le16(e + 24, (uint16_t)chunk);
		buf_put_le32(e + 28, crc32_esp(v->p + b0, b1 - b0));
		entry_crc(e);
		if (put_entries(g, e, NVS_ENTRY_SIZE, 1) < 0 ||
		    put_entries(g, v->p + b0, b1 - b0, count) < 0)
			return -1;
		chunks++;
		if ((remaining || tailroom - chunk < NVS_ENTRY_SIZE) && new_page(g, 0, 0) < 0)
			return -1;
		offset += chunk;
		if (!remaining)
			break;
	}
	if (chunks > 0xFF)
		return diag_at(g->file, g->line, "blob needs more than 255 chunks");
	memset(e + 24, 0xFF, 8);
	e[1] = NVS_TYPE_BLOB_IDX;
	e[2] = 1;
	e[3] = 0xFF;
	buf_put_le32(e + 24, (uint32_t)datalen);
	e[28] = (uint8_t)chunks;
	e[29] = 0;
	entry_crc(e);
	return put_entries(g, e, NVS_ENTRY_SIZE, 1);
}

static int write_varlen(struct gen *g, const char *key, size_t keylen, const struct val *v,
			enum venc enc, uint8_t ns)
{
	int v1 = g->version == NVS_V1, blob_v2 = !v1 && enc != E_STRING, tries;
	size_t max = v1 ? NVS_MAX_BLOB_V1 : NVS_MAX_BLOB_V2, datalen;
	uint8_t e[NVS_ENTRY_SIZE];
	unsigned count;

	g->key = key;
	if (enc == E_STRING && v->kind != V_STR)
		return diag_at(g->file, g->line, "%s: a file's bytes cannot be stored with this "
						 "spelling of 'string'",
			       key);
	datalen = enc == E_STRING ? v->len : val_units(v);
	if ((v1 || enc == E_STRING) && datalen > max)
		return diag_at(g->file, g->line,
			       "%s: size (%zu) exceeds max allowed length %zu bytes", key, datalen,
			       max);
	count = (unsigned)((datalen + 31) / 32);
	for (tries = 0;; tries++) {
		if (g->entry < NVS_PAGE_ENTRIES &&
		    (blob_v2 || g->entry + count + 1 < NVS_PAGE_ENTRIES))
			break;
		if (tries)
			return diag_at(g->file, g->line,
				       "%s: %s of %zu bytes does not fit in one page (at most %d "
				       "bytes)",
				       key, enc == E_STRING ? "string" : "blob", datalen,
				       (NVS_PAGE_ENTRIES - 2) * NVS_ENTRY_SIZE);
		if (new_page(g, 0, 0) < 0)
			return -1;
	}
	entry_init(e, ns, key, keylen);
	e[3] = 0xFF;
	if (blob_v2)
		return write_blob_chunks(g, e, v, datalen);
	e[1] = enc == E_STRING ? NVS_TYPE_STR : NVS_TYPE_BLOB;
	e[2] = (uint8_t)(count + 1);
	buf_put_le16(e + 24, (uint16_t)datalen);
	buf_put_le32(e + 28, crc32_esp(v->p, v->len));
	entry_crc(e);
	if (put_entries(g, e, NVS_ENTRY_SIZE, 1) < 0)
		return -1;
	return put_entries(g, v->p, v->len, count);
}

static const struct {
	const char *name;
	uint8_t type;
	int is_signed;
	uint64_t max; /* largest magnitude of a positive value */
} int_types[] = {
	{"u8", NVS_TYPE_U8, 0, 0xFF},
	{"i8", NVS_TYPE_I8, 1, 0x7F},
	{"u16", NVS_TYPE_U16, 0, 0xFFFF},
	{"i16", NVS_TYPE_I16, 1, 0x7FFF},
	{"u32", NVS_TYPE_U32, 0, 0xFFFFFFFF},
	{"i32", NVS_TYPE_I32, 1, 0x7FFFFFFF},
	{"u64", NVS_TYPE_U64, 0, UINT64_MAX},
	{"i64", NVS_TYPE_I64, 1, INT64_MAX},
};

static int write_int(struct gen *g, const char *key, size_t keylen, const struct val *v,
		     size_t t)
{
	uint64_t mag;
	int neg, r;
	const char *show = v->kind == V_NONE ? "" : (const char *)v->p;

	if (v->kind == V_NONE)
		return diag_at(g->file, g->line, "%s: no value for %s", key, int_types[t].name);
	r = py_int10(v, &neg, &mag);
	if (r == -1)
		return diag_at(g->file, g->line, "%s: invalid literal for int() with base 10: '%s'",
			       key, show);
	if (neg && mag == 0)
		neg = 0;
	if (r == -2 || (neg && !int_types[t].is_signed) ||
	    (!neg && mag > int_types[t].max) || (neg && mag - 1 > int_types[t].max)) {
		if (int_types[t].is_signed)
			return diag_at(g->file, g->line,
				       "%s: value '%s' out of range for %s (%lld to %llu)", key, show,
				       int_types[t].name, -(long long)(int_types[t].max) - 1,
				       (unsigned long long)int_types[t].max);
		return diag_at(g->file, g->line, "%s: value '%s' out of range for %s (0 to %llu)",
			       key, show, int_types[t].name,
			       (unsigned long long)int_types[t].max);
	}
	return write_primitive(g, key, keylen, int_types[t].type, neg ? (uint64_t)0 - mag : mag,
			       (uint8_t)g->ns_count);
}

/* blob_fill(N;0xXX) / blob_sz_fill(N;0xXX) at the start of @enc (re.match semantics). */
static int parse_fill(const char *enc, size_t *len, uint8_t *pad, int *sized)
{
	const char *p;
	uint64_t n = 0;

	if (strncmp(enc, "blob_fill(", 10) == 0) {
		p = enc + 10;
	} else if (strncmp(enc, "blob_sz_fill(", 13) == 0) {
		p = enc + 13;
	} else {
		return -1;
	}
	*sized = enc[5] == 's';
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > ((uint64_t)1 << 40))
			n = (uint64_t)1 << 40; /* far beyond any partition; refused later */
	}
	if (p[0] != ';' || p[1] != '0' || p[2] != 'x' || ascii_hex_digit((uint8_t)p[3]) < 0 ||
	    ascii_hex_digit((uint8_t)p[4]) < 0 || p[5] != ')')
		return -1;
	*pad = (uint8_t)(ascii_hex_digit((uint8_t)p[3]) << 4 | ascii_hex_digit((uint8_t)p[4]));
	*len = (size_t)n;
	return 0;
}

/* NVS.write_entry(): encoding conversions, then the item (§6). */
static int write_value(struct gen *g, const char *key, size_t keylen, struct val *v,
		       const struct nvs_field *encf)
{
	const char *enc = encf->s;
	char lower[16];
	struct buf tmp = BUF_INIT;
	const char *err = NULL;
	int rc = -1, from_fill = 0;
	size_t i, n;

	if (!enc)
		return diag_at(g->file, g->line, "%s: no encoding", key);
	if (strncmp(enc, "blob_fill", 9) == 0 || strncmp(enc, "blob_sz_fill", 12) == 0) {
		size_t flen, vlen = val_true(v) ? v->len : 0;
		uint8_t pad, le[4];
		int sized;

		if (parse_fill(enc, &flen, &pad, &sized) < 0)
			return diag_at(g->file, g->line, "%s: invalid encoding format", enc);
		if (vlen && v->kind == V_BYTES)
			return diag_at(g->file, g->line, "%s: %s cannot take a file's bytes", key, enc);
		if (vlen > flen)
			return diag_at(g->file, g->line, "%s: value length exceeds specified length",
				       key);
		if (flen > g->o->size)
			return diag_at(g->file, g->line, "%s: %s is larger than the partition", key,
				       enc);
		buf_put_le32(le, (uint32_t)vlen);
		if ((sized && buf_append(&tmp, le, 4) < 0) || buf_append(&tmp, v->p, vlen) < 0 ||
		    buf_fill(&tmp, pad, flen - vlen) < 0)
			goto out;
		if (val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
		enc = "hex2bin";
		from_fill = 1;
	}
	if (strcmp(enc, "hex2bin") == 0 && !from_fill) {
		const uint8_t *p;

		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for hex2bin", key);
			goto out;
		}
		val_strip(v, &p, &n);
		if ((v->kind == V_STR ? utf8_chars(p, n) : n) % 2) {
			diag_at(g->file, g->line, "%s: invalid data length, should be multiple of 2",
				key);
			goto out;
		}
		if (v->kind == V_STR && !is_ascii(p, n)) {
			diag_at(g->file, g->line, "%s: hex2bin value must contain only ASCII "
						  "characters",
				key);
			goto out;
		}
		for (i = 0; i < n; i += 2) {
			int hi = ascii_hex_digit(p[i]), lo = ascii_hex_digit(p[i + 1]);
			uint8_t b;

			if (hi < 0 || lo < 0) {
				diag_at(g->file, g->line, "%s: non-hexadecimal digit found", key);
				goto out;
			}
			b = (uint8_t)(hi << 4 | lo);
			if (buf_append(&tmp, &b, 1) < 0)
				goto out;
		}
		if (val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
	} else if (strcmp(enc, "base64") == 0) {
		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for base64", key);
			goto out;
		}
		if (v->kind == V_STR && !is_ascii(v->p, v->len)) {
			diag_at(g->file, g->line, "%s: base64 value must contain only ASCII "
						  "characters",
				key);
			goto out;
		}
		if (a2b_base64(v->p, v->len, &tmp, &err, &n) < 0) {
			if (err && n)
				diag_at(g->file, g->line, "%s: invalid base64-encoded string: number of "
							  "data characters (%zu) cannot be 1 more "
							  "than a multiple of 4",
					key, n);
			else if (err)
				diag_at(g->file, g->line, "%s: %s", key, err);
			goto out;
		}
		if (val_set(v, V_BYTES, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len) < 0)
			goto out;
	} else if (strcmp(enc, "string") == 0) {
		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value for string", key);
			goto out;
		}
		/* file bytes are decoded as UTF-8 (already checked for CSV text) */
		if (v->kind == V_BYTES && !utf8_valid(v->p, v->len)) {
			diag_at(g->file, g->line, "%s: file is not valid UTF-8", key);
			goto out;
		}
		if (buf_append(&tmp, v->p, v->len) < 0 || buf_fill(&tmp, 0, 1) < 0 ||
		    val_set(v, V_STR, tmp.data, tmp.len) < 0)
			goto out;
	}
	/* only now is the name lower-cased (vector encoding-case) */
	n = strlen(enc);
	if (n >= sizeof(lower)) {
		diag_at(g->file, g->line, "%s: unsupported encoding '%s'", key, enc);
		goto out;
	}
	for (i = 0; i <= n; i++)
		lower[i] = (char)(enc[i] >= 'A' && enc[i] <= 'Z' ? enc[i] - 'A' + 'a' : enc[i]);
	if (!strcmp(lower, "string") || !strcmp(lower, "binary") || !strcmp(lower, "hex2bin") ||
	    !strcmp(lower, "base64")) {
		enum venc ve = !strcmp(lower, "string")	  ? E_STRING
			       : !strcmp(lower, "binary") ? E_BINARY
			       : !strcmp(lower, "hex2bin") ? E_HEX2BIN
							   : E_BASE64;

		if (v->kind == V_NONE) {
			diag_at(g->file, g->line, "%s: no value", key);
			goto out;
		}
		rc = write_varlen(g, key, keylen, v, ve, (uint8_t)g->ns_count);
		goto out;
	}
	for (i = 0; i < sizeof(int_types) / sizeof(int_types[0]); i++) {
		if (strcmp(lower, int_types[i].name) == 0) {
			rc = write_int(g, key, keylen, v, i);
			goto out;
		}
	}
	diag_at(g->file, g->line, "%s: unsupported encoding '%s'", key, lower);
out:
	buf_free(&tmp);
	return rc;
}

static int write_namespace(struct gen *g, const char *key, size_t keylen)
{
	struct ns_name *v;
	size_t i;

	/* a repeated name writes nothing and, upstream bug kept for byte identity, does
	 * not switch back to its index either (vector dup-namespace) */
	for (i = 0; i < g->nns; i++)
		if (g->ns[i].len == keylen && memcmp(g->ns[i].name, key, keylen) == 0)
			return 0;
	if (g->ns_count >= 0xFF)
		return diag_at(g->file, g->line, "namespace `%s`: more than 255 namespaces", key);
	g->ns_count++;
	if (write_primitive(g, key, keylen, NVS_TYPE_U8, g->ns_count, 0) < 0)
		return -1;
	v = realloc(g->ns, (g->nns + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	g->ns = v;
	v[g->nns].name = malloc(keylen + 1);
	if (!v[g->nns].name)
		return diag_error("out of memory");
	memcpy(v[g->nns].name, key, keylen + 1);
	v[g->nns].len = keylen;
	g->nns++;
	return 0;
}

static int write_bytes_blob(struct gen *g, const char *key, const uint8_t *p, size_t len)
{
	struct val v = {V_NONE, NULL, 0};
	int rc;

	if (val_set(&v, V_BYTES, p, len) < 0)
		return -1;
	rc = write_varlen(g, key, strlen(key), &v, E_HEX2BIN, (uint8_t)g->ns_count);
	val_free(&v);
	return rc;
}

/* The Wi-Fi AP keys (§6): once ssid, password and a non-"0" authmode are known,
 * every such row is preceded by ap.pmk_info = 100 zero bytes + the PMK. */
static int wifi_ap(struct gen *g, const char *key, const struct nvs_field *value)
{
	uint8_t info[132];

	if (strcmp(key, "ap.ssid") == 0) {
		if (val_from_field(&g->ap_ssid, value) < 0)
			return -1;
	} else if (strcmp(key, "ap.passwd") == 0) {
		if (val_from_field(&g->ap_passwd, value) < 0)
			return -1;
	} else if (!value->s || strcmp(value->s, "0") != 0) {
		if (val_from_field(&g->ap_authmode, value) < 0)
			return -1;
	}
	if (!val_true(&g->ap_ssid) || !val_true(&g->ap_passwd) || !val_true(&g->ap_authmode))
		return 0;
	memset(info, 0, 100);
	nvs_pbkdf2_sha1(g->ap_passwd.p, g->ap_passwd.len, g->ap_ssid.p, g->ap_ssid.len, 4096,
			info + 100, 32);
	return write_bytes_blob(g, "ap.pmk_info", info, sizeof(info));
}

/* The generator's module-level write_entry() for one CSV row. */
static int write_row(struct gen *g, const struct nvs_csv *csv, const struct nvs_row *row)
{
	const char *key = row->key.s;
	struct val v = {V_NONE, NULL, 0};
	struct buf file = BUF_INIT;
	int rc = -1;

	if (csv->missing)
		return diag_at(g->file, g->line, "the header (line %u) has no '%s' column",
			       csv->header_line, csv->missing);
	if (!key)
		return diag_at(g->file, g->line, "no key");
	if (utf8_chars((const uint8_t *)key, row->key.len) > NVS_KEY_MAX)
		return diag_at(g->file, g->line, "length of key `%s` should be <= %d characters", key,
			       NVS_KEY_MAX);
	/* the generator writes a multi-byte key over the following bytes; refuse it */
	if (!is_ascii((const uint8_t *)key, row->key.len) || strlen(key) != row->key.len)
		return diag_at(g->file, g->line, "key `%s` must be ASCII without NUL", key);
	if (!strcmp(key, "ap.ssid") || !strcmp(key, "ap.passwd") || !strcmp(key, "ap.authmode")) {
		if (wifi_ap(g, key, &row->value) < 0)
			return -1;
	}
	if (val_from_field(&v, &row->value) < 0)
		return -1;
	if (!strcmp(key, "sta.ssid") || !strcmp(key, "sta.pswd")) {
		static const uint8_t zeros[32];
		uint8_t ff[140];

		/* written as data whatever the row's type; the first one brings three more */
		if (write_value(g, key, row->key.len, &v, &row->encoding) < 0)
			goto out;
		if (!g->wifi_done) {
			memset(ff, 0xFF, sizeof(ff));
			if (write_bytes_blob(g, "sta.apinfo", ff, sizeof(ff)) < 0 ||
			    write_bytes_blob(g, "sta.pmk", zeros, 32) < 0 ||
			    write_bytes_blob(g, "sta.apsw", zeros, 2) < 0)
				goto out;
			g->wifi_done = 1;
		}
		rc = 0;
		goto out;
	}
	if (row->type.s && strcmp(row->type.s, "file") == 0) {
		if (!row->value.s || !row->value.len) {
			diag_at(g->file, g->line, "%s: no file name", key);
			goto out;
		}
		if (g->reader(g->reader_ctx, g->file, g->line, row->value.s, &file) < 0)
			goto out;
		if (val_set(&v, V_BYTES, file.data ? file.data : (const uint8_t *)"", file.len) < 0)
			goto out;
	}
	if (row->type.s && strcmp(row->type.s, "namespace") == 0)
		rc = write_namespace(g, key, row->key.len);
	else
		rc = write_value(g, key, row->key.len, &v, &row->encoding);
out:
	val_free(&v);
	buf_free(&file);
	return rc;
}

const char *nvs_size_problem(int64_t size)
{
	if (size % NVS_PAGE_SIZE != 0)
		return "size of partition must be multiple of 4096";
	if (size < NVS_PAGE_SIZE)
		return "minimum partition size for read/write NVS is 0x3000 bytes and for "
		       "read-only NVS is 0x1000 bytes";
	return NULL;
}

int nvs_size_read_only(uint64_t size)
{
	return size < 3 * NVS_PAGE_SIZE;
}

int nvs_generate(const struct nvs_csv *csvs, size_t ncsvs, const struct nvs_gen_opts *opts,
		 nvs_file_reader reader, void *reader_ctx, struct buf *out)
{
	struct gen g;
	size_t start = out->len, i, j;
	int rc = -1, ro = nvs_size_read_only(opts->size);

	memset(&g, 0, sizeof(g));
	g.o = opts;
	g.out = out;
	g.version = opts->version == 1 ? NVS_V1 : NVS_V2;
	g.reader = reader;
	g.reader_ctx = reader_ctx;
	/* check_size(): one page is kept free unless the partition is read-only */
	g.budget = ro ? opts->size : opts->size - NVS_PAGE_SIZE;
	g.file = ncsvs ? csvs[0].file : NULL;
	if (nvs_size_problem((int64_t)opts->size) || new_page(&g, 0, 0) < 0)
		goto out;
	for (i = 0; i < ncsvs; i++) {
		for (j = 0; j < csvs[i].n; j++) {
			g.file = csvs[i].file;
			g.line = csvs[i].v[j].line;
			if (write_row(&g, &csvs[i], &csvs[i].v[j]) < 0)
				goto out;
		}
	}
	if (!ro) {
		/* empty pages up to the size, the last one being the spare page */
		while (g.budget)
			if (new_page(&g, 1, 0) < 0)
				goto out;
		if (new_page(&g, 1, 1) < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < g.nns; i++)
		free(g.ns[i].name);
	free(g.ns);
	val_free(&g.ap_ssid);
	val_free(&g.ap_passwd);
	val_free(&g.ap_authmode);
	if (rc < 0)
		out->len = start;
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Reading an image back (§2, §3) */

void nvs_image_init(struct nvs_image *im)
{
	memset(im, 0, sizeof(*im));
}

void nvs_image_free(struct nvs_image *im)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		free(im->v[i].data);
	free(im->v);
	nvs_image_init(im);
}

static int image_add(struct nvs_image *im, const struct nvs_item *it)
{
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		struct nvs_item *v = realloc(im->v, cap * sizeof(*v));

		if (!v)
			return diag_error("out of memory");
		im->v = v;
		im->cap = cap;
	}
	im->v[im->n++] = *it;
	return 0;
}

struct chunk {
	uint8_t ns;
	uint8_t index;
	char key[NVS_KEY_MAX + 2];
	const uint8_t *data;
	size_t len;
	size_t seq;
};

static unsigned entry_state(const uint8_t *pg, unsigned i)
{
	return (pg[32 + i / 4] >> ((i % 4) * 2)) & 3u;
}

static int entry_crc_ok(const uint8_t *e)
{
	uint8_t tmp[28];

	memcpy(tmp, e, 4);
	memcpy(tmp + 4, e + 8, 24);
	return buf_get_le32(e + 4) == crc32_esp(tmp, sizeof(tmp));
}

static int is_primitive(uint8_t type)
{
	switch (type) {
	case NVS_TYPE_U8:
	case NVS_TYPE_I8:
	case NVS_TYPE_U16:
	case NVS_TYPE_I16:
	case NVS_TYPE_U32:
	case NVS_TYPE_I32:
	case NVS_TYPE_U64:
	case NVS_TYPE_I64:
		return 1;
	}
	return 0;
}

/* Items of one page, in entry order; blob chunks go to @chunks. */
static int decode_page(const char *file, const uint8_t *pg, uint32_t pno, struct nvs_image *im,
		       struct chunk **chunks, size_t *nchunks, size_t *seq)
{
	unsigned i = 0, span;

	while (i < NVS_PAGE_ENTRIES) {
		const uint8_t *e = pg + 64 + NVS_ENTRY_SIZE * i;
		struct nvs_item it;

		if (entry_state(pg, i) != 2) { /* empty, erased or illegal */
			i++;
			continue;
		}
		span = e[2];
		if (!entry_crc_ok(e) || span == 0 || i + span > NVS_PAGE_ENTRIES) {
			diag_warn_at(file, 0, "page %u entry %u: damaged item header, skipped", pno, i);
			i++;
			continue;
		}
		memset(&it, 0, sizeof(it));
		it.ns = e[0];
		it.type = e[1];
		memcpy(it.key, e + 8, 16);
		it.page = pno;
		it.entry = i;
		it.seq = (*seq)++;
		if (is_primitive(e[1])) {
			it.value = (uint64_t)buf_get_le32(e + 24) | (uint64_t)buf_get_le32(e + 28) << 32;
			if (image_add(im, &it) < 0)
				return -1;
		} else if (e[1] == NVS_TYPE_STR || e[1] == NVS_TYPE_BLOB ||
			   e[1] == NVS_TYPE_BLOB_DATA) {
			size_t size = buf_get_le16(e + 24);
			const uint8_t *data = e + NVS_ENTRY_SIZE;

			if (size > (size_t)(span - 1) * NVS_ENTRY_SIZE ||
			    crc32_esp(data, size) != buf_get_le32(e + 28)) {
				diag_warn_at(file, 0, "page %u entry %u: '%s': bad data size or CRC, "
						      "skipped",
					     pno, i, it.key);
			} else if (e[1] == NVS_TYPE_BLOB_DATA) {
				struct chunk *c = realloc(*chunks, (*nchunks + 1) * sizeof(*c));

				if (!c)
					return diag_error("out of memory");
				*chunks = c;
				c += (*nchunks)++;
				c->ns = it.ns;
				c->index = e[3];
				memcpy(c->key, it.key, sizeof(c->key));
				c->data = data;
				c->len = size;
				c->seq = it.seq;
			} else {
				it.data = malloc(size ? size : 1);
				if (!it.data)
					return diag_error("out of memory");
				memcpy(it.data, data, size);
				it.len = size;
				if (image_add(im, &it) < 0) {
					free(it.data);
					return -1;
				}
			}
		} else if (e[1] == NVS_TYPE_BLOB_IDX) {
			/* size, chunk count and start kept in value until the chunks are joined */
			it.value = (uint64_t)buf_get_le32(e + 24) | (uint64_t)e[28] << 32 |
				   (uint64_t)e[29] << 40;
			if (image_add(im, &it) < 0)
				return -1;
		} else {
			diag_warn_at(file, 0, "page %u entry %u: '%s': unknown item type 0x%02x, "
					      "skipped",
				     pno, i, it.key, e[1]);
		}
		i += span;
	}
	return 0;
}

/* Joins each v2 blob index with its chunks; incomplete blobs are dropped. */
static int join_blobs(const char *file, struct nvs_image *im, const struct chunk *c, size_t nc)
{
	size_t i, j, k, out = 0;

	for (i = 0; i < im->n; i++) {
		struct nvs_item *it = &im->v[i];
		uint32_t size = (uint32_t)it->value;
		unsigned count = (unsigned)(it->value >> 32) & 0xFF;
		unsigned start = (unsigned)(it->value >> 40) & 0xFF, n;
		size_t got = 0;
		int ok = 1;

		if (it->type == NVS_TYPE_BLOB_IDX) {
			it->data = malloc(size ? size : 1);
			if (!it->data)
				return diag_error("out of memory");
			for (n = 0; n < count && ok; n++) {
				size_t best = nc;

				/* the closest chunk before the index: a key may be written twice */
				for (j = 0; j < nc && c[j].seq < it->seq; j++)
					if (c[j].ns == it->ns && c[j].index == (uint8_t)(start + n) &&
					    !strcmp(c[j].key, it->key))
						best = j;
				j = best;
				if (j == nc || got + c[j].len > size) {
					ok = 0;
					break;
				}
				memcpy(it->data + got, c[j].data, c[j].len);
				got += c[j].len;
			}
			if (!ok || got != size) {
				diag_warn_at(file, 0, "page %u entry %u: blob '%s' is incomplete, "
						      "skipped",
					     it->page, it->entry, it->key);
				free(it->data);
				continue;
			}
			it->len = size;
			it->value = 0;
		}
		im->v[out++] = *it;
	}
	for (k = out; k < im->n; k++)
		im->v[k].data = NULL;
	im->n = out;
	return 0;
}

int nvs_page_header_ok(const uint8_t *page)
{
	return buf_get_le32(page + 28) == crc32_esp(page + 4, 24);
}

int nvs_decode(const char *file, const uint8_t *img, size_t len, struct nvs_image *im)
{
	size_t npages = len / NVS_PAGE_SIZE, n = 0, i, j;
	size_t *order = NULL;
	struct chunk *chunks = NULL;
	size_t nchunks = 0, seq = 0;
	int rc = -1;

	if (len == 0 || len % NVS_PAGE_SIZE)
		return diag_file(file, "%zu bytes is not a whole number of 4096-byte NVS pages", len);
	order = malloc(npages * sizeof(*order));
	if (!order)
		return diag_error("out of memory");
	im->size = len;
	for (i = 0; i < npages; i++) {
		const uint8_t *pg = img + i * NVS_PAGE_SIZE;
		uint32_t st = buf_get_le32(pg);
		int ver;

		if (st == NVS_PAGE_UNINIT)
			continue;
		if (st != NVS_PAGE_ACTIVE && st != NVS_PAGE_FULL && st != NVS_PAGE_FREEING) {
			diag_warn_at(file, 0, "page %zu: state 0x%08x, skipped", i, st);
			continue;
		}
		if (!nvs_page_header_ok(pg)) {
			diag_warn_at(file, 0, "page %zu: bad header CRC, skipped", i);
			continue;
		}
		ver = pg[8] == NVS_V1 ? 1 : pg[8] == NVS_V2 ? 2 : 0;
		if (!ver)
			diag_warn_at(file, 0, "page %zu: unknown format version 0x%02x", i, pg[8]);
		else if (!im->version)
			im->version = ver;
		else if (im->version != ver)
			diag_warn_at(file, 0, "page %zu: format version %d differs from %d", i, ver,
				     im->version);
		/* pages in sequence-number order, as the runtime reads them */
		for (j = n; j > 0 && buf_get_le32(img + order[j - 1] * NVS_PAGE_SIZE + 4) >
					     buf_get_le32(pg + 4);
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	for (i = 0; i < n; i++)
		if (decode_page(file, img + order[i] * NVS_PAGE_SIZE, (uint32_t)order[i], im, &chunks,
				&nchunks, &seq) < 0)
			goto out;
	rc = join_blobs(file, im, chunks, nchunks);
out:
	free(order);
	free(chunks);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Image items -> generator CSV */

struct orow {
	const struct nvs_item *it;
	int is_ns;
	int skip;
	const char *enc;   /* NULL: cannot be written as a row (comment instead) */
	struct buf value;  /* value text, or the comment */
};

/* A text the generator's reader gives back unchanged inside a quoted field. */
static int csv_text_ok(const uint8_t *p, size_t len)
{
	size_t i;

	if (!utf8_valid(p, len) || utf8_chars(p, len) > NVS_CSV_FIELD_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] == 0 || p[i] == '\r')
			return 0; /* NUL ends the C string; \r reads back as \n */
		if (p[i] == '\n' && i + 1 < len && p[i + 1] == '#')
			return 0; /* that physical line would be dropped as a comment */
	}
	return 1;
}

static int csv_put_field(struct buf *out, const char *s, size_t len, int first)
{
	size_t i;
	int quote = len && first && s[0] == '#';

	for (i = 0; i < len && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote)
		return buf_append(out, s, len);
	if (buf_append(out, "\"", 1) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '"' && buf_append(out, "\"", 1) < 0)
			return -1;
		if (buf_append(out, s + i, 1) < 0)
			return -1;
	}
	return buf_append(out, "\"", 1);
}

static const char *int_name(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(int_types) / sizeof(int_types[0]); i++)
		if (int_types[i].type == type)
			return int_types[i].name;
	return NULL;
}

static int hex_append(struct buf *b, const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (buf_reserve(b, 2 * len + 1) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		b->data[b->len++] = (uint8_t)digits[p[i] >> 4];
		b->data[b->len++] = (uint8_t)digits[p[i] & 15];
	}
	return 0;
}

static int b64_append(struct buf *b, const uint8_t *p, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = a[v >> 18];
		q[1] = a[(v >> 12) & 63];
		q[2] = i + 1 < len ? a[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? a[v & 63] : '=';
		if (buf_append(b, q, 4) < 0)
			return -1;
	}
	return 0;
}

/* Encoding and value text of a data item, or a comment saying why there is none. */
static int render_item(struct orow *r)
{
	const struct nvs_item *it = r->it;
	size_t klen = strlen(it->key);

	if (klen > NVS_KEY_MAX || !is_ascii((const uint8_t *)it->key, klen)) {
		r->enc = NULL;
		return buf_printf(&r->value, "key is not 1-15 ASCII characters (namespace %u, type "
					     "0x%02x)",
				  it->ns, it->type);
	}
	if (is_primitive(it->type)) {
		unsigned bits = 8 * (it->type & 0x0F);
		uint64_t v = bits == 64 ? it->value : it->value & (((uint64_t)1 << bits) - 1);

		r->enc = int_name(it->type);
		if ((it->type & 0x10) && bits < 64 && (v >> (bits - 1)) & 1)
			return buf_printf(&r->value, "-%llu",
					  (unsigned long long)((((uint64_t)1 << bits) - v)));
		if ((it->type & 0x10) && bits == 64 && (v >> 63))
			return buf_printf(&r->value, "-%llu", (unsigned long long)(0 - v));
		return buf_printf(&r->value, "%llu", (unsigned long long)v);
	}
	if (it->type == NVS_TYPE_STR) {
		/* "string" adds the NUL; "String" is the generator's spelling that does not */
		if (it->len && it->data[it->len - 1] == 0 && csv_text_ok(it->data, it->len - 1)) {
			r->enc = "string";
			return buf_append(&r->value, it->data, it->len - 1);
		}
		if (csv_text_ok(it->data, it->len)) {
			r->enc = "String";
			return buf_append(&r->value, it->data, it->len);
		}
		r->enc = NULL;
		if (buf_printf(&r->value, "string not expressible in CSV, hex: ") < 0)
			return -1;
		return hex_append(&r->value, it->data, it->len);
	}
	if (2 * it->len <= NVS_CSV_FIELD_MAX) {
		r->enc = "hex2bin";
		return hex_append(&r->value, it->data, it->len);
	}
	if ((it->len + 2) / 3 * 4 <= NVS_CSV_FIELD_MAX) {
		r->enc = "base64";
		return b64_append(&r->value, it->data, it->len);
	}
	r->enc = NULL;
	return buf_printf(&r->value, "blob of %zu bytes is too large for one CSV field", it->len);
}

/*
 * Whether the items are in the order the generator writes them (data rows always in
 * the namespace defined last, or 0 before any); marks the namespace definitions.
 * A u8 in namespace 0 with value 1 is ambiguous before the first namespace is used:
 * the last such item is taken as its definition (vector no-namespace).
 */
static int generator_order(const struct nvs_image *im, int *is_ns)
{
	size_t first = im->n, i;
	long def1 = -1;
	unsigned count = 0;

	for (i = 0; i < im->n && first == im->n; i++)
		if (im->v[i].ns != 0)
			first = i;
	for (i = 0; i < first; i++)
		if (im->v[i].type == NVS_TYPE_U8 && (im->v[i].value & 0xFF) == 1)
			def1 = (long)i;
	for (i = 0; i < im->n; i++) {
		const struct nvs_item *it = &im->v[i];

		is_ns[i] = it->ns == 0 && it->type == NVS_TYPE_U8 &&
			   (it->value & 0xFF) == count + 1 && (count > 0 || (long)i == def1);
		if (is_ns[i])
			count++;
		else if (it->ns != count)
			return 0;
	}
	return 1;
}

static int blob_is(const struct orow *r, const char *key, uint8_t fill, size_t len)
{
	size_t i;

	if (r->skip || r->is_ns || !r->enc || strcmp(r->it->key, key) != 0 ||
	    (r->it->type != NVS_TYPE_BLOB && r->it->type != NVS_TYPE_BLOB_IDX) || r->it->len != len)
		return 0;
	for (i = 0; i < len; i++)
		if (r->it->data[i] != fill)
			return 0;
	return 1;
}

static void set_text(struct val *v, const struct orow *r)
{
	val_free(v);
	(void)val_set(v, V_STR, r->value.data ? r->value.data : (const uint8_t *)"", r->value.len);
}

/* Leaves out what the generator adds by itself for the Wi-Fi keys (§6), so that
 * the CSV generates the same image instead of adding those items twice. */
static void drop_wifi_extras(struct orow *rows, size_t n)
{
	struct val ssid = {V_NONE, NULL, 0}, pw = {V_NONE, NULL, 0}, mode = {V_NONE, NULL, 0};
	int sta_done = 0;
	size_t i;
	long prev = -1;

	for (i = 0; i < n; i++) {
		struct orow *r = &rows[i];
		const char *k = r->it->key;

		if (r->skip || r->is_ns || !r->enc)
			continue;
		if (!strcmp(k, "ap.ssid") || !strcmp(k, "ap.passwd") || !strcmp(k, "ap.authmode")) {
			if (!strcmp(k, "ap.ssid"))
				set_text(&ssid, r);
			else if (!strcmp(k, "ap.passwd"))
				set_text(&pw, r);
			else if (!(r->value.len == 1 && r->value.data[0] == '0'))
				set_text(&mode, r);
			if (val_true(&ssid) && val_true(&pw) && val_true(&mode) && prev >= 0 &&
			    !strcmp(rows[prev].it->key, "ap.pmk_info") &&
			    rows[prev].it->len == 132) {
				uint8_t info[132];

				memset(info, 0, 100);
				nvs_pbkdf2_sha1(pw.p, pw.len, ssid.p, ssid.len, 4096, info + 100, 32);
				if (!memcmp(info, rows[prev].it->data, sizeof(info)))
					rows[prev].skip = 1;
			}
		}
		if ((!strcmp(k, "sta.ssid") || !strcmp(k, "sta.pswd")) && !sta_done) {
			sta_done = 1;
			if (i + 3 < n + 0 && blob_is(&rows[i + 1], "sta.apinfo", 0xFF, 140) &&
			    blob_is(&rows[i + 2], "sta.pmk", 0, 32) &&
			    blob_is(&rows[i + 3], "sta.apsw", 0, 2))
				rows[i + 1].skip = rows[i + 2].skip = rows[i + 3].skip = 1;
		}
		prev = (long)i;
	}
	val_free(&ssid);
	val_free(&pw);
	val_free(&mode);
}

int nvs_format_csv(const char *file, const struct nvs_image *im, struct buf *out)
{
	struct orow *rows = calloc(im->n ? im->n : 1, sizeof(*rows));
	int *is_ns = calloc(im->n ? im->n : 1, sizeof(*is_ns));
	size_t n = 0, i, j, lost = 0;
	int rc = -1;

	if (!rows || !is_ns) {
		diag_error("out of memory");
		goto out;
	}
	if (generator_order(im, is_ns)) {
		for (i = 0; i < im->n; i++) {
			rows[n].it = &im->v[i];
			rows[n++].is_ns = is_ns[i];
		}
	} else {
		/* written by a device: every u8 of namespace 0 names a namespace; group the
		 * items under their namespace so the generator puts them back there */
		for (i = 0; i < im->n; i++) {
			is_ns[i] = im->v[i].ns == 0 && im->v[i].type == NVS_TYPE_U8;
			if (im->v[i].ns == 0 && !is_ns[i])
				rows[n++].it = &im->v[i];
		}
		for (i = 0; i < im->n; i++) {
			uint8_t idx = (uint8_t)im->v[i].value;

			if (!is_ns[i])
				continue;
			for (j = 0; j < i; j++)
				if (is_ns[j] && (uint8_t)im->v[j].value == idx)
					break;
			if (j < i)
				continue; /* index named twice: the first name holds */
			rows[n].it = &im->v[i];
			rows[n++].is_ns = 1;
			for (j = 0; j < im->n; j++)
				if (im->v[j].ns == idx && idx != 0)
					rows[n++].it = &im->v[j];
		}
		/* items whose namespace index has no name cannot be written */
		lost = im->n - n;
		for (i = 0; i < im->n; i++)
			if (is_ns[i])
				lost--;
		for (i = 0; i < n; i++)
			if (rows[i].is_ns)
				lost++;
		if (lost)
			diag_warn_at(file, 0, "%zu items of namespaces without a name left out", lost);
	}
	for (i = 0; i < n; i++) {
		if (rows[i].is_ns) {
			rows[i].enc = "";
			continue;
		}
		if (render_item(&rows[i]) < 0)
			goto out;
	}
	drop_wifi_extras(rows, n);
	if (buf_printf(out, "# NVS image decoded by esp-mknvs (format version %d, %zu bytes)\n"
			    "key,type,encoding,value\n",
		       im->version ? im->version : 2, im->size) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const struct orow *r = &rows[i];
		const char *key = r->it->key;

		if (r->skip)
			continue;
		if (r->is_ns && (strlen(key) > NVS_KEY_MAX ||
				 !is_ascii((const uint8_t *)key, strlen(key)))) {
			diag_warn_at(file, 0, "namespace name is not 1-15 ASCII characters");
			continue;
		}
		if (!r->enc) {
			char safe[4 * sizeof(r->it->key)];
			size_t k, m = 0;

			/* the comment must stay one line of valid UTF-8 */
			for (k = 0; key[k]; k++) {
				uint8_t c = (uint8_t)key[k];

				if (c >= 0x20 && c < 0x7F)
					safe[m++] = (char)c;
				else
					m += (size_t)snprintf(safe + m, sizeof(safe) - m, "\\x%02x", c);
			}
			safe[m] = 0;
			diag_warn_at(file, 0, "'%s': %.*s", safe,
				     (int)(r->value.len > 80 ? 80 : r->value.len),
				     (const char *)r->value.data);
			if (buf_puts(out, "# ") < 0 || buf_puts(out, safe) < 0 ||
			    buf_puts(out, ": ") < 0 ||
			    buf_append(out, r->value.data, r->value.len) < 0 ||
			    buf_puts(out, "\n") < 0)
				goto out;
			continue;
		}
		if (csv_put_field(out, key, strlen(key), 1) < 0)
			goto out;
		if (r->is_ns) {
			if (buf_puts(out, ",namespace,,\n") < 0)
				goto out;
			continue;
		}
		if (buf_puts(out, ",data,") < 0 || buf_puts(out, r->enc) < 0 ||
		    buf_puts(out, ",") < 0 ||
		    csv_put_field(out, r->value.data ? (const char *)r->value.data : "",
				  r->value.len, 0) < 0 ||
		    buf_puts(out, "\n") < 0)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		buf_free(&rows[i].value);
	free(rows);
	free(is_ns);
	return rc;
}
