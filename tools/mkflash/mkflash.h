/* esp-mkflash internals shared by the merge form (main.c), factory manifests
 * (manifest.c) and per-device batches (batch.c). */
#ifndef ESPGEN_MKFLASH_H
#define ESPGEN_MKFLASH_H

#include <stddef.h>

#include "buf.h"

/* A loaded manifest: layout, bootloader, apps, otadata built once; NVS per build. */
struct factory;

/* One device of a batch: its row of the devices CSV. */
struct factory_device {
	const char *id;
	const char *file; /* the devices CSV, for messages */
	unsigned line;
	const char *const *names; /* column names */
	const char *const *values;
	size_t ncols;
};

struct factory_result {
	char sha256[65];
	char build_id[37];
};

/* Reads the manifest at @path and builds what every image of it shares. Returns 0,
 * or -1 with a message (FILE:LINE where it applies). */
int factory_load(const char *path, struct factory **out);
void factory_free(struct factory *f);
const char *factory_manifest(const struct factory *f);

/*
 * Builds one image (for @dev, or NULL when the manifest has no placeholders) into
 * @bin_path and its description into @json_path; both appear, or neither. @threads:
 * hash the image on a second thread. Safe to call from several threads at once.
 * Returns 0, or -1 with a message.
 */
int factory_build(const struct factory *f, const struct factory_device *dev, const char *bin_path,
		  const char *json_path, int threads, struct factory_result *res);

/* Builds only what differs per device (the NVS images) and discards it: a quick
 * check of a device row before any image is written. Returns 0, or -1 with a message. */
int factory_check(const struct factory *f, const struct factory_device *dev);

/* For a failed device: which of its columns feed the NVS rows that @messages name
 * (FILE:LINE), as "column 'x' ('value'), used at FILE:LINE", appended to @note. */
void factory_explain(const struct factory *f, const struct factory_device *dev,
		     const char *messages, struct buf *note);

/* FLASH.json's name beside @bin_path: OUT.bin -> OUT.json, others get .json appended. */
char *factory_json_path(const char *bin_path);

/* The whole manifest form: load, build, write @output and its .json. */
int manifest_build(const char *path, const char *output);

/*
 * One image per row of @devices into @outdir/<device id>/FLASH.bin and FLASH.json,
 * @jobs devices at a time, and @outdir/index.csv (device id, file, SHA-256, build
 * id). A failed device leaves no output; without @keep_going the run stops at the
 * first failure and writes no index. Returns 0, or -1 with messages.
 */
int batch_build(const char *manifest, const char *devices, const char *outdir, int jobs,
		int keep_going);

#endif
