/* SPDX-License-Identifier: Apache-2.0 */
/* Flash encryption of factory images: which partitions a device encrypts (spec/
 * flash-encryption.md §5), and a region encrypted at its own address as esp-encrypt
 * does, 0xFF padded to the AES block. */
#include "factory_enc.h"

#include <string.h>

#include "check.h"

static struct parttable_entry entry(int64_t type, int64_t subtype, uint32_t flags)
{
	struct parttable_entry e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.subtype = subtype;
	e.flags = flags;
	return e;
}

static void test_wanted(void)
{
	struct parttable_entry e;

	e = entry(PARTTABLE_TYPE_APP, PARTTABLE_SUBTYPE_APP_FACTORY, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_APP, PARTTABLE_SUBTYPE_APP_OTA_MIN + 3, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_APP, PARTTABLE_SUBTYPE_APP_TEST, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_OTA, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_TEE_OTA, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_NVS_KEYS, 0);
	CHECK(factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_BOOTLOADER, PARTTABLE_SUBTYPE_RECOVERY, 0);
	CHECK(factory_enc_wanted(&e));
	/* plaintext unless flagged */
	e = entry(PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_NVS, 0);
	CHECK(!factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, PARTTABLE_SUBTYPE_DATA_COREDUMP, 0);
	CHECK(!factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, 0x40, 0);
	CHECK(!factory_enc_wanted(&e));
	e = entry(PARTTABLE_TYPE_DATA, 0x40, PARTTABLE_FLAG_ENCRYPTED);
	CHECK(factory_enc_wanted(&e));
	e = entry(0x40, 0x00, PARTTABLE_FLAG_READONLY);
	CHECK(!factory_enc_wanted(&e));
}

/* A 20-byte region: padded to 32 with 0xFF, its plaintext hashed, then encrypted at
 * its offset exactly as flashenc_crypt() does for those 32 bytes. */
static void test_region(void)
{
	static const uint8_t raw[32] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
					0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
					0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
	uint8_t padded[32];
	const struct chip *c = chip_find("esp32c3");
	struct factory_enc e;
	struct content_region r;
	struct buf want = BUF_INIT;

	memset(&e, 0, sizeof(e));
	memset(&r, 0, sizeof(r));
	CHECK(c != NULL);
	if (!c)
		return;
	e.mode = FACTORY_ENC_SHARED;
	e.conf = FLASHENC_CONF_DEFAULT;
	CHECK(flashenc_key_from_bytes(c, "test key", raw, 32, &e.key) == 0);
	memcpy(padded, raw, 20);
	memset(padded + 20, 0xFF, 12);
	CHECK(flashenc_crypt(&e.key, FLASHENC_ENCRYPT, 0x10000, 0, "want", padded, 32, &want) ==
	      0);
	r.name = "factory";
	r.offset = 0x10000;
	CHECK(buf_append(&r.data, raw, 20) == 0);
	CHECK(factory_enc_region(&e, &e.key, &r) == 0);
	CHECK(r.encrypted == 1);
	CHECK(r.data.len == 32 && want.len == 32);
	if (r.data.len == 32 && want.len == 32)
		CHECK_MEM(r.data.data, want.data, 32);
	/* SHA-256 of 00..13 followed by twelve 0xFF */
	CHECK_STR(r.plain_sha, "b7a44aac40f903e7388b5ed4a19a2f4db8adecf1159818f84d370b17d2a608e8");
	buf_free(&r.data);
	buf_free(&want);
	flashenc_key_wipe(&e.key);
}

int main(void)
{
	test_wanted();
	test_region();
	return check_status();
}
