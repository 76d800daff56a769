/* SPDX-License-Identifier: Apache-2.0 */
/* The otadata handler ('boot = blank|factory|ota_N', optional 'state'): the image
 * esp-mkotadata --layout writes, by the same rules (spec/otadata.md). */
#include "content.h"

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "otadata.h"

static const char *const otadata_keys[] = {"state", NULL};

struct otadata_priv {
	struct otadata_boot boot;
	uint32_t state;
};

static int otadata_check(const struct content_ctx *c, void **priv)
{
	const struct manifest_setting *boot = c->src, *st = manifest_get(c->s, "state");
	struct otadata_priv *o;
	char why[160];

	if (c->p->type != PARTTABLE_TYPE_DATA || c->p->subtype != PARTTABLE_SUBTYPE_DATA_OTA)
		return manifest_error(c->m, boot->line,
				      "'boot' is for the otadata partition; [%s] is not one",
				      c->s->label);
	o = calloc(1, sizeof(*o));
	if (!o)
		return diag_error("out of memory");
	*priv = o;
	o->state = OTADATA_STATE_UNDEFINED;
	if (otadata_boot_parse(boot->value, &o->boot) < 0)
		return manifest_error(c->m, boot->line,
				      "boot = '%s': expected blank, factory or ota_0..ota_15",
				      boot->value);
	if (o->boot.kind != OTADATA_BOOT_OTA) {
		if (st)
			return manifest_error(c->m, st->line, "'state' needs boot = ota_N");
		return 0;
	}
	/* the bootloader's slot count, not "is there such a partition": ota_2 after a
	 * missing ota_1 would boot another app */
	if (otadata_slot_check(o->boot.slot, otadata_layout_slots(c->pt), why, sizeof(why)) < 0)
		return manifest_error(c->m, boot->line, "boot = '%s': %s", boot->value, why);
	if (st && otadata_state_parse(st->value, &o->state) < 0)
		return manifest_error(c->m, st->line,
				      "state '%s' is not one of new, pending, valid, invalid, "
				      "aborted, undefined",
				      st->value);
	return 0;
}

static int otadata_build_shared(const struct content_ctx *c, void *priv, struct content_region *r)
{
	const struct otadata_priv *o = priv;
	struct otadata_entry e;

	snprintf(r->what, sizeof(r->what), "boot = %.30s", c->src->value);
	r->source = r->what;
	if (o->boot.kind != OTADATA_BOOT_OTA)
		return otadata_build((size_t)c->p->size, NULL, &r->data);
	/* what esp_ota_set_boot_partition() leaves on a blank otadata (otadata.md §5) */
	otadata_entry_make(&e, otadata_slot_seq(o->boot.slot), o->state);
	return otadata_build((size_t)c->p->size, &e, &r->data);
}

const struct content_handler content_otadata = {
	.key = "boot",
	.kind = "otadata",
	.opts = otadata_keys,
	.check = otadata_check,
	.build_shared = otadata_build_shared,
	.free = free,
};
