/* SHA-256: the SHA-extension back end against mbedTLS, every length and split; MD5. */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "check.h"

static void sha(const uint8_t *p, size_t n, size_t split, int accel, uint8_t out[32])
{
	struct hash_sha256_ctx c;

	hash_sha256_accel(accel);
	hash_sha256_begin(&c);
	hash_sha256_update(&c, p, split);
	hash_sha256_update(&c, p + split, n - split);
	hash_sha256_end(&c, out);
}

int main(void)
{
	static const uint8_t abc_sha[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	static const uint8_t abc_md5[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
					    0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
	size_t n = 70000, len, i;
	uint8_t *buf = malloc(n), a[32], b[32];
	char hex[65];

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(i * 131 + (i >> 8));
	for (int accel = 0; accel < 2; accel++) {
		hash_sha256_accel(accel);
		hash_sha256("abc", 3, a);
		CHECK_MEM(a, abc_sha, 32);
	}
	hash_md5("abc", 3, a);
	CHECK_MEM(a, abc_md5, 16);
	ascii_hex_encode(abc_md5, 16, hex);
	CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");

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
	return check_status();
}
