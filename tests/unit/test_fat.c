/* SPDX-License-Identifier: Apache-2.0 */
/* The FAT encoder and decoder (spec/filesystems.md §3, §4): names and their ~N tails, the
 * long-name checksum, geometry (FAT12 or FAT16), entries, wear-levelling sectors. */
#include "fat.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crc.h"
#include "diag.h"
#include "fat_name.h"

static int all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static size_t upper(const char *s, uint32_t *out)
{
	return fat_name_upper(s, strlen(s), out);
}

static void test_upper_split(void)
{
	uint32_t cp[32];

	/* Python's str.upper(): one letter may become two */
	CHECK(upper("straße.txt", cp) == 11);
	CHECK(cp[4] == 'S' && cp[5] == 'S' && cp[6] == 'E');
	CHECK(upper("\xc3\xa9t\xc3\xa9", cp) == 3 && cp[0] == 0xC9 && cp[1] == 'T');
	CHECK(upper("\xc5\x82", cp) == 1 && cp[0] == 0x141);		       /* ł -> Ł */
	CHECK(upper("\xce\x90", cp) == 3 && cp[0] == 0x399 && cp[2] == 0x301); /* ΐ */
	CHECK(upper("\xef\xac\x83", cp) == 3 && cp[0] == 'F' && cp[2] == 'I'); /* ﬃ */
	CHECK(upper("\xc7\x85", cp) == 1 && cp[0] == 0x1C4);		       /* ǅ -> Ǆ */
	CHECK(upper("\xd5\xa1", cp) == 1 && cp[0] == 0x531);		       /* Armenian */
	CHECK(upper("\xf0\x90\x90\xa8", cp) == 1 && cp[0] == 0x10400);	       /* Deseret */
	CHECK(upper("\xe2\x85\xb0", cp) == 1 && cp[0] == 0x2160);	       /* ⅰ -> Ⅰ */
	CHECK(upper("\xff", cp) == (size_t)-1);
	CHECK(upper("\xc0\xae", cp) == (size_t)-1); /* overlong '.' */
	/* os.path.splitext: the last dot, but never leading dots */
	CHECK(fat_name_split(cp, upper("A.B.C", cp)) == 3);
	CHECK(fat_name_split(cp, upper(".HIDDEN", cp)) == 7);
	CHECK(fat_name_split(cp, upper("..A", cp)) == 3);
	CHECK(fat_name_split(cp, upper("A.", cp)) == 1);
	CHECK(fat_name_split(cp, upper("NOEXT", cp)) == 5);
}

static void test_tail_checksum(void)
{
	static const uint8_t thisis[11] = "THISIS~1TXT";
	uint32_t lfn[32];
	size_t n = upper("LONGPREFIX_6.TXT", lfn);
	char tail[8];

	lfn[n++] = 0;
	CHECK(fat_name_tail(1, lfn, n, tail) == 2 && strcmp(tail, "~1") == 0);
	CHECK(fat_name_tail(5, lfn, n, tail) == 2 && strcmp(tail, "~5") == 0);
	/* past 5, FatFs's CRC of the long name (values from fatfsgen's _gen_numname_suffix) */
	CHECK(fat_name_tail(6, lfn, n, tail) == 5 && strcmp(tail, "~AA18") == 0);
	n = upper("ARCHIVE.TAR.GZ", lfn);
	lfn[n++] = 0;
	CHECK(fat_name_tail(127, lfn, n, tail) == 5 && strcmp(tail, "~2464") == 0);
	/* the example in fatfsgen's entry.py, and one from its lfn_checksum() */
	CHECK(fat_name_checksum(thisis) == 0x43);
	CHECK(fat_name_checksum((const uint8_t *)"LON~AA18TXT") == 0x83);
	CHECK(fat_name_needs_lfn(lfn, 8, 3) == 1); /* "ARCHIVE." has a dot in the name part */
	n = upper("ABCDEFGH", lfn);
	CHECK(fat_name_needs_lfn(lfn, n, 3) == 0);
	CHECK(fat_name_needs_lfn(lfn, n, 4) == 1);
	n = upper("A+B", lfn);
	CHECK(fat_name_needs_lfn(lfn, n, 0) == 1);
}

static void test_geometry(void)
{
	struct fat_config c;
	struct fat_geom g;
	char why[300];

	fat_config_default(&c);
	CHECK(fat_geom_compute(&c, 0x40000, &g, why, sizeof(why)) == 0);
	CHECK(g.total == 64 && g.fat_sectors == 1 && g.root_sectors == 4 && g.data_sectors == 57);
	CHECK(g.type == 12);
	/* §5: 2 MiB of 512-byte sectors is FAT12, 4 MiB FAT16 */
	c.sector_size = 512;
	CHECK(fat_geom_compute(&c, 2 << 20, &g, why, sizeof(why)) == 0 && g.type == 12);
	CHECK(fat_geom_compute(&c, 4 << 20, &g, why, sizeof(why)) == 0 && g.type == 16);
	CHECK(g.fat_sectors == 33); /* (8192 * 2 + 4) / 512 rounded up */
	c.fat_type = 12;
	CHECK(fat_geom_compute(&c, 4 << 20, &g, why, sizeof(why)) < 0);
	CHECK(strcmp(why, "--fat-type 12 does not match the geometry, which gives FAT16") == 0);
	/* 16 MiB of 4096-byte sectors: 4085 data clusters, where F and FatFs disagree */
	fat_config_default(&c);
	CHECK(fat_geom_compute(&c, 16 << 20, &g, why, sizeof(why)) < 0);
	CHECK(strncmp(why, "4085 data clusters", 18) == 0);
	CHECK(fat_geom_compute(&c, 17 << 20, &g, why, sizeof(why)) == 0 && g.type == 16);
	/* wear levelling: 1 MiB = 256 sectors, 2 state sectors twice, dummy and config */
	c.wear_levelling = 1;
	CHECK(fat_geom_compute(&c, 1 << 20, &g, why, sizeof(why)) == 0 && g.total == 250);
	c.sector_size = 512;
	c.wl_mode = FAT_WL_MODE_SAFE;
	CHECK(fat_geom_compute(&c, 1 << 20, &g, why, sizeof(why)) == 0 && g.total == 248 * 8);
	c.size_detect = 1;
	CHECK(fat_geom_compute(&c, 1 << 20, &g, why, sizeof(why)) < 0);
}

/* One file and one directory: clusters in order, entries, FAT12 chain, data fill. */
static void test_layout(void)
{
	static uint8_t big[5000];
	struct fat_file f[] = {
	    {"Sub", 1, NULL, 0},
	    {"Sub/x.txt", 0, (const uint8_t *)"hi", 2},
	    {"big.bin", 0, big, sizeof(big)},
	    {"empty", 0, NULL, 0},
	};
	struct fat_config c;
	struct buf out = BUF_INIT;
	const uint8_t *root, *fat, *data;

	memset(big, 'b', sizeof(big));
	fat_config_default(&c);
	CHECK(fat_build(&c, 0x40000, "d", f, 4, &out) == 0);
	CHECK(out.len == 0x40000);
	CHECK(memcmp(out.data,
		     "\xEB\xFE\x90MSDOS5.0\x00\x10\x01\x01\x00\x02\x00\x02\x40\x00\xF8"
		     "\x01\x00",
		     24) == 0);
	CHECK(out.data[510] == 0x55 && out.data[511] == 0xAA);
	fat = out.data + 4096;
	root = out.data + 3 * 4096;
	data = out.data + 7 * 4096;
	/* SUB gets cluster 2, X.TXT 3, BIG.BIN 4 and 5; EMPTY none */
	CHECK(memcmp(root, "SUB        \x10\x00", 13) == 0 && root[26] == 2);
	CHECK(memcmp(root + 32, "BIG     BIN\x20", 12) == 0 && root[32 + 26] == 4);
	CHECK(root[32 + 28] == 0x88 && root[32 + 29] == 0x13); /* 5000 */
	CHECK(root[16] == 0x21 && root[18] == 0x21 && root[24] == 0x21);
	CHECK(memcmp(root + 64, "EMPTY      \x20", 12) == 0 && root[64 + 26] == 0);
	CHECK(memcmp(data, ".          \x10", 12) == 0 && data[26] == 2);
	CHECK(memcmp(data + 32, "..         \x10", 12) == 0 && data[32 + 26] == 1);
	CHECK(memcmp(data + 64, "X       TXT", 11) == 0 && data[64 + 26] == 3);
	/* FAT12: F8 FF FF | 2: FFF, 3: FFF | 4: 005, 5: FFF */
	CHECK(memcmp(fat, "\xF8\xFF\xFF\xFF\xFF\xFF\x05\xF0\xFF", 9) == 0);
	CHECK(memcmp(fat, fat + 4096, 4096) == 0);
	CHECK(memcmp(data + 4096, "hi", 2) == 0 && all_bytes(data + 4098, 4094, 0));
	CHECK(all_bytes(data + 3 * 4096, 5000 - 4096, 'b'));
	CHECK(all_bytes(data + 3 * 4096 + 904, 4096 - 904, 0));
	CHECK(all_bytes(data + 4 * 4096, 0x40000 - 11 * 4096, 0xFF));
	buf_free(&out);
}

static void test_long_names(void)
{
	struct fat_file f = {"Mixed Case Name.Json", 0, (const uint8_t *)"{}", 2};
	struct fat_config c;
	struct buf out = BUF_INIT, msg = BUF_INIT;
	const uint8_t *e;

	fat_config_default(&c);
	diag_capture_begin(&msg);
	CHECK(fat_build(&c, 0x40000, "d", &f, 1, &out) < 0); /* no --long-names */
	diag_capture_end();
	CHECK(msg.len > 0);
	buf_free(&msg);
	c.long_names = 1;
	CHECK(fat_build(&c, 0x40000, "d", &f, 1, &out) == 0);
	e = out.data + 3 * 4096;
	/* "MIXED CASE NAME.JSON" + U+0000 = 21 units: 2 entries, the last part first,
	 * stored lower-cased */
	CHECK(e[0] == 0x42 && e[11] == 0x0F && e[12] == 0 && e[26] == 0 && e[27] == 0);
	CHECK(memcmp(e + 1, "m\0e\0.\0j\0s\0", 10) == 0);
	CHECK(memcmp(e + 14, "o\0n\0\0\0\xFF\xFF\xFF\xFF\xFF\xFF", 12) == 0);
	CHECK(all_bytes(e + 28, 4, 0xFF));
	CHECK(e[32] == 0x01 && memcmp(e + 33, "m\0i\0x\0e\0d\0", 10) == 0);
	CHECK(memcmp(e + 64, "MIXED ~1JSO\x20\x00", 13) == 0);
	CHECK(e[13] == fat_name_checksum(e + 64) && e[32 + 13] == e[13]);
	buf_free(&out);
}

static void test_errors(void)
{
	struct fat_file dup[] = {{"A.TXT", 0, (const uint8_t *)"x", 1},
				 {"a.txt", 0, (const uint8_t *)"y", 1}};
	static uint8_t data[300000];
	struct fat_file big = {"big", 0, data, sizeof(data)};
	struct fat_config c;
	struct buf out = BUF_INIT, msg = BUF_INIT;

	fat_config_default(&c);
	diag_capture_begin(&msg);
	CHECK(fat_build(&c, 0x40000, "d", dup, 2, &out) < 0);
	CHECK(fat_build(&c, 0x40000, "d", &big, 1, &out) < 0);
	diag_capture_end();
	CHECK(buf_append(&msg, "", 1) == 0);
	CHECK(strstr((char *)msg.data, "d: '/A.TXT' and '/a.txt' are the same FAT name") != NULL);
	CHECK(strstr((char *)msg.data, "(full at '/big')") != NULL);
	CHECK(out.len == 0);
	buf_free(&out);
	buf_free(&msg);
}

/* §4: dummy, FAT, state copies, config; CRCs as WL_Flash checks them. */
static void test_wl(void)
{
	struct fat_config c;
	struct buf out = BUF_INIT;
	const uint8_t *s1, *s2, *cfg;
	struct fat_list l = {NULL, 0, 0};

	fat_config_default(&c);
	c.wear_levelling = 1;
	CHECK(fat_build(&c, 1 << 20, "d", NULL, 0, &out) == 0);
	CHECK(out.len == 1 << 20);
	CHECK(all_bytes(out.data, 4096, 0xFF));
	CHECK(out.data[4096] == 0xEB && out.data[4096 + 19] == 250); /* 250 FAT sectors */
	s1 = out.data + 251 * 4096;
	s2 = s1 + 2 * 4096;
	cfg = out.data + 255 * 4096;
	CHECK(memcmp(s1, s2, 4096 * 2) == 0);
	CHECK(buf_get_le32(s1) == 0 && buf_get_le32(s1 + 4) == 251);
	CHECK(buf_get_le32(s1 + 16) == 16 && buf_get_le32(s1 + 20) == 4096);
	CHECK(buf_get_le32(s1 + 24) == 2 && buf_get_le32(s1 + 28) == 0);
	CHECK(all_bytes(s1 + 32, 28, 0) && buf_get_le32(s1 + 60) == crc32_esp(s1, 60));
	CHECK(all_bytes(s1 + 64, 2 * 4096 - 64, 0xFF));
	CHECK(buf_get_le32(cfg + 4) == 1 << 20 && buf_get_le32(cfg + 8) == 4096);
	CHECK(buf_get_le32(cfg + 28) == 32 && buf_get_le32(cfg + 32) == crc32_esp(cfg, 32));
	CHECK(all_bytes(cfg + 36, 12, 0) && all_bytes(cfg + 48, 4096 - 48, 0xFF));
	CHECK(fat_image_detect(out.data, out.len) == FAT_KIND_WL);
	CHECK(fat_image_detect(out.data + 4096, 250 * 4096) == FAT_KIND_PLAIN);
	CHECK(fat_decode("i", out.data, out.len, &l) == 0 && l.n == 0 && l.wear_levelling);
	/* safe mode: two more spare sectors before the states, max_pos counts them */
	out.len = 0;
	c.sector_size = 512;
	c.wl_mode = FAT_WL_MODE_SAFE;
	CHECK(fat_build(&c, 1 << 20, "d", NULL, 0, &out) == 0);
	s1 = out.data + 251 * 4096;
	CHECK(all_bytes(s1 - 2 * 4096, 2 * 4096, 0xFF) && buf_get_le32(s1 + 4) == 251);
	CHECK(buf_get_le16(out.data + 4096 + 19) == 248 * 8);
	buf_free(&out);
}

static void test_decode(void)
{
	static uint8_t big[9000];
	struct fat_file f[] = {
	    {"a very long directory", 1, NULL, 0},
	    {"a very long directory/n.txt", 0, (const uint8_t *)"nested", 6},
	    {"big.bin", 0, big, sizeof(big)},
	    {"empty", 0, NULL, 0},
	};
	struct fat_config c;
	struct buf out = BUF_INIT;
	struct fat_list l = {NULL, 0, 0};
	int wl;

	memset(big, 7, sizeof(big));
	fat_config_default(&c);
	c.long_names = 1;
	c.sector_size = 512;
	for (wl = 0; wl < 2; wl++) {
		c.wear_levelling = wl;
		out.len = 0;
		CHECK(fat_build(&c, 0x100000, "d", f, 4, &out) == 0);
		CHECK(fat_image_detect(out.data, out.len) == (wl ? FAT_KIND_WL : FAT_KIND_PLAIN));
		CHECK(fat_decode("i", out.data, out.len, &l) == 0);
		CHECK(l.n == 4 && l.wear_levelling == wl);
		CHECK(strcmp(l.v[0].name, "/a very long directory") == 0 && l.v[0].is_dir);
		CHECK(strcmp(l.v[1].name, "/a very long directory/n.txt") == 0);
		CHECK(l.v[1].len == 6 && memcmp(l.v[1].data, "nested", 6) == 0);
		CHECK(strcmp(l.v[2].name, "/big.bin") == 0 && l.v[2].len == sizeof(big));
		CHECK(memcmp(l.v[2].data, big, sizeof(big)) == 0);
		CHECK(strcmp(l.v[3].name, "/empty") == 0 && l.v[3].len == 0 && !l.v[3].is_dir);
		fat_list_free(&l);
	}
	memset(out.data, 0, 512);
	CHECK(fat_image_detect(out.data, 512) == FAT_KIND_NONE);
	buf_free(&out);
}

int main(void)
{
	test_upper_split();
	test_tail_checksum();
	test_geometry();
	test_layout();
	test_long_names();
	test_errors();
	test_wl();
	test_decode();
	return check_status();
}
