/* SPDX-License-Identifier: Apache-2.0 */
/* UF2 writer and reader (spec/flash-layout.md §5): merge-bin's block layout. */
#include "uf2.h"

#include <string.h>

#include "check.h"
#include "hash.h"
#include "testutil.h"

static int to_buf(void *ctx, const void *data, size_t len)
{
	return buf_append(ctx, data, len);
}

static void test_block_layout(void)
{
	struct uf2_opts o = {0xD42BA06C, 452, 1};
	struct buf out = BUF_INIT;
	uint8_t data[10], md5[MD5_LEN], zero[512] = {0};
	const uint8_t *b;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xA0 + i);
	CHECK(uf2_check(&o, 0x1000, sizeof(data), "f") == 0);
	CHECK(uf2_encode_file(&o, 0x1000, data, sizeof(data), to_buf, &out) == 0);
	CHECK(out.len == 512);
	b = out.data;
	CHECK(buf_get_le32(b) == 0x0A324655u && buf_get_le32(b + 4) == 0x9E5D5157u);
	CHECK(buf_get_le32(b + 8) == 0x6000);  /* family ID and MD5 present */
	CHECK(buf_get_le32(b + 12) == 0x1000); /* address */
	CHECK(buf_get_le32(b + 16) == 10);     /* payload length */
	CHECK(buf_get_le32(b + 20) == 0);      /* block number */
	CHECK(buf_get_le32(b + 24) == 1);      /* blocks of this file */
	CHECK(buf_get_le32(b + 28) == 0xD42BA06Cu);
	CHECK_MEM(b + 32, data, 10);
	/* the MD5 part right after the payload */
	hash_md5(data, 10, md5);
	CHECK(buf_get_le32(b + 42) == 0x1000 && buf_get_le32(b + 46) == 10);
	CHECK_MEM(b + 50, md5, MD5_LEN);
	CHECK_MEM(b + 66, zero, 508 - 66);
	CHECK(buf_get_le32(b + 508) == 0x0AB16F30u);
	buf_free(&out);
}

static void test_numbering(void)
{
	struct uf2_opts o = {0x1C5F21B0, 4, 0};
	struct buf out = BUF_INIT;
	static const uint8_t a[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, empty[1] = {0};

	/* blocks are numbered per file: 0..2 of 3, then 0 of 1; an empty file writes none */
	CHECK(uf2_encode_file(&o, 0x2000, a, 9, to_buf, &out) == 0);
	CHECK(uf2_encode_file(&o, 0x3000, empty, 0, to_buf, &out) == 0);
	CHECK(uf2_encode_file(&o, 0x4000, a, 3, to_buf, &out) == 0);
	CHECK(out.len == 4 * 512);
	CHECK(buf_get_le32(out.data + 8) == 0x2000); /* no MD5 flag */
	CHECK(buf_get_le32(out.data + 512 * 2 + 12) == 0x2008);
	CHECK(buf_get_le32(out.data + 512 * 2 + 16) == 1);
	CHECK(buf_get_le32(out.data + 512 * 2 + 20) == 2);
	CHECK(buf_get_le32(out.data + 512 * 2 + 24) == 3);
	CHECK(buf_get_le32(out.data + 512 * 3 + 20) == 0);
	CHECK(buf_get_le32(out.data + 512 * 3 + 24) == 1);
	CHECK(out.data[512 * 2 + 33] == 0); /* no MD5 part: zeros after the payload */
	buf_free(&out);
	CHECK(uf2_default_chunk(1) == 452 && uf2_default_chunk(0) == 476);
}

static void test_limits(void)
{
	struct uf2_opts o = {0, 0, 1};
	struct buf msg = BUF_INIT;

	diag_set_program("t");
	msg_begin(&msg);
	CHECK(uf2_check(&o, 0, 0, "f") == -1);
	o.chunk = 456;
	CHECK(uf2_check(&o, 0, 1000, "f") == -1);
	CHECK(uf2_check(&o, 0, 452, "f") == 0); /* a first block that fits is fine */
	o.md5 = 0;
	o.chunk = 480;
	CHECK(uf2_check(&o, 0, 477, "f") == -1);
	CHECK(uf2_check(&o, 0, 476, "f") == 0);
	CHECK(uf2_check(&o, 0xFFFFFF00u, 0x101, "f") == -1);
	CHECK(uf2_check(&o, 0xFFFFFF00u, 0x100, "f") == 0);
	msg_end(&msg,
		"t: --chunk-size 0: a UF2 block needs at least 4 payload bytes\n"
		"t: f: a UF2 block holds at most 452 payload bytes with MD5, not --chunk-size "
		"456\n"
		"t: f: a UF2 block holds at most 476 payload bytes, not --chunk-size 480\n"
		"t: f: at 0xffffff00: UF2 addresses end at 4 GiB\n");
	buf_free(&msg);
}

static void test_decode(void)
{
	struct uf2_opts o = {0x540DDF62, 452, 1};
	struct buf out = BUF_INIT, msg = BUF_INIT;
	struct uf2_image img;
	static uint8_t data[1000];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	CHECK(uf2_encode_file(&o, 0x9000, data, 100, to_buf, &out) == 0);
	CHECK(uf2_encode_file(&o, 0x8000, data, 1000, to_buf, &out) == 0);
	CHECK(uf2_is_uf2(out.data, out.len));
	CHECK(uf2_decode(out.data, out.len, "f", &img) == 0);
	CHECK(img.blocks == 4 && img.n == 4 && img.md5_blocks == 4);
	CHECK(img.has_family && img.family == 0x540DDF62u && !img.mixed_family);
	/* pieces in address order */
	CHECK(img.pieces[0].addr == 0x8000 && img.pieces[0].len == 452);
	CHECK(img.pieces[2].addr == 0x8000 + 904 && img.pieces[2].len == 96);
	CHECK(img.pieces[3].addr == 0x9000 && img.pieces[3].len == 100);
	CHECK_MEM(img.pieces[1].data, data + 452, 452);
	uf2_image_free(&img);

	diag_set_program("t");
	msg_begin(&msg);
	CHECK(uf2_decode(out.data, 1000, "f", &img) == -1);
	out.data[512 + 40] ^= 1; /* a payload byte of block 1: its MD5 no longer matches */
	CHECK(uf2_decode(out.data, out.len, "f", &img) == -1);
	out.data[512 + 40] ^= 1;
	out.data[3 * 512 + 508] = 0; /* the final magic of block 3 */
	CHECK(uf2_decode(out.data, out.len, "f", &img) == -1);
	msg_end(&msg, "t: f: UF2: 1000 bytes, not a whole number of 512-byte blocks\n"
		      "t: f: UF2 block 1 at offset 0x200: MD5 part does not match the payload\n"
		      "t: f: UF2 block 3 at offset 0x600: bad magic numbers\n");
	buf_free(&msg);
	buf_free(&out);
}

int main(void)
{
	test_block_layout();
	test_numbering();
	test_limits();
	test_decode();
	return check_status();
}
