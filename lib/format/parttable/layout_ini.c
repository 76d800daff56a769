/* SPDX-License-Identifier: Apache-2.0 */
/* The native INI layout (spec/interface.md), read through lib/inifile (inih). */
#include "layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "diag.h"
#include "num.h"
#include "inifile.h"
#include "utf8.h"

enum { K_TYPE, K_SUBTYPE, K_SIZE, K_OFFSET, K_FLAGS, K_COUNT };
static const char *const part_keys[K_COUNT] = {"type", "subtype", "size", "offset", "flags"};
enum { G_OFFSET, G_FLASH_SIZE, G_MD5, G_STRICT, G_COUNT };
static const char *const table_keys[G_COUNT] = {"offset", "flash_size", "md5", "strict"};

struct ini_value {
	char *text;
	unsigned line;
};

struct ini_state {
	const char *file;
	unsigned line; /* line of the key being handled */
	int failed;
	int in_section;
	char *section; /* current section name, as inih sees it */
	unsigned section_line;
	struct ini_value keys[K_COUNT];
	unsigned table_key_line[G_COUNT];
	struct parttable_config *c;
	struct parttable *pt;
};

static int ini_fail(struct ini_state *st, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ini_fail(struct ini_state *st, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (st->failed)
		return -1;
	va_start(ap, fmt);
	diag_vat(st->file, line, fmt, ap);
	va_end(ap);
	st->failed = 1;
	return -1;
}

static void clear_keys(struct ini_state *st)
{
	size_t i;

	for (i = 0; i < K_COUNT; i++) {
		free(st->keys[i].text);
		st->keys[i].text = NULL;
		st->keys[i].line = 0;
	}
}

/* A number as the CSV form takes it, but never negative and within 32 bits. */
static int ini_number(struct ini_state *st, const struct ini_value *v, const char *what,
		      const struct parttable_subtype *kw, size_t nkw, int64_t max, int64_t *out)
{
	struct buf err = BUF_INIT;
	char c0 = v->text[0];
	size_t i;

	/* names are looked up whole (the CSV form's K/M stripping would turn "nvram"
	 * into "nvra" in the message); numbers take the CSV grammar */
	if (nkw && !(c0 >= '0' && c0 <= '9') && c0 != '-' && c0 != '+') {
		for (i = 0; i < nkw; i++) {
			if (ascii_casecmp(kw[i].name, v->text) == 0) {
				*out = kw[i].value;
				return 0;
			}
		}
		buf_printf(&err, "unknown %s '%s' (known: ", what, v->text);
		for (i = 0; i < nkw; i++)
			buf_printf(&err, "%s%s", i ? ", " : "", kw[i].name);
		ini_fail(st, v->line, "%.*s)", (int)err.len, (char *)err.data);
		buf_free(&err);
		return -1;
	}
	if (parttable_parse_int(v->text, strlen(v->text), kw, nkw, out, &err) < 0) {
		ini_fail(st, v->line, "%s: %.*s", what, (int)err.len, (char *)err.data);
		buf_free(&err);
		return -1;
	}
	if (*out < 0 || *out > max)
		return ini_fail(st, v->line, "%s %s is out of range (0 to 0x%llx)", what, v->text,
				(unsigned long long)max);
	return 0;
}

static int parse_flags(struct ini_state *st, const struct ini_value *v, uint32_t *flags)
{
	const char *p = v->text;

	while (*p) {
		size_t n = strcspn(p, ",:");
		const char *s = p;
		size_t len = n;

		utf8_strip(&s, &len);
		if (len == 9 && memcmp(s, "encrypted", 9) == 0)
			*flags |= PARTTABLE_FLAG_ENCRYPTED;
		else if (len == 8 && memcmp(s, "readonly", 8) == 0)
			*flags |= PARTTABLE_FLAG_READONLY;
		else if (len)
			return ini_fail(st, v->line,
					"unknown flag '%.*s' (expected encrypted or readonly)",
					(int)len, s);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

/* Turns the keys of the section just finished into an entry. */
static int finish_section(struct ini_state *st)
{
	const struct parttable_subtype_list *subs;
	const struct parttable_subtype *types;
	struct parttable_entry e;
	size_t ntypes, i, nlen;

	if (!st->in_section)
		return 0;
	memset(&e, 0, sizeof(e));
	e.line = st->section_line;
	nlen = strlen(st->section);
	if (nlen == 0 || nlen > PARTTABLE_LABEL_LEN)
		return ini_fail(st, st->section_line,
				"partition name '%s' must be 1 to %d bytes long", st->section,
				PARTTABLE_LABEL_LEN);
	for (i = 0; i < st->pt->n; i++)
		if (strcmp(st->pt->v[i].name, st->section) == 0)
			return ini_fail(st, st->section_line,
					"repeated section [%s] (first at line %u)", st->section,
					st->pt->v[i].line);
	if (st->pt->n >= LAYOUT_INI_MAX_PARTS)
		return ini_fail(st, st->section_line,
				"too many partitions: at most %d fit in a partition table",
				LAYOUT_INI_MAX_PARTS);
	for (i = 0; i < 3; i++)
		if (!st->keys[i].text)
			return ini_fail(st, st->section_line, "[%s] has no '%s'", st->section,
					part_keys[i]);

	types = parttable_type_keywords(&ntypes);
	if (ini_number(st, &st->keys[K_TYPE], "type", types, ntypes, 0xfe, &e.type) < 0)
		return -1;
	subs = parttable_subtypes(st->c, e.type);
	if (ini_number(st, &st->keys[K_SUBTYPE], "subtype", subs ? subs->v : NULL,
		       subs ? subs->n : 0, 0xfe, &e.subtype) < 0)
		return -1;
	if (ini_number(st, &st->keys[K_SIZE], "size", NULL, 0, 0xffffffff, &e.size) < 0)
		return -1;
	if (st->keys[K_OFFSET].text) {
		if (ini_number(st, &st->keys[K_OFFSET], "offset", NULL, 0, 0xffffffff, &e.offset) <
		    0)
			return -1;
		e.has_offset = 1;
	}
	/* the special entries take offset and size from the options, as in the CSV form */
	if (e.type == PARTTABLE_TYPE_BOOTLOADER || e.type == PARTTABLE_TYPE_PARTITION_TABLE) {
		const struct parttable_config *c = st->c;

		if (e.type == PARTTABLE_TYPE_BOOTLOADER && !c->has_primary_bootloader)
			return ini_fail(st, st->section_line,
					"Primary bootloader offset is not defined. Please use "
					"--primary-bootloader-offset");
		if (e.type == PARTTABLE_TYPE_BOOTLOADER &&
		    e.subtype == PARTTABLE_SUBTYPE_RECOVERY && !c->has_recovery_bootloader)
			return ini_fail(st, st->section_line,
					"Recovery bootloader offset is not defined. Please use "
					"--recovery-bootloader-offset");
		if (e.type == PARTTABLE_TYPE_BOOTLOADER) {
			e.size = c->table_offset - c->primary_bootloader_offset;
			if (e.subtype == PARTTABLE_SUBTYPE_PRIMARY)
				e.offset = c->primary_bootloader_offset, e.has_offset = 1;
			else if (e.subtype == PARTTABLE_SUBTYPE_RECOVERY)
				e.offset = c->recovery_bootloader_offset, e.has_offset = 1;
		} else {
			e.size = PARTTABLE_TABLE_SIZE;
			if (e.subtype == PARTTABLE_SUBTYPE_PRIMARY)
				e.offset = c->table_offset, e.has_offset = 1;
		}
	}
	if (st->keys[K_FLAGS].text && parse_flags(st, &st->keys[K_FLAGS], &e.flags) < 0)
		return -1;
	e.name = strdup(st->section);
	if (!e.name)
		return ini_fail(st, st->section_line, "out of memory");
	if (parttable_append(st->pt, &e) < 0)
		return ini_fail(st, st->section_line, "out of memory");
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (ascii_casecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (ascii_casecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

static int table_setting(struct ini_state *st, const char *name, const char *value)
{
	struct parttable_config *c = st->c;
	size_t k;

	for (k = 0; k < G_COUNT; k++)
		if (strcmp(name, table_keys[k]) == 0)
			break;
	if (k == G_COUNT)
		return ini_fail(
		    st, st->line,
		    "unknown table setting '%s' (expected offset, flash_size, md5 or strict)",
		    name);
	if (st->table_key_line[k])
		return ini_fail(st, st->line, "'%s' is set twice (first at line %u)", name,
				st->table_key_line[k]);
	st->table_key_line[k] = st->line;

	if (k == G_OFFSET) {
		struct ini_value v = {(char *)value, st->line};
		int64_t off;

		if (ini_number(st, &v, "offset", NULL, 0, 0xffffffff, &off) < 0)
			return -1;
		if (!c->offset_set) {
			c->table_offset = off;
			c->offset_line = st->line;
		}
	} else if (k == G_FLASH_SIZE) {
		uint64_t size;

		if (num_size_parse(value, &size) < 0 || size % (1024 * 1024) ||
		    (size >> 20) > 128 || size == 0 || ((size >> 20) & ((size >> 20) - 1)))
			return ini_fail(st, st->line,
					"flash_size '%s' is not one of 1MB, 2MB, 4MB, 8MB, 16MB, "
					"32MB, 64MB, 128MB",
					value);
		if (!c->flash_size_set)
			c->flash_size = size;
	} else {
		int yes;

		if (parse_bool(value, &yes) < 0)
			return ini_fail(st, st->line, "%s '%s' is not yes or no", name, value);
		if (k == G_MD5 && !c->md5_set)
			c->md5 = yes;
		/* --strict on the command line wins over strict = no */
		if (k == G_STRICT && !c->strict_set)
			c->strict = yes;
	}
	return 0;
}

static int on_key(void *user, const char *section, const char *name, const char *value,
		  unsigned line)
{
	struct ini_state *st = user;
	size_t k;

	(void)section;
	st->line = line;
	if (!st->in_section)
		return table_setting(st, name, value);
	for (k = 0; k < K_COUNT; k++)
		if (strcmp(name, part_keys[k]) == 0)
			break;
	if (k == K_COUNT)
		return ini_fail(st, line,
				"unknown key '%s' in [%s] (expected type, subtype, size, offset or "
				"flags)",
				name, st->section);
	if (st->keys[k].text)
		return ini_fail(st, line, "'%s' is set twice in [%s] (first at line %u)", name,
				st->section, st->keys[k].line);
	st->keys[k].text = strdup(value);
	st->keys[k].line = line;
	if (!st->keys[k].text)
		return ini_fail(st, line, "out of memory");
	return 0;
}

static int on_section(void *user, const char *name, unsigned line)
{
	struct ini_state *st = user;

	if (finish_section(st) < 0)
		return -1;
	clear_keys(st);
	free(st->section);
	st->section = strdup(name);
	if (!st->section)
		return ini_fail(st, line, "out of memory");
	st->in_section = 1;
	st->section_line = line;
	return 0;
}

int layout_ini_parse(const uint8_t *data, size_t len, struct parttable_config *c,
		     struct parttable *pt)
{
	static const struct inifile_ops ops = {on_section, on_key};
	struct ini_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.file = pt->file;
	st.c = c;
	st.pt = pt;
	rc = inifile_parse(pt->file, data, len, &ops, &st);
	if (rc == 0 && finish_section(&st) < 0)
		rc = -1;
	clear_keys(&st);
	free(st.section);
	return rc;
}
