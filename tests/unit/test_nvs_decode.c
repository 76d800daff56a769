/* SPDX-License-Identifier: Apache-2.0 */
/* --decode's proof (nvs_decode_csv): the CSV and its files generate the image again,
 * or the call fails naming the entry; the four cases of issue 20. */
#include "nvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testutil.h"
#include "diag.h"

/* The files of 'file' rows: "big.bin" (100,000 bytes), "nul.txt" ("ab\0cd"), "ssid.txt". */
static uint8_t big[100000];

static int reader(void *ctx, const char *csv_file, unsigned line, const char *path,
		  struct buf *out)
{
	(void)ctx;
	(void)csv_file;
	(void)line;
	if (!strcmp(path, "big.bin"))
		return buf_append(out, big, sizeof(big));
	if (!strcmp(path, "nul.txt"))
		return buf_append(out, "ab\0cd", 5);
	if (!strcmp(path, "ssid.txt"))
		return buf_append(out, "MyNet", 5);
	return -1;
}

static int gen(const char *text, uint64_t size, struct buf *out)
{
	struct nvs_gen_opts o = {size, 2};
	struct nvs_csv csv;
	int rc;

	nvs_csv_init(&csv, "t.csv");
	rc = nvs_csv_parse(&csv, (const uint8_t *)text, strlen(text));
	if (rc == 0)
		rc = nvs_generate(&csv, 1, &o, reader, NULL, out);
	nvs_csv_free(&csv);
	return rc;
}

/* Decodes the image of @text with files directory @dir: the CSV without its first
 * (comment) line must be @want, or, with @want NULL, the call fail with @msg. */
static void decode(const char *text, const char *dir, const char *want, const char *msg,
		   struct nvs_decode_files *files)
{
	struct buf img = BUF_INIT, csv = BUF_INIT, m = BUF_INIT;

	CHECK(gen(text, 0x20000, &img) == 0);
	msg_begin(&m);
	CHECK(nvs_decode_csv("i.bin", img.data, img.len, dir, &csv, files) == (want ? 0 : -1));
	msg_end(&m, msg);
	if (want) {
		const char *nl;

		CHECK(buf_fill(&csv, 0, 1) == 0);
		nl = strchr((const char *)csv.data, '\n');
		CHECK_STR(nl ? nl + 1 : "", want);
	}
	buf_free(&img);
	buf_free(&csv);
	buf_free(&m);
}

static void test_big_blob(void)
{
	static const char text[] = "key,type,encoding,value\nns,namespace,,\nbig,file,binary,big.bin\n";
	struct nvs_decode_files fs = {NULL, 0, 0};
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	decode(text, "out.files",
	       "key,type,encoding,value\nns,namespace,,\nbig,file,binary,out.files/0-big.bin\n", "",
	       &fs);
	CHECK(fs.n == 1);
	if (fs.n == 1) {
		CHECK_STR(fs.v[0].name, "0-big.bin");
		CHECK(fs.v[0].len == sizeof(big));
		CHECK_MEM(fs.v[0].data, big, sizeof(big));
	}
	nvs_decode_files_free(&fs);
	/* no files directory (standard output): it fails, naming the blob's index entry */
	decode(text, NULL, NULL,
	       "espgen: i.bin: page 25 entry 2: namespace 'ns', key 'big': blob too large for one "
	       "CSV field, and no files directory to write it to; no CSV is written\n",
	       &fs);
	CHECK(fs.n == 0);
	nvs_decode_files_free(&fs);
}

static void test_string_nul(void)
{
	struct nvs_decode_files fs = {NULL, 0, 0};

	decode("key,type,encoding,value\nns,namespace,,\ns,file,string,nul.txt\nt,data,u8,3\n",
	       "d.files",
	       "key,type,encoding,value\nns,namespace,,\ns,file,string,d.files/0-s.txt\n"
	       "t,data,u8,3\n",
	       "", &fs);
	CHECK(fs.n == 1);
	if (fs.n == 1) {
		CHECK_STR(fs.v[0].name, "0-s.txt");
		CHECK(fs.v[0].len == 5 && memcmp(fs.v[0].data, "ab\0cd", 5) == 0);
	}
	nvs_decode_files_free(&fs);
}

/* Data in namespace 0 (before any namespace row) that looks like namespace definitions
 * (a u8 1, then 7) stays data; once it came back as two namespace rows. */
static void test_namespace_0(void)
{
	struct nvs_decode_files fs = {NULL, 0, 0};

	decode("key,type,encoding,value\na,data,u8,1\nb,data,u8,7\n", NULL,
	       "key,type,encoding,value\na,data,u8,1\nb,data,u8,7\n", "", &fs);
	/* two u8 1 and 2 with one name: a repeated namespace row writes nothing */
	decode("key,type,encoding,value\na,data,u8,1\na,data,u8,2\n", NULL,
	       "key,type,encoding,value\na,data,u8,1\na,data,u8,2\n", "", &fs);
	/* namespace 0 data before real namespaces stays where it was */
	decode("key,type,encoding,value\na,data,u8,1\nb,data,u8,7\nns,namespace,,\nc,data,u8,1\n",
	       NULL,
	       "key,type,encoding,value\na,data,u8,1\nb,data,u8,7\nns,namespace,,\nc,data,u8,1\n",
	       "", &fs);
	CHECK(fs.n == 0);
}

/* The generator hashes a file row's name, not its bytes, into ap.pmk_info: no CSV
 * gives that image again, and decode says so instead of writing "ap.ssid,...,MyNet". */
static void test_ap_ssid_file(void)
{
	struct nvs_decode_files fs = {NULL, 0, 0};

	decode("key,type,encoding,value\nnvs.net80211,namespace,,\nap.ssid,file,string,ssid.txt\n"
	       "ap.passwd,data,string,secret12\nap.authmode,data,u8,3\n",
	       "d.files", NULL,
	       "espgen: i.bin: page 0 entry 11: namespace 'nvs.net80211', key 'ap.pmk_info': holds "
	       "no PMK of the ap.ssid and ap.passwd decoded (were they 'file' rows? the generator "
	       "hashes a file row's name); no CSV is written\n",
	       &fs);
	nvs_decode_files_free(&fs);
	/* given as text, the same keys round trip (ap.pmk_info left to the generator) */
	decode("key,type,encoding,value\nnvs.net80211,namespace,,\nap.ssid,data,string,MyNet\n"
	       "ap.passwd,data,string,secret12\nap.authmode,data,u8,3\n",
	       "d.files",
	       "key,type,encoding,value\nnvs.net80211,namespace,,\nap.ssid,data,string,MyNet\n"
	       "ap.passwd,data,string,secret12\nap.authmode,data,u8,3\n",
	       "", &fs);
	CHECK(fs.n == 0);
}

/* Any other difference is caught by generating again: an entry the reader skipped. */
static void test_proof(void)
{
	struct buf img = BUF_INIT, csv = BUF_INIT, m = BUF_INIT;
	struct nvs_decode_files fs = {NULL, 0, 0};

	CHECK(gen("key,type,encoding,value\nns,namespace,,\na,data,u8,1\nb,data,u8,2\n"
		  "c,data,u8,3\n",
		  0x3000, &img) == 0);
	img.data[64 + 2 * 32 + 24] ^= 1; /* entry 2 ('b'): its item CRC fails now */
	msg_begin(&m);
	CHECK(nvs_decode_csv("i.bin", img.data, img.len, "d", &csv, &fs) == -1);
	msg_end(&m, "espgen: i.bin: warning: page 0 entry 2: damaged item header, skipped\n"
		    "espgen: i.bin: page 0 entry 2 (after key 'a' in entry 1): the decoded CSV "
		    "generates other bytes here (an entry that could not be read?); no CSV is "
		    "written\n");
	/* an erased partition is no generator image: decoded as before, to nothing */
	memset(img.data, 0xFF, img.len);
	csv.len = 0;
	CHECK(nvs_decode_csv("i.bin", img.data, img.len, "d", &csv, &fs) == 0);
	CHECK(buf_fill(&csv, 0, 1) == 0);
	CHECK_STR((const char *)csv.data, "# NVS image decoded by esp-mknvs (format version 2, "
					  "12288 bytes)\nkey,type,encoding,value\n");
	nvs_decode_files_free(&fs);
	buf_free(&img);
	buf_free(&csv);
	buf_free(&m);
}

int main(void)
{
	test_big_blob();
	test_string_nul();
	test_namespace_0();
	test_ap_ssid_file();
	test_proof();
	return check_status();
}
