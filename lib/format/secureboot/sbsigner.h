/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The keys of one signing run, named as a user gives them (spec/secure-boot.md): key
 * files, "pkcs11:" URIs of keys in a PKCS#11 token, and signatures made elsewhere with
 * their public keys. Every key is opened and checked (against the Secure Boot version
 * and, when known, the chip's ROM) before anything is built, then sbsign_image() adds
 * the signatures. esp-sign and esp-mkimage --sign-key both go through here.
 */
#ifndef ESPGEN_SBSIGNER_H
#define ESPGEN_SBSIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "pkcs11.h"
#include "sbkey.h"
#include "sbsign.h"

struct sbsigner {
	/* set by the caller (zero the struct first) */
	int version;			   /* Secure Boot 1 or 2 */
	unsigned flags;			   /* SB_SIGN_RANDOM */
	const struct chip *chip;	   /* its ROM's schemes are enforced; NULL: any */
	const char *pkcs11_module;	   /* for "pkcs11:" keys; NULL: p11-kit's proxy */
	const char *pin_file;		   /* token PIN; NULL: pin-source or the environment */
	int public_only;		   /* keys only verify or name a digest: no signing */
	const char *keys[SBV2_MAX_BLOCKS]; /* key files or "pkcs11:" URIs */
	/* a signature made elsewhere with the private half of keys[i], or NULL: sign here */
	const char *sig_files[SBV2_MAX_BLOCKS];
	size_t nkeys;

	/* set by sbsigner_open() */
	struct pkcs11_module *mod; /* loaded for the first "pkcs11:" key */
	struct sbkey *file[SBV2_MAX_BLOCKS];
	struct pkcs11_key *token[SBV2_MAX_BLOCKS];
	uint8_t sig[SBV2_MAX_BLOCKS][SB_MAX_SIG];
	struct sbsign_signer signer[SBV2_MAX_BLOCKS];
};

/*
 * Opens every key in order: a key file through sbkey (the private key, unless the key
 * only checks a signature or @public_only is set), a "pkcs11:" URI through the token; the
 * key must suit @version and the chip; a signature file is read and imported. Returns 0,
 * or -1 with a message naming the key or file. Call sbsigner_close() either way.
 */
int sbsigner_open(struct sbsigner *s);

/* The public half of key @i (after sbsigner_open()); owned by @s. */
const struct sbkey *sbsigner_public(const struct sbsigner *s, size_t i);

/* sbsign_image() with every key of @s: signs @img (named @name in messages) into @out. */
int sbsigner_sign(const struct sbsigner *s, const char *name, const uint8_t *img, size_t len,
		  struct buf *out);

/* Releases the keys, the token sessions and the module; the names stay. */
void sbsigner_close(struct sbsigner *s);

#endif
