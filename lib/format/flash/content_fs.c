/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file-system handlers: a data partition filled from a directory ('spiffs = www/',
 * 'fat = certs/') as esp-mkfs builds it with the same options (spec/filesystems.md), the
 * partition's size being the image's. The image is built once and shared by every device of a
 * batch. Every file of the directory, and every directory (whose entries change when
 * a file is added), goes to the depfile. One fs_format per file system (SPIFFS, FAT),
 * each with its option keys and its handler.
 */
#include "content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dirtree.h"
#include "fat.h"
#include "spiffs.h"

/* A format's options, parsed from the section. */
union fs_config {
	struct spiffs_config spiffs;
	struct fat_config fat;
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
    "page_size",  "block_size",	     "obj_name_len",
    "meta_len",	  "use_magic",	     "use_magic_len",
    "big_endian", "follow_symlinks", "aligned_obj_ix_tables",
    NULL,
};

static int spiffs_options(const struct content_ctx *c, uint64_t size, union fs_config *cfg)
{
	struct spiffs_config *sc = &cfg->spiffs;
	uint32_t *nums[] = {&sc->page_size, &sc->block_size, &sc->obj_name_len, &sc->meta_len};
	int *bools[] = {&sc->use_magic, &sc->use_magic_len, &sc->big_endian, &sc->follow_symlinks,
			&sc->aligned_obj_ix_tables};
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

static int spiffs_make(const union fs_config *cfg, uint64_t size, const char *dir, struct buf *out,
		       struct dirtree *walk)
{
	return spiffs_build_dir(&cfg->spiffs, size, dir, out, walk);
}

static const struct fs_format fs_spiffs = {"spiffs", "SPIFFS", PARTTABLE_SUBTYPE_DATA_SPIFFS,
					   spiffs_options, spiffs_make};

/* ---- FAT, with or without wear levelling: esp-mkfs's long options with '_' for '-' ---- */

static const char *const fat_keys[] = {
    "sector_size", "root_entry_count", "long_names", "fat_type",
    "fat_count",   "wear_levelling",   "wl_mode",    NULL,
};

/* @key of the section as one of @n numbers @choices (named in @list). */
static int fat_choice(const struct content_ctx *c, const char *key, const int64_t *choices,
		      size_t n, const char *list, uint32_t *out)
{
	const struct manifest_setting *s = manifest_get(c->s, key);
	int64_t v = 0;
	size_t i;

	if (!s)
		return 0;
	if (manifest_num(c->m, s, 0, UINT32_MAX, &v) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (v == choices[i]) {
			*out = (uint32_t)v;
			return 0;
		}
	}
	return manifest_error(c->m, s->line, "%s = %s: not one of %s", key, s->value, list);
}

static int fat_options(const struct content_ctx *c, uint64_t size, union fs_config *cfg)
{
	static const int64_t sectors[] = {512, 1024, 2048, 4096}, types[] = {12, 16},
			     counts[] = {1, 2};
	struct fat_config *fc = &cfg->fat;
	const struct manifest_setting *mode = manifest_get(c->s, "wl_mode");
	int64_t entries = FAT_DEFAULT_ROOT_ENTRIES;
	uint32_t type = 0;
	struct fat_geom g;
	char why[300];

	fat_config_default(fc);
	if (fat_choice(c, "sector_size", sectors, 4, "512, 1024, 2048, 4096", &fc->sector_size))
		return -1;
	if (fat_choice(c, "fat_type", types, 2, "12, 16", &type) < 0)
		return -1;
	if (fat_choice(c, "fat_count", counts, 2, "1, 2", &fc->fat_count) < 0)
		return -1;
	if (manifest_num(c->m, manifest_get(c->s, "root_entry_count"), 0, UINT32_MAX, &entries))
		return -1;
	if (manifest_bool(c->m, manifest_get(c->s, "long_names"), &fc->long_names) < 0)
		return -1;
	if (manifest_bool(c->m, manifest_get(c->s, "wear_levelling"), &fc->wear_levelling) < 0)
		return -1;
	fc->fat_type = (int)type;
	fc->root_entries = (uint32_t)entries;
	if (mode && strcmp(mode->value, "perf") == 0)
		fc->wl_mode = FAT_WL_MODE_PERF;
	else if (mode && strcmp(mode->value, "safe") == 0)
		fc->wl_mode = FAT_WL_MODE_SAFE;
	else if (mode)
		return manifest_error(c->m, mode->line, "wl_mode = %s: not perf or safe",
				      mode->value);
	if (fc->wl_mode != FAT_WL_MODE_UNSET && !fc->wear_levelling)
		return manifest_error(c->m, mode->line, "wl_mode needs wear_levelling = yes");
	if (fat_geom_compute(fc, size, &g, why, sizeof(why)) < 0)
		return manifest_error(c->m, c->src->line, "[%s] cannot hold this FAT image: %s",
				      c->s->label, why);
	return 0;
}

static int fat_make(const union fs_config *cfg, uint64_t size, const char *dir, struct buf *out,
		    struct dirtree *walk)
{
	return fat_build_dir(&cfg->fat, size, dir, out, walk);
}

static const struct fs_format fs_fat = {"fat", "FAT", PARTTABLE_SUBTYPE_DATA_FAT, fat_options,
					fat_make};

/* ---- the handler, the same for every format ---- */

struct fs_slot {
	const struct fs_format *fmt;
	union fs_config cfg;
};

static int fs_check(const struct content_ctx *c, const struct fs_format *fmt, void **priv)
{
	struct fs_slot *slot;

	if (c->p->type != PARTTABLE_TYPE_DATA || c->p->subtype != fmt->subtype)
		return manifest_error(c->m, c->src->line, "[%s] is not a %s partition (data, %s)",
				      c->s->label, fmt->name, fmt->key);
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

static int fat_check(const struct content_ctx *c, void **priv)
{
	return fs_check(c, &fs_fat, priv);
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

const struct content_handler content_fat = {
	.key = "fat",
	.kind = "fat",
	.opts = fat_keys,
	.check = fat_check,
	.build_shared = fs_build_shared,
	.free = fs_free,
};
