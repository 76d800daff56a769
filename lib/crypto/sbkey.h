/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure Boot signing keys: PEM/DER loading, the key fields Secure Boot v2 stores,
 * and sign/verify of a prehashed digest (spec/secure-boot.md). The only module that
 * touches mbedTLS public-key code; callers see an opaque struct sbkey.
 */
#ifndef ESPGEN_SBKEY_H
#define ESPGEN_SBKEY_H

#include <stddef.h>
#include <stdint.h>

/* Signature schemes of Secure Boot v2 (v1 uses SB_ECDSA_P256 only). */
enum sbkey_scheme {
	SB_SCHEME_NONE = 0, /* a key no Secure Boot version accepts */
	SB_RSA3072,
	SB_ECDSA_P192,
	SB_ECDSA_P256,
	SB_ECDSA_P384,
};

#define SB_MAX_DIGEST 48  /* SHA-384 */
#define SB_MAX_SIG 384	  /* RSA-3072 */
#define SB_MAX_PUBKEY 776 /* RSA key fields of an SBv2 block (secure-boot.md §2.1) */

/* Flags for sbkey_load() / sbkey_parse(). */
enum {
	SB_KEY_NEED_PRIVATE = 1, /* refuse public keys */
};

/* Flags for sbkey_sign_digest() and the image signers in sbsign.h. */
enum {
	SB_SIGN_RANDOM = 1, /* fresh ECDSA nonce / PSS salt instead of the derived ones */
};

struct sbkey;

/*
 * Reads and parses a key file: PEM (or DER) private key in PKCS#1, SEC1 or PKCS#8
 * form, a PEM public key (SubjectPublicKeyInfo or PKCS#1), or, as espsecure accepts for
 * v1, a raw 64-byte P-256 public key X || Y big-endian. Encrypted keys, key types
 * other than RSA/EC, and (with SB_KEY_NEED_PRIVATE) public keys are refused with a
 * message naming @path. The key size/curve is checked later, by sbkey_check().
 * Returns 0 and a key to release with sbkey_free(), or -1.
 */
int sbkey_load(const char *path, unsigned flags, struct sbkey **out);

/* As sbkey_load() for @len bytes already in memory; @name is used in messages. */
int sbkey_parse(const char *name, const uint8_t *data, size_t len, unsigned flags,
		 struct sbkey **out);

/* Releases @key (NULL is fine). */
void sbkey_free(struct sbkey *key);

/* The name given at load time (file path), for messages. */
const char *sbkey_name(const struct sbkey *key);

/* The scheme the key belongs to, or SB_SCHEME_NONE (wrong RSA size, other curve). */
enum sbkey_scheme sbkey_scheme(const struct sbkey *key);

/* 1 when the private half is present. */
int sbkey_has_private(const struct sbkey *key);

/*
 * Checks that @key can be used with Secure Boot @version (1: ECDSA P-256 only; 2: RSA-3072,
 * ECDSA P-192/P-256/P-384). Returns 0, or -1 with a message naming the key.
 */
int sbkey_check(const struct sbkey *key, int version);

/* "RSA-3072", "ECDSA P-256", ...; "unsupported" for SB_SCHEME_NONE. */
const char *sbkey_scheme_name(enum sbkey_scheme scheme);

/* Digest length the scheme signs (32, or 48 for P-384); 0 for SB_SCHEME_NONE. */
size_t sbkey_scheme_digest_len(enum sbkey_scheme scheme);

/* Raw signature length: 384 for RSA, 2 * coordinate size for ECDSA (r || s). */
size_t sbkey_scheme_sig_len(enum sbkey_scheme scheme);

/* Coordinate size of an ECDSA scheme (24, 32, 48); 0 for RSA. */
size_t sbkey_scheme_coord_len(enum sbkey_scheme scheme);

/*
 * Writes the public-key fields an SBv2 block stores after the image digest
 * (secure-boot.md §2.1/§2.2): RSA n, e, R^2 mod n, m' (776 bytes); ECDSA curve id and
 * X || Y little-endian (65 bytes, or 97 for P-384). @out holds SB_MAX_PUBKEY bytes.
 * Returns 0, or -1 with a message when the key has no SBv2 scheme.
 */
int sbkey_sbv2_fields(const struct sbkey *key, uint8_t *out, size_t *len);

/*
 * Builds a public key from SBv2 key fields as sbkey_sbv2_fields() writes them. Returns
 * 0 and a key (named @name) for sbkey_free(), or -1 without a message when the fields
 * do not describe a usable key.
 */
int sbkey_from_sbv2_fields(const char *name, enum sbkey_scheme scheme, const uint8_t *fields,
			    size_t len, struct sbkey **out);

/*
 * Signs @dlen bytes of prehashed @digest with the private @key: RSA-PSS (MGF1-SHA256,
 * 32-byte salt) or ECDSA. The signature is written big-endian to @sig
 * (sbkey_scheme_sig_len() bytes; r || s for ECDSA). Deterministic unless @flags has
 * SB_SIGN_RANDOM: ECDSA nonces per RFC 6979, PSS salt derived from the key and digest
 * (see sbkey.c). The result is verified before returning. Returns 0 or -1 with a message.
 */
int sbkey_sign_digest(const struct sbkey *key, const uint8_t *digest, size_t dlen, unsigned flags,
		       uint8_t *sig);

/*
 * Verifies a big-endian signature as sbkey_sign_digest() writes it. Returns 0 when it
 * verifies, 1 when it does not (no message).
 */
int sbkey_verify_digest(const struct sbkey *key, const uint8_t *digest, size_t dlen,
			 const uint8_t *sig, size_t siglen);

/*
 * Turns a signature made by an external signer into the raw big-endian form: RSA as is
 * (384 bytes); ECDSA as DER (SEQUENCE of two INTEGERs, as openssl writes it) or as raw
 * r || s. Returns 0, or -1 with a message naming @name when the size or encoding is
 * wrong. @sig holds SB_MAX_SIG bytes.
 */
int sbkey_sig_import(const char *name, enum sbkey_scheme scheme, const uint8_t *in, size_t len,
		  uint8_t *sig);

#endif
