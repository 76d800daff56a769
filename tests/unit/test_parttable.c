/* SPDX-License-Identifier: Apache-2.0 */
/* The partition-table model: parse_int, offset resolution, checks, encode/decode. */
#include "parttable.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chip.h"
#include "diag.h"
#include "hash.h"
#include "layout.h"

static struct parttable_config cfg;

static int parse(const char *s, int with_subtypes, int64_t *v, char *msg, size_t msgsz)
{
	const struct parttable_subtype_list *l = parttable_subtypes(&cfg, PARTTABLE_TYPE_DATA);
	struct buf err = BUF_INIT;
	int rc = parttable_parse_int(s, strlen(s), with_subtypes ? l->v : NULL,
				     with_subtypes ? l->n : 0, v, &err);

	snprintf(msg, msgsz, "%.*s", (int)err.len, err.data ? (char *)err.data : "");
	buf_free(&err);
	return rc;
}

static void test_parse_int(void)
{
	int64_t v;
	char msg[512];

	CHECK(parse("0x1000", 0, &v, msg, sizeof(msg)) == 0 && v == 0x1000);
	CHECK(parse("4K", 0, &v, msg, sizeof(msg)) == 0 && v == 4096);
	CHECK(parse("1m", 0, &v, msg, sizeof(msg)) == 0 && v == 1 << 20);
	CHECK(parse("1KK", 0, &v, msg, sizeof(msg)) == 0 && v == 1 << 20); /* suffixes nest */
	CHECK(parse("-2M", 0, &v, msg, sizeof(msg)) == 0 && v == -(2 << 20));
	CHECK(parse("NVS", 1, &v, msg, sizeof(msg)) == 0 && v == 2);
	CHECK(parse("4Q", 0, &v, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "Invalid field value 4Q");
	/* the K is stripped first, so the message quotes what was left */
	CHECK(parse("4QK", 0, &v, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "Invalid field value 4Q");
	CHECK(parse("nvram", 1, &v, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "Value 'nvra' is not valid. Known keywords: ota, phy, nvs, coredump, "
		       "nvs_keys, efuse, undefined, esphttpd, fat, spiffs, littlefs, tee_ota");
}

static void add(struct parttable *pt, const char *name, int64_t type, int64_t sub, int64_t off,
		int64_t size, unsigned line)
{
	struct parttable_entry e;

	memset(&e, 0, sizeof(e));
	e.name = strdup(name);
	e.type = type;
	e.subtype = sub;
	e.offset = off;
	e.has_offset = off >= 0;
	e.size = size;
	e.line = line;
	CHECK(parttable_append(pt, &e) == 0);
}

static void test_resolve_encode_decode(void)
{
	struct parttable pt, back;
	struct buf out = BUF_INIT, csv = BUF_INIT;
	uint8_t md5[MD5_LEN];

	parttable_init(&pt, "t.csv");
	add(&pt, "nvs", PARTTABLE_TYPE_DATA, 2, -1, 0x6000, 1);
	add(&pt, "factory", PARTTABLE_TYPE_APP, 0, -1, 0x100000, 2);
	add(&pt, "a_name_longer_than_16", PARTTABLE_TYPE_DATA, 0x81, -1, -0x200000,
	    3); /* ends at 2M */
	CHECK(parttable_resolve_offsets(&pt, &cfg) == 0);
	CHECK(pt.v[0].offset == 0x9000);
	CHECK(pt.v[1].offset == 0x10000); /* apps align to 64 KiB */
	CHECK(pt.v[2].offset == 0x110000 && pt.v[2].size == 0xf0000);
	CHECK(parttable_verify(&pt, &cfg) == 0);

	CHECK(parttable_encode(&pt, &cfg, &out) == 0);
	CHECK(out.len == PARTTABLE_MAX_LEN);
	CHECK_MEM(out.data, "\xaa\x50\x01\x02\x00\x90\x00\x00\x00\x60\x00\x00nvs\0", 16);
	CHECK_MEM(out.data + 64 + 12, "a_name_longer_th", 16); /* cut, no NUL */
	CHECK_MEM(out.data + 96, "\xeb\xeb\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		  16);
	hash_md5(out.data, 96, md5);
	CHECK_MEM(out.data + 112, md5, MD5_LEN);
	CHECK(out.data[128] == 0xff && out.data[PARTTABLE_MAX_LEN - 1] == 0xff);

	parttable_init(&back, "t.bin");
	CHECK(parttable_decode(out.data, out.len, &cfg, &back) == 0);
	CHECK(back.n == 3 && back.had_md5_row);
	CHECK_STR(back.v[2].name, "a_name_longer_th");
	CHECK(parttable_format_csv(&back, &cfg, &csv) == 0);
	CHECK(buf_append(&csv, "", 1) == 0);
	CHECK_STR((char *)csv.data, "# ESP-IDF Partition Table\n"
				    "# Name, Type, SubType, Offset, Size, Flags\n"
				    "nvs,data,nvs,0x9000,24K,\n"
				    "factory,app,factory,0x10000,1M,\n"
				    "a_name_longer_th,data,fat,0x110000,960K,\n");
	parttable_free(&back);

	/* every truncation of the table is an error, never a crash */
	for (size_t n = 0; n < 128; n++) {
		parttable_init(&back, "t.bin");
		CHECK(parttable_decode(out.data, n, &cfg, &back) < 0);
		parttable_free(&back);
	}
	buf_free(&out);
	buf_free(&csv);
	parttable_free(&pt);
}

static void test_checks(void)
{
	struct parttable pt;
	struct buf out = BUF_INIT;
	int i;

	/* otadata must be 0x2000 */
	parttable_init(&pt, "t.csv");
	add(&pt, "otadata", PARTTABLE_TYPE_DATA, 0, 0xd000, 0x1000, 1);
	CHECK(parttable_verify(&pt, &cfg) < 0);
	parttable_free(&pt);

	/* offset below the table end */
	parttable_init(&pt, "t.csv");
	add(&pt, "nvs", PARTTABLE_TYPE_DATA, 2, 0x8000, 0x6000, 1);
	CHECK(parttable_verify(&pt, &cfg) < 0);
	parttable_free(&pt);

	/* 94 entries fit with the MD5 row, 95 do not */
	parttable_init(&pt, "t.csv");
	for (i = 0; i < 95; i++)
		add(&pt, "p", PARTTABLE_TYPE_DATA, 6, 0x10000 + i * 0x1000, 0x1000,
		    (unsigned)i + 1);
	CHECK(parttable_encode(&pt, &cfg, &out) < 0 && out.len == 0);
	cfg.md5 = 0;
	CHECK(parttable_encode(&pt, &cfg, &out) == 0 && out.len == PARTTABLE_MAX_LEN);
	cfg.md5 = 1;
	buf_free(&out);
	pt.n--;
	free(pt.v[pt.n].name);
	CHECK(parttable_encode(&pt, &cfg, &out) == 0 && out.len == PARTTABLE_MAX_LEN);
	buf_free(&out);

	/* flash size: the entry with the largest offset must end inside */
	cfg.flash_size = 1 << 20;
	CHECK(parttable_check_flash_size(&pt, &cfg) == 0);
	cfg.flash_size = 0x60000;
	CHECK(parttable_check_flash_size(&pt, &cfg) < 0);
	cfg.flash_size = 0;
	parttable_free(&pt);
}

/* A data row named @name (offset and size made up), as the encoder writes it. */
static void row(uint8_t *r, const char *name)
{
	memset(r, 0, PARTTABLE_ENTRY_SIZE);
	r[0] = 0xAA;
	r[1] = 0x50;
	r[2] = PARTTABLE_TYPE_DATA;
	r[3] = 0x81;
	buf_put_le32(r + 4, 0x20000);
	buf_put_le32(r + 8, 0x1000);
	memcpy(r + 12, name, strlen(name));
}

/* An MD5 row holding the MD5 of the @n bytes at @covered. */
static void md5_row(uint8_t *r, const uint8_t *covered, size_t n)
{
	memset(r, 0xFF, PARTTABLE_ENTRY_SIZE);
	r[0] = 0xEB;
	r[1] = 0xEB;
	hash_md5(covered, n, r + 16);
}

/* Decodes @len bytes of @t (md5 on or off); *@msg gets what was printed. */
static int decode_msg(const uint8_t *t, size_t len, int md5, struct parttable *pt, char *msg,
		      size_t msgsz)
{
	struct buf err = BUF_INIT;
	int rc;

	cfg.md5 = md5;
	parttable_init(pt, "t.bin");
	diag_capture_begin(&err);
	rc = parttable_decode(t, len, &cfg, pt);
	diag_capture_end();
	cfg.md5 = 1;
	snprintf(msg, msgsz, "%.*s", (int)err.len, err.data ? (char *)err.data : "");
	buf_free(&err);
	return rc;
}

static void test_rows(void)
{
	uint8_t t[8 * PARTTABLE_ENTRY_SIZE], both[2 * PARTTABLE_ENTRY_SIZE];
	struct parttable_scan s;
	struct parttable pt;
	char msg[512];

	CHECK(parttable_has_magic((const uint8_t *)"\xaa\x50", 2));
	CHECK(!parttable_has_magic((const uint8_t *)"\xaa\x50", 1));
	CHECK(!parttable_has_magic((const uint8_t *)"\xaa\x51", 2));

	memset(t, 0xFF, sizeof(t));
	row(t, "a");
	CHECK(parttable_row_kind(t, 32) == PARTTABLE_ROW_ENTRY);
	CHECK(parttable_row_kind(t, 31) == PARTTABLE_ROW_SHORT);
	CHECK(parttable_row_kind(t + 32, 32) == PARTTABLE_ROW_END);
	t[32] = 0xEB;
	CHECK(parttable_row_kind(t + 32, 32) == PARTTABLE_ROW_BAD);
	t[33] = 0xEB; /* only the two first bytes make an MD5 row */
	CHECK(parttable_row_kind(t + 32, 32) == PARTTABLE_ROW_MD5);

	/* a, MD5(a), b, MD5(a b), end: gen_esp32part.py reads on past the first MD5 row */
	md5_row(t + 32, t, 32);
	row(t + 64, "b");
	memcpy(both, t, 32);
	memcpy(both + 32, t + 64, 32);
	md5_row(t + 96, both, 64);
	parttable_scan_init(&s);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0);
	CHECK(s.kind == PARTTABLE_ROW_MD5 && s.stop == 32 && s.md5_ok);
	CHECK_MEM(s.md5, t + 48, MD5_LEN);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0);
	CHECK(s.kind == PARTTABLE_ROW_MD5 && s.stop == 96 && s.md5_ok);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0);
	CHECK(s.kind == PARTTABLE_ROW_END && s.stop == 128);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0); /* stays at the end */
	CHECK(s.kind == PARTTABLE_ROW_END && s.stop == 128);
	parttable_scan_free(&s);
	CHECK(decode_msg(t, sizeof(t), 1, &pt, msg, sizeof(msg)) == 0);
	CHECK(pt.n == 2 && pt.had_md5_row);
	CHECK_STR(pt.v[1].name, "b");
	parttable_free(&pt);

	/* without --no-md5 an MD5 row is an entry with the wrong magic */
	CHECK(decode_msg(t, sizeof(t), 0, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.bin: entry at 0x20: Invalid magic bytes (b'\\xeb\\xeb') "
		       "for partition definition\n");
	parttable_free(&pt);

	/* the second MD5 row must not cover the first one */
	md5_row(t + 96, t, 96);
	parttable_scan_init(&s);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0 && s.md5_ok);
	CHECK(parttable_scan(t, sizeof(t), &s) == 0 && s.stop == 96 && !s.md5_ok);
	parttable_scan_free(&s);
	CHECK(decode_msg(t, sizeof(t), 1, &pt, msg, sizeof(msg)) < 0);
	CHECK(strstr(msg, "test_parttable: t.bin: offset 0x60: MD5 checksums don't match! "
			  "(computed: 0x") == msg);
	parttable_free(&pt);

	/* rows running out: a short row, or no end marker */
	parttable_scan_init(&s);
	CHECK(parttable_scan(t, 72, &s) == 0 && s.kind == PARTTABLE_ROW_MD5);
	CHECK(parttable_scan(t, 72, &s) == 0 && s.kind == PARTTABLE_ROW_SHORT && s.stop == 64);
	parttable_scan_free(&s);
	CHECK(decode_msg(t + 64, 40, 1, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.bin: offset 0x20: Partition table length must be a "
		       "multiple of 32 bytes (8 bytes left)\n");
	parttable_free(&pt);
	CHECK(decode_msg(t + 64, 32, 1, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg,
		  "test_parttable: t.bin: Partition table is missing an end-of-table marker\n");
	parttable_free(&pt);
	parttable_scan_init(&s);
	CHECK(parttable_scan(NULL, 0, &s) == 0 && s.kind == PARTTABLE_ROW_SHORT && s.stop == 0);
	parttable_scan_free(&s);
}

/* The message @fn gives for @pt's first entry, as printed. */
static int entry_msg(int (*fn)(const struct parttable *, const struct parttable_config *),
		     const struct parttable *pt, char *msg, size_t msgsz)
{
	struct buf err = BUF_INIT;
	int rc;

	diag_capture_begin(&err);
	rc = fn(pt, &cfg);
	diag_capture_end();
	snprintf(msg, msgsz, "%.*s", (int)err.len, err.data ? (char *)err.data : "");
	buf_free(&err);
	return rc;
}

static int check_range_first(const struct parttable *pt, const struct parttable_config *c)
{
	(void)c;
	return parttable_check_range(pt, &pt->v[0]);
}

/* Hex in messages: "0x-1f" would be Python's; ours puts the sign first. */
static void test_messages(void)
{
	struct parttable pt;
	char msg[512];

	parttable_init(&pt, "t.csv");
	add(&pt, "p", PARTTABLE_TYPE_DATA, -0x1f, 0x9000, 0x1000, 4);
	CHECK(entry_msg(check_range_first, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:4: Partition p invalid: subtype -0x1f is out of "
		       "range 0-0xff\n");
	pt.v[0].subtype = 0;
	pt.v[0].size = 0x100000000;
	CHECK(entry_msg(check_range_first, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:4: Partition p invalid: size 0x100000000 does not "
		       "fit in 32 bits\n");
	pt.v[0].size = 0x1000;
	pt.v[0].offset = 0x9001;
	CHECK(entry_msg(parttable_verify, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:4: Partition p invalid: Offset 0x9001 is not "
		       "aligned to 0x1000\n");
	/* an entry from a binary table is named by its place */
	pt.from_binary = 1;
	pt.v[0].bin_pos = 0x40;
	CHECK(entry_msg(parttable_verify, &pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv: entry at 0x40: Partition p invalid: Offset 0x9001 "
		       "is not aligned to 0x1000\n");
	parttable_free(&pt);
}

/* The first line --strict prints for @pt, and its verdict. */
static int strict_msg(const struct parttable *pt, char *msg, size_t msgsz)
{
	int rc = entry_msg(parttable_check_strict, pt, msg, msgsz);
	char *nl = strchr(msg, '\n');

	if (nl)
		nl[1] = '\0';
	return rc;
}

/* --strict: each rule alone, on a layout that passes it otherwise. */
static void test_strict(void)
{
	struct parttable pt;
	char msg[512];

	parttable_init(&pt, "t.csv");
	add(&pt, "nvs", PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_NVS, 0x9000, 0x6000, 2);
	add(&pt, "otadata", PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_OTA, 0xf000, 0x2000, 3);
	add(&pt, "ota_0", PARTTABLE_TYPE_APP, 0x10, 0x10000, 0x100000, 4);
	add(&pt, "ota_1", PARTTABLE_TYPE_APP, 0x11, 0x110000, 0x100000, 5);
	cfg.chip = chip_find("esp32p4");
	CHECK(strict_msg(&pt, msg, sizeof(msg)) == 0 && msg[0] == '\0');

	pt.v[0].flags = PARTTABLE_FLAG_ENCRYPTED;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:2: NVS partition 'nvs' is flagged encrypted: "
		       "nvs_flash_init() refuses it (NVS has an encryption of its own, not flash "
		       "encryption)\n");
	pt.v[0].flags = 0;
	pt.v[0].subtype = PARTTABLE_SUBTYPE_DATA_NVS_KEYS;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:2: NVS keys partition 'nvs' is not flagged "
		       "encrypted: the NVS encryption keys would lie in flash in the clear\n");
	pt.v[0].flags = PARTTABLE_FLAG_ENCRYPTED;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) == 0);
	pt.v[0].subtype = PARTTABLE_SUBTYPE_DATA_NVS;
	pt.v[0].flags = 0;

	pt.v[3].subtype = 0x12; /* ota_0, ota_2 */
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:5: OTA app partition 'ota_1' (ota_2) without ota_1: "
		       "the bootloader counts OTA slots only up to the first missing one, and "
		       "never starts it\n");
	pt.v[3].subtype = 0x10; /* two ota_0 */
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:5: app partition 'ota_1' has the subtype of 'ota_0' "
		       "(0x10): the bootloader starts only one of them\n");
	pt.v[3].subtype = 0x11;

	pt.v[1].subtype = PARTTABLE_SUBTYPE_DATA_UNDEFINED; /* no otadata */
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:4: OTA app partition 'ota_0' without an otadata "
		       "partition (data, ota): the bootloader never starts an OTA slot\n");
	pt.v[1].subtype = PARTTABLE_SUBTYPE_DATA_OTA;

	pt.v[2].flags = PARTTABLE_FLAG_READONLY;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:4: OTA app partition 'ota_0' is flagged readonly: an "
		       "OTA update cannot write it\n");
	pt.v[2].flags = 0;

	pt.v[3].offset = 0x111000; /* only with --no-verify: gen_esp32part.py refuses it */
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:5: app partition 'ota_1' at 0x111000 is not 64 KiB "
		       "aligned: the flash MMU maps apps in 64 KiB pages\n");
	pt.v[3].offset = 0x110000;
	pt.v[0].size = 0x6800;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:2: partition 'nvs' size 0x6800 is not a multiple of "
		       "the 0x1000 byte flash sector: it cannot be erased as a whole\n");
	pt.v[0].size = 0x6000;
	pt.v[0].offset = 0x8000;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:2: partition 'nvs' (0x8000-0xdfff) overlaps the "
		       "partition table at 0x8000-0x8fff\n");
	pt.v[0].offset = 0x3000;
	pt.v[0].size = 0x2000;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:2: partition 'nvs' (0x3000-0x4fff) overlaps the "
		       "esp32p4 bootloader at 0x2000-0x7fff\n");
	pt.v[0].offset = 0x9000;
	pt.v[0].size = 0x6000;

	/* the table: aligned, after room for a signed bootloader of the chip */
	cfg.table_offset = 0x3000;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv: table offset 0x3000 leaves no room for a signed "
		       "esp32p4 bootloader (at 0x2000, it needs 0x2000 bytes at least: one sector "
		       "of image, one for its signature)\n");
	cfg.chip = chip_find("esp32c3");
	CHECK(strict_msg(&pt, msg, sizeof(msg)) == 0);
	cfg.table_offset = 0x8800;
	cfg.offset_line = 1;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv:1: table offset 0x8800 is not a multiple of 0x1000: "
		       "the table must have a flash sector of its own\n");
	cfg.table_offset = PARTTABLE_DEFAULT_OFFSET;
	cfg.offset_line = 0;

	/* an otadata partition with nothing to select: a warning only */
	pt.v[2].subtype = PARTTABLE_SUBTYPE_APP_TEST;
	pt.v[3].subtype = PARTTABLE_SUBTYPE_APP_FACTORY;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) == 0);
	CHECK_STR(msg,
		  "test_parttable: t.csv:3: warning: otadata partition 'otadata' without OTA "
		  "app partitions: it selects nothing, the bootloader starts the factory app\n");
	pt.v[2].type = pt.v[3].type = PARTTABLE_TYPE_DATA;
	pt.v[1].subtype = PARTTABLE_SUBTYPE_DATA_UNDEFINED;
	CHECK(strict_msg(&pt, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "test_parttable: t.csv: no app partition (factory, ota_N or test): the "
		       "bootloader has nothing to start\n");
	cfg.chip = NULL;
	parttable_free(&pt);
}

static void test_extra_subtype(void)
{
	CHECK(parttable_config_add_subtype(&cfg, "data, my_data, 40") == 0);
	CHECK_STR(parttable_subtype_name(&cfg, PARTTABLE_TYPE_DATA, 0x40), "my_data");
	CHECK(parttable_config_add_subtype(&cfg, "data, other, 0x40") < 0); /* value taken */
	CHECK(parttable_config_add_subtype(&cfg, "nope, x, 0x41") < 0);
	CHECK(parttable_config_add_subtype(&cfg, "app, x") < 0);
}

int main(void)
{
	diag_set_program("test_parttable");
	CHECK(parttable_config_init(&cfg) == 0);
	test_parse_int();
	test_resolve_encode_decode();
	test_checks();
	test_rows();
	test_messages();
	test_strict();
	test_extra_subtype();
	parttable_config_free(&cfg);
	return check_status();
}
