/* SPDX-License-Identifier: Apache-2.0 */
/* Flash-encryption keys: file sizes per chip, loading, generation (spec/flash-encryption.md
 * §1, §2). */
#include "flashenc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "diag.h"
#include "fileio.h"
#include "hash.h"
#include "secret.h"

/* A key file is a few dozen bytes; anything this large is the wrong file. */
#define KEY_FILE_MAX 4096

/* The key file sizes, what each is on its scheme, and the AES strength that asks for it
 * in flashenc_keygen_len() (0: never generated). In the order messages list them. */
static const struct {
	enum chip_flashenc scheme;
	unsigned fek; /* CHIP_FEK_* bit */
	size_t len;
	unsigned bits;
	const char *what;
} key_sizes[] = {
    {CHIP_FE_ESP32, CHIP_FEK_32, 32, 256, "AES-256"},
    {CHIP_FE_ESP32, CHIP_FEK_24, 24, 192, "192-bit key of the 3/4 coding scheme"},
    {CHIP_FE_XTS, CHIP_FEK_32, 32, 128, "XTS-AES-128"},
    {CHIP_FE_XTS, CHIP_FEK_64, 64, 256, "XTS-AES-256"},
    {CHIP_FE_XTS, CHIP_FEK_16, 16, 0, "XTS-AES-128 key derived from 128 eFuse bits"},
};

#define N_KEY_SIZES (sizeof(key_sizes) / sizeof(key_sizes[0]))

static int has_size(const struct chip *c, size_t i)
{
	return key_sizes[i].scheme == chip_flashenc_scheme(c) &&
	       (c->flashenc_keys & key_sizes[i].fek) != 0;
}

/* "32 bytes (XTS-AES-128) or 64 bytes (XTS-AES-256)": the key files @c takes. */
static void describe_sizes(const struct chip *c, char *out, size_t outlen)
{
	size_t i, pos = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < N_KEY_SIZES && pos < outlen; i++) {
		if (!has_size(c, i))
			continue;
		n = snprintf(out + pos, outlen - pos, "%s%zu bytes (%s)", pos ? " or " : "",
			     key_sizes[i].len, key_sizes[i].what);
		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

/* "256 or 192": the AES strengths flashenc_keygen_len() makes for @c. */
static void describe_bits(const struct chip *c, char *out, size_t outlen)
{
	size_t i, pos = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < N_KEY_SIZES && pos < outlen; i++) {
		if (!has_size(c, i) || !key_sizes[i].bits)
			continue;
		n = snprintf(out + pos, outlen - pos, "%s%u", pos ? " or " : "", key_sizes[i].bits);
		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

static int no_flashenc(const struct chip *c)
{
	return diag_error("%s has no flash encryption", c->name);
}

int flashenc_key_from_bytes(const struct chip *c, const char *name, const uint8_t *data, size_t len,
			    struct flashenc_key *key)
{
	char sizes[160];

	memset(key, 0, sizeof(*key));
	if (chip_flashenc_scheme(c) == CHIP_FE_NONE)
		return no_flashenc(c);
	if (!chip_flashenc_key_ok(c, len)) {
		describe_sizes(c, sizes, sizeof(sizes));
		return diag_file(name, "key is %zu bytes; %s takes %s", len, c->name, sizes);
	}
	key->chip = c;
	key->scheme = chip_flashenc_scheme(c);
	key->file_len = len;
	if (len == 16) {
		/* esp32c2's eFuse holds 128 bits; the hardware key is their SHA-256 (§2) */
		hash_sha256(data, len, key->bytes);
		key->len = SHA256_LEN;
	} else if (len == 24) {
		/* the 3/4 coding scheme's 192 bits, made 256 by repeating bytes 8..15 (§2) */
		memcpy(key->bytes, data, 24);
		memcpy(key->bytes + 24, data + 8, 8);
		key->len = 32;
	} else {
		memcpy(key->bytes, data, len);
		key->len = len;
	}
	/* XTS with data key = tweak key is refused by espsecure's cipher library, and loses
	 * the tweak's protection (IEEE P1619 calls for two independent keys) */
	if (key->scheme == CHIP_FE_XTS &&
	    memcmp(key->bytes, key->bytes + key->len / 2, key->len / 2) == 0) {
		flashenc_key_wipe(key);
		return diag_file(name, "the two halves of the XTS-AES key are equal (the data key "
				       "and the tweak key must differ)");
	}
	return 0;
}

int flashenc_key_load(const struct chip *c, const char *path, struct flashenc_key *key)
{
	struct buf file = BUF_INIT;
	int rc;

	memset(key, 0, sizeof(*key));
	if (chip_flashenc_scheme(c) == CHIP_FE_NONE)
		return no_flashenc(c);
	secret_protect_process();
	if (fileio_read(path, KEY_FILE_MAX, &file) < 0)
		return -1;
	rc = flashenc_key_from_bytes(c, path, file.data ? file.data : (const uint8_t *)"", file.len,
				     key);
	secret_buf_free(&file);
	return rc;
}

void flashenc_key_wipe(struct flashenc_key *key)
{
	secret_wipe(key->bytes, sizeof(key->bytes));
	key->len = 0;
	key->file_len = 0;
}

size_t flashenc_keygen_len(const struct chip *c, unsigned bits)
{
	char have[32];
	size_t i;

	if (!c) {
		if (!bits)
			return 32;
		diag_error("a %u-bit key needs a chip to choose the scheme", bits);
		return 0;
	}
	if (chip_flashenc_scheme(c) == CHIP_FE_NONE) {
		no_flashenc(c);
		return 0;
	}
	for (i = 0; i < N_KEY_SIZES; i++)
		if (has_size(c, i) && key_sizes[i].bits &&
		    (bits ? key_sizes[i].bits == bits : key_sizes[i].len == 32))
			return key_sizes[i].len;
	describe_bits(c, have, sizeof(have));
	diag_error("%s has no %u-bit flash-encryption key (it has %s)", c->name, bits, have);
	return 0;
}

int flashenc_keygen(uint8_t *out, size_t len)
{
	size_t got = 0;

	secret_protect_process();
	while (got < len) {
		ssize_t n = getrandom(out + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			secret_wipe(out, len);
			return diag_errno(NULL, "cannot get random bytes");
		}
		got += (size_t)n;
	}
	return 0;
}
