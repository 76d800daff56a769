/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FLASH.bin and FLASH.json of a factory image. FLASH.json: chip, flash settings,
 * every region (offset, size, data size, SHA-256, kind, source), the image's size
 * and SHA-256, and a build id derived from that SHA-256, so equal images have equal
 * ids.
 */
#include "factory_output.h"

#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "ascii.h"
#include "diag.h"
#include "fileio.h"
#include "hash.h"

/* Namespace of build ids: uuid_generate_sha1(ns, SHA-256 of the image). */
static const uuid_t build_id_ns = {0x6b, 0x1e, 0x2f, 0x0c, 0x94, 0x53, 0x4d, 0x8a,
				   0x9e, 0x51, 0x3a, 0x77, 0x0e, 0x8c, 0x52, 0x1d};

/* @image_sha: the whole image's SHA-256, or in regions mode the digest over its regions
 * (then the image gets "regions_sha256" instead of "sha256", and each region its file). */
static int describe(const struct factory_output *o, uint64_t image_size, const char *image_sha,
		    const char *build_id, struct buf *json)
{
	json_t *root = json_object(), *flash = json_object(), *regions = json_array(), *image;
	char *text;
	size_t i;
	int rc = -1;

	json_object_set_new(root, "schema_version", json_integer(1));
	json_object_set_new(root, "tool_version", json_string(ESPGEN_VERSION));
	if (o->device)
		json_object_set_new(root, "device_id", json_string(o->device));
	json_object_set_new(root, "chip", json_string(o->chip->name));
	json_object_set_new(flash, "mode", json_string(o->fp->mode));
	json_object_set_new(flash, "freq", json_string(o->fp->freq));
	json_object_set_new(flash, "size", json_string(o->fp->size));
	json_object_set_new(root, "flash", flash);
	for (i = 0; i < o->nr; i++) {
		const struct content_region *r = &o->r[i];
		json_t *e = json_object();

		json_object_set_new(e, "name", json_string(r->name));
		json_object_set_new(e, "offset", json_integer((json_int_t)r->offset));
		json_object_set_new(e, "size", json_integer((json_int_t)r->size));
		json_object_set_new(e, "data_size", json_integer((json_int_t)r->data.len));
		json_object_set_new(e, "sha256", json_string(r->sha));
		json_object_set_new(e, "encrypted", json_boolean(r->encrypted));
		json_object_set_new(e, "plain_sha256",
				    json_string(r->encrypted ? r->plain_sha : r->sha));
		json_object_set_new(e, "kind", json_string(r->kind));
		json_object_set_new(e, "source", json_string(r->source));
		/* which key file, by name: never the keys nor a hash of them */
		if (r->nvs_encryption)
			json_object_set_new(e, "nvs_encryption", json_string(r->nvs_encryption));
		if (r->key_file)
			json_object_set_new(e, "key_file", json_string(r->key_file));
		if (o->shared) {
			char file[FACTORY_OUTPUT_FILE_MAX];

			factory_output_region_file(r, o->shared[i], file);
			json_object_set_new(e, "file",
					    r->data.len ? json_string(file) : json_null());
		}
		json_array_append_new(regions, e);
	}
	json_object_set_new(root, "regions", regions);
	image = json_object();
	json_object_set_new(image, "size", json_integer((json_int_t)image_size));
	json_object_set_new(image, o->shared ? "regions_sha256" : "sha256", json_string(image_sha));
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

int factory_output_write(const struct factory_output *o, const char *output, const char *jpath,
			 int threads, struct factory_result *res)
{
	const struct flash_plan *plan = o->plan;
	struct content_region *r = o->r;
	struct image_hash_job job = {plan, {0}};
	/* the generated key file, FLASH.bin, FLASH.json: renamed in that order, so an image
	 * never appears without the keys it was made with */
	struct fileio_atomic_file f[3];
	size_t first = o->secret_path ? 0 : 1;
	struct buf json = BUF_INIT;
	pthread_t th;
	int threaded = 0, rc = -1, bin_open = 0, js_open = 0, key_open = 0;
	uuid_t uu;
	size_t i;

	if (o->secret_path) {
		if (fileio_atomic_open_mode(&f[0], o->secret_path, 0600) < 0)
			return -1;
		key_open = 1;
		if (fileio_atomic_write(&f[0], o->secret, o->secret_len) < 0)
			goto out_key;
	}
	if (threads)
		threaded = pthread_create(&th, NULL, image_hash_thread, &job) == 0;
	for (i = 0; i < o->nr; i++) {
		uint8_t d[SHA256_LEN];

		hash_sha256(r[i].data.data ? r[i].data.data : (const uint8_t *)"", r[i].data.len,
			    d);
		ascii_hex_encode(d, SHA256_LEN, r[i].sha);
	}
	if (fileio_atomic_open(&f[1], output) == 0) {
		bin_open = 1;
		if (flash_plan_write(plan, &f[1]) < 0) {
			fileio_atomic_abort(&f[1]);
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
	if (describe(o, plan->size, res->sha256, res->build_id, &json) < 0)
		goto out;
	if (fileio_atomic_open(&f[2], jpath) < 0)
		goto out;
	js_open = 1;
	if (fileio_atomic_write(&f[2], json.data, json.len) < 0)
		goto out;
	/* both written: both synced, then both renamed, so a failure leaves the old pair */
	bin_open = js_open = key_open = 0;
	rc = fileio_atomic_commit_all(f + first, 3 - first);
out:
	if (bin_open)
		fileio_atomic_abort(&f[1]);
	if (js_open)
		fileio_atomic_abort(&f[2]);
	buf_free(&json);
out_key:
	if (key_open)
		fileio_atomic_abort(&f[0]);
	return rc;
}

void factory_output_region_file(const struct content_region *r, int shared,
				char name[FACTORY_OUTPUT_FILE_MAX])
{
	if (shared)
		snprintf(name, FACTORY_OUTPUT_FILE_MAX, "../" FACTORY_COMMON_DIR "/%s.bin", r->sha);
	else
		snprintf(name, FACTORY_OUTPUT_FILE_MAX, "0x%" PRIx64 ".bin", r->offset);
}

/* The regions with bytes, in address order (flash_args lists them so); @v holds o->nr. */
static size_t by_address(const struct factory_output *o, size_t *v)
{
	size_t i, k, n = 0;

	for (i = 0; i < o->nr; i++) {
		if (!o->r[i].data.len)
			continue;
		for (k = n; k > 0 && o->r[v[k - 1]].offset > o->r[i].offset; k--)
			v[k] = v[k - 1];
		v[k] = i;
		n++;
	}
	return n;
}

/*
 * flash_args: the flash settings, then "ADDR FILE" per region. An encrypted bootloader's
 * header cannot be patched (its bytes are ciphertext; it already holds the settings), so
 * then the settings are "keep" and esp-mkflash @flash_args leaves its bytes alone.
 * The regions' digest goes to @digest: SHA-256 over, per region in address order, its
 * offset and length (8 bytes each, big-endian) and the SHA-256 of its bytes in lowercase
 * hex (64 characters).
 */
static int flash_args(const struct factory_output *o, const size_t *v, size_t n, struct buf *out,
		      uint8_t digest[SHA256_LEN])
{
	struct hash_sha256_ctx ctx;
	int keep = 0;
	size_t i;

	for (i = 0; i < o->nr; i++)
		if (o->r[i].offset == o->chip->bootloader_offset && o->r[i].encrypted)
			keep = 1;
	if (buf_printf(out, "--flash_mode %s --flash_freq %s --flash_size %s\n",
		       keep ? "keep" : o->fp->mode, keep ? "keep" : o->fp->freq,
		       keep ? "keep" : o->fp->size) < 0)
		return diag_error("out of memory");
	hash_sha256_begin(&ctx);
	for (i = 0; i < n; i++) {
		const struct content_region *r = &o->r[v[i]];
		char file[FACTORY_OUTPUT_FILE_MAX];
		uint8_t be[16];
		int k;

		for (k = 0; k < 8; k++) {
			be[k] = (uint8_t)(r->offset >> (56 - 8 * k));
			be[8 + k] = (uint8_t)((uint64_t)r->data.len >> (56 - 8 * k));
		}
		hash_sha256_update(&ctx, be, sizeof(be));
		hash_sha256_update(&ctx, r->sha, 2 * SHA256_LEN);
		factory_output_region_file(r, o->shared[v[i]], file);
		if (buf_printf(out, "0x%" PRIx64 " %s\n", r->offset, file) < 0)
			return diag_error("out of memory");
	}
	hash_sha256_end(&ctx, digest);
	return 0;
}

int factory_output_regions(const struct factory_output *o, const char *dir, const char *jpath,
			   struct factory_result *res)
{
	struct buf args = BUF_INIT, json = BUF_INIT, path = BUF_INIT;
	uint8_t digest[SHA256_LEN];
	size_t *v = malloc((o->nr ? o->nr : 1) * sizeof(*v));
	size_t i, n;
	uuid_t uu;
	int rc = -1;

	if (!v)
		return diag_error("out of memory");
	if (o->secret_path &&
	    fileio_atomic_write_file_mode(o->secret_path, o->secret, o->secret_len, 0600) < 0)
		goto out;
	/* the shared regions' digests were taken once (factory_share_regions) */
	for (i = 0; i < o->nr; i++) {
		uint8_t d[SHA256_LEN];

		if (o->shared[i])
			continue;
		hash_sha256(o->r[i].data.data ? o->r[i].data.data : (const uint8_t *)"",
			    o->r[i].data.len, d);
		ascii_hex_encode(d, SHA256_LEN, o->r[i].sha);
	}
	n = by_address(o, v);
	for (i = 0; i < n; i++) {
		const struct content_region *r = &o->r[v[i]];

		if (o->shared[v[i]])
			continue;
		path.len = 0;
		if (buf_printf(&path, "%s/0x%" PRIx64 ".bin", dir, r->offset) < 0 ||
		    fileio_atomic_write_file_mode((const char *)path.data, r->data.data,
						  r->data.len,
						  v[i] == o->keys_region ? 0600 : 0666) < 0)
			goto out;
	}
	if (flash_args(o, v, n, &args, digest) < 0)
		goto out;
	path.len = 0;
	if (buf_printf(&path, "%s/" FACTORY_FLASH_ARGS_NAME, dir) < 0 ||
	    fileio_atomic_write_file((const char *)path.data, args.data, args.len) < 0)
		goto out;
	ascii_hex_encode(digest, SHA256_LEN, res->sha256);
	uuid_generate_sha1(uu, build_id_ns, (const char *)digest, SHA256_LEN);
	uuid_unparse_lower(uu, res->build_id);
	if (describe(o, o->plan->size, res->sha256, res->build_id, &json) < 0 ||
	    fileio_atomic_write_file(jpath, json.data, json.len) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&args);
	buf_free(&json);
	buf_free(&path);
	free(v);
	return rc;
}
