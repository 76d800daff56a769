/* SPDX-License-Identifier: Apache-2.0 */
#include "dirtree.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"

/* The directories from the root down to the one being listed: a directory reached
 * again through a link while it is still open is a loop (it would never end). */
struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

struct walk {
	const char *root;
	unsigned flags;
	struct dirtree *out;
};

/* One name of a directory being listed, classified. */
struct item {
	char *name;
	int is_dir;
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	/* strcmp compares as unsigned char: byte order, so code point order for UTF-8 */
	return strcmp(x->name, y->name);
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s) {
		diag_error("out of memory");
		return NULL;
	}
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

/* Room for @need elements of @size bytes in the array *@v of *@cap (buf_grow's rule). */
static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	uint8_t *p = *v;
	size_t bytes = *cap * size;

	if (need <= *cap)
		return 0;
	if (buf_grow(&p, &bytes, need * size, 16 * size) < 0)
		return -1;
	*v = p;
	*cap = bytes / size;
	return 0;
}

static int add_entry(struct walk *w, const char *rel, int is_dir, size_t depth)
{
	struct dirtree *t = w->out;
	struct dirtree_entry *e;

	void *v = t->v;

	if (grow(&v, &t->cap, t->n + 1, sizeof(*t->v)) < 0)
		return -1;
	t->v = v;
	e = &t->v[t->n];
	e->path = strdup(rel);
	e->src = join(w->root, rel);
	if (!e->path || !e->src) {
		free(e->path);
		free(e->src);
		return diag_error("out of memory");
	}
	e->is_dir = is_dir;
	e->depth = depth;
	t->n++;
	return 0;
}

/* Classifies @src: 1 directory (to enter), 0 file, 2 left out (a link to a directory
 * without DIRTREE_FOLLOW_DIR_LINKS), -1 error (printed). */
static int classify(const struct walk *w, const char *src, struct stat *st)
{
	struct stat lst;

	if (lstat(src, &lst) < 0)
		return diag_errno(src, "cannot stat");
	if (stat(src, st) < 0) {
		if (S_ISLNK(lst.st_mode) && (errno == ENOENT || errno == ENOTDIR))
			return diag_file(src, "dangling symbolic link");
		if (S_ISLNK(lst.st_mode) && errno == ELOOP)
			return diag_file(src, "symbolic link loop");
		return diag_errno(src, "cannot stat");
	}
	if (S_ISREG(st->st_mode))
		return 0;
	if (S_ISDIR(st->st_mode)) {
		if (S_ISLNK(lst.st_mode) && !(w->flags & DIRTREE_FOLLOW_DIR_LINKS))
			return 2;
		return 1;
	}
	return diag_file(src, "not a regular file or directory");
}

static void free_items(struct item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* Reads the names of directory @src (without "." and ".."), classified, into *@items. */
static int list_dir(const struct walk *w, const char *src, struct item **items, size_t *n)
{
	struct item *v = NULL;
	void *vp;
	size_t cap = 0, k = 0;
	struct dirent *de;
	DIR *d = opendir(src);
	int rc = -1;

	if (!d)
		return diag_errno(src, "cannot open directory");
	for (;;) {
		struct stat st;
		char *path;
		int kind;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				diag_errno(src, "cannot read directory");
				goto out;
			}
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = join(src, de->d_name);
		if (!path)
			goto out;
		kind = classify(w, path, &st);
		free(path);
		if (kind < 0)
			goto out;
		if (kind == 2)
			continue;
		vp = v;
		if (grow(&vp, &cap, k + 1, sizeof(*v)) < 0)
			goto out;
		v = vp;
		v[k].name = strdup(de->d_name);
		if (!v[k].name) {
			diag_error("out of memory");
			goto out;
		}
		v[k++].is_dir = kind;
	}
	/* an empty directory has no array at all, and qsort() must not get NULL */
	if (k > 1)
		qsort(v, k, sizeof(*v), item_cmp);
	*items = v;
	*n = k;
	v = NULL;
	k = 0;
	rc = 0;
out:
	free_items(v, k);
	closedir(d);
	return rc;
}

static int walk_dir(struct walk *w, const char *src, const char *rel, size_t depth,
		    const struct dir_chain *up);

/* Adds the entries of one pass over @items: files (@want_dir 0), directories (1) or
 * both (-1); directories are walked right after their own entry. */
static int walk_items(struct walk *w, const char *src, const char *rel, size_t depth,
		      const struct dir_chain *here, struct item *items, size_t n, int want_dir)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *crel, *csrc;
		int rc;

		if (want_dir >= 0 && items[i].is_dir != want_dir)
			continue;
		crel = *rel ? join(rel, items[i].name) : strdup(items[i].name);
		csrc = join(src, items[i].name);
		rc = !crel || !csrc ? diag_error("out of memory") : 0;
		if (rc == 0)
			rc = add_entry(w, crel, items[i].is_dir, depth);
		if (rc == 0 && items[i].is_dir)
			rc = walk_dir(w, csrc, crel, depth + 1, here);
		free(crel);
		free(csrc);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int walk_dir(struct walk *w, const char *src, const char *rel, size_t depth,
		    const struct dir_chain *up)
{
	struct dir_chain here;
	const struct dir_chain *c;
	struct item *items = NULL;
	struct stat st;
	size_t n = 0;
	int rc;

	if (stat(src, &st) < 0)
		return diag_errno(src, "cannot stat");
	for (c = up; c; c = c->up)
		if (c->dev == st.st_dev && c->ino == st.st_ino)
			return diag_file(src, "symbolic link loop (a directory inside itself)");
	here.dev = st.st_dev;
	here.ino = st.st_ino;
	here.up = up;
	if (list_dir(w, src, &items, &n) < 0)
		return -1;
	if (w->flags & DIRTREE_FILES_FIRST)
		rc = walk_items(w, src, rel, depth, &here, items, n, 0) < 0 ||
			     walk_items(w, src, rel, depth, &here, items, n, 1) < 0
			 ? -1
			 : 0;
	else
		rc = walk_items(w, src, rel, depth, &here, items, n, -1);
	free_items(items, n);
	return rc;
}

int dirtree_walk(const char *root, unsigned flags, struct dirtree *out)
{
	struct walk w = {root, flags, out};
	struct stat st;

	if (stat(root, &st) < 0)
		return diag_errno(root, "cannot open directory");
	if (!S_ISDIR(st.st_mode))
		return diag_file(root, "not a directory");
	if (walk_dir(&w, root, "", 0, NULL) < 0) {
		dirtree_free(out);
		return -1;
	}
	return 0;
}

void dirtree_free(struct dirtree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].path);
		free(t->v[i].src);
	}
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}
