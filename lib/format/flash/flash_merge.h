/* SPDX-License-Identifier: Apache-2.0 */
/*
 * esptool merge-bin as a whole (spec/flash-layout.md §2, §5-§7): ADDR FILE inputs read,
 * Intel HEX inputs split into their runs, the bootloader patched, and the result written
 * as a raw image, Intel HEX or UF2.
 */
#ifndef ESPGEN_FLASH_MERGE_H
#define ESPGEN_FLASH_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "flash.h"

enum flash_merge_format {
	FLASH_MERGE_RAW,
	FLASH_MERGE_HEX,
	FLASH_MERGE_UF2,
};

/* The inputs read so far; each item owns a copy of its bytes. */
struct flash_merge {
	const struct chip *chip;
	struct flash_params params;
	struct flash_item *items;
	struct buf *data; /* items[i]'s bytes */
	char **names;	  /* items[i]'s name when made here (a HEX run), else NULL */
	size_t n, cap;
};

/* An empty input list for @c, whose bootloader @p patches (copied; strings borrowed). */
void flash_merge_init(struct flash_merge *m, const struct chip *c, const struct flash_params *p);
void flash_merge_free(struct flash_merge *m);

/*
 * Reads @file for flash address @addr: a file whose first byte is ':' and that parses as
 * Intel HEX becomes one input per contiguous run at the addresses it holds (@addr
 * ignored; a file that does not parse is used raw, with a warning naming its line); the
 * input at the chip's bootloader offset is patched (flash_patch_bootloader()). @file is
 * borrowed. Returns 0, or -1 with a message.
 */
int flash_merge_add(struct flash_merge *m, uint64_t addr, const char *file);

struct flash_merge_out {
	enum flash_merge_format format;
	uint64_t target_offset; /* raw only */
	uint64_t pad_to;	/* raw only: absolute flash size, 0 for none */
	uint64_t chunk;		/* uf2: payload per block (0 is refused when writing) */
	int chunk_given;	/* uf2: @chunk was given; else merge-bin's default */
	int md5_disable;	/* uf2 */
};

/*
 * Checks the inputs as merge-bin does (sorted, no shared 4 KiB sector, nothing before the
 * target offset; for uf2 the chunk size against each file) and writes them to @output
 * atomically in @o's format. Nothing is written when a check fails. Returns 0, or -1
 * with a message.
 */
int flash_merge_write(const struct flash_merge *m, const struct flash_merge_out *o,
		      const char *output);

#endif
