/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The binary partition table (spec/partition-table.md §1): what each 32-byte row is,
 * the walk to the end marker or MD5 row, and the encoder and decoder built on them.
 * esp-imginfo's table detection uses the same walk, so both agree on what a table is.
 */
#include "parttable.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "utf8.h"

int parttable_has_magic(const uint8_t *data, size_t len)
{
	return len >= 2 && buf_get_le16(data) == PARTTABLE_MAGIC;
}

enum parttable_row parttable_row_kind(const uint8_t *p, size_t avail)
{
	size_t i;

	if (avail < PARTTABLE_ENTRY_SIZE)
		return PARTTABLE_ROW_SHORT;
	for (i = 0; i < PARTTABLE_ENTRY_SIZE && p[i] == 0xFF; i++)
		;
	if (i == PARTTABLE_ENTRY_SIZE)
		return PARTTABLE_ROW_END;
	/* only the first two bytes mark an MD5 row (§1.4 step 3) */
	if (buf_get_le16(p) == PARTTABLE_MAGIC_MD5)
		return PARTTABLE_ROW_MD5;
	return parttable_has_magic(p, avail) ? PARTTABLE_ROW_ENTRY : PARTTABLE_ROW_BAD;
}

void parttable_scan_init(struct parttable_scan *s)
{
	memset(s, 0, sizeof(*s)); /* s->covered: BUF_INIT */
}

void parttable_scan_free(struct parttable_scan *s)
{
	buf_free(&s->covered);
}

/*
 * An MD5 row covers every row before it but earlier MD5 rows: gen_esp32part.py feeds each
 * row it parses as an entry to one running MD5. Up to the first MD5 row that is the bytes
 * as they stand; past it, the rows are collected in s->covered.
 */
int parttable_scan(const uint8_t *data, size_t len, struct parttable_scan *s)
{
	enum parttable_row k;
	size_t from = 0, pos;

	if (s->started) {
		if (s->kind != PARTTABLE_ROW_MD5)
			return 0; /* nothing after the end */
		if (!s->split && buf_append(&s->covered, data, s->stop) < 0)
			return -1;
		s->split = 1;
		from = s->stop + PARTTABLE_ENTRY_SIZE;
	}
	s->started = 1;
	for (pos = from;; pos += PARTTABLE_ENTRY_SIZE) {
		/* pos < len first: no pointer arithmetic on an empty (possibly NULL) @data */
		k = pos < len ? parttable_row_kind(data + pos, len - pos) : PARTTABLE_ROW_SHORT;
		if (k != PARTTABLE_ROW_ENTRY && k != PARTTABLE_ROW_BAD)
			break;
	}
	s->stop = pos;
	s->kind = k;
	s->md5_ok = 0;
	if (k != PARTTABLE_ROW_MD5)
		return 0;
	if (!s->split) {
		hash_md5(pos ? data : (const uint8_t *)"", pos, s->md5);
	} else {
		if (buf_append(&s->covered, data + from, pos - from) < 0)
			return -1;
		hash_md5(s->covered.data ? s->covered.data : (const uint8_t *)"", s->covered.len,
			 s->md5);
	}
	s->md5_ok = memcmp(s->md5, data + pos + PARTTABLE_MD5_AT, MD5_LEN) == 0;
	return 0;
}

int parttable_encode(const struct parttable *pt, const struct parttable_config *c, struct buf *out)
{
	size_t start = out->len, len, i;
	uint8_t row[PARTTABLE_ENTRY_SIZE], md5[MD5_LEN];

	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		size_t nlen = strlen(e->name);

		if (parttable_check_range(pt, e) < 0)
			return -1;
		memset(row, 0, sizeof(row));
		buf_put_le16(row, PARTTABLE_MAGIC);
		row[2] = (uint8_t)e->type;
		row[3] = (uint8_t)e->subtype;
		buf_put_le32(row + 4, (uint32_t)e->offset);
		buf_put_le32(row + 8, (uint32_t)e->size);
		/* the label is cut to 16 bytes without a NUL, as struct '16s' does */
		memcpy(row + 12, e->name, nlen < PARTTABLE_LABEL_LEN ? nlen : PARTTABLE_LABEL_LEN);
		buf_put_le32(row + 28,
			     e->flags & (PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY));
		if (buf_append(out, row, sizeof(row)) < 0)
			return -1;
	}
	if (c->md5) {
		hash_md5(out->data ? out->data + start : (const uint8_t *)"", out->len - start,
			 md5);
		memset(row, 0xFF, sizeof(row));
		buf_put_le16(row, PARTTABLE_MAGIC_MD5);
		memcpy(row + PARTTABLE_MD5_AT, md5, MD5_LEN);
		if (buf_append(out, row, sizeof(row)) < 0)
			return -1;
	}
	len = out->len - start;
	if (len >= PARTTABLE_MAX_LEN) {
		out->len = start;
		return diag_file(
		    pt->file,
		    "Binary partition table length (%zu) longer than max (%zu entries; "
		    "at most %d fit)",
		    len, pt->n, c->md5 ? 94 : 95);
	}
	return buf_fill(out, 0xFF, PARTTABLE_MAX_LEN - len);
}

/* Python's repr() of a bytes object, for messages that quote raw bytes. */
static void bytes_repr(const uint8_t *p, size_t n, char *out, size_t outsz)
{
	size_t o = 0, i;
	int dq = 0, sq = 0;
	char q;

	for (i = 0; i < n; i++) {
		sq |= p[i] == '\'';
		dq |= p[i] == '"';
	}
	q = (sq && !dq) ? '"' : '\'';
	o += (size_t)snprintf(out + o, outsz - o, "b%c", q);
	for (i = 0; i < n && o + 6 < outsz; i++) {
		uint8_t b = p[i];

		if (b == (uint8_t)q || b == '\\')
			o += (size_t)snprintf(out + o, outsz - o, "\\%c", b);
		else if (b == '\t')
			o += (size_t)snprintf(out + o, outsz - o, "\\t");
		else if (b == '\n')
			o += (size_t)snprintf(out + o, outsz - o, "\\n");
		else if (b == '\r')
			o += (size_t)snprintf(out + o, outsz - o, "\\r");
		else if (b < 0x20 || b >= 0x7f)
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", b);
		else
			out[o++] = (char)b;
	}
	snprintf(out + o, outsz - o, "%c", q);
}

/* The entry row @r at byte @pos of the table (§1.1), appended to @pt. Returns 0 or -1. */
static int decode_row(struct parttable *pt, const uint8_t *r, size_t pos)
{
	struct parttable_entry e;
	size_t nlen;
	uint32_t flags;

	if (parttable_row_kind(r, PARTTABLE_ENTRY_SIZE) != PARTTABLE_ROW_ENTRY) {
		char repr[32];

		bytes_repr(r, 2, repr, sizeof(repr));
		return diag_file(
		    pt->file, "entry at 0x%zx: Invalid magic bytes (%s) for partition definition",
		    pos, repr);
	}
	memset(&e, 0, sizeof(e));
	e.bin_pos = (uint32_t)pos;
	for (nlen = 0; nlen < PARTTABLE_LABEL_LEN && r[12 + nlen]; nlen++)
		;
	if (!utf8_valid(r + 12, nlen))
		return diag_file(pt->file, "entry at 0x%zx: label is not valid UTF-8", pos);
	e.name = malloc(nlen + 1);
	if (!e.name)
		return diag_error("out of memory");
	memcpy(e.name, r + 12, nlen);
	e.name[nlen] = '\0';
	e.type = r[2];
	e.subtype = r[3];
	e.offset = buf_get_le32(r + 4);
	e.size = buf_get_le32(r + 8);
	e.has_offset = 1;
	flags = buf_get_le32(r + 28);
	e.flags = flags & (PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY);
	if (flags & ~(PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY))
		diag_warn_at(pt->file, 0,
			     "entry at 0x%zx: Partition definition had unknown flag(s) 0x%08" PRIx32
			     ". Newer binary format?",
			     pos, flags & ~(PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY));
	return parttable_append(pt, &e);
}

int parttable_decode(const uint8_t *data, size_t len, const struct parttable_config *c,
		     struct parttable *pt)
{
	struct parttable_scan s;
	size_t pos = 0;
	int rc = -1;

	pt->from_binary = 1;
	parttable_scan_init(&s);
	/* gen_esp32part.py reads on after a matching MD5 row, up to the end marker */
	for (;;) {
		if (parttable_scan(data, len, &s) < 0)
			goto out;
		for (; pos < s.stop; pos += PARTTABLE_ENTRY_SIZE)
			if (decode_row(pt, data + pos, pos) < 0)
				goto out;
		if (s.kind == PARTTABLE_ROW_END)
			break;
		if (s.kind == PARTTABLE_ROW_SHORT) {
			if (pos < len)
				diag_file(
				    pt->file,
				    "offset 0x%zx: Partition table length must be a multiple of "
				    "32 bytes (%zu bytes left)",
				    pos, len - pos);
			else
				diag_file(pt->file,
					  "Partition table is missing an end-of-table marker");
			goto out;
		}
		if (!c->md5) {
			/* --disable-md5sum: the row is read as an entry, and fails its magic check
			 */
			decode_row(pt, data + pos, pos);
			goto out;
		}
		if (!s.md5_ok) {
			char want[2 * MD5_LEN + 1], got[2 * MD5_LEN + 1];

			ascii_hex_encode(s.md5, MD5_LEN, want);
			ascii_hex_encode(data + pos + PARTTABLE_MD5_AT, MD5_LEN, got);
			diag_file(pt->file,
				  "offset 0x%zx: MD5 checksums don't match! (computed: 0x%s, "
				  "parsed: 0x%s)",
				  pos, want, got);
			goto out;
		}
		pt->had_md5_row = 1;
		pos += PARTTABLE_ENTRY_SIZE;
	}
	rc = 0;
out:
	parttable_scan_free(&s);
	return rc;
}
