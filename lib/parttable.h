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

#define PT_ENTRY_SIZE 32
#define PT_MAX_LEN 0xC00	  /* binary table length, 0xFF padded (§1.3) */
#define PT_TABLE_SIZE 0x1000	  /* flash reserved for the table (§1.3) */
#define PT_DEFAULT_OFFSET 0x8000 /* --offset default (§8) */
#define PT_LABEL_LEN 16
#define PT_OTADATA_SIZE 0x2000
#define PT_NVS_RW_MIN 0x3000

enum pt_type {
	PT_TYPE_APP = 0x00,
	PT_TYPE_DATA = 0x01,
	PT_TYPE_BOOTLOADER = 0x02,
	PT_TYPE_PARTITION_TABLE = 0x03,
};

/* Subtype values the tools themselves test for (§3). */
enum {
	PT_SUBTYPE_PRIMARY = 0x00, /* bootloader and partition_table */
	PT_SUBTYPE_RECOVERY = 0x02, /* bootloader */
	PT_SUBTYPE_APP_FACTORY = 0x00,
	PT_SUBTYPE_APP_OTA_MIN = 0x10,
	PT_SUBTYPE_APP_OTA_MAX = 0x1F,
	PT_SUBTYPE_APP_TEST = 0x20,
	PT_SUBTYPE_DATA_OTA = 0x00,
	PT_SUBTYPE_DATA_NVS = 0x02,
	PT_SUBTYPE_DATA_COREDUMP = 0x03,
	PT_SUBTYPE_DATA_UNDEFINED = 0x06,
	PT_SUBTYPE_DATA_TEE_OTA = 0x90,
};

#define PT_FLAG_ENCRYPTED 0x1u
#define PT_FLAG_READONLY 0x2u

enum pt_secure { PT_SECURE_NONE, PT_SECURE_V1, PT_SECURE_V2 };

struct pt_subtype {
	char *name;
	int64_t value;
};

/* Subtype names of one of the four named types, in lookup order (§3). */
struct pt_subtype_list {
	struct pt_subtype *v;
	size_t n;
};

/* Options of one run; the *_set flags say the command line gave the value, so a
 * layout file's own setting does not override it. */
struct pt_config {
	int64_t table_offset;
	int offset_set;
	int md5;
	int md5_set;
	uint64_t flash_size; /* 0: no fit check */
	int flash_size_set;
	enum pt_secure secure;
	int no_verify;
	int64_t primary_bootloader_offset;
	int has_primary_bootloader;
	int64_t recovery_bootloader_offset;
	int has_recovery_bootloader;
	struct pt_subtype_list subtypes[4];
};

struct pt_entry {
	char *name;	 /* as written; encoded as UTF-8 cut to 16 bytes */
	int64_t type;
	int64_t subtype;
	int64_t offset;	 /* valid once has_offset */
	int64_t size;	 /* negative before resolution: "ends at -size" (CSV) */
	int has_offset;
	uint32_t flags;
	unsigned line;	 /* source line; 0 for entries decoded from binary */
	uint32_t bin_pos; /* byte position of the row in a decoded binary table */
};

struct parttable {
	const char *file; /* for messages; not owned */
	struct pt_entry *v;
	size_t n;
	size_t cap;
	int from_binary;
	int had_md5_row; /* decoded table carried an MD5 row */
};

/* Sets the defaults of gen_esp32part.py and the built-in subtype names. */
int pt_config_init(struct pt_config *c);
void pt_config_free(struct pt_config *c);

/*
 * Adds "TYPE, NAME, VALUE" (VALUE in hex, as --extra-partition-subtypes takes it).
 * Returns 0, or -1 with a message.
 */
int pt_config_add_subtype(struct pt_config *c, const char *spec);

void pt_init(struct parttable *pt, const char *file);
void pt_free(struct parttable *pt);
/* Appends an entry (taking ownership of e->name). Returns 0 or -1. */
int pt_append(struct parttable *pt, struct pt_entry *e);

/* Name of a type (NULL if it has none) and of a subtype within a type. */
const char *pt_type_name(int64_t type);
const char *pt_subtype_name(const struct pt_config *c, int64_t type, int64_t subtype);
/* The type names (bootloader, partition_table, app, data) as parse keywords. */
const struct pt_subtype *pt_type_keywords(size_t *n);
/* Subtype names of @type, or NULL for types without names. */
const struct pt_subtype_list *pt_subtypes(const struct pt_config *c, int64_t type);
/* Alignment of an app/data/other partition's offset (0x10000 for apps, else 0x1000). */
int64_t pt_offset_alignment(int64_t type);

/* True for the primary bootloader and primary partition_table entries (§4). */
int pt_is_primary_special(const struct pt_entry *e);

/*
 * Prints "PROG: FILE:LINE: msg" for an entry from text, or
 * "PROG: FILE: entry at 0xPOS: msg" for one decoded from binary. Returns -1.
 */
int pt_entry_error(const struct parttable *pt, const struct pt_entry *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fills in missing offsets and resolves negative sizes, in file order (§5). */
int pt_resolve_offsets(struct parttable *pt, const struct pt_config *c);

/* Every check of gen_esp32part.py's verify() (§6), each naming the entry. */
int pt_verify(const struct parttable *pt, const struct pt_config *c);

/* The --flash-size fit check (§6); a no-op without a flash size. */
int pt_check_flash_size(const struct parttable *pt, const struct pt_config *c);

/* Appends the 0xC00-byte binary table (§1) to @out. Returns 0 or -1 with a message. */
int pt_encode(const struct parttable *pt, const struct pt_config *c, struct buf *out);

/*
 * Decodes a binary table (§1.4) into @pt (entries appended). MD5 checked unless
 * c->md5 is 0. Every length is checked; garbage gives an error, never a crash.
 */
int pt_decode(const uint8_t *data, size_t len, const struct pt_config *c, struct parttable *pt);

/* The CSV text gen_esp32part.py prints for a binary table (§7). */
int pt_format_csv(const struct parttable *pt, const struct pt_config *c, struct buf *out);

/* The native INI form (spec/interface.md) of a resolved table. */
int pt_format_ini(const struct parttable *pt, const struct pt_config *c, struct buf *out);

/*
 * Parses a number the way gen_esp32part.py's parse_int() does: K/M suffixes (any
 * case, nesting), Python int(x, 0) syntax, then a case-insensitive keyword lookup in
 * @keywords (may be NULL). On failure writes gen_esp32part.py's message to @err.
 */
int pt_parse_int(const char *s, size_t len, const struct pt_subtype *keywords, size_t nkeywords,
		 int64_t *out, struct buf *err);

#endif
