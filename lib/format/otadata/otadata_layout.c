/* SPDX-License-Identifier: Apache-2.0 */
/* The OTA app slots of a partition layout, as the bootloader sees them (spec/otadata.md §4). */
#include "otadata.h"

#include "parttable.h"

uint32_t otadata_layout_slots(const struct parttable *pt)
{
	uint32_t present = 0;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		int64_t n = pt->v[i].subtype - PARTTABLE_SUBTYPE_APP_OTA_MIN;

		if (pt->v[i].type == PARTTABLE_TYPE_APP && n >= 0 && n < OTADATA_MAX_SLOTS)
			present |= 1u << n;
	}
	return present;
}
