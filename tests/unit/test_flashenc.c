/* SPDX-License-Identifier: Apache-2.0 */
/* Flash encryption (spec/flash-encryption.md): known answers from espsecure v5.3.1 (the
 * vectors-next/encrypt keys and outputs, first bytes), round trips at odd addresses,
 * split inputs, key sizes per chip, key generation and the error messages. */
#include "flashenc.h"

#include <stdio.h>
#include <string.h>

#include "aes.h"
#include "ascii.h"
#include "check.h"
#include "testutil.h"
#include "diag.h"
#include "hash.h"

/* The vectors' keys (vectors-next/encrypt/keys). */
static const char key_esp32_256[] =
    "958c63e71b8bdf523061bb9044b1704d8d8e570cc9b6da56c9a2ab5023a0e355";
static const char key_esp32_192[] = "c693c010aa4bfb8241ba4692f3a2999037342cf1a54b3efa";
static const char key_xts_128[] =
    "fd0e338f96390d519bf7d66ee88ae34032bc784cb298aa1d928e894dd5c95f18";
static const char key_xts_256[] =
    "779652f87664214b199a27b2049e84fab42aa664245df6c6918d8c3f2d73825e"
    "35104f93ee5c4510b37f3b60e556b21a521cb6665060712d96bae7f4a7b6b190";
static const char key_derived[] = "59593e4bd2c3bb8c95ea7356aa7fb29e";

static int make_key(const char *chip, const char *hex, struct flashenc_key *key)
{
	uint8_t raw[FLASHENC_MAX_KEY];
	size_t n = unhex(hex, raw, sizeof(raw));

	return flashenc_key_from_bytes(chip_find(chip), "k.bin", raw, n, key);
}

/* One espsecure answer: the first bytes of an expected output for the same first bytes
 * of its input (ESP32 blocks and XTS blocks are independent of the other blocks). */
static void check_answer(const char *chip, const char *key_hex, uint64_t addr, unsigned conf,
			 const char *in_hex, const char *want_hex)
{
	uint8_t in[64], want[64];
	size_t n = unhex(in_hex, in, sizeof(in)), wn = unhex(want_hex, want, sizeof(want));
	struct flashenc_key key;
	struct buf out = BUF_INIT, back = BUF_INIT;

	CHECK(make_key(chip, key_hex, &key) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, addr, conf, "in", in, n, &out) == 0);
	CHECK(out.len == wn && memcmp(out.data, want, wn) == 0);
	if (out.len != wn || memcmp(out.data, want, wn) != 0)
		fprintf(stderr, "  %s at 0x%llx conf 0x%x\n", chip, (unsigned long long)addr, conf);
	CHECK(flashenc_crypt(&key, FLASHENC_DECRYPT, addr, conf, "out", out.data, out.len, &back) ==
	      0);
	CHECK(back.len == out.len && back.len >= n && memcmp(back.data, in, n) == 0);
	flashenc_key_wipe(&key);
	buf_free(&out);
	buf_free(&back);
}

static void test_known_answers(void)
{
	static const char r16[] = "1b770c7b7e0546ac7038f79c9267dcd7";
	static const char r128_32[] =
	    "aa839d204b3132f3f744bea7f9054b156802457e8a533781187136b5f61c7ba2";
	static const char app_32[] =
	    "e90500006e000d40ee0000000000000000ffff00000000012000403f2c020000";
	static const char c3app_32[] =
	    "e90500007a000042ee0000000500000000ffff00000000012000003c2c020000";

	/* esp32-r16-0x0 */
	check_answer("esp32", key_esp32_256, 0, 0xF, r16, "3af60693cab804e6bec62cce5ab1ae4a");
	/* esp32-r15-0x20: the 16th byte is the 0xFF pad */
	check_answer("esp32", key_esp32_256, 0x20, 0xF, "6c15ee0bea61d02f65d8c7540b8d77",
		     "d7992ca618e56a4e9173c637d0406db8");
	/* esp32-conf-0x5 and esp32-conf-0x0 at 0xabcde0 */
	check_answer("esp32", key_esp32_256, 0xabcde0, 0x5, r128_32,
		     "1a1402f200c968cedcac0539ec2bce99dc0a29b9d7493ab43766e8dfca520dbc");
	check_answer("esp32", key_esp32_256, 0xabcde0, 0x0, r128_32,
		     "8a36811076856f2742e4423d117b9b6a80c1442982276d59fbdb6167c9afa2f0");
	/* esp32-key192-app-0x10000: the 24-byte key extended to 32 */
	check_answer("esp32", key_esp32_192, 0x10000, 0xF, app_32,
		     "441f849136a358a3b142add484d30cf9e9506d083d5f7358b9a67d500b915800");
	/* esp32c3-r16-0x10: 16 bytes inside a 128-byte unit */
	check_answer("esp32c3", key_xts_128, 0x10, 0, r16, "f62b8cefc221fd485e4aa49b700c6d9b");
	/* esp32h4-key256-r208-0x7ff0: XTS-AES-256, across the unit boundary at 0x8000 */
	check_answer("esp32h4", key_xts_256, 0x7ff0, 0,
		     "56ef99ed0faa257c88eb4e4795e4f2ec6a50148691995fca330469bc15c1bfe3",
		     "1ab7ce63ea202bd8361cf91619f5cf4a05a588bfbbc8f58235cd67c6a9118d25");
	/* esp32c2-key128-derived-app-0x10000 */
	check_answer("esp32c2", key_derived, 0x10000, 0, c3app_32,
		     "f7298f05411c5facebc1b75bf11c686e6dd14d5120121674d3754e82f4427897");
	/* esp32h21-r128-0x80: a whole unit's first 32 bytes, as a partial unit */
	check_answer("esp32h21", key_xts_128, 0x80, 0, r128_32,
		     "39f78f01181fb92773d35d9ac2575b17c98e3ef13fce750c01a31a1ddad0824e");
}

/* Encrypting in pieces at their own addresses equals encrypting the whole; decrypting
 * gives the input back; all at addresses that are not unit-aligned. */
static void check_round_trip(const char *chip, const char *key_hex, uint64_t addr, size_t len)
{
	static uint8_t in[4096 + 16];
	struct flashenc_key key;
	struct buf whole = BUF_INIT, parts = BUF_INIT, back = BUF_INIT;
	size_t i, off, step;

	for (i = 0; i < len; i++)
		in[i] = (uint8_t)(i * 7 + addr);
	CHECK(make_key(chip, key_hex, &key) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, addr, 0xF, "in", in, len, &whole) == 0);
	CHECK(whole.len == (len + 15) / 16 * 16);
	CHECK(whole.len < 16 || memcmp(whole.data, in, 16) != 0);
	/* pieces of 16, 48, 80, ... bytes: starting inside units and 32-byte key units */
	for (off = 0, step = 16; off < len; off += step, step += 32) {
		size_t n = len - off < step ? len - off : step;

		CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, addr + off, 0xF, "in", in + off, n,
				     &parts) == 0);
	}
	CHECK(parts.len == whole.len && memcmp(parts.data, whole.data, whole.len) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_DECRYPT, addr, 0xF, "enc", whole.data, whole.len,
			     &back) == 0);
	CHECK(back.len == whole.len && memcmp(back.data, in, len) == 0);
	/* the ESP32 pad decrypts to 0xFF */
	for (i = len; i < back.len; i++)
		CHECK(back.data[i] == 0xFF);
	flashenc_key_wipe(&key);
	buf_free(&whole);
	buf_free(&parts);
	buf_free(&back);
}

static void test_round_trips(void)
{
	check_round_trip("esp32", key_esp32_256, 0x10010, 4096);
	check_round_trip("esp32", key_esp32_256, 0xfff000, 4096); /* ends at 16 MiB */
	check_round_trip("esp32", key_esp32_192, 0x1230, 1000);	  /* padded */
	check_round_trip("esp32c3", key_xts_128, 0x70, 4096);
	check_round_trip("esp32s3", key_xts_256, 0x3ff0, 4096);
	check_round_trip("esp32c2", key_derived, 0x12340, 2064);
	check_round_trip("esp32c6", key_xts_128, 0xfffff000, 4096); /* the last 4 KiB of 4 GiB */
}

/* The address moves the result: the same bytes differ at another unit, and with
 * FLASH_CRYPT_CONF 0 the ESP32 key is the same everywhere. */
static void test_address_matters(void)
{
	static const uint8_t in[32] = {1, 2, 3};
	struct flashenc_key key;
	struct buf a = BUF_INIT, b = BUF_INIT;

	CHECK(make_key("esp32", key_esp32_256, &key) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x1000, 0xF, "in", in, 32, &a) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x1020, 0xF, "in", in, 32, &b) == 0);
	CHECK(memcmp(a.data, b.data, 32) != 0);
	a.len = b.len = 0;
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x1000, 0, "in", in, 32, &a) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0xabc020, 0, "in", in, 32, &b) == 0);
	CHECK(memcmp(a.data, b.data, 32) == 0);
	/* offset bits 0..4 never change the key: two equal blocks of one 32-byte unit match */
	a.len = 0;
	{
		uint8_t twice[32] = {0};

		CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x40, 0xF, "in", twice, 32, &a) == 0);
		CHECK(memcmp(a.data, a.data + 16, 16) == 0);
	}
	flashenc_key_wipe(&key);
	CHECK(make_key("esp32s3", key_xts_128, &key) == 0);
	a.len = b.len = 0;
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x1000, 0, "in", in, 32, &a) == 0);
	CHECK(flashenc_crypt(&key, FLASHENC_ENCRYPT, 0x1080, 0, "in", in, 32, &b) == 0);
	CHECK(memcmp(a.data, b.data, 32) != 0);
	flashenc_key_wipe(&key);
	buf_free(&a);
	buf_free(&b);
}

/* Key files: sizes per chip, the 24-byte extension, the 16-byte derivation, equal halves. */
static void test_keys(void)
{
	uint8_t raw[64], sha[SHA256_LEN];
	struct flashenc_key key;
	struct buf msg = BUF_INIT;

	unhex(key_esp32_192, raw, sizeof(raw));
	CHECK(make_key("esp32", key_esp32_192, &key) == 0);
	CHECK(key.len == 32 && key.file_len == 24 && key.scheme == CHIP_FE_ESP32);
	CHECK(memcmp(key.bytes, raw, 24) == 0 && memcmp(key.bytes + 24, raw + 8, 8) == 0);
	flashenc_key_wipe(&key);
	CHECK(key.len == 0 && key.bytes[0] == 0 && key.bytes[31] == 0);

	unhex(key_derived, raw, sizeof(raw));
	hash_sha256(raw, 16, sha);
	CHECK(make_key("esp32c2", key_derived, &key) == 0);
	CHECK(key.len == 32 && key.file_len == 16 && memcmp(key.bytes, sha, 32) == 0);
	CHECK(make_key("esp32s2", key_xts_256, &key) == 0 && key.len == 64);
	CHECK(make_key("esp32c5", key_xts_256, &key) == 0 && key.len == 64);
	CHECK(make_key("esp32s31", key_xts_256, &key) == 0 && key.len == 64);
	CHECK(make_key("esp32", key_esp32_256, &key) == 0 && key.len == 32);
	flashenc_key_wipe(&key);

	msg_begin(&msg);
	CHECK(make_key("esp32c3", key_xts_256, &key) < 0);
	msg_end(&msg,
		"test_flashenc: k.bin: key is 64 bytes; esp32c3 takes 32 bytes (XTS-AES-128)\n");
	msg_begin(&msg);
	CHECK(make_key("esp32c6", key_derived, &key) < 0);
	msg_end(&msg,
		"test_flashenc: k.bin: key is 16 bytes; esp32c6 takes 32 bytes (XTS-AES-128)\n");
	msg_begin(&msg);
	CHECK(make_key("esp32", key_derived, &key) < 0);
	msg_end(&msg, "test_flashenc: k.bin: key is 16 bytes; esp32 takes 32 bytes (AES-256) or 24 "
		      "bytes (192-bit key of the 3/4 coding scheme)\n");
	msg_begin(&msg);
	CHECK(make_key("esp32c2", key_esp32_192, &key) < 0);
	msg_end(&msg,
		"test_flashenc: k.bin: key is 24 bytes; esp32c2 takes 32 bytes (XTS-AES-128) or "
		"16 bytes (XTS-AES-128 key derived from 128 eFuse bits)\n");
	msg_begin(&msg);
	CHECK(make_key("esp32p4", "", &key) < 0);
	msg_end(&msg,
		"test_flashenc: k.bin: key is 0 bytes; esp32p4 takes 32 bytes (XTS-AES-128) or "
		"64 bytes (XTS-AES-256)\n");
	msg_begin(&msg);
	CHECK(make_key("esp32e22", key_xts_128, &key) < 0);
	msg_end(&msg, "test_flashenc: esp32e22 has no flash encryption\n");

	/* equal halves: refused for XTS (both sizes), fine for the ESP32's one AES-256 key */
	memset(raw, 0x5A, sizeof(raw));
	msg_begin(&msg);
	CHECK(flashenc_key_from_bytes(chip_find("esp32c3"), "eq.bin", raw, 32, &key) < 0);
	CHECK(flashenc_key_from_bytes(chip_find("esp32s3"), "eq.bin", raw, 64, &key) < 0);
	msg_end(&msg,
		"test_flashenc: eq.bin: the two halves of the XTS-AES key are equal (the data "
		"key and the tweak key must differ)\n"
		"test_flashenc: eq.bin: the two halves of the XTS-AES key are equal (the data "
		"key and the tweak key must differ)\n");
	CHECK(key.len == 0 && key.bytes[0] == 0);
	CHECK(flashenc_key_from_bytes(chip_find("esp32"), "eq.bin", raw, 32, &key) == 0);
	raw[63] ^= 1;
	CHECK(flashenc_key_from_bytes(chip_find("esp32s3"), "ne.bin", raw, 64, &key) == 0);
	flashenc_key_wipe(&key);

	/* a missing key file */
	msg_begin(&msg);
	CHECK(flashenc_key_load(chip_find("esp32c3"), "/nonexistent/k.bin", &key) < 0);
	msg_end(&msg,
		"test_flashenc: /nonexistent/k.bin: cannot open: No such file or directory\n");
	buf_free(&msg);
}

static void test_keygen(void)
{
	static const struct {
		const char *chip;
		unsigned bits;
		size_t len;
	} ok[] = {
	    {NULL, 0, 32},	  {"esp32", 0, 32},	{"esp32", 256, 32},
	    {"esp32", 192, 24},	  {"esp32c3", 0, 32},	{"esp32c3", 128, 32},
	    {"esp32s3", 256, 64}, {"esp32c5", 256, 64}, {"esp32c2", 128, 32},
	};
	uint8_t a[64] = {0}, b[64] = {0};
	struct buf msg = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		CHECK(flashenc_keygen_len(ok[i].chip ? chip_find(ok[i].chip) : NULL, ok[i].bits) ==
		      ok[i].len);
	msg_begin(&msg);
	CHECK(flashenc_keygen_len(chip_find("esp32c3"), 256) == 0);
	CHECK(flashenc_keygen_len(chip_find("esp32"), 128) == 0);
	CHECK(flashenc_keygen_len(chip_find("esp32s3"), 192) == 0);
	CHECK(flashenc_keygen_len(chip_find("esp32e22"), 0) == 0);
	CHECK(flashenc_keygen_len(NULL, 256) == 0);
	msg_end(&msg,
		"test_flashenc: esp32c3 has no 256-bit flash-encryption key (it has 128)\n"
		"test_flashenc: esp32 has no 128-bit flash-encryption key (it has 256 or 192)\n"
		"test_flashenc: esp32s3 has no 192-bit flash-encryption key (it has 128 or "
		"256)\n"
		"test_flashenc: esp32e22 has no flash encryption\n"
		"test_flashenc: a 256-bit key needs a chip to choose the scheme\n");
	buf_free(&msg);
	/* random: two keys differ, and neither is all zeros */
	CHECK(flashenc_keygen(a, 64) == 0 && flashenc_keygen(b, 64) == 0);
	CHECK(memcmp(a, b, 64) != 0);
	memset(b, 0, sizeof(b));
	CHECK(memcmp(a, b, 64) != 0);
}

/* Address and length rules with their messages (§3, §4, §6). */
static void test_errors(void)
{
	static uint8_t in[64];
	struct flashenc_key esp32, xts;
	struct buf out = BUF_INIT, msg = BUF_INIT;

	CHECK(make_key("esp32", key_esp32_256, &esp32) == 0);
	CHECK(make_key("esp32c3", key_xts_128, &xts) == 0);
	CHECK_STR(flashenc_address_problem(chip_find("esp32"), 0x1008),
		  "is not a multiple of 16 (flash encryption works on 16-byte blocks)");
	CHECK(flashenc_address_problem(chip_find("esp32"), 0xfffff0) == NULL);
	CHECK(flashenc_address_problem(chip_find("esp32c3"), 0xfffffff0) == NULL);
	CHECK_STR(flashenc_address_problem(chip_find("esp32c3"), 0x100000000),
		  "is past 4 GiB (the XTS-AES tweak is a 32-bit flash address)");
	CHECK_STR(flashenc_address_problem(chip_find("esp32"), 0x1000000),
		  "is past 0xffffff (ESP32 flash encryption covers the first 16 MiB)");

	msg_begin(&msg);
	CHECK(flashenc_crypt(&xts, FLASHENC_ENCRYPT, 0x1008, 0, "in", in, 16, &out) < 0);
	CHECK(flashenc_crypt(&xts, FLASHENC_ENCRYPT, 0x1000, 0, "in", in, 17, &out) < 0);
	CHECK(flashenc_crypt(&xts, FLASHENC_DECRYPT, 0x1000, 0, "in", in, 1, &out) < 0);
	CHECK(flashenc_crypt(&xts, FLASHENC_ENCRYPT, 0x1000, 0, "in", in, 0, &out) < 0);
	CHECK(flashenc_crypt(&xts, FLASHENC_ENCRYPT, 0xfffffff0, 0, "in", in, 32, &out) < 0);
	CHECK(flashenc_crypt(&esp32, FLASHENC_DECRYPT, 0x1000, 0xF, "in", in, 17, &out) < 0);
	CHECK(flashenc_crypt(&esp32, FLASHENC_ENCRYPT, 0xfffff0, 0xF, "in", in, 17, &out) < 0);
	CHECK(flashenc_crypt(&esp32, FLASHENC_ENCRYPT, 0x1000, 0x10, "in", in, 16, &out) < 0);
	msg_end(&msg,
		"test_flashenc: address 0x1008 is not a multiple of 16 (flash encryption works on "
		"16-byte blocks)\n"
		"test_flashenc: in: length 17 is not a multiple of 16 (XTS-AES flash encryption "
		"takes whole 16-byte blocks)\n"
		"test_flashenc: in: length 1 is not a multiple of 16 (XTS-AES flash encryption "
		"takes whole 16-byte blocks)\n"
		"test_flashenc: in: is empty (XTS-AES flash encryption needs at least one 16-byte "
		"block)\n"
		"test_flashenc: in: 32 bytes at 0xfffffff0 reach past 4 GiB (the XTS-AES tweak is "
		"a 32-bit flash address)\n"
		"test_flashenc: in: length 17 is not a multiple of 16 (encrypted ESP32 flash data "
		"is whole 16-byte blocks)\n"
		"test_flashenc: in: 17 bytes at 0xfffff0 reach past 0x1000000 (ESP32 flash "
		"encryption covers the first 16 MiB only)\n"
		"test_flashenc: FLASH_CRYPT_CONF 0x10 is above 0xf (a 4-bit eFuse)\n");
	CHECK(out.len == 0);
	/* the edges that pass: esp32 data ending exactly at 16 MiB, an empty esp32 input */
	CHECK(flashenc_crypt(&esp32, FLASHENC_ENCRYPT, 0xfffff0, 0xF, "in", in, 16, &out) == 0);
	CHECK(out.len == 16);
	CHECK(flashenc_crypt(&esp32, FLASHENC_ENCRYPT, 0x1000, 0xF, "in", in, 0, &out) == 0);
	CHECK(out.len == 16);
	flashenc_key_wipe(&esp32);
	flashenc_key_wipe(&xts);
	buf_free(&out);
	buf_free(&msg);
}

/* aes.c against FIPS-197 Appendix C.3 (AES-256) and IEEE P1619 vector 4 (XTS-AES-128). */
static void test_aes(void)
{
	uint8_t key[64], in[512], want[512], out[512], tweak[16] = {0};
	struct aes_ctx aes;
	struct aes_xts_ctx xts;
	size_t i;

	unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", key, 32);
	unhex("00112233445566778899aabbccddeeff", in, 16);
	unhex("8ea2b7ca516745bfeafc49904b496089", want, 16);
	CHECK(aes_setkey(&aes, AES_ENCRYPT, key, 32) == 0);
	aes_block(&aes, in, out);
	CHECK_MEM(out, want, 16);
	CHECK(aes_setkey(&aes, AES_DECRYPT, key, 32) == 0);
	aes_block(&aes, out, out);
	CHECK_MEM(out, in, 16);
	CHECK(aes_setkey(&aes, AES_ENCRYPT, key, 20) < 0);
	aes_free(&aes);

	/* P1619 XTS-AES-128 vector 4: keys from pi and e digits, 512 bytes 00..ff twice */
	unhex("2718281828459045235360287471352631415926535897932384626433832795", key, 32);
	for (i = 0; i < 512; i++)
		in[i] = (uint8_t)i;
	CHECK(aes_xts_setkey(&xts, AES_ENCRYPT, key, 32) == 0);
	CHECK(aes_xts_unit(&xts, tweak, in, out, 512) == 0);
	unhex("27a7479befa1d476489f308cd4cfa6e2a96e4bbe3208ff25287dd3819616e89c", want, 32);
	CHECK_MEM(out, want, 32);
	CHECK(aes_xts_setkey(&xts, AES_DECRYPT, key, 32) == 0);
	CHECK(aes_xts_unit(&xts, tweak, out, want, 512) == 0);
	CHECK_MEM(want, in, 512);
	CHECK(aes_xts_unit(&xts, tweak, in, out, 15) < 0);
	CHECK(aes_xts_setkey(&xts, AES_ENCRYPT, key, 48) < 0);
	aes_xts_free(&xts);
}

int main(void)
{
	diag_set_program("test_flashenc");
	test_aes();
	test_known_answers();
	test_round_trips();
	test_address_matters();
	test_keys();
	test_keygen();
	test_errors();
	return check_status();
}
