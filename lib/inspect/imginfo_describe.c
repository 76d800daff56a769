/*
 * imginfo: kind detection and the description of each kind, built from the existing
 * decoders (appimage, parttable, otadata, nvs, sbsign). Bytes are borrowed, never
 * copied into the tree; nothing here reads outside [data, data + len).
 */
#include "imginfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "appimage.h"
#include "chip.h"
#include "crc.h"
#include "diag.h"
#include "hash.h"
#include "node.h"
#include "nvs.h"
#include "otadata.h"
#include "parttable.h"
#include "sbsign.h"

/* Where the bootloader may start in a flash image (spec/flash-layout.md §1). */
static const size_t bootloader_offsets[] = {0x0, 0x1000, 0x2000};

struct ctx {
	const struct imginfo_opts *opts;
	const char *file;
	struct imginfo_node *problems;
	int quiet; /* probing: decoder messages are swallowed */
};

static void problem(struct ctx *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct ctx *c, const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (where && *where)
		node_str(c->problems, "", "%s: %s", where, msg);
	else
		node_str(c->problems, "", "%s", msg);
}

/* ---- quiet decoding, for probing ---- */

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

/*
 * Partition table rows: @nrows rows before the end marker or MD5 row; *@md5 is -1
 * (no MD5 row), 0 (wrong) or 1 (right). Decodes a copy without the MD5 row, so a
 * wrong MD5 is reported in the description rather than failing the decode.
 */
static int table_decode(const uint8_t *data, size_t len, const char *file, int quiet,
			struct parttable *pt, int *md5, uint8_t md5_calc[MD5_LEN])
{
	struct parttable_config cfg;
	struct buf sink = BUF_INIT, copy = BUF_INIT;
	size_t pos;
	int rc = -1;

	*md5 = -1;
	if (len > PARTTABLE_MAX_LEN)
		len = PARTTABLE_MAX_LEN;
	if (len < 2 || data[0] != 0xAA || data[1] != 0x50) {
		if (!quiet)
			diag_file(file, "no partition table (magic AA 50 missing)");
		return -1;
	}
	for (pos = 0; pos + PARTTABLE_ENTRY_SIZE <= len; pos += PARTTABLE_ENTRY_SIZE) {
		if (node_erased(data + pos, PARTTABLE_ENTRY_SIZE))
			break;
		if (data[pos] == 0xEB && data[pos + 1] == 0xEB) {
			hash_md5(data, pos, md5_calc);
			*md5 = memcmp(md5_calc, data + pos + 16, MD5_LEN) == 0;
			break;
		}
	}
	if (parttable_config_init(&cfg) < 0)
		return -1;
	if (buf_append(&copy, data, pos) < 0 || buf_fill(&copy, 0xFF, PARTTABLE_ENTRY_SIZE) < 0)
		goto out;
	if (quiet)
		diag_capture_begin(&sink);
	parttable_init(pt, file);
	rc = parttable_decode(copy.data, copy.len, &cfg, pt);
	if (quiet)
		diag_capture_end();
	if (rc == 0 && pt->n == 0) {
		if (!quiet)
			diag_file(file, "partition table has no entries");
		rc = -1;
	}
	if (rc < 0)
		parttable_free(pt);
out:
	parttable_config_free(&cfg);
	buf_free(&copy);
	buf_free(&sink);
	return rc;
}

static int table_at(const uint8_t *data, size_t len)
{
	struct parttable pt;
	uint8_t md5[MD5_LEN];
	int m;

	if (len < PARTTABLE_ENTRY_SIZE || data[0] != 0xAA || data[1] != 0x50)
		return 0;
	if (table_decode(data, len, NULL, 1, &pt, &m, md5) < 0)
		return 0;
	parttable_free(&pt);
	return m != 0; /* a wrong MD5 row: not trusted while scanning */
}

/* File offset of a flash image's partition table: 0x8000, else the first 4 KiB
 * aligned offset from 0x1000 that holds one. Returns 0 when there is none. */
static size_t find_table(const uint8_t *data, size_t len)
{
	size_t off;

	if (len > PARTTABLE_DEFAULT_OFFSET && table_at(data + PARTTABLE_DEFAULT_OFFSET, len - PARTTABLE_DEFAULT_OFFSET))
		return PARTTABLE_DEFAULT_OFFSET;
	for (off = 0x1000; off < len; off += 0x1000) {
		if (table_at(data + off, len - off))
			return off;
	}
	return 0;
}

static int otadata_like(const uint8_t *data, size_t len)
{
	if (len < OTADATA_MIN_SIZE || len % OTADATA_SECTOR)
		return 0;
	return node_erased(data + OTADATA_ENTRY_SIZE, OTADATA_SECTOR - OTADATA_ENTRY_SIZE) &&
	       node_erased(data + OTADATA_SECTOR + OTADATA_ENTRY_SIZE,
			 len - OTADATA_SECTOR - OTADATA_ENTRY_SIZE);
}

/* First NVS page: ACTIVE or FULL, header CRC right (spec/nvs.md §2). */
static int nvs_like(const uint8_t *data, size_t len)
{
	uint32_t state;

	if (len < 0x1000 || len % 0x1000)
		return 0;
	state = buf_get_le32(data);
	if (state != 0xFFFFFFFEu && state != 0xFFFFFFFCu)
		return 0;
	return crc32_esp(data + 4, 24) == buf_get_le32(data + 28);
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

enum imginfo_kind imginfo_detect(const uint8_t *data, size_t len)
{
	struct appimage_info *in;
	enum imginfo_kind kind = IMGINFO_UNKNOWN;

	if (len >= 2 && data[0] == 0xAA && data[1] == 0x50 && table_at(data, len))
		return IMGINFO_PARTTABLE;
	if (len > 0x1000 && find_table(data, len))
		return IMGINFO_FLASH;
	if (len >= 1 && data[0] == APPIMAGE_MAGIC) {
		in = malloc(sizeof(*in));
		if (in && app_decode(data, len, NULL, 1, in) == 0)
			kind = app_kind(in);
		free(in);
		return kind;
	}
	if (otadata_like(data, len))
		return IMGINFO_OTADATA;
	if (nvs_like(data, len))
		return IMGINFO_NVS;
	return IMGINFO_UNKNOWN;
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

static const char *freq_name(const struct chip *c, uint8_t code)
{
	size_t i;

	if (!c)
		return NULL;
	if (code == 0 && c->default_freq)
		return c->default_freq;
	for (i = 0; i < c->freqs_len; i++) {
		if (c->freqs[i].code == code)
			return c->freqs[i].name;
	}
	return NULL;
}

static void rev_text(uint16_t v, char *out, size_t n)
{
	snprintf(out, n, "v%u.%u", v / 100u, v % 100u);
}

/* ---- pieces ---- */

static void set_flags(struct imginfo_node *n, unsigned flags)
{
	if (n)
		n->flags |= flags;
}

static void set_class(struct imginfo_node *n, enum imginfo_class cls)
{
	if (n)
		n->cls = cls;
}

/* Size, erased or not, SHA-256; the bytes are compared by imginfo_diff(). */
static void describe_bytes(struct imginfo_node *n, const uint8_t *p, size_t len, uint64_t file_off)
{
	uint8_t sha[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	int erased = node_erased(p, len);

	node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
	node_str(n, "erased", "%s", erased ? "yes" : "no");
	hash_sha256(p, len, sha);
	ascii_hex_encode(sha, SHA256_LEN, hex);
	if (!erased)
		set_flags(node_str(n, "sha256", "%s", hex), IMGINFO_F_NODIFF);
	node_data(n, p, len, file_off);
	if (n)
		node_line(n, "0x%zx bytes, %s", len, erased ? "erased" : hex);
}

static void describe_header(struct imginfo_node *img, const struct appimage_info *in)
{
	struct imginfo_node *h = node_obj(img, "header"), *e;
	const char *cname = in->chip ? in->chip->name : "unknown";
	char r1[16], r2[16];

	set_class(h, IMGINFO_CLASS_HEADER);

	node_uint(h, "magic", APPIMAGE_MAGIC, IMGINFO_F_HEX, NULL);
	node_uint(h, "segment_count", in->seg_count, 0, NULL);
	node_uint(h, "flash_mode", in->flash_mode, 0,
		code_name(chip_flash_modes(), in->flash_mode, chip_flash_mode_code));
	node_uint(h, "flash_size", in->flash_size_freq & 0xF0u, IMGINFO_F_HEX,
		code_name(chip_flash_sizes(), in->flash_size_freq & 0xF0u, chip_flash_size_code));
	node_uint(h, "flash_freq", in->flash_size_freq & 0x0Fu, IMGINFO_F_HEX,
		freq_name(in->chip, in->flash_size_freq & 0x0Fu));
	node_uint(h, "entry", in->entry, IMGINFO_F_HEX, NULL);

	e = node_obj(img, "extended_header");
	set_class(e, IMGINFO_CLASS_HEADER);
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
	struct imginfo_node *l = node_list(img, "segments");
	size_t i, j;

	if (l)
		l->cls = IMGINFO_CLASS_CONTENT;
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
			in->segs[i].len, (unsigned long long)(base + in->segs[i].data_offset), mem);
		node_data(s, data + in->segs[i].data_offset, in->segs[i].len,
			base + in->segs[i].data_offset);
		if (s) {
			s->addr = in->segs[i].addr;
			s->has_addr = 1;
			/* the app descriptor is compared field by field */
			if (in->has_desc && in->desc_offset >= in->segs[i].data_offset &&
			    in->desc_offset < in->segs[i].data_offset + in->segs[i].len) {
				s->skip_off = in->desc_offset - in->segs[i].data_offset;
				s->skip_len = APPIMAGE_DESC_LEN;
			}
		}
	}
}

static void describe_digests(struct ctx *c, struct imginfo_node *img,
			     const struct appimage_info *in, uint64_t base, const char *where)
{
	struct imginfo_node *k = node_obj(img, "checksum"), *d;
	char hex[2 * SHA256_LEN + 1], calc[2 * SHA256_LEN + 1];
	int ok = in->checksum_stored == in->checksum_calc;

	if (k) {
		k->cls = IMGINFO_CLASS_DIGEST;
		k->flags |= IMGINFO_F_DERIVED;
	}
	node_uint(k, "stored", in->checksum_stored, IMGINFO_F_HEX, NULL);
	node_uint(k, "computed", in->checksum_calc, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
	node_uint(k, "file_offset", base + in->checksum_offset, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_str(k, "status", "%s", ok ? "valid" : "invalid");
	if (ok) {
		node_line(k, "0x%02x valid", in->checksum_stored);
	} else {
		node_line(k, "0x%02x invalid, expected 0x%02x", in->checksum_stored,
			in->checksum_calc);
		problem(c, where, "checksum 0x%02x invalid, expected 0x%02x", in->checksum_stored,
			in->checksum_calc);
	}

	d = node_obj(img, "sha256");
	if (d) {
		d->cls = IMGINFO_CLASS_DIGEST;
		d->flags |= IMGINFO_F_DERIVED;
	}
	if (!in->hash_appended) {
		node_str(d, "status", "none");
		node_line(d, "none");
		return;
	}
	ascii_hex_encode(in->digest_stored, SHA256_LEN, hex);
	ascii_hex_encode(in->digest_calc, SHA256_LEN, calc);
	node_str(d, "stored", "%s", hex);
	set_flags(node_str(d, "computed", "%s", calc), IMGINFO_F_NODIFF);
	node_str(d, "status", "%s", in->digest_valid ? "valid" : "invalid");
	if (in->digest_valid) {
		node_line(d, "%s valid", hex);
	} else {
		node_line(d, "%s invalid, expected %s", hex, calc);
		problem(c, where, "SHA-256 %s invalid, expected %s", hex, calc);
	}
}

static void describe_desc(struct imginfo_node *img, const struct appimage_info *in, uint64_t base)
{
	const struct appimage_desc *d = &in->desc;
	struct imginfo_node *n = node_obj(img, "app_desc");
	char mmu[32];

	if (!n)
		return;
	n->cls = IMGINFO_CLASS_APPDESC;
	if (!in->has_desc) {
		node_line(n, "none");
		return;
	}
	node_uint(n, "file_offset", base + in->desc_offset, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_uint(n, "magic", d->magic, IMGINFO_F_HEX, NULL);
	node_uint(n, "secure_version", d->secure_version, 0, NULL);
	node_cstr(n, "version", d->version);
	node_cstr(n, "project_name", d->project_name);
	node_cstr(n, "time", d->time);
	node_cstr(n, "date", d->date);
	node_cstr(n, "idf_ver", d->idf_ver);
	set_class(node_hex(n, "app_elf_sha256", d->app_elf_sha256, SHA256_LEN),
		  IMGINFO_CLASS_ELF_SHA256);
	node_uint(n, "min_efuse_blk_rev_full", d->min_efuse_blk_rev_full, 0, NULL);
	node_uint(n, "max_efuse_blk_rev_full", d->max_efuse_blk_rev_full, 0, NULL);
	if (d->mmu_page_size && d->mmu_page_size < 32)
		snprintf(mmu, sizeof(mmu), "%u bytes", 1u << d->mmu_page_size);
	else
		snprintf(mmu, sizeof(mmu), "not set");
	node_uint(n, "mmu_page_size", d->mmu_page_size, 0, mmu);
}

/* Secure Boot v2 signature sector at @sig_off, or v1 block at @end. Returns the end of
 * what it describes, or 0 when the image carries no signature. */
static size_t describe_signature(struct ctx *c, struct imginfo_node *img, const uint8_t *data,
				 size_t len, const struct appimage_info *in, uint64_t base,
				 const char *where)
{
	size_t sig_off = sbv2_padded_len(in->end);
	struct sbv2_block_info bi;
	struct imginfo_node *s, *blocks;
	unsigned i;

	if (sig_off + SBV2_SECTOR_SIZE <= len && data[sig_off] == SBV2_BLOCK_MAGIC) {
		struct sbv2_verify_result *vr = NULL;
		int verify_rc = -1;

		s = node_obj(img, "signature");
		if (s) {
			s->cls = IMGINFO_CLASS_SIGNATURE;
			s->flags |= IMGINFO_F_DERIVED;
		}
		node_str(s, "scheme", "secure boot v2");
		node_uint(s, "file_offset", base + sig_off, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		if (c->opts && c->opts->pubkey) {
			vr = malloc(sizeof(*vr));
			if (vr)
				verify_rc =
				    sbv2_verify_image(c->file, data, sig_off + SBV2_SECTOR_SIZE,
						      c->opts->pubkey, NULL, vr);
		}
		blocks = node_list(s, "blocks");
		for (i = 0; i < SBV2_MAX_BLOCKS; i++) {
			const uint8_t *b = data + sig_off + i * SBV2_BLOCK_SIZE;
			struct imginfo_node *bn;
			char label[8];
			uint8_t dg[SB_MAX_DIGEST];
			int dg_ok;

			sbv2_block_decode(b, &bi);
			if (bi.state == SBV2_BLOCK_EMPTY)
				continue;
			snprintf(label, sizeof(label), "%u", i);
			bn = node_item(blocks, label, NULL);
			node_uint(bn, "index", i, 0, NULL);
			node_str(bn, "state", "%s", sbv2_block_state_text(bi.state));
			node_data(bn, b, SBV2_BLOCK_SIZE, base + sig_off + i * SBV2_BLOCK_SIZE);
			if (bi.state != SBV2_BLOCK_VALID) {
				node_line(bn, "%u: %s", i, sbv2_block_state_text(bi.state));
				problem(c, where, "signature block %u: %s", i,
					sbv2_block_state_text(bi.state));
				continue;
			}
			sbv2_image_digest(bi.scheme, data, sig_off, dg);
			dg_ok = memcmp(dg, bi.digest, sbkey_scheme_digest_len(bi.scheme)) == 0;
			node_str(bn, "key_scheme", "%s", sbkey_scheme_name(bi.scheme));
			node_hex(bn, "key_digest", bi.key_digest, SBV2_KEY_DIGEST_LEN);
			node_str(bn, "crc", "valid");
			node_str(bn, "image_digest", "%s", dg_ok ? "matches" : "does not match");
			if (!dg_ok)
				problem(c, where, "signature block %u: image digest does not match",
					i);
			if (vr && verify_rc == 0) {
				node_str(bn, "verification", "%s", sbv2_verdict_text(vr->verdict[i]));
			}
			if (bn) {
				char kd[2 * SBV2_KEY_DIGEST_LEN + 1];

				ascii_hex_encode(bi.key_digest, SBV2_KEY_DIGEST_LEN, kd);
				node_line(bn, "%u: %s, key digest %s, CRC valid, image digest %s%s%s",
					i, sbkey_scheme_name(bi.scheme), kd,
					dg_ok ? "matches" : "does not match",
					vr && verify_rc == 0 ? ", " : "",
					vr && verify_rc == 0 ? sbv2_verdict_text(vr->verdict[i])
							     : "");
			}
		}
		if (vr && verify_rc == 0) {
			/* one block made with the key is enough (as the ROM checks) */
			int ok = vr->verified >= 0 && !vr->tampered;

			node_str(s, "verification", "%s",
			       ok ? "verified with the given key"
				  : "does not verify with the given key");
			if (!ok)
				problem(c, where, "signature does not verify with the given key");
		}
		free(vr);
		return sig_off + SBV2_SECTOR_SIZE;
	}
	/* v1: 68 bytes (version 0, r, s) right after the image (spec/secure-boot.md §1) */
	if (in->chip && in->chip->secure_pad_v1 && in->end + SBV1_SIG_BLOCK_SIZE <= len &&
	    buf_get_le32(data + in->end) == 0 && !node_erased(data + in->end + 4, 64)) {
		size_t k;
		int zero = 1;

		for (k = 4; k < SBV1_SIG_BLOCK_SIZE; k++)
			zero &= data[in->end + k] == 0;
		if (zero)
			return 0;
		s = node_obj(img, "signature");
		if (s) {
			s->cls = IMGINFO_CLASS_SIGNATURE;
			s->flags |= IMGINFO_F_DERIVED;
		}
		node_str(s, "scheme", "secure boot v1");
		node_uint(s, "file_offset", base + in->end, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		node_hex(s, "r", data + in->end + 4, 32);
		node_hex(s, "s", data + in->end + 36, 32);
		node_data(s, data + in->end, SBV1_SIG_BLOCK_SIZE, base + in->end);
		if (c->opts && c->opts->pubkey) {
			int rc = sbv1_verify_image(c->file, data, in->end + SBV1_SIG_BLOCK_SIZE,
						   c->opts->pubkey);

			node_str(s, "verification", "%s",
			       rc == 0 ? "signature verified" : "signature does not verify");
			if (rc != 0)
				problem(c, where, "secure boot v1 signature does not verify");
		}
		return in->end + SBV1_SIG_BLOCK_SIZE;
	}
	return 0;
}

static void describe_region(struct imginfo_node *parent, const char *key, const uint8_t *data,
			    size_t from, size_t to, uint64_t base)
{
	struct imginfo_node *t;

	if (to <= from)
		return;
	t = node_obj(parent, key);
	if (t)
		t->cls = IMGINFO_CLASS_CONTENT;
	node_uint(t, "file_offset", base + from, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	describe_bytes(t, data + from, to - from, base + from);
}

/*
 * An app or bootloader image in @data (@base: its file offset) into @img. Bytes after
 * the image (padding, signature) are described too. Returns 0, or -1 with a message
 * unless quiet.
 */
static int describe_app(struct ctx *c, struct imginfo_node *img, const uint8_t *data, size_t len,
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
	if (img)
		img->flags |= IMGINFO_F_SCOPE;
	node_str(img, "kind", "%s", imginfo_kind_name(kind));
	set_class(node_str(img, "chip", "%s", in->chip ? in->chip->name : "unknown"),
		  IMGINFO_CLASS_HEADER);
	node_uint(img, "image_length", in->end, IMGINFO_F_HEX, NULL);
	describe_header(img, in);
	describe_segments(img, data, in, base);
	describe_digests(c, img, in, base, where);
	describe_desc(img, in, base);
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

/* ---- partition table ---- */

static void describe_table(struct ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
			   const struct parttable *pt, int md5, const uint8_t md5_calc[MD5_LEN],
			   uint64_t base, const char *where)
{
	struct parttable_config cfg;
	struct buf csv = BUF_INIT;
	struct imginfo_node *l, *m;
	const char *line = NULL;
	size_t i, rows = pt->n + (md5 >= 0);

	if (n)
		n->cls = IMGINFO_CLASS_PARTITION;
	if (parttable_config_init(&cfg) < 0) {
		if (n)
			n->flags |= IMGINFO_F_OOM;
		return;
	}
	if (parttable_format_csv(pt, &cfg, &csv) == 0 && buf_fill(&csv, 0, 1) == 0) {
		/* two comment lines, then one row per entry */
		line = (const char *)csv.data;
		for (i = 0; i < 2 && line; i++) {
			line = strchr(line, '\n');
			line = line ? line + 1 : NULL;
		}
	}
	node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_PARTTABLE));
	node_uint(n, "file_offset", base, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	node_uint(n, "entry_count", pt->n, 0, NULL);
	m = node_obj(n, "md5");
	set_flags(m, IMGINFO_F_DERIVED); /* follows the entries */
	if (md5 < 0) {
		node_str(m, "status", "none");
		node_line(m, "none");
	} else {
		char stored[2 * MD5_LEN + 1], calc[2 * MD5_LEN + 1];
		const uint8_t *row = data + pt->n * PARTTABLE_ENTRY_SIZE;

		ascii_hex_encode(row + 16, MD5_LEN, stored);
		ascii_hex_encode(md5_calc, MD5_LEN, calc);
		node_str(m, "stored", "%s", stored);
		node_str(m, "status", "%s", md5 ? "valid" : "invalid");
		if (md5) {
			node_line(m, "%s valid", stored);
		} else {
			node_line(m, "%s invalid, expected %s", stored, calc);
			problem(c, where, "MD5 %s invalid, expected %s", stored, calc);
		}
	}
	l = node_list(n, "entries");
	for (i = 0; i < pt->n; i++) {
		const struct parttable_entry *e = &pt->v[i];
		struct imginfo_node *it;
		const char *tn = parttable_type_name(e->type),
			   *sn = parttable_subtype_name(&cfg, e->type, e->subtype);
		char flags[32] = "";
		const char *nl = line ? strchr(line, '\n') : NULL;

		it = node_item(l, e->name, NULL);
		node_cstr(it, "name", e->name);
		node_uint(it, "type", (uint64_t)e->type, IMGINFO_F_HEX, tn);
		node_uint(it, "subtype", (uint64_t)e->subtype, IMGINFO_F_HEX, sn);
		node_uint(it, "offset", (uint64_t)e->offset, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		node_uint(it, "size", (uint64_t)e->size, IMGINFO_F_HEX, NULL);
		snprintf(flags, sizeof(flags), "%s%s%s",
			 e->flags & PARTTABLE_FLAG_ENCRYPTED ? "encrypted" : "",
			 (e->flags & PARTTABLE_FLAG_ENCRYPTED) && (e->flags & PARTTABLE_FLAG_READONLY) ? ":" : "",
			 e->flags & PARTTABLE_FLAG_READONLY ? "readonly" : "");
		node_uint(it, "flags", e->flags, IMGINFO_F_HEX, flags[0] ? flags : NULL);
		if (line && nl) {
			node_line(it, "%.*s", (int)(nl - line), line);
			line = nl + 1;
		} else {
			node_line(it, "%s, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%x", e->name,
				(unsigned long long)e->type, (unsigned long long)e->subtype,
				(unsigned long long)e->offset, (unsigned long long)e->size,
				e->flags);
		}
	}
	/* bytes after the rows: normally 0xFF */
	if (n && rows * PARTTABLE_ENTRY_SIZE < len) {
		struct imginfo_node *rest = node_obj(n, "rest");

		node_uint(rest, "file_offset", base + rows * PARTTABLE_ENTRY_SIZE,
			IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		describe_bytes(rest, data + rows * PARTTABLE_ENTRY_SIZE, len - rows * PARTTABLE_ENTRY_SIZE,
			       base + rows * PARTTABLE_ENTRY_SIZE);
	}
	buf_free(&csv);
	parttable_config_free(&cfg);
}

/* ---- otadata ---- */

struct ota_slots {
	unsigned count; /* ota_0.. consecutive */
	int has_factory;
	int known; /* described inside a flash image */
};

static void describe_otadata(struct ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
			     uint64_t base, const struct ota_slots *slots, const char *where)
{
	struct otadata_entry e[2];
	struct imginfo_node *l;
	int active, i;

	if (n)
		n->cls = IMGINFO_CLASS_OTADATA;
	otadata_decode(data, len, e);
	node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_OTADATA));
	node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
	l = node_list(n, "entries");
	for (i = 0; i < 2; i++) {
		char label[4];
		struct imginfo_node *it;
		int empty = e[i].seq == OTADATA_SEQ_EMPTY;
		int crc_ok = e[i].crc == otadata_seq_crc(e[i].seq);
		const char *crc_text = empty ? "n/a (empty)" : crc_ok ? "valid" : "invalid";
		const char *use = otadata_entry_valid(&e[i]) ? "used" : "ignored";

		snprintf(label, sizeof(label), "%d", i);
		it = node_item(l, label, NULL);
		node_uint(it, "index", (uint64_t)i, IMGINFO_F_NODIFF, NULL);
		node_uint(it, "file_offset", base + (uint64_t)i * OTADATA_SECTOR,
			IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
		node_uint(it, "seq", e[i].seq, IMGINFO_F_HEX, empty ? "empty" : NULL);
		node_hex(it, "label", e[i].label, OTADATA_LABEL_LEN);
		node_uint(it, "state", e[i].state, IMGINFO_F_HEX, otadata_state_name(e[i].state));
		node_uint(it, "crc", e[i].crc, IMGINFO_F_HEX, NULL);
		node_str(it, "crc_status", "%s", crc_text);
		node_str(it, "bootloader", "%s", use);
		if (empty)
			node_line(it, "%d: empty (seq 0xffffffff), state 0x%x (%s), crc 0x%08x, %s",
				i, e[i].state, otadata_state_name(e[i].state), e[i].crc, use);
		else
			node_line(it, "%d: seq 0x%x, state 0x%x (%s), crc 0x%08x %s, %s", i, e[i].seq,
				e[i].state, otadata_state_name(e[i].state), e[i].crc, crc_text,
				use);
		if (!empty && !crc_ok)
			problem(c, where, "otadata entry %d: CRC 0x%08x invalid, expected 0x%08x",
				i, e[i].crc, otadata_seq_crc(e[i].seq));
	}
	active = otadata_active(e);
	if (active < 0) {
		node_str(n, "active_entry", "none");
	} else {
		node_uint(n, "active_entry", (uint64_t)active, 0, NULL);
	}
	if (slots && slots->known) {
		if (active >= 0 && slots->count > 0)
			node_str(n, "boots", "ota_%u", otadata_seq_slot(e[active].seq, slots->count));
		else if (slots->has_factory)
			node_str(n, "boots", "factory");
		else if (slots->count > 0)
			node_str(n, "boots", "ota_0");
		else
			node_str(n, "boots", "nothing (no app partition)");
	} else if (active >= 0) {
		set_flags(node_str(n, "boots", "ota slot %u modulo the number of ota slots",
				 e[active].seq - 1),
			  IMGINFO_F_NODIFF);
	} else {
		set_flags(node_str(n, "boots", "factory, else ota_0 (no valid entry)"),
			  IMGINFO_F_NODIFF);
	}
	/* everything but the two entries: normally 0xFF */
	if (n) {
		struct imginfo_node *rest = node_obj(n, "rest");
		int erased =
		    node_erased(data + OTADATA_ENTRY_SIZE, OTADATA_SECTOR - OTADATA_ENTRY_SIZE) &&
		    node_erased(data + OTADATA_SECTOR + OTADATA_ENTRY_SIZE,
			      len - OTADATA_SECTOR - OTADATA_ENTRY_SIZE);

		node_str(rest, "erased", "%s", erased ? "yes" : "no");
		node_line(rest, "%s", erased ? "erased" : "not erased");
		if (rest) {
			/* the bytes after entry 0 up to the end, entry 1 left to the fields */
			rest->cls = IMGINFO_CLASS_CONTENT;
			node_data(rest, data + OTADATA_ENTRY_SIZE, len - OTADATA_ENTRY_SIZE,
				base + OTADATA_ENTRY_SIZE);
			rest->skip_off = OTADATA_SECTOR - OTADATA_ENTRY_SIZE;
			rest->skip_len = OTADATA_ENTRY_SIZE;
		}
	}
}

/* ---- nvs ---- */

static int describe_nvs(struct ctx *c, struct imginfo_node *n, const uint8_t *data, size_t len,
			uint64_t base)
{
	struct nvs_image im;
	struct buf csv = BUF_INIT, sink = BUF_INIT;
	int rc;

	nvs_image_init(&im);
	diag_capture_begin(&sink); /* damaged items are skipped; their warnings are noise here */
	rc = nvs_decode(c->file, data, len, &im);
	if (rc == 0)
		rc = nvs_format_csv(c->file, &im, &csv);
	diag_capture_end();
	if (rc == 0) {
		if (n)
			n->cls = IMGINFO_CLASS_CONTENT;
		node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_NVS));
		node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
		node_uint(n, "version", (uint64_t)im.version, 0, NULL);
		node_uint(n, "items", im.n, 0, NULL);
		node_text(n, "csv", csv.data ? (const char *)csv.data : "", csv.len);
		node_data(n, data, len, base);
	} else if (!c->quiet) {
		fwrite(sink.data, 1, sink.len, stderr);
	}
	nvs_image_free(&im);
	buf_free(&csv);
	buf_free(&sink);
	return rc;
}

/* ---- flash image ---- */

static void describe_raw(struct imginfo_node *n, const uint8_t *data, size_t len, uint64_t base)
{
	if (n)
		n->cls = IMGINFO_CLASS_CONTENT;
	node_str(n, "kind", "%s", node_erased(data, len) ? "erased" : "data");
	describe_bytes(n, data, len, base);
	if (n) {
		free(n->line);
		n->line = NULL;
	}
}

static void describe_content(struct ctx *c, struct imginfo_node *n, const struct parttable_entry *e,
			     const uint8_t *data, size_t len, uint64_t base,
			     const struct ota_slots *slots)
{
	char where[64];
	int saved = c->quiet;

	snprintf(where, sizeof(where), "partition %s", e->name);
	c->quiet = 1;
	if (e->type == PARTTABLE_TYPE_APP && len && data[0] == APPIMAGE_MAGIC &&
	    describe_app(c, n, data, len, base, IMGINFO_APP, where) == 0)
		goto out;
	if (e->type == PARTTABLE_TYPE_DATA && e->subtype == PARTTABLE_SUBTYPE_DATA_OTA &&
	    len >= OTADATA_MIN_SIZE) {
		describe_otadata(c, n, data, len, base, slots, where);
		goto out;
	}
	if (e->type == PARTTABLE_TYPE_DATA && e->subtype == PARTTABLE_SUBTYPE_DATA_NVS && nvs_like(data, len) &&
	    describe_nvs(c, n, data, len, base) == 0)
		goto out;
	if (n && e->type == PARTTABLE_TYPE_APP && len && data[0] == APPIMAGE_MAGIC)
		problem(c, where, "app image does not decode");
	describe_raw(n, data, len, base);
out:
	c->quiet = saved;
}

struct span {
	size_t from, to;
};

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

static int describe_flash(struct ctx *c, struct imginfo_node *root, const uint8_t *data, size_t len)
{
	size_t table_off = find_table(data, len), bl_off = 0, i, nspan = 0;
	uint64_t target = 0;
	const struct chip *chip = NULL;
	struct parttable pt;
	struct ota_slots slots = {0, 0, 1};
	uint8_t md5_calc[MD5_LEN];
	struct imginfo_node *n, *parts, *gaps;
	struct span *spans = NULL;
	int md5, have_bl = 0, rc = -1;
	unsigned k;

	if (!table_off)
		return diag_file(c->file, "no partition table found in the flash image");
	if (table_decode(data + table_off, len - table_off, c->file, 0, &pt, &md5, md5_calc) < 0)
		return -1;
	/* the bootloader: where the chip named in its header puts it */
	for (k = 0; k < sizeof(bootloader_offsets) / sizeof(bootloader_offsets[0]); k++) {
		struct appimage_info *in;
		size_t off = bootloader_offsets[k];

		if (off >= table_off || data[off] != APPIMAGE_MAGIC)
			continue;
		in = malloc(sizeof(*in));
		if (in && app_decode(data + off, table_off - off, NULL, 1, in) == 0 && in->chip) {
			chip = in->chip;
			bl_off = off;
			have_bl = 1;
			/* merge-bin --target-offset: the file starts later in flash */
			if (chip->bootloader_offset > off)
				target = chip->bootloader_offset - off;
		}
		free(in);
		if (have_bl)
			break;
	}
	root->flags |= IMGINFO_F_SCOPE;
	node_str(root, "kind", "%s", imginfo_kind_name(IMGINFO_FLASH));
	node_str(root, "chip", "%s", chip ? chip->name : "unknown");
	node_uint(root, "size", len, IMGINFO_F_HEX, NULL);
	node_uint(root, "flash_offset_of_file", target, IMGINFO_F_HEX, NULL);

	spans = calloc(pt.n + 2, sizeof(*spans));
	if (!spans) {
		diag_error("out of memory");
		goto out;
	}
	n = node_obj(root, "bootloader");
	if (have_bl) {
		node_uint(n, "flash_offset", target + bl_off, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
		describe_app(c, n, data + bl_off, table_off - bl_off, bl_off, IMGINFO_BOOTLOADER,
			     "bootloader");
		spans[nspan++] = (struct span){bl_off, table_off};
	} else if (n) {
		node_line(n, "none found at 0x0, 0x1000 or 0x2000");
	}

	n = node_obj(root, "partition_table");
	node_uint(n, "flash_offset", target + table_off, IMGINFO_F_HEX | IMGINFO_F_POS, NULL);
	describe_table(c, n, data + table_off,
		       len - table_off < PARTTABLE_MAX_LEN ? len - table_off : PARTTABLE_MAX_LEN, &pt, md5,
		       md5_calc, table_off, "partition table");
	/* the rest of the table's sector is left to other_regions */
	spans[nspan++] =
	    (struct span){table_off, table_off + PARTTABLE_MAX_LEN < len ? table_off + PARTTABLE_MAX_LEN : len};

	for (i = 0; i < pt.n; i++) {
		const struct parttable_entry *e = &pt.v[i];

		if (e->type == PARTTABLE_TYPE_APP && e->subtype == PARTTABLE_SUBTYPE_APP_FACTORY)
			slots.has_factory = 1;
	}
	for (k = 0; k < OTADATA_MAX_SLOTS; k++) {
		int found = 0;

		for (i = 0; i < pt.n; i++)
			found |= pt.v[i].type == PARTTABLE_TYPE_APP &&
				 pt.v[i].subtype == PARTTABLE_SUBTYPE_APP_OTA_MIN + (int64_t)k;
		if (!found)
			break;
		slots.count++;
	}

	parts = node_list(root, "partitions");
	if (parts)
		parts->cls = IMGINFO_CLASS_CONTENT;
	for (i = 0; i < pt.n; i++) {
		const struct parttable_entry *e = &pt.v[i];
		struct imginfo_node *it = node_item(parts, e->name, NULL), *cn;
		uint64_t start = (uint64_t)e->offset, end = start + (uint64_t)e->size;
		uint64_t from = start >= target ? start - target : 0, to;

		to = end >= target ? end - target : 0;
		set_flags(node_cstr(it, "name", e->name), IMGINFO_F_NODIFF);
		node_uint(it, "flash_offset", start, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
		node_uint(it, "size", (uint64_t)e->size, IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
		if (from >= len || to <= from) {
			node_str(it, "in_image", "no (beyond the end of the file)");
			continue;
		}
		if (to > len)
			to = len;
		node_uint(it, "in_image", to - from, IMGINFO_F_HEX | IMGINFO_F_NODIFF,
			to - from < (uint64_t)e->size ? "the file ends inside" : NULL);
		/* the table's own entries (ESP-IDF >= 5.3) are described above */
		if (e->type == PARTTABLE_TYPE_BOOTLOADER || e->type == PARTTABLE_TYPE_PARTITION_TABLE) {
			node_str(it, "content", "see above");
			continue;
		}
		cn = node_obj(it, "content");
		describe_content(c, cn, e, data + from, (size_t)(to - from), from, &slots);
		if (nspan < pt.n + 2)
			spans[nspan++] = (struct span){(size_t)from, (size_t)to};
	}

	/* bytes no partition covers: erased normally */
	qsort(spans, nspan, sizeof(*spans), span_cmp);
	gaps = node_list(root, "other_regions");
	if (gaps)
		gaps->cls = IMGINFO_CLASS_CONTENT;
	{
		size_t pos = 0;

		for (i = 0; i <= nspan; i++) {
			size_t end = i < nspan ? spans[i].from : len;

			if (end > pos && !node_erased(data + pos, end - pos)) {
				char label[48];
				struct imginfo_node *g;

				snprintf(label, sizeof(label), "0x%zx-0x%zx", pos, end);
				g = node_item(gaps, label, NULL);
				node_uint(g, "file_offset", pos, IMGINFO_F_HEX, NULL);
				describe_bytes(g, data + pos, end - pos, pos);
				if (g)
					node_line(g, "0x%zx-0x%zx: 0x%zx bytes, not erased", pos, end,
						end - pos);
			}
			if (i < nspan && spans[i].to > pos)
				pos = spans[i].to;
		}
	}
	rc = 0;
out:
	free(spans);
	parttable_free(&pt);
	return rc;
}

int imginfo_describe(const uint8_t *data, size_t len, const char *file,
		     const struct imginfo_opts *opts, struct imginfo_node **out)
{
	struct ctx c = {opts, file, NULL, 0};
	struct imginfo_node *root = node_new(IMGINFO_OBJ, "", IMGINFO_CLASS_CONTENT);
	enum imginfo_kind kind;
	int rc = -1;

	*out = NULL;
	if (!root)
		return diag_error("out of memory");
	kind = imginfo_detect(data, len);
	c.problems = node_new(IMGINFO_LIST, "problems", IMGINFO_CLASS_CONTENT);
	if (c.problems)
		c.problems->flags |= IMGINFO_F_NODIFF;
	switch (kind) {
	case IMGINFO_APP:
	case IMGINFO_BOOTLOADER:
		rc = describe_app(&c, root, data, len, 0, kind, "");
		break;
	case IMGINFO_PARTTABLE: {
		struct parttable pt;
		uint8_t md5_calc[MD5_LEN];
		int md5;

		rc = table_decode(data, len, file, 0, &pt, &md5, md5_calc);
		if (rc == 0) {
			root->flags |= IMGINFO_F_SCOPE;
			describe_table(&c, root, data, len, &pt, md5, md5_calc, 0, "");
			parttable_free(&pt);
		}
		break;
	}
	case IMGINFO_OTADATA:
		root->flags |= IMGINFO_F_SCOPE;
		describe_otadata(&c, root, data, len, 0, NULL, "");
		rc = 0;
		break;
	case IMGINFO_NVS:
		root->flags |= IMGINFO_F_SCOPE;
		rc = describe_nvs(&c, root, data, len, 0);
		break;
	case IMGINFO_FLASH:
		rc = describe_flash(&c, root, data, len);
		break;
	case IMGINFO_UNKNOWN:
		if (len == 0)
			diag_file(file, "empty file");
		else if (data[0] == APPIMAGE_MAGIC)
			describe_app(&c, NULL, data, len, 0, kind, ""); /* prints why not */
		else
			diag_file(file, "not a recognised image (no app image, partition table, "
					"otadata, NVS or flash image)");
		break;
	}
	if (rc == 0) {
		node_add(root, c.problems);
		c.problems = NULL;
		if (node_oom(root))
			rc = diag_error("out of memory");
	}
	imginfo_node_free(c.problems);
	if (rc < 0) {
		imginfo_node_free(root);
		return -1;
	}
	*out = root;
	return 0;
}
