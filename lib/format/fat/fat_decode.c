/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FAT decoder: an image's directories and files back, with or without the
 * wear-levelling layer (spec/filesystems.md §3, §4), for --list, --extract and
 * esp-imginfo. Images are untrusted: every cluster number, chain and size is checked.
 */
#include "fat.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fat_int.h"
#include "fat_name.h"

#define ENTRY 32
#define MAX_DEPTH 64

struct reader {
	const char *file; /* for messages */
	const uint8_t *img;
	size_t len;
	uint32_t ss, spc, clusters; /* clusters: data clusters, numbered 2 .. clusters+1 */
	int type;
	size_t fat_start, root_start, root_len, data_start;
	uint8_t *seen; /* a cluster may belong to one chain only */
	struct fat_list *out;
	size_t cap;
};

/* The layout a boot sector at @p describes, checked against @len bytes; 0 or -1. */
static int parse_boot(const uint8_t *p, size_t len, struct reader *r)
{
	uint32_t ss, spc, rsv, n, root, total, fs, meta, data;

	if (len < 512 || p[510] != 0x55 || p[511] != 0xAA || (p[0] != 0xEB && p[0] != 0xE9))
		return -1;
	ss = buf_get_le16(p + 11);
	spc = p[13];
	rsv = buf_get_le16(p + 14);
	n = p[16];
	root = buf_get_le16(p + 17);
	total = buf_get_le16(p + 19) ? buf_get_le16(p + 19) : buf_get_le32(p + 32);
	fs = buf_get_le16(p + 22);
	if ((ss != 512 && ss != 1024 && ss != 2048 && ss != 4096) || !spc || (spc & (spc - 1)) ||
	    !rsv || !n || !fs || (uint64_t)total * ss > len)
		return -1;
	meta = rsv + n * fs + (root * ENTRY + ss - 1) / ss;
	if (meta >= total)
		return -1;
	data = (total - meta) / spc;
	/* FatFs's rule (ff.c): FAT12 up to 4085 data clusters; FAT32 is not read here */
	if (data > 65525)
		return -1;
	r->ss = ss;
	r->spc = spc;
	r->clusters = data;
	r->type = data <= 4085 ? 12 : 16;
	r->fat_start = (size_t)rsv * ss;
	r->root_start = (size_t)(rsv + n * fs) * ss;
	r->root_len = (size_t)root * ENTRY;
	r->data_start = (size_t)meta * ss;
	/* the first FAT must hold an entry for every cluster */
	if ((uint64_t)(data + 2) * (uint64_t)r->type > (uint64_t)fs * ss * 8)
		return -1;
	r->img = p;
	r->len = (size_t)total * ss;
	return 0;
}

enum fat_kind fat_image_detect(const uint8_t *img, size_t len)
{
	struct reader r;
	struct buf tmp = BUF_INIT;
	const uint8_t *fat;
	size_t fat_len;
	enum fat_kind k = FAT_KIND_NONE;

	if (fat_wl_unwrap(img, len, &tmp, &fat, &fat_len) == 0 && parse_boot(fat, fat_len, &r) == 0)
		k = FAT_KIND_WL;
	else if (parse_boot(img, len, &r) == 0)
		k = FAT_KIND_PLAIN;
	buf_free(&tmp);
	return k;
}

static uint32_t fat_get(const struct reader *r, uint32_t id)
{
	const uint8_t *t = r->img + r->fat_start;
	uint32_t v;

	if (r->type == 16)
		return buf_get_le16(t + 2 * (size_t)id);
	v = buf_get_le16(t + (size_t)id * 3 / 2);
	return id & 1 ? v >> 4 : v & 0xFFF;
}

/* Appends the content of the chain starting at @id to @out: at most @max bytes. */
static int read_chain(struct reader *r, uint32_t id, size_t max, const char *name, struct buf *out)
{
	size_t csize = (size_t)r->ss * r->spc;
	uint32_t end = r->type == 16 ? 0xFFF8 : 0xFF8;

	while (out->len < max) {
		if (id < 2 || id >= r->clusters + 2)
			return diag_file(r->file, "'%s': cluster %u is outside the data region",
					 name, (unsigned)id);
		if (r->seen[id])
			return diag_file(r->file, "'%s': cluster %u is used twice", name,
					 (unsigned)id);
		r->seen[id] = 1;
		if (buf_append(out, r->img + r->data_start + (size_t)(id - 2) * csize,
			       max - out->len < csize ? max - out->len : csize) < 0)
			return diag_error("out of memory");
		id = fat_get(r, id);
		if (id >= end)
			break;
	}
	if (out->len < max && max != SIZE_MAX)
		return diag_file(r->file, "'%s': its clusters hold %zu of its %zu bytes", name,
				 out->len, max);
	return 0;
}

static int add(struct reader *r, char *name, uint8_t *data, size_t len, int is_dir)
{
	struct fat_list *l = r->out;

	if (l->n == r->cap) {
		size_t nc = r->cap ? 2 * r->cap : 16;
		struct fat_entry *v = realloc(l->v, nc * sizeof(*v));

		if (!v) {
			free(name);
			free(data);
			return diag_error("out of memory");
		}
		l->v = v;
		r->cap = nc;
	}
	l->v[l->n].name = name;
	l->v[l->n].data = data;
	l->v[l->n].len = len;
	l->v[l->n].is_dir = is_dir;
	l->n++;
	return 0;
}

/* UTF-16 units into UTF-8 at @o (room for 3 bytes per unit); returns the length. */
static size_t utf16_to_utf8(const uint16_t *u, size_t n, char *o)
{
	size_t i, k = 0;

	for (i = 0; i < n && u[i]; i++) {
		uint32_t c = u[i];

		if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && u[i + 1] >= 0xDC00 &&
		    u[i + 1] < 0xE000) {
			c = 0x10000 + ((c - 0xD800) << 10) + (u[++i] - 0xDC00);
			o[k++] = (char)(0xF0 | c >> 18);
			o[k++] = (char)(0x80 | (c >> 12 & 0x3F));
			o[k++] = (char)(0x80 | (c >> 6 & 0x3F));
			o[k++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x80) {
			o[k++] = (char)c;
		} else if (c < 0x800) {
			o[k++] = (char)(0xC0 | c >> 6);
			o[k++] = (char)(0x80 | (c & 0x3F));
		} else {
			o[k++] = (char)(0xE0 | c >> 12);
			o[k++] = (char)(0x80 | (c >> 6 & 0x3F));
			o[k++] = (char)(0x80 | (c & 0x3F));
		}
	}
	return k;
}

/* The name of a short entry, lower-cased where NTRes says (0x08 base, 0x10 extension). */
static size_t short_name(const uint8_t *e, char *o)
{
	size_t k = 0, i, bl = 8, el = 3;

	while (bl && e[bl - 1] == ' ')
		bl--;
	while (el && e[8 + el - 1] == ' ')
		el--;
	for (i = 0; i < bl; i++) {
		uint8_t c = i == 0 && e[0] == 0x05 ? 0xE5 : e[i];

		o[k++] = (char)((e[12] & 0x08) && c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (el)
		o[k++] = '.';
	for (i = 0; i < el; i++)
		o[k++] = (char)((e[12] & 0x10) && e[8 + i] >= 'A' && e[8 + i] <= 'Z' ? e[8 + i] + 32
										     : e[8 + i]);
	return k;
}

static int read_dir(struct reader *r, const uint8_t *d, size_t dlen, const char *prefix,
		    unsigned depth);

/* One short entry @e of the directory @prefix, named @name (@nl bytes). */
static int read_entry(struct reader *r, const uint8_t *e, const char *prefix, const char *name,
		      size_t nl, unsigned depth)
{
	size_t pl = strlen(prefix);
	uint32_t first = buf_get_le16(e + 26), size = buf_get_le32(e + 28);
	struct buf data = BUF_INIT;
	char *full;
	int is_dir = (e[11] & 0x10) != 0;

	if (!nl || memchr(name, '/', nl) || memchr(name, '\\', nl) ||
	    (nl <= 2 && name[0] == '.' && name[nl - 1] == '.'))
		return diag_file(r->file, "entry name '%.*s' in '%s' is not a file name", (int)nl,
				 name, pl ? prefix : "/");
	full = malloc(pl + nl + 2);
	if (!full)
		return diag_error("out of memory");
	memcpy(full, prefix, pl);
	full[pl] = '/';
	memcpy(full + pl + 1, name, nl);
	full[pl + 1 + nl] = '\0';
	if (is_dir) {
		if (depth >= MAX_DEPTH) {
			diag_file(r->file, "'%s': directories nested over %u deep", full,
				  MAX_DEPTH);
			free(full);
			return -1;
		}
		if (read_chain(r, first, SIZE_MAX, full, &data) < 0) {
			free(full);
			buf_free(&data);
			return -1;
		}
		if (add(r, full, NULL, 0, 1) < 0) { /* frees @full */
			buf_free(&data);
			return -1;
		}
		/* @full now belongs to the list, which outlives this call */
		if (read_dir(r, data.data, data.len, full, depth + 1) < 0) {
			buf_free(&data);
			return -1;
		}
		buf_free(&data);
		return 0;
	}
	if (size && read_chain(r, first, size, full, &data) < 0) {
		free(full);
		buf_free(&data);
		return -1;
	}
	return add(r, full, data.data, data.len, 0);
}

static int read_dir(struct reader *r, const uint8_t *d, size_t dlen, const char *prefix,
		    unsigned depth)
{
	uint16_t lfn[20 * 13];
	unsigned want = 0, count = 0;
	uint8_t sum = 0;
	char name[20 * 13 * 3 + 16];
	size_t off, nl;

	for (off = 0; off + ENTRY <= dlen; off += ENTRY) {
		const uint8_t *e = d + off;

		if (e[0] == 0x00)
			break;
		if (e[0] == 0xE5) {
			want = 0;
			continue;
		}
		if ((e[11] & 0x3F) == 0x0F) {
			unsigned ord = e[0] & 0x3F, u;
			static const uint8_t at[13] = {1,  3,  5,  7,  9,  14, 16,
						       18, 20, 22, 24, 28, 30};

			if (e[0] & 0x40) {
				count = want = ord;
				sum = e[13];
				memset(lfn, 0, sizeof(lfn));
			} else if (!want || ord != want || e[13] != sum) {
				want = 0;
				continue;
			}
			if (!ord || ord > 20) {
				want = 0;
				continue;
			}
			for (u = 0; u < 13; u++)
				lfn[(ord - 1) * 13 + u] = buf_get_le16(e + at[u]);
			want = ord - 1 ? ord - 1 : 0x100; /* 0x100: complete */
			continue;
		}
		if (e[11] & 0x08) { /* volume label */
			want = 0;
			continue;
		}
		if (e[0] == '.' && (e[1] == ' ' || (e[1] == '.' && e[2] == ' '))) {
			want = 0;
			continue;
		}
		if (want == 0x100 && fat_name_checksum(e) == sum)
			nl = utf16_to_utf8(lfn, (size_t)count * 13, name);
		else
			nl = short_name(e, name);
		want = 0;
		if (read_entry(r, e, prefix, name, nl, depth) < 0)
			return -1;
	}
	return 0;
}

int fat_decode(const char *file, const uint8_t *img, size_t len, struct fat_list *out)
{
	struct reader r = {0};
	struct buf tmp = BUF_INIT;
	const uint8_t *fat = img;
	size_t fat_len = len;
	int rc = -1;

	out->v = NULL;
	out->n = 0;
	out->wear_levelling = 0;
	if (fat_wl_unwrap(img, len, &tmp, &fat, &fat_len) == 0 &&
	    parse_boot(fat, fat_len, &r) == 0) {
		out->wear_levelling = 1;
	} else if (parse_boot(img, len, &r) < 0) {
		diag_file(file, "%s",
			  "not a FAT12/FAT16 image (no boot sector, nor one inside "
			  "wear levelling)");
		goto out;
	}
	r.file = file;
	r.out = out;
	r.seen = calloc((size_t)r.clusters + 2, 1);
	if (!r.seen) {
		diag_error("out of memory");
		goto out;
	}
	rc = read_dir(&r, r.img + r.root_start, r.root_len, "", 0);
out:
	if (rc < 0)
		fat_list_free(out);
	free(r.seen);
	buf_free(&tmp);
	return rc;
}

void fat_list_free(struct fat_list *l)
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
