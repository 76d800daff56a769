/* SPDX-License-Identifier: Apache-2.0 */
/* INI partition layout (lib/format/parttable/layout_ini.c, lib/base/inifile.c): parse, resolve, verify,
 * encode, and decode the encoding again. */
#include "fuzz_common.h"

#include "buf.h"
#include "layout.h"
#include "parttable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parttable_config c;
	struct parttable pt, back;
	struct buf out = BUF_INIT, text = BUF_INIT;

	if (size > LAYOUT_MAX_FILE)
		return 0;
	if (parttable_config_init(&c) < 0)
		return 0;
	parttable_init(&pt, "fuzz.ini");
	parttable_init(&back, "fuzz.bin");
	if (layout_ini_parse(data, size, &c, &pt) == 0 && parttable_resolve_offsets(&pt, &c) == 0 &&
	    parttable_verify(&pt, &c) == 0) {
		(void)parttable_check_flash_size(&pt, &c);
		(void)parttable_format_ini(&pt, &c, &text);
		if (parttable_encode(&pt, &c, &out) == 0)
			(void)parttable_decode(out.data, out.len, &c, &back);
	}
	buf_free(&out);
	buf_free(&text);
	parttable_free(&back);
	parttable_free(&pt);
	parttable_config_free(&c);
	return 0;
}
