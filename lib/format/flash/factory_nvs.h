/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVS encryption in a factory image (spec/nvs.md §8): 'nvs_encryption = flash' or
 * 'hmac' in an NVS section. With 'flash' the keys are those of the nvs_keys partition,
 * whose section gives them ('nvs_keys = FILE | ${column} | generate'); with 'hmac' they
 * are derived from 'hmac_key = FILE | ${column} | generate'. A device runs one scheme
 * with one set of keys for all its NVS partitions, so a manifest has one key source.
 */
#ifndef ESPGEN_FACTORY_NVS_H
#define ESPGEN_FACTORY_NVS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "content.h"
#include "depfile.h"
#include "manifest.h"
#include "nvs.h"
#include "parttable.h"

enum factory_nvs_scheme { FACTORY_NVS_PLAIN, FACTORY_NVS_FLASH, FACTORY_NVS_HMAC };

/* Where the keys come from. */
enum factory_nvs_source {
	FACTORY_NVS_NONE,     /* no keys: no nvs_keys section, no hmac_key */
	FACTORY_NVS_FILE,     /* one key file for every image */
	FACTORY_NVS_COLUMN,   /* a key file per device, named by a devices CSV column */
	FACTORY_NVS_GENERATE, /* new keys for every build, written beside its image */
};

struct factory_nvs {
	enum factory_nvs_scheme scheme;
	enum factory_nvs_source source;
	const struct manifest *m;
	const struct manifest_setting *set; /* the setting naming the keys */
	const char *kind;		    /* "nvs_keys" or "hmac_key" (as in OUTDIR/keys.csv) */
	const char *keys_label; /* the section filling the nvs_keys partition, or NULL */
	char *column;		/* FACTORY_NVS_COLUMN */
	struct nvs_keys keys;	/* FACTORY_NVS_FILE; a secret: factory_nvs_free() wipes it */
};

/* The keys of one build, and the bytes of the key file a generating build writes. */
struct factory_nvs_build {
	struct nvs_keys keys;
	uint8_t file[NVS_KEYS_IMAGE_SIZE];
	size_t file_len;      /* 0: nothing to write */
	const char *key_file; /* the key file by name, for FLASH.json (borrowed) */
};

/*
 * Reads the NVS encryption settings of every section of @m into @n (zeroed first) and the
 * shared key file, if any (recorded in @deps). Refuses, at the manifest's line: an
 * unknown scheme, two schemes, 'flash' without an encrypted nvs_keys partition or a
 * section giving its keys, 'hmac' without hmac_key. Returns 0, or -1 with a message.
 */
int factory_nvs_setup(const struct manifest *m, const struct parttable *pt, struct depfile *deps,
		      struct factory_nvs *n);
void factory_nvs_free(struct factory_nvs *n);

/* Whether section @s is an NVS partition stored encrypted. */
int factory_nvs_encrypts(const struct manifest_section *s);

/* Whether the keys differ per build (a column, or generated). */
int factory_nvs_per_build(const struct factory_nvs *n);

/* "nvs_keys" or "hmac_key" when each build generates its keys (the stem of the file
 * they are written to), else NULL. */
const char *factory_nvs_generates(const struct factory_nvs *n);

/*
 * The keys of one build into @b: the shared ones, @dev's key file (recorded in @deps,
 * may be NULL), or new ones whose file bytes are left in @b for the caller to write as
 * @gen_name. Returns 0, or -1 with a message. factory_nvs_build_wipe() @b either way.
 */
int factory_nvs_keys(const struct factory_nvs *n, const struct content_device *dev,
		     const char *gen_name, struct depfile *deps, struct factory_nvs_build *b);
void factory_nvs_build_wipe(struct factory_nvs_build *b);

/* The nvs_keys partition image of @k appended to @out, in one allocation (a secret:
 * free it with secret_buf_free()). Returns 0, or -1 with a message. */
int factory_nvs_image(const struct nvs_keys *k, struct buf *out);

#endif
