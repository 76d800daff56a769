/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/inspect on file-system partitions: a SPIFFS image alone and inside a flash image
 * is its file list, a diff names the file that changed (class file), ignoring that
 * file (or the class) accepts the image, and a damaged one is a problem, not an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "testutil.h"
#include "diag.h"
#include "fat.h"
#include "imginfo.h"
#include "spiffs.h"

#define FS_SIZE 0x2000
#define FS_OFF 0x9000
#define FLASH_LEN (FS_OFF + FS_SIZE)

/* A SPIFFS image of two files, /a holding @a_text, into @out (FS_SIZE bytes). */
static void make_fs(uint8_t *out, const char *a_text)
{
	struct spiffs_config c;
	struct spiffs_file f[2] = {
	    {"/a", (const uint8_t *)a_text, strlen(a_text)},
	    {"/dir/b", (const uint8_t *)"bee", 3},
	};
	struct buf b = BUF_INIT;

	spiffs_config_default(&c);
	CHECK(spiffs_build(&c, FS_SIZE, f, 2, &b) == 0 && b.len == FS_SIZE);
	if (b.len == FS_SIZE)
		memcpy(out, b.data, FS_SIZE);
	buf_free(&b);
}

/* A flash image of a partition table at 0x8000 with one data/spiffs partition "storage"
 * holding make_fs(@a_text) (or erased bytes when @a_text is NULL). */
static void make_flash(uint8_t *p, const char *a_text)
{
	uint8_t *r = p + 0x8000;

	memset(p, 0xFF, FLASH_LEN);
	memset(r, 0, 32);
	r[0] = 0xAA;
	r[1] = 0x50;
	r[2] = 0x01;
	r[3] = 0x82;
	buf_put_le32(r + 4, FS_OFF);
	buf_put_le32(r + 8, FS_SIZE);
	memcpy(r + 12, "storage", 7);
	if (a_text)
		make_fs(p + FS_OFF, a_text);
}

static struct imginfo_node *describe(const uint8_t *p, size_t len)
{
	struct imginfo_node *n = NULL;

	CHECK(imginfo_describe(p, len, "x.bin", NULL, &n) == 0);
	return n;
}

static void test_alone(void)
{
	static uint8_t a[FS_SIZE], b[FS_SIZE];
	struct imginfo_difflist l = {NULL, 0, 0};
	struct imginfo_node *x, *y;
	struct buf text = BUF_INIT;

	make_fs(a, "one");
	make_fs(b, "two!");
	CHECK(imginfo_detect(a, FS_SIZE) == IMGINFO_SPIFFS);
	/* erased bytes are no file system */
	memset(b, 0xFF, FS_SIZE);
	CHECK(imginfo_detect(b, FS_SIZE) != IMGINFO_SPIFFS);
	make_fs(b, "two!");
	x = describe(a, FS_SIZE);
	y = describe(b, FS_SIZE);
	CHECK(x && y && imginfo_format_text(x, &text) == 0);
	CHECK(text.data &&
	      strstr((char *)text.data,
		     "kind: spiffs\nsize: 0x2000\nfile_count: 2\nfiles:\n"
		     "  - /a: 3 bytes, sha256 "
		     "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed\n"
		     "  - /dir/b: 3 bytes, sha256 "));
	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	/* the file, and the image bytes it explains */
	CHECK(l.n == 2);
	if (l.n == 2) {
		CHECK_STR(l.v[0].path, "files[/a]");
		CHECK(l.v[0].cls == IMGINFO_CLASS_FILE && !l.v[0].derived);
		CHECK(strncmp(l.v[0].what, "3 bytes, sha256 7692c3ad", 24) == 0);
		CHECK_STR(l.v[1].path, "image");
		CHECK(l.v[1].cls == IMGINFO_CLASS_CONTENT && l.v[1].derived);
	}
	CHECK(imginfo_diff_judge(&l, 0) == 2);
	CHECK(imginfo_diff_judge(&l, 1u << IMGINFO_CLASS_FILE) == 0);
	CHECK(imginfo_diff_ignore_file(&l, "/dir/b") == 0);
	CHECK(imginfo_diff_judge(&l, 0) == 2);
	CHECK(imginfo_diff_ignore_file(&l, "/a") == 1);
	CHECK(imginfo_diff_judge(&l, 0) == 0);
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);
	buf_free(&text);
}

static void test_in_flash(void)
{
	static uint8_t a[FLASH_LEN], b[FLASH_LEN];
	struct imginfo_difflist l = {NULL, 0, 0};
	struct imginfo_node *x, *y;
	struct imginfo_problem pr;

	make_flash(a, "one");
	make_flash(b, "one");
	b[FS_OFF + 0x1500] = 0; /* free space: no file changes, the image does */
	x = describe(a, FLASH_LEN);
	y = describe(b, FLASH_LEN);
	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	CHECK(l.n == 1 && imginfo_diff_judge(&l, 1u << IMGINFO_CLASS_FILE) == 1);
	if (l.n == 1)
		CHECK_STR(l.v[0].path, "partitions[storage].content.image");
	imginfo_difflist_free(&l);
	imginfo_node_free(y);

	make_flash(b, "two");
	y = describe(b, FLASH_LEN);
	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	CHECK(l.n == 2);
	if (l.n == 2)
		CHECK_STR(l.v[0].path, "partitions[storage].content.files[/a]");
	CHECK(imginfo_diff_ignore_file(&l, "other:/a") == 0);
	CHECK(imginfo_diff_ignore_file(&l, "storage:/a") == 1);
	CHECK(imginfo_diff_judge(&l, 0) == 0);
	imginfo_difflist_free(&l);
	imginfo_node_free(y);

	/* erased: not formatted yet, no problem; damaged: a problem naming why */
	make_flash(b, NULL);
	y = describe(b, FLASH_LEN);
	CHECK(y && imginfo_problems(y) == 0);
	imginfo_node_free(y);
	make_flash(b, "two");
	b[FS_OFF + 256 + 12] = 0x99; /* /a's type: no longer a file */
	y = describe(b, FLASH_LEN);
	CHECK(y && imginfo_problems(y) == 1);
	if (y && imginfo_problems(y) == 1) {
		imginfo_problem(y, 0, &pr);
		CHECK_STR(pr.kind, "fs-decode");
		CHECK_STR(pr.message, "partition storage: spiffs does not decode: object 1: type "
				      "0x99, not a file");
		CHECK(pr.offset == FS_OFF);
	}
	imginfo_node_free(x);
	imginfo_node_free(y);
}

/* A wear-levelled FAT image of /a.txt holding @a_text, and an empty directory /d when
 * @dir, into @out (FAT_LEN bytes). */
#define FAT_LEN 0x40000
static void make_fat(struct buf *out, const char *a_text, int dir)
{
	struct fat_config c;
	struct fat_file f[2] = {
	    {"a.txt", 0, (const uint8_t *)a_text, strlen(a_text)},
	    {"d", 1, NULL, 0},
	};

	fat_config_default(&c);
	c.wear_levelling = 1;
	out->len = 0;
	CHECK(fat_build(&c, FAT_LEN, "t", f, dir ? 2 : 1, out) == 0 && out->len == FAT_LEN);
}

static void test_fat(void)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct imginfo_difflist l = {NULL, 0, 0};
	struct imginfo_node *x = NULL, *y = NULL;
	struct buf text = BUF_INIT;

	make_fat(&a, "one", 0);
	make_fat(&b, "two", 1);
	if (a.len != FAT_LEN || b.len != FAT_LEN)
		goto out;
	CHECK(imginfo_detect(a.data, a.len) == IMGINFO_FAT);
	x = describe(a.data, a.len);
	y = describe(b.data, b.len);
	CHECK(y && imginfo_format_text(y, &text) == 0);
	CHECK(text.data && strstr((char *)text.data,
				  "kind: fat\nsize: 0x40000\nwear_levelling: yes\nfile_count: 1\n"
				  "files:\n  - /A.TXT: 3 bytes, sha256 "));
	CHECK(text.data && strstr((char *)text.data, "  - /D: directory\n"));
	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	/* the file, the directory added, and the image bytes */
	CHECK(l.n == 3);
	if (l.n == 3) {
		CHECK_STR(l.v[0].path, "files[/A.TXT]");
		CHECK(l.v[0].cls == IMGINFO_CLASS_FILE);
		CHECK_STR(l.v[1].path, "files[/D]");
		CHECK_STR(l.v[1].what, "added: directory");
		CHECK(l.v[2].derived);
	}
	/* the directory is still a change: so are the image bytes */
	CHECK(imginfo_diff_ignore_file(&l, "/A.TXT") == 1);
	CHECK(imginfo_diff_judge(&l, 0) == 2);
	CHECK(imginfo_diff_ignore_file(&l, "/D") == 1);
	CHECK(imginfo_diff_judge(&l, 0) == 0);
out:
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);
	buf_free(&a);
	buf_free(&b);
	buf_free(&text);
}

/* No crash, and a tree or an error, for any byte flipped in the lookup, index and data
 * pages of the file system alone or in a flash image, every truncation at a block
 * boundary, and bytes flipped all over a wear-levelled FAT image. */
static void test_robust(void)
{
	static uint8_t f[FLASH_LEN], g[FLASH_LEN];
	struct buf fat = BUF_INIT;
	struct imginfo_node *n;
	size_t i, len;
	int ok = 1;

	make_flash(f, "a file of some length, to take a data page");
	for (i = 0; i < 3 * 256; i++) {
		unsigned k;

		for (k = 0; k < 2; k++) {
			const uint8_t *img = k ? g : g + FS_OFF;
			size_t size = k ? FLASH_LEN : FS_SIZE;

			memcpy(g, f, FLASH_LEN);
			g[FS_OFF + i] ^= (uint8_t)(0xA5 + i);
			n = NULL;
			if (imginfo_describe(img, size, "t", NULL, &n) == 0)
				ok &= n != NULL;
			imginfo_node_free(n);
		}
	}
	for (len = 0; len <= FS_SIZE; len += 0x1000) {
		n = NULL;
		if (imginfo_describe(f + FS_OFF, len, "t", NULL, &n) == 0)
			ok &= n != NULL;
		imginfo_node_free(n);
	}
	/* FAT: boot sector, FATs, root directory, data, the wear-levelling sectors */
	make_fat(&fat, "a file", 1);
	for (i = 0; fat.len == FAT_LEN && i < FAT_LEN; i += i < 0x3000 ? 11 : 0xFFF) {
		fat.data[i] ^= 0x5A;
		n = NULL;
		if (imginfo_describe(fat.data, FAT_LEN, "t", NULL, &n) == 0)
			ok &= n != NULL;
		imginfo_node_free(n);
		fat.data[i] ^= 0x5A;
	}
	buf_free(&fat);
	CHECK(ok);
}

int main(void)
{
	diag_set_program("test_imginfo_fs");
	test_alone();
	test_in_flash();
	test_fat();
	run_quiet(test_robust); /* its decode errors are expected */
	return check_status();
}
