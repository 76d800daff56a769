/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Factory images from a manifest (manifest.h): the bootloader, the partition table
 * and every section's content placed at the layout's offsets, written as FLASH.bin
 * with its description FLASH.json. What all images of a manifest share is built
 * once (factory_load); factory_build then makes one image, for one device of a
 * batch (batch.h) or for none.
 */
#ifndef ESPGEN_FACTORY_H
#define ESPGEN_FACTORY_H

#include <stddef.h>

#include "buf.h"
#include "content.h"
#include "depfile.h"
#include "flashenc.h"

/* A loaded manifest: layout, bootloader, apps, otadata built once; NVS per build. */
struct factory;

struct factory_result {
	char sha256[65];
	char build_id[37];
};

/*
 * Reads the manifest at @path and builds what every image of it shares. Returns 0
 * and a factory to free with factory_free(), or -1 with a message (FILE:LINE where
 * it applies).
 */
int factory_load(const char *path, struct factory **out);

/* factory_load() flags. FACTORY_KEYGEN: flash encryption with a key each build is
 * given (esp-mkflash --keygen-per-device); the manifest must name no key. */
#define FACTORY_KEYGEN 0x1u
int factory_load_opts(const char *path, unsigned flags, struct factory **out);
/* The manifest's chip. */
const struct chip *factory_chip(const struct factory *f);
void factory_free(struct factory *f);
const char *factory_manifest(const struct factory *f);

/* The files factory_load() read: the manifest, the layout, the flash-encryption key
 * (if any), the bootloader, every section's input and a shared NVS key file, in that
 * order. */
const struct depfile *factory_deps(const struct factory *f);

/* "nvs_keys" or "hmac_key" when every build generates its NVS keys (nvs_keys = generate,
 * hmac_key = generate): the stem of the key file a build writes; else NULL. */
const char *factory_generated_keys(const struct factory *f);

/*
 * Builds one image (for @dev, or NULL when the manifest has no placeholders) with the
 * flash-encryption @key of a FACTORY_KEYGEN factory (NULL otherwise) into
 * @bin_path and its description into @json_path, and the NVS keys it generates (when
 * factory_generated_keys()) into @keys_path, mode 0600; all appear, or none. @threads:
 * hash the image on a second thread. Files read for this image alone (those NVS
 * rows name, a device's key files) are added to @deps (may be NULL). Safe to call from
 * several threads at once. Returns 0, or -1 with a message.
 */
int factory_build(const struct factory *f, const struct content_device *dev,
		  const struct flashenc_key *key, const char *bin_path, const char *json_path,
		  const char *keys_path, int threads, struct depfile *deps,
		  struct factory_result *res);

/*
 * Regions mode (esp-mkflash --output-mode regions), once before the builds: marks which
 * regions every build shares and writes each as @common/<sha256>.bin (a file already
 * there under that name and of that size is kept). Returns 0, or -1 with a message.
 */
int factory_share_regions(struct factory *f, const char *common);

/*
 * As factory_build(), but into the device directory @dir: only the regions of this
 * build that are not shared, flash_args naming them and the shared ones in
 * ../common/ (factory_output_regions()), and the description at @json_path; @res gets
 * the digest over the regions instead of the image's SHA-256. Call
 * factory_share_regions() first.
 */
int factory_build_regions(const struct factory *f, const struct content_device *dev,
			  const struct flashenc_key *key, const char *dir, const char *json_path,
			  const char *keys_path, struct depfile *deps, struct factory_result *res);

/* Builds only what differs per device and discards it: a quick check of a device row
 * before any image is written. Returns 0, or -1 with a message. */
int factory_check(const struct factory *f, const struct content_device *dev);

/* For a failed device: which of its columns feed the lines that @messages name
 * (FILE:LINE), as "column 'x' ('value'), used at FILE:LINE", appended to @note. */
void factory_explain(const struct factory *f, const struct content_device *dev,
		     const char *messages, struct buf *note);

/*
 * The whole manifest form: load, build @output and its .json (factory_json_path)
 * and, when @depfile is not NULL, a depfile naming every file read, with @output as
 * its target (written last, only when all else succeeded). Returns 0 or -1 with a
 * message.
 */
int factory_make(const char *manifest, const char *output, const char *depfile);

/* Loads the manifest and builds everything but the files (esp-mkflash --check): what
 * factory_make() would refuse, it refuses. Returns 0 or -1 with a message. */
int factory_validate(const char *manifest);

/* FLASH.json's name beside @bin_path: OUT.bin -> OUT.json, others get .json appended.
 * malloc'd; NULL when out of memory. */
char *factory_json_path(const char *bin_path);

#endif
