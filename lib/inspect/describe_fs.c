/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File-system partitions (spec/filesystems.md) for imginfo, SPIFFS and FAT: the files
 * they hold, each one path, size and SHA-256 (and FAT's directories), so that a diff
 * names the file that changed. The image's bytes are compared as well, as a derived
 * difference: one that the file changes explain is ignored with them, any other change
 * is still reported.
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "fat.h"
#include "hash.h"
#include "node.h"
#include "spiffs.h"
#include "spiffs_geom.h"

/* One decoded file or directory, borrowed from the format's own list. */
struct fs_file {
	const char *path;
	const uint8_t *data;
	size_t len;
	int is_dir;
};

/* The files of a file-system image, and what releases them. */
struct fs_files {
	struct fs_file *v;
	size_t n;
	int wear_levelling; /* -1: the format has none */
	struct spiffs_list spiffs;
	struct fat_list fat;
};

/* A file-system format imginfo reads: one row of fs_formats each. */
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

		out->v[i] = (struct fs_file){e->name, e->data, e->len, 0};
	}
	out->n = out->spiffs.n;
	out->wear_levelling = -1;
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
	uint32_t block;
	int found = 0;
	struct buf sink = BUF_INIT;

	spiffs_config_default(&c);
	if (len < c.block_size || len % c.block_size || len > SPIFFS_MAX_SIZE)
		return 0;
	spiffs_geom_init(&c, len, &g);
	for (block = 0; block < g.blocks && !found; block++) {
		/* the second-to-last slot of the block's last lookup page */
		const uint8_t *slot =
		    data + (size_t)block * c.block_size + (size_t)g.lu * c.page_size - 4;

		found = buf_get_le16(slot) == spiffs_geom_magic(&c, &g, block);
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

/* ---- FAT12/16, with or without wear levelling (the image tells which) ---- */

static int fat_files(const char *file, const uint8_t *data, size_t len, struct fs_files *out)
{
	size_t i;

	if (fat_decode(file, data, len, &out->fat) < 0)
		return -1;
	out->v = calloc(out->fat.n + 1, sizeof(*out->v));
	if (!out->v)
		return diag_error("out of memory");
	for (i = 0; i < out->fat.n; i++) {
		const struct fat_entry *e = &out->fat.v[i];

		out->v[i] = (struct fs_file){e->name, e->data, e->len, e->is_dir};
	}
	out->n = out->fat.n;
	out->wear_levelling = out->fat.wear_levelling;
	return 0;
}

/* A boot sector that makes sense (in the wear-levelling layer or not), and a whole image
 * that decodes. */
static int fat_like(const uint8_t *data, size_t len)
{
	struct fat_list l = {NULL, 0, 0};
	struct buf sink = BUF_INIT;
	int found;

	if (fat_image_detect(data, len) == FAT_KIND_NONE)
		return 0;
	diag_capture_begin(&sink);
	found = fat_decode("", data, len, &l) == 0;
	diag_capture_end();
	buf_free(&sink);
	fat_list_free(&l);
	return found;
}

static const struct fs_format fs_formats[] = {
    {IMGINFO_SPIFFS, PARTTABLE_SUBTYPE_DATA_SPIFFS, spiffs_like, spiffs_files},
    {IMGINFO_FAT, PARTTABLE_SUBTYPE_DATA_FAT, fat_like, fat_files},
};

#define NFORMATS (sizeof(fs_formats) / sizeof(fs_formats[0]))

static void fs_files_free(struct fs_files *f)
{
	free(f->v);
	spiffs_list_free(&f->spiffs);
	fat_list_free(&f->fat);
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

/* One file as a list item, compared as a whole (size and digest) so that a change is one
 * difference naming the file. A directory is one too: an empty one is content. */
static void file_node(struct imginfo_node *list, const struct fs_file *f)
{
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	struct imginfo_node *it = node_item(list, f->path, NULL);

	node_str(it, "path", "%s", f->path);
	node_str(it, "type", "%s", f->is_dir ? "directory" : "file");
	if (!f->is_dir) {
		hash_sha256(f->data, f->len, sha);
		ascii_hex_encode(sha, SHA256_LEN, hex);
		node_uint(it, "size", f->len, 0, NULL);
		node_str(it, "sha256", "%s", hex);
	}
	if (!it)
		return;
	node_set_flags(it, IMGINFO_F_ATOM);
	it->str =
	    f->is_dir ? node_format("directory") : node_format("%zu bytes, sha256 %s", f->len, hex);
	if (!it->str) {
		it->flags |= IMGINFO_F_OOM;
		return;
	}
	node_line(it, "%s: %s", f->path, it->str);
}

int describe_fs(struct describe_ctx *c, struct imginfo_node *n, enum imginfo_kind kind,
		const uint8_t *data, size_t len, uint64_t base, const char *where)
{
	const struct fs_format *fmt = format_of_kind(kind);
	struct fs_files f;
	struct imginfo_node *list, *img;
	struct buf sink = BUF_INIT;
	size_t i, files = 0;
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
	if (f.wear_levelling >= 0)
		node_str(n, "wear_levelling", "%s", f.wear_levelling ? "yes" : "no");
	/* the list says it: not compared on its own */
	for (i = 0; i < f.n; i++)
		files += !f.v[i].is_dir;
	node_set_flags(node_uint(n, "file_count", files, 0, NULL), IMGINFO_F_NODIFF);
	list = node_set_class(node_list(n, "files"), IMGINFO_CLASS_FILE);
	for (i = 0; i < f.n; i++)
		file_node(list, &f.v[i]);
	/* what the files do not explain: metadata, free space, the layout */
	img = node_set_flags(node_obj(n, "image"), IMGINFO_F_DERIVED);
	describe_bytes(img, data, len, base);
	fs_files_free(&f);
	return 0;
}
