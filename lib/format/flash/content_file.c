/* SPDX-License-Identifier: Apache-2.0 */
/* The 'file' handler: a file placed as it is; into an app partition only an app image
 * for the manifest's chip. */
#include "content.h"

#include <stdlib.h>

#include "appimage.h"
#include "diag.h"
#include "fileio.h"

int content_file_read(const struct manifest *m, const char *rel, struct depfile *deps,
		      struct buf *out)
{
	char *path = content_input(m, rel, deps);
	int rc;

	if (!path)
		return -1;
	rc = fileio_read(path, FILEIO_MAX_INPUT, out);
	free(path);
	return rc;
}

int content_file_check_app(const struct manifest *m, unsigned line, const char *what,
			   const struct chip *chip, const struct buf *b)
{
	struct appimage_info *info = malloc(sizeof(*info));
	int rc = -1;

	if (!info)
		return diag_error("out of memory");
	/* other data gets one message; a damaged image also the reader's details */
	if (!appimage_has_magic(b->data, b->len) ||
	    appimage_decode(b->data, b->len, what, info) < 0) {
		manifest_error(m, line, "%s is not an ESP app image", what);
		goto out;
	}
	if (info->hash_appended && info->digest_have < SHA256_LEN) {
		manifest_error(m, line,
			       "%s: SHA-256 digest at 0x%zx is cut short (%zu of %d bytes)", what,
			       info->image_len, info->digest_have, SHA256_LEN);
		goto out;
	}
	if (info->chip_id != chip->image_chip_id) {
		manifest_error(m, line, "%s is an image for chip id %u, not for %s", what,
			       info->chip_id, chip->name);
		goto out;
	}
	rc = 0;
out:
	free(info);
	return rc;
}

static int file_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	(void)priv;
	r->source = c->src->value;
	if (content_file_read(c->m, c->src->value, c->deps, &r->data) < 0)
		return -1;
	/* too big says more than "not an image" about a 2 MB data file */
	if (content_fit_check(c, r) < 0)
		return -1;
	if (c->p->type == PARTTABLE_TYPE_APP &&
	    content_file_check_app(c->m, c->src->line, c->src->value, c->chip, &r->data) < 0)
		return -1;
	return 0;
}

const struct content_handler content_file = {
	.key = "file",
	.kind = "file",
	.build_shared = file_build_shared,
};
