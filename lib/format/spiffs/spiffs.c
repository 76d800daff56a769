/* SPDX-License-Identifier: Apache-2.0 */
/* The SPIFFS encoder: spiffsgen.py's page allocation and page bytes (spec/filesystems.md §2). */
#include "spiffs.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "spiffs_geom.h"

static uint32_t head_len(const struct spiffs_config *c)
{
	uint32_t h = SPIFFS_IX_HDR + 4 + 1 + c->obj_name_len + c->meta_len;

	/* the page-index array after the header is 2-byte aligned only on request */
	return c->aligned_obj_ix_tables ? (h + 1) & ~1u : h;
}

void spiffs_geom_init(const struct spiffs_config *c, uint64_t size, struct spiffs_geom *g)
{
	g->page = c->page_size;
	g->ppb = c->block_size / c->page_size;
	g->lu = (g->ppb * 2 + g->page - 1) / g->page;
	g->usable = g->ppb - g->lu;
	g->blocks = (uint32_t)(size / c->block_size);
	g->slots = g->page / 2;
	g->head = head_len(c);
	g->head_lim = (g->page - g->head) / 2;
	g->lim = (g->page - SPIFFS_IX_HDR) / 2;
}

void spiffs_config_default(struct spiffs_config *c)
{
	memset(c, 0, sizeof(*c));
	c->page_size = SPIFFS_DEFAULT_PAGE_SIZE;
	c->block_size = SPIFFS_DEFAULT_BLOCK_SIZE;
	c->obj_name_len = SPIFFS_DEFAULT_OBJ_NAME_LEN;
	c->meta_len = SPIFFS_DEFAULT_META_LEN;
	c->use_magic = 1;
	c->use_magic_len = 1;
}

int spiffs_config_check(const struct spiffs_config *c, uint64_t size, char *why, size_t n)
{
	uint64_t head = (uint64_t)SPIFFS_IX_HDR + 5 + c->obj_name_len + c->meta_len;

	if (c->page_size == 0 || c->page_size > SPIFFS_MAX_PAGE) {
		snprintf(why, n, "page size %u is not from 1 to %u", c->page_size, SPIFFS_MAX_PAGE);
		return -1;
	}
	if (c->block_size == 0 || c->block_size % c->page_size != 0) {
		snprintf(why, n, "block size %u is not a multiple of the page size %u",
			 c->block_size, c->page_size);
		return -1;
	}
	if (size == 0 || size % c->block_size != 0) {
		snprintf(why, n, "image size 0x%llx is not a multiple of the block size %u",
			 (unsigned long long)size, c->block_size);
		return -1;
	}
	if (size > SPIFFS_MAX_SIZE) {
		snprintf(why, n, "image size 0x%llx is over 0x%llx", (unsigned long long)size,
			 (unsigned long long)SPIFFS_MAX_SIZE);
		return -1;
	}
	/* page numbers are 16-bit fields (§2.1) */
	if (size / c->page_size > 0x10000) {
		snprintf(why, n, "image size 0x%llx holds %llu pages of %u bytes: at most 65536",
			 (unsigned long long)size, (unsigned long long)(size / c->page_size),
			 c->page_size);
		return -1;
	}
	/* an object's first index page must hold its header and at least one page number */
	if (c->aligned_obj_ix_tables)
		head = (head + 1) & ~(uint64_t)1;
	if (head + 2 > c->page_size) {
		snprintf(why, n,
			 "page size %u is too small for an index page header of %llu bytes "
			 "(--obj-name-len %u, --meta-len %u) and one page number",
			 c->page_size, (unsigned long long)head, c->obj_name_len, c->meta_len);
		return -1;
	}
	return 0;
}

int spiffs_name_check(const struct spiffs_config *c, const char *name, char *why, size_t n)
{
	size_t i, len = strlen(name);

	/* spiffsgen pads the name field by characters, not bytes: every multi-byte
	 * character would shift the rest of the index page (§2.5) */
	for (i = 0; i < len; i++) {
		if ((unsigned char)name[i] >= 0x80) {
			snprintf(why, n, "object name '%s' is not ASCII", name);
			return -1;
		}
	}
	/* SPIFFS counts the NUL in SPIFFS_OBJ_NAME_LEN and refuses longer paths */
	if (len >= c->obj_name_len) {
		snprintf(why, n,
			 "object name '%s' too long: %zu characters, at most %u with "
			 "--obj-name-len %u (the NUL counts)",
			 name, len, c->obj_name_len ? c->obj_name_len - 1 : 0, c->obj_name_len);
		return -1;
	}
	return 0;
}

/* Where pages go while the image is built. */
struct builder {
	const struct spiffs_config *c;
	struct spiffs_geom g;
	uint8_t *img;
	uint64_t size;
	uint32_t blocks_used; /* blocks started; every one before the last is full */
	uint32_t next;	      /* next page within the last block */
	uint16_t id;	      /* object being written */
	uint32_t ix_page;     /* its current index page (absolute page number) */
	uint32_t ix_off;      /* offset of the next page number in that page */
	uint32_t ix_left;     /* page numbers that page can still take */
	uint16_t ix_span;     /* span index of the next index page */
};

static void put16(const struct builder *b, uint8_t *p, uint32_t v)
{
	if (b->c->big_endian) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	} else {
		buf_put_le16(p, (uint16_t)v);
	}
}

static void put32(const struct builder *b, uint8_t *p, uint32_t v)
{
	if (b->c->big_endian) {
		put16(b, p, v >> 16);
		put16(b, p + 2, v & 0xFFFF);
	} else {
		buf_put_le32(p, v);
	}
}

static uint8_t *page_at(const struct builder *b, uint32_t page)
{
	return b->img + (size_t)page * b->g.page;
}

/* Lookup slot @s of block @block (slots run on over the block's lookup pages). */
static uint8_t *slot_at(const struct builder *b, uint32_t block, uint32_t s)
{
	return page_at(b, block * b->g.ppb + s / b->g.slots) + (size_t)(s % b->g.slots) * 2;
}

static uint32_t pages_left(const struct builder *b)
{
	return b->blocks_used ? b->g.ppb - b->next : 0;
}

static int new_block(struct builder *b, const char *name)
{
	if (b->blocks_used == b->g.blocks)
		return diag_error("the files do not fit in the 0x%llx-byte image (full at '%s')",
				  (unsigned long long)b->size, name);
	b->blocks_used++;
	b->next = b->g.lu;
	return 0;
}

/* Takes the next page of the last block for the current object, noting it in the
 * block's lookup pages. Returns its absolute page number. */
static uint32_t take_page(struct builder *b, int index)
{
	uint32_t block = b->blocks_used - 1, page = block * b->g.ppb + b->next;

	put16(b, slot_at(b, block, b->next - b->g.lu), b->id | (index ? SPIFFS_ID_INDEX : 0));
	b->next++;
	return page;
}

/* Places the object's next index page; the first one carries size, type and name. */
static void begin_index(struct builder *b, const struct spiffs_file *f)
{
	uint32_t page = take_page(b, 1);
	uint8_t *p = page_at(b, page);

	put16(b, p, b->id | SPIFFS_ID_INDEX);
	put16(b, p + 2, b->ix_span);
	p[4] = SPIFFS_FLAGS_INDEX;
	/* bytes 5-7 stay 0xFF */
	b->ix_page = page;
	if (b->ix_span == 0) {
		put32(b, p + SPIFFS_IX_HDR, (uint32_t)f->len);
		p[SPIFFS_IX_HDR + 4] = SPIFFS_TYPE_FILE;
		/* name, its NUL padding, the meta bytes and the alignment byte: all 0 */
		memset(p + SPIFFS_IX_HDR + 5, 0, b->g.head - SPIFFS_IX_HDR - 5);
		memcpy(p + SPIFFS_IX_HDR + 5, f->name, strlen(f->name));
		b->ix_off = b->g.head;
		b->ix_left = b->g.head_lim;
	} else {
		b->ix_off = SPIFFS_IX_HDR;
		b->ix_left = b->g.lim;
	}
	b->ix_span++;
}

/* One file, as spiffsgen's create_file places it (§2.3). */
static int add_file(struct builder *b, const struct spiffs_file *f)
{
	uint32_t content = b->g.page - SPIFFS_DATA_HDR, span = 0;
	size_t off = 0;

	if (pages_left(b) == 0) {
		if (new_block(b, f->name) < 0)
			return -1;
		/* a block of lookup pages only (block size = page size) */
		if (pages_left(b) == 0)
			return diag_error("the files do not fit in the 0x%llx-byte image: a "
					  "block has no page besides its lookup page",
					  (unsigned long long)b->size);
	}
	b->ix_span = 0;
	begin_index(b, f);
	while (off < f->len) {
		uint32_t n = f->len - off < content ? (uint32_t)(f->len - off) : content;
		uint32_t page;
		uint8_t *p;

		if (pages_left(b) == 0) {
			/* the object goes on in a new block; its index page stays put */
			if (new_block(b, f->name) < 0)
				return -1;
			continue;
		}
		if (b->ix_left == 0) {
			begin_index(b, f);
			continue;
		}
		page = take_page(b, 0);
		p = page_at(b, page);
		put16(b, p, b->id);
		put16(b, p + 2, span++);
		p[4] = SPIFFS_FLAGS_DATA;
		memcpy(p + SPIFFS_DATA_HDR, f->data + off, n);
		put16(b, page_at(b, b->ix_page) + b->ix_off, page);
		b->ix_off += 2;
		b->ix_left--;
		off += n;
	}
	return 0;
}

uint16_t spiffs_geom_magic(const struct spiffs_config *c, const struct spiffs_geom *g,
			   uint32_t block)
{
	uint32_t magic = SPIFFS_MAGIC ^ g->page;

	if (c->use_magic_len)
		magic ^= g->blocks - block;
	return (uint16_t)(magic & 0xFFFF);
}

/* The magic number in the last lookup page of every block, where two slots are free
 * (§2.4). */
static void add_magic(struct builder *b)
{
	uint32_t block, used, in_last;

	for (block = 0; block < b->g.blocks; block++) {
		if (block + 1 < b->blocks_used)
			used = b->g.usable;
		else if (block + 1 == b->blocks_used)
			used = b->next - b->g.lu;
		else
			used = 0;
		in_last = (b->g.lu - 1) * b->g.slots;
		in_last = used > in_last ? used - in_last : 0;
		if (b->g.slots - in_last < 2)
			continue;
		put16(b, slot_at(b, block, (b->g.lu - 1) * b->g.slots + b->g.slots - 2),
		      spiffs_geom_magic(b->c, &b->g, block));
	}
}

int spiffs_build(const struct spiffs_config *c, uint64_t size, const struct spiffs_file *files,
		 size_t n, struct buf *out)
{
	struct builder b;
	size_t start = out->len, i;

	memset(&b, 0, sizeof(b));
	b.c = c;
	b.size = size;
	spiffs_geom_init(c, size, &b.g);
	/* object ids are 15 bits: the top bit marks index pages */
	if (n >= SPIFFS_ID_INDEX)
		return diag_error("%zu files: SPIFFS object ids allow at most %u", n,
				  SPIFFS_ID_INDEX - 1);
	if (buf_fill(out, 0xFF, (size_t)size) < 0)
		return -1;
	b.img = out->data + start;
	for (i = 0; i < n; i++) {
		b.id = (uint16_t)(i + 1);
		if (add_file(&b, &files[i]) < 0) {
			/* as it was: a buffer that was empty is released too */
			out->len = start;
			if (start == 0)
				buf_free(out);
			return -1;
		}
	}
	if (c->use_magic)
		add_magic(&b);
	return 0;
}
