/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for lib/crypto/sbkey and lib/format/secureboot/sbsign. RSA keys are the
 * committed test-only keys of tests/keys (making RSA-3072 keys here took seconds, minutes
 * under valgrind); ECDSA keys come from the RFC 6979 appendix A.2 private scalars. RFC 6979
 * known answers pin the deterministic nonces.
 */
#include <stdlib.h>
#include <string.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha512.h>

#include "buf.h"
#include "check.h"
#include "crc.h"
#include "hash.h"
#include "sbkey.h"
#include "sbsign.h"

/* Deterministic "entropy" so the generated P-521 key is the same on every run. */
static int fixed_entropy(void *ctx, unsigned char *out, size_t len)
{
	unsigned *counter = ctx;
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (unsigned char)(++*counter * 2654435761u >> 24);
	return 0;
}

static struct sbkey *pk_to_key(mbedtls_pk_context *pk, const char *name)
{
	unsigned char pem[8192];
	struct sbkey *key = NULL;

	if (mbedtls_pk_write_key_pem(pk, pem, sizeof(pem)) != 0)
		return NULL;
	if (sbkey_parse(name, pem, strlen((char *)pem), SB_KEY_NEED_PRIVATE, &key) < 0)
		return NULL;
	return key;
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2)
		out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
	return n;
}

static struct sbkey *ec_key(mbedtls_ecp_group_id gid, const char *d_hex, const char *name)
{
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context pk;
	mbedtls_ecp_keypair *ec;
	struct sbkey *key = NULL;
	unsigned counter = 7;

	mbedtls_pk_init(&pk);
	mbedtls_ctr_drbg_init(&drbg);
	if (mbedtls_ctr_drbg_seed(&drbg, fixed_entropy, &counter, NULL, 0) != 0 ||
	    mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		goto out;
	ec = mbedtls_pk_ec(pk);
	if (mbedtls_ecp_group_load(&ec->grp, gid) != 0)
		goto out;
	if (d_hex) {
		if (mbedtls_mpi_read_string(&ec->d, 16, d_hex) != 0 ||
		    mbedtls_ecp_mul(&ec->grp, &ec->Q, &ec->d, &ec->grp.G, mbedtls_ctr_drbg_random,
				    &drbg) != 0)
			goto out;
	} else if (mbedtls_ecp_gen_key(gid, ec, mbedtls_ctr_drbg_random, &drbg) != 0) {
		goto out;
	}
	key = pk_to_key(&pk, name);
out:
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_pk_free(&pk);
	return key;
}

/* ESPGEN_TEST_KEYS: tests/keys, set by tests/CMakeLists.txt */
#define RSA_A ESPGEN_TEST_KEYS "/test-only-rsa3072.pem"
#define RSA_B ESPGEN_TEST_KEYS "/test-only-rsa3072-b.pem"
#define RSA_2048 ESPGEN_TEST_KEYS "/test-only-rsa2048.pem"

static struct sbkey *rsa_key(const char *path, const char *name)
{
	mbedtls_pk_context pk;
	struct sbkey *key = NULL;

	mbedtls_pk_init(&pk);
	if (mbedtls_pk_parse_keyfile(&pk, path, NULL) == 0)
		key = pk_to_key(&pk, name);
	mbedtls_pk_free(&pk);
	return key;
}

/* RFC 6979 appendix A.2 private keys. */
#define P192_D "6FAB034934E4C0FC9AE67F5B5659A9D7D1FEFD187EE09FD4"
#define P256_D "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721"
#define P384_D                                                                                     \
	"6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F8"       \
	"72C9EA60D2EDF5"

static void test_padded_len(void)
{
	CHECK(sbv2_padded_len(0) == 0);
	CHECK(sbv2_padded_len(1) == 4096);
	CHECK(sbv2_padded_len(4096) == 4096);
	CHECK(sbv2_padded_len(4097) == 8192);
}

/* RFC 6979 A.2.3/A.2.5/A.2.7 with message "sample": the nonce is deterministic. */
static void test_rfc6979(struct sbkey *p192, struct sbkey *p256, struct sbkey *p384)
{
	static const char *const want[3][2] = {
	    {"4B0B8CE98A92866A2820E20AA6B75B56382E0F9BFD5ECB55",
	     "CCDB006926EA9565CBADC840829D8C384E06DE1F1E381B85"},
	    {"EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
	     "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
	    {"94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF9"
	     "6E36DD1E80FABE46",
	     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E"
	     "7B82C71A38628AC8"},
	};
	struct sbkey *keys[3] = {p192, p256, p384};
	uint8_t digest[64], sig[SB_MAX_SIG], r[48], s[48];
	size_t i, cb, dlen;

	for (i = 0; i < 3; i++) {
		/* P-384 signs SHA-384 (as in SBv2), the others SHA-256 */
		if (i == 2)
			mbedtls_sha512_ret((const unsigned char *)"sample", 6, digest, 1);
		else
			hash_sha256("sample", 6, digest);
		dlen = i == 2 ? 48 : 32;
		CHECK(sbkey_sign_digest(keys[i], digest, dlen, 0, sig) == 0);
		cb = sbkey_scheme_coord_len(sbkey_scheme(keys[i]));
		CHECK(unhex(want[i][0], r) == cb);
		CHECK(unhex(want[i][1], s) == cb);
		CHECK_MEM(sig, r, cb);
		CHECK_MEM(sig + cb, s, cb);
		CHECK(sbkey_verify_digest(keys[i], digest, dlen, sig, 2 * cb) == 0);
		sig[3] ^= 1;
		CHECK(sbkey_verify_digest(keys[i], digest, dlen, sig, 2 * cb) == 1);
	}
}

/*
 * The PSS salt is the documented derivation (sbkey.c): recover it from a signature with
 * the public key (RFC 8017 §9.1.2 steps) and recompute it with mbedTLS's own HMAC.
 */
static void test_pss_salt(void)
{
	static const char key_label[] = "espgen sbv2 pss key";
	static const char salt_label[] = "espgen sbv2 pss salt";
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_pk_context pk;
	struct sbkey *key = NULL;
	uint8_t digest[32], sig[384], em[384], d[384], k[32], want[32], mask[32], cnt[4];
	uint8_t msg[sizeof(salt_label) - 1 + 32], kmsg[sizeof(key_label) - 1 + 384];
	size_t i, off;
	uint32_t c;

	mbedtls_pk_init(&pk);
	CHECK(mbedtls_pk_parse_keyfile(&pk, RSA_A, NULL) == 0);
	key = pk_to_key(&pk, "rsa-salt");
	CHECK(key != NULL);
	if (!key)
		goto out;
	hash_sha256("image", 5, digest);
	CHECK(sbkey_sign_digest(key, digest, 32, 0, sig) == 0);
	CHECK(mbedtls_rsa_public(mbedtls_pk_rsa(pk), sig, em) == 0);
	CHECK(em[383] == 0xbc);
	/* DB = maskedDB xor MGF1(H), H = em[351..383) */
	for (off = 0, c = 0; off < 351; c++) {
		cnt[0] = (uint8_t)(c >> 24);
		cnt[1] = (uint8_t)(c >> 16);
		cnt[2] = (uint8_t)(c >> 8);
		cnt[3] = (uint8_t)c;
		memcpy(msg, em + 351, 32);
		memcpy(msg + 32, cnt, 4);
		hash_sha256(msg, 36, mask);
		for (i = 0; i < 32 && off < 351; i++, off++)
			em[off] ^= mask[i];
	}
	em[0] &= 0x7f;
	for (i = 0; i < 318 && em[i] == 0; i++)
		;
	CHECK(i == 318 && em[318] == 0x01);
	/* K = SHA-256(label || d), salt = HMAC-SHA256(K, label || digest) */
	CHECK(mbedtls_mpi_write_binary(&mbedtls_pk_rsa(pk)->D, d, sizeof(d)) == 0);
	memcpy(kmsg, key_label, sizeof(key_label) - 1);
	memcpy(kmsg + sizeof(key_label) - 1, d, sizeof(d));
	hash_sha256(kmsg, sizeof(kmsg), k);
	memcpy(msg, salt_label, sizeof(salt_label) - 1);
	memcpy(msg + sizeof(salt_label) - 1, digest, 32);
	CHECK(mbedtls_md_hmac(md, k, sizeof(k), msg, sizeof(msg), want) == 0);
	CHECK_MEM(em + 319, want, 32);
out:
	sbkey_free(key);
	mbedtls_pk_free(&pk);
}

static void fill_image(struct buf *img, size_t len)
{
	size_t i;

	img->len = 0;
	buf_reserve(img, len);
	for (i = 0; i < len; i++)
		img->data[i] = (uint8_t)(i * 7 + (i >> 8));
	img->len = len;
}

/* sbsign_image() with private keys only (@n of them, at most 4). */
static int sign_keys(int version, const uint8_t *img, size_t len, struct sbkey *const *keys,
		     size_t n, unsigned flags, struct buf *out)
{
	struct sbsign_signer signers[SBV2_MAX_BLOCKS + 1];
	size_t i;

	memset(signers, 0, sizeof(signers));
	for (i = 0; i < n; i++)
		signers[i].key = keys[i];
	return sbsign_image(version, "img", img, len, signers, n, flags, out);
}

/* The public half of @key alone, as a public key file gives it. */
static struct sbkey *public_of(const struct sbkey *key, const char *name)
{
	uint8_t fields[SB_MAX_PUBKEY];
	struct sbkey *pub = NULL;
	size_t len;

	if (sbkey_sbv2_fields(key, fields, &len) < 0 ||
	    sbkey_from_sbv2_fields(name, sbkey_scheme(key), fields, len, &pub) < 0)
		return NULL;
	return pub;
}

/* Layout of a freshly signed image (secure-boot.md §2). */
static void check_layout(const struct buf *img, const struct buf *out, struct sbkey *const *keys,
			 size_t nkeys)
{
	size_t padded = sbv2_padded_len(img->len), i;
	const uint8_t *sector = out->data + padded;

	CHECK(out->len == padded + SBV2_SECTOR_SIZE);
	CHECK_MEM(out->data, img->data, img->len);
	for (i = img->len; i < padded; i++) {
		if (out->data[i] != 0xff)
			break;
	}
	CHECK(i == padded);
	for (i = 0; i < nkeys; i++) {
		const uint8_t *b = sector + i * SBV2_BLOCK_SIZE;
		enum sbkey_scheme sch = sbkey_scheme(keys[i]);
		uint8_t digest[48], kd[32];
		struct sbv2_block_info info;
		size_t j;

		CHECK(b[0] == 0xE7);
		CHECK(b[1] == (sch == SB_RSA3072 ? 2 : 3));
		CHECK(buf_get_le32(b + 1196) == crc32_le(0, b, 1196));
		for (j = 1200; j < SBV2_BLOCK_SIZE && b[j] == 0; j++)
			;
		CHECK(j == SBV2_BLOCK_SIZE);
		sbv2_image_digest(sch, out->data, padded, digest);
		CHECK_MEM(b + 4, digest, sbkey_scheme_digest_len(sch));
		sbv2_block_decode(b, &info);
		CHECK(info.state == SBV2_BLOCK_VALID);
		CHECK(info.scheme == sch);
		CHECK(sbv2_pubkey_digest(keys[i], kd) == 0);
		CHECK_MEM(info.key_digest, kd, 32);
		/* the key digest covers block bytes 36..811 (RSA), 36..100, or 52..148 */
		if (sch == SB_RSA3072)
			hash_sha256(b + 36, 776, digest);
		else if (sch == SB_ECDSA_P384)
			hash_sha256(b + 52, 97, digest);
		else
			hash_sha256(b + 36, 65, digest);
		CHECK_MEM(digest, kd, 32);
		if (sch == SB_RSA3072) {
			uint32_t n0 = buf_get_le32(b + 36), mp = buf_get_le32(b + 808);

			CHECK(buf_get_le32(b + 420) == 65537);
			CHECK((uint32_t)(n0 * mp + 1u) == 0); /* m' = -n^-1 mod 2^32 */
		} else {
			CHECK(b[2] == (sch == SB_ECDSA_P384 ? 1 : 0));
			CHECK(b[sch == SB_ECDSA_P384 ? 52 : 36] == (sch == SB_ECDSA_P192   ? 1
								    : sch == SB_ECDSA_P256 ? 2
											   : 3));
		}
	}
	for (i = nkeys * SBV2_BLOCK_SIZE; i < SBV2_SECTOR_SIZE; i++) {
		if (sector[i] != 0xff)
			break;
	}
	CHECK(i == SBV2_SECTOR_SIZE);
}

static void test_sign_verify(struct sbkey *key, size_t len)
{
	struct buf img = BUF_INIT, out = BUF_INIT, again = BUF_INIT, rnd = BUF_INIT;
	struct sbv2_verify_result res;
	struct sbkey *keys[1] = {key};
	uint8_t kd[32];

	fill_image(&img, len);
	CHECK(sign_keys(2, img.data, img.len, keys, 1, 0, &out) == 0);
	check_layout(&img, &out, keys, 1);
	/* deterministic by default, fresh with SB_SIGN_RANDOM; both verify */
	CHECK(sign_keys(2, img.data, img.len, keys, 1, 0, &again) == 0);
	CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
	CHECK(sign_keys(2, img.data, img.len, keys, 1, SB_SIGN_RANDOM, &rnd) == 0);
	CHECK(rnd.len == out.len && memcmp(rnd.data, out.data, out.len) != 0);

	CHECK(sbv2_verify_image("img", out.data, out.len, key, NULL, &res) == 0);
	CHECK(res.verified == 0 && !res.tampered);
	CHECK(res.verdict[1] == SBV2_NOT_A_BLOCK && res.info[1].state == SBV2_BLOCK_EMPTY);
	CHECK(sbv2_verify_image("img", rnd.data, rnd.len, key, NULL, &res) == 0);
	CHECK(res.verified == 0);
	CHECK(sbv2_pubkey_digest(key, kd) == 0);
	CHECK(sbv2_verify_image("img", out.data, out.len, NULL, kd, &res) == 0);
	CHECK(res.verified == 0);
	kd[0] ^= 1;
	CHECK(sbv2_verify_image("img", out.data, out.len, NULL, kd, &res) == 0);
	CHECK(res.verified < 0 && res.verdict[0] == SBV2_OTHER_KEY);

	/* a changed image byte: digest mismatch */
	out.data[10] ^= 0x40;
	CHECK(sbv2_verify_image("img", out.data, out.len, key, NULL, &res) == 0);
	CHECK(res.verified < 0 && res.tampered && res.verdict[0] == SBV2_DIGEST_MISMATCH);
	out.data[10] ^= 0x40;
	/* a changed signature byte with a fixed-up CRC: the signature fails */
	{
		uint8_t *b = out.data + out.len - SBV2_SECTOR_SIZE;
		size_t sigoff = sbkey_scheme(key) == SB_RSA3072      ? 812
				: sbkey_scheme(key) == SB_ECDSA_P384 ? 149
								      : 101;

		b[sigoff + 5] ^= 1;
		buf_put_le32(b + 1196, crc32_le(0, b, 1196));
		CHECK(sbv2_verify_image("img", out.data, out.len, key, NULL, &res) == 0);
		CHECK(res.verified < 0 && res.verdict[0] == SBV2_BAD_SIGNATURE);
		/* a broken CRC: not a block at all */
		b[1196] ^= 1;
		CHECK(sbv2_verify_image("img", out.data, out.len, key, NULL, &res) == 0);
		CHECK(res.verified < 0 && res.info[0].state == SBV2_BLOCK_BAD_CRC);
	}
	/* sizes that cannot be a signed image */
	CHECK(sbv2_verify_image("img", out.data, out.len - 1, key, NULL, &res) == -1);
	CHECK(sbv2_verify_image("img", out.data, 0, key, NULL, &res) == -1);

	buf_free(&img);
	buf_free(&out);
	buf_free(&again);
	buf_free(&rnd);
}

/* Adding signatures one at a time gives the bytes of signing with all keys at once. */
static void test_append(struct sbkey *a, struct sbkey *b, struct sbkey *c, struct sbkey *d)
{
	struct buf img = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT, all = BUF_INIT, s3 = BUF_INIT,
		   s4 = BUF_INIT;
	struct sbkey *ab[2] = {a, b}, *abc[3] = {a, b, c}, *cd[2] = {c, d};
	struct sbv2_verify_result res;
	size_t content_len;
	unsigned n;

	fill_image(&img, 70000);
	CHECK(sign_keys(2, img.data, img.len, &a, 1, 0, &s1) == 0);
	CHECK(sbv2_split("img", s1.data, s1.len, &content_len, &n) == 0);
	CHECK(content_len == sbv2_padded_len(img.len) && n == 1);
	CHECK(sign_keys(2, s1.data, s1.len, &b, 1, 0, &s2) == 0);
	CHECK(sign_keys(2, img.data, img.len, ab, 2, 0, &all) == 0);
	CHECK(s2.len == all.len && memcmp(s2.data, all.data, all.len) == 0);
	check_layout(&img, &all, ab, 2);
	CHECK(sbv2_verify_image("img", s2.data, s2.len, b, NULL, &res) == 0);
	CHECK(res.verified == 1 && res.verdict[0] == SBV2_OTHER_KEY);
	/* 2 + 2 do not fit; 3 + 1 neither */
	CHECK(sign_keys(2, s2.data, s2.len, cd, 2, 0, &s3) == -1);
	s3.len = 0;
	CHECK(sign_keys(2, s2.data, s2.len, &c, 1, 0, &s3) == 0);
	check_layout(&img, &s3, abc, 3);
	CHECK(sign_keys(2, s3.data, s3.len, &d, 1, 0, &s4) == -1);
	/* a changed byte before the sector: appending refuses */
	s2.data[100] ^= 1;
	s4.len = 0;
	CHECK(sign_keys(2, s2.data, s2.len, &c, 1, 0, &s4) == -1);
	/* an empty image */
	CHECK(sign_keys(2, img.data, 0, &c, 1, 0, &s4) == -1);

	buf_free(&img);
	buf_free(&s1);
	buf_free(&s2);
	buf_free(&all);
	buf_free(&s3);
	buf_free(&s4);
}

/*
 * External signer: digest out, signature in (DER or raw for ECDSA) with only the public
 * key, giving the bytes of signing with the private key here.
 */
static void test_external(struct sbkey *key)
{
	struct buf img = BUF_INIT, out = BUF_INIT, ref = BUF_INIT;
	enum sbkey_scheme sch = sbkey_scheme(key);
	uint8_t digest[48], sig[SB_MAX_SIG], imported[SB_MAX_SIG], der[120];
	size_t cb = sbkey_scheme_coord_len(sch), n = 0;
	struct sbkey *pub = public_of(key, "pub");
	struct sbsign_signer ext = {pub, NULL, sig};

	CHECK(pub != NULL && !sbkey_has_private(pub));
	if (!pub)
		return;
	fill_image(&img, 5000);
	CHECK(sbsign_digest(2, "img", img.data, img.len, sch, digest) == 0);
	CHECK(sbkey_sign_digest(key, digest, sbkey_scheme_digest_len(sch), 0, sig) == 0);
	CHECK(sbsign_image(2, "img", img.data, img.len, &ext, 1, 0, &out) == 0);
	CHECK(sign_keys(2, img.data, img.len, &key, 1, 0, &ref) == 0);
	CHECK(out.len == ref.len && memcmp(out.data, ref.data, ref.len) == 0);
	if (cb) {
		/* hand-made DER with both integers padded as DER needs */
		der[n++] = 0x30;
		der[n++] = 0;
		der[n++] = 0x02;
		der[n++] = (uint8_t)(cb + 1);
		der[n++] = 0;
		memcpy(der + n, sig, cb);
		n += cb;
		der[n++] = 0x02;
		der[n++] = (uint8_t)(cb + 1);
		der[n++] = 0;
		memcpy(der + n, sig + cb, cb);
		n += cb;
		der[1] = (uint8_t)(n - 2);
		CHECK(sbkey_sig_import("sig", sch, der, n, imported) == 0);
		CHECK_MEM(imported, sig, 2 * cb);
		CHECK(sbkey_sig_import("sig", sch, sig, 2 * cb, imported) == 0);
		CHECK_MEM(imported, sig, 2 * cb);
		CHECK(sbkey_sig_import("sig", sch, sig, 2 * cb - 1, imported) == -1);
	} else {
		CHECK(sbkey_sig_import("sig", sch, sig, 383, imported) == -1);
	}
	/* a signature over other data does not go in */
	sig[0] ^= 0x80;
	out.len = 0;
	CHECK(sbsign_image(2, "img", img.data, img.len, &ext, 1, 0, &out) == -1);
	/* a public key cannot sign here */
	ext.sig = NULL;
	out.len = 0;
	CHECK(sbsign_image(2, "img", img.data, img.len, &ext, 1, 0, &out) == -1);
	CHECK(out.len == 0);
	sbkey_free(pub);
	buf_free(&img);
	buf_free(&out);
	buf_free(&ref);
}

/*
 * Signers of every kind in one call: an external signature first, then a private key,
 * gives the bytes of adding them one at a time; the blocks go after an existing one.
 */
static void test_mixed(struct sbkey *a, struct sbkey *b, struct sbkey *c)
{
	struct buf img = BUF_INIT, one = BUF_INIT, two = BUF_INIT, both = BUF_INIT,
		   three = BUF_INIT;
	enum sbkey_scheme sch = sbkey_scheme(a);
	uint8_t digest[48], sig[SB_MAX_SIG];
	struct sbkey *pub = public_of(a, "a.pub");
	struct sbsign_signer signers[2] = {{pub, NULL, sig}, {b, NULL, NULL}};
	struct sbv2_verify_result res;

	CHECK(pub != NULL);
	if (!pub)
		return;
	fill_image(&img, 9000);
	CHECK(sbsign_digest(2, "img", img.data, img.len, sch, digest) == 0);
	CHECK(sbkey_sign_digest(a, digest, sbkey_scheme_digest_len(sch), 0, sig) == 0);
	CHECK(sbsign_image(2, "img", img.data, img.len, signers, 2, 0, &both) == 0);
	CHECK(sign_keys(2, img.data, img.len, &a, 1, 0, &one) == 0);
	CHECK(sign_keys(2, one.data, one.len, &b, 1, 0, &two) == 0);
	CHECK(both.len == two.len && memcmp(both.data, two.data, two.len) == 0);
	/* the digest to sign for a third block is the one of the contents before the sector */
	CHECK(sbsign_digest(2, "img", two.data, two.len, sbkey_scheme(c), digest) == 0);
	sbv2_image_digest(sbkey_scheme(c), img.data, img.len, sig);
	CHECK_MEM(digest, sig, sbkey_scheme_digest_len(sbkey_scheme(c)));
	CHECK(sign_keys(2, two.data, two.len, &c, 1, 0, &three) == 0);
	CHECK(sbv2_verify_image("img", three.data, three.len, c, NULL, &res) == 0);
	CHECK(res.verified == 2 && !res.tampered);
	/* nothing fits after three; the digest for a fourth is refused too */
	CHECK(sbsign_digest(2, "img", three.data, three.len, sch, digest) == -1);
	/* no signers, an unknown version */
	CHECK(sbsign_image(2, "img", img.data, img.len, signers, 0, 0, &three) == -1);
	CHECK(sbsign_image(3, "img", img.data, img.len, signers + 1, 1, 0, &three) == -1);
	sbkey_free(pub);
	buf_free(&img);
	buf_free(&one);
	buf_free(&two);
	buf_free(&both);
	buf_free(&three);
}

/* SBv1: 68-byte block, r and s big-endian, RFC 6979 so it equals espsecure's bytes. */
static void test_v1(struct sbkey *p256, struct sbkey *p384)
{
	static const char r_hex[] =
	    "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
	static const char s_hex[] =
	    "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
	struct buf out = BUF_INIT, out2 = BUF_INIT;
	uint8_t r[32], s[32], digest[32], sig[SB_MAX_SIG];
	struct sbkey *two[2] = {p256, p256};
	struct sbkey *pub = public_of(p256, "p256.pub");
	struct sbsign_signer ext = {pub, NULL, sig};

	CHECK(sign_keys(1, (const uint8_t *)"sample", 6, &p256, 1, 0, &out) == 0);
	CHECK(out.len == 6 + 68);
	CHECK_MEM(out.data, "sample", 6);
	CHECK(buf_get_le32(out.data + 6) == 0);
	unhex(r_hex, r);
	unhex(s_hex, s);
	CHECK_MEM(out.data + 10, r, 32);
	CHECK_MEM(out.data + 42, s, 32);
	CHECK(sbv1_verify_image("img", out.data, out.len, p256) == 0);
	out.data[0] ^= 1;
	CHECK(sbv1_verify_image("img", out.data, out.len, p256) == 1);
	out.data[0] ^= 1;
	out.data[6] = 1; /* version 1 */
	CHECK(sbv1_verify_image("img", out.data, out.len, p256) == -1);
	CHECK(sbv1_verify_image("img", out.data, 67, p256) == -1);
	CHECK(sign_keys(1, (const uint8_t *)"sample", 6, &p384, 1, 0, &out2) == -1);
	CHECK(out2.len == 0);
	CHECK(sign_keys(1, (const uint8_t *)"sample", 6, two, 2, 0, &out2) == -1);
	CHECK(sign_keys(1, (const uint8_t *)"sample", 0, &p256, 1, 0, &out2) == -1);
	CHECK(out2.len == 0);

	/* an external v1 signature over the SHA-256 of the whole file: the same bytes */
	CHECK(pub != NULL);
	CHECK(sbsign_digest(1, "img", (const uint8_t *)"sample", 6, SB_ECDSA_P256, digest) == 0);
	CHECK(sbsign_digest(1, "img", (const uint8_t *)"sample", 0, SB_ECDSA_P256, digest) == -1);
	CHECK(sbkey_sign_digest(p256, digest, 32, 0, sig) == 0);
	CHECK(sbsign_image(1, "img", (const uint8_t *)"sample", 6, &ext, 1, 0, &out2) == 0);
	out.data[6] = 0;
	CHECK(out2.len == out.len && memcmp(out2.data, out.data, out.len) == 0);
	sig[40] ^= 1;
	out2.len = 0;
	CHECK(sbsign_image(1, "img", (const uint8_t *)"sample", 6, &ext, 1, 0, &out2) == -1);
	sbkey_free(pub);
	buf_free(&out);
	buf_free(&out2);
}

static void test_key_checks(struct sbkey *rsa2048, struct sbkey *p521, struct sbkey *rsa)
{
	static const char not_a_key[] = "hello\n";
	struct sbkey *k = NULL;
	uint8_t kd[32];

	CHECK(sbkey_scheme(rsa2048) == SB_SCHEME_NONE);
	CHECK(sbkey_check(rsa2048, 2) == -1);
	CHECK(sbv2_pubkey_digest(rsa2048, kd) == -1);
	CHECK(sbkey_scheme(p521) == SB_SCHEME_NONE);
	CHECK(sbkey_check(p521, 2) == -1);
	CHECK(sbkey_check(rsa, 1) == -1);
	CHECK(sbkey_check(rsa, 2) == 0);
	CHECK(sbkey_parse("x", (const uint8_t *)not_a_key, sizeof(not_a_key) - 1, 0, &k) == -1);
	CHECK(k == NULL);
}

int main(void)
{
	struct sbkey *rsa = rsa_key(RSA_A, "rsa-a");
	struct sbkey *rsa_b = rsa_key(RSA_B, "rsa-b");
	struct sbkey *rsa2048 = rsa_key(RSA_2048, "rsa2048");
	struct sbkey *p192 = ec_key(MBEDTLS_ECP_DP_SECP192R1, P192_D, "p192");
	struct sbkey *p256 = ec_key(MBEDTLS_ECP_DP_SECP256R1, P256_D, "p256");
	struct sbkey *p384 = ec_key(MBEDTLS_ECP_DP_SECP384R1, P384_D, "p384");
	struct sbkey *p521 = ec_key(MBEDTLS_ECP_DP_SECP521R1, NULL, "p521");

	CHECK(rsa && rsa_b && rsa2048 && p192 && p256 && p384 && p521);
	if (!(rsa && rsa_b && rsa2048 && p192 && p256 && p384 && p521))
		return check_status();
	CHECK(sbkey_scheme(rsa) == SB_RSA3072 && sbkey_has_private(rsa));
	CHECK(sbkey_scheme(p192) == SB_ECDSA_P192);
	CHECK(sbkey_scheme(p256) == SB_ECDSA_P256);
	CHECK(sbkey_scheme(p384) == SB_ECDSA_P384);

	test_padded_len();
	test_rfc6979(p192, p256, p384);
	test_pss_salt();
	test_sign_verify(rsa, 65728);
	test_sign_verify(p192, 4096);
	test_sign_verify(p256, 1);
	test_sign_verify(p384, 12345);
	test_append(rsa, p256, p384, rsa_b);
	test_external(rsa);
	test_external(p192);
	test_external(p384);
	test_mixed(rsa, p256, p384);
	test_mixed(p192, rsa_b, p256);
	test_v1(p256, p384);
	test_key_checks(rsa2048, p521, rsa);

	sbkey_free(rsa);
	sbkey_free(rsa_b);
	sbkey_free(rsa2048);
	sbkey_free(p192);
	sbkey_free(p256);
	sbkey_free(p384);
	sbkey_free(p521);
	return check_status();
}
