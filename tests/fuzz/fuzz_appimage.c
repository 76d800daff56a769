/* SPDX-License-Identifier: Apache-2.0 */
/* App/bootloader image reader (lib/format/appimage/appimage.c appimage_decode). */
#include "fuzz_common.h"

#include <stdlib.h>

#include "appimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct appimage_info *info = malloc(sizeof(*info));
	struct appimage_desc desc;

	if (!info)
		return 0;
	(void)appimage_decode(data, size, "fuzz.bin", info);
	(void)appimage_desc_parse(data, size, &desc);
	free(info);
	return 0;
}
