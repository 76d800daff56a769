/* SPDX-License-Identifier: Apache-2.0 */
/* App image encoder and reader: layout rules, options, decode-what-we-encode, garbage. */
#include "appimage.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"

static uint8_t *pattern(size_t len, unsigned seed)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 13 + seed * 101 + 7);
	return p;
}

static uint8_t *app_desc(size_t len, uint8_t mmu_lg)
{
	uint8_t *p = calloc(len, 1);

	buf_put_le32(p, APPIMAGE_DESC_MAGIC);
	memcpy(p + 0x30, "proj", 4);
	p[APPIMAGE_DESC_MMU_OFFSET] = mmu_lg;
	return p;
}

static void add(struct appimage_seglist *l, const char *name, uint32_t addr, size_t len,
		uint8_t *data)
{
	CHECK(appimage_seg_add(l, strdup(name), addr, 4, data ? data : pattern(len, addr), len) ==
	      0);
}

static void opts_init(struct appimage_opts *o, const char *chip)
{
	memset(o, 0, sizeof(*o));
	o->chip = chip_find(chip);
	o->file = "test.elf";
	o->max_rev_full = 0xFFFF;
	o->append_digest = 1;
	o->mmu_page_size = 0x10000;
}

/* Encodes, decodes, and checks the invariants every normal image must satisfy. */
static int roundtrip(const struct appimage_opts *o, struct appimage_seglist *l, struct buf *out,
		     struct appimage_info *info)
{
	size_t i;

	if (appimage_encode(o, l, out) < 0)
		return -1;
	CHECK(l->n == 0 && l->v == NULL); /* consumed */
	CHECK(appimage_decode(out->data, out->len, "out.bin", info) == 0);
	CHECK(info->checksum_calc == info->checksum_stored);
	CHECK(info->image_len % 16 == 0);
	CHECK(info->hash_appended == (o->append_digest && !o->ram_only_header));
	if (info->hash_appended)
		CHECK(info->digest_valid);
	if (!o->ram_only_header) {
		for (i = 0; i < info->nsegs; i++)
			if (chip_is_flash_addr(o->chip, info->segs[i].addr))
				CHECK(info->segs[i].data_offset % o->mmu_page_size ==
				      info->segs[i].addr % o->mmu_page_size);
	}
	return 0;
}

/* spec/app-image.md §5.6: the worked ESP32-C3 example, offset by offset. */
static void test_worked_example(int secure)
{
	static const uint8_t hdr[24] = {0xe9, 0x05, 0x02, 0x2f, 0x00, 0x00, 0x38, 0x40,
					0xee, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
					0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x01};
	static const struct {
		size_t hdr;
		uint32_t addr, len;
	} want[] = {
	    {0x18, 0x3C000020, 0x204}, {0x224, 0x3FC88000, 0x100},   {0x32C, 0x40380000, 0x3004},
	    {0x3338, 0, 0xCCD8},       {0x10018, 0x42010020, 0x500},
	};
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;
	size_t i;

	opts_init(&o, "esp32c3");
	o.flash_mode = 2;
	o.flash_size_freq = 0x2F;
	o.entry = 0x40380000;
	o.secure_pad = secure ? 2 : 0;
	o.elf_sha256_set = 1;
	o.elf_sha256_offset = APPIMAGE_AUTO_SHA_OFFSET;
	memset(o.elf_sha256, 0x5A, sizeof(o.elf_sha256));
	add(&l, ".flash.appdesc", 0x3C000020, 256, app_desc(256, 0));
	add(&l, ".flash.rodata", 0x3C000120, 258, NULL);
	add(&l, ".iram0.text", 0x40380000, 0x3001, NULL);
	add(&l, ".dram0.data", 0x3FC88000, 0x100, NULL);
	add(&l, ".flash.text", 0x42010020, 0x500, NULL);
	CHECK(l.v[1].len == 260 && l.v[2].len == 0x3004); /* padded to 4 at load */
	CHECK(appimage_merge(o.chip, &l, 0) == 0);
	CHECK(l.n == 4);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(out.len >= sizeof(hdr));
	CHECK(out.data[1] == (secure ? 6 : 5));
	CHECK_MEM(out.data + 2, hdr + 2, sizeof(hdr) - 2);
	CHECK(info.nsegs == (secure ? 6u : 5u));
	for (i = 0; i < 5 && i < info.nsegs; i++) {
		CHECK(info.segs[i].hdr_offset == want[i].hdr);
		CHECK(info.segs[i].addr == want[i].addr);
		CHECK(info.segs[i].len == want[i].len);
	}
	CHECK(memcmp(out.data + 0xB0, o.elf_sha256, 32) == 0);
	CHECK(info.has_desc && info.desc_offset == 0x20);
	CHECK(memcmp(info.desc.app_elf_sha256, o.elf_sha256, 32) == 0);
	CHECK_STR(info.desc.project_name.s, "proj");
	if (secure) {
		CHECK(info.segs[5].addr == 0 && info.segs[5].len == 0xFAA8);
		CHECK(out.len == 0x20000);
	} else {
		CHECK(info.checksum_offset == 0x1052F);
		CHECK(out.len == 0x10550);
	}
	CHECK(info.trailing == 0);
	buf_free(&out);
}

static void test_split_ram(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;

	opts_init(&o, "esp32c3");
	add(&l, ".flash.rodata", 0x3C000020, 0x100, NULL);
	add(&l, ".dram0.data", 0x3FC88000, 0x20000, NULL);
	add(&l, ".flash.text", 0x42010020, 0x100, NULL);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	/* rodata, a DRAM piece filling the gap, text, then the rest of DRAM */
	CHECK(info.nsegs == 4);
	CHECK(info.segs[1].addr == 0x3FC88000);
	CHECK(info.segs[2].addr == 0x42010020 && info.segs[2].data_offset == 0x10020);
	CHECK(info.segs[3].addr == 0x3FC88000 + info.segs[1].len);
	CHECK(info.segs[1].len + info.segs[3].len == 0x20000);
	buf_free(&out);
}

static void test_esp32_tail(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;

	/* data at 0x20, 0xFFF0 bytes: ends 0x10 past the page, so it grows by 0x14 */
	opts_init(&o, "esp32");
	add(&l, ".flash.rodata", 0x3F400020, 0xFFF0, NULL);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(info.nsegs == 1 && info.segs[0].len == 0xFFF0 + 0x14);
	buf_free(&out);

	/* the same on ESP32-S2 is not extended */
	opts_init(&o, "esp32s2");
	add(&l, ".flash.rodata", 0x3F000020, 0xFFF0, NULL);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(info.nsegs == 1 && info.segs[0].len == 0xFFF0);
	buf_free(&out);
}

static void test_secure_v1(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;

	opts_init(&o, "esp32");
	o.secure_pad = 1;
	add(&l, ".iram0.text", 0x40080000, 0x1234, NULL);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(info.nsegs == 2 && info.segs[1].addr == 0);
	CHECK((info.image_len + 112) % 0x10000 == 0);
	buf_free(&out);

	/* without the digest secure padding is refused, nothing is written */
	o.append_digest = 0;
	add(&l, ".iram0.text", 0x40080000, 0x10, NULL);
	CHECK(appimage_encode(&o, &l, &out) < 0);
	CHECK(out.len == 0);
	appimage_seglist_free(&l);
	buf_free(&out);
}

static void test_ram_only(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;
	size_t pos;
	uint32_t prev = 0xFFFFFFFF;
	int n = 0;

	opts_init(&o, "esp32p4"); /* bootloader offset 0x2000 */
	o.ram_only_header = 1;
	o.pad_to_size = 0x1000;
	add(&l, ".flash.text", 0x40010020, 0x100, NULL);
	add(&l, ".dram0.data", 0x4FF00000, 0x40, NULL);
	add(&l, ".flash.rodata", 0x40000020, 0x80, NULL);
	add(&l, ".iram0.text", 0x4FF00040, 0x40, NULL);
	CHECK(appimage_merge(o.chip, &l, 1) == 0);
	CHECK(l.n == 3); /* sorted: DRAM and IRAM pieces are adjacent and merge */
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(info.seg_count == 1 && info.hash_appended == 0);
	CHECK(out.len % 0x1000 == 0 && out.data[0] == APPIMAGE_MAGIC); /* padded, not overwritten */
	/* hidden part: (padding, flash segment) pairs, flash in descending address order */
	pos = info.end;
	while (pos + 8 <= out.len && n < 4) {
		uint32_t pad_len = buf_get_le32(out.data + pos + 4);
		uint32_t addr, len;

		if (buf_get_le32(out.data + pos) != 0)
			break;
		pos += 8 + pad_len;
		addr = buf_get_le32(out.data + pos);
		len = buf_get_le32(out.data + pos + 4);
		CHECK(addr < prev);
		CHECK((pos + 8 + 0x2000) % 0x10000 == addr % 0x10000);
		prev = addr;
		pos += 8 + len;
		n++;
	}
	CHECK(n == 2);
	buf_free(&out);
}

static void test_merge(void)
{
	const struct chip *c3 = chip_find("esp32c3");
	struct appimage_seglist l = {NULL, 0, 0};

	add(&l, "a", 0x40380000, 0x10, NULL);
	add(&l, "b", 0x40380010, 0x6, NULL);  /* padded to 8: merges into a */
	add(&l, "c", 0x40380016, 0x4, NULL);  /* starts inside b's padding: kept */
	add(&l, "d", 0x3FC80000, 0x10, NULL); /* other memory type */
	add(&l, "e", 0x3FC80010, 0x10, NULL); /* DRAM only, like d: merges */
	add(&l, "f", 0x3FC88000, 0x10, NULL); /* DRAM + BYTE_ACCESSIBLE: kept */
	add(&l, "g", 0x3FC88020, 0x10, NULL); /* gap: kept */
	CHECK(appimage_merge(c3, &l, 0) == 0);
	CHECK(l.n == 5);
	CHECK_STR(l.v[0].name, "a");
	CHECK(l.v[0].len == 0x18);
	CHECK_STR(l.v[1].name, "c");
	CHECK_STR(l.v[2].name, "d");
	CHECK(l.v[2].len == 0x20);
	CHECK_STR(l.v[3].name, "f");
	CHECK_STR(l.v[4].name, "g");
	appimage_seglist_free(&l);

	/* ram-only-header: sorted first, and a gap up to the next alignment is filled */
	CHECK(appimage_seg_add(&l, strdup("y"), 0x40380020, 16, pattern(8, 1), 8) == 0);
	CHECK(appimage_seg_add(&l, strdup("x"), 0x40380000, 4, pattern(0x14, 2), 0x14) == 0);
	CHECK(appimage_merge(c3, &l, 1) == 0);
	CHECK(l.n == 1 && l.v[0].addr == 0x40380000 && l.v[0].len == 0x28);
	CHECK(l.v[0].data[0x14] == 0 && l.v[0].data[0x1F] == 0);
	appimage_seglist_free(&l);
	CHECK(appimage_merge(c3, &l, 0) == 0); /* empty list */

	/* alignment 0: fine normally, an error with ram-only-header (as esptool) */
	CHECK(appimage_seg_add(&l, strdup("a"), 0x40380000, 4, pattern(8, 1), 8) == 0);
	CHECK(appimage_seg_add(&l, strdup("b"), 0x40380100, 0, pattern(8, 2), 8) == 0);
	CHECK(appimage_merge(c3, &l, 0) == 0 && l.n == 2);
	CHECK(appimage_merge(c3, &l, 1) < 0);
	appimage_seglist_free(&l);
}

static void test_errors(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct buf out = BUF_INIT;
	uint8_t *d;

	diag_set_program("test_appimage");
	/* two flash segments in one MMU page */
	opts_init(&o, "esp32c3");
	add(&l, ".flash.rodata", 0x3C000020, 0x10, NULL);
	add(&l, ".flash.other", 0x3C008000, 0x10, NULL);
	CHECK(appimage_encode(&o, &l, &out) < 0 && out.len == 0);
	appimage_seglist_free(&l);

	/* ELF SHA-256 target not zero */
	opts_init(&o, "esp32c3");
	o.elf_sha256_set = 1;
	o.elf_sha256_offset = 0xB0;
	add(&l, ".flash.appdesc", 0x3C000020, 0x100, pattern(0x100, 3));
	CHECK(appimage_encode(&o, &l, &out) < 0 && out.len == 0);
	appimage_seglist_free(&l);

	/* ... straddling the end of a segment */
	add(&l, ".flash.appdesc", 0x3C000020, 0xA0, calloc(0xA0, 1));
	CHECK(appimage_encode(&o, &l, &out) < 0);
	appimage_seglist_free(&l);
	buf_free(&out);

	/* asked for, no app descriptor magic 0x90 before it: written anyway (a warning) */
	o.elf_sha256_check_desc = 1;
	memset(o.elf_sha256, 0xA5, sizeof(o.elf_sha256));
	add(&l, ".flash.appdesc", 0x3C000020, 0x100, calloc(0x100, 1));
	CHECK(appimage_encode(&o, &l, &out) == 0);
	CHECK(out.len > 0xB0 + SHA256_LEN && out.data[0xB0] == 0xA5 &&
	      memcmp(out.data + 0xB0, o.elf_sha256, SHA256_LEN) == 0);
	appimage_seglist_free(&l);
	buf_free(&out);
	/* asked for, but outside every segment: not written, the image is made */
	o.elf_sha256_offset = 0x100000;
	add(&l, ".flash.appdesc", 0x3C000020, 0x100, app_desc(0x100, 0));
	CHECK(appimage_encode(&o, &l, &out) == 0);
	CHECK(out.len > 0xB0 + SHA256_LEN && out.data[0xB0] == 0);
	appimage_seglist_free(&l);
	buf_free(&out);
	/* with a descriptor it works */
	o.elf_sha256_offset = 0xB0;
	add(&l, ".flash.appdesc", 0x3C000020, 0x100, app_desc(0x100, 0));
	CHECK(appimage_encode(&o, &l, &out) == 0);
	buf_free(&out);

	/* a flash segment at an address that is not 4-aligned cannot be aligned */
	opts_init(&o, "esp32c3");
	add(&l, ".flash.text", 0x42000022, 0x10, NULL);
	CHECK(appimage_encode(&o, &l, &out) < 0);
	buf_free(&out);

	/* 16 MB segment limit */
	d = calloc(APPIMAGE_MAX_SEG_LEN, 1);
	add(&l, ".dram0.data", 0x3FC88000, APPIMAGE_MAX_SEG_LEN, d);
	CHECK(appimage_encode(&o, &l, &out) < 0);
	buf_free(&out);
}

static void test_mmu(void)
{
	const struct chip *c3 = chip_find("esp32c3"), *c6 = chip_find("esp32c6");
	const struct chip *c2 = chip_find("esp32c2"), *s31 = chip_find("esp32s31");
	uint8_t *d16 = app_desc(256, 16), *d13 = app_desc(256, 13), *d0 = app_desc(256, 0);
	uint8_t *d9 = app_desc(256, 9), *d20 = app_desc(256, 20), *none = calloc(256, 1);
	uint32_t v;

	diag_set_quiet(1);
	CHECK(appimage_mmu_page_size(c3, "f", 0, NULL, 0, 0, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c3, "f", 0x8000, NULL, 0, 0, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c6, "f", 0x8000, NULL, 0, 0, &v) == 0 && v == 0x8000);
	CHECK(appimage_mmu_page_size(c2, "f", 0x2000, NULL, 0, 0, &v) < 0);
	CHECK(appimage_mmu_page_size(c6, "f", 0x4000, d13, 256, 0x42000020, &v) == 0 &&
	      v == 0x4000); /* the option wins */
	CHECK(appimage_mmu_page_size(c6, "f", 0, d13, 256, 0x42000020, &v) == 0 && v == 0x2000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d16, 256, 0x42000020, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d9, 256, 0x42000020, &v) < 0);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d20, 256, 0x42000020, &v) < 0);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d0, 256, 0x42000020, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d0, 256, 0x42004020, &v) == 0 && v == 0x4000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d0, 256, 0x42002020, &v) == 0 && v == 0x2000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d0, 256, 0x42002030, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(s31, "f", 0, d0, 256, 0x40000020, &v) == 0 && v == 0x40000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, none, 256, 0x42000020, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d13, 256, 0x40800000, &v) == 0 && v == 0x10000);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d13, 200, 0x42000020, &v) < 0);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d13, 252, 0x42000020, &v) < 0);
	CHECK(appimage_mmu_page_size(c6, "f", 0, d13, 253, 0x42000020, &v) == 0 && v == 0x2000);
	CHECK(appimage_mmu_page_size(c3, "f", 0, d13, 256, 0x3C000020, &v) == 0 && v == 0x10000);
	diag_set_quiet(0);
	free(d16);
	free(d13);
	free(d0);
	free(d9);
	free(d20);
	free(none);
}

static void test_decode_garbage(void)
{
	struct appimage_seglist l = {NULL, 0, 0};
	struct appimage_opts o;
	struct appimage_info info;
	struct buf out = BUF_INIT;
	uint8_t *copy;
	size_t n, i;
	unsigned r = 12345;
	int ok = 0;

	opts_init(&o, "esp32c6");
	add(&l, ".flash.appdesc", 0x42000020, 0x100, app_desc(0x100, 0));
	add(&l, ".dram0.data", 0x40800000, 0x300, NULL);
	CHECK(roundtrip(&o, &l, &out, &info) == 0);
	CHECK(info.chip == chip_find("esp32c6") && info.has_desc);

	diag_set_program("test_appimage(expected errors)");
	/* every truncation before the digest is rejected, one inside the digest is read
	 * with the digest cut short (esptool describes it too), and never read past */
	for (n = 0; n < out.len; n++) {
		copy = malloc(n ? n : 1);
		memcpy(copy, out.data, n);
		if (n < out.len - SHA256_LEN) {
			CHECK(appimage_decode(copy, n, "t.bin", &info) < 0);
		} else {
			CHECK(appimage_decode(copy, n, "t.bin", &info) == 0);
			CHECK(info.digest_have == n - (out.len - SHA256_LEN) && !info.digest_valid);
			CHECK(info.end == n && info.trailing == 0);
		}
		free(copy);
	}
	/* random corruption: either an error or a consistent result */
	copy = malloc(out.len);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, out.data, out.len);
		for (n = 0; n < 1 + i % 4; n++) {
			r = r * 1103515245u + 12345u;
			copy[(r >> 8) % (i % 2 ? 64 : out.len)] = (uint8_t)(r >> 3);
		}
		if (appimage_decode(copy, out.len, "t.bin", &info) == 0) {
			ok++;
			CHECK(info.end <= out.len && info.nsegs <= APPIMAGE_MAX_SEGS);
		}
	}
	CHECK(ok > 0);
	free(copy);
	copy = calloc(64, 1);
	copy[0] = APPIMAGE_MAGIC;
	copy[23] = 2; /* hash_appended must be 0 or 1 */
	CHECK(appimage_decode(copy, 64, "t.bin", &info) < 0);
	copy[23] = 0;
	copy[1] = 255; /* 255 segments in 64 bytes */
	CHECK(appimage_decode(copy, 64, "t.bin", &info) < 0);
	copy[1] = 0;
	CHECK(appimage_decode(copy, 64, "t.bin", &info) == 0 && info.checksum_offset == 31);
	CHECK(info.trailing == 32 && !info.has_desc && info.chip == chip_find("esp32"));
	copy[0] = 0xE8;
	CHECK(appimage_decode(copy, 64, "t.bin", &info) < 0);
	free(copy);
	buf_free(&out);
}

/* 65,000 adjacent 4-byte sections, given in reverse order with --ram-only-header: the
 * stable sort and the run joins give one segment holding every section in address
 * order (the pairwise merge this replaced copied the growing tail: quadratic). Two
 * sections at one address keep their ELF order. */
static void test_merge_many(void)
{
	const struct chip *c3 = chip_find("esp32c3");
	struct appimage_seglist l = {NULL, 0, 0};
	const size_t n = 65000;
	size_t i, ok = 1;

	for (i = n; i-- > 0;) {
		uint8_t *d = malloc(4);

		if (!d)
			break;
		memcpy(d, &(uint32_t){(uint32_t)i}, 4);
		ok &= appimage_seg_add(&l, strdup("s"), 0x40380000 + 4 * (uint32_t)i, 4, d, 4) == 0;
	}
	CHECK(ok && l.n == n);
	CHECK(appimage_merge(c3, &l, 1) == 0);
	CHECK(l.n == 1 && l.v[0].addr == 0x40380000 && l.v[0].len == 4 * n);
	for (i = 0; l.n == 1 && i < n; i++) {
		uint32_t v;

		memcpy(&v, l.v[0].data + 4 * i, 4);
		ok &= v == i;
	}
	CHECK(ok);
	appimage_seglist_free(&l);

	CHECK(appimage_seg_add(&l, strdup("second"), 0x40380000, 4, pattern(4, 2), 4) == 0);
	CHECK(appimage_seg_add(&l, strdup("first"), 0x3FC80000, 4, pattern(4, 1), 4) == 0);
	CHECK(appimage_seg_add(&l, strdup("third"), 0x40380000, 4, pattern(4, 3), 4) == 0);
	CHECK(appimage_merge(c3, &l, 1) == 0);
	CHECK(l.n == 3);
	CHECK_STR(l.v[0].name, "first");
	CHECK_STR(l.v[1].name, "second");
	CHECK_STR(l.v[2].name, "third");
	appimage_seglist_free(&l);
}

int main(void)
{
	test_worked_example(0);
	test_worked_example(1);
	test_split_ram();
	test_esp32_tail();
	test_secure_v1();
	test_ram_only();
	test_merge();
	test_merge_many();
	test_errors();
	test_mmu();
	test_decode_garbage();
	return check_status();
}
