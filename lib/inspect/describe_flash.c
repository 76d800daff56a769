/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole flash images (spec/flash-layout.md) for imginfo: the bootloader, the partition
 * table, each partition's content by its type (app, otadata, NVS, else raw bytes), and
 * the bytes no partition covers. The file may start later in flash (merge-bin
 * --target-offset): the bootloader's chip tells where.
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "diag.h"
#include "node.h"
#include "otadata.h"

/* Where the bootloader may start in a flash image (spec/flash-layout.md §1). */
static const size_t bootloader_offsets[] = {0x0, 0x1000, 0x2000};

/* The bootloader before the table at @table_off, in the @len bytes of the file. */
static void find_bootloader(const uint8_t *data, size_t len, size_t table_off,
			    struct describe_boot *b)
{
	struct describe_app_facts f;
	size_t k;

	memset(b, 0, sizeof(*b));
	for (k = 0; k < sizeof(bootloader_offsets) / sizeof(bootloader_offsets[0]); k++) {
		size_t off = bootloader_offsets[k];
		const struct chip *chip = NULL;

		if (off >= table_off ||
		    describe_app_probe(data + off, table_off - off, NULL, &chip) < 0 || !chip)
			continue;
		b->found = 1;
		b->off = off;
		b->chip = chip;
		/* merge-bin --target-offset: the file starts later in flash */
		if (chip->bootloader_offset > off)
			b->target = chip->bootloader_offset - off;
		return;
	}
	/* none ends before the table: one that runs into it does not decode in its room */
	for (k = 0; k < sizeof(bootloader_offsets) / sizeof(bootloader_offsets[0]); k++) {
		size_t off = bootloader_offsets[k];

		if (off < table_off && describe_app_facts(data + off, len - off, &f) == 0 &&
		    off + f.end > table_off) {
			b->overlap_off = off;
			b->overlap_end = off + f.end;
			return;
		}
	}
}

static void describe_raw(struct imginfo_node *n, const uint8_t *data, size_t len, uint64_t base)
{
	node_set_class(n, IMGINFO_CLASS_CONTENT);
	node_str(n, "kind", "%s", node_erased(data, len) ? "erased" : "data");
	describe_bytes(n, data, len, base);
	if (n) {
		free(n->line);
		n->line = NULL;
	}
}

/* A partition's content: what its type says it holds when it decodes, else raw bytes. */
static void describe_content(struct describe_ctx *c, struct imginfo_node *n,
			     const struct parttable_entry *e, const uint8_t *data, size_t len,
			     uint64_t base, const struct describe_ota_slots *slots)
{
	char where[64];
	int saved = c->quiet;
	int app = e->type == PARTTABLE_TYPE_APP && appimage_has_magic(data, len);
	enum imginfo_kind fs = e->subtype >= 0 && e->subtype <= 0xFF
				   ? describe_fs_subtype((uint8_t)e->subtype)
				   : IMGINFO_UNKNOWN;

	snprintf(where, sizeof(where), "partition %s", e->name);
	c->quiet = 1;
	if (app && describe_app(c, n, data, len, base, IMGINFO_APP, where) == 0)
		goto out;
	if (e->type == PARTTABLE_TYPE_DATA && e->subtype == PARTTABLE_SUBTYPE_DATA_OTA &&
	    len >= OTADATA_MIN_SIZE) {
		describe_otadata(c, n, data, len, base, slots, where);
		goto out;
	}
	if (e->type == PARTTABLE_TYPE_DATA && e->subtype == PARTTABLE_SUBTYPE_DATA_NVS &&
	    describe_nvs_like(data, len) && describe_nvs(c, n, data, len, base) == 0)
		goto out;
	/* an erased one is not formatted yet: the device does that on first mount */
	if (e->type == PARTTABLE_TYPE_DATA && fs != IMGINFO_UNKNOWN && !node_erased(data, len) &&
	    describe_fs(c, n, fs, data, len, base, where) == 0)
		goto out;
	if (n && app)
		describe_problem(c, "app-decode", base, where, "app image does not decode");
	describe_raw(n, data, len, base);
out:
	c->quiet = saved;
}

static int span_cmp(const void *a, const void *b)
{
	const struct describe_span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Every partition, the part of it the file holds described by content, into @parts
 * (one per entry). The file ranges described are added to @spans. */
static void describe_partitions(struct describe_ctx *c, struct imginfo_node *root,
				const uint8_t *data, size_t len, const struct parttable *pt,
				uint64_t target, struct describe_part *parts,
				struct describe_span *spans, size_t *nspan)
{
	struct describe_ota_slots slots;
	struct imginfo_node *list;
	size_t i;

	describe_ota_slots(pt, &slots);
	list = node_set_class(node_list(root, "partitions"), IMGINFO_CLASS_CONTENT);
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		struct imginfo_node *it = node_item(list, e->name, NULL), *cn;
		uint64_t start = (uint64_t)e->offset, end = start + (uint64_t)e->size;
		uint64_t from = start >= target ? start - target : 0;
		uint64_t to = end >= target ? end - target : 0;
		size_t before = c->problems ? c->problems->nkids : 0;

		node_set_flags(node_cstr(it, "name", e->name), IMGINFO_F_NODIFF);
		node_uint(it, "flash_offset", start, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
		node_uint(it, "size", (uint64_t)e->size, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
		if (from >= len || to <= from) {
			node_str(it, "in_image", "no (beyond the end of the file)");
			continue;
		}
		if (to > len)
			to = len;
		parts[i].file = (struct describe_span){(size_t)from, (size_t)to};
		node_uint(it, "in_image", to - from, IMGINFO_F_HEX | IMGINFO_F_NODIFF,
			  to - from < (uint64_t)e->size ? "the file ends inside" : NULL);
		/* the table's own entries (ESP-IDF >= 5.3) are described above */
		if (e->type == PARTTABLE_TYPE_BOOTLOADER ||
		    e->type == PARTTABLE_TYPE_PARTITION_TABLE) {
			node_str(it, "content", "see above");
			continue;
		}
		cn = node_obj(it, "content");
		describe_content(c, cn, e, data + from, (size_t)(to - from), from, &slots);
		spans[(*nspan)++] = (struct describe_span){(size_t)from, (size_t)to};
		parts[i].problems = (c->problems ? c->problems->nkids : 0) - before;
	}
}

void describe_uncovered(const uint8_t *data, size_t len, struct describe_span *spans, size_t nspan,
			void (*fn)(void *ctx, size_t from, size_t to), void *ctx)
{
	size_t i, pos = 0;

	qsort(spans, nspan, sizeof(*spans), span_cmp);
	for (i = 0; i <= nspan; i++) {
		size_t end = i < nspan ? spans[i].from : len;

		if (end > pos && !node_erased(data + pos, end - pos))
			fn(ctx, pos, end);
		if (i < nspan && spans[i].to > pos)
			pos = spans[i].to;
	}
}

struct gap_ctx {
	struct imginfo_node *list;
	const uint8_t *data;
};

static void describe_gap(void *ctx, size_t from, size_t to)
{
	struct gap_ctx *g = ctx;
	struct imginfo_node *it;
	char label[48];

	snprintf(label, sizeof(label), "0x%zx-0x%zx", from, to);
	it = node_item(g->list, label, NULL);
	node_uint(it, "file_offset", from, IMGINFO_F_HEX, NULL);
	describe_bytes(it, g->data + from, to - from, from);
	node_line(it, "0x%zx-0x%zx: 0x%zx bytes, not erased", from, to, to - from);
}

/* Bytes no span covers that are not erased. */
static void describe_gaps(struct imginfo_node *root, const uint8_t *data, size_t len,
			  struct describe_span *spans, size_t nspan)
{
	struct gap_ctx g = {NULL, data};

	g.list = node_set_class(node_list(root, "other_regions"), IMGINFO_CLASS_CONTENT);
	describe_uncovered(data, len, spans, nspan, describe_gap, &g);
}

int describe_flash(struct describe_ctx *c, struct imginfo_node *root, const uint8_t *data,
		   size_t len)
{
	size_t table_off = describe_parttable_find(data, len), table_len, nspan = 0;
	struct describe_table t;
	struct describe_boot boot;
	struct describe_flash_view view;
	struct describe_part *parts;
	struct imginfo_node *n;
	struct describe_span *spans;

	if (!table_off)
		return diag_file(c->file, "no partition table found in the flash image");
	if (describe_parttable_decode(data + table_off, len - table_off, c->file, 0, &t) < 0)
		return -1;
	table_len = len - table_off < PARTTABLE_MAX_LEN ? len - table_off : PARTTABLE_MAX_LEN;
	find_bootloader(data, len, table_off, &boot);
	node_set_flags(root, IMGINFO_F_SCOPE);
	node_str(root, "kind", "%s", imginfo_kind_name(IMGINFO_FLASH));
	node_str(root, "chip", "%s", boot.chip ? boot.chip->name : "unknown");
	node_uint(root, "size", len, IMGINFO_F_HEX, NULL);
	node_uint(root, "flash_offset_of_file", boot.target, IMGINFO_F_HEX, NULL);

	/* bootloader, table and partitions: at most 2 + pt.n ranges */
	spans = calloc(t.pt.n + 2, sizeof(*spans));
	parts = calloc(t.pt.n ? t.pt.n : 1, sizeof(*parts));
	if (!spans || !parts) {
		free(spans);
		free(parts);
		describe_parttable_free(&t);
		return diag_error("out of memory");
	}
	n = node_obj(root, "bootloader");
	if (boot.found) {
		node_uint(n, "flash_offset", boot.target + boot.off, IMGINFO_F_HEX | IMGINFO_F_POS,
			  NULL);
		describe_app(c, n, data + boot.off, table_off - boot.off, boot.off,
			     IMGINFO_BOOTLOADER, "bootloader");
		spans[nspan++] = (struct describe_span){boot.off, table_off};
	} else {
		node_line(n, "none found at 0x0, 0x1000 or 0x2000");
	}

	n = node_obj(root, "partition_table");
	node_uint(n, "flash_offset", boot.target + table_off, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	describe_parttable(c, n, data + table_off, table_len, &t, table_off, "partition table");
	/* the rest of the table's sector is left to other_regions */
	spans[nspan++] = (struct describe_span){table_off, table_off + table_len};

	describe_partitions(c, root, data, len, &t.pt, boot.target, parts, spans, &nspan);
	describe_gaps(root, data, len, spans, nspan);
	if (describe_checking(c)) {
		view = (struct describe_flash_view){data, len, table_off, &t.pt, &boot, parts};
		describe_check_flash(c, &view);
	}
	free(spans);
	free(parts);
	describe_parttable_free(&t);
	return 0;
}
