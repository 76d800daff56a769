/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Whole flash images (spec/flash-layout.md): placing files at addresses as
 * `esptool merge-bin` does, and patching the bootloader's flash parameters.
 */
#ifndef ESPGEN_FLASHIMG_H
#define ESPGEN_FLASHIMG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "fileio.h"

/* Largest flash image built (esptool's largest --pad-to-size). */
#define FLASHIMG_MAX_SIZE ((uint64_t)128 << 20)

/* One file to place: bytes are borrowed, not owned. */
struct flash_item {
	uint64_t addr;
	const char *name; /* for messages */
	const uint8_t *data;
	size_t len;
};

/* Flash parameters for the bootloader header; NULL fields mean "keep". */
struct flash_params {
	const char *mode;
	const char *freq;
	const char *size;
};

/* A stretch of the image: bytes (borrowed) or, with data NULL, erased flash (0xFF). */
struct flash_span {
	const uint8_t *data;
	uint64_t len;
};

/* The image as a list of spans, in flash order; nothing is copied. */
struct flash_plan {
	struct flash_span *v;
	size_t n;
	uint64_t size;
};

/*
 * Sorts @items by address (stable) into *@sorted (pointers into @items; free() it) and
 * refuses what esptool merge-bin refuses: no items ("No input data."), two files sharing
 * a 4 KiB sector; and any byte at or past @limit (FLASHIMG_MAX_SIZE for a raw image).
 * Returns 0, or -1 with a message.
 */
int flash_sort(const struct flash_item *items, size_t n, uint64_t limit,
	       const struct flash_item ***sorted);

/*
 * Sorts @items by address (stable), refuses two files sharing a 4 KiB sector and
 * files before @target_offset, and plans the image as esptool merge-bin lays it out:
 * 0xFF gaps, each file, then 0xFF up to @pad_to (an absolute flash size; 0 for
 * none). The plan borrows the items' data. Returns 0, or -1 with a message.
 */
int flash_plan(const struct flash_item *items, size_t n, uint64_t target_offset, uint64_t pad_to,
	       struct flash_plan *plan);
void flash_plan_free(struct flash_plan *plan);

/* Writes the planned bytes to @af. Returns 0, or -1 with a message. */
int flash_plan_write(const struct flash_plan *plan, struct fileio_atomic_file *af);

/* SHA-256 of the planned bytes. */
void flash_plan_sha256(const struct flash_plan *plan, uint8_t out[32]);

/* The planned bytes appended to @out (for small images and tests). Returns 0 or -1. */
int flash_plan_to_buf(const struct flash_plan *plan, struct buf *out);

/*
 * Applies --flash-mode/--flash-freq/--flash-size to a bootloader image as
 * merge-bin does: bytes 2-3 rewritten and the appended SHA-256 recomputed. @img
 * is replaced in place in @b (which may grow by a truncated digest). An input
 * that is not a valid image is left as it is, with a warning naming @name; a signed
 * image whose header changes is patched as esptool does, with a warning that its
 * signature breaks.
 * Returns 0, or -1 with a message for a value the chip does not accept.
 */
int flash_patch_bootloader(const struct chip *c, const struct flash_params *p, const char *name,
			   struct buf *b);

/*
 * Whether flash_patch_bootloader() would break a Secure Boot signature of @b: 1 or 2
 * (the signature's version) when @b is a signed app image whose header differs from
 * what @p asks for, those settings appended to @what ("flash_mode dio, not qio; ..."); 0
 * otherwise (not signed, nothing to change, not an image, or values @c refuses).
 */
int flash_signed_mismatch(const struct chip *c, const struct flash_params *p, const struct buf *b,
			  struct buf *what);

/* The Secure Boot signature an app image @b carries: 2 (a v2 signature sector), 1 (a
 * v1 block) or 0 (none, or not an app image). */
int flash_signature_version(const struct buf *b);

/* Checks that every value in @p is one esptool's command line takes for some chip.
 * Returns 0, or -1 with a message. */
int flash_params_spelling(const struct flash_params *p);

/* Checks the values in @p against what @c supports. Returns 0, or -1 with a message. */
int flash_params_check(const struct chip *c, const struct flash_params *p);

#endif
