/* SPDX-License-Identifier: Apache-2.0 */
/* NVS partitions (spec/nvs.md) for imginfo: the items as the generator's CSV; an
 * encrypted partition (§8) decrypted first when a key is given. */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The key of imginfo_opts, or NULL. */
static const struct nvs_keys *given_keys(const struct describe_ctx *c)
{
	return c->opts ? c->opts->nvs_keys : NULL;
}

/*
 * A copy of the @len bytes at @data, decrypted with @k, into *@plain (NULL and 0 when
 * the key does not fit: the message is in the capture). Returns -1 when memory runs out.
 */
static int decrypt_copy(const struct describe_ctx *c, const struct nvs_keys *k, const uint8_t *data,
			size_t len, uint8_t **plain)
{
	*plain = malloc(len);
	if (!*plain)
		return diag_error("out of memory");
	memcpy(*plain, data, len);
	if (nvs_decrypt(c->file, k, *plain, len) < 0) {
		free(*plain);
		*plain = NULL;
	}
	return 0;
}

int describe_nvs(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
		 uint64_t base)
{
	const struct nvs_keys *keys = given_keys(c);
	int encrypted = nvs_looks_encrypted(data, len);
	struct nvs_image im;
	struct buf csv = BUF_INIT, sink = BUF_INIT;
	uint8_t *plain = NULL;
	const char *how = NULL;
	int rc = 0;

	nvs_image_init(&im);
	diag_capture_begin(&sink); /* damaged items are skipped; their warnings are noise here */
	if (encrypted && keys)
		rc = decrypt_copy(c, keys, data, len, &plain);
	if (rc == 0 && (!encrypted || plain)) {
		rc = nvs_decode(c->file, plain ? plain : data, len, &im);
		if (rc == 0)
			rc = nvs_format_csv(c->file, &im, &csv);
	} else {
		/* page headers are not encrypted: the first one (describe_nvs_like) tells */
		im.version = data[8] == 0xFF ? 1 : data[8] == 0xFE ? 2 : 0;
	}
	diag_capture_end();
	if (encrypted)
		how = plain  ? "encrypted (XTS-AES-256), decrypted with the key given"
		      : keys ? "encrypted (XTS-AES-256), not decoded: the key given does not fit"
			     : "encrypted (XTS-AES-256), not decoded: --nvs-key or --hmac-key "
			       "decodes it";
	/* a wrong key named on the command line is an error, as in esp-mknvs; inside a flash
	 * image the partition is still described */
	if (rc == 0 && encrypted && keys && !plain && !c->quiet)
		rc = -1;
	if (rc == 0) {
		node_set_class(n, IMGINFO_CLASS_CONTENT);
		node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_NVS));
		node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
		node_uint(n, "version", (uint64_t)im.version, 0, NULL);
		/* not compared: decrypted, an image diffs like its plain twin */
		if (how)
			node_set_flags(node_str(n, "encryption", "%s", how), IMGINFO_F_NODIFF);
		if (!encrypted || plain) {
			node_uint(n, "items", im.n, 0, NULL);
			node_text(n, "csv", csv.data ? (const char *)csv.data : "", csv.len);
		}
		node_data(n, plain ? plain : data, len, base);
		if (n && plain) {
			n->owned = plain;
			plain = NULL;
		}
	} else if (!c->quiet && sink.len) {
		fwrite(sink.data, 1, sink.len, stderr);
	}
	free(plain);
	nvs_image_free(&im);
	buf_free(&csv);
	buf_free(&sink);
	return rc;
}
