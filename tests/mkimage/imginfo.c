/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imginfo: prints what lib/appimage's reader finds in an app image, one fact per
 * line, for the esp-mkimage script tests (decode what we encode).
 */
#include <stdio.h>
#include <stdlib.h>

#include "appimage.h"
#include "ascii.h"
#include "buf.h"
#include "diag.h"
#include "fileio.h"

int main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	struct appimage_info *in;
	char hex[2 * SHA256_LEN + 1];
	size_t i;

	diag_set_program("imginfo");
	if (argc != 2)
		return 2;
	in = malloc(sizeof(*in));
	if (!in || fileio_read(argv[1], FILEIO_MAX_INPUT, &b) < 0 ||
	    appimage_decode(b.data, b.len, argv[1], in) < 0)
		return 1;
	printf("len=%zu\n", b.len);
	printf("segments=%u\n", in->seg_count);
	printf("flash_mode=%u\n", in->flash_mode);
	printf("flash_size_freq=0x%02x\n", in->flash_size_freq);
	printf("entry=0x%08x\n", in->entry);
	printf("chip_id=%u\n", in->chip_id);
	printf("min_rev=%u\n", in->min_rev);
	printf("min_rev_full=%u\n", in->min_rev_full);
	printf("max_rev_full=%u\n", in->max_rev_full);
	printf("hash_appended=%u\n", in->hash_appended);
	for (i = 0; i < in->nsegs; i++)
		printf("seg%zu addr=0x%08x len=0x%x data=0x%zx\n", i, in->segs[i].addr,
		       in->segs[i].len, in->segs[i].data_offset);
	printf("checksum=%s\n", in->checksum_calc == in->checksum_stored ? "valid" : "invalid");
	printf("digest=%s\n", !in->hash_appended ? "none" : in->digest_valid ? "valid" : "invalid");
	printf("image_len=0x%zx\n", in->image_len);
	printf("trailing=%zu\n", in->trailing);
	if (in->has_desc) {
		ascii_hex_encode(in->desc.app_elf_sha256, SHA256_LEN, hex);
		printf("desc_offset=0x%zx\n", in->desc_offset);
		printf("desc_elf_sha256=%s\n", hex);
		printf("desc_project=%s\n", in->desc.project_name.s);
	}
	buf_free(&b);
	free(in);
	return 0;
}
