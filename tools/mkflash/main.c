/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkflash: whole flash images, from ADDR FILE pairs (as esptool merge-bin) or a manifest. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "batch_progress.h"
#include "buf.h"
#include "chip.h"
#include "cli.h"
#include "diag.h"
#include "factory.h"
#include "fileio.h"
#include "flash.h"
#include "flash_merge.h"
#include "idfbuild.h"
#include "idfbuild_manifest.h"
#include "num.h"

struct mkflash_opts {
	const struct chip *chip;
	const char *output;
	const char *manifest;
	const char *devices;
	const char *depfile;
	const char *idf_build;	  /* ESP-IDF build directory */
	const char *manifest_out; /* with idf_build: write a manifest instead */
	int jobs;
	int keep_going;
	int check;
	int keygen;
	unsigned shard_k, shard_n; /* --shard K/N; shard_n 0: not given */
	const char *merge_index;   /* --merge-index OUTDIR */
	int progress;		   /* enum batch_progress_mode */
	int progress_given;
	int regions; /* --output-mode regions */
	int output_mode_given;
	uint64_t target_offset;
	uint64_t pad_to;
	int pad_given; /* --pad-to-size or --target-offset given (raw only) */
	int format_given;
	struct flash_merge_out out;
	struct flash_params params;
	char **pairs; /* ADDR FILE ... */
	int npairs;
};

static const char usage_text[] =
	"usage: esp-mkflash --chip CHIP [--pad-to-size SIZE] [--target-offset OFF]\n"
	"                   [--flash-mode M] [--flash-freq F] [--flash-size S]\n"
	"                   ADDR FILE [ADDR FILE ...] -o FLASH.bin\n"
	"       esp-mkflash --chip CHIP --format uf2 [--chunk-size N] [--md5-disable]\n"
	"                   [--flash-mode M] [--flash-freq F] [--flash-size S]\n"
	"                   ADDR FILE [ADDR FILE ...] -o FLASH.uf2\n"
	"       esp-mkflash --chip CHIP --format hex [--flash-mode M] [--flash-freq F]\n"
	"                   [--flash-size S] ADDR FILE [ADDR FILE ...] -o FLASH.hex\n"
	"       esp-mkflash --idf-build DIR [--format F] [--pad-to-size SIZE] ...\n"
	"                   [ADDR FILE ...] -o FLASH.bin\n"
	"       esp-mkflash --idf-build DIR --manifest-out FACTORY.ini\n"
	"       esp-mkflash --manifest FACTORY.ini [--depfile FILE] -o FLASH.bin\n"
	"       esp-mkflash --manifest FACTORY.ini --devices DEVICES.csv [-j N] [--keep-going]\n"
	"                   [--keygen-per-device] [--shard K/N] [--progress=jsonl]\n"
	"                   [--output-mode image|regions] [--depfile FILE] -o OUTDIR\n"
	"       esp-mkflash [--manifest FACTORY.ini] --devices DEVICES.csv --merge-index OUTDIR\n"
	"       esp-mkflash --manifest FACTORY.ini [--devices DEVICES.csv [-o OUTDIR]] --check\n";

static const char help_text[] =
	"\n"
	"The first forms place each FILE at its flash ADDR exactly as `esptool merge-bin`\n"
	"does: a raw image (0xFF between the files), UF2 or Intel HEX. A FILE that is\n"
	"Intel HEX goes to the addresses it holds (its ADDR is ignored). An argument @FILE\n"
	"is replaced by the words of FILE's lines (ESP-IDF's build/flash_args works as is).\n"
	"The --manifest forms build a whole factory image from one declarative manifest\n"
	"and write FLASH.json beside FLASH.bin.\n"
	"\n"
	"  -o, --output FILE         output image\n"
	"  -c, --chip CHIP           target chip (merge form)\n"
	"      --pad-to-size SIZE    pad with 0xFF to a flash size: 256KB 512KB 1MB ... 128MB\n"
	"                            (also --fill-flash-size)\n"
	"  -t, --target-offset OFF   the image starts at this flash address (default 0)\n"
	"      --flash-mode M        qio, qout, dio, dout or keep (default keep)\n"
	"      --flash-freq F        a frequency of the chip, or keep (default keep)\n"
	"      --flash-size S        1MB ... 128MB or keep (default keep)\n"
	"                            (also spelled with underscores, as esptool v4 did)\n"
	"                            (mode/freq/size patch the bootloader image found at\n"
	"                            the chip's bootloader offset, SHA-256 recomputed)\n"
	"      --format raw|uf2|hex  output format: raw image (the default), UF2 or Intel HEX\n"
	"      --chunk-size N        uf2: payload bytes per block, a multiple of 4\n"
	"                            (default 452, 476 with --md5-disable)\n"
	"      --md5-disable         uf2: no MD5 part in the blocks\n"
	"      --idf-build DIR       an ESP-IDF build directory: chip, flash settings and\n"
	"                            files from DIR/flasher_args.json (as @DIR/flash_args)\n"
	"      --manifest-out FILE   with --idf-build: write a manifest of that build (and\n"
	"                            its layout, FILE.partitions.ini) instead of an image\n"
	"      --manifest FILE       build from a factory manifest (see README)\n"
	"      --devices CSV         one image per row: OUTDIR/<id>/FLASH.bin + FLASH.json,\n"
	"                            the manifest's NVS CSVs filled from ${column} values\n"
	"                            (id: the 'device_id' column, else the first)\n"
	"  -j, --jobs N              devices built at once (default: the number of cores)\n"
	"      --keep-going          build the other devices when one fails\n"
	"      --keygen-per-device   with --devices: flash-encrypt each image with a new\n"
	"                            key of its own, written (mode 0600) to\n"
	"                            OUTDIR/<id>/flash_key.bin for burning into eFuse\n"
	"      --shard K/N           with --devices: build only shard K (0 to N-1) of N, the\n"
	"                            devices whose id hashes to K; index in\n"
	"                            OUTDIR/index-K-of-N.csv; shards may share OUTDIR\n"
	"      --progress auto|none|jsonl\n"
	"                            with --devices: a one-line display on stderr when it\n"
	"                            is a terminal (auto, the default), nothing (none), or\n"
	"                            one JSON object per finished device (jsonl)\n"
	"      --output-mode image|regions\n"
	"                            with --devices: whole images (image, the default), or\n"
	"                            the regions all devices share once in OUTDIR/common/\n"
	"                            and per device its own regions and flash_args (regions)\n"
	"      --merge-index OUTDIR  check that the shards built every device of --devices\n"
	"                            once and completely, then write OUTDIR/index.csv\n"
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
	OPT_CHUNK,
	OPT_MD5_DISABLE,
	OPT_IDF_BUILD,
	OPT_MANIFEST_OUT,
	OPT_SHARD,
	OPT_MERGE_INDEX,
	OPT_PROGRESS,
	OPT_OUTPUT_MODE,
};

/* --shard K/N: K from 0 to N-1, as Kubernetes, Slurm and xargs count. */
static int parse_shard(const char *arg, struct mkflash_opts *o)
{
	const char *slash = strchr(arg, '/');
	int64_t k, n;

	if (!slash || num_pyint_parse(arg, (size_t)(slash - arg), &k) < 0 ||
	    num_pyint_parse(slash + 1, strlen(slash + 1), &n) < 0 || n < 1 || n > 100000 ||
	    k < 0 || k >= n)
		return cli_usage_error("--shard: '%s' is not K/N with N from 1 to 100000 and K "
				       "from 0 to N-1",
				       arg);
	o->shard_k = (unsigned)k;
	o->shard_n = (unsigned)n;
	return 0;
}

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

/* --idf-build names the chip and flash settings; --manifest-out writes only a manifest. */
static int check_idf_build(const struct mkflash_opts *o)
{
	if (o->manifest_out && !o->idf_build)
		return cli_usage_error("--manifest-out goes with --idf-build");
	if (!o->idf_build)
		return 0;
	if (o->manifest)
		return cli_usage_error("--idf-build and --manifest are two forms: give one");
	if (o->chip || o->params.mode || o->params.freq || o->params.size)
		return cli_usage_error("--idf-build takes the chip and flash settings from "
				       "DIR/flasher_args.json: no --chip or --flash-*");
	if (o->manifest_out && (o->output || o->npairs || o->pad_given || o->format_given ||
				o->out.chunk_given || o->out.md5_disable))
		return cli_usage_error("--manifest-out takes only --idf-build");
	return 0;
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
		/* esptool v4's spellings, which ESP-IDF's flash_args still uses */
		{"flash_mode", required_argument, NULL, OPT_MODE},
		{"flash_freq", required_argument, NULL, OPT_FREQ},
		{"flash_size", required_argument, NULL, OPT_SIZE},
		{"chunk-size", required_argument, NULL, OPT_CHUNK},
		{"md5-disable", no_argument, NULL, OPT_MD5_DISABLE},
		{"manifest", required_argument, NULL, OPT_MANIFEST},
		{"devices", required_argument, NULL, OPT_DEVICES},
		{"jobs", required_argument, NULL, 'j'},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"depfile", required_argument, NULL, OPT_DEPFILE},
		{"check", no_argument, NULL, OPT_CHECK},
		{"keygen-per-device", no_argument, NULL, OPT_KEYGEN},
		{"idf-build", required_argument, NULL, OPT_IDF_BUILD},
		{"manifest-out", required_argument, NULL, OPT_MANIFEST_OUT},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"merge-index", required_argument, NULL, OPT_MERGE_INDEX},
		{"progress", required_argument, NULL, OPT_PROGRESS},
		{"output-mode", required_argument, NULL, OPT_OUTPUT_MODE},
		CLI_LONGOPT_QUIET,
		CLI_LONGOPT_HELP,
		CLI_LONGOPT_VERSION,
		{NULL, 0, NULL, 0},
	};
	int ch, rc;
	int64_t v;

	opterr = 0;
	/* options anywhere, as esptool takes them (`@flash_args --chip C -o F`): getopt
	 * moves the ADDR FILE words behind them in their order, so pairs stay pairs */
	while ((ch = getopt_long(argc, argv, ":o:c:t:j:qh", longopts, NULL)) != -1) {
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
			o->pad_given = 1;
			break;
		case 't':
			if (num_pyint_parse(optarg, strlen(optarg), &v) < 0 || v < 0)
				return cli_usage_error("--target-offset: invalid offset '%s'",
						       optarg);
			o->target_offset = (uint64_t)v;
			o->pad_given = 1;
			break;
		case OPT_CHUNK:
			/* esptool: any int literal, a multiple of 4 (0 fails when writing) */
			if (num_pyint_parse(optarg, strlen(optarg), &v) < 0 || v < 0)
				return cli_usage_error("--chunk-size: '%s' is not a number", optarg);
			if (v & 3)
				return cli_usage_error(
				    "--chunk-size: Chunk size should be a 4-byte aligned number.");
			o->out.chunk = (uint64_t)v;
			o->out.chunk_given = 1;
			break;
		case OPT_MD5_DISABLE:
			o->out.md5_disable = 1;
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
		case OPT_IDF_BUILD:
			o->idf_build = optarg;
			break;
		case OPT_MANIFEST_OUT:
			o->manifest_out = optarg;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, o) < 0)
				return -1;
			break;
		case OPT_MERGE_INDEX:
			o->merge_index = optarg;
			break;
		case OPT_PROGRESS:
			if (strcmp(optarg, "auto") == 0)
				o->progress = BATCH_PROGRESS_AUTO;
			else if (strcmp(optarg, "none") == 0)
				o->progress = BATCH_PROGRESS_NONE;
			else if (strcmp(optarg, "jsonl") == 0)
				o->progress = BATCH_PROGRESS_JSONL;
			else
				return cli_usage_error("--progress: '%s' is not one of auto none jsonl",
						       optarg);
			o->progress_given = 1;
			break;
		case OPT_OUTPUT_MODE:
			if (strcmp(optarg, "image") != 0 && strcmp(optarg, "regions") != 0)
				return cli_usage_error(
				    "--output-mode: '%s' is not one of image regions", optarg);
			o->regions = strcmp(optarg, "regions") == 0;
			o->output_mode_given = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "raw") == 0)
				o->out.format = FLASH_MERGE_RAW;
			else if (strcmp(optarg, "hex") == 0)
				o->out.format = FLASH_MERGE_HEX;
			else if (strcmp(optarg, "uf2") == 0)
				o->out.format = FLASH_MERGE_UF2;
			else
				return cli_usage_error("--format: '%s' is not one of raw uf2 hex",
						       optarg);
			o->format_given = 1;
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
	if (o->merge_index) {
		if (!o->devices)
			return cli_usage_error("--merge-index needs --devices");
		if (o->output || o->shard_n || o->jobs || o->keep_going || o->depfile || o->check ||
		    o->keygen || o->npairs || o->idf_build || o->manifest_out ||
		    o->output_mode_given)
			return cli_usage_error("--merge-index takes only --manifest and --devices");
		return 0;
	}
	if (o->output_mode_given && (!o->devices || !o->manifest))
		return cli_usage_error("--output-mode goes with --manifest and --devices");
	if (o->progress_given && (!o->devices || !o->manifest))
		return cli_usage_error("--progress goes with --manifest and --devices");
	if (o->shard_n && (!o->devices || !o->manifest))
		return cli_usage_error("--shard goes with --manifest and --devices");
	if ((o->devices || o->jobs || o->keep_going || o->depfile || o->check) && !o->manifest)
		return cli_usage_error(
		    "--devices, --jobs, --keep-going, --depfile and --check go with --manifest");
	if (o->keygen && !o->devices)
		return cli_usage_error("--keygen-per-device goes with --devices");
	if (o->check && o->depfile)
		return cli_usage_error("--check writes nothing: no --depfile");
	if (o->check && o->output && !o->devices)
		return cli_usage_error("--check without --devices takes no -o");
	if (check_idf_build(o) < 0)
		return -1;
	if (!o->output && !o->check && !o->manifest_out)
		return cli_usage_error("no output given (-o FILE)");
	if (o->manifest_out)
		return 0;
	if (o->manifest) {
		if (o->npairs || o->chip || o->pad_to || o->target_offset || o->params.mode ||
		    o->params.freq || o->params.size || o->format_given || o->out.chunk_given ||
		    o->out.md5_disable)
			return cli_usage_error(
			    "--manifest takes no other options or ADDR FILE pairs");
		return 0;
	}
	/* departures: esptool ignores these where they do nothing (flash-layout.md §5) */
	if (o->out.format != FLASH_MERGE_RAW && o->pad_given)
		return cli_usage_error("--pad-to-size and --target-offset go with --format raw");
	if (o->out.format != FLASH_MERGE_UF2 && (o->out.chunk_given || o->out.md5_disable))
		return cli_usage_error("--chunk-size and --md5-disable go with --format uf2");
	if (!o->chip && !o->idf_build)
		return cli_usage_error("--chip is required (one of %s)", chip_names());
	if (o->npairs == 0 && !o->idf_build)
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

/* The ADDR FILE form; @idf (may be NULL): the build directory's files come first. */
static int merge_form(const struct mkflash_opts *o, const struct idfbuild *idf)
{
	struct flash_merge m;
	struct flash_merge_out out = o->out;
	int i, rc = -1;

	if (!idf)
		flash_merge_init(&m, o->chip, &o->params);
	else if (idfbuild_merge_init(idf, &m) < 0)
		goto out;
	for (i = 0; i + 1 < o->npairs; i += 2) {
		const char *addr = o->pairs[i];
		int64_t a;

		if (num_pyint_parse(addr, strlen(addr), &a) < 0 || a < 0) {
			diag_error("Address \"%s\" must be a number.", addr);
			goto out;
		}
		if (flash_merge_add(&m, (uint64_t)a, o->pairs[i + 1]) < 0)
			goto out;
	}
	out.target_offset = o->target_offset;
	out.pad_to = o->pad_to;
	rc = flash_merge_write(&m, &out, o->output);
out:
	flash_merge_free(&m);
	return rc;
}

int main(int argc, char **argv)
{
	struct mkflash_opts opts;
	struct cli_args args;
	struct idfbuild idf;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkflash");
	cli_set_usage(usage_text, help_text);
	memset(&opts, 0, sizeof(opts));
	memset(&idf, 0, sizeof(idf));
	/* @FILE: ESP-IDF's build/flash_args and the like, as esptool reads them */
	if (cli_expand_argfiles(argc, argv, &args) < 0)
		return EXIT_INPUT;
	r = parse_args(args.argc, args.argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (opts.merge_index) {
		if (batch_merge_index(opts.devices, opts.merge_index) < 0)
			goto out;
		rc = EXIT_OK;
		goto out;
	}
	if (opts.idf_build && idfbuild_load(opts.idf_build, &idf) < 0)
		goto out;
	if (opts.manifest_out) {
		if (idfbuild_manifest_write(&idf, opts.manifest_out) < 0)
			goto out;
		rc = EXIT_OK;
		goto out;
	}
	if (opts.devices) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		struct batch_opts b = {opts.manifest, opts.devices, opts.output, opts.jobs,
				       opts.keep_going, opts.depfile, opts.check, opts.keygen,
				       opts.shard_k, opts.shard_n, opts.progress, opts.regions};

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
			   : merge_form(&opts, opts.idf_build ? &idf : NULL)) < 0)
		goto out;
	rc = EXIT_OK;
out:
	idfbuild_free(&idf);
	cli_args_free(&args);
	return rc;
}
