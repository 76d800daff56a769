/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkotadata: blank or preselected OTA data partition images (spec/otadata.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "layout.h"
#include "num.h"
#include "otadata.h"
#include "parttable.h"

/* Largest --size accepted: the largest flash any ESP32 chip maps (128 MB). */
#define MKOTADATA_MAX_SIZE ((uint64_t)128 << 20)

struct mkotadata_opts {
	const char *output;
	const char *layout;
	uint64_t size;
	int size_set;
	struct otadata_boot boot; /* blank when --boot is not given */
	uint32_t present;	  /* OTA app slots: --slots K, or those of the layout */
	int slots_set;
	uint32_t state;
	int state_set;
	uint32_t seq;
	int seq_set;
};

static const char usage_text[] =
	"usage: esp-mkotadata [--size SIZE] [--layout LAYOUT] -o OTADATA.bin\n"
	"       esp-mkotadata --boot ota_N (--slots K | --layout LAYOUT)\n"
	"                     [--state new|pending|valid|invalid|aborted|undefined] [--seq S]\n"
	"                     [--size SIZE] -o OTADATA.bin\n"
	"       esp-mkotadata --boot factory [--size SIZE] -o OTADATA.bin\n";

static const char help_text[] =
	"\n"
	"Writes an ESP-IDF OTA data (otadata) partition image. Without --boot, or with\n"
	"--boot factory, the image is blank (all 0xFF): the bootloader then starts the\n"
	"factory app, or ota_0 when there is none. With --boot ota_N the image is\n"
	"byte-identical to what esp_ota_set_boot_partition() leaves on a blank otadata:\n"
	"entry 0 = {seq N+1, label 0xFF x 20, state, CRC-32 of seq}, everything else 0xFF.\n"
	"\n"
	"  -o, --output FILE      output file\n"
	"      --size SIZE        partition size, a multiple of 0x1000, at least 0x2000\n"
	"                         (default 0x2000, or the otadata partition's size in LAYOUT)\n"
	"      --boot ota_N|factory|blank\n"
	"                         the app slot the bootloader is to start (blank: the\n"
	"                         same bytes as factory)\n"
	"      --slots K          number of OTA app slots ota_0..ota_K-1 (1-16); with\n"
	"                         --layout it must match the layout's count\n"
	"      --layout LAYOUT    partition layout (INI, CSV or binary table): the slot\n"
	"                         count is that of its ota_0, ota_1, ... app partitions\n"
	"                         (consecutive from ota_0), the size that of its otadata\n"
	"      --state STATE      ota_state of the entry: undefined (default, as without\n"
	"                         CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE), new (as with\n"
	"                         rollback enabled), pending, valid, invalid, aborted\n"
	"      --seq S            ota_seq to write instead of N+1; (S-1) % K must be N,\n"
	"                         1 <= S <= 0xFFFFFFFE\n"
	"  -q, --quiet            no warnings\n"
	"  -h, --help             this help\n"
	"      --version          print the version\n"
	"\n"
	"Exit status: 0 ok, 1 bad input (layout file), 2 bad command line.\n";

enum {
	OPT_SIZE = 256,
	OPT_BOOT,
	OPT_SLOTS,
	OPT_LAYOUT,
	OPT_STATE,
	OPT_SEQ,
};

static int parse_uint(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *out)
{
	if (num_pyint_parse(arg, strlen(arg), out) < 0 || *out < min || *out > max)
		return cli_usage_error("%s: '%s' is not a number from %lld to %lld", opt, arg,
				       (long long)min, (long long)max);
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct mkotadata_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"size", required_argument, NULL, OPT_SIZE},
		{"boot", required_argument, NULL, OPT_BOOT},
		{"slots", required_argument, NULL, OPT_SLOTS},
		{"layout", required_argument, NULL, OPT_LAYOUT},
		{"state", required_argument, NULL, OPT_STATE},
		{"seq", required_argument, NULL, OPT_SEQ},
		CLI_LONGOPT_QUIET,
		CLI_LONGOPT_HELP,
		CLI_LONGOPT_VERSION,
		{NULL, 0, NULL, 0},
	};
	int64_t v;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_SIZE:
			if (num_size_parse(optarg, &o->size) < 0)
				return cli_usage_error("--size: '%s' is not a size", optarg);
			if (o->size % OTADATA_SECTOR != 0)
				return cli_usage_error(
				    "--size: 0x%llx is not a multiple of the 0x%x-byte "
				    "flash sector",
				    (unsigned long long)o->size, OTADATA_SECTOR);
			if (o->size < OTADATA_MIN_SIZE)
				return cli_usage_error("--size: 0x%llx is smaller than two sectors "
						       "(0x%x)",
						       (unsigned long long)o->size,
						       OTADATA_MIN_SIZE);
			if (o->size > MKOTADATA_MAX_SIZE)
				return cli_usage_error("--size: 0x%llx is larger than 128MB",
						       (unsigned long long)o->size);
			o->size_set = 1;
			break;
		case OPT_BOOT:
			if (otadata_boot_parse(optarg, &o->boot) < 0)
				return cli_usage_error(
				    "--boot: '%s' is not factory or ota_0 .. ota_15", optarg);
			break;
		case OPT_SLOTS:
			if (parse_uint("--slots", optarg, 1, OTADATA_MAX_SLOTS, &v) < 0)
				return -1;
			o->present = (1u << v) - 1;
			o->slots_set = 1;
			break;
		case OPT_LAYOUT:
			o->layout = optarg;
			break;
		case OPT_STATE:
			if (otadata_state_parse(optarg, &o->state) < 0)
				return cli_usage_error(
				    "--state: '%s' is not new, pending, valid, invalid, "
				    "aborted or undefined",
				    optarg);
			o->state_set = 1;
			break;
		case OPT_SEQ:
			/* 0 maps to no sensible slot and 0xFFFFFFFF means "empty" (§6) */
			if (parse_uint("--seq", optarg, 1, 0xFFFFFFFE, &v) < 0)
				return -1;
			o->seq = (uint32_t)v;
			o->seq_set = 1;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->output)
		return cli_usage_error("%s", "no output given (-o FILE)");
	if (o->boot.kind != OTADATA_BOOT_OTA && (o->state_set || o->seq_set))
		return cli_usage_error("%s --state and --seq need --boot ota_N",
				       o->boot.kind == OTADATA_BOOT_FACTORY
					   ? "--boot factory writes a blank otadata;"
					   : "no entry to write:");
	if (o->boot.kind == OTADATA_BOOT_OTA && !o->slots_set && !o->layout)
		return cli_usage_error("--boot ota_%u needs the slot count: --slots K or --layout "
				       "LAYOUT",
				       o->boot.slot);
	return 0;
}

/* Slot count and otadata size from a partition layout (spec/otadata.md §4, §1). */
static int apply_layout(struct mkotadata_opts *o)
{
	struct parttable_config cfg;
	struct parttable pt;
	const struct parttable_entry *otadata = NULL;
	uint32_t present;
	unsigned slots;
	char why[160];
	int rc = -1;
	size_t i;

	parttable_init(&pt, NULL);
	if (parttable_config_init(&cfg) < 0)
		goto out;
	if (layout_load(o->layout, &cfg, &pt, NULL) < 0)
		goto out;
	for (i = 0; i < pt.n && !otadata; i++)
		if (pt.v[i].type == PARTTABLE_TYPE_DATA &&
		    pt.v[i].subtype == PARTTABLE_SUBTYPE_DATA_OTA)
			otadata = &pt.v[i];
	if (!otadata) {
		diag_file(o->layout, "no otadata partition (type data, subtype ota)");
		goto out;
	}
	present = otadata_layout_slots(&pt);
	slots = otadata_slot_count(present);
	if (otadata->size < OTADATA_MIN_SIZE || otadata->size % OTADATA_SECTOR != 0 ||
	    (uint64_t)otadata->size > MKOTADATA_MAX_SIZE) {
		parttable_entry_error(&pt, otadata,
				      "otadata size 0x%llx is not a multiple of 0x%x of at "
				      "least 0x%x",
				      (unsigned long long)otadata->size, OTADATA_SECTOR,
				      OTADATA_MIN_SIZE);
		goto out;
	}
	if (o->size_set && o->size != (uint64_t)otadata->size) {
		diag_file(o->layout,
			  "--size 0x%llx differs from the otadata partition's size 0x%llx",
			  (unsigned long long)o->size, (unsigned long long)otadata->size);
		goto out;
	}
	o->size = (uint64_t)otadata->size;
	if (o->boot.kind == OTADATA_BOOT_OTA &&
	    otadata_slot_check(o->boot.slot, present, why, sizeof(why)) < 0) {
		diag_file(o->layout, "ota_%u: %s", o->boot.slot, why);
		goto out;
	}
	if (o->slots_set && otadata_slot_count(o->present) != slots) {
		diag_file(o->layout, "--slots %u differs from the layout's %u OTA app slot%s",
			  otadata_slot_count(o->present), slots, slots == 1 ? "" : "s");
		goto out;
	}
	o->present = present;
	rc = 0;
out:
	parttable_free(&pt);
	parttable_config_free(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	struct mkotadata_opts opts = {0};
	struct otadata_entry entry;
	struct buf out = BUF_INIT;
	char why[160];
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkotadata");
	cli_set_usage(usage_text, help_text);
	opts.size = OTADATA_DEFAULT_SIZE;
	opts.state = OTADATA_STATE_UNDEFINED;
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (opts.slots_set && opts.boot.kind == OTADATA_BOOT_OTA &&
	    otadata_slot_check(opts.boot.slot, opts.present, why, sizeof(why)) < 0) {
		unsigned k = otadata_slot_count(opts.present);

		cli_usage_error("--boot ota_%u: only %u OTA slot%s (--slots %u)", opts.boot.slot, k,
				k == 1 ? "" : "s", k);
		goto out;
	}
	rc = EXIT_INPUT;
	if (opts.layout && apply_layout(&opts) < 0)
		goto out;
	if (opts.boot.kind == OTADATA_BOOT_OTA) {
		unsigned slot = opts.boot.slot, slots = otadata_slot_count(opts.present);
		uint32_t seq = opts.seq_set ? opts.seq : otadata_slot_seq(slot);

		if (opts.seq_set && otadata_seq_slot(seq, slots) != slot) {
			unsigned got = otadata_seq_slot(seq, slots);

			if (opts.layout) {
				diag_file(opts.layout,
					  "--seq %u selects ota_%u of %u slots, not ota_%u", seq,
					  got, slots, slot);
			} else {
				cli_usage_error("--seq %u selects ota_%u of %u slots, not ota_%u",
						seq, got, slots, slot);
				rc = EXIT_USAGE;
			}
			goto out;
		}
		if (opts.state == OTADATA_STATE_INVALID || opts.state == OTADATA_STATE_ABORTED)
			diag_warn_at(NULL, 0, "an entry in state %s is ignored by the bootloader",
				     otadata_state_name(opts.state));
		otadata_entry_make(&entry, seq, opts.state);
	}
	if (otadata_build((size_t)opts.size, opts.boot.kind == OTADATA_BOOT_OTA ? &entry : NULL,
			  &out) < 0)
		goto out;
	if (fileio_atomic_write_file(opts.output, out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	return rc;
}
