/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkfs's read side (read.c), called from main.c. */
#ifndef ESPGEN_MKFS_H
#define ESPGEN_MKFS_H

#include "spiffs.h"

/*
 * Prints the files of the SPIFFS image @image (geometry @c): one line per file, "SHA-256
 * SIZE NAME", or with @json a JSON object {"type", "files": [{name, size, sha256}]}; to
 * @output ("-" or NULL: standard output). Returns 0, or -1 with a message.
 */
int mkfs_list(const struct spiffs_config *c, const char *image, int json, const char *output);

/*
 * Writes the files of the SPIFFS image @image below the directory @dir (made if missing),
 * subdirectories as the names say. Every name is checked before the first file is
 * written. Returns 0, or -1 with a message.
 */
int mkfs_extract(const struct spiffs_config *c, const char *image, const char *dir);

#endif
