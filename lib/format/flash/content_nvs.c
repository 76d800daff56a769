/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The 'nvs' handler: an NVS partition from a generator CSV (spec/nvs.md). The CSV
 * is read once; the image is generated per build, since its rows may hold ${column}
 * placeholders that each device of a batch fills from its row of the devices CSV.
 */
#include "content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "layout.h"
#include "nvs.h"

static const char *const nvs_keys[] = {"nvs_version", NULL};

struct nvs_slot {
	const char *manifest; /* for messages */
	const char *label;
	unsigned line; /* of the 'nvs' key */
	char *path;    /* the CSV, resolved */
	char *dir;     /* its directory: 'file' rows resolve there */
	struct nvs_csv csv; /* rows as written, ${column} placeholders unexpanded */
	struct nvs_gen_opts opts;
};

static void nvs_free(void *priv)
{
	struct nvs_slot *slot = priv;

	if (!slot)
		return;
	nvs_csv_free(&slot->csv);
	free(slot->path);
	free(slot->dir);
	free(slot);
}

static int nvs_check(const struct content_ctx *c, void **priv)
{
	struct nvs_slot *slot;
	const char *why;
	int64_t version = 2;

	if (c->p->type != PARTTABLE_TYPE_DATA || c->p->subtype != PARTTABLE_SUBTYPE_DATA_NVS)
		return manifest_error(c->m, c->src->line,
				      "[%s] is not an NVS partition (data, nvs)", c->s->label);
	why = nvs_size_problem(c->p->size);
	if (why)
		return manifest_error(c->m, c->src->line, "[%s] cannot hold NVS data: %s",
				      c->s->label, why);
	if (manifest_num(c->m, manifest_get(c->s, "nvs_version"), 1, 2, &version) < 0)
		return -1;
	slot = calloc(1, sizeof(*slot));
	if (!slot)
		return diag_error("out of memory");
	*priv = slot;
	slot->manifest = c->m->file;
	slot->label = c->s->label;
	slot->line = c->src->line;
	slot->opts.size = (uint64_t)c->p->size;
	slot->opts.version = (int)version;
	nvs_csv_init(&slot->csv, NULL);
	return 0;
}

/* Reads and parses the CSV once; the image itself is made per build. */
static int nvs_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	struct nvs_slot *slot = priv;
	struct buf data = BUF_INIT;
	const char *slash;
	int rc;

	snprintf(r->what, sizeof(r->what), "nvs = %.36s", c->src->value);
	r->source = r->what;
	slot->path = content_input(c->m, c->src->value, c->deps);
	if (!slot->path)
		return -1;
	slash = strrchr(slot->path, '/');
	slot->dir = slash ? strndup(slot->path, (size_t)(slash - slot->path + 1)) : strdup("");
	if (!slot->dir)
		return diag_error("out of memory");
	nvs_csv_init(&slot->csv, slot->path);
	if (fileio_read(slot->path, LAYOUT_MAX_FILE, &data) < 0)
		return -1;
	rc = nvs_csv_parse(&slot->csv, data.data ? data.data : (const uint8_t *)"", data.len);
	buf_free(&data);
	return rc;
}

/* ${name} of @dev, or NULL. */
static const char *device_value(const struct content_device *dev, const char *name, size_t len)
{
	size_t i;

	for (i = 0; dev && i < dev->ncols; i++)
		if (strlen(dev->names[i]) == len && memcmp(dev->names[i], name, len) == 0)
			return dev->values[i];
	return NULL;
}

/* Copies @in with every ${column} replaced by the device's value. */
static int expand(const struct nvs_slot *slot, unsigned line, const struct nvs_field *in,
		  const struct content_device *dev, struct nvs_field *out)
{
	struct buf b = BUF_INIT;
	const char *p, *q, *v;

	out->s = NULL;
	out->len = 0;
	if (!in->s)
		return 0;
	for (p = in->s; (q = strstr(p, "${")) != NULL; p = strchr(q, '}') + 1) {
		const char *end = strchr(q + 2, '}');

		if (!end) {
			buf_free(&b);
			return diag_at(slot->path, line, "'${' without a closing '}'");
		}
		v = device_value(dev, q + 2, (size_t)(end - q - 2));
		if (!v) {
			if (!dev)
				diag_at(slot->path, line,
					"placeholder ${%.*s} needs a devices CSV (--devices) with "
					"that column",
					(int)(end - q - 2), q + 2);
			else
				diag_at(dev->file, dev->line,
					"device %s: no column '%.*s' (used at %s:%u)", dev->id,
					(int)(end - q - 2), q + 2, slot->path, line);
			buf_free(&b);
			return -1;
		}
		if (buf_append(&b, p, (size_t)(q - p)) < 0 || buf_puts(&b, v) < 0) {
			buf_free(&b);
			return -1;
		}
		q = end;
	}
	if (buf_puts(&b, p) < 0 || buf_append(&b, "", 1) < 0) {
		buf_free(&b);
		return -1;
	}
	out->s = (char *)b.data;
	out->len = b.len - 1;
	return 0;
}

struct reader_ctx {
	const struct nvs_slot *slot;
	struct depfile *deps;
};

/* 'file' rows of a manifest's NVS CSV resolve against the CSV's own directory. */
static int nvs_read(void *ctx, const char *csv_file, unsigned line, const char *path,
		    struct buf *out)
{
	const struct reader_ctx *rc = ctx;
	size_t dl = strlen(rc->slot->dir), pl = strlen(path);
	char *full;
	int r;

	(void)csv_file;
	(void)line;
	full = malloc(dl + pl + 1);
	if (!full)
		return diag_error("out of memory");
	if (path[0] == '/')
		dl = 0;
	memcpy(full, rc->slot->dir, dl);
	memcpy(full + dl, path, pl + 1);
	r = depfile_add(rc->deps, full);
	if (r == 0)
		r = fileio_read(full, FILEIO_MAX_INPUT, out);
	free(full);
	return r;
}

/* The NVS image of @slot for @dev (NULL: no placeholders allowed). */
static int nvs_build_device(const void *priv, const struct content_device *dev,
			    struct depfile *deps, struct buf *out)
{
	const struct nvs_slot *slot = priv;
	struct reader_ctx ctx = {slot, deps};
	struct nvs_csv csv;
	size_t i, start = out->len;
	int rc = -1;

	nvs_csv_init(&csv, slot->path);
	csv.missing = slot->csv.missing;
	csv.header_line = slot->csv.header_line;
	csv.v = calloc(slot->csv.n ? slot->csv.n : 1, sizeof(*csv.v));
	if (!csv.v)
		return diag_error("out of memory");
	csv.cap = slot->csv.n;
	for (i = 0; i < slot->csv.n; i++) {
		const struct nvs_row *t = &slot->csv.v[i];
		struct nvs_row *o = &csv.v[i];

		o->line = t->line;
		csv.n++;
		if (expand(slot, t->line, &t->key, dev, &o->key) < 0 ||
		    expand(slot, t->line, &t->type, dev, &o->type) < 0 ||
		    expand(slot, t->line, &t->encoding, dev, &o->encoding) < 0 ||
		    expand(slot, t->line, &t->value, dev, &o->value) < 0)
			goto out;
	}
	if (nvs_generate(&csv, 1, &slot->opts, nvs_read, &ctx, out) < 0)
		goto out;
	if (out->len - start > slot->opts.size) {
		diag_at(slot->manifest, slot->line, "NVS data does not fit in partition %s",
			slot->label);
		goto out;
	}
	rc = 0;
out:
	nvs_csv_free(&csv);
	return rc;
}

/* Appends "column 'x' ('value') used at FILE:LINE" for every placeholder of @t. */
static void explain_row(const struct nvs_slot *slot, const struct nvs_row *t,
			const struct content_device *dev, struct buf *note)
{
	const struct nvs_field *fields[4] = {&t->key, &t->type, &t->encoding, &t->value};
	size_t i;

	for (i = 0; i < 4; i++) {
		const char *p = fields[i]->s, *q, *end, *v;

		for (; p && (q = strstr(p, "${")) != NULL && (end = strchr(q, '}')) != NULL;
		     p = end + 1) {
			v = device_value(dev, q + 2, (size_t)(end - q - 2));
			buf_printf(note, "%scolumn '%.*s'%s%s%s, used at %s:%u",
				   note->len ? "; " : "", (int)(end - q - 2), q + 2, v ? " ('" : "",
				   v ? v : "", v ? "')" : "", slot->path, t->line);
		}
	}
}

/* The rows that @messages mention by FILE:LINE. */
static void nvs_explain(const void *priv, const struct content_device *dev, const char *messages,
			struct buf *note)
{
	const struct nvs_slot *slot = priv;
	char where[4200];
	size_t k;

	for (k = 0; k < slot->csv.n; k++) {
		snprintf(where, sizeof(where), "%s:%u:", slot->path, slot->csv.v[k].line);
		if (strstr(messages, where))
			explain_row(slot, &slot->csv.v[k], dev, note);
	}
}

const struct content_handler content_nvs = {
	.key = "nvs",
	.kind = "nvs",
	.opts = nvs_keys,
	.check = nvs_check,
	.build_shared = nvs_build_shared,
	.build_device = nvs_build_device,
	.explain = nvs_explain,
	.free = nvs_free,
};
