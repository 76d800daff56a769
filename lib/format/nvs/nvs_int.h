/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the files of lib/format/nvs (not for tools: nvs.h is the API).
 * nvs_val.c: values as the generator holds them; nvs_gen.c: the generator;
 * nvs_decode.c: image -> items; nvs_csvout.c: items -> CSV; nvs_csv.c: CSV reading;
 * nvs_keys.c: keys of NVS encryption; nvs_crypt.c: encrypting and decrypting images.
 */
#ifndef ESPGEN_NVS_INT_H
#define ESPGEN_NVS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crc.h"
#include "nvs.h"

/* Format version byte of a page header (§2). */
#define NVS_V1 0xFF
#define NVS_V2 0xFE

/* CRC of an item header: bytes 0..3 and 8..31 (§3). */
static inline uint32_t nvs_entry_crc(const uint8_t e[NVS_ENTRY_SIZE])
{
	uint8_t tmp[28];

	memcpy(tmp, e, 4);
	memcpy(tmp + 4, e + 8, 24);
	return crc32_esp(tmp, sizeof(tmp));
}

/* Entry states in the page bitmap (§2): 2 bits per entry, erased flash = EMPTY. */
#define NVS_ENTRY_EMPTY 3u
#define NVS_ENTRY_WRITTEN 2u

/* State of entry @i (0..125) of the page at @pg. */
static inline unsigned nvs_entry_state(const uint8_t *pg, unsigned i)
{
	return (pg[32 + i / 4] >> ((i % 4) * 2)) & 3u;
}

/* 1 when all @n bytes at @p are 0xFF (erased flash). */
static inline int nvs_all_ff(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++ != 0xFF)
			return 0;
	return 1;
}

/* Offset of entry @i within its page. */
static inline size_t nvs_entry_off(unsigned i)
{
	return 64 + (size_t)NVS_ENTRY_SIZE * i;
}

/*
 * Span of the item whose header is entry @i of page @pg, or 0 when that header is
 * damaged: wrong CRC, span 0, or a span past the page's last entry.
 */
static inline unsigned nvs_item_span(const uint8_t *pg, unsigned i)
{
	const uint8_t *e = pg + nvs_entry_off(i);
	unsigned span = e[2];

	if (buf_get_le32(e + 4) != nvs_entry_crc(e) || span == 0 || i + span > NVS_PAGE_ENTRIES)
		return 0;
	return span;
}

/* ------------------------------------------------------------------------ */
/* nvs_val.c: a value as the generator holds it: None, text (str) or bytes (§6) */

enum nvs_vkind { V_NONE, V_STR, V_BYTES };

struct nvs_val {
	enum nvs_vkind kind;
	uint8_t *p; /* owned; NUL-terminated for convenience */
	size_t len;
};

void nvs_val_free(struct nvs_val *v);
/* Copies @len bytes at @p into @v as @kind. Returns 0, or -1 after a message. */
int nvs_val_set(struct nvs_val *v, enum nvs_vkind kind, const void *p, size_t len);
/* The CSV field as a str, or None for a missing field. 0 or -1 as nvs_val_set(). */
int nvs_val_from_field(struct nvs_val *v, const struct nvs_field *f);
/* Python truthiness of a str/bytes/None. */
int nvs_val_true(const struct nvs_val *v);
/* len() of the value: characters of a str, bytes of a bytes object. */
size_t nvs_val_units(const struct nvs_val *v);
/* Byte offset of character @unit of a str (bytes: the same number). */
size_t nvs_val_byte_off(const struct nvs_val *v, size_t unit);
/* str.strip() for text, bytes.strip() (ASCII whitespace) for bytes: a span of @v. */
void nvs_val_strip(const struct nvs_val *v, const uint8_t **p, size_t *len);

/* Characters of UTF-8 text (continuation bytes not counted). */
size_t nvs_val_utf8_chars(const uint8_t *p, size_t len);
int nvs_val_is_ascii(const uint8_t *p, size_t len);

/*
 * binascii.a2b_base64() in its default, non-strict mode, appended to @out. Returns 0,
 * or -1 with @err set (and @nchars for "invalid length"), or -1 and no @err when
 * memory runs out (message printed).
 */
int nvs_val_base64(const uint8_t *in, size_t len, struct buf *out, const char **err,
		   size_t *nchars);

/*
 * Python int(x) in base 10 of a str or bytes: *neg and *mag get sign and magnitude.
 * Returns 0, -1 when it is not such a literal, -2 when the magnitude exceeds 2^64-1.
 */
int nvs_val_int10(const struct nvs_val *v, int *neg, uint64_t *mag);

/* An integer encoding of the generator and the item type it writes (§3, §6). */
struct nvs_int_type {
	const char *name;
	uint8_t type;
	int is_signed;
	uint64_t max; /* largest magnitude of a positive value */
};

/* The integer encoding called @name (lowercase), or NULL. */
const struct nvs_int_type *nvs_val_int_named(const char *name);
/* The integer encoding of item type @type, or NULL when @type is no integer. */
const struct nvs_int_type *nvs_val_int_of_type(uint8_t type);

/* ------------------------------------------------------------------------ */
/* nvs_gen.c */

#define NVS_PMK_INFO_LEN 132

/*
 * ap.pmk_info as the generator adds it for @ssid and @passwd (§6) into @info.
 * Returns 0, or -1 after a message naming @file (and @line unless 0).
 */
int nvs_gen_pmk_info(const char *file, unsigned line, const struct nvs_val *ssid,
		     const struct nvs_val *passwd, uint8_t info[NVS_PMK_INFO_LEN]);

/* ------------------------------------------------------------------------ */
/* nvs_csvout.c */

/*
 * nvs_format_csv() with values too large for a field written to @files as 'file'
 * rows under @dir (NULL: none). *@exact set on entry asks, for an image in the
 * generator's order, that an item no row can hold fail with nvs_csvout_entry_error()
 * instead of becoming a comment; on return it tells whether that mode was used (the
 * image is in the generator's order), i.e. whether a byte comparison can follow.
 */
int nvs_csvout_write(const char *file, const struct nvs_image *im, const char *dir, int *exact,
		     struct buf *out, struct nvs_decode_files *files);
/* "FILE: page P entry E: namespace 'NS', key 'K': @why; no CSV is written". Returns -1. */
int nvs_csvout_entry_error(const char *file, const struct nvs_image *im,
			   const struct nvs_item *it, const char *why);

#endif
