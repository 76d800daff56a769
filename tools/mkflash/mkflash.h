/* esp-mkflash internals shared by the merge form (main.c) and the manifest form. */
#ifndef ESPGEN_MKFLASH_H
#define ESPGEN_MKFLASH_H

#include "buf.h"

/*
 * Builds the factory image described by the manifest at @path and writes it to
 * @output, with its description in FLASH.json beside it (OUT.bin -> OUT.json,
 * other names get .json appended). Both files appear, or neither. Returns 0, or -1
 * with a message (FILE:LINE where it applies).
 */
int manifest_build(const char *path, const char *output);

#endif
