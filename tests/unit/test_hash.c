/* SPDX-License-Identifier: Apache-2.0 */
/* Digests against FIPS 180 examples, HMAC against RFC 2202/4231, PBKDF2 against
 * RFC 6070; the SHA-256 SHA-extension back end against mbedTLS, every length and split. */
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "check.h"
#include "failcalloc.h"

static const char *hex(const uint8_t *p, size_t n)
{
	static char s[2 * 256 + 1];

	ascii_hex_encode(p, n, s);
	return s;
}

static void sha(const uint8_t *p, size_t n, size_t split, int accel, uint8_t out[32])
{
	struct hash_sha256_ctx c;

	hash_sha256_accel(accel);
	hash_sha256_begin(&c);
	hash_sha256_update(&c, p, split);
	hash_sha256_update(&c, p + split, n - split);
	hash_sha256_end(&c, out);
}

static void test_sha256(void)
{
	static const uint8_t abc_sha[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
					    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
					    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
					    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	size_t n = 70000, len, i;
	uint8_t *buf = malloc(n), a[32], b[32];

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 8));
	for (int accel = 0; accel < 2; accel++) {
		hash_sha256_accel(accel);
		hash_sha256("abc", 3, a);
		CHECK_MEM(a, abc_sha, 32);
	}

	/* every length up to 300 and every split point of a few lengths */
	for (len = 0; len <= 300; len++) {
		sha(buf, len, len / 3, 0, a);
		sha(buf, len, len / 3, 1, b);
		CHECK_MEM(a, b, 32);
	}
	for (len = 55; len <= 129; len += 37)
		for (i = 0; i <= len; i++) {
			sha(buf, len, i, 0, a);
			sha(buf, len, i, 1, b);
			CHECK_MEM(a, b, 32);
		}
	sha(buf, n, 12345, 0, a);
	sha(buf, n, 7, 1, b);
	CHECK_MEM(a, b, 32);
	hash_sha256_accel(1);
	free(buf);
}

static void test_digests(void)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char long384[] =
	    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	    "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	struct hash_ctx c;
	uint8_t out[HASH_MAX_LEN];
	size_t i;

	hash_md5("abc", 3, out);
	CHECK_STR(hex(out, MD5_LEN), "900150983cd24fb0d6963f7d28e17f72");
	hash_sha1("abc", 3, out);
	CHECK_STR(hex(out, SHA1_LEN), "a9993e364706816aba3e25717850c26c9cd0d89d");
	hash_sha1(two_blocks, strlen(two_blocks), out);
	CHECK_STR(hex(out, SHA1_LEN), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	hash_sha384("abc", 3, out);
	CHECK_STR(hex(out, SHA384_LEN), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
					"1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	hash_sha384("", 0, out);
	CHECK_STR(hex(out, SHA384_LEN), "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
					"4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b");

	/* the generic context, fed one byte at a time */
	hash_begin(&c, HASH_SHA384);
	for (i = 0; long384[i]; i++)
		hash_update(&c, long384 + i, 1);
	hash_end(&c, out);
	CHECK_STR(hex(out, SHA384_LEN), "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
					"2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039");
	hash_begin(&c, HASH_SHA256);
	hash_update(&c, "ab", 2);
	hash_update(&c, "c", 1);
	hash_end(&c, out);
	CHECK_STR(hex(out, SHA256_LEN),
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash_begin(&c, HASH_SHA1);
	hash_update(&c, two_blocks, 20);
	hash_update(&c, two_blocks + 20, strlen(two_blocks) - 20);
	hash_end(&c, out);
	CHECK_STR(hex(out, SHA1_LEN), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	CHECK(hash_len(HASH_SHA1) == 20 && hash_len(HASH_SHA256) == 32 &&
	      hash_len(HASH_SHA384) == 48);
}

static void test_hmac(void)
{
	static const char big_key_msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	uint8_t key[131], out[HASH_MAX_LEN];

	/* RFC 2202 / RFC 4231 test case 1 */
	memset(key, 0x0b, 20);
	CHECK(hash_hmac(HASH_SHA1, key, 20, "Hi There", 8, out) == 0);
	CHECK_STR(hex(out, SHA1_LEN), "b617318655057264e28bc0b6fb378c8ef146be00");
	CHECK(hash_hmac(HASH_SHA256, key, 20, "Hi There", 8, out) == 0);
	CHECK_STR(hex(out, SHA256_LEN),
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	CHECK(hash_hmac(HASH_SHA384, key, 20, "Hi There", 8, out) == 0);
	CHECK_STR(hex(out, SHA384_LEN), "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec6"
					"82aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6");
	/* RFC 2202 test case 2 */
	CHECK(hash_hmac(HASH_SHA1, "Jefe", 4, "what do ya want for nothing?", 28, out) == 0);
	CHECK_STR(hex(out, SHA1_LEN), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	/* RFC 4231 test case 6: a key longer than the block is hashed first */
	memset(key, 0xaa, sizeof(key));
	CHECK(hash_hmac(HASH_SHA256, key, sizeof(key), big_key_msg, strlen(big_key_msg), out) == 0);
	CHECK_STR(hex(out, SHA256_LEN),
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_pbkdf2(void)
{
	static const char long_pw[] = "passwordPASSWORDpassword";
	static const char long_salt[] = "saltSALTsaltSALTsaltSALTsaltSALTsalt";
	uint8_t out[32];

	/* RFC 6070 */
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "password", 8, "salt", 4, 1, out, 20) == 0);
	CHECK_STR(hex(out, 20), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "password", 8, "salt", 4, 2, out, 20) == 0);
	CHECK_STR(hex(out, 20), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "password", 8, "salt", 4, 4096, out, 20) == 0);
	CHECK_STR(hex(out, 20), "4b007901b765489abead49d926f721d065a429c1");
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, long_pw, strlen(long_pw), long_salt, strlen(long_salt),
			       4096, out, 25) == 0);
	CHECK_STR(hex(out, 25), "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "pass\0word", 9, "sa\0lt", 5, 4096, out, 16) == 0);
	CHECK_STR(hex(out, 16), "56fa6aa75548099dcc37d7f03425e0c3");
	/* two blocks, the last one partial use: the Wi-Fi PMK of ssid "myap" (Python
	 * hashlib.pbkdf2_hmac) */
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "secret12", 8, "myap", 4, 4096, out, 32) == 0);
	CHECK_STR(hex(out, 32), "d8d926de7d05dae6395f1eaf6e7ff46a2661ea32d594f4ae4523e5f639d7e321");
}

/* mbedTLS allocates the HMAC state: when that fails, -1 and a zeroed output */
static void test_out_of_memory(void)
{
	static const uint8_t zero[32];
	uint8_t out[32];

	if (!FAILCALLOC_WORKS) {
		printf("SKIP: out-of-memory checks (calloc cannot be made to fail under ASan or valgrind)\n");
		return;
	}
	memset(out, 0x5a, sizeof(out));
	failcalloc_countdown = 0;
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "secret12", 8, "myap", 4, 4096, out, 32) == -1);
	failcalloc_countdown = -1;
	CHECK_MEM(out, zero, 32);
	memset(out, 0x5a, sizeof(out));
	failcalloc_countdown = 0;
	CHECK(hash_hmac(HASH_SHA256, "k", 1, "m", 1, out) == -1);
	failcalloc_countdown = -1;
	CHECK_MEM(out, zero, 32);
	/* and it works again afterwards */
	CHECK(hash_pbkdf2_hmac(HASH_SHA1, "password", 8, "salt", 4, 1, out, 20) == 0);
	CHECK_STR(hex(out, 20), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
}

int main(void)
{
	test_sha256();
	test_digests();
	test_hmac();
	test_pbkdf2();
	test_out_of_memory();
	return check_status();
}
