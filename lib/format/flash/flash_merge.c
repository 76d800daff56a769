/* SPDX-License-Identifier: Apache-2.0 */
#include "flash_merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "ihex.h"
#include "uf2.h"

void flash_merge_init(struct flash_merge *m, const struct chip *c, const struct flash_params *p)
{
	memset(m, 0, sizeof(*m));
	m->chip = c;
	m->params = *p;
}

void flash_merge_free(struct flash_merge *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		buf_free(&m->data[i]);
		free(m->names[i]);
	}
	free(m->items);
	free(m->data);
	free(m->names);
	memset(m, 0, sizeof(*m));
}

/* A new item at @addr taking over @b (emptied) and, when not NULL, the name @own. */
static int add_item(struct flash_merge *m, uint64_t addr, const char *name, char *own,
		    struct buf *b)
{
	size_t i;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct flash_item *it = realloc(m->items, cap * sizeof(*it));
		struct buf *d = it ? realloc(m->data, cap * sizeof(*d)) : NULL;
		char **nm = d ? realloc(m->names, cap * sizeof(*nm)) : NULL;

		if (it)
			m->items = it;
		if (d)
			m->data = d;
		if (!nm) {
			free(own);
			return diag_error("out of memory");
		}
		m->names = nm;
		m->cap = cap;
	}
	i = m->n++;
	m->data[i] = *b;
	memset(b, 0, sizeof(*b));
	m->names[i] = own;
	/* the patch applies to whatever lands at the bootloader offset, a HEX run too */
	if (addr == m->chip->bootloader_offset &&
	    flash_patch_bootloader(m->chip, &m->params, name, &m->data[i]) < 0)
		return -1;
	m->items[i].addr = addr;
	m->items[i].name = name;
	m->items[i].data = m->data[i].data;
	m->items[i].len = m->data[i].len;
	return 0;
}

/* The runs of a parsed HEX file as items of their own, named "FILE (run at 0xADDR)". */
static int add_runs(struct flash_merge *m, const char *file, const struct ihex *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		struct buf b = BUF_INIT;
		size_t len = strlen(file) + 40;
		char *name = malloc(len);

		if (!name || buf_append(&b, h->runs[i].data, h->runs[i].len) < 0) {
			free(name);
			buf_free(&b);
			return diag_error("out of memory");
		}
		snprintf(name, len, "%s (run at 0x%llx)", file,
			 (unsigned long long)h->runs[i].addr);
		if (add_item(m, h->runs[i].addr, name, name, &b) < 0) {
			buf_free(&b);
			return -1;
		}
	}
	return 0;
}

int flash_merge_add(struct flash_merge *m, uint64_t addr, const char *file)
{
	struct buf b = BUF_INIT;
	struct ihex h;
	struct ihex_error err;
	int rc = -1;

	if (fileio_read(file, FILEIO_MAX_INPUT, &b) < 0)
		return -1;
	if (b.len == 0 || b.data[0] != ':') {
		rc = add_item(m, addr, file, NULL, &b);
		goto out;
	}
	if (ihex_decode(b.data, b.len, &h, &err) < 0) {
		if (err.overlap) {
			diag_at(file, (unsigned)err.line, "%s", err.msg);
			goto out;
		}
		if (err.line == 0)
			goto out; /* out of memory, said */
		/* as esptool: text that starts like HEX but is none is a binary */
		diag_warn_at(file, (unsigned)err.line, "%s: not Intel HEX, used as a raw binary",
			     err.msg);
		rc = add_item(m, addr, file, NULL, &b);
		goto out;
	}
	rc = add_runs(m, file, &h);
	ihex_free(&h);
out:
	buf_free(&b);
	return rc;
}

static int to_file(void *ctx, const void *data, size_t len)
{
	return fileio_atomic_write(ctx, data, len);
}

static int write_raw(const struct flash_merge *m, const struct flash_merge_out *o,
		     struct fileio_atomic_file *af, int *opened, const char *output)
{
	struct flash_plan plan;
	int rc = -1;

	if (flash_plan(m->items, m->n, o->target_offset, o->pad_to, &plan) < 0)
		return -1;
	if (fileio_atomic_open(af, output) < 0)
		goto out;
	*opened = 1;
	rc = flash_plan_write(&plan, af);
out:
	flash_plan_free(&plan);
	return rc;
}

static int write_hex(const struct flash_item *const *sorted, size_t n,
		     struct fileio_atomic_file *af, int *opened, const char *output)
{
	struct ihex_seg *segs = calloc(n, sizeof(*segs));
	size_t i;
	int rc = -1;

	if (!segs)
		return diag_error("out of memory");
	for (i = 0; i < n; i++) {
		segs[i].addr = sorted[i]->addr;
		segs[i].data = sorted[i]->data;
		segs[i].len = sorted[i]->len;
	}
	if (fileio_atomic_open(af, output) < 0)
		goto out;
	*opened = 1;
	rc = ihex_encode(segs, n, to_file, af);
out:
	free(segs);
	return rc;
}

static int write_uf2(const struct flash_merge *m, const struct flash_merge_out *o,
		     const struct flash_item *const *sorted, size_t n,
		     struct fileio_atomic_file *af, int *opened, const char *output)
{
	struct uf2_opts u = {m->chip->uf2_family, o->chunk, !o->md5_disable};
	size_t i;

	if (!o->chunk_given)
		u.chunk = uf2_default_chunk(u.md5);
	for (i = 0; i < n; i++)
		if (uf2_check(&u, sorted[i]->addr, sorted[i]->len, sorted[i]->name) < 0)
			return -1;
	if (fileio_atomic_open(af, output) < 0)
		return -1;
	*opened = 1;
	for (i = 0; i < n; i++)
		if (uf2_encode_file(&u, sorted[i]->addr, sorted[i]->data, sorted[i]->len, to_file,
				    af) < 0)
			return -1;
	return 0;
}

int flash_merge_write(const struct flash_merge *m, const struct flash_merge_out *o,
		      const char *output)
{
	const struct flash_item **sorted = NULL;
	struct fileio_atomic_file af;
	int opened = 0, rc;

	if (o->format == FLASH_MERGE_RAW) {
		rc = write_raw(m, o, &af, &opened, output);
	} else {
		/* HEX and UF2 carry 32-bit addresses */
		if (flash_sort(m->items, m->n, (uint64_t)1 << 32, &sorted) < 0)
			return -1;
		rc = o->format == FLASH_MERGE_HEX
			 ? write_hex(sorted, m->n, &af, &opened, output)
			 : write_uf2(m, o, sorted, m->n, &af, &opened, output);
		free(sorted);
	}
	if (!opened)
		return -1;
	if (rc < 0) {
		fileio_atomic_abort(&af);
		return -1;
	}
	return fileio_atomic_commit(&af);
}
