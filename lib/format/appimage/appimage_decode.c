/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one reader of app images (spec/app-image.md §1-§3): header, segment table,
 * checksum and digest, the app descriptor. esp-imginfo, the merge form's bootloader
 * patch and the manifest's content checks all read images through here.
 */
#include "appimage.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "hash.h"

static void text_field(struct appimage_text *t, const uint8_t *src, size_t n)
{
	size_t i, end;

	for (i = 0; i < n && src[i]; i++)
		t->s[i] = (char)src[i];
	t->s[i] = '\0';
	t->tail_len = 0;
	if (i == n)
		return;
	for (end = n; end > i + 1 && src[end - 1] == 0; end--)
		;
	t->tail_len = end - i - 1;
	memcpy(t->tail, src + i + 1, t->tail_len);
}

int appimage_desc_parse(const uint8_t *p, size_t len, struct appimage_desc *d)
{
	memset(d, 0, sizeof(*d));
	if (len < APPIMAGE_DESC_LEN || buf_get_le32(p) != APPIMAGE_DESC_MAGIC)
		return -1;
	d->magic = buf_get_le32(p);
	d->secure_version = buf_get_le32(p + 4);
	text_field(&d->version, p + 0x10, 32);
	text_field(&d->project_name, p + 0x30, 32);
	text_field(&d->time, p + 0x50, 16);
	text_field(&d->date, p + 0x60, 16);
	text_field(&d->idf_ver, p + 0x70, 32);
	memcpy(d->app_elf_sha256, p + 0x90, SHA256_LEN);
	d->min_efuse_blk_rev_full = buf_get_le16(p + 0xB0);
	d->max_efuse_blk_rev_full = buf_get_le16(p + 0xB2);
	d->mmu_page_size = p[0xB4];
	return 0;
}

int appimage_bootdesc_parse(const uint8_t *p, size_t len, struct appimage_bootdesc *d)
{
	memset(d, 0, sizeof(*d));
	if (len < APPIMAGE_BOOTDESC_LEN || p[0] != APPIMAGE_BOOTDESC_MAGIC)
		return -1;
	d->secure_version = p[3];
	d->version = buf_get_le32(p + 4);
	text_field(&d->idf_ver, p + 8, 32);
	text_field(&d->date_time, p + 40, 24);
	return 0;
}

static int region_has_name(const struct chip *c, uint32_t addr, const char *name)
{
	const char *names[32];
	size_t n = chip_memory_types(c, addr, names, 32), i;

	for (i = 0; i < n && i < 32; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* A reader's complaint: printed when there is a @file to name, else only returned. */
static int bad(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(const char *file, const char *fmt, ...)
{
	va_list ap;

	if (!file)
		return -1;
	va_start(ap, fmt);
	diag_vat(file, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * What every reader of an image shares: the header, the segment table with every
 * segment inside @len, and the checksum byte, the last of its 16-byte row (§1-§2).
 * Messages name @file; with @file NULL there are none.
 */
static int scan(const uint8_t *data, size_t len, const char *file, struct appimage_info *o)
{
	size_t pos = APPIMAGE_HEADER_LEN, i;
	uint8_t sum = APPIMAGE_CHECKSUM_SEED;

	memset(o, 0, sizeof(*o));
	if (len < APPIMAGE_HEADER_LEN)
		return bad(file, "too short for an image header (%zu bytes)", len);
	if (data[0] != APPIMAGE_MAGIC)
		return bad(file, "not an app image (magic 0x%02x, not 0xe9)", data[0]);
	o->seg_count = data[1];
	o->flash_mode = data[2];
	o->flash_size_freq = data[3];
	o->entry = buf_get_le32(data + 4);
	o->wp_pin = data[8];
	memcpy(o->spi_pin_drv, data + 9, 3);
	o->chip_id = buf_get_le16(data + 12);
	o->min_rev = data[14];
	o->min_rev_full = buf_get_le16(data + 15);
	o->max_rev_full = buf_get_le16(data + 17);
	o->hash_appended = data[23];
	o->chip = chip_by_image_id(o->chip_id);
	if (o->hash_appended > 1)
		return bad(file, "invalid hash_appended value 0x%02x (not 0 or 1)", o->hash_appended);

	for (i = 0; i < o->seg_count; i++) {
		uint32_t addr, slen;

		if (len - pos < APPIMAGE_SEG_HEADER_LEN)
			return bad(file,
				   "segment %zu: header at 0x%zx runs past the end of the image "
				   "(%zu bytes)",
				   i, pos, len);
		addr = buf_get_le32(data + pos);
		slen = buf_get_le32(data + pos + 4);
		if (len - pos - APPIMAGE_SEG_HEADER_LEN < slen)
			return bad(file,
				   "segment %zu at 0x%08x: %u bytes of data at 0x%zx run past the "
				   "end of the image (%zu bytes)",
				   i, addr, slen, pos + APPIMAGE_SEG_HEADER_LEN, len);
		o->segs[i].addr = addr;
		o->segs[i].len = slen;
		o->segs[i].hdr_offset = pos;
		o->segs[i].data_offset = pos + APPIMAGE_SEG_HEADER_LEN;
		pos += APPIMAGE_SEG_HEADER_LEN;
		for (size_t k = 0; k < slen; k++)
			sum ^= data[pos + k];
		pos += slen;
	}
	o->nsegs = o->seg_count;
	o->checksum_offset = pos + (15 - pos % 16);
	if (o->checksum_offset >= len)
		return bad(file, "checksum at 0x%zx is past the end of the image (%zu bytes)",
			   o->checksum_offset, len);
	o->checksum_stored = data[o->checksum_offset];
	o->checksum_calc = sum;
	o->image_len = o->checksum_offset + 1;
	o->end = o->image_len;
	return 0;
}

int appimage_has_magic(const uint8_t *data, size_t len)
{
	return len >= 1 && data[0] == APPIMAGE_MAGIC;
}

int appimage_length(const uint8_t *data, size_t len, size_t *image_len)
{
	struct appimage_info info;

	if (scan(data, len, NULL, &info) < 0)
		return -1;
	/* esptool's verify() refuses more segments than the bootloader loads (§1.3) */
	if (info.seg_count > APPIMAGE_MAX_ELF_SEGMENTS)
		return -1;
	*image_len = info.image_len;
	return 0;
}

int appimage_decode(const uint8_t *data, size_t len, const char *file, struct appimage_info *o)
{
	size_t i;
	int drom = 0;

	if (scan(data, len, file, o) < 0)
		return -1;
	if (o->hash_appended) {
		/* a file that ends inside the digest is still described (esptool does,
		 * calling the hash invalid); what must be whole checks digest_have */
		o->digest_have = len - o->image_len < SHA256_LEN ? len - o->image_len : SHA256_LEN;
		memcpy(o->digest_stored, data + o->image_len, o->digest_have);
		hash_sha256(data, o->image_len, o->digest_calc);
		o->digest_valid = o->digest_have == SHA256_LEN &&
				  memcmp(o->digest_stored, o->digest_calc, SHA256_LEN) == 0;
		o->end += o->digest_have;
	}
	o->trailing = len - o->end;

	/* esptool image_info: the first segment starting in DROM holds esp_app_desc_t */
	for (i = 0; o->chip && i < o->nsegs; i++) {
		if (!region_has_name(o->chip, o->segs[i].addr, "DROM"))
			continue;
		drom = o->segs[i].len > 0; /* esptool: an empty one holds no descriptor */
		if (appimage_desc_parse(data + o->segs[i].data_offset, o->segs[i].len, &o->desc) ==
		    0) {
			o->has_desc = 1;
			o->desc_offset = o->segs[i].data_offset;
		}
		break;
	}
	/* without one, the last DRAM segment of 80 bytes or more (a bootloader keeps its
	 * esp_bootloader_desc_t at the start of DRAM) */
	for (i = o->nsegs; !drom && o->chip && i-- > 0;) {
		if (o->segs[i].len < APPIMAGE_BOOTDESC_LEN ||
		    !region_has_name(o->chip, o->segs[i].addr, "DRAM"))
			continue;
		if (appimage_bootdesc_parse(data + o->segs[i].data_offset, o->segs[i].len,
					    &o->bootdesc) == 0) {
			o->has_bootdesc = 1;
			o->bootdesc_offset = o->segs[i].data_offset;
		}
		break;
	}
	return 0;
}
