/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A factory manifest (manifest.h) from an ESP-IDF build directory (idfbuild.h): the
 * starting point of a factory image that later gains otadata, NVS and per-device data.
 */
#ifndef ESPGEN_IDFBUILD_MANIFEST_H
#define ESPGEN_IDFBUILD_MANIFEST_H

#include "idfbuild.h"

/*
 * Writes a manifest at @manifest that builds the same regions as the merge of @b: chip
 * and flash settings, the partition table decoded into an INI layout beside it
 * (idfbuild_manifest_layout_path()), the bootloader, and `file =` in the section of the
 * partition each other file starts at; paths relative to the manifest. Both files appear,
 * or neither. Refused (with a message) when the build names no partition table or no
 * bootloader, a file starts at no partition or does not fit it, the table does not read
 * back to the same bytes, or a setting is 'keep'. Returns 0 or -1.
 */
int idfbuild_manifest_write(const struct idfbuild *b, const char *manifest);

/* The layout written beside @manifest: NAME.ini -> NAME.partitions.ini, other names get
 * .partitions.ini appended. malloc'd; NULL when out of memory. */
char *idfbuild_manifest_layout_path(const char *manifest);

#endif
