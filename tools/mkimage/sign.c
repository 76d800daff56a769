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

/*
 * The one place a --sign-key argument becomes a key: a private key file, checked
 * against the Secure Boot version and the chip's ROM. (A "pkcs11:" URI would be
 * opened here too; signing would then go through the token.)
 */
static int load_key(const char *spec, int version, const struct chip *c, struct sb_key **out)
{
	unsigned support = mkimage_sign_chip_support(c);
	enum sb_scheme scheme;
	int rsa;

	if (sb_key_load(spec, SB_KEY_NEED_PRIVATE, out) < 0)
		return -1;
	if (sb_key_check(*out, version) < 0)
		return -1;
	if (version == 1)
		return 0;
	scheme = sb_key_scheme(*out);
	rsa = scheme == SB_RSA3072;
	if (!(support & (rsa ? SIGN_CHIP_V2_RSA : SIGN_CHIP_V2_ECDSA)))
		return diag_file(spec,
				 "%s key given; Secure Boot v2 on %s verifies %s signatures only",
				 sb_scheme_name(scheme), c->name,
				 rsa ? "ECDSA (P-192, P-256, P-384)" : "RSA-3072");
	return 0;
}

int mkimage_sign_load_keys(struct mkimage_sign *s, const struct chip *c)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (load_key(s->keys[i], s->version, c, &s->loaded[i]) < 0)
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
					      s->loaded[i]) != 0)
				return diag_file(name, "the signed image does not verify with %s",
						 s->keys[i]);
			continue;
		}
		if (sbv2_verify_image(name, signed_img->data, signed_img->len, s->loaded[i], NULL,
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
	int rc;

	if (s->version == 1)
		rc = sbv1_sign_image(name, img->data, img->len, s->loaded[0], s->flags, out);
	else
		rc = sbv2_sign_image(name, img->data, img->len, s->loaded, s->nkeys, s->flags, out);
	if (rc < 0)
		return -1;
	return verify(s, name, out);
}

void mkimage_sign_free(struct mkimage_sign *s)
{
	size_t i;

	for (i = 0; i < SBV2_MAX_BLOCKS; i++) {
		sb_key_free(s->loaded[i]);
		s->loaded[i] = NULL;
	}
}
