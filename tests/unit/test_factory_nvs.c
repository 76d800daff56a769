/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVS keys of factory images: a key setting naming a devices column (factory_keys), the
 * keys of one build (shared, generated for either scheme) and the nvs_keys region made
 * of them (factory_nvs), with the exact messages of a bad row.
 */
#include "factory_nvs.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "factory_keys.h"
#include "testutil.h"

static struct manifest_setting setting(const char *key, const char *value, unsigned line)
{
	struct manifest_setting s = {(char *)key, (char *)value, line};

	return s;
}

static void test_column(void)
{
	struct manifest m;
	struct manifest_setting s;
	struct buf msg = BUF_INIT;
	char *col = (char *)"x";

	memset(&m, 0, sizeof(m));
	m.file = "m.ini";
	m.dir = (char *)"";
	s = setting("nvs_keys", "keys.bin", 4);
	CHECK(factory_keys_column(&m, &s, &col) == 0);
	CHECK(col == NULL);
	s = setting("nvs_keys", "${key}", 4);
	CHECK(factory_keys_column(&m, &s, &col) == 1);
	CHECK_STR(col, "key");
	free(col);
	/* a path pieced together from a column is refused */
	s = setting("hmac_key", "keys/${id}.bin", 7);
	msg_begin(&msg);
	CHECK(factory_keys_column(&m, &s, &col) < 0);
	msg_end(&msg, "espgen: m.ini:7: hmac_key = 'keys/${id}.bin': a device's key is named by "
		      "a whole value '${column}'\n");
	s = setting("nvs_keys", "${a}${b}", 2);
	msg_begin(&msg);
	CHECK(factory_keys_column(&m, &s, &col) < 0);
	msg_end(&msg, "espgen: m.ini:2: nvs_keys = '${a}${b}': a device's key is named by a whole "
		      "value '${column}'\n");
	buf_free(&msg);
}

static void test_device_path(void)
{
	static const char *const names[] = {"device_id", "key", "empty"};
	static const char *const values[] = {"d1", "keys/d1.bin", ""};
	struct content_device dev = {"d1", "devices.csv", 3, names, values, 3};
	struct manifest m;
	struct manifest_setting s = setting("nvs_keys", "${key}", 9);
	struct depfile deps;
	struct buf msg = BUF_INIT;
	char *path;

	memset(&m, 0, sizeof(m));
	m.file = "dir/m.ini";
	m.dir = (char *)"dir";
	depfile_init(&deps);
	CHECK(factory_keys_device_path(&m, &s, "key", &dev, &deps, &path) == 0);
	CHECK_STR(path, "dir/keys/d1.bin");
	CHECK(deps.n == 1 && strcmp(deps.v[0], "dir/keys/d1.bin") == 0);
	free(path);
	msg_begin(&msg);
	CHECK(factory_keys_device_path(&m, &s, "key", NULL, &deps, &path) < 0);
	msg_end(&msg, "espgen: dir/m.ini:9: nvs_keys = ${key} names a devices CSV column: build "
		      "with --devices\n");
	msg_begin(&msg);
	CHECK(factory_keys_device_path(&m, &s, "empty", &dev, &deps, &path) < 0);
	msg_end(&msg, "espgen: devices.csv:3: device d1: empty column 'empty' for nvs_keys "
		      "(dir/m.ini:9)\n");
	msg_begin(&msg);
	CHECK(factory_keys_device_path(&m, &s, "nope", &dev, &deps, &path) < 0);
	msg_end(&msg, "espgen: devices.csv:3: device d1: no column 'nope' for nvs_keys "
		      "(dir/m.ini:9)\n");
	CHECK(path == NULL);
	depfile_free(&deps);
	buf_free(&msg);
}

/* Generated keys: the file holds what the device needs, and the keys follow from it. */
static void test_generate(void)
{
	struct manifest m;
	struct manifest_setting s = setting("nvs_keys", "generate", 5);
	struct factory_nvs n;
	struct factory_nvs_build b, b2;
	struct nvs_keys k;
	struct buf img = BUF_INIT;

	memset(&m, 0, sizeof(m));
	memset(&n, 0, sizeof(n));
	n.m = &m;
	n.set = &s;
	n.kind = "nvs_keys";
	n.scheme = FACTORY_NVS_FLASH;
	n.source = FACTORY_NVS_GENERATE;
	CHECK(factory_nvs_per_build(&n));
	CHECK_STR(factory_nvs_generates(&n), "nvs_keys");
	CHECK(factory_nvs_keys(&n, NULL, "F.nvs_keys.bin", NULL, &b) == 0);
	CHECK(b.file_len == NVS_KEYS_IMAGE_SIZE);
	CHECK_STR(b.key_file, "F.nvs_keys.bin");
	/* the file is the nvs_keys image of the keys, and so is the region */
	CHECK(nvs_keys_parse("file", b.file, b.file_len, &k) == 0);
	CHECK_MEM(k.bytes, b.keys.bytes, NVS_KEYS_LEN);
	CHECK(factory_nvs_image(&b.keys, &img) == 0);
	CHECK(img.len == NVS_KEYS_IMAGE_SIZE);
	if (img.len == NVS_KEYS_IMAGE_SIZE)
		CHECK_MEM(img.data, b.file, NVS_KEYS_IMAGE_SIZE);
	/* two builds, two sets of keys */
	CHECK(factory_nvs_keys(&n, NULL, "F.nvs_keys.bin", NULL, &b2) == 0);
	CHECK(memcmp(b.keys.bytes, b2.keys.bytes, NVS_KEYS_LEN) != 0);
	factory_nvs_build_wipe(&b2);

	/* HMAC: the file is the 32-byte eFuse key, the keys derived from it */
	n.scheme = FACTORY_NVS_HMAC;
	n.kind = "hmac_key";
	CHECK(factory_nvs_keys(&n, NULL, "hmac_key.bin", NULL, &b2) == 0);
	CHECK(b2.file_len == NVS_HMAC_KEY_LEN);
	CHECK(nvs_keys_from_hmac("file", b2.file, b2.file_len, &k) == 0);
	CHECK_MEM(k.bytes, b2.keys.bytes, NVS_KEYS_LEN);
	factory_nvs_build_wipe(&b2);
	CHECK(b2.file_len == 0);

	/* shared keys: copied, nothing to write */
	n.source = FACTORY_NVS_FILE;
	n.keys = b.keys;
	s = setting("nvs_keys", "keys.bin", 5);
	CHECK(!factory_nvs_per_build(&n) && !factory_nvs_generates(&n));
	CHECK(factory_nvs_keys(&n, NULL, NULL, NULL, &b2) == 0);
	CHECK(b2.file_len == 0);
	CHECK_STR(b2.key_file, "keys.bin");
	CHECK_MEM(b2.keys.bytes, b.keys.bytes, NVS_KEYS_LEN);
	factory_nvs_build_wipe(&b2);
	factory_nvs_build_wipe(&b);
	nvs_keys_wipe(&k);
	nvs_keys_wipe(&n.keys);
	buf_free(&img);
}

int main(void)
{
	diag_set_program("espgen");
	test_column();
	test_device_path();
	test_generate();
	return check_status();
}
