/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkfs's read side (read.c), called from main.c. */
#ifndef ESPGEN_MKFS_H
#define ESPGEN_MKFS_H

#include "spiffs.h"

enum mkfs_type { MKFS_NONE = 0, MKFS_SPIFFS, MKFS_FAT };

/*
 * Prints the files of the image @image: one line per file, "SHA-256 SIZE NAME", or with
 * @json a JSON object {"type", "files": [{name, size, sha256}]} (FAT adds
 * "wear_levelling"); to @output ("-" or NULL: standard output). @type MKFS_NONE reads a
 * FAT image when it is one, else SPIFFS of geometry @c. Returns 0, or -1 with a message.
 */
int mkfs_list(enum mkfs_type type, const struct spiffs_config *c, const char *image, int json,
	      const char *output);

/*
 * Writes the files (and FAT directories) of the image @image (type as for mkfs_list)
 * below the directory @dir (made if missing). Every name is checked before the first
 * file is written. Returns 0, or -1 with a message.
 */
int mkfs_extract(enum mkfs_type type, const struct spiffs_config *c, const char *image,
		 const char *dir);

#endif
