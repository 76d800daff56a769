/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure Boot image signing (spec/secure-boot.md): SBv2 signature blocks and the 4 KiB
 * signature sector, SBv1 appended signatures, public-key digests, verification.
 * Image bytes in, signed bytes out; no file access and nothing printed on success.
 * Functions that take @name use it (the image's file name, or NULL) in messages.
 */
#ifndef ESPGEN_SBSIGN_H
#define ESPGEN_SBSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pkcs11.h"
#include "sbkey.h"

#define SBV2_SECTOR_SIZE 4096 /* signature sector, 4 KiB aligned (§2) */
#define SBV2_BLOCK_SIZE 1216  /* one signature block (§2.1) */
#define SBV2_MAX_BLOCKS 3
#define SBV2_BLOCK_MAGIC 0xE7
#define SBV2_CRC_OFFSET 1196
#define SBV2_KEY_DIGEST_LEN 32 /* SHA-256, what eFuse holds (§3) */
#define SBV1_SIG_BLOCK_SIZE 68 /* version word + r + s (§1) */

/* ---- Secure Boot v2 building blocks (pure) ---- */

/* @len rounded up to a multiple of 4 KiB: where the signature sector starts. */
size_t sbv2_padded_len(size_t len);

/*
 * Digest a @scheme key signs for image contents @img (@len bytes): SHA-256, or SHA-384 for
 * P-384, over @img followed by 0xFF up to sbv2_padded_len(@len). Writes
 * sbkey_scheme_digest_len(@scheme) bytes to @digest (SB_MAX_DIGEST bytes of room).
 */
void sbv2_image_digest(enum sbkey_scheme scheme, const uint8_t *img, size_t len, uint8_t *digest);

/* What a block slot holds (sbv2_block_decode()). */
enum sbv2_block_state {
	SBV2_BLOCK_VALID, /* magic, version, CRC and scheme fields all right */
	SBV2_BLOCK_EMPTY, /* all 0xFF: never written */
	SBV2_BLOCK_BAD_MAGIC,
	SBV2_BLOCK_BAD_VERSION,
	SBV2_BLOCK_BAD_CRC,
	SBV2_BLOCK_BAD_SCHEME, /* version 3 with an unknown SHA type or curve id */
};

struct sbv2_block_info {
	enum sbv2_block_state state;
	unsigned version;	   /* byte 1 */
	enum sbkey_scheme scheme;	   /* valid blocks only */
	const uint8_t *digest;	   /* into the block; sbkey_scheme_digest_len() bytes */
	const uint8_t *key_fields; /* into the block */
	size_t key_fields_len;
	uint8_t key_digest[SBV2_KEY_DIGEST_LEN]; /* SHA-256 of the key fields */
	uint8_t sig[SB_MAX_SIG];		 /* big-endian, sbkey_scheme_sig_len() bytes */
};

/* Decodes a block slot into @info; pointers refer into @block. Never fails. */
void sbv2_block_decode(const uint8_t block[SBV2_BLOCK_SIZE], struct sbv2_block_info *info);

/* Short text for a state ("CRC mismatch", ...). */
const char *sbv2_block_state_text(enum sbv2_block_state state);

/*
 * Public-key digest burnt into eFuse (espsecure digest-sbv2-public-key): SHA-256 of the
 * key fields of a block. Returns 0, or -1 with a message for a key with no SBv2 scheme.
 */
int sbv2_pubkey_digest(const struct sbkey *key, uint8_t out[SBV2_KEY_DIGEST_LEN]);

/* ---- Secure Boot v2 images ---- */

/*
 * Splits @img for adding signatures: when it ends in a signature sector whose leading
 * blocks are valid (§2 step 2), *@content_len is the length before that sector and
 * *@nblocks the number of those blocks (1-3); otherwise *@content_len = @len and
 * *@nblocks = 0. An existing block whose digest does not match the contents is an error
 * (-1 with a message); so is an empty image.
 */
int sbv2_split(const char *name, const uint8_t *img, size_t len, size_t *content_len,
	       unsigned *nblocks);

/* Outcome for one block slot of a verified image. */
enum sbv2_verdict {
	SBV2_VERIFIED,	      /* made with the wanted key and the signature verifies */
	SBV2_NOT_A_BLOCK,     /* see info.state */
	SBV2_BAD_KEY_FIELDS,  /* the stored key is unusable or its n/R^2/m' are inconsistent */
	SBV2_DIGEST_MISMATCH, /* the stored image digest is not that of the image */
	SBV2_OTHER_KEY,	      /* made with a different key */
	SBV2_BAD_SIGNATURE,   /* the wanted key, but the signature does not verify */
};

struct sbv2_verify_result {
	struct sbv2_block_info info[SBV2_MAX_BLOCKS];
	enum sbv2_verdict verdict[SBV2_MAX_BLOCKS];
	int verified; /* index of the first SBV2_VERIFIED block, or -1 */
	int tampered; /* some valid block has SBV2_DIGEST_MISMATCH */
};

/*
 * Verifies a signed image against @pub (a public or private key) or, when @pub is NULL,
 * against @key_digest (eFuse digest; the block's own key is then used, as the ROM does).
 * The image passes when result->verified >= 0 and !result->tampered. Returns 0 with
 * @result filled, or -1 with a message when @img cannot be a signed image.
 */
int sbv2_verify_image(const char *name, const uint8_t *img, size_t len, const struct sbkey *pub,
		      const uint8_t *key_digest, struct sbv2_verify_result *result);

/* Short text for a verdict ("signature verified", ...). */
const char *sbv2_verdict_text(enum sbv2_verdict verdict);

/* ---- Secure Boot v1 (ESP32, ECDSA P-256, §1) ---- */

/*
 * Verifies a v1-signed image (last 68 bytes) with @pub. Returns 0 when it verifies,
 * 1 when the signature does not (no message), -1 with a message when the image is too
 * short, the block version is not 0, or the key is not P-256.
 */
int sbv1_verify_image(const char *name, const uint8_t *img, size_t len, const struct sbkey *pub);

/* ---- Signing ---- */

/*
 * One signature to add: made here with a private key, by a key in a PKCS#11 token, or
 * elsewhere (spec/secure-boot.md; the external-signer flow of espsecure).
 */
struct sbsign_signer {
	const struct sbkey *key;  /* private key; with @sig: the public key it must verify with */
	struct pkcs11_key *token; /* or a key in a token: it signs, unless @sig is given */
	const uint8_t *sig;	  /* or a signature made elsewhere (sbkey_sig_import() form) */
};

/*
 * The digest a signer signs to add a Secure Boot @version signature of a @scheme key to
 * @img: v1 SHA-256 of all of @img (@scheme unused), v2 the digest of the content before the signature sector. Writes
 * sbkey_scheme_digest_len() bytes (32 for v1). Returns 0, or -1 with a message.
 */
int sbsign_digest(int version, const char *name, const uint8_t *img, size_t len,
		  enum sbkey_scheme scheme, uint8_t *digest);

/*
 * Signs @img for Secure Boot @version with the @n signers, in order, and appends the
 * signed image to @out. v2: the contents 0xFF-padded to 4 KiB, then one signature sector
 * holding the blocks @img already has (sbv2_split()) and one new block per signer; more
 * than 3 in all is an error. v1: one signer, @img and its 68-byte block. Each key is
 * checked against @version first, a signature not made here must verify over the image,
 * and the result must verify with every signer's key. @flags: SB_SIGN_RANDOM (signers
 * with a private key). Deterministic by default: signing an image with keys A and B
 * gives the bytes of signing it with A, then the result with B. Returns 0, or -1 with a
 * message (@out may then hold partial data).
 */
int sbsign_image(int version, const char *name, const uint8_t *img, size_t len,
		 const struct sbsign_signer *signers, size_t n, unsigned flags, struct buf *out);

#endif
