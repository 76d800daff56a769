#include "sign.h"

#include <string.h>

#include "diag.h"

/*
 * spec/secure-boot.md §2.2, after the ESP-IDF Secure Boot v2 docs. esp32s31 and
 * esp32e22 are missing on purpose: the spec does not say, and a wrong guess would
 * give an image the ROM refuses. Such images can still be signed with esp-sign.
 */
static const struct {
	const char *chip;
	unsigned support;
} chip_support[] = {
    {"esp32", SIGN_CHIP_V2_RSA | SIGN_CHIP_V1},
    {"esp32s2", SIGN_CHIP_V2_RSA},
    {"esp32s3", SIGN_CHIP_V2_RSA},
    {"esp32c3", SIGN_CHIP_V2_RSA},
    {"esp32h21", SIGN_CHIP_V2_RSA},
    {"esp32c2", SIGN_CHIP_V2_ECDSA},
    {"esp32c61", SIGN_CHIP_V2_ECDSA},
    {"esp32h4", SIGN_CHIP_V2_ECDSA},
    {"esp32c5", SIGN_CHIP_V2_RSA | SIGN_CHIP_V2_ECDSA},
    {"esp32c6", SIGN_CHIP_V2_RSA | SIGN_CHIP_V2_ECDSA},
    {"esp32h2", SIGN_CHIP_V2_RSA | SIGN_CHIP_V2_ECDSA},
    {"esp32p4", SIGN_CHIP_V2_RSA | SIGN_CHIP_V2_ECDSA},
};

unsigned mkimage_sign_chip_support(const struct chip *c)
{
	size_t i;

	for (i = 0; i < sizeof(chip_support) / sizeof(chip_support[0]); i++)
		if (strcmp(chip_support[i].chip, c->name) == 0)
			return chip_support[i].support;
	return 0;
}

/* The public half of key @i, from its file or from the token. */
static const struct sbkey *key_at(const struct mkimage_sign *s, size_t i)
{
	return s->token[i] ? pkcs11_key_public(s->token[i]) : s->loaded[i];
}

/*
 * The one place a --sign-key argument becomes a key: a private key file, or a
 * "pkcs11:" URI naming a key in an HSM (signing then goes through the token); either
 * is checked against the Secure Boot version and the chip's ROM.
 */
static int load_key(struct mkimage_sign *s, size_t i, const struct chip *c)
{
	unsigned support = mkimage_sign_chip_support(c);
	const char *spec = s->keys[i];
	const struct sbkey *key;
	enum sbkey_scheme scheme;
	int rsa;

	if (pkcs11_is_uri(spec)) {
		if (!s->mod && pkcs11_module_open(s->pkcs11_module, &s->mod) < 0)
			return -1;
		if (pkcs11_key_open(s->mod, spec, s->pin_file, &s->token[i]) < 0)
			return -1;
	} else if (sbkey_load(spec, SB_KEY_NEED_PRIVATE, &s->loaded[i]) < 0) {
		return -1;
	}
	key = key_at(s, i);
	if (sbkey_check(key, s->version) < 0)
		return -1;
	if (s->version == 1)
		return 0;
	scheme = sbkey_scheme(key);
	rsa = scheme == SB_RSA3072;
	if (!(support & (rsa ? SIGN_CHIP_V2_RSA : SIGN_CHIP_V2_ECDSA)))
		return diag_file(spec,
				 "%s key given; Secure Boot v2 on %s verifies %s signatures only",
				 sbkey_scheme_name(scheme), c->name,
				 rsa ? "ECDSA (P-192, P-256, P-384)" : "RSA-3072");
	return 0;
}

int mkimage_sign_load_keys(struct mkimage_sign *s, const struct chip *c)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (load_key(s, i, c) < 0)
			return -1;
	return 0;
}

/* The signed image must verify with every key, each in its own block (§4). */
static int verify(const struct mkimage_sign *s, const char *name, const struct buf *signed_img)
{
	struct sbv2_verify_result res;
	size_t i;

	for (i = 0; i < s->nkeys; i++) {
		if (s->version == 1) {
			if (sbv1_verify_image(name, signed_img->data, signed_img->len,
					      key_at(s, i)) != 0)
				return diag_file(name, "the signed image does not verify with %s",
						 s->keys[i]);
			continue;
		}
		if (sbv2_verify_image(name, signed_img->data, signed_img->len, key_at(s, i), NULL,
				      &res) < 0)
			return -1;
		if (res.tampered || res.verdict[i] != SBV2_VERIFIED)
			return diag_file(name, "the signed image does not verify with %s",
					 s->keys[i]);
	}
	return 0;
}

int mkimage_sign_image(const struct mkimage_sign *s, const char *name, const struct buf *img,
		       struct buf *out)
{
	struct buf cur = BUF_INIT;
	size_t i;
	int rc = -1;

	if (!s->mod) {
		if (s->version == 1)
			rc = sbv1_sign_image(name, img->data, img->len, s->loaded[0], s->flags, out);
		else
			rc = sbv2_sign_image(name, img->data, img->len, s->loaded, s->nkeys, s->flags,
					     out);
		return rc < 0 ? -1 : verify(s, name, out);
	}
	/* with a token among the keys: one block at a time, each added to the last result */
	if (buf_append(&cur, img->data, img->len) < 0)
		goto out;
	for (i = 0; i < s->nkeys; i++) {
		out->len = 0;
		if (s->token[i])
			rc = sbsign_with_token(s->token[i], s->version, name, cur.data, cur.len, out);
		else if (s->version == 1)
			rc = sbv1_sign_image(name, cur.data, cur.len, s->loaded[i], s->flags, out);
		else
			rc = sbv2_sign_image(name, cur.data, cur.len, &s->loaded[i], 1, s->flags, out);
		if (rc < 0)
			goto out;
		rc = -1;
		cur.len = 0;
		if (buf_append(&cur, out->data, out->len) < 0)
			goto out;
	}
	rc = verify(s, name, out);
out:
	buf_free(&cur);
	return rc;
}

void mkimage_sign_free(struct mkimage_sign *s)
{
	size_t i;

	for (i = 0; i < SBV2_MAX_BLOCKS; i++) {
		sbkey_free(s->loaded[i]);
		s->loaded[i] = NULL;
		if (s->token[i])
			pkcs11_key_close(s->token[i]);
		s->token[i] = NULL;
	}
	if (s->mod)
		pkcs11_module_close(s->mod);
	s->mod = NULL;
}
