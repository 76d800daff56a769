/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Encrypted NVS partitions (spec/nvs.md §8.1, §8.4): each used 32-byte entry is one
 * XTS-AES-256 data unit whose tweak is its offset in the partition; page headers and
 * bitmaps stay plain, so an encrypted image still shows its pages and which entries
 * are used, but no item in it holds its CRC. That is also how a wrong key shows.
 */
#include "nvs_int.h"

#include <string.h>

#include "aes.h"
#include "diag.h"
#include "secret.h"

static int check_len(const char *file, size_t len)
{
	if (len == 0 || len % NVS_PAGE_SIZE)
		return diag_file(file, "%zu bytes is not a whole number of 4096-byte NVS pages",
				 len);
	return 0;
}

/* The tweak of entry @i of page @page: its offset in the partition as a 128-bit
 * little-endian number (the generator writes it as hex text, the runtime as a u32 at
 * the start of a zeroed block: the same 16 bytes). */
static void entry_tweak(size_t page, unsigned i, uint8_t tweak[AES_BLOCK_LEN])
{
	uint64_t off = (uint64_t)page * NVS_PAGE_SIZE + nvs_entry_off(i);
	unsigned b;

	memset(tweak, 0, AES_BLOCK_LEN);
	for (b = 0; b < 8; b++)
		tweak[b] = (uint8_t)(off >> (8 * b));
}

/*
 * Runs the entries of every page through XTS-AES in place. Encryption takes the entries
 * the bitmap marks as used (written, or erased after being written, which on a device
 * hold ciphertext too); decryption, as the generator's decrypt, every entry that is not
 * all 0xFF. For the generator's images both are the same entries: the used ones come
 * first in each page and an encrypted entry is never all 0xFF.
 */
static int crypt_entries(const char *file, const struct nvs_keys *k, enum aes_dir dir, uint8_t *img,
			 size_t len)
{
	struct aes_xts_ctx ctx;
	uint8_t tweak[AES_BLOCK_LEN], out[NVS_ENTRY_SIZE];
	size_t page;
	unsigned i;
	int rc = 0;

	if (check_len(file, len) < 0)
		return -1;
	if (aes_xts_setkey(&ctx, dir, k->bytes, NVS_KEYS_LEN) < 0)
		return diag_file(file, "cannot set up XTS-AES-256");
	for (page = 0; page < len / NVS_PAGE_SIZE && rc == 0; page++) {
		uint8_t *pg = img + page * NVS_PAGE_SIZE;

		for (i = 0; i < NVS_PAGE_ENTRIES; i++) {
			uint8_t *e = pg + nvs_entry_off(i);

			if (dir == AES_ENCRYPT ? nvs_entry_state(pg, i) == NVS_ENTRY_EMPTY
					       : nvs_all_ff(e, NVS_ENTRY_SIZE))
				continue;
			entry_tweak(page, i, tweak);
			if (aes_xts_unit(&ctx, tweak, e, out, NVS_ENTRY_SIZE) < 0) {
				rc =
				    diag_file(file, "XTS-AES failed at page %zu entry %u", page, i);
				break;
			}
			memcpy(e, out, NVS_ENTRY_SIZE);
		}
	}
	secret_wipe(out, sizeof(out));
	aes_xts_free(&ctx);
	return rc;
}

int nvs_encrypt(const char *file, const struct nvs_keys *k, uint8_t *img, size_t len)
{
	return crypt_entries(file, k, AES_ENCRYPT, img, len);
}

/*
 * Counts, over the pages in use, the written entries that start an item with a right
 * header CRC (@good; the item's other entries are skipped) and those that do not (@bad).
 */
static void count_items(const uint8_t *img, size_t len, size_t *good, size_t *bad)
{
	size_t page;

	*good = *bad = 0;
	for (page = 0; page < len / NVS_PAGE_SIZE; page++) {
		const uint8_t *pg = img + page * NVS_PAGE_SIZE;
		uint32_t st = buf_get_le32(pg);
		unsigned i = 0, span;

		if ((st != NVS_PAGE_ACTIVE && st != NVS_PAGE_FULL && st != NVS_PAGE_FREEING) ||
		    !nvs_page_header_ok(pg))
			continue;
		while (i < NVS_PAGE_ENTRIES) {
			if (nvs_entry_state(pg, i) != NVS_ENTRY_WRITTEN) {
				i++;
				continue;
			}
			span = nvs_item_span(pg, i);
			if (span) {
				(*good)++;
				i += span;
			} else {
				(*bad)++;
				i++;
			}
		}
	}
}

/* A plain image's items hold their CRCs; an encrypted one's (or one decrypted with the
 * wrong key) fail them, each but with a chance of 2^-32. A majority rules, so that a
 * damaged plain image is still taken for what it is. */
static int mostly_bad(const uint8_t *img, size_t len)
{
	size_t good, bad;

	count_items(img, len, &good, &bad);
	return bad > good;
}

int nvs_decrypt(const char *file, const struct nvs_keys *k, uint8_t *img, size_t len)
{
	if (crypt_entries(file, k, AES_DECRYPT, img, len) < 0)
		return -1;
	if (mostly_bad(img, len))
		return diag_file(file, "wrong key: the decrypted entries fail their item CRC (or "
				       "the image is not encrypted)");
	return 0;
}

int nvs_looks_encrypted(const uint8_t *img, size_t len)
{
	if (len == 0 || len % NVS_PAGE_SIZE)
		return 0;
	return mostly_bad(img, len);
}
