/* SPDX-License-Identifier: Apache-2.0 */
#include "chip.h"

#include <stdio.h>
#include <string.h>

/* clang-format off */
/*
 * Memory maps: esptool v5.3.1 esptool/targets/<chip>.py MEMORY_MAP, same order
 * (the order matters: memory type lists are compared as sequences, §5.3).
 */
static const struct chip_region map_esp32[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3F400000, 0x3F800000, "DROM"},
	{0x3F800000, 0x3FC00000, "EXTRAM_DATA"},
	{0x3FF80000, 0x3FF82000, "RTC_DRAM"},
	{0x3FF90000, 0x40000000, "BYTE_ACCESSIBLE"},
	{0x3FFAE000, 0x40000000, "DRAM"},
	{0x3FFE0000, 0x3FFFFFFC, "DIRAM_DRAM"},
	{0x40000000, 0x40070000, "IROM"},
	{0x40070000, 0x40078000, "CACHE_PRO"},
	{0x40078000, 0x40080000, "CACHE_APP"},
	{0x40080000, 0x400A0000, "IRAM"},
	{0x400A0000, 0x400BFFFC, "DIRAM_IRAM"},
	{0x400C0000, 0x400C2000, "RTC_IRAM"},
	{0x400D0000, 0x40400000, "IROM"},
	{0x50000000, 0x50002000, "RTC_DATA"},
};

static const struct chip_region map_esp32s2[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3F000000, 0x3FF80000, "DROM"},
	{0x3F500000, 0x3FF80000, "EXTRAM_DATA"},
	{0x3FF9E000, 0x3FFA0000, "RTC_DRAM"},
	{0x3FF9E000, 0x40000000, "BYTE_ACCESSIBLE"},
	{0x3FF9E000, 0x40072000, "MEM_INTERNAL"},
	{0x3FFB0000, 0x40000000, "DRAM"},
	{0x40000000, 0x4001A100, "IROM_MASK"},
	{0x40020000, 0x40070000, "IRAM"},
	{0x40070000, 0x40072000, "RTC_IRAM"},
	{0x40080000, 0x40800000, "IROM"},
	{0x50000000, 0x50002000, "RTC_DATA"},
};

static const struct chip_region map_esp32s3[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3C000000, 0x3D000000, "DROM"},
	{0x3D000000, 0x3E000000, "EXTRAM_DATA"},
	{0x600FE000, 0x60100000, "RTC_DRAM"},
	{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
	{0x3FC88000, 0x403E2000, "MEM_INTERNAL"},
	{0x3FC88000, 0x3FD00000, "DRAM"},
	{0x40000000, 0x4001A100, "IROM_MASK"},
	{0x40370000, 0x403E0000, "IRAM"},
	{0x600FE000, 0x60100000, "RTC_IRAM"},
	{0x42000000, 0x42800000, "IROM"},
	{0x50000000, 0x50002000, "RTC_DATA"},
};

static const struct chip_region map_esp32c2[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3C000000, 0x3C400000, "DROM"},
	{0x3FCA0000, 0x3FCE0000, "DRAM"},
	{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
	{0x3FF00000, 0x3FF50000, "DROM_MASK"},
	{0x40000000, 0x40090000, "IROM_MASK"},
	{0x42000000, 0x42400000, "IROM"},
	{0x4037C000, 0x403C0000, "IRAM"},
};

static const struct chip_region map_esp32c3[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3C000000, 0x3C800000, "DROM"},
	{0x3FC80000, 0x3FCE0000, "DRAM"},
	{0x3FC88000, 0x3FD00000, "BYTE_ACCESSIBLE"},
	{0x3FF00000, 0x3FF20000, "DROM_MASK"},
	{0x40000000, 0x40060000, "IROM_MASK"},
	{0x42000000, 0x42800000, "IROM"},
	{0x4037C000, 0x403E0000, "IRAM"},
	{0x50000000, 0x50002000, "RTC_IRAM"},
	{0x50000000, 0x50002000, "RTC_DRAM"},
	{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
};

static const struct chip_region map_esp32c5[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x42000000, 0x44000000, "DROM"},
	{0x40800000, 0x40860000, "DRAM"},
	{0x40800000, 0x40860000, "BYTE_ACCESSIBLE"},
	{0x4003A000, 0x40040000, "DROM_MASK"},
	{0x40000000, 0x4003A000, "IROM_MASK"},
	{0x42000000, 0x44000000, "IROM"},
	{0x40800000, 0x40860000, "IRAM"},
	{0x50000000, 0x50004000, "RTC_IRAM"},
	{0x50000000, 0x50004000, "RTC_DRAM"},
	{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
};

/* Also esp32h2 and esp32h21, which inherit it. */
static const struct chip_region map_esp32c6[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x42000000, 0x43000000, "DROM"},
	{0x40800000, 0x40880000, "DRAM"},
	{0x40800000, 0x40880000, "BYTE_ACCESSIBLE"},
	{0x4004AC00, 0x40050000, "DROM_MASK"},
	{0x40000000, 0x4004AC00, "IROM_MASK"},
	{0x42000000, 0x43000000, "IROM"},
	{0x40800000, 0x40880000, "IRAM"},
	{0x50000000, 0x50004000, "RTC_IRAM"},
	{0x50000000, 0x50004000, "RTC_DRAM"},
	{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
};

static const struct chip_region map_esp32c61[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x42000000, 0x44000000, "DROM"},
	{0x40800000, 0x40860000, "DRAM"},
	{0x40800000, 0x40860000, "BYTE_ACCESSIBLE"},
	{0x4004AC00, 0x40050000, "DROM_MASK"},
	{0x40000000, 0x4004AC00, "IROM_MASK"},
	{0x42000000, 0x44000000, "IROM"},
	{0x40800000, 0x40860000, "IRAM"},
	{0x50000000, 0x50004000, "RTC_IRAM"},
	{0x50000000, 0x50004000, "RTC_DRAM"},
	{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
};

static const struct chip_region map_esp32h4[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x42000000, 0x44000000, "DROM"},
	{0x40810000, 0x40860000, "DRAM"},
	{0x40810000, 0x40860000, "BYTE_ACCESSIBLE"},
	{0x40000000, 0x40050000, "DROM_MASK"},
	{0x40000000, 0x40050000, "IROM_MASK"},
	{0x42000000, 0x44000000, "IROM"},
	{0x40810000, 0x40860000, "IRAM"},
	{0x50000000, 0x50004000, "RTC_IRAM"},
	{0x50000000, 0x50004000, "RTC_DRAM"},
	{0x60000000, 0x60100000, "MEM_INTERNAL2"},
};

static const struct chip_region map_esp32p4[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x40000000, 0x4C000000, "DROM"},
	{0x4FF00000, 0x4FFA0000, "DRAM"},
	{0x4FF00000, 0x4FFA0000, "BYTE_ACCESSIBLE"},
	{0x4FC00000, 0x4FC20000, "DROM_MASK"},
	{0x4FC00000, 0x4FC20000, "IROM_MASK"},
	{0x40000000, 0x4C000000, "IROM"},
	{0x4FF00000, 0x4FFA0000, "IRAM"},
	{0x50108000, 0x50110000, "RTC_IRAM"},
	{0x50108000, 0x50110000, "RTC_DRAM"},
	{0x600FE000, 0x60100000, "MEM_INTERNAL2"},
};

static const struct chip_region map_esp32s31[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x40000000, 0x54000000, "DROM"},
	{0x2F000000, 0x2F080000, "DRAM"},
	{0x2F000000, 0x2F080000, "BYTE_ACCESSIBLE"},
	{0x2F800000, 0x2F850000, "DROM_MASK"},
	{0x2F800000, 0x2F850000, "IROM_MASK"},
	{0x40000000, 0x54000000, "IROM"},
	{0x2F000000, 0x2F080000, "IRAM"},
	{0x2E000000, 0x2E008000, "RTC_IRAM"},
	{0x2E000000, 0x2E008000, "RTC_DRAM"},
};

static const struct chip_region map_esp32e22[] = {
	{0x00000000, 0x00010000, "PADDING"},
	{0x3C000000, 0x40000000, "DROM"},
	{0x31000000, 0x31200000, "DRAM"},
	{0x31000000, 0x31200000, "BYTE_ACCESSIBLE"},
	{0x30000000, 0x30120000, "DROM_MASK"},
	{0x30000000, 0x30120000, "IROM_MASK"},
	{0x3C000000, 0x40000000, "IROM"},
	{0x30FE0000, 0x31200000, "IRAM"},
	{0xC0000000, 0xC0008000, "RTC_IRAM"},
	{0xC0000000, 0xC0008000, "RTC_DRAM"},
};

/* ESP-IDF soc/esp32p4 soc.h: TCM and the whole L2 memory (esptool stops DRAM at 0x4FFA0000). */
static const struct chip_region extra_esp32p4[] = {
	{0x30100000, 0x30102000, "TCM"},
	{0x4FF00000, 0x4FFC0000, "L2MEM"},
};

/* FLASH_FREQUENCY tables (app-image.md §1.4), in esptool's order: code 0 is the chip's
 * default, and a reader names a code by its first entry. */
static const struct chip_freq freq_esp32[] = {
	{"80m", 0xF}, {"40m", 0x0}, {"26m", 0x1}, {"20m", 0x2}};
static const struct chip_freq freq_esp32c2[] = {
	{"60m", 0xF}, {"30m", 0x0}, {"20m", 0x1}, {"15m", 0x2}};
/* esp32c6 encodes 80m as 0 on purpose (esptool: wrong MSPI divider in ROM). */
static const struct chip_freq freq_esp32c6[] = {{"80m", 0x0}, {"40m", 0x0}, {"20m", 0x2}};
static const struct chip_freq freq_esp32c5[] = {{"80m", 0xF}, {"40m", 0x0}, {"20m", 0x2}};
static const struct chip_freq freq_esp32h2[] = {
	{"48m", 0xF}, {"24m", 0x0}, {"16m", 0x1}, {"12m", 0x2}};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define MAP(m) m, N(m)
#define FREQ(f) f, N(f)
#define MMU_FIXED {0}, 0
#define MMU_C2 {0x4000, 0x8000, 0x10000}, 3
#define MMU_C6 {0x2000, 0x4000, 0x8000, 0x10000}, 4
#define MMU_S31 {0x8000, 0x10000, 0x20000, 0x40000}, 4
#define NO_EXTRA NULL, 0
#define XT (CHIP_ELF_XTENSA | CHIP_ELF_RISCV)
#define RV CHIP_ELF_RISCV
/*
 * Secure Boot (spec/secure-boot.md §2.2, after the ESP-IDF Secure Boot v2 docs): the
 * schemes, then the oldest revision with v2 (ESP-IDF allows v2 on ESP32 from v3.0).
 * esp32s31 and esp32e22: the spec does not say.
 */
#define SB_ESP32 CHIP_SB_V1 | CHIP_SB_V2_RSA, 300
#define SB_RSA CHIP_SB_V2_RSA, 0
#define SB_ECDSA CHIP_SB_V2_ECDSA, 0
#define SB_BOTH CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA, 0
#define SB_UNKNOWN 0, 0
/*
 * Flash encryption (spec/flash-encryption.md §1, after ESP-IDF soc_caps.h
 * SOC_FLASH_ENCRYPTION_XTS_AES*): the scheme, then the key file sizes.
 */
#define FE_ESP32 CHIP_FE_ESP32, CHIP_FEK_32 | CHIP_FEK_24
#define FE_XTS128 CHIP_FE_XTS, CHIP_FEK_32
#define FE_XTS128_DERIVED CHIP_FE_XTS, CHIP_FEK_32 | CHIP_FEK_16
#define FE_XTS256 CHIP_FE_XTS, CHIP_FEK_32 | CHIP_FEK_64
#define FE_NONE CHIP_FE_NONE, 0

/* esptool v5.3.1 CHIP_DEFS order. */
static const struct chip chips[] = {
	{"esp32", "ESP32", 0, XT, 0x400D0000, 0x40400000, 0x3F400000, 0x3F800000, 0x1000,
	 MAP(map_esp32), FREQ(freq_esp32), MMU_FIXED, 1, 1, 0, 0xFFFF, NO_EXTRA, SB_ESP32,
	 FE_ESP32, 0x1C5F21B0},
	{"esp32s2", "ESP32-S2", 2, XT, 0x40080000, 0x40B80000, 0x3F000000, 0x3F3F0000, 0x1000,
	 MAP(map_esp32s2), FREQ(freq_esp32), MMU_FIXED, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_RSA,
	 FE_XTS256, 0xBFDD4EEE},
	{"esp32s3", "ESP32-S3", 9, XT, 0x42000000, 0x44000000, 0x3C000000, 0x3E000000, 0x0,
	 MAP(map_esp32s3), FREQ(freq_esp32), MMU_FIXED, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_RSA,
	 FE_XTS256, 0xC47E5767},
	{"esp32c3", "ESP32-C3", 5, RV, 0x42000000, 0x42800000, 0x3C000000, 0x3C800000, 0x0,
	 MAP(map_esp32c3), FREQ(freq_esp32), MMU_FIXED, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_RSA,
	 FE_XTS128, 0xD42BA06C},
	{"esp32c2", "ESP32-C2", 12, RV, 0x42000000, 0x42400000, 0x3C000000, 0x3C400000, 0x0,
	 MAP(map_esp32c2), FREQ(freq_esp32c2), MMU_C2, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_ECDSA,
	 FE_XTS128_DERIVED, 0x2B88D29C},
	{"esp32c6", "ESP32-C6", 13, RV, 0x42000000, 0x42800000, 0x42800000, 0x43000000, 0x0,
	 MAP(map_esp32c6), FREQ(freq_esp32c6), MMU_C6, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_BOTH,
	 FE_XTS128, 0x540DDF62},
	{"esp32c61", "ESP32-C61", 20, RV, 0x42000000, 0x42800000, 0x42800000, 0x43000000, 0x0,
	 MAP(map_esp32c61), FREQ(freq_esp32c5), MMU_C6, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_ECDSA,
	 FE_XTS128, 0x77D850C4},
	{"esp32c5", "ESP32-C5", 23, RV, 0x42000000, 0x44000000, 0x42000000, 0x44000000, 0x2000,
	 MAP(map_esp32c5), FREQ(freq_esp32c5), MMU_FIXED, 0, 0, 0, 0xFFFF, NO_EXTRA,
	 SB_BOTH, FE_XTS256, 0xF71C0343},
	/* Core architecture not known to us: both ELF machines accepted. No UF2 family ID
	 * of its own: esptool's class inherits ESP32's. */
	{"esp32e22", "ESP32-E22", 31, XT, 0x3C000000, 0x40000000, 0x3C000000, 0x40000000, 0x0,
	 MAP(map_esp32e22), FREQ(freq_esp32), MMU_FIXED, 0, 0, 0, 0xFFFF, NO_EXTRA,
	 SB_UNKNOWN, FE_NONE, 0x1C5F21B0},
	{"esp32h2", "ESP32-H2", 16, RV, 0x42000000, 0x42800000, 0x42800000, 0x43000000, 0x0,
	 MAP(map_esp32c6), FREQ(freq_esp32h2), MMU_C6, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_BOTH,
	 FE_XTS128, 0x332726F6},
	{"esp32h21", "ESP32-H21", 25, RV, 0x42000000, 0x42800000, 0x42800000, 0x43000000, 0x0,
	 MAP(map_esp32c6), FREQ(freq_esp32h2), MMU_C6, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_RSA,
	 FE_XTS128, 0xB6DD00AF},
	{"esp32p4", "ESP32-P4", 18, RV, 0x40000000, 0x4C000000, 0x40000000, 0x4C000000, 0x2000,
	 MAP(map_esp32p4), FREQ(freq_esp32), MMU_FIXED, 0, 0, 0, 0xFFFF, MAP(extra_esp32p4),
	 SB_BOTH, FE_XTS256, 0x3D308E94},
	{"esp32h4", "ESP32-H4", 28, RV, 0x42000000, 0x42800000, 0x42800000, 0x43000000, 0x2000,
	 MAP(map_esp32h4), FREQ(freq_esp32h2), MMU_C6, 0, 0, 0, 0xFFFF, NO_EXTRA, SB_ECDSA,
	 FE_XTS256, 0x9E0BAA8A},
	{"esp32s31", "ESP32-S31", 32, RV, 0x40000000, 0x54000000, 0x40000000, 0x54000000, 0x2000,
	 MAP(map_esp32s31), FREQ(freq_esp32c5), MMU_S31, 0, 0, 0, 0xFFFF, NO_EXTRA,
	 SB_UNKNOWN, FE_XTS256, 0x3101F7C1},
};

/* clang-format on */

static const char *const flash_modes[] = {"qio", "qout", "dio", "dout"};
/*
 * Every flash size spelling esptool's command line takes, ascending. @extra: the
 * CHIP_FS_* bit a caller must pass to accept it; 0 for ESP32ROM.FLASH_SIZES, whose
 * header code is log2(MB) << 4 (app-image.md §1.4).
 */
static const struct {
	const char *name;
	uint32_t kb;
	unsigned extra;
} flash_sizes[] = {
    {"keep", 0, CHIP_FS_KEEP},	   {"256KB", 256, CHIP_FS_SMALL},
    {"512KB", 512, CHIP_FS_SMALL}, {"1MB", 1 << 10, 0},
    {"2MB", 2 << 10, 0},	   {"2MB-c1", 2 << 10, CHIP_FS_C1},
    {"4MB", 4 << 10, 0},	   {"4MB-c1", 4 << 10, CHIP_FS_C1},
    {"8MB", 8 << 10, 0},	   {"16MB", 16 << 10, 0},
    {"32MB", 32 << 10, 0},	   {"64MB", 64 << 10, 0},
    {"128MB", 128 << 10, 0},
};

/* esptool strip_chip_name(): any case, '-', '(' and ')' ignored ("ESP32-C3" = esp32c3). */
static int name_matches(const char *canon, const char *s)
{
	for (; *s; s++) {
		char c = *s;

		if (c == '-' || c == '(' || c == ')')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *canon++)
			return 0;
	}
	return *canon == '\0';
}

const struct chip *chip_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < N(chips); i++)
		if (name_matches(chips[i].name, name))
			return &chips[i];
	return NULL;
}

const struct chip *chip_by_image_id(uint16_t id)
{
	size_t i;

	for (i = 0; i < N(chips); i++)
		if (chips[i].image_chip_id == id)
			return &chips[i];
	return NULL;
}

const struct chip *chip_by_uf2_family(uint32_t family)
{
	size_t i;

	for (i = 0; i < N(chips); i++)
		if (chips[i].uf2_family == family)
			return &chips[i];
	return NULL;
}

size_t chip_count(void)
{
	return N(chips);
}

const struct chip *chip_at(size_t i)
{
	return i < N(chips) ? &chips[i] : NULL;
}

const char *chip_names(void)
{
	return "esp32 esp32s2 esp32s3 esp32c3 esp32c2 esp32c6 esp32c61 esp32c5 esp32e22 "
	       "esp32h2 esp32h21 esp32p4 esp32h4 esp32s31";
}

int chip_flash_mode_code(const char *mode, uint8_t *code)
{
	size_t i;

	for (i = 0; mode && i < N(flash_modes); i++) {
		if (strcmp(mode, flash_modes[i]) == 0) {
			*code = (uint8_t)i;
			return 0;
		}
	}
	return -1;
}

const char *chip_flash_freq_name(const struct chip *c, uint8_t code)
{
	size_t i;

	for (i = 0; i < c->freqs_len; i++) {
		if (c->freqs[i].code == code)
			return c->freqs[i].name;
	}
	return NULL;
}

int chip_flash_freq_code(const struct chip *c, const char *freq, uint8_t *code)
{
	size_t i;

	if (!freq) {
		*code = 0;
		return 0;
	}
	for (i = 0; i < c->freqs_len; i++) {
		if (strcmp(freq, c->freqs[i].name) == 0) {
			*code = c->freqs[i].code;
			return 0;
		}
	}
	return -1;
}

int chip_flash_size_parse(const char *size, unsigned accept, uint64_t *bytes)
{
	size_t i;

	for (i = 0; size && i < N(flash_sizes); i++) {
		if ((flash_sizes[i].extra & ~accept) == 0 &&
		    strcmp(size, flash_sizes[i].name) == 0) {
			*bytes = (uint64_t)flash_sizes[i].kb << 10;
			return 0;
		}
	}
	return -1;
}

void chip_flash_size_list(unsigned accept, char *out, size_t outlen)
{
	size_t i, pos = 0;
	int n;

	if (outlen)
		out[0] = '\0';
	for (i = 0; i < N(flash_sizes) && pos < outlen; i++) {
		if (flash_sizes[i].extra & ~accept)
			continue;
		n = snprintf(out + pos, outlen - pos, "%s%s", pos ? " " : "", flash_sizes[i].name);
		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

int chip_flash_size_code(const char *size, uint8_t *code)
{
	uint64_t bytes;
	uint8_t log2mb = 0;

	if (chip_flash_size_parse(size, 0, &bytes) < 0)
		return -1;
	while (((uint64_t)1 << (20 + log2mb)) < bytes)
		log2mb++;
	*code = (uint8_t)(log2mb << 4);
	return 0;
}

uint64_t chip_flash_size_bytes(const char *size)
{
	uint64_t bytes;

	return chip_flash_size_parse(size, 0, &bytes) < 0 ? 0 : bytes;
}

const char *chip_flash_modes(void)
{
	return "qio qout dio dout";
}

/* chip_flash_size_list(0) as a constant, which messages can use without a buffer; the
 * unit test holds the two equal. */
const char *chip_flash_sizes(void)
{
	return "1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB";
}

void chip_flash_freqs(const struct chip *c, char *out, size_t outlen)
{
	size_t i, pos = 0;
	int n;

	if (outlen)
		out[0] = '\0';
	for (i = 0; i < c->freqs_len && pos < outlen; i++) {
		n = snprintf(out + pos, outlen - pos, "%s%s", i ? " " : "", c->freqs[i].name);
		if (n < 0)
			return;
		pos += (size_t)n;
	}
}

int chip_elf_machine_ok(const struct chip *c, unsigned e_machine)
{
	if (e_machine == CHIP_EM_XTENSA)
		return (c->elf_machines & CHIP_ELF_XTENSA) != 0;
	if (e_machine == CHIP_EM_RISCV)
		return (c->elf_machines & CHIP_ELF_RISCV) != 0;
	return 0;
}

int chip_is_flash_addr(const struct chip *c, uint32_t addr)
{
	return (addr >= c->irom_start && addr < c->irom_end) ||
	       (addr >= c->drom_start && addr < c->drom_end);
}

size_t chip_memory_types(const struct chip *c, uint32_t addr, const char **names, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < c->memory_map_len; i++) {
		if (addr >= c->memory_map[i].start && addr < c->memory_map[i].end) {
			if (n < max)
				names[n] = c->memory_map[i].name;
			n++;
		}
	}
	return n;
}

int chip_same_memory_types(const struct chip *c, uint32_t a, uint32_t b)
{
	const char *na[32], *nb[32];
	size_t la, lb, i;

	la = chip_memory_types(c, a, na, 32);
	lb = chip_memory_types(c, b, nb, 32);
	if (la != lb || la > 32)
		return la == lb && a == b;
	for (i = 0; i < la; i++)
		if (strcmp(na[i], nb[i]) != 0)
			return 0;
	return 1;
}

static int overlaps(uint64_t start, uint64_t end, uint64_t rs, uint64_t re)
{
	return start < re && rs < end;
}

int chip_range_touches(const struct chip *c, uint32_t addr, uint32_t len)
{
	uint64_t start = addr, end = (uint64_t)addr + (len ? len : 1);
	size_t i;

	for (i = 0; i < c->memory_map_len; i++) {
		const struct chip_region *r = &c->memory_map[i];

		if (strcmp(r->name, "PADDING") != 0 && overlaps(start, end, r->start, r->end))
			return 1;
	}
	for (i = 0; i < c->extra_map_len; i++)
		if (overlaps(start, end, c->extra_map[i].start, c->extra_map[i].end))
			return 1;
	return overlaps(start, end, c->irom_start, c->irom_end) ||
	       overlaps(start, end, c->drom_start, c->drom_end);
}

int chip_mmu_size_valid(const struct chip *c, uint32_t size)
{
	size_t i;

	if (!c->mmu_sizes_len)
		return size == CHIP_DEFAULT_MMU_PAGE;
	for (i = 0; i < c->mmu_sizes_len; i++)
		if (c->mmu_sizes[i] == size)
			return 1;
	return 0;
}

int chip_sb_version_ok(const struct chip *c, int version)
{
	if (version == 1)
		return (c->secure_boot & CHIP_SB_V1) != 0;
	if (version == 2)
		return (c->secure_boot & (CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA)) != 0;
	return 0;
}

int chip_sb_scheme_ok(const struct chip *c, int version, enum sbkey_scheme scheme)
{
	/* v1 has one curve (spec/secure-boot.md §1) */
	if (version == 1)
		return scheme == SB_ECDSA_P256 && (c->secure_boot & CHIP_SB_V1) != 0;
	if (version != 2)
		return 0;
	if (scheme == SB_RSA3072)
		return (c->secure_boot & CHIP_SB_V2_RSA) != 0;
	if (scheme == SB_ECDSA_P192 || scheme == SB_ECDSA_P256 || scheme == SB_ECDSA_P384)
		return (c->secure_boot & CHIP_SB_V2_ECDSA) != 0;
	return 0;
}

const char *chip_sb_v2_schemes(const struct chip *c)
{
	switch (c->secure_boot & (CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA)) {
	case CHIP_SB_V2_RSA:
		return "RSA-3072";
	case CHIP_SB_V2_ECDSA:
		return "ECDSA (P-192, P-256, P-384)";
	case CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA:
		return "RSA-3072 or ECDSA (P-192, P-256, P-384)";
	}
	return "none known";
}

enum chip_flashenc chip_flashenc_scheme(const struct chip *c)
{
	return c->flashenc;
}

int chip_flashenc_key_ok(const struct chip *c, size_t len)
{
	switch (len) {
	case 16:
		return (c->flashenc_keys & CHIP_FEK_16) != 0;
	case 24:
		return (c->flashenc_keys & CHIP_FEK_24) != 0;
	case 32:
		return (c->flashenc_keys & CHIP_FEK_32) != 0;
	case 64:
		return (c->flashenc_keys & CHIP_FEK_64) != 0;
	}
	return 0;
}

const char *chip_flashenc_key_sizes(const struct chip *c)
{
	switch (c->flashenc_keys) {
	case CHIP_FEK_32:
		return "32";
	case CHIP_FEK_32 | CHIP_FEK_64:
		return "32 or 64";
	case CHIP_FEK_32 | CHIP_FEK_16:
		return "32 or 16";
	case CHIP_FEK_32 | CHIP_FEK_24:
		return "32 or 24";
	}
	return "none";
}
