/* SPDX-License-Identifier: Apache-2.0 */
/* ESP-IDF partition CSV, read exactly as gen_esp32part.py reads it (§2). */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

#define CSV_FIELDS 6

struct field {
	const char *s;
	size_t len;
};

static unsigned line_of(const char *text, size_t pos)
{
	unsigned line = 1;
	size_t i = 0, n;

	while (i < pos) {
		n = utf8_line_break(text + i, pos - i);
		if (n) {
			line++;
			i += n;
		} else {
			i++;
		}
	}
	return line;
}

static int is_ident(char ch, int first)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
	       (!first && ch >= '0' && ch <= '9');
}

static int fail(const struct parttable *pt, unsigned line, struct buf *msg)
{
	diag_at(pt->file, line, "%.*s", (int)msg->len, msg->data ? (char *)msg->data : "");
	buf_free(msg);
	return -1;
}

/* parse_address() of gen_esp32part.py: the special types take their offset from options. */
static int parse_offset(const struct field *f, struct parttable_entry *e, const struct parttable_config *c,
			struct buf *err)
{
	if (e->type == PARTTABLE_TYPE_BOOTLOADER && e->subtype == PARTTABLE_SUBTYPE_PRIMARY) {
		if (!c->has_primary_bootloader)
			return buf_puts(err, "Primary bootloader offset is not defined. Please use "
					     "--primary-bootloader-offset"),
			       -1;
		e->offset = c->primary_bootloader_offset;
		e->has_offset = 1;
		return 0;
	}
	if (e->type == PARTTABLE_TYPE_BOOTLOADER && e->subtype == PARTTABLE_SUBTYPE_RECOVERY) {
		if (!c->has_recovery_bootloader)
			return buf_puts(err, "Recovery bootloader offset is not defined. Please use "
					     "--recovery-bootloader-offset"),
			       -1;
		e->offset = c->recovery_bootloader_offset;
		e->has_offset = 1;
		return 0;
	}
	if (e->type == PARTTABLE_TYPE_PARTITION_TABLE && e->subtype == PARTTABLE_SUBTYPE_PRIMARY) {
		e->offset = c->table_offset;
		e->has_offset = 1;
		return 0;
	}
	if (f->len == 0)
		return 0;
	e->has_offset = 1;
	return parttable_parse_int(f->s, f->len, NULL, 0, &e->offset, err);
}

/* parse_size(): fixed for the special types, else required; negative = "ends at". */
static int parse_size(const struct field *f, struct parttable_entry *e, const struct parttable_config *c,
		      struct buf *err)
{
	if (e->type == PARTTABLE_TYPE_BOOTLOADER) {
		if (!c->has_primary_bootloader)
			return buf_puts(err, "Primary bootloader offset is not defined. Please use "
					     "--primary-bootloader-offset"),
			       -1;
		e->size = c->table_offset - c->primary_bootloader_offset;
		return 0;
	}
	if (e->type == PARTTABLE_TYPE_PARTITION_TABLE) {
		e->size = PARTTABLE_TABLE_SIZE;
		return 0;
	}
	if (f->len == 0)
		return buf_puts(err, "Size field can't be empty"), -1;
	return parttable_parse_int(f->s, f->len, NULL, 0, &e->size, err);
}

static int parse_flags(const struct field *f, struct parttable_entry *e, struct buf *err)
{
	const char *p = f->s, *end = f->s + f->len;

	/* split on ':'; pieces are not stripped and names are case-sensitive */
	while (p <= end) {
		const char *q = memchr(p, ':', (size_t)(end - p));
		size_t n;

		if (!q)
			q = end;
		n = (size_t)(q - p);
		if (n == 9 && memcmp(p, "encrypted", 9) == 0)
			e->flags |= PARTTABLE_FLAG_ENCRYPTED;
		else if (n == 8 && memcmp(p, "readonly", 8) == 0)
			e->flags |= PARTTABLE_FLAG_READONLY;
		else if (n > 0)
			return buf_printf(err, "CSV flag column contains unknown flag '%.*s'", (int)n,
					  p),
			       -1;
		p = q + 1;
	}
	return 0;
}

static int parse_row(const char *line, size_t len, const struct parttable_config *c, struct parttable_entry *e,
		     struct buf *err)
{
	struct field f[CSV_FIELDS];
	const struct parttable_subtype_list *subs;
	const struct parttable_subtype *types;
	size_t ntypes, i, start = 0, nf = 0;

	/* line + ",,,,", split on ',', every field stripped; fields past the 6th ignored */
	for (i = 0; i <= len && nf < CSV_FIELDS; i++) {
		if (i == len || line[i] == ',') {
			f[nf].s = line + start;
			f[nf].len = i - start;
			utf8_strip(&f[nf].s, &f[nf].len);
			nf++;
			start = i + 1;
		}
	}
	for (; nf < CSV_FIELDS; nf++) {
		f[nf].s = "";
		f[nf].len = 0;
	}

	memset(e, 0, sizeof(*e));
	e->name = malloc(f[0].len + 1);
	if (!e->name)
		return buf_puts(err, "out of memory"), -1;
	memcpy(e->name, f[0].s, f[0].len);
	e->name[f[0].len] = '\0';

	if (f[1].len == 0)
		return buf_puts(err, "Field 'type' can't be left empty."), -1;
	types = parttable_type_keywords(&ntypes);
	if (parttable_parse_int(f[1].s, f[1].len, types, ntypes, &e->type, err) < 0)
		return -1;

	if (f[2].len == 0) {
		if (e->type == PARTTABLE_TYPE_APP)
			return buf_puts(err, "App partition cannot have an empty subtype"), -1;
		e->subtype = PARTTABLE_SUBTYPE_DATA_UNDEFINED;
	} else {
		subs = parttable_subtypes(c, e->type);
		if (parttable_parse_int(f[2].s, f[2].len, subs ? subs->v : NULL, subs ? subs->n : 0,
				 &e->subtype, err) < 0)
			return -1;
	}
	if (parse_offset(&f[3], e, c, err) < 0 || parse_size(&f[4], e, c, err) < 0)
		return -1;
	return parse_flags(&f[5], e, err);
}

int layout_csv_parse(const uint8_t *data, size_t len, const struct parttable_config *c,
		     struct parttable *pt)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	size_t bad, pos = 0;
	unsigned line = 0;
	const char *t;
	int rc = -1;

	if (utf8_from_text(data, len, &text, &bad) < 0) {
		diag_file(pt->file, "byte 0x%zx: text is not valid UTF-16/UTF-32", bad);
		goto out;
	}
	t = text.data ? (const char *)text.data : "";
	bad = utf8_check(text.data, text.len);
	if (bad != text.len) {
		diag_at(pt->file, line_of(t, bad), "text is not valid UTF-8");
		goto out;
	}
	if (memchr(t, '\0', text.len)) {
		diag_at(pt->file, line_of(t, (size_t)((const char *)memchr(t, '\0', text.len) - t)),
			"NUL byte in text");
		goto out;
	}

	while (pos < text.len) {
		size_t end = pos, brk = 0, n;
		const char *s;
		struct parttable_entry e;

		while (end < text.len && (brk = utf8_line_break(t + end, text.len - end)) == 0)
			end++;
		line++;
		s = t + pos;
		n = end - pos;
		pos = end + brk;

		/* ${VAR} expansion is not done (output must not depend on the environment);
		 * a line that starts with $NAME is an error as it is upstream for unset names */
		if (n >= 2 && s[0] == '$' && is_ident(s[1], 1)) {
			size_t k = 2;

			while (k < n && is_ident(s[k], 0))
				k++;
			diag_at(pt->file, line,
				"unknown variable '%.*s' (environment variables are not expanded)",
				(int)(k - 1), s + 1);
			goto out;
		}
		utf8_strip(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (parse_row(s, n, c, &e, &err) < 0) {
			free(e.name);
			fail(pt, line, &err);
			goto out;
		}
		e.line = line;
		if (parttable_append(pt, &e) < 0)
			goto out;
	}
	rc = 0;
out:
	buf_free(&text);
	buf_free(&err);
	return rc;
}
