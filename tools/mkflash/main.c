/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkflash: whole flash images, from ADDR FILE pairs (as esptool merge-bin) or a manifest. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "chip.h"
#include "cli.h"
#include "diag.h"
#include "factory.h"
#include "fileio.h"
#include "flash.h"
#include "num.h"

struct mkflash_opts {
	const struct chip *chip;
	const char *output;
	const char *manifest;
	const char *devices;
	const char *depfile;
	int jobs;
	int keep_going;
	int check;
	int keygen;
	uint64_t target_offset;
	uint64_t pad_to;
	struct flash_params params;
	char **pairs; /* ADDR FILE ... */
	int npairs;
};

static const char usage_text[] =
	"usage: esp-mkflash --chip CHIP [--pad-to-size SIZE] [--target-offset OFF]\n"
	"                   [--flash-mode M] [--flash-freq F] [--flash-size S]\n"
	"                   ADDR FILE [ADDR FILE ...] -o FLASH.bin\n"
	"       esp-mkflash --manifest FACTORY.ini [--depfile FILE] -o FLASH.bin\n"
	"       esp-mkflash --manifest FACTORY.ini --devices DEVICES.csv [-j N] [--keep-going]\n"
	"                   [--keygen-per-device] [--depfile FILE] -o OUTDIR\n"
	"       esp-mkflash --manifest FACTORY.ini [--devices DEVICES.csv [-o OUTDIR]] --check\n";

static const char help_text[] =
	"\n"
	"The first form places each FILE at its flash ADDR, 0xFF between them, exactly as\n"
	"`esptool merge-bin` (raw format) does; the second builds a whole factory image\n"
	"from one declarative manifest and writes FLASH.json beside FLASH.bin.\n"
	"\n"
	"  -o, --output FILE         output image\n"
	"  -c, --chip CHIP           target chip (merge form)\n"
	"      --pad-to-size SIZE    pad with 0xFF to a flash size: 256KB 512KB 1MB ... 128MB\n"
	"                            (also --fill-flash-size)\n"
	"  -t, --target-offset OFF   the image starts at this flash address (default 0)\n"
	"      --flash-mode M        qio, qout, dio, dout or keep (default keep)\n"
	"      --flash-freq F        a frequency of the chip, or keep (default keep)\n"
	"      --flash-size S        1MB ... 128MB or keep (default keep)\n"
	"                            (mode/freq/size patch the bootloader image found at\n"
	"                            the chip's bootloader offset, SHA-256 recomputed)\n"
	"      --format raw          output format: only raw (the default)\n"
	"      --manifest FILE       build from a factory manifest (see README)\n"
	"      --devices CSV         one image per row: OUTDIR/<id>/FLASH.bin + FLASH.json,\n"
	"                            the manifest's NVS CSVs filled from ${column} values\n"
	"                            (id: the 'device_id' column, else the first)\n"
	"  -j, --jobs N              devices built at once (default: the number of cores)\n"
	"      --keep-going          build the other devices when one fails\n"
	"      --keygen-per-device   with --devices: flash-encrypt each image with a new\n"
	"                            key of its own, written (mode 0600) to\n"
	"                            OUTDIR/<id>/flash_key.bin for burning into eFuse\n"
	"      --check               check the manifest and every device row (and, with -o,\n"
	"                            the names OUTDIR holds); build and write nothing\n"
	"      --depfile FILE        with --manifest: also write FILE, a Makefile rule\n"
	"                            'OUTPUT: INPUT ...' naming every file read (manifest,\n"
	"                            layout, bootloader, ELF and other files, NVS CSVs and\n"
	"                            the files their rows name, the devices CSV); only\n"
	"                            when the build succeeds\n"
	"  -q, --quiet               no warnings\n"
	"  -h, --help                this help\n"
	"      --version             print the version\n";

enum {
	OPT_PAD = 256,
	OPT_MODE,
	OPT_FREQ,
	OPT_SIZE,
	OPT_MANIFEST,
	OPT_DEVICES,
	OPT_KEEP_GOING,
	OPT_FORMAT,
	OPT_DEPFILE,
	OPT_CHECK,
	OPT_KEYGEN,
};

/* esptool's --pad-to-size choices. */
static int parse_pad(const char *arg, uint64_t *out)
{
	char list[128];

	if (chip_flash_size_parse(arg, CHIP_FS_SMALL, out) == 0)
		return 0;
	chip_flash_size_list(CHIP_FS_SMALL, list, sizeof(list));
	return cli_usage_error("--pad-to-size: '%s' is not one of %s", arg, list);
}

static const char *keep_or(const char *arg)
{
	return strcmp(arg, "keep") == 0 ? NULL : arg;
}

static int parse_args(int argc, char **argv, struct mkflash_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"chip", required_argument, NULL, 'c'},
		{"pad-to-size", required_argument, NULL, OPT_PAD},
		{"fill-flash-size", required_argument, NULL, OPT_PAD},
		{"target-offset", required_argument, NULL, 't'},
		{"flash-mode", required_argument, NULL, OPT_MODE},
		{"flash-freq", required_argument, NULL, OPT_FREQ},
		{"flash-size", required_argument, NULL, OPT_SIZE},
		{"manifest", required_argument, NULL, OPT_MANIFEST},
		{"devices", required_argument, NULL, OPT_DEVICES},
		{"jobs", required_argument, NULL, 'j'},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"depfile", required_argument, NULL, OPT_DEPFILE},
		{"check", no_argument, NULL, OPT_CHECK},
		{"keygen-per-device", no_argument, NULL, OPT_KEYGEN},
		CLI_LONGOPT_QUIET,
		CLI_LONGOPT_HELP,
		CLI_LONGOPT_VERSION,
		{NULL, 0, NULL, 0},
	};
	int ch, rc;
	int64_t v;

	opterr = 0;
	/* '+': stop at the first ADDR so that pairs stay pairs */
	while ((ch = getopt_long(argc, argv, "+:o:c:t:j:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->chip = chip_find(optarg);
			if (!o->chip)
				return cli_usage_error("unknown chip '%s' (one of %s)", optarg,
						       chip_names());
			break;
		case OPT_PAD:
			if (parse_pad(optarg, &o->pad_to) < 0)
				return -1;
			break;
		case 't':
			if (num_pyint_parse(optarg, strlen(optarg), &v) < 0 || v < 0)
				return cli_usage_error("--target-offset: invalid offset '%s'",
						       optarg);
			o->target_offset = (uint64_t)v;
			break;
		case OPT_MODE:
			o->params.mode = keep_or(optarg);
			break;
		case OPT_FREQ:
			o->params.freq = keep_or(optarg);
			break;
		case OPT_SIZE:
			o->params.size = keep_or(optarg);
			break;
		case OPT_MANIFEST:
			o->manifest = optarg;
			break;
		case OPT_DEVICES:
			o->devices = optarg;
			break;
		case 'j':
			if (num_pyint_parse(optarg, strlen(optarg), &v) < 0 || v < 1 || v > 256)
				return cli_usage_error("--jobs: '%s' is not a number from 1 to 256",
						       optarg);
			o->jobs = (int)v;
			break;
		case OPT_KEEP_GOING:
			o->keep_going = 1;
			break;
		case OPT_DEPFILE:
			o->depfile = optarg;
			break;
		case OPT_CHECK:
			o->check = 1;
			break;
		case OPT_KEYGEN:
			o->keygen = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "raw") != 0)
				return cli_usage_error(
				    "--format: only 'raw' is supported, not '%s'", optarg);
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	/* options may also follow the pairs (conformance puts -o last) */
	o->pairs = argv + optind;
	o->npairs = 0;
	while (optind < argc) {
		if (strcmp(argv[optind], "-o") == 0 || strcmp(argv[optind], "--output") == 0) {
			if (optind + 1 >= argc)
				return cli_usage_error("option '%s' needs a value", argv[optind]);
			o->output = argv[optind + 1];
			optind += 2;
			continue;
		}
		if (argv[optind][0] == '-' && argv[optind][1] != '\0' &&
		    !(argv[optind][1] >= '0' && argv[optind][1] <= '9'))
			return cli_usage_error(
			    "options must come before the ADDR FILE pairs ('%s')", argv[optind]);
		o->pairs[o->npairs++] = argv[optind++];
	}
	if ((o->devices || o->jobs || o->keep_going || o->depfile || o->check) && !o->manifest)
		return cli_usage_error(
		    "--devices, --jobs, --keep-going, --depfile and --check go with --manifest");
	if (o->keygen && !o->devices)
		return cli_usage_error("--keygen-per-device goes with --devices");
	if (o->check && o->depfile)
		return cli_usage_error("--check writes nothing: no --depfile");
	if (o->check && o->output && !o->devices)
		return cli_usage_error("--check without --devices takes no -o");
	if (!o->output && !o->check)
		return cli_usage_error("no output given (-o FILE)");
	if (o->manifest) {
		if (o->npairs || o->chip || o->pad_to || o->target_offset || o->params.mode ||
		    o->params.freq || o->params.size)
			return cli_usage_error(
			    "--manifest takes no other options or ADDR FILE pairs");
		return 0;
	}
	if (!o->chip)
		return cli_usage_error("--chip is required (one of %s)", chip_names());
	if (o->npairs == 0)
		return cli_usage_error("no ADDR FILE pairs given");
	if (o->npairs % 2)
		return cli_usage_error("'%s' has no FILE: give ADDR FILE pairs",
				       o->pairs[o->npairs - 1]);
	if (flash_params_spelling(&o->params) < 0) {
		fputs(usage_text, stderr);
		return -1;
	}
	return 0;
}

static int merge_form(const struct mkflash_opts *o)
{
	size_t n = (size_t)o->npairs / 2, i;
	struct flash_item *items = calloc(n, sizeof(*items));
	struct buf *data = calloc(n, sizeof(*data));
	struct flash_plan plan = {NULL, 0, 0};
	struct fileio_atomic_file af;
	int rc = -1;

	if (!items || !data) {
		diag_error("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const char *addr = o->pairs[2 * i], *file = o->pairs[2 * i + 1];
		int64_t a;

		if (num_pyint_parse(addr, strlen(addr), &a) < 0 || a < 0) {
			diag_error("Address \"%s\" must be a number.", addr);
			goto out;
		}
		if (fileio_read(file, FILEIO_MAX_INPUT, &data[i]) < 0)
			goto out;
		if ((uint64_t)a == o->chip->bootloader_offset &&
		    flash_patch_bootloader(o->chip, &o->params, file, &data[i]) < 0)
			goto out;
		items[i].addr = (uint64_t)a;
		items[i].name = file;
		items[i].data = data[i].data;
		items[i].len = data[i].len;
	}
	if (flash_plan(items, n, o->target_offset, o->pad_to, &plan) < 0)
		goto out;
	if (fileio_atomic_open(&af, o->output) < 0)
		goto out;
	if (flash_plan_write(&plan, &af) < 0) {
		fileio_atomic_abort(&af);
		goto out;
	}
	rc = fileio_atomic_commit(&af);
out:
	flash_plan_free(&plan);
	for (i = 0; data && i < n; i++)
		buf_free(&data[i]);
	free(data);
	free(items);
	return rc;
}

int main(int argc, char **argv)
{
	struct mkflash_opts opts;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkflash");
	cli_set_usage(usage_text, help_text);
	memset(&opts, 0, sizeof(opts));
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (opts.devices) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		struct batch_opts b = {opts.manifest, opts.devices, opts.output, opts.jobs,
				       opts.keep_going, opts.depfile, opts.check, opts.keygen};

		if (!b.jobs)
			b.jobs = cores > 0 && cores < 256 ? (int)cores : 1;
		if (batch_build(&b) < 0)
			goto out;
		rc = EXIT_OK;
		goto out;
	}
	if (opts.check) {
		if (factory_validate(opts.manifest) < 0)
			goto out;
		rc = EXIT_OK;
		goto out;
	}
	if (opts.manifest && strcmp(opts.output, "-") == 0) {
		diag_error("--manifest writes FLASH.bin and FLASH.json: give a file name");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((opts.manifest ? factory_make(opts.manifest, opts.output, opts.depfile)
			   : merge_form(&opts)) < 0)
		goto out;
	rc = EXIT_OK;
out:
	return rc;
}
