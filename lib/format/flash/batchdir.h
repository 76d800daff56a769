/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The output directory of a batch (esp-mkflash --devices -o OUTDIR): its lock, the
 * leftovers of interrupted runs, and which names a run may replace. Everything in it
 * is looked up relative to one directory descriptor and no link is ever followed, so
 * nothing outside OUTDIR is touched, whatever OUTDIR holds.
 */
#ifndef ESPGEN_BATCHDIR_H
#define ESPGEN_BATCHDIR_H

#include "buf.h"

/* Held (flock) by the run using OUTDIR; a name no device takes (ids never start with '.'). */
#define BATCHDIR_LOCK_NAME ".espgen.lock"

/* A device's generated flash-encryption key (esp-mkflash --keygen-per-device). */
#define BATCHDIR_KEY_NAME "flash_key.bin"

/* A device's generated NVS keys (nvs_keys = generate, hmac_key = generate in the manifest):
 * the nvs_keys partition image, or the HMAC key. Named "<kind>.bin" as in OUTDIR/keys.csv. */
#define BATCHDIR_NVS_KEYS_NAME "nvs_keys.bin"
#define BATCHDIR_HMAC_KEY_NAME "hmac_key.bin"

/* A device's list of regions in --output-mode regions (esptool write-flash arguments). */
#define BATCHDIR_FLASH_ARGS_NAME "flash_args"

/* The prefix of the hidden directory a device is built in before it is renamed into place. */
#define BATCHDIR_TEMP_PREFIX ".tmp-"

/* Shard @k of @n (esp-mkflash --shard K/N, K from 0 to N-1); n == 1 is the whole batch. */
struct batchdir_shard {
	unsigned k, n;
};

/*
 * The shard of @n a device id falls in: the first 8 bytes of the SHA-256 of the id, read
 * big-endian, modulo @n. It depends on the id alone, so adding or removing rows never
 * moves another device to another shard.
 */
unsigned batchdir_shard_of(const char *id, unsigned n);

struct batchdir {
	const char *path;
	int fd;	      /* OUTDIR itself, or -1 */
	int lock_fd;  /* BATCHDIR_LOCK_NAME, locked; or -1 */
	int shard_fd; /* a shard's own lock file (BATCHDIR_LOCK_NAME-K-of-N), locked; or -1 */
	int created;  /* this run made OUTDIR */
	struct batchdir_shard shard;
};

/*
 * Creates OUTDIR @path (mode 0777 & ~umask) unless it exists, opens it and takes its
 * lock, without waiting: a second run on the same OUTDIR fails at once with "PATH:
 * another esp-mkflash run is using this directory". A shard (@shard->n > 1) shares
 * OUTDIR's lock with the other shards and holds its own shard's lock alone: shards run
 * side by side, but not beside an unsharded run nor beside the same shard. Returns 0,
 * or -1 with a message (@b then holds nothing: no batchdir_close() needed).
 */
int batchdir_lock(struct batchdir *b, const char *path, const struct batchdir_shard *shard);

/*
 * Opens an existing OUTDIR @path for looking only (no lock, nothing created): for
 * esp-mkflash --check. A missing OUTDIR leaves b->fd at -1. Returns 0, or -1 with a
 * message.
 */
int batchdir_open_existing(struct batchdir *b, const char *path);

/*
 * Releases OUTDIR. @remove: the run wrote nothing, so an OUTDIR that this run created is
 * removed again (the lock file with it; anything else in it keeps it).
 */
void batchdir_close(struct batchdir *b, int remove);

/*
 * Removes the directories interrupted runs left (BATCHDIR_TEMP_PREFIX*): in each, only
 * the files a device build writes, then the directory if that empties it. A link or
 * file of that name is left as it is, with a warning. A shard removes only the
 * leftovers of its own devices: another shard may be building in the others. Call with
 * the lock held.
 */
void batchdir_clean_stale(const struct batchdir *b);

/*
 * Whether a device named @id may be written: nothing of that name in OUTDIR, or a
 * device directory an earlier esp-mkflash run wrote for @id (a directory holding just
 * FLASH.bin and FLASH.json, the JSON naming @id and FLASH.bin's size, and the key files
 * a build generates). Returns 0, or -1
 * with a message at @file:@line (the device's row).
 */
int batchdir_check_id(const struct batchdir *b, const char *id, const char *file, unsigned line);

/* "OUTDIR/@name", malloc'd; NULL when out of memory. */
char *batchdir_path(const struct batchdir *b, const char *name);

/* The first lines of index.csv and keys.csv (and of a shard's). */
#define BATCHDIR_INDEX_HEADER "device_id,file,sha256,build_id\n"
/* index.csv in --output-mode regions: each device's flash_args and its regions' digest */
#define BATCHDIR_REGIONS_INDEX_HEADER "device_id,flash_args,regions_sha256,build_id\n"
#define BATCHDIR_KEYS_HEADER "device_id,kind,file\n"

/*
 * Writes @index to OUTDIR/@iname and @keys to OUTDIR/@kname, renamed into place
 * together. Empty @keys: the run generated no keys, so an earlier run's @kname is removed
 * (the directories it names may have been replaced). Returns 0, or -1 with a message.
 */
int batchdir_write_indexes(const struct batchdir *b, const char *iname, const struct buf *index,
			   const char *kname, const struct buf *keys);

/* Removes what a device build writes in the directory @name of OUTDIR (FLASH.bin,
 * FLASH.json, temporaries), then the directory if that empties it. */
void batchdir_remove_device(const struct batchdir *b, const char *name);

#endif
