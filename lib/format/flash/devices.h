/* SPDX-License-Identifier: Apache-2.0 */
/* The devices CSV of a batch (esp-mkflash --devices). */
#ifndef ESPGEN_DEVICES_H
#define ESPGEN_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "content.h"

#define DEVICES_MAX 1000000
#define DEVICES_MAX_COLUMNS 256

/* The index of a batch, in OUTDIR beside the device directories: no device takes its name. */
#define DEVICES_INDEX_NAME "index.csv"
/* The regions all devices share (esp-mkflash --output-mode regions): reserved in every mode,
 * so that OUTDIR can change modes. */
#define DEVICES_COMMON_NAME "common"
/* Which key file the batch generated for which device (device_id,kind,file). */
#define DEVICES_KEYS_NAME "keys.csv"

/*
 * Whether @name is a shard's index file "<stem>-K-of-N.csv" (@stem "index" or "keys"),
 * K and N decimal; fills @k and @n (either may be NULL). No device takes such a name.
 */
int devices_shard_name(const char *name, const char *stem, unsigned *k, unsigned *n);

/* One device: its fields lie one after the other, each NUL-terminated, in the text. */
struct devices_row {
	uint32_t off; /* of the first field in devices.text */
	uint32_t line;
	uint32_t nfields;
};

/*
 * The file is kept as read, its fields unquoted in place (a field never grows), so the
 * whole CSV costs its own size plus 12 bytes a row: a million rows fit in memory.
 */
struct devices {
	const char *file;
	struct buf text;
	const char **names; /* the header's column names, into @text */
	size_t ncols;
	unsigned header_line;
	struct devices_row *rows;
	size_t n;
	size_t cap;
	size_t id_col; /* the 'device_id' column, else 0 */
};

/*
 * Reads @file: a header of distinct, non-empty column names, then at least one row
 * with as many fields, each row's id usable as a file name (not DEVICES_INDEX_NAME) and
 * unique, no value holding a NUL byte or invalid UTF-8. Returns 0, or -1 with a
 * FILE:LINE message naming the column; free @d with devices_free() either way.
 */
int devices_load(const char *file, struct devices *d);
void devices_free(struct devices *d);

/* The id of device @i (borrowed from @d). */
const char *devices_id(const struct devices *d, size_t i);

/* Row @i as the content handlers see a device: @values (d->ncols entries, the
 * caller's) receives the row's fields; @dev borrows from @d and @values. */
void devices_get(const struct devices *d, size_t i, const char **values,
		 struct content_device *dev);

#endif
