/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The factory manifest as written (README "esp-mkflash"): an INI file with the
 * chip, the flash settings, the layout and the bootloader before the first
 * section, then one [label] section per partition to fill. This module only reads
 * it into settings with their lines and offers the value helpers the content
 * handlers (content.h) share; what the sections mean is theirs.
 */
#ifndef ESPGEN_MANIFEST_H
#define ESPGEN_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

/* One 'key = value' line. */
struct manifest_setting {
	char *key;
	char *value;
	unsigned line;
};

/* One [label] section: its settings in the order written. */
struct manifest_section {
	char *label;
	unsigned line;
	struct manifest_setting *v;
	size_t n;
};

/* The settings before the first section. */
enum manifest_top {
	MANIFEST_CHIP,
	MANIFEST_FLASH_MODE,
	MANIFEST_FLASH_FREQ,
	MANIFEST_FLASH_SIZE,
	MANIFEST_LAYOUT,
	MANIFEST_BOOTLOADER,
	MANIFEST_FILL, /* the required settings come before it */
	MANIFEST_FLASH_ENCRYPTION_KEY,
	MANIFEST_FLASH_CRYPT_CONF,
	MANIFEST_SIGN_KEY, /* up to three keys: sign_key, sign_key_2, sign_key_3 */
	MANIFEST_SIGN_KEY_2,
	MANIFEST_SIGN_KEY_3,
	MANIFEST_SB_VERSION,
	MANIFEST_TOP_COUNT
};

struct manifest {
	const char *file; /* as given: messages name it */
	char *dir;	  /* paths in it resolve relative to its directory */
	struct manifest_setting top[MANIFEST_TOP_COUNT]; /* value NULL: not set */
	struct manifest_section *sec;
	size_t nsec;
};

/*
 * Reads the manifest at @path into @m (which must be zeroed; free it with
 * manifest_free() on every path). Refuses repeated sections and keys, unknown
 * top-level settings and section keys no content handler takes. Returns 0, or -1
 * with a FILE:LINE message.
 */
int manifest_load(const char *path, struct manifest *m);
void manifest_free(struct manifest *m);

/* The spelling of a top-level setting. */
const char *manifest_top_name(enum manifest_top k);

/* @key of section @s, or NULL when it is not set. */
const struct manifest_setting *manifest_get(const struct manifest_section *s, const char *key);

/* @rel resolved against the manifest's directory (absolute paths stay as they are);
 * malloc'd, NULL when out of memory. */
char *manifest_path(const struct manifest *m, const char *rel);

/* Prints "MANIFEST:LINE: message" (no line for 0) and returns -1. */
int manifest_error(const struct manifest *m, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A yes/no value (yes, true, 1, no, false, 0; case-insensitive words). @s NULL
 * leaves 0. Returns 0, or -1 with a message. */
int manifest_bool(const struct manifest *m, const struct manifest_setting *s, int *out);

/* A number from @lo to @hi as Python's int() reads it; @s NULL leaves @out as it
 * is. Returns 0, or -1 with a message. */
int manifest_num(const struct manifest *m, const struct manifest_setting *s, int64_t lo,
		 int64_t hi, int64_t *out);

#endif
