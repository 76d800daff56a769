/* SPDX-License-Identifier: Apache-2.0 */
#include "sbsigner.h"

#include "diag.h"
#include "fileio.h"

/* A signature file is DER or raw: a few hundred bytes; anything far larger is not one. */
#define SBSIGNER_MAX_SIG_FILE 65536

/* The chip's ROM must verify this kind of key (chip table, spec/secure-boot.md §2.2). */
static int check_chip(const struct sbsigner *s, size_t i, const struct sbkey *key)
{
	const struct chip *c = s->chip;
	enum sbkey_scheme scheme = sbkey_scheme(key);

	if (!c || chip_sb_scheme_ok(c, s->version, scheme))
		return 0;
	if (!chip_sb_version_ok(c, s->version))
		return diag_file(s->keys[i], "Secure Boot v%d is not known to exist on %s",
				 s->version, c->name);
	return diag_file(s->keys[i],
			 "%s key given; Secure Boot v%d on %s verifies %s signatures only",
			 sbkey_scheme_name(scheme), s->version, c->name,
			 s->version == 1 ? "ECDSA P-256" : chip_sb_v2_schemes(c));
}

static int read_sig(struct sbsigner *s, size_t i, enum sbkey_scheme scheme)
{
	struct buf b = BUF_INIT;
	int rc = -1;

	if (fileio_read(s->sig_files[i], SBSIGNER_MAX_SIG_FILE, &b) == 0 &&
	    sbkey_sig_import(s->sig_files[i], scheme, b.data, b.len, s->sig[i]) == 0)
		rc = 0;
	buf_free(&b);
	return rc;
}

/* The one place a key argument becomes a key: a file, or a "pkcs11:" URI. */
static int open_key(struct sbsigner *s, size_t i)
{
	const char *name = s->keys[i];
	int sign_here = !s->public_only && !s->sig_files[i];
	const struct sbkey *key;

	if (pkcs11_is_uri(name)) {
		if (!s->mod && pkcs11_module_open(s->pkcs11_module, &s->mod) < 0)
			return -1;
		if (pkcs11_key_open(s->mod, name, s->pin_file, &s->token[i]) < 0)
			return -1;
	} else if (sbkey_load(name, sign_here ? SB_KEY_NEED_PRIVATE : 0, &s->file[i]) < 0) {
		return -1;
	}
	key = sbsigner_public(s, i);
	if (sbkey_check(key, s->version) < 0 || check_chip(s, i, key) < 0)
		return -1;
	if (s->sig_files[i] && read_sig(s, i, sbkey_scheme(key)) < 0)
		return -1;
	s->signer[i].key = s->file[i];
	s->signer[i].token = s->token[i];
	s->signer[i].sig = s->sig_files[i] ? s->sig[i] : NULL;
	return 0;
}

int sbsigner_open(struct sbsigner *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		if (open_key(s, i) < 0)
			return -1;
	return 0;
}

const struct sbkey *sbsigner_public(const struct sbsigner *s, size_t i)
{
	return s->token[i] ? pkcs11_key_public(s->token[i]) : s->file[i];
}

int sbsigner_sign(const struct sbsigner *s, const char *name, const uint8_t *img, size_t len,
		  struct buf *out)
{
	return sbsign_image(s->version, name, img, len, s->signer, s->nkeys, s->flags, out);
}

void sbsigner_close(struct sbsigner *s)
{
	size_t i;

	for (i = 0; i < SBV2_MAX_BLOCKS; i++) {
		sbkey_free(s->file[i]);
		s->file[i] = NULL;
		pkcs11_key_close(s->token[i]);
		s->token[i] = NULL;
	}
	pkcs11_module_close(s->mod);
	s->mod = NULL;
}
