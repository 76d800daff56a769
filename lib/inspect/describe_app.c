/* SPDX-License-Identifier: Apache-2.0 */
/*
 * App and bootloader images (spec/app-image.md) for imginfo: header fields with their
 * names, segments with the memory they load into, checksum and digest, the app
 * descriptor, a Secure Boot v1 or v2 signature, and the bytes after the image.
 */
#include "describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "ascii.h"
#include "diag.h"
#include "node.h"
#include "sbsign.h"

/* appimage_decode(), its messages swallowed when @quiet. */
static int app_decode(const uint8_t *data, size_t len, const char *file, int quiet,
		      struct appimage_info *in)
{
	struct buf sink = BUF_INIT;
	int rc;

	if (quiet)
		diag_capture_begin(&sink);
	rc = appimage_decode(data, len, file, in);
	if (quiet)
		diag_capture_end();
	buf_free(&sink);
	return rc;
}

static int app_has_flash_segment(const struct appimage_info *in)
{
	size_t i;

	for (i = 0; in->chip && i < in->nsegs; i++) {
		if (chip_is_flash_addr(in->chip, in->segs[i].addr))
			return 1;
	}
	return 0;
}

/* An image with an app descriptor or flash-mapped code is an app; one loaded into
 * RAM only is a bootloader. */
static enum imginfo_kind app_kind(const struct appimage_info *in)
{
	return in->has_desc || app_has_flash_segment(in) ? IMGINFO_APP : IMGINFO_BOOTLOADER;
}

/* ---- names of header codes ---- */

/* The spelling in space-separated @list whose code (via @code_of) is @code. */
static const char *code_name(const char *list, uint8_t code,
			     int (*code_of)(const char *, uint8_t *))
{
	static _Thread_local char word[16];
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, " ");
		uint8_t c;

		if (n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (code_of(word, &c) == 0 && c == code)
				return word;
		}
		p += n;
		p += strspn(p, " ");
	}
	return NULL;
}

static void rev_text(uint16_t v, char *out, size_t n)
{
	snprintf(out, n, "v%u.%u", v / 100u, v % 100u);
}

/* A digest or signature: a difference in it follows from differences elsewhere. */
static struct imginfo_node *derived_obj(struct imginfo_node *img, const char *key,
					enum imginfo_class cls)
{
	return node_set_flags(node_set_class(node_obj(img, key), cls), IMGINFO_F_DERIVED);
}

static void describe_header(struct imginfo_node *img, const struct appimage_info *in)
{
	struct imginfo_node *h = node_set_class(node_obj(img, "header"), IMGINFO_CLASS_HEADER), *e;
	const char *cname = in->chip ? in->chip->name : "unknown";
	char r1[16], r2[16];

	node_uint(h, "magic", APPIMAGE_MAGIC, IMGINFO_F_HEX, NULL);
	node_uint(h, "segment_count", in->seg_count, 0, NULL);
	node_uint(h, "flash_mode", in->flash_mode, 0,
		  code_name(chip_flash_modes(), in->flash_mode, chip_flash_mode_code));
	node_uint(h, "flash_size", in->flash_size_freq & 0xF0u, IMGINFO_F_HEX,
		  code_name(chip_flash_sizes(), in->flash_size_freq & 0xF0u, chip_flash_size_code));
	node_uint(h, "flash_freq", in->flash_size_freq & 0x0Fu, IMGINFO_F_HEX,
		  in->chip ? chip_flash_freq_name(in->chip, in->flash_size_freq & 0x0Fu) : NULL);
	node_uint(h, "entry", in->entry, IMGINFO_F_HEX, NULL);

	e = node_set_class(node_obj(img, "extended_header"), IMGINFO_CLASS_HEADER);
	node_uint(e, "wp_pin", in->wp_pin, IMGINFO_F_HEX,
		  in->wp_pin == APPIMAGE_WP_PIN_DISABLED ? "disabled" : NULL);
	node_hex(e, "spi_pin_drv", in->spi_pin_drv, 3);
	node_uint(e, "chip_id", in->chip_id, 0, cname);
	node_uint(e, "min_rev", in->min_rev, 0, NULL);
	rev_text(in->min_rev_full, r1, sizeof(r1));
	rev_text(in->max_rev_full, r2, sizeof(r2));
	node_uint(e, "min_rev_full", in->min_rev_full, 0, r1);
	node_uint(e, "max_rev_full", in->max_rev_full, 0, r2);
	node_uint(e, "hash_appended", in->hash_appended, 0, in->hash_appended ? "yes" : "no");
}

static void describe_segments(struct imginfo_node *img, const uint8_t *data,
			      const struct appimage_info *in, uint64_t base)
{
	struct imginfo_node *l = node_set_class(node_list(img, "segments"), IMGINFO_CLASS_CONTENT);
	size_t i, j;

	for (i = 0; i < in->nsegs; i++) {
		const char *types[8];
		char mem[96] = "", id[32];
		size_t nt = 0, dup = 0, k;
		struct imginfo_node *s;

		for (j = 0; j < i; j++)
			dup += in->segs[j].addr == in->segs[i].addr;
		if (in->chip)
			nt = chip_memory_types(in->chip, in->segs[i].addr, types, 8);
		for (k = 0; k < nt && k < 8; k++) {
			size_t used = strlen(mem);

			snprintf(mem + used, sizeof(mem) - used, "%s%s", k ? "," : "", types[k]);
		}
		if (!nt)
			snprintf(mem, sizeof(mem), "unknown");
		if (dup)
			snprintf(id, sizeof(id), "0x%08x#%zu", in->segs[i].addr, dup);
		else
			snprintf(id, sizeof(id), "0x%08x", in->segs[i].addr);
		s = node_item(l, id, NULL);
		node_uint(s, "index", i, IMGINFO_F_NODIFF, NULL);
		node_uint(s, "load_address", in->segs[i].addr, IMGINFO_F_HEX, NULL);
		node_uint(s, "size", in->segs[i].len, IMGINFO_F_HEX, NULL);
		node_uint(s, "file_offset", base + in->segs[i].data_offset,
			  IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		node_str(s, "memory", "%s", mem);
		node_line(s, "%zu: load 0x%08x size 0x%08x file 0x%08llx %s", i, in->segs[i].addr,
			  in->segs[i].len, (unsigned long long)(base + in->segs[i].data_offset),
			  mem);
		node_data(s, data + in->segs[i].data_offset, in->segs[i].len,
			  base + in->segs[i].data_offset);
		if (s) {
			s->addr = in->segs[i].addr;
			s->has_addr = 1;
			/* the app or bootloader descriptor is compared field by field */
			if (in->has_desc && in->desc_offset == in->segs[i].data_offset) {
				s->skip_off = 0;
				s->skip_len = APPIMAGE_DESC_LEN;
			} else if (in->has_bootdesc &&
				   in->bootdesc_offset == in->segs[i].data_offset) {
				s->skip_off = 0;
				s->skip_len = APPIMAGE_BOOTDESC_LEN;
			}
		}
	}
}

/* The file ends inside the appended SHA-256: what is there, and the problem. */
static void describe_short_digest(struct describe_ctx *c, struct imginfo_node *d,
				  const struct appimage_info *in, uint64_t base, const char *where)
{
	char hex[2 * SHA256_LEN + 1], want[2 * SHA256_LEN + 1];

	ascii_hex_encode(in->digest_stored, in->digest_have, hex);
	ascii_hex_encode(in->digest_calc, SHA256_LEN, want);
	node_str(d, "stored", "%s", hex);
	node_set_flags(node_str(d, "computed", "%s", want), IMGINFO_F_NODIFF);
	node_str(d, "status", "truncated");
	node_uint(d, "stored_length", in->digest_have, 0, NULL);
	node_line(d, "%s%struncated: %zu of %d bytes, expected %s", hex, in->digest_have ? " " : "",
		  in->digest_have, SHA256_LEN, want);
	describe_problem(c, "digest", base + in->image_len, where,
			 "SHA-256 digest truncated: the file ends after %zu of its %d bytes",
			 in->digest_have, SHA256_LEN);
}

static void describe_digests(struct describe_ctx *c, struct imginfo_node *img,
			     const struct appimage_info *in, uint64_t base, const char *where)
{
	struct imginfo_node *k = derived_obj(img, "checksum", IMGINFO_CLASS_DIGEST);
	int ok = in->checksum_stored == in->checksum_calc;

	node_uint(k, "stored", in->checksum_stored, IMGINFO_F_HEX, NULL);
	node_uint(k, "computed", in->checksum_calc, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
	node_uint(k, "file_offset", base + in->checksum_offset, IMGINFO_F_HEX | IMGINFO_F_POS,
		  NULL);
	node_str(k, "status", "%s", ok ? "valid" : "invalid");
	if (ok) {
		node_line(k, "0x%02x valid", in->checksum_stored);
	} else {
		node_line(k, "0x%02x invalid, expected 0x%02x", in->checksum_stored,
			  in->checksum_calc);
		describe_problem(c, "checksum", base + in->checksum_offset, where,
				 "checksum 0x%02x invalid, expected 0x%02x", in->checksum_stored,
				 in->checksum_calc);
	}

	if (in->hash_appended && in->digest_have < SHA256_LEN) {
		describe_short_digest(c, derived_obj(img, "sha256", IMGINFO_CLASS_DIGEST), in,
				      base, where);
		return;
	}
	describe_digest(c, derived_obj(img, "sha256", IMGINFO_CLASS_DIGEST), "SHA-256", "digest",
			in->hash_appended ? in->digest_stored : NULL, in->digest_calc, SHA256_LEN,
			1, where, base + in->image_len);
}

/* A descriptor's text as the device prints it, and any bytes hidden after its NUL. */
static void describe_text(struct imginfo_node *n, const char *key, const struct appimage_text *t)
{
	char tail_key[48];

	node_cstr(n, key, t->s);
	if (t->tail_len) {
		snprintf(tail_key, sizeof(tail_key), "%s_after_nul", key);
		node_hex(n, tail_key, t->tail, t->tail_len);
	}
}

/* esp_bootloader_desc_t of an ESP-IDF v5.2+ bootloader; nothing for older ones. */
static void describe_bootdesc(struct imginfo_node *img, const struct appimage_info *in,
			      uint64_t base)
{
	const struct appimage_bootdesc *d = &in->bootdesc;
	struct imginfo_node *n;

	if (!in->has_bootdesc)
		return;
	n = node_set_class(node_obj(img, "bootloader_desc"), IMGINFO_CLASS_APPDESC);
	node_uint(n, "file_offset", base + in->bootdesc_offset, IMGINFO_F_HEX | IMGINFO_F_POS,
		  NULL);
	node_uint(n, "magic", APPIMAGE_BOOTDESC_MAGIC, IMGINFO_F_HEX, NULL);
	node_uint(n, "secure_version", d->secure_version, 0, NULL);
	node_uint(n, "version", d->version, 0, NULL);
	describe_text(n, "idf_ver", &d->idf_ver);
	describe_text(n, "date_time", &d->date_time);
}

static void describe_desc(struct imginfo_node *img, const struct appimage_info *in, uint64_t base)
{
	const struct appimage_desc *d = &in->desc;
	struct imginfo_node *n = node_set_class(node_obj(img, "app_desc"), IMGINFO_CLASS_APPDESC);
	char mmu[32];

	if (!n)
		return;
	if (!in->has_desc) {
		node_line(n, "none");
		return;
	}
	node_uint(n, "file_offset", base + in->desc_offset, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_uint(n, "magic", d->magic, IMGINFO_F_HEX, NULL);
	node_uint(n, "secure_version", d->secure_version, 0, NULL);
	describe_text(n, "version", &d->version);
	describe_text(n, "project_name", &d->project_name);
	describe_text(n, "time", &d->time);
	describe_text(n, "date", &d->date);
	describe_text(n, "idf_ver", &d->idf_ver);
	node_set_class(node_hex(n, "app_elf_sha256", d->app_elf_sha256, SHA256_LEN),
		       IMGINFO_CLASS_ELF_SHA256);
	node_uint(n, "min_efuse_blk_rev_full", d->min_efuse_blk_rev_full, 0, NULL);
	node_uint(n, "max_efuse_blk_rev_full", d->max_efuse_blk_rev_full, 0, NULL);
	if (d->mmu_page_size && d->mmu_page_size < 32)
		snprintf(mmu, sizeof(mmu), "%u bytes", 1u << d->mmu_page_size);
	else
		snprintf(mmu, sizeof(mmu), "not set");
	node_uint(n, "mmu_page_size", d->mmu_page_size, 0, mmu);
}

/* Block @i of a v2 signature sector over the @sig_off image bytes; @vr: the verdicts of
 * a verification with the given key, or NULL. */
static void describe_sig_block(struct describe_ctx *c, struct imginfo_node *blocks,
			       const uint8_t *data, size_t sig_off, unsigned i,
			       const struct sbv2_verify_result *vr, uint64_t base,
			       const char *where)
{
	const uint8_t *b = data + sig_off + i * SBV2_BLOCK_SIZE;
	uint64_t at = base + sig_off + i * SBV2_BLOCK_SIZE;
	struct sbv2_block_info bi;
	struct imginfo_node *bn;
	char label[8], kd[2 * SBV2_KEY_DIGEST_LEN + 1];
	uint8_t dg[SB_MAX_DIGEST];
	int dg_ok;

	sbv2_block_decode(b, &bi);
	if (bi.state == SBV2_BLOCK_EMPTY)
		return;
	snprintf(label, sizeof(label), "%u", i);
	bn = node_item(blocks, label, NULL);
	node_uint(bn, "index", i, 0, NULL);
	node_str(bn, "state", "%s", sbv2_block_state_text(bi.state));
	node_data(bn, b, SBV2_BLOCK_SIZE, at);
	if (bi.state != SBV2_BLOCK_VALID) {
		node_line(bn, "%u: %s", i, sbv2_block_state_text(bi.state));
		describe_problem(c, "signature-block", at, where, "signature block %u: %s", i,
				 sbv2_block_state_text(bi.state));
		return;
	}
	sbv2_image_digest(bi.scheme, data, sig_off, dg);
	dg_ok = memcmp(dg, bi.digest, sbkey_scheme_digest_len(bi.scheme)) == 0;
	node_str(bn, "key_scheme", "%s", sbkey_scheme_name(bi.scheme));
	node_hex(bn, "key_digest", bi.key_digest, SBV2_KEY_DIGEST_LEN);
	node_str(bn, "crc", "valid");
	node_str(bn, "image_digest", "%s", dg_ok ? "matches" : "does not match");
	if (!dg_ok)
		describe_problem(c, "signature-digest", at, where,
				 "signature block %u: image digest does not match", i);
	if (vr)
		node_str(bn, "verification", "%s", sbv2_verdict_text(vr->verdict[i]));
	ascii_hex_encode(bi.key_digest, SBV2_KEY_DIGEST_LEN, kd);
	node_line(bn, "%u: %s, key digest %s, CRC valid, image digest %s%s%s", i,
		  sbkey_scheme_name(bi.scheme), kd, dg_ok ? "matches" : "does not match",
		  vr ? ", " : "", vr ? sbv2_verdict_text(vr->verdict[i]) : "");
}

/* The Secure Boot v2 signature sector at @sig_off (spec/secure-boot.md §2). */
static void describe_sig_v2(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data,
			    size_t sig_off, uint64_t base, const char *where)
{
	struct sbv2_verify_result *vr = NULL;
	struct imginfo_node *s, *blocks;
	unsigned i;

	s = derived_obj(img, "signature", IMGINFO_CLASS_SIGNATURE);
	node_str(s, "scheme", "secure boot v2");
	node_uint(s, "file_offset", base + sig_off, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	if (c->opts && c->opts->pubkey) {
		vr = malloc(sizeof(*vr));
		if (vr && sbv2_verify_image(c->file, data, sig_off + SBV2_SECTOR_SIZE,
					    c->opts->pubkey, NULL, vr) != 0) {
			free(vr);
			vr = NULL;
		}
	}
	blocks = node_list(s, "blocks");
	for (i = 0; i < SBV2_MAX_BLOCKS; i++)
		describe_sig_block(c, blocks, data, sig_off, i, vr, base, where);
	if (vr) {
		/* one block made with the key is enough (as the ROM checks) */
		int ok = vr->verified >= 0 && !vr->tampered;

		node_str(s, "verification", "%s",
			 ok ? "verified with the given key" : "does not verify with the given key");
		if (!ok)
			describe_problem(c, "signature-key", base + sig_off, where,
					 "signature does not verify with the given key");
	}
	free(vr);
}

/* The signature after the image: 2 a v2 sector (at the 4 KiB aligned end), 1 a v1 block
 * (version 0, r, s right after the image, not all zero), 0 none (spec/secure-boot.md). */
static int sig_version(const uint8_t *data, size_t len, const struct appimage_info *in)
{
	size_t sig_off = sbv2_padded_len(in->end), k;
	const uint8_t *p = data + in->end;
	int zero = 1;

	if (sig_off + SBV2_SECTOR_SIZE <= len && data[sig_off] == SBV2_BLOCK_MAGIC)
		return 2;
	if (!in->chip || !in->chip->secure_pad_v1 || in->end + SBV1_SIG_BLOCK_SIZE > len ||
	    buf_get_le32(p) != 0 || node_erased(p + 4, 64))
		return 0;
	for (k = 4; k < SBV1_SIG_BLOCK_SIZE; k++)
		zero &= p[k] == 0;
	return zero ? 0 : 1;
}

/* The v1 block after the image (spec/secure-boot.md §1). */
static void describe_sig_v1(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data,
			    const struct appimage_info *in, uint64_t base, const char *where)
{
	const uint8_t *p = data + in->end;
	struct imginfo_node *s;

	s = derived_obj(img, "signature", IMGINFO_CLASS_SIGNATURE);
	node_str(s, "scheme", "secure boot v1");
	node_uint(s, "file_offset", base + in->end, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_hex(s, "r", p + 4, 32);
	node_hex(s, "s", p + 36, 32);
	node_data(s, p, SBV1_SIG_BLOCK_SIZE, base + in->end);
	if (c->opts && c->opts->pubkey) {
		int rc = sbv1_verify_image(c->file, data, in->end + SBV1_SIG_BLOCK_SIZE,
					   c->opts->pubkey);

		node_str(s, "verification", "%s",
			 rc == 0 ? "signature verified" : "signature does not verify");
		if (rc != 0)
			describe_problem(c, "signature-v1", base + in->end, where,
					 "secure boot v1 signature does not verify");
	}
}

/* A v2 signature sector, else a v1 block, after the image. Returns the end of what it
 * describes, or 0 when the image carries no signature. */
static size_t describe_signature(struct describe_ctx *c, struct imginfo_node *img,
				 const uint8_t *data, size_t len, const struct appimage_info *in,
				 uint64_t base, const char *where)
{
	size_t sig_off = sbv2_padded_len(in->end);

	switch (sig_version(data, len, in)) {
	case 2:
		describe_sig_v2(c, img, data, sig_off, base, where);
		return sig_off + SBV2_SECTOR_SIZE;
	case 1:
		describe_sig_v1(c, img, data, in, base, where);
		return in->end + SBV1_SIG_BLOCK_SIZE;
	}
	/* with Secure Boot on, the ROM or bootloader refuses an unsigned image; a v1
	 * bootloader is not signed (its digest is kept in eFuse) */
	if (describe_checking(c) && c->opts->pubkey &&
	    !(app_kind(in) == IMGINFO_BOOTLOADER && in->chip &&
	      (in->chip->secure_boot & CHIP_SB_V1)))
		describe_problem(c, "unsigned", base + in->end, where,
				 "no Secure Boot signature, but --pubkey was given");
	return 0;
}

int describe_signed_like(const uint8_t *data, size_t len)
{
	struct sbv2_block_info bi;

	if (len < SBV2_SECTOR_SIZE || len % SBV2_SECTOR_SIZE)
		return 0;
	sbv2_block_decode(data + len - SBV2_SECTOR_SIZE, &bi);
	return bi.state == SBV2_BLOCK_VALID;
}

void describe_signed(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data,
		     size_t len)
{
	size_t sig_off = len - SBV2_SECTOR_SIZE;
	struct imginfo_node *d;

	node_str(img, "kind", "%s", imginfo_kind_name(IMGINFO_SIGNED));
	node_uint(img, "data_length", sig_off, IMGINFO_F_HEX, NULL);
	d = node_set_class(node_obj(img, "data"), IMGINFO_CLASS_CONTENT);
	describe_bytes(d, data, sig_off, 0);
	describe_sig_v2(c, img, data, sig_off, 0, "");
}

static void describe_region(struct imginfo_node *parent, const char *key, const uint8_t *data,
			    size_t from, size_t to, uint64_t base)
{
	struct imginfo_node *t;

	if (to <= from)
		return;
	t = node_set_class(node_obj(parent, key), IMGINFO_CLASS_CONTENT);
	node_uint(t, "file_offset", base + from, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	describe_bytes(t, data + from, to - from, base + from);
}

int describe_app_facts(const uint8_t *data, size_t len, struct describe_app_facts *f)
{
	struct appimage_info *in;
	const char *size;
	int rc = -1;

	memset(f, 0, sizeof(*f));
	if (!appimage_has_magic(data, len))
		return -1;
	in = malloc(sizeof(*in)); /* room for 255 segments: not for the stack */
	if (in && app_decode(data, len, NULL, 1, in) == 0) {
		f->kind = app_kind(in);
		f->chip = in->chip;
		f->chip_id = in->chip_id;
		f->end = in->end;
		size = code_name(chip_flash_sizes(), in->flash_size_freq & 0xF0u,
				 chip_flash_size_code);
		if (size) {
			snprintf(f->flash_size, sizeof(f->flash_size), "%s", size);
			f->flash_size_bytes = chip_flash_size_bytes(size);
		}
		f->signature = sig_version(data, len, in);
		rc = 0;
	}
	free(in);
	return rc;
}

int describe_app_probe(const uint8_t *data, size_t len, enum imginfo_kind *kind,
		       const struct chip **chip)
{
	struct describe_app_facts f;

	if (describe_app_facts(data, len, &f) < 0)
		return -1;
	if (kind)
		*kind = f.kind;
	if (chip)
		*chip = f.chip;
	return 0;
}

int describe_app(struct describe_ctx *c, struct imginfo_node *img, const uint8_t *data, size_t len,
		 uint64_t base, enum imginfo_kind kind, const char *where)
{
	struct appimage_info *in = malloc(sizeof(*in));
	size_t sig_end;

	if (!in)
		return diag_error("out of memory");
	if (app_decode(data, len, c->file, c->quiet, in) < 0) {
		free(in);
		return -1;
	}
	if (kind == IMGINFO_UNKNOWN)
		kind = app_kind(in);
	node_set_flags(img, IMGINFO_F_SCOPE);
	node_str(img, "kind", "%s", imginfo_kind_name(kind));
	node_set_class(node_str(img, "chip", "%s", in->chip ? in->chip->name : "unknown"),
		       IMGINFO_CLASS_HEADER);
	node_uint(img, "image_length", in->end, IMGINFO_F_HEX, NULL);
	describe_header(img, in);
	describe_segments(img, data, in, base);
	describe_digests(c, img, in, base, where);
	describe_desc(img, in, base);
	describe_bootdesc(img, in, base);
	sig_end = describe_signature(c, img, data, len, in, base, where);
	if (sig_end) {
		/* v2: 0xFF up to the 4 KiB aligned signature sector */
		if (sig_end >= in->end + SBV2_SECTOR_SIZE)
			describe_region(img, "padding", data, in->end, sig_end - SBV2_SECTOR_SIZE,
					base);
		describe_region(img, "trailing", data, sig_end, len, base);
	} else {
		describe_region(img, "trailing", data, in->end, len, base);
	}
	free(in);
	return 0;
}
