/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keys of NVS encryption (spec/nvs.md §8.2, §8.3): the nvs_keys partition image
 * (64 key bytes, their CRC, 0xFF), keys derived from an eFuse HMAC key, random keys.
 * Messages name the file and what is wrong with it, never a key byte or a CRC of one.
 */
#include "nvs_int.h"

#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "flashenc.h"
#include "hash.h"
#include "secret.h"

/*
 * The HMAC scheme's seeds: the runtime feeds each 32-byte message to the eFuse HMAC
 * peripheral and takes the two digests as data key and tweak key (§8.3). Each is one
 * little-endian u32 repeated eight times.
 */
#define NVS_EKEY_SEED 0xAEBE5A5Au
#define NVS_TKEY_SEED 0xCEDEA5A5u

/* Refuses keys whose halves are equal; @k is wiped then. */
static int check_halves(const char *name, struct nvs_keys *k)
{
	/* XTS with data key = tweak key loses the tweak's protection (IEEE P1619), and the
	 * generator's cipher library refuses it */
	if (memcmp(k->bytes, k->bytes + NVS_KEYS_LEN / 2, NVS_KEYS_LEN / 2) != 0)
		return 0;
	nvs_keys_wipe(k);
	return diag_file(name, "the data key (bytes 0..31) and the tweak key (bytes 32..63) are "
			       "equal; XTS-AES needs two different keys");
}

int nvs_keys_parse(const char *name, const uint8_t *data, size_t len, struct nvs_keys *k)
{
	memset(k, 0, sizeof(*k));
	if (len != NVS_KEYS_LEN && len < NVS_KEYS_CRC_LEN)
		return diag_file(name,
				 "keys file is %zu bytes; expected 64 key bytes, or an nvs_keys "
				 "partition image (64 key bytes and their CRC, at least 68 bytes)",
				 len);
	if (len >= NVS_KEYS_CRC_LEN) {
		/* what the runtime reads as "no keys yet" (nvs_flash_read_security_cfg) */
		if (nvs_all_ff(data, NVS_KEYS_CRC_LEN))
			return diag_file(name, "nvs_keys image holds no keys (bytes 0..67 are "
					       "erased, all 0xFF)");
		if (buf_get_le32(data + NVS_KEYS_LEN) != crc32_esp(data, NVS_KEYS_LEN))
			return diag_file(name, "nvs_keys image is corrupt: the CRC at bytes 64..67 "
					       "does not match the key bytes 0..63");
	}
	memcpy(k->bytes, data, NVS_KEYS_LEN);
	return check_halves(name, k);
}

/*
 * Reads the key file @path (a secret: core dumps off first, its bytes wiped after use)
 * and makes the keys of its bytes with @make (nvs_keys_parse or nvs_keys_from_hmac).
 */
static int load_with(const char *path,
		     int (*make)(const char *, const uint8_t *, size_t, struct nvs_keys *),
		     struct nvs_keys *k)
{
	struct buf file = BUF_INIT;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	secret_protect_process();
	if (fileio_read(path, NVS_KEYS_FILE_MAX, &file) == 0)
		rc = make(path, file.data ? file.data : (const uint8_t *)"", file.len, k);
	secret_buf_free(&file);
	return rc;
}

int nvs_keys_load(const char *path, struct nvs_keys *k)
{
	return load_with(path, nvs_keys_parse, k);
}

/* HMAC-SHA256 under @hmac_key of @seed repeated eight times (little-endian) into @out. */
static int derive(const uint8_t *hmac_key, uint32_t seed, uint8_t out[SHA256_LEN])
{
	uint8_t msg[32];
	unsigned i;

	for (i = 0; i < sizeof(msg); i += 4)
		buf_put_le32(msg + i, seed);
	return hash_hmac(HASH_SHA256, hmac_key, NVS_HMAC_KEY_LEN, msg, sizeof(msg), out);
}

int nvs_keys_from_hmac(const char *name, const uint8_t *hmac_key, size_t len, struct nvs_keys *k)
{
	memset(k, 0, sizeof(*k));
	/* an eFuse key block is 32 bytes; the generator would take any length (§8.3) */
	if (len != NVS_HMAC_KEY_LEN)
		return diag_file(name, "HMAC key is %zu bytes; expected %u (one eFuse key block)",
				 len, NVS_HMAC_KEY_LEN);
	if (derive(hmac_key, NVS_EKEY_SEED, k->bytes) < 0 ||
	    derive(hmac_key, NVS_TKEY_SEED, k->bytes + SHA256_LEN) < 0) {
		nvs_keys_wipe(k);
		return diag_file(name, "cannot derive the NVS keys (HMAC-SHA256 failed)");
	}
	return check_halves(name, k);
}

int nvs_keys_load_hmac(const char *path, struct nvs_keys *k)
{
	return load_with(path, nvs_keys_from_hmac, k);
}

int nvs_keys_random(struct nvs_keys *k)
{
	if (flashenc_keygen(k->bytes, NVS_KEYS_LEN) < 0)
		return -1;
	return check_halves("random keys", k);
}

void nvs_keys_image(const struct nvs_keys *k, uint8_t out[NVS_KEYS_IMAGE_SIZE])
{
	memset(out, 0xFF, NVS_KEYS_IMAGE_SIZE);
	memcpy(out, k->bytes, NVS_KEYS_LEN);
	buf_put_le32(out + NVS_KEYS_LEN, crc32_esp(k->bytes, NVS_KEYS_LEN));
}

int nvs_keys_write(const char *path, const struct nvs_keys *k)
{
	uint8_t img[NVS_KEYS_IMAGE_SIZE];
	int rc;

	nvs_keys_image(k, img);
	/* 0600 from the first byte written: the temporary is never readable by others */
	rc = fileio_atomic_write_file_mode(path, img, sizeof(img), 0600);
	secret_wipe(img, sizeof(img));
	return rc;
}

void nvs_keys_wipe(struct nvs_keys *k)
{
	secret_wipe(k->bytes, sizeof(k->bytes));
}
