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

struct factory_enc {
	int on;
	unsigned conf; /* ESP32 FLASH_CRYPT_CONF */
	struct flashenc_key key; /* a secret: wiped by factory_enc_free() */
};

/*
 * Reads the manifest's flash-encryption settings and key into @e (zeroed first; @e->on
 * stays 0 without 'flash_encryption_key') and refuses layouts whose encrypted
 * partitions cannot work (FILE:LINE). The key file is recorded in @deps. Returns 0, or
 * -1 with a message.
 */
int factory_enc_setup(const struct manifest *m, const struct chip *chip,
		      const struct parttable *pt, struct depfile *deps, struct factory_enc *e);
void factory_enc_free(struct factory_enc *e);

/* Whether ESP-IDF encrypts partition @p when flash encryption is enabled (§5). */
int factory_enc_wanted(const struct parttable_entry *p);

/*
 * Encrypts r->data in place at r->offset with @e's key: padded with 0xFF to the AES
 * block first, r->plain_sha set to the padded plaintext's SHA-256 and r->encrypted to 1.
 * Returns 0, or -1 with a message naming r->name.
 */
int factory_enc_region(const struct factory_enc *e, struct content_region *r);

#endif
