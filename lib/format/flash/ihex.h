/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel HEX (spec/flash-layout.md §6, §7): the reader esptool's merge-bin applies to
 * every input starting with ':' (python3-intelhex's rules: what it refuses makes the
 * file a raw binary), and the writer of merge-bin --format hex.
 */
#ifndef ESPGEN_IHEX_H
#define ESPGEN_IHEX_H

#include <stddef.h>
#include <stdint.h>

/* One contiguous run of data bytes at @addr (a 32-bit HEX address plus up to 0x1FE). */
struct ihex_run {
	uint64_t addr;
	const uint8_t *data;
	size_t len;
};

/* What a HEX text holds: its runs in address order, no two touching. */
struct ihex {
	struct ihex_run *runs;
	size_t n;
	uint8_t *data;	/* every run's bytes, in address order */
	int has_start;	/* a start address record (03 or 05) was read; it is dropped */
	size_t records; /* data records read */
};

/* Why a text was refused: the 1-based line and what is wrong there. */
struct ihex_error {
	unsigned long line;
	int overlap; /* 1: the file is HEX but gives a byte twice (a hard error for esptool) */
	char msg[96];
};

/*
 * Reads the Intel HEX @text of @len bytes as python3-intelhex does: lines end at LF,
 * CR LF or CR, empty lines are skipped, reading stops at the first end-of-file record,
 * checksums, lengths and record types are checked, and text that is not UTF-8 is no
 * HEX. Returns 0 with @out filled (free with ihex_free()), or -1 with @err set and no
 * message printed: with err->overlap 0 the text is no HEX (merge-bin uses it as a raw
 * binary); with 1 it is HEX that gives a byte twice (esptool stops there).
 */
int ihex_decode(const uint8_t *text, size_t len, struct ihex *out, struct ihex_error *err);
void ihex_free(struct ihex *h);

/* One stretch of bytes to write; below 2^32, in address order, not overlapping. */
struct ihex_seg {
	uint64_t addr;
	const uint8_t *data;
	size_t len;
};

/* Receives the text as it is made; returns 0, or -1 with a message to stop. */
typedef int (*ihex_sink)(void *ctx, const void *data, size_t len);

/*
 * Writes @segs as python3-intelhex's write_hex_file() does: data records of up to 16
 * bytes from the first byte of each contiguous run (segments that touch are one run),
 * none across a 64 KiB boundary; a type 04 record before each 64 KiB segment's data
 * when some byte lies above 0xFFFF; upper-case hex, LF line ends, ":00000001FF" last.
 * Returns 0, or -1 (a message printed) for segments out of order or above 4 GiB, or
 * when @sink fails.
 */
int ihex_encode(const struct ihex_seg *segs, size_t n, ihex_sink sink, void *ctx);

#endif
