/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure Boot signing of a factory image: with 'sign_key' (and 'sign_key_2',
 * 'sign_key_3', 'sb_version') in the manifest, the bootloader and every app the
 * manifest converts or takes are signed before any flash encryption; an app that is
 * already signed is verified with those keys instead.
 */
#ifndef ESPGEN_FACTORY_SIGN_H
#define ESPGEN_FACTORY_SIGN_H

#include "chip.h"
#include "content.h"
#include "depfile.h"
#include "manifest.h"
#include "sbsigner.h"

struct factory_sign {
	int on;
	struct sbsigner s;
	char *paths[SBV2_MAX_BLOCKS]; /* the keys resolved against the manifest */
};

/*
 * Reads the signing settings of @m and opens their keys for @chip into @fs (zeroed
 * first; @fs->on stays 0 without 'sign_key'). Key files are recorded in @deps.
 * Returns 0, or -1 with a message (FILE:LINE where it applies).
 */
int factory_sign_setup(const struct manifest *m, const struct chip *chip, struct depfile *deps,
		       struct factory_sign *fs);
void factory_sign_free(struct factory_sign *fs);

/*
 * Signs the app image r->data in place, or, when it is already signed, checks that its
 * signature is of the manifest's version and verifies with every key. @line: where the
 * manifest names the image. Returns 0, or -1 with a message.
 */
int factory_sign_region(const struct factory_sign *fs, const struct manifest *m, unsigned line,
			struct content_region *r);

#endif
