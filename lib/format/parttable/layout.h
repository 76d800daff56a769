/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Partition layouts from files: ESP-IDF CSV (spec/partition-table.md §2), the native
 * INI form (spec/interface.md) and binary tables, into the parttable model.
 */
#ifndef ESPGEN_LAYOUT_H
#define ESPGEN_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "parttable.h"

/* Largest layout file read (a full table is about 100 lines). */
#define LAYOUT_MAX_FILE ((size_t)1 << 20)
/* Most partitions an INI layout may declare (95 fit without the MD5 row). */
#define LAYOUT_INI_MAX_PARTS 95

enum layout_kind { LAYOUT_BINARY, LAYOUT_CSV, LAYOUT_INI };


/* CSV text to entries, every line's errors as gen_esp32part.py words them, with
 * FILE:LINE. Offsets are not resolved yet. */
int layout_csv_parse(const uint8_t *data, size_t len, const struct parttable_config *c,
		     struct parttable *pt);

/* INI text to entries; table settings update @c where the command line did not set
 * them. Offsets are not resolved yet. */
int layout_ini_parse(const uint8_t *data, size_t len, struct parttable_config *c,
		     struct parttable *pt);

/*
 * Reads @path, parses or decodes it, and resolves offsets; then, unless
 * c->no_verify, verifies; then the flash size check; then, with c->strict (--strict or
 * the INI's strict = yes), parttable_check_strict(). @kind (may be NULL) receives
 * what the file was. Returns 0 or -1 with a message.
 */
int layout_load(const char *path, struct parttable_config *c, struct parttable *pt,
		enum layout_kind *kind);

#endif
