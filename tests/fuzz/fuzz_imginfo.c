/* SPDX-License-Identifier: Apache-2.0 */
/* esp-imginfo (lib/inspect): kind detection, the description tree, its text and
 * JSON forms, and a diff of the input against itself with its last byte flipped. */
#include "fuzz_common.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "imginfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imginfo_opts o = {0};
	struct imginfo_node *a = NULL, *b = NULL;
	struct imginfo_difflist dl = {0};
	struct buf text = BUF_INIT;
	uint8_t *copy;
	json_t *j;

	if (size > (1u << 20))
		return 0;
	(void)imginfo_kind_name(imginfo_detect(data, size));
	if (imginfo_describe(data, size, "fuzz.bin", &o, &a) < 0)
		return 0;
	(void)imginfo_problems(a);
	(void)imginfo_format_text(a, &text);
	j = imginfo_to_json(a);
	json_decref(j);
	copy = malloc(size ? size : 1);
	if (copy && size) {
		memcpy(copy, data, size);
		copy[size - 1] ^= 0x01;
		if (imginfo_describe(copy, size, "fuzz2.bin", &o, &b) == 0) {
			if (imginfo_diff(a, b, &dl) == 0) {
				(void)imginfo_diff_judge(&dl, 0);
				(void)imginfo_diff_format_text(&dl, &text);
				j = imginfo_diff_to_json(&dl);
				json_decref(j);
			}
			imginfo_difflist_free(&dl);
			imginfo_node_free(b);
		}
	}
	free(copy);
	buf_free(&text);
	imginfo_node_free(a);
	return 0;
}
