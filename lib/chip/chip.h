/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ESP32-family chip table (spec/app-image.md §1.4, §4; spec/flash-layout.md):
 * image chip ids, memory maps, flash-mapped ranges, MMU page sizes, flash
 * parameter encodings and bootloader offsets, as esptool v5.3.1 defines them.
 * Data only: every per-chip difference is a field here, not an if in a tool.
 */
#ifndef ESPGEN_CHIP_H
#define ESPGEN_CHIP_H

#include <stddef.h>
#include <stdint.h>

#include "sbkey.h"

/* ELF e_machine values an ESP image may come from (app-image.md §5.1). */
#define CHIP_EM_XTENSA 0x5E
#define CHIP_EM_RISCV 0xF3

/* Bits of chip.elf_machines. Xtensa chips also accept RISC-V ELFs (their ULP
 * coprocessors are RISC-V and esptool never looks at the code). */
#define CHIP_ELF_XTENSA 1u
#define CHIP_ELF_RISCV 2u

/* Bits of chip.secure_boot: the Secure Boot flavours the chip's ROM verifies
 * (spec/secure-boot.md §1, §2.2). */
#define CHIP_SB_V1 1u	    /* Secure Boot v1: one ECDSA P-256 signature appended */
#define CHIP_SB_V2_RSA 2u   /* Secure Boot v2 with RSA-3072 blocks */
#define CHIP_SB_V2_ECDSA 4u /* Secure Boot v2 with ECDSA P-192, P-256 or P-384 blocks */

/* Flash-encryption schemes (spec/flash-encryption.md §1). */
enum chip_flashenc {
	CHIP_FE_NONE,  /* no flash encryption in ESP-IDF's soc_caps */
	CHIP_FE_ESP32, /* ESP32: AES-256, key tweaked per 32 bytes by FLASH_CRYPT_CONF (§3) */
	CHIP_FE_XTS,   /* XTS-AES over 128-byte data units (§4) */
};

/* Bits of chip.flashenc_keys: the key file sizes the chip can use (§1, §2). */
#define CHIP_FEK_16 1u /* 16 bytes, XTS-AES-128 key = their SHA-256 (esp32c2) */
#define CHIP_FEK_24 2u /* 24 bytes: ESP32 192-bit key (3/4 coding scheme) */
#define CHIP_FEK_32 4u /* 32 bytes: ESP32 AES-256, or XTS-AES-128 */
#define CHIP_FEK_64 8u /* 64 bytes: XTS-AES-256 */

#define CHIP_MAX_MMU_SIZES 4
#define CHIP_DEFAULT_MMU_PAGE 0x10000

/* One [start, end) range of a chip's address space and its memory type name. */
struct chip_region {
	uint32_t start;
	uint32_t end;
	const char *name;
};

/* A --flash-freq spelling and the low nibble of image header byte 3. */
struct chip_freq {
	const char *name;
	uint8_t code;
};

struct chip {
	const char *name;		      /* --chip spelling: "esp32c3" */
	const char *title;		      /* "ESP32-C3" */
	uint16_t image_chip_id;		      /* extended header chip_id */
	unsigned elf_machines;		      /* CHIP_ELF_* bits: ELF e_machine values accepted */
	uint32_t irom_start, irom_end;	      /* flash-mapped instruction range */
	uint32_t drom_start, drom_end;	      /* flash-mapped data range */
	uint32_t bootloader_offset;	      /* flash offset of the 2nd stage bootloader */
	const struct chip_region *memory_map; /* esptool MEMORY_MAP, in its order */
	size_t memory_map_len;
	const struct chip_freq *freqs; /* accepted --flash-freq values */
	size_t freqs_len;
	/* Configurable MMU page sizes, ascending; none: fixed 64 KB. */
	uint32_t mmu_sizes[CHIP_MAX_MMU_SIZES];
	size_t mmu_sizes_len;
	int esp32_tail_fix; /* zero-extend flash segments ending < 0x24 past a page */
	int secure_pad_v1;  /* --secure-pad (Secure Boot v1) applies */
	uint16_t default_min_rev_full;
	uint16_t default_max_rev_full;
	/* Loadable memory esptool's MEMORY_MAP lacks (ESP-IDF soc.h), for the address
	 * check only: it never changes a memory type list. */
	const struct chip_region *extra_map;
	size_t extra_map_len;
	/* CHIP_SB_* bits. 0 where the spec does not say: a wrong guess would give an
	 * image the ROM refuses, so such a chip is only signed by esp-sign. */
	unsigned secure_boot;
	/* Oldest revision (major*100+minor) whose ROM has Secure Boot v2; 0: all. */
	uint16_t sb_v2_min_rev_full;
	enum chip_flashenc flashenc; /* flash-encryption scheme */
	unsigned flashenc_keys;	     /* CHIP_FEK_* bits: key file sizes accepted */
	/* UF2 family ID of merge-bin --format uf2 (esptool UF2_FAMILY_ID, flash-layout.md
	 * §5); esp32e22 sets none and inherits ESP32's. */
	uint32_t uf2_family;
};

/* Looks a chip up by its --chip name ("esp32s3"; as esptool, any case, and "-", "("
 * and ")" are ignored: "ESP32-S3" works). NULL when unknown. */
const struct chip *chip_find(const char *name);
/* Looks a chip up by image chip_id. NULL when unknown. */
const struct chip *chip_by_image_id(uint16_t id);
/* The table, for listing: index 0..chip_count()-1. */
size_t chip_count(void);
const struct chip *chip_at(size_t i);
/* Space-separated list of every chip name, for usage and error messages. */
const char *chip_names(void);
/* The first chip of the table with UF2 family ID @family (esp32 for the ID esp32 and
 * esp32e22 share). NULL when none has it. */
const struct chip *chip_by_uf2_family(uint32_t family);

/* Flash parameter codes of image header bytes 2 and 3 (app-image.md §1.1, §1.4).
 * Each returns 0 and stores the code, or -1 (no message) for a spelling the chip
 * does not accept. NULL @freq means "not given": code 0, the chip's default. */
int chip_flash_mode_code(const char *mode, uint8_t *code);
int chip_flash_freq_code(const struct chip *c, const char *freq, uint8_t *code);

/* The name of frequency code @code, as esptool's image_info names it: the first name in
 * the chip's table with that code (esp32c6's code 0 is "80m"). NULL when none has it. */
const char *chip_flash_freq_name(const struct chip *c, uint8_t code);
int chip_flash_size_code(const char *size, uint8_t *code);
/* Flash size in bytes of a --flash-size spelling ("4MB"), or 0 when not one. */
uint64_t chip_flash_size_bytes(const char *size);
/* Space-separated accepted spellings, for error messages. */
const char *chip_flash_modes(void);
const char *chip_flash_sizes(void);

/* Spellings chip_flash_size_parse() takes besides the chips' own 1MB..128MB. */
#define CHIP_FS_KEEP 1u	 /* "keep": the size an image already has (0 bytes) */
#define CHIP_FS_SMALL 2u /* 256KB and 512KB (ESP8266 sizes esptool still takes) */
#define CHIP_FS_C1 4u	 /* 2MB-c1 and 4MB-c1 (ESP8266 layouts of those sizes) */
/*
 * The one parser of flash size spellings, as esptool's command line has them:
 * 1MB..128MB, plus the CHIP_FS_* extras in @accept. Stores the size in bytes (0 for
 * "keep") and returns 0, or returns -1 (no message: each tool words its own).
 */
int chip_flash_size_parse(const char *size, unsigned accept, uint64_t *bytes);
/* Writes what chip_flash_size_parse(@accept) takes, space-separated and ascending
 * ("keep 256KB 512KB 1MB ..."), into @out, for error messages. */
void chip_flash_size_list(unsigned accept, char *out, size_t outlen);
/* Writes the chip's accepted frequencies ("80m 40m 26m 20m") into @out. */
void chip_flash_freqs(const struct chip *c, char *out, size_t outlen);

/* 1 when an ELF with machine @e_machine may be turned into an image for @c. */
int chip_elf_machine_ok(const struct chip *c, unsigned e_machine);
/* 1 when @addr is inside the chip's IROM or DROM flash-mapped range. */
int chip_is_flash_addr(const struct chip *c, uint32_t addr);
/*
 * The memory type list of @addr as esptool computes it: the names of every
 * memory map range containing it, in map order. Stores up to @max names, returns
 * how many there are.
 */
size_t chip_memory_types(const struct chip *c, uint32_t addr, const char **names, size_t max);
/* 1 when the two addresses have equal memory type lists (merging rule, §5.3). */
int chip_same_memory_types(const struct chip *c, uint32_t a, uint32_t b);
/*
 * 1 when some byte of [addr, addr+len) lies in the chip's address space: the
 * memory map ranges (except the PADDING pseudo range), the extra ranges and the
 * flash-mapped ranges. An empty range is checked at its start address.
 * A range that touches none was linked for another chip; one that runs past a
 * region's edge is still taken, as esptool takes it (a first PT_LOAD segment that
 * holds the ELF headers starts just below the flash-mapped range).
 */
int chip_range_touches(const struct chip *c, uint32_t addr, uint32_t len);
/* 1 when @size is a valid MMU page size for @c (64 KB only on fixed chips). */
int chip_mmu_size_valid(const struct chip *c, uint32_t size);

/* 1 when the ROM of @c verifies Secure Boot @version (1 or 2) images at all. */
int chip_sb_version_ok(const struct chip *c, int version);
/* 1 when the ROM of @c verifies Secure Boot @version signatures of a @scheme key. */
int chip_sb_scheme_ok(const struct chip *c, int version, enum sbkey_scheme scheme);
/* The Secure Boot v2 schemes the ROM of @c verifies, for messages:
 * "RSA-3072", "ECDSA (P-192, P-256, P-384)", or both joined by " or ". */
const char *chip_sb_v2_schemes(const struct chip *c);

/* The flash-encryption scheme of @c (CHIP_FE_NONE when it has none). */
enum chip_flashenc chip_flashenc_scheme(const struct chip *c);
/* 1 when @c can use a flash-encryption key file of @len bytes. */
int chip_flashenc_key_ok(const struct chip *c, size_t len);
/* The key file sizes @c takes, for messages: "32", "32 or 64", "32 or 16", "32 or 24";
 * "none" without flash encryption. */
const char *chip_flashenc_key_sizes(const struct chip *c);

#endif
