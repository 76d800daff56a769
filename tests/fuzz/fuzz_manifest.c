/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkflash factory manifest (lib/format/flash/factory.c factory_load). The manifest
 * is written beside a small fixed set of files it may name: partitions.ini,
 * partitions.csv, boot.bin, app.bin, nvs.csv. */
#include "fuzz_common.h"

#include <string.h>

#include "factory.h"

static const char layout_ini[] =
	"[nvs]\ntype = data\nsubtype = nvs\nsize = 0x6000\n"
	"[otadata]\ntype = data\nsubtype = ota\nsize = 0x2000\n"
	"[factory]\ntype = app\nsubtype = factory\nsize = 0x10000\n"
	"[ota_0]\ntype = app\nsubtype = ota_0\nsize = 0x10000\n";
static const char layout_csv[] =
	"nvs, data, nvs, 0x9000, 0x6000\n"
	"factory, app, factory, 0x10000, 0x10000\n";
static const char nvs_csv[] = "key,type,encoding,value\nns,namespace,,\nserial,data,string,${serial}\n";

static void setup(void)
{
	static int done;
	/* a minimal ESP32-C3 image: one 4-byte segment, checksum, SHA-256 digest off */
	static const uint8_t img[] = {
		0xE9, 0x01, 0x02, 0x20, 0x00, 0x00, 0x38, 0x40, /* magic segs mode size/freq entry */
		0xEE, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, /* wp, drv, chip id 5, min rev */
		0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, /* min/max rev full, reserved, hash 0 */
		0x00, 0x00, 0x38, 0x40, 0x04, 0x00, 0x00, 0x00, /* segment at 0x40380000, 4 bytes */
		0x01, 0x02, 0x03, 0x04,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xEF ^ 0x04,
	};

	if (done)
		return;
	done = 1;
	fuzz_write_file("partitions.ini", (const uint8_t *)layout_ini, strlen(layout_ini));
	fuzz_write_file("partitions.csv", (const uint8_t *)layout_csv, strlen(layout_csv));
	fuzz_write_file("nvs.csv", (const uint8_t *)nvs_csv, strlen(nvs_csv));
	fuzz_write_file("boot.bin", img, sizeof(img));
	fuzz_write_file("app.bin", img, sizeof(img));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct factory *f = NULL;
	const char *path;

	if (size > 65536)
		return 0;
	setup();
	path = fuzz_write_file("factory.ini", data, size);
	if (factory_load(path, &f) == 0)
		factory_free(f);
	return 0;
}
