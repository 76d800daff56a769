/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flash images stored flash-encrypted (spec/flash-encryption.md §5) for imginfo: with
 * the key, the regions a device holds encrypted are decrypted in place before the image
 * is described; the chip is the one whose bootloader decrypts to a valid header for it.
 * Erased 16-byte blocks (all 0xFF) are left as they are: a factory image encrypts only
 * its data, never the erased rest of a partition.
 */
#include "imginfo.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "describe.h"
#include "diag.h"
#include "factory_enc.h"
#include "flashenc.h"
#include "node.h"
#include "parttable.h"

#define BLOCK FLASHENC_ADDR_ALIGN

static int erased_block(const uint8_t *p)
{
	static const uint8_t ff[BLOCK] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
					  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

	return memcmp(p, ff, BLOCK) == 0;
}

/* Decrypts [from, to) of @d in place, run by run of blocks that are not erased. */
static int decrypt_range(const struct flashenc_key *k, unsigned conf, uint8_t *d, size_t from,
			 size_t to)
{
	struct buf out = BUF_INIT;
	size_t i = from, start;
	int rc = 0;

	while (rc == 0 && i + BLOCK <= to) {
		if (erased_block(d + i)) {
			i += BLOCK;
			continue;
		}
		for (start = i; i + BLOCK <= to && !erased_block(d + i); i += BLOCK)
			;
		out.len = 0;
		rc = flashenc_crypt(k, FLASHENC_DECRYPT, start, conf, "image",
				    d + start, i - start, &out);
		if (rc == 0)
			memcpy(d + start, out.data, i - start);
	}
	buf_free(&out);
	return rc;
}

/* The first 32 bytes at @off decrypted into @out. */
static int peek(const struct flashenc_key *k, unsigned conf, const struct buf *img, size_t off,
		uint8_t out[32])
{
	struct buf b = BUF_INIT;
	int rc = -1;

	if (off + 32 <= img->len && flashenc_crypt(k, FLASHENC_DECRYPT, off, conf,
						   "image", img->data + off, 32, &b) == 0) {
		memcpy(out, b.data, 32);
		rc = 0;
	}
	buf_free(&b);
	return rc;
}

/* Whether @k (and, on esp32, FLASH_CRYPT_CONF @conf) decrypts the bootloader of @c. */
static int boots(const struct chip *c, const struct flashenc_key *k, unsigned conf,
		 const struct buf *img)
{
	uint8_t h[32];

	return peek(k, conf, img, c->bootloader_offset, h) == 0 && h[0] == 0xE9 &&
	       buf_get_le16(h + 12) == c->image_chip_id;
}

/*
 * The chip whose bootloader decrypts with @bytes into a header for it: @k made for it
 * and, on esp32, the FLASH_CRYPT_CONF that does it in *@conf (ESP-IDF's 0xF tried first).
 */
static const struct chip *find_chip(const uint8_t *bytes, size_t len, const struct buf *img,
				    struct flashenc_key *k, unsigned *conf)
{
	struct buf quiet = BUF_INIT;
	const struct chip *found = NULL;
	unsigned n;
	size_t i;

	diag_capture_begin(&quiet); /* chips whose key sizes differ say so: not an error */
	for (i = 0; i < chip_count() && !found; i++) {
		const struct chip *c = chip_at(i);
		unsigned tries = chip_flashenc_scheme(c) == CHIP_FE_ESP32 ? FLASHENC_CONF_MAX + 1 : 1;

		if (chip_flashenc_scheme(c) == CHIP_FE_NONE ||
		    flashenc_key_from_bytes(c, "key", bytes, len, k) < 0)
			continue;
		for (n = 0; n < tries && !found; n++) {
			*conf = (FLASHENC_CONF_DEFAULT + n) & FLASHENC_CONF_MAX;
			if (boots(c, k, *conf, img))
				found = c;
		}
		if (!found)
			flashenc_key_wipe(k);
	}
	diag_capture_end();
	buf_free(&quiet);
	return found;
}

/* Records region @name at @off as decrypted. */
static void note(struct imginfo_node *list, const char *name, uint64_t off, uint64_t len)
{
	struct imginfo_node *it = node_item(list, name, NULL);

	node_uint(it, "flash_offset", off, IMGINFO_F_HEX, NULL);
	node_uint(it, "size", len, IMGINFO_F_HEX, NULL);
	node_line(it, "%s at 0x%llx (0x%llx bytes)", name, (unsigned long long)off,
		  (unsigned long long)len);
}

int imginfo_flash_decrypt(const char *file, const uint8_t *key, size_t keylen, struct buf *img,
			  struct imginfo_node *decrypted)
{
	struct flashenc_key k;
	const struct chip *chip;
	struct describe_table t;
	size_t boot, table, i;
	unsigned conf = FLASHENC_CONF_DEFAULT;
	uint8_t h[32];
	int rc = -1;

	chip = find_chip(key, keylen, img, &k, &conf);
	if (!chip)
		return diag_file(file, "no chip's bootloader decrypts with this flash key (a "
				       "wrong key, or not a flash-encrypted flash image)");
	boot = chip->bootloader_offset;
	/* the table: the first 4 KiB aligned offset after the bootloader that decrypts to
	 * a table entry */
	for (table = (boot + 0x1000) & ~(size_t)0xFFF; table + 32 <= img->len; table += 0x1000)
		if (peek(&k, conf, img, table, h) == 0 && h[0] == 0xAA && h[1] == 0x50)
			break;
	if (table + 32 > img->len) {
		diag_file(file, "no partition table decrypts with this flash key");
		goto out;
	}
	if (decrypt_range(&k, conf, img->data, boot, table) < 0)
		goto out;
	note(decrypted, "bootloader", boot, table - boot);
	i = table + PARTTABLE_MAX_LEN < img->len ? table + PARTTABLE_MAX_LEN : img->len;
	if (decrypt_range(&k, conf, img->data, table, i) < 0)
		goto out;
	note(decrypted, "partition_table", table, i - table);
	if (describe_parttable_decode(img->data + table, img->len - table, file, 0, &t) < 0)
		goto out;
	for (i = 0; i < t.pt.n; i++) {
		const struct parttable_entry *e = &t.pt.v[i];
		size_t from = (size_t)e->offset, to = from + (size_t)e->size;

		if (!factory_enc_wanted(e) || parttable_is_primary_special(e) || from >= img->len)
			continue;
		if (to > img->len)
			to = img->len;
		if (decrypt_range(&k, conf, img->data, from, to) < 0)
			break;
		note(decrypted, e->name, from, to - from);
	}
	rc = i == t.pt.n ? 0 : -1;
	describe_parttable_free(&t);
out:
	flashenc_key_wipe(&k);
	return rc;
}

struct imginfo_node *imginfo_node_list(const char *key)
{
	return node_set_flags(node_new(IMGINFO_LIST, key, IMGINFO_CLASS_CONTENT), IMGINFO_F_NODIFF);
}

void imginfo_node_add(struct imginfo_node *parent, struct imginfo_node *kid)
{
	node_add(parent, kid);
}

int describe_flash_looks_encrypted(const struct describe_ctx *c, const uint8_t *data, size_t len)
{
	static const size_t boot_at[] = {0x0, 0x1000, 0x2000};
	const size_t table_at = PARTTABLE_DEFAULT_OFFSET;
	size_t i, boot = SIZE_MAX;

	if (len < table_at + 32 || node_erased(data + table_at, 32) ||
	    (data[table_at] == 0xAA && data[table_at + 1] == 0x50))
		return 0;
	for (i = 0; i < sizeof(boot_at) / sizeof(boot_at[0]); i++) {
		if (data[boot_at[i]] == 0xE9)
			return 0;
		if (boot == SIZE_MAX && !node_erased(data + boot_at[i], 32))
			boot = boot_at[i];
	}
	if (boot == SIZE_MAX)
		return 0;
	diag_file(c->file,
		  "looks like a flash-encrypted flash image: no bootloader magic at 0x%zx and no "
		  "partition table at 0x%zx, where both are expected, and neither is erased "
		  "(decrypt it with --flash-key KEY.bin)",
		  boot, table_at);
	return 1;
}
