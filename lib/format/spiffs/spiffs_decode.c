/* SPDX-License-Identifier: Apache-2.0 */
/* The SPIFFS reader: files back from an image laid out as spiffs.c writes it (spec/
 * filesystems.md §2), for esp-mkfs --list/--extract and round-trip tests. */
#include "spiffs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "spiffs_geom.h"

/* An index page found through the lookup pages. */
struct ix_page {
	uint16_t id; /* object id without the index bit */
	uint16_t span;
	uint32_t page;
};

struct reader {
	const struct spiffs_config *c;
	struct spiffs_geom g;
	const char *file;
	const uint8_t *img;
	struct ix_page *ix;
	size_t nix;
};

static uint32_t get16(const struct reader *r, const uint8_t *p)
{
	return r->c->big_endian ? (uint32_t)p[0] << 8 | p[1] : buf_get_le16(p);
}

static uint32_t get32(const struct reader *r, const uint8_t *p)
{
	return r->c->big_endian ? get16(r, p) << 16 | get16(r, p + 2) : buf_get_le32(p);
}

static const uint8_t *page_at(const struct reader *r, uint32_t page)
{
	return r->img + (size_t)page * r->g.page;
}

static int ix_cmp(const void *a, const void *b)
{
	const struct ix_page *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->span < y->span ? -1 : x->span > y->span;
}

static int all_ff(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++ != 0xFF)
			return 0;
	return 1;
}

/* Every live index page the lookup pages name, sorted by object and span. A slot must
 * match its page's header: a mismatch means the image was built with other options.
 * Skipped: free slots (0xFFFF), deleted pages (slot 0 or the deleted flag clear, as a
 * device leaves them), and the magic number where it sits in the slot of a page that
 * was never written (§2.4). */
static int find_index_pages(struct reader *r)
{
	uint32_t block, s;

	r->ix = calloc((size_t)r->g.blocks * r->g.usable + 1, sizeof(*r->ix));
	if (!r->ix)
		return diag_error("out of memory");
	for (block = 0; block < r->g.blocks; block++) {
		for (s = 0; s < r->g.usable; s++) {
			uint32_t lu = block * r->g.ppb + s / r->g.slots;
			uint32_t v = get16(r, page_at(r, lu) + (size_t)(s % r->g.slots) * 2);
			uint32_t page = block * r->g.ppb + r->g.lu + s;
			const uint8_t *p = page_at(r, page);
			uint32_t want =
			    v & SPIFFS_ID_INDEX ? SPIFFS_FLAGS_LIVE_INDEX : SPIFFS_FLAGS_LIVE_DATA;

			if (v == 0xFFFF || v == 0 || !(p[4] & SPIFFS_FLAG_NOT_DELETED))
				continue;
			if (get16(r, p) != v || (p[4] & SPIFFS_FLAGS_STATE) != want) {
				if (all_ff(p, r->g.page))
					continue;
				return diag_file(
				    r->file,
				    "page %u does not match its lookup slot (0x%04x): "
				    "not a SPIFFS image of page size %u, block size %u, "
				    "or built with other options",
				    page, v, r->g.page, r->g.ppb * r->g.page);
			}
			if (!(v & SPIFFS_ID_INDEX))
				continue;
			r->ix[r->nix].id = (uint16_t)(v & ~SPIFFS_ID_INDEX);
			r->ix[r->nix].span = (uint16_t)get16(r, p + 2);
			r->ix[r->nix].page = page;
			r->nix++;
		}
	}
	qsort(r->ix, r->nix, sizeof(*r->ix), ix_cmp);
	return 0;
}

/* The object whose index pages start at r->ix[*at] (span 0), into @e. */
static int read_object(struct reader *r, size_t *at, struct spiffs_entry *e)
{
	const struct ix_page *first = &r->ix[*at];
	const uint8_t *p = page_at(r, first->page);
	uint32_t content = r->g.page - SPIFFS_DATA_HDR, n, k, span = 0, slot = 0;
	uint32_t namelen;
	size_t i = *at;

	e->id = first->id;
	if (p[SPIFFS_IX_HDR + 4] != SPIFFS_TYPE_FILE)
		return diag_file(r->file, "object %u: type 0x%02x, not a file", first->id,
				 p[SPIFFS_IX_HDR + 4]);
	e->len = get32(r, p + SPIFFS_IX_HDR);
	for (namelen = 0; namelen < r->c->obj_name_len; namelen++)
		if (p[SPIFFS_IX_HDR + 5 + namelen] == 0)
			break;
	e->name = malloc(namelen + 1);
	if (!e->name)
		return diag_error("out of memory");
	memcpy(e->name, p + SPIFFS_IX_HDR + 5, namelen);
	e->name[namelen] = '\0';
	if ((uint64_t)e->len > (uint64_t)r->g.blocks * r->g.usable * content)
		return diag_file(r->file, "object '%s': size %zu is larger than the image", e->name,
				 e->len);
	if (e->len && !(e->data = malloc(e->len)))
		return diag_error("out of memory");
	n = (uint32_t)((e->len + content - 1) / content);
	k = 0;
	while (k < n) {
		uint32_t lim = span == 0 ? r->g.head_lim : r->g.lim;
		uint32_t off = span == 0 ? r->g.head : SPIFFS_IX_HDR, page, len;
		const uint8_t *d;

		if (slot == lim) {
			/* this index page is full: the next span goes on */
			span++;
			slot = 0;
			i++;
			if (i == r->nix || r->ix[i].id != e->id || r->ix[i].span != span)
				return diag_file(r->file, "object '%s': index page %u is missing",
						 e->name, span);
			p = page_at(r, r->ix[i].page);
			continue;
		}
		page = get16(r, p + off + 2 * slot++);
		if (page >= r->g.blocks * r->g.ppb)
			return diag_file(r->file, "object '%s': data page %u is past the end",
					 e->name, page);
		d = page_at(r, page);
		if (get16(r, d) != e->id || get16(r, d + 2) != k ||
		    (d[4] & SPIFFS_FLAGS_STATE) != SPIFFS_FLAGS_LIVE_DATA)
			return diag_file(r->file, "object '%s': data page %u (span %u) is damaged",
					 e->name, page, k);
		len = k + 1 < n ? content : (uint32_t)(e->len - (size_t)k * content);
		memcpy(e->data + (size_t)k * content, d + SPIFFS_DATA_HDR, len);
		k++;
	}
	/* skip the object's remaining index pages */
	while (i < r->nix && r->ix[i].id == e->id)
		i++;
	*at = i;
	return 0;
}

int spiffs_decode(const struct spiffs_config *c, const char *file, const uint8_t *img, size_t len,
		  struct spiffs_list *out)
{
	struct reader r;
	char why[200];
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (spiffs_config_check(c, len, why, sizeof(why)) < 0)
		return diag_file(file, "%s", why);
	r.c = c;
	r.file = file;
	r.img = img;
	spiffs_geom_init(c, len, &r.g);
	if (find_index_pages(&r) < 0)
		goto out;
	out->v = calloc(r.nix + 1, sizeof(*out->v));
	if (!out->v) {
		diag_error("out of memory");
		goto out;
	}
	i = 0;
	while (i < r.nix) {
		if (r.ix[i].span != 0) {
			diag_file(file, "object %u: no first index page", r.ix[i].id);
			goto out;
		}
		if (read_object(&r, &i, &out->v[out->n++]) < 0)
			goto out;
	}
	rc = 0;
out:
	free(r.ix);
	if (rc < 0)
		spiffs_list_free(out);
	return rc;
}

void spiffs_list_free(struct spiffs_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].data);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
