/* esp-mkflash internals shared by the merge form (main.c) and the manifest form. */
#ifndef ESPGEN_MKFLASH_H
#define ESPGEN_MKFLASH_H

#include "buf.h"

/*
 * Builds the factory image described by the manifest at @path into @bin and its
 * description into @json. Returns 0, or -1 with a message (FILE:LINE where it applies).
 */
int manifest_build(const char *path, struct buf *bin, struct buf *json);

#endif
