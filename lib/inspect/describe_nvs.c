/* SPDX-License-Identifier: Apache-2.0 */
/* NVS partitions (spec/nvs.md) for imginfo: the items as the generator's CSV. */
#include "describe.h"

#include <stdio.h>

#include "diag.h"
#include "node.h"
#include "nvs.h"

int describe_nvs_like(const uint8_t *data, size_t len)
{
	uint32_t state;

	if (len < NVS_PAGE_SIZE || len % NVS_PAGE_SIZE)
		return 0;
	state = buf_get_le32(data);
	if (state != NVS_PAGE_ACTIVE && state != NVS_PAGE_FULL)
		return 0;
	return nvs_page_header_ok(data);
}

int describe_nvs(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
		 uint64_t base)
{
	struct nvs_image im;
	struct buf csv = BUF_INIT, sink = BUF_INIT;
	int rc;

	nvs_image_init(&im);
	diag_capture_begin(&sink); /* damaged items are skipped; their warnings are noise here */
	rc = nvs_decode(c->file, data, len, &im);
	if (rc == 0)
		rc = nvs_format_csv(c->file, &im, &csv);
	diag_capture_end();
	if (rc == 0) {
		node_set_class(n, IMGINFO_CLASS_CONTENT);
		node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_NVS));
		node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
		node_uint(n, "version", (uint64_t)im.version, 0, NULL);
		node_uint(n, "items", im.n, 0, NULL);
		node_text(n, "csv", csv.data ? (const char *)csv.data : "", csv.len);
		node_data(n, data, len, base);
	} else if (!c->quiet && sink.len) {
		fwrite(sink.data, 1, sink.len, stderr);
	}
	nvs_image_free(&im);
	buf_free(&csv);
	buf_free(&sink);
	return rc;
}
