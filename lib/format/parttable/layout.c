/* SPDX-License-Identifier: Apache-2.0 */
#include "layout.h"

#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "num.h"

static int has_suffix(const char *path, const char *suffix)
{
	size_t n = strlen(path), m = strlen(suffix);

	return n >= m && ascii_casecmp(path + n - m, suffix) == 0;
}

/* Binary when it starts with the entry magic AA 50; else INI or CSV by the file name
 * (.ini/.csv) and, failing that, by the first significant line. */
static enum layout_kind layout_detect(const char *path, const uint8_t *data, size_t len)
{
	size_t i = 0;

	if (parttable_has_magic(data, len))
		return LAYOUT_BINARY;
	if (has_suffix(path, ".ini"))
		return LAYOUT_INI;
	if (has_suffix(path, ".csv"))
		return LAYOUT_CSV;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		size_t end = i, j;

		while (end < len && data[end] != '\n')
			end++;
		while (i < end && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r'))
			i++;
		if (i < end && data[i] != '#' && data[i] != ';') {
			if (data[i] == '[')
				return LAYOUT_INI;
			for (j = i; j < end && data[j] != ','; j++)
				if (data[j] == '=')
					return LAYOUT_INI;
			return LAYOUT_CSV;
		}
		i = end + 1;
	}
	return LAYOUT_CSV;
}

static int check_bootloader_offset(const struct parttable_config *c)
{
	if (c->has_primary_bootloader && c->primary_bootloader_offset >= c->table_offset)
		return diag_error("Unsupported configuration. Primary bootloader must be below "
				  "partition table. Check --primary-bootloader-offset=0x%llx and "
				  "--offset=0x%llx",
				  (unsigned long long)c->primary_bootloader_offset,
				  (unsigned long long)c->table_offset);
	return 0;
}

int layout_load(const char *path, struct parttable_config *c, struct parttable *pt,
		enum layout_kind *kind)
{
	struct buf data = BUF_INIT;
	enum layout_kind k;
	int rc = -1;

	pt->file = path;
	if (check_bootloader_offset(c) < 0)
		goto out;
	if (fileio_read(path, LAYOUT_MAX_FILE, &data) < 0)
		goto out;
	k = layout_detect(path, data.data, data.len);
	if (kind)
		*kind = k;
	if (k == LAYOUT_BINARY) {
		if (parttable_decode(data.data, data.len, c, pt) < 0)
			goto out;
	} else {
		if (k == LAYOUT_INI ? layout_ini_parse(data.data, data.len, c, pt) < 0
				    : layout_csv_parse(data.data, data.len, c, pt) < 0)
			goto out;
		/* again for INI: its own offset setting may have moved the table */
		if (check_bootloader_offset(c) < 0)
			goto out;
		if (parttable_resolve_offsets(pt, c) < 0)
			goto out;
	}
	if (!c->no_verify && parttable_verify(pt, c) < 0)
		goto out;
	if (parttable_check_flash_size(pt, c) < 0)
		goto out;
	if (c->strict && parttable_check_strict(pt, c) < 0)
		goto out;
	rc = 0;
out:
	buf_free(&data);
	return rc;
}
