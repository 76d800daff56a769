/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esp-mkflash --idf-build DIR --manifest-out FACTORY.ini. The build's partition table is
 * written as an INI layout, not referenced as a binary: a binary layout cannot carry the
 * table offset (CONFIG_PARTITION_TABLE_OFFSET), and the INI form is what a user edits
 * to add partitions. Every file becomes a region of the manifest; a file that is not at
 * the bootloader offset, the table or a partition's start has no place there and is
 * refused rather than dropped, so the manifest never builds less than the merge.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "idfbuild_manifest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "parttable.h"

char *idfbuild_manifest_layout_path(const char *manifest)
{
	size_t n = strlen(manifest);
	char *p = malloc(n + sizeof(".partitions.ini"));

	if (!p)
		return NULL;
	memcpy(p, manifest, n + 1);
	if (n > 4 && strcmp(manifest + n - 4, ".ini") == 0)
		p[n - 4] = '\0';
	strcat(p, ".partitions.ini");
	return p;
}

/* The directory @path is in ("." for none), or @path itself with @is_dir, resolved;
 * malloc'd, NULL with a message. */
static char *real_dir(const char *path, int is_dir)
{
	const char *slash = is_dir ? NULL : strrchr(path, '/');
	char *dir, *real;

	if (is_dir)
		dir = strdup(path);
	else if (!slash)
		dir = strdup(".");
	else
		dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	if (!dir) {
		diag_error("out of memory");
		return NULL;
	}
	real = realpath(dir, NULL);
	if (!real)
		diag_errno(dir, "cannot resolve the directory");
	free(dir);
	return real;
}

/* The path that leads from directory @from to directory @to (both resolved, absolute),
 * "" when they are the same. malloc'd; NULL when out of memory. */
static char *rel_dir(const char *from, const char *to)
{
	struct buf r = BUF_INIT;
	size_t i = 0, common;
	const char *rest;

	/* the shared leading components: back to the last '/' unless both end a component
	 * where they part */
	while (from[i] && from[i] == to[i])
		i++;
	common = i;
	if (!((from[i] == '\0' || from[i] == '/') && (to[i] == '\0' || to[i] == '/')))
		while (common > 0 && from[common] != '/')
			common--;
	for (i = common; from[i]; i++)
		if (from[i] == '/' && from[i + 1] != '\0' && buf_puts(&r, "../") < 0)
			goto oom;
	rest = to + common;
	while (*rest == '/')
		rest++;
	if (*rest && (buf_puts(&r, rest) < 0 || buf_puts(&r, "/") < 0))
		goto oom;
	if (buf_append(&r, "", 1) < 0)
		goto oom;
	return (char *)r.data;
oom:
	buf_free(&r);
	return NULL;
}

/* inih would cut a value at " ;" or " #", and trims blanks at either end */
static int value_ok(const char *v)
{
	size_t n = strlen(v);

	return n > 0 && !strpbrk(v, ";#\r\n") && v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' &&
	       v[n - 1] != '\t';
}

struct writer {
	const struct idfbuild *b;
	char *prefix; /* from the manifest's directory to the build directory */
	struct buf text;
};

/* "KEY = PATH" with the file of @f as the manifest reaches it. */
static int put_path(struct writer *w, const char *key, const struct idfbuild_file *f)
{
	struct buf v = BUF_INIT;
	int rc;

	/* buf_printf() leaves a NUL after the text */
	if (buf_printf(&v, "%s%s", f->file[0] == '/' ? "" : w->prefix, f->file) < 0)
		return -1;
	if (!value_ok((const char *)v.data))
		rc = diag_file(w->b->json,
			       "flash_files[\"%s\"]: '%s' cannot be written in a manifest (';', "
			       "'#', line breaks or blanks at an end)",
			       f->key, (const char *)v.data);
	else
		rc = buf_printf(&w->text, "%s = %s\n", key, (const char *)v.data);
	buf_free(&v);
	return rc;
}

/* Reads the table file and decodes it; it must encode back to the same bytes, or the
 * manifest would build a different table than the merge places. */
static int load_table(const struct idfbuild_file *f, struct parttable_config *cfg,
		      struct parttable *pt)
{
	struct buf data = BUF_INIT, again = BUF_INIT;
	int rc = -1;

	cfg->table_offset = (int64_t)f->addr;
	cfg->offset_set = 1;
	if (fileio_read(f->path, FILEIO_MAX_INPUT, &data) < 0 ||
	    parttable_decode(data.data, data.len, cfg, pt) < 0)
		goto out;
	cfg->md5 = pt->had_md5_row;
	if (parttable_encode(pt, cfg, &again) < 0)
		goto out;
	if (again.len != data.len || memcmp(again.data, data.data, data.len) != 0) {
		diag_file(f->path,
			  "the partition table does not encode back to the same bytes "
			  "(%zu bytes, not %zu): a manifest cannot rebuild it",
			  data.len, again.len);
		goto out;
	}
	rc = 0;
out:
	buf_free(&data);
	buf_free(&again);
	return rc;
}

/* The partition @f starts, checked to hold it; NULL with a message. */
static const struct parttable_entry *
partition_at(const struct idfbuild *b, const struct parttable *pt, const struct idfbuild_file *f)
{
	struct stat st;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];

		if (parttable_is_primary_special(e) || (uint64_t)e->offset != f->addr)
			continue;
		if (stat(f->path, &st) < 0) {
			diag_errno(f->path, "cannot read");
			return NULL;
		}
		if ((uint64_t)st.st_size > (uint64_t)e->size) {
			diag_file(b->json,
				  "flash_files[\"%s\"]: %s (%lld bytes) does not fit partition "
				  "'%s' (%lld bytes)",
				  f->key, f->file, (long long)st.st_size, e->name,
				  (long long)e->size);
			return NULL;
		}
		return e;
	}
	diag_file(b->json,
		  "flash_files[\"%s\"]: %s starts at no partition of the table: a manifest "
		  "places files only into partitions",
		  f->key, f->file);
	return NULL;
}

static int put_header(struct writer *w, const char *layout_name)
{
	static const char *const names[3] = {"flash_mode", "flash_freq", "flash_size"};
	const struct idfbuild *b = w->b;
	size_t i;

	if (buf_printf(&w->text,
		       "; esp-mkflash --manifest-out: the regions of an ESP-IDF build directory\n"
		       "; (docs/esp-idf.md), to extend with otadata, NVS and per-device data.\n"
		       "chip = %s\n",
		       b->chip->name) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		/* the manifest always writes the bootloader header: it needs real values */
		if (strcmp(b->setting[i], "keep") == 0)
			return diag_file(b->json,
					 "flash_settings.%s: 'keep' cannot go into a "
					 "manifest, which needs the value",
					 names[i]);
		if (buf_printf(&w->text, "%s = %s\n", names[i], b->setting[i]) < 0)
			return -1;
	}
	if (!value_ok(layout_name))
		return diag_error("'%s' cannot be written in a manifest", layout_name);
	return buf_printf(&w->text, "layout = %s\n", layout_name);
}

/* The manifest text: settings, bootloader, then one section per partition file. */
static int put_manifest(struct writer *w, const struct idfbuild_file *boot,
			const struct idfbuild_file *table, const struct parttable *pt,
			const char *layout_name)
{
	const struct idfbuild *b = w->b;
	size_t i;

	if (put_header(w, layout_name) < 0 || put_path(w, "bootloader", boot) < 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		const struct idfbuild_file *f = &b->v[i];
		const struct parttable_entry *e;

		if (f == boot || f == table)
			continue;
		e = partition_at(b, pt, f);
		if (!e || buf_printf(&w->text, "\n[%s]\n", e->name) < 0 ||
		    put_path(w, "file", f) < 0)
			return -1;
	}
	return 0;
}

static const struct idfbuild_file *file_at(const struct idfbuild *b, uint64_t addr)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (b->v[i].addr == addr)
			return &b->v[i];
	return NULL;
}

static int write_both(const char *manifest, const struct buf *text, const char *layout,
		      const struct buf *ini)
{
	struct fileio_atomic_file af[2];

	memset(af, 0, sizeof(af));
	if (fileio_atomic_open(&af[0], manifest) < 0)
		return -1;
	if (fileio_atomic_open(&af[1], layout) < 0) {
		fileio_atomic_abort(&af[0]);
		return -1;
	}
	if (fileio_atomic_write(&af[0], text->data, text->len) < 0 ||
	    fileio_atomic_write(&af[1], ini->data, ini->len) < 0) {
		fileio_atomic_abort(&af[0]);
		fileio_atomic_abort(&af[1]);
		return -1;
	}
	return fileio_atomic_commit_all(af, 2);
}

int idfbuild_manifest_write(const struct idfbuild *b, const char *manifest)
{
	struct writer w = {b, NULL, BUF_INIT};
	struct parttable_config cfg;
	struct parttable pt;
	struct buf ini = BUF_INIT;
	const struct idfbuild_file *boot, *table;
	char *layout = idfbuild_manifest_layout_path(manifest), *from = NULL, *to = NULL;
	const char *layout_name;
	int rc = -1;

	parttable_init(&pt, NULL);
	if (parttable_config_init(&cfg) < 0 || !layout) {
		diag_error("out of memory");
		goto out;
	}
	if (strcmp(manifest, "-") == 0) {
		diag_error("--manifest-out writes the manifest and its layout: give a file name");
		goto out;
	}
	boot = file_at(b, b->chip->bootloader_offset);
	table = b->has_table ? file_at(b, b->table_offset) : NULL;
	if (!boot) {
		diag_file(b->json, "flash_files: nothing at the %s bootloader offset 0x%x",
			  b->chip->name, (unsigned)b->chip->bootloader_offset);
		goto out;
	}
	if (!table) {
		diag_file(b->json, b->has_table ? "flash_files: nothing at partition-table.offset"
						: "partition-table: missing (the manifest needs "
						  "the build's partition table)");
		goto out;
	}
	pt.file = table->path;
	if (load_table(table, &cfg, &pt) < 0 || parttable_format_ini(&pt, &cfg, &ini) < 0)
		goto out;
	from = real_dir(manifest, 0);
	to = from ? real_dir(b->dir, 1) : NULL;
	if (!to)
		goto out;
	w.prefix = rel_dir(from, to);
	if (!w.prefix) {
		diag_error("out of memory");
		goto out;
	}
	layout_name = strrchr(layout, '/') ? strrchr(layout, '/') + 1 : layout;
	if (put_manifest(&w, boot, table, &pt, layout_name) < 0)
		goto out;
	rc = write_both(manifest, &w.text, layout, &ini);
out:
	parttable_free(&pt);
	parttable_config_free(&cfg);
	buf_free(&ini);
	buf_free(&w.text);
	free(w.prefix);
	free(from);
	free(to);
	free(layout);
	return rc;
}
