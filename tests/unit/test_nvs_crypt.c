/* SPDX-License-Identifier: Apache-2.0 */
/* NVS encryption (spec/nvs.md §8): known answers from esp-idf-nvs-partition-gen 0.2.0 (the
 * vectors-next/mknvs keys and outputs, first bytes), keys files and their errors, HMAC
 * derivation, the tweak of a later page, round trips and wrong keys. */
#include "nvs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aes.h"
#include "ascii.h"
#include "check.h"
#include "testutil.h"
#include "crc.h"
#include "diag.h"
#include "fileio.h"

/* vectors-next/mknvs/keys: nvs-keys-a.bin (bytes 0..67), hmac-a.bin, hmac-a2.bin */
static const char keys_a[] = "732736b34c3bb5e6bae24e3d555f882deebc5cba368d0db1bc70a9eafc0fe69b"
			     "b9ae9eb3a1ba8522eda78430fb38005ea8b7dfe10eb6beed00f77fc334077ff5"
			     "7c2e4826";
static const char hmac_a[] = "67a95c212d789f5f12b83a9f3d6e3fb36dbf0e9a650d9a5130694d4fe1d97f3f";
static const char hmac_a2[] = "3da067d0500d01b9998329ab32c329150e7b1affec0b998f40248d82cef740c4";
/* what the generator's generate-key --key_protect_hmac wrote for them: hmac-a-derived-keys.bin
 * (= expected/keygen-hmac.bin, bytes 0..67) and expected/keygen-hmac-2.bin (0..63) */
static const char derived_a[] = "6a2bbdc9073614ff0de4ddc92275357f2ff631107760020e5762a2046d0f1ab9"
				"3ae18abaa46e8ffbee45a0391c9226532ceee007bc79bda33fd9f311ed0a0168"
				"2cb14ef1";
static const char derived_a2[] = "83c171ed3cab8809c5637adec38fe0c4841e2d1c15165f6ec1441eb3ca4c6a10"
				 "e5ec557fa50158b9778c6a97ce82dad23ab4bc3e74af757dcd65c5b618b28372";
/* expected/enc-ints.bin bytes 64..127: the namespace entry 'pints' and the u8 'pu8lo' of
 * inputs/p-ints.csv, encrypted with nvs-keys-a.bin */
static const char enc_ints_entries[] =
    "e807a55697e6bdb25c4f7b372731ec94e0b483c8f99a400b85e03a46997090de"
    "e4f0dbb12bdfc707434ad22090838ebe3c9defe2ff33cb7d3ecf16c853e01db7";

static const char ints_csv[] = "key,type,encoding,value\npints,namespace,,\npu8lo,data,u8,0\n";

/* CSV text -> plain image. */
static int gen(const char *text, uint64_t size, int version, struct buf *out)
{
	struct nvs_csv csv;
	struct nvs_gen_opts o = {size, version};
	int rc;

	nvs_csv_init(&csv, "t.csv");
	rc = nvs_csv_parse(&csv, (const uint8_t *)text, strlen(text));
	if (rc == 0)
		rc = nvs_generate(&csv, 1, &o, NULL, NULL, out);
	nvs_csv_free(&csv);
	return rc;
}

static void keys_of(const char *hex, struct nvs_keys *k)
{
	uint8_t raw[NVS_KEYS_CRC_LEN];

	CHECK(unhex(hex, raw, sizeof(raw)) >= NVS_KEYS_LEN);
	CHECK(nvs_keys_parse("k.bin", raw, NVS_KEYS_LEN, k) == 0);
}

static void test_hmac_known_answers(void)
{
	uint8_t hkey[NVS_HMAC_KEY_LEN], want[NVS_KEYS_CRC_LEN], img[NVS_KEYS_IMAGE_SIZE];
	struct nvs_keys k;
	size_t i;

	CHECK(unhex(hmac_a, hkey, sizeof(hkey)) == sizeof(hkey));
	CHECK(unhex(derived_a, want, sizeof(want)) == sizeof(want));
	CHECK(nvs_keys_from_hmac("h.bin", hkey, sizeof(hkey), &k) == 0);
	CHECK_MEM(k.bytes, want, NVS_KEYS_LEN);
	/* the keys file the generator wrote: keys, CRC, 0xFF to 4096 bytes */
	nvs_keys_image(&k, img);
	CHECK_MEM(img, want, NVS_KEYS_CRC_LEN);
	for (i = NVS_KEYS_CRC_LEN; i < sizeof(img) && img[i] == 0xFF; i++)
		;
	CHECK(i == sizeof(img));

	CHECK(unhex(hmac_a2, hkey, sizeof(hkey)) == sizeof(hkey));
	CHECK(unhex(derived_a2, want, sizeof(want)) == NVS_KEYS_LEN);
	CHECK(nvs_keys_from_hmac("h.bin", hkey, sizeof(hkey), &k) == 0);
	CHECK_MEM(k.bytes, want, NVS_KEYS_LEN);
	nvs_keys_wipe(&k);
	for (i = 0; i < NVS_KEYS_LEN && k.bytes[i] == 0; i++)
		;
	CHECK(i == NVS_KEYS_LEN);
}

static void test_keys_files(void)
{
	uint8_t raw[NVS_KEYS_IMAGE_SIZE];
	struct nvs_keys k;
	struct buf msg = BUF_INIT;
	uint8_t want[NVS_KEYS_LEN];

	memset(raw, 0xFF, sizeof(raw));
	CHECK(unhex(keys_a, raw, sizeof(raw)) == NVS_KEYS_CRC_LEN);
	memcpy(want, raw, sizeof(want));
	/* a whole nvs_keys image, its first 68 bytes, the 64 raw key bytes */
	CHECK(nvs_keys_parse("k.bin", raw, sizeof(raw), &k) == 0);
	CHECK_MEM(k.bytes, want, NVS_KEYS_LEN);
	CHECK(nvs_keys_parse("k.bin", raw, NVS_KEYS_CRC_LEN, &k) == 0);
	CHECK_MEM(k.bytes, want, NVS_KEYS_LEN);
	CHECK(nvs_keys_parse("k.bin", raw, NVS_KEYS_LEN, &k) == 0);
	CHECK_MEM(k.bytes, want, NVS_KEYS_LEN);

	/* between 64 and 68 bytes, and below 64: no keys file */
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, 32, &k) < 0);
	msg_end(&msg, "espgen: k.bin: keys file is 32 bytes; expected 64 key bytes, or an nvs_keys "
		      "partition image (64 key bytes and their CRC, at least 68 bytes)\n");
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, 67, &k) < 0);
	msg_end(&msg, "espgen: k.bin: keys file is 67 bytes; expected 64 key bytes, or an nvs_keys "
		      "partition image (64 key bytes and their CRC, at least 68 bytes)\n");
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, 0, &k) < 0);
	msg_end(&msg, "espgen: k.bin: keys file is 0 bytes; expected 64 key bytes, or an nvs_keys "
		      "partition image (64 key bytes and their CRC, at least 68 bytes)\n");

	/* one key bit off: the CRC tells */
	raw[17] ^= 0x10;
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, sizeof(raw), &k) < 0);
	msg_end(&msg, "espgen: k.bin: nvs_keys image is corrupt: the CRC at bytes 64..67 does not "
		      "match the key bytes 0..63\n");
	/* an erased keys partition (the runtime's "not initialised") */
	memset(raw, 0xFF, sizeof(raw));
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, sizeof(raw), &k) < 0);
	msg_end(&msg,
		"espgen: k.bin: nvs_keys image holds no keys (bytes 0..67 are erased, all 0xFF)\n");
	/* equal halves, with a right CRC */
	memset(raw, 0x5A, NVS_KEYS_LEN);
	buf_put_le32(raw + NVS_KEYS_LEN, crc32_esp(raw, NVS_KEYS_LEN));
	msg_begin(&msg);
	CHECK(nvs_keys_parse("k.bin", raw, sizeof(raw), &k) < 0);
	msg_end(&msg,
		"espgen: k.bin: the data key (bytes 0..31) and the tweak key (bytes 32..63) are "
		"equal; XTS-AES needs two different keys\n");

	msg_begin(&msg);
	CHECK(nvs_keys_from_hmac("h.bin", raw, 16, &k) < 0);
	msg_end(&msg, "espgen: h.bin: HMAC key is 16 bytes; expected 32 (one eFuse key block)\n");
	msg_begin(&msg);
	CHECK(nvs_keys_from_hmac("h.bin", raw, 64, &k) < 0);
	msg_end(&msg, "espgen: h.bin: HMAC key is 64 bytes; expected 32 (one eFuse key block)\n");
	buf_free(&msg);
}

static void test_encrypt_known_answer(void)
{
	struct buf plain = BUF_INIT, enc = BUF_INIT;
	uint8_t want[64];
	struct nvs_keys k;

	keys_of(keys_a, &k);
	CHECK(unhex(enc_ints_entries, want, sizeof(want)) == sizeof(want));
	CHECK(gen(ints_csv, 0x3000, 2, &plain) == 0);
	CHECK(plain.len == 0x3000);
	CHECK(buf_append(&enc, plain.data, plain.len) == 0);
	CHECK(nvs_encrypt("e.bin", &k, enc.data, enc.len) == 0);
	/* the two used entries, as the generator encrypted them */
	CHECK_MEM(enc.data + 64, want, sizeof(want));
	/* header and bitmap plain, unused entries and the pages after the data untouched */
	CHECK_MEM(enc.data, plain.data, 64);
	CHECK_MEM(enc.data + 128, plain.data + 128, plain.len - 128);
	CHECK(nvs_looks_encrypted(enc.data, enc.len) == 1);
	CHECK(nvs_looks_encrypted(plain.data, plain.len) == 0);
	CHECK(nvs_decrypt("e.bin", &k, enc.data, enc.len) == 0);
	CHECK(enc.len == plain.len && memcmp(enc.data, plain.data, plain.len) == 0);
	nvs_keys_wipe(&k);
	buf_free(&plain);
	buf_free(&enc);
}

/* Entry 0 of page 1 is one XTS data unit with tweak 0x1040: its partition offset. */
static void test_later_page_tweak(void)
{
	struct buf csv = BUF_INIT, plain = BUF_INIT, enc = BUF_INIT;
	static const uint8_t tweak[AES_BLOCK_LEN] = {0x40, 0x10};
	struct aes_xts_ctx ctx;
	struct nvs_keys k;
	uint8_t want[NVS_ENTRY_SIZE];
	int i;

	keys_of(keys_a, &k);
	CHECK(buf_puts(&csv, "key,type,encoding,value\nns,namespace,,\n") == 0);
	for (i = 0; i < 200; i++) {
		char row[40];

		snprintf(row, sizeof(row), "k%d,data,u32,%d\n", i, i);
		CHECK(buf_puts(&csv, row) == 0);
	}
	CHECK(buf_fill(&csv, 0, 1) == 0);
	CHECK(gen((const char *)csv.data, 0x4000, 2, &plain) == 0);
	CHECK(buf_append(&enc, plain.data, plain.len) == 0);
	CHECK(nvs_encrypt("e.bin", &k, enc.data, enc.len) == 0);
	CHECK(aes_xts_setkey(&ctx, AES_ENCRYPT, k.bytes, NVS_KEYS_LEN) == 0);
	CHECK(aes_xts_unit(&ctx, tweak, plain.data + 0x1040, want, sizeof(want)) == 0);
	aes_xts_free(&ctx);
	CHECK_MEM(enc.data + 0x1040, want, sizeof(want));
	CHECK_MEM(enc.data + 0x1000, plain.data + 0x1000, 64); /* page 1 header, bitmap */
	CHECK(nvs_decrypt("e.bin", &k, enc.data, enc.len) == 0);
	CHECK(memcmp(enc.data, plain.data, plain.len) == 0);
	nvs_keys_wipe(&k);
	buf_free(&csv);
	buf_free(&plain);
	buf_free(&enc);
}

/* A blob whose data entries are all 0xFF is encrypted like any used entry (enc-ff-data). */
static void test_ff_data(void)
{
	struct buf plain = BUF_INIT, enc = BUF_INIT;
	struct nvs_keys k;
	uint8_t ff[NVS_ENTRY_SIZE];

	memset(ff, 0xFF, sizeof(ff));
	keys_of(keys_a, &k);
	CHECK(gen("key,type,encoding,value\nns,namespace,,\n"
		  "b,data,hex2bin,"
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n",
		  0x3000, 2, &plain) == 0);
	CHECK_MEM(plain.data + 64 + 2 * NVS_ENTRY_SIZE, ff, sizeof(ff)); /* the chunk's data */
	CHECK(buf_append(&enc, plain.data, plain.len) == 0);
	CHECK(nvs_encrypt("e.bin", &k, enc.data, enc.len) == 0);
	CHECK(memcmp(enc.data + 64 + 2 * NVS_ENTRY_SIZE, ff, sizeof(ff)) != 0);
	CHECK(nvs_decrypt("e.bin", &k, enc.data, enc.len) == 0);
	CHECK(memcmp(enc.data, plain.data, plain.len) == 0);
	nvs_keys_wipe(&k);
	buf_free(&plain);
	buf_free(&enc);
}

static void test_wrong_key(void)
{
	struct buf plain = BUF_INIT, enc = BUF_INIT, msg = BUF_INIT;
	uint8_t hkey[NVS_HMAC_KEY_LEN];
	struct nvs_keys k, other;

	keys_of(keys_a, &k);
	CHECK(unhex(hmac_a, hkey, sizeof(hkey)) == sizeof(hkey));
	CHECK(nvs_keys_from_hmac("h.bin", hkey, sizeof(hkey), &other) == 0);
	CHECK(gen(ints_csv, 0x3000, 2, &plain) == 0);
	CHECK(buf_append(&enc, plain.data, plain.len) == 0);
	CHECK(nvs_encrypt("e.bin", &k, enc.data, enc.len) == 0);
	msg_begin(&msg);
	CHECK(nvs_decrypt("e.bin", &other, enc.data, enc.len) < 0);
	msg_end(&msg, "espgen: e.bin: wrong key: the decrypted entries fail their item CRC (or the "
		      "image is not encrypted)\n");
	/* a plain image "decrypted" fails the same way */
	memcpy(enc.data, plain.data, plain.len);
	msg_begin(&msg);
	CHECK(nvs_decrypt("p.bin", &k, enc.data, enc.len) < 0);
	msg_end(&msg, "espgen: p.bin: wrong key: the decrypted entries fail their item CRC (or the "
		      "image is not encrypted)\n");
	/* nothing used, nothing to tell by: any key will do */
	memset(enc.data, 0xFF, enc.len);
	CHECK(nvs_looks_encrypted(enc.data, enc.len) == 0);
	CHECK(nvs_decrypt("x.bin", &other, enc.data, enc.len) == 0);
	/* whole pages only */
	msg_begin(&msg);
	CHECK(nvs_encrypt("x.bin", &k, enc.data, 5000) < 0);
	msg_end(&msg, "espgen: x.bin: 5000 bytes is not a whole number of 4096-byte NVS pages\n");
	CHECK(nvs_looks_encrypted(enc.data, 5000) == 0);
	nvs_keys_wipe(&k);
	nvs_keys_wipe(&other);
	buf_free(&plain);
	buf_free(&enc);
	buf_free(&msg);
}

static void test_random_and_files(void)
{
	char dir[] = "/tmp/espgen-nvskeys-XXXXXX", path[64];
	struct nvs_keys a, b, c;
	uint8_t img[NVS_KEYS_IMAGE_SIZE];
	struct stat st;

	CHECK(nvs_keys_random(&a) == 0);
	CHECK(nvs_keys_random(&b) == 0);
	CHECK(memcmp(a.bytes, b.bytes, NVS_KEYS_LEN) != 0);
	nvs_keys_image(&a, img);
	CHECK(nvs_keys_parse("a.bin", img, sizeof(img), &c) == 0);
	CHECK_MEM(c.bytes, a.bytes, NVS_KEYS_LEN);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/keys.bin", dir);
	CHECK(nvs_keys_write(path, &a) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0600 & ~fileio_umask()));
	CHECK(st.st_size == NVS_KEYS_IMAGE_SIZE);
	CHECK(nvs_keys_load(path, &c) == 0);
	CHECK_MEM(c.bytes, a.bytes, NVS_KEYS_LEN);
	unlink(path);
	rmdir(dir);
	nvs_keys_wipe(&a);
	nvs_keys_wipe(&b);
	nvs_keys_wipe(&c);
}

int main(void)
{
	test_hmac_known_answers();
	test_keys_files();
	test_encrypt_known_answer();
	test_later_page_tweak();
	test_ff_data();
	test_wrong_key();
	test_random_and_files();
	return check_status();
}
