/* SPDX-License-Identifier: Apache-2.0 */
/*
 * BUILD/flasher_args.json as ESP-IDF v5.x and v6.0 write it (components/esptool_py/
 * flasher_args.json.in; docs/esp-idf.md): only the fields merge-bin needs are read,
 * the rest (write_flash_args, reset and stub settings, the per-image entries other than
 * "partition-table") is left alone so newer releases that add fields still load.
 */
#include "idfbuild.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "num.h"

/* flasher_args.json is a few KiB; anything near this is not one */
#define IDFBUILD_MAX_JSON ((size_t)1 << 20)

static const char *const setting_names[3] = {"flash_mode", "flash_freq", "flash_size"};

/* "JSON: FIELD: message"; returns -1. */
static int field_error(const struct idfbuild *b, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int field_error(const struct idfbuild *b, const char *field, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (rc < 0 || buf_reserve(&msg, (size_t)rc + 1) < 0)
		return diag_error("out of memory");
	va_start(ap, fmt);
	vsnprintf((char *)msg.data, (size_t)rc + 1, fmt, ap);
	va_end(ap);
	diag_file(b->json, "%s: %s", field, (const char *)msg.data);
	buf_free(&msg);
	return -1;
}

/* @obj's member @key as a string, named @field in messages. */
static int get_string(const struct idfbuild *b, json_t *obj, const char *key, const char *field,
		      const char **out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return field_error(b, field, "missing");
	if (!json_is_string(v))
		return field_error(b, field, "not a string");
	*out = json_string_value(v);
	return 0;
}

static int load_chip(struct idfbuild *b, json_t *root)
{
	json_t *extra = json_object_get(root, "extra_esptool_args");
	const char *name;

	if (!json_is_object(extra))
		return field_error(b, "extra_esptool_args", extra ? "not an object" : "missing");
	if (get_string(b, extra, "chip", "extra_esptool_args.chip", &name) < 0)
		return -1;
	b->chip = chip_find(name);
	if (!b->chip)
		return field_error(b, "extra_esptool_args.chip", "unknown chip '%s' (one of %s)",
				   name, chip_names());
	return 0;
}

/* The settings go to the bootloader header as merge-bin's --flash-* options would: a
 * value the chip's header cannot hold (say 'detect', which only write-flash takes) is
 * refused here, where the field can be named. 'keep' keeps the header's value. */
static int load_settings(struct idfbuild *b, json_t *root)
{
	json_t *fs = json_object_get(root, "flash_settings");
	const char **p[3] = {&b->params.mode, &b->params.freq, &b->params.size};
	char field[64];
	uint8_t code;
	size_t i;

	if (!json_is_object(fs))
		return field_error(b, "flash_settings", fs ? "not an object" : "missing");
	for (i = 0; i < 3; i++) {
		const char *v;
		int bad;

		snprintf(field, sizeof(field), "flash_settings.%s", setting_names[i]);
		if (get_string(b, fs, setting_names[i], field, &v) < 0)
			return -1;
		b->setting[i] = strdup(v);
		if (!b->setting[i])
			return diag_error("out of memory");
		if (strcmp(v, "keep") == 0)
			continue;
		*p[i] = b->setting[i];
		bad = (i == 0	? chip_flash_mode_code(v, &code)
		       : i == 1 ? chip_flash_freq_code(b->chip, v, &code)
				: chip_flash_size_code(v, &code)) < 0;
		if (bad)
			return field_error(b, field,
					   "'%s' is not a value esptool merge-bin takes for %s", v,
					   b->chip->name);
	}
	return 0;
}

static int add_file(struct idfbuild *b, const char *key, json_t *val)
{
	struct idfbuild_file *f;
	char field[96];
	struct stat st;
	int64_t addr;

	snprintf(field, sizeof(field), "flash_files[\"%.60s\"]", key);
	if (num_pyint_parse(key, strlen(key), &addr) < 0 || addr < 0)
		return field_error(b, field, "'%s' is not a flash address", key);
	if (!json_is_string(val))
		return field_error(b, field, "not a string");
	f = realloc(b->v, (b->n + 1) * sizeof(*f));
	if (!f)
		return diag_error("out of memory");
	b->v = f;
	f = &b->v[b->n++];
	memset(f, 0, sizeof(*f));
	f->addr = (uint64_t)addr;
	f->key = strdup(key);
	f->file = strdup(json_string_value(val));
	f->path = f->file ? fileio_path_join(b->dir, f->file) : NULL;
	if (!f->key || !f->path)
		return diag_error("out of memory");
	if (f->file[0] == '\0')
		return field_error(b, field, "empty file name");
	if (stat(f->path, &st) < 0)
		return field_error(b, field, "%s: %s", f->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return field_error(b, field, "%s: not a regular file", f->path);
	return 0;
}

static int load_files(struct idfbuild *b, json_t *root)
{
	json_t *files = json_object_get(root, "flash_files"), *val;
	const char *key;

	if (!json_is_object(files))
		return field_error(b, "flash_files", files ? "not an object" : "missing");
	/* jansson keeps the order written: the order of flash_args */
	json_object_foreach(files, key, val) if (add_file(b, key, val) < 0) return -1;
	if (b->n == 0)
		return field_error(b, "flash_files", "no files");
	return 0;
}

/* The "partition-table" entry says which file is the table (the manifest needs it). */
static int load_table(struct idfbuild *b, json_t *root)
{
	json_t *pt = json_object_get(root, "partition-table");
	const char *off;
	int64_t v;

	if (!pt)
		return 0;
	if (!json_is_object(pt))
		return field_error(b, "partition-table", "not an object");
	if (get_string(b, pt, "offset", "partition-table.offset", &off) < 0)
		return -1;
	if (num_pyint_parse(off, strlen(off), &v) < 0 || v < 0)
		return field_error(b, "partition-table.offset", "'%s' is not a flash address", off);
	b->has_table = 1;
	b->table_offset = (uint64_t)v;
	return 0;
}

int idfbuild_load(const char *dir, struct idfbuild *b)
{
	struct buf data = BUF_INIT;
	json_error_t err;
	json_t *root = NULL;
	size_t n = strlen(dir);
	int rc = -1;

	/* "build/" names the JSON "build/flasher_args.json", not "build//..." */
	while (n > 1 && dir[n - 1] == '/')
		n--;
	b->dir = strndup(dir, n);
	b->json = b->dir ? fileio_path_join(b->dir, "flasher_args.json") : NULL;
	if (!b->dir || !b->json)
		return diag_error("out of memory");
	if (fileio_read(b->json, IDFBUILD_MAX_JSON, &data) < 0)
		goto out;
	/* two images at one address would be two keys: say so rather than keep the last */
	root = json_loadb(data.data ? (const char *)data.data : "", data.len,
			  JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		diag_at(b->json, err.line > 0 ? (unsigned)err.line : 0, "invalid JSON: %s",
			err.text);
		goto out;
	}
	if (!json_is_object(root)) {
		diag_file(b->json, "not a JSON object");
		goto out;
	}
	if (load_chip(b, root) < 0 || load_settings(b, root) < 0 || load_files(b, root) < 0 ||
	    load_table(b, root) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	buf_free(&data);
	return rc;
}

void idfbuild_free(struct idfbuild *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->v[i].key);
		free(b->v[i].file);
		free(b->v[i].path);
	}
	for (i = 0; i < 3; i++)
		free(b->setting[i]);
	free(b->v);
	free(b->dir);
	free(b->json);
	memset(b, 0, sizeof(*b));
}

int idfbuild_merge_init(const struct idfbuild *b, struct flash_merge *m)
{
	size_t i;

	flash_merge_init(m, b->chip, &b->params);
	for (i = 0; i < b->n; i++)
		if (flash_merge_add(m, b->v[i].addr, b->v[i].path) < 0)
			return -1;
	return 0;
}
