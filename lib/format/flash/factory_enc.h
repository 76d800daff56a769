/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash encryption of a factory image (spec/flash-encryption.md §5): with
 * 'flash_encryption_key' in the manifest, the regions ESP-IDF would encrypt on the
 * device's first boot are stored encrypted at their own flash addresses, after any
 * signing, and everything else stays plaintext.
 */
#ifndef ESPGEN_FACTORY_ENC_H
#define ESPGEN_FACTORY_ENC_H

#include "chip.h"
#include "content.h"
#include "depfile.h"
#include "flashenc.h"
#include "manifest.h"
#include "parttable.h"

/* Where the key comes from. */
enum factory_enc_mode {
	FACTORY_ENC_OFF,
	FACTORY_ENC_SHARED, /* one key file for every image: @key */
	FACTORY_ENC_COLUMN, /* 'flash_encryption_key = ${column}': a key file per device */
	FACTORY_ENC_GIVEN,  /* the caller gives each build its key (--keygen-per-device) */
};

struct factory_enc {
	enum factory_enc_mode mode;
	unsigned conf;		 /* ESP32 FLASH_CRYPT_CONF */
	struct flashenc_key key; /* FACTORY_ENC_SHARED; a secret: factory_enc_free() wipes it */
	char *column;		 /* FACTORY_ENC_COLUMN: the devices CSV column */
	const struct manifest *m;
	const struct chip *chip;
};

/*
 * Reads the manifest's flash-encryption settings into @e (zeroed first; mode OFF
 * without 'flash_encryption_key' unless @given: the caller will give each build a key,
 * and the manifest must then name none) and the key of a SHARED manifest, and refuses
 * layouts whose encrypted partitions cannot work (FILE:LINE). The key file is
 * recorded in @deps. Returns 0, or -1 with a message.
 */
int factory_enc_setup(const struct manifest *m, const struct chip *chip, const struct parttable *pt,
		      int given, struct depfile *deps, struct factory_enc *e);
void factory_enc_free(struct factory_enc *e);

/*
 * The key of one build into @key: a COLUMN manifest's key file named by @dev's column
 * (recorded in @deps, may be NULL), else a copy of the shared key. Returns 0, or -1 with
 * a message (the device's FILE:LINE).
 */
int factory_enc_device_key(const struct factory_enc *e, const struct content_device *dev,
			   struct depfile *deps, struct flashenc_key *key);

/* Whether ESP-IDF encrypts partition @p when flash encryption is enabled (§5). */
int factory_enc_wanted(const struct parttable_entry *p);

/*
 * Makes r->data the plaintext to encrypt: padded with 0xFF to the AES block, its
 * SHA-256 in r->plain_sha. Returns 0, or -1 with a message.
 */
int factory_enc_plain(struct content_region *r);

/*
 * Encrypts the plaintext r->data (factory_enc_plain()) at r->offset with @key into
 * @out (appended). Returns 0, or -1 with a message naming r->name.
 */
int factory_enc_crypt(const struct factory_enc *e, const struct flashenc_key *key,
		      const struct content_region *r, struct buf *out);

/* factory_enc_plain(), then r->data replaced by its encryption and r->encrypted set. */
int factory_enc_region(const struct factory_enc *e, const struct flashenc_key *key,
		       struct content_region *r);

#endif
