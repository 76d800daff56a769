/* SPDX-License-Identifier: Apache-2.0 */
#include "appimage.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Python's a % m (result has the sign of m, here always >= 0). */
static int64_t pymod(int64_t a, int64_t m)
{
	int64_t r = a % m;

	return r < 0 ? r + m : r;
}

/* Sets @s->len to @newlen; new bytes are zero-filled when @zero (else the caller
 * writes them). */
static int seg_set_len(struct appimage_seg *s, size_t newlen, int zero)
{
	if (buf_grow(&s->data, &s->cap, newlen, 16) < 0)
		return -1;
	if (zero && newlen > s->len)
		memset(s->data + s->len, 0, newlen - s->len);
	s->len = newlen;
	return 0;
}

/* Sets @s->len to @newlen, zero-filling any new bytes. */
static int seg_resize(struct appimage_seg *s, size_t newlen)
{
	return seg_set_len(s, newlen, 1);
}

int appimage_seg_add(struct appimage_seglist *l, char *name, uint32_t addr, uint32_t align,
		     uint8_t *data, size_t len)
{
	struct appimage_seg *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct appimage_seg *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			free(name);
			free(data);
			return diag_error("out of memory");
		}
		l->v = v;
		l->cap = cap;
	}
	s = &l->v[l->n];
	s->name = name;
	s->addr = addr;
	s->align = align;
	s->data = data;
	s->len = len;
	s->cap = len;
	l->n++;
	/* ImageSegment pads every real (addr != 0) segment to 4 bytes at load. */
	if (addr != 0 && len % 4)
		return seg_resize(s, len + (4 - len % 4));
	return 0;
}

static void seg_free(struct appimage_seg *s)
{
	free(s->name);
	free(s->data);
	s->name = NULL;
	s->data = NULL;
	s->len = s->cap = 0;
}

void appimage_seglist_free(struct appimage_seglist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		seg_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Stable merge sort by address (Python's sorted() is stable): n log n, so that tens of
 * thousands of sections stay fast. Returns 0, or -1 with a message. */
static int sort_by_addr(struct appimage_seg *v, size_t n)
{
	struct appimage_seg *tmp, *src = v, *dst;
	size_t width, i;

	if (n < 2)
		return 0;
	tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return diag_error("out of memory");
	dst = tmp;
	for (width = 1; width < n; width *= 2) {
		for (i = 0; i < n; i += 2 * width) {
			size_t lo = i, mid = i + width < n ? i + width : n;
			size_t hi = i + 2 * width < n ? i + 2 * width : n, a = lo, b = mid, k = lo;

			while (a < mid && b < hi)
				dst[k++] = src[b].addr < src[a].addr ? src[b++] : src[a++];
			while (a < mid)
				dst[k++] = src[a++];
			while (b < hi)
				dst[k++] = src[b++];
		}
		dst = src;
		src = src == v ? tmp : v;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
	return 0;
}

int appimage_merge(const struct chip *c, struct appimage_seglist *l, int ram_only_header)
{
	unsigned char *join; /* join[i]: v[i] is appended to v[i - 1] */
	size_t i, j, kept;
	int rc = -1;

	if (l->n == 0)
		return 0;
	if (ram_only_header && sort_by_addr(l->v, l->n) < 0)
		return -1;
	join = calloc(l->n, 1);
	if (!join)
		return diag_error("out of memory");
	/*
	 * Every pair is decided first, walking backwards as esptool does. A decision looks
	 * only at the earlier segment as loaded and at the later one's address and
	 * alignment, which merging never changes; so the joins can follow, run by run,
	 * each byte copied once (merging pair by pair copied the growing tail each time).
	 */
	for (i = l->n - 1; i > 0; i--) {
		struct appimage_seg *a = &l->v[i - 1], *b = &l->v[i];
		uint64_t a_end = (uint64_t)a->addr + a->len;

		/* esptool divides by the alignment here and fails on 0: so do we, clearly */
		if (ram_only_header && b->align == 0) {
			diag_error("section %s at 0x%08x has alignment 0, which "
				   "--ram-only-header cannot handle (esptool fails too)",
				   b->name, b->addr);
			goto out;
		}
		if (ram_only_header && b->align > 1) {
			/* Restore the alignment b had in the ELF if a gap exactly fills it. */
			uint64_t padded = a_end;

			if (padded % b->align)
				padded += b->align - padded % b->align;
			if (padded != a_end && padded == b->addr) {
				if (seg_resize(a, (size_t)(padded - a->addr)) < 0)
					goto out;
				a_end = padded;
			}
		}
		join[i] = b->addr == a_end && chip_same_memory_types(c, a->addr, b->addr);
	}
	for (i = 0; i < l->n; i = j) {
		struct appimage_seg *a = &l->v[i];
		size_t total = a->len, pos = a->len;

		for (j = i + 1; j < l->n && join[j]; j++)
			total += l->v[j].len;
		if (j == i + 1)
			continue;
		/* no zero-fill: the copies write every new byte (megabytes of rodata) */
		if (seg_set_len(a, total, 0) < 0)
			goto out;
		for (j = i + 1; j < l->n && join[j]; j++) {
			if (l->v[j].len)
				memcpy(a->data + pos, l->v[j].data, l->v[j].len);
			pos += l->v[j].len;
			seg_free(&l->v[j]);
		}
	}
	for (i = 0, kept = 0; i < l->n; i++) {
		if (l->v[i].name == NULL)
			continue;
		l->v[kept++] = l->v[i];
	}
	l->n = kept;
	rc = 0;
out:
	free(join);
	return rc;
}

/* ---- encoder ---- */

struct enc {
	const struct appimage_opts *o;
	struct buf *out;
	size_t base; /* out->len when the image started */
	uint8_t checksum;
	unsigned total; /* segments written */
	int sha_placed;
};

static size_t enc_pos(const struct enc *e)
{
	return e->out->len - e->base;
}

/* esptool maybe_patch_segment_data(): the ELF SHA-256 goes in at a file offset. */
static int patch_elf_sha(struct enc *e, uint8_t *data, size_t len)
{
	const struct appimage_opts *o = e->o;
	int64_t pos = (int64_t)enc_pos(e), off = o->elf_sha256_offset;
	size_t d, i;

	if (!o->elf_sha256_set || off < pos || off >= pos + (int64_t)len)
		return 0;
	/* esptool compares against the header position, not the data start */
	if (off - pos < APPIMAGE_SEG_HEADER_LEN || (size_t)(off - pos) + SHA256_LEN > len)
		return diag_file(o->file,
				 "cannot place the ELF SHA-256 at 0x%" PRIx64 " on a segment "
				 "boundary (segment header at 0x%" PRIx64 ", %zu bytes of data)",
				 (uint64_t)off, (uint64_t)pos, len);
	d = (size_t)(off - pos) - APPIMAGE_SEG_HEADER_LEN;
	for (i = 0; i < SHA256_LEN; i++)
		if (data[d + i] != 0)
			return diag_file(o->file,
					 "contents of segment at SHA-256 digest offset 0x%" PRIx64
					 " are not zero; refusing to overwrite",
					 (uint64_t)off);
	/* esptool writes it wherever the offset lands; say so when that is not in an
	 * app descriptor (another segment order, --use-segments, a wrong offset) */
	if (o->elf_sha256_check_desc &&
	    (d < APPIMAGE_DESC_SHA_OFFSET ||
	     buf_get_le32(data + d - APPIMAGE_DESC_SHA_OFFSET) != APPIMAGE_DESC_MAGIC))
		diag_warn_at(o->file, 0,
			     "--elf-sha256-offset 0x%" PRIx64 ": no app descriptor (magic 0x%08x) "
			     "0x%x bytes before it; the ELF SHA-256 is written there anyway",
			     (uint64_t)off, APPIMAGE_DESC_MAGIC, APPIMAGE_DESC_SHA_OFFSET);
	memcpy(data + d, o->elf_sha256, SHA256_LEN);
	e->sha_placed = 1;
	return 0;
}

/* esptool save_segment(): header + data, optionally into the checksum. */
static int write_segment(struct enc *e, uint32_t addr, uint8_t *data, size_t len, const char *name,
			 int checksummed)
{
	uint8_t hdr[APPIMAGE_SEG_HEADER_LEN];
	size_t i;

	if (patch_elf_sha(e, data, len) < 0)
		return -1;
	if (len % 4)
		return diag_file(e->o->file,
				 "invalid %s segment length 0x%zx (load address 0x%08x): it has "
				 "to be a multiple of 4",
				 name, len, addr);
	if (len >= APPIMAGE_MAX_SEG_LEN)
		return diag_file(e->o->file,
				 "invalid %s segment length 0x%zx (load address 0x%08x): the 16 "
				 "MB limit has been exceeded",
				 name, len, addr);
	buf_put_le32(hdr, addr);
	buf_put_le32(hdr + 4, (uint32_t)len);
	if (buf_append(e->out, hdr, sizeof(hdr)) < 0 || buf_append(e->out, data, len) < 0)
		return -1;
	if (checksummed)
		for (i = 0; i < len; i++)
			e->checksum ^= data[i];
	e->total++;
	return 0;
}

static int write_padding(struct enc *e, size_t len, const char *name, int checksummed)
{
	uint8_t *zeros = calloc(len ? len : 1, 1);
	int rc;

	if (!zeros)
		return diag_error("out of memory");
	rc = write_segment(e, 0, zeros, len, name, checksummed);
	free(zeros);
	return rc;
}

/* esptool save_flash_segment(): the ESP32 bootloader needs >= 0x24 bytes past a page. */
static int write_flash_segment(struct enc *e, struct appimage_seg *s, int checksummed)
{
	if (e->o->chip->esp32_tail_fix) {
		size_t end = enc_pos(e) + s->len + APPIMAGE_SEG_HEADER_LEN;
		size_t rem = end % e->o->mmu_page_size;

		if (rem < 0x24 && seg_resize(s, s->len + (0x24 - rem)) < 0)
			return -1;
	}
	return write_segment(e, s->addr, s->data, s->len, s->name, checksummed);
}

/* esptool get_alignment_data_needed(); -1 when exactly one header is missing. */
static int64_t alignment_needed(const struct enc *e, uint32_t addr)
{
	int64_t a = e->o->mmu_page_size;
	int64_t align_past = (int64_t)(addr % (uint32_t)a) - APPIMAGE_SEG_HEADER_LEN;
	int64_t pad = (a - (int64_t)(enc_pos(e) % (size_t)a)) + align_past;

	if (pad == 0 || pad == a)
		return 0;
	pad -= APPIMAGE_SEG_HEADER_LEN;
	if (pad == 0)
		return -1;
	if (pad < 0)
		pad += a;
	return pad;
}

static void move_to_front(struct appimage_seg *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0) {
			struct appimage_seg t = v[i];

			memmove(v + 1, v, i * sizeof(*v));
			v[0] = t;
			return;
		}
	}
}

static int append_checksum(struct enc *e)
{
	size_t fill = 15 - enc_pos(e) % 16;

	if (buf_fill(e->out, 0, fill) < 0)
		return -1;
	return buf_append(e->out, &e->checksum, 1);
}

/* Normal layout: flash segments at page-aligned offsets, RAM data as filler. */
/* The data of @s from @off on (no arithmetic on the NULL of an empty segment). */
static uint8_t *seg_bytes(const struct appimage_seg *s, size_t off)
{
	return s->data ? s->data + off : NULL;
}

static int write_normal(struct enc *e, struct appimage_seg *flash, size_t nflash,
			struct appimage_seg *ram, size_t nram)
{
	const uint32_t a = e->o->mmu_page_size;
	size_t fi = 0, ri = 0;
	size_t r_off = 0; /* bytes of ram[ri] already written as filler (kept, not moved) */

	while (fi < nflash) {
		struct appimage_seg *s = &flash[fi];
		int64_t pad = alignment_needed(e, s->addr);

		if (pad < 0)
			return diag_file(
			    e->o->file,
			    "segment %s at 0x%08x cannot be aligned: exactly one "
			    "segment header of space is left before it (esptool cannot "
			    "place it either)",
			    s->name, s->addr);
		if (pad == 0) {
			if (write_flash_segment(e, s, 1) < 0)
				return -1;
			seg_free(s);
			fi++;
			continue;
		}
		if (ri < nram && pad > APPIMAGE_SEG_HEADER_LEN) {
			/* split_image(): the first pad bytes of the first RAM segment */
			struct appimage_seg *r = &ram[ri];
			size_t left = r->len - r_off;
			size_t take = (size_t)pad < left ? (size_t)pad : left;

			if (write_segment(e, r->addr, seg_bytes(r, r_off), take, s->name, 1) < 0)
				return -1;
			r_off += take;
			r->addr += (uint32_t)pad;
			if (r_off == r->len) {
				seg_free(r);
				ri++;
				r_off = 0;
			}
		} else if (write_padding(e, (size_t)pad, s->name, 1) < 0) {
			return -1;
		}
	}
	(void)a;
	for (; ri < nram; ri++, r_off = 0) {
		if (write_segment(e, ram[ri].addr, seg_bytes(&ram[ri], r_off), ram[ri].len - r_off,
				  ram[ri].name, 1) < 0)
			return -1;
		seg_free(&ram[ri]);
	}
	return 0;
}

/* --ram-only-header: RAM segments + checksum, then hidden flash segments (§5.5). */
static int write_ram_only(struct enc *e, struct appimage_seg *flash, size_t nflash,
			  struct appimage_seg *ram, size_t nram)
{
	const int64_t a = e->o->mmu_page_size;
	const int64_t bl = e->o->chip->bootloader_offset;
	size_t i;

	for (i = 0; i < nram; i++) {
		if (write_segment(e, ram[i].addr, ram[i].data, ram[i].len, ram[i].name, 1) < 0)
			return -1;
		seg_free(&ram[i]);
	}
	if (append_checksum(e) < 0)
		return -1;
	for (i = nflash; i-- > 0;) {
		struct appimage_seg *s = &flash[i];
		int64_t pad =
		    pymod((int64_t)s->addr - (int64_t)enc_pos(e) - 2 * APPIMAGE_SEG_HEADER_LEN, a);

		if (pad < bl)
			pad += a;
		pad -= bl;
		if (write_padding(e, (size_t)pad, s->name, 0) < 0)
			return -1;
		if (write_flash_segment(e, s, 0) < 0)
			return -1;
		seg_free(s);
	}
	return 0;
}

static int write_secure_pad(struct enc *e)
{
	const int64_t a = e->o->mmu_page_size;
	/* after the checksum: digest (v2), or digest + version + signature + 12 (v1) */
	const int64_t space = e->o->secure_pad == 1 ? 32 + 4 + 64 + 12 : 32;
	int64_t align_past = (int64_t)(enc_pos(e) + APPIMAGE_SEG_HEADER_LEN) % a;

	return write_padding(e, (size_t)pymod(a - align_past - 16 - space, a), "padding", 1);
}

static int write_headers(struct enc *e)
{
	const struct appimage_opts *o = e->o;
	uint8_t h[APPIMAGE_HEADER_LEN];

	memset(h, 0, sizeof(h));
	h[0] = APPIMAGE_MAGIC;
	h[1] = 0; /* patched when the count is known */
	h[2] = o->flash_mode;
	h[3] = o->flash_size_freq;
	buf_put_le32(h + 4, o->entry);
	h[8] = APPIMAGE_WP_PIN_DISABLED;
	/* 9..11: SPI pin drive strengths, 0 */
	buf_put_le16(h + 12, o->chip->image_chip_id);
	h[14] = o->min_rev;
	buf_put_le16(h + 15, o->min_rev_full);
	buf_put_le16(h + 17, o->max_rev_full);
	/* 19..22 reserved */
	h[23] = (o->append_digest && !o->ram_only_header) ? 1 : 0;
	return buf_append(e->out, h, sizeof(h));
}

/* An upper bound of the image size, reserved once so the buffer never moves. */
static size_t size_bound(const struct appimage_opts *o, const struct appimage_seglist *l)
{
	size_t i, n = APPIMAGE_HEADER_LEN + 16 + SHA256_LEN;

	for (i = 0; i < l->n; i++) {
		n += APPIMAGE_SEG_HEADER_LEN + l->v[i].len + 0x24;
		if (chip_is_flash_addr(o->chip, l->v[i].addr))
			n += 2 * (size_t)o->mmu_page_size + 2 * APPIMAGE_SEG_HEADER_LEN;
	}
	n += (size_t)o->mmu_page_size + APPIMAGE_SEG_HEADER_LEN; /* secure pad */
	n += (size_t)o->pad_to_size;
	return n;
}

int appimage_encode(const struct appimage_opts *o, struct appimage_seglist *l, struct buf *out)
{
	struct enc e = {o, out, out->len, APPIMAGE_CHECKSUM_SEED, 0, 0};
	struct appimage_seg *flash = NULL, *ram = NULL;
	size_t nflash = 0, nram = 0, i, image_len;
	const int append_digest = o->append_digest && !o->ram_only_header;
	int rc = -1;

	if (o->mmu_page_size == 0)
		return diag_file(o->file, "MMU page size is 0");
	if (o->secure_pad && !append_digest)
		return diag_file(o->file, "secure padding needs the SHA-256 digest appended to "
					  "the image (drop --no-digest / --ram-only-header)");
	if (buf_reserve(out, size_bound(o, l)) < 0)
		return -1;

	flash = calloc(l->n + 1, sizeof(*flash));
	ram = calloc(l->n + 1, sizeof(*ram));
	if (!flash || !ram) {
		diag_error("out of memory");
		goto out;
	}
	/* The list is consumed: its segments move into the two working lists. */
	for (i = 0; i < l->n; i++) {
		if (chip_is_flash_addr(o->chip, l->v[i].addr))
			flash[nflash++] = l->v[i];
		else
			ram[nram++] = l->v[i];
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	sort_by_addr(flash, nflash);
	sort_by_addr(ram, nram);
	/* C6-style union bus: the app descriptor must be first; bootloader desc at 0x20 */
	move_to_front(flash, nflash, ".flash.appdesc");
	move_to_front(ram, nram, ".dram0.bootdesc");

	for (i = 1; i < nflash; i++) {
		if (flash[i].addr / o->mmu_page_size == flash[i - 1].addr / o->mmu_page_size) {
			diag_file(o->file,
				  "segment %s at 0x%08x lands in the same %u KB flash mapping as "
				  "segment %s at 0x%08x; merge the sections in the linker script",
				  flash[i].name, flash[i].addr, o->mmu_page_size / 1024,
				  flash[i - 1].name, flash[i - 1].addr);
			goto out;
		}
	}

	if (write_headers(&e) < 0)
		goto out;
	if (o->ram_only_header) {
		if (write_ram_only(&e, flash, nflash, ram, nram) < 0)
			goto out;
	} else {
		if (write_normal(&e, flash, nflash, ram, nram) < 0)
			goto out;
		if (o->secure_pad && write_secure_pad(&e) < 0)
			goto out;
		if (append_checksum(&e) < 0)
			goto out;
	}
	image_len = enc_pos(&e);
	if (o->elf_sha256_set && o->elf_sha256_check_desc && !e.sha_placed)
		diag_warn_at(o->file, 0,
			     "--elf-sha256-offset 0x%" PRIx64 " is outside every segment's data: "
			     "the ELF SHA-256 is not written",
			     (uint64_t)o->elf_sha256_offset);

	i = o->ram_only_header ? nram : e.total;
	if (i > 255) {
		diag_file(o->file, "%zu segments do not fit the image header's count byte", i);
		goto out;
	}
	out->data[e.base + 1] = (uint8_t)i;

	if (append_digest) {
		uint8_t digest[SHA256_LEN];

		hash_sha256(out->data + e.base, image_len, digest);
		if (buf_append(out, digest, sizeof(digest)) < 0)
			goto out;
	}
	if (o->pad_to_size && enc_pos(&e) % o->pad_to_size) {
		if (buf_fill(out, 0xFF, (size_t)(o->pad_to_size - enc_pos(&e) % o->pad_to_size)) <
		    0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0 && out->len > e.base)
		out->len = e.base; /* no half-built image */
	for (i = 0; i < nflash; i++)
		seg_free(&flash[i]);
	for (i = 0; i < nram; i++)
		seg_free(&ram[i]);
	free(flash);
	free(ram);
	return rc;
}

int appimage_mmu_page_size(const struct chip *c, const char *file, uint32_t opt,
			   const uint8_t *desc, size_t desc_len, uint32_t desc_addr, uint32_t *out)
{
	char sizes[64] = "";
	uint64_t want = opt;
	size_t i, pos = 0;

	*out = CHIP_DEFAULT_MMU_PAGE;
	for (i = 0; i < c->mmu_sizes_len; i++)
		pos += (size_t)snprintf(sizes + pos, sizeof(sizes) - pos, "%s%uKB", i ? ", " : "",
					c->mmu_sizes[i] / 1024);
	if (!opt) {
		uint8_t lg;

		if (!desc || !c->mmu_sizes_len || !chip_is_flash_addr(c, desc_addr))
			return 0;
		/* esptool parses the section as loaded, zero-padded to 4 bytes (253 is enough);
		 * only bytes up to mmu_page_size (0xB4) are read here */
		if (desc_len + 3 < APPIMAGE_DESC_LEN)
			return diag_file(file,
					 "section .flash.appdesc at 0x%08x is %zu bytes, too short "
					 "for an esp_app_desc_t (256)",
					 desc_addr, desc_len);
		if (buf_get_le32(desc) != APPIMAGE_DESC_MAGIC)
			return 0;
		lg = desc[APPIMAGE_DESC_MMU_OFFSET];
		if (lg == 0) {
			/* the descriptor sits 0x20 bytes into the first page */
			for (i = c->mmu_sizes_len; i-- > 0;) {
				if (pymod((int64_t)desc_addr - 32, c->mmu_sizes[i]) == 0) {
					*out = c->mmu_sizes[i];
					return 0;
				}
			}
			diag_warn_at(file, 0,
				     "app descriptor at 0x%08x is not aligned to an MMU page size; "
				     "using 64 KB (set --flash-mmu-page-size)",
				     desc_addr);
			return 0;
		}
		/* esptool goes through "%d KB" text, so sizes below 1 KB become 0 */
		want = lg >= 40 ? UINT64_MAX : (((uint64_t)1 << lg) / 1024) * 1024;
	}
	if (!c->mmu_sizes_len) {
		if (want != CHIP_DEFAULT_MMU_PAGE)
			diag_warn_at(
			    NULL, 0,
			    "changing the MMU page size is not supported on %s; using 64 KB",
			    c->title);
		return 0;
	}
	if (!chip_mmu_size_valid(c, want > UINT32_MAX ? 0 : (uint32_t)want)) {
		if (want == UINT64_MAX)
			return diag_file(file,
					 "MMU page size 2^%u from the app descriptor is not "
					 "a valid %s page size, select from %s",
					 desc[APPIMAGE_DESC_MMU_OFFSET], c->title, sizes);
		return diag_file(file,
				 "%" PRIu64 " bytes is not a valid %s page size, select "
				 "from %s",
				 want, c->title, sizes);
	}
	*out = (uint32_t)want;
	return 0;
}
