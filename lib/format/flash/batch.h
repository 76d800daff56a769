/* SPDX-License-Identifier: Apache-2.0 */
/* Per-device batches of factory images (esp-mkflash --manifest M --devices CSV). */
#ifndef ESPGEN_BATCH_H
#define ESPGEN_BATCH_H

struct batch_opts {
	const char *manifest;
	const char *devices; /* the devices CSV */
	const char *outdir;  /* may be NULL with @check */
	int jobs;	     /* devices built (or checked) at once, at least 1 */
	int keep_going; /* build the others when one fails; with @check: report every bad row */
	const char *depfile; /* NULL, or where to write the depfile (target: @outdir) */
	int check;	     /* check the manifest, every row and OUTDIR's names; write nothing */
	int keygen; /* a new flash-encryption key per device, into OUTDIR/<id>/flash_key.bin */
	/* shard K of N (K from 0 to N-1; N 0 or 1: all devices): only the devices whose id
	 * batchdir_shard_of() puts in shard K, indexed in OUTDIR/index-K-of-N.csv */
	unsigned shard_k, shard_n;
	int progress; /* enum batch_progress_mode: what stderr shows while devices build */
	/* --output-mode regions: the regions all devices share once in OUTDIR/common/
	 * (<sha256>.bin), per device only its own regions, flash_args and FLASH.json */
	int regions;
};

/*
 * One image per row of the devices CSV into OUTDIR/<device id>/FLASH.bin and
 * FLASH.json, o->jobs devices at a time, and OUTDIR/index.csv (device id, file,
 * SHA-256, build id). OUTDIR is locked for the run (a second run on it fails at once),
 * and every device id is checked against what OUTDIR holds before anything is built: a
 * name the run would replace must be a device directory of an earlier run. A failed
 * device leaves no output; without o->keep_going every row is checked first and the
 * run stops at the first failure, writing no index. The depfile lists the manifest's
 * files, the devices CSV and every file a device's NVS rows read; it is written only
 * when every device was built. With o->keygen each device's image is encrypted with a
 * key made for it, written (mode 0600, never printed) beside its FLASH.bin as
 * BATCHDIR_KEY_NAME and committed with it. Returns 0, or -1 with messages.
 */
int batch_build(const struct batch_opts *o);

/*
 * esp-mkflash --merge-index OUTDIR: the shards' indexes (index-K-of-N.csv, and the
 * keys-K-of-N.csv of shards that generated keys) into OUTDIR/index.csv and keys.csv,
 * exactly as one unsharded run over @devices would have written them. Every device of
 * @devices must be in exactly one shard index, no index may name another device, and
 * each device's FLASH.bin and FLASH.json must exist with FLASH.bin's SHA-256 the
 * index's. OUTDIR is locked as by an unsharded run. Returns 0, or -1 with messages
 * naming every missing, repeated or incomplete device.
 */
int batch_merge_index(const char *devices, const char *outdir);

#endif
