/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-side flash encryption (spec/flash-encryption.md), byte-identical to espsecure
 * encrypt-flash-data / decrypt-flash-data: the ESP32 scheme (AES-256 with a key tweaked
 * per 32 bytes of flash, §3) and XTS-AES over 128-byte data units (§4), the chip
 * choosing which. Keys: loading with the chip's size rules (§2), random generation.
 * The crypt functions are pure (bytes in, bytes out); messages go through diag.
 */
#ifndef ESPGEN_FLASHENC_H
#define ESPGEN_FLASHENC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"

/* Largest key file: XTS-AES-256, two 32-byte AES keys (§2). */
#define FLASHENC_MAX_KEY 64
/* ESP32 FLASH_CRYPT_CONF, a 4-bit eFuse; ESP-IDF burns 0xF (§3). */
#define FLASHENC_CONF_DEFAULT 0xFu
#define FLASHENC_CONF_MAX 0xFu
/* The ESP32 key tweak covers flash offsets below 16 MiB only (§3). */
#define FLASHENC_ESP32_FLASH_END 0x1000000u
/* Flash addresses are multiples of one AES block (§3, §4). */
#define FLASHENC_ADDR_ALIGN 16u

/* A key ready for the chip's scheme. Holds a secret: flashenc_key_wipe() it. */
struct flashenc_key {
	const struct chip *chip;
	enum chip_flashenc scheme;
	/* the AES key material as the scheme uses it: a 24-byte ESP32 key extended to 32,
	 * a 16-byte esp32c2 key replaced by its SHA-256 (§2) */
	uint8_t bytes[FLASHENC_MAX_KEY];
	size_t len;	 /* of @bytes: 32 (ESP32, XTS-AES-128) or 64 (XTS-AES-256) */
	size_t file_len; /* as read: 16, 24, 32 or 64 */
};

/* Which way flashenc_crypt() goes. */
enum flashenc_dir {
	FLASHENC_ENCRYPT,
	FLASHENC_DECRYPT,
};

/*
 * Makes @key for chip @c from the @len bytes of a key file (@name for messages): the
 * length must be one the chip can use (chip_flashenc_key_ok), and an XTS key's two
 * halves must differ. Returns 0, or -1 with a message naming @name (@key wiped then).
 */
int flashenc_key_from_bytes(const struct chip *c, const char *name, const uint8_t *data, size_t len,
			    struct flashenc_key *key);
/*
 * Reads the key file @path (raw bytes, no header) and makes @key of it as
 * flashenc_key_from_bytes() does. Core dumps are turned off first (secret.h); the
 * file's bytes are wiped after use. Returns 0, or -1 with a message.
 */
int flashenc_key_load(const struct chip *c, const char *path, struct flashenc_key *key);
/* Overwrites the key material with zeros. */
void flashenc_key_wipe(struct flashenc_key *key);

/*
 * The size in bytes of a new key for @c: @bits 0 asks for the chip's default (32 bytes:
 * ESP32 AES-256 or XTS-AES-128); otherwise the AES strength: 128 (XTS-AES-128, 32 bytes),
 * 256 (ESP32 AES-256 32 bytes, XTS-AES-256 64 bytes), 192 (ESP32 3/4 coding, 24 bytes),
 * each only where the chip has it. NULL @c (no chip given): 32 bytes, which every chip
 * with flash encryption takes, and @bits must be 0. Returns the size, or 0 with a message.
 */
size_t flashenc_keygen_len(const struct chip *c, unsigned bits);
/* Fills @len bytes of @out from the kernel's random source (getrandom(2)), core dumps
 * turned off first (secret.h). Returns 0, or -1 with a message (@out wiped). */
int flashenc_keygen(uint8_t *out, size_t len);

/*
 * Why @address cannot start data for @c's scheme, or NULL when it can: a multiple of
 * 16, and for XTS below 4 GiB (the data unit's tweak is a 32-bit address).
 */
const char *flashenc_address_problem(const struct chip *c, uint64_t address);

/*
 * Encrypts or decrypts the @len bytes of @in (@name: the input, for messages), to be
 * written at flash @address, with @key; @conf is the ESP32 FLASH_CRYPT_CONF (0..0xF,
 * ignored by XTS). Appends the result to @out: for XTS, and for ESP32 decryption, as
 * long as the input; ESP32 encryption pads a short last block with 0xFF (the erased
 * flash value; espsecure pads with random bytes, §6), so it rounds up to 16. Checks the
 * address and length (§3, §4: XTS needs a non-empty multiple of 16, ESP32 decryption a
 * multiple of 16, ESP32 data must end by 16 MiB). Returns 0, or -1 with a message.
 */
int flashenc_crypt(const struct flashenc_key *key, enum flashenc_dir dir, uint64_t address,
		   unsigned conf, const char *name, const uint8_t *in, size_t len, struct buf *out);

#endif
