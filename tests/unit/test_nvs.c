/* SPDX-License-Identifier: Apache-2.0 */
/* The NVS model (spec/nvs.md): CSV reading, exact item/page bytes, decode round trip,
 * the Wi-Fi PMK failing cleanly when memory runs out. */
#include "nvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"
#include "crc.h"
#include "diag.h"
#include "failcalloc.h"

/* File rows: "f.bin" holds three bytes; anything else is missing. */
static int fake_reader(void *ctx, const char *csv_file, unsigned line, const char *path,
		       struct buf *out)
{
	(void)ctx;
	(void)csv_file;
	(void)line;
	if (strcmp(path, "f.bin") != 0)
		return -1;
	return buf_append(out, "\x01\x02\x03", 3);
}

static int parse_n(struct nvs_csv *csv, const char *text, size_t len)
{
	nvs_csv_init(csv, "t.csv");
	return nvs_csv_parse(csv, (const uint8_t *)text, len);
}

static int parse(struct nvs_csv *csv, const char *text)
{
	return parse_n(csv, text, strlen(text));
}

/* CSV text of @len bytes (NULs allowed) -> image. */
static int gen_n(const char *text, size_t len, uint64_t size, int version, struct buf *out)
{
	struct nvs_csv csv;
	struct nvs_gen_opts o = {size, version};
	int rc;

	rc = parse_n(&csv, text, len);
	if (rc == 0)
		rc = nvs_generate(&csv, 1, &o, fake_reader, NULL, out);
	nvs_csv_free(&csv);
	return rc;
}

static int gen(const char *text, uint64_t size, int version, struct buf *out)
{
	return gen_n(text, strlen(text), size, version, out);
}

static void test_csv(void)
{
	struct nvs_csv csv;

	/* universal newlines, '#' lines dropped (even inside quotes), blank lines skipped,
	 * "" escapes, extra columns ignored, short rows give NULL */
	CHECK(parse(&csv, "# c\r\nkey,type,encoding,value\r\n\r\nns,namespace\r\n"
			  "a,data,string,\"x,\"\"y\"\"\r\n#gone\r\nz\",extra\rb,data,u8,1") == 0);
	CHECK(csv.n == 3 && !csv.missing && csv.header_line == 2);
	CHECK_STR(csv.v[0].key.s, "ns");
	CHECK(csv.v[0].encoding.s == NULL && csv.v[0].value.s == NULL);
	CHECK(csv.v[0].line == 4);
	CHECK_STR(csv.v[1].value.s, "x,\"y\"\nz");
	CHECK(csv.v[1].line == 5);
	CHECK_STR(csv.v[2].value.s, "1");
	CHECK(csv.v[2].line == 8);
	nvs_csv_free(&csv);

	/* columns in any order; a repeated name takes the last one */
	CHECK(parse(&csv, "value,key,encoding,type,value\n1,k,u8,data,2\n") == 0);
	CHECK_STR(csv.v[0].key.s, "k");
	CHECK_STR(csv.v[0].value.s, "2");
	nvs_csv_free(&csv);

	/* a missing column is reported for the first row only */
	CHECK(parse(&csv, "key,type,encoding\nns,namespace,\n") == 0);
	CHECK_STR(csv.missing, "value");
	nvs_csv_free(&csv);

	/* bad UTF-8 is an error at its line */
	CHECK(parse(&csv, "key,type,encoding,value\n\xff\n") < 0);
	nvs_csv_free(&csv);
}

/*
 * Field text lives in a few large blocks (it used to be one malloc() per field, and
 * an 8 MiB CSV of short rows took 22 times its size): a field equal to the one above
 * it is shared, a field larger than a block gets one of its own while the open block
 * keeps taking the small ones.
 */
static void test_csv_store(void)
{
	static const char head[] = "key,type,encoding,value\nns,namespace,,\na,data,u8,1\n"
				   "b,data,u8,2\nc,data,string,\"";
	struct nvs_csv csv;
	struct buf text = BUF_INIT;
	size_t i;

	CHECK(buf_puts(&text, head) == 0 && buf_fill(&text, 'x', 100000) == 0 &&
	      buf_puts(&text, "\"\nd,data,string,1\n") == 0);
	CHECK(parse_n(&csv, (const char *)text.data, text.len) == 0);
	CHECK(csv.n == 5 && csv.store != NULL);
	if (csv.n == 5) {
		CHECK(csv.v[1].type.s == csv.v[2].type.s && csv.v[1].encoding.s == csv.v[2].encoding.s);
		CHECK_STR(csv.v[1].value.s, "1");
		CHECK_STR(csv.v[2].value.s, "2");
		CHECK_STR(csv.v[3].encoding.s, "string");
		CHECK(csv.v[3].value.len == 100000 && csv.v[3].value.s[100000] == 0);
		for (i = 0; i < 100000 && csv.v[3].value.s[i] == 'x'; i++)
			;
		CHECK(i == 100000);
		CHECK(csv.v[4].encoding.s == csv.v[3].encoding.s);
		CHECK_STR(csv.v[4].key.s, "d");
		CHECK_STR(csv.v[4].value.s, "1");
		/* the small fields around the big one share a block */
		CHECK((uintptr_t)csv.v[4].key.s - (uintptr_t)csv.v[2].value.s < 64);
	}
	nvs_csv_free(&csv);
	CHECK(csv.n == 0 && csv.v == NULL && csv.store == NULL);
	buf_free(&text);
}

static void test_generate_bytes(void)
{
	/* expected bytes: esp-idf-nvs-partition-gen 0.2.0, generate tiny.csv tiny.bin 0x3000 */
	static const uint8_t want[] = {
	    0xfe, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0x84, 0x2d, 0xba, 0xb9, 0xaa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x01, 0xff, 0x3b, 0x28,
	    0x0e, 0x0e, 0x6e, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x12,
	    0x01, 0xff, 0x0c, 0xbc, 0xce, 0x19, 0x76, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0x01, 0x21, 0x02, 0xff, 0x0b, 0x6d, 0x49, 0x33, 0x73, 0x00, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00,
	    0xff, 0xff, 0x89, 0xb5, 0x04, 0x0d, 0x68, 0x69, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	struct buf out = BUF_INIT;
	size_t i;

	CHECK(gen("key,type,encoding,value\nns,namespace,,\nv,data,i16,-2\ns,data,string,hi\n",
		  0x3000, 2, &out) == 0);
	CHECK(out.len == 0x3000);
	CHECK_MEM(out.data, want, sizeof(want));
	for (i = sizeof(want); i < out.len && out.data[i] == 0xFF; i++)
		;
	CHECK(i == out.len);
	buf_free(&out);

	/* read-only size: only the page with data is written */
	CHECK(gen("key,type,encoding,value\nns,namespace,,\n", 0x2000, 2, &out) == 0);
	CHECK(out.len == 0x1000);
	buf_free(&out);

	/* version 1: version byte 0xFF, a blob is one BLOB item (0x41) */
	CHECK(gen("key,type,encoding,value\nns,namespace,,\nb,file,binary,f.bin\n", 0x3000, 1,
		  &out) == 0);
	CHECK(out.data[8] == 0xFF);
	CHECK(out.data[64 + 32 + 1] == NVS_TYPE_BLOB && out.data[64 + 32 + 2] == 2);
	CHECK_MEM(out.data + 64 + 64, "\x01\x02\x03\xff", 4);
	buf_free(&out);

	/* version 2 blob: chunk (0x42, chunk 0, span 2) then index (0x48, 3 bytes, 1 chunk) */
	CHECK(gen("key,type,encoding,value\nns,namespace,,\nb,data,hex2bin,010203\n", 0x3000, 2,
		  &out) == 0);
	CHECK(out.data[64 + 32 + 1] == NVS_TYPE_BLOB_DATA && out.data[64 + 32 + 3] == 0);
	CHECK(out.data[64 + 96 + 1] == NVS_TYPE_BLOB_IDX && out.data[64 + 96 + 24] == 3 &&
	      out.data[64 + 96 + 28] == 1);
	buf_free(&out);
}

static void test_generate_errors(void)
{
	struct buf out = BUF_INIT;

	CHECK(gen("key,type,encoding,value\nkkkkkkkkkkkkkkkk,namespace,,\n", 0x3000, 2, &out) < 0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,u8,256\n", 0x3000, 2, &out) < 0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,i8,0x1\n", 0x3000, 2, &out) < 0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,hex2bin,abc\n", 0x3000, 2,
		  &out) < 0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,base64,QUJ\n", 0x3000, 2, &out) <
	      0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,float,1\n", 0x3000, 2, &out) <
	      0);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,file,binary,missing\n", 0x3000, 2,
		  &out) < 0);
	/* 3 pages of blob do not fit 0x3000 (2 data pages) */
	{
		char *text = malloc(64 + 2 * 9000);
		size_t i, h;

		strcpy(text, "key,type,encoding,value\nb,data,hex2bin,");
		h = strlen(text);
		for (i = 0; i < 2 * 9000; i++)
			text[h + i] = 'a';
		text[h + 2 * 9000] = 0;
		CHECK(gen(text, 0x3000, 2, &out) < 0);
		free(text);
	}
	CHECK(out.len == 0);
	buf_free(&out);

	CHECK(nvs_size_problem(0x3000) == NULL);
	CHECK(nvs_size_problem(0x1000) == NULL);
	CHECK(nvs_size_problem(0x3100) != NULL);
	CHECK(nvs_size_problem(0) != NULL);
	CHECK(nvs_size_problem(-4096) != NULL);
	CHECK(nvs_size_read_only(0x2000) && !nvs_size_read_only(0x3000));
}

/*
 * A NUL inside the type or encoding field is part of the text, as in the generator's
 * Python strings: "u8\0garbage" is no encoding, "file\0x" is not "file" (a data row
 * storing its value), "0\0x" is not the authmode "0". They used to be cut at the NUL.
 */
static void test_nul_fields(void)
{
	static const char u8nul[] = "key,type,encoding,value\nns,namespace,,\na,data,u8\0garbage,1\n";
	static const char strnul[] = "key,type,encoding,value\nns,namespace,,\na,data,string\0,x\n";
	static const char filenul[] = "key,type,encoding,value\nns,namespace,,\na,file\0x,string,f.bin\n";
	static const char filedata[] = "key,type,encoding,value\nns,namespace,,\na,data,string,f.bin\n";
	static const char nsnul[] = "key,type,encoding,value\nns,namespace\0,,\n";
	static const char authnul[] = "key,type,encoding,value\nnvs.net80211,namespace,,\n"
				      "ap.ssid,data,string,myap\nap.passwd,data,string,secret12\n"
				      "ap.authmode,data,string,0\0x\n";
	struct buf out = BUF_INIT, want = BUF_INIT, msg = BUF_INIT;
	struct nvs_image im;
	size_t i;

	msg_begin(&msg);
	CHECK(gen_n(u8nul, sizeof(u8nul) - 1, 0x3000, 2, &out) < 0);
	msg_end(&msg, "espgen: t.csv:3: a: unsupported encoding 'u8\\x00garbage'\n");
	msg_begin(&msg);
	CHECK(gen_n(strnul, sizeof(strnul) - 1, 0x3000, 2, &out) < 0);
	msg_end(&msg, "espgen: t.csv:3: a: unsupported encoding 'string\\x00'\n");
	msg_begin(&msg);
	CHECK(gen_n(nsnul, sizeof(nsnul) - 1, 0x3000, 2, &out) < 0);
	msg_end(&msg, "espgen: t.csv:2: ns: unsupported encoding ''\n");
	CHECK(out.len == 0);

	CHECK(gen_n(filenul, sizeof(filenul) - 1, 0x3000, 2, &out) == 0);
	CHECK(gen(filedata, 0x3000, 2, &want) == 0);
	CHECK(out.len == 0x3000 && want.len == 0x3000);
	CHECK_MEM(out.data, want.data, 0x3000);
	buf_free(&out);
	buf_free(&want);

	nvs_image_init(&im);
	CHECK(gen_n(authnul, sizeof(authnul) - 1, 0x3000, 2, &out) == 0);
	CHECK(nvs_decode("a.bin", out.data, out.len, &im) == 0);
	for (i = 0; i < im.n && strcmp(im.v[i].key, "ap.pmk_info") != 0; i++)
		;
	CHECK(i + 1 < im.n && strcmp(im.v[i + 1].key, "ap.authmode") == 0);
	nvs_image_free(&im);
	buf_free(&out);
	buf_free(&msg);
}

/* image -> CSV -> image gives the same bytes */
static void test_roundtrip(const char *text, uint64_t size, int version)
{
	struct buf a = BUF_INIT, b = BUF_INIT, csvtext = BUF_INIT;
	struct nvs_image im;

	nvs_image_init(&im);
	CHECK(gen(text, size, version, &a) == 0);
	CHECK(nvs_decode("a.bin", a.data, a.len, &im) == 0);
	CHECK(nvs_format_csv("a.bin", &im, &csvtext) == 0);
	CHECK(buf_fill(&csvtext, 0, 1) == 0);
	CHECK(gen((const char *)csvtext.data, size, version, &b) == 0);
	CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
	nvs_image_free(&im);
	buf_free(&a);
	buf_free(&b);
	buf_free(&csvtext);
}

static void test_decode(void)
{
	struct buf a = BUF_INIT, csvtext = BUF_INIT;
	struct nvs_image im;

	nvs_image_init(&im);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\nv,data,i16,-2\ns,data,string,\"a,b\"\n"
		  "x,data,hex2bin,00ff\n",
		  0x3000, 2, &a) == 0);
	CHECK(nvs_decode("a.bin", a.data, a.len, &im) == 0);
	CHECK(im.n == 4 && im.version == 2);
	CHECK(im.v[0].ns == 0 && im.v[0].type == NVS_TYPE_U8 && (im.v[0].value & 0xFF) == 1);
	CHECK_STR(im.v[1].key, "v");
	CHECK(im.v[1].ns == 1 && im.v[1].type == NVS_TYPE_I16 &&
	      (im.v[1].value & 0xFFFF) == 0xFFFE);
	CHECK(im.v[2].len == 4 && memcmp(im.v[2].data, "a,b", 4) == 0);
	CHECK(im.v[3].type == NVS_TYPE_BLOB_IDX && im.v[3].len == 2);
	CHECK(nvs_format_csv("a.bin", &im, &csvtext) == 0);
	CHECK(buf_fill(&csvtext, 0, 1) == 0);
	CHECK_STR((const char *)csvtext.data,
		  "# NVS image decoded by esp-mknvs (format version 2, 12288 bytes)\n"
		  "key,type,encoding,value\nns,namespace,,\nv,data,i16,-2\ns,data,string,\"a,b\"\n"
		  "x,data,hex2bin,00ff\n");
	nvs_image_free(&im);
	CHECK(nvs_decode("a.bin", a.data, 100, &im) < 0);
	nvs_image_free(&im);
	buf_free(&a);
	buf_free(&csvtext);

	test_roundtrip("key,type,encoding,value\na,data,u8,1\nns,namespace,,\nb,data,u64,7\n"
		       "m,namespace,,\nc,data,String,no nul\n",
		       0x3000, 2);
	test_roundtrip(
	    "key,type,encoding,value\nnvs.net80211,namespace,,\nsta.ssid,data,string,id\n"
	    "ap.ssid,data,string,x\nap.passwd,data,string,yyyyyyyy\nap.authmode,data,u8,3\n",
	    0x3000, 2);
	test_roundtrip("key,type,encoding,value\nns,namespace,,\nb,file,binary,f.bin\n"
		       "s,data,string,\"multi\nline\"\n",
		       0x4000, 1);
}

/*
 * Checks for values substituted into a parsed CSV (esp-mkflash --devices): a NUL must
 * not silently cut a value, text must be what the CSV reader takes, and a 'file' row
 * filled from a value must stay inside its directory.
 */
static void test_substituted_values(void)
{
	struct buf msg = BUF_INIT, big = BUF_INIT;
	static const char *const ok_paths[] = {"certs/a.pem", "./a", "a/..b", "..a/b", "a//b"};
	static const char *const bad_paths[] = {"../x", "certs/../../etc/passwd", "a/..",
						"..", "/etc/shadow"};
	size_t i;

	msg_begin(&msg);
	CHECK(nvs_csv_check_value("d.csv", 3, "column 'serial'", "SN-0001", 7) == 0);
	CHECK(nvs_csv_check_value("d.csv", 3, "column 'city'", "Z\xc3\xbcrich", 7) == 0);
	CHECK(nvs_csv_check_value("d.csv", 3, "column 'serial'", "ESP\0EVIL", 8) == -1);
	CHECK(nvs_csv_check_value("d.csv", 4, "column 'name'", "ab\xff", 3) == -1);
	CHECK(nvs_csv_check_value("d.csv", 5, "column 'name'", "\xc3", 1) == -1);
	msg_end(&msg, "espgen: d.csv:3: column 'serial': NUL byte in the value (at byte 3)\n"
		      "espgen: d.csv:4: column 'name': value is not valid UTF-8 (byte 0xff at 2)\n"
		      "espgen: d.csv:5: column 'name': value is not valid UTF-8 (byte 0xc3 at 0)\n");

	/* the CSV field limit counts characters: 131072 two-byte ones pass, one more not */
	for (i = 0; i < NVS_CSV_FIELD_MAX && buf_append(&big, "\xc3\xa9", 2) == 0; i++)
		;
	CHECK(big.len == 2 * NVS_CSV_FIELD_MAX);
	msg_begin(&msg);
	CHECK(nvs_csv_check_value("d.csv", 6, "column 'blob'", (const char *)big.data, big.len) ==
	      0);
	CHECK(buf_append(&big, "x", 1) == 0);
	CHECK(nvs_csv_check_value("d.csv", 6, "column 'blob'", (const char *)big.data, big.len) ==
	      -1);
	msg_end(&msg, "espgen: d.csv:6: column 'blob': value larger than the CSV field limit "
		      "(131072)\n");

	for (i = 0; i < sizeof(ok_paths) / sizeof(ok_paths[0]); i++)
		CHECK(nvs_file_path_problem(ok_paths[i], strlen(ok_paths[i])) == NULL);
	for (i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++)
		CHECK(nvs_file_path_problem(bad_paths[i], strlen(bad_paths[i])) != NULL);
	CHECK_STR(nvs_file_path_problem("certs/../../k", 13), "the path goes up a directory ('..')");
	CHECK_STR(nvs_file_path_problem("/etc/shadow", 11), "the path is absolute");
	CHECK_STR(nvs_file_path_problem("", 0), "the path is empty");
	CHECK_STR(nvs_file_path_problem("a.pem\0/../x", 11), "the path holds a NUL byte");
	buf_free(&msg);
	buf_free(&big);
}

/* ---- crafted images (spec/nvs.md §2, §3), for what the generator never writes ---- */

/* A FULL v2 page with sequence number @seq and no items. */
static void page_init(uint8_t *pg, uint32_t seq)
{
	memset(pg, 0xFF, NVS_PAGE_SIZE);
	buf_put_le32(pg, NVS_PAGE_FULL);
	buf_put_le32(pg + 4, seq);
	pg[8] = 0xFE;
	buf_put_le32(pg + 28, crc32_esp(pg + 4, 24));
}

/*
 * Writes an item at entry *@next of @pg: header with @data8 as its 8 data bytes, then
 * @plen payload bytes; marks its entries written and advances *@next.
 */
static void page_item(uint8_t *pg, unsigned *next, uint8_t ns, uint8_t type, uint8_t chunk,
		      const char *key, const uint8_t data8[8], const void *payload, size_t plen)
{
	uint8_t *e = pg + 64 + NVS_ENTRY_SIZE * *next, tmp[28];
	unsigned span = 1 + (unsigned)((plen + 31) / 32), i;

	memset(e, 0xFF, (size_t)span * NVS_ENTRY_SIZE);
	e[0] = ns;
	e[1] = type;
	e[2] = (uint8_t)span;
	e[3] = chunk;
	memset(e + 8, 0, 16);
	memcpy(e + 8, key, strlen(key));
	memcpy(e + 24, data8, 8);
	memcpy(tmp, e, 4);
	memcpy(tmp + 4, e + 8, 24);
	buf_put_le32(e + 4, crc32_esp(tmp, sizeof(tmp)));
	if (plen)
		memcpy(e + NVS_ENTRY_SIZE, payload, plen);
	for (i = 0; i < span; i++, (*next)++)
		pg[32 + *next / 4] &= (uint8_t) ~(1u << (2 * (*next % 4)));
}

static void page_u32(uint8_t *pg, unsigned *next, uint8_t ns, const char *key, uint32_t v)
{
	uint8_t d[8];

	memset(d, 0xFF, 8);
	buf_put_le32(d, v);
	page_item(pg, next, ns, ns ? NVS_TYPE_U32 : NVS_TYPE_U8, 0xFF, key, d, NULL, 0);
}

static void page_chunk(uint8_t *pg, unsigned *next, uint8_t ns, const char *key, uint8_t idx,
		       const void *p, size_t len)
{
	uint8_t d[8];

	buf_put_le16(d, (uint16_t)len);
	d[2] = d[3] = 0xFF;
	buf_put_le32(d + 4, crc32_esp(p, len));
	page_item(pg, next, ns, NVS_TYPE_BLOB_DATA, idx, key, d, p, len);
}

static void page_index(uint8_t *pg, unsigned *next, uint8_t ns, const char *key, uint32_t size,
		       uint8_t count, uint8_t start)
{
	uint8_t d[8];

	buf_put_le32(d, size);
	d[4] = count;
	d[5] = start;
	d[6] = d[7] = 0xFF;
	page_item(pg, next, ns, NVS_TYPE_BLOB_IDX, 0xFF, key, d, NULL, 0);
}

#define REV_PAGES 600
#define REV_GROUP 200 /* pages per blob: one 8-byte chunk on each */

/*
 * Pages stored in reverse sequence-number order, each with a u32 and one chunk of a
 * blob of 200 chunks whose index closes every 200th page; the third blob reuses the
 * second one's key (each index takes the chunks written just before it). Decoding
 * must give every item in sequence order with every blob whole. This shape made
 * page ordering and chunk joining quadratic.
 */
static void test_decode_reverse_pages(void)
{
	uint8_t *img = malloc((size_t)REV_PAGES * NVS_PAGE_SIZE), chunk[8];
	struct nvs_image im;
	uint32_t s;
	size_t at = 0, k;

	CHECK(img != NULL);
	if (!img)
		return;
	for (s = 0; s < REV_PAGES; s++) {
		uint8_t *pg = img + (size_t)(REV_PAGES - 1 - s) * NVS_PAGE_SIZE;
		const char *key = s / REV_GROUP == 0 ? "b0" : "b1";
		unsigned next = 0;

		page_init(pg, s);
		if (s == 0)
			page_u32(pg, &next, 0, "ns", 1);
		page_u32(pg, &next, 1, "v", s);
		buf_put_le32(chunk, s);
		buf_put_le32(chunk + 4, ~s);
		page_chunk(pg, &next, 1, key, (uint8_t)(s % REV_GROUP), chunk, sizeof(chunk));
		if (s % REV_GROUP == REV_GROUP - 1)
			page_index(pg, &next, 1, key, 8 * REV_GROUP, REV_GROUP, 0);
	}
	nvs_image_init(&im);
	CHECK(nvs_decode("r.bin", img, (size_t)REV_PAGES * NVS_PAGE_SIZE, &im) == 0);
	CHECK(im.n == 1 + REV_PAGES + REV_PAGES / REV_GROUP);
	CHECK(im.n > 0 && im.v[at].ns == 0 && strcmp(im.v[at].key, "ns") == 0);
	for (at = 1, s = 0; s < REV_PAGES && at < im.n; s++) {
		const struct nvs_item *it = &im.v[at++];

		CHECK(it->ns == 1 && it->type == NVS_TYPE_U32 && (uint32_t)it->value == s);
		CHECK(it->page == REV_PAGES - 1 - s && it->entry == (s == 0 ? 1u : 0u));
		if (s % REV_GROUP != REV_GROUP - 1 || at >= im.n)
			continue;
		it = &im.v[at++];
		CHECK_STR(it->key, s / REV_GROUP == 0 ? "b0" : "b1");
		CHECK(it->type == NVS_TYPE_BLOB_IDX && it->len == 8 * REV_GROUP);
		for (k = 0; it->len == 8 * REV_GROUP && k < REV_GROUP; k++) {
			uint32_t c = s + 1 - REV_GROUP + (uint32_t)k;

			CHECK(buf_get_le32(it->data + 8 * k) == c &&
			      buf_get_le32(it->data + 8 * k + 4) == ~c);
		}
	}
	CHECK(at == im.n);
	nvs_image_free(&im);
	free(img);
}

/*
 * Two indexes naming the same three chunks: the newer one gets them, the older one is
 * skipped (joining a chunk into every index that names it let a 512 KiB image decode
 * to gigabytes, slowly); an index whose chunk is missing is skipped too.
 */
static void test_decode_shared_chunks(void)
{
	uint8_t img[NVS_PAGE_SIZE];
	struct nvs_image im;
	struct buf msg = BUF_INIT;
	unsigned next = 0;

	page_init(img, 0);
	page_u32(img, &next, 0, "ns", 1);
	page_chunk(img, &next, 1, "k", 0, "ab", 2);
	page_chunk(img, &next, 1, "k", 1, "cd", 2);
	page_chunk(img, &next, 1, "k", 2, "e", 1);
	page_index(img, &next, 1, "k", 5, 3, 0);
	page_index(img, &next, 1, "k", 5, 3, 0);
	page_index(img, &next, 1, "m", 5, 3, 0);
	nvs_image_init(&im);
	msg_begin(&msg);
	CHECK(nvs_decode("s.bin", img, sizeof(img), &im) == 0);
	msg_end(&msg, "espgen: s.bin: warning: page 0 entry 9: blob 'm' is incomplete, skipped\n"
		      "espgen: s.bin: warning: page 0 entry 7: blob 'k': chunk 0 belongs to a "
		      "later index, skipped\n");
	CHECK(im.n == 2 && im.v[1].entry == 8 && im.v[1].len == 5);
	CHECK(im.n == 2 && memcmp(im.v[1].data, "abcde", 5) == 0);
	nvs_image_free(&im);
	buf_free(&msg);
}

/*
 * An image a device wrote: namespace names (u8 items of namespace 0) after their
 * items, an index named twice. The CSV groups each namespace's items under its first
 * name; items of a namespace without a name are left out.
 */
static void test_decode_device_order(void)
{
	uint8_t img[NVS_PAGE_SIZE];
	struct nvs_image im;
	struct buf csvtext = BUF_INIT, msg = BUF_INIT;
	unsigned next = 0;

	page_init(img, 0);
	page_u32(img, &next, 2, "x", 20);
	page_u32(img, &next, 1, "y", 10);
	page_u32(img, &next, 0, "two", 2);
	page_u32(img, &next, 3, "lost", 30);
	page_u32(img, &next, 0, "one", 1);
	page_u32(img, &next, 2, "z", 21);
	page_u32(img, &next, 0, "again", 2);
	page_chunk(img, &next, 0, "blob0", 0, "q", 1);
	page_index(img, &next, 0, "blob0", 1, 1, 0);
	nvs_image_init(&im);
	CHECK(nvs_decode("d.bin", img, sizeof(img), &im) == 0);
	msg_begin(&msg);
	CHECK(nvs_format_csv("d.bin", &im, &csvtext) == 0);
	msg_end(&msg, "espgen: d.bin: warning: 1 items of namespaces without a name left out\n");
	CHECK(buf_fill(&csvtext, 0, 1) == 0);
	CHECK_STR((const char *)csvtext.data,
		  "# NVS image decoded by esp-mknvs (format version 2, 4096 bytes)\n"
		  "key,type,encoding,value\nblob0,data,hex2bin,71\ntwo,namespace,,\n"
		  "x,data,u32,20\nz,data,u32,21\none,namespace,,\ny,data,u32,10\n");
	nvs_image_free(&im);
	buf_free(&csvtext);
	buf_free(&msg);
}

/*
 * Every ap.* row after the Wi-Fi set is complete brings an ap.pmk_info (a PBKDF2 of
 * 4096 rounds); the CSV writer derives at most 16 to recognise them, so that a
 * crafted image cannot make it derive thousands. The rest are kept as rows.
 */
static void test_decode_many_pmk(void)
{
	struct buf text = BUF_INIT, img = BUF_INIT, csvtext = BUF_INIT, msg = BUF_INIT;
	struct nvs_image im;
	const char *p;
	int i, rows = 0;

	CHECK(buf_puts(&text, "key,type,encoding,value\nnvs.net80211,namespace,,\n"
			      "ap.passwd,data,string,secret12\nap.authmode,data,u8,3\n") == 0);
	for (i = 0; i < 20; i++)
		CHECK(buf_printf(&text, "ap.ssid,data,string,s%d\n", i) == 0);
	CHECK(gen_n((const char *)text.data, text.len, 0x8000, 2, &img) == 0);
	nvs_image_init(&im);
	CHECK(nvs_decode("p.bin", img.data, img.len, &im) == 0);
	msg_begin(&msg);
	CHECK(nvs_format_csv("p.bin", &im, &csvtext) == 0);
	msg_end(&msg, "espgen: p.bin: warning: 4 more ap.pmk_info items not checked against the "
		      "Wi-Fi keys (at most 16 are): kept as rows, generating from this CSV adds "
		      "them again\n");
	CHECK(buf_fill(&csvtext, 0, 1) == 0);
	for (p = (const char *)csvtext.data; (p = strstr(p, "\nap.pmk_info,data,")) != NULL; p++)
		rows++;
	CHECK(rows == 4);
	nvs_image_free(&im);
	buf_free(&text);
	buf_free(&img);
	buf_free(&csvtext);
	buf_free(&msg);
}

/* Messages go to @msg, and calloc() fails after @countdown more calls. */
static void oom_begin(struct buf *msg, long countdown)
{
	msg_begin(msg);
	failcalloc_countdown = countdown;
}

/* Back to normal; the messages since oom_begin() must be @want. */
static void oom_end(struct buf *msg, const char *want)
{
	failcalloc_countdown = -1;
	msg_end(msg, want);
}

/*
 * ap.pmk_info needs PBKDF2, which allocates inside mbedTLS: when that fails, both
 * the generator and the CSV writer stop with a message (they used to carry on with
 * uninitialised key bytes).
 */
static void test_pmk_out_of_memory(void)
{
	static const char text[] = "key,type,encoding,value\nnvs.net80211,namespace,,\n"
				   "ap.ssid,data,string,myap\nap.passwd,data,string,secret12\n"
				   "ap.authmode,data,u8,3\n";
	/* the PMK of "secret12" on "myap" (Python hashlib.pbkdf2_hmac) */
	static const char pmk[] = "\xd8\xd9\x26\xde\x7d\x05\xda\xe6\x39\x5f\x1e\xaf\x6e"
				  "\x7f\xf4\x6a\x26\x61\xea\x32\xd5\x94\xf4\xae\x45\x23"
				  "\xe5\xf6\x39\xd7\xe3\x21";
	struct nvs_gen_opts o = {0x3000, 2};
	struct buf img = BUF_INIT, out = BUF_INIT, msg = BUF_INIT;
	struct nvs_image im;
	struct nvs_csv csv;
	size_t i;

	nvs_image_init(&im);
	CHECK(gen(text, 0x3000, 2, &img) == 0);
	CHECK(nvs_decode("a.bin", img.data, img.len, &im) == 0);
	for (i = 0; i < im.n && strcmp(im.v[i].key, "ap.pmk_info") != 0; i++)
		;
	CHECK(i < im.n && im.v[i].len == 132);
	if (i < im.n && im.v[i].len == 132)
		CHECK_MEM(im.v[i].data + 100, pmk, 32);
	if (!FAILCALLOC_WORKS) {
		printf("SKIP: out-of-memory checks (calloc cannot be made to fail under ASan or valgrind)\n");
		goto out;
	}

	CHECK(parse(&csv, text) == 0);
	oom_begin(&msg, 0);
	CHECK(nvs_generate(&csv, 1, &o, fake_reader, NULL, &out) == -1);
	oom_end(&msg, "espgen: t.csv:5: cannot compute ap.pmk_info: out of memory\n");
	nvs_csv_free(&csv);
	CHECK(out.len == 0);

	/* nvs_format_csv() makes two calloc() calls of its own before it gets there */
	oom_begin(&msg, 2);
	CHECK(nvs_format_csv("a.bin", &im, &out) == -1);
	oom_end(&msg, "espgen: a.bin: cannot compute ap.pmk_info: out of memory\n");
out:
	nvs_image_free(&im);
	buf_free(&img);
	buf_free(&out);
	buf_free(&msg);
}

int main(void)
{
	test_csv();
	test_csv_store();
	test_generate_bytes();
	test_generate_errors();
	test_nul_fields();
	test_substituted_values();
	test_decode();
	test_decode_reverse_pages();
	test_decode_shared_chunks();
	test_decode_device_order();
	test_decode_many_pmk();
	test_pmk_out_of_memory();
	return check_status();
}
