/* SPDX-License-Identifier: Apache-2.0 */
/* The two flash-encryption schemes (spec/flash-encryption.md §3, §4). */
#include "flashenc.h"

#include <string.h>

#include "aes.h"
#include "diag.h"
#include "secret.h"

/* ESP32: offset bits 5..23 select the key tweak (§3). */
#define ESP32_TWEAK_LOW_BIT 5u
#define ESP32_TWEAK_BITS 19u
#define ESP32_KEY_LEN 32u
/* XTS: the flash is cut into data units of 128 bytes, aligned to 128 (§4). */
#define XTS_UNIT 128u
/* XTS: the unit's address is the tweak's low 32 bits. */
#define XTS_ADDR_LIMIT ((uint64_t)1 << 32)

const char *flashenc_address_problem(const struct chip *c, uint64_t address)
{
	if (address % FLASHENC_ADDR_ALIGN)
		return "is not a multiple of 16 (flash encryption works on 16-byte blocks)";
	if (chip_flashenc_scheme(c) == CHIP_FE_XTS && address >= XTS_ADDR_LIMIT)
		return "is past 4 GiB (the XTS-AES tweak is a 32-bit flash address)";
	if (chip_flashenc_scheme(c) == CHIP_FE_ESP32 && address >= FLASHENC_ESP32_FLASH_END)
		return "is past 0xffffff (ESP32 flash encryption covers the first 16 MiB)";
	return NULL;
}

/*
 * The ESP32 key tweak as 19 XOR masks over the 32 key bytes, one per offset bit 5..23:
 * the tweak of a 32-byte unit is the XOR of the masks of its offset's set bits. Key bit
 * n (n = 0: the top bit of byte 0) follows offset bit p(n) when its group's CONF bit is
 * set; the four groups (67, 65, 63, 61 key bits) each take bits 23..5 three times, then
 * 14..5, 12..5, 10..5 or 8..5 (§3, the table of p(n)).
 */
static void esp32_tweak_masks(unsigned conf, uint8_t masks[ESP32_TWEAK_BITS][ESP32_KEY_LEN])
{
	static const unsigned last_top[4] = {14, 12, 10, 8};
	unsigned n = 0, group, round, bit;

	memset(masks, 0, ESP32_TWEAK_BITS * ESP32_KEY_LEN);
	for (group = 0; group < 4; group++) {
		for (round = 0; round < 4; round++) {
			unsigned top = round < 3 ? 23 : last_top[group];

			for (bit = top; bit >= ESP32_TWEAK_LOW_BIT; bit--, n++)
				if (conf & (1u << group))
					masks[bit - ESP32_TWEAK_LOW_BIT][n / 8] |=
					    (uint8_t)(0x80u >> (n % 8));
		}
	}
}

static void reverse16(const uint8_t *in, uint8_t *out)
{
	size_t i;

	for (i = 0; i < AES_BLOCK_LEN; i++)
		out[i] = in[AES_BLOCK_LEN - 1 - i];
}

/*
 * ESP32 scheme (§3): each 16-byte block reversed, run through AES-256 with the key of its
 * 32-byte unit (the inverse cipher to encrypt, the forward one to decrypt), reversed back.
 * @in is whole blocks (the caller padded it); @out has room for @len bytes.
 */
static int esp32_crypt(const struct flashenc_key *key, enum flashenc_dir dir, uint32_t address,
		       unsigned conf, const uint8_t *in, uint8_t *out, size_t len)
{
	uint8_t masks[ESP32_TWEAK_BITS][ESP32_KEY_LEN], unit_key[ESP32_KEY_LEN];
	uint8_t block[AES_BLOCK_LEN];
	enum aes_dir adir = dir == FLASHENC_ENCRYPT ? AES_DECRYPT : AES_ENCRYPT;
	struct aes_ctx aes = {0};
	uint32_t keyed_unit = 1; /* no unit address: those are multiples of 32 */
	size_t off;
	int rc = 0;

	esp32_tweak_masks(conf, masks);
	for (off = 0; off < len; off += AES_BLOCK_LEN) {
		uint32_t a = address + (uint32_t)off, unit = a & ~(uint32_t)31;

		if (unit != keyed_unit) {
			unsigned bit;
			size_t i;

			memcpy(unit_key, key->bytes, ESP32_KEY_LEN);
			for (bit = 0; bit < ESP32_TWEAK_BITS; bit++)
				if (unit & (1u << (bit + ESP32_TWEAK_LOW_BIT)))
					for (i = 0; i < ESP32_KEY_LEN; i++)
						unit_key[i] ^= masks[bit][i];
			if (aes_setkey(&aes, adir, unit_key, ESP32_KEY_LEN) < 0) {
				rc = diag_error("cannot set an AES-256 key");
				break;
			}
			keyed_unit = unit;
		}
		reverse16(in + off, block);
		aes_block(&aes, block, block);
		reverse16(block, out + off);
	}
	aes_free(&aes);
	secret_wipe(unit_key, sizeof(unit_key));
	return rc;
}

/*
 * XTS scheme (§4): for each 128-byte data unit the data touches, the unit with zeros
 * where the data does not reach, reversed, XTS-AES with the unit address as tweak,
 * reversed back; only the data's own bytes are kept. Whole 16-byte blocks, so no
 * ciphertext stealing, and the zero fill never changes the kept bytes.
 */
static int xts_crypt(const struct flashenc_key *key, enum flashenc_dir dir, uint32_t address,
		     const uint8_t *in, uint8_t *out, size_t len)
{
	uint8_t rev[XTS_UNIT], res[XTS_UNIT], tweak[AES_BLOCK_LEN] = {0};
	struct aes_xts_ctx xts;
	uint64_t end = (uint64_t)address + len, unit;
	int rc = 0;

	if (aes_xts_setkey(&xts, dir == FLASHENC_ENCRYPT ? AES_ENCRYPT : AES_DECRYPT, key->bytes,
			   key->len) < 0) {
		aes_xts_free(&xts);
		return diag_error("cannot set an XTS-AES key of %zu bytes", key->len);
	}
	for (unit = address & ~(uint64_t)(XTS_UNIT - 1); unit < end; unit += XTS_UNIT) {
		/* the part of this unit the data covers: unit offsets [lo, hi) */
		size_t lo = unit < address ? (size_t)(address - unit) : 0;
		size_t hi = end - unit < XTS_UNIT ? (size_t)(end - unit) : XTS_UNIT;
		const uint8_t *src = in + (size_t)(unit + lo - address);
		uint8_t *dst = out + (size_t)(unit + lo - address);
		size_t j;

		if (lo || hi < XTS_UNIT)
			memset(rev, 0, sizeof(rev));
		for (j = lo; j < hi; j++)
			rev[XTS_UNIT - 1 - j] = src[j - lo];
		buf_put_le32(tweak, (uint32_t)unit);
		if (aes_xts_unit(&xts, tweak, rev, res, XTS_UNIT) < 0) {
			rc = diag_error("XTS-AES failed on the data unit at 0x%llx",
					(unsigned long long)unit);
			break;
		}
		for (j = lo; j < hi; j++)
			dst[j - lo] = res[XTS_UNIT - 1 - j];
	}
	aes_xts_free(&xts);
	return rc;
}

/* The checks of §3 and §4 after the key's: address, then length. */
static int check_input(const struct flashenc_key *key, enum flashenc_dir dir, uint64_t address,
		       unsigned conf, const char *name, size_t len)
{
	const char *problem = flashenc_address_problem(key->chip, address);
	uint64_t end;

	if (problem)
		return diag_error("address 0x%llx %s", (unsigned long long)address, problem);
	if (key->scheme == CHIP_FE_XTS) {
		if (len % AES_BLOCK_LEN)
			return diag_file(name,
					 "length %zu is not a multiple of 16 (XTS-AES flash "
					 "encryption takes whole 16-byte blocks)",
					 len);
		if (len == 0)
			return diag_file(name, "is empty (XTS-AES flash encryption needs at least "
					       "one 16-byte block)");
		if (address + len > XTS_ADDR_LIMIT)
			return diag_file(name,
					 "%zu bytes at 0x%llx reach past 4 GiB (the XTS-AES "
					 "tweak is a 32-bit flash address)",
					 len, (unsigned long long)address);
		return 0;
	}
	if (conf > FLASHENC_CONF_MAX)
		return diag_error("FLASH_CRYPT_CONF 0x%x is above 0xf (a 4-bit eFuse)", conf);
	if (dir == FLASHENC_DECRYPT && len % AES_BLOCK_LEN)
		return diag_file(name,
				 "length %zu is not a multiple of 16 (encrypted ESP32 flash data "
				 "is whole 16-byte blocks)",
				 len);
	end = address + (len + AES_BLOCK_LEN - 1) / AES_BLOCK_LEN * AES_BLOCK_LEN;
	if (len > FLASHENC_ESP32_FLASH_END || end > FLASHENC_ESP32_FLASH_END)
		return diag_file(name,
				 "%zu bytes at 0x%llx reach past 0x1000000 (ESP32 flash "
				 "encryption covers the first 16 MiB only)",
				 len, (unsigned long long)address);
	return 0;
}

int flashenc_crypt(const struct flashenc_key *key, enum flashenc_dir dir, uint64_t address,
		   unsigned conf, const char *name, const uint8_t *in, size_t len, struct buf *out)
{
	size_t outlen = len, whole = len - len % AES_BLOCK_LEN;
	uint8_t *dst;

	if (key->scheme == CHIP_FE_NONE)
		return diag_error("%s has no flash encryption", key->chip->name);
	if (check_input(key, dir, address, conf, name, len) < 0)
		return -1;
	if (key->scheme == CHIP_FE_ESP32)
		outlen = (len + AES_BLOCK_LEN - 1) / AES_BLOCK_LEN * AES_BLOCK_LEN;
	if (outlen == 0)
		return 0;
	if (buf_reserve(out, outlen) < 0)
		return -1;
	dst = out->data + out->len;
	if (key->scheme == CHIP_FE_XTS) {
		if (xts_crypt(key, dir, (uint32_t)address, in, dst, len) < 0)
			return -1;
	} else {
		/* a short last block is padded with 0xFF, the erased flash (§3) */
		uint8_t last[AES_BLOCK_LEN];

		if (whole && esp32_crypt(key, dir, (uint32_t)address, conf, in, dst, whole) < 0)
			return -1;
		if (whole < len) {
			memset(last, 0xFF, sizeof(last));
			memcpy(last, in + whole, len - whole);
			if (esp32_crypt(key, dir, (uint32_t)(address + whole), conf, last,
					dst + whole, AES_BLOCK_LEN) < 0)
				return -1;
		}
	}
	out->len += outlen;
	return 0;
}
