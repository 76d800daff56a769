/*
 * The factory manifest: one INI naming the chip, the flash settings, the partition
 * layout, the bootloader, and what fills each partition (README "esp-mkflash").
 */
#include "mkflash.h"

#include <errno.h>

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ascii.h"
#include "appimage.h"
#include "chip.h"
#include "diag.h"
#include "elf2image.h"
#include "fileio.h"
#include "flash.h"
#include "hash.h"
#include "inifile.h"
#include "layout.h"
#include "num.h"
#include "nvs.h"
#include "otadata.h"
#include "parttable.h"

/* Namespace of build ids: uuid_generate_sha1(ns, SHA-256 of the image). */
static const uuid_t build_id_ns = {0x6b, 0x1e, 0x2f, 0x0c, 0x94, 0x53, 0x4d, 0x8a,
				   0x9e, 0x51, 0x3a, 0x77, 0x0e, 0x8c, 0x52, 0x1d};

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
	P_NVS,
	P_NVS_VERSION,
	P_COUNT
};
static const char *const part_keys[P_COUNT] = {
	"file",		 "elf",		    "boot",	    "state",	     "min_rev",
	"min_rev_full",	 "max_rev_full",    "elf_sha256_offset", "secure_pad_v2", "use_segments",
	"flash_mmu_page_size", "no_digest", "nvs", "nvs_version",
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

/* An NVS partition filled from a generator CSV, generated for every build. */
struct nvs_slot {
	size_t region;		   /* its index in the region list */
	unsigned line;		   /* of the 'nvs' key */
	char *path;		   /* the CSV, resolved */
	char *dir;		   /* its directory: 'file' rows resolve there */
	struct nvs_csv csv;	   /* rows as written, ${column} placeholders unexpanded */
	struct nvs_gen_opts opts;
};

struct manifest {
	const char *file;
	char *dir; /* paths resolve relative to the manifest */
	struct setting top[T_COUNT];
	struct section *sec;
	size_t nsec;
	struct nvs_slot *nvs;
	size_t nnvs;
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
		       "unknown key '%s' in [%s] (expected file, elf, boot or nvs, and for elf: "
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
	for (i = 0; i < m->nnvs; i++) {
		nvs_csv_free(&m->nvs[i].csv);
		free(m->nvs[i].path);
		free(m->nvs[i].dir);
	}
	free(m->nvs);
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
	rc = fileio_read(path, FILEIO_MAX_INPUT, out);
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
	if (num_pyint_parse(s->value, strlen(s->value), out) < 0 || *out < lo || *out > hi)
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

static const struct parttable_entry *find_partition(const struct parttable *pt, const char *label)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		if (strcmp(pt->v[i].name, label) == 0)
			return &pt->v[i];
	return NULL;
}

static int fill_otadata(const struct manifest *m, const struct section *s,
			const struct parttable *pt, const struct parttable_entry *p, struct buf *out)
{
	const struct setting *boot = &s->keys[P_BOOT], *st = &s->keys[P_STATE];
	struct otadata_entry e;
	uint32_t state = OTADATA_STATE_UNDEFINED;
	unsigned slot;
	size_t i;
	int found = 0;

	if (p->type != PARTTABLE_TYPE_DATA || p->subtype != PARTTABLE_SUBTYPE_DATA_OTA)
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
		found |= pt->v[i].type == PARTTABLE_TYPE_APP &&
			 pt->v[i].subtype == PARTTABLE_SUBTYPE_APP_OTA_MIN + (int64_t)slot;
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

/* Reads and checks an NVS CSV once; the image itself is made per build. */
static int nvs_prepare(struct manifest *m, const struct section *s, const struct parttable_entry *p,
		       size_t region)
{
	const struct setting *k = s->keys;
	struct nvs_slot *slot, *v;
	struct buf data = BUF_INIT;
	const char *why, *slash;
	int64_t version = 2;
	int rc;

	if (p->type != PARTTABLE_TYPE_DATA || p->subtype != PARTTABLE_SUBTYPE_DATA_NVS)
		return fail_at(m, k[P_NVS].line, "[%s] is not an NVS partition (data, nvs)",
			       s->label);
	why = nvs_size_problem(p->size);
	if (why)
		return fail_at(m, k[P_NVS].line, "[%s] cannot hold NVS data: %s", s->label, why);
	if (parse_num(m, &k[P_NVS_VERSION], 1, 2, &version) < 0)
		return -1;
	v = realloc(m->nvs, (m->nnvs + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	m->nvs = v;
	slot = &v[m->nnvs];
	memset(slot, 0, sizeof(*slot));
	m->nnvs++;
	slot->region = region;
	slot->line = k[P_NVS].line;
	slot->opts.size = (uint64_t)p->size;
	slot->opts.version = (int)version;
	slot->path = resolve(m, k[P_NVS].value);
	if (!slot->path)
		return diag_error("out of memory");
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

static int fill_partition(struct manifest *m, const struct chip *chip, const struct section *s,
			  const struct parttable *pt, struct region *r, size_t region)
{
	const struct setting *k = s->keys;
	const struct parttable_entry *p = find_partition(pt, s->label);
	int n = !!k[P_FILE].value + !!k[P_ELF].value + !!k[P_BOOT].value + !!k[P_NVS].value;
	size_t i;

	if (!p)
		return fail_at(m, s->line, "unknown partition [%s]: the layout %s has no such label",
			       s->label, m->top[T_LAYOUT].value);
	if (n != 1)
		return fail_at(m, s->line, "[%s] needs exactly one of file, elf, boot or nvs",
			       s->label);
	for (i = P_MIN_REV; i <= P_NO_DIGEST; i++) {
		if (k[i].value && !k[P_ELF].value)
			return fail_at(m, k[i].line, "'%s' applies to elf only", part_keys[i]);
	}
	if (k[P_NVS_VERSION].value && !k[P_NVS].value)
		return fail_at(m, k[P_NVS_VERSION].line, "'nvs_version' applies to nvs only");
	if (k[P_STATE].value && !k[P_BOOT].value)
		return fail_at(m, k[P_STATE].line, "'state' applies to boot only");
	r->name = s->label;
	r->offset = (uint64_t)p->offset;
	r->size = (uint64_t)p->size;
	if (k[P_NVS].value) {
		/* generated per build (and per device): see nvs_prepare() */
		snprintf(r->what, sizeof(r->what), "nvs = %.36s", k[P_NVS].value);
		r->source = r->what;
		r->kind = "nvs";
		return nvs_prepare(m, s, p, region);
	}
	if (k[P_BOOT].value) {
		snprintf(r->what, sizeof(r->what), "boot = %.30s", k[P_BOOT].value);
		r->source = r->what;
		r->kind = "otadata";
		if (fill_otadata(m, s, pt, p, &r->data) < 0)
			return -1;
	} else if (k[P_ELF].value) {
		r->source = k[P_ELF].value;
		r->kind = "elf";
		if (p->type != PARTTABLE_TYPE_APP)
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
		if (p->type == PARTTABLE_TYPE_APP &&
		    check_app_image(m, k[P_FILE].line, k[P_FILE].value, chip, &r->data) < 0)
			return -1;
	}
	if (r->data.len > r->size)
		return fail_at(m, s->line,
			       "%s (%zu bytes) does not fit in partition %s (0x%" PRIx64 " bytes)",
			       r->source, r->data.len, s->label, r->size);
	return 0;
}

static int describe(const struct manifest *m, const struct chip *chip, const char *device,
		    const struct region *r, size_t nr, uint64_t image_size, const char *image_sha,
		    const char *build_id, struct buf *json)
{
	json_t *root = json_object(), *flash = json_object(), *regions = json_array(), *image;
	char *text;
	size_t i;
	int rc = -1;

	if (device)
		json_object_set_new(root, "device_id", json_string(device));
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
	json_object_set_new(image, "sha256", json_string(image_sha));
	json_object_set_new(root, "image", image);
	json_object_set_new(root, "build_id", json_string(build_id));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || buf_puts(json, text) < 0 || buf_puts(json, "\n") < 0) {
		diag_error("cannot format FLASH.json");
		goto out;
	}
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

char *factory_json_path(const char *bin_path)
{
	size_t n = strlen(bin_path);
	char *p = malloc(n + 6);

	if (!p)
		return NULL;
	memcpy(p, bin_path, n + 1);
	if (n > 4 && strcmp(bin_path + n - 4, ".bin") == 0)
		p[n - 4] = '\0';
	strcat(p, ".json");
	return p;
}

/* Writes the image and its description: both temporary files first, then both renames. */
static int write_outputs(const struct manifest *m, const struct chip *chip, const char *device,
			 struct region *r, size_t nr, const struct flash_plan *plan,
			 const char *output, const char *jpath, int threads,
			 struct factory_result *res)
{
	struct image_hash_job job = {plan, {0}};
	struct fileio_atomic_file bin, js;
	struct buf json = BUF_INIT;
	pthread_t th;
	int threaded = 0, rc = -1, bin_open = 0, js_open = 0;
	uuid_t uu;
	size_t i;

	if (threads)
		threaded = pthread_create(&th, NULL, image_hash_thread, &job) == 0;
	for (i = 0; i < nr; i++) {
		uint8_t d[SHA256_LEN];

		hash_sha256(r[i].data.data ? r[i].data.data : (const uint8_t *)"", r[i].data.len, d);
		ascii_hex_encode(d, SHA256_LEN, r[i].sha);
	}
	if (fileio_atomic_open(&bin, output) == 0) {
		bin_open = 1;
		if (flash_plan_write(plan, &bin) < 0) {
			fileio_atomic_abort(&bin);
			bin_open = 0;
		}
	}
	if (threaded)
		pthread_join(th, NULL);
	else
		flash_plan_sha256(plan, job.digest);
	if (!bin_open)
		goto out;
	ascii_hex_encode(job.digest, SHA256_LEN, res->sha256);
	uuid_generate_sha1(uu, build_id_ns, (const char *)job.digest, SHA256_LEN);
	uuid_unparse_lower(uu, res->build_id);
	if (describe(m, chip, device, r, nr, plan->size, res->sha256, res->build_id, &json) < 0)
		goto out;
	if (fileio_atomic_open(&js, jpath) < 0)
		goto out;
	js_open = 1;
	if (fileio_atomic_write(&js, json.data, json.len) < 0)
		goto out;
	/* both written: now both renamed */
	bin_open = 0;
	if (fileio_atomic_commit(&bin) < 0)
		goto out;
	js_open = 0;
	rc = fileio_atomic_commit(&js);
out:
	if (bin_open)
		fileio_atomic_abort(&bin);
	if (js_open)
		fileio_atomic_abort(&js);
	buf_free(&json);
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
	if (fileio_read(path, LAYOUT_MAX_FILE, &data) < 0)
		return -1;
	rc = inifile_parse(path, data.data ? data.data : (const uint8_t *)"", data.len, &ops, m);
	buf_free(&data);
	return rc;
}

/* Everything of a manifest that is the same for every build of it. */
struct factory {
	struct manifest m;
	struct parttable_config cfg;
	struct parttable pt;
	const struct chip *chip;
	struct flash_params fp;
	uint64_t flash_bytes;
	int fill;
	struct region *r; /* shared regions; NVS ones are made per build */
	size_t nr;
};

void factory_free(struct factory *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; f->r && i < f->nr; i++)
		buf_free(&f->r[i].data);
	free(f->r);
	parttable_free(&f->pt);
	parttable_config_free(&f->cfg);
	manifest_free(&f->m);
	free(f);
}

static int factory_setup(struct factory *f, const char *path)
{
	struct manifest *m = &f->m;
	struct region *r;
	char *layout_path;
	size_t i, k;
	int rc;

	if (load_manifest(path, m) < 0)
		return -1;
	for (k = 0; k < T_COUNT; k++)
		if (!m->top[k].value && k != T_FILL)
			return fail_at(m, 0,
				       "no '%s' setting (chip, flash_mode, flash_freq, flash_size, "
				       "layout and bootloader are required)",
				       top_keys[k]);
	f->chip = chip_find(m->top[T_CHIP].value);
	if (!f->chip)
		return fail_at(m, m->top[T_CHIP].line, "unknown chip '%s' (one of %s)",
			       m->top[T_CHIP].value, chip_names());
	f->fp.mode = m->top[T_MODE].value;
	f->fp.freq = m->top[T_FREQ].value;
	f->fp.size = m->top[T_SIZE].value;
	if (!strcmp(f->fp.mode, "keep") || !strcmp(f->fp.freq, "keep") ||
	    !strcmp(f->fp.size, "keep"))
		return fail_at(m, m->top[T_MODE].line,
			       "a factory image declares its flash settings: 'keep' is not allowed");
	if (flash_params_check(f->chip, &f->fp) < 0)
		return fail_at(m, m->top[T_MODE].line, "flash settings do not suit %s",
			       f->chip->name);
	f->flash_bytes = chip_flash_size_bytes(f->fp.size);
	if (parse_bool(m, &m->top[T_FILL], &f->fill) < 0)
		return -1;

	/* the layout: the manifest's flash size is the one every partition must fit */
	layout_path = resolve(m, m->top[T_LAYOUT].value);
	if (!layout_path)
		return diag_error("out of memory");
	f->cfg.flash_size = f->flash_bytes;
	f->cfg.flash_size_set = 1;
	rc = layout_load(layout_path, &f->cfg, &f->pt, NULL);
	free(layout_path);
	if (rc < 0)
		return -1;
	for (i = 0; i < f->pt.n; i++) {
		uint64_t end = (uint64_t)f->pt.v[i].offset + (uint64_t)f->pt.v[i].size;

		if (end > f->flash_bytes)
			return parttable_entry_error(&f->pt, &f->pt.v[i],
					      "partition %s ends at 0x%" PRIx64 ", past the %s flash "
					      "declared in %s",
					      f->pt.v[i].name, end, f->fp.size, path);
	}

	f->r = r = calloc(m->nsec + 2, sizeof(*r));
	if (!r)
		return diag_error("out of memory");

	/* bootloader at the chip's offset, flash settings patched into its header */
	r[0].name = "bootloader";
	r[0].kind = "bootloader";
	r[0].source = m->top[T_BOOTLOADER].value;
	r[0].offset = f->chip->bootloader_offset;
	f->nr = 1;
	if (read_rel(m, r[0].source, &r[0].data) < 0)
		return -1;
	if (is_elf(&r[0].data)) {
		buf_free(&r[0].data);
		if (convert_elf(m, f->chip, NULL, r[0].source, &r[0].data) < 0)
			return -1;
	}
	if (check_app_image(m, m->top[T_BOOTLOADER].line, r[0].source, f->chip, &r[0].data) < 0 ||
	    flash_patch_bootloader(f->chip, &f->fp, r[0].source, &r[0].data) < 0)
		return -1;
	r[0].size = r[0].data.len;
	if (f->chip->bootloader_offset + r[0].data.len > (uint64_t)f->cfg.table_offset)
		return fail_at(m, m->top[T_BOOTLOADER].line,
			       "bootloader (%zu bytes at 0x%x) runs into the partition table at "
			       "0x%" PRIx64,
			       r[0].data.len, f->chip->bootloader_offset,
			       (uint64_t)f->cfg.table_offset);

	/* the table at its offset */
	r[1].name = "partition_table";
	r[1].kind = "partition_table";
	r[1].source = m->top[T_LAYOUT].value;
	r[1].offset = (uint64_t)f->cfg.table_offset;
	f->nr = 2;
	if (parttable_encode(&f->pt, &f->cfg, &r[1].data) < 0)
		return -1;
	r[1].size = r[1].data.len;

	for (i = 0; i < m->nsec; i++) {
		f->nr++;
		if (fill_partition(m, f->chip, &m->sec[i], &f->pt, &r[f->nr - 1], f->nr - 1) < 0)
			return -1;
	}
	return 0;
}

int factory_load(const char *path, struct factory **out)
{
	struct factory *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return diag_error("out of memory");
	parttable_init(&f->pt, NULL);
	if (parttable_config_init(&f->cfg) < 0 || factory_setup(f, path) < 0) {
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

/* ${name} of @dev, or NULL. */
static const char *device_value(const struct factory_device *dev, const char *name, size_t len)
{
	size_t i;

	for (i = 0; dev && i < dev->ncols; i++)
		if (strlen(dev->names[i]) == len && memcmp(dev->names[i], name, len) == 0)
			return dev->values[i];
	return NULL;
}

/* Copies @in with every ${column} replaced by the device's value. */
static int expand(const struct nvs_slot *slot, unsigned line, const struct nvs_field *in,
		  const struct factory_device *dev, struct nvs_field *out)
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
				diag_at(dev->file, dev->line, "device %s: no column '%.*s' (used at %s:%u)",
					dev->id, (int)(end - q - 2), q + 2, slot->path, line);
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

struct nvs_reader_ctx {
	const struct nvs_slot *slot;
};

/* 'file' rows of a manifest's NVS CSV resolve against the CSV's own directory. */
static int nvs_read(void *ctx, const char *csv_file, unsigned line, const char *path,
		    struct buf *out)
{
	const struct nvs_slot *slot = ((struct nvs_reader_ctx *)ctx)->slot;
	size_t dl = strlen(slot->dir), pl = strlen(path);
	char *full;
	int rc;

	(void)csv_file;
	(void)line;
	full = malloc(dl + pl + 1);
	if (!full)
		return diag_error("out of memory");
	if (path[0] == '/')
		dl = 0;
	memcpy(full, slot->dir, dl);
	memcpy(full + dl, path, pl + 1);
	rc = fileio_read(full, FILEIO_MAX_INPUT, out);
	free(full);
	return rc;
}

/* The NVS image of @slot for @dev (NULL: no placeholders allowed). */
static int nvs_build(const struct nvs_slot *slot, const struct factory_device *dev,
		     struct buf *out)
{
	struct nvs_csv csv;
	struct nvs_reader_ctx ctx = {slot};
	size_t i;
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
	rc = nvs_generate(&csv, 1, &slot->opts, nvs_read, &ctx, out);
out:
	nvs_csv_free(&csv);
	return rc;
}

int factory_build(const struct factory *f, const struct factory_device *dev, const char *bin_path,
		  const char *json_path, int threads, struct factory_result *res)
{
	struct region *r = NULL;
	struct flash_item *items = NULL;
	struct flash_plan plan = {NULL, 0, 0};
	size_t i;
	int rc = -1;

	/* the shared regions as they are, the NVS ones made for this build */
	r = malloc(f->nr * sizeof(*r));
	items = malloc(f->nr * sizeof(*items));
	if (!r || !items) {
		diag_error("out of memory");
		goto out;
	}
	memcpy(r, f->r, f->nr * sizeof(*r));
	for (i = 0; i < f->m.nnvs; i++)
		memset(&r[f->m.nvs[i].region].data, 0, sizeof(struct buf));
	for (i = 0; i < f->m.nnvs; i++) {
		const struct nvs_slot *slot = &f->m.nvs[i];
		struct region *nr = &r[slot->region];

		if (nvs_build(slot, dev, &nr->data) < 0)
			goto out;
		if (nr->data.len > nr->size) {
			fail_at(&f->m, slot->line, "NVS data does not fit in partition %s", nr->name);
			goto out;
		}
	}
	for (i = 0; i < f->nr; i++) {
		items[i].addr = r[i].offset;
		items[i].name = r[i].name;
		items[i].data = r[i].data.data;
		items[i].len = r[i].data.len;
	}
	if (flash_plan(items, f->nr, 0, f->fill ? f->flash_bytes : 0, &plan) < 0)
		goto out;
	if (write_outputs(&f->m, f->chip, dev ? dev->id : NULL, r, f->nr, &plan, bin_path,
			  json_path, threads, res) < 0)
		goto out;
	rc = 0;
out:
	flash_plan_free(&plan);
	for (i = 0; r && i < f->m.nnvs; i++)
		buf_free(&r[f->m.nvs[i].region].data);
	free(r);
	free(items);
	return rc;
}

int factory_check(const struct factory *f, const struct factory_device *dev)
{
	struct buf out = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->m.nnvs && rc == 0; i++) {
		rc = nvs_build(&f->m.nvs[i], dev, &out);
		out.len = 0;
	}
	buf_free(&out);
	return rc;
}

/* Appends "column 'x' ('value') used at FILE:LINE" for every placeholder of every NVS
 * row that @messages mention by FILE:LINE. */
static void explain_row(const struct nvs_slot *slot, const struct nvs_row *t,
			const struct factory_device *dev, struct buf *note)
{
	const struct nvs_field *fields[4] = {&t->key, &t->type, &t->encoding, &t->value};
	size_t i;

	for (i = 0; i < 4; i++) {
		const char *p = fields[i]->s, *q, *end, *v;

		for (; p && (q = strstr(p, "${")) != NULL && (end = strchr(q, '}')) != NULL;
		     p = end + 1) {
			v = device_value(dev, q + 2, (size_t)(end - q - 2));
			buf_printf(note, "%scolumn '%.*s'%s%s%s, used at %s:%u", note->len ? "; " : "",
				   (int)(end - q - 2), q + 2, v ? " ('" : "", v ? v : "",
				   v ? "')" : "", slot->path, t->line);
		}
	}
}

void factory_explain(const struct factory *f, const struct factory_device *dev,
		     const char *messages, struct buf *note)
{
	char where[4200];
	size_t i, k;

	for (i = 0; i < f->m.nnvs; i++) {
		const struct nvs_slot *slot = &f->m.nvs[i];

		for (k = 0; k < slot->csv.n; k++) {
			snprintf(where, sizeof(where), "%s:%u:", slot->path, slot->csv.v[k].line);
			if (strstr(messages, where))
				explain_row(slot, &slot->csv.v[k], dev, note);
		}
	}
}

int manifest_build(const char *path, const char *output)
{
	struct factory *f;
	struct factory_result res;
	char *jpath = factory_json_path(output);
	int rc = -1;

	if (!jpath)
		return diag_error("out of memory");
	if (factory_load(path, &f) == 0) {
		rc = factory_build(f, NULL, output, jpath, 1, &res);
		factory_free(f);
	}
	free(jpath);
	return rc;
}
