/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The FAT encoder: clusters handed out in the order fatfsgen.py needs them, directory
 * entries, short and long names (spec/filesystems.md §3.3-§3.7).
 */
#include "fat.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fat_int.h"
#include "fat_name.h"

#define ENTRY 32
#define ATTR_DIR 0x10
#define ATTR_FILE 0x20
#define ATTR_LFN 0x0F
#define DATE_1980 0x0021 /* 1980-01-01, the only date written (§1) */
#define LFN_UNITS 13

/* A name already in a directory: for the ~N count and the duplicate check. */
struct known {
	uint32_t *cp;	 /* upper-cased full name */
	size_t n;	 /* its length */
	size_t base_len; /* length of the name part (no extension) */
	const char *path;
};

struct dir {
	uint32_t first, last; /* clusters; the root is "cluster 1" (§3.5) */
	uint32_t used, cap;   /* entries */
	struct known *k;
	size_t nk, capk;
};

struct fat_builder {
	const struct fat_config *c;
	struct fat_geom g;
	const char *root; /* for messages */
	uint64_t size;
	uint8_t *img;
	uint16_t *fat;
	uint32_t next; /* next free cluster */
	uint32_t eoc;
	size_t data_start, root_start;
};

static uint8_t *cluster_at(const struct fat_builder *b, uint32_t id)
{
	return b->img + b->data_start + (size_t)(id - 2) * b->g.ss;
}

/* The next cluster, end of chain, its first sector zeroed (§3.4). */
static int alloc_cluster(struct fat_builder *b, const char *path, uint32_t *id)
{
	if (b->next >= b->g.clusters)
		return diag_error("the files do not fit in the 0x%llx-byte image (full at '/%s')",
				  (unsigned long long)b->size, path);
	*id = b->next++;
	b->fat[*id] = (uint16_t)b->eoc;
	memset(cluster_at(b, *id), 0, b->g.ss);
	return 0;
}

/* The next free entry of @d, growing it by a cluster when full (§3.5). */
static int next_entry(struct fat_builder *b, struct dir *d, const char *path, uint8_t **p)
{
	uint32_t per = b->g.ss / ENTRY, id;

	if (d->used == d->cap) {
		if (d->first == 1)
			return diag_file(b->root,
					 "the root directory is full at '/%s': %u entries "
					 "(--root-entry-count), long names take several",
					 path, (unsigned)b->g.root_entries);
		if (alloc_cluster(b, path, &id) < 0)
			return -1;
		b->fat[d->last] = (uint16_t)id;
		d->last = id;
		d->cap += per;
	}
	if (d->first == 1)
		*p = b->img + b->root_start + (size_t)d->used * ENTRY;
	else
		*p = cluster_at(b, d->last) + (size_t)(d->used % per) * ENTRY;
	d->used++;
	return 0;
}

static void put_short(uint8_t *p, const uint8_t name[11], uint8_t attr, uint8_t ntres,
		      uint32_t cluster, uint32_t size)
{
	memset(p, 0, ENTRY);
	memcpy(p, name, 11);
	p[11] = attr;
	p[12] = ntres;
	buf_put_le16(p + 16, DATE_1980); /* created */
	buf_put_le16(p + 18, DATE_1980); /* accessed */
	buf_put_le16(p + 24, DATE_1980); /* written */
	buf_put_le16(p + 26, (uint16_t)cluster);
	buf_put_le32(p + 28, size);
}

/* The long-name entries of @lfn (@n units, terminator included) for the alias whose
 * checksum is @sum, last part first (§3.7). */
static int put_long(struct fat_builder *b, struct dir *d, const char *path, const uint32_t *lfn,
		    size_t n, uint8_t sum)
{
	static const uint8_t at[LFN_UNITS] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
	size_t count = (n + LFN_UNITS - 1) / LFN_UNITS, i, u;
	uint8_t *p;

	for (i = count; i > 0; i--) {
		if (next_entry(b, d, path, &p) < 0)
			return -1;
		memset(p, 0, ENTRY);
		p[0] = (uint8_t)(i | (i == count ? 0x40 : 0));
		p[11] = ATTR_LFN;
		p[13] = sum;
		for (u = 0; u < LFN_UNITS; u++) {
			size_t k = (i - 1) * LFN_UNITS + u;
			uint32_t c = k < n ? lfn[k] : 0xFFFF;
			uint8_t lo = (uint8_t)c, hi = (uint8_t)(c >> 8);

			/* fatfsgen lower-cases the UTF-16 bytes one by one: ASCII capitals,
			 * but also such a byte inside any other code unit (§3.7) */
			if (lo >= 'A' && lo <= 'Z')
				lo += 32;
			if (hi >= 'A' && hi <= 'Z')
				hi += 32;
			p[at[u]] = lo;
			p[at[u] + 1] = hi;
		}
	}
	return 0;
}

static int same_prefix(const struct known *k, const uint32_t *name, size_t len)
{
	size_t a = k->base_len < 6 ? k->base_len : 6, c = len < 6 ? len : 6;

	return a == c && memcmp(k->cp, name, a * sizeof(*name)) == 0;
}

/*
 * Writes the entries of one file or directory called @comp (last part of @path) into
 * @d: plain 8.3, or long-name entries and their alias (§3.7). @cluster 0 = none.
 */
static int put_entry(struct fat_builder *b, struct dir *d, const char *path, const char *comp,
		     int is_dir, uint32_t cluster, uint32_t size)
{
	size_t len = strlen(comp), n, base, ext_len, i, lfn_n;
	uint32_t *cp = malloc((2 * len + 2) * sizeof(*cp)), *ext;
	uint8_t name[11], *p;
	struct known *k;
	unsigned same = 1;
	int rc = -1;

	if (!cp)
		return diag_error("out of memory");
	n = fat_name_upper(comp, len, cp);
	if (n == (size_t)-1) {
		diag_file(b->root, "file name '/%s' is not UTF-8", path);
		goto out;
	}
	/* a directory's name is never split: its dots stay in the name part */
	base = is_dir ? n : fat_name_split(cp, n);
	ext = cp + (base < n ? base + 1 : n);
	ext_len = base < n ? n - base - 1 : 0;
	for (i = 0; i < d->nk; i++) {
		const struct known *o = &d->k[i];
		size_t kn = base + (ext_len ? 1 + ext_len : 0);

		/* both hold the name, then '.' and the extension if any, so "a." and "A"
		 * are one name too, as in fatfsgen's lookup */
		if (o->n == kn && memcmp(o->cp, cp, kn * sizeof(*cp)) == 0) {
			diag_file(b->root,
				  "'/%s' and '/%s' are the same FAT name (case does not count)",
				  o->path, path);
			goto out;
		}
		if (same_prefix(o, cp, base))
			same++;
	}
	if (!b->c->long_names || !fat_name_needs_lfn(cp, base, ext_len)) {
		if (base > FAT_NAME_BASE || ext_len > FAT_NAME_EXT) {
			diag_file(b->root,
				  "file name '/%s' does not fit 8.3 (8 characters, 3 for "
				  "the extension): use --long-names",
				  path);
			goto out;
		}
		if (fat_name_field(cp, base, FAT_NAME_BASE, name) < 0 ||
		    fat_name_field(ext, ext_len, FAT_NAME_EXT, name + 8) < 0) {
			diag_file(b->root, "the 8.3 name of '/%s' is not ASCII", path);
			goto out;
		}
		if (next_entry(b, d, path, &p) < 0)
			goto out;
		put_short(p, name, is_dir ? ATTR_DIR : ATTR_FILE, b->c->long_names ? 0x18 : 0,
			  cluster, size);
	} else {
		char tail[8];
		size_t tl, keep;

		if (same > 127) {
			diag_file(b->root,
				  "more than 127 names start with the same 6 characters as '/%s'",
				  path);
			goto out;
		}
		/* the long name is the upper-cased full name, dot restored, then a U+0000
		 * unless it fills its entries exactly */
		lfn_n = base + (ext_len ? 1 + ext_len : 0);
		if (lfn_n % LFN_UNITS)
			cp[lfn_n++] = 0;
		for (i = 0; i < lfn_n; i++) {
			if (cp[i] > 0xFFFF) {
				diag_file(b->root,
					  "the long name of '/%s' has a character past U+FFFF",
					  path);
				goto out;
			}
		}
		tl = fat_name_tail(same, cp, lfn_n, tail);
		keep = base < FAT_NAME_BASE - tl ? base : FAT_NAME_BASE - tl;
		if (fat_name_field(cp, keep, keep, name) < 0 ||
		    fat_name_field(ext, ext_len, FAT_NAME_EXT, name + 8) < 0) {
			diag_file(b->root, "the 8.3 alias of '/%s' is not ASCII", path);
			goto out;
		}
		memcpy(name + keep, tail, tl);
		memset(name + keep + tl, ' ', FAT_NAME_BASE - keep - tl);
		if (put_long(b, d, path, cp, lfn_n, fat_name_checksum(name)) < 0 ||
		    next_entry(b, d, path, &p) < 0)
			goto out;
		put_short(p, name, is_dir ? ATTR_DIR : ATTR_FILE, 0, cluster, size);
	}
	if (d->nk == d->capk) {
		size_t nc = d->capk ? 2 * d->capk : 8;

		k = realloc(d->k, nc * sizeof(*k));
		if (!k) {
			diag_error("out of memory");
			goto out;
		}
		d->k = k;
		d->capk = nc;
	}
	k = &d->k[d->nk++];
	k->cp = cp;
	k->n = base + (ext_len ? 1 + ext_len : 0);
	k->base_len = base;
	k->path = path;
	cp = NULL;
	rc = 0;
out:
	free(cp);
	return rc;
}

static void dir_free(struct dir *d)
{
	size_t i;

	for (i = 0; i < d->nk; i++)
		free(d->k[i].cp);
	free(d->k);
	memset(d, 0, sizeof(*d));
}

static size_t depth_of(const char *path)
{
	size_t d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

/* One file: first cluster, entry, the other clusters and the content (§3.6). */
static int add_file(struct fat_builder *b, struct dir *d, const struct fat_file *f,
		    const char *comp)
{
	uint32_t first = 0, cur, id;
	size_t off;

	if (f->len > UINT32_MAX)
		return diag_error("the files do not fit in the 0x%llx-byte image (full at '/%s')",
				  (unsigned long long)b->size, f->path);
	if (f->len && alloc_cluster(b, f->path, &first) < 0)
		return -1;
	if (put_entry(b, d, f->path, comp, 0, first, (uint32_t)f->len) < 0)
		return -1;
	cur = first;
	for (off = 0; off < f->len; off += b->g.ss) {
		size_t piece = f->len - off < b->g.ss ? f->len - off : b->g.ss;

		if (off) {
			if (alloc_cluster(b, f->path, &id) < 0)
				return -1;
			b->fat[cur] = (uint16_t)id;
			cur = id;
		}
		memcpy(cluster_at(b, cur), f->data + off, piece);
	}
	return 0;
}

/* One directory: its cluster, its entry in @parent, then "." and ".." (§3.5). */
static int add_dir(struct fat_builder *b, struct dir *parent, struct dir *d, const char *path,
		   const char *comp)
{
	static const uint8_t dot[11] = ".          ", dotdot[11] = "..         ";
	uint32_t id;

	if (alloc_cluster(b, path, &id) < 0 || put_entry(b, parent, path, comp, 1, id, 0) < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	d->first = d->last = id;
	d->cap = b->g.ss / ENTRY;
	d->used = 2;
	put_short(cluster_at(b, id), dot, ATTR_DIR, 0, id, 0);
	/* the root is "cluster 1" to fatfsgen, also here where FAT says 0 (§3.5) */
	put_short(cluster_at(b, id) + ENTRY, dotdot, ATTR_DIR, 0, parent->first, 0);
	return 0;
}

static void write_fats(struct fat_builder *b)
{
	uint8_t *t = b->img + (size_t)b->g.ss;
	uint32_t i;

	for (i = 0; i < b->g.clusters; i++) {
		uint32_t v = b->fat[i];

		if (b->g.type == 16) {
			buf_put_le16(t + 2 * (size_t)i, (uint16_t)v);
		} else if (i % 2 == 0) {
			t[i * 3 / 2] = (uint8_t)v;
			t[i * 3 / 2 + 1] = (uint8_t)((t[i * 3 / 2 + 1] & 0xF0) | (v >> 8));
		} else {
			t[i * 3 / 2] = (uint8_t)((t[i * 3 / 2] & 0x0F) | (v & 0xF) << 4);
			t[i * 3 / 2 + 1] = (uint8_t)(v >> 4);
		}
	}
	for (i = 1; i < b->g.fat_count; i++)
		memcpy(t + (size_t)i * b->g.fat_sectors * b->g.ss, t,
		       (size_t)b->g.fat_sectors * b->g.ss);
}

int fat_build(const struct fat_config *c, uint64_t size, const char *root,
	      const struct fat_file *files, size_t n, struct buf *out)
{
	struct fat_builder b = {0};
	struct dir *stack = NULL;
	size_t i, depth, img_len, top = 0, start = out->len;
	char why[300];
	int rc = -1;

	if (fat_geom_compute(c, size, &b.g, why, sizeof(why)) < 0)
		return diag_error("%s", why);
	b.c = c;
	b.root = root;
	b.size = size;
	b.eoc = b.g.type == 16 ? 0xFFFF : 0xFFF;
	img_len = (size_t)b.g.total * b.g.ss;
	b.root_start = (size_t)(1 + b.g.fat_count * b.g.fat_sectors) * b.g.ss;
	b.data_start = b.root_start + (size_t)b.g.root_sectors * b.g.ss;
	b.fat = calloc(b.g.clusters, sizeof(*b.fat));
	/* one directory per level of the deepest path, plus the root */
	for (i = 0; i < n; i++)
		if (depth_of(files[i].path) + 1 > top)
			top = depth_of(files[i].path) + 1;
	stack = calloc(top + 1, sizeof(*stack));
	/* the image is made in place: erased flash (0xFF) but for the FAT's own sectors
	 * before the data region (0x00), inside the wear-levelling sectors if asked */
	if (!b.fat || !stack ||
	    buf_fill(out, 0xFF, c->wear_levelling ? (size_t)size : img_len) < 0) {
		diag_error("out of memory");
		goto out;
	}
	b.img = out->data + start + (c->wear_levelling ? FAT_WL_SECTOR : 0);
	memset(b.img, 0, b.data_start);
	fat_geom_boot_sector(&b.g, b.img);
	b.fat[0] = (uint16_t)(b.eoc & ~7u);
	b.fat[1] = (uint16_t)b.eoc;
	b.next = 2;
	stack[0].first = stack[0].last = 1;
	stack[0].cap = b.g.root_entries;
	for (i = 0; i < n; i++) {
		const struct fat_file *f = &files[i];
		const char *comp = strrchr(f->path, '/');

		comp = comp ? comp + 1 : f->path;
		depth = depth_of(f->path);
		/* pre-order: the parent of an entry at @depth is the open directory there */
		for (size_t k = depth + 1; k <= top; k++)
			dir_free(&stack[k]);
		if (f->is_dir ? add_dir(&b, &stack[depth], &stack[depth + 1], f->path, comp)
			      : add_file(&b, &stack[depth], f, comp))
			goto out;
	}
	write_fats(&b);
	if (c->wear_levelling)
		fat_wl_finish(c, size, out->data + start, img_len);
	rc = 0;
out:
	if (rc < 0)
		out->len = start;
	if (stack)
		for (i = 0; i <= top; i++)
			dir_free(&stack[i]);
	free(stack);
	free(b.fat);
	return rc;
}
