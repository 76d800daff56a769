/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices CSV of a batch: RFC 4180 records, a header row naming the columns,
 * then one device per row, named by its 'device_id' column (else the first). The
 * documented limit is a million rows, so the reader keeps the file's own bytes (fields
 * unquoted in place) and a small record per row, and finds repeated ids by sorting.
 */
#include "devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "nvs.h"
#include "utf8.h"

/* The CSV being parsed in place: fields are written back at @w, never past the byte
 * being read (a closing quote or a doubled one only shrinks a field). */
struct parser {
	struct devices *d;
	uint8_t *t;
	size_t len;
	size_t w;	    /* where the next byte of the current field goes */
	size_t field_start; /* where the current field began */
	struct devices_row cur;
	int have_header;
};

static int add_row(struct parser *p)
{
	struct devices *d = p->d;

	if (d->n >= DEVICES_MAX)
		return diag_at(d->file, p->cur.line, "too many devices (at most %d)", DEVICES_MAX);
	if (d->n == d->cap) {
		uint8_t *mem = (uint8_t *)d->rows;
		size_t bytes = d->cap * sizeof(*d->rows), need = (d->n + 1) * sizeof(*d->rows);

		if (buf_grow(&mem, &bytes, need, 64 * sizeof(*d->rows)) < 0)
			return -1;
		d->rows = (struct devices_row *)mem;
		d->cap = bytes / sizeof(*d->rows);
	}
	d->rows[d->n++] = p->cur;
	return 0;
}

/* The first record names the columns; the names point into the text. */
static int set_header(struct parser *p)
{
	struct devices *d = p->d;
	const char *s = (const char *)p->t + p->cur.off;
	size_t i;

	d->names = malloc(p->cur.nfields * sizeof(*d->names));
	if (!d->names)
		return diag_error("out of memory");
	for (i = 0; i < p->cur.nfields; i++) {
		d->names[i] = s;
		s += strlen(s) + 1;
	}
	d->ncols = p->cur.nfields;
	d->header_line = p->cur.line;
	p->have_header = 1;
	return 0;
}

static int end_record(struct parser *p)
{
	return p->have_header ? add_row(p) : set_header(p);
}

/* A NUL would end the value early (ESP\0EVIL read as ESP): refused as
 * nvs_csv_check_value() words it, found here since fields end in a NUL. */
static int nul_byte(const struct parser *p)
{
	const struct devices *d = p->d;
	unsigned k = p->cur.nfields;
	size_t at = p->w - p->field_start;

	if (!p->have_header)
		return diag_at(d->file, p->cur.line, "NUL byte in the header");
	if (k < d->ncols)
		return diag_at(d->file, p->cur.line,
			       "column '%s': NUL byte in the value (at byte %zu)", d->names[k], at);
	return diag_at(d->file, p->cur.line, "field %u: NUL byte in the value (at byte %zu)", k + 1,
		       at);
}

/* RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
static int parse_csv(struct parser *p)
{
	const char *file = p->d->file;
	uint8_t *t = p->t;
	size_t i = 0, len = p->len;
	unsigned line = 1;
	int quoted = 0, was_quoted = 0;

	p->cur.line = 1;
	while (i <= len) {
		uint8_t c = i < len ? t[i] : '\n';

		if (quoted) {
			if (i == len)
				return diag_at(file, p->cur.line, "quoted field is not closed");
			if (c == '"' && i + 1 < len && t[i + 1] == '"') {
				t[p->w++] = '"';
				i += 2;
				continue;
			}
			if (c == '"') {
				quoted = 0;
				i++;
				continue;
			}
			if (c == '\n')
				line++;
			if (c == 0)
				return nul_byte(p);
			t[p->w++] = c;
			i++;
			continue;
		}
		if (c == '"' && p->w == p->field_start && !was_quoted) {
			quoted = was_quoted = 1;
			i++;
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r') {
			int end_of_record = c != ',';

			if (c == '\r' && i + 1 < len && t[i + 1] == '\n')
				i++;
			/* a blank line (or the end after a final newline) is no record */
			if (end_of_record && p->cur.nfields == 0 && p->w == p->field_start &&
			    !was_quoted) {
				i++;
				line++;
				p->cur.line = line;
				continue;
			}
			if (p->cur.nfields >= DEVICES_MAX_COLUMNS)
				return diag_at(file, p->cur.line, "too many columns (at most %d)",
					       DEVICES_MAX_COLUMNS);
			t[p->w++] = 0;
			p->cur.nfields++;
			p->field_start = p->w;
			was_quoted = 0;
			i++;
			if (!end_of_record)
				continue;
			if (end_record(p) < 0)
				return -1;
			line++;
			p->cur.off = (uint32_t)p->w;
			p->cur.nfields = 0;
			p->cur.line = line;
			continue;
		}
		if (was_quoted)
			return diag_at(file, p->cur.line, "text after a closing quote");
		if (c == 0)
			return nul_byte(p);
		t[p->w++] = c;
		i++;
	}
	return 0;
}

static int id_ok(const char *s)
{
	const char *p;

	if (!*s || *s == '.')
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return p - s <= 128;
}

/* Field @k of row @r (which has it). */
static const char *field(const struct devices *d, const struct devices_row *r, size_t k)
{
	const char *s = (const char *)d->text.data + r->off;

	while (k--)
		s += strlen(s) + 1;
	return s;
}

const char *devices_id(const struct devices *d, size_t i)
{
	return field(d, &d->rows[i], d->id_col);
}

void devices_get(const struct devices *d, size_t i, const char **values, struct content_device *dev)
{
	const char *s = (const char *)d->text.data + d->rows[i].off;
	size_t k;

	for (k = 0; k < d->ncols; k++) {
		values[k] = s;
		s += strlen(s) + 1;
	}
	dev->id = values[d->id_col];
	dev->file = d->file;
	dev->line = d->rows[i].line;
	dev->names = d->names;
	dev->values = values;
	dev->ncols = d->ncols;
}

static int check_header(const struct devices *d)
{
	size_t i, j;

	for (i = 0; i < d->ncols; i++) {
		if (!d->names[i][0])
			return diag_at(d->file, d->header_line, "column %zu has no name", i + 1);
		if (!utf8_valid((const uint8_t *)d->names[i], strlen(d->names[i])))
			return diag_at(d->file, d->header_line,
				       "column %zu: name is not valid UTF-8", i + 1);
		/* at most 256 names: pairs are cheap */
		for (j = 0; j < i; j++)
			if (strcmp(d->names[i], d->names[j]) == 0)
				return diag_at(d->file, d->header_line, "column '%s' appears twice",
					       d->names[i]);
	}
	return 0;
}

/* Digits of at most 9 characters at *@p (no sign, no space), moving @p past them. */
static int shard_number(const char **p, unsigned *v)
{
	unsigned x = 0;
	int n = 0;

	while (**p >= '0' && **p <= '9' && n < 9) {
		x = x * 10 + (unsigned)(**p - '0');
		(*p)++;
		n++;
	}
	if (v)
		*v = x;
	return n > 0 && !(**p >= '0' && **p <= '9');
}

int devices_shard_name(const char *name, const char *stem, unsigned *k, unsigned *n)
{
	size_t len = strlen(stem);
	const char *p = name;

	if (strncmp(p, stem, len) != 0 || p[len] != '-')
		return 0;
	p += len + 1;
	if (!shard_number(&p, k) || strncmp(p, "-of-", 4) != 0)
		return 0;
	p += 4;
	return shard_number(&p, n) && strcmp(p, ".csv") == 0;
}

/* Everything about one row but whether its id repeats another's. */
/* How messages name column k: "column 'NAME'", made once for every row. */
#define WHAT_LEN 300

static int check_row(const struct devices *d, const struct devices_row *r, const char *whats)
{
	const char *id, *s;
	size_t k, n;

	if (r->nfields != d->ncols)
		return diag_at(d->file, r->line, "%u fields, but the header names %zu columns (%s)",
			       r->nfields, d->ncols,
			       r->nfields < d->ncols ? "a column is missing" : "one too many");
	id = field(d, r, d->id_col);
	if (!id_ok(id))
		return diag_at(d->file, r->line,
			       "column '%s': device id '%s' is not usable as a file name "
			       "(letters, digits, '-', '_', '.'; not starting with '.')",
			       d->names[d->id_col], id);
	if (strcmp(id, DEVICES_INDEX_NAME) == 0)
		return diag_at(d->file, r->line,
			       "column '%s': device id '%s' is reserved (OUTDIR/%s is the "
			       "batch's index)",
			       d->names[d->id_col], id, DEVICES_INDEX_NAME);
	if (strcmp(id, DEVICES_KEYS_NAME) == 0)
		return diag_at(d->file, r->line,
			       "column '%s': device id '%s' is reserved (OUTDIR/%s is the "
			       "batch's index of key files)",
			       d->names[d->id_col], id, DEVICES_KEYS_NAME);
	if (strcmp(id, DEVICES_COMMON_NAME) == 0)
		return diag_at(d->file, r->line,
			       "column '%s': device id '%s' is reserved (OUTDIR/%s holds the "
			       "regions every device shares in --output-mode regions)",
			       d->names[d->id_col], id, DEVICES_COMMON_NAME);
	if (devices_shard_name(id, "index", NULL, NULL) || devices_shard_name(id, "keys", NULL, NULL))
		return diag_at(d->file, r->line,
			       "column '%s': device id '%s' is reserved (the name of a shard's "
			       "index in OUTDIR)",
			       d->names[d->id_col], id);
	/* values fill the NVS CSV's fields: text that CSV's reader would take */
	s = (const char *)d->text.data + r->off;
	for (k = 0; k < d->ncols; k++) {
		n = strlen(s);
		if (nvs_csv_check_value(d->file, r->line, whats + k * WHAT_LEN, s, n) < 0)
			return -1;
		s += n + 1;
	}
	return 0;
}

struct id_ref {
	const char *id;
	size_t row;
};

static int id_ref_cmp(const void *a, const void *b)
{
	const struct id_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->row < y->row ? -1 : x->row > y->row;
}

/*
 * The first row (in file order) whose id an earlier row has, in *@dup (d->n: none), and
 * that earlier row in *@first: ids sorted with their row numbers, so the second entry
 * of each run of equal ids is a candidate. Rows too short to have an id are left out
 * (check_row() refuses them). Returns 0, or -1 when out of memory.
 */
static int find_repeat(const struct devices *d, size_t *dup, size_t *first)
{
	struct id_ref *v = malloc((d->n ? d->n : 1) * sizeof(*v));
	size_t i, m = 0;

	*dup = d->n;
	*first = 0;
	if (!v)
		return diag_error("out of memory");
	for (i = 0; i < d->n; i++) {
		if (d->rows[i].nfields <= d->id_col)
			continue;
		v[m].id = devices_id(d, i);
		v[m].row = i;
		m++;
	}
	qsort(v, m, sizeof(*v), id_ref_cmp);
	for (i = 1; i < m; i++)
		if (strcmp(v[i].id, v[i - 1].id) == 0 && v[i].row < *dup &&
		    (i < 2 || strcmp(v[i - 1].id, v[i - 2].id) != 0)) {
			*dup = v[i].row;
			*first = v[i - 1].row;
		}
	free(v);
	return 0;
}

int devices_load(const char *file, struct devices *d)
{
	struct parser p;
	size_t i, dup, first;
	char *whats;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->file = file;
	if (fileio_read(file, FILEIO_MAX_INPUT, &d->text) < 0)
		return -1;
	/* room for the NUL that ends a last field with no line break after it */
	if (buf_reserve(&d->text, 1) < 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.d = d;
	p.t = d->text.data;
	p.len = d->text.len;
	if (parse_csv(&p) < 0)
		return -1;
	if (!p.have_header)
		return diag_file(file, "no header row");
	for (i = 0; i < d->ncols; i++)
		if (strcmp(d->names[i], "device_id") == 0)
			d->id_col = i;
	if (check_header(d) < 0 || find_repeat(d, &dup, &first) < 0)
		return -1;
	whats = malloc(d->ncols * WHAT_LEN);
	if (!whats)
		return diag_error("out of memory");
	for (i = 0; i < d->ncols; i++)
		snprintf(whats + i * WHAT_LEN, WHAT_LEN, "column '%s'", d->names[i]);
	/* rows in file order, so the first bad row is the one reported */
	for (i = 0; i < d->n && i <= dup && rc == 0; i++)
		rc = check_row(d, &d->rows[i], whats);
	free(whats);
	if (rc < 0)
		return -1;
	if (dup < d->n)
		return diag_at(file, d->rows[dup].line,
			       "column '%s': device id '%s' repeats line %u", d->names[d->id_col],
			       devices_id(d, dup), d->rows[first].line);
	if (d->n == 0)
		return diag_file(file, "no devices");
	return 0;
}

void devices_free(struct devices *d)
{
	buf_free(&d->text);
	free(d->names);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}
