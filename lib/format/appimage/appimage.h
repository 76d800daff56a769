/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ESP app images (spec/app-image.md): the segment model, esptool elf2image's
 * merge and layout rules (encoder), and a checked reader (decoder). Format
 * knowledge only: no file access. Messages name @file (the ELF or image path).
 */
#ifndef ESPGEN_APPIMAGE_H
#define ESPGEN_APPIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chip.h"
#include "hash.h"

#define APPIMAGE_MAGIC 0xE9	    /* §1.1 */
#define APPIMAGE_CHECKSUM_SEED 0xEF /* §2 */
#define APPIMAGE_HEADER_LEN 24	    /* image header + extended header */
#define APPIMAGE_SEG_HEADER_LEN 8
#define APPIMAGE_MAX_ELF_SEGMENTS 16 /* verify() limit, before padding segments (§1.3) */
#define APPIMAGE_MAX_SEG_LEN 0x1000000
#define APPIMAGE_WP_PIN_DISABLED 0xEE
#define APPIMAGE_DESC_MAGIC 0xABCD5432u /* esp_app_desc_t.magic_word (§6) */
#define APPIMAGE_DESC_LEN 256
#define APPIMAGE_DESC_SHA_OFFSET 0x90 /* app_elf_sha256 inside esp_app_desc_t */
#define APPIMAGE_DESC_MMU_OFFSET 0xB4 /* mmu_page_size (log2) */
#define APPIMAGE_AUTO_SHA_OFFSET 0xB0 /* 0x20 + 0x90 */

/* One segment on its way into an image: ELF section, PT_LOAD segment or a piece. */
struct appimage_seg {
	char *name; /* owned */
	uint32_t addr;
	uint32_t align; /* sh_addralign / p_align; used by --ram-only-header merging */
	uint8_t *data;	/* owned, @len bytes (capacity @cap) */
	size_t len;
	size_t cap;
};

struct appimage_seglist {
	struct appimage_seg *v;
	size_t n;
	size_t cap;
};

/*
 * Appends a segment, taking ownership of @name and @data (both malloc'd), and
 * zero-pads it to a multiple of 4 bytes as esptool does when it loads a section.
 * On failure frees them, prints, returns -1.
 */
int appimage_seg_add(struct appimage_seglist *l, char *name, uint32_t addr, uint32_t align,
		     uint8_t *data, size_t len);
void appimage_seglist_free(struct appimage_seglist *l);

/*
 * Sorts by address when @ram_only_header (stable), then merges every segment into
 * its predecessor when it starts where that one ends and both start in the same
 * memory types of @c (§5.3). Returns 0, or -1 with a message (out of memory; with
 * @ram_only_header, a segment other than the first with alignment 0).
 */
int appimage_merge(const struct chip *c, struct appimage_seglist *l, int ram_only_header);

struct appimage_opts {
	const struct chip *chip;
	const char *file;	 /* for messages */
	uint8_t flash_mode;	 /* header byte 2 */
	uint8_t flash_size_freq; /* header byte 3 */
	uint32_t entry;
	uint8_t min_rev;
	uint16_t min_rev_full;
	uint16_t max_rev_full;
	int append_digest; /* ignored (off) with ram_only_header */
	int secure_pad;	   /* 0, 1 (v1) or 2 (v2) */
	int ram_only_header;
	uint32_t mmu_page_size;	  /* IROM_ALIGN */
	int elf_sha256_set;	  /* patch elf_sha256 in at elf_sha256_offset */
	int elf_sha256_check_desc; /* the offset was asked for: warn unless it is in an app descriptor */
	int64_t elf_sha256_offset;
	uint8_t elf_sha256[SHA256_LEN];
	uint64_t pad_to_size; /* 0: none; else 0xFF-pad the file to a multiple */
};

/*
 * Lays the segments out as esptool's ESP32FirmwareImage.save() does (§5.4-§7) and
 * appends the image to @out. @l is consumed: segment data is freed as it is
 * written, so the list is empty afterwards. Returns 0, or -1 with a message (then
 * @out->len is what it was before).
 */
int appimage_encode(const struct appimage_opts *o, struct appimage_seglist *l, struct buf *out);

/*
 * The MMU page size elf2image uses (§5.2). @opt is the --flash-mmu-page-size value
 * in bytes or 0 when not given; @desc/@desc_len/@desc_addr describe the first ELF
 * section whose name contains ".flash.appdesc" (@desc NULL when there is none).
 * Returns 0 and stores the size, or -1 with a message.
 */
int appimage_mmu_page_size(const struct chip *c, const char *file, uint32_t opt,
			   const uint8_t *desc, size_t desc_len, uint32_t desc_addr, uint32_t *out);

/* ---- reader ---- */

#define APPIMAGE_MAX_SEGS 255

/*
 * A NUL-padded char array of a descriptor. The device prints it with %s, so @s holds
 * the text up to the first NUL; any non-zero bytes after that NUL (which esptool shows
 * joined to the text) are kept in @tail, through the last non-zero one, so a reader can
 * say they exist.
 */
struct appimage_text {
	char s[33];
	uint8_t tail[32];
	size_t tail_len;
};

struct appimage_desc {
	uint32_t magic;
	uint32_t secure_version;
	struct appimage_text version;
	struct appimage_text project_name;
	struct appimage_text time;
	struct appimage_text date;
	struct appimage_text idf_ver;
	uint8_t app_elf_sha256[SHA256_LEN];
	uint16_t min_efuse_blk_rev_full;
	uint16_t max_efuse_blk_rev_full;
	uint8_t mmu_page_size; /* log2, 0 = not set */
};

/* esp_bootloader_desc_t (ESP-IDF v5.2+), 80 bytes at the start of a bootloader's DRAM segment. */
#define APPIMAGE_BOOTDESC_LEN 80
#define APPIMAGE_BOOTDESC_MAGIC 0x50

struct appimage_bootdesc {
	uint8_t secure_version;
	uint32_t version;
	struct appimage_text idf_ver;
	struct appimage_text date_time;
};

struct appimage_info {
	uint8_t seg_count;
	uint8_t flash_mode;
	uint8_t flash_size_freq;
	uint32_t entry;
	uint8_t wp_pin;
	uint8_t spi_pin_drv[3];
	uint16_t chip_id;
	uint8_t min_rev;
	uint16_t min_rev_full;
	uint16_t max_rev_full;
	uint8_t hash_appended;
	const struct chip *chip; /* by chip_id; NULL when unknown */
	struct {
		uint32_t addr;
		uint32_t len;
		size_t hdr_offset;  /* file offset of the 8-byte header */
		size_t data_offset; /* file offset of the data */
	} segs[APPIMAGE_MAX_SEGS];
	size_t nsegs;
	size_t checksum_offset; /* file offset of the checksum byte */
	uint8_t checksum_stored;
	uint8_t checksum_calc;
	size_t image_len; /* bytes through the checksum (digest input) */
	int digest_valid; /* hash_appended: stored digest == computed */
	size_t digest_have; /* hash_appended: digest bytes in the file, < 32 when cut short */
	uint8_t digest_stored[SHA256_LEN];
	uint8_t digest_calc[SHA256_LEN];
	size_t end;	 /* image_len + digest_have */
	size_t trailing; /* file bytes after @end (padding, hidden segments) */
	int has_desc;	 /* an esp_app_desc_t starts the first DROM segment */
	size_t desc_offset;
	struct appimage_desc desc;
	int has_bootdesc; /* no DROM segment, an esp_bootloader_desc_t starts a DRAM one */
	size_t bootdesc_offset;
	struct appimage_bootdesc bootdesc;
};

/*
 * Parses and checks an image: header, extended header, every segment length
 * against the data, checksum and digest (recomputed; mismatches are reported in
 * the struct, not as errors). Returns 0, or -1 with a message naming @file for
 * bytes that are not an image (bad magic, truncated, hash_appended not 0/1).
 * Never reads outside [data, data+len).
 */
int appimage_decode(const uint8_t *data, size_t len, const char *file, struct appimage_info *out);

/* Whether @data starts as an app image does (the magic byte, §1.1): what tells an
 * image from other data before it is read. */
int appimage_has_magic(const uint8_t *data, size_t len);

/*
 * Length of the image in @data through its checksum byte (the SHA-256 digest, if
 * any, follows it), read as esptool's image loader and verify() read it: the magic,
 * a hash_appended flag of 0 or 1, every segment inside @len, at most 16 segments.
 * The same reader as appimage_decode(). Returns 0, or -1 (no message) when @data is
 * not such an image.
 */
int appimage_length(const uint8_t *data, size_t len, size_t *image_len);

/* Parses a 256-byte esp_app_desc_t. Returns 0, or -1 (no message) if the magic is wrong. */
int appimage_desc_parse(const uint8_t *p, size_t len, struct appimage_desc *out);

/* Parses an 80-byte esp_bootloader_desc_t. Returns 0, or -1 (no message) if the magic
 * byte is wrong or @len is short. */
int appimage_bootdesc_parse(const uint8_t *p, size_t len, struct appimage_bootdesc *out);

#endif
