/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkimage: ELF executables to ESP app images, byte-identical to esptool elf2image. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appimage.h"
#include "buf.h"
#include "chip.h"
#include "cli.h"
#include "diag.h"
#include "elf2image.h"
#include "fileio.h"
#include "num.h"
#include "sbsigner.h"

/* Largest --pad-to-size: the image is built in memory. */
#define MKIMAGE_MAX_PAD ((uint64_t)256 << 20)

struct mkimage_opts {
	const char *input;
	const char *output;
	char *output_alloc;
	struct elf2image_opts e; /* everything elf2image() needs */
	struct sbsigner sign;	 /* --sign-key and its options */
	int sb_version_given;
};

static const char usage_text[] =
    "usage: esp-mkimage --chip CHIP [--flash-mode MODE] [--flash-freq FREQ]\n"
    "                   [--flash-size SIZE] [--min-rev N] [--min-rev-full N]\n"
    "                   [--max-rev-full N] [--secure-pad] [--secure-pad-v2]\n"
    "                   [--elf-sha256-offset OFF] [--no-digest] [--use-segments]\n"
    "                   [--flash-mmu-page-size SIZE] [--pad-to-size SIZE]\n"
    "                   [--ram-only-header] [--sign-key KEY.pem [--sign-key ...]]\n"
    "                   [--sb-version 1|2] [--random] APP.elf [-o APP.bin]\n";

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
    "      --elf-sha256-offset OFF  put the ELF file's SHA-256 at image offset OFF (the\n"
    "                               app descriptor's field: usually 0xb0)\n"
    "      --no-digest              no SHA-256 after the checksum\n"
    "                               (also --dont-append-digest)\n"
    "      --use-segments           use ELF program headers instead of sections\n"
    "      --flash-mmu-page-size S  64KB, 32KB, 16KB or 8KB (chips that support it)\n"
    "      --pad-to-size SIZE       0xFF-pad the file to a multiple of SIZE (e.g. 64KB)\n"
    "      --ram-only-header        only RAM segments visible to the ROM loader\n"
    "                               (implies --no-digest)\n"
    "      --sign-key KEY.pem       sign for Secure Boot with this private key (PEM:\n"
    "                               PKCS#1, SEC1 or PKCS#8, unencrypted); up to 3 for\n"
    "                               v2. The key decides the scheme: RSA-3072 or ECDSA\n"
    "                               P-192/P-256/P-384, as the chip's ROM supports.\n"
    "                               Implies --secure-pad-v2 (v1: --secure-pad); the\n"
    "                               signed image verifies with each key before it is\n"
    "                               written, and equals the unsigned one put through\n"
    "                               esp-sign --key\n"
    "      --sb-version 1|2         Secure Boot version (default 2; v1 is ESP32 only,\n"
    "                               one ECDSA P-256 key, signature appended)\n"
    "      --random                 fresh random ECDSA nonce / PSS salt; by default the\n"
    "                               same key and ELF give the same bytes (RFC 6979,\n"
    "                               derived PSS salt)\n"
    "      --pkcs11-module PATH     PKCS#11 module for --sign-key 'pkcs11:...' URIs\n"
    "                               (default: p11-kit's proxy module)\n"
    "      --pin-file FILE          the token PIN (else $ESPGEN_PKCS11_PIN); never\n"
    "                               on the command line\n"
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
	OPT_SIGN_KEY,
	OPT_SB_VERSION,
	OPT_RANDOM,
	OPT_PKCS11_MODULE,
	OPT_PIN_FILE,
};

static int parse_int_arg(const char *opt, const char *arg, int64_t lo, int64_t hi, int64_t *out)
{
	if (num_pyint_parse(arg, strlen(arg), out) < 0 || *out < lo || *out > hi)
		return cli_usage_error("%s: '%s' is not an integer in %" PRId64 "..%" PRId64, opt,
				       arg, lo, hi);
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
	if (v > MKIMAGE_MAX_PAD) /* the limit is on bytes, after the unit */
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
	const struct chip *c = o->e.chip;
	char list[64];

	if (elf2image_set_flash(&o->e, f->mode, NULL, NULL) < 0)
		return cli_usage_error("--flash-mode: '%s' is not one of %s", f->mode,
				       chip_flash_modes());
	if (elf2image_set_flash(&o->e, NULL, NULL, f->size) < 0)
		return cli_usage_error("--flash-size: '%s' is not supported; use one of %s",
				       f->size, chip_flash_sizes());
	if (elf2image_set_flash(&o->e, NULL, f->freq, NULL) < 0) {
		chip_flash_freqs(c, list, sizeof(list));
		return cli_usage_error("--flash-freq: '%s' is not supported by %s; use one of %s",
				       f->freq, c->name, list);
	}
	if (f->mmu) {
		if (elf2image_set_mmu_page_size(&o->e, f->mmu) < 0)
			return cli_usage_error(
			    "--flash-mmu-page-size: '%s' is not one of 64KB 32KB "
			    "16KB 8KB",
			    f->mmu);
		/* chips with a fixed page size only warn (later); others must list it */
		if (c->mmu_sizes_len && !chip_mmu_size_valid(c, o->e.mmu_page_size))
			return appimage_mmu_page_size(c, "--flash-mmu-page-size",
						      o->e.mmu_page_size, NULL, 0, 0,
						      &o->e.mmu_page_size);
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

/*
 * --sign-key rules once the chip is known. Signing implies the padding ESP-IDF's build
 * passes to elf2image for signed apps (--secure-pad-v2, or --secure-pad for v1), so
 * the signature sector starts on an MMU page (app-image.md §7).
 */
static int check_sign_args(struct mkimage_opts *o)
{
	struct sbsigner *s = &o->sign;
	const struct chip *c = o->e.chip;
	unsigned rev = c->sb_v2_min_rev_full;

	if (!s->nkeys) {
		if (o->sb_version_given || s->flags || s->pkcs11_module || s->pin_file)
			return cli_usage_error(
			    "--sb-version, --random, --pkcs11-module and --pin-file "
			    "need --sign-key");
		return 0;
	}
	if (o->e.no_digest || o->e.ram_only_header)
		return cli_usage_error("--sign-key needs the SHA-256 digest (not with --no-digest "
				       "or --ram-only-header)");
	/* the bootloader looks for the signature right after the image */
	if (o->e.pad_to_size)
		return cli_usage_error("--pad-to-size cannot be combined with --sign-key");
	s->chip = c; /* keys must be of a scheme its ROM verifies */
	if (s->version == 1) {
		if (!chip_sb_version_ok(c, 1))
			return cli_usage_error(
			    "--sb-version 1: Secure Boot v1 exists on esp32 only, "
			    "not %s",
			    c->name);
		if (s->nkeys > 1)
			return cli_usage_error("Secure Boot v1 takes one --sign-key");
		if (o->e.secure_pad_v2)
			return cli_usage_error("--secure-pad-v2 does not go with Secure Boot v1");
		o->e.secure_pad = 1;
		return 0;
	}
	if (!chip_sb_version_ok(c, 2))
		return cli_usage_error(
		    "--sign-key: the Secure Boot v2 schemes of %s are not known; "
		    "build the image unsigned and sign it with esp-sign",
		    c->name);
	if (rev && o->e.min_rev < rev / 100 && o->e.min_rev_full < rev)
		diag_warn_at(o->input, 0,
			     "Secure Boot v2 needs %s revision v%u.%u or later; the image "
			     "allows older ones (--min-rev-full %u would not)",
			     c->title, rev / 100, rev % 100, rev);
	o->e.secure_pad_v2 = 1;
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
	    {"sign-key", required_argument, NULL, OPT_SIGN_KEY},
	    {"sb-version", required_argument, NULL, OPT_SB_VERSION},
	    {"random", no_argument, NULL, OPT_RANDOM},
	    {"pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE},
	    {"pin-file", required_argument, NULL, OPT_PIN_FILE},
	    CLI_LONGOPT_QUIET,
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	struct flash_args f = {NULL, NULL, NULL, NULL};
	const char *chip = NULL;
	int64_t v;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:r:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
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
			o->e.min_rev = (uint8_t)v;
			break;
		case OPT_MIN_REV_FULL:
			if (parse_int_arg("--min-rev-full", optarg, 0, 65535, &v) < 0)
				return -1;
			o->e.min_rev_full = (uint16_t)v;
			break;
		case OPT_MAX_REV_FULL:
			if (parse_int_arg("--max-rev-full", optarg, 0, 65535, &v) < 0)
				return -1;
			o->e.max_rev_full = (uint16_t)v;
			break;
		case OPT_SECURE_PAD:
			o->e.secure_pad = 1;
			break;
		case OPT_SECURE_PAD_V2:
			o->e.secure_pad_v2 = 1;
			break;
		case OPT_ELF_SHA256_OFFSET:
			if (parse_int_arg("--elf-sha256-offset", optarg, 0, 0xFFFFFFFF,
					  &o->e.elf_sha256_offset) < 0)
				return -1;
			break;
		case OPT_NO_DIGEST:
			o->e.no_digest = 1;
			break;
		case OPT_USE_SEGMENTS:
			o->e.use_segments = 1;
			break;
		case OPT_PAD_TO_SIZE:
			if (parse_kb_mb(optarg, &o->e.pad_to_size) < 0)
				return cli_usage_error(
				    "--pad-to-size: '%s' is not a size like 64KB or 1MB "
				    "(at most 256MB)",
				    optarg);
			break;
		case OPT_RAM_ONLY_HEADER:
			o->e.ram_only_header = 1;
			break;
		case OPT_SIGN_KEY:
			if (o->sign.nkeys >= SBV2_MAX_BLOCKS)
				return cli_usage_error("--sign-key given more than %d times",
						       SBV2_MAX_BLOCKS);
			o->sign.keys[o->sign.nkeys++] = optarg;
			break;
		case OPT_SB_VERSION:
			if (strcmp(optarg, "1") != 0 && strcmp(optarg, "2") != 0)
				return cli_usage_error("--sb-version: '%s' is not 1 or 2", optarg);
			o->sign.version = optarg[0] - '0';
			o->sb_version_given = 1;
			break;
		case OPT_RANDOM:
			o->sign.flags |= SB_SIGN_RANDOM;
			break;
		case OPT_PKCS11_MODULE:
			o->sign.pkcs11_module = optarg;
			break;
		case OPT_PIN_FILE:
			o->sign.pin_file = optarg;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	if (cli_one_operand(argc, argv, "ELF file", &o->input) < 0)
		return -1;
	if (!chip)
		return cli_usage_error("--chip is required (one of %s)", chip_names());
	o->e.chip = chip_find(chip);
	if (!o->e.chip)
		return cli_usage_error("--chip: unknown chip '%s' (one of %s)", chip, chip_names());
	if (check_sign_args(o) < 0)
		return -1;
	if ((o->e.secure_pad_v2 || (o->e.secure_pad && o->e.chip->secure_pad_v1)) &&
	    (o->e.no_digest || o->e.ram_only_header))
		return cli_usage_error("secure padding only applies if a SHA-256 digest is also "
				       "appended (not with --no-digest or --ram-only-header)");
	if (resolve_flash(o, &f) < 0)
		return -1;
	if (!o->output && default_output(o) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct mkimage_opts opts;
	struct buf out = BUF_INIT, signed_img = BUF_INIT;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkimage");
	cli_set_usage(usage_text, help_text);
	memset(&opts, 0, sizeof(opts));
	elf2image_opts_init(&opts.e, NULL); /* the chip is set once the options are read */
	opts.sign.version = 2;
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (sbsigner_open(&opts.sign) < 0) /* key problems before ELF ones */
		goto out;
	if (elf2image(&opts.e, opts.input, &out) < 0)
		goto out;
	if (opts.sign.nkeys) {
		if (sbsigner_sign(&opts.sign, opts.input, out.data, out.len, &signed_img) < 0)
			goto out;
		buf_free(&out);
		out = signed_img;
		signed_img = (struct buf)BUF_INIT;
	}
	if (fileio_atomic_write_file(opts.output, out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	buf_free(&signed_img);
	sbsigner_close(&opts.sign);
	free(opts.output_alloc);
	return rc;
}
