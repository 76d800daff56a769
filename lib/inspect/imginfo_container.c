/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imginfo: UF2 files and Intel HEX text read as the flash content they carry, so that the
 * describers see what esp-mkflash --format raw would have written (spec/flash-layout.md
 * §5-§7), and a note of the container for the description.
 */
#include "imginfo.h"

#include <stdlib.h>
#include <string.h>

#include "chip.h"
#include "diag.h"
#include "flash.h"
#include "ihex.h"
#include "node.h"
#include "uf2.h"

/* One stretch of content, borrowed from the decoded container. */
struct piece {
	uint64_t addr;
	const uint8_t *data;
	size_t len;
};

/* Piece @i of a decoded container @src (a uf2_image or an ihex). */
typedef struct piece (*piece_at)(const void *src, size_t i);

static struct piece uf2_piece_at(const void *src, size_t i)
{
	const struct uf2_piece *u = &((const struct uf2_image *)src)->pieces[i];
	struct piece p = {u->addr, u->data, u->len};

	return p;
}

static struct piece hex_piece_at(const void *src, size_t i)
{
	const struct ihex_run *r = &((const struct ihex *)src)->runs[i];
	struct piece p = {r->addr, r->data, r->len};

	return p;
}

/* The @n pieces of @src (in address order) laid out from address 0, 0xFF between, into
 * @out; the runs they form listed under @c. Returns 0, or -1 with a message. */
static int flatten(const char *file, const void *src, piece_at at, size_t n, struct buf *out,
		   struct imginfo_node *c)
{
	struct imginfo_node *runs = node_list(c, "runs");
	uint64_t end = 0, run_start = 0;
	struct piece *p = calloc(n ? n : 1, sizeof(*p));
	size_t i;
	int rc = -1;

	if (!p)
		return diag_error("out of memory");
	for (i = 0; i < n; i++)
		p[i] = at(src, i);

	for (i = 0; i < n; i++)
		if (p[i].addr + p[i].len > end)
			end = p[i].addr + p[i].len;
	if (end > FLASHIMG_MAX_SIZE) {
		diag_file(file, "content up to 0x%llx: beyond %llu MB of flash",
			  (unsigned long long)end, (unsigned long long)(FLASHIMG_MAX_SIZE >> 20));
		goto out;
	}
	if (buf_fill(out, 0xFF, (size_t)end) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		memcpy(out->data + p[i].addr, p[i].data, p[i].len);
		/* a run ends where the next piece does not follow on */
		if (i == 0 || p[i].addr > p[i - 1].addr + p[i - 1].len)
			run_start = p[i].addr;
		if (i + 1 == n || p[i + 1].addr > p[i].addr + p[i].len) {
			uint64_t size = p[i].addr + p[i].len - run_start;
			char *id = node_format("0x%llx", (unsigned long long)run_start);
			struct imginfo_node *r = id ? node_item(runs, id, NULL) : NULL;

			free(id);
			if (!r) {
				diag_error("out of memory");
				goto out;
			}
			node_uint(r, "address", run_start, IMGINFO_F_HEX, NULL);
			node_uint(r, "size", size, IMGINFO_F_HEX, NULL);
			node_line(r, "0x%llx +0x%llx", (unsigned long long)run_start,
				  (unsigned long long)size);
		}
	}
	rc = 0;
out:
	free(p);
	return rc;
}

static int load_uf2(const char *file, const struct buf *in, struct buf *out, struct imginfo_node *c)
{
	struct uf2_image img;
	const struct chip *chip;
	int rc;

	if (uf2_decode(in->data, in->len, file, &img) < 0)
		return -1;
	node_cstr(c, "format", "uf2");
	node_uint(c, "blocks", img.blocks, 0, NULL);
	if (img.has_family && !img.mixed_family) {
		chip = chip_by_uf2_family(img.family);
		node_uint(c, "family_id", img.family, IMGINFO_F_HEX, chip ? chip->name : NULL);
	} else {
		node_cstr(c, "family_id", img.mixed_family ? "mixed" : "none");
	}
	node_uint(c, "md5_checked", img.md5_blocks, 0, NULL);
	if (img.skipped)
		node_uint(c, "not_main_flash", img.skipped, 0, NULL);
	rc = flatten(file, &img, uf2_piece_at, img.n, out, c);
	uf2_image_free(&img);
	return rc;
}

static int load_hex(const char *file, const struct buf *in, struct buf *out, struct imginfo_node *c)
{
	struct ihex h;
	struct ihex_error err;
	int rc;

	if (ihex_decode(in->data, in->len, &h, &err) < 0) {
		if (err.line == 0)
			return -1;
		return diag_at(file, (unsigned)err.line, "Intel HEX: %s", err.msg);
	}
	node_cstr(c, "format", "intel-hex");
	node_uint(c, "records", h.records, 0, NULL);
	rc = flatten(file, &h, hex_piece_at, h.n, out, c);
	ihex_free(&h);
	return rc;
}

int imginfo_container_load(const char *file, struct buf *b, struct imginfo_node **container)
{
	struct buf flat = BUF_INIT;
	struct imginfo_node *c;
	int uf2 = uf2_is_uf2(b->data, b->len), rc;

	*container = NULL;
	if (!uf2 && (b->len == 0 || b->data[0] != ':'))
		return 0;
	c = node_set_flags(node_new(IMGINFO_OBJ, "container", IMGINFO_CLASS_CONTENT),
			   IMGINFO_F_NODIFF);
	if (!c)
		return diag_error("out of memory");
	rc = uf2 ? load_uf2(file, b, &flat, c) : load_hex(file, b, &flat, c);
	if (rc == 0 && node_oom(c))
		rc = diag_error("out of memory");
	if (rc < 0) {
		imginfo_node_free(c);
		buf_free(&flat);
		return -1;
	}
	buf_free(b);
	*b = flat;
	*container = c;
	return 0;
}

void imginfo_container_add(struct imginfo_node *root, struct imginfo_node *container)
{
	size_t i;

	if (!container)
		return;
	node_add(root, container);
	/* first, before what the content holds */
	if (root->nkids && root->kids[root->nkids - 1] == container) {
		for (i = root->nkids - 1; i > 0; i--)
			root->kids[i] = root->kids[i - 1];
		root->kids[0] = container;
	}
}
