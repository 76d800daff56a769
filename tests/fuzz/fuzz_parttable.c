/* Binary partition table decode (lib/parttable.c pt_decode), then verify and print
 * as CSV and INI, as esp-mkpart --decode does. */
#include "fuzz_common.h"

#include "buf.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_config c;
	struct parttable pt;
	struct buf csv = BUF_INIT, ini = BUF_INIT;

	if (pt_config_init(&c) < 0)
		return 0;
	pt_init(&pt, "fuzz.bin");
	if (pt_decode(data, size, &c, &pt) == 0) {
		(void)pt_verify(&pt, &c);
		(void)pt_format_csv(&pt, &c, &csv);
		(void)pt_format_ini(&pt, &c, &ini);
	}
	buf_free(&csv);
	buf_free(&ini);
	pt_free(&pt);
	pt_config_free(&c);
	return 0;
}
