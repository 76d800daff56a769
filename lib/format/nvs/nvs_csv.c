/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generator's CSV (spec/nvs.md §6) as it reads it: strict UTF-8, universal
 * newlines, '#' lines dropped, then Python's csv.DictReader over the rest.
 */
#include "nvs_int.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

/* Field text of parsed rows: blocks of at least this size, filled in turn. */
#define STORE_BLOCK ((size_t)64 << 10)

struct store_block {
	struct store_block *next;
	size_t used;
	size_t cap;
	char data[];
};

struct nvs_csv_store {
	struct store_block *head; /* the block being filled, then older ones */
};

void nvs_csv_init(struct nvs_csv *csv, const char *file)
{
	memset(csv, 0, sizeof(*csv));
	csv->file = file;
}

static void store_free(struct nvs_csv_store *st)
{
	struct store_block *b, *next;

	if (!st)
		return;
	for (b = st->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(st);
}

/* A NUL-terminated copy of @len bytes at @p in @st, or NULL (message printed). */
static char *store_dup(struct nvs_csv_store *st, const uint8_t *p, size_t len)
{
	struct store_block *b = st->head;
	char *s;

	if (!b || b->cap - b->used <= len) {
		size_t cap = len < STORE_BLOCK ? STORE_BLOCK : len + 1;

		b = malloc(sizeof(*b) + cap);
		if (!b) {
			diag_error("out of memory");
			return NULL;
		}
		b->used = 0;
		b->cap = cap;
		if (cap > STORE_BLOCK && st->head) {
			/* a field of its own: the current block stays open for the next ones */
			b->next = st->head->next;
			st->head->next = b;
		} else {
			b->next = st->head;
			st->head = b;
		}
	}
	s = b->data + b->used;
	if (len)
		memcpy(s, p, len);
	s[len] = 0;
	b->used += len + 1;
	return s;
}

void nvs_csv_free(struct nvs_csv *csv)
{
	size_t i;

	for (i = 0; !csv->store && i < csv->n; i++) {
		free(csv->v[i].key.s);
		free(csv->v[i].type.s);
		free(csv->v[i].encoding.s);
		free(csv->v[i].value.s);
	}
	store_free(csv->store);
	csv->store = NULL;
	free(csv->v);
	csv->v = NULL;
	csv->n = csv->cap = 0;
}

/*
 * One record being read: its fields one after the other in @text, each followed by
 * a NUL, @f[i] locating field i. Kept from record to record (only emptied), so that
 * reading allocates nothing per record.
 */
struct csv_rec {
	struct buf text;
	struct {
		size_t off;
		size_t len;
	} *f;
	size_t n;
	size_t cap;
	size_t cur; /* where the field being read starts in @text */
	unsigned line;
};

enum csv_state {
	CS_START_RECORD,
	CS_START_FIELD,
	CS_IN_FIELD,
	CS_IN_QUOTED,
	CS_QUOTE_IN_QUOTED,
	CS_EAT_CRNL
};

struct csv_reader {
	const char *file;
	enum csv_state state;
	size_t field_chars;
	struct csv_rec rec;
	unsigned line;
};

#define CSV_EOL (-1)

static void rec_free(struct csv_rec *r)
{
	buf_free(&r->text);
	free(r->f);
	memset(r, 0, sizeof(*r));
}

/* Empties @r for the next record, keeping its storage. */
static void rec_reset(struct csv_rec *r)
{
	r->text.len = 0;
	r->n = 0;
	r->cur = 0;
}

static const uint8_t *rec_field(const struct csv_rec *r, size_t i)
{
	return r->text.data + r->f[i].off;
}

static int save_field(struct csv_reader *rd)
{
	struct csv_rec *r = &rd->rec;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		void *f = realloc(r->f, cap * sizeof(*r->f));

		if (!f)
			return diag_error("out of memory");
		r->f = f;
		r->cap = cap;
	}
	r->f[r->n].off = r->cur;
	r->f[r->n++].len = r->text.len - r->cur;
	rd->field_chars = 0;
	if (buf_append(&r->text, "", 1) < 0)
		return -1;
	r->cur = r->text.len;
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
	return buf_append(&rd->rec.text, &b, 1);
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
			return diag_at(rd->file, rd->line,
				       "new-line character seen in unquoted field");
		return 0;
	}
	return 0;
}

static const char *const csv_columns[4] = {"key", "type", "encoding", "value"};

static int hdr_is(const struct csv_rec *hdr, size_t j, const char *name, size_t nlen)
{
	return hdr->f[j].len == nlen && memcmp(rec_field(hdr, j), name, nlen) == 0;
}

/*
 * DictReader's dict(zip(header, row)) followed by restval for short rows: the value
 * of column @name is the last cell under that name, or None (-1) when any column of
 * that name lies beyond the row's end. Returns the cell's index, -1 for None, or -2
 * when the header lacks @name.
 */
static long pick_column(const struct csv_rec *hdr, const struct csv_rec *row, const char *name)
{
	size_t j, nlen = strlen(name);
	long cell = -1;
	int found = 0;

	for (j = 0; j < hdr->n; j++) {
		if (!hdr_is(hdr, j, name, nlen))
			continue;
		found = 1;
		if (j < row->n)
			cell = (long)j;
	}
	if (!found)
		return -2;
	for (j = row->n; j < hdr->n; j++)
		if (hdr_is(hdr, j, name, nlen))
			cell = -1;
	return cell;
}

static struct nvs_field *row_field(struct nvs_row *row, size_t i)
{
	return i == 0 ? &row->key : i == 1 ? &row->type : i == 2 ? &row->encoding : &row->value;
}

static int csv_add_row(struct nvs_csv *csv, const struct csv_rec *hdr, const struct csv_rec *r)
{
	struct nvs_row *row, *above;
	size_t i;
	long cell;

	if (csv->n == csv->cap) {
		size_t cap = csv->cap ? csv->cap * 2 : 32;
		struct nvs_row *v = realloc(csv->v, cap * sizeof(*v));

		if (!v)
			return diag_error("out of memory");
		csv->v = v;
		csv->cap = cap;
	}
	row = &csv->v[csv->n];
	above = csv->n ? row - 1 : NULL;
	memset(row, 0, sizeof(*row));
	row->line = r->line;
	csv->n++;
	for (i = 0; i < 4; i++) {
		struct nvs_field *dst = row_field(row, i), *prev = above ? row_field(above, i) : NULL;
		const uint8_t *p;

		cell = pick_column(hdr, r, csv_columns[i]);
		if (cell == -2) {
			if (!csv->missing)
				csv->missing = csv_columns[i];
			continue;
		}
		if (cell < 0)
			continue;
		p = rec_field(r, (size_t)cell);
		dst->len = r->f[cell].len;
		/* type and encoding repeat from row to row: share the text */
		if (prev && prev->s && prev->len == dst->len && memcmp(prev->s, p, dst->len) == 0)
			dst->s = prev->s;
		else
			dst->s = store_dup(csv->store, p, dst->len);
		if (!dst->s)
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
	if (r->n && csv_add_row(csv, hdr, r) < 0)
		return -1;
	rec_reset(r);
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
	struct csv_rec hdr;
	int have_hdr = 0, rc = -1;
	size_t pos = 0, bad;

	memset(&rd, 0, sizeof(rd));
	memset(&hdr, 0, sizeof(hdr));
	rd.file = csv->file;
	rd.state = CS_START_RECORD;
	bad = utf8_check(data, len);
	if (bad != len)
		return diag_at(csv->file, line_of(data, bad), "invalid UTF-8 (byte 0x%02x)",
			       data[bad]);
	if (!csv->store) {
		if (csv->n)
			return diag_error("internal error: CSV rows of two kinds");
		csv->store = calloc(1, sizeof(*csv->store));
		if (!csv->store)
			return diag_error("out of memory");
	}
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
	if (rd.state == CS_IN_QUOTED || rd.rec.text.len > rd.rec.cur) {
		if (save_field(&rd) < 0 || csv_record_done(csv, &hdr, &have_hdr, &rd.rec) < 0)
			goto out;
	}
	rc = 0;
out:
	rec_free(&rd.rec);
	rec_free(&hdr);
	return rc;
}

int nvs_csv_check_value(const char *file, unsigned line, const char *what, const char *s,
			size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t bad = utf8_check(p, len);
	const char *nul = memchr(s, 0, len);

	if (bad != len)
		return diag_at(file, line, "%s: value is not valid UTF-8 (byte 0x%02x at %zu)", what,
			       p[bad], bad);
	if (nul)
		return diag_at(file, line, "%s: NUL byte in the value (at byte %zu)", what,
			       (size_t)(nul - s));
	if (nvs_val_utf8_chars(p, len) > NVS_CSV_FIELD_MAX)
		return diag_at(file, line, "%s: value larger than the CSV field limit (%d)", what,
			       NVS_CSV_FIELD_MAX);
	return 0;
}

const char *nvs_file_path_problem(const char *path, size_t len)
{
	size_t i = 0, start;

	if (len == 0)
		return "the path is empty";
	if (memchr(path, 0, len))
		return "the path holds a NUL byte";
	if (path[0] == '/')
		return "the path is absolute";
	while (i < len) {
		start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i - start == 2 && path[start] == '.' && path[start + 1] == '.')
			return "the path goes up a directory ('..')";
		i++;
	}
	return NULL;
}
