/* SPDX-License-Identifier: Apache-2.0 */
/* Binary partition table decode (parttable_decode() in lib/format/parttable/parttable_binary.c,
 * the row scan included), then verify and print as CSV and INI, as esp-mkpart --decode does. */
#include "fuzz_common.h"

#include "buf.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parttable_config c;
	struct parttable pt;
	struct buf csv = BUF_INIT, ini = BUF_INIT;

	if (parttable_config_init(&c) < 0)
		return 0;
	parttable_init(&pt, "fuzz.bin");
	if (parttable_decode(data, size, &c, &pt) == 0) {
		(void)parttable_verify(&pt, &c);
		(void)parttable_format_csv(&pt, &c, &csv);
		(void)parttable_format_ini(&pt, &c, &ini);
	}
	buf_free(&csv);
	buf_free(&ini);
	parttable_free(&pt);
	parttable_config_free(&c);
	return 0;
}
