/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The factory image of a manifest, in genimage's phases: read the manifest and the
 * layout, check every section with its content handler, build the bootloader, the
 * table and what the handlers share once, then per image only the per-device part.
 */
#include "factory.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ascii.h"
#include "diag.h"
#include "factory_enc.h"
#include "factory_nvs.h"
#include "factory_output.h"
#include "factory_sign.h"
#include "fileio.h"
#include "flash.h"
#include "hash.h"
#include "layout.h"
#include "manifest.h"
#include "parttable.h"
#include "secret.h"

/* One section and the handler that fills it. */
struct factory_fill {
	const struct content_handler *h;
	const struct manifest_section *s;
	const struct manifest_setting *src;
	const struct parttable_entry *p;
	void *priv;
};

/* Everything of a manifest that is the same for every build of it. */
struct factory {
	struct manifest m;
	struct parttable_config cfg;
	struct parttable pt;
	const struct chip *chip;
	struct flash_params fp;
	uint64_t flash_bytes;
	int fill;
	struct content_region *r; /* bootloader, table, then fills[i] at r[FIRST_FILL + i] */
	size_t nr;
	struct factory_fill *fills;
	size_t nfills;
	struct depfile deps;
	struct factory_enc enc;
	struct factory_sign sign;
	struct factory_nvs nvs;
	size_t keys_region;    /* the region the NVS keys fill (factory_nvs.h), or 0 */
	char *layout_path;     /* the table's messages name it: kept as long as the table */
	unsigned char *shared; /* regions mode: per region, 1 when every build shares it */
};

#define FIRST_FILL 2

void factory_free(struct factory *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; f->r && i < f->nr; i++)
		if (i == f->keys_region && i)
			secret_buf_free(&f->r[i].data);
		else
			buf_free(&f->r[i].data);
	free(f->r);
	for (i = 0; i < f->nfills; i++)
		if (f->fills[i].h->free)
			f->fills[i].h->free(f->fills[i].priv);
	free(f->fills);
	parttable_free(&f->pt);
	parttable_config_free(&f->cfg);
	manifest_free(&f->m);
	depfile_free(&f->deps);
	factory_enc_free(&f->enc);
	factory_sign_free(&f->sign);
	factory_nvs_free(&f->nvs);
	free(f->layout_path);
	free(f->shared);
	free(f);
}

static struct content_ctx fill_ctx(struct factory *f, const struct factory_fill *x)
{
	struct content_ctx c = {&f->m, x->s, x->src, &f->pt, x->p, f->chip, &f->fp, &f->deps};

	return c;
}

/* The settings before the first section, and the layout they name. */
static int setup_top(struct factory *f, const char *path)
{
	struct manifest *m = &f->m;
	const struct manifest_setting *top = m->top;
	char *layout_path;
	size_t i, k;

	if (depfile_add(&f->deps, path) < 0 || manifest_load(path, m) < 0)
		return -1;
	for (k = 0; k < MANIFEST_FILL; k++)
		if (!top[k].value)
			return manifest_error(m, 0,
					      "no '%s' setting (chip, flash_mode, flash_freq, "
					      "flash_size, layout and bootloader are required)",
					      manifest_top_name((enum manifest_top)k));
	f->chip = chip_find(top[MANIFEST_CHIP].value);
	if (!f->chip)
		return manifest_error(m, top[MANIFEST_CHIP].line, "unknown chip '%s' (one of %s)",
				      top[MANIFEST_CHIP].value, chip_names());
	f->fp.mode = top[MANIFEST_FLASH_MODE].value;
	f->fp.freq = top[MANIFEST_FLASH_FREQ].value;
	f->fp.size = top[MANIFEST_FLASH_SIZE].value;
	if (!strcmp(f->fp.mode, "keep") || !strcmp(f->fp.freq, "keep") ||
	    !strcmp(f->fp.size, "keep"))
		return manifest_error(m, top[MANIFEST_FLASH_MODE].line,
				      "a factory image declares its flash settings: 'keep' is not "
				      "allowed");
	if (flash_params_check(f->chip, &f->fp) < 0)
		return manifest_error(m, top[MANIFEST_FLASH_MODE].line,
				      "flash settings do not suit %s", f->chip->name);
	f->flash_bytes = chip_flash_size_bytes(f->fp.size);
	if (manifest_bool(m, &top[MANIFEST_FILL], &f->fill) < 0)
		return -1;

	/* the layout: the manifest's flash size is the one every partition must fit */
	layout_path = manifest_path(m, top[MANIFEST_LAYOUT].value);
	f->layout_path = layout_path;
	if (!layout_path)
		return diag_error("out of memory");
	f->cfg.flash_size = f->flash_bytes;
	f->cfg.flash_size_set = 1;
	if (depfile_add(&f->deps, layout_path) < 0 ||
	    layout_load(layout_path, &f->cfg, &f->pt, NULL) < 0)
		return -1;
	for (i = 0; i < f->pt.n; i++) {
		uint64_t end = (uint64_t)f->pt.v[i].offset + (uint64_t)f->pt.v[i].size;

		if (end > f->flash_bytes)
			return parttable_entry_error(&f->pt, &f->pt.v[i],
						     "partition %s ends at 0x%" PRIx64 ", past the "
						     "%s flash declared in %s",
						     f->pt.v[i].name, end, f->fp.size, path);
	}
	return 0;
}

static const struct parttable_entry *find_partition(const struct parttable *pt, const char *label)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (strcmp(pt->v[i].name, label) == 0)
			return &pt->v[i];
	return NULL;
}

/* Every section: its partition, its handler, and the handler's check. */
static int check_sections(struct factory *f)
{
	const struct manifest *m = &f->m;
	size_t i;

	f->fills = calloc(m->nsec ? m->nsec : 1, sizeof(*f->fills));
	if (!f->fills)
		return diag_error("out of memory");
	for (i = 0; i < m->nsec; i++) {
		struct factory_fill *x = &f->fills[i];
		struct content_ctx c;

		x->s = &m->sec[i];
		x->p = find_partition(&f->pt, x->s->label);
		if (!x->p)
			return manifest_error(
			    m, x->s->line,
			    "unknown partition [%s]: the layout %s has no such label", x->s->label,
			    m->top[MANIFEST_LAYOUT].value);
		x->h = content_select(m, x->s, &x->src);
		if (!x->h)
			return -1;
		f->nfills++;
		c = fill_ctx(f, x);
		if (x->h->check && x->h->check(&c, &x->priv) < 0)
			return -1;
	}
	return 0;
}

static int is_elf(const struct buf *b)
{
	return b->len >= 4 && memcmp(b->data, "\x7f" "ELF", 4) == 0;
}

/* The bootloader at the chip's offset, an ELF converted, the flash settings patched
 * into its header. */
static int build_bootloader(struct factory *f, struct content_region *r)
{
	const struct manifest_setting *bl = &f->m.top[MANIFEST_BOOTLOADER];
	struct elf2image_opts o;
	struct buf what = BUF_INIT;
	int sb;

	r->name = "bootloader";
	r->kind = "bootloader";
	r->source = bl->value;
	r->offset = f->chip->bootloader_offset;
	if (content_file_read(&f->m, r->source, &f->deps, &r->data) < 0)
		return -1;
	if (is_elf(&r->data)) {
		buf_free(&r->data);
		if (content_elf_opts(&f->m, f->chip, NULL, &o) < 0 ||
		    content_elf_convert(&f->m, &o, r->source, &f->deps, &r->data) < 0)
			return -1;
	}
	if (content_file_check_app(&f->m, bl->line, r->source, f->chip, &r->data) < 0)
		return -1;
	/* the manifest promises its flash settings in the header; a signed image cannot
	 * take them without losing its signature, so that is an error, not a patch */
	sb = flash_signed_mismatch(f->chip, &f->fp, &r->data, &what);
	if (sb) {
		manifest_error(&f->m, bl->line,
			       "bootloader %s is signed (Secure Boot v%d) and its header differs "
			       "from this manifest (%.*s): patching it would break the signature; "
			       "build the bootloader with the manifest's flash settings, or set "
			       "them to match the image",
			       r->source, sb, (int)what.len, (const char *)what.data);
		buf_free(&what);
		return -1;
	}
	if (flash_patch_bootloader(f->chip, &f->fp, r->source, &r->data) < 0)
		return -1;
	if (f->sign.on && factory_sign_region(&f->sign, &f->m, bl->line, r) < 0)
		return -1;
	r->size = r->data.len;
	if (f->chip->bootloader_offset + r->data.len > (uint64_t)f->cfg.table_offset)
		return manifest_error(&f->m, bl->line,
				      "bootloader (%zu bytes at 0x%x) runs into the partition "
				      "table at 0x%" PRIx64,
				      r->data.len, f->chip->bootloader_offset,
				      (uint64_t)f->cfg.table_offset);
	return 0;
}

/* What every section's handler builds once. */
static int build_sections(struct factory *f)
{
	size_t i;

	for (i = 0; i < f->nfills; i++) {
		const struct factory_fill *x = &f->fills[i];
		struct content_region *r = &f->r[FIRST_FILL + i];
		struct content_ctx c = fill_ctx(f, x);

		f->nr++;
		r->name = x->s->label;
		r->kind = x->h->kind;
		r->offset = (uint64_t)x->p->offset;
		r->size = (uint64_t)x->p->size;
		if (x->h->build_shared(&c, x->priv, r) < 0)
			return -1;
		/* signed before encrypted: the device checks the signature of the plaintext */
		if (f->sign.on && x->p->type == PARTTABLE_TYPE_APP && !x->h->build_device &&
		    factory_sign_region(&f->sign, &f->m, x->src->line, r) < 0)
			return -1;
		if (content_fit_check(&c, r) < 0)
			return -1;
	}
	return 0;
}

/* Whether region @i is stored encrypted. */
static int region_encrypted(const struct factory *f, size_t i)
{
	if (f->enc.mode == FACTORY_ENC_OFF)
		return 0;
	return i < FIRST_FILL || factory_enc_wanted(f->fills[i - FIRST_FILL].p);
}

/* Whether region @i holds the NVS keys of each build (a column's, or generated ones). */
static int keys_per_build(const struct factory *f, size_t i)
{
	return f->keys_region && i == f->keys_region && factory_nvs_per_build(&f->nvs);
}

static int made_per_device(const struct factory *f, size_t i)
{
	return i >= FIRST_FILL &&
	       (f->fills[i - FIRST_FILL].h->build_device || keys_per_build(f, i));
}

/* The nvs_keys region's bytes when every build shares the keys: made once. */
static int build_shared_keys(struct factory *f)
{
	size_t i;

	for (i = 0; f->nvs.keys_label && i < f->nfills; i++)
		if (strcmp(f->fills[i].s->label, f->nvs.keys_label) == 0)
			f->keys_region = FIRST_FILL + i;
	if (!f->keys_region)
		return 0;
	f->r[f->keys_region].key_file = f->nvs.set->value;
	if (factory_nvs_per_build(&f->nvs))
		return 0;
	return factory_nvs_image(&f->nvs.keys, &f->r[f->keys_region].data);
}

/* Whether region @i's bytes are made for each build (by its handler, or encrypted with
 * the build's own key) rather than shared. */
static int build_owned(const struct factory *f, size_t i)
{
	return made_per_device(f, i) ||
	       (region_encrypted(f, i) && f->enc.mode != FACTORY_ENC_SHARED);
}

/* The shared regions that are stored encrypted: encrypted once with a shared key, or
 * kept as the plaintext each build encrypts with its own. */
static int encrypt_shared(struct factory *f)
{
	size_t i;

	for (i = 0; i < f->nr; i++) {
		if (!region_encrypted(f, i) || made_per_device(f, i))
			continue;
		if (f->enc.mode == FACTORY_ENC_SHARED) {
			if (factory_enc_region(&f->enc, &f->enc.key, &f->r[i]) < 0)
				return -1;
		} else if (factory_enc_plain(&f->r[i]) < 0) {
			return -1;
		}
		f->r[i].encrypted = 1;
	}
	return 0;
}

static int factory_setup(struct factory *f, const char *path, unsigned flags)
{
	if (setup_top(f, path) < 0 ||
	    factory_enc_setup(&f->m, f->chip, &f->pt, (flags & FACTORY_KEYGEN) != 0, &f->deps,
			      &f->enc) < 0 ||
	    factory_sign_setup(&f->m, f->chip, &f->deps, &f->sign) < 0 ||
	    check_sections(f) < 0 || factory_nvs_setup(&f->m, &f->pt, &f->deps, &f->nvs) < 0)
		return -1;
	f->r = calloc(f->nfills + FIRST_FILL, sizeof(*f->r));
	if (!f->r)
		return diag_error("out of memory");
	f->nr = 1;
	if (build_bootloader(f, &f->r[0]) < 0)
		return -1;
	/* the table at its offset */
	f->r[1].name = "partition_table";
	f->r[1].kind = "partition_table";
	f->r[1].source = f->m.top[MANIFEST_LAYOUT].value;
	f->r[1].offset = (uint64_t)f->cfg.table_offset;
	f->nr = 2;
	if (parttable_encode(&f->pt, &f->cfg, &f->r[1].data) < 0)
		return -1;
	f->r[1].size = f->r[1].data.len;
	if (build_sections(f) < 0 || build_shared_keys(f) < 0)
		return -1;
	return encrypt_shared(f);
}

int factory_load(const char *path, struct factory **out)
{
	return factory_load_opts(path, 0, out);
}

int factory_load_opts(const char *path, unsigned flags, struct factory **out)
{
	struct factory *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return diag_error("out of memory");
	parttable_init(&f->pt, NULL);
	if (parttable_config_init(&f->cfg) < 0 || factory_setup(f, path, flags) < 0) {
		factory_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

const char *factory_manifest(const struct factory *f)
{
	return f->m.file;
}

const struct depfile *factory_deps(const struct factory *f)
{
	return &f->deps;
}

const struct chip *factory_chip(const struct factory *f)
{
	return f->chip;
}

/* An NVS region made for this build, encrypted with the build's NVS keys. */
static int encrypt_nvs(const struct factory *f, const struct factory_nvs_build *nb,
		       struct content_region *r)
{
	r->nvs_encryption = f->nvs.scheme == FACTORY_NVS_HMAC ? "hmac" : "flash";
	r->key_file = nb->key_file;
	return nvs_encrypt(r->name, &nb->keys, r->data.data, r->data.len);
}

/*
 * The regions of one build into @r: the shared ones as they are, the per-device ones
 * made, the encrypted NVS ones encrypted with the build's NVS keys @nb, and with a
 * flash-encryption key per device every encrypted one encrypted with it (@given, or
 * the device's key file).
 */
static int build_regions(const struct factory *f, const struct content_device *dev,
			 const struct flashenc_key *given, const struct factory_nvs_build *nb,
			 struct depfile *deps, struct content_region *r)
{
	struct flashenc_key devkey;
	const struct flashenc_key *key = given;
	size_t i;
	int rc = -1;

	memset(&devkey, 0, sizeof(devkey));
	memcpy(r, f->r, f->nr * sizeof(*r));
	for (i = 0; i < f->nr; i++)
		if (build_owned(f, i))
			memset(&r[i].data, 0, sizeof(r[i].data));
	if (f->enc.mode == FACTORY_ENC_GIVEN && !given)
		return diag_error("no flash-encryption key given for this image");
	if (f->enc.mode == FACTORY_ENC_SHARED || f->enc.mode == FACTORY_ENC_COLUMN) {
		if (factory_enc_device_key(&f->enc, dev, deps, &devkey) < 0)
			goto out;
		key = &devkey;
	}
	for (i = 0; i < f->nr; i++) {
		const struct factory_fill *x = &f->fills[i < FIRST_FILL ? 0 : i - FIRST_FILL];

		if (keys_per_build(f, i)) {
			r[i].key_file = nb->key_file;
			if (factory_nvs_image(&nb->keys, &r[i].data) < 0)
				goto out;
			if (region_encrypted(f, i) && factory_enc_region(&f->enc, key, &r[i]) < 0)
				goto out;
		} else if (made_per_device(f, i)) {
			if (x->h->build_device(x->priv, dev, deps, &r[i].data) < 0)
				goto out;
			if (factory_nvs_encrypts(x->s) && encrypt_nvs(f, nb, &r[i]) < 0)
				goto out;
			if (region_encrypted(f, i) && factory_enc_region(&f->enc, key, &r[i]) < 0)
				goto out;
		} else if (build_owned(f, i)) {
			/* f->r[i] holds the plaintext: encrypted with this build's key */
			if (factory_enc_crypt(&f->enc, key, &f->r[i], &r[i].data) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	flashenc_key_wipe(&devkey);
	return rc;
}

const char *factory_generated_keys(const struct factory *f)
{
	return factory_nvs_generates(&f->nvs);
}

/* One build: the image at @bin_path, or with @regions (which of f->r are shared) the
 * device's regions and flash_args into the directory @bin_path. */
static int build(const struct factory *f, const struct content_device *dev,
		 const struct flashenc_key *key, const char *bin_path, const char *json_path,
		 const char *keys_path, int threads, const unsigned char *regions,
		 struct depfile *deps, struct factory_result *res)
{
	struct content_region *r = NULL;
	struct flash_item *items = NULL;
	struct flash_plan plan = {NULL, 0, 0};
	struct factory_output o;
	struct factory_nvs_build nb;
	const char *slash = keys_path ? strrchr(keys_path, '/') : NULL;
	size_t i;
	int rc = -1;

	memset(&nb, 0, sizeof(nb));
	memset(&o, 0, sizeof(o));
	if (factory_nvs_generates(&f->nvs) && !keys_path)
		return diag_error("no file named for the NVS keys this build generates");
	/* the shared regions as they are, the per-device ones made for this build */
	r = calloc(f->nr, sizeof(*r)); /* freed below even when nothing was built */
	items = malloc(f->nr * sizeof(*items));
	if (!r || !items) {
		diag_error("out of memory");
		goto out;
	}
	/* FLASH.json names a generated key file as it lies beside FLASH.bin */
	if (factory_nvs_keys(&f->nvs, dev, slash ? slash + 1 : keys_path, deps, &nb) < 0 ||
	    build_regions(f, dev, key, &nb, deps, r) < 0)
		goto out;
	for (i = 0; i < f->nr; i++) {
		items[i].addr = r[i].offset;
		items[i].name = r[i].name;
		items[i].data = r[i].data.data;
		items[i].len = r[i].data.len;
	}
	if (flash_plan(items, f->nr, 0, f->fill ? f->flash_bytes : 0, &plan) < 0)
		goto out;
	o.chip = f->chip;
	o.fp = &f->fp;
	o.device = dev ? dev->id : NULL;
	o.r = r;
	o.nr = f->nr;
	o.plan = &plan;
	if (nb.file_len) {
		o.secret_path = keys_path;
		o.secret = nb.file;
		o.secret_len = nb.file_len;
	}
	o.shared = regions;
	o.keys_region = f->keys_region ? f->keys_region : (size_t)-1;
	if ((regions ? factory_output_regions(&o, bin_path, json_path, res)
		     : factory_output_write(&o, bin_path, json_path, threads, res)) < 0)
		goto out;
	rc = 0;
out:
	flash_plan_free(&plan);
	for (i = 0; r && i < f->nr; i++)
		if (keys_per_build(f, i))
			secret_buf_free(&r[i].data);
		else if (build_owned(f, i))
			buf_free(&r[i].data);
	factory_nvs_build_wipe(&nb);
	free(r);
	free(items);
	return rc;
}

int factory_build(const struct factory *f, const struct content_device *dev,
		  const struct flashenc_key *key, const char *bin_path, const char *json_path,
		  const char *keys_path, int threads, struct depfile *deps,
		  struct factory_result *res)
{
	return build(f, dev, key, bin_path, json_path, keys_path, threads, NULL, deps, res);
}

int factory_build_regions(const struct factory *f, const struct content_device *dev,
			  const struct flashenc_key *key, const char *dir, const char *json_path,
			  const char *keys_path, struct depfile *deps, struct factory_result *res)
{
	if (!f->shared)
		return diag_error("factory_share_regions() was not called");
	return build(f, dev, key, dir, json_path, keys_path, 0, f->shared, deps, res);
}

/* The shared region @r as OUTDIR/common/<sha256>.bin: kept when a regular file of that
 * name and size is there (its name is its content's digest), else written. */
static int write_common(const char *common, const struct content_region *r, int secret)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int rc = 0;

	if (buf_printf(&path, "%s/%s.bin", common, r->sha) < 0)
		return diag_error("out of memory");
	if (lstat((const char *)path.data, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != (uint64_t)r->data.len)
		rc = fileio_atomic_write_file_mode((const char *)path.data, r->data.data,
						   r->data.len, secret ? 0600 : 0666);
	buf_free(&path);
	return rc;
}

int factory_share_regions(struct factory *f, const char *common)
{
	struct stat st;
	size_t i;

	if (!f->shared) {
		f->shared = calloc(f->nr ? f->nr : 1, 1);
		if (!f->shared)
			return diag_error("out of memory");
	}
	if (mkdir(common, 0777) < 0 && errno != EEXIST)
		return diag_errno(common, "cannot create the directory");
	/* a link there would take the shared regions out of OUTDIR */
	if (lstat(common, &st) < 0 || !S_ISDIR(st.st_mode))
		return diag_file(common, "is not a directory (a link or a file is left as it is)");
	for (i = 0; i < f->nr; i++) {
		uint8_t d[SHA256_LEN];

		f->shared[i] = !build_owned(f, i);
		if (!f->shared[i] || !f->r[i].data.len)
			continue;
		hash_sha256(f->r[i].data.data, f->r[i].data.len, d);
		ascii_hex_encode(d, SHA256_LEN, f->r[i].sha);
		/* the NVS keys partition: key bytes, kept as a key file is */
		if (write_common(common, &f->r[i], f->keys_region && i == f->keys_region) < 0)
			return -1;
	}
	return 0;
}

int factory_check(const struct factory *f, const struct content_device *dev)
{
	struct buf out = BUF_INIT;
	struct flashenc_key key;
	size_t i;
	int rc = 0;

	if (f->enc.mode == FACTORY_ENC_COLUMN) {
		rc = factory_enc_device_key(&f->enc, dev, NULL, &key);
		flashenc_key_wipe(&key);
	}
	if (rc == 0 && f->nvs.source == FACTORY_NVS_COLUMN) {
		struct factory_nvs_build nb;

		rc = factory_nvs_keys(&f->nvs, dev, NULL, NULL, &nb);
		factory_nvs_build_wipe(&nb);
	}

	for (i = 0; i < f->nfills && rc == 0; i++) {
		const struct factory_fill *x = &f->fills[i];

		if (x->h->build_device)
			rc = x->h->build_device(x->priv, dev, NULL, &out);
		out.len = 0;
	}
	buf_free(&out);
	return rc;
}

void factory_explain(const struct factory *f, const struct content_device *dev,
		     const char *messages, struct buf *note)
{
	size_t i;

	for (i = 0; i < f->nfills; i++)
		if (f->fills[i].h->explain)
			f->fills[i].h->explain(f->fills[i].priv, dev, messages, note);
}

/* @bin_path without its ".bin", then @suffix (malloc'd). */
static char *beside(const char *bin_path, const char *suffix)
{
	size_t n = strlen(bin_path);
	char *p = malloc(n + strlen(suffix) + 1);

	if (!p)
		return NULL;
	memcpy(p, bin_path, n + 1);
	if (n > 4 && strcmp(bin_path + n - 4, ".bin") == 0)
		p[n - 4] = '\0';
	strcat(p, suffix);
	return p;
}

char *factory_json_path(const char *bin_path)
{
	return beside(bin_path, ".json");
}

int factory_make(const char *manifest, const char *output, const char *depfile)
{
	struct factory *f;
	struct factory_result res;
	struct depfile deps;
	char *jpath = factory_json_path(output), *kpath = NULL;
	int rc = -1;

	if (!jpath)
		return diag_error("out of memory");
	depfile_init(&deps);
	if (factory_load(manifest, &f) == 0) {
		rc = depfile_merge(&deps, factory_deps(f));
		/* generated NVS keys: FLASH.nvs_keys.bin or FLASH.hmac_key.bin beside FLASH.bin */
		if (rc == 0 && factory_generated_keys(f)) {
			char suffix[32];

			snprintf(suffix, sizeof(suffix), ".%s.bin", factory_generated_keys(f));
			kpath = beside(output, suffix);
			rc = kpath ? 0 : diag_error("out of memory");
		}
		if (rc == 0)
			rc = factory_build(f, NULL, NULL, output, jpath, kpath, 1,
					   depfile ? &deps : NULL, &res);
		if (rc == 0 && depfile)
			rc = depfile_write(depfile, output, &deps);
		factory_free(f);
	}
	depfile_free(&deps);
	free(jpath);
	free(kpath);
	return rc;
}

int factory_validate(const char *manifest)
{
	struct factory *f;
	int rc;

	if (factory_load(manifest, &f) < 0)
		return -1;
	rc = factory_check(f, NULL);
	factory_free(f);
	return rc;
}
