/*
 * The generator's CSV (spec/nvs.md §6) as it reads it: strict UTF-8, universal
 * newlines, '#' lines dropped, then Python's csv.DictReader over the rest.
 */
#include "nvs.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

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
			return diag_at(rd->file, rd->line,
				       "new-line character seen in unquoted field");
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
		return diag_at(csv->file, line_of(data, bad), "invalid UTF-8 (byte 0x%02x)",
			       data[bad]);
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
