/* esp-mkimage: ELF executables to ESP app images, byte-identical to esptool elf2image. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "buf.h"
#include "chip.h"
#include "diag.h"
#include "elfload.h"
#include "fileio.h"
#include "num.h"

/* Largest --pad-to-size: the image is built in memory. */
#define MKIMAGE_MAX_PAD ((uint64_t)256 << 20)

struct mkimage_opts {
	const char *input;
	const char *output;
	char *output_alloc;
	const struct chip *chip;
	uint8_t flash_mode;
	uint8_t size_code;
	uint8_t freq_code;
	uint8_t min_rev;
	uint16_t min_rev_full;
	uint16_t max_rev_full;
	int secure_pad;
	int secure_pad_v2;
	int64_t elf_sha256_offset; /* 0: not given (esptool treats 0 the same) */
	int no_digest;
	int use_segments;
	uint32_t mmu_page_size; /* 0: not given */
	uint64_t pad_to_size;
	int ram_only_header;
};

static const char usage_text[] =
    "usage: esp-mkimage --chip CHIP [--flash-mode MODE] [--flash-freq FREQ]\n"
    "                   [--flash-size SIZE] [--min-rev N] [--min-rev-full N]\n"
    "                   [--max-rev-full N] [--secure-pad] [--secure-pad-v2]\n"
    "                   [--elf-sha256-offset OFF] [--no-digest] [--use-segments]\n"
    "                   [--flash-mmu-page-size SIZE] [--pad-to-size SIZE]\n"
    "                   [--ram-only-header] APP.elf [-o APP.bin]\n";

static const char help_text[] =
    "\n"
    "Converts an ELF executable into an ESP32-family app image, byte-identical to\n"
    "`esptool --chip CHIP elf2image` with the same options.\n"
    "\n"
    "  -o, --output FILE            output image (default: APP.elf with .bin)\n"
    "      --chip CHIP              esp32 esp32s2 esp32s3 esp32c2 esp32c3 esp32c5\n"
    "                               esp32c6 esp32c61 esp32h2 esp32h21 esp32h4\n"
    "                               esp32p4 esp32s31 esp32e22\n"
    "      --flash-mode MODE        qio (default), qout, dio, dout\n"
    "      --flash-freq FREQ        chip dependent, e.g. 80m 40m 26m 20m (default:\n"
    "                               the chip's default, header code 0)\n"
    "      --flash-size SIZE        1MB (default) 2MB 4MB 8MB 16MB 32MB 64MB 128MB\n"
    "                               'keep' (all three options) = the default\n"
    "      --min-rev N              legacy minimum chip revision, 0-255 (also -r)\n"
    "      --min-rev-full N         minimum chip revision, major*100+minor\n"
    "      --max-rev-full N         maximum chip revision (default 65535)\n"
    "      --secure-pad             pad for Secure Boot v1 signing (esp32 only)\n"
    "      --secure-pad-v2          pad for Secure Boot v2 signing\n"
    "      --elf-sha256-offset OFF  put the ELF file's SHA-256 at image offset OFF; an\n"
    "                               app descriptor must hold it (usually 0xb0)\n"
    "      --no-digest              no SHA-256 after the checksum\n"
    "                               (also --dont-append-digest)\n"
    "      --use-segments           use ELF program headers instead of sections\n"
    "      --flash-mmu-page-size S  64KB, 32KB, 16KB or 8KB (chips that support it)\n"
    "      --pad-to-size SIZE       0xFF-pad the file to a multiple of SIZE (e.g. 64KB)\n"
    "      --ram-only-header        only RAM segments visible to the ROM loader\n"
    "                               (implies --no-digest)\n"
    "  -q, --quiet                  no warnings\n"
    "  -h, --help                   this help\n"
    "      --version                print the version\n";

enum {
	OPT_CHIP = 256,
	OPT_FLASH_MODE,
	OPT_FLASH_FREQ,
	OPT_FLASH_SIZE,
	OPT_MIN_REV,
	OPT_MIN_REV_FULL,
	OPT_MAX_REV_FULL,
	OPT_SECURE_PAD,
	OPT_SECURE_PAD_V2,
	OPT_ELF_SHA256_OFFSET,
	OPT_NO_DIGEST,
	OPT_USE_SEGMENTS,
	OPT_MMU_PAGE_SIZE,
	OPT_PAD_TO_SIZE,
	OPT_RAM_ONLY_HEADER,
	OPT_VERSION,
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "esp-mkimage: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage_text);
	return -1;
}

static int parse_int_arg(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
	if (pyint_parse(arg, strlen(arg), out) < 0 || *out < lo || *out > hi)
		return usage_error("%s: '%s' is not an integer in %" PRId64 "..%" PRId64, opt, arg,
				   lo, hi);
	return 0;
}

/* esptool flash_size_bytes(): "<decimal>KB" or "<decimal>MB". */
static int parse_kb_mb(const char *arg, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = arg;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > MKIMAGE_MAX_PAD)
			return -1;
	}
	if (strcmp(p, "KB") == 0)
		v <<= 10;
	else if (strcmp(p, "MB") == 0)
		v <<= 20;
	else
		return -1;
	*out = v;
	return 0;
}

/* Flash options are resolved once the chip is known (frequencies are per chip). */
struct flash_args {
	const char *mode, *freq, *size, *mmu;
};

/*
 * "keep" (accepted by esptool merge-bin/write-flash, not by elf2image) has no
 * existing image to keep values from here: it leaves the field at elf2image's
 * default (qio, the chip's default frequency = code 0, 1MB), which is what a
 * later esp-mkflash/merge-bin patch expects to replace. So build systems may
 * pass the same flash options to every tool.
 */
static int resolve_flash(struct mkimage_opts *o, const struct flash_args *f)
{
	char list[64];

	if (f->mode && strcmp(f->mode, "keep") != 0 &&
	    chip_flash_mode_code(f->mode, &o->flash_mode) < 0)
		return usage_error("--flash-mode: '%s' is not one of %s", f->mode,
				   chip_flash_modes());
	if (f->size && strcmp(f->size, "keep") != 0 &&
	    chip_flash_size_code(f->size, &o->size_code) < 0)
		return usage_error("--flash-size: '%s' is not supported; use one of %s", f->size,
				   chip_flash_sizes());
	if (f->freq && strcmp(f->freq, "keep") != 0 &&
	    chip_flash_freq_code(o->chip, f->freq, &o->freq_code) < 0) {
		chip_flash_freqs(o->chip, list, sizeof(list));
		return usage_error("--flash-freq: '%s' is not supported by %s; use one of %s",
				   f->freq, o->chip->name, list);
	}
	if (f->mmu) {
		if (strcmp(f->mmu, "64KB") == 0)
			o->mmu_page_size = 0x10000;
		else if (strcmp(f->mmu, "32KB") == 0)
			o->mmu_page_size = 0x8000;
		else if (strcmp(f->mmu, "16KB") == 0)
			o->mmu_page_size = 0x4000;
		else if (strcmp(f->mmu, "8KB") == 0)
			o->mmu_page_size = 0x2000;
		else
			return usage_error("--flash-mmu-page-size: '%s' is not one of 64KB 32KB "
					   "16KB 8KB",
					   f->mmu);
		/* chips with a fixed page size only warn (later); others must list it */
		if (o->chip->mmu_sizes_len && !chip_mmu_size_valid(o->chip, o->mmu_page_size))
			return appimage_mmu_page_size(o->chip, "--flash-mmu-page-size",
						      o->mmu_page_size, NULL, 0, 0,
						      &o->mmu_page_size);
	}
	return 0;
}

/* Default output name as esptool derives it: the ELF name with its extension -> .bin. */
static int default_output(struct mkimage_opts *o)
{
	const char *slash = strrchr(o->input, '/');
	const char *base = slash ? slash + 1 : o->input;
	const char *dot = strrchr(base, '.');
	size_t stem = (dot && dot != base) ? (size_t)(dot - o->input) : strlen(o->input);

	o->output_alloc = malloc(stem + 5);
	if (!o->output_alloc)
		return diag_error("out of memory");
	memcpy(o->output_alloc, o->input, stem);
	memcpy(o->output_alloc + stem, ".bin", 5);
	o->output = o->output_alloc;
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct mkimage_opts *o)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"chip", required_argument, NULL, OPT_CHIP},
	    {"flash-mode", required_argument, NULL, OPT_FLASH_MODE},
	    {"flash-freq", required_argument, NULL, OPT_FLASH_FREQ},
	    {"flash-size", required_argument, NULL, OPT_FLASH_SIZE},
	    {"min-rev", required_argument, NULL, OPT_MIN_REV},
	    {"min-rev-full", required_argument, NULL, OPT_MIN_REV_FULL},
	    {"max-rev-full", required_argument, NULL, OPT_MAX_REV_FULL},
	    {"secure-pad", no_argument, NULL, OPT_SECURE_PAD},
	    {"secure-pad-v2", no_argument, NULL, OPT_SECURE_PAD_V2},
	    {"elf-sha256-offset", required_argument, NULL, OPT_ELF_SHA256_OFFSET},
	    {"no-digest", no_argument, NULL, OPT_NO_DIGEST},
	    {"dont-append-digest", no_argument, NULL, OPT_NO_DIGEST},
	    {"use-segments", no_argument, NULL, OPT_USE_SEGMENTS},
	    {"flash-mmu-page-size", required_argument, NULL, OPT_MMU_PAGE_SIZE},
	    {"pad-to-size", required_argument, NULL, OPT_PAD_TO_SIZE},
	    {"ram-only-header", no_argument, NULL, OPT_RAM_ONLY_HEADER},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct flash_args f = {NULL, NULL, NULL, NULL};
	const char *chip = NULL;
	int64_t v;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:r:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			diag_set_quiet(1);
			break;
		case 'h':
			fputs(usage_text, stdout);
			fputs(help_text, stdout);
			return 1;
		case OPT_VERSION:
			printf("esp-mkimage (espgen) %s\n", ESPGEN_VERSION);
			return 1;
		case OPT_CHIP:
			chip = optarg;
			break;
		case OPT_FLASH_MODE:
			f.mode = optarg;
			break;
		case OPT_FLASH_FREQ:
			f.freq = optarg;
			break;
		case OPT_FLASH_SIZE:
			f.size = optarg;
			break;
		case OPT_MMU_PAGE_SIZE:
			f.mmu = optarg;
			break;
		case 'r':
		case OPT_MIN_REV:
			if (parse_int_arg("--min-rev", optarg, 0, 255, &v) < 0)
				return -1;
			o->min_rev = (uint8_t)v;
			break;
		case OPT_MIN_REV_FULL:
			if (parse_int_arg("--min-rev-full", optarg, 0, 65535, &v) < 0)
				return -1;
			o->min_rev_full = (uint16_t)v;
			break;
		case OPT_MAX_REV_FULL:
			if (parse_int_arg("--max-rev-full", optarg, 0, 65535, &v) < 0)
				return -1;
			o->max_rev_full = (uint16_t)v;
			break;
		case OPT_SECURE_PAD:
			o->secure_pad = 1;
			break;
		case OPT_SECURE_PAD_V2:
			o->secure_pad_v2 = 1;
			break;
		case OPT_ELF_SHA256_OFFSET:
			if (parse_int_arg("--elf-sha256-offset", optarg, 0, 0xFFFFFFFF,
					  &o->elf_sha256_offset) < 0)
				return -1;
			break;
		case OPT_NO_DIGEST:
			o->no_digest = 1;
			break;
		case OPT_USE_SEGMENTS:
			o->use_segments = 1;
			break;
		case OPT_PAD_TO_SIZE:
			if (parse_kb_mb(optarg, &o->pad_to_size) < 0)
				return usage_error(
				    "--pad-to-size: '%s' is not a size like 64KB or 1MB "
				    "(at most 256MB)",
				    optarg);
			break;
		case OPT_RAM_ONLY_HEADER:
			o->ram_only_header = 1;
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("%s", optind >= argc ? "no ELF file given"
							: "more than one ELF file given");
	o->input = argv[optind];
	if (!chip)
		return usage_error("--chip is required (one of %s)", chip_names());
	o->chip = chip_find(chip);
	if (!o->chip)
		return usage_error("--chip: unknown chip '%s' (one of %s)", chip, chip_names());
	if ((o->secure_pad_v2 || (o->secure_pad && o->chip->secure_pad_v1)) &&
	    (o->no_digest || o->ram_only_header))
		return usage_error("secure padding only applies if a SHA-256 digest is also "
				   "appended (not with --no-digest or --ram-only-header)");
	if (resolve_flash(o, &f) < 0)
		return -1;
	if (!o->output && default_output(o) < 0)
		return -1;
	return 0;
}

/* Machine and address checks esptool does not make (spec/interface.md departures). */
static int check_fits_chip(const struct mkimage_opts *o, const struct elf_file *elf,
			   const struct elf_part *parts, size_t n)
{
	const char *kind = o->use_segments ? "segment" : "section";
	const struct elf_part **sorted;
	size_t i;
	int rc = -1;

	if (!chip_elf_machine_ok(o->chip, elf->machine))
		return diag_file(o->input, "%s ELF file (e_machine 0x%04x) cannot run on %s",
				 elf->machine == CHIP_EM_XTENSA ? "Xtensa" : "RISC-V", elf->machine,
				 o->chip->name);
	for (i = 0; i < n; i++) {
		if (!chip_range_valid(o->chip, parts[i].addr, parts[i].size))
			return diag_file(o->input,
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
			diag_file(o->input, "%s %s at 0x%08x overlaps %s %s at 0x%08x-0x%08" PRIx64,
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

static const struct elf_part *find_appdesc(const struct elf_file *elf)
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

		if (appimage_seg_add(l, p->name, p->addr, p->align, p->data, p->size) < 0) {
			p->name = NULL;
			p->data = NULL;
			return -1;
		}
		p->name = NULL;
		p->data = NULL;
	}
	return 0;
}

static int build_image(struct mkimage_opts *o, struct buf *out)
{
	struct appimage_opts ao;
	struct appimage_seglist segs = {NULL, 0, 0};
	struct elf_file elf;
	const struct elf_part *desc;
	struct elf_part *parts;
	size_t nparts;
	int rc = -1;

	if (elf_load(o->input, o->use_segments ? ELF_LOAD_SEGMENTS : ELF_LOAD_SECTIONS, &elf) < 0)
		return -1;
	parts = o->use_segments ? elf.segments : elf.sections;
	nparts = o->use_segments ? elf.nsegments : elf.nsections;

	memset(&ao, 0, sizeof(ao));
	ao.chip = o->chip;
	ao.file = o->input;
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

	if (check_fits_chip(o, &elf, parts, nparts) < 0)
		goto out;
	desc = find_appdesc(&elf);
	if (appimage_mmu_page_size(o->chip, o->input, o->mmu_page_size, desc ? desc->data : NULL,
				   desc ? desc->size : 0, desc ? desc->addr : 0,
				   &ao.mmu_page_size) < 0)
		goto out;

	/* ELF SHA-256: where asked, else 0xB0 when an app descriptor is in flash (§6) */
	memcpy(ao.elf_sha256, elf.sha256, SHA256_LEN);
	if (o->elf_sha256_offset) {
		ao.elf_sha256_set = 1;
		ao.elf_sha256_need_desc = 1;
		ao.elf_sha256_offset = o->elf_sha256_offset;
	} else if (!o->use_segments && desc && chip_is_flash_addr(o->chip, desc->addr)) {
		ao.elf_sha256_set = 1;
		ao.elf_sha256_offset = APPIMAGE_AUTO_SHA_OFFSET;
	}

	if (take_parts(parts, nparts, &segs) < 0)
		goto out;
	if (segs.n == 0) {
		diag_file(o->input, "no loadable %s", o->use_segments ? "segments" : "sections");
		goto out;
	}
	if (appimage_merge(o->chip, &segs, o->ram_only_header) < 0)
		goto out;
	if (segs.n > APPIMAGE_MAX_ELF_SEGMENTS) {
		diag_file(o->input,
			  "%zu segments after merging adjacent sections (max %d); usually a "
			  "linker script problem",
			  segs.n, APPIMAGE_MAX_ELF_SEGMENTS);
		goto out;
	}
	/* the section data is no longer needed: free it before the image is built */
	elf_file_free(&elf);
	if (appimage_encode(&ao, &segs, out) < 0)
		goto out;
	rc = 0;
out:
	appimage_seglist_free(&segs);
	elf_file_free(&elf);
	return rc;
}

int main(int argc, char **argv)
{
	struct mkimage_opts opts;
	struct buf out = BUF_INIT;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkimage");
	memset(&opts, 0, sizeof(opts));
	opts.max_rev_full = 0xFFFF;
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (build_image(&opts, &out) < 0)
		goto out;
	if (atomic_write_file(opts.output, out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	free(opts.output_alloc);
	return rc;
}
