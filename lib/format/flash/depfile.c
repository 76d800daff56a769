/* SPDX-License-Identifier: Apache-2.0 */
#include "depfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"

void depfile_init(struct depfile *d)
{
	memset(d, 0, sizeof(*d));
}

void depfile_free(struct depfile *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	free(d->slots);
	depfile_init(d);
}

/* FNV-1a: a batch of a million devices may name a million files. */
static size_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3u;
	return (size_t)h;
}

/* The slot holding @path, or the empty slot where it would go. */
static size_t *find(const struct depfile *d, const char *path)
{
	size_t mask = 2 * d->cap - 1, i = hash(path) & mask;

	while (d->slots[i] && strcmp(d->v[d->slots[i] - 1], path) != 0)
		i = (i + 1) & mask;
	return &d->slots[i];
}

/* Doubles @v and rebuilds the index (kept at most half full). */
static int grow(struct depfile *d)
{
	size_t cap = d->cap ? 2 * d->cap : 16, i;
	char **v = realloc(d->v, cap * sizeof(*v));
	size_t *slots;

	if (!v)
		return diag_error("out of memory");
	d->v = v;
	slots = calloc(2 * cap, sizeof(*slots));
	if (!slots)
		return diag_error("out of memory");
	free(d->slots);
	d->slots = slots;
	d->cap = cap;
	for (i = 0; i < d->n; i++)
		*find(d, d->v[i]) = i + 1;
	return 0;
}

int depfile_add(struct depfile *d, const char *path)
{
	size_t *slot;

	if (!d)
		return 0;
	if (d->n == d->cap && grow(d) < 0)
		return -1;
	slot = find(d, path);
	if (*slot)
		return 0;
	d->v[d->n] = strdup(path);
	if (!d->v[d->n])
		return diag_error("out of memory");
	*slot = ++d->n;
	return 0;
}

int depfile_merge(struct depfile *d, const struct depfile *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		if (depfile_add(d, from->v[i]) < 0)
			return -1;
	return 0;
}

/* @s in Makefile syntax, as GCC's -MD writes names (make and Ninja read it back). */
static int escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			return -1;
		if ((*s == ' ' || *s == '#') && buf_append(b, "\\", 1) < 0)
			return -1;
		if (*s == '$' && buf_append(b, "$", 1) < 0)
			return -1;
		if (buf_append(b, s, 1) < 0)
			return -1;
	}
	return 0;
}

int depfile_write(const char *path, const char *target, const struct depfile *d)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc = -1;

	if (escape(&b, target) < 0) {
		diag_file(path, "cannot write a depfile: a line break in '%s'", target);
		goto out;
	}
	if (buf_puts(&b, ":") < 0)
		goto out;
	for (i = 0; i < d->n; i++) {
		if (buf_puts(&b, " ") < 0)
			goto out;
		if (escape(&b, d->v[i]) < 0) {
			diag_file(path, "cannot write a depfile: a line break in '%s'", d->v[i]);
			goto out;
		}
	}
	if (buf_puts(&b, "\n") < 0)
		goto out;
	rc = fileio_atomic_write_file(path, b.data, b.len);
out:
	buf_free(&b);
	return rc;
}
