/* SPDX-License-Identifier: Apache-2.0 */
/* The SPIFFS encoder (spec/filesystems.md §2): page bytes, allocation across index pages
 * and blocks, magic numbers, and the geometry and name checks. */
#include "spiffs.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"

static const uint8_t *page(const struct buf *b, uint32_t size, uint32_t n)
{
	return b->data + (size_t)n * size;
}

static int all_ff(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xFF)
			return 0;
	return 1;
}

/* One 3-byte file in a 2-block image: lookup page, index page, data page, magic. */
static void test_one_file(void)
{
	static const uint8_t ix_hdr[] = {0x01, 0x80, 0x00, 0x00, 0xF8, 0xFF, 0xFF, 0xFF,
					 0x03, 0x00, 0x00, 0x00, 0x01, '/',  'a'};
	static const uint8_t data_hdr[] = {0x01, 0x00, 0x00, 0x00, 0xFC, 'a', 'b', 'c'};
	struct spiffs_config c;
	struct spiffs_file f = {"/a", (const uint8_t *)"abc", 3};
	struct buf out = BUF_INIT;
	const uint8_t *p;
	size_t i;

	spiffs_config_default(&c);
	CHECK(spiffs_build(&c, 0x2000, &f, 1, &out) == 0);
	CHECK(out.len == 0x2000);
	if (out.len != 0x2000)
		return;
	/* lookup page: index page of object 1, its data page, magic 0x20140529^0x100^2 */
	p = page(&out, 256, 0);
	CHECK_MEM(p, "\x01\x80\x01\x00", 4);
	CHECK(all_ff(p + 4, 248));
	CHECK(p[252] == 0x2B && p[253] == 0x04 && p[254] == 0xFF && p[255] == 0xFF);
	/* index page: header, size, type, name padded with NULs, 4 meta bytes, page 2 */
	p = page(&out, 256, 1);
	CHECK_MEM(p, ix_hdr, sizeof(ix_hdr));
	for (i = 15; i < 49; i++)
		CHECK(p[i] == 0);
	CHECK(p[49] == 2 && p[50] == 0);
	CHECK(all_ff(p + 51, 256 - 51));
	p = page(&out, 256, 2);
	CHECK_MEM(p, data_hdr, sizeof(data_hdr));
	CHECK(all_ff(p + 8, 248));
	CHECK(all_ff(page(&out, 256, 3), 0x1000 - 3 * 256));
	/* block 1, unused: only the magic, with block count 2 - 1 */
	p = page(&out, 256, 16);
	CHECK(all_ff(p, 252) && p[252] == 0x28 && p[253] == 0x04);
	CHECK(all_ff(p + 254, 0x1000 - 254));
	buf_free(&out);

	/* big-endian fields, aligned table (header 50), no magic length, no magic */
	c.big_endian = 1;
	c.aligned_obj_ix_tables = 1;
	c.use_magic_len = 0;
	CHECK(spiffs_build(&c, 0x2000, &f, 1, &out) == 0);
	CHECK_MEM(page(&out, 256, 0), "\x80\x01\x00\x01", 4);
	CHECK(page(&out, 256, 0)[252] == 0x04 && page(&out, 256, 0)[253] == 0x29);
	CHECK(page(&out, 256, 16)[252] == 0x04 && page(&out, 256, 16)[253] == 0x29);
	CHECK_MEM(page(&out, 256, 1) + 8, "\x00\x00\x00\x03\x01", 5);
	CHECK(page(&out, 256, 1)[49] == 0 && page(&out, 256, 1)[50] == 0 &&
	      page(&out, 256, 1)[51] == 2 && page(&out, 256, 1)[52] == 0xFF);
	buf_free(&out);
	c.use_magic = 0;
	CHECK(spiffs_build(&c, 0x2000, &f, 1, &out) == 0);
	CHECK(all_ff(page(&out, 256, 0) + 4, 252));
	CHECK(all_ff(page(&out, 256, 16), 0x1000));
	buf_free(&out);
}

/* A file over two blocks keeps its index page in the first one; a full first index
 * page is followed by span 1, placed before the data page that needs it. */
static void test_spans(void)
{
	struct spiffs_config c;
	struct spiffs_file f;
	struct buf out = BUF_INIT;
	uint8_t *data = malloc(123 * 10);
	static const uint8_t want[] = {2, 3, 4, 5, 6, 7, 9, 10, 11, 12};
	const uint8_t *p;
	size_t i;

	if (!data)
		return;
	memset(data, 0x5A, 123 * 10);
	f.name = "/big";
	f.data = data;
	f.len = 123 * 10;
	/* P 128, B 1024: 8 pages, 1 lookup page, 123 content bytes per data page */
	spiffs_config_default(&c);
	c.page_size = 128;
	c.block_size = 1024;
	CHECK(spiffs_build(&c, 0x1000, &f, 1, &out) == 0);
	p = page(&out, 128, 1);
	for (i = 0; i < sizeof(want); i++)
		CHECK(p[49 + 2 * i] == want[i] && p[50 + 2 * i] == 0);
	CHECK(p[49 + 2 * 10] == 0xFF);
	/* block 1's lookup page: four data pages of object 1 */
	CHECK_MEM(page(&out, 128, 8), "\x01\x00\x01\x00\x01\x00\x01\x00\xff\xff", 10);
	/* data span 6 is page 9 */
	CHECK_MEM(page(&out, 128, 9), "\x01\x00\x06\x00\xfc\x5a", 6);
	buf_free(&out);

	/* name field of 100: the first index page holds (128 - 117) / 2 = 5 page numbers */
	c.obj_name_len = 100;
	c.block_size = 2048;
	f.len = 123 * 6;
	CHECK(spiffs_build(&c, 0x1000, &f, 1, &out) == 0);
	CHECK(page(&out, 128, 1)[117] == 2 && page(&out, 128, 1)[125] == 6);
	CHECK(page(&out, 128, 1)[127] == 0xFF);
	CHECK_MEM(page(&out, 128, 7), "\x01\x80\x01\x00\xf8\xff\xff\xff\x08\x00\xff", 11);
	CHECK_MEM(page(&out, 128, 8), "\x01\x00\x05\x00\xfc", 5);
	/* lookup slots 5-7: data page 6, index page 7, data page 8 */
	CHECK_MEM(page(&out, 128, 0) + 10, "\x01\x00\x01\x80\x01\x00", 6);
	buf_free(&out);
	free(data);
}

/* No magic where the last lookup page has fewer than 2 free slots (§2.4). */
static void test_magic_full_block(void)
{
	struct spiffs_config c;
	struct spiffs_file f;
	struct buf out = BUF_INIT;
	size_t len = (size_t)126 * 251;
	uint8_t *data = calloc(1, len);

	if (!data)
		return;
	spiffs_config_default(&c);
	c.block_size = 32768;
	f.name = "/f";
	f.data = data;
	f.len = len;
	CHECK(spiffs_build(&c, 0x10000, &f, 1, &out) == 0);
	/* slot 126 is the last data page, slot 127 free: no magic in block 0 */
	CHECK_MEM(page(&out, 256, 0) + 252, "\x01\x00\xff\xff", 4);
	/* block 1 is empty: magic 0x20140529 ^ 0x100 ^ 1 */
	CHECK_MEM(page(&out, 256, 128) + 252, "\x28\x04\xff\xff", 4);
	buf_free(&out);
	free(data);
}

/* Files that do not fit: an error, @out unchanged. */
static void test_full(void)
{
	struct spiffs_config c;
	struct spiffs_file f;
	struct buf out = BUF_INIT;
	uint8_t *data = calloc(1, 0x4000);

	if (!data)
		return;
	spiffs_config_default(&c);
	f.name = "/f";
	f.data = data;
	f.len = 0x4000;
	CHECK(spiffs_build(&c, 0x4000, &f, 1, &out) == -1);
	CHECK(out.len == 0);
	/* 15 usable pages per block: 1 index + 14 data pages of 251 bytes fit one block */
	f.len = 14 * 251;
	CHECK(spiffs_build(&c, 0x1000, &f, 1, &out) == 0);
	buf_free(&out);
	f.len++;
	CHECK(spiffs_build(&c, 0x1000, &f, 1, &out) == -1);
	CHECK(out.len == 0);
	free(data);
}

static void test_checks(void)
{
	struct spiffs_config c;
	char why[200];

	spiffs_config_default(&c);
	CHECK(spiffs_config_check(&c, 0x10000, why, sizeof(why)) == 0);
	CHECK(spiffs_config_check(&c, 0x10800, why, sizeof(why)) == -1);
	CHECK_STR(why, "image size 0x10800 is not a multiple of the block size 4096");
	CHECK(spiffs_config_check(&c, 0, why, sizeof(why)) == -1);
	c.block_size = 3000;
	CHECK(spiffs_config_check(&c, 0x10000, why, sizeof(why)) == -1);
	CHECK_STR(why, "block size 3000 is not a multiple of the page size 256");
	c.block_size = 4096;
	c.obj_name_len = 250;
	CHECK(spiffs_config_check(&c, 0x10000, why, sizeof(why)) == -1);
	CHECK_STR(why, "page size 256 is too small for an index page header of 267 bytes "
		       "(--obj-name-len 250, --meta-len 4) and one page number");
	c.obj_name_len = 32;
	c.page_size = 65536;
	c.block_size = 65536;
	CHECK(spiffs_config_check(&c, 0x10000, why, sizeof(why)) == -1);

	spiffs_config_default(&c);
	CHECK(spiffs_name_check(&c, "/abcdefghijklmnopqrstuvwxyz0123", why, sizeof(why)) == 0);
	CHECK(spiffs_name_check(&c, "/abcdefghijklmnopqrstuvwxyz01234", why, sizeof(why)) == -1);
	CHECK_STR(why, "object name '/abcdefghijklmnopqrstuvwxyz01234' too long: 32 characters, "
		       "at most 31 with --obj-name-len 32 (the NUL counts)");
	CHECK(spiffs_name_check(&c, "/caf\xc3\xa9", why, sizeof(why)) == -1);
	CHECK_STR(why, "object name '/caf\xc3\xa9' is not ASCII");
}

/* An empty file is one index page; an empty list leaves only magic. */
static void test_empty(void)
{
	struct spiffs_config c;
	struct spiffs_file f = {"/e", NULL, 0};
	struct buf out = BUF_INIT;

	spiffs_config_default(&c);
	CHECK(spiffs_build(&c, 0x1000, NULL, 0, &out) == 0);
	CHECK(all_ff(out.data, 252) && out.data[252] == 0x28 && all_ff(out.data + 254, 0xF02));
	buf_free(&out);
	CHECK(spiffs_build(&c, 0x1000, &f, 1, &out) == 0);
	CHECK_MEM(out.data, "\x01\x80\xff\xff", 4);
	CHECK_MEM(page(&out, 256, 1), "\x01\x80\x00\x00\xf8\xff\xff\xff\x00\x00\x00\x00\x01", 13);
	CHECK(page(&out, 256, 1)[49] == 0xFF);
	CHECK(all_ff(page(&out, 256, 2), 256));
	buf_free(&out);
}

/* build -> decode gives the files back, in id order, under every option combination */
static void test_decode(void)
{
	static const char *const names[] = {"/a", "/dir/empty", "/dir/b.bin", "/z"};
	struct spiffs_file f[4];
	struct spiffs_config c;
	struct spiffs_list l = {NULL, 0};
	struct buf out = BUF_INIT;
	size_t lens[4] = {3, 0, 5000, 130};
	uint8_t *data = malloc(5000);
	unsigned variant;
	size_t i;

	if (!data)
		return;
	for (i = 0; i < 5000; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	for (i = 0; i < 4; i++) {
		f[i].name = names[i];
		f[i].data = data;
		f[i].len = lens[i];
	}
	for (variant = 0; variant < 16; variant++) {
		spiffs_config_default(&c);
		c.big_endian = variant & 1;
		c.aligned_obj_ix_tables = (variant >> 1) & 1;
		c.use_magic = (variant >> 2) & 1;
		c.page_size = variant & 8 ? 128 : 256;
		c.block_size = variant & 8 ? 1024 : 4096;
		CHECK(spiffs_build(&c, 0x8000, f, 4, &out) == 0);
		CHECK(spiffs_decode(&c, "t.bin", out.data, out.len, &l) == 0);
		CHECK(l.n == 4);
		for (i = 0; i < l.n && i < 4; i++) {
			CHECK_STR(l.v[i].name, names[i]);
			CHECK(l.v[i].len == lens[i] && l.v[i].id == i + 1);
			CHECK(lens[i] == 0 || memcmp(l.v[i].data, data, lens[i]) == 0);
		}
		spiffs_list_free(&l);
		/* read with the other endianness: refused, not misread */
		c.big_endian = !c.big_endian;
		CHECK(spiffs_decode(&c, "t.bin", out.data, out.len, &l) == -1 && l.n == 0);
		buf_free(&out);
	}
	free(data);
}

int main(void)
{
	test_one_file();
	test_spans();
	test_magic_full_block();
	test_full();
	test_checks();
	test_empty();
	test_decode();
	return check_status();
}
