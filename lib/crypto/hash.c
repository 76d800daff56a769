/* SPDX-License-Identifier: Apache-2.0 */
#include "hash.h"

#include <mbedtls/md.h>
#include <mbedtls/md5.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <mbedtls/version.h>
#include <string.h>

#include "sha256_x86.h"

/*
 * mbedTLS 2.x has *_ret() names that return errors for hardware back ends only;
 * 3.x renamed them. The software implementations used here cannot fail.
 */
#if MBEDTLS_VERSION_MAJOR >= 3
#define md5_starts mbedtls_md5_starts
#define md5_update mbedtls_md5_update
#define md5_finish mbedtls_md5_finish
#define sha1_starts mbedtls_sha1_starts
#define sha1_upd mbedtls_sha1_update
#define sha1_finish mbedtls_sha1_finish
#define sha256_starts mbedtls_sha256_starts
#define sha256_upd mbedtls_sha256_update
#define sha256_finish mbedtls_sha256_finish
#define sha512_starts mbedtls_sha512_starts
#define sha512_upd mbedtls_sha512_update
#define sha512_finish mbedtls_sha512_finish
#else
#define md5_starts mbedtls_md5_starts_ret
#define md5_update mbedtls_md5_update_ret
#define md5_finish mbedtls_md5_finish_ret
#define sha1_starts mbedtls_sha1_starts_ret
#define sha1_upd mbedtls_sha1_update_ret
#define sha1_finish mbedtls_sha1_finish_ret
#define sha256_starts mbedtls_sha256_starts_ret
#define sha256_upd mbedtls_sha256_update_ret
#define sha256_finish mbedtls_sha256_finish_ret
#define sha512_starts mbedtls_sha512_starts_ret
#define sha512_upd mbedtls_sha512_update_ret
#define sha512_finish mbedtls_sha512_finish_ret
#endif

/* Our own streaming state when the SHA extensions do the blocks. */
struct sha256_x86_ctx {
	uint32_t state[8];
	uint64_t total;
	uint8_t block[64];
	size_t fill;
};

/* The context starts with which back end it uses. */
struct sha256_impl {
	int x86;
	union {
		mbedtls_sha256_context mbed;
		struct sha256_x86_ctx x86;
	} u;
};

_Static_assert(sizeof(struct sha256_impl) <= sizeof(((struct hash_sha256_ctx *)0)->opaque),
	       "sha256_ctx storage too small");

/* -1: not probed yet; 0 or 1 after. hash_sha256_accel() overrides it (tests). */
static int use_x86 = -1;

void hash_sha256_accel(int on)
{
	use_x86 = on && sha256_x86_available();
}

static int x86_enabled(void)
{
	if (use_x86 < 0)
		use_x86 = sha256_x86_available();
	return use_x86;
}

void hash_md5(const void *data, size_t len, uint8_t out[MD5_LEN])
{
	mbedtls_md5_context c;

	mbedtls_md5_init(&c);
	(void)md5_starts(&c);
	(void)md5_update(&c, data, len);
	(void)md5_finish(&c, out);
	mbedtls_md5_free(&c);
}

void hash_sha256_begin(struct hash_sha256_ctx *ctx)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	struct sha256_impl *c = (struct sha256_impl *)ctx->opaque;

	c->x86 = x86_enabled();
	if (c->x86) {
		memcpy(c->u.x86.state, iv, sizeof(iv));
		c->u.x86.total = 0;
		c->u.x86.fill = 0;
		return;
	}
	mbedtls_sha256_init(&c->u.mbed);
	(void)sha256_starts(&c->u.mbed, 0);
}

void hash_sha256_update(struct hash_sha256_ctx *ctx, const void *data, size_t len)
{
	struct sha256_impl *c = (struct sha256_impl *)ctx->opaque;
	struct sha256_x86_ctx *x = &c->u.x86;
	const uint8_t *p = data;

	if (!c->x86) {
		(void)sha256_upd(&c->u.mbed, data, len);
		return;
	}
	x->total += len;
	if (x->fill) {
		size_t k = 64 - x->fill < len ? 64 - x->fill : len;

		memcpy(x->block + x->fill, p, k);
		x->fill += k;
		p += k;
		len -= k;
		if (x->fill < 64)
			return;
		sha256_x86_blocks(x->state, x->block, 1);
		x->fill = 0;
	}
	if (len >= 64) {
		sha256_x86_blocks(x->state, p, len / 64);
		p += len & ~(size_t)63;
		len &= 63;
	}
	memcpy(x->block, p, len);
	x->fill = len;
}

void hash_sha256_end(struct hash_sha256_ctx *ctx, uint8_t out[SHA256_LEN])
{
	struct sha256_impl *c = (struct sha256_impl *)ctx->opaque;
	struct sha256_x86_ctx *x = &c->u.x86;
	uint64_t bits;
	int i;

	if (!c->x86) {
		(void)sha256_finish(&c->u.mbed, out);
		mbedtls_sha256_free(&c->u.mbed);
		return;
	}
	bits = x->total * 8;
	x->block[x->fill++] = 0x80;
	if (x->fill > 56) {
		memset(x->block + x->fill, 0, 64 - x->fill);
		sha256_x86_blocks(x->state, x->block, 1);
		x->fill = 0;
	}
	memset(x->block + x->fill, 0, 56 - x->fill);
	for (i = 0; i < 8; i++)
		x->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_x86_blocks(x->state, x->block, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(x->state[i] >> 24);
		out[4 * i + 1] = (uint8_t)(x->state[i] >> 16);
		out[4 * i + 2] = (uint8_t)(x->state[i] >> 8);
		out[4 * i + 3] = (uint8_t)x->state[i];
	}
}

void hash_sha256(const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	struct hash_sha256_ctx ctx;

	hash_sha256_begin(&ctx);
	hash_sha256_update(&ctx, data, len);
	hash_sha256_end(&ctx, out);
}

/* ------------------------------------------------------------------------ */
/* Any enum hash_alg: SHA-256 through the context above (so the x86 path serves it
 * too), the others straight from mbedTLS, whose contexts need no allocation. */

struct hash_impl {
	enum hash_alg alg;
	union {
		struct hash_sha256_ctx sha256;
		mbedtls_sha1_context sha1;
		mbedtls_sha512_context sha512;
	} u;
};

_Static_assert(sizeof(struct hash_impl) <= sizeof(((struct hash_ctx *)0)->opaque),
	       "hash_ctx storage too small");
_Static_assert(_Alignof(struct hash_impl) <= 8, "hash_ctx storage not aligned enough");

size_t hash_len(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA1:
		return SHA1_LEN;
	case HASH_SHA256:
		return SHA256_LEN;
	case HASH_SHA384:
		return SHA384_LEN;
	}
	return 0;
}

void hash_begin(struct hash_ctx *ctx, enum hash_alg alg)
{
	struct hash_impl *c = (struct hash_impl *)ctx->opaque;

	c->alg = alg;
	switch (alg) {
	case HASH_SHA1:
		mbedtls_sha1_init(&c->u.sha1);
		(void)sha1_starts(&c->u.sha1);
		break;
	case HASH_SHA256:
		hash_sha256_begin(&c->u.sha256);
		break;
	case HASH_SHA384:
		mbedtls_sha512_init(&c->u.sha512);
		(void)sha512_starts(&c->u.sha512, 1);
		break;
	}
}

void hash_update(struct hash_ctx *ctx, const void *data, size_t len)
{
	struct hash_impl *c = (struct hash_impl *)ctx->opaque;

	switch (c->alg) {
	case HASH_SHA1:
		(void)sha1_upd(&c->u.sha1, data, len);
		break;
	case HASH_SHA256:
		hash_sha256_update(&c->u.sha256, data, len);
		break;
	case HASH_SHA384:
		(void)sha512_upd(&c->u.sha512, data, len);
		break;
	}
}

void hash_end(struct hash_ctx *ctx, uint8_t *out)
{
	struct hash_impl *c = (struct hash_impl *)ctx->opaque;

	switch (c->alg) {
	case HASH_SHA1:
		(void)sha1_finish(&c->u.sha1, out);
		mbedtls_sha1_free(&c->u.sha1);
		break;
	case HASH_SHA256:
		hash_sha256_end(&c->u.sha256, out);
		break;
	case HASH_SHA384:
		(void)sha512_finish(&c->u.sha512, out);
		mbedtls_sha512_free(&c->u.sha512);
		break;
	}
}

static void digest(enum hash_alg alg, const void *data, size_t len, uint8_t *out)
{
	struct hash_ctx ctx;

	hash_begin(&ctx, alg);
	hash_update(&ctx, data, len);
	hash_end(&ctx, out);
}

void hash_sha1(const void *data, size_t len, uint8_t out[SHA1_LEN])
{
	digest(HASH_SHA1, data, len, out);
}

void hash_sha384(const void *data, size_t len, uint8_t out[SHA384_LEN])
{
	digest(HASH_SHA384, data, len, out);
}

/* ------------------------------------------------------------------------ */
/* HMAC and PBKDF2 through mbedtls_md, which allocates its HMAC pads: these can fail. */

static mbedtls_md_type_t md_type(enum hash_alg alg)
{
	switch (alg) {
	case HASH_SHA1:
		return MBEDTLS_MD_SHA1;
	case HASH_SHA256:
		return MBEDTLS_MD_SHA256;
	case HASH_SHA384:
		return MBEDTLS_MD_SHA384;
	}
	return MBEDTLS_MD_NONE;
}

int hash_hmac(enum hash_alg alg, const void *key, size_t klen, const void *msg, size_t len,
	      uint8_t *out)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(alg));

	if (!info || mbedtls_md_hmac(info, key, klen, msg, len, out) != 0) {
		memset(out, 0, hash_len(alg));
		return -1;
	}
	return 0;
}

int hash_pbkdf2_hmac(enum hash_alg alg, const void *pw, size_t pwlen, const void *salt,
		     size_t saltlen, unsigned iterations, uint8_t *out, size_t outlen)
{
	int ret = -1;

	/* mbedTLS takes the key length as uint32_t */
	if (outlen <= UINT32_MAX) {
#if MBEDTLS_VERSION_NUMBER >= 0x03050000
		/* 3.5 deprecates the mbedtls_md_context_t form for this one */
		ret = mbedtls_pkcs5_pbkdf2_hmac_ext(md_type(alg), pw, pwlen, salt, saltlen,
						    iterations, (uint32_t)outlen, out);
#else
		const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type(alg));
		mbedtls_md_context_t md;

		mbedtls_md_init(&md);
		if (info && mbedtls_md_setup(&md, info, 1) == 0)
			ret = mbedtls_pkcs5_pbkdf2_hmac(&md, pw, pwlen, salt, saltlen, iterations,
							(uint32_t)outlen, out);
		mbedtls_md_free(&md);
#endif
	}
	if (ret != 0) {
		memset(out, 0, outlen);
		return -1;
	}
	return 0;
}
