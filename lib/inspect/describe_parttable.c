/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition tables (spec/partition-table.md) for imginfo: finding one in a flash image,
 * its entries as gen_esp32part.py prints them, the MD5 row's verdict, and the bytes
 * after the rows. Rows, magics and the MD5 check are parttable_scan()'s.
 */
#include "describe.h"

#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "node.h"

int describe_parttable_decode(const uint8_t *data, size_t len, const char *file, int quiet,
			      struct describe_table *t)
{
	struct parttable_config cfg;
	struct buf sink = BUF_INIT, copy = BUF_INIT;
	int rc = -1;

	parttable_init(&t->pt, file);
	parttable_scan_init(&t->rows);
	if (len > PARTTABLE_MAX_LEN)
		len = PARTTABLE_MAX_LEN;
	if (!parttable_has_magic(data, len)) {
		if (!quiet)
			diag_file(file, "no partition table (magic AA 50 missing)");
		return -1;
	}
	if (parttable_config_init(&cfg) < 0)
		goto out;
	/* the rows alone and an end marker: a wrong MD5 row is described, not fatal */
	if (parttable_scan(data, len, &t->rows) < 0 || buf_append(&copy, data, t->rows.stop) < 0 ||
	    buf_fill(&copy, 0xFF, PARTTABLE_ENTRY_SIZE) < 0)
		goto out;
	if (quiet)
		diag_capture_begin(&sink);
	rc = parttable_decode(copy.data, copy.len, &cfg, &t->pt);
	if (quiet)
		diag_capture_end();
	if (rc == 0 && t->pt.n == 0) {
		if (!quiet)
			diag_file(file, "partition table has no entries");
		rc = -1;
	}
out:
	if (rc < 0)
		describe_parttable_free(t);
	parttable_config_free(&cfg);
	buf_free(&copy);
	buf_free(&sink);
	return rc;
}

void describe_parttable_free(struct describe_table *t)
{
	parttable_free(&t->pt);
	parttable_scan_free(&t->rows);
}

int describe_parttable_at(const uint8_t *data, size_t len)
{
	struct describe_table t;
	int ok;

	if (len < PARTTABLE_ENTRY_SIZE || !parttable_has_magic(data, len))
		return 0;
	if (describe_parttable_decode(data, len, NULL, 1, &t) < 0)
		return 0;
	/* a wrong MD5 row: not trusted while probing */
	ok = t.rows.kind != PARTTABLE_ROW_MD5 || t.rows.md5_ok;
	describe_parttable_free(&t);
	return ok;
}

size_t describe_parttable_find(const uint8_t *data, size_t len)
{
	size_t off;

	if (len > PARTTABLE_DEFAULT_OFFSET &&
	    describe_parttable_at(data + PARTTABLE_DEFAULT_OFFSET, len - PARTTABLE_DEFAULT_OFFSET))
		return PARTTABLE_DEFAULT_OFFSET;
	for (off = 0x1000; off < len; off += 0x1000) {
		if (describe_parttable_at(data + off, len - off))
			return off;
	}
	return 0;
}

/* The MD5 row, when there is one: stored digest and verdict. */
static void describe_md5(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data,
			 const struct parttable_scan *rows, uint64_t base, const char *where)
{
	int has = rows->kind == PARTTABLE_ROW_MD5;

	/* follows the entries */
	describe_digest(c, node_set_flags(node_obj(n, "md5"), IMGINFO_F_DERIVED), "MD5",
			"table-md5", has ? data + rows->stop + PARTTABLE_MD5_AT : NULL, rows->md5,
			MD5_LEN, 0, where, base + rows->stop);
}

/* The rows of the CSV text gen_esp32part.py prints for @pt (after its two comment lines),
 * in @csv; NULL when that failed. */
static const char *csv_rows(const struct parttable *pt, const struct parttable_config *cfg,
			    struct buf *csv)
{
	const char *line = NULL;
	int i;

	if (parttable_format_csv(pt, cfg, csv) == 0 && buf_fill(csv, 0, 1) == 0) {
		line = (const char *)csv->data;
		for (i = 0; i < 2 && line; i++) {
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	}
	return line;
}

void describe_parttable(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data,
			size_t len, const struct describe_table *t, uint64_t base,
			const char *where)
{
	const struct parttable *pt = &t->pt;
	struct parttable_config cfg;
	struct buf csv = BUF_INIT;
	struct imginfo_node *l;
	const char *line;
	size_t i, end = t->rows.stop;

	node_set_class(n, IMGINFO_CLASS_PARTITION);
	if (parttable_config_init(&cfg) < 0) {
		node_set_flags(n, IMGINFO_F_OOM);
		return;
	}
	line = csv_rows(pt, &cfg, &csv);
	node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_PARTTABLE));
	node_uint(n, "file_offset", base, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_uint(n, "entry_count", pt->n, 0, NULL);
	describe_md5(c, n, data, &t->rows, base, where);
	l = node_list(n, "entries");
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		const char *flags = parttable_flags_text(e->flags), *nl;
		struct imginfo_node *it = node_item(l, e->name, NULL);

		node_cstr(it, "name", e->name);
		node_uint(it, "type", (uint64_t)e->type, IMGINFO_F_HEX,
			  parttable_type_name(e->type));
		node_uint(it, "subtype", (uint64_t)e->subtype, IMGINFO_F_HEX,
			  parttable_subtype_name(&cfg, e->type, e->subtype));
		node_uint(it, "offset", (uint64_t)e->offset, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		node_uint(it, "size", (uint64_t)e->size, IMGINFO_F_HEX, NULL);
		node_uint(it, "flags", e->flags, IMGINFO_F_HEX, *flags ? flags : NULL);
		nl = line ? strchr(line, '\n') : NULL;
		if (nl) {
			node_line(it, "%.*s", (int)(nl - line), line);
			line = nl + 1;
		} else {
			node_line(it, "%s, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%x", e->name,
				  (unsigned long long)e->type, (unsigned long long)e->subtype,
				  (unsigned long long)e->offset, (unsigned long long)e->size,
				  e->flags);
		}
	}
	/* bytes after the rows and the MD5 row: normally 0xFF */
	if (t->rows.kind == PARTTABLE_ROW_MD5)
		end += PARTTABLE_ENTRY_SIZE;
	if (n && end < len) {
		struct imginfo_node *rest = node_obj(n, "rest");

		node_uint(rest, "file_offset", base + end, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		describe_bytes(rest, data + end, len - end, base + end);
	}
	buf_free(&csv);
	parttable_config_free(&cfg);
}
