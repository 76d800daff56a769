/* SPDX-License-Identifier: Apache-2.0 */
/* otadata reader (lib/format/otadata/otadata.c): decode both entries and pick the active one. */
#include "fuzz_common.h"

#include "otadata.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct otadata_entry e[2];
	int a;

	if (otadata_decode(data, size, e) < 0)
		return 0;
	a = otadata_active(e);
	if (a >= 0) {
		(void)otadata_state_name(e[a].state);
		(void)otadata_seq_slot(e[a].seq, 1 + (unsigned)(size % OTADATA_MAX_SLOTS));
	}
	return 0;
}
