/* SPDX-License-Identifier: Apache-2.0 */
/* NVS generator CSV (lib/format/nvs/nvs_csv.c nvs_csv_parse), then generation into a 0x6000-byte v2
 * partition ('file' rows read nothing: the reader refuses). */
#include "fuzz_common.h"

#include "buf.h"
#include "diag.h"
#include "nvs.h"

static int no_files(void *ctx, const char *csv_file, unsigned line, const char *path,
		    struct buf *out)
{
	(void)ctx;
	(void)path;
	(void)out;
	return diag_at(csv_file, line, "no files in the fuzzer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvs_csv csv;
	struct nvs_gen_opts o = {0x6000, 2};
	struct buf out = BUF_INIT;

	if (size > 65536)
		return 0;
	nvs_csv_init(&csv, "fuzz.csv");
	if (nvs_csv_parse(&csv, data, size) == 0) {
		if (size && (data[0] & 1))
			o.version = 1;
		(void)nvs_generate(&csv, 1, &o, no_files, NULL, &out);
	}
	buf_free(&out);
	nvs_csv_free(&csv);
	return 0;
}
