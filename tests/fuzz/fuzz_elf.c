/* SPDX-License-Identifier: Apache-2.0 */
/* ELF loading through libelf (lib/format/appimage/elfload.c elfload_load, both modes) and the ELF to
 * app image conversion (lib/format/appimage/elf2image.c) for one chip. The input goes to a file
 * because elfload_load() takes a path. */
#include "fuzz_common.h"

#include "buf.h"
#include "chip.h"
#include "elf2image.h"
#include "elfload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elfload_file f = {0};
	const struct chip *c = chip_find("esp32c3");
	struct elf2image_opts o;
	struct buf out = BUF_INIT;
	const char *path;

	if (size > (1u << 20))
		return 0;
	path = fuzz_write_file("in.elf", data, size);
	if (elfload_load(path, ELF_LOAD_SEGMENTS, &f) == 0) {
		elfload_free(&f);
		if (c) {
			elf2image_opts_init(&o, c);
			(void)elf2image(&o, path, &out);
			buf_free(&out);
		}
	}
	if (elfload_load(path, ELF_LOAD_SECTIONS, &f) == 0)
		elfload_free(&f);
	else
		elfload_free(&f);
	return 0;
}
