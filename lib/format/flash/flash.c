/* SPDX-License-Identifier: Apache-2.0 */
#include "flash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "diag.h"
#include "hash.h"
#include "sbsign.h"

#define SECTOR 0x1000u

static uint8_t erased[65536];

static int add_span(struct flash_plan *p, const uint8_t *data, uint64_t len)
{
	struct flash_span *v;

	if (len == 0)
		return 0;
	v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v)
		return diag_error("out of memory");
	p->v = v;
	v[p->n].data = data;
	v[p->n].len = len;
	p->n++;
	p->size += len;
	return 0;
}

void flash_plan_free(struct flash_plan *plan)
{
	free(plan->v);
	plan->v = NULL;
	plan->n = 0;
	plan->size = 0;
}

int flash_sort(const struct flash_item *items, size_t n, uint64_t limit,
	       const struct flash_item ***out)
{
	const struct flash_item **sorted;
	int64_t prev_end = 0; /* the last byte of the previous file's last sector */
	size_t i, j;

	*out = NULL;
	if (n == 0)
		return diag_error("No input data.");
	/* insertion sort: stable, and n is small */
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return diag_error("out of memory");
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && sorted[j - 1]->addr > items[i].addr; j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = &items[i];
	}
	for (i = 0; i < n; i++) {
		const struct flash_item *it = sorted[i];
		int64_t sector_start, sector_end;

		if (it->addr > limit || it->len > limit - it->addr) {
			if (limit == FLASHIMG_MAX_SIZE)
				diag_file(it->name, "at 0x%llx does not fit in %llu MB of flash",
					  (unsigned long long)it->addr,
					  (unsigned long long)(limit >> 20));
			else
				diag_file(it->name, "at 0x%llx: data past 0x%llx",
					  (unsigned long long)it->addr, (unsigned long long)limit);
			goto fail;
		}
		sector_start = (int64_t)(it->addr & ~(uint64_t)(SECTOR - 1));
		sector_end = (int64_t)((it->addr + it->len + SECTOR - 1) & ~(uint64_t)(SECTOR - 1)) - 1;
		/* files may not share a 4 KiB sector (esptool's check, sorted by address) */
		if (sector_start < prev_end) {
			diag_file(it->name,
				  "Detected overlap at address: 0x%llx for file: %s (it shares a "
				  "4 KiB sector with %s)",
				  (unsigned long long)it->addr, it->name, sorted[i - 1]->name);
			goto fail;
		}
		prev_end = sector_end;
	}
	*out = sorted;
	return 0;
fail:
	free(sorted);
	return -1;
}

int flash_plan(const struct flash_item *items, size_t n, uint64_t target_offset, uint64_t pad_to,
	       struct flash_plan *plan)
{
	const struct flash_item **sorted;
	size_t i;
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	if (flash_sort(items, n, FLASHIMG_MAX_SIZE, &sorted) < 0)
		return -1;
	if (sorted[0]->addr < target_offset) {
		diag_error("Output data target offset is 0x%llx. Input data offset 0x%llx is "
			   "before this.",
			   (unsigned long long)target_offset, (unsigned long long)sorted[0]->addr);
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t at = sorted[i]->addr - target_offset;

		if (at > plan->size && add_span(plan, NULL, at - plan->size) < 0)
			goto out;
		if (add_span(plan, sorted[i]->data, sorted[i]->len) < 0)
			goto out;
	}
	if (pad_to > target_offset && pad_to - target_offset > plan->size &&
	    add_span(plan, NULL, pad_to - target_offset - plan->size) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		flash_plan_free(plan);
	free(sorted);
	return rc;
}

static void fill_erased(void)
{
	memset(erased, 0xFF, sizeof(erased));
}

/* Once per process: writer and hasher may run on two threads at the same time. */
static void init_erased(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, fill_erased);
}

int flash_plan_write(const struct flash_plan *plan, struct fileio_atomic_file *af)
{
	size_t i;

	init_erased();
	for (i = 0; i < plan->n; i++) {
		const struct flash_span *s = &plan->v[i];
		uint64_t left = s->len;

		if (s->data) {
			if (fileio_atomic_write(af, s->data, (size_t)s->len) < 0)
				return -1;
			continue;
		}
		while (left) {
			size_t k = left < sizeof(erased) ? (size_t)left : sizeof(erased);

			if (fileio_atomic_write(af, erased, k) < 0)
				return -1;
			left -= k;
		}
	}
	return 0;
}

void flash_plan_sha256(const struct flash_plan *plan, uint8_t out[32])
{
	struct hash_sha256_ctx ctx;
	size_t i;

	init_erased();
	hash_sha256_begin(&ctx);
	for (i = 0; i < plan->n; i++) {
		const struct flash_span *s = &plan->v[i];
		uint64_t left = s->len;

		if (s->data) {
			hash_sha256_update(&ctx, s->data, (size_t)s->len);
			continue;
		}
		while (left) {
			size_t k = left < sizeof(erased) ? (size_t)left : sizeof(erased);

			hash_sha256_update(&ctx, erased, k);
			left -= k;
		}
	}
	hash_sha256_end(&ctx, out);
}

int flash_plan_to_buf(const struct flash_plan *plan, struct buf *out)
{
	size_t i;

	if (buf_reserve(out, (size_t)plan->size) < 0)
		return -1;
	for (i = 0; i < plan->n; i++) {
		const struct flash_span *s = &plan->v[i];

		if ((s->data ? buf_append(out, s->data, (size_t)s->len)
			     : buf_fill(out, 0xFF, (size_t)s->len)) < 0)
			return -1;
	}
	return 0;
}

static int in_list(const char *v, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v, list[i]) == 0)
			return 1;
	return 0;
}

int flash_params_spelling(const struct flash_params *p)
{
	/* the choices esptool's command line takes for any chip */
	static const char *const modes[] = {"qio", "qout", "dio", "dout"};
	static const char *const freqs[] = {"80m", "60m", "48m", "40m", "30m", "26m",
					    "24m", "20m", "16m", "15m", "12m"};
	const unsigned size_spellings = CHIP_FS_KEEP | CHIP_FS_SMALL | CHIP_FS_C1;
	uint64_t bytes;
	char list[128];

	if (p->mode && !in_list(p->mode, modes, 4))
		return diag_error("--flash-mode: '%s' is not one of keep qio qout dio dout",
				  p->mode);
	if (p->freq && !in_list(p->freq, freqs, sizeof(freqs) / sizeof(freqs[0])))
		return diag_error("--flash-freq: '%s' is not one of keep 80m 60m 48m 40m 30m 26m "
				  "24m 20m 16m 15m 12m",
				  p->freq);
	if (p->size && chip_flash_size_parse(p->size, size_spellings, &bytes) < 0) {
		chip_flash_size_list(size_spellings, list, sizeof(list));
		return diag_error("--flash-size: '%s' is not one of %s", p->size, list);
	}
	return 0;
}

int flash_params_check(const struct chip *c, const struct flash_params *p)
{
	uint8_t code;
	char freqs[128];

	if (p->mode && chip_flash_mode_code(p->mode, &code) < 0)
		return diag_error("flash mode '%s' is not one of %s", p->mode, chip_flash_modes());
	if (p->freq && chip_flash_freq_code(c, p->freq, &code) < 0) {
		chip_flash_freqs(c, freqs, sizeof(freqs));
		return diag_error("flash frequency '%s' is not supported by %s (supported: %s)",
				  p->freq, c->name, freqs);
	}
	if (p->size && chip_flash_size_code(p->size, &code) < 0)
		return diag_error("flash size '%s' is not supported by %s (supported: %s)", p->size,
				  c->name, chip_flash_sizes());
	return 0;
}

/* Secure Boot signature after an image whose header says it ends at @end (spec/
 * secure-boot.md): v2, a 4 KiB sector last in the file whose first block is valid; v1,
 * exactly one 68-byte block of version 0 right after the image. 0: none. */
static int signature_version(const struct buf *b, size_t end)
{
	struct sbv2_block_info info;

	if (b->len % SBV2_SECTOR_SIZE == 0 && b->len >= SBV2_SECTOR_SIZE &&
	    b->len - SBV2_SECTOR_SIZE >= end) {
		sbv2_block_decode(b->data + b->len - SBV2_SECTOR_SIZE, &info);
		if (info.state == SBV2_BLOCK_VALID)
			return 2;
	}
	if (b->len == end + SBV1_SIG_BLOCK_SIZE && buf_get_le32(b->data + end) == 0)
		return 1;
	return 0;
}

/* Spellings of header codes, for messages (chip.c has the other direction). */
static const char *mode_name(uint8_t code)
{
	static const char *const names[] = {"qio", "qout", "dio", "dout"};

	return code < 4 ? names[code] : "?";
}

static const char *freq_name(const struct chip *c, uint8_t code)
{
	size_t i;

	for (i = 0; i < c->freqs_len; i++)
		if (c->freqs[i].code == code)
			return c->freqs[i].name;
	return "?";
}

/* Appends "NAME HAVE, not WANT" to @what for a differing setting; counts it in *@n. */
static void differs(struct buf *what, int *n, const char *name, const char *have, const char *want)
{
	if (what)
		buf_printf(what, "%s%s %s, not %s", *n ? "; " : "", name, have, want);
	(*n)++;
}

/*
 * The header bytes 2-3 that @p asks for, from the image's @hdr. Appends the settings
 * that differ to @what ("flash_mode dio, not qio"; may be NULL). Returns how many
 * differ.
 */
static int wanted_header(const struct chip *c, const struct flash_params *p, const uint8_t *hdr,
			 uint8_t out[2], struct buf *what)
{
	uint8_t mode = hdr[2], freq = hdr[3] & 0x0F, size = hdr[3] & 0xF0;
	char have[16];
	int n = 0;

	if (p->mode)
		chip_flash_mode_code(p->mode, &mode);
	if (p->freq)
		chip_flash_freq_code(c, p->freq, &freq);
	if (p->size)
		chip_flash_size_code(p->size, &size);
	if (mode != hdr[2])
		differs(what, &n, "flash_mode", mode_name(hdr[2]), p->mode);
	if (freq != (hdr[3] & 0x0F))
		differs(what, &n, "flash_freq", freq_name(c, hdr[3] & 0x0F), p->freq);
	if (size != (hdr[3] & 0xF0)) {
		snprintf(have, sizeof(have), "%uMB", 1u << (hdr[3] >> 4));
		differs(what, &n, "flash_size", have, p->size);
	}
	out[0] = mode;
	out[1] = (uint8_t)(size + freq);
	return n;
}

int flash_signature_version(const struct buf *b)
{
	size_t dlen;

	if (b->len < 24 || !appimage_has_magic(b->data, b->len) ||
	    appimage_length(b->data, b->len, &dlen) < 0)
		return 0;
	return signature_version(b, dlen + (b->data[23] == 1 ? SHA256_LEN : 0));
}

int flash_signed_mismatch(const struct chip *c, const struct flash_params *p, const struct buf *b,
			  struct buf *what)
{
	uint8_t hdr[2];
	size_t dlen;
	int sb;

	if (b->len < 24 || !appimage_has_magic(b->data, b->len) ||
	    appimage_length(b->data, b->len, &dlen) < 0 || flash_params_check(c, p) < 0)
		return 0;
	sb = signature_version(b, dlen + (b->data[23] == 1 ? SHA256_LEN : 0));
	if (!sb || wanted_header(c, p, b->data, hdr, NULL) == 0)
		return 0;
	wanted_header(c, p, b->data, hdr, what);
	return sb;
}

int flash_patch_bootloader(const struct chip *c, const struct flash_params *p, const char *name,
			   struct buf *b)
{
	uint8_t hdr[2], digest[SHA256_LEN];
	struct buf what = BUF_INIT;
	size_t dlen;
	int sb;

	if (b->len < 8 || (!p->mode && !p->freq && !p->size))
		return 0;
	if (!appimage_has_magic(b->data, b->len)) {
		diag_warn_at(name, 0,
			     "Image file at 0x%x doesn't look like an image file, so not changing "
			     "any flash settings.",
			     c->bootloader_offset);
		return 0;
	}
	if (appimage_length(b->data, b->len, &dlen) < 0) {
		diag_warn_at(name, 0,
			     "Image file at 0x%x is not a valid %s image, so not changing any flash "
			     "settings.",
			     c->bootloader_offset, c->title);
		return 0;
	}
	/* esptool checks the values against the chip only when it patches */
	if (flash_params_check(c, p) < 0)
		return -1;
	/* merge-bin's bytes are esptool's, a broken signature included; but say so */
	sb = flash_signed_mismatch(c, p, b, &what);
	if (sb)
		diag_warn_at(name, 0,
			     "Image file at 0x%x is signed (Secure Boot v%d): it has %.*s; patching "
			     "its header breaks the signature",
			     c->bootloader_offset, sb, (int)what.len, (const char *)what.data);
	buf_free(&what);
	wanted_header(c, p, b->data, hdr, NULL);
	b->data[2] = hdr[0];
	b->data[3] = hdr[1];
	if (b->data[23] == 1) {
		/* the digest covers the header, so it is recomputed; what follows it stays */
		hash_sha256(b->data, dlen, digest);
		if (b->len < dlen + SHA256_LEN) {
			b->len = dlen;
			if (buf_append(b, digest, SHA256_LEN) < 0)
				return -1;
		} else {
			memcpy(b->data + dlen, digest, SHA256_LEN);
		}
	}
	return 0;
}
