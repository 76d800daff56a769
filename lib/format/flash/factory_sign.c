/* SPDX-License-Identifier: Apache-2.0 */
/* Secure Boot signing of the manifest's bootloader and apps (spec/secure-boot.md),
 * through sbsigner as esp-sign does. */
#include "factory_sign.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "flash.h"

static const enum manifest_top key_settings[SBV2_MAX_BLOCKS] = {
    MANIFEST_SIGN_KEY,
    MANIFEST_SIGN_KEY_2,
    MANIFEST_SIGN_KEY_3,
};

static int is_uri(const char *v)
{
	return strncmp(v, "pkcs11:", 7) == 0;
}

/* sign_key_2 and sign_key_3 only after the ones before them; sb_version 1 or 2. */
static int read_settings(const struct manifest *m, const struct chip *chip, struct factory_sign *fs)
{
	const struct manifest_setting *v = &m->top[MANIFEST_SB_VERSION];
	int64_t version = 2;
	size_t i;

	for (i = 1; i < SBV2_MAX_BLOCKS; i++) {
		const struct manifest_setting *k = &m->top[key_settings[i]];

		if (k->value && !m->top[key_settings[i - 1]].value)
			return manifest_error(m, k->line, "%s without %s", k->key,
					      manifest_top_name(key_settings[i - 1]));
	}
	if (!m->top[MANIFEST_SIGN_KEY].value) {
		if (v->value)
			return manifest_error(m, v->line, "sb_version without sign_key");
		return 0;
	}
	if (manifest_num(m, v, 1, 2, &version) < 0)
		return -1;
	if (!chip_sb_version_ok(chip, (int)version))
		return manifest_error(m, v->line ? v->line : m->top[MANIFEST_SIGN_KEY].line,
				      "%s has no Secure Boot v%d", chip->name, (int)version);
	if (version == 1 && m->top[MANIFEST_SIGN_KEY_2].value)
		return manifest_error(m, m->top[MANIFEST_SIGN_KEY_2].line,
				      "Secure Boot v1 takes one sign_key");
	fs->s.version = (int)version;
	return 0;
}

int factory_sign_setup(const struct manifest *m, const struct chip *chip, struct depfile *deps,
		       struct factory_sign *fs)
{
	size_t i;

	memset(fs, 0, sizeof(*fs));
	if (read_settings(m, chip, fs) < 0)
		return -1;
	if (!fs->s.version)
		return 0;
	fs->s.chip = chip;
	for (i = 0; i < SBV2_MAX_BLOCKS && m->top[key_settings[i]].value; i++) {
		const char *v = m->top[key_settings[i]].value;

		fs->paths[i] = is_uri(v) ? strdup(v) : content_input(m, v, deps);
		if (!fs->paths[i])
			return diag_error("out of memory");
		fs->s.keys[i] = fs->paths[i];
		fs->s.nkeys++;
	}
	if (sbsigner_open(&fs->s) < 0)
		return manifest_error(m, m->top[MANIFEST_SIGN_KEY].line, "cannot use sign_key %s",
				      m->top[MANIFEST_SIGN_KEY].value);
	fs->on = 1;
	return 0;
}

void factory_sign_free(struct factory_sign *fs)
{
	size_t i;

	sbsigner_close(&fs->s);
	for (i = 0; i < SBV2_MAX_BLOCKS; i++)
		free(fs->paths[i]);
	memset(fs, 0, sizeof(*fs));
}

/* A prebuilt signed image: its signature must be one the device would accept. */
static int verify(const struct factory_sign *fs, const struct manifest *m, unsigned line,
		  const struct content_region *r, int have)
{
	struct sbv2_verify_result res;
	size_t i;
	int rc;

	if (have != fs->s.version)
		return manifest_error(
		    m, line, "%s is signed for Secure Boot v%d, the manifest signs for v%d",
		    r->source, have, fs->s.version);
	for (i = 0; i < fs->s.nkeys; i++) {
		const struct sbkey *pub = sbsigner_public(&fs->s, i);

		if (have == 1)
			rc = sbv1_verify_image(r->source, r->data.data, r->data.len, pub);
		else if (sbv2_verify_image(r->source, r->data.data, r->data.len, pub, NULL, &res) <
			 0)
			rc = -1;
		else
			rc = res.verified >= 0 && !res.tampered ? 0 : 1;
		if (rc != 0)
			return manifest_error(m, line,
					      "%s is already signed but does not verify with %s",
					      r->source, m->top[key_settings[i]].value);
	}
	return 0;
}

int factory_sign_region(const struct factory_sign *fs, const struct manifest *m, unsigned line,
			struct content_region *r)
{
	struct buf out = BUF_INIT;
	int have = flash_signature_version(&r->data);

	if (have)
		return verify(fs, m, line, r, have);
	if (sbsigner_sign(&fs->s, r->source, r->data.data, r->data.len, &out) < 0) {
		buf_free(&out);
		return -1;
	}
	buf_free(&r->data);
	r->data = out;
	return 0;
}
