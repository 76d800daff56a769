/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UF2 (spec/flash-layout.md §5): the writer of esptool's merge-bin --format uf2 (each
 * input file its own numbered series of 512-byte blocks, the chip's family ID, an MD5
 * part after the payload) and a reader for any UF2 file of flash data.
 */
#ifndef ESPGEN_UF2_H
#define ESPGEN_UF2_H

#include <stddef.h>
#include <stdint.h>

#define UF2_BLOCK_SIZE 512u
#define UF2_DATA_SIZE 476u /* payload area: block less header (32) and final magic (4) */
#define UF2_MD5_PART 24u   /* u32 address, u32 length, MD5 of the payload */
#define UF2_MAGIC0 0x0A324655u
#define UF2_MAGIC1 0x9E5D5157u
#define UF2_MAGIC_END 0x0AB16F30u
#define UF2_FLAG_NOT_MAIN 0x0001u
#define UF2_FLAG_CONTAINER 0x1000u
#define UF2_FLAG_FAMILY 0x2000u
#define UF2_FLAG_MD5 0x4000u

struct uf2_opts {
	uint32_t family; /* the chip's UF2 family ID (chip table) */
	uint64_t chunk;	 /* payload bytes per block; 0 is refused */
	int md5;	 /* write the MD5 part (merge-bin's default; --md5-disable: 0) */
};

/* merge-bin's payload per block when --chunk-size is not given: 452 with MD5, 476 without. */
uint64_t uf2_default_chunk(int md5);

/* Receives the blocks as they are made; returns 0, or -1 with a message to stop. */
typedef int (*uf2_sink)(void *ctx, const void *data, size_t len);

/*
 * Checks that @o can write a file of @len bytes: a chunk of 0 (esptool divides by zero)
 * or a first block whose payload (and MD5 part) overflows the block (esptool's assertion)
 * is refused, as is data past 4 GiB. Returns 0, or -1 with a message naming @name.
 */
int uf2_check(const struct uf2_opts *o, uint64_t addr, size_t len, const char *name);

/*
 * Writes one input file, @len bytes at flash address @addr, as ceil(len / chunk) blocks
 * numbered from 0 (nothing for an empty file). Call uf2_check() first. Returns 0, or -1
 * when @sink fails.
 */
int uf2_encode_file(const struct uf2_opts *o, uint64_t addr, const uint8_t *data, size_t len,
		    uf2_sink sink, void *ctx);

/* One block's payload: where it goes, borrowed from the decoded bytes. */
struct uf2_piece {
	uint32_t addr;
	const uint8_t *data;
	uint32_t len;
};

/* What a UF2 file holds: the flash pieces in address order. */
struct uf2_image {
	struct uf2_piece *pieces;
	size_t n;
	size_t blocks;	   /* blocks in the file */
	size_t skipped;	   /* blocks flagged "not main flash", left out */
	int has_family;	   /* every block names a family ID ... */
	uint32_t family;   /* ... this one (the first block's) */
	int mixed_family;  /* blocks name different families */
	size_t md5_blocks; /* blocks whose MD5 part was checked */
};

/*
 * Reads UF2 @data (@len bytes, named @file in messages): every block's magics, a payload
 * length within the block, an MD5 part that matches when flagged, no file-container
 * blocks, no two blocks giving different bytes for one address. Pieces borrow @data.
 * Returns 0 (free with uf2_image_free()), or -1 with a message "FILE: block N at offset
 * 0xOFF: ...".
 */
int uf2_decode(const uint8_t *data, size_t len, const char *file, struct uf2_image *out);
void uf2_image_free(struct uf2_image *img);

/* 1 when @data starts with a UF2 block's two magic numbers. */
int uf2_is_uf2(const uint8_t *data, size_t len);

#endif
