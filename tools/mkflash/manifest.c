/*
 * The factory manifest: one INI naming the chip, the flash settings, the partition
 * layout, the bootloader, and what fills each partition (README "esp-mkflash").
 */
#include "mkflash.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "appimage.h"
#include "chip.h"
#include "diag.h"
#include "elf2image.h"
#include "fileio.h"
#include "flashimg.h"
#include "hash.h"
#include "inifile.h"
#include "layout.h"
#include "num.h"
#include "otadata.h"
#include "parttable.h"

/* Namespace of build ids: uuid_generate_sha1(ns, SHA-256 of the image). */
static const uuid_t build_id_ns = {0x6b, 0x1e, 0x2f, 0x0c, 0x94, 0x53, 0x4d, 0x8a,
				   0x9e, 0x51, 0x3a, 0x77, 0x0e, 0x8c, 0x52, 0x1d};

enum fill_kind { FILL_NONE, FILL_FILE, FILL_ELF, FILL_OTADATA };

struct setting {
	char *value;
	unsigned line;
};

/* Keys of a partition section. */
enum {
	P_FILE,
	P_ELF,
	P_BOOT,
	P_STATE,
	P_MIN_REV,
	P_MIN_REV_FULL,
	P_MAX_REV_FULL,
	P_ELF_SHA256_OFFSET,
	P_SECURE_PAD_V2,
	P_USE_SEGMENTS,
	P_MMU_PAGE_SIZE,
	P_NO_DIGEST,
	P_COUNT
};
static const char *const part_keys[P_COUNT] = {
	"file",		 "elf",		    "boot",	    "state",	     "min_rev",
	"min_rev_full",	 "max_rev_full",    "elf_sha256_offset", "secure_pad_v2", "use_segments",
	"flash_mmu_page_size", "no_digest",
};

/* Keys before the first section. */
enum { T_CHIP, T_MODE, T_FREQ, T_SIZE, T_LAYOUT, T_BOOTLOADER, T_FILL, T_COUNT };
static const char *const top_keys[T_COUNT] = {"chip",	"flash_mode", "flash_freq", "flash_size",
					      "layout", "bootloader", "fill"};

struct section {
	char *label;
	unsigned line;
	struct setting keys[P_COUNT];
};

struct manifest {
	const char *file;
	char *dir; /* paths resolve relative to the manifest */
	struct setting top[T_COUNT];
	struct section *sec;
	size_t nsec;
};

/* A region of the image, for placing and for FLASH.json. */
struct region {
	const char *name;
	const char *source; /* as written in the manifest */
	const char *kind;
	char what[48]; /* storage for a generated source's description */
	char sha[2 * SHA256_LEN + 1];
	uint64_t offset;
	uint64_t size; /* partition size (data size for bootloader/table) */
	struct buf data;
};

static int fail_at(const struct manifest *m, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail_at(const struct manifest *m, unsigned line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_at(m->file, line, "%s", msg);
}

static int on_section(void *user, const char *name, unsigned line)
{
	struct manifest *m = user;
	struct section *v;
	size_t i;

	for (i = 0; i < m->nsec; i++)
		if (strcmp(m->sec[i].label, name) == 0)
			return fail_at(m, line, "repeated section [%s] (first at line %u)", name,
				       m->sec[i].line);
	if (m->nsec >= LAYOUT_INI_MAX_PARTS)
		return fail_at(m, line, "too many sections");
	v = realloc(m->sec, (m->nsec + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	m->sec = v;
	memset(&v[m->nsec], 0, sizeof(v[m->nsec]));
	v[m->nsec].label = strdup(name);
	v[m->nsec].line = line;
	if (!v[m->nsec].label)
		return diag_error("out of memory");
	m->nsec++;
	return 0;
}

static int set(const struct manifest *m, struct setting *s, const char *key, const char *value,
	       unsigned line)
{
	if (s->value)
		return fail_at(m, line, "'%s' is set twice (first at line %u)", key, s->line);
	s->value = strdup(value);
	s->line = line;
	if (!s->value)
		return diag_error("out of memory");
	return 0;
}

static int on_key(void *user, const char *section, const char *key, const char *value,
		  unsigned line)
{
	struct manifest *m = user;
	size_t k;

	if (!section) {
		for (k = 0; k < T_COUNT; k++)
			if (strcmp(key, top_keys[k]) == 0)
				return set(m, &m->top[k], key, value, line);
		return fail_at(m, line,
			       "unknown setting '%s' (expected chip, flash_mode, flash_freq, "
			       "flash_size, layout, bootloader or fill)",
			       key);
	}
	for (k = 0; k < P_COUNT; k++)
		if (strcmp(key, part_keys[k]) == 0)
			return set(m, &m->sec[m->nsec - 1].keys[k], key, value, line);
	return fail_at(m, line,
		       "unknown key '%s' in [%s] (expected file, elf or boot, and for elf: "
		       "min_rev, min_rev_full, max_rev_full, elf_sha256_offset, secure_pad_v2, "
		       "use_segments, flash_mmu_page_size, no_digest)",
		       key, section);
}

static void manifest_free(struct manifest *m)
{
	size_t i, k;

	for (k = 0; k < T_COUNT; k++)
		free(m->top[k].value);
	for (i = 0; i < m->nsec; i++) {
		free(m->sec[i].label);
		for (k = 0; k < P_COUNT; k++)
			free(m->sec[i].keys[k].value);
	}
	free(m->sec);
	free(m->dir);
}

/* @rel relative to the manifest's directory (absolute paths stay as they are). */
static char *resolve(const struct manifest *m, const char *rel)
{
	size_t dl = strlen(m->dir), rl = strlen(rel);
	char *p;

	if (rel[0] == '/' || dl == 0)
		return strdup(rel);
	p = malloc(dl + rl + 2);
	if (!p)
		return NULL;
	memcpy(p, m->dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, rel, rl + 1);
	return p;
}

static int read_rel(const struct manifest *m, const char *rel, struct buf *out)
{
	char *path = resolve(m, rel);
	int rc;

	if (!path)
		return diag_error("out of memory");
	rc = read_file(path, FILEIO_MAX_INPUT, out);
	free(path);
	return rc;
}

static int parse_bool(const struct manifest *m, const struct setting *s, int *out)
{
	*out = 0;
	if (!s->value)
		return 0;
	if (!ascii_casecmp(s->value, "yes") || !ascii_casecmp(s->value, "true") ||
	    !strcmp(s->value, "1"))
		return *out = 1, 0;
	if (!ascii_casecmp(s->value, "no") || !ascii_casecmp(s->value, "false") ||
	    !strcmp(s->value, "0"))
		return 0;
	return fail_at(m, s->line, "'%s' is not yes or no", s->value);
}

static int parse_num(const struct manifest *m, const struct setting *s, int64_t lo, int64_t hi,
		     int64_t *out)
{
	if (!s->value)
		return 0;
	if (pyint_parse(s->value, strlen(s->value), out) < 0 || *out < lo || *out > hi)
		return fail_at(m, s->line, "'%s' is not a number from %" PRId64 " to %" PRId64,
			       s->value, lo, hi);
	return 0;
}

static int is_elf(const struct buf *b)
{
	return b->len >= 4 && memcmp(b->data, "\x7f" "ELF", 4) == 0;
}

/* ELF -> app image with the manifest's chip and flash settings and the section's options. */
static int convert_elf(const struct manifest *m, const struct chip *chip,
		       const struct section *s, const char *rel, struct buf *out)
{
	struct elf2image_opts o;
	int64_t v;
	int b;
	char *path;
	int rc;

	elf2image_opts_init(&o, chip);
	if (elf2image_set_flash(&o, m->top[T_MODE].value, m->top[T_FREQ].value,
				m->top[T_SIZE].value) < 0)
		return fail_at(m, m->top[T_CHIP].line, "flash settings do not suit %s", chip->name);
	if (s) {
		const struct setting *k = s->keys;

		v = o.min_rev;
		if (parse_num(m, &k[P_MIN_REV], 0, 255, &v) < 0)
			return -1;
		o.min_rev = (uint8_t)v;
		v = o.min_rev_full;
		if (parse_num(m, &k[P_MIN_REV_FULL], 0, 0xffff, &v) < 0)
			return -1;
		o.min_rev_full = (uint16_t)v;
		v = o.max_rev_full;
		if (parse_num(m, &k[P_MAX_REV_FULL], 0, 0xffff, &v) < 0)
			return -1;
		o.max_rev_full = (uint16_t)v;
		if (parse_num(m, &k[P_ELF_SHA256_OFFSET], 0, 0xffffffff, &o.elf_sha256_offset) < 0)
			return -1;
		if (parse_bool(m, &k[P_SECURE_PAD_V2], &b) < 0)
			return -1;
		o.secure_pad_v2 = b;
		if (parse_bool(m, &k[P_USE_SEGMENTS], &b) < 0)
			return -1;
		o.use_segments = b;
		if (parse_bool(m, &k[P_NO_DIGEST], &b) < 0)
			return -1;
		o.no_digest = b;
		if (k[P_MMU_PAGE_SIZE].value &&
		    elf2image_set_mmu_page_size(&o, k[P_MMU_PAGE_SIZE].value) < 0)
			return fail_at(m, k[P_MMU_PAGE_SIZE].line, "bad flash_mmu_page_size '%s'",
				       k[P_MMU_PAGE_SIZE].value);
	}
	path = resolve(m, rel);
	if (!path)
		return diag_error("out of memory");
	rc = elf2image(&o, path, out);
	free(path);
	return rc;
}

/* An app image for @chip, or an error naming where it was declared. */
static int check_app_image(const struct manifest *m, unsigned line, const char *what,
			   const struct chip *chip, const struct buf *b)
{
	struct appimage_info *info = malloc(sizeof(*info));
	int rc = -1;

	if (!info)
		return diag_error("out of memory");
	if (b->len < 1 || b->data[0] != 0xE9 || appimage_decode(b->data, b->len, what, info) < 0) {
		fail_at(m, line, "%s is not an ESP app image", what);
		goto out;
	}
	if (info->chip_id != chip->image_chip_id) {
		fail_at(m, line, "%s is an image for chip id %u, not for %s", what, info->chip_id,
			chip->name);
		goto out;
	}
	rc = 0;
out:
	free(info);
	return rc;
}

static const struct pt_entry *find_partition(const struct parttable *pt, const char *label)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (strcmp(pt->v[i].name, label) == 0)
			return &pt->v[i];
	return NULL;
}

static int fill_otadata(const struct manifest *m, const struct section *s,
			const struct parttable *pt, const struct pt_entry *p, struct buf *out)
{
	const struct setting *boot = &s->keys[P_BOOT], *st = &s->keys[P_STATE];
	struct otadata_entry e;
	uint32_t state = OTADATA_STATE_UNDEFINED;
	unsigned slot;
	size_t i;
	int found = 0;

	if (p->type != PT_TYPE_DATA || p->subtype != PT_SUBTYPE_DATA_OTA)
		return fail_at(m, boot->line, "'boot' is for the otadata partition; [%s] is not one",
			       s->label);
	if (!strcmp(boot->value, "blank") || !strcmp(boot->value, "factory")) {
		if (st->value)
			return fail_at(m, st->line, "'state' needs boot = ota_N");
		return otadata_build((size_t)p->size, NULL, out);
	}
	if (sscanf(boot->value, "ota_%u", &slot) != 1 || slot >= OTADATA_MAX_SLOTS) {
		return fail_at(m, boot->line, "boot = '%s': expected blank, factory or ota_0..ota_15",
			       boot->value);
	}
	for (i = 0; i < pt->n; i++)
		found |= pt->v[i].type == PT_TYPE_APP &&
			 pt->v[i].subtype == PT_SUBTYPE_APP_OTA_MIN + (int64_t)slot;
	if (!found)
		return fail_at(m, boot->line, "boot = '%s': the layout has no ota_%u app partition",
			       boot->value, slot);
	if (st->value && otadata_state_parse(st->value, &state) < 0)
		return fail_at(m, st->line,
			       "state '%s' is not one of new, pending, valid, invalid, aborted, "
			       "undefined",
			       st->value);
	/* what esp_ota_set_boot_partition() leaves on a blank otadata (otadata.md §5) */
	otadata_entry_make(&e, slot + 1, state);
	return otadata_build((size_t)p->size, &e, out);
}

static int fill_partition(const struct manifest *m, const struct chip *chip,
			  const struct section *s, const struct parttable *pt, struct region *r)
{
	const struct setting *k = s->keys;
	const struct pt_entry *p = find_partition(pt, s->label);
	int n = !!k[P_FILE].value + !!k[P_ELF].value + !!k[P_BOOT].value;
	size_t i;

	if (!p)
		return fail_at(m, s->line, "unknown partition [%s]: the layout %s has no such label",
			       s->label, m->top[T_LAYOUT].value);
	if (n != 1)
		return fail_at(m, s->line, "[%s] needs exactly one of file, elf or boot", s->label);
	for (i = P_STATE; i < P_COUNT; i++) {
		if (k[i].value && i != P_STATE && !k[P_ELF].value)
			return fail_at(m, k[i].line, "'%s' applies to elf only", part_keys[i]);
	}
	if (k[P_STATE].value && !k[P_BOOT].value)
		return fail_at(m, k[P_STATE].line, "'state' applies to boot only");
	r->name = s->label;
	r->offset = (uint64_t)p->offset;
	r->size = (uint64_t)p->size;
	if (k[P_BOOT].value) {
		snprintf(r->what, sizeof(r->what), "boot = %.30s", k[P_BOOT].value);
		r->source = r->what;
		r->kind = "otadata";
		if (fill_otadata(m, s, pt, p, &r->data) < 0)
			return -1;
	} else if (k[P_ELF].value) {
		r->source = k[P_ELF].value;
		r->kind = "elf";
		if (p->type != PT_TYPE_APP)
			return fail_at(m, k[P_ELF].line, "[%s] is not an app partition", s->label);
		if (convert_elf(m, chip, s, k[P_ELF].value, &r->data) < 0)
			return -1;
	} else {
		r->source = k[P_FILE].value;
		r->kind = "file";
		if (read_rel(m, k[P_FILE].value, &r->data) < 0)
			return -1;
		if (r->data.len > r->size)
			return fail_at(m, s->line,
				       "%s (%zu bytes) does not fit in partition %s (0x%" PRIx64
				       " bytes)",
				       r->source, r->data.len, s->label, r->size);
		if (p->type == PT_TYPE_APP &&
		    check_app_image(m, k[P_FILE].line, k[P_FILE].value, chip, &r->data) < 0)
			return -1;
	}
	if (r->data.len > r->size)
		return fail_at(m, s->line,
			       "%s (%zu bytes) does not fit in partition %s (0x%" PRIx64 " bytes)",
			       r->source, r->data.len, s->label, r->size);
	return 0;
}

static int describe(const struct manifest *m, const struct chip *chip, const struct region *r,
		    size_t nr, uint64_t image_size, const uint8_t image_sha[SHA256_LEN],
		    struct buf *json)
{
	json_t *root = json_object(), *flash = json_object(), *regions = json_array(), *image;
	char hex[2 * SHA256_LEN + 1], id[37];
	uuid_t uu;
	char *text;
	size_t i;
	int rc = -1;

	hex_encode(image_sha, SHA256_LEN, hex);
	uuid_generate_sha1(uu, build_id_ns, (const char *)image_sha, SHA256_LEN);
	uuid_unparse_lower(uu, id);

	json_object_set_new(root, "chip", json_string(chip->name));
	json_object_set_new(flash, "mode", json_string(m->top[T_MODE].value));
	json_object_set_new(flash, "freq", json_string(m->top[T_FREQ].value));
	json_object_set_new(flash, "size", json_string(m->top[T_SIZE].value));
	json_object_set_new(root, "flash", flash);
	for (i = 0; i < nr; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(r[i].name));
		json_object_set_new(o, "offset", json_integer((json_int_t)r[i].offset));
		json_object_set_new(o, "size", json_integer((json_int_t)r[i].size));
		json_object_set_new(o, "data_size", json_integer((json_int_t)r[i].data.len));
		json_object_set_new(o, "sha256", json_string(r[i].sha));
		json_object_set_new(o, "kind", json_string(r[i].kind));
		json_object_set_new(o, "source", json_string(r[i].source));
		json_array_append_new(regions, o);
	}
	json_object_set_new(root, "regions", regions);
	image = json_object();
	json_object_set_new(image, "size", json_integer((json_int_t)image_size));
	json_object_set_new(image, "sha256", json_string(hex));
	json_object_set_new(root, "image", image);
	json_object_set_new(root, "build_id", json_string(id));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || buf_puts(json, text) < 0 || buf_puts(json, "\n") < 0) {
		diag_error("cannot format FLASH.json");
		goto out;
	}
	(void)m;
	rc = 0;
out:
	free(text);
	json_decref(root);
	return rc;
}

/* The whole image's SHA-256, computed on a second core while the regions are
 * hashed and the image is written (bench/: the manifest form's budget is 2x cp +
 * sha256sum of the same bytes). */
struct image_hash_job {
	const struct flash_plan *plan;
	uint8_t digest[SHA256_LEN];
};

static void *image_hash_thread(void *arg)
{
	struct image_hash_job *job = arg;

	flash_plan_sha256(job->plan, job->digest);
	return NULL;
}

/* FLASH.json beside FLASH.bin: OUT.bin -> OUT.json, other names get .json appended. */
static char *json_path(const char *out)
{
	size_t n = strlen(out);
	char *p = malloc(n + 6);

	if (!p)
		return NULL;
	memcpy(p, out, n + 1);
	if (n > 4 && strcmp(out + n - 4, ".bin") == 0)
		p[n - 4] = '\0';
	strcat(p, ".json");
	return p;
}

/* Writes the image and its description: both temporary files first, then both renames. */
static int write_outputs(const struct manifest *m, const struct chip *chip, struct region *r,
			 size_t nr, const struct flash_plan *plan, const char *output)
{
	struct image_hash_job job = {plan, {0}};
	struct atomic_file bin, js;
	struct buf json = BUF_INIT;
	char *jpath = json_path(output);
	pthread_t th;
	int threaded, rc = -1, bin_open = 0, js_open = 0;
	size_t i;

	if (!jpath)
		return diag_error("out of memory");
	threaded = pthread_create(&th, NULL, image_hash_thread, &job) == 0;
	for (i = 0; i < nr; i++) {
		uint8_t d[SHA256_LEN];

		hash_sha256(r[i].data.data ? r[i].data.data : (const uint8_t *)"", r[i].data.len, d);
		hex_encode(d, SHA256_LEN, r[i].sha);
	}
	if (atomic_open(&bin, output) == 0) {
		bin_open = 1;
		if (flash_plan_write(plan, &bin) < 0) {
			atomic_abort(&bin);
			bin_open = 0;
		}
	}
	if (threaded)
		pthread_join(th, NULL);
	else
		flash_plan_sha256(plan, job.digest);
	if (!bin_open)
		goto out;
	if (describe(m, chip, r, nr, plan->size, job.digest, &json) < 0)
		goto out;
	if (atomic_open(&js, jpath) < 0)
		goto out;
	js_open = 1;
	if (atomic_write(&js, json.data, json.len) < 0)
		goto out;
	/* both written: now both renamed */
	bin_open = 0;
	if (atomic_commit(&bin) < 0)
		goto out;
	js_open = 0;
	rc = atomic_commit(&js);
out:
	if (bin_open)
		atomic_abort(&bin);
	if (js_open)
		atomic_abort(&js);
	buf_free(&json);
	free(jpath);
	return rc;
}

static int load_manifest(const char *path, struct manifest *m)
{
	static const struct inifile_ops ops = {on_section, on_key};
	struct buf data = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int rc;

	m->file = path;
	m->dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	if (!m->dir)
		return diag_error("out of memory");
	if (slash && slash == path) {
		free(m->dir);
		m->dir = strdup("/");
	}
	if (read_file(path, LAYOUT_MAX_FILE, &data) < 0)
		return -1;
	rc = inifile_parse(path, data.data ? data.data : (const uint8_t *)"", data.len, &ops, m);
	buf_free(&data);
	return rc;
}

int manifest_build(const char *path, const char *output)
{
	struct flash_plan plan = {NULL, 0, 0};
	struct manifest m;
	struct pt_config cfg;
	struct parttable pt;
	struct region *r = NULL;
	struct flash_item *items = NULL;
	struct flash_params fp;
	const struct chip *chip;
	char *layout_path = NULL;
	uint64_t flash_bytes;
	size_t nr = 0, i, k;
	int fill = 0, rc = -1;

	memset(&m, 0, sizeof(m));
	pt_init(&pt, NULL);
	if (pt_config_init(&cfg) < 0)
		goto out;
	if (load_manifest(path, &m) < 0)
		goto out;
	for (k = 0; k < T_COUNT; k++) {
		if (!m.top[k].value && k != T_FILL) {
			fail_at(&m, 0, "no '%s' setting (chip, flash_mode, flash_freq, flash_size, "
				       "layout and bootloader are required)",
				top_keys[k]);
			goto out;
		}
	}
	chip = chip_find(m.top[T_CHIP].value);
	if (!chip) {
		fail_at(&m, m.top[T_CHIP].line, "unknown chip '%s' (one of %s)", m.top[T_CHIP].value,
			chip_names());
		goto out;
	}
	fp.mode = m.top[T_MODE].value;
	fp.freq = m.top[T_FREQ].value;
	fp.size = m.top[T_SIZE].value;
	if (!strcmp(fp.mode, "keep") || !strcmp(fp.freq, "keep") || !strcmp(fp.size, "keep")) {
		fail_at(&m, m.top[T_MODE].line, "a factory image declares its flash settings: "
						"'keep' is not allowed");
		goto out;
	}
	if (flash_params_check(chip, &fp) < 0) {
		fail_at(&m, m.top[T_MODE].line, "flash settings do not suit %s", chip->name);
		goto out;
	}
	flash_bytes = chip_flash_size_bytes(fp.size);
	if (parse_bool(&m, &m.top[T_FILL], &fill) < 0)
		goto out;

	/* the layout: the manifest's flash size is the one every partition must fit */
	layout_path = resolve(&m, m.top[T_LAYOUT].value);
	if (!layout_path) {
		diag_error("out of memory");
		goto out;
	}
	cfg.flash_size = flash_bytes;
	cfg.flash_size_set = 1;
	if (layout_load(layout_path, &cfg, &pt, NULL) < 0)
		goto out;
	for (i = 0; i < pt.n; i++) {
		uint64_t end = (uint64_t)pt.v[i].offset + (uint64_t)pt.v[i].size;

		if (end > flash_bytes) {
			pt_entry_error(&pt, &pt.v[i],
				       "partition %s ends at 0x%" PRIx64 ", past the %s flash "
				       "declared in %s",
				       pt.v[i].name, end, fp.size, path);
			goto out;
		}
	}

	r = calloc(m.nsec + 2, sizeof(*r));
	items = calloc(m.nsec + 2, sizeof(*items));
	if (!r || !items) {
		diag_error("out of memory");
		goto out;
	}

	/* bootloader at the chip's offset, flash settings patched into its header */
	r[0].name = "bootloader";
	r[0].kind = "bootloader";
	r[0].source = m.top[T_BOOTLOADER].value;
	r[0].offset = chip->bootloader_offset;
	nr = 1;
	if (read_rel(&m, r[0].source, &r[0].data) < 0)
		goto out;
	if (is_elf(&r[0].data)) {
		buf_free(&r[0].data);
		if (convert_elf(&m, chip, NULL, r[0].source, &r[0].data) < 0)
			goto out;
	}
	if (check_app_image(&m, m.top[T_BOOTLOADER].line, r[0].source, chip, &r[0].data) < 0 ||
	    flash_patch_bootloader(chip, &fp, r[0].source, &r[0].data) < 0)
		goto out;
	r[0].size = r[0].data.len;
	if (chip->bootloader_offset + r[0].data.len > (uint64_t)cfg.table_offset) {
		fail_at(&m, m.top[T_BOOTLOADER].line,
			"bootloader (%zu bytes at 0x%x) runs into the partition table at 0x%" PRIx64,
			r[0].data.len, chip->bootloader_offset, (uint64_t)cfg.table_offset);
		goto out;
	}

	/* the table at its offset */
	r[1].name = "partition_table";
	r[1].kind = "partition_table";
	r[1].source = m.top[T_LAYOUT].value;
	r[1].offset = (uint64_t)cfg.table_offset;
	nr = 2;
	if (pt_encode(&pt, &cfg, &r[1].data) < 0)
		goto out;
	r[1].size = r[1].data.len;

	for (i = 0; i < m.nsec; i++) {
		if (fill_partition(&m, chip, &m.sec[i], &pt, &r[nr]) < 0) {
			nr++;
			goto out;
		}
		nr++;
	}
	for (i = 0; i < nr; i++) {
		items[i].addr = r[i].offset;
		items[i].name = r[i].name;
		items[i].data = r[i].data.data;
		items[i].len = r[i].data.len;
	}
	if (flash_plan(items, nr, 0, fill ? flash_bytes : 0, &plan) < 0)
		goto out;
	if (write_outputs(&m, chip, r, nr, &plan, output) < 0)
		goto out;
	rc = 0;
out:
	flash_plan_free(&plan);
	for (i = 0; r && i < nr; i++)
		buf_free(&r[i].data);
	free(r);
	free(items);
	free(layout_path);
	pt_free(&pt);
	pt_config_free(&cfg);
	manifest_free(&m);
	return rc;
}
