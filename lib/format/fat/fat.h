/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FAT12/FAT16 partition images as ESP-IDF's fatfsgen.py lays them out, optionally wrapped
 * in the wear-levelling sectors of wl_fatfsgen.py (spec/filesystems.md §3, §4): geometry,
 * the encoder from a file list or a directory, and the decoder.
 */
#ifndef ESPGEN_FAT_H
#define ESPGEN_FAT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dirtree.h"

/* Defaults of fatfsgen.py (§3.1). */
#define FAT_DEFAULT_SECTOR_SIZE 4096
#define FAT_DEFAULT_ROOT_ENTRIES 512
#define FAT_DEFAULT_FAT_COUNT 2
/* The wear-levelling layer always works in 4096-byte flash sectors (§4). */
#define FAT_WL_SECTOR 4096u

enum fat_wl_mode {
	FAT_WL_MODE_UNSET = 0, /* no --wl-mode: the perf layout */
	FAT_WL_MODE_PERF,
	FAT_WL_MODE_SAFE,
};

/* The build options of §3.1 (espgen spellings in the comments). */
struct fat_config {
	uint32_t sector_size;	      /* --sector-size: 512, 1024, 2048 or 4096 */
	uint32_t sectors_per_cluster; /* --sectors-per-cluster: only 1 (§3.9) */
	uint32_t root_entries;	      /* --root-entry-count */
	uint32_t fat_count;	      /* --fat-count: 1 or 2 */
	int fat_type;		      /* --fat-type: 12, 16, or 0 = from the geometry */
	int long_names;		      /* --long-names */
	int wear_levelling;	      /* --wear-levelling */
	enum fat_wl_mode wl_mode;     /* --wl-mode */
	int size_detect;	      /* --size detect (§3.8): the size argument is ignored */
};

void fat_config_default(struct fat_config *c);

/* The layout of one plain FAT image (§3.2); sizes in sectors unless said. */
struct fat_geom {
	uint32_t ss;	       /* sector size */
	uint32_t total;	       /* T: sectors of the image */
	uint32_t fat_sectors;  /* FS: sectors of one FAT */
	uint32_t fat_count;    /* N */
	uint32_t root_entries; /* R */
	uint32_t root_sectors; /* RS */
	uint32_t data_sectors; /* D */
	uint32_t clusters;     /* C = D + 2: cluster numbers 2 .. C-1 are usable */
	int type;	       /* 12 or 16 */
};

/*
 * Checks @c against a partition of @size bytes (with wear levelling, the whole partition:
 * the FAT inside is smaller, §4) and computes the FAT image's layout into @g. Returns 0,
 * or -1 with the reason in @why (no message printed).
 */
int fat_geom_compute(const struct fat_config *c, uint64_t size, struct fat_geom *g, char *why,
		     size_t n);

/* One entry of the tree to store, in walk order (§3.6): depth-first pre-order, each
 * directory sorted by name, files and directories interleaved. */
struct fat_file {
	const char *path; /* below the root, '/'-separated, as on disk (not upper-cased) */
	int is_dir;
	const uint8_t *data; /* files: @len bytes */
	size_t len;
};

/*
 * Appends the @size-byte image (FAT, or FAT inside wear levelling with
 * c->wear_levelling) holding @files to @out. Checks @c and @size first. Errors (names
 * fatfsgen rejects, names equal after upper-casing, a full root directory or image)
 * print a message naming the path (messages about names start with @root) and return
 * -1; @out is unchanged then. With c->size_detect pass the size fat_detect_size() found.
 */
int fat_build(const struct fat_config *c, uint64_t size, const char *root,
	      const struct fat_file *files, size_t n, struct buf *out);

/*
 * The partition size `--size detect` picks for @files (§3.8); @root is the directory
 * argument exactly as written (its length counts). Returns 0, or -1 with a message.
 */
int fat_detect_size(const struct fat_config *c, const char *root, const struct fat_file *files,
		    size_t n, uint64_t *size);

/*
 * Appends to @out the image of the tree below the directory @root (links followed, §3.6),
 * sized @size or, with c->size_detect, as §3.8 says. When @read_files is not NULL (an
 * empty list) it receives the walk: every file read, for a depfile. Returns 0, or -1 with
 * a message naming the file or the reason.
 */
int fat_build_dir(const struct fat_config *c, uint64_t size, const char *root, struct buf *out,
		  struct dirtree *read_files);

/* What fat_image_detect() found. */
enum fat_kind {
	FAT_KIND_NONE = 0,
	FAT_KIND_PLAIN, /* a FAT boot sector at offset 0 */
	FAT_KIND_WL,	/* wear-levelling config in the last sector, FAT inside */
};

/* Whether the @len bytes at @img hold a FAT12/16 image, with or without wear levelling. */
enum fat_kind fat_image_detect(const uint8_t *img, size_t len);

/* One file or directory read back from an image (fat_decode). */
struct fat_entry {
	char *name;    /* "/dir/file.txt" (UTF-8; the long name when there is one) */
	uint8_t *data; /* files: @len bytes (NULL when empty) */
	size_t len;
	int is_dir;
};

struct fat_list {
	struct fat_entry *v;
	size_t n;
	int wear_levelling; /* the image had the wear-levelling layer */
};

/*
 * Reads every directory and file of the FAT image @img (@len bytes, the whole partition,
 * with or without wear levelling) in directory order, depth first, into @out (empty
 * before; free with fat_list_free). Returns 0, or -1 with a message naming @file when
 * the image is no FAT12/16 image or a chain or entry is damaged.
 */
int fat_decode(const char *file, const uint8_t *img, size_t len, struct fat_list *out);

/* Releases what fat_decode() returned and resets @l to empty. */
void fat_list_free(struct fat_list *l);

#endif
