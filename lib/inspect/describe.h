/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The describers behind imginfo_describe() (internal to lib/inspect): one file per
 * format, each turning bytes of its kind into nodes of a description tree (node.h) on
 * top of that format's own decoder, and noting what is wrong in the problems list.
 * Bytes are borrowed, never copied into the tree; nothing reads outside
 * [data, data + len). A NULL node is allowed wherever a tree node is taken (an
 * allocation failed earlier; node.h).
 */
#ifndef ESPGEN_DESCRIBE_H
#define ESPGEN_DESCRIBE_H

#include <stddef.h>
#include <stdint.h>

#include "chip.h"
#include "imginfo.h"
#include "otadata.h"
#include "parttable.h"

/* One imginfo_describe() call. */
struct describe_ctx {
	const struct imginfo_opts *opts;
	const char *file;
	struct imginfo_node *problems;
	int quiet; /* probing: decoder messages are swallowed */
};

/* ---- describe.c: pieces every describer uses ---- */

/*
 * Adds "WHERE: msg" (just "msg" when @where is "" or NULL) to the problems list, as a
 * problem of @kind (a literal: man esp-imginfo lists them) at file offset @off.
 */
void describe_problem(struct describe_ctx *c, const char *kind, uint64_t off, const char *where,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* 1 when the checks of --check run too (imginfo_opts.check). */
int describe_checking(const struct describe_ctx *c);

/* Size, erased or not, SHA-256 of @len bytes at file offset @file_off, and the bytes
 * themselves for imginfo_diff() to compare. */
void describe_bytes(struct imginfo_node *n, const uint8_t *p, size_t len, uint64_t file_off);

/* Longest digest describe_digest() takes. */
#define DESCRIBE_DIGEST_MAX 32

/*
 * A stored digest against the one computed (@n bytes each, at most DESCRIBE_DIGEST_MAX)
 * into @d: "stored", with @show_calc "computed" (shown, not compared), "status" and the
 * one-line form; @stored NULL: there is none. A mismatch is a problem of @kind at file
 * offset @off: "WHAT STORED invalid, expected COMPUTED".
 */
void describe_digest(struct describe_ctx *c, struct imginfo_node *d, const char *what,
		     const char *kind, const uint8_t *stored, const uint8_t *calc, size_t n,
		     int show_calc, const char *where, uint64_t off);

/* ---- imginfo_flashenc.c: flash-encrypted flash images ---- */

/* When @data looks like a flash image stored flash-encrypted (no bootloader magic and no
 * partition table where they are expected, and neither place erased), says so with a
 * message naming c->file and returns 1; else 0, nothing printed. */
int describe_flash_looks_encrypted(const struct describe_ctx *c, const uint8_t *data, size_t len);

/* ---- describe_app.c: app and bootloader images ---- */

/* What the checks of --check need to know about an app or bootloader image. */
struct describe_app_facts {
	enum imginfo_kind kind;	 /* IMGINFO_APP or IMGINFO_BOOTLOADER */
	const struct chip *chip; /* NULL when the chip id is unknown */
	uint16_t chip_id;
	size_t end;		   /* image length, its digest included */
	char flash_size[16];	   /* the header's flash size ("4MB"), "" if no known code */
	uint64_t flash_size_bytes; /* 0 when unknown */
	int signature;		   /* 0 none, 1 a Secure Boot v1 block, 2 a v2 sector */
};

/* Decodes an image quietly into @f. Returns 0, or -1 when it does not decode. */
int describe_app_facts(const uint8_t *data, size_t len, struct describe_app_facts *f);

/*
 * Decodes an image quietly. Returns 0 and what it is (IMGINFO_APP or
 * IMGINFO_BOOTLOADER) and its chip (NULL when unknown), or -1 when it does not decode.
 * Either pointer may be NULL.
 */
int describe_app_probe(const uint8_t *data, size_t len, enum imginfo_kind *kind,
		       const struct chip **chip);

/*
 * An image at file offset @base into @img, with what follows it (padding, signature,
 * trailing bytes). @kind IMGINFO_UNKNOWN: decide from the image. Returns 0, or -1 with
 * a message unless c->quiet.
 */
int describe_app(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data, size_t len,
		 uint64_t base, enum imginfo_kind kind, const char *where);

/* Whether @data is any blob with a Secure Boot v2 signature sector (its last 4 KiB,
 * block 0 valid), as espsecure signature-info-v2 reads one. */
int describe_signed_like(const uint8_t *data, size_t len);

/* Such a blob into @img: its length and SHA-256, and the signature sector (verified with
 * c->opts->pubkey when given). */
void describe_signed(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data,
		     size_t len);

/* ---- describe_parttable.c: partition tables ---- */

/* A decoded table and where its rows stop (its MD5 row and that row's verdict). */
struct describe_table {
	struct parttable pt;
	struct parttable_scan rows;
};

/*
 * Decodes the table at @data (at most its first 0xC00 bytes). A wrong MD5 row does not
 * fail it: it is reported by describe_parttable(). Returns 0 and @t for
 * describe_parttable_free(), or -1 with a message unless @quiet.
 */
int describe_parttable_decode(const uint8_t *data, size_t len, const char *file, int quiet,
			      struct describe_table *t);
void describe_parttable_free(struct describe_table *t);

/* 1 when a table with no wrong MD5 row starts at @data (a probe: prints nothing). */
int describe_parttable_at(const uint8_t *data, size_t len);

/* File offset of a flash image's partition table: 0x8000, else the first 4 KiB aligned
 * offset from 0x1000 that holds one. 0 when there is none. */
size_t describe_parttable_find(const uint8_t *data, size_t len);

/* The table @t decoded from @data (@len bytes from file offset @base) into @n. */
void describe_parttable(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data,
			size_t len, const struct describe_table *t, uint64_t base,
			const char *where);

/* ---- describe_otadata.c: otadata partitions ---- */

/* The app partitions of the table an otadata partition belongs to. */
struct describe_ota_slots {
	uint32_t present; /* otadata_layout_slots() */
	unsigned count;	  /* otadata_slot_count(): ota_0.. up to the first gap */
	int has_factory;
	int known; /* described inside a flash image */
};

/* The slots of table @pt (known). */
void describe_ota_slots(const struct parttable *pt, struct describe_ota_slots *slots);

/* What the bootloader starts (spec/otadata.md §4). */
enum describe_boots {
	DESCRIBE_BOOTS_OTA,	/* the ota slot of the active entry, or ota_0 */
	DESCRIBE_BOOTS_FACTORY, /* the factory app */
	DESCRIBE_BOOTS_NOTHING, /* no factory app and no OTA slot */
};

/*
 * The bootloader's choice for otadata entries @e whose active one is @active (-1:
 * none; otadata_active()) in a table with @slots (known): the OTA slot in @slot.
 */
enum describe_boots describe_otadata_boots(const struct otadata_entry e[2], int active,
					   const struct describe_ota_slots *slots, unsigned *slot);

/* 1 when @data looks like an otadata image: whole sectors, erased but for the entries. */
int describe_otadata_like(const uint8_t *data, size_t len);

/* At least OTADATA_MIN_SIZE bytes of otadata into @n; @slots may be NULL (unknown). */
void describe_otadata(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data,
		      size_t len, uint64_t base, const struct describe_ota_slots *slots,
		      const char *where);

/* ---- describe_nvs.c: NVS partitions ---- */

/* 1 when @data looks like NVS: whole pages, the first ACTIVE or FULL with a right CRC. */
int describe_nvs_like(const uint8_t *data, size_t len);

/* An NVS partition into @n. Returns 0, or -1 (the decoder's messages unless c->quiet). */
int describe_nvs(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
		 uint64_t base);

/* ---- describe_fs.c: file-system partitions (SPIFFS; FAT) ---- */

/* The file-system kind of @data given alone (IMGINFO_UNKNOWN: none); prints nothing. */
enum imginfo_kind describe_fs_detect(const uint8_t *data, size_t len);

/* The file-system kind a data partition of @subtype holds (IMGINFO_UNKNOWN: none). */
enum imginfo_kind describe_fs_subtype(uint8_t subtype);

/*
 * A file-system image of @kind into @n: its files (class file) and its bytes. When it
 * does not decode: with c->quiet, a problem "fs-decode" at @where, else the reader's
 * message. Returns 0 or -1.
 */
int describe_fs(struct describe_ctx *c, struct imginfo_node *n, enum imginfo_kind kind,
		const uint8_t *data, size_t len, uint64_t base, const char *where);

/* ---- describe_flash.c: whole flash images ---- */

/* Bootloader, table, every partition's content, and bytes no partition covers, into
 * @root. Returns 0, or -1 with a message when no table is found or it does not decode. */
int describe_flash(struct describe_ctx *c, struct imginfo_node *root, const uint8_t *data,
		   size_t len);

/* A range of file offsets [from, to). */
struct describe_span {
	size_t from, to;
};

/*
 * Calls @fn for every range of [0, @len) that no span of @spans covers and that holds
 * a byte other than 0xFF (sorts @spans).
 */
void describe_uncovered(const uint8_t *data, size_t len, struct describe_span *spans, size_t nspan,
			void (*fn)(void *ctx, size_t from, size_t to), void *ctx);

/* The bootloader a flash image starts with. */
struct describe_boot {
	int found;
	size_t off;		 /* file offset */
	uint64_t target;	 /* flash offset of the file's first byte */
	const struct chip *chip; /* set when found */
	/* not found: an image that runs into the table, from file offset @overlap_off to
	 * @overlap_end (0: none) */
	size_t overlap_off, overlap_end;
};

/* A partition of a flash image as describe_flash() saw it. */
struct describe_part {
	struct describe_span file; /* the bytes of it the file holds (empty: none) */
	size_t problems;	   /* problems its content added */
};

/* What describe_check_flash() looks at. */
struct describe_flash_view {
	const uint8_t *data;
	size_t len;
	size_t table_off; /* file offset of the table */
	const struct parttable *pt;
	const struct describe_boot *boot;
	const struct describe_part *parts; /* one per entry of @pt */
};

/* ---- describe_check.c: the checks of --check on a flash image ---- */

/* Adds what would keep a device from booting, or lose data, to the problems. */
void describe_check_flash(struct describe_ctx *c, const struct describe_flash_view *v);

#endif
