/* SPDX-License-Identifier: Apache-2.0 */
/* A SPIFFS image from a directory: the walk, the name checks and the reading of every file
 * (spec/filesystems.md §1, §2), shared by esp-mkfs and the manifest. */
#include "spiffs.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dirtree.h"
#include "fileio.h"

/* The walk's files as SPIFFS objects: names checked, contents read into @data. */
static int load_files(const struct spiffs_config *c, uint64_t size, const char *root,
		      const struct dirtree *t, struct buf *data, struct spiffs_file **files,
		      size_t *n)
{
	struct spiffs_file *v = calloc(t->n ? t->n : 1, sizeof(*v));
	size_t *offs = calloc(t->n ? t->n : 1, sizeof(*offs));
	size_t i, k = 0;
	char why[300];
	int rc = -1;

	if (!v || !offs) {
		diag_error("out of memory");
		goto out;
	}
	for (i = 0; i < t->n; i++) {
		const struct dirtree_entry *e = &t->v[i];
		char *name;

		if (e->is_dir)
			continue;
		name = malloc(strlen(e->path) + 2);
		if (!name) {
			diag_error("out of memory");
			goto out;
		}
		name[0] = '/';
		strcpy(name + 1, e->path);
		v[k].name = name;
		if (spiffs_name_check(c, name, why, sizeof(why)) < 0) {
			diag_file(root, "%s", why);
			k++;
			goto out;
		}
		offs[k] = data->len;
		if (fileio_read(e->src, FILEIO_MAX_INPUT, data) < 0) {
			k++;
			goto out;
		}
		v[k].len = data->len - offs[k];
		k++;
		/* more content than image bytes can never fit: stop before reading a
		 * tree of any size into memory (same message as the encoder's) */
		if (data->len > size) {
			diag_error("the files do not fit in the 0x%llx-byte image (full at '%s')",
				   (unsigned long long)size, name);
			goto out;
		}
	}
	/* the buffer has stopped moving: point into it */
	for (i = 0; i < k; i++)
		v[i].data = data->data + offs[i];
	*files = v;
	*n = k;
	v = NULL;
	rc = 0;
out:
	if (v) {
		for (i = 0; i < k; i++)
			free((char *)v[i].name);
		free(v);
	}
	free(offs);
	return rc;
}

int spiffs_build_dir(const struct spiffs_config *c, uint64_t size, const char *root,
		     struct buf *out, struct dirtree *read_files)
{
	struct dirtree tree = DIRTREE_INIT;
	struct spiffs_file *files = NULL;
	struct buf data = BUF_INIT;
	size_t n = 0, i;
	char why[200];
	int rc = -1;

	if (spiffs_config_check(c, size, why, sizeof(why)) < 0) {
		diag_error("%s", why);
		goto out;
	}
	if (dirtree_walk(root,
			 DIRTREE_FILES_FIRST | (c->follow_symlinks ? DIRTREE_FOLLOW_DIR_LINKS : 0u),
			 &tree) < 0)
		goto out;
	if (load_files(c, size, root, &tree, &data, &files, &n) < 0)
		goto out;
	if (spiffs_build(c, size, files, n, out) < 0)
		goto out;
	if (read_files) {
		*read_files = tree;
		tree = (struct dirtree)DIRTREE_INIT;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free((char *)files[i].name);
	free(files);
	dirtree_free(&tree);
	buf_free(&data);
	return rc;
}
