/* SPDX-License-Identifier: Apache-2.0 */
#include "ihex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "diag.h"
#include "utf8.h"

/* Python reads text files in chunks of this many bytes and decodes each whole, so bytes
 * that are not UTF-8 after the end-of-file record still spoil the file when they share
 * its chunk (python3-intelhex opens the file in text mode). */
#define PY_TEXT_CHUNK 8192u

/* A data record's bytes, in file order (@off into the decoded bytes). */
struct rec {
	uint64_t addr;
	size_t off, len;
	unsigned long line;
};

struct parse {
	struct rec *recs;
	size_t nrecs, cap;
	struct buf bytes;
	uint64_t offset; /* from the last 02 or 04 record */
	int has_start;
};

enum { REC_OK, REC_EOF, REC_BAD };

static int fail(struct ihex_error *err, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct ihex_error *err, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return REC_BAD;
}

static int add_rec(struct parse *p, uint64_t addr, const uint8_t *data, size_t len,
		   unsigned long line)
{
	struct rec *r;

	if (len == 0)
		return 0;
	if (p->nrecs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		r = realloc(p->recs, cap * sizeof(*r));
		if (!r)
			return diag_error("out of memory");
		p->recs = r;
		p->cap = cap;
	}
	r = &p->recs[p->nrecs++];
	r->addr = addr;
	r->off = p->bytes.len;
	r->len = len;
	r->line = line;
	return buf_append(&p->bytes, data, len);
}

/* One line without its end (python3-intelhex's _decode_record, same order of checks). */
static int record(struct parse *p, const char *s, size_t n, unsigned long line,
		  struct ihex_error *err)
{
	uint8_t b[300];
	unsigned sum = 0, type, count, addr;
	size_t i, nb;

	if (n == 0)
		return REC_OK;
	if (s[0] != ':')
		return fail(err, line, "line does not start with ':'");
	if ((n - 1) % 2)
		return fail(err, line, "odd number of hex digits");
	nb = (n - 1) / 2;
	for (i = 0; i < nb; i++) {
		int hi = ascii_hex_digit((unsigned char)s[1 + 2 * i]);
		int lo = ascii_hex_digit((unsigned char)s[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return fail(err, line, "'%c' is not a hex digit",
				    hi < 0 ? s[1 + 2 * i] : s[2 + 2 * i]);
		if (i < sizeof(b))
			b[i] = (uint8_t)(hi << 4 | lo);
	}
	if (nb < 5)
		return fail(err, line, "record of %zu bytes, shorter than 5", nb);
	count = b[0];
	if (nb != 5 + count)
		return fail(err, line, "record length %u, but %zu data bytes", count, nb - 5);
	addr = (unsigned)b[1] << 8 | b[2];
	type = b[3];
	if (type > 5)
		return fail(err, line, "record type %02X unknown (00 to 05)", type);
	for (i = 0; i < nb - 1; i++)
		sum += b[i];
	if (((sum + b[nb - 1]) & 0xFF) != 0)
		return fail(err, line, "checksum %02X wrong, expected %02X", b[nb - 1],
			    (0x100 - (sum & 0xFF)) & 0xFF);
	switch (type) {
	case 0:
		if (add_rec(p, p->offset + addr, b + 4, count, line) < 0) {
			err->line = 0; /* out of memory: said already */
			return REC_BAD;
		}
		return REC_OK;
	case 1:
		if (count != 0)
			return fail(err, line, "end-of-file record with %u data bytes", count);
		return REC_EOF;
	case 2:
	case 4:
		if (count != 2 || addr != 0)
			return fail(err, line,
				    "type %02X record needs 2 data bytes at address 0000", type);
		p->offset = ((uint64_t)b[4] << 8 | b[5]) << (type == 2 ? 4 : 16);
		return REC_OK;
	default: /* 3, 5: start addresses, which merge-bin drops */
		if (count != 4 || addr != 0)
			return fail(err, line,
				    "type %02X record needs 4 data bytes at address 0000", type);
		if (p->has_start)
			return fail(err, line, "a second start address record");
		p->has_start = 1;
		return REC_OK;
	}
}

/* The end of the line at @pos (LF, CR LF or CR, Python's universal newlines) into *@e,
 * the start of the next into *@next. */
static void line_end(const uint8_t *t, size_t len, size_t pos, size_t *e, size_t *next)
{
	size_t i;

	for (i = pos; i < len && t[i] != '\n' && t[i] != '\r'; i++)
		;
	*e = i;
	if (i < len && t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
		i++;
	*next = i < len ? i + 1 : len;
}

static unsigned long line_of(const uint8_t *t, size_t len, size_t off)
{
	size_t pos = 0, e, next;
	unsigned long line = 0;

	while (pos < len) {
		line++;
		line_end(t, len, pos, &e, &next);
		if (off < next)
			break;
		pos = next;
	}
	return line;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The first line (in file order, as near as one sweep finds it) that gives a byte an
 * earlier line gave; 0 when none. Sorts p->recs by address. */
static unsigned long find_overlap(struct parse *p, uint64_t *at, unsigned long *first)
{
	unsigned long best = 0, end_line = 0;
	uint64_t end = 0;
	size_t i;

	if (p->nrecs > 1)
		qsort(p->recs, p->nrecs, sizeof(*p->recs), cmp_rec);
	for (i = 0; i < p->nrecs; i++) {
		const struct rec *r = &p->recs[i];

		if (i > 0 && r->addr < end) {
			unsigned long ev = r->line > end_line ? r->line : end_line;

			if (!best || ev < best) {
				best = ev;
				*at = r->addr;
				*first = r->line > end_line ? end_line : r->line;
			}
		}
		if (i == 0 || r->addr + r->len > end) {
			end = r->addr + r->len;
			end_line = r->line;
		}
	}
	return best;
}

static int build_runs(struct parse *p, struct ihex *out)
{
	size_t i, total = p->bytes.len, at = 0;

	out->data = malloc(total ? total : 1);
	out->runs = calloc(p->nrecs ? p->nrecs : 1, sizeof(*out->runs));
	if (!out->data || !out->runs)
		return diag_error("out of memory");
	for (i = 0; i < p->nrecs; i++) {
		const struct rec *r = &p->recs[i];
		struct ihex_run *last = out->n ? &out->runs[out->n - 1] : NULL;

		memcpy(out->data + at, p->bytes.data + r->off, r->len);
		if (last && last->addr + last->len == r->addr) {
			last->len += r->len;
		} else {
			out->runs[out->n].addr = r->addr;
			out->runs[out->n].data = out->data + at;
			out->runs[out->n].len = r->len;
			out->n++;
		}
		at += r->len;
	}
	out->records = p->nrecs;
	out->has_start = p->has_start;
	return 0;
}

int ihex_decode(const uint8_t *text, size_t len, struct ihex *out, struct ihex_error *err)
{
	struct parse p;
	size_t pos = 0, e, next, stop = len, limit, bad;
	unsigned long line = 0, bad_line = 0, ov_line, ov_first = 0;
	uint64_t ov_addr = 0;
	int r = REC_OK, rc = -1;
	size_t i, keep;

	memset(&p, 0, sizeof(p));
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	while (pos < len) {
		line++;
		line_end(text, len, pos, &e, &next);
		r = record(&p, (const char *)text + pos, e - pos, line, err);
		if (r != REC_OK) {
			stop = next;
			break;
		}
		pos = next;
	}
	if (r == REC_BAD && err->line == 0)
		goto out; /* out of memory */
	if (r == REC_BAD)
		bad_line = err->line;
	/* bytes that are not UTF-8 in what Python decoded: up to the end, or the end of
	 * the chunk holding the end-of-file record (a sequence cut by it is completed) */
	limit = r == REC_EOF && stop < len
		    ? (stop + PY_TEXT_CHUNK - 1) / PY_TEXT_CHUNK * PY_TEXT_CHUNK
		    : len;
	if (limit > len)
		limit = len;
	bad = utf8_check(text, limit + 3 < len ? limit + 3 : len);
	if (bad < limit) {
		/* Python fails when it decodes the chunk holding the byte: before it reads the
		 * line where that chunk starts */
		unsigned long at = line_of(text, len, bad / PY_TEXT_CHUNK * PY_TEXT_CHUNK);

		if (!bad_line || at <= bad_line) {
			bad_line = at;
			err->line = line_of(text, len, bad);
			snprintf(err->msg, sizeof(err->msg), "byte 0x%02X is not UTF-8 text",
				 text[bad]);
		}
	}
	/* records from lines before the first refused one were read */
	for (i = 0, keep = 0; i < p.nrecs; i++)
		if (!bad_line || p.recs[i].line < bad_line)
			p.recs[keep++] = p.recs[i];
	p.nrecs = keep;
	ov_line = find_overlap(&p, &ov_addr, &ov_first);
	if (ov_line) {
		err->line = ov_line;
		err->overlap = 1;
		snprintf(err->msg, sizeof(err->msg),
			 "data for 0x%llx given again (first on line %lu)",
			 (unsigned long long)ov_addr, ov_first);
		goto out;
	}
	if (bad_line)
		goto out;
	if (build_runs(&p, out) < 0) {
		ihex_free(out);
		err->line = 0;
		goto out;
	}
	rc = 0;
out:
	free(p.recs);
	buf_free(&p.bytes);
	return rc;
}

void ihex_free(struct ihex *h)
{
	free(h->runs);
	free(h->data);
	memset(h, 0, sizeof(*h));
}

/* ---- writer ---- */

struct out {
	char buf[65536];
	size_t len;
	ihex_sink sink;
	void *ctx;
};

static int flush(struct out *o)
{
	int rc = o->len ? o->sink(o->ctx, o->buf, o->len) : 0;

	o->len = 0;
	return rc;
}

/* One record ":LLAAAATT<data>CC\n" of @n bytes. */
static int put_record(struct out *o, unsigned type, unsigned addr, const uint8_t *data, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	uint8_t head[4] = {(uint8_t)n, (uint8_t)(addr >> 8), (uint8_t)addr, (uint8_t)type};
	unsigned sum = 0;
	size_t i;
	char *s;

	if (o->len + 1 + 2 * (5 + n) + 1 > sizeof(o->buf) && flush(o) < 0)
		return -1;
	s = o->buf + o->len;
	*s++ = ':';
	for (i = 0; i < 4 + n; i++) {
		uint8_t v = i < 4 ? head[i] : data[i - 4];

		*s++ = hex[v >> 4];
		*s++ = hex[v & 15];
		sum += v;
	}
	sum = (0x100 - (sum & 0xFF)) & 0xFF;
	*s++ = hex[sum >> 4];
	*s++ = hex[sum & 15];
	*s++ = '\n';
	o->len = (size_t)(s - o->buf);
	return 0;
}

int ihex_encode(const struct ihex_seg *segs, size_t n, ihex_sink sink, void *ctx)
{
	struct out *o = malloc(sizeof(*o));
	uint64_t top = 0, seg_hi = UINT64_MAX, prev_end = 0;
	size_t i, j, k = 0, off = 0;
	int rc = -1;

	if (!o)
		return diag_error("out of memory");
	o->len = 0;
	o->sink = sink;
	o->ctx = ctx;
	for (i = 0; i < n; i++) {
		if (segs[i].len == 0)
			continue;
		if (segs[i].addr < prev_end) {
			diag_error("Intel HEX: data at 0x%llx out of order",
				   (unsigned long long)segs[i].addr);
			goto out;
		}
		prev_end = top = segs[i].addr + segs[i].len;
	}
	if (top > (uint64_t)1 << 32) {
		diag_error("Intel HEX: data up to 0x%llx, beyond 32-bit addresses",
			   (unsigned long long)top);
		goto out;
	}
	/* walk the bytes in address order; k/off: the segment and offset of the cursor */
	while (k < n) {
		uint8_t rec[16];
		uint64_t cur;
		size_t got = 0, room;

		if (off == segs[k].len) {
			k++;
			off = 0;
			continue;
		}
		cur = segs[k].addr + off;
		if (top > 0x10000 && cur >> 16 != seg_hi) {
			uint8_t hi[2] = {(uint8_t)(cur >> 24), (uint8_t)(cur >> 16)};

			seg_hi = cur >> 16;
			if (put_record(o, 4, 0, hi, 2) < 0)
				goto out;
		}
		/* up to 16 bytes of this run, not across a 64 KiB boundary */
		room = (size_t)(0x10000 - (cur & 0xFFFF));
		if (room > sizeof(rec))
			room = sizeof(rec);
		while (got < room && k < n) {
			size_t take = segs[k].len - off;

			if (take > room - got)
				take = room - got;
			memcpy(rec + got, segs[k].data + off, take);
			got += take;
			off += take;
			if (off < segs[k].len)
				break;
			/* the next segment continues the run only if it starts right here */
			j = k + 1;
			while (j < n && segs[j].len == 0)
				j++;
			if (j < n && segs[j].addr == segs[k].addr + segs[k].len) {
				k = j;
				off = 0;
			} else {
				break;
			}
		}
		if (put_record(o, 0, (unsigned)(cur & 0xFFFF), rec, got) < 0)
			goto out;
	}
	if (put_record(o, 1, 0, NULL, 0) < 0 || flush(o) < 0)
		goto out;
	rc = 0;
out:
	free(o);
	return rc;
}
