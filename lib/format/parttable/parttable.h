/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ESP-IDF partition table model (spec/partition-table.md): parsing context,
 * entries, offset resolution, the checks gen_esp32part.py makes, the 0xC00-byte
 * binary form, and the CSV/INI text forms. Format knowledge only: no file access.
 */
#ifndef ESPGEN_PARTTABLE_H
#define ESPGEN_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "hash.h"

/* The first two bytes of a row, read as uint16 LE (§1.1, §1.2; esp_flash_partitions.h). */
#define PARTTABLE_MAGIC 0x50AA	   /* entry row: bytes AA 50 */
#define PARTTABLE_MAGIC_MD5 0xEBEB /* MD5 row: bytes EB EB */
#define PARTTABLE_MD5_AT 16	   /* the digest's place in the MD5 row (§1.2) */

#define PARTTABLE_ENTRY_SIZE 32
#define PARTTABLE_MAX_LEN 0xC00		/* binary table length, 0xFF padded (§1.3) */
#define PARTTABLE_TABLE_SIZE 0x1000	/* flash reserved for the table (§1.3) */
#define PARTTABLE_DEFAULT_OFFSET 0x8000 /* --offset default (§8) */
#define PARTTABLE_LABEL_LEN 16
#define PARTTABLE_OTADATA_SIZE 0x2000
#define PARTTABLE_NVS_RW_MIN 0x3000

enum parttable_type {
	PARTTABLE_TYPE_APP = 0x00,
	PARTTABLE_TYPE_DATA = 0x01,
	PARTTABLE_TYPE_BOOTLOADER = 0x02,
	PARTTABLE_TYPE_PARTITION_TABLE = 0x03,
};

/* Subtype values the tools themselves test for (§3). */
enum {
	PARTTABLE_SUBTYPE_PRIMARY = 0x00,  /* bootloader and partition_table */
	PARTTABLE_SUBTYPE_RECOVERY = 0x02, /* bootloader */
	PARTTABLE_SUBTYPE_APP_FACTORY = 0x00,
	PARTTABLE_SUBTYPE_APP_OTA_MIN = 0x10,
	PARTTABLE_SUBTYPE_APP_OTA_MAX = 0x1F,
	PARTTABLE_SUBTYPE_APP_TEST = 0x20,
	PARTTABLE_SUBTYPE_DATA_OTA = 0x00,
	PARTTABLE_SUBTYPE_DATA_NVS = 0x02,
	PARTTABLE_SUBTYPE_DATA_COREDUMP = 0x03,
	PARTTABLE_SUBTYPE_DATA_NVS_KEYS = 0x04,
	PARTTABLE_SUBTYPE_DATA_UNDEFINED = 0x06,
	PARTTABLE_SUBTYPE_DATA_FAT = 0x81,
	PARTTABLE_SUBTYPE_DATA_SPIFFS = 0x82,
	PARTTABLE_SUBTYPE_DATA_TEE_OTA = 0x90,
};

#define PARTTABLE_FLAG_ENCRYPTED 0x1u
#define PARTTABLE_FLAG_READONLY 0x2u

enum parttable_secure { PARTTABLE_SECURE_NONE, PARTTABLE_SECURE_V1, PARTTABLE_SECURE_V2 };

struct parttable_subtype {
	char *name;
	int64_t value;
};

/* Subtype names of one of the four named types, in lookup order (§3). */
struct parttable_subtype_list {
	struct parttable_subtype *v;
	size_t n;
};

/* Options of one run; the *_set flags say the command line gave the value, so a
 * layout file's own setting does not override it. */
struct parttable_config {
	int64_t table_offset;
	int offset_set;
	unsigned offset_line; /* INI line that set the table offset; 0: option or default */
	int md5;
	int md5_set;
	uint64_t flash_size; /* 0: no fit check */
	int flash_size_set;
	enum parttable_secure secure;
	int no_verify;
	int64_t primary_bootloader_offset;
	int has_primary_bootloader;
	int64_t recovery_bootloader_offset;
	int has_recovery_bootloader;
	int strict; /* parttable_check_strict() after the other checks */
	int strict_set;
	const struct chip *chip; /* where its bootloader sits, for --strict; NULL: unknown */
	struct parttable_subtype_list subtypes[4];
};

struct parttable_entry {
	char *name; /* as written; encoded as UTF-8 cut to 16 bytes */
	int64_t type;
	int64_t subtype;
	int64_t offset; /* valid once has_offset */
	int64_t size;	/* negative before resolution: "ends at -size" (CSV) */
	int has_offset;
	uint32_t flags;
	unsigned line;	  /* source line; 0 for entries decoded from binary */
	uint32_t bin_pos; /* byte position of the row in a decoded binary table */
};

struct parttable {
	const char *file; /* for messages; not owned */
	struct parttable_entry *v;
	size_t n;
	size_t cap;
	int from_binary;
	int had_md5_row; /* decoded table carried an MD5 row */
};

/* Sets the defaults of gen_esp32part.py and the built-in subtype names. */
int parttable_config_init(struct parttable_config *c);
void parttable_config_free(struct parttable_config *c);

/*
 * Adds "TYPE, NAME, VALUE" (VALUE in hex, as --extra-partition-subtypes takes it).
 * Returns 0, or -1 with a message.
 */
int parttable_config_add_subtype(struct parttable_config *c, const char *spec);

void parttable_init(struct parttable *pt, const char *file);
void parttable_free(struct parttable *pt);
/* Appends an entry (taking ownership of e->name). Returns 0 or -1. */
int parttable_append(struct parttable *pt, struct parttable_entry *e);

/* Name of a type (NULL if it has none) and of a subtype within a type. */
const char *parttable_type_name(int64_t type);
const char *parttable_subtype_name(const struct parttable_config *c, int64_t type, int64_t subtype);
/* The type names (bootloader, partition_table, app, data) as parse keywords. */
const struct parttable_subtype *parttable_type_keywords(size_t *n);
/* Subtype names of @type, or NULL for types without names. */
const struct parttable_subtype_list *parttable_subtypes(const struct parttable_config *c,
							int64_t type);

/* True for the primary bootloader and primary partition_table entries (§4). */
int parttable_is_primary_special(const struct parttable_entry *e);

/*
 * Prints "PROG: FILE:LINE: msg" for an entry from text, or
 * "PROG: FILE: entry at 0xPOS: msg" for one decoded from binary. Returns -1.
 */
int parttable_entry_error(const struct parttable *pt, const struct parttable_entry *e,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same as a warning (silenced by -q); does not fail. */
void parttable_entry_warn(const struct parttable *pt, const struct parttable_entry *e,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fills in missing offsets and resolves negative sizes, in file order (§5). */
int parttable_resolve_offsets(struct parttable *pt, const struct parttable_config *c);

/* Every check of gen_esp32part.py's verify() (§6), each naming the entry. */
int parttable_verify(const struct parttable *pt, const struct parttable_config *c);

/* Type and subtype fit a byte, offset and size 32 bits: what the binary form can hold. */
int parttable_check_range(const struct parttable *pt, const struct parttable_entry *e);

/* The --flash-size fit check (§6); a no-op without a flash size. */
int parttable_check_flash_size(const struct parttable *pt, const struct parttable_config *c);

/*
 * --strict (parttable_strict.c): layouts gen_esp32part.py accepts that fail on a device
 * (an encrypted NVS partition, OTA slots without otadata, a gap in the OTA slots, no
 * room for a signed bootloader before the table with c->chip, ...). Prints every
 * violation with FILE:LINE and the reason; a harmless oddity is a warning. Returns 0, or
 * -1 when any rule is broken.
 */
int parttable_check_strict(const struct parttable *pt, const struct parttable_config *c);

/* 1 when @data starts with the entry magic AA 50: what makes a file a binary table (§1.4). */
int parttable_has_magic(const uint8_t *data, size_t len);

/* What a row of a binary table is (§1.4). */
enum parttable_row {
	PARTTABLE_ROW_ENTRY, /* starts with the entry magic */
	PARTTABLE_ROW_MD5,   /* starts with EB EB */
	PARTTABLE_ROW_END,   /* all 0xFF: the end-of-table marker */
	PARTTABLE_ROW_BAD,   /* anything else: an entry with a wrong magic */
	PARTTABLE_ROW_SHORT, /* fewer than 32 bytes left: no row */
};

/* The row at @p, with @avail bytes left from @p. */
enum parttable_row parttable_row_kind(const uint8_t *p, size_t avail);

/* Where the rows of a binary table stop: the walk of parttable_scan(). */
struct parttable_scan {
	size_t stop;		 /* byte offset of the row that stopped the walk */
	enum parttable_row kind; /* that row: END, MD5, or SHORT (the data ran out) */
	int md5_ok;		 /* MD5 row: 1 when it holds @md5 */
	uint8_t md5[MD5_LEN];	 /* MD5 row: the digest it should hold */
	/* private */
	int started, split;
	struct buf covered; /* past an MD5 row: the rows the next one covers */
};

void parttable_scan_init(struct parttable_scan *s);
/*
 * Walks @data's rows to the first end marker, MD5 row or end of the data: from the start
 * after parttable_scan_init(), on past an MD5 row when called again (gen_esp32part.py
 * reads on). The rows passed are ENTRY or BAD ones. For an MD5 row, computes the digest
 * of every earlier row but MD5 rows (its running MD5) and compares. Returns 0, or -1
 * with a message when out of memory. Free with parttable_scan_free().
 */
int parttable_scan(const uint8_t *data, size_t len, struct parttable_scan *s);
void parttable_scan_free(struct parttable_scan *s);

/* Appends the 0xC00-byte binary table (§1) to @out. Returns 0 or -1 with a message. */
int parttable_encode(const struct parttable *pt, const struct parttable_config *c, struct buf *out);

/*
 * Decodes a binary table (§1.4) into @pt (entries appended). MD5 checked unless
 * c->md5 is 0. Every length is checked; garbage gives an error, never a crash.
 */
int parttable_decode(const uint8_t *data, size_t len, const struct parttable_config *c,
		     struct parttable *pt);

/* The flags as the CSV flags field: "encrypted", "readonly", "encrypted:readonly" or "". */
const char *parttable_flags_text(uint32_t flags);

/* The CSV text gen_esp32part.py prints for a binary table (§7). */
int parttable_format_csv(const struct parttable *pt, const struct parttable_config *c,
			 struct buf *out);

/* The native INI form (spec/interface.md) of a resolved table. */
int parttable_format_ini(const struct parttable *pt, const struct parttable_config *c,
			 struct buf *out);

/*
 * Parses a number the way gen_esp32part.py's parse_int() does: K/M suffixes (any
 * case, nesting), Python int(x, 0) syntax, then a case-insensitive keyword lookup in
 * @keywords (may be NULL). On failure writes gen_esp32part.py's message to @err.
 */
int parttable_parse_int(const char *s, size_t len, const struct parttable_subtype *keywords,
			size_t nkeywords, int64_t *out, struct buf *err);

#endif
