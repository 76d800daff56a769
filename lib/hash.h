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
struct sha256_ctx {
	_Alignas(8) unsigned char opaque[256];
};
void sha256_begin(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_end(struct sha256_ctx *ctx, uint8_t out[SHA256_LEN]);

/* Uses the x86 SHA extensions for SHA-256 when the CPU has them (on, the default) or
 * never (off): for tests that compare both back ends. Not thread-safe to change. */
void hash_sha256_accel(int on);

/* Lowercase hex of @len bytes into @out (2*len+1 bytes). */
void hex_encode(const uint8_t *data, size_t len, char *out);

#endif
