/* ESP-IDF CSV partition layout (lib/layout_csv.c): parse, resolve, verify, encode,
 * and print the table back as CSV. */
#include "fuzz_common.h"

#include "buf.h"
#include "layout.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_config c;
	struct parttable pt;
	struct buf out = BUF_INIT, text = BUF_INIT;

	if (size > LAYOUT_MAX_FILE)
		return 0;
	if (pt_config_init(&c) < 0)
		return 0;
	pt_init(&pt, "fuzz.csv");
	if (layout_parse_csv(data, size, &c, &pt) == 0 && pt_resolve_offsets(&pt, &c) == 0 &&
	    pt_verify(&pt, &c) == 0) {
		(void)pt_check_flash_size(&pt, &c);
		(void)pt_format_csv(&pt, &c, &text);
		(void)pt_encode(&pt, &c, &out);
	}
	buf_free(&out);
	buf_free(&text);
	pt_free(&pt);
	pt_config_free(&c);
	return 0;
}
