/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF -> ESP app image, the whole of `esptool elf2image` as one call: load the ELF
 * (libelf), check it fits the chip, pick the MMU page size, merge and lay out the
 * segments, and encode (spec/app-image.md). Used by esp-mkimage and by
 * esp-mkflash's manifest form.
 */
#ifndef ESPGEN_ELF2IMAGE_H
#define ESPGEN_ELF2IMAGE_H

#include <stdint.h>

#include "buf.h"
#include "chip.h"

struct elf2image_opts {
	const struct chip *chip;
	uint8_t flash_mode;
	uint8_t size_code;
	uint8_t freq_code;
	uint8_t min_rev;
	uint16_t min_rev_full;
	uint16_t max_rev_full;
	int secure_pad;		   /* --secure-pad (Secure Boot v1; esp32 only) */
	int secure_pad_v2;
	int64_t elf_sha256_offset; /* 0: not given (esptool treats 0 the same) */
	int no_digest;
	int use_segments;
	uint32_t mmu_page_size; /* 0: not given */
	uint64_t pad_to_size;
	int ram_only_header;
};

/* esptool's defaults for @c: qio, 1MB, the chip's default frequency, revisions 0-0xFFFF. */
void elf2image_opts_init(struct elf2image_opts *o, const struct chip *c);

/*
 * Sets the header flash parameters from their spellings; NULL or "keep" leaves the
 * default. Returns 0, or -1 (no message) naming nothing: the caller words the error.
 */
int elf2image_set_flash(struct elf2image_opts *o, const char *mode, const char *freq,
			const char *size);

/* --flash-mmu-page-size spellings 64KB, 32KB, 16KB, 8KB. Returns 0, or -1 (no message). */
int elf2image_set_mmu_page_size(struct elf2image_opts *o, const char *size);

/* Converts the ELF at @path and appends the image to @out. Returns 0, or -1 with a message. */
int elf2image(const struct elf2image_opts *o, const char *path, struct buf *out);

#endif
