/* SPDX-License-Identifier: Apache-2.0 */
/*
 * INI files with line numbers, on top of inih. Debian's libinih is built without
 * line numbers in its handler, with multi-line values and 200-byte lines, so lines
 * are fed through our own reader, which counts them, reports section headers
 * (inih does not report empty sections) and refuses what inih would quietly
 * misread: over-long lines, NUL bytes, invalid UTF-8 and indented continuation lines.
 */
#ifndef ESPGEN_INIFILE_H
#define ESPGEN_INIFILE_H

#include <stddef.h>
#include <stdint.h>

struct inifile_ops {
	/* A "[name]" header at @line. Return 0, or -1 after printing a message. */
	int (*section)(void *user, const char *name, unsigned line);
	/* "key = value" at @line; @section is NULL before the first header. */
	int (*key)(void *user, const char *section, const char *key, const char *value,
		   unsigned line);
};

/*
 * Parses @len bytes of INI text named @file (for messages). Stops at the first
 * error, printed as "PROG: FILE:LINE: message". Returns 0 or -1.
 */
int inifile_parse(const char *file, const uint8_t *data, size_t len, const struct inifile_ops *ops,
		  void *user);

#endif
