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
#include "parttable.h"

/* One imginfo_describe() call. */
struct describe_ctx {
	const struct imginfo_opts *opts;
	const char *file;
	struct imginfo_node *problems;
	int quiet; /* probing: decoder messages are swallowed */
};

/* ---- describe.c: pieces every describer uses ---- */

/* Adds "WHERE: msg" (just "msg" when @where is "" or NULL) to the problems list. */
void describe_problem(struct describe_ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Size, erased or not, SHA-256 of @len bytes at file offset @file_off, and the bytes
 * themselves for imginfo_diff() to compare. */
void describe_bytes(struct imginfo_node *n, const uint8_t *p, size_t len, uint64_t file_off);

/* Longest digest describe_digest() takes. */
#define DESCRIBE_DIGEST_MAX 32

/*
 * A stored digest against the one computed (@n bytes each, at most DESCRIBE_DIGEST_MAX)
 * into @d: "stored", with @show_calc "computed" (shown, not compared), "status" and the
 * one-line form; @stored NULL: there is none. A mismatch is a problem
 * "WHAT STORED invalid, expected COMPUTED".
 */
void describe_digest(struct describe_ctx *c, struct imginfo_node *d, const char *what,
		     const uint8_t *stored, const uint8_t *calc, size_t n, int show_calc,
		     const char *where);

/* ---- describe_app.c: app and bootloader images ---- */

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
	unsigned count; /* ota_0.. consecutive */
	int has_factory;
	int known; /* described inside a flash image */
};

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

/* ---- describe_flash.c: whole flash images ---- */

/* Bootloader, table, every partition's content, and bytes no partition covers, into
 * @root. Returns 0, or -1 with a message when no table is found or it does not decode. */
int describe_flash(struct describe_ctx *c, struct imginfo_node *root, const uint8_t *data,
		   size_t len);

#endif
