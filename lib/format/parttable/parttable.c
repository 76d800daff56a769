/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The partition table model: subtype names, offset resolution, gen_esp32part.py's checks
 * and the text forms. The binary form is parttable_binary.c.
 */
#include "parttable.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "num.h"

/* TYPES of gen_esp32part.py, in its dict order (decode prints the first match). */
static const struct parttable_subtype type_names[] = {
    {"bootloader", PARTTABLE_TYPE_BOOTLOADER},
    {"partition_table", PARTTABLE_TYPE_PARTITION_TABLE},
    {"app", PARTTABLE_TYPE_APP},
    {"data", PARTTABLE_TYPE_DATA},
};

struct builtin_subtype {
	const char *name;
	int value;
};

/* SUBTYPES of gen_esp32part.py / esp_partition.h, in lookup order (§3). */
static const struct builtin_subtype app_subtypes[] = {
    {"factory", 0x00}, {"test", 0x20},	 {"ota_0", 0x10},  {"ota_1", 0x11},  {"ota_2", 0x12},
    {"ota_3", 0x13},   {"ota_4", 0x14},	 {"ota_5", 0x15},  {"ota_6", 0x16},  {"ota_7", 0x17},
    {"ota_8", 0x18},   {"ota_9", 0x19},	 {"ota_10", 0x1a}, {"ota_11", 0x1b}, {"ota_12", 0x1c},
    {"ota_13", 0x1d},  {"ota_14", 0x1e}, {"ota_15", 0x1f}, {"tee_0", 0x30},  {"tee_1", 0x31},
};
static const struct builtin_subtype data_subtypes[] = {
    {"ota", 0x00},	{"phy", 0x01},	  {"nvs", 0x02},       {"coredump", 0x03},
    {"nvs_keys", 0x04}, {"efuse", 0x05},  {"undefined", 0x06}, {"esphttpd", 0x80},
    {"fat", 0x81},	{"spiffs", 0x82}, {"littlefs", 0x83},  {"tee_ota", 0x90},
};
static const struct builtin_subtype bootloader_subtypes[] = {
    {"primary", 0x00},
    {"ota", 0x01},
    {"recovery", 0x02},
};
static const struct builtin_subtype table_subtypes[] = {
    {"primary", 0x00},
    {"ota", 0x01},
};

static const struct {
	const struct builtin_subtype *v;
	size_t n;
} builtin_subtypes[4] = {
    [PARTTABLE_TYPE_APP] = {app_subtypes, sizeof(app_subtypes) / sizeof(app_subtypes[0])},
    [PARTTABLE_TYPE_DATA] = {data_subtypes, sizeof(data_subtypes) / sizeof(data_subtypes[0])},
    [PARTTABLE_TYPE_BOOTLOADER] = {bootloader_subtypes,
				   sizeof(bootloader_subtypes) / sizeof(bootloader_subtypes[0])},
    [PARTTABLE_TYPE_PARTITION_TABLE] = {table_subtypes,
					sizeof(table_subtypes) / sizeof(table_subtypes[0])},
};

static int add_subtype(struct parttable_subtype_list *l, const char *name, int64_t value)
{
	struct parttable_subtype *v;
	size_t i;

	for (i = 0; i < l->n; i++) {
		/* a known name keeps its place and takes the new value (a dict update) */
		if (strcmp(l->v[i].name, name) == 0) {
			l->v[i].value = value;
			return 0;
		}
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	l->v = v;
	v[l->n].name = strdup(name);
	if (!v[l->n].name)
		return diag_error("out of memory");
	v[l->n].value = value;
	l->n++;
	return 0;
}

int parttable_config_init(struct parttable_config *c)
{
	size_t t, i;

	memset(c, 0, sizeof(*c));
	c->table_offset = PARTTABLE_DEFAULT_OFFSET;
	c->md5 = 1;
	for (t = 0; t < 4; t++)
		for (i = 0; i < builtin_subtypes[t].n; i++)
			if (add_subtype(&c->subtypes[t], builtin_subtypes[t].v[i].name,
					builtin_subtypes[t].v[i].value) < 0)
				return -1;
	return 0;
}

void parttable_config_free(struct parttable_config *c)
{
	size_t t, i;

	for (t = 0; t < 4; t++) {
		for (i = 0; i < c->subtypes[t].n; i++)
			free(c->subtypes[t].v[i].name);
		free(c->subtypes[t].v);
		c->subtypes[t].v = NULL;
		c->subtypes[t].n = 0;
	}
}

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t'))
		(*s)++, (*len)--;
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

int parttable_config_add_subtype(struct parttable_config *c, const char *spec)
{
	const char *f[3], *p = spec, *comma;
	size_t flen[3], i, t;
	uint64_t value;
	char name[64], num[32];

	for (i = 0; i < 3; i++) {
		comma = strchr(p, ',');
		if (!comma && i < 2)
			return diag_error("extra subtype '%s': expected TYPE, NAME, VALUE", spec);
		f[i] = p;
		flen[i] = comma ? (size_t)(comma - p) : strlen(p);
		trim(&f[i], &flen[i]);
		p = comma ? comma + 1 : p + strlen(p);
	}
	for (t = 0; t < 4; t++)
		if (strlen(type_names[t].name) == flen[0] &&
		    memcmp(type_names[t].name, f[0], flen[0]) == 0)
			break;
	if (t == 4)
		return diag_error("extra subtype '%s': Invalid partition type", spec);
	t = (size_t)type_names[t].value;
	if (flen[1] == 0 || flen[1] >= sizeof(name) || flen[2] == 0 || flen[2] + 3 > sizeof(num))
		return diag_error("extra subtype '%s': expected TYPE, NAME, VALUE", spec);
	memcpy(name, f[1], flen[1]);
	name[flen[1]] = '\0';
	/* the value is hexadecimal with or without 0x (int(x, 16)) */
	if (flen[2] > 2 && f[2][0] == '0' && ascii_tolower(f[2][1]) == 'x')
		snprintf(num, sizeof(num), "%.*s", (int)flen[2], f[2]);
	else
		snprintf(num, sizeof(num), "0x%.*s", (int)flen[2], f[2]);
	if (num_size_parse(num, &value) < 0 || strpbrk(num + 2, "kKmMbB") || value > 0xff)
		return diag_error("extra subtype '%s': invalid value '%.*s'", spec, (int)flen[2],
				  f[2]);
	for (i = 0; i < c->subtypes[t].n; i++)
		if (c->subtypes[t].v[i].value == (int64_t)value)
			return diag_error("extra subtype '%s': Found duplicate value in partition "
					  "subtype",
					  spec);
	return add_subtype(&c->subtypes[t], name, (int64_t)value);
}

void parttable_init(struct parttable *pt, const char *file)
{
	memset(pt, 0, sizeof(*pt));
	pt->file = file;
}

void parttable_free(struct parttable *pt)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		free(pt->v[i].name);
	free(pt->v);
	pt->v = NULL;
	pt->n = pt->cap = 0;
}

int parttable_append(struct parttable *pt, struct parttable_entry *e)
{
	if (pt->n == pt->cap) {
		size_t cap = pt->cap ? pt->cap * 2 : 16;
		struct parttable_entry *v = realloc(pt->v, cap * sizeof(*v));

		if (!v) {
			free(e->name);
			return diag_error("out of memory");
		}
		pt->v = v;
		pt->cap = cap;
	}
	pt->v[pt->n++] = *e;
	return 0;
}

const char *parttable_type_name(int64_t type)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (type_names[i].value == type)
			return type_names[i].name;
	return NULL;
}

const struct parttable_subtype_list *parttable_subtypes(const struct parttable_config *c,
							int64_t type)
{
	if (type < 0 || type > 3)
		return NULL;
	return &c->subtypes[type];
}

const char *parttable_subtype_name(const struct parttable_config *c, int64_t type, int64_t subtype)
{
	const struct parttable_subtype_list *l = parttable_subtypes(c, type);
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (l->v[i].value == subtype)
			return l->v[i].name;
	return NULL;
}

/* Alignment of an app/data/other partition's offset (0x10000 for apps, else 0x1000). */
static int64_t parttable_offset_alignment(int64_t type)
{
	return type == PARTTABLE_TYPE_APP ? 0x10000 : 0x1000;
}

int parttable_is_primary_special(const struct parttable_entry *e)
{
	return (e->type == PARTTABLE_TYPE_BOOTLOADER ||
		e->type == PARTTABLE_TYPE_PARTITION_TABLE) &&
	       e->subtype == PARTTABLE_SUBTYPE_PRIMARY;
}

/* Where a message about @e points: FILE:LINE for a layout; for an entry decoded from
 * binary (no line to name) "FILE: entry at 0xPOS" in @ctx. Returns the file part. */
static const char *entry_where(const struct parttable *pt, const struct parttable_entry *e,
			       char ctx[PATH_MAX + 32], unsigned *line)
{
	*line = pt->from_binary ? 0 : e->line;
	if (!pt->from_binary)
		return pt->file;
	if (pt->file)
		snprintf(ctx, PATH_MAX + 32, "%s: entry at 0x%" PRIx32, pt->file, e->bin_pos);
	else
		snprintf(ctx, PATH_MAX + 32, "entry at 0x%" PRIx32, e->bin_pos);
	return ctx;
}

int parttable_entry_error(const struct parttable *pt, const struct parttable_entry *e,
			  const char *fmt, ...)
{
	char ctx[PATH_MAX + 32];
	const char *where;
	unsigned line;
	va_list ap;

	where = entry_where(pt, e, ctx, &line);
	va_start(ap, fmt);
	diag_vat(where, line, fmt, ap);
	va_end(ap);
	return -1;
}

void parttable_entry_warn(const struct parttable *pt, const struct parttable_entry *e,
			  const char *fmt, ...)
{
	char ctx[PATH_MAX + 32];
	const char *where;
	unsigned line;
	va_list ap;

	where = entry_where(pt, e, ctx, &line);
	va_start(ap, fmt);
	diag_vwarn_at(where, line, fmt, ap);
	va_end(ap);
}

/* @v in hex after @prefix, the sign first: pyhex() is Python's '%x' ("-1000" for -0x1000);
 * signed_hex() is for our own messages ("-0x1f", where Python's '0x%x' prints "0x-1f"). */
static const char *hex_text(int64_t v, const char *prefix, char buf[24])
{
	if (v < 0)
		snprintf(buf, 24, "-%s%" PRIx64, prefix, (uint64_t)0 - (uint64_t)v);
	else
		snprintf(buf, 24, "%s%" PRIx64, prefix, (uint64_t)v);
	return buf;
}

static const char *pyhex(int64_t v, char buf[24])
{
	return hex_text(v, "", buf);
}

static const char *signed_hex(int64_t v, char buf[24])
{
	return hex_text(v, "0x", buf);
}

/* Python's a % b for b > 0 (never negative). */
static int64_t pymod(int64_t a, int64_t b)
{
	int64_t r = a % b;

	return r < 0 ? r + b : r;
}

static int entries_equal(const struct parttable_entry *a, const struct parttable_entry *b)
{
	return strcmp(a->name, b->name) == 0 && a->type == b->type && a->subtype == b->subtype &&
	       a->has_offset == b->has_offset && (!a->has_offset || a->offset == b->offset) &&
	       a->size == b->size;
}

int parttable_resolve_offsets(struct parttable *pt, const struct parttable_config *c)
{
	int64_t last_end = c->table_offset + PARTTABLE_TABLE_SIZE;
	char h1[24], h2[24], h3[24];
	size_t i;

	for (i = 0; i < pt->n; i++) {
		struct parttable_entry *e = &pt->v[i];

		if (parttable_is_primary_special(e))
			continue;
		if (e->has_offset && e->offset < last_end) {
			if (entries_equal(e, &pt->v[0]))
				return parttable_entry_error(
				    pt, e,
				    "Partitions overlap. Partition sets offset 0x%s. But partition "
				    "table occupies the whole sector 0x%s. Use a free offset 0x%s "
				    "or higher.",
				    pyhex(e->offset, h1), pyhex(c->table_offset, h2),
				    pyhex(last_end, h3));
			return parttable_entry_error(
			    pt, e,
			    "Partitions overlap. Partition sets offset 0x%s. "
			    "Previous partition ends 0x%s",
			    pyhex(e->offset, h1), pyhex(last_end, h2));
		}
		if (!e->has_offset) {
			int64_t align = parttable_offset_alignment(e->type);

			if (pymod(last_end, align))
				last_end += align - pymod(last_end, align);
			e->offset = last_end;
			e->has_offset = 1;
		}
		if (e->size < 0)
			e->size = -e->size - e->offset;
		/* values this large fail later anyway; keep the sums in range */
		if (e->offset > INT64_MAX / 4 || e->size > INT64_MAX / 4 || e->size < INT64_MIN / 4)
			return parttable_entry_error(pt, e, "offset or size out of range");
		last_end = e->offset + e->size;
	}
	return 0;
}

static int verify_entry(const struct parttable *pt, const struct parttable_entry *e,
			const struct parttable_config *c)
{
	int64_t align = parttable_offset_alignment(e->type);
	char h1[24], h2[24];
	size_t t, i;

	if (pymod(e->offset, align))
		return parttable_entry_error(
		    pt, e, "Partition %s invalid: Offset 0x%s is not aligned to 0x%s", e->name,
		    pyhex(e->offset, h1), pyhex(align, h2));
	if (e->type == PARTTABLE_TYPE_APP) {
		/* Secure Boot v1 keeps its signature at the end of a 64 KB block */
		int64_t salign = c->secure == PARTTABLE_SECURE_V1 ? 0x10000 : 0x1000;

		if (pymod(e->size, salign))
			return parttable_entry_error(
			    pt, e, "Partition %s invalid: Size 0x%s is not aligned to 0x%s",
			    e->name, pyhex(e->size, h1), pyhex(salign, h2));
	}
	for (t = 0; t < 4; t++) {
		if (strcmp(e->name, type_names[t].name) == 0 && type_names[t].value != e->type)
			parttable_entry_warn(
			    pt, e,
			    "Partition has name '%s' which is a partition type, but does not "
			    "match this partition's type (0x%s). Mistake in partition table?",
			    e->name, pyhex(e->type, h1));
	}
	for (t = 0; t < 4; t++) {
		const struct parttable_subtype_list *l = &c->subtypes[t];
		int named = 0;

		for (i = 0; i < l->n; i++)
			named |= strcmp(l->v[i].name, e->name) == 0;
		if (!named)
			continue;
		{
			const struct parttable_subtype_list *own = parttable_subtypes(c, e->type);
			int match = 0;

			for (i = 0; own && i < own->n; i++)
				if (strcmp(own->v[i].name, e->name) == 0)
					match = own->v[i].value == e->subtype;
			if (!match)
				parttable_entry_warn(
				    pt, e,
				    "Partition has name '%s' which is a partition subtype, but "
				    "this partition has non-matching type 0x%s and subtype 0x%s. "
				    "Mistake in partition table?",
				    e->name, pyhex(e->type, h1), pyhex(e->subtype, h2));
		}
		break;
	}
	if (e->type == PARTTABLE_TYPE_DATA &&
	    (e->subtype == PARTTABLE_SUBTYPE_DATA_OTA ||
	     e->subtype == PARTTABLE_SUBTYPE_DATA_COREDUMP) &&
	    (e->flags & PARTTABLE_FLAG_READONLY))
		return parttable_entry_error(pt, e,
					     "Partition %s invalid: '%s' partition of type %" PRId64
					     " and subtype %" PRId64
					     " is always read-write and cannot be read-only",
					     e->name, e->name, e->type, e->subtype);
	if (e->type == PARTTABLE_TYPE_DATA && e->subtype == PARTTABLE_SUBTYPE_DATA_NVS &&
	    e->size < PARTTABLE_NVS_RW_MIN && !(e->flags & PARTTABLE_FLAG_READONLY))
		return parttable_entry_error(
		    pt, e,
		    "Partition %s invalid: '%s' partition of type %" PRId64 " and subtype %" PRId64
		    " of this size (0x%s) must be flagged as 'readonly' (the size of read/write "
		    "NVS has to be at least 0x%x)",
		    e->name, e->name, e->type, e->subtype, pyhex(e->size, h1),
		    PARTTABLE_NVS_RW_MIN);
	return 0;
}

/* Index sort helpers: ties keep file order, as Python's stable sorted() does. */
static const struct parttable *sort_pt;

static int by_offset(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int64_t ox = sort_pt->v[x].offset, oy = sort_pt->v[y].offset;

	if (ox != oy)
		return ox < oy ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int by_name(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = strcmp(sort_pt->v[x].name, sort_pt->v[y].name);

	if (r)
		return r;
	return x < y ? -1 : x > y;
}

static size_t *sorted_index(const struct parttable *pt, int (*cmp)(const void *, const void *))
{
	size_t *idx = malloc((pt->n ? pt->n : 1) * sizeof(*idx));
	size_t i;

	if (!idx) {
		diag_error("out of memory");
		return NULL;
	}
	for (i = 0; i < pt->n; i++)
		idx[i] = i;
	sort_pt = pt;
	qsort(idx, pt->n, sizeof(*idx), cmp);
	return idx;
}

static int verify_unique_otadata(const struct parttable *pt, int64_t subtype, const char *what,
				 const char *many)
{
	const struct parttable_entry *first = NULL;
	size_t i;

	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];

		if (e->type != PARTTABLE_TYPE_DATA || e->subtype != subtype)
			continue;
		if (first)
			return parttable_entry_error(pt, e, "%s (another one is %s)", many,
						     first->name);
		first = e;
	}
	if (first && first->size != PARTTABLE_OTADATA_SIZE)
		return parttable_entry_error(pt, first, "%s partition must have size = 0x2000",
					     what);
	return 0;
}

int parttable_verify(const struct parttable *pt, const struct parttable_config *c)
{
	int64_t floor = c->table_offset + PARTTABLE_TABLE_SIZE;
	char h1[24], h2[24], h3[24];
	size_t *idx, i;
	int rc = -1;

	for (i = 0; i < pt->n; i++)
		if (verify_entry(pt, &pt->v[i], c) < 0)
			return -1;

	idx = sorted_index(pt, by_name);
	if (!idx)
		return -1;
	for (i = 1; i < pt->n; i++) {
		const struct parttable_entry *a = &pt->v[idx[i - 1]], *b = &pt->v[idx[i]];

		if (strcmp(a->name, b->name) == 0) {
			if (pt->from_binary)
				parttable_entry_error(
				    pt, b,
				    "Partition names must be unique: '%s' is also the "
				    "name of the entry at 0x%" PRIx32,
				    b->name, a->bin_pos);
			else
				parttable_entry_error(
				    pt, b,
				    "Partition names must be unique: '%s' is also the "
				    "name of the partition at line %u",
				    b->name, a->line);
			goto out;
		}
	}
	free(idx);

	idx = sorted_index(pt, by_offset);
	if (!idx)
		return -1;
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *p = &pt->v[idx[i]];

		if (p->offset < floor && !parttable_is_primary_special(p)) {
			parttable_entry_error(pt, p, "Partition offset 0x%s is below 0x%s",
					      pyhex(p->offset, h1), pyhex(floor, h2));
			goto out;
		}
		if (i > 0) {
			const struct parttable_entry *l = &pt->v[idx[i - 1]];

			if (p->offset < l->offset + l->size) {
				parttable_entry_error(pt, p, "Partition at 0x%s overlaps 0x%s-0x%s",
						      pyhex(p->offset, h1), pyhex(l->offset, h2),
						      pyhex(l->offset + l->size - 1, h3));
				goto out;
			}
		}
	}

	if (verify_unique_otadata(pt, PARTTABLE_SUBTYPE_DATA_OTA, "otadata",
				  "Found multiple otadata partitions. Only one partition can be "
				  "defined with type=\"data\"(1) and subtype=\"ota\"(0).") < 0)
		goto out;
	if (verify_unique_otadata(
		pt, PARTTABLE_SUBTYPE_DATA_TEE_OTA, "TEE otadata",
		"Found multiple TEE otadata partitions. Only one partition can be "
		"defined with type=\"data\"(1) and subtype=\"tee_ota\"(0x90).") < 0)
		goto out;
	rc = 0;
out:
	free(idx);
	return rc;
}

int parttable_check_range(const struct parttable *pt, const struct parttable_entry *e)
{
	char h[24];

	if (e->type < 0 || e->type > 0xff)
		return parttable_entry_error(pt, e,
					     "Partition %s invalid: type %s is out of range 0-0xff",
					     e->name, signed_hex(e->type, h));
	if (e->subtype < 0 || e->subtype > 0xff)
		return parttable_entry_error(
		    pt, e, "Partition %s invalid: subtype %s is out of range 0-0xff", e->name,
		    signed_hex(e->subtype, h));
	if (e->offset < 0 || e->offset > 0xffffffff)
		return parttable_entry_error(
		    pt, e, "Partition %s invalid: offset %s does not fit in 32 bits", e->name,
		    signed_hex(e->offset, h));
	if (e->size < 0 || e->size > 0xffffffff)
		return parttable_entry_error(
		    pt, e, "Partition %s invalid: size %s does not fit in 32 bits", e->name,
		    signed_hex(e->size, h));
	return 0;
}

int parttable_check_flash_size(const struct parttable *pt, const struct parttable_config *c)
{
	const struct parttable_entry *last = NULL;
	int64_t end;
	size_t i;

	if (!c->flash_size || pt->n == 0)
		return 0;
	/* the entry with the largest offset (the first of equals), not the largest end */
	for (i = 0; i < pt->n; i++)
		if (!last || pt->v[i].offset > last->offset)
			last = &pt->v[i];
	end = last->offset + last->size;
	if ((int64_t)c->flash_size < end)
		return parttable_entry_error(
		    pt, last,
		    "Partitions tables occupies %.1fMB of flash (%" PRId64 " bytes) which does "
		    "not fit in configured flash size %" PRIu64 "MB. Change the flash size in "
		    "menuconfig under the 'Serial Flasher Config' menu.",
		    (double)end / (1024.0 * 1024.0), end, c->flash_size / (1024 * 1024));
	return 0;
}

static void format_size(int64_t size, char *out, size_t n)
{
	if (size % 0x100000 == 0)
		snprintf(out, n, "%" PRId64 "M", size / 0x100000);
	else if (size % 0x400 == 0)
		snprintf(out, n, "%" PRId64 "K", size / 0x400);
	else
		snprintf(out, n, "0x%" PRIx64, (uint64_t)size);
}

const char *parttable_flags_text(uint32_t flags)
{
	switch (flags & (PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY)) {
	case PARTTABLE_FLAG_ENCRYPTED:
		return "encrypted";
	case PARTTABLE_FLAG_READONLY:
		return "readonly";
	case PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY:
		return "encrypted:readonly";
	default:
		return "";
	}
}

int parttable_format_csv(const struct parttable *pt, const struct parttable_config *c,
			 struct buf *out)
{
	size_t i;

	if (buf_puts(out,
		     "# ESP-IDF Partition Table\n# Name, Type, SubType, Offset, Size, Flags\n") < 0)
		return -1;
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		const char *tn = parttable_type_name(e->type),
			   *sn = parttable_subtype_name(c, e->type, e->subtype);
		char t[24], s[24], size[32];

		snprintf(t, sizeof(t), "%" PRId64, e->type);
		snprintf(s, sizeof(s), "%" PRId64, e->subtype);
		format_size(e->size, size, sizeof(size));
		if (buf_printf(out, "%s,%s,%s,0x%" PRIx64 ",%s,%s\n", e->name, tn ? tn : t,
			       sn ? sn : s, (uint64_t)e->offset, size,
			       parttable_flags_text(e->flags)) < 0)
			return -1;
	}
	return 0;
}

/* A label can be an INI section name when inih reads it back unchanged. */
static int ini_label_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == ' ' || name[0] == '\t' || strpbrk(name, "[];#\r\n"))
		return 0;
	return name[n - 1] != ' ' && name[n - 1] != '\t';
}

int parttable_format_ini(const struct parttable *pt, const struct parttable_config *c,
			 struct buf *out)
{
	size_t i;

	if (buf_puts(out, "; ESP-IDF partition table (espgen INI layout)\n") < 0)
		return -1;
	if (c->offset_set &&
	    buf_printf(out, "offset = 0x%" PRIx64 "\n", (uint64_t)c->table_offset) < 0)
		return -1;
	if (c->flash_size &&
	    buf_printf(out, "flash_size = %" PRIu64 "MB\n", c->flash_size / (1024 * 1024)) < 0)
		return -1;
	if (pt->from_binary && !pt->had_md5_row && buf_puts(out, "md5 = no\n") < 0)
		return -1;
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		const char *tn = parttable_type_name(e->type),
			   *sn = parttable_subtype_name(c, e->type, e->subtype);
		char size[32];

		if (!ini_label_ok(e->name))
			return parttable_entry_error(
			    pt, e, "label '%s' cannot be written as an INI section name", e->name);
		format_size(e->size, size, sizeof(size));
		if (buf_printf(out, "\n[%s]\n", e->name) < 0)
			return -1;
		if ((tn ? buf_printf(out, "type = %s\n", tn)
			: buf_printf(out, "type = 0x%02" PRIx64 "\n", (uint64_t)e->type)) < 0)
			return -1;
		if ((sn ? buf_printf(out, "subtype = %s\n", sn)
			: buf_printf(out, "subtype = 0x%02" PRIx64 "\n", (uint64_t)e->subtype)) < 0)
			return -1;
		if (buf_printf(out, "offset = 0x%" PRIx64 "\nsize = %s\n", (uint64_t)e->offset,
			       size) < 0)
			return -1;
		if (e->flags) {
			const char *f =
			    e->flags == (PARTTABLE_FLAG_ENCRYPTED | PARTTABLE_FLAG_READONLY)
				? "encrypted, readonly"
				: parttable_flags_text(e->flags);

			if (buf_printf(out, "flags = %s\n", f) < 0)
				return -1;
		}
	}
	return 0;
}

static int parse_int_rec(const char *s, size_t len, const struct parttable_subtype *kw, size_t nkw,
			 int64_t *out, struct buf *err)
{
	size_t i;

	if (len > 0) {
		char last = ascii_tolower(s[len - 1]);
		int64_t mult = last == 'k' ? 1024 : last == 'm' ? 1024 * 1024 : 0;

		if (mult) {
			int64_t v;

			if (parse_int_rec(s, len - 1, kw, nkw, &v, err) < 0)
				return -1;
			if (v > INT64_MAX / mult || v < INT64_MIN / mult) {
				buf_printf(err, "Invalid field value %.*s (out of range)", (int)len,
					   s);
				return -1;
			}
			*out = v * mult;
			return 0;
		}
	}
	if (num_pyint_parse(s, len, out) == 0)
		return 0;
	if (nkw == 0) {
		buf_printf(err, "Invalid field value %.*s", (int)len, s);
		return -1;
	}
	for (i = 0; i < nkw; i++) {
		/* keys are matched against the lowercased text (keywords[v.lower()]) */
		size_t j;

		if (strlen(kw[i].name) != len)
			continue;
		for (j = 0; j < len && ascii_tolower(s[j]) == kw[i].name[j]; j++)
			;
		if (j == len) {
			*out = kw[i].value;
			return 0;
		}
	}
	buf_printf(err, "Value '%.*s' is not valid. Known keywords: ", (int)len, s);
	for (i = 0; i < nkw; i++)
		buf_printf(err, "%s%s", i ? ", " : "", kw[i].name);
	return -1;
}

int parttable_parse_int(const char *s, size_t len, const struct parttable_subtype *keywords,
			size_t nkeywords, int64_t *out, struct buf *err)
{
	return parse_int_rec(s, len, keywords, nkeywords, out, err);
}

const struct parttable_subtype *parttable_type_keywords(size_t *n)
{
	*n = 4;
	return type_names;
}
