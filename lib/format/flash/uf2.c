/* SPDX-License-Identifier: Apache-2.0 */
#include "uf2.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "hash.h"

uint64_t uf2_default_chunk(int md5)
{
	return UF2_DATA_SIZE - (md5 ? UF2_MD5_PART : 0);
}

int uf2_check(const struct uf2_opts *o, uint64_t addr, size_t len, const char *name)
{
	uint64_t room = uf2_default_chunk(o->md5);

	/* esptool divides by the chunk size even for an empty file */
	if (o->chunk == 0)
		return diag_error("--chunk-size 0: a UF2 block needs at least 4 payload bytes");
	if ((len < o->chunk ? len : o->chunk) > room)
		return diag_file(name,
				 "a UF2 block holds at most %llu payload bytes%s, not --chunk-size "
				 "%llu",
				 (unsigned long long)room, o->md5 ? " with MD5" : "",
				 (unsigned long long)o->chunk);
	if (addr > 0xFFFFFFFFu || len > 0x100000000u - addr)
		return diag_file(name, "at 0x%llx: UF2 addresses end at 4 GiB",
				 (unsigned long long)addr);
	return 0;
}

int uf2_encode_file(const struct uf2_opts *o, uint64_t addr, const uint8_t *data, size_t len,
		    uf2_sink sink, void *ctx)
{
	uint8_t blk[UF2_BLOCK_SIZE];
	uint64_t blocks = (len + o->chunk - 1) / o->chunk, i;
	uint32_t flags = UF2_FLAG_FAMILY | (o->md5 ? UF2_FLAG_MD5 : 0);

	for (i = 0; i < blocks; i++) {
		size_t off = (size_t)(i * o->chunk);
		size_t n = len - off < o->chunk ? len - off : (size_t)o->chunk;
		uint32_t at = (uint32_t)(addr + off);

		memset(blk, 0, sizeof(blk));
		buf_put_le32(blk + 0, UF2_MAGIC0);
		buf_put_le32(blk + 4, UF2_MAGIC1);
		buf_put_le32(blk + 8, flags);
		buf_put_le32(blk + 12, at);
		buf_put_le32(blk + 16, (uint32_t)n);
		/* numbered within this file, as esptool does (the UF2 spec numbers the
		 * whole file) */
		buf_put_le32(blk + 20, (uint32_t)i);
		buf_put_le32(blk + 24, (uint32_t)blocks);
		buf_put_le32(blk + 28, o->family);
		memcpy(blk + 32, data + off, n);
		/* the MD5 part follows the payload, not the end of the data area */
		if (o->md5) {
			buf_put_le32(blk + 32 + n, at);
			buf_put_le32(blk + 36 + n, (uint32_t)n);
			hash_md5(data + off, n, blk + 40 + n);
		}
		buf_put_le32(blk + UF2_BLOCK_SIZE - 4, UF2_MAGIC_END);
		if (sink(ctx, blk, sizeof(blk)) < 0)
			return -1;
	}
	return 0;
}

int uf2_is_uf2(const uint8_t *data, size_t len)
{
	return len >= 8 && buf_get_le32(data) == UF2_MAGIC0 && buf_get_le32(data + 4) == UF2_MAGIC1;
}

static int cmp_piece(const void *a, const void *b)
{
	const struct uf2_piece *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->data < y->data ? -1 : x->data > y->data;
}

/* One block at @off into @img (no message). Returns 0, or -1 with @why set. */
static int block(const uint8_t *b, struct uf2_image *img, const char **why)
{
	uint32_t flags = buf_get_le32(b + 8), n = buf_get_le32(b + 16);
	uint8_t md5[MD5_LEN];

	if (buf_get_le32(b) != UF2_MAGIC0 || buf_get_le32(b + 4) != UF2_MAGIC1 ||
	    buf_get_le32(b + UF2_BLOCK_SIZE - 4) != UF2_MAGIC_END)
		return *why = "bad magic numbers", -1;
	if (flags & UF2_FLAG_CONTAINER)
		return *why = "a file-container block (not flash data)", -1;
	if (n > UF2_DATA_SIZE || ((flags & UF2_FLAG_MD5) && n > UF2_DATA_SIZE - UF2_MD5_PART))
		return *why = "payload length beyond the block", -1;
	if ((uint64_t)buf_get_le32(b + 12) + n > 0x100000000u)
		return *why = "payload past 4 GiB", -1;
	if (flags & UF2_FLAG_MD5) {
		hash_md5(b + 32, n, md5);
		if (buf_get_le32(b + 32 + n) != buf_get_le32(b + 12) ||
		    buf_get_le32(b + 36 + n) != n || memcmp(b + 40 + n, md5, MD5_LEN) != 0)
			return *why = "MD5 part does not match the payload", -1;
		img->md5_blocks++;
	}
	if (flags & UF2_FLAG_FAMILY) {
		if (!img->has_family && img->blocks == 0) {
			img->has_family = 1;
			img->family = buf_get_le32(b + 28);
		} else if (!img->has_family || img->family != buf_get_le32(b + 28)) {
			img->mixed_family = 1;
		}
	} else if (img->has_family) {
		img->mixed_family = 1;
	}
	img->blocks++;
	if (flags & UF2_FLAG_NOT_MAIN) {
		img->skipped++;
		return 0;
	}
	if (n) {
		struct uf2_piece *p = &img->pieces[img->n++];

		p->addr = buf_get_le32(b + 12);
		p->data = b + 32;
		p->len = n;
	}
	return 0;
}

int uf2_decode(const uint8_t *data, size_t len, const char *file, struct uf2_image *out)
{
	const char *why = NULL;
	size_t i, nblk = len / UF2_BLOCK_SIZE;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len % UF2_BLOCK_SIZE)
		return diag_file(file, "UF2: %zu bytes, not a whole number of 512-byte blocks",
				 len);
	out->pieces = calloc(nblk, sizeof(*out->pieces));
	if (!out->pieces)
		return diag_error("out of memory");
	for (i = 0; i < nblk; i++) {
		if (block(data + i * UF2_BLOCK_SIZE, out, &why) < 0) {
			diag_file(file, "UF2 block %zu at offset 0x%zx: %s", i, i * UF2_BLOCK_SIZE,
				  why);
			goto fail;
		}
	}
	qsort(out->pieces, out->n, sizeof(*out->pieces), cmp_piece);
	for (i = 1; i < out->n; i++) {
		const struct uf2_piece *a = &out->pieces[i - 1], *b = &out->pieces[i];
		uint64_t a_end = (uint64_t)a->addr + a->len;

		if (b->addr >= a_end)
			continue;
		/* a block written twice with the same bytes is harmless */
		if (b->addr != a->addr || b->len != a->len || memcmp(a->data, b->data, a->len)) {
			diag_file(file,
				  "UF2 block at offset 0x%zx: data for 0x%x differs from "
				  "another block's",
				  (size_t)(b->data - 32 - data), (unsigned)b->addr);
			goto fail;
		}
	}
	return 0;
fail:
	uf2_image_free(out);
	return -1;
}

void uf2_image_free(struct uf2_image *img)
{
	free(img->pieces);
	memset(img, 0, sizeof(*img));
}
