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
#include "fileio.h"
#include "hash.h"

static int load(const struct spiffs_config *c, const char *image, struct spiffs_list *l)
{
	struct buf img = BUF_INIT;
	int rc;

	if (fileio_read(image, FILEIO_MAX_INPUT, &img) < 0)
		return -1;
	rc = spiffs_decode(c, image, img.data, img.len, l);
	buf_free(&img);
	return rc;
}

static int list_json(const struct spiffs_list *l, struct buf *out)
{
	json_t *root = json_object(), *files = json_array();
	char hex[2 * SHA256_LEN + 1], *text = NULL;
	uint8_t sum[SHA256_LEN];
	int rc = -1;
	size_t i;

	if (!root || !files || json_object_set_new(root, "schema_version", json_integer(1)) < 0 ||
	    json_object_set_new(root, "tool_version", json_string(ESPGEN_VERSION)) < 0 ||
	    json_object_set_new(root, "type", json_string("spiffs")) < 0 ||
	    json_object_set(root, "files", files) < 0)
		goto out;
	for (i = 0; i < l->n; i++) {
		json_t *f;

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

int mkfs_list(const struct spiffs_config *c, const char *image, int json, const char *output)
{
	struct spiffs_list l = {NULL, 0};
	struct buf out = BUF_INIT;
	char hex[2 * SHA256_LEN + 1];
	uint8_t sum[SHA256_LEN];
	int rc = -1;
	size_t i;

	if (load(c, image, &l) < 0)
		return -1;
	if (json) {
		if (list_json(&l, &out) < 0)
			goto out;
	} else {
		for (i = 0; i < l.n; i++) {
			hash_sha256(l.v[i].data, l.v[i].len, sum);
			ascii_hex_encode(sum, sizeof(sum), hex);
			if (buf_printf(&out, "%s %10zu %s\n", hex, l.v[i].len, l.v[i].name) < 0)
				goto out;
		}
	}
	rc = fileio_atomic_write_file(output ? output : "-", out.data, out.len);
out:
	buf_free(&out);
	spiffs_list_free(&l);
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
static int extract_one(const char *dir, const struct spiffs_entry *e)
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
	rc = fileio_atomic_write_file(path, e->data ? (const void *)e->data : "", e->len);
out:
	free(path);
	return rc;
}

int mkfs_extract(const struct spiffs_config *c, const char *image, const char *dir)
{
	struct spiffs_list l = {NULL, 0};
	int rc = -1;
	size_t i;

	if (load(c, image, &l) < 0)
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
	for (i = 0; i < l.n; i++)
		if (extract_one(dir, &l.v[i]) < 0)
			goto out;
	rc = 0;
out:
	spiffs_list_free(&l);
	return rc;
}
