/* SPDX-License-Identifier: Apache-2.0 */
/* The 'elf' handler: an ELF converted as esp-mkimage converts it, with the manifest's
 * chip and flash settings and the section's elf2image options. */
#include "content.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

static const char *const elf_keys[] = {
	"min_rev",	 "min_rev_full",	"max_rev_full", "elf_sha256_offset",
	"secure_pad_v2", "use_segments", "flash_mmu_page_size", "no_digest",
	NULL,
};

int content_elf_opts(const struct manifest *m, const struct chip *chip,
		     const struct manifest_section *s, struct elf2image_opts *o)
{
	const struct manifest_setting *page;
	int64_t v;
	int b;

	elf2image_opts_init(o, chip);
	if (elf2image_set_flash(o, m->top[MANIFEST_FLASH_MODE].value,
				m->top[MANIFEST_FLASH_FREQ].value,
				m->top[MANIFEST_FLASH_SIZE].value) < 0)
		return manifest_error(m, m->top[MANIFEST_CHIP].line,
				      "flash settings do not suit %s", chip->name);
	if (!s)
		return 0;
	v = o->min_rev;
	if (manifest_num(m, manifest_get(s, "min_rev"), 0, 255, &v) < 0)
		return -1;
	o->min_rev = (uint8_t)v;
	v = o->min_rev_full;
	if (manifest_num(m, manifest_get(s, "min_rev_full"), 0, 0xffff, &v) < 0)
		return -1;
	o->min_rev_full = (uint16_t)v;
	v = o->max_rev_full;
	if (manifest_num(m, manifest_get(s, "max_rev_full"), 0, 0xffff, &v) < 0)
		return -1;
	o->max_rev_full = (uint16_t)v;
	if (manifest_num(m, manifest_get(s, "elf_sha256_offset"), 0, 0xffffffff,
			 &o->elf_sha256_offset) < 0)
		return -1;
	if (manifest_bool(m, manifest_get(s, "secure_pad_v2"), &b) < 0)
		return -1;
	o->secure_pad_v2 = b;
	/* a signed app's signature sector starts on an MMU page, as ESP-IDF pads it */
	if (m->top[MANIFEST_SIGN_KEY].value) {
		if (m->top[MANIFEST_SB_VERSION].value &&
		    strcmp(m->top[MANIFEST_SB_VERSION].value, "1") == 0)
			o->secure_pad = 1;
		else
			o->secure_pad_v2 = 1;
	}
	if (manifest_bool(m, manifest_get(s, "use_segments"), &b) < 0)
		return -1;
	o->use_segments = b;
	if (manifest_bool(m, manifest_get(s, "no_digest"), &b) < 0)
		return -1;
	o->no_digest = b;
	page = manifest_get(s, "flash_mmu_page_size");
	if (page && elf2image_set_mmu_page_size(o, page->value) < 0)
		return manifest_error(m, page->line, "bad flash_mmu_page_size '%s'", page->value);
	return 0;
}

int content_elf_convert(const struct manifest *m, const struct elf2image_opts *o,
			const char *rel, struct depfile *deps, struct buf *out)
{
	char *path = content_input(m, rel, deps);
	int rc;

	if (!path)
		return -1;
	rc = elf2image(o, path, out);
	free(path);
	return rc;
}

static int elf_check(const struct content_ctx *c, void **priv)
{
	struct elf2image_opts *o;

	if (c->p->type != PARTTABLE_TYPE_APP)
		return manifest_error(c->m, c->src->line, "[%s] is not an app partition",
				      c->s->label);
	o = malloc(sizeof(*o));
	if (!o)
		return diag_error("out of memory");
	*priv = o;
	return content_elf_opts(c->m, c->chip, c->s, o);
}

static int elf_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	r->source = c->src->value;
	return content_elf_convert(c->m, priv, c->src->value, c->deps, &r->data);
}

const struct content_handler content_elf = {
	.key = "elf",
	.kind = "elf",
	.opts = elf_keys,
	.check = elf_check,
	.build_shared = elf_build_shared,
	.free = free,
};
