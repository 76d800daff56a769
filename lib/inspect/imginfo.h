/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imginfo: what an image holds, and how two images differ. Bytes in, a description
 * tree out (kind detection, then the per-kind decoders of lib/appimage, parttable,
 * otadata, nvs and sbsign); two trees in, a list of classified differences out.
 * Pure functions: no file access; nothing printed except decoder errors. Probing
 * for the kind uses diag_capture_begin()/end() to silence decoders, so do not call
 * these inside a capture of your own (captures do not nest).
 */
#ifndef ESPGEN_IMGINFO_H
#define ESPGEN_IMGINFO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "buf.h"
#include "nvs.h"
#include "sbkey.h"

/* What a file is (imginfo_detect()). */
enum imginfo_kind {
	IMGINFO_UNKNOWN,
	IMGINFO_APP,	    /* app image (possibly signed) */
	IMGINFO_BOOTLOADER, /* second stage bootloader image (possibly signed) */
	IMGINFO_PARTTABLE,  /* binary partition table */
	IMGINFO_OTADATA,    /* otadata partition */
	IMGINFO_NVS,	    /* NVS partition */
	IMGINFO_FLASH,	    /* whole flash image: bootloader, table, partitions */
	IMGINFO_SIGNED,	    /* other data with a Secure Boot v2 signature sector */
	IMGINFO_SPIFFS,	    /* SPIFFS partition (spiffsgen's default options) */
	IMGINFO_FAT,	    /* FAT partition, with or without wear levelling */
};

/* Classes of differences, for --ignore (order is the bit order of a class mask). */
enum imginfo_class {
	IMGINFO_CLASS_HEADER,	  /* image header / extended header field */
	IMGINFO_CLASS_APPDESC,	  /* app descriptor field other than the ELF SHA-256 */
	IMGINFO_CLASS_ELF_SHA256, /* the app descriptor's ELF SHA-256 */
	IMGINFO_CLASS_DIGEST,	  /* checksum byte or appended SHA-256 */
	IMGINFO_CLASS_SIGNATURE,  /* Secure Boot signature blocks */
	IMGINFO_CLASS_PARTITION,  /* partition table entry (or MD5 row) */
	IMGINFO_CLASS_CONTENT,	  /* segment data, partition data, layout of either */
	IMGINFO_CLASS_OTADATA,	  /* otadata entries */
	IMGINFO_CLASS_FILE,	  /* a file of a file-system partition: added, removed, changed */
	IMGINFO_CLASS_COUNT,
};

enum imginfo_type {
	IMGINFO_OBJ,  /* named children */
	IMGINFO_LIST, /* children matched by id */
	IMGINFO_STR,
	IMGINFO_UINT,
	IMGINFO_TEXT, /* multi-line text block */
};

/* imginfo_node.flags */
enum {
	IMGINFO_F_HEX = 1,     /* print a number in hex */
	IMGINFO_F_POS = 2,     /* a position: a change is a move */
	IMGINFO_F_NODIFF = 4,  /* shown, never compared (repeats another field) */
	IMGINFO_F_DERIVED = 8, /* a digest or signature over other bytes (see imginfo_diff) */
	IMGINFO_F_SCOPE = 16,  /* one image: where derived differences are judged */
	IMGINFO_F_ATOM = 32,   /* an object compared as one value, its @str (a file) */
};

/*
 * One node of a description. Leaves carry a value; objects and lists carry
 * children. Any node may also carry a byte range (@data, borrowed from the input)
 * that imginfo_diff() compares byte by byte when both sides have one.
 */
struct imginfo_node {
	char *key; /* field name; for list items the label shown */
	char *id;  /* list items: what matches items of two lists (NULL: the key) */
	enum imginfo_type type;
	unsigned flags;
	enum imginfo_class cls; /* class of a difference found in or below this node */
	uint64_t num;		/* UINT value */
	char *str;		/* STR/TEXT value; UINT meaning ("dio"); ATOM value; or NULL */
	char *line;		/* text form of a whole object on one line, or NULL */
	const uint8_t *data;	/* compared bytes, or NULL */
	size_t len;
	uint64_t file_off; /* file offset of data[0] */
	uint32_t addr;	   /* load address of data[0] when has_addr */
	int has_addr;
	size_t skip_off, skip_len; /* a part of @data compared field by field instead */
	void *owned; /* memory @data points into that the node owns (a decrypted copy), or NULL */
	struct imginfo_node **kids;
	size_t nkids, cap;
};

struct imginfo_opts {
	const struct sbkey *pubkey; /* verify signatures with it; NULL: do not */
	/* Also look for what keeps a device from booting or loses data (esp-imginfo
	 * --check): in a flash image the bootloader's place, the flash size, each app
	 * partition's image, what the otadata starts, bytes outside every partition;
	 * with @pubkey, images without a signature. Found problems join the others. */
	int check;
	/* Decrypt encrypted NVS partitions with these keys (esp-imginfo --nvs-key,
	 * --hmac-key); NULL: describe them as encrypted, items not decoded. */
	const struct nvs_keys *nvs_keys;
};

/* The kind of @len bytes, by content only. Prints nothing. */
enum imginfo_kind imginfo_detect(const uint8_t *data, size_t len);
/* "app image", "partition table", ... */
const char *imginfo_kind_name(enum imginfo_kind kind);

/* "header", "appdesc", "elf-sha256", "digest", "signature", "partition", "content", "otadata",
 * "file". */
const char *imginfo_class_name(enum imginfo_class cls);
/* Parses a class name. Returns 0, or -1 (no message). */
int imginfo_class_parse(const char *name, enum imginfo_class *cls);
/* Space-separated class names, for usage text. */
const char *imginfo_class_names(void);

/*
 * Describes @len bytes (named @file in messages). The tree borrows @data, which must
 * outlive it. Returns 0 and a tree for imginfo_node_free(), or -1 with a message when
 * the bytes are no known kind or cannot be decoded (truncated, garbage).
 */
int imginfo_describe(const uint8_t *data, size_t len, const char *file,
		     const struct imginfo_opts *opts, struct imginfo_node **out);
void imginfo_node_free(struct imginfo_node *n);

/*
 * Decrypts in place the regions of the flash image @img that a device with flash
 * encryption holds encrypted (bootloader, partition table, apps, otadata, nvs_keys,
 * partitions flagged encrypted), with the key file's @keylen bytes @key; the chip is
 * the one whose bootloader decrypts to a header for it. Erased blocks stay as they are.
 * Each decrypted region becomes an item of the list @decrypted (imginfo_node_list()).
 * Returns 0, or -1 with a message naming @file.
 */
int imginfo_flash_decrypt(const char *file, const uint8_t *key, size_t keylen, struct buf *img,
			  struct imginfo_node *decrypted);

/*
 * When @b holds a UF2 file (magic numbers first) or Intel HEX text (first byte ':'),
 * replaces it by the flash content it carries, laid out from address 0 with 0xFF between
 * as esp-mkflash --format raw writes it, and sets *@container to a description of the
 * container (format, blocks or records, runs) for imginfo_container_add(); any other
 * content is left alone (*@container NULL). Returns 0, or -1 with a message naming @file
 * and the block offset or HEX line that is wrong.
 */
int imginfo_container_load(const char *file, struct buf *b, struct imginfo_node **container);
/* Puts @container (owned from now on; NULL: nothing) first in the description @root. It is
 * never compared by imginfo_diff(): a .uf2 and a .bin of one content are the same. */
void imginfo_container_add(struct imginfo_node *root, struct imginfo_node *container);

/* A new list node @key, to add to a description with imginfo_node_add(). */
struct imginfo_node *imginfo_node_list(const char *key);
/* Adds @kid (owned by @parent from now on) as the last child of @parent. */
void imginfo_node_add(struct imginfo_node *parent, struct imginfo_node *kid);

/* Number of problems (bad checksum, digest, CRC, MD5, signature) the tree records. */
size_t imginfo_problems(const struct imginfo_node *root);

/* One of them. */
struct imginfo_problem {
	const char *kind;    /* "checksum", "boot", ...: man esp-imginfo lists every kind */
	const char *message; /* "partition factory: checksum 0x12 invalid, expected 0x34" */
	uint64_t offset;     /* file offset of what it is about */
};

/* Problem @i (below imginfo_problems()) into @p; the strings belong to the tree. */
void imginfo_problem(const struct imginfo_node *root, size_t i, struct imginfo_problem *p);

/* The problems as --check prints them: "MESSAGE [KIND]" lines, then "no problems" or
 * "N problem(s)". Returns 0 or -1. */
int imginfo_check_format_text(const struct imginfo_node *root, struct buf *out);
/* The same as JSON: {"problems": [{"kind", "message", "offset"}, ...]}. A new
 * reference, or NULL when out of memory. */
json_t *imginfo_check_to_json(const struct imginfo_node *root);

/* The stable text form, appended to @out. Returns 0 or -1. */
int imginfo_format_text(const struct imginfo_node *root, struct buf *out);
/* The same as JSON. Returns a new reference, or NULL when out of memory. */
json_t *imginfo_to_json(const struct imginfo_node *root);

/* @j (an object, taken over) with "schema_version" (1) and "tool_version" first, as every
 * JSON document espgen writes begins (docs/json.md). NULL when out of memory. */
json_t *imginfo_json_versioned(json_t *j);

/* One difference between two descriptions. */
struct imginfo_diff {
	char *path;		 /* "partitions[factory].content.segments[0x42000020]" */
	char *what;		 /* "0x2 (dio) -> 0x0 (qio)", "3 bytes differ, first at ..." */
	char *old_val, *new_val; /* NULL for byte differences and added/removed items */
	enum imginfo_class cls;
	int derived;	/* a digest or signature that follows other changes */
	unsigned scope; /* which image it belongs to */
	int is_data;	/* byte comparison: the fields below are set */
	uint64_t first; /* offset of the first differing byte in the range */
	uint64_t count; /* differing bytes (a length change counts the extra bytes) */
	uint64_t file_off;
	uint32_t addr;
	int has_addr;
	int ignored;	  /* set by imginfo_diff_judge() */
	int file_ignored; /* set by imginfo_diff_ignore_file() */
};

struct imginfo_difflist {
	struct imginfo_diff *v;
	size_t n, cap;
};

/*
 * Compares two descriptions of the same kind, appending every difference to @out.
 * Returns 0, or -1 with a message (out of memory, kinds differ).
 */
int imginfo_diff(const struct imginfo_node *a, const struct imginfo_node *b,
		 struct imginfo_difflist *out);
void imginfo_difflist_free(struct imginfo_difflist *l);

/*
 * Marks ignored the differences of class file that name the file @spec: "PATH" (the
 * path in the image, "/www/index.html": that file in any file-system partition, or in
 * a file-system image alone) or "PARTITION:PATH" (in that partition only). Call it
 * before imginfo_diff_judge(), which counts them as ignored. Returns how many it marked.
 */
size_t imginfo_diff_ignore_file(struct imginfo_difflist *l, const char *spec);

/*
 * Marks ignored differences: those of a class in @ignore_mask (bit 1 << class), and
 * derived ones (digest, signature) in an image whose other differences are all
 * ignored, since those follow from the ignored changes. Returns the number of
 * differences left (the images count as the same when 0).
 */
size_t imginfo_diff_judge(struct imginfo_difflist *l, unsigned ignore_mask);

/* Text ("PATH: WHAT [CLASS]" lines, then a summary) and JSON forms of a judged list. */
int imginfo_diff_format_text(const struct imginfo_difflist *l, struct buf *out);
json_t *imginfo_diff_to_json(const struct imginfo_difflist *l);

#endif
