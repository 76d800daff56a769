/* SPDX-License-Identifier: Apache-2.0 */
/* The devices CSV of a batch (esp-mkflash --devices). */
#ifndef ESPGEN_DEVICES_H
#define ESPGEN_DEVICES_H

#include <stddef.h>

#include "content.h"

#define DEVICES_MAX 1000000
#define DEVICES_MAX_COLUMNS 256

struct devices_row {
	char **f;
	size_t n;
	unsigned line;
};

struct devices {
	const char *file;
	struct devices_row header;
	struct devices_row *rows;
	size_t n;
	size_t id_col; /* the 'device_id' column, else 0 */
};

/*
 * Reads @file: a header of distinct, non-empty column names, then at least one row
 * with as many fields, each row's id usable as a file name and unique. Returns 0, or
 * -1 with a FILE:LINE message; free @d with devices_free() either way.
 */
int devices_load(const char *file, struct devices *d);
void devices_free(struct devices *d);

/* Row @i as the content handlers see a device (borrows from @d). */
void devices_get(const struct devices *d, size_t i, struct content_device *dev);

#endif
