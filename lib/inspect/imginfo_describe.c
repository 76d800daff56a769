/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imginfo: what kind of image a file is, and its description by the describer of that
 * kind (describe_<format>.c).
 */
#include "imginfo.h"

#include "appimage.h"
#include "describe.h"
#include "diag.h"
#include "node.h"

enum imginfo_kind imginfo_detect(const uint8_t *data, size_t len)
{
	enum imginfo_kind kind = IMGINFO_UNKNOWN;

	if (describe_parttable_at(data, len))
		return IMGINFO_PARTTABLE;
	if (len > 0x1000 && describe_parttable_find(data, len))
		return IMGINFO_FLASH;
	/* an image that does not decode is no other kind either */
	if (appimage_has_magic(data, len)) {
		describe_app_probe(data, len, &kind, NULL);
		return kind;
	}
	if (describe_otadata_like(data, len))
		return IMGINFO_OTADATA;
	if (describe_nvs_like(data, len))
		return IMGINFO_NVS;
	kind = describe_fs_detect(data, len);
	if (kind == IMGINFO_UNKNOWN && describe_signed_like(data, len))
		return IMGINFO_SIGNED;
	return kind;
}

/* The description of @kind into @root. Returns 0, or -1 with a message. */
static int describe_kind(struct describe_ctx *c, struct imginfo_node *root, enum imginfo_kind kind,
			 const uint8_t *data, size_t len)
{
	struct describe_table t;

	switch (kind) {
	case IMGINFO_APP:
	case IMGINFO_BOOTLOADER:
		return describe_app(c, root, data, len, 0, kind, "");
	case IMGINFO_PARTTABLE:
		if (describe_parttable_decode(data, len, c->file, 0, &t) < 0)
			return -1;
		root->flags |= IMGINFO_F_SCOPE;
		describe_parttable(c, root, data, len, &t, 0, "");
		describe_parttable_free(&t);
		return 0;
	case IMGINFO_OTADATA:
		root->flags |= IMGINFO_F_SCOPE;
		describe_otadata(c, root, data, len, 0, NULL, "");
		return 0;
	case IMGINFO_NVS:
		root->flags |= IMGINFO_F_SCOPE;
		return describe_nvs(c, root, data, len, 0);
	case IMGINFO_FLASH:
		return describe_flash(c, root, data, len);
	case IMGINFO_SIGNED:
		root->flags |= IMGINFO_F_SCOPE;
		describe_signed(c, root, data, len);
		return 0;
	case IMGINFO_SPIFFS:
	case IMGINFO_FAT:
		return describe_fs(c, root, kind, data, len, 0, "");
	case IMGINFO_UNKNOWN:
		break;
	}
	if (len == 0)
		return diag_file(c->file, "empty file");
	if (appimage_has_magic(data, len)) {
		describe_app(c, NULL, data, len, 0, kind, ""); /* prints why not */
		return -1;
	}
	if (describe_flash_looks_encrypted(c, data, len))
		return -1;
	return diag_file(c->file, "not a recognised image (no app image, partition table, "
				  "otadata, NVS, SPIFFS, FAT or flash image)");
}

int imginfo_describe(const uint8_t *data, size_t len, const char *file,
		     const struct imginfo_opts *opts, struct imginfo_node **out)
{
	struct describe_ctx c = {opts, file, NULL, 0};
	struct imginfo_node *root = node_new(IMGINFO_OBJ, "", IMGINFO_CLASS_CONTENT);
	int rc;

	*out = NULL;
	if (!root)
		return diag_error("out of memory");
	c.problems = node_set_flags(node_new(IMGINFO_LIST, "problems", IMGINFO_CLASS_CONTENT),
				    IMGINFO_F_NODIFF);
	rc = describe_kind(&c, root, imginfo_detect(data, len), data, len);
	if (rc == 0) {
		node_add(root, c.problems);
		c.problems = NULL;
		if (node_oom(root))
			rc = diag_error("out of memory");
	}
	imginfo_node_free(c.problems);
	if (rc < 0) {
		imginfo_node_free(root);
		return -1;
	}
	*out = root;
	return 0;
}
