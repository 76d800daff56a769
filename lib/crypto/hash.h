/* SPDX-License-Identifier: Apache-2.0 */
/* Digests (MD5, SHA-1, SHA-256, SHA-384), HMAC and PBKDF2 through mbedTLS, SHA-256
 * blocks on the x86 SHA extensions where the CPU has them. hash.c is the only file
 * that includes mbedTLS hash headers, and the only one that knows its 2.x/3.x names. */
#ifndef ESPGEN_HASH_H
#define ESPGEN_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MD5_LEN 16
#define SHA1_LEN 20
#define SHA256_LEN 32
#define SHA384_LEN 48
#define HASH_MAX_LEN SHA384_LEN /* the longest digest of enum hash_alg */

/* The digests the generic calls below take. */
enum hash_alg {
	HASH_SHA1,
	HASH_SHA256,
	HASH_SHA384,
};

/* Digest length of @alg in bytes. */
size_t hash_len(enum hash_alg alg);

/* One-shot digests. */
void hash_md5(const void *data, size_t len, uint8_t out[MD5_LEN]);
void hash_sha1(const void *data, size_t len, uint8_t out[SHA1_LEN]);
void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);
void hash_sha384(const void *data, size_t len, uint8_t out[SHA384_LEN]);

/* Incremental SHA-256; the storage is opaque. */
struct hash_sha256_ctx {
	_Alignas(8) unsigned char opaque[256];
};
void hash_sha256_begin(struct hash_sha256_ctx *ctx);
void hash_sha256_update(struct hash_sha256_ctx *ctx, const void *data, size_t len);
void hash_sha256_end(struct hash_sha256_ctx *ctx, uint8_t out[SHA256_LEN]);

/* Incremental digest of any enum hash_alg (SHA-256 takes the same path as above);
 * hash_end() writes hash_len(alg) bytes. The storage is opaque; nothing to free. */
struct hash_ctx {
	_Alignas(8) unsigned char opaque[272];
};
void hash_begin(struct hash_ctx *ctx, enum hash_alg alg);
void hash_update(struct hash_ctx *ctx, const void *data, size_t len);
void hash_end(struct hash_ctx *ctx, uint8_t *out);

/*
 * HMAC-@alg (RFC 2104) of @msg under @key into @out (hash_len(alg) bytes).
 * Returns 0, or -1 when mbedTLS fails (out of memory); @out is zeroed then and
 * nothing is printed: the caller reports it with its own context.
 */
int hash_hmac(enum hash_alg alg, const void *key, size_t klen, const void *msg, size_t len,
	      uint8_t *out);

/*
 * PBKDF2-HMAC-@alg (RFC 8018 §5.2): @outlen bytes derived from @pw and @salt with
 * @iterations rounds. Returns 0, or -1 when mbedTLS fails (out of memory, @outlen
 * over 2^32-1); @out is zeroed then and nothing is printed.
 */
int hash_pbkdf2_hmac(enum hash_alg alg, const void *pw, size_t pwlen, const void *salt,
		     size_t saltlen, unsigned iterations, uint8_t *out, size_t outlen);

/* Uses the x86 SHA extensions for SHA-256 when the CPU has them (on, the default) or
 * never (off): for tests that compare both back ends. Not thread-safe to change. */
void hash_sha256_accel(int on);

#endif
