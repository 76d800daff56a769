/* SPDX-License-Identifier: Apache-2.0 */
#include "aes.h"

#include <mbedtls/aes.h>
#include <mbedtls/config.h>

#ifndef MBEDTLS_CIPHER_MODE_XTS
#error "mbedTLS is built without MBEDTLS_CIPHER_MODE_XTS (flash encryption needs XTS-AES)"
#endif

/* The opaque storage of aes.h must hold mbedTLS's contexts, aligned. */
_Static_assert(sizeof(mbedtls_aes_context) <= sizeof(((struct aes_ctx *)0)->opaque),
	       "struct aes_ctx too small for mbedtls_aes_context");
_Static_assert(_Alignof(mbedtls_aes_context) <= 16, "mbedtls_aes_context alignment");
_Static_assert(sizeof(mbedtls_aes_xts_context) <= sizeof(((struct aes_xts_ctx *)0)->opaque),
	       "struct aes_xts_ctx too small for mbedtls_aes_xts_context");
_Static_assert(_Alignof(mbedtls_aes_xts_context) <= 16, "mbedtls_aes_xts_context alignment");

static mbedtls_aes_context *ecb(struct aes_ctx *ctx)
{
	return (mbedtls_aes_context *)(void *)ctx->opaque;
}

static mbedtls_aes_xts_context *xts(struct aes_xts_ctx *ctx)
{
	return (mbedtls_aes_xts_context *)(void *)ctx->opaque;
}

int aes_setkey(struct aes_ctx *ctx, enum aes_dir dir, const uint8_t *key, size_t len)
{
	mbedtls_aes_context *c = ecb(ctx);
	int rc;

	if (len != 16 && len != 24 && len != 32)
		return -1;
	/* init clears whatever an earlier key left; mbedtls_aes_free() then wipes it */
	mbedtls_aes_init(c);
	ctx->dir = dir;
	if (dir == AES_ENCRYPT)
		rc = mbedtls_aes_setkey_enc(c, key, (unsigned)len * 8);
	else
		rc = mbedtls_aes_setkey_dec(c, key, (unsigned)len * 8);
	return rc == 0 ? 0 : -1;
}

void aes_block(struct aes_ctx *ctx, const uint8_t in[AES_BLOCK_LEN], uint8_t out[AES_BLOCK_LEN])
{
	int mode = ctx->dir == AES_ENCRYPT ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT;

	/* a keyed context and one whole block: the software and AES-NI paths cannot fail */
	(void)mbedtls_aes_crypt_ecb(ecb(ctx), mode, in, out);
}

void aes_free(struct aes_ctx *ctx)
{
	mbedtls_aes_free(ecb(ctx));
}

int aes_xts_setkey(struct aes_xts_ctx *ctx, enum aes_dir dir, const uint8_t *key, size_t len)
{
	mbedtls_aes_xts_context *c = xts(ctx);
	int rc;

	if (len != 32 && len != 64)
		return -1;
	mbedtls_aes_xts_init(c);
	ctx->dir = dir;
	if (dir == AES_ENCRYPT)
		rc = mbedtls_aes_xts_setkey_enc(c, key, (unsigned)len * 8);
	else
		rc = mbedtls_aes_xts_setkey_dec(c, key, (unsigned)len * 8);
	return rc == 0 ? 0 : -1;
}

int aes_xts_unit(struct aes_xts_ctx *ctx, const uint8_t tweak[AES_BLOCK_LEN], const uint8_t *in,
		 uint8_t *out, size_t len)
{
	int mode = ctx->dir == AES_ENCRYPT ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT;

	if (len < AES_BLOCK_LEN || len > ((size_t)1 << 24))
		return -1;
	return mbedtls_aes_crypt_xts(xts(ctx), mode, len, tweak, in, out) == 0 ? 0 : -1;
}

void aes_xts_free(struct aes_xts_ctx *ctx)
{
	mbedtls_aes_xts_free(xts(ctx));
}
