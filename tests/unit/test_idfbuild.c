/* SPDX-License-Identifier: Apache-2.0 */
/* lib/format/flash/idfbuild: flasher_args.json read field by field, each refusal naming
 * the field; the layout name beside a manifest; fileio_path_join(). */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include "idfbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "diag.h"
#include "fileio.h"
#include "idfbuild_manifest.h"
#include "testutil.h"

static char dir[] = "/tmp/test_idfbuild.XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(fileio_atomic_write_file(path, text, strlen(text)) == 0);
}

/* flasher_args.json with @settings, @files and @chip spliced in */
static void put_json(const char *settings, const char *files, const char *chip)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\n \"flash_settings\": {%s},\n \"flash_files\": {%s},\n"
		 " \"partition-table\": {\"offset\": \"0x8000\", \"file\": \"pt.bin\"},\n"
		 " \"extra_esptool_args\": {\"chip\": %s}\n}\n",
		 settings, files, chip);
	put("flasher_args.json", text);
}

static const char good_settings[] =
    "\"flash_mode\": \"dio\", \"flash_freq\": \"80m\", \"flash_size\": \"keep\"";

static void test_good(void)
{
	struct idfbuild b;
	char slash[300];

	memset(&b, 0, sizeof(b));
	put_json(good_settings, "\"0x10000\": \"app.bin\", \"0\": \"boot.bin\"", "\"esp32c3\"");
	/* a trailing '/' is dropped from the paths */
	snprintf(slash, sizeof(slash), "%s/", dir);
	CHECK(idfbuild_load(slash, &b) == 0);
	CHECK(b.chip && strcmp(b.chip->name, "esp32c3") == 0);
	CHECK(b.params.mode && strcmp(b.params.mode, "dio") == 0);
	CHECK(b.params.freq && strcmp(b.params.freq, "80m") == 0);
	CHECK(b.params.size == NULL && strcmp(b.setting[2], "keep") == 0);
	/* the JSON's order, addresses as Python's int() reads them */
	CHECK(b.n == 2 && b.v[0].addr == 0x10000 && b.v[1].addr == 0);
	CHECK_STR(b.v[0].file, "app.bin");
	CHECK(strncmp(b.v[0].path, dir, strlen(dir)) == 0 &&
	      strcmp(b.v[0].path + strlen(dir), "/app.bin") == 0);
	CHECK(b.has_table && b.table_offset == 0x8000);
	CHECK(strncmp(b.json, dir, strlen(dir)) == 0 &&
	      strcmp(b.json + strlen(dir), "/flasher_args.json") == 0);
	idfbuild_free(&b);
	CHECK(b.n == 0 && b.v == NULL && b.dir == NULL);
}

/* idfbuild_load() fails with exactly "t: DIR/flasher_args.json: @want" */
static void expect(const char *want)
{
	struct idfbuild b;
	struct buf msg = BUF_INIT, full = BUF_INIT;

	memset(&b, 0, sizeof(b));
	CHECK(buf_printf(&full, "t: %s/flasher_args.json%s\n", dir, want) == 0);
	msg_begin(&msg);
	CHECK(idfbuild_load(dir, &b) == -1);
	msg_end(&msg, (const char *)full.data);
	idfbuild_free(&b);
	buf_free(&msg);
	buf_free(&full);
}

static void test_errors(void)
{
	const char *boot = "\"0x0\": \"boot.bin\"";

	put_json(good_settings, boot, "\"esp99\"");
	expect(": extra_esptool_args.chip: unknown chip 'esp99' (one of esp32 esp32s2 esp32s3 "
	       "esp32c3 esp32c2 esp32c6 esp32c61 esp32c5 esp32e22 esp32h2 esp32h21 esp32p4 "
	       "esp32h4 esp32s31)");
	put_json(good_settings, boot, "32");
	expect(": extra_esptool_args.chip: not a string");
	put_json("\"flash_mode\": \"dio\", \"flash_freq\": \"80m\"", boot, "\"esp32\"");
	expect(": flash_settings.flash_size: missing");
	put_json("\"flash_mode\": \"fast\", \"flash_freq\": \"80m\", \"flash_size\": \"4MB\"", boot,
		 "\"esp32\"");
	expect(
	    ": flash_settings.flash_mode: 'fast' is not a value esptool merge-bin takes for esp32");
	put_json(good_settings, "\"-1\": \"boot.bin\"", "\"esp32\"");
	expect(": flash_files[\"-1\"]: '-1' is not a flash address");
	put_json(good_settings, "\"0x0\": 7", "\"esp32\"");
	expect(": flash_files[\"0x0\"]: not a string");
	put_json(good_settings, "\"0x0\": \"\"", "\"esp32\"");
	expect(": flash_files[\"0x0\"]: empty file name");
	put_json(good_settings, "", "\"esp32\"");
	expect(": flash_files: no files");
	put("flasher_args.json", "[1]\n");
	expect(": not a JSON object");
	put("flasher_args.json", "{\"a\": 1,}\n");
	expect(":1: invalid JSON: string or '}' expected near '}'");
}

static void test_paths(void)
{
	char *p;

	p = idfbuild_manifest_layout_path("f/factory.ini");
	CHECK(p && strcmp(p, "f/factory.partitions.ini") == 0);
	free(p);
	p = idfbuild_manifest_layout_path("factory");
	CHECK(p && strcmp(p, "factory.partitions.ini") == 0);
	free(p);
	p = fileio_path_join("build", "app.bin");
	CHECK(p && strcmp(p, "build/app.bin") == 0);
	free(p);
	p = fileio_path_join("build", "/abs/app.bin");
	CHECK(p && strcmp(p, "/abs/app.bin") == 0);
	free(p);
	p = fileio_path_join("", "app.bin");
	CHECK(p && strcmp(p, "app.bin") == 0);
	free(p);
}

int main(void)
{
	char path[300];

	diag_set_program("t");
	CHECK(mkdtemp(dir) != NULL);
	put("app.bin", "app");
	put("boot.bin", "boot");
	test_good();
	test_errors();
	test_paths();
	snprintf(path, sizeof(path), "%s/flasher_args.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/app.bin", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/boot.bin", dir);
	unlink(path);
	rmdir(dir);
	return check_status();
}
