/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file-system handlers: a data partition filled from a directory ('spiffs = www/'),
 * as esp-mkfs builds it with the same options (spec/filesystems.md), the partition's
 * size being the image's. The image is built once and shared by every device of a
 * batch. Every file of the directory, and every directory (whose entries change when
 * a file is added), goes to the depfile. One row of fs_formats per file system.
 */
#include "content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dirtree.h"
#include "spiffs.h"

/* A format's options, parsed from the section. */
union fs_config {
	struct spiffs_config spiffs;
};

struct fs_format {
	const char *key;  /* the handler's key, and the name of the partition subtype it needs */
	const char *name; /* in messages */
	int64_t subtype;
	/* The options of section @s into @cfg, then checked against @size: -1 after a
	 * FILE:LINE message. */
	int (*options)(const struct content_ctx *c, uint64_t size, union fs_config *cfg);
	/* The @size-byte image of @dir appended to @out, the walk into @walk. */
	int (*build)(const union fs_config *cfg, uint64_t size, const char *dir, struct buf *out,
		     struct dirtree *walk);
};

/* ---- SPIFFS: the keys are esp-mkfs's long options with '_' for '-' ---- */

static const char *const spiffs_keys[] = {
    "page_size", "block_size",	  "obj_name_len", "meta_len",		   "use_magic",
    "use_magic_len", "big_endian", "follow_symlinks", "aligned_obj_ix_tables", NULL,
};

static int spiffs_options(const struct content_ctx *c, uint64_t size, union fs_config *cfg)
{
	struct spiffs_config *sc = &cfg->spiffs;
	uint32_t *nums[] = {&sc->page_size, &sc->block_size, &sc->obj_name_len, &sc->meta_len};
	int *bools[] = {&sc->use_magic, &sc->use_magic_len, &sc->big_endian,
			&sc->follow_symlinks, &sc->aligned_obj_ix_tables};
	char why[200];
	size_t i;

	spiffs_config_default(sc);
	for (i = 0; i < 4; i++) {
		const struct manifest_setting *s = manifest_get(c->s, spiffs_keys[i]);
		int64_t v = *nums[i];

		if (manifest_num(c->m, s, 0, UINT32_MAX, &v) < 0)
			return -1;
		*nums[i] = (uint32_t)v;
	}
	for (i = 0; i < 5; i++) {
		const struct manifest_setting *s = manifest_get(c->s, spiffs_keys[4 + i]);

		if (s && manifest_bool(c->m, s, bools[i]) < 0)
			return -1;
	}
	if (spiffs_config_check(sc, size, why, sizeof(why)) < 0)
		return manifest_error(c->m, c->src->line, "[%s] cannot hold this SPIFFS image: %s",
				      c->s->label, why);
	return 0;
}

static int spiffs_make(const union fs_config *cfg, uint64_t size, const char *dir,
		       struct buf *out, struct dirtree *walk)
{
	return spiffs_build_dir(&cfg->spiffs, size, dir, out, walk);
}

static const struct fs_format fs_spiffs = {"spiffs", "SPIFFS", PARTTABLE_SUBTYPE_DATA_SPIFFS,
					   spiffs_options, spiffs_make};
/* FAT: {"fat", "FAT", PARTTABLE_SUBTYPE_DATA_FAT, fat_options, fat_make}, a fat_check and a
 * content_fat handler below, one line in content.c's table */

/* ---- the handler, the same for every format ---- */

struct fs_slot {
	const struct fs_format *fmt;
	union fs_config cfg;
};

static int fs_check(const struct content_ctx *c, const struct fs_format *fmt, void **priv)
{
	struct fs_slot *slot;

	if (c->p->type != PARTTABLE_TYPE_DATA || c->p->subtype != fmt->subtype)
		return manifest_error(c->m, c->src->line,
				      "[%s] is not a %s partition (data, %s)", c->s->label, fmt->name,
				      fmt->key);
	slot = calloc(1, sizeof(*slot));
	if (!slot)
		return diag_error("out of memory");
	*priv = slot;
	slot->fmt = fmt;
	return fmt->options(c, (uint64_t)c->p->size, &slot->cfg);
}

static int spiffs_check(const struct content_ctx *c, void **priv)
{
	return fs_check(c, &fs_spiffs, priv);
}

/* The directory itself and everything below it, as the build read them. */
static int add_deps(struct depfile *deps, const char *dir, const struct dirtree *walk)
{
	size_t i;

	if (depfile_add(deps, dir) < 0)
		return -1;
	for (i = 0; i < walk->n; i++)
		if (depfile_add(deps, walk->v[i].src) < 0)
			return -1;
	return 0;
}

static int fs_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	const struct fs_slot *slot = priv;
	struct dirtree walk = DIRTREE_INIT;
	char *dir = manifest_path(c->m, c->src->value);
	int rc = -1;

	snprintf(r->what, sizeof(r->what), "%s = %.36s", slot->fmt->key, c->src->value);
	r->source = r->what;
	if (!dir)
		return diag_error("out of memory");
	if (slot->fmt->build(&slot->cfg, (uint64_t)c->p->size, dir, &r->data, &walk) < 0) {
		manifest_error(c->m, c->src->line, "[%s]: no %s image from '%s'", c->s->label,
			       slot->fmt->key, c->src->value);
		goto out;
	}
	rc = add_deps(c->deps, dir, &walk);
out:
	dirtree_free(&walk);
	free(dir);
	return rc;
}

static void fs_free(void *priv)
{
	free(priv);
}

const struct content_handler content_spiffs = {
	.key = "spiffs",
	.kind = "spiffs",
	.opts = spiffs_keys,
	.check = spiffs_check,
	.build_shared = fs_build_shared,
	.free = fs_free,
};
