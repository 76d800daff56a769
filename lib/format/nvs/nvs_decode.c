/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An NVS image read back (spec/nvs.md §2, §3): every written item, pages in
 * sequence-number order, v2 blobs joined from their chunks; damage is warned about
 * and skipped, as the runtime would. Then --decode's proof: the CSV made of the items
 * is generated again and must give the image's bytes.
 */
#include "nvs_int.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "secret.h"

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
	uint8_t used; /* joined into a blob already */
	char key[NVS_KEY_MAX + 2];
	const uint8_t *data;
	size_t len;
	size_t seq;
};

/* The chunks read so far; grown by doubling, so that reading stays linear. */
struct chunks {
	struct chunk *v;
	size_t n;
	size_t cap;
};

/* Items of one page, in entry order; blob chunks go to @chunks. */
static int decode_page(const char *file, const uint8_t *pg, uint32_t pno, struct nvs_image *im,
		       struct chunks *chunks, size_t *seq)
{
	unsigned i = 0, span;

	while (i < NVS_PAGE_ENTRIES) {
		const uint8_t *e = pg + nvs_entry_off(i);
		struct nvs_item it;

		if (nvs_entry_state(pg, i) != NVS_ENTRY_WRITTEN) { /* empty, erased or illegal */
			i++;
			continue;
		}
		span = nvs_item_span(pg, i);
		if (!span) {
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
				struct chunk *c;

				if (chunks->n == chunks->cap) {
					size_t cap = chunks->cap ? 2 * chunks->cap : 256;

					c = realloc(chunks->v, cap * sizeof(*c));
					if (!c)
						return diag_error("out of memory");
					chunks->v = c;
					chunks->cap = cap;
				}
				c = &chunks->v[chunks->n++];
				c->ns = it.ns;
				c->used = 0;
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

/* Chunks ordered by namespace, key, chunk index, then reading order. */
static int chunk_cmp(const void *a, const void *b)
{
	const struct chunk *x = a, *y = b;
	int k;

	if (x->ns != y->ns)
		return x->ns < y->ns ? -1 : 1;
	k = strcmp(x->key, y->key);
	if (k)
		return k;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The chunk @index of (@ns, @key) read last before reading position @seq (a key may
 * be written twice; each index takes the chunks written just before it), or NULL.
 * @c is sorted by chunk_cmp(): a binary search for the first chunk past the wanted
 * one, then one step back.
 */
static struct chunk *chunk_find(struct chunk *c, size_t nc, uint8_t ns, const char *key,
				uint8_t index, size_t seq)
{
	struct chunk want;
	size_t lo = 0, hi = nc;

	memset(&want, 0, sizeof(want));
	want.ns = ns;
	want.index = index;
	memcpy(want.key, key, sizeof(want.key));
	want.seq = seq; /* the chunk itself is never at the index's position */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (chunk_cmp(&c[mid], &want) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	c += lo - 1;
	if (c->ns != ns || c->index != index || strcmp(c->key, key) != 0)
		return NULL;
	return c;
}

/*
 * Joins one v2 blob index with its chunks. Returns 1 when complete (@it gets the data),
 * 0 when not (warned about), -1 when memory runs out.
 */
static int join_blob(const char *file, struct nvs_item *it, struct chunk *c, size_t nc)
{
	uint32_t size = (uint32_t)it->value;
	unsigned count = (unsigned)(it->value >> 32) & 0xFF;
	unsigned start = (unsigned)(it->value >> 40) & 0xFF, n;
	struct chunk *found[256];
	size_t got = 0;

	for (n = 0; n < count; n++) {
		found[n] = chunk_find(c, nc, it->ns, it->key, (uint8_t)(start + n), it->seq);
		if (!found[n] || got + found[n]->len > size)
			break;
		/* a chunk belongs to one blob: joining it again into every index that names
		 * it would let a small crafted image decode to gigabytes */
		if (found[n]->used) {
			diag_warn_at(file, 0,
				     "page %u entry %u: blob '%s': chunk %u belongs to a later "
				     "index, skipped",
				     it->page, it->entry, it->key, (uint8_t)(start + n));
			return 0;
		}
		got += found[n]->len;
	}
	if (n < count || got != size) {
		diag_warn_at(file, 0, "page %u entry %u: blob '%s' is incomplete, skipped",
			     it->page, it->entry, it->key);
		return 0;
	}
	it->data = malloc(size ? size : 1);
	if (!it->data)
		return diag_error("out of memory");
	for (got = 0, n = 0; n < count; n++) {
		memcpy(it->data + got, found[n]->data, found[n]->len);
		got += found[n]->len;
		found[n]->used = 1;
	}
	it->len = size;
	it->value = 0;
	return 1;
}

/*
 * Joins each v2 blob index with its chunks; incomplete blobs are dropped. Indexes are
 * taken newest first, as the runtime keeps the newest of two indexes of a key.
 */
static int join_blobs(const char *file, struct nvs_image *im, struct chunks *chunks)
{
	size_t i, out = 0;

	if (chunks->n)
		qsort(chunks->v, chunks->n, sizeof(*chunks->v), chunk_cmp);
	for (i = im->n; i-- > 0;) {
		struct nvs_item *it = &im->v[i];
		int r;

		if (it->type != NVS_TYPE_BLOB_IDX)
			continue;
		r = join_blob(file, it, chunks->v, chunks->n);
		if (r < 0)
			return -1;
		if (r == 0)
			it->type = 0; /* dropped below */
	}
	for (i = 0; i < im->n; i++)
		if (im->v[i].type != 0)
			im->v[out++] = im->v[i];
	im->n = out;
	return 0;
}

int nvs_page_header_ok(const uint8_t *page)
{
	return buf_get_le32(page + 28) == crc32_esp(page + 4, 24);
}

/* Pages by sequence number, then by place in the file (equal numbers keep file order). */
struct page_ref {
	uint32_t seq;
	uint32_t page;
};

static int page_cmp(const void *a, const void *b)
{
	const struct page_ref *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

int nvs_decode(const char *file, const uint8_t *img, size_t len, struct nvs_image *im)
{
	size_t npages = len / NVS_PAGE_SIZE, n = 0, i, seq = 0;
	struct page_ref *order = NULL;
	struct chunks chunks = {NULL, 0, 0};
	int rc = -1;

	if (len == 0 || len % NVS_PAGE_SIZE)
		return diag_file(file, "%zu bytes is not a whole number of 4096-byte NVS pages",
				 len);
	if (npages > UINT32_MAX)
		return diag_file(file, "%zu bytes is more NVS pages than a partition can hold",
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
		order[n].seq = buf_get_le32(pg + 4);
		order[n++].page = (uint32_t)i;
	}
	/* pages in sequence-number order, as the runtime reads them */
	if (n)
		qsort(order, n, sizeof(*order), page_cmp);
	for (i = 0; i < n; i++)
		if (decode_page(file, img + (size_t)order[i].page * NVS_PAGE_SIZE, order[i].page,
				im, &chunks, &seq) < 0)
			goto out;
	rc = join_blobs(file, im, &chunks);
out:
	free(order);
	free(chunks.v);
	return rc;
}

void nvs_decode_files_free(struct nvs_decode_files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		secret_wipe(fs->v[i].data, fs->v[i].len);
		free(fs->v[i].data);
		free(fs->v[i].name);
	}
	free(fs->v);
	memset(fs, 0, sizeof(*fs));
}

/* The files of a decoded CSV, for the generator's file reader, before any is written. */
struct mem_files {
	const char *dir;
	const struct nvs_decode_files *files;
};

/* A path is DIR/N-...: N is the file's index, so that a lookup costs no search. */
static int read_mem_file(void *ctx, const char *csv_file, unsigned line, const char *path,
			 struct buf *out)
{
	const struct mem_files *m = ctx;
	size_t dl = strlen(m->dir);
	const struct nvs_decode_file *f;
	unsigned long idx;

	if (strncmp(path, m->dir, dl) != 0 || path[dl] != '/' || path[dl + 1] < '0' ||
	    path[dl + 1] > '9')
		return diag_at(csv_file, line, "cannot read file '%s': not a decoded file", path);
	idx = strtoul(path + dl + 1, NULL, 10);
	if (idx >= m->files->n || strcmp(m->files->v[idx].name, path + dl + 1) != 0)
		return diag_at(csv_file, line, "cannot read file '%s': not a decoded file", path);
	f = &m->files->v[idx];
	return buf_append(out, f->data, f->len);
}

/*
 * The item of @im at or last before entry @entry of page @page, in file order (the
 * one the difference found there belongs to, or follows), or NULL.
 */
static const struct nvs_item *item_at(const struct nvs_image *im, uint32_t page, unsigned entry)
{
	const struct nvs_item *best = NULL;
	size_t i;

	for (i = 0; i < im->n; i++) {
		const struct nvs_item *it = &im->v[i];

		if (it->page > page || (it->page == page && it->entry > entry))
			continue;
		if (!best || it->page > best->page ||
		    (it->page == best->page && it->entry > best->entry))
			best = it;
	}
	return best;
}

/*
 * Names the entry where the image generated again (@again, @alen bytes) first differs
 * from @img, in the page of the first differing byte @off: the first entry whose bytes
 * differ, else the entry whose 2 bitmap bits differ, else the page header.
 */
static void where_differs(const char *file, const struct nvs_image *im, const uint8_t *img,
			  const uint8_t *again, size_t alen, size_t off)
{
	uint32_t page = (uint32_t)(off / NVS_PAGE_SIZE);
	size_t base = (size_t)page * NVS_PAGE_SIZE, in = off % NVS_PAGE_SIZE, e;
	unsigned entry, k = 0;
	const struct nvs_item *it;
	uint8_t got = off < alen ? again[off] : 0xFF, want = img[off];

	for (e = 0; e < NVS_PAGE_ENTRIES; e++) {
		size_t at = base + nvs_entry_off((unsigned)e);

		if (at + NVS_ENTRY_SIZE > alen ||
		    memcmp(img + at, again + at, NVS_ENTRY_SIZE) != 0) {
			in = nvs_entry_off((unsigned)e);
			break;
		}
	}
	if (in < 32) {
		diag_file(file,
			  "page %u: the decoded CSV generates another page header; no CSV is "
			  "written",
			  page);
		return;
	}
	if (in < nvs_entry_off(0)) {
		while (k < 3 && ((got ^ want) >> (2 * k) & 3) == 0)
			k++;
		entry = (unsigned)(in - 32) * 4 + k;
	} else {
		entry = (unsigned)((in - nvs_entry_off(0)) / NVS_ENTRY_SIZE);
	}
	it = item_at(im, page, entry);
	if (it && it->page == page && it->entry == entry) {
		nvs_csvout_entry_error(file, im, it, "the decoded CSV generates other bytes here");
		return;
	}
	if (it && it->page == page)
		diag_file(file,
			  "page %u entry %u (after key '%s' in entry %u): the decoded CSV generates "
			  "other bytes here (an entry that could not be read?); no CSV is written",
			  page, entry, it->key, it->entry);
	else
		diag_file(file,
			  "page %u entry %u: the decoded CSV generates other bytes here (an entry "
			  "that could not be read?); no CSV is written",
			  page, entry);
}

/*
 * Generates the image again from @csv and @files and compares it with @img: the proof
 * that the CSV says all there is. A difference fails naming the entry where it is.
 */
static int prove(const char *file, const struct nvs_image *im, const uint8_t *img, size_t len,
		 const char *dir, const struct buf *csv, const struct nvs_decode_files *files)
{
	struct nvs_gen_opts go = {len, im->version};
	struct mem_files m = {dir ? dir : "", files};
	struct buf name = BUF_INIT, again = BUF_INIT;
	struct nvs_csv c;
	size_t off;
	int rc = -1;

	nvs_csv_init(&c, NULL);
	if (buf_printf(&name, "%s (decoded CSV)", file) < 0)
		goto out;
	c.file = (const char *)name.data;
	if (nvs_csv_parse(&c, csv->data ? csv->data : (const uint8_t *)"", csv->len) < 0 ||
	    nvs_generate(&c, 1, &go, read_mem_file, &m, &again) < 0) {
		diag_file(file, "the decoded CSV does not generate again; no CSV is written");
		goto out;
	}
	for (off = 0; off < len && off < again.len && img[off] == again.data[off]; off++)
		;
	if (off == len && again.len == len) {
		rc = 0;
		goto out;
	}
	if (off == len) {
		diag_file(file, "the decoded CSV generates a longer image; no CSV is written");
		goto out;
	}
	where_differs(file, im, img, again.data, again.len, off);
out:
	nvs_csv_free(&c);
	buf_free(&name);
	secret_buf_free(&again);
	return rc;
}

int nvs_decode_csv(const char *file, const uint8_t *img, size_t len, const char *dir,
		   struct buf *csv, struct nvs_decode_files *files)
{
	struct nvs_image im;
	int rc, exact = 1;

	nvs_image_init(&im);
	rc = nvs_decode(file, img, len, &im);
	/* an erased partition (no page header) was not made by the generator */
	exact = im.version != 0;
	if (rc == 0)
		rc = nvs_csvout_write(file, &im, dir, &exact, csv, files);
	if (rc == 0 && exact)
		rc = prove(file, &im, img, len, dir, csv, files);
	nvs_image_free(&im);
	return rc;
}
