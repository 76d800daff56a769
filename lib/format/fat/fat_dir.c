/* SPDX-License-Identifier: Apache-2.0 */
/* A FAT image from a directory: the walk, reading every file, `--size detect`
 * (spec/filesystems.md §3.6, §3.8), shared by esp-mkfs and the manifest. */
#include "fat.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fat_int.h"
#include "fileio.h"

/* Largest FAT16 image fatfsgen can make: no tree with more content than this fits. */
#define FAT_MAX_CONTENT ((uint64_t)65525 * 4096)

/* Code points of a UTF-8 string, as Python's len() counts them (bytes when not UTF-8). */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((uint8_t)*s & 0xC0) != 0x80;
	return n;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

int fat_detect_size(const struct fat_config *c, const char *root, const struct fat_file *files,
		    size_t n, uint64_t *size)
{
	uint64_t ss = c->sector_size, clusters = 0, fs, sectors, root_entries = 0;
	size_t i, j;

	/* fatfsgen's estimate: a file's sectors, and per directory 2 entries plus, for each
	 * child, the long-name entries the *directory's own* name would need (sic) plus one */
	for (i = 0; i <= n; i++) {
		const char *name = root, *path = "";
		uint64_t children = 0, per, bytes;
		size_t plen = 0;

		if (i < n) {
			if (!files[i].is_dir) {
				clusters += div_up(files[i].len, ss);
				continue;
			}
			path = files[i].path;
			plen = strlen(path);
			name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		}
		for (j = i < n ? i + 1 : 0; j < n; j++) {
			const char *p = files[j].path;

			if (plen && (strncmp(p, path, plen) != 0 || p[plen] != '/'))
				break;
			if (!strchr(p + (plen ? plen + 1 : 0), '/'))
				children++;
		}
		per = (div_up(chars(name), 13) + 1) * 32;
		bytes = 64 + children * per;
		if (i == n)
			root_entries = bytes / 32;
		clusters += div_up(bytes, ss);
	}
	if (root_entries > FAT_DEFAULT_ROOT_ENTRIES)
		return diag_file(root, "--size detect: more than %u root entries",
				 FAT_DEFAULT_ROOT_ENTRIES);
	if (clusters > 65525)
		return diag_file(root,
				 "--size detect: %llu clusters need FAT32, which is not supported",
				 (unsigned long long)clusters);
	fs = fat_geom_fat_sectors(clusters, (uint32_t)ss);
	sectors = clusters + fs + 2 + fs * c->fat_count + FAT_DEFAULT_ROOT_ENTRIES * 32 / ss;
	*size = sectors < 128 ? 128 * ss : sectors * ss;
	return 0;
}

/* Reads the walk's files into @data, refusing more content than @max bytes. */
static int load_files(const struct dirtree *t, uint64_t max, struct buf *data,
		      struct fat_file **files)
{
	struct fat_file *v = calloc(t->n ? t->n : 1, sizeof(*v));
	size_t *offs = calloc(t->n ? t->n : 1, sizeof(*offs));
	size_t i;
	int rc = -1;

	if (!v || !offs) {
		diag_error("out of memory");
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		const struct dirtree_entry *e = &t->v[i];

		v[i].path = e->path;
		v[i].is_dir = e->is_dir;
		if (e->is_dir)
			continue;
		offs[i] = data->len;
		if (fileio_read(e->src, FILEIO_MAX_INPUT, data) < 0)
			goto out;
		v[i].len = data->len - offs[i];
		/* more content than image bytes never fits: stop before reading a tree of
		 * any size into memory (same message as the encoder's) */
		if (data->len > max) {
			diag_error("the files do not fit in the 0x%llx-byte image (full at '/%s')",
				   (unsigned long long)max, e->path);
			goto out;
		}
	}
	/* the buffer has stopped moving: point into it */
	for (i = 0; i < t->n; i++)
		if (!v[i].is_dir)
			v[i].data = data->data + offs[i];
	*files = v;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(offs);
	return rc;
}

int fat_build_dir(const struct fat_config *c, uint64_t size, const char *root, struct buf *out,
		  struct dirtree *read_files)
{
	struct dirtree tree = DIRTREE_INIT;
	struct fat_file *files = NULL;
	struct buf data = BUF_INIT;
	struct fat_geom g;
	char why[300];
	int rc = -1;

	/* the options first, so that a bad size fails before the tree is read */
	if (!c->size_detect && fat_geom_compute(c, size, &g, why, sizeof(why)) < 0)
		return diag_error("%s", why);
	if (c->size_detect && c->wear_levelling)
		return diag_error("%s", "--size detect does not work with --wear-levelling");
	/* fatfsgen follows every link (§3.6); files and directories interleave by name */
	if (dirtree_walk(root, DIRTREE_FOLLOW_DIR_LINKS, &tree) < 0)
		goto out;
	if (load_files(&tree, c->size_detect ? FAT_MAX_CONTENT : size, &data, &files) < 0)
		goto out;
	if (c->size_detect && fat_detect_size(c, root, files, tree.n, &size) < 0)
		goto out;
	if (fat_build(c, size, root, files, tree.n, out) < 0)
		goto out;
	if (read_files) {
		*read_files = tree;
		tree = (struct dirtree)DIRTREE_INIT;
	}
	rc = 0;
out:
	free(files);
	dirtree_free(&tree);
	buf_free(&data);
	return rc;
}
