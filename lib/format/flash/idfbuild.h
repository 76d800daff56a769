/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ESP-IDF build directories as input (docs/esp-idf.md): the chip, flash settings and
 * ADDR FILE list that idf.py records in BUILD/flasher_args.json, merged as `esptool
 * merge-bin @flash_args` merges them, or turned into a factory manifest (manifest.h)
 * that builds the same regions.
 */
#ifndef ESPGEN_IDFBUILD_H
#define ESPGEN_IDFBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "flash.h"
#include "flash_merge.h"

/* One "ADDR" : "FILE" of flash_files. */
struct idfbuild_file {
	uint64_t addr;
	char *key;  /* the address as written, for messages */
	char *file; /* as written: relative to the build directory (or absolute) */
	char *path; /* @file as this process opens it */
};

struct idfbuild {
	char *dir;
	char *json; /* DIR/flasher_args.json: messages name it */
	const struct chip *chip;
	char *setting[3];	    /* flash_mode, flash_freq, flash_size as written */
	struct flash_params params; /* the same, "keep" as NULL (borrowed from @setting) */
	struct idfbuild_file *v;    /* in the order of the JSON */
	size_t n;
	int has_table;	       /* a "partition-table" entry names the table */
	uint64_t table_offset; /* its offset */
};

/*
 * Reads @dir/flasher_args.json into @b (zeroed; free with idfbuild_free() on every path):
 * extra_esptool_args.chip, flash_settings and flash_files, checking each as merge-bin
 * would and that every file exists. Returns 0, or -1 with a message naming the JSON file
 * and the path of the bad field.
 */
int idfbuild_load(const char *dir, struct idfbuild *b);
void idfbuild_free(struct idfbuild *b);

/* flash_merge_init() with the build's chip and settings, then flash_merge_add() of every
 * file. @b must outlive @m; free @m with flash_merge_free() on every path. Returns 0, or
 * -1 with a message. */
int idfbuild_merge_init(const struct idfbuild *b, struct flash_merge *m);

#endif
