/* SPDX-License-Identifier: Apache-2.0 */
#include "sbsign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc.h"
#include "diag.h"
#include "fileio.h"
#include "hash.h"

#define SBV2_DIGEST_OFFSET 4

static int img_error(const char *name, const char *fmt, ...) DIAG_PRINTF(2, 3);
static int img_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vat(name, 0, fmt, ap);
	va_end(ap);
	return -1;
}

size_t sbv2_padded_len(size_t len)
{
	return (len + SBV2_SECTOR_SIZE - 1) / SBV2_SECTOR_SIZE * SBV2_SECTOR_SIZE;
}

void sbv2_image_digest(enum sbkey_scheme scheme, const uint8_t *img, size_t len, uint8_t *digest)
{
	uint8_t ff[256];
	size_t pad = sbv2_padded_len(len) - len;
	struct hash_ctx c;

	memset(ff, 0xff, sizeof(ff));
	hash_begin(&c, scheme == SB_ECDSA_P384 ? HASH_SHA384 : HASH_SHA256);
	hash_update(&c, img, len);
	while (pad) {
		size_t n = pad < sizeof(ff) ? pad : sizeof(ff);

		hash_update(&c, ff, n);
		pad -= n;
	}
	hash_end(&c, digest);
}

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

/* One 1216-byte signature block for @key over @digest with the big-endian signature
 * @sig, CRC included. Returns 0, or -1 with a message when the key has no SBv2 scheme. */
static int block_encode(const struct sbkey *key, const uint8_t *digest, const uint8_t *sig,
		      uint8_t block[SBV2_BLOCK_SIZE])
{
	enum sbkey_scheme scheme = sbkey_scheme(key);
	size_t dlen = sbkey_scheme_digest_len(scheme), klen, cb;
	uint8_t *p;

	memset(block, 0, SBV2_BLOCK_SIZE);
	if (sbkey_sbv2_fields(key, block + SBV2_DIGEST_OFFSET + dlen, &klen) < 0)
		return -1;
	block[0] = SBV2_BLOCK_MAGIC;
	block[1] = scheme == SB_RSA3072 ? 2 : 3;    /* 2 = RSA-PSS, 3 = ECDSA */
	block[2] = scheme == SB_ECDSA_P384 ? 1 : 0; /* SHA type: 0 = SHA-256, 1 = SHA-384 */
	memcpy(block + SBV2_DIGEST_OFFSET, digest, dlen);
	/* the signature follows the key fields, little-endian (r and s each reversed) */
	p = block + SBV2_DIGEST_OFFSET + dlen + klen;
	if (scheme == SB_RSA3072) {
		reverse_copy(p, sig, sbkey_scheme_sig_len(scheme));
	} else {
		cb = sbkey_scheme_coord_len(scheme);
		reverse_copy(p, sig, cb);
		reverse_copy(p + cb, sig + cb, cb);
	}
	buf_put_le32(block + SBV2_CRC_OFFSET, crc32_le(0, block, SBV2_CRC_OFFSET));
	return 0;
}

static size_t key_fields_len(enum sbkey_scheme scheme)
{
	switch (scheme) {
	case SB_RSA3072:
		return SB_MAX_PUBKEY;
	case SB_ECDSA_P384:
		return 1 + 96;
	default:
		return 1 + 64;
	}
}

void sbv2_block_decode(const uint8_t block[SBV2_BLOCK_SIZE], struct sbv2_block_info *info)
{
	size_t i, dlen, off, cb;

	memset(info, 0, sizeof(*info));
	info->version = block[1];
	for (i = 0; i < SBV2_BLOCK_SIZE && block[i] == 0xff; i++)
		;
	if (i == SBV2_BLOCK_SIZE) {
		info->state = SBV2_BLOCK_EMPTY;
		return;
	}
	if (block[0] != SBV2_BLOCK_MAGIC) {
		info->state = SBV2_BLOCK_BAD_MAGIC;
		return;
	}
	if (block[1] != 2 && block[1] != 3) {
		info->state = SBV2_BLOCK_BAD_VERSION;
		return;
	}
	if (buf_get_le32(block + SBV2_CRC_OFFSET) != crc32_le(0, block, SBV2_CRC_OFFSET)) {
		info->state = SBV2_BLOCK_BAD_CRC;
		return;
	}
	if (block[1] == 2)
		info->scheme = SB_RSA3072;
	else if (block[2] == 0 && block[36] == 1)
		info->scheme = SB_ECDSA_P192;
	else if (block[2] == 0 && block[36] == 2)
		info->scheme = SB_ECDSA_P256;
	else if (block[2] == 1 && block[52] == 3)
		info->scheme = SB_ECDSA_P384;
	else {
		info->state = SBV2_BLOCK_BAD_SCHEME;
		return;
	}
	info->state = SBV2_BLOCK_VALID;
	dlen = sbkey_scheme_digest_len(info->scheme);
	info->digest = block + SBV2_DIGEST_OFFSET;
	info->key_fields = block + SBV2_DIGEST_OFFSET + dlen;
	info->key_fields_len = key_fields_len(info->scheme);
	hash_sha256(info->key_fields, info->key_fields_len, info->key_digest);
	off = SBV2_DIGEST_OFFSET + dlen + info->key_fields_len;
	if (info->scheme == SB_RSA3072) {
		reverse_copy(info->sig, block + off, SB_MAX_SIG);
	} else {
		cb = sbkey_scheme_coord_len(info->scheme);
		reverse_copy(info->sig, block + off, cb);
		reverse_copy(info->sig + cb, block + off + cb, cb);
	}
}

const char *sbv2_block_state_text(enum sbv2_block_state state)
{
	switch (state) {
	case SBV2_BLOCK_VALID:
		return "valid";
	case SBV2_BLOCK_EMPTY:
		return "empty";
	case SBV2_BLOCK_BAD_MAGIC:
		return "no signature block (bad magic)";
	case SBV2_BLOCK_BAD_VERSION:
		return "unknown block version";
	case SBV2_BLOCK_BAD_CRC:
		return "CRC mismatch";
	case SBV2_BLOCK_BAD_SCHEME:
		return "unknown SHA type or curve id";
	}
	return "?";
}

int sbv2_pubkey_digest(const struct sbkey *key, uint8_t out[SBV2_KEY_DIGEST_LEN])
{
	uint8_t fields[SB_MAX_PUBKEY];
	size_t len;

	if (sbkey_check(key, 2) < 0 || sbkey_sbv2_fields(key, fields, &len) < 0)
		return -1;
	hash_sha256(fields, len, out);
	return 0;
}

/* The sector at the end of an aligned image, or NULL. */
static const uint8_t *last_sector(const uint8_t *img, size_t len)
{
	if (len < SBV2_SECTOR_SIZE || len % SBV2_SECTOR_SIZE != 0)
		return NULL;
	return img + len - SBV2_SECTOR_SIZE;
}

int sbv2_split(const char *name, const uint8_t *img, size_t len, size_t *content_len,
	       unsigned *nblocks)
{
	const uint8_t *sector = last_sector(img, len);
	struct sbv2_block_info info;
	uint8_t digest[SB_MAX_DIGEST];
	unsigned n = 0, i;

	*content_len = len;
	*nblocks = 0;
	if (len == 0)
		return img_error(name, "image is empty");
	if (!sector)
		return 0;
	/* leading valid blocks only, as espsecure --append-signatures keeps them */
	for (n = 0; n < SBV2_MAX_BLOCKS; n++) {
		sbv2_block_decode(sector + n * SBV2_BLOCK_SIZE, &info);
		if (info.state != SBV2_BLOCK_VALID)
			break;
	}
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		sbv2_block_decode(sector + i * SBV2_BLOCK_SIZE, &info);
		sbv2_image_digest(info.scheme, img, len - SBV2_SECTOR_SIZE, digest);
		if (memcmp(digest, info.digest, sbkey_scheme_digest_len(info.scheme)) != 0)
			return img_error(name,
					 "signature block %u does not match the image "
					 "before it (changed after signing?)",
					 i);
	}
	*content_len = len - SBV2_SECTOR_SIZE;
	*nblocks = n;
	return 0;
}

static int check_room(const char *name, unsigned nexist, size_t nnew)
{
	if (nexist >= SBV2_MAX_BLOCKS)
		return img_error(name, "already has %d signature blocks; no room for another",
				 SBV2_MAX_BLOCKS);
	if (nexist + nnew > SBV2_MAX_BLOCKS)
		return img_error(name, "has %u signature block%s; %zu more do not fit (at most %d)",
				 nexist, nexist == 1 ? "" : "s", nnew, SBV2_MAX_BLOCKS);
	return 0;
}

/* Contents, 0xFF padding, the kept blocks of an old sector, then @nnew new blocks. */
static int assemble(const uint8_t *img, size_t content_len, size_t len, unsigned nexist,
		    const uint8_t *blocks, size_t nnew, struct buf *out)
{
	size_t padded = sbv2_padded_len(content_len);
	size_t used = (nexist + nnew) * SBV2_BLOCK_SIZE;

	if (buf_reserve(out, padded + SBV2_SECTOR_SIZE) < 0 ||
	    buf_append(out, img, content_len) < 0 || buf_fill(out, 0xff, padded - content_len) < 0)
		return -1;
	if (nexist && buf_append(out, img + len - SBV2_SECTOR_SIZE, nexist * SBV2_BLOCK_SIZE) < 0)
		return -1;
	if (nnew && buf_append(out, blocks, nnew * SBV2_BLOCK_SIZE) < 0)
		return -1;
	return buf_fill(out, 0xff, SBV2_SECTOR_SIZE - used);
}

/* The digest a signer signs to add a block for a @scheme key to @img. */
static int signing_digest(const char *name, const uint8_t *img, size_t len,
			  enum sbkey_scheme scheme,
			uint8_t *digest)
{
	size_t content_len;
	unsigned nexist;

	if (sbv2_split(name, img, len, &content_len, &nexist) < 0 ||
	    check_room(name, nexist, 1) < 0)
		return -1;
	sbv2_image_digest(scheme, img, content_len, digest);
	return 0;
}

/* Checks a valid block's key fields and who made it; fills @verdict. */
static enum sbv2_verdict judge_block(const struct sbv2_block_info *info, const uint8_t *img,
				     size_t content_len, const struct sbkey *pub,
				     const uint8_t *want_digest)
{
	uint8_t digest[SB_MAX_DIGEST], fields[SB_MAX_PUBKEY];
	size_t dlen = sbkey_scheme_digest_len(info->scheme), flen;
	struct sbkey *bkey = NULL;
	enum sbv2_verdict v;

	sbv2_image_digest(info->scheme, img, content_len, digest);
	if (memcmp(digest, info->digest, dlen) != 0)
		return SBV2_DIGEST_MISMATCH;
	/* the ROM uses the stored R^2 and m' as they are: they must match n */
	if (sbkey_from_sbv2_fields("signature block", info->scheme, info->key_fields,
				    info->key_fields_len, &bkey) < 0)
		return SBV2_BAD_KEY_FIELDS;
	v = SBV2_BAD_KEY_FIELDS;
	if (sbkey_sbv2_fields(bkey, fields, &flen) < 0 || flen != info->key_fields_len ||
	    memcmp(fields, info->key_fields, flen) != 0)
		goto out;
	v = SBV2_OTHER_KEY;
	if (memcmp(info->key_digest, want_digest, SBV2_KEY_DIGEST_LEN) != 0)
		goto out;
	v = sbkey_verify_digest(pub ? pub : bkey, digest, dlen, info->sig,
				 sbkey_scheme_sig_len(info->scheme)) == 0
		? SBV2_VERIFIED
		: SBV2_BAD_SIGNATURE;
out:
	sbkey_free(bkey);
	return v;
}

int sbv2_verify_image(const char *name, const uint8_t *img, size_t len, const struct sbkey *pub,
		      const uint8_t *key_digest, struct sbv2_verify_result *result)
{
	const uint8_t *sector = last_sector(img, len);
	uint8_t want[SBV2_KEY_DIGEST_LEN];
	unsigned i;

	memset(result, 0, sizeof(*result));
	result->verified = -1;
	if (!sector)
		return img_error(name,
				 "not a Secure Boot v2 signed image: size %zu is not a "
				 "non-zero multiple of 4096",
				 len);
	if (pub) {
		if (sbv2_pubkey_digest(pub, want) < 0)
			return -1;
	} else {
		memcpy(want, key_digest, sizeof(want));
	}
	for (i = 0; i < SBV2_MAX_BLOCKS; i++) {
		struct sbv2_block_info *info = &result->info[i];

		sbv2_block_decode(sector + i * SBV2_BLOCK_SIZE, info);
		if (info->state != SBV2_BLOCK_VALID) {
			result->verdict[i] = SBV2_NOT_A_BLOCK;
			continue;
		}
		result->verdict[i] = judge_block(info, img, len - SBV2_SECTOR_SIZE, pub, want);
		if (result->verdict[i] == SBV2_DIGEST_MISMATCH)
			result->tampered = 1;
		if (result->verdict[i] == SBV2_VERIFIED && result->verified < 0)
			result->verified = (int)i;
	}
	return 0;
}

const char *sbv2_verdict_text(enum sbv2_verdict verdict)
{
	switch (verdict) {
	case SBV2_VERIFIED:
		return "signature verified";
	case SBV2_NOT_A_BLOCK:
		return "no valid block";
	case SBV2_BAD_KEY_FIELDS:
		return "stored public key is malformed";
	case SBV2_DIGEST_MISMATCH:
		return "image digest does not match the image";
	case SBV2_OTHER_KEY:
		return "made with another key";
	case SBV2_BAD_SIGNATURE:
		return "signature does not verify";
	}
	return "?";
}

static int sbv1_put(const uint8_t *img, size_t len, const uint8_t *sig, struct buf *out)
{
	uint8_t block[SBV1_SIG_BLOCK_SIZE];

	buf_put_le32(block, 0);	    /* version 0 */
	memcpy(block + 4, sig, 64); /* r, s big-endian (unlike v2) */
	if (buf_reserve(out, len + sizeof(block)) < 0 || buf_append(out, img, len) < 0)
		return -1;
	return buf_append(out, block, sizeof(block));
}

int sbv1_verify_image(const char *name, const uint8_t *img, size_t len, const struct sbkey *pub)
{
	uint8_t digest[SHA256_LEN];
	uint32_t version;

	if (sbkey_check(pub, 1) < 0)
		return -1;
	if (len < SBV1_SIG_BLOCK_SIZE)
		return img_error(name, "too short for a Secure Boot v1 signature (%zu bytes)", len);
	version = buf_get_le32(img + len - SBV1_SIG_BLOCK_SIZE);
	if (version != 0)
		return img_error(name,
				 "signature block has version %u; Secure Boot v1 uses "
				 "version 0",
				 version);
	hash_sha256(img, len - SBV1_SIG_BLOCK_SIZE, digest);
	return sbkey_verify_digest(pub, digest, sizeof(digest),
				    img + len - SBV1_SIG_BLOCK_SIZE + 4, 64) == 0
		   ? 0
		   : 1;
}

int sbsign_digest(int version, const char *name, const uint8_t *img, size_t len,
		  enum sbkey_scheme scheme, uint8_t *digest)
{
	if (version != 2) {
		/* v1 signs all of the file (§1) */
		if (len == 0)
			return img_error(name, "image is empty");
		hash_sha256(img, len, digest);
		return 0;
	}
	return signing_digest(name, img, len, scheme, digest);
}

/* The key a signer's signature verifies with. */
static const struct sbkey *signer_key(const struct sbsign_signer *s)
{
	return s->token ? pkcs11_key_public(s->token) : s->key;
}

/* Every signer must suit @version and be able to sign, before any work is done. */
static int check_signers(int version, const char *name, const struct sbsign_signer *signers,
			 size_t n)
{
	size_t i;

	if (version != 1 && version != 2)
		return img_error(name, "Secure Boot version %d is not 1 or 2", version);
	if (n == 0)
		return img_error(name, "no signing key given");
	if (version == 1 && n > 1)
		return img_error(name, "Secure Boot v1 takes one signature, not %zu", n);
	for (i = 0; i < n; i++) {
		const struct sbsign_signer *s = &signers[i];

		if (sbkey_check(signer_key(s), version) < 0)
			return -1;
		if (!s->sig && !s->token && !sbkey_has_private(s->key))
			return diag_file(sbkey_name(s->key),
					 "is a public key; signing needs the private key");
	}
	return 0;
}

/* Signer @s's signature over @digest: made here, by its token, or the one it brought. */
static int make_sig(const struct sbsign_signer *s, const char *name, const uint8_t *digest,
		    size_t dlen, unsigned flags, uint8_t *sig)
{
	const struct sbkey *pub = signer_key(s);
	size_t slen = sbkey_scheme_sig_len(sbkey_scheme(pub));

	if (!s->sig && !s->token)
		return sbkey_sign_digest(s->key, digest, dlen, flags, sig); /* checks it itself */
	if (s->sig)
		memcpy(sig, s->sig, slen);
	else if (pkcs11_key_sign_digest(s->token, digest, dlen, sig) < 0)
		return -1;
	/* made outside this process: it must be over this image, with this key */
	if (sbkey_verify_digest(pub, digest, dlen, sig, slen) != 0)
		return img_error(name, "the signature does not verify with %s over this image",
				 sbkey_name(pub));
	return 0;
}

/* The signed image must verify with every signer's key, in the block it added (§4). */
static int verify_signed(int version, const char *name, const uint8_t *img, size_t len,
			 const struct sbsign_signer *signers, size_t n, unsigned nexist)
{
	struct sbv2_verify_result res;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const struct sbsign_signer *s = &signers[i];

		if (version == 1) {
			r = sbv1_verify_image(name, img, len, signer_key(s));
			if (r < 0)
				return -1;
		} else {
			if (sbv2_verify_image(name, img, len, signer_key(s), NULL, &res) < 0)
				return -1;
			r = res.tampered || res.verdict[nexist + i] != SBV2_VERIFIED;
		}
		if (r)
			return img_error(name, "the signed image does not verify with %s",
					 s->token ? pkcs11_key_name(s->token) : sbkey_name(s->key));
	}
	return 0;
}

/* A signed image longer than any tool reads (FILEIO_MAX_INPUT) could never be checked,
 * merged or signed again: refuse it, and take it back out of @out. */
static int check_readable(const char *name, struct buf *out, size_t start)
{
	size_t len = out->len - start;

	if (len <= FILEIO_MAX_INPUT)
		return 0;
	out->len = start;
	return img_error(name,
			 "the signed image would be %zu bytes, more than the %zu bytes the tools "
			 "read back",
			 len, FILEIO_MAX_INPUT);
}

int sbsign_image(int version, const char *name, const uint8_t *img, size_t len,
		 const struct sbsign_signer *signers, size_t n, unsigned flags, struct buf *out)
{
	uint8_t blocks[SBV2_MAX_BLOCKS * SBV2_BLOCK_SIZE];
	uint8_t digest[SB_MAX_DIGEST], sig[SB_MAX_SIG];
	size_t start = out->len, content_len, i;
	unsigned nexist = 0;

	if (check_signers(version, name, signers, n) < 0)
		return -1;
	if (version == 1) {
		if (sbsign_digest(1, name, img, len, SB_ECDSA_P256, digest) < 0 ||
		    make_sig(&signers[0], name, digest, SHA256_LEN, flags, sig) < 0 ||
		    sbv1_put(img, len, sig, out) < 0 || check_readable(name, out, start) < 0)
			return -1;
		return verify_signed(1, name, out->data + start, out->len - start, signers, 1, 0);
	}
	/* all blocks go into one sector after the ones the image may already have (§2) */
	if (sbv2_split(name, img, len, &content_len, &nexist) < 0 ||
	    check_room(name, nexist, n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct sbkey *pub = signer_key(&signers[i]);
		enum sbkey_scheme scheme = sbkey_scheme(pub);

		sbv2_image_digest(scheme, img, content_len, digest);
		if (make_sig(&signers[i], name, digest, sbkey_scheme_digest_len(scheme), flags,
			     sig) < 0 ||
		    block_encode(pub, digest, sig, blocks + i * SBV2_BLOCK_SIZE) < 0)
			return -1;
	}
	if (assemble(img, content_len, len, nexist, blocks, n, out) < 0 ||
	    check_readable(name, out, start) < 0)
		return -1;
	return verify_signed(2, name, out->data + start, out->len - start, signers, n, nexist);
}
