/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The 'nvs' handler: an NVS partition from a generator CSV (spec/nvs.md). The CSV
 * is read once; the image is generated per build, since its rows may hold ${column}
 * placeholders that each device of a batch fills from its row of the devices CSV.
 * A device's values come from outside the manifest (a production database, say), so
 * they pass the checks the CSV's own text does, and a 'file' row reads only files
 * inside the manifest's directory, or inside the one directory 'nvs_files' names.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "content.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "fileio.h"
#include "layout.h"
#include "nvs.h"

/* nvs_encryption and hmac_key are read by the factory (factory_nvs.c): the keys are
 * one build's, shared by every encrypted NVS partition and the nvs_keys partition */
static const char *const nvs_opts[] = {"nvs_version", "nvs_files", "nvs_encryption", "hmac_key",
				       NULL};

struct nvs_slot {
	const char *manifest; /* for messages */
	const char *label;
	unsigned line;	    /* of the 'nvs' key */
	char *path;	    /* the CSV, resolved */
	char *dir;	    /* its directory: 'file' rows resolve there */
	char *root;	    /* the manifest's directory, resolved: what 'file' rows may read */
	char *allowed;	    /* the 'nvs_files' directory, resolved, or NULL */
	uint8_t *expand;    /* per row: bit k set when field k (key, type, encoding, value)
			     * holds a ${column} */
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
	free(slot->root);
	free(slot->allowed);
	free(slot->expand);
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

/* The first "${" in [@p, @end), or NULL. Fields are counted bytes: one may hold a NUL. */
static const char *placeholder(const char *p, const char *end)
{
	for (; end - p >= 2; p++)
		if (p[0] == '$' && p[1] == '{')
			return p;
	return NULL;
}

static int has_placeholder(const struct nvs_field *f)
{
	return f->s && placeholder(f->s, f->s + f->len) != NULL;
}

/* The four fields of a row, in the bit order of nvs_slot.expand. */
static struct nvs_field *row_field(struct nvs_row *r, unsigned k)
{
	struct nvs_field *f[4] = {&r->key, &r->type, &r->encoding, &r->value};

	return f[k];
}

/* The directories 'file' rows may read from, with links and '..' resolved (realpath),
 * so that the check in nvs_read() compares what the kernel would open. */
static int resolve_roots(const struct content_ctx *c, struct nvs_slot *slot)
{
	const struct manifest_setting *files = manifest_get(c->s, "nvs_files");
	char *path;
	struct stat st;
	int err;

	slot->root = realpath(c->m->dir[0] ? c->m->dir : ".", NULL);
	if (!slot->root)
		return diag_errno(c->m->file, "cannot resolve the manifest's directory");
	if (!files)
		return 0;
	path = manifest_path(c->m, files->value);
	if (!path)
		return diag_error("out of memory");
	slot->allowed = realpath(path, NULL);
	err = errno;
	free(path);
	if (!slot->allowed)
		return manifest_error(c->m, files->line, "nvs_files = '%s': %s", files->value,
				      strerror(err));
	if (stat(slot->allowed, &st) < 0)
		return manifest_error(c->m, files->line, "nvs_files = '%s': %s", files->value,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return manifest_error(c->m, files->line, "nvs_files = '%s': not a directory",
				      files->value);
	return 0;
}

/* Reads and parses the CSV once; the image itself is made per build. */
static int nvs_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	struct nvs_slot *slot = priv;
	struct buf data = BUF_INIT;
	const char *slash;
	unsigned k;
	size_t i;
	int rc;

	if (resolve_roots(c, slot) < 0)
		return -1;

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
	if (rc < 0)
		return -1;
	/* which fields hold placeholders, found once for every device */
	slot->expand = calloc(slot->csv.n ? slot->csv.n : 1, 1);
	if (!slot->expand)
		return diag_error("out of memory");
	for (i = 0; i < slot->csv.n; i++)
		for (k = 0; k < 4; k++)
			if (has_placeholder(row_field(&slot->csv.v[i], k)))
				slot->expand[i] |= (uint8_t)(1u << k);
	return 0;
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

/* Characters, as the CSV reader counts them against its field limit. */
static size_t field_chars(const struct nvs_field *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->len; i++)
		n += ((uint8_t)f->s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * Copies @in (which has a placeholder) with every ${column} replaced by the device's
 * value into @out (malloc'd). The values passed nvs_csv_check_value() when the devices
 * CSV was read; the field they make must still be one the CSV could hold. @path: @in
 * is a 'file' row's path, where a value names a file and may not climb out of the
 * directory the row gives ("certs/${cert}" with "../../k").
 */
static int expand(const struct nvs_slot *slot, unsigned line, const struct nvs_field *in,
		  const struct content_device *dev, int path, struct nvs_field *out)
{
	const char *why;

	const char *p = in->s, *end = in->s + in->len, *q, *close, *v;
	struct buf b = BUF_INIT;

	out->s = NULL;
	out->len = 0;
	for (; (q = placeholder(p, end)) != NULL; p = close + 1) {
		close = memchr(q + 2, '}', (size_t)(end - q - 2));
		if (!close) {
			buf_free(&b);
			return diag_at(slot->path, line, "'${' without a closing '}'");
		}
		v = device_value(dev, q + 2, (size_t)(close - q - 2));
		if (!v) {
			if (!dev)
				diag_at(slot->path, line,
					"placeholder ${%.*s} needs a devices CSV (--devices) with "
					"that column",
					(int)(close - q - 2), q + 2);
			else
				diag_at(dev->file, dev->line,
					"device %s: no column '%.*s' (used at %s:%u)", dev->id,
					(int)(close - q - 2), q + 2, slot->path, line);
			buf_free(&b);
			return -1;
		}
		why = path ? nvs_file_path_problem(v, strlen(v)) : NULL;
		if (why) {
			buf_free(&b);
			return diag_at(slot->path, line,
				       "a device's value in a file row must name a file below the "
				       "row's directory: %s",
				       why);
		}
		if (buf_append(&b, p, (size_t)(q - p)) < 0 || buf_puts(&b, v) < 0) {
			buf_free(&b);
			return -1;
		}
	}
	if (buf_append(&b, p, (size_t)(end - p)) < 0 || buf_append(&b, "", 1) < 0) {
		buf_free(&b);
		return -1;
	}
	out->s = (char *)b.data;
	out->len = b.len - 1;
	if (field_chars(out) > NVS_CSV_FIELD_MAX) {
		buf_free(&b);
		out->s = NULL;
		return diag_at(slot->path, line, "field larger than field limit (%d)",
			       NVS_CSV_FIELD_MAX);
	}
	return 0;
}

struct reader_ctx {
	const struct nvs_slot *slot;
	struct depfile *deps;
};

/* Whether the resolved path @p lies in the resolved directory @dir. */
static int inside(const char *dir, const char *p)
{
	size_t n = strlen(dir);

	if (strncmp(p, dir, n) != 0)
		return 0;
	return p[n] == '/' || p[n] == '\0' || (n == 1 && dir[0] == '/');
}

/*
 * 'file' rows of a manifest's NVS CSV resolve against the CSV's own directory, and
 * only to a file inside the manifest's directory or the 'nvs_files' one: with a
 * device's value in the row ("certs/${cert}"), '../' or an absolute path would put
 * any file the tool can read into the image.
 */
static int nvs_read(void *ctx, const char *csv_file, unsigned line, const char *path,
		    struct buf *out)
{
	const struct reader_ctx *rc = ctx;
	const struct nvs_slot *slot = rc->slot;
	size_t dl = strlen(slot->dir), pl = strlen(path);
	char *full, *real = NULL;
	int r = -1;

	full = malloc(dl + pl + 1);
	if (!full)
		return diag_error("out of memory");
	if (path[0] == '/')
		dl = 0;
	memcpy(full, slot->dir, dl);
	memcpy(full + dl, path, pl + 1);
	if (depfile_add(rc->deps, full) < 0)
		goto out;
	real = realpath(full, NULL);
	if (!real) {
		diag_errno(full, "cannot open");
		goto out;
	}
	if (!inside(slot->root, real) && !(slot->allowed && inside(slot->allowed, real))) {
		diag_at(csv_file, line,
			"file '%s' is outside the manifest's directory (a directory of other "
			"files may be allowed with 'nvs_files = DIR' in [%s])",
			path, slot->label);
		goto out;
	}
	/* the name as given, so that messages name what the row says */
	r = fileio_read(full, FILEIO_MAX_INPUT, out);
out:
	free(real);
	free(full);
	return r;
}

/* The NVS image of @slot for @dev (NULL: no placeholders allowed). Fields without a
 * placeholder are the template's own (borrowed); only the others are made per device. */
static int nvs_build_device(const void *priv, const struct content_device *dev,
			    struct depfile *deps, struct buf *out)
{
	const struct nvs_slot *slot = priv;
	struct reader_ctx ctx = {slot, deps};
	struct nvs_csv csv;
	size_t i, start = out->len;
	unsigned k;
	int rc = -1;

	nvs_csv_init(&csv, slot->path);
	csv.missing = slot->csv.missing;
	csv.header_line = slot->csv.header_line;
	csv.v = calloc(slot->csv.n ? slot->csv.n : 1, sizeof(*csv.v));
	if (!csv.v)
		return diag_error("out of memory");
	csv.n = csv.cap = slot->csv.n;
	for (i = 0; i < slot->csv.n; i++) {
		struct nvs_row *t = &slot->csv.v[i], *o = &csv.v[i];

		o->line = t->line;
		for (k = 0; k < 4; k++) {
			/* the value of a 'file' row is a path (the type is filled in by now) */
			int path = k == 3 && o->type.s && o->type.len == 4 &&
				   memcmp(o->type.s, "file", 4) == 0;

			if (!(slot->expand[i] & (1u << k)))
				*row_field(o, k) = *row_field(t, k);
			else if (expand(slot, t->line, row_field(t, k), dev, path,
					row_field(o, k)) < 0)
				goto out;
		}
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
	for (i = 0; i < csv.n; i++)
		for (k = 0; k < 4; k++)
			if (slot->expand[i] & (1u << k))
				free(row_field(&csv.v[i], k)->s);
	free(csv.v);
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
	.opts = nvs_opts,
	.check = nvs_check,
	.build_shared = nvs_build_shared,
	.build_device = nvs_build_device,
	.explain = nvs_explain,
	.free = nvs_free,
};

/*
 * The 'nvs_keys' handler: the keys of NVS encryption in the nvs_keys partition (spec/nvs.md
 * §8.2), 'nvs_keys = FILE | ${column} | generate'. Its bytes are the keys of each build,
 * which the encrypted NVS partitions share: the factory (factory_nvs.c) makes them.
 */
static int nvs_keys_check(const struct content_ctx *c, void **priv)
{
	(void)priv;
	if (c->p->type != PARTTABLE_TYPE_DATA ||
	    c->p->subtype != PARTTABLE_SUBTYPE_DATA_NVS_KEYS)
		return manifest_error(c->m, c->src->line,
				      "[%s] is not an nvs_keys partition (data, nvs_keys)",
				      c->s->label);
	return 0;
}

static int nvs_keys_build_shared(const struct content_ctx *c, void *priv,
				 struct content_region *r)
{
	(void)priv;
	r->source = c->src->value;
	return 0;
}

const struct content_handler content_nvs_keys = {
	.key = "nvs_keys",
	.kind = "nvs_keys",
	.check = nvs_keys_check,
	.build_shared = nvs_keys_build_shared,
};
