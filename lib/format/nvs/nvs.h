/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVS partition images (spec/nvs.md): the CSV the ESP-IDF NVS partition generator
 * reads, the page/entry layout it writes (byte-identical to esp-idf-nvs-partition-gen
 * 0.2.0), and the way back from an image to that CSV. No file access here: file
 * rows are read through a callback the caller supplies.
 */
#ifndef ESPGEN_NVS_H
#define ESPGEN_NVS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define NVS_PAGE_SIZE 4096
#define NVS_ENTRY_SIZE 32
#define NVS_PAGE_ENTRIES 126	 /* entries per page, after header and bitmap (§2) */
#define NVS_KEY_MAX 15		 /* characters; the 16th key byte is the NUL (§3) */
#define NVS_CSV_FIELD_MAX 131072 /* Python csv.field_size_limit() default */

/* Item types (§3). */
enum nvs_type {
	NVS_TYPE_U8 = 0x01,
	NVS_TYPE_I8 = 0x11,
	NVS_TYPE_U16 = 0x02,
	NVS_TYPE_I16 = 0x12,
	NVS_TYPE_U32 = 0x04,
	NVS_TYPE_I32 = 0x14,
	NVS_TYPE_U64 = 0x08,
	NVS_TYPE_I64 = 0x18,
	NVS_TYPE_STR = 0x21,
	NVS_TYPE_BLOB = 0x41,	   /* version 1 blob */
	NVS_TYPE_BLOB_DATA = 0x42, /* version 2 blob chunk */
	NVS_TYPE_BLOB_IDX = 0x48,  /* version 2 blob index */
};

/* Page states (§2). */
#define NVS_PAGE_UNINIT 0xFFFFFFFFu
#define NVS_PAGE_ACTIVE 0xFFFFFFFEu
#define NVS_PAGE_FULL 0xFFFFFFFCu
#define NVS_PAGE_FREEING 0xFFFFFFF8u

/* 1 when the page header at @page (32 bytes) holds its right CRC: of bytes 4..27 (§2). */
int nvs_page_header_ok(const uint8_t *page);

/* One CSV field: @s holds @len bytes of UTF-8 plus a NUL; @s is NULL when the
 * record was too short to have the field (Python's DictReader restval None). */
struct nvs_field {
	char *s;
	size_t len;
};

/* One CSV record, its fields looked up by the header's column names. */
struct nvs_row {
	struct nvs_field key, type, encoding, value;
	unsigned line; /* physical line where the record starts */
};

struct nvs_csv_store;

/*
 * A parsed generator CSV. @missing names a column the header lacks (NULL if none):
 * the generator fails on the first record then, so nvs_generate() does too.
 * The field text of rows that nvs_csv_parse() adds lives in @store, a few large
 * blocks (a field equal to the one above it is shared, not copied), so that a big
 * CSV costs about its own size plus the rows. Rows a caller adds itself (with
 * @store NULL) own their malloc()ed strings instead; one csv holds one kind only.
 */
struct nvs_csv {
	const char *file; /* for messages; not owned */
	struct nvs_row *v;
	size_t n;
	size_t cap;
	const char *missing;
	unsigned header_line;
	struct nvs_csv_store *store;
};

void nvs_csv_init(struct nvs_csv *csv, const char *file);
/* Frees the rows and their text: @store if set, else every field's string. */
void nvs_csv_free(struct nvs_csv *csv);

/*
 * Parses generator CSV text as the generator reads it (§6): strict UTF-8, universal
 * newlines, physical lines starting with '#' dropped, then Python csv.DictReader
 * (excel dialect) with the first remaining record as header. Records are appended
 * to @csv. Returns 0, or -1 with a FILE:LINE message.
 */
int nvs_csv_parse(struct nvs_csv *csv, const uint8_t *data, size_t len);

/*
 * Checks text that is put into a field of a parsed CSV from elsewhere (the devices
 * CSV of a batch filling ${column} placeholders): it must be text the CSV reader
 * would have taken, valid UTF-8 of at most NVS_CSV_FIELD_MAX characters, and hold no
 * NUL, which the C strings it passes through would cut ("ESP\0EVIL" became "ESP").
 * Call it with the value's full length, before any NUL-terminated copy. @what names
 * the value in the message ("device 7: column 'serial'"). Returns 0, or -1 after
 * "FILE:LINE: WHAT: ..." (the value itself is not shown: it may be a secret).
 */
int nvs_csv_check_value(const char *file, unsigned line, const char *what, const char *s,
			size_t len);

/*
 * Why the path of a 'file' row may reach outside the directory it is resolved in,
 * or NULL: it is empty, absolute, holds a NUL or has a '..' component. For rows
 * filled from ${column} values, so that "certs/${cert}" cannot name ../../secret or
 * /etc/shadow. Lexical only: a symbolic link inside the directory is not followed.
 */
const char *nvs_file_path_problem(const char *path, size_t len);

/*
 * Reads the file a 'file' row names into @out. @csv_file/@line locate the row for
 * messages. Returns 0, or -1 after printing a message.
 */
typedef int (*nvs_file_reader)(void *ctx, const char *csv_file, unsigned line, const char *path,
			       struct buf *out);

struct nvs_gen_opts {
	uint64_t size; /* partition size (nvs_size_problem() must accept it) */
	int version;   /* 1 or 2 */
};

/*
 * Why @size is not a partition size the generator accepts (check_size), or NULL:
 * a multiple of 4096, at least 0x1000; below 0x3000 the partition is read-only.
 */
const char *nvs_size_problem(int64_t size);
/* True for sizes below 0x3000: no spare page, output only as long as the data (§5). */
int nvs_size_read_only(uint64_t size);

/*
 * Builds the image of the rows of @csvs (in order, sharing namespace state) into
 * @out (appended), byte-identical to the generator. Every error names FILE:LINE of
 * its row; -1 then, and @out must be discarded.
 */
int nvs_generate(const struct nvs_csv *csvs, size_t ncsvs, const struct nvs_gen_opts *opts,
		 nvs_file_reader reader, void *reader_ctx, struct buf *out);

/* One item read back from an image. */
struct nvs_item {
	uint8_t ns;
	uint8_t type;		   /* primitive, NVS_TYPE_STR, NVS_TYPE_BLOB or NVS_TYPE_BLOB_IDX */
	char key[NVS_KEY_MAX + 2]; /* up to the first NUL of the 16 key bytes */
	uint64_t value;		   /* primitives: the 8 data bytes, little-endian */
	uint8_t *data;		   /* string/blob payload (v2 blobs reassembled); owned */
	size_t len;
	uint32_t page; /* page index in the file and entry of the item */
	unsigned entry;
	size_t seq; /* position in reading order (pages by sequence number) */
};

struct nvs_image {
	struct nvs_item *v;
	size_t n;
	size_t cap;
	int version; /* 1 or 2, from the first page with a header; 0 if none */
	size_t size; /* bytes decoded */
};

void nvs_image_init(struct nvs_image *im);
void nvs_image_free(struct nvs_image *im);

/*
 * Reads every written item of an image, pages in sequence-number order, v2 blobs
 * reassembled from their chunks. Damaged pages/items (bad CRC, bad span) are
 * skipped with a warning naming @file. Returns 0, or -1 with a message when @len is
 * not a whole number of pages or memory runs out.
 */
int nvs_decode(const char *file, const uint8_t *img, size_t len, struct nvs_image *im);

/*
 * Writes the items as generator CSV (header, namespace rows, data rows). For an
 * image the generator made, generating from this CSV with the same size and
 * version gives the same bytes. Items the CSV cannot express are written as '#'
 * comments, with a warning naming @file. Returns 0 or -1.
 */
int nvs_format_csv(const char *file, const struct nvs_image *im, struct buf *out);

/* A file that a decoded CSV's 'file' row names: DIR/@name (DIR given to nvs_decode_csv()). */
struct nvs_decode_file {
	char *name; /* "N-KEY.bin" or "N-KEY.txt": no '/', safe in any file system */
	uint8_t *data;
	size_t len;
};

struct nvs_decode_files {
	struct nvs_decode_file *v;
	size_t n;
	size_t cap;
};

/* Frees the files' names and bytes (they may hold secrets: wiped first). */
void nvs_decode_files_free(struct nvs_decode_files *fs);

/*
 * --decode: the plain image @img of @len bytes as generator CSV into @csv. Values that
 * no CSV field can hold (blobs too large for a field; strings with NUL, CR or bytes
 * that are no UTF-8) become 'file' rows naming "@dir/NAME" and their bytes go into
 * @files; with @dir NULL they cannot be written. For an image laid out as the
 * generator lays it out, the CSV is then proved: generated again (same size and
 * version, @files read from memory) it must give @img byte for byte. Anything that
 * stops that (a value no row can hold, an ap.pmk_info the Wi-Fi keys decoded do not
 * give, any other difference) fails with a message naming the entry: page, entry,
 * namespace and key. Images a device wrote are decoded as nvs_format_csv() does.
 * Returns 0, or -1 after a message (@csv and @files must be discarded then).
 */
int nvs_decode_csv(const char *file, const uint8_t *img, size_t len, const char *dir,
		   struct buf *csv, struct nvs_decode_files *files);

/* ------------------------------------------------------------------------ */
/* nvs_crypt.c, nvs_keys.c: NVS encryption (§8) */

#define NVS_KEYS_LEN 64		     /* XTS-AES-256: data key (eky), then tweak key (tky) */
#define NVS_KEYS_CRC_LEN 68	     /* the keys and their CRC32 (§8.2) */
#define NVS_KEYS_IMAGE_SIZE 4096     /* an nvs_keys partition image: keys, CRC, then 0xFF */
#define NVS_HMAC_KEY_LEN 32	     /* one eFuse key block (§8.3) */
#define NVS_KEYS_FILE_MAX (1u << 20) /* larger key files are refused unread */

/* The keys of an encrypted NVS partition. A secret: nvs_keys_wipe() it after use. */
struct nvs_keys {
	uint8_t bytes[NVS_KEYS_LEN];
};

/*
 * Takes the keys from the @len bytes of a keys file (@name for messages): 64 raw key
 * bytes, or at least 68 whose bytes 64..67 hold the CRC of the first 64 (an nvs_keys
 * partition image; the rest is not looked at). Wrong sizes, a CRC that does not match,
 * an erased (all 0xFF) keys partition and equal key halves are refused. Returns 0, or
 * -1 with a message naming @name and never a key byte (@k wiped then).
 */
int nvs_keys_parse(const char *name, const uint8_t *data, size_t len, struct nvs_keys *k);
/*
 * Reads the keys file @path and takes the keys as nvs_keys_parse() does; core dumps
 * are turned off first and the file's bytes wiped after use. Returns 0, or -1 with a
 * message.
 */
int nvs_keys_load(const char *path, struct nvs_keys *k);
/*
 * Derives the keys from an HMAC key of @len bytes (it must be NVS_HMAC_KEY_LEN) as the
 * runtime does with the eFuse HMAC key (HMAC-SHA256 of two fixed seeds, §8.3).
 * Returns 0, or -1 with a message naming @name.
 */
int nvs_keys_from_hmac(const char *name, const uint8_t *hmac_key, size_t len, struct nvs_keys *k);
/* Reads the HMAC key file @path and derives the keys as nvs_keys_from_hmac() does, with
 * the care of nvs_keys_load(). Returns 0, or -1 with a message. */
int nvs_keys_load_hmac(const char *path, struct nvs_keys *k);
/* New random keys from the kernel's random source (getrandom(2)). Returns 0, or -1
 * with a message. */
int nvs_keys_random(struct nvs_keys *k);
/* The nvs_keys partition image of @k (§8.2). It holds the keys: secret_wipe() it. */
void nvs_keys_image(const struct nvs_keys *k, uint8_t out[NVS_KEYS_IMAGE_SIZE]);
/* Writes the nvs_keys partition image of @k to @path atomically, mode 0600 & ~umask
 * from its first byte on. Returns 0, or -1 with a message. */
int nvs_keys_write(const char *path, const struct nvs_keys *k);
/* Overwrites the keys with zeros. */
void nvs_keys_wipe(struct nvs_keys *k);

/*
 * Encrypts a plain image of @len bytes in place (§8.1): every entry the bitmap marks as
 * used is replaced by its XTS-AES-256 encryption under @k, the tweak being the entry's
 * offset in the partition; page headers, bitmaps and empty entries stay as they are.
 * Byte-identical to the generator's encrypt for the images nvs_generate() makes.
 * Returns 0, or -1 with a message naming @file (a length that is no whole number of pages).
 */
int nvs_encrypt(const char *file, const struct nvs_keys *k, uint8_t *img, size_t len);
/*
 * Decrypts an encrypted image in place as the generator's decrypt does (§8.4): every
 * entry that is not all 0xFF. Then checks that the key was the right one: when most
 * used entries still fail their item CRC, -1 is returned with a message naming @file
 * that says so, and @img holds garbage (a plain image given here fails the same way).
 * Returns 0, or -1 with a message naming @file.
 */
int nvs_decrypt(const char *file, const struct nvs_keys *k, uint8_t *img, size_t len);

/*
 * 1 when @img looks like an encrypted NVS partition: its page headers are right, but most
 * of the used entries are no item with a right CRC (which a plain image's are). 0 for a
 * plain image, one with no used entries, or one that is no NVS partition at all.
 */
int nvs_looks_encrypted(const uint8_t *img, size_t len);

#endif
