/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A directory tree as a flat, ordered list of its files and directories, the same on
 * every host: names sorted by their bytes (no locale), no readdir, inode or mtime order
 * (spec/filesystems.md §1). Used by the file-system image builders.
 */
#ifndef ESPGEN_DIRTREE_H
#define ESPGEN_DIRTREE_H

#include <stddef.h>

/* Flags of dirtree_walk(). */
enum {
	/* enter symbolic links to directories (else they are left out, as os.walk does) */
	DIRTREE_FOLLOW_DIR_LINKS = 1,
	/* in each directory, all its files first, then its subdirectories (os.walk top-down
	 * order, spiffsgen); without it files and directories interleave by name */
	DIRTREE_FILES_FIRST = 2,
};

struct dirtree_entry {
	char *path;   /* relative to the root, '/'-separated, no leading '/' */
	char *src;    /* the path to open: root + '/' + path */
	int is_dir;   /* a directory (listed before its contents) or a regular file */
	size_t depth; /* 0 for the root's own entries */
};

struct dirtree {
	struct dirtree_entry *v;
	size_t n, cap;
};

/* clang-format off */
#define DIRTREE_INIT {NULL, 0, 0}
/* clang-format on */

/*
 * Lists everything below the directory @root in depth-first pre-order into @out (which
 * must be empty): per directory sorted by name (bytes, ascending), see the flags. A
 * link to a file counts as that file. A dangling link, a link loop, and anything that is
 * neither a regular file nor a directory (FIFO, socket, device) is an error naming
 * the path. Returns 0, or -1 with a message (@out then holds nothing).
 */
int dirtree_walk(const char *root, unsigned flags, struct dirtree *out);

/* Releases the list and resets @t to empty. */
void dirtree_free(struct dirtree *t);

#endif
