#include "hash.h"

#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

/*
 * mbedTLS 2.x has *_ret() names that return errors for hardware back ends only;
 * 3.x renamed them. The software implementations used here cannot fail.
 */
#if MBEDTLS_VERSION_MAJOR >= 3
#define md5_starts mbedtls_md5_starts
#define md5_update mbedtls_md5_update
#define md5_finish mbedtls_md5_finish
#define sha256_starts mbedtls_sha256_starts
#define sha256_upd mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#else
#define md5_starts mbedtls_md5_starts_ret
#define md5_update mbedtls_md5_update_ret
#define md5_finish mbedtls_md5_finish_ret
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_upd mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#endif

_Static_assert(sizeof(mbedtls_sha256_context) <= sizeof(((struct sha256_ctx *)0)->opaque),
	       "sha256_ctx storage too small for mbedTLS");

void hash_md5(const void *data, size_t len, uint8_t out[MD5_LEN])
{
	mbedtls_md5_context c;

	mbedtls_md5_init(&c);
	(void)md5_starts(&c);
	(void)md5_update(&c, data, len);
	(void)md5_finish(&c, out);
	mbedtls_md5_free(&c);
}

void sha256_begin(struct sha256_ctx *ctx)
{
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)ctx->opaque;

	mbedtls_sha256_init(c);
	(void)sha256_starts(c, 0);
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	(void)sha256_upd((mbedtls_sha256_context *)ctx->opaque, data, len);
}

void sha256_end(struct sha256_ctx *ctx, uint8_t out[SHA256_LEN])
{
	mbedtls_sha256_context *c = (mbedtls_sha256_context *)ctx->opaque;

	(void)sha256_finish(c, out);
	mbedtls_sha256_free(c);
}

void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_begin(&ctx);
	sha256_update(&ctx, data, len);
	sha256_end(&ctx, out);
}

void hex_encode(const uint8_t *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * len] = '\0';
}
