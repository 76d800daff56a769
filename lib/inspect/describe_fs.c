/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-system partitions (spec/filesystems.md) for imginfo: the files they hold, each
 * one path, size and SHA-256, so that a diff names the file that changed. The image's
 * bytes are compared as well, as a derived difference: one that the file changes
 * explain is ignored with them, any other change is still reported.
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "hash.h"
#include "node.h"
#include "spiffs.h"
#include "spiffs_geom.h"

/* One decoded file, borrowed from the format's own list. */
struct fs_file {
	const char *path;
	const uint8_t *data;
	size_t len;
};

/* The files of a file-system image, and what releases them. */
struct fs_files {
	struct fs_file *v;
	size_t n;
	struct spiffs_list spiffs;
};

/* A file-system format imginfo reads (one row per format; FAT joins with its decoder). */
struct fs_format {
	enum imginfo_kind kind;
	uint8_t subtype; /* the data partition subtype that holds it */
	/* 1 when @data, given alone, is an image of this format (a probe: prints nothing) */
	int (*like)(const uint8_t *data, size_t len);
	/* the files, in the order the image stores them; -1 with a message naming @file */
	int (*decode)(const char *file, const uint8_t *data, size_t len, struct fs_files *out);
};

/* ---- SPIFFS, with spiffsgen's default options (the image does not tell its own) ---- */

static int spiffs_files(const char *file, const uint8_t *data, size_t len, struct fs_files *out)
{
	struct spiffs_config c;
	size_t i;

	spiffs_config_default(&c);
	if (spiffs_decode(&c, file, data, len, &out->spiffs) < 0)
		return -1;
	out->v = calloc(out->spiffs.n + 1, sizeof(*out->v));
	if (!out->v)
		return diag_error("out of memory");
	for (i = 0; i < out->spiffs.n; i++) {
		const struct spiffs_entry *e = &out->spiffs.v[i];

		out->v[i] = (struct fs_file){e->name, e->data, e->len};
	}
	out->n = out->spiffs.n;
	return 0;
}

/*
 * An image alone is taken for SPIFFS only when a block carries the magic number of
 * its place (§2.4; spiffsgen writes it unless told not to) and the whole image
 * decodes: two bytes alone would be a weak sign.
 */
static int spiffs_like(const uint8_t *data, size_t len)
{
	struct spiffs_config c;
	struct spiffs_geom g;
	struct fs_files f;
	uint32_t block, magic;
	int found = 0;
	struct buf sink = BUF_INIT;

	spiffs_config_default(&c);
	if (len < c.block_size || len % c.block_size || len > SPIFFS_MAX_SIZE)
		return 0;
	spiffs_geom_init(&c, len, &g);
	for (block = 0; block < g.blocks && !found; block++) {
		/* the second-to-last slot of the block's last lookup page */
		const uint8_t *slot = data + (size_t)block * c.block_size +
				      (size_t)g.lu * c.page_size - 4;

		magic = (SPIFFS_MAGIC ^ c.page_size ^ (g.blocks - block)) & 0xFFFF;
		found = buf_get_le16(slot) == magic;
	}
	if (!found)
		return 0;
	memset(&f, 0, sizeof(f));
	diag_capture_begin(&sink);
	found = spiffs_files("", data, len, &f) == 0;
	diag_capture_end();
	buf_free(&sink);
	free(f.v);
	spiffs_list_free(&f.spiffs);
	return found;
}

static const struct fs_format fs_formats[] = {
	{IMGINFO_SPIFFS, PARTTABLE_SUBTYPE_DATA_SPIFFS, spiffs_like, spiffs_files},
	/* FAT: {IMGINFO_FAT, PARTTABLE_SUBTYPE_DATA_FAT, fat_like, fat_files} */
};

#define NFORMATS (sizeof(fs_formats) / sizeof(fs_formats[0]))

static void fs_files_free(struct fs_files *f)
{
	free(f->v);
	spiffs_list_free(&f->spiffs);
	memset(f, 0, sizeof(*f));
}

static const struct fs_format *format_of_kind(enum imginfo_kind kind)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (fs_formats[i].kind == kind)
			return &fs_formats[i];
	return NULL;
}

enum imginfo_kind describe_fs_detect(const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (fs_formats[i].like(data, len))
			return fs_formats[i].kind;
	return IMGINFO_UNKNOWN;
}

enum imginfo_kind describe_fs_subtype(uint8_t subtype)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (fs_formats[i].subtype == subtype)
			return fs_formats[i].kind;
	return IMGINFO_UNKNOWN;
}

/* One file as a list item: compared as a whole (size and digest), so that a change is
 * one difference naming the file. */
static void file_node(struct imginfo_node *list, const struct fs_file *f)
{
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	struct imginfo_node *it = node_item(list, f->path, NULL);

	hash_sha256(f->data, f->len, sha);
	ascii_hex_encode(sha, SHA256_LEN, hex);
	node_str(it, "path", "%s", f->path);
	node_uint(it, "size", f->len, 0, NULL);
	node_str(it, "sha256", "%s", hex);
	if (!it)
		return;
	node_set_flags(it, IMGINFO_F_ATOM);
	it->str = node_format("%zu bytes, sha256 %s", f->len, hex);
	if (!it->str)
		it->flags |= IMGINFO_F_OOM;
	node_line(it, "%s: %zu bytes, sha256 %s", f->path, f->len, hex);
}

int describe_fs(struct describe_ctx *c, struct imginfo_node *n, enum imginfo_kind kind,
		const uint8_t *data, size_t len, uint64_t base, const char *where)
{
	const struct fs_format *fmt = format_of_kind(kind);
	struct fs_files f;
	struct imginfo_node *list, *img;
	struct buf sink = BUF_INIT;
	size_t i;
	int rc;

	if (!fmt)
		return diag_error("%s: no file-system reader", imginfo_kind_name(kind));
	memset(&f, 0, sizeof(f));
	diag_capture_begin(&sink);
	rc = fmt->decode(c->file, data, len, &f);
	diag_capture_end();
	if (rc < 0) {
		/* the reader's one line, without its "PROG: FILE: " */
		const char *why = sink.data ? (const char *)sink.data : "";
		const char *at = c->file ? strstr(why, c->file) : NULL;

		if (at && at[strlen(c->file)] == ':')
			why = at + strlen(c->file) + 2;
		if (!c->quiet)
			fprintf(stderr, "%.*s", (int)sink.len, sink.data ? (char *)sink.data : "");
		else
			describe_problem(c, "fs-decode", base, where, "%s does not decode: %.*s",
					 imginfo_kind_name(kind), (int)strcspn(why, "\n"), why);
		buf_free(&sink);
		fs_files_free(&f);
		return -1;
	}
	buf_free(&sink);
	node_set_class(n, IMGINFO_CLASS_CONTENT);
	node_set_flags(n, IMGINFO_F_SCOPE);
	node_str(n, "kind", "%s", imginfo_kind_name(kind));
	node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
	/* the list says it: not compared on its own */
	node_set_flags(node_uint(n, "file_count", f.n, 0, NULL), IMGINFO_F_NODIFF);
	list = node_set_class(node_list(n, "files"), IMGINFO_CLASS_FILE);
	for (i = 0; i < f.n; i++)
		file_node(list, &f.v[i]);
	/* what the files do not explain: metadata, free space, the layout */
	img = node_set_flags(node_obj(n, "image"), IMGINFO_F_DERIVED);
	describe_bytes(img, data, len, base);
	fs_files_free(&f);
	return 0;
}
