/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkpart: partition layouts (INI or ESP-IDF CSV) to binary tables, and back. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ascii.h"
#include "chip.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "layout.h"
#include "num.h"
#include "parttable.h"

struct mkpart_opts {
	const char *input;
	const char *output;
	int decode;
	int format_ini;
};

static const char usage_text[] =
    "usage: esp-mkpart [--flash-size SIZE] [--offset OFF] [--no-md5] [--secure [v1|v2]]\n"
    "                  [--no-verify] [--strict] [--chip CHIP] [--primary-bootloader-offset OFF]\n"
    "                  [--recovery-bootloader-offset OFF] [--extra-subtype 'TYPE,NAME,HEX']\n"
    "                  LAYOUT -o TABLE.bin\n"
    "       esp-mkpart --decode [--format csv|ini] TABLE.bin -o LAYOUT\n";

static const char help_text[] =
    "\n"
    "Builds an ESP-IDF partition table (0xC00 bytes) from an INI or CSV layout,\n"
    "byte-identical to gen_esp32part.py, or decodes a binary table to text.\n"
    "\n"
    "  -o, --output FILE       output file ('-' for standard output)\n"
    "      --flash-size SIZE   check that partitions fit: 1MB 2MB 4MB 8MB 16MB 32MB 64MB 128MB\n"
    "      --offset OFF        flash offset of the table (default 0x8000)\n"
    "      --no-md5            no MD5 row on encode, no MD5 check on decode\n"
    "                          (also --disable-md5sum)\n"
    "      --secure [v1|v2]    app sizes suitable for Secure Boot (bare: v1)\n"
    "      --no-verify         skip the layout checks (the flash size check still runs)\n"
    "      --strict            also refuse layouts that fail on a device (encrypted NVS,\n"
    "                          OTA slots without otadata, a gap in the OTA slots, ...;\n"
    "                          also 'strict = yes' in an INI layout)\n"
    "      --chip CHIP         for the strict checks only: room for the chip's signed\n"
    "                          bootloader before the table, its 'bootloader' entry\n"
    "      --primary-bootloader-offset OFF   offset of a 'bootloader' primary entry\n"
    "      --recovery-bootloader-offset OFF  offset of a 'bootloader' recovery entry\n"
    "      --extra-subtype 'TYPE,NAME,HEX'   one more subtype name (repeatable; also\n"
    "                          --extra-partition-subtypes)\n"
    "      --decode            input is a binary table; write it as text\n"
    "      --format csv|ini    text form for --decode (default csv)\n"
    "  -q, --quiet             no warnings\n"
    "  -h, --help              this help\n"
    "      --version           print the version\n"
    "\n"
    "A binary table given as LAYOUT is decoded even without --decode.\n";

enum {
	OPT_FLASH_SIZE = 256,
	OPT_OFFSET,
	OPT_NO_MD5,
	OPT_SECURE,
	OPT_NO_VERIFY,
	OPT_PRIMARY_BL,
	OPT_RECOVERY_BL,
	OPT_EXTRA,
	OPT_DECODE,
	OPT_FORMAT,
	OPT_STRICT,
	OPT_CHIP,
};

static int parse_offset_arg(const char *opt, const char *arg, int64_t *out)
{
	if (num_pyint_parse(arg, strlen(arg), out) < 0 || *out < 0 || *out > 0xffffffff)
		return cli_usage_error("%s: invalid offset '%s'", opt, arg);
	return 0;
}

static int parse_flash_size(const char *arg, uint64_t *out)
{
	if (chip_flash_size_parse(arg, 0, out) < 0)
		return cli_usage_error("--flash-size: '%s' is not one of %s", arg,
				       chip_flash_sizes());
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct mkpart_opts *o, struct parttable_config *c)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"flash-size", required_argument, NULL, OPT_FLASH_SIZE},
	    {"offset", required_argument, NULL, OPT_OFFSET},
	    {"no-md5", no_argument, NULL, OPT_NO_MD5},
	    {"disable-md5sum", no_argument, NULL, OPT_NO_MD5},
	    {"secure", optional_argument, NULL, OPT_SECURE},
	    {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
	    {"primary-bootloader-offset", required_argument, NULL, OPT_PRIMARY_BL},
	    {"recovery-bootloader-offset", required_argument, NULL, OPT_RECOVERY_BL},
	    {"extra-subtype", required_argument, NULL, OPT_EXTRA},
	    {"extra-partition-subtypes", required_argument, NULL, OPT_EXTRA},
	    {"decode", no_argument, NULL, OPT_DECODE},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"strict", no_argument, NULL, OPT_STRICT},
	    {"chip", required_argument, NULL, OPT_CHIP},
	    CLI_LONGOPT_QUIET,
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_FLASH_SIZE:
			if (parse_flash_size(optarg, &c->flash_size) < 0)
				return -1;
			c->flash_size_set = 1;
			break;
		case OPT_OFFSET:
			if (parse_offset_arg("--offset", optarg, &c->table_offset) < 0)
				return -1;
			c->offset_set = 1;
			break;
		case OPT_NO_MD5:
			c->md5 = 0;
			c->md5_set = 1;
			break;
		case OPT_SECURE: {
			/* "--secure" alone means v1; "--secure v2" takes the next word */
			const char *v = optarg;

			if (!v && optind < argc &&
			    (ascii_casecmp(argv[optind], "v1") == 0 ||
			     ascii_casecmp(argv[optind], "v2") == 0))
				v = argv[optind++];
			if (!v || ascii_casecmp(v, "v1") == 0)
				c->secure = PARTTABLE_SECURE_V1;
			else if (ascii_casecmp(v, "v2") == 0)
				c->secure = PARTTABLE_SECURE_V2;
			else
				return cli_usage_error("--secure: '%s' is not v1 or v2", v);
			break;
		}
		case OPT_NO_VERIFY:
			c->no_verify = 1;
			break;
		case OPT_PRIMARY_BL:
			if (parse_offset_arg("--primary-bootloader-offset", optarg,
					     &c->primary_bootloader_offset) < 0)
				return -1;
			c->has_primary_bootloader = 1;
			break;
		case OPT_RECOVERY_BL:
			if (parse_offset_arg("--recovery-bootloader-offset", optarg,
					     &c->recovery_bootloader_offset) < 0)
				return -1;
			c->has_recovery_bootloader = 1;
			break;
		case OPT_EXTRA:
			if (parttable_config_add_subtype(c, optarg) < 0)
				return -1;
			break;
		case OPT_DECODE:
			o->decode = 1;
			break;
		case OPT_STRICT:
			c->strict = 1;
			c->strict_set = 1;
			break;
		case OPT_CHIP:
			c->chip = chip_find(optarg);
			if (!c->chip)
				return cli_usage_error("--chip: unknown chip '%s' (chips: %s)",
						       optarg, chip_names());
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				o->format_ini = 0;
			else if (strcmp(optarg, "ini") == 0)
				o->format_ini = 1;
			else
				return cli_usage_error("--format: '%s' is not csv or ini", optarg);
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	if (cli_one_operand(argc, argv, "LAYOUT", &o->input) < 0)
		return -1;
	if (!o->output)
		return cli_usage_error("%s", "no output given (-o FILE)");
	return 0;
}

int main(int argc, char **argv)
{
	struct mkpart_opts opts = {0};
	struct parttable_config cfg;
	struct parttable pt;
	struct buf out = BUF_INIT;
	enum layout_kind kind;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkpart");
	cli_set_usage(usage_text, help_text);
	parttable_init(&pt, NULL);
	if (parttable_config_init(&cfg) < 0) {
		rc = EXIT_INPUT;
		goto out;
	}
	r = parse_args(argc, argv, &opts, &cfg);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (layout_load(opts.input, &cfg, &pt, &kind) < 0)
		goto out;
	if (opts.decode && kind != LAYOUT_BINARY) {
		diag_file(opts.input,
			  "not a binary partition table (it does not start with AA 50)");
		goto out;
	}
	if (kind == LAYOUT_BINARY) {
		r = opts.format_ini ? parttable_format_ini(&pt, &cfg, &out)
				    : parttable_format_csv(&pt, &cfg, &out);
	} else if (opts.format_ini) {
		r = parttable_format_ini(&pt, &cfg, &out);
	} else {
		r = parttable_encode(&pt, &cfg, &out);
	}
	if (r < 0)
		goto out;
	if (fileio_atomic_write_file(opts.output, out.data ? out.data : (const uint8_t *)"",
				     out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	parttable_free(&pt);
	parttable_config_free(&cfg);
	buf_free(&out);
	return rc;
}
