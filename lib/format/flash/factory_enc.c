/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash encryption of a factory image: which regions, checked layouts, and each
 * region encrypted at its own address (spec/flash-encryption.md §5). The address is
 * part of the cipher, so a region is encrypted where it is placed, never moved after.
 */
#include "factory_enc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "factory_keys.h"
#include "hash.h"
#include "secret.h"

int factory_enc_wanted(const struct parttable_entry *p)
{
	if (p->flags & PARTTABLE_FLAG_ENCRYPTED)
		return 1;
	switch (p->type) {
	case PARTTABLE_TYPE_APP:
	case PARTTABLE_TYPE_BOOTLOADER:
	case PARTTABLE_TYPE_PARTITION_TABLE:
		return 1;
	case PARTTABLE_TYPE_DATA:
		return p->subtype == PARTTABLE_SUBTYPE_DATA_OTA ||
		       p->subtype == PARTTABLE_SUBTYPE_DATA_TEE_OTA ||
		       p->subtype == PARTTABLE_SUBTYPE_DATA_NVS_KEYS;
	default:
		return 0;
	}
}

/* A layout entry the device could not use with flash encryption on. */
static int check_entry(const struct chip *chip, const struct parttable *pt,
		       const struct parttable_entry *p)
{
	const char *why;
	uint64_t end = (uint64_t)p->offset + (uint64_t)p->size;

	if (p->type == PARTTABLE_TYPE_DATA && p->subtype == PARTTABLE_SUBTYPE_DATA_NVS &&
	    (p->flags & PARTTABLE_FLAG_ENCRYPTED))
		return parttable_entry_error(pt, p,
					     "partition %s is NVS flagged 'encrypted': NVS cannot "
					     "be flash-encrypted (it has its own encryption, with "
					     "its keys in an nvs_keys partition)",
					     p->name);
	if (p->type == PARTTABLE_TYPE_DATA && p->subtype == PARTTABLE_SUBTYPE_DATA_NVS_KEYS &&
	    !(p->flags & PARTTABLE_FLAG_ENCRYPTED))
		return parttable_entry_error(pt, p,
					     "partition %s (nvs_keys) is not flagged 'encrypted': "
					     "with flash encryption the device reads NVS keys only "
					     "from an encrypted partition",
					     p->name);
	if (!factory_enc_wanted(p) || parttable_is_primary_special(p))
		return 0;
	why = flashenc_address_problem(chip, (uint64_t)p->offset);
	if (why)
		return parttable_entry_error(pt, p,
					     "partition %s is encrypted but its offset "
					     "0x%" PRIx64 " %s",
					     p->name, (uint64_t)p->offset, why);
	if (p->size % FLASHENC_ADDR_ALIGN)
		return parttable_entry_error(pt, p,
					     "partition %s is encrypted but its size 0x%" PRIx64
					     " is not a multiple of the %u-byte encryption block",
					     p->name, (uint64_t)p->size, FLASHENC_ADDR_ALIGN);
	if (chip_flashenc_scheme(chip) == CHIP_FE_ESP32 && end > FLASHENC_ESP32_FLASH_END)
		return parttable_entry_error(pt, p,
					     "partition %s is encrypted but ends at 0x%" PRIx64
					     ", past the 16 MiB that esp32 flash encryption covers",
					     p->name, end);
	return 0;
}

static int read_conf(const struct manifest *m, const struct chip *chip, int given,
		     struct factory_enc *e)
{
	const struct manifest_setting *s = &m->top[MANIFEST_FLASH_CRYPT_CONF];
	int64_t conf = FLASHENC_CONF_DEFAULT;

	e->conf = FLASHENC_CONF_DEFAULT;
	if (!s->value)
		return 0;
	if (!m->top[MANIFEST_FLASH_ENCRYPTION_KEY].value && !given)
		return manifest_error(m, s->line, "flash_crypt_conf without flash_encryption_key");
	if (chip_flashenc_scheme(chip) != CHIP_FE_ESP32)
		return manifest_error(m, s->line,
				      "flash_crypt_conf is for esp32 only (%s uses XTS-AES, which "
				      "has no FLASH_CRYPT_CONF)",
				      chip->name);
	if (manifest_num(m, s, 0, FLASHENC_CONF_MAX, &conf) < 0)
		return -1;
	e->conf = (unsigned)conf;
	return 0;
}

int factory_enc_setup(const struct manifest *m, const struct chip *chip, const struct parttable *pt,
		      int given, struct depfile *deps, struct factory_enc *e)
{
	const struct manifest_setting *k = &m->top[MANIFEST_FLASH_ENCRYPTION_KEY];
	char *path;
	size_t i;
	int rc;

	memset(e, 0, sizeof(*e));
	e->m = m;
	e->chip = chip;
	if (read_conf(m, chip, given, e) < 0)
		return -1;
	if (!k->value && !given)
		return 0;
	if (k->value && given)
		return manifest_error(m, k->line,
				      "flash_encryption_key is set, and --keygen-per-device would "
				      "replace it: use one or the other");
	if (chip_flashenc_scheme(chip) == CHIP_FE_NONE)
		return manifest_error(m, k->value ? k->line : m->top[MANIFEST_CHIP].line,
				      "%s has no flash encryption", chip->name);
	for (i = 0; i < pt->n; i++)
		if (check_entry(chip, pt, &pt->v[i]) < 0)
			return -1;
	if (given) {
		e->mode = FACTORY_ENC_GIVEN;
		return 0;
	}
	rc = factory_keys_column(m, k, &e->column);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		e->mode = FACTORY_ENC_COLUMN;
		return 0;
	}
	path = content_input(m, k->value, deps);
	if (!path)
		return -1;
	rc = flashenc_key_load(chip, path, &e->key);
	free(path);
	if (rc < 0)
		return manifest_error(m, k->line, "cannot use flash_encryption_key %s", k->value);
	e->mode = FACTORY_ENC_SHARED;
	return 0;
}

void factory_enc_free(struct factory_enc *e)
{
	flashenc_key_wipe(&e->key);
	free(e->column);
	e->column = NULL;
	e->mode = FACTORY_ENC_OFF;
}

int factory_enc_device_key(const struct factory_enc *e, const struct content_device *dev,
			   struct depfile *deps, struct flashenc_key *key)
{
	const struct manifest_setting *k = &e->m->top[MANIFEST_FLASH_ENCRYPTION_KEY];
	char *path;
	int rc;

	if (e->mode == FACTORY_ENC_SHARED) {
		*key = e->key;
		return 0;
	}
	if (e->mode != FACTORY_ENC_COLUMN)
		return diag_error("no flash-encryption key for this image");
	if (factory_keys_device_path(e->m, k, e->column, dev, deps, &path) < 0)
		return -1;
	rc = flashenc_key_load(e->chip, path, key);
	free(path);
	if (rc < 0)
		return diag_at(dev->file, dev->line,
			       "device %s: cannot use its flash_encryption_key %s", dev->id,
			       factory_keys_device_value(dev, e->column));
	return 0;
}

int factory_enc_plain(struct content_region *r)
{
	uint8_t d[SHA256_LEN];
	size_t pad =
	    (FLASHENC_ADDR_ALIGN - r->data.len % FLASHENC_ADDR_ALIGN) % FLASHENC_ADDR_ALIGN;

	/* the erased-flash value, as the device's own in-place encryption would see it */
	if (pad && buf_fill(&r->data, 0xFF, pad) < 0)
		return diag_error("out of memory");
	hash_sha256(r->data.data ? r->data.data : (const uint8_t *)"", r->data.len, d);
	ascii_hex_encode(d, SHA256_LEN, r->plain_sha);
	return 0;
}

int factory_enc_crypt(const struct factory_enc *e, const struct flashenc_key *key,
		      const struct content_region *r, struct buf *out)
{
	if (!r->data.len)
		return 0;
	return flashenc_crypt(key, FLASHENC_ENCRYPT, r->offset, e->conf, r->name, r->data.data,
			      r->data.len, out);
}

int factory_enc_region(const struct factory_enc *e, const struct flashenc_key *key,
		       struct content_region *r)
{
	struct buf out = BUF_INIT;

	if (factory_enc_plain(r) < 0)
		return -1;
	if (factory_enc_crypt(e, key, r, &out) < 0) {
		buf_free(&out);
		return -1;
	}
	/* the plaintext may be the NVS keys (an nvs_keys partition) */
	secret_buf_free(&r->data);
	r->data = out;
	r->encrypted = 1;
	return 0;
}
