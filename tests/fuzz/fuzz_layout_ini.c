/* INI partition layout (lib/layout_ini.c, lib/inifile.c): parse, resolve, verify,
 * encode, and decode the encoding again. */
#include "fuzz_common.h"

#include "buf.h"
#include "layout.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_config c;
	struct parttable pt, back;
	struct buf out = BUF_INIT, text = BUF_INIT;

	if (size > LAYOUT_MAX_FILE)
		return 0;
	if (pt_config_init(&c) < 0)
		return 0;
	pt_init(&pt, "fuzz.ini");
	pt_init(&back, "fuzz.bin");
	if (layout_parse_ini(data, size, &c, &pt) == 0 && pt_resolve_offsets(&pt, &c) == 0 &&
	    pt_verify(&pt, &c) == 0) {
		(void)pt_check_flash_size(&pt, &c);
		(void)pt_format_ini(&pt, &c, &text);
		if (pt_encode(&pt, &c, &out) == 0)
			(void)pt_decode(out.data, out.len, &c, &back);
	}
	buf_free(&out);
	buf_free(&text);
	pt_free(&back);
	pt_free(&pt);
	pt_config_free(&c);
	return 0;
}
