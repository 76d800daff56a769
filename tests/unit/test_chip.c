/* SPDX-License-Identifier: Apache-2.0 */
/* Chip table: lookups, flash parameter codes and size spellings, memory types, address
 * checks, Secure Boot and flash-encryption facts. */
#include "chip.h"

#include <string.h>

#include "check.h"

static void test_lookup(void)
{
	static const struct {
		const char *name;
		uint16_t id;
		uint32_t bl;
	} want[] = {
	    {"esp32", 0, 0x1000},     {"esp32s2", 2, 0x1000},  {"esp32s3", 9, 0},
	    {"esp32c3", 5, 0},	      {"esp32c2", 12, 0},      {"esp32c6", 13, 0},
	    {"esp32c61", 20, 0},      {"esp32c5", 23, 0x2000}, {"esp32h2", 16, 0},
	    {"esp32h21", 25, 0},      {"esp32h4", 28, 0x2000}, {"esp32p4", 18, 0x2000},
	    {"esp32s31", 32, 0x2000}, {"esp32e22", 31, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct chip *c = chip_find(want[i].name);

		CHECK(c != NULL);
		if (!c)
			continue;
		CHECK(c->image_chip_id == want[i].id);
		CHECK(c->bootloader_offset == want[i].bl);
		CHECK(chip_by_image_id(want[i].id) == c);
		CHECK(c->default_min_rev_full == 0 && c->default_max_rev_full == 0xFFFF);
	}
	CHECK(chip_count() == sizeof(want) / sizeof(want[0]));
	CHECK(chip_at(chip_count()) == NULL);
	CHECK(chip_find("esp8266") == NULL);
	CHECK(chip_find("ESP32") == chip_find("esp32"));
	CHECK(chip_find("ESP32-C3") == chip_find("esp32c3"));
	CHECK(chip_find("esp32-c6") != NULL);
	CHECK(chip_find("esp32c") == NULL);
	CHECK(chip_find("esp32c33") == NULL);
	CHECK(chip_find("") == NULL);
	CHECK(chip_find(NULL) == NULL);
	CHECK(chip_by_image_id(0x1234) == NULL);
}

static void test_flash_codes(void)
{
	const struct chip *c3 = chip_find("esp32c3"), *c2 = chip_find("esp32c2");
	const struct chip *c6 = chip_find("esp32c6"), *h2 = chip_find("esp32h2");
	const struct chip *c5 = chip_find("esp32c5");
	uint8_t v = 0xAA;
	char list[64];

	CHECK(chip_flash_mode_code("qio", &v) == 0 && v == 0);
	CHECK(chip_flash_mode_code("qout", &v) == 0 && v == 1);
	CHECK(chip_flash_mode_code("dio", &v) == 0 && v == 2);
	CHECK(chip_flash_mode_code("dout", &v) == 0 && v == 3);
	CHECK(chip_flash_mode_code("QIO", &v) < 0);
	CHECK(chip_flash_mode_code("fastrd", &v) < 0);

	CHECK(chip_flash_size_code("1MB", &v) == 0 && v == 0x00);
	CHECK(chip_flash_size_code("4MB", &v) == 0 && v == 0x20);
	CHECK(chip_flash_size_code("128MB", &v) == 0 && v == 0x70);
	CHECK(chip_flash_size_code("512KB", &v) < 0); /* ESP8266 only */
	CHECK(chip_flash_size_code("2MB-c1", &v) < 0);
	CHECK(chip_flash_size_code("keep", &v) < 0);
	CHECK(chip_flash_size_bytes("16MB") == 16u << 20);
	CHECK(chip_flash_size_bytes("3MB") == 0);

	CHECK(chip_flash_freq_code(c3, NULL, &v) == 0 && v == 0);
	CHECK(chip_flash_freq_code(c3, "80m", &v) == 0 && v == 0xF);
	CHECK(chip_flash_freq_code(c3, "26m", &v) == 0 && v == 0x1);
	CHECK(chip_flash_freq_code(c3, "60m", &v) < 0);
	CHECK(chip_flash_freq_code(c2, "60m", &v) == 0 && v == 0xF);
	CHECK(chip_flash_freq_code(c2, "15m", &v) == 0 && v == 0x2);
	CHECK(chip_flash_freq_code(c2, "80m", &v) < 0);
	CHECK(chip_flash_freq_code(c6, "80m", &v) == 0 && v == 0x0); /* deliberate 0 */
	CHECK(chip_flash_freq_code(c6, "26m", &v) < 0);
	CHECK(chip_flash_freq_code(c5, "80m", &v) == 0 && v == 0xF);
	CHECK(chip_flash_freq_code(h2, "48m", &v) == 0 && v == 0xF);
	CHECK(chip_flash_freq_code(h2, "12m", &v) == 0 && v == 0x2);
	CHECK(chip_flash_freq_code(h2, "80m", &v) < 0);
	chip_flash_freqs(h2, list, sizeof(list));
	CHECK_STR(list, "48m 24m 16m 12m");
	chip_flash_freqs(h2, list, 4);
	CHECK_STR(list, "48m");
	CHECK_STR(chip_flash_freq_name(h2, 0x0), "24m");
	CHECK_STR(chip_flash_freq_name(c2, 0x0), "30m");
	CHECK_STR(chip_flash_freq_name(c6, 0x0), "80m"); /* esptool's name for it */
	CHECK_STR(chip_flash_freq_name(c6, 0x2), "20m");
	CHECK(chip_flash_freq_name(c6, 0xF) == NULL);
}

static void test_memory(void)
{
	const struct chip *e32 = chip_find("esp32"), *c3 = chip_find("esp32c3");
	const struct chip *c6 = chip_find("esp32c6"), *s3 = chip_find("esp32s3");
	const struct chip *p4 = chip_find("esp32p4");
	const char *names[8];

	CHECK(chip_is_flash_addr(c3, 0x3C000020));
	CHECK(chip_is_flash_addr(c3, 0x42000000));
	CHECK(!chip_is_flash_addr(c3, 0x42800000));
	CHECK(!chip_is_flash_addr(c3, 0x3FC88000));
	CHECK(chip_is_flash_addr(e32, 0x400D0020));
	CHECK(!chip_is_flash_addr(e32, 0x40080000));
	CHECK(chip_is_flash_addr(s3, 0x43000000)); /* flash map is wider than MEMORY_MAP IROM */

	CHECK(chip_memory_types(c3, 0x3FC88000, names, 8) == 2);
	CHECK_STR(names[0], "DRAM");
	CHECK_STR(names[1], "BYTE_ACCESSIBLE");
	CHECK(chip_memory_types(c6, 0x42000020, names, 8) == 2);
	CHECK_STR(names[0], "DROM");
	CHECK_STR(names[1], "IROM");
	CHECK(chip_memory_types(c3, 0x10000000, names, 8) == 0);
	CHECK(chip_memory_types(c3, 0x3FC88000, names, 1) == 2); /* count beyond max */

	CHECK(chip_same_memory_types(c3, 0x40380000, 0x40380100));
	CHECK(!chip_same_memory_types(c3, 0x3FC80000, 0x3FC88000)); /* DRAM vs DRAM+BYTE_ACC */
	/* esp32 has two ranges named IROM: equal lists */
	CHECK(chip_same_memory_types(e32, 0x40000000, 0x400D0000));
	CHECK(chip_same_memory_types(c3, 0x10000000, 0x20000000)); /* both empty lists */

	CHECK(chip_range_touches(c3, 0x3FC88000, 0x100));
	CHECK(chip_range_touches(c3, 0x3FCDFF00, 0x20000)); /* DRAM into BYTE_ACCESSIBLE */
	CHECK(chip_range_touches(c3, 0x3FCFFF00, 0x200));   /* runs off the end: taken */
	CHECK(!chip_range_touches(c3, 0x3FD00000, 0x200));  /* wholly past it */
	CHECK(chip_range_touches(e32, 0x3F3FFF20, 0x200));  /* ELF headers below DROM */
	CHECK(!chip_range_touches(e32, 0x3F3FFF20, 0xE0));  /* ... ending where DROM begins */
	CHECK(!chip_range_touches(c3, 0x00001000, 4));	    /* PADDING is no memory */
	CHECK(!chip_range_touches(e32, 0x42000020, 0x100)); /* a C6 address on ESP32 */
	CHECK(chip_range_touches(e32, 0x3FFFFFF8, 4));
	CHECK(chip_range_touches(c3, 0x42000000, 0));
	CHECK(!chip_range_touches(c3, 0xFFFFFFF0, 0x20));
	CHECK(chip_range_touches(p4, 0x30100000, 0x100)); /* TCM */
	CHECK(chip_range_touches(p4, 0x4FFB0000, 0x100)); /* L2MEM past esptool's DRAM range */

	CHECK(chip_mmu_size_valid(c3, 0x10000));
	CHECK(!chip_mmu_size_valid(c3, 0x8000));
	CHECK(chip_mmu_size_valid(c6, 0x2000));
	CHECK(!chip_mmu_size_valid(chip_find("esp32c2"), 0x2000));
	CHECK(chip_mmu_size_valid(chip_find("esp32s31"), 0x40000));

	CHECK(chip_elf_machine_ok(e32, CHIP_EM_XTENSA));
	CHECK(chip_elf_machine_ok(e32, CHIP_EM_RISCV));
	CHECK(chip_elf_machine_ok(c3, CHIP_EM_RISCV));
	CHECK(!chip_elf_machine_ok(c3, CHIP_EM_XTENSA));
	CHECK(!chip_elf_machine_ok(c3, 0x28));
	CHECK(e32->esp32_tail_fix && !c3->esp32_tail_fix);
	CHECK(e32->secure_pad_v1 && !s3->secure_pad_v1);
}

/* The one flash size parser: each tool's set of spellings, and the lists its messages show. */
static void test_flash_sizes(void)
{
	const unsigned all = CHIP_FS_KEEP | CHIP_FS_SMALL | CHIP_FS_C1;
	uint64_t b = 1;
	uint8_t code;
	char list[128];
	size_t i;

	CHECK(chip_flash_size_parse("1MB", 0, &b) == 0 && b == 1u << 20);
	CHECK(chip_flash_size_parse("4MB", 0, &b) == 0 && b == 4u << 20);
	CHECK(chip_flash_size_parse("128MB", 0, &b) == 0 && b == (uint64_t)128 << 20);
	CHECK(chip_flash_size_parse("256KB", 0, &b) < 0);
	CHECK(chip_flash_size_parse("256KB", CHIP_FS_SMALL, &b) == 0 && b == 256u << 10);
	CHECK(chip_flash_size_parse("512KB", CHIP_FS_SMALL, &b) == 0 && b == 512u << 10);
	CHECK(chip_flash_size_parse("2MB-c1", CHIP_FS_SMALL, &b) < 0);
	CHECK(chip_flash_size_parse("2MB-c1", CHIP_FS_C1, &b) == 0 && b == 2u << 20);
	CHECK(chip_flash_size_parse("4MB-c1", all, &b) == 0 && b == 4u << 20);
	CHECK(chip_flash_size_parse("keep", CHIP_FS_SMALL | CHIP_FS_C1, &b) < 0);
	b = 1;
	CHECK(chip_flash_size_parse("keep", CHIP_FS_KEEP, &b) == 0 && b == 0);
	CHECK(chip_flash_size_parse("4mb", all, &b) < 0);
	CHECK(chip_flash_size_parse("4MB ", all, &b) < 0);
	CHECK(chip_flash_size_parse("3MB", all, &b) < 0);
	CHECK(chip_flash_size_parse("256MB", all, &b) < 0);
	CHECK(chip_flash_size_parse("", all, &b) < 0);
	CHECK(chip_flash_size_parse(NULL, all, &b) < 0);

	/* the exact lists esp-mkpart/esp-mkimage, esp-mkflash --pad-to-size and
	 * esp-mkflash --flash-size print */
	chip_flash_size_list(0, list, sizeof(list));
	CHECK_STR(list, "1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB");
	CHECK_STR(list, chip_flash_sizes());
	chip_flash_size_list(CHIP_FS_SMALL, list, sizeof(list));
	CHECK_STR(list, "256KB 512KB 1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB");
	chip_flash_size_list(all, list, sizeof(list));
	CHECK_STR(list, "keep 256KB 512KB 1MB 2MB 2MB-c1 4MB 4MB-c1 8MB 16MB 32MB 64MB 128MB");
	chip_flash_size_list(all, list, 8);
	CHECK_STR(list, "keep 25");

	/* header code = log2(MB) << 4 for every chip size */
	for (i = 0; i < 8; i++) {
		static const char *const names[] = {"1MB",  "2MB",  "4MB",  "8MB",
						    "16MB", "32MB", "64MB", "128MB"};

		CHECK(chip_flash_size_code(names[i], &code) == 0 && code == i << 4);
		CHECK(chip_flash_size_bytes(names[i]) == (uint64_t)1 << (20 + i));
	}
}

/* Which Secure Boot schemes each chip's ROM verifies (spec/secure-boot.md §2.2). */
static void test_secure_boot(void)
{
	static const struct {
		const char *name;
		unsigned sb;
	} want[] = {
	    {"esp32", CHIP_SB_V1 | CHIP_SB_V2_RSA},
	    {"esp32s2", CHIP_SB_V2_RSA},
	    {"esp32s3", CHIP_SB_V2_RSA},
	    {"esp32c3", CHIP_SB_V2_RSA},
	    {"esp32h21", CHIP_SB_V2_RSA},
	    {"esp32c2", CHIP_SB_V2_ECDSA},
	    {"esp32c61", CHIP_SB_V2_ECDSA},
	    {"esp32h4", CHIP_SB_V2_ECDSA},
	    {"esp32c5", CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA},
	    {"esp32c6", CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA},
	    {"esp32h2", CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA},
	    {"esp32p4", CHIP_SB_V2_RSA | CHIP_SB_V2_ECDSA},
	    {"esp32s31", 0},
	    {"esp32e22", 0},
	};
	const struct chip *e32 = chip_find("esp32"), *c3 = chip_find("esp32c3");
	const struct chip *c2 = chip_find("esp32c2"), *c6 = chip_find("esp32c6");
	const struct chip *s31 = chip_find("esp32s31");
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct chip *c = chip_find(want[i].name);

		CHECK(c && c->secure_boot == want[i].sb);
	}
	for (i = 0; i < chip_count(); i++) {
		const struct chip *c = chip_at(i);

		/* esptool's --secure-pad is the v1 padding: only where v1 exists */
		CHECK(!c->secure_pad_v1 == !(c->secure_boot & CHIP_SB_V1));
		CHECK(c->sb_v2_min_rev_full == (c == e32 ? 300 : 0));
	}

	CHECK(chip_sb_version_ok(e32, 1) && chip_sb_version_ok(e32, 2));
	CHECK(!chip_sb_version_ok(c3, 1) && chip_sb_version_ok(c3, 2));
	CHECK(chip_sb_version_ok(c2, 2));
	CHECK(!chip_sb_version_ok(s31, 1) && !chip_sb_version_ok(s31, 2));
	CHECK(!chip_sb_version_ok(e32, 3) && !chip_sb_version_ok(e32, 0));

	CHECK(chip_sb_scheme_ok(e32, 1, SB_ECDSA_P256));
	CHECK(!chip_sb_scheme_ok(e32, 1, SB_ECDSA_P384));
	CHECK(!chip_sb_scheme_ok(e32, 1, SB_RSA3072));
	CHECK(chip_sb_scheme_ok(e32, 2, SB_RSA3072));
	CHECK(!chip_sb_scheme_ok(e32, 2, SB_ECDSA_P256));
	CHECK(!chip_sb_scheme_ok(c3, 1, SB_ECDSA_P256));
	CHECK(chip_sb_scheme_ok(c3, 2, SB_RSA3072));
	CHECK(!chip_sb_scheme_ok(c3, 2, SB_ECDSA_P192));
	CHECK(!chip_sb_scheme_ok(c2, 2, SB_RSA3072));
	CHECK(chip_sb_scheme_ok(c2, 2, SB_ECDSA_P192));
	CHECK(chip_sb_scheme_ok(c2, 2, SB_ECDSA_P384));
	CHECK(chip_sb_scheme_ok(c6, 2, SB_RSA3072) && chip_sb_scheme_ok(c6, 2, SB_ECDSA_P256));
	CHECK(!chip_sb_scheme_ok(c6, 2, SB_SCHEME_NONE));
	CHECK(!chip_sb_scheme_ok(s31, 2, SB_RSA3072) && !chip_sb_scheme_ok(s31, 2, SB_ECDSA_P256));

	CHECK_STR(chip_sb_v2_schemes(c3), "RSA-3072");
	CHECK_STR(chip_sb_v2_schemes(c2), "ECDSA (P-192, P-256, P-384)");
	CHECK_STR(chip_sb_v2_schemes(c6), "RSA-3072 or ECDSA (P-192, P-256, P-384)");
	CHECK_STR(chip_sb_v2_schemes(s31), "none known");
}

/* Every region of every chip: valid, named in its own type list, flash ranges agree. */
static void test_every_region(void)
{
	size_t i, j, k, n;
	const char *names[32];

	for (i = 0; i < chip_count(); i++) {
		const struct chip *c = chip_at(i);
		int has_drom = 0, has_irom = 0;

		CHECK(c->memory_map_len > 0 && c->freqs_len > 0);
		CHECK(chip_is_flash_addr(c, c->irom_start) && chip_is_flash_addr(c, c->drom_start));
		CHECK(chip_range_touches(c, c->irom_start, c->irom_end - c->irom_start));
		CHECK(chip_range_touches(c, c->drom_start, c->drom_end - c->drom_start));
		for (j = 0; j < c->memory_map_len; j++) {
			const struct chip_region *r = &c->memory_map[j];
			int found = 0;

			CHECK(r->start < r->end);
			n = chip_memory_types(c, r->start, names, 32);
			for (k = 0; k < n && k < 32; k++)
				found |= strcmp(names[k], r->name) == 0;
			CHECK(found);
			CHECK(chip_same_memory_types(c, r->start, r->start));
			has_drom |= strcmp(r->name, "DROM") == 0;
			has_irom |= strcmp(r->name, "IROM") == 0;
			if (strcmp(r->name, "PADDING") == 0)
				CHECK(!chip_range_touches(c, r->start + 0x100, 4));
			else
				CHECK(chip_range_touches(c, r->start, r->end - r->start));
		}
		CHECK(has_drom && has_irom);
		for (j = 0; j < c->mmu_sizes_len; j++) {
			CHECK(chip_mmu_size_valid(c, c->mmu_sizes[j]));
			CHECK(j == 0 || c->mmu_sizes[j] > c->mmu_sizes[j - 1]);
		}
		CHECK(chip_mmu_size_valid(c, CHIP_DEFAULT_MMU_PAGE));
		CHECK(chip_find(c->name) == c);
		CHECK(strstr(chip_names(), c->name) != NULL);
	}
}

/* Flash-encryption scheme and key file sizes per chip (spec/flash-encryption.md §1). */
static void test_flash_encryption(void)
{
	static const struct {
		const char *name;
		enum chip_flashenc scheme;
		const char *sizes;
		size_t ok[2]; /* the key file sizes taken; 0: none */
	} want[] = {
	    {"esp32", CHIP_FE_ESP32, "32 or 24", {32, 24}},
	    {"esp32s2", CHIP_FE_XTS, "32 or 64", {32, 64}},
	    {"esp32s3", CHIP_FE_XTS, "32 or 64", {32, 64}},
	    {"esp32c3", CHIP_FE_XTS, "32", {32, 0}},
	    {"esp32c2", CHIP_FE_XTS, "32 or 16", {32, 16}},
	    {"esp32c6", CHIP_FE_XTS, "32", {32, 0}},
	    {"esp32c61", CHIP_FE_XTS, "32", {32, 0}},
	    {"esp32c5", CHIP_FE_XTS, "32 or 64", {32, 64}},
	    {"esp32e22", CHIP_FE_NONE, "none", {0, 0}},
	    {"esp32h2", CHIP_FE_XTS, "32", {32, 0}},
	    {"esp32h21", CHIP_FE_XTS, "32", {32, 0}},
	    {"esp32p4", CHIP_FE_XTS, "32 or 64", {32, 64}},
	    {"esp32h4", CHIP_FE_XTS, "32 or 64", {32, 64}},
	    {"esp32s31", CHIP_FE_XTS, "32 or 64", {32, 64}},
	};
	size_t i, len;

	CHECK(sizeof(want) / sizeof(want[0]) == chip_count());
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct chip *c = chip_find(want[i].name);

		CHECK(c != NULL);
		if (!c)
			continue;
		CHECK(chip_flashenc_scheme(c) == want[i].scheme);
		CHECK_STR(chip_flashenc_key_sizes(c), want[i].sizes);
		for (len = 0; len <= 129; len++) {
			int taken = len && (len == want[i].ok[0] || len == want[i].ok[1]);

			CHECK(chip_flashenc_key_ok(c, len) == taken);
		}
	}
}

int main(void)
{
	test_every_region();
	test_lookup();
	test_flash_codes();
	test_flash_sizes();
	test_memory();
	test_secure_boot();
	test_flash_encryption();
	return check_status();
}
