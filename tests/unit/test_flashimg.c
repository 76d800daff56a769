/* SPDX-License-Identifier: Apache-2.0 */
/* lib/flashimg: merge-bin placement rules and the bootloader flash-parameter patch. */
#include "flash.h"

#include <string.h>

#include "appimage.h"
#include "check.h"
#include "diag.h"
#include "hash.h"

static int plan_bytes(struct flash_item *it, size_t n, uint64_t target, uint64_t pad,
		      struct buf *out)
{
	struct flash_plan p;
	int rc;

	out->len = 0;
	if (flash_plan(it, n, target, pad, &p) < 0)
		return -1;
	rc = flash_plan_to_buf(&p, out);
	flash_plan_free(&p);
	return rc;
}

static void test_plan(void)
{
	static const uint8_t a[3] = {1, 2, 3}, b[2] = {4, 5};
	struct flash_item it[2] = {{0x2000, "b", b, 2}, {0x1000, "a", a, 3}};
	struct buf out = BUF_INIT;
	uint8_t d1[32], d2[32];
	struct flash_plan p;

	/* sorted by address, 0xFF between */
	CHECK(plan_bytes(it, 2, 0, 0, &out) == 0);
	CHECK(out.len == 0x2002);
	CHECK(out.data[0] == 0xFF && out.data[0xfff] == 0xFF);
	CHECK_MEM(out.data + 0x1000, a, 3);
	CHECK(out.data[0x1003] == 0xFF);
	CHECK_MEM(out.data + 0x2000, b, 2);
	/* the plan's hash is the hash of its bytes */
	CHECK(flash_plan(it, 2, 0, 0, &p) == 0);
	flash_plan_sha256(&p, d1);
	flash_plan_free(&p);
	hash_sha256(out.data, out.len, d2);
	CHECK_MEM(d1, d2, 32);

	/* target offset drops what is before it; padding is to an absolute size */
	CHECK(plan_bytes(it, 2, 0x1000, 0x4000, &out) == 0);
	CHECK(out.len == 0x3000 && out.data[0] == 1 && out.data[0x2fff] == 0xFF);
	CHECK(plan_bytes(it, 2, 0x1800, 0, &out) < 0);

	/* two files in one 4 KiB sector overlap even when their bytes do not */
	it[0].addr = 0x1800;
	CHECK(plan_bytes(it, 2, 0, 0, &out) < 0);
	/* touching a sector boundary is fine */
	it[0].addr = 0x2000;
	it[1].len = 0x1000 - 0; /* ends exactly at 0x2000 */
	it[1].data = out.data;	/* any 0x1000 bytes */
	CHECK(buf_fill(&out, 0, 0x1000) == 0);
	it[1].data = out.data;
	CHECK(flash_plan(it, 2, 0, 0, &p) == 0);
	flash_plan_free(&p);
	CHECK(flash_plan(it, 0, 0, 0, &p) < 0);
	buf_free(&out);
}

/* A minimal image: header, extended header, one 4-byte segment, checksum, digest. */
static void make_image(struct buf *b, int digest)
{
	uint8_t img[64];
	uint8_t d[32];

	memset(img, 0, sizeof(img));
	img[0] = 0xE9;
	img[1] = 1;
	img[2] = 0;    /* qio */
	img[3] = 0x20; /* 4MB, code 0 */
	img[8] = 0xEE;
	img[12] = 5; /* esp32c3 */
	img[23] = (uint8_t)digest;
	buf_put_le32(img + 24, 0x3fc80000);
	buf_put_le32(img + 28, 4);
	memset(img + 32, 0xAB, 4);
	img[47] = 0x5a; /* checksum at offset 47 (15 mod 16) */
	b->len = 0;
	buf_append(b, img, 48);
	if (digest) {
		hash_sha256(img, 48, d);
		buf_append(b, d, 32);
	}
}

/* The loader's rule (appimage_length): what merge-bin patches and what it leaves alone. */
static void test_image_length(void)
{
	struct buf b = BUF_INIT;
	size_t len = 0;

	/* the digest is not part of the length, and a missing one is no error */
	make_image(&b, 1);
	b.len = 60;
	CHECK(appimage_length(b.data, b.len, &len) == 0 && len == 48);
	/* hash_appended other than 0/1, a wrong magic, too short for the header */
	make_image(&b, 0);
	b.data[23] = 2;
	CHECK(appimage_length(b.data, b.len, &len) < 0);
	make_image(&b, 0);
	b.data[0] = 0xE8;
	CHECK(appimage_length(b.data, b.len, &len) < 0);
	CHECK(appimage_length(b.data, 23, &len) < 0);
	/* no room for the checksum byte */
	make_image(&b, 0);
	CHECK(appimage_length(b.data, 47, &len) < 0);
	/* 16 empty segments are fine, 17 are more than esptool's verify() takes */
	b.len = 0;
	CHECK(buf_fill(&b, 0, 24 + 17 * 8 + 16) == 0);
	b.data[0] = 0xE9;
	b.data[1] = 16;
	CHECK(appimage_length(b.data, b.len, &len) == 0 && len == 24 + 16 * 8 + 8);
	b.data[1] = 17;
	CHECK(appimage_length(b.data, b.len, &len) < 0);
	buf_free(&b);
}

static void test_patch(void)
{
	const struct chip *c3 = chip_find("esp32c3");
	struct flash_params p = {"dio", "40m", "8MB"};
	struct buf b = BUF_INIT;
	uint8_t d[32];
	size_t len;

	make_image(&b, 1);
	CHECK(appimage_length(b.data, b.len, &len) == 0 && len == 48);
	CHECK(flash_patch_bootloader(c3, &p, "bl.bin", &b) == 0);
	CHECK(b.data[2] == 2);
	CHECK(b.data[3] == (0x30 | 0x0)); /* 8MB; esp32c3 40m is code 0 */
	hash_sha256(b.data, 48, d);
	CHECK(b.len == 80);
	CHECK_MEM(b.data + 48, d, 32);

	/* keep: nothing changes */
	make_image(&b, 0);
	p.mode = p.freq = p.size = NULL;
	CHECK(flash_patch_bootloader(c3, &p, "bl.bin", &b) == 0 && b.data[2] == 0);

	/* a truncated image is left alone (warning only) */
	make_image(&b, 0);
	b.len = 40;
	p.mode = "dout";
	CHECK(flash_patch_bootloader(c3, &p, "bl.bin", &b) == 0 && b.data[2] == 0);
	CHECK(appimage_length(b.data, b.len, &len) < 0);

	/* a frequency the chip lacks is an error when the patch happens */
	make_image(&b, 0);
	p.freq = "48m";
	CHECK(flash_patch_bootloader(c3, &p, "bl.bin", &b) < 0);
	buf_free(&b);
}

int main(void)
{
	diag_set_program("test_flashimg");
	diag_set_quiet(1);
	test_plan();
	test_image_length();
	test_patch();
	return check_status();
}
