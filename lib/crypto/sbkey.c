/* SPDX-License-Identifier: Apache-2.0 */
#include "sbkey.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>

#include "buf.h"
#include "diag.h"
#include "ecpoint.h"
#include "fileio.h"
#include "hash.h"
#include "pkcs11.h"
#include "secret.h"

/* Key files are small; anything bigger is not a key. */
#define SB_KEY_FILE_MAX ((size_t)1 << 20)

#define RSA_BYTES 384	/* RSA-3072 */
#define PSS_SALT_LEN 32 /* espsecure and the ROM use a 32-byte salt (secure-boot.md §2.1) */

struct sbkey {
	mbedtls_pk_context pk;
	enum sbkey_scheme scheme;
	int priv;
	char *name;
};

const char *sbkey_scheme_name(enum sbkey_scheme scheme)
{
	switch (scheme) {
	case SB_RSA3072:
		return "RSA-3072";
	case SB_ECDSA_P192:
		return "ECDSA P-192";
	case SB_ECDSA_P256:
		return "ECDSA P-256";
	case SB_ECDSA_P384:
		return "ECDSA P-384";
	case SB_SCHEME_NONE:
		break;
	}
	return "unsupported";
}

size_t sbkey_scheme_digest_len(enum sbkey_scheme scheme)
{
	if (scheme == SB_SCHEME_NONE)
		return 0;
	return scheme == SB_ECDSA_P384 ? 48 : 32;
}

size_t sbkey_scheme_coord_len(enum sbkey_scheme scheme)
{
	switch (scheme) {
	case SB_ECDSA_P192:
		return 24;
	case SB_ECDSA_P256:
		return 32;
	case SB_ECDSA_P384:
		return 48;
	default:
		return 0;
	}
}

size_t sbkey_scheme_sig_len(enum sbkey_scheme scheme)
{
	if (scheme == SB_RSA3072)
		return RSA_BYTES;
	return 2 * sbkey_scheme_coord_len(scheme);
}

/* Curve id byte of an SBv2 ECDSA block (secure-boot.md §2.2). */
static uint8_t curve_id(enum sbkey_scheme scheme)
{
	return scheme == SB_ECDSA_P192 ? 1 : scheme == SB_ECDSA_P256 ? 2 : 3;
}

static mbedtls_ecp_group_id scheme_group(enum sbkey_scheme scheme)
{
	switch (scheme) {
	case SB_ECDSA_P192:
		return MBEDTLS_ECP_DP_SECP192R1;
	case SB_ECDSA_P256:
		return MBEDTLS_ECP_DP_SECP256R1;
	case SB_ECDSA_P384:
		return MBEDTLS_ECP_DP_SECP384R1;
	default:
		return MBEDTLS_ECP_DP_NONE;
	}
}

static int is_ec(const mbedtls_pk_context *pk)
{
	return mbedtls_pk_can_do(pk, MBEDTLS_PK_ECKEY);
}

static enum sbkey_scheme classify(const mbedtls_pk_context *pk)
{
	if (mbedtls_pk_get_type(pk) == MBEDTLS_PK_RSA)
		return mbedtls_pk_get_bitlen(pk) == 3072 ? SB_RSA3072 : SB_SCHEME_NONE;
	if (is_ec(pk)) {
		switch (mbedtls_pk_ec(*pk)->grp.id) {
		case MBEDTLS_ECP_DP_SECP192R1:
			return SB_ECDSA_P192;
		case MBEDTLS_ECP_DP_SECP256R1:
			return SB_ECDSA_P256;
		case MBEDTLS_ECP_DP_SECP384R1:
			return SB_ECDSA_P384;
		default:
			break;
		}
	}
	return SB_SCHEME_NONE;
}

static struct sbkey *key_new(const char *name)
{
	struct sbkey *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->name = strdup(name ? name : "key");
	if (!k->name) {
		free(k);
		return NULL;
	}
	mbedtls_pk_init(&k->pk);
	return k;
}

void sbkey_free(struct sbkey *key)
{
	if (!key)
		return;
	mbedtls_pk_free(&key->pk);
	free(key->name);
	free(key);
}

const char *sbkey_name(const struct sbkey *key)
{
	return key->name;
}

enum sbkey_scheme sbkey_scheme(const struct sbkey *key)
{
	return key->scheme;
}

int sbkey_has_private(const struct sbkey *key)
{
	return key->priv;
}

static void reverse_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = src[n - 1 - i];
}

static int mem_has(const uint8_t *data, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(data + i, needle, n) == 0)
			return 1;
	}
	return 0;
}

/* An EC public key whose point is compressed, which mbedTLS cannot parse (ecpoint.h):
 * 0 when loaded, 1 when @data is no such key, -1 (reported) when its point is not on
 * the curve. */
static int load_compressed(struct sbkey *k, const char *name, uint8_t *data, size_t len)
{
	uint8_t point[ECPOINT_MAX_UNCOMPRESSED];
	size_t plen;
	int group, ret;
	mbedtls_ecp_keypair *ec;

	ret = ecpoint_spki_decompress(data, len, &group, point, &plen);
	if (ret < 0)
		return diag_file(name, "EC public key: the compressed point is not on the curve");
	if (ret == 0)
		return 1;
	mbedtls_pk_free(&k->pk);
	mbedtls_pk_init(&k->pk);
	if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		return -1;
	ec = mbedtls_pk_ec(k->pk);
	if (mbedtls_ecp_group_load(&ec->grp, (mbedtls_ecp_group_id)group) != 0 ||
	    mbedtls_ecp_point_read_binary(&ec->grp, &ec->Q, point, plen) != 0 ||
	    mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0)
		return diag_file(name, "EC public key: the compressed point is not on the curve");
	return 0;
}

int sbkey_parse(const char *name, const uint8_t *data, size_t len, unsigned flags,
		 struct sbkey **out)
{
	struct sbkey *k;
	uint8_t *copy = NULL;
	size_t clen = len;
	int ret;

	*out = NULL;
	/* espsecure also takes a P-256 public key as 64 raw bytes X || Y (big-endian) */
	if (len == 64 && !(flags & SB_KEY_NEED_PRIVATE)) {
		uint8_t fields[65];

		fields[0] = curve_id(SB_ECDSA_P256);
		reverse_copy(fields + 1, data, 32);
		reverse_copy(fields + 33, data + 32, 32);
		if (sbkey_from_sbv2_fields(name, SB_ECDSA_P256, fields, sizeof(fields), out) == 0)
			return 0;
	}
	/* mbedTLS wants PEM text NUL-terminated, with the NUL counted in the length */
	copy = malloc(len + 1);
	k = key_new(name);
	if (!copy || !k) {
		free(copy);
		sbkey_free(k);
		return diag_error("out of memory");
	}
	memcpy(copy, data, len);
	copy[len] = 0;
	if (mem_has(data, len, "-----BEGIN "))
		clen = len + 1;

	if (mem_has(data, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
	    mem_has(data, len, "Proc-Type: 4,ENCRYPTED")) {
		ret = MBEDTLS_ERR_PK_PASSWORD_REQUIRED;
	} else {
		ret = mbedtls_pk_parse_key(&k->pk, copy, clen, NULL, 0);
	}
	if (ret == 0) {
		k->priv = 1;
	} else if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED ||
		   ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH ||
		   ret == MBEDTLS_ERR_PEM_PASSWORD_REQUIRED) {
		diag_file(name, "key is encrypted; give an unencrypted key "
				"(openssl pkey -in KEY -out PLAIN.pem)");
		goto fail;
	} else {
		mbedtls_pk_free(&k->pk);
		mbedtls_pk_init(&k->pk);
		ret = mbedtls_pk_parse_public_key(&k->pk, copy, clen);
		if (ret != 0) {
			ret = load_compressed(k, name, copy, clen);
			if (ret < 0)
				goto fail;
		}
		if (ret != 0) {
			if (ret == MBEDTLS_ERR_PK_UNKNOWN_PK_ALG ||
			    mem_has(data, len, "-----BEGIN PRIVATE KEY-----") ||
			    mem_has(data, len, "-----BEGIN PUBLIC KEY-----"))
				diag_file(name, "unsupported key type (only RSA and ECDSA keys "
						"are used by Secure Boot)");
			else
				diag_file(name, "not a PEM private or public key");
			goto fail;
		}
		if (flags & SB_KEY_NEED_PRIVATE) {
			diag_file(name, "is a public key; signing needs the private key");
			goto fail;
		}
	}
	if (mbedtls_pk_get_type(&k->pk) != MBEDTLS_PK_RSA && !is_ec(&k->pk)) {
		diag_file(name,
			  "unsupported key type %s (only RSA and ECDSA keys are used by "
			  "Secure Boot)",
			  mbedtls_pk_get_name(&k->pk));
		goto fail;
	}
	k->scheme = classify(&k->pk);
	secret_wipe(copy, len + 1);
	free(copy);
	*out = k;
	return 0;
fail:
	if (copy)
		secret_wipe(copy, len + 1);
	free(copy);
	sbkey_free(k);
	return -1;
}

int sbkey_load(const char *path, unsigned flags, struct sbkey **out)
{
	struct buf b = BUF_INIT;
	int rc;

	*out = NULL;
	if (pkcs11_is_uri(path)) {
		/* never echo a URI as a file name: it may hold a PIN (pin-value) */
		char *shown = pkcs11_uri_redact(path);

		diag_file(shown ? shown : "pkcs11:",
			  "a PKCS#11 URI is not taken here; give a PEM key file");
		free(shown);
		return -1;
	}
	/* the file may hold a private key: no core dump from here on, and the text is
	 * wiped once parsed (fileio_read reads a regular file into one allocation) */
	secret_protect_process();
	if (fileio_read(path, SB_KEY_FILE_MAX, &b) < 0)
		return -1;
	rc = sbkey_parse(path, b.data ? b.data : (const uint8_t *)"", b.len, flags, out);
	secret_buf_free(&b);
	return rc;
}

static const char *curve_name(const struct sbkey *key)
{
	const mbedtls_ecp_curve_info *ci =
	    mbedtls_ecp_curve_info_from_grp_id(mbedtls_pk_ec(key->pk)->grp.id);

	return ci ? ci->name : "unknown";
}

int sbkey_check(const struct sbkey *key, int version)
{
	int rsa = mbedtls_pk_get_type(&key->pk) == MBEDTLS_PK_RSA;

	if (version == 1) {
		if (key->scheme == SB_ECDSA_P256)
			return 0;
		if (rsa)
			return diag_file(key->name, "RSA key given; Secure Boot v1 needs an "
						    "ECDSA P-256 (prime256v1) key");
		return diag_file(key->name,
				 "key uses curve %s; Secure Boot v1 needs ECDSA "
				 "P-256 (prime256v1)",
				 curve_name(key));
	}
	if (key->scheme != SB_SCHEME_NONE)
		return 0;
	if (rsa)
		return diag_file(key->name,
				 "RSA key has %zu bits; Secure Boot v2 supports only "
				 "RSA-3072",
				 mbedtls_pk_get_bitlen(&key->pk));
	return diag_file(key->name,
			 "key uses curve %s; Secure Boot v2 supports ECDSA P-192, "
			 "P-256 and P-384 only",
			 curve_name(key));
}

/* Writes @x as @n bytes little-endian (zero-extended). */
static int mpi_write_le(const mbedtls_mpi *x, uint8_t *out, size_t n)
{
	uint8_t be[RSA_BYTES];

	if (n > sizeof(be) || mbedtls_mpi_write_binary(x, be, n) != 0)
		return -1;
	reverse_copy(out, be, n);
	return 0;
}

/* -n^-1 mod 2^32 for odd n0 (Montgomery constant the ROM takes ready-made). */
static uint32_t mont_m_prime(uint32_t n0)
{
	uint32_t x = n0; /* correct to 3 bits for odd n0; each step doubles that */
	int i;

	for (i = 0; i < 5; i++)
		x *= 2u - n0 * x;
	return (uint32_t)(0u - x);
}

static int rsa_fields(const mbedtls_rsa_context *rsa, uint8_t *out)
{
	mbedtls_mpi rr;
	uint8_t n_be[RSA_BYTES];
	uint32_t e;
	int rc = -1;

	mbedtls_mpi_init(&rr);
	if (mbedtls_mpi_bitlen(&rsa->E) > 32 || mbedtls_mpi_get_bit(&rsa->N, 0) != 1)
		goto out;
	{
		uint8_t eb[4];

		if (mbedtls_mpi_write_binary(&rsa->E, eb, 4) != 0)
			goto out;
		e = (uint32_t)eb[0] << 24 | (uint32_t)eb[1] << 16 | (uint32_t)eb[2] << 8 | eb[3];
	}
	if (mbedtls_mpi_write_binary(&rsa->N, n_be, RSA_BYTES) != 0)
		goto out;
	reverse_copy(out, n_be, RSA_BYTES);
	buf_put_le32(out + RSA_BYTES, e);
	/* R^2 mod n with R = 2^3072 */
	if (mbedtls_mpi_lset(&rr, 1) != 0 || mbedtls_mpi_shift_l(&rr, 2 * 8 * RSA_BYTES) != 0 ||
	    mbedtls_mpi_mod_mpi(&rr, &rr, &rsa->N) != 0)
		goto out;
	if (mpi_write_le(&rr, out + RSA_BYTES + 4, RSA_BYTES) < 0)
		goto out;
	buf_put_le32(out + 2 * RSA_BYTES + 4, mont_m_prime(buf_get_le32(out)));
	rc = 0;
out:
	mbedtls_mpi_free(&rr);
	return rc;
}

static int ec_fields(const mbedtls_ecp_keypair *ec, enum sbkey_scheme scheme, uint8_t *out,
		     size_t *len)
{
	size_t cb = sbkey_scheme_coord_len(scheme);
	size_t field = scheme == SB_ECDSA_P384 ? 96 : 64;

	memset(out, 0, 1 + field);
	out[0] = curve_id(scheme);
	if (mpi_write_le(&ec->Q.X, out + 1, cb) < 0 || mpi_write_le(&ec->Q.Y, out + 1 + cb, cb) < 0)
		return -1;
	*len = 1 + field;
	return 0;
}

int sbkey_sbv2_fields(const struct sbkey *key, uint8_t *out, size_t *len)
{
	int rc;

	if (key->scheme == SB_SCHEME_NONE)
		return sbkey_check(key, 2);
	if (key->scheme == SB_RSA3072) {
		rc = rsa_fields(mbedtls_pk_rsa(key->pk), out);
		*len = 2 * RSA_BYTES + 8;
	} else {
		rc = ec_fields(mbedtls_pk_ec(key->pk), key->scheme, out, len);
	}
	if (rc < 0)
		return diag_file(key->name, "cannot encode the public key for Secure Boot v2");
	return 0;
}

int sbkey_from_sbv2_fields(const char *name, enum sbkey_scheme scheme, const uint8_t *fields,
			    size_t len, struct sbkey **out)
{
	struct sbkey *k;
	uint8_t be[2 * RSA_BYTES + 1];
	int ret = -1;

	*out = NULL;
	k = key_new(name);
	if (!k)
		return diag_error("out of memory");
	if (scheme == SB_RSA3072) {
		mbedtls_rsa_context *rsa;

		if (len < RSA_BYTES + 4)
			goto out;
		if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0)
			goto out;
		rsa = mbedtls_pk_rsa(k->pk);
		reverse_copy(be, fields, RSA_BYTES);
		reverse_copy(be + RSA_BYTES, fields + RSA_BYTES, 4);
		if (mbedtls_rsa_import_raw(rsa, be, RSA_BYTES, NULL, 0, NULL, 0, NULL, 0,
					   be + RSA_BYTES, 4) != 0 ||
		    mbedtls_rsa_complete(rsa) != 0 || mbedtls_rsa_check_pubkey(rsa) != 0)
			goto out;
	} else {
		size_t cb = sbkey_scheme_coord_len(scheme);
		mbedtls_ecp_keypair *ec;

		if (cb == 0 || len < 1 + 2 * cb || fields[0] != curve_id(scheme))
			goto out;
		if (mbedtls_pk_setup(&k->pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
			goto out;
		ec = mbedtls_pk_ec(k->pk);
		be[0] = 0x04; /* uncompressed point */
		reverse_copy(be + 1, fields + 1, cb);
		reverse_copy(be + 1 + cb, fields + 1 + cb, cb);
		if (mbedtls_ecp_group_load(&ec->grp, scheme_group(scheme)) != 0 ||
		    mbedtls_ecp_point_read_binary(&ec->grp, &ec->Q, be, 1 + 2 * cb) != 0 ||
		    mbedtls_ecp_check_pubkey(&ec->grp, &ec->Q) != 0)
			goto out;
	}
	k->scheme = classify(&k->pk);
	if (k->scheme != scheme)
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
out:
	sbkey_free(k);
	return ret;
}

/* Random bits for blinding and --random: CTR-DRBG seeded from the OS (mbedtls_entropy). */
struct sb_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

static int rng_init(struct sb_rng *r)
{
	static const char pers[] = "espgen sbsign";

	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	if (mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
				  (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		return diag_error("cannot seed the random number generator");
	return 0;
}

static void rng_free(struct sb_rng *r)
{
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
}

/*
 * Deterministic PSS salt (secure-boot.md §5): any 32-byte salt verifies, so derive it
 * from the key and the message instead of drawing it at random:
 *   K    = SHA-256("espgen sbv2 pss key" || d)      d = private exponent, 384 bytes BE
 *   salt = HMAC-SHA256(K, "espgen sbv2 pss salt" || digest)
 * Only the signer needs this; verifiers recover the salt from the signature.
 */
static int pss_salt(const mbedtls_rsa_context *rsa, const uint8_t *digest, size_t dlen,
		    uint8_t salt[PSS_SALT_LEN])
{
	static const char key_label[] = "espgen sbv2 pss key";
	static const char salt_label[] = "espgen sbv2 pss salt";
	struct hash_sha256_ctx c;
	uint8_t d[RSA_BYTES], k[SHA256_LEN], msg[sizeof(salt_label) - 1 + HASH_MAX_LEN];
	size_t mlen = sizeof(salt_label) - 1;
	int rc;

	if (dlen > HASH_MAX_LEN || mbedtls_mpi_write_binary(&rsa->D, d, sizeof(d)) != 0)
		return -1;
	hash_sha256_begin(&c);
	hash_sha256_update(&c, key_label, sizeof(key_label) - 1);
	hash_sha256_update(&c, d, sizeof(d));
	hash_sha256_end(&c, k);
	memcpy(msg, salt_label, mlen);
	memcpy(msg + mlen, digest, dlen);
	rc = hash_hmac(HASH_SHA256, k, sizeof(k), msg, mlen + dlen, salt);
	memset(d, 0, sizeof(d));
	memset(k, 0, sizeof(k));
	return rc;
}

/* EMSA-PSS-ENCODE (RFC 8017 §9.1.1) for a 3072-bit modulus, SHA-256, MGF1-SHA-256. */
static void pss_encode(const uint8_t mhash[SHA256_LEN], const uint8_t salt[PSS_SALT_LEN],
		       uint8_t em[RSA_BYTES])
{
	static const uint8_t zeros[8];
	const size_t db_len = RSA_BYTES - SHA256_LEN - 1;
	struct hash_sha256_ctx c;
	uint8_t h[SHA256_LEN], mask[SHA256_LEN], cnt[4];
	size_t i, off;
	uint32_t counter;

	hash_sha256_begin(&c);
	hash_sha256_update(&c, zeros, sizeof(zeros));
	hash_sha256_update(&c, mhash, SHA256_LEN);
	hash_sha256_update(&c, salt, PSS_SALT_LEN);
	hash_sha256_end(&c, h);

	/* DB = 00..00 || 01 || salt */
	memset(em, 0, db_len);
	em[db_len - PSS_SALT_LEN - 1] = 0x01;
	memcpy(em + db_len - PSS_SALT_LEN, salt, PSS_SALT_LEN);
	/* maskedDB = DB xor MGF1(H) */
	for (off = 0, counter = 0; off < db_len; counter++) {
		cnt[0] = (uint8_t)(counter >> 24);
		cnt[1] = (uint8_t)(counter >> 16);
		cnt[2] = (uint8_t)(counter >> 8);
		cnt[3] = (uint8_t)counter;
		hash_sha256_begin(&c);
		hash_sha256_update(&c, h, sizeof(h));
		hash_sha256_update(&c, cnt, sizeof(cnt));
		hash_sha256_end(&c, mask);
		for (i = 0; i < SHA256_LEN && off < db_len; i++, off++)
			em[off] ^= mask[i];
	}
	/* emBits = 3071: the top bit of EM is cleared */
	em[0] &= 0x7f;
	memcpy(em + db_len, h, SHA256_LEN);
	em[RSA_BYTES - 1] = 0xbc;
}

static int rsa_sign(const struct sbkey *key, const uint8_t *digest, size_t dlen, unsigned flags,
		    struct sb_rng *rng, uint8_t *sig)
{
	mbedtls_rsa_context *rsa = mbedtls_pk_rsa(key->pk);
	uint8_t salt[PSS_SALT_LEN], em[RSA_BYTES];

	if (dlen != SHA256_LEN)
		return diag_file(key->name, "RSA-PSS signs a SHA-256 digest (32 bytes), got %zu",
				 dlen);
	if (flags & SB_SIGN_RANDOM) {
		if (mbedtls_ctr_drbg_random(&rng->drbg, salt, sizeof(salt)) != 0)
			return diag_error("random number generator failed");
	} else if (pss_salt(rsa, digest, dlen, salt) < 0) {
		return diag_file(key->name, "cannot derive the PSS salt");
	}
	pss_encode(digest, salt, em);
	if (mbedtls_rsa_private(rsa, mbedtls_ctr_drbg_random, &rng->drbg, em, sig) != 0)
		return diag_file(key->name, "RSA private-key operation failed (damaged key?)");
	return 0;
}

/* An ECDSA signature as Secure Boot stores it: r || s, each @cb bytes big-endian. */
static int put_rs(const mbedtls_mpi *r, const mbedtls_mpi *s, uint8_t *sig, size_t cb)
{
	int ret = mbedtls_mpi_write_binary(r, sig, cb);

	if (ret == 0)
		ret = mbedtls_mpi_write_binary(s, sig + cb, cb);
	return ret;
}

static mbedtls_md_type_t ec_md(enum sbkey_scheme scheme)
{
	return scheme == SB_ECDSA_P384 ? MBEDTLS_MD_SHA384 : MBEDTLS_MD_SHA256;
}

static int ec_sign(const struct sbkey *key, const uint8_t *digest, size_t dlen, unsigned flags,
		   struct sb_rng *rng, uint8_t *sig)
{
	mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
	size_t cb = sbkey_scheme_coord_len(key->scheme);
	mbedtls_mpi r, s;
	int ret;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	if (flags & SB_SIGN_RANDOM)
		ret = mbedtls_ecdsa_sign(&ec->grp, &r, &s, &ec->d, digest, dlen,
					 mbedtls_ctr_drbg_random, &rng->drbg);
	else /* RFC 6979 nonce, HMAC-DRBG over the curve's hash; blinding stays random */
		ret = mbedtls_ecdsa_sign_det_ext(&ec->grp, &r, &s, &ec->d, digest, dlen,
						 ec_md(key->scheme), mbedtls_ctr_drbg_random,
						 &rng->drbg);
	if (ret == 0)
		ret = put_rs(&r, &s, sig, cb);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	if (ret != 0)
		return diag_file(key->name, "ECDSA signing failed (damaged key?)");
	return 0;
}

int sbkey_sign_digest(const struct sbkey *key, const uint8_t *digest, size_t dlen, unsigned flags,
		       uint8_t *sig)
{
	struct sb_rng rng;
	int rc;

	if (!key->priv)
		return diag_file(key->name, "is a public key; signing needs the private key");
	if (key->scheme == SB_SCHEME_NONE)
		return sbkey_check(key, 2);
	if (rng_init(&rng) < 0) {
		rng_free(&rng);
		return -1;
	}
	if (key->scheme == SB_RSA3072)
		rc = rsa_sign(key, digest, dlen, flags, &rng, sig);
	else
		rc = ec_sign(key, digest, dlen, flags, &rng, sig);
	rng_free(&rng);
	if (rc < 0)
		return -1;
	/* like espsecure, never hand out a signature that does not verify */
	if (sbkey_verify_digest(key, digest, dlen, sig, sbkey_scheme_sig_len(key->scheme)) != 0)
		return diag_file(key->name, "the new signature does not verify (damaged key?)");
	return 0;
}

int sbkey_verify_digest(const struct sbkey *key, const uint8_t *digest, size_t dlen,
			 const uint8_t *sig, size_t siglen)
{
	int ret;

	if (key->scheme == SB_SCHEME_NONE || siglen != sbkey_scheme_sig_len(key->scheme))
		return 1;
	if (key->scheme == SB_RSA3072) {
		if (dlen != SHA256_LEN)
			return 1;
		ret = mbedtls_rsa_rsassa_pss_verify_ext(
		    mbedtls_pk_rsa(key->pk), NULL, NULL, MBEDTLS_RSA_PUBLIC, MBEDTLS_MD_SHA256,
		    (unsigned)dlen, digest, MBEDTLS_MD_SHA256, PSS_SALT_LEN, sig);
	} else {
		mbedtls_ecp_keypair *ec = mbedtls_pk_ec(key->pk);
		size_t cb = sbkey_scheme_coord_len(key->scheme);
		mbedtls_mpi r, s;

		mbedtls_mpi_init(&r);
		mbedtls_mpi_init(&s);
		ret = mbedtls_mpi_read_binary(&r, sig, cb);
		if (ret == 0)
			ret = mbedtls_mpi_read_binary(&s, sig + cb, cb);
		if (ret == 0)
			ret = mbedtls_ecdsa_verify(&ec->grp, digest, dlen, &ec->Q, &r, &s);
		mbedtls_mpi_free(&r);
		mbedtls_mpi_free(&s);
	}
	return ret == 0 ? 0 : 1;
}

/* Parses DER ECDSA-Sig-Value { r INTEGER, s INTEGER } into r || s big-endian. */
static int ec_sig_from_der(const uint8_t *in, size_t len, size_t cb, uint8_t *sig)
{
	unsigned char *p = (unsigned char *)(uintptr_t)in, *end = p + len;
	mbedtls_mpi r, s;
	size_t seq;
	int ret;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&s);
	ret = mbedtls_asn1_get_tag(&p, end, &seq, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	if (ret == 0 && p + seq != end)
		ret = -1;
	if (ret == 0)
		ret = mbedtls_asn1_get_mpi(&p, end, &r);
	if (ret == 0)
		ret = mbedtls_asn1_get_mpi(&p, end, &s);
	if (ret == 0 && p != end)
		ret = -1;
	if (ret == 0)
		ret = put_rs(&r, &s, sig, cb);
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&s);
	return ret == 0 ? 0 : -1;
}

int sbkey_sig_import(const char *name, enum sbkey_scheme scheme, const uint8_t *in, size_t len,
		  uint8_t *sig)
{
	size_t want = sbkey_scheme_sig_len(scheme);

	if (scheme == SB_SCHEME_NONE)
		return diag_file(name, "no Secure Boot scheme for this key");
	if (scheme == SB_RSA3072) {
		if (len != want)
			return diag_file(name, "RSA-3072 signature must be %zu bytes, not %zu",
					 want, len);
		memcpy(sig, in, len);
		return 0;
	}
	if (ec_sig_from_der(in, len, sbkey_scheme_coord_len(scheme), sig) == 0)
		return 0;
	if (len == want) {
		memcpy(sig, in, len);
		return 0;
	}
	return diag_file(name,
			 "not an %s signature (DER, or raw r || s of %zu bytes); got %zu "
			 "bytes",
			 sbkey_scheme_name(scheme), want, len);
}
