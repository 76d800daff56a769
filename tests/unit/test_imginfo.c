/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/inspect (imginfo): kind detection, descriptions of hand-made images, difference
 * classification and --ignore judging, and no crash on any truncation or byte flip
 * (run under the sanitizer build).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ascii.h"
#include "buf.h"
#include "check.h"
#include "testutil.h"
#include "crc.h"
#include "diag.h"
#include "hash.h"
#include "imginfo.h"
#include "nvs.h"
#include "otadata.h"

/* A one-segment ESP32-C3 image with a SHA-256: 96 bytes at @p. */
static size_t make_image(uint8_t *p, uint32_t seg_addr, uint8_t fill)
{
	uint8_t x = 0xEF;
	size_t i;

	memset(p, 0, 96);
	p[0] = 0xE9;
	p[1] = 1;
	p[2] = 2;
	p[3] = 0x2F;
	buf_put_le32(p + 4, 0x40380000);
	p[8] = 0xEE;
	buf_put_le16(p + 12, 5); /* esp32c3 */
	buf_put_le16(p + 17, 0xFFFF);
	p[23] = 1;
	buf_put_le32(p + 24, seg_addr);
	buf_put_le32(p + 28, 16);
	for (i = 0; i < 16; i++) {
		p[32 + i] = (uint8_t)(fill + i);
		x ^= p[32 + i];
	}
	p[63] = x;
	hash_sha256(p, 64, p + 64);
	return 96;
}

static void put_row(uint8_t *r, uint8_t type, uint8_t subtype, uint32_t off, uint32_t size,
		    const char *name)
{
	memset(r, 0, 32);
	r[0] = 0xAA;
	r[1] = 0x50;
	r[2] = type;
	r[3] = subtype;
	buf_put_le32(r + 4, off);
	buf_put_le32(r + 8, size);
	memcpy(r + 12, name, strlen(name));
}

/* Table with otadata at 0xd000 and factory at 0x10000 (+ MD5 row), 0xC00 bytes. */
static void make_table(uint8_t *t, uint32_t factory_size)
{
	memset(t, 0xFF, 0xC00);
	put_row(t, 1, 0, 0xd000, 0x2000, "otadata");
	put_row(t + 32, 0, 0, 0x10000, factory_size, "factory");
	memset(t + 64, 0xFF, 32);
	t[64] = 0xEB;
	t[65] = 0xEB;
	hash_md5(t, 64, t + 80);
}

#define FLASH_LEN 0x20000

static void make_flash(uint8_t *f, uint32_t seq, uint8_t app_fill)
{
	struct otadata_entry e;
	struct buf ota = BUF_INIT;

	memset(f, 0xFF, FLASH_LEN);
	make_image(f, 0x3fc88000, 1);
	make_table(f + 0x8000, 0x10000);
	otadata_entry_make(&e, seq, OTADATA_STATE_UNDEFINED);
	CHECK(otadata_build(0x2000, &e, &ota) == 0);
	if (ota.len == 0x2000)
		memcpy(f + 0xd000, ota.data, 0x2000);
	buf_free(&ota);
	make_image(f + 0x10000, 0x42000020, app_fill);
}

static struct imginfo_node *describe(const uint8_t *p, size_t len)
{
	struct imginfo_node *n = NULL;

	if (imginfo_describe(p, len, "test", NULL, &n) < 0)
		return NULL;
	return n;
}

static void test_classes(void)
{
	enum imginfo_class c;
	unsigned i;

	for (i = 0; i < IMGINFO_CLASS_COUNT; i++) {
		CHECK(imginfo_class_parse(imginfo_class_name((enum imginfo_class)i), &c) == 0);
		CHECK(c == (enum imginfo_class)i);
	}
	CHECK(imginfo_class_parse("bogus", &c) < 0);
}

static void test_detect(void)
{
	static uint8_t f[FLASH_LEN];
	uint8_t img[96], garbage[4096];
	size_t i;

	make_image(img, 0x3fc88000, 1);
	CHECK(imginfo_detect(img, sizeof(img)) == IMGINFO_BOOTLOADER);
	make_image(img, 0x42000020, 1);
	CHECK(imginfo_detect(img, sizeof(img)) == IMGINFO_APP);
	make_table(garbage, 0x10000);
	CHECK(imginfo_detect(garbage, 0xC00) == IMGINFO_PARTTABLE);
	memset(garbage, 0xFF, sizeof(garbage));
	CHECK(imginfo_detect(garbage, 4096) == IMGINFO_UNKNOWN); /* one erased sector */
	make_flash(f, 1, 7);
	CHECK(imginfo_detect(f, FLASH_LEN) == IMGINFO_FLASH);
	CHECK(imginfo_detect(f + 0xd000, 0x2000) == IMGINFO_OTADATA);
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 37 + 11);
	CHECK(imginfo_detect(garbage, sizeof(garbage)) == IMGINFO_UNKNOWN);
	CHECK(imginfo_detect(garbage, 0) == IMGINFO_UNKNOWN);
}

static void test_describe(void)
{
	static uint8_t f[FLASH_LEN];
	uint8_t img[96];
	struct imginfo_node *n;
	struct buf text = BUF_INIT;
	json_t *j;

	make_image(img, 0x42000020, 1);
	n = describe(img, sizeof(img));
	CHECK(n != NULL);
	if (n) {
		CHECK(imginfo_problems(n) == 0);
		CHECK(imginfo_format_text(n, &text) == 0 && buf_fill(&text, 0, 1) == 0);
		CHECK(text.data && strstr((char *)text.data, "checksum: 0x") != NULL);
		CHECK(text.data && strstr((char *)text.data, "flash_freq: 0xf (80m)") != NULL);
		j = imginfo_to_json(n);
		CHECK(j && json_is_object(j));
		json_decref(j);
		imginfo_node_free(n);
	}
	buf_free(&text);
	img[63] ^= 1; /* wrong checksum: still described, one problem */
	n = describe(img, sizeof(img));
	CHECK(n && imginfo_problems(n) == 2); /* checksum, and the digest covers it */
	imginfo_node_free(n);

	make_flash(f, 1, 7);
	n = describe(f, FLASH_LEN);
	CHECK(n != NULL);
	if (n) {
		CHECK(imginfo_format_text(n, &text) == 0 && buf_fill(&text, 0, 1) == 0);
		CHECK(text.data && strstr((char *)text.data, "boots: ota_0") == NULL);
		CHECK(text.data && strstr((char *)text.data, "boots: factory") != NULL);
		CHECK(imginfo_problems(n) == 0);
		imginfo_node_free(n);
	}
	buf_free(&text);
}

/* Text form of the description of @len bytes at @p into @text (NUL-terminated). */
static int describe_text(const uint8_t *p, size_t len, struct buf *text)
{
	struct imginfo_node *n = describe(p, len);
	int rc = n && imginfo_format_text(n, text) == 0 && buf_fill(text, 0, 1) == 0 ? 0 : -1;

	imginfo_node_free(n);
	return rc;
}

/* A table read on past its MD5 row by gen_esp32part.py is described to that row only,
 * as the bootloader reads it: the rest is shown as bytes. */
static void test_table_rows(void)
{
	uint8_t t[0xC00], sha[SHA256_LEN];
	char want[32 + 2 * SHA256_LEN] = "\nrest: 0xba0 bytes, "; /* after the MD5 row */
	struct buf text = BUF_INIT;

	make_table(t, 0x10000);
	put_row(t + 96, 1, 0x81, 0x20000, 0x1000, "later");
	CHECK(imginfo_detect(t, sizeof(t)) == IMGINFO_PARTTABLE);
	CHECK(describe_text(t, sizeof(t), &text) == 0);
	CHECK(text.data && strstr((char *)text.data, "entry_count: 2\n") != NULL);
	CHECK(text.data && strstr((char *)text.data, "later") == NULL);
	hash_sha256(t + 96, sizeof(t) - 96, sha);
	ascii_hex_encode(sha, sizeof(sha), want + strlen(want));
	CHECK(text.data && strstr((char *)text.data, want) != NULL);
	buf_free(&text);

	/* a wrong MD5 row: no table while probing */
	t[80] ^= 1;
	CHECK(imginfo_detect(t, sizeof(t)) == IMGINFO_UNKNOWN);
	CHECK(describe(t, sizeof(t)) == NULL);
	/* none at all: the rows up to the end marker */
	memset(t + 64, 0xFF, 64);
	CHECK(describe_text(t, sizeof(t), &text) == 0);
	CHECK(text.data && strstr((char *)text.data, "\nmd5: none\n") != NULL);
	CHECK(text.data && strstr((char *)text.data, "\nrest: 0xbc0 bytes, erased\n") != NULL);
	buf_free(&text);
}

/* NVS is recognised by its first page header: ACTIVE or FULL, and its CRC. */
static void test_nvs_header(void)
{
	uint8_t p[4096];

	memset(p, 0xFF, sizeof(p));
	buf_put_le32(p, 0xFFFFFFFE); /* ACTIVE */
	buf_put_le32(p + 4, 0);	     /* sequence number */
	p[8] = 0xFE;		     /* version 2 */
	buf_put_le32(p + 28, crc32_esp(p + 4, 24));
	CHECK(imginfo_detect(p, sizeof(p)) == IMGINFO_NVS);
	buf_put_le32(p, 0xFFFFFFFC); /* FULL: the CRC does not cover the state */
	CHECK(imginfo_detect(p, sizeof(p)) == IMGINFO_NVS);
	buf_put_le32(p, 0xFFFFFFF8); /* FREEING is not how an image starts */
	CHECK(imginfo_detect(p, sizeof(p)) == IMGINFO_UNKNOWN);
	buf_put_le32(p, 0xFFFFFFFE);
	p[9] = 0; /* covered by the CRC */
	CHECK(imginfo_detect(p, sizeof(p)) == IMGINFO_UNKNOWN);
}

/* The classes of the differences of @a and @b that count without --ignore. */
static unsigned diff_classes(const uint8_t *a, const uint8_t *b, size_t len, size_t *count)
{
	struct imginfo_node *x = describe(a, len), *y = describe(b, len);
	struct imginfo_difflist l = {NULL, 0, 0};
	unsigned mask = 0;
	size_t i;

	*count = 0;
	if (x && y && imginfo_diff(x, y, &l) == 0) {
		*count = imginfo_diff_judge(&l, 0);
		for (i = 0; i < l.n; i++)
			mask |= (l.v[i].derived ? 0u : 1u) << l.v[i].cls;
	}
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);
	return mask;
}

static void test_diff(void)
{
	static uint8_t a[FLASH_LEN], b[FLASH_LEN];
	struct imginfo_node *x, *y;
	struct imginfo_difflist l = {NULL, 0, 0};
	size_t n;

	make_flash(a, 1, 7);
	make_flash(b, 1, 7);
	CHECK(diff_classes(a, b, FLASH_LEN, &n) == 0 && n == 0);

	make_flash(b, 2, 7); /* otadata slot */
	CHECK(diff_classes(a, b, FLASH_LEN, &n) == 1u << IMGINFO_CLASS_OTADATA && n > 0);

	make_flash(b, 1, 8); /* app segment bytes (image rebuilt: digests follow) */
	CHECK(diff_classes(a, b, FLASH_LEN, &n) == 1u << IMGINFO_CLASS_CONTENT && n > 0);

	make_flash(b, 1, 7);
	b[0x10002] = 3; /* app header: flash mode */
	x = describe(a, FLASH_LEN);
	y = describe(b, FLASH_LEN);
	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	CHECK(l.n == 2); /* the field, and the SHA-256 now invalid */
	if (l.n >= 1) {
		CHECK_STR(l.v[0].path, "partitions[factory].content.header.flash_mode");
		CHECK(l.v[0].cls == IMGINFO_CLASS_HEADER && !l.v[0].derived);
	}
	/* the digest follows the header change: ignoring the header accepts both */
	CHECK(imginfo_diff_judge(&l, 1u << IMGINFO_CLASS_HEADER) == 0);
	CHECK(imginfo_diff_judge(&l, 1u << IMGINFO_CLASS_DIGEST) == 1);
	CHECK(imginfo_diff_judge(&l, 0) == 2);
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);

	/* different kinds cannot be compared */
	x = describe(a, FLASH_LEN);
	y = describe(a + 0xd000, 0x2000);
	CHECK(x && y && imginfo_diff(x, y, &l) < 0);
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);
}

/* The problems of a flash image as --check finds them: kind, message and offset. */
static void test_check(void)
{
	static uint8_t f[FLASH_LEN];
	struct imginfo_opts o = {NULL, 1, NULL};
	struct imginfo_problem p;
	struct imginfo_node *n = NULL;
	struct buf text = BUF_INIT;

	make_flash(f, 1, 7);
	CHECK(imginfo_describe(f, FLASH_LEN, "t", &o, &n) == 0 && imginfo_problems(n) == 0);
	CHECK(imginfo_check_format_text(n, &text) == 0 && buf_fill(&text, 0, 1) == 0);
	CHECK_STR((char *)text.data, "no problems\n");
	buf_free(&text);
	imginfo_node_free(n);

	/* no OTA app slot: the factory app starts, and it is erased */
	memset(f + 0x10000, 0xFF, 0x10000);
	f[0x9800] = 0; /* outside every partition */
	n = describe(f, FLASH_LEN);
	CHECK(n && imginfo_problems(n) == 0); /* without --check, not a problem */
	imginfo_node_free(n);
	n = NULL;
	CHECK(imginfo_describe(f, FLASH_LEN, "t", &o, &n) == 0 && imginfo_problems(n) == 2);
	if (n && imginfo_problems(n) == 2) {
		imginfo_problem(n, 0, &p);
		CHECK_STR(p.kind, "boot");
		CHECK_STR(p.message,
			  "the bootloader starts factory (no OTA app slots), which holds "
			  "no valid app image (erased)");
		CHECK(p.offset == 0x10000);
		imginfo_problem(n, 1, &p);
		CHECK_STR(p.kind, "stray-bytes");
		CHECK_STR(p.message, "0x9000-0xd000: not erased, but outside every partition");
		CHECK(p.offset == 0x9000);
		CHECK(imginfo_check_format_text(n, &text) == 0 && buf_fill(&text, 0, 1) == 0);
		CHECK(text.data && strstr((char *)text.data, "(erased) [boot]\n") != NULL);
		CHECK(text.data && strstr((char *)text.data, "\n2 problems\n") != NULL);
	}
	buf_free(&text);
	imginfo_node_free(n);

	/* a problem every description notes has a kind too */
	make_flash(f, 1, 7);
	f[0x10000 + 63] ^= 1; /* the app's checksum */
	n = describe(f, FLASH_LEN);
	CHECK(n && imginfo_problems(n) == 2);
	if (n && imginfo_problems(n) == 2) {
		imginfo_problem(n, 0, &p);
		CHECK_STR(p.kind, "checksum");
		CHECK(p.offset == 0x10000 + 63);
		imginfo_problem(n, 1, &p);
		CHECK_STR(p.kind, "digest");
		CHECK(p.offset == 0x10000 + 64);
	}
	imginfo_node_free(n);
}

/* An NVS image of generator CSV @csv into @out (0x3000 bytes). */
static int make_nvs(const char *csv, struct buf *out)
{
	struct nvs_csv c;
	struct nvs_gen_opts o = {0x3000, 2};
	int rc;

	nvs_csv_init(&c, "t.csv");
	rc = nvs_csv_parse(&c, (const uint8_t *)csv, strlen(csv));
	if (rc == 0)
		rc = nvs_generate(&c, 1, &o, NULL, NULL, out);
	nvs_csv_free(&c);
	return rc;
}

/* The "what" of every difference of @a and @b under @path, one per line, into @out. */
static void diff_whats(const struct buf *a, const struct buf *b, const char *path, struct buf *out)
{
	struct imginfo_node *x = describe(a->data, a->len), *y = describe(b->data, b->len);
	struct imginfo_difflist l = {NULL, 0, 0};
	size_t i;

	CHECK(x && y && imginfo_diff(x, y, &l) == 0);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].path, path) == 0)
			buf_printf(out, "%s\n", l.v[i].what);
	buf_fill(out, 0, 1);
	imginfo_difflist_free(&l);
	imginfo_node_free(x);
	imginfo_node_free(y);
}

/* Finding 13: every changed NVS entry is a difference, not just the first one; an
 * inserted entry is one added line, not a change of every line after it. */
static void test_diff_nvs(void)
{
	static const char head[] = "key,type,encoding,value\nfactory,namespace,,\n";
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT, w = BUF_INIT;
	char csv[256];

	snprintf(csv, sizeof(csv),
		 "%sserial,data,string,SN-1\nmodel,data,string,M1\n"
		 "rev,data,u8,3\n",
		 head);
	CHECK(make_nvs(csv, &a) == 0);
	snprintf(csv, sizeof(csv),
		 "%sserial,data,string,SN-2\nmodel,data,string,M2\n"
		 "rev,data,u8,3\n",
		 head);
	CHECK(make_nvs(csv, &b) == 0);
	snprintf(csv, sizeof(csv),
		 "%sserial,data,string,SN-1\nextra,data,u8,1\n"
		 "model,data,string,M1\nrev,data,u8,3\n",
		 head);
	CHECK(make_nvs(csv, &c) == 0);
	diff_whats(&a, &b, "csv", &w);
	CHECK_STR((char *)w.data,
		  "line 4: \"serial,data,string,SN-1\" -> \"serial,data,string,SN-2\"\n"
		  "line 5: \"model,data,string,M1\" -> \"model,data,string,M2\"\n");
	buf_free(&w);
	diff_whats(&a, &c, "csv", &w);
	CHECK_STR((char *)w.data, "line 5: added \"extra,data,u8,1\"\n");
	buf_free(&w);
	diff_whats(&c, &a, "csv", &w);
	CHECK_STR((char *)w.data, "line 5: removed \"extra,data,u8,1\"\n");
	buf_free(&w);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

/* Finding 13: an otadata state ESP-IDF does not define prints as "unknown", never as a
 * null name. */
static void test_otadata_unknown_state(void)
{
	struct otadata_entry e;
	struct buf ota = BUF_INIT, text = BUF_INIT;

	otadata_entry_make(&e, 1, 0x3c000020);
	CHECK(otadata_build(0x2000, &e, &ota) == 0);
	CHECK(describe_text(ota.data, ota.len, &text) == 0);
	CHECK(text.data && strstr((char *)text.data, "(null)") == NULL);
	CHECK(text.data &&
	      strstr((char *)text.data, "0: seq 0x1, state 0x3c000020 (unknown), crc ") != NULL);
	buf_free(&text);
	buf_free(&ota);
}

/* Every truncation and many byte changes decode or fail cleanly (sanitizer build). */
static void test_robust(void)
{
	static uint8_t f[FLASH_LEN], g[FLASH_LEN];
	struct imginfo_opts check = {NULL, 1, NULL};
	struct imginfo_node *n;
	size_t len, i;
	int ok = 1;

	make_flash(f, 1, 7);
	for (len = 0; len <= FLASH_LEN; len += len < 0x200 ? 1 : 0x1F0) {
		memcpy(g, f, len);
		n = NULL;
		/* every other length with the checks of --check */
		if (imginfo_describe(g, len, "t", len & 1 ? &check : NULL, &n) == 0)
			ok &= n != NULL;
		imginfo_node_free(n);
	}
	for (i = 0; i < 0x100; i++) {
		size_t at[3] = {i, 0x8000 + i, 0x10000 + (i % 0x60)};
		unsigned k;

		for (k = 0; k < 3; k++) {
			memcpy(g, f, FLASH_LEN);
			g[at[k]] ^= (uint8_t)(0x5A + i);
			n = NULL;
			if (imginfo_describe(g, FLASH_LEN, "t", i & 1 ? &check : NULL, &n) == 0)
				ok &= n != NULL;
			imginfo_node_free(n);
		}
	}
	CHECK(ok);
}

int main(void)
{
	diag_set_program("test_imginfo");
	test_classes();
	test_detect();
	test_describe();
	test_table_rows();
	test_nvs_header();
	test_diff();
	test_diff_nvs();
	test_check();
	test_otadata_unknown_state();
	run_quiet(test_robust); /* its decode errors are expected */
	return check_status();
}
