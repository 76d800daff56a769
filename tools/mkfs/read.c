/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkfs --list and --extract: an image's files back, for returned devices and checks. */
#include "mkfs.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ascii.h"
#include "buf.h"
#include "diag.h"
#include "fat.h"
#include "fileio.h"
#include "hash.h"

/* An image's files, from either decoder. */
struct mkfs_image {
	enum mkfs_type type;
	int wear_levelling;
	struct spiffs_list spiffs;
	struct fat_list fat;
	/* the entries of either list, in image order */
	struct mkfs_file {
		const char *name;
		const uint8_t *data;
		size_t len;
		int is_dir;
	} * v;
	size_t n;
};

static void image_free(struct mkfs_image *m)
{
	spiffs_list_free(&m->spiffs);
	fat_list_free(&m->fat);
	free(m->v);
}

static int load(enum mkfs_type type, const struct spiffs_config *c, const char *image,
		struct mkfs_image *m)
{
	struct buf img = BUF_INIT;
	size_t i, n;
	int rc;

	memset(m, 0, sizeof(*m));
	if (fileio_read(image, FILEIO_MAX_INPUT, &img) < 0)
		return -1;
	if (type == MKFS_NONE)
		type =
		    fat_image_detect(img.data, img.len) != FAT_KIND_NONE ? MKFS_FAT : MKFS_SPIFFS;
	m->type = type;
	if (type == MKFS_FAT)
		rc = fat_decode(image, img.data, img.len, &m->fat);
	else
		rc = spiffs_decode(c, image, img.data, img.len, &m->spiffs);
	buf_free(&img);
	if (rc < 0)
		return -1;
	m->wear_levelling = m->fat.wear_levelling;
	n = type == MKFS_FAT ? m->fat.n : m->spiffs.n;
	m->v = calloc(n ? n : 1, sizeof(*m->v));
	if (!m->v) {
		image_free(m);
		return diag_error("out of memory");
	}
	for (i = 0; i < n; i++) {
		struct mkfs_file *f = &m->v[i];

		if (type == MKFS_FAT) {
			f->name = m->fat.v[i].name;
			f->data = m->fat.v[i].data;
			f->len = m->fat.v[i].len;
			f->is_dir = m->fat.v[i].is_dir;
		} else {
			f->name = m->spiffs.v[i].name;
			f->data = m->spiffs.v[i].data;
			f->len = m->spiffs.v[i].len;
		}
		/* an empty file has no buffer; the hash wants a pointer all the same */
		if (!f->data)
			f->data = (const uint8_t *)"";
	}
	m->n = n;
	return 0;
}

static int list_json(const struct mkfs_image *l, struct buf *out)
{
	json_t *root = json_object(), *files = json_array();
	char hex[2 * SHA256_LEN + 1], *text = NULL;
	uint8_t sum[SHA256_LEN];
	int rc = -1;
	size_t i;

	if (!root || !files || json_object_set_new(root, "schema_version", json_integer(1)) < 0 ||
	    json_object_set_new(root, "tool_version", json_string(ESPGEN_VERSION)) < 0 ||
	    json_object_set_new(root, "type", json_string(l->type == MKFS_FAT ? "fat" : "spiffs")) <
		0 ||
	    (l->type == MKFS_FAT &&
	     json_object_set_new(root, "wear_levelling", json_boolean(l->wear_levelling)) < 0) ||
	    json_object_set(root, "files", files) < 0)
		goto out;
	for (i = 0; i < l->n; i++) {
		json_t *f;

		if (l->v[i].is_dir)
			continue;
		hash_sha256(l->v[i].data, l->v[i].len, sum);
		ascii_hex_encode(sum, sizeof(sum), hex);
		f = json_pack("{s:s, s:I, s:s}", "name", l->v[i].name, "size",
			      (json_int_t)l->v[i].len, "sha256", hex);
		if (!f || json_array_append_new(files, f) < 0)
			goto out;
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text && buf_puts(out, text) == 0 && buf_puts(out, "\n") == 0)
		rc = 0;
out:
	if (rc < 0 && !text)
		diag_error("out of memory");
	free(text);
	json_decref(files);
	json_decref(root);
	return rc;
}

int mkfs_list(enum mkfs_type type, const struct spiffs_config *c, const char *image, int json,
	      const char *output)
{
	struct mkfs_image l;
	struct buf out = BUF_INIT;
	char hex[2 * SHA256_LEN + 1];
	uint8_t sum[SHA256_LEN];
	int rc = -1;
	size_t i;

	if (load(type, c, image, &l) < 0)
		return -1;
	if (json) {
		if (list_json(&l, &out) < 0)
			goto out;
	} else {
		for (i = 0; i < l.n; i++) {
			if (l.v[i].is_dir)
				continue;
			hash_sha256(l.v[i].data, l.v[i].len, sum);
			ascii_hex_encode(sum, sizeof(sum), hex);
			if (buf_printf(&out, "%s %10zu %s\n", hex, l.v[i].len, l.v[i].name) < 0)
				goto out;
		}
	}
	rc = fileio_atomic_write_file(output ? output : "-", out.data, out.len);
out:
	buf_free(&out);
	image_free(&l);
	return rc;
}

/* A name that stays inside the output directory: '/' then components that are not
 * empty, "." or "..". */
static int name_ok(const char *name)
{
	const char *p = name, *q;

	if (*p != '/')
		return 0;
	while (*p == '/') {
		p++;
		q = strchr(p, '/');
		if (!q)
			q = p + strlen(p);
		if (q == p || (q - p == 1 && p[0] == '.') ||
		    (q - p == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p = q;
	}
	return *p == '\0';
}

/* mkdir @path unless it is a directory already. */
static int make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return diag_errno(path, "cannot make directory");
}

/* Writes one file at @dir + @name, making the directories on the way. */
static int extract_one(const char *dir, const struct mkfs_file *e)
{
	size_t dl = strlen(dir), nl = strlen(e->name);
	char *path = malloc(dl + nl + 1), *p;
	int rc = -1;

	if (!path)
		return diag_error("out of memory");
	memcpy(path, dir, dl);
	memcpy(path + dl, e->name, nl + 1);
	for (p = strchr(path + dl + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		rc = make_dir(path);
		*p = '/';
		if (rc < 0)
			goto out;
	}
	if (e->is_dir)
		rc = make_dir(path);
	else
		rc = fileio_atomic_write_file(path, e->data, e->len);
out:
	free(path);
	return rc;
}

int mkfs_extract(enum mkfs_type type, const struct spiffs_config *c, const char *image,
		 const char *dir)
{
	struct mkfs_image l;
	int rc = -1;
	size_t i;

	if (load(type, c, image, &l) < 0)
		return -1;
	/* an image is untrusted input: no name may point outside @dir */
	for (i = 0; i < l.n; i++) {
		if (!name_ok(l.v[i].name)) {
			diag_file(image, "file name '%s' would leave the output directory",
				  l.v[i].name);
			goto out;
		}
	}
	if (make_dir(dir) < 0)
		goto out;
	/* many files: each still appears whole (rename), without an fsync apiece */
	fileio_set_sync(0);
	for (i = 0; i < l.n; i++)
		if (extract_one(dir, &l.v[i]) < 0)
			break;
	fileio_set_sync(1);
	rc = i == l.n ? 0 : -1;
out:
	image_free(&l);
	return rc;
}
