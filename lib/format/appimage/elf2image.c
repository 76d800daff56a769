/* SPDX-License-Identifier: Apache-2.0 */
#include "elf2image.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "diag.h"
#include "elfload.h"

void elf2image_opts_init(struct elf2image_opts *o, const struct chip *c)
{
	memset(o, 0, sizeof(*o));
	o->chip = c;
	o->max_rev_full = 0xFFFF;
}

int elf2image_set_flash(struct elf2image_opts *o, const char *mode, const char *freq,
			const char *size)
{
	if (mode && strcmp(mode, "keep") != 0 && chip_flash_mode_code(mode, &o->flash_mode) < 0)
		return -1;
	if (size && strcmp(size, "keep") != 0 && chip_flash_size_code(size, &o->size_code) < 0)
		return -1;
	if (freq && strcmp(freq, "keep") != 0 &&
	    chip_flash_freq_code(o->chip, freq, &o->freq_code) < 0)
		return -1;
	return 0;
}

int elf2image_set_mmu_page_size(struct elf2image_opts *o, const char *size)
{
	static const struct {
		const char *name;
		uint32_t bytes;
	} sizes[] = {{"64KB", 0x10000}, {"32KB", 0x8000}, {"16KB", 0x4000}, {"8KB", 0x2000}};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (strcmp(size, sizes[i].name) == 0) {
			o->mmu_page_size = sizes[i].bytes;
			return 0;
		}
	}
	return -1;
}

/* Machine and address checks esptool does not make (spec/interface.md departures). */
static int check_fits_chip(const struct elf2image_opts *o, const char *path,
			   const struct elfload_file *elf, const struct elf_part *parts, size_t n)
{
	const char *kind = o->use_segments ? "segment" : "section";
	const struct elf_part **sorted;
	size_t i;
	int rc = -1;

	if (!chip_elf_machine_ok(o->chip, elf->machine))
		return diag_file(path, "%s ELF file (e_machine 0x%04x) cannot run on %s",
				 elf->machine == CHIP_EM_XTENSA ? "Xtensa" : "RISC-V",
				 elf->machine, o->chip->name);
	for (i = 0; i < n; i++) {
		if (!chip_range_touches(o->chip, parts[i].addr, parts[i].size))
			return diag_file(path,
					 "%s %s at 0x%08x (0x%x bytes) is outside the memory map "
					 "of %s",
					 kind, parts[i].name, parts[i].addr, parts[i].size,
					 o->chip->name);
	}
	/* overlaps: sort pointers by address, compare neighbours (unpadded sizes) */
	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return diag_error("out of memory");
	for (i = 0; i < n; i++) {
		size_t j = i;

		while (j > 0 && sorted[j - 1]->addr > parts[i].addr) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &parts[i];
	}
	for (i = 1; i < n; i++) {
		const struct elf_part *a = sorted[i - 1], *b = sorted[i];

		if ((uint64_t)a->addr + a->size > b->addr) {
			diag_file(path, "%s %s at 0x%08x overlaps %s %s at 0x%08x-0x%08" PRIx64,
				  kind, b->name, b->addr, kind, a->name, a->addr,
				  (uint64_t)a->addr + a->size);
			goto out;
		}
	}
	rc = 0;
out:
	free(sorted);
	return rc;
}

static const struct elf_part *find_appdesc(const struct elfload_file *elf)
{
	size_t i;

	for (i = 0; i < elf->nsections; i++)
		if (strstr(elf->sections[i].name, ".flash.appdesc"))
			return &elf->sections[i];
	return NULL;
}

/* Moves the chosen ELF parts into the segment list (the list owns their data). */
static int take_parts(struct elf_part *parts, size_t n, struct appimage_seglist *l)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct elf_part *p = &parts[i];
		int rc = appimage_seg_add(l, p->name, p->addr, p->align, p->data, p->size);

		p->name = NULL;
		p->data = NULL;
		if (rc < 0)
			return -1;
	}
	return 0;
}

int elf2image(const struct elf2image_opts *o, const char *path, struct buf *out)
{
	struct appimage_opts ao;
	struct appimage_seglist segs = {NULL, 0, 0};
	struct elfload_file elf;
	const struct elf_part *desc;
	struct elf_part *parts;
	size_t nparts;
	int rc = -1;

	if ((o->secure_pad_v2 || (o->secure_pad && o->chip->secure_pad_v1)) &&
	    (o->no_digest || o->ram_only_header))
		return diag_file(path, "secure padding only applies if a SHA-256 digest is also "
				       "appended");
	if (elfload_load(path, o->use_segments ? ELF_LOAD_SEGMENTS : ELF_LOAD_SECTIONS, &elf) < 0)
		return -1;
	parts = o->use_segments ? elf.segments : elf.sections;
	nparts = o->use_segments ? elf.nsegments : elf.nsections;

	memset(&ao, 0, sizeof(ao));
	ao.chip = o->chip;
	ao.file = path;
	ao.flash_mode = o->flash_mode;
	ao.flash_size_freq = (uint8_t)(o->size_code | o->freq_code);
	ao.entry = elf.entry;
	ao.min_rev = o->min_rev;
	ao.min_rev_full = o->min_rev_full;
	ao.max_rev_full = o->max_rev_full;
	ao.ram_only_header = o->ram_only_header;
	ao.append_digest = !o->no_digest && !o->ram_only_header;
	ao.secure_pad = o->secure_pad_v2 ? 2 : (o->secure_pad && o->chip->secure_pad_v1) ? 1 : 0;
	ao.pad_to_size = o->pad_to_size;

	if (check_fits_chip(o, path, &elf, parts, nparts) < 0)
		goto out;
	desc = find_appdesc(&elf);
	if (appimage_mmu_page_size(o->chip, path, o->mmu_page_size, desc ? desc->data : NULL,
				   desc ? desc->size : 0, desc ? desc->addr : 0,
				   &ao.mmu_page_size) < 0)
		goto out;

	/* ELF SHA-256: where asked, else 0xB0 when an app descriptor is in flash (§6) */
	memcpy(ao.elf_sha256, elf.sha256, SHA256_LEN);
	if (o->elf_sha256_offset) {
		ao.elf_sha256_set = 1;
		ao.elf_sha256_check_desc = 1;
		ao.elf_sha256_offset = o->elf_sha256_offset;
	} else if (!o->use_segments && desc && chip_is_flash_addr(o->chip, desc->addr)) {
		ao.elf_sha256_set = 1;
		ao.elf_sha256_offset = APPIMAGE_AUTO_SHA_OFFSET;
	}

	if (take_parts(parts, nparts, &segs) < 0)
		goto out;
	if (segs.n == 0) {
		diag_file(path, "no loadable %s", o->use_segments ? "segments" : "sections");
		goto out;
	}
	if (appimage_merge(o->chip, &segs, o->ram_only_header) < 0)
		goto out;
	if (segs.n > APPIMAGE_MAX_ELF_SEGMENTS) {
		diag_file(path,
			  "%zu segments after merging adjacent sections (max %d); usually a "
			  "linker script problem",
			  segs.n, APPIMAGE_MAX_ELF_SEGMENTS);
		goto out;
	}
	/* the section data is no longer needed: free it before the image is built */
	elfload_free(&elf);
	if (appimage_encode(&ao, &segs, out) < 0)
		goto out;
	rc = 0;
out:
	appimage_seglist_free(&segs);
	elfload_free(&elf);
	return rc;
}
