/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Resuming a batch: a device whose outputs exist and whose action key (recorded in its
 * FLASH.json) matches what this run would build from is not built again.
 */
#ifndef ESPGEN_BATCH_RESUME_H
#define ESPGEN_BATCH_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "batchdir.h"
#include "depfile.h"
#include "devices.h"
#include "factory.h"
#include "hash.h"

struct batch_resume {
	/* SHA-256 over the tool version, how keys are made, and every shared input
	 * (path and bytes) factory_load() read, the manifest first */
	uint8_t shared[SHA256_LEN];
	int keygen;	 /* --keygen-per-device: flash_key.bin must exist */
	int regions;	 /* --output-mode regions: flash_args and the region files must */
	const char *gen; /* "nvs_keys"/"hmac_key": that key file must exist; or NULL */
};

/* Hashes the shared inputs of @f. Returns 0, or -1 with a message (a file unreadable). */
int batch_resume_init(struct batch_resume *r, const struct factory *f, int keygen, int regions);

/*
 * Whether device @i's directory in OUTDIR is up to date: FLASH.bin (of the size
 * FLASH.json gives) and FLASH.json exist (in regions mode: flash_args, and each region's
 * file of FLASH.json, in the device directory or OUTDIR/common/, of its data_size), with
 * the key files the run generates, and the action key in FLASH.json is the one computed now from the row and the current bytes
 * of the device's own inputs (recorded in FLASH.json as device_inputs). Fills @res from
 * FLASH.json and adds the inputs to @deps. Any doubt answers 0 (build it).
 */
int batch_resume_fresh(const struct batch_resume *r, const struct batchdir *dir,
		       const struct devices *d, size_t i, struct factory_result *res,
		       struct depfile *deps);

/*
 * Records the action key of device @i, built from @inputs (the files read for it
 * alone), in the FLASH.json at @json_path, after device_id. Returns 0, or -1 with a
 * message.
 */
int batch_resume_stamp(const struct batch_resume *r, const struct devices *d, size_t i,
		       const struct depfile *inputs, const char *json_path);

#endif
