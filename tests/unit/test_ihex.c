/* SPDX-License-Identifier: Apache-2.0 */
/* Intel HEX reader and writer (spec/flash-layout.md §6, §7): python3-intelhex's rules. */
#include "ihex.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"

static int to_buf(void *ctx, const void *data, size_t len)
{
	return buf_append(ctx, data, len);
}

/* @text decoded; returns 0 or -1, @err filled. */
static int decode(const char *text, struct ihex *h, struct ihex_error *err)
{
	return ihex_decode((const uint8_t *)text, strlen(text), h, err);
}

/* @text must be refused at @line with @msg (no HEX: overlap 0). */
static void refused(const char *text, unsigned long line, const char *msg, int overlap)
{
	struct ihex h;
	struct ihex_error err;

	CHECK(decode(text, &h, &err) == -1);
	CHECK(err.line == line);
	CHECK(err.overlap == overlap);
	CHECK_STR(err.msg, msg);
	CHECK(h.n == 0 && h.runs == NULL);
}

static void test_decode(void)
{
	struct ihex h;
	struct ihex_error err;
	static const uint8_t d1[] = {0x01, 0x02, 0x03, 0x04, 0xAA};

	/* records out of order join into runs; a one-byte gap splits; 04 moves the base */
	CHECK(decode(":020002000304F5\r\n"
		     ":020000000102FB\n"
		     "\n"
		     ":020000040001F9\r"
		     ":01000700AA4E\n"
		     ":00000001FF\n"
		     "anything after the end record is not read\n",
		     &h, &err) == 0);
	CHECK(h.n == 2);
	CHECK(h.runs[0].addr == 0 && h.runs[0].len == 4);
	CHECK_MEM(h.runs[0].data, d1, 4);
	CHECK(h.runs[1].addr == 0x10007 && h.runs[1].len == 1 && h.runs[1].data[0] == 0xAA);
	CHECK(h.records == 3 && !h.has_start);
	ihex_free(&h);

	/* 02 (segment * 16), lower-case digits, a start record (dropped), no end record */
	CHECK(decode(":020000021000EC\n:0400000500001234b1\n:0100000055aa\n", &h, &err) == 0);
	CHECK(h.n == 1 && h.runs[0].addr == 0x10000 && h.runs[0].data[0] == 0x55);
	CHECK(h.has_start);
	ihex_free(&h);

	/* nothing but an end record: HEX without data */
	CHECK(decode(":00000001FF\n", &h, &err) == 0);
	CHECK(h.n == 0);
	ihex_free(&h);
}

static void test_errors(void)
{
	struct ihex h;
	struct ihex_error err;
	static const uint8_t latin1[] = ":0100000055AA\n\xe9\n";

	refused(":0100000055AA\n:0100010055AB\n", 2, "checksum AB wrong, expected A9", 0);
	refused(" :0100000055AA\n", 1, "line does not start with ':'", 0);
	refused(":0100000055A\n", 1, "odd number of hex digits", 0);
	refused(":01000000G5AA\n", 1, "'G' is not a hex digit", 0);
	refused(":00000001\n", 1, "record of 4 bytes, shorter than 5", 0);
	refused(":020000005555\n", 1, "record length 2, but 1 data bytes", 0);
	refused(":00000006FA\n", 1, "record type 06 unknown (00 to 05)", 0);
	refused(":0100000100FE\n", 1, "end-of-file record with 1 data bytes", 0);
	refused(":0100000400FB\n", 1, "type 04 record needs 2 data bytes at address 0000", 0);
	refused(":0400000500000000F7\n:0400000500000000F7\n", 2, "a second start address record",
		0);
	/* trailing blanks are no hex digits either */
	refused(":0100000055AA \n", 1, "odd number of hex digits", 0);
	/* a byte given twice: HEX, but esptool stops (python3-intelhex's AddressOverlapError) */
	refused(":020000000102FB\n:0100010055A9\n", 2, "data for 0x1 given again (first on line 1)",
		1);
	/* ... unless a line before it already made the file no HEX */
	refused(":0100000055AA\n:XX\n:0100000055AA\n", 2, "'X' is not a hex digit", 0);
	/* text that is not UTF-8, even after the end record in the same 8 KiB chunk */
	CHECK(ihex_decode(latin1, sizeof(latin1) - 1, &h, &err) == -1);
	CHECK(err.line == 2 && !err.overlap);
	CHECK_STR(err.msg, "byte 0xE9 is not UTF-8 text");
}

static void test_encode(void)
{
	struct buf out = BUF_INIT;
	uint8_t d[18];
	size_t i;
	struct ihex_seg one = {0x10010, d, sizeof(d)};
	struct ihex_seg low = {0x8000, d, 3};
	struct ihex_seg cross[2] = {{0xFFF8, d, 8}, {0x10000, d + 8, 10}};

	for (i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)i;
	/* above 0xFFFF: a 04 record first; records follow the run's start, not 16-byte lines */
	CHECK(ihex_encode(&one, 1, to_buf, &out) == 0);
	CHECK(buf_fill(&out, 0, 1) == 0);
	CHECK_STR((const char *)out.data, ":020000040001F9\n"
					  ":10001000000102030405060708090A0B0C0D0E0F68\n"
					  ":020020001011BD\n"
					  ":00000001FF\n");
	out.len = 0;
	/* all below 0x10000: no 04 record at all */
	CHECK(ihex_encode(&low, 1, to_buf, &out) == 0);
	CHECK(buf_fill(&out, 0, 1) == 0);
	CHECK_STR((const char *)out.data, ":038000000001027A\n:00000001FF\n");
	out.len = 0;
	/* touching segments are one run, cut at the 64 KiB boundary, 04 before each segment */
	CHECK(ihex_encode(cross, 2, to_buf, &out) == 0);
	CHECK(buf_fill(&out, 0, 1) == 0);
	CHECK_STR((const char *)out.data, ":020000040000FA\n"
					  ":08FFF8000001020304050607E5\n"
					  ":020000040001F9\n"
					  ":0A00000008090A0B0C0D0E0F101179\n"
					  ":00000001FF\n");
	buf_free(&out);
}

static void test_round_trip(void)
{
	static uint8_t big[80000];
	struct ihex_seg segs[3] = {
	    {0x3, big, 100}, {0x2FFF1, big + 100, 0x12345}, {0x50000, big, 1}};
	struct buf out = BUF_INIT;
	struct ihex h;
	struct ihex_error err;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	CHECK(ihex_encode(segs, 3, to_buf, &out) == 0);
	CHECK(ihex_decode(out.data, out.len, &h, &err) == 0);
	CHECK(h.n == 3);
	for (i = 0; i < 3 && i < h.n; i++) {
		CHECK(h.runs[i].addr == segs[i].addr && h.runs[i].len == segs[i].len);
		CHECK_MEM(h.runs[i].data, segs[i].data, segs[i].len);
	}
	ihex_free(&h);
	buf_free(&out);
	/* out of order and past 4 GiB: refused */
	{
		struct ihex_seg bad[2] = {{0x100, big, 4}, {0x80, big, 4}};
		struct ihex_seg high = {0xFFFFFFFF, big, 2};
		struct buf msg = BUF_INIT;

		diag_set_program("t");
		msg_begin(&msg);
		CHECK(ihex_encode(bad, 2, to_buf, &out) == -1);
		CHECK(ihex_encode(&high, 1, to_buf, &out) == -1);
		msg_end(&msg, "t: Intel HEX: data at 0x80 out of order\n"
			      "t: Intel HEX: data up to 0x100000001, beyond 32-bit addresses\n");
		buf_free(&msg);
		buf_free(&out);
	}
}

int main(void)
{
	test_decode();
	test_errors();
	test_encode();
	test_round_trip();
	return check_status();
}
