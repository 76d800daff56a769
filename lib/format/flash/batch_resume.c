/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The action key of a device: SHA-256 over the tool version, how its keys are made,
 * the path and bytes of every file the shared part read (manifest, layout, bootloader,
 * apps, NVS CSVs...), its row (column names and values) and the path and bytes of each
 * file read for it alone (those its NVS rows or key column name). Equal keys mean the
 * build would read the same bytes, so its output would be the same; a rerun skips such
 * devices. The per-device files are listed in FLASH.json because which files a row
 * names is only known by building it.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY */
#include "batch_resume.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ascii.h"
#include "diag.h"
#include "fileio.h"

/* Adds @path and the SHA-256 of its bytes to @ctx; -1 when it cannot be read. A
 * directory (a file-system partition's, in the depfile so that added files count) adds
 * its path alone: each file in it is an input of its own. */
static int hash_file(struct hash_sha256_ctx *ctx, const char *path)
{
	uint8_t chunk[1 << 16], d[SHA256_LEN];
	struct hash_sha256_ctx fc;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		hash_sha256_update(ctx, "dir:", 4);
		hash_sha256_update(ctx, path, strlen(path) + 1);
		return 0;
	}
	hash_sha256_begin(&fc);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		hash_sha256_update(&fc, chunk, (size_t)n);
	close(fd);
	if (n < 0)
		return -1;
	hash_sha256_end(&fc, d);
	hash_sha256_update(ctx, path, strlen(path) + 1);
	hash_sha256_update(ctx, d, sizeof(d));
	return 0;
}

int batch_resume_init(struct batch_resume *r, const struct factory *f, int keygen, int regions)
{
	const struct depfile *deps = factory_deps(f);
	struct hash_sha256_ctx ctx;
	char how[64];
	size_t i;

	r->keygen = keygen;
	r->regions = regions;
	r->gen = factory_generated_keys(f);
	/* the output mode too: a device built in the other mode is built again */
	snprintf(how, sizeof(how), "keygen=%d generate=%s%s", keygen, r->gen ? r->gen : "-",
		 regions ? " regions" : "");
	hash_sha256_begin(&ctx);
	hash_sha256_update(&ctx, "espgen " ESPGEN_VERSION, sizeof("espgen " ESPGEN_VERSION));
	hash_sha256_update(&ctx, how, strlen(how) + 1);
	for (i = 0; i < deps->n; i++)
		if (hash_file(&ctx, deps->v[i]) < 0)
			return diag_errno(deps->v[i], "cannot read");
	hash_sha256_end(&ctx, r->shared);
	return 0;
}

/* The action key of row @i with the device's own input files @paths (@n of them), in
 * hex; -1 when one of them cannot be read. */
static int action_key(const struct batch_resume *r, const struct devices *d, size_t i,
		      const char *const *paths, size_t n, char hex[2 * SHA256_LEN + 1])
{
	const struct devices_row *row = &d->rows[i];
	const char *s = (const char *)d->text.data + row->off;
	struct hash_sha256_ctx ctx;
	uint8_t out[SHA256_LEN];
	size_t k;

	hash_sha256_begin(&ctx);
	hash_sha256_update(&ctx, r->shared, sizeof(r->shared));
	for (k = 0; k < row->nfields && k < d->ncols; k++) {
		size_t len = strlen(s) + 1;

		hash_sha256_update(&ctx, d->names[k], strlen(d->names[k]) + 1);
		hash_sha256_update(&ctx, s, len);
		s += len;
	}
	for (k = 0; k < n; k++)
		if (hash_file(&ctx, paths[k]) < 0)
			return -1;
	hash_sha256_end(&ctx, out);
	ascii_hex_encode(out, SHA256_LEN, hex);
	return 0;
}

/* Whether the regular file @name exists in the directory @dfd (never through a link),
 * and, with @size >= 0, has that size. */
static int has_file(int dfd, const char *name, long long size)
{
	struct stat st;

	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       (size < 0 || (long long)st.st_size == size);
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Regions mode: flash_args in the device directory @dfd and every file @regions (of
 * FLASH.json) names, of its data_size: the device's own beside flash_args, a shared one
 * ("../common/<sha256>.bin") in OUTDIR/common/. */
static int has_regions(const struct batchdir *dir, int dfd, json_t *regions)
{
	const char *up = "../" DEVICES_COMMON_NAME "/";
	size_t k;

	if (!json_is_array(regions) || !has_file(dfd, BATCHDIR_FLASH_ARGS_NAME, -1))
		return 0;
	for (k = 0; k < json_array_size(regions); k++) {
		json_t *e = json_array_get(regions, k);
		const char *file = str(e, "file");
		long long size = json_integer_value(json_object_get(e, "data_size"));

		if (json_is_null(json_object_get(e, "file")))
			continue;
		if (!file || strstr(file + (strncmp(file, up, strlen(up)) ? 0 : 3), ".."))
			return 0;
		if (strncmp(file, up, strlen(up)) == 0) {
			if (!has_file(dir->fd, file + 3, size))
				return 0;
		} else if (strchr(file, '/') || !has_file(dfd, file, size)) {
			return 0;
		}
	}
	return 1;
}

/* The FLASH.json of directory @dfd, parsed; NULL when there is none or it is no JSON. */
static json_t *load_json(int dfd)
{
	int fd = openat(dfd, "FLASH.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_error_t err;
	json_t *root;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return NULL;
	}
	root = json_loadf(f, 0, &err);
	fclose(f);
	return root;
}

int batch_resume_fresh(const struct batch_resume *r, const struct batchdir *dir,
		       const struct devices *d, size_t i, struct factory_result *res,
		       struct depfile *deps)
{
	const char *id = devices_id(d, i), *key, *sha, *bid;
	const char **paths = NULL;
	char hex[2 * SHA256_LEN + 1];
	json_t *root = NULL, *inputs;
	size_t k, n;
	int dfd, ok = 0;

	dfd = openat(dir->fd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	root = load_json(dfd);
	inputs = json_object_get(root, "device_inputs");
	key = str(root, "action_key");
	sha = str(json_object_get(root, "image"), r->regions ? "regions_sha256" : "sha256");
	bid = str(root, "build_id");
	if (!root || !json_is_array(inputs) || !key || !sha || !bid ||
	    strlen(sha) != 2 * SHA256_LEN || strlen(bid) != sizeof(res->build_id) - 1 ||
	    !str(root, "device_id") || strcmp(str(root, "device_id"), id) != 0)
		goto out;
	if (r->regions ? !has_regions(dir, dfd, json_object_get(root, "regions"))
		       : !has_file(dfd, "FLASH.bin",
				   json_integer_value(
				       json_object_get(json_object_get(root, "image"), "size"))))
		goto out;
	/* the key files this run would generate: without them the device is not done */
	if ((r->keygen && !has_file(dfd, BATCHDIR_KEY_NAME, -1)) ||
	    (r->gen && !has_file(dfd,
				 strcmp(r->gen, "hmac_key") == 0 ? BATCHDIR_HMAC_KEY_NAME
								 : BATCHDIR_NVS_KEYS_NAME,
				 -1)))
		goto out;
	n = json_array_size(inputs);
	paths = calloc(n ? n : 1, sizeof(*paths));
	if (!paths)
		goto out;
	for (k = 0; k < n; k++)
		if (!(paths[k] = json_string_value(json_array_get(inputs, k))))
			goto out;
	if (action_key(r, d, i, paths, n, hex) < 0 || strcmp(hex, key) != 0)
		goto out;
	for (k = 0; k < n; k++)
		if (depfile_add(deps, paths[k]) < 0)
			goto out;
	memcpy(res->sha256, sha, sizeof(res->sha256));
	memcpy(res->build_id, bid, sizeof(res->build_id));
	ok = 1;
out:
	free(paths);
	json_decref(root);
	close(dfd);
	return ok;
}

int batch_resume_stamp(const struct batch_resume *r, const struct devices *d, size_t i,
		       const struct depfile *inputs, const char *json_path)
{
	char hex[2 * SHA256_LEN + 1];
	json_t *root = NULL, *out = json_object(), *list = json_array(), *v;
	const char *key;
	struct buf text = BUF_INIT;
	json_error_t err;
	char *dump = NULL;
	void *it;
	size_t k;
	int rc = -1;

	if (fileio_read(json_path, 1 << 20, &text) < 0)
		goto done;
	if (buf_append(&text, "", 1) < 0 ||
	    !(root = json_loads((const char *)text.data, 0, &err)) || !out || !list) {
		diag_file(json_path, "cannot read back FLASH.json");
		goto done;
	}
	if (action_key(r, d, i, (const char *const *)inputs->v, inputs->n, hex) < 0) {
		diag_file(json_path, "cannot read a device input again for its action key");
		goto done;
	}
	for (k = 0; k < inputs->n; k++)
		json_array_append_new(list, json_string(inputs->v[k]));
	/* the key and its inputs right after device_id, all else in its order: a batch
	 * device's FLASH.json is a single build's with these lines added */
	json_object_foreach_safe(root, it, key, v)
	{
		json_object_set(out, key, v);
		if (strcmp(key, "device_id") == 0) {
			json_object_set_new(out, "action_key", json_string(hex));
			json_object_set(out, "device_inputs", list);
		}
	}
	dump = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	text.len = 0;
	if (!dump || buf_puts(&text, dump) < 0 || buf_puts(&text, "\n") < 0) {
		diag_error("cannot format FLASH.json");
		goto done;
	}
	rc = fileio_atomic_write_file(json_path, text.data, text.len);
done:
	free(dump);
	buf_free(&text);
	json_decref(root);
	json_decref(out);
	json_decref(list);
	return rc;
}
