/*
 * esp-mkimage --sign-key: Secure Boot signing of the image while it is built
 * (spec/secure-boot.md). Which schemes a chip's ROM accepts is known here; keys and
 * signatures come from lib/sbkey and lib/sbsign, as in esp-sign.
 */
#ifndef ESPGEN_MKIMAGE_SIGN_H
#define ESPGEN_MKIMAGE_SIGN_H

#include <stddef.h>

#include "buf.h"
#include "chip.h"
#include "pkcs11.h"
#include "sbkey.h"
#include "sbsign.h"

struct mkimage_sign {
	int version;	/* Secure Boot 1 or 2 */
	unsigned flags; /* SB_SIGN_RANDOM */
	const char *keys[SBV2_MAX_BLOCKS];
	size_t nkeys; /* 0: no signing */
	struct sbkey *loaded[SBV2_MAX_BLOCKS]; /* key files */
	const char *pkcs11_module;		/* --pkcs11-module (NULL: p11-kit proxy) */
	const char *pin_file;			/* --pin-file */
	struct pkcs11_module *mod;			/* opened for the first "pkcs11:" key */
	struct pkcs11_key *token[SBV2_MAX_BLOCKS]; /* keys in an HSM */
};

/* Secure Boot flavours a chip's ROM verifies (spec/secure-boot.md §1, §2). */
enum {
	SIGN_CHIP_V2_RSA = 1,	/* RSA-3072 (esp32: revision v3.0 and later) */
	SIGN_CHIP_V2_ECDSA = 2, /* ECDSA P-192, P-256, P-384 */
	SIGN_CHIP_V1 = 4,	/* Secure Boot v1, ECDSA P-256 (esp32 only) */
};

/* SIGN_CHIP_* bits for @c; 0 when the spec does not say (the chip is not signed). */
unsigned mkimage_sign_chip_support(const struct chip *c);

/*
 * Loads every key and checks it suits the Secure Boot version and the chip, before
 * the image is built. Returns 0, or -1 with a message naming the key file.
 */
int mkimage_sign_load_keys(struct mkimage_sign *s, const struct chip *c);

/*
 * Signs the built image @img (the whole file esp-mkimage would write unsigned) into
 * @out, then verifies @out with every key. @name (the ELF) is used in messages.
 * Returns 0, or -1 with a message.
 */
int mkimage_sign_image(const struct mkimage_sign *s, const char *name, const struct buf *img,
		       struct buf *out);

/* Releases the loaded keys. */
void mkimage_sign_free(struct mkimage_sign *s);

#endif
