/*
 * An NVS image read back (spec/nvs.md §2, §3): every written item, pages in
 * sequence-number order, v2 blobs joined from their chunks; damage is warned about
 * and skipped, as the runtime would.
 */
#include "nvs_int.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

void nvs_image_init(struct nvs_image *im)
{
	memset(im, 0, sizeof(*im));
}

void nvs_image_free(struct nvs_image *im)
{
	size_t i;

	for (i = 0; i < im->n; i++)
		free(im->v[i].data);
	free(im->v);
	nvs_image_init(im);
}

static int image_add(struct nvs_image *im, const struct nvs_item *it)
{
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 64;
		struct nvs_item *v = realloc(im->v, cap * sizeof(*v));

		if (!v)
			return diag_error("out of memory");
		im->v = v;
		im->cap = cap;
	}
	im->v[im->n++] = *it;
	return 0;
}

struct chunk {
	uint8_t ns;
	uint8_t index;
	char key[NVS_KEY_MAX + 2];
	const uint8_t *data;
	size_t len;
	size_t seq;
};

static unsigned entry_state(const uint8_t *pg, unsigned i)
{
	return (pg[32 + i / 4] >> ((i % 4) * 2)) & 3u;
}

/* Items of one page, in entry order; blob chunks go to @chunks. */
static int decode_page(const char *file, const uint8_t *pg, uint32_t pno, struct nvs_image *im,
		       struct chunk **chunks, size_t *nchunks, size_t *seq)
{
	unsigned i = 0, span;

	while (i < NVS_PAGE_ENTRIES) {
		const uint8_t *e = pg + 64 + NVS_ENTRY_SIZE * i;
		struct nvs_item it;

		if (entry_state(pg, i) != 2) { /* empty, erased or illegal */
			i++;
			continue;
		}
		span = e[2];
		if (buf_get_le32(e + 4) != nvs_entry_crc(e) || span == 0 ||
		    i + span > NVS_PAGE_ENTRIES) {
			diag_warn_at(file, 0, "page %u entry %u: damaged item header, skipped", pno,
				     i);
			i++;
			continue;
		}
		memset(&it, 0, sizeof(it));
		it.ns = e[0];
		it.type = e[1];
		memcpy(it.key, e + 8, 16);
		it.page = pno;
		it.entry = i;
		it.seq = (*seq)++;
		if (nvs_val_int_of_type(e[1])) {
			it.value = (uint64_t)buf_get_le32(e + 24) | (uint64_t)buf_get_le32(e + 28)
									<< 32;
			if (image_add(im, &it) < 0)
				return -1;
		} else if (e[1] == NVS_TYPE_STR || e[1] == NVS_TYPE_BLOB ||
			   e[1] == NVS_TYPE_BLOB_DATA) {
			size_t size = buf_get_le16(e + 24);
			const uint8_t *data = e + NVS_ENTRY_SIZE;

			if (size > (size_t)(span - 1) * NVS_ENTRY_SIZE ||
			    crc32_esp(data, size) != buf_get_le32(e + 28)) {
				diag_warn_at(file, 0,
					     "page %u entry %u: '%s': bad data size or CRC, "
					     "skipped",
					     pno, i, it.key);
			} else if (e[1] == NVS_TYPE_BLOB_DATA) {
				struct chunk *c = realloc(*chunks, (*nchunks + 1) * sizeof(*c));

				if (!c)
					return diag_error("out of memory");
				*chunks = c;
				c += (*nchunks)++;
				c->ns = it.ns;
				c->index = e[3];
				memcpy(c->key, it.key, sizeof(c->key));
				c->data = data;
				c->len = size;
				c->seq = it.seq;
			} else {
				it.data = malloc(size ? size : 1);
				if (!it.data)
					return diag_error("out of memory");
				memcpy(it.data, data, size);
				it.len = size;
				if (image_add(im, &it) < 0) {
					free(it.data);
					return -1;
				}
			}
		} else if (e[1] == NVS_TYPE_BLOB_IDX) {
			/* size, chunk count and start kept in value until the chunks are joined */
			it.value = (uint64_t)buf_get_le32(e + 24) | (uint64_t)e[28] << 32 |
				   (uint64_t)e[29] << 40;
			if (image_add(im, &it) < 0)
				return -1;
		} else {
			diag_warn_at(file, 0,
				     "page %u entry %u: '%s': unknown item type 0x%02x, "
				     "skipped",
				     pno, i, it.key, e[1]);
		}
		i += span;
	}
	return 0;
}

/* Joins each v2 blob index with its chunks; incomplete blobs are dropped. */
static int join_blobs(const char *file, struct nvs_image *im, const struct chunk *c, size_t nc)
{
	size_t i, j, k, out = 0;

	for (i = 0; i < im->n; i++) {
		struct nvs_item *it = &im->v[i];
		uint32_t size = (uint32_t)it->value;
		unsigned count = (unsigned)(it->value >> 32) & 0xFF;
		unsigned start = (unsigned)(it->value >> 40) & 0xFF, n;
		size_t got = 0;
		int ok = 1;

		if (it->type == NVS_TYPE_BLOB_IDX) {
			it->data = malloc(size ? size : 1);
			if (!it->data)
				return diag_error("out of memory");
			for (n = 0; n < count && ok; n++) {
				size_t best = nc;

				/* the closest chunk before the index: a key may be written twice */
				for (j = 0; j < nc && c[j].seq < it->seq; j++)
					if (c[j].ns == it->ns &&
					    c[j].index == (uint8_t)(start + n) &&
					    !strcmp(c[j].key, it->key))
						best = j;
				j = best;
				if (j == nc || got + c[j].len > size) {
					ok = 0;
					break;
				}
				memcpy(it->data + got, c[j].data, c[j].len);
				got += c[j].len;
			}
			if (!ok || got != size) {
				diag_warn_at(file, 0,
					     "page %u entry %u: blob '%s' is incomplete, "
					     "skipped",
					     it->page, it->entry, it->key);
				free(it->data);
				continue;
			}
			it->len = size;
			it->value = 0;
		}
		im->v[out++] = *it;
	}
	for (k = out; k < im->n; k++)
		im->v[k].data = NULL;
	im->n = out;
	return 0;
}

int nvs_page_header_ok(const uint8_t *page)
{
	return buf_get_le32(page + 28) == crc32_esp(page + 4, 24);
}

int nvs_decode(const char *file, const uint8_t *img, size_t len, struct nvs_image *im)
{
	size_t npages = len / NVS_PAGE_SIZE, n = 0, i, j;
	size_t *order = NULL;
	struct chunk *chunks = NULL;
	size_t nchunks = 0, seq = 0;
	int rc = -1;

	if (len == 0 || len % NVS_PAGE_SIZE)
		return diag_file(file, "%zu bytes is not a whole number of 4096-byte NVS pages",
				 len);
	order = malloc(npages * sizeof(*order));
	if (!order)
		return diag_error("out of memory");
	im->size = len;
	for (i = 0; i < npages; i++) {
		const uint8_t *pg = img + i * NVS_PAGE_SIZE;
		uint32_t st = buf_get_le32(pg);
		int ver;

		if (st == NVS_PAGE_UNINIT)
			continue;
		if (st != NVS_PAGE_ACTIVE && st != NVS_PAGE_FULL && st != NVS_PAGE_FREEING) {
			diag_warn_at(file, 0, "page %zu: state 0x%08x, skipped", i, st);
			continue;
		}
		if (!nvs_page_header_ok(pg)) {
			diag_warn_at(file, 0, "page %zu: bad header CRC, skipped", i);
			continue;
		}
		ver = pg[8] == NVS_V1 ? 1 : pg[8] == NVS_V2 ? 2 : 0;
		if (!ver)
			diag_warn_at(file, 0, "page %zu: unknown format version 0x%02x", i, pg[8]);
		else if (!im->version)
			im->version = ver;
		else if (im->version != ver)
			diag_warn_at(file, 0, "page %zu: format version %d differs from %d", i, ver,
				     im->version);
		/* pages in sequence-number order, as the runtime reads them */
		for (j = n; j > 0 && buf_get_le32(img + order[j - 1] * NVS_PAGE_SIZE + 4) >
					 buf_get_le32(pg + 4);
		     j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	for (i = 0; i < n; i++)
		if (decode_page(file, img + order[i] * NVS_PAGE_SIZE, (uint32_t)order[i], im,
				&chunks, &nchunks, &seq) < 0)
			goto out;
	rc = join_blobs(file, im, chunks, nchunks);
out:
	free(order);
	free(chunks);
	return rc;
}
