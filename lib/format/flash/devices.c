/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devices CSV of a batch: RFC 4180 records, a header row naming the columns,
 * then one device per row, named by its 'device_id' column (else the first).
 */
#include "devices.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"

static void row_free(struct devices_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i]);
	free(r->f);
}

static int row_add(struct devices_row *r, struct buf *field)
{
	char **v;

	if (r->n >= DEVICES_MAX_COLUMNS)
		return -1;
	v = realloc(r->f, (r->n + 1) * sizeof(*v));
	if (!v || buf_append(field, "", 1) < 0) {
		free(v == r->f ? NULL : v);
		return -1;
	}
	r->f = v;
	r->f[r->n++] = (char *)field->data;
	memset(field, 0, sizeof(*field));
	return 0;
}

/* RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
static int parse_csv(const char *file, const char *t, size_t len, struct devices *d)
{
	struct buf field = BUF_INIT;
	struct devices_row cur = {NULL, 0, 1};
	unsigned line = 1;
	size_t i = 0;
	int quoted = 0, was_quoted = 0, have_header = 0, rc = 0;

	while (i <= len) {
		char c = i < len ? t[i] : '\n';

		if (quoted) {
			if (i == len) {
				rc = diag_at(file, cur.line, "quoted field is not closed");
				goto out;
			}
			if (c == '"' && i + 1 < len && t[i + 1] == '"') {
				buf_append(&field, "\"", 1);
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
			buf_append(&field, &c, 1);
			i++;
			continue;
		}
		if (c == '"' && field.len == 0 && !was_quoted) {
			quoted = was_quoted = 1;
			i++;
			continue;
		}
		if (c == ',' || c == '\n' || c == '\r') {
			int end_of_record = c != ',';

			if (c == '\r' && i + 1 < len && t[i + 1] == '\n')
				i++;
			/* a blank line (or the end after a final newline) is no record */
			if (end_of_record && cur.n == 0 && field.len == 0 && !was_quoted) {
				i++;
				line++;
				cur.line = line;
				continue;
			}
			if (row_add(&cur, &field) < 0) {
				rc = diag_at(file, cur.line, "too many columns (at most %d)",
					     DEVICES_MAX_COLUMNS);
				goto out;
			}
			was_quoted = 0;
			i++;
			if (!end_of_record)
				continue;
			if (!have_header) {
				d->header = cur;
				have_header = 1;
			} else {
				struct devices_row *v;

				if (d->n >= DEVICES_MAX) {
					rc = diag_at(file, cur.line, "too many devices");
					goto out;
				}
				v = realloc(d->rows, (d->n + 1) * sizeof(*v));
				if (!v) {
					rc = diag_error("out of memory");
					goto out;
				}
				d->rows = v;
				d->rows[d->n++] = cur;
			}
			line++;
			memset(&cur, 0, sizeof(cur));
			cur.line = line;
			continue;
		}
		if (was_quoted) {
			rc = diag_at(file, cur.line, "text after a closing quote");
			goto out;
		}
		buf_append(&field, &c, 1);
		i++;
	}
out: /* on an error too: the field and row being read */
	buf_free(&field);
	row_free(&cur);
	return rc;
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

int devices_load(const char *file, struct devices *d)
{
	struct buf data = BUF_INIT;
	size_t i, j;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	d->file = file;
	if (fileio_read(file, FILEIO_MAX_INPUT, &data) < 0)
		return -1;
	if (parse_csv(file, data.data ? (const char *)data.data : "", data.len, d) < 0)
		goto out;
	if (d->header.n == 0) {
		diag_file(file, "no header row");
		goto out;
	}
	for (i = 0; i < d->header.n; i++) {
		if (!d->header.f[i][0]) {
			diag_at(file, d->header.line, "column %zu has no name", i + 1);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(d->header.f[i], d->header.f[j]) == 0) {
				diag_at(file, d->header.line, "column '%s' appears twice",
					d->header.f[i]);
				goto out;
			}
		if (strcmp(d->header.f[i], "device_id") == 0)
			d->id_col = i;
	}
	for (i = 0; i < d->n; i++) {
		const struct devices_row *r = &d->rows[i];

		if (r->n != d->header.n) {
			diag_at(file, r->line, "%zu fields, but the header names %zu columns (%s)",
				r->n, d->header.n,
				r->n < d->header.n ? "a column is missing" : "one too many");
			goto out;
		}
		if (!id_ok(r->f[d->id_col])) {
			diag_at(
			    file, r->line,
			    "column '%s': device id '%s' is not usable as a file name (letters, "
			    "digits, '-', '_', '.'; not starting with '.')",
			    d->header.f[d->id_col], r->f[d->id_col]);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (strcmp(d->rows[j].f[d->id_col], r->f[d->id_col]) == 0) {
				diag_at(file, r->line,
					"column '%s': device id '%s' repeats line %u",
					d->header.f[d->id_col], r->f[d->id_col], d->rows[j].line);
				goto out;
			}
	}
	if (d->n == 0) {
		diag_file(file, "no devices");
		goto out;
	}
	rc = 0;
out:
	buf_free(&data);
	return rc;
}

void devices_free(struct devices *d)
{
	size_t i;

	row_free(&d->header);
	for (i = 0; i < d->n; i++)
		row_free(&d->rows[i]);
	free(d->rows);
}


void devices_get(const struct devices *d, size_t i, struct content_device *dev)
{
	dev->id = d->rows[i].f[d->id_col];
	dev->file = d->file;
	dev->line = d->rows[i].line;
	dev->names = (const char *const *)d->header.f;
	dev->values = (const char *const *)d->rows[i].f;
	dev->ncols = d->header.n;
}
