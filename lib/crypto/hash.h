/* MD5 and SHA-256 through mbedTLS (SHA-256 blocks on x86 SHA extensions where the
 * CPU has them); no other file includes mbedTLS hash headers. */
#ifndef ESPGEN_HASH_H
#define ESPGEN_HASH_H

#include <stddef.h>
#include <stdint.h>


#define MD5_LEN 16
#define SHA256_LEN 32

/* One-shot digests. */
void hash_md5(const void *data, size_t len, uint8_t out[MD5_LEN]);
void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

/* Incremental SHA-256; the storage is opaque. */
struct hash_sha256_ctx {
	_Alignas(8) unsigned char opaque[256];
};
void hash_sha256_begin(struct hash_sha256_ctx *ctx);
void hash_sha256_update(struct hash_sha256_ctx *ctx, const void *data, size_t len);
void hash_sha256_end(struct hash_sha256_ctx *ctx, uint8_t out[SHA256_LEN]);

/* Uses the x86 SHA extensions for SHA-256 when the CPU has them (on, the default) or
 * never (off): for tests that compare both back ends. Not thread-safe to change. */
void hash_sha256_accel(int on);


#endif
