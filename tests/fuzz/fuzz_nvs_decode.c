/* SPDX-License-Identifier: Apache-2.0 */
/* NVS image reader (lib/format/nvs/nvs_decode.c nvs_decode) and its CSV output
 * (esp-mknvs --decode). */
#include "fuzz_common.h"

#include "buf.h"
#include "nvs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvs_image im;
	struct buf out = BUF_INIT;

	if (size > (256u << 10))
		return 0;
	nvs_image_init(&im);
	if (nvs_decode("fuzz.bin", data, size, &im) == 0)
		(void)nvs_format_csv("fuzz.bin", &im, &out);
	buf_free(&out);
	nvs_image_free(&im);
	return 0;
}
