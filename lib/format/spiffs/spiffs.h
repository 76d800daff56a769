/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SPIFFS partition images as ESP-IDF's spiffsgen.py lays them out
 * (spec/filesystems.md §2): geometry, name rules and the encoder.
 */
#ifndef ESPGEN_SPIFFS_H
#define ESPGEN_SPIFFS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dirtree.h"

/* Defaults of spiffsgen.py (§2.1), which match ESP-IDF's Kconfig defaults. */
#define SPIFFS_DEFAULT_PAGE_SIZE 256
#define SPIFFS_DEFAULT_BLOCK_SIZE 4096
#define SPIFFS_DEFAULT_OBJ_NAME_LEN 32
#define SPIFFS_DEFAULT_META_LEN 4

/* Largest image (and so page and block) accepted: the largest flash any ESP32 chip maps
 * (128 MB); it also keeps every page number within the 16-bit fields. */
#define SPIFFS_MAX_SIZE ((uint64_t)128 << 20)

/* The build options of §2.1, spiffsgen's defaults after spiffs_config_default(). */
struct spiffs_config {
	uint32_t page_size;
	uint32_t block_size;
	uint32_t obj_name_len;
	uint32_t meta_len;
	int use_magic;	   /* --no-magic clears it */
	int use_magic_len; /* --no-magic-len clears it */
	int big_endian;
	int aligned_obj_ix_tables;
	/* directory walk (spiffs_build_dir): enter symbolic links to directories */
	int follow_symlinks;
};

void spiffs_config_default(struct spiffs_config *c);

/*
 * Checks the geometry of @c for an image of @size bytes: block a multiple of page,
 * image a multiple of block, an index page with room for its header and one page
 * number. Returns 0, or -1 with the reason in @why (no message printed).
 */
int spiffs_config_check(const struct spiffs_config *c, uint64_t size, char *why, size_t n);

/*
 * Checks an object name ("/dir/file.txt"): ASCII only and shorter than obj_name_len,
 * so that the NUL SPIFFS expects fits (§2.5). Returns 0, or -1 with the reason in @why.
 */
int spiffs_name_check(const struct spiffs_config *c, const char *name, char *why, size_t n);

/* One file to store: its object name (checked by spiffs_name_check) and content. */
struct spiffs_file {
	const char *name;
	const uint8_t *data;
	size_t len;
};

/*
 * Appends the @size-byte image holding @files (object ids 1, 2, ... in array order) to
 * @out. @c and the names must have passed the checks above. Returns 0, or -1 with a
 * message when the files do not fit (or out of memory); @out is unchanged then.
 */
int spiffs_build(const struct spiffs_config *c, uint64_t size, const struct spiffs_file *files,
		 size_t n, struct buf *out);

/*
 * Appends to @out the @size-byte image of the files below the directory @root, walked as
 * spiffsgen does (each directory's files, then its subdirectories, by name; §1, §2.4;
 * links to directories entered with c->follow_symlinks). Checks @c and @size first.
 * When @read_files is not NULL (an empty list) it receives the walk: every file read,
 * for a depfile. Returns 0, or -1 with a message naming the file or the reason.
 */
int spiffs_build_dir(const struct spiffs_config *c, uint64_t size, const char *root,
		     struct buf *out, struct dirtree *read_files);

/* One file read back from an image (spiffs_decode). */
struct spiffs_entry {
	char *name;    /* "/dir/file.txt", NUL-terminated */
	uint8_t *data; /* @len bytes (NULL when empty) */
	size_t len;
	uint16_t id; /* object id */
};

struct spiffs_list {
	struct spiffs_entry *v;
	size_t n;
};

/*
 * Reads the files of the image @img (@len bytes, the whole partition) built with the
 * geometry @c, in object-id order (the order they were written), into @out (empty
 * before; free with spiffs_list_free). Follows each object's index pages and checks
 * every data page they name. Returns 0, or -1 with a message naming @file when the
 * image does not fit @c or an object is damaged.
 */
int spiffs_decode(const struct spiffs_config *c, const char *file, const uint8_t *img, size_t len,
		  struct spiffs_list *out);

/* Releases what spiffs_decode() returned and resets @l to empty. */
void spiffs_list_free(struct spiffs_list *l);

#endif
