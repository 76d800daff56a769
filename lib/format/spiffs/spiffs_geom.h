/* SPDX-License-Identifier: Apache-2.0 */
/* SPIFFS on-flash constants and the geometry derived from the options, shared by the
 * encoder (spiffs.c) and the reader (spiffs_decode.c). */
#ifndef ESPGEN_SPIFFS_GEOM_H
#define ESPGEN_SPIFFS_GEOM_H

#include <stdint.h>

#include "spiffs.h"

/* Page flags (§2.2): a finished data page and a finished index page. */
#define SPIFFS_FLAGS_DATA 0xFC
#define SPIFFS_FLAGS_INDEX 0xF8
/* The flag bits a reader looks at: not deleted (bit 7, cleared on delete), and used,
 * final, index (bits 0-2, cleared when true). A device clears more bits later on. */
#define SPIFFS_FLAG_NOT_DELETED 0x80
#define SPIFFS_FLAGS_STATE 0x87
#define SPIFFS_FLAGS_LIVE_INDEX 0x80
#define SPIFFS_FLAGS_LIVE_DATA 0x84
/* Object type of a regular file, in the first index page. */
#define SPIFFS_TYPE_FILE 0x01
/* Set in the object id of index pages (in their header and their lookup slot). */
#define SPIFFS_ID_INDEX 0x8000
/* Base of the per-block magic number (§2.4). */
#define SPIFFS_MAGIC 0x20140529u
/* Data page header: object id, span index, flags. */
#define SPIFFS_DATA_HDR 5
/* Index page header: the data page header padded with 0xFF to 8 bytes. */
#define SPIFFS_IX_HDR 8
/* Largest page size: 65536 would set bit 16 of the magic and spiffsgen crashes (§2.4). */
#define SPIFFS_MAX_PAGE 32768

/* The numbers derived from the options (§2.1). */
struct spiffs_geom {
	uint32_t page, ppb, lu, usable, blocks;
	uint32_t slots;	   /* lookup slots per lookup page */
	uint32_t head;	   /* header bytes of an object's first index page */
	uint32_t head_lim; /* page numbers on the first index page */
	uint32_t lim;	   /* page numbers on each later index page */
};

/* The derived numbers for @c and an image of @size bytes (@c checked before). */
void spiffs_geom_init(const struct spiffs_config *c, uint64_t size, struct spiffs_geom *g);

/* The magic number of @block, in the second-to-last slot of its last lookup page
 * (§2.4): its position enters it unless --no-magic-len. */
uint16_t spiffs_geom_magic(const struct spiffs_config *c, const struct spiffs_geom *g,
			   uint32_t block);

#endif
