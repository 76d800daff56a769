/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AES block cipher (ECB, one 16-byte block at a time) and XTS-AES (IEEE P1619) over
 * mbedTLS. aes.c is the only file that includes the mbedTLS cipher headers. Contexts
 * hold expanded keys: aes_free()/aes_xts_free() wipe them; a context must not be
 * copied or moved once a key is set (mbedTLS points into it).
 */
#ifndef ESPGEN_AES_H
#define ESPGEN_AES_H

#include <stddef.h>
#include <stdint.h>

#define AES_BLOCK_LEN 16

/* Which way a context is keyed. */
enum aes_dir {
	AES_ENCRYPT,
	AES_DECRYPT,
};

/* One AES key schedule; the storage is opaque. */
struct aes_ctx {
	_Alignas(16) unsigned char opaque[304];
	enum aes_dir dir;
};

/* Two AES key schedules (data key and tweak key); opaque. */
struct aes_xts_ctx {
	_Alignas(16) unsigned char opaque[608];
	enum aes_dir dir;
};

/*
 * Sets a 16-, 24- or 32-byte @key for @dir (a context keyed for AES_DECRYPT runs the
 * inverse cipher). May be called again on the same context to change the key.
 * Returns 0, or -1 (no message) for any other key length.
 */
int aes_setkey(struct aes_ctx *ctx, enum aes_dir dir, const uint8_t *key, size_t len);
/* Runs one block through the cipher the context is keyed for; @in and @out may be equal. */
void aes_block(struct aes_ctx *ctx, const uint8_t in[AES_BLOCK_LEN], uint8_t out[AES_BLOCK_LEN]);
/* Wipes the key schedule. */
void aes_free(struct aes_ctx *ctx);

/*
 * Sets an XTS key of 32 (XTS-AES-128) or 64 bytes (XTS-AES-256): the first half is the
 * data key, the second the tweak key. Returns 0, or -1 (no message) for another length.
 * Equal halves are the caller's to refuse (mbedTLS 2 accepts them).
 */
int aes_xts_setkey(struct aes_xts_ctx *ctx, enum aes_dir dir, const uint8_t *key, size_t len);
/*
 * Encrypts or decrypts (as keyed) one data unit of @len bytes, at least 16, with the
 * 16-byte @tweak; a length that is not a multiple of 16 uses ciphertext stealing.
 * @in and @out must not overlap. Returns 0, or -1 (no message) for a length below 16
 * or above 16 MiB (IEEE P1619's limit of 2^20 blocks per data unit).
 */
int aes_xts_unit(struct aes_xts_ctx *ctx, const uint8_t tweak[AES_BLOCK_LEN], const uint8_t *in,
		 uint8_t *out, size_t len);
/* Wipes both key schedules. */
void aes_xts_free(struct aes_xts_ctx *ctx);

#endif
