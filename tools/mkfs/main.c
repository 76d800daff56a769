/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkfs: file-system partition images (SPIFFS, FAT with or without wear levelling) from a
 * directory, and their files back (spec/filesystems.md). */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fat.h"
#include "fileio.h"
#include "mkfs.h"
#include "num.h"
#include "spiffs.h"

enum mkfs_mode { MKFS_BUILD, MKFS_LIST, MKFS_EXTRACT };

struct mkfs_opts {
	enum mkfs_mode mode;
	enum mkfs_type type;
	int json;
	const char *output;
	const char *dir; /* DIR to build from, or the IMAGE to read */
	uint64_t size;
	int size_set;
	const char *spiffs_opt; /* the first SPIFFS-only option given, for messages */
	const char *fat_opt;	/* the first FAT-only option given */
	struct spiffs_config spiffs;
	struct fat_config fat;
};

static const char usage_text[] =
    "usage: esp-mkfs --type spiffs --size SIZE [--page-size N] [--block-size N]\n"
    "                [--obj-name-len N] [--meta-len N] [--no-magic] [--no-magic-len]\n"
    "                [--follow-symlinks] [--big-endian] [--aligned-obj-ix-tables]\n"
    "                DIR -o SPIFFS.bin\n"
    "       esp-mkfs --type fat --size SIZE|detect [--sector-size N]\n"
    "                [--sectors-per-cluster 1] [--root-entry-count N] [--long-names]\n"
    "                [--fat-type 12|16] [--fat-count 1|2]\n"
    "                [--wear-levelling [--wl-mode perf|safe]] DIR -o FAT.bin\n"
    "       esp-mkfs --list [--json] [--type T] [SPIFFS options] IMAGE [-o FILE]\n"
    "       esp-mkfs --extract [--type T] [SPIFFS options] IMAGE -o DIR\n";

static const char help_text[] =
    "\n"
    "Writes a SPIFFS or FAT partition image holding the files below DIR,\n"
    "byte-identical to ESP-IDF's spiffsgen.py, fatfsgen.py or (--wear-levelling)\n"
    "wl_fatfsgen.py with the same options. SPIFFS: each directory's files come first,\n"
    "then its subdirectories, each in name order; a file is stored as '/' + its path\n"
    "below DIR. FAT: files and directories in name order, dated 1980-01-01, volume\n"
    "serial and wear-levelling device id 0; links are followed.\n"
    "\n"
    "--list prints an image's files (SHA-256, size, name), --extract writes them\n"
    "below DIR. A FAT image (with or without wear levelling) is recognised; a SPIFFS\n"
    "image needs the options it was built with (page and block size, name and meta\n"
    "lengths, --big-endian, --aligned-obj-ix-tables).\n"
    "\n"
    "  -o, --output FILE        output file (--extract: directory; --list: default\n"
    "                           standard output)\n"
    "      --list               list the files of an image\n"
    "      --json               --list as JSON\n"
    "      --extract            write the files of an image below -o DIR\n"
    "      --type spiffs|fat    the file system (--list/--extract: default detected)\n"
    "      --size SIZE          image size: SPIFFS a multiple of the block size, FAT of\n"
    "                           the sector size (4096 with --wear-levelling); FAT also\n"
    "                           'detect': the smallest size fatfsgen would pick\n"
    "SPIFFS:\n"
    "      --page-size N        logical page size (default 256)\n"
    "      --block-size N       logical block size, a multiple of the page size\n"
    "                           (default 4096)\n"
    "      --obj-name-len N     name field length, NUL included (default 32): names\n"
    "                           must be shorter\n"
    "      --meta-len N         metadata bytes per file (default 4, written as 0)\n"
    "      --no-magic           no magic numbers in the lookup pages\n"
    "      --no-magic-len       magic numbers without the block count\n"
    "      --follow-symlinks    enter symbolic links to directories (links to files\n"
    "                           are always read through)\n"
    "      --big-endian         big-endian page fields\n"
    "      --aligned-obj-ix-tables\n"
    "                           align the page-index table of index pages to 2 bytes\n"
    "FAT:\n"
    "      --sector-size N      512, 1024, 2048 or 4096 (default; with --wear-levelling\n"
    "                           512 or 4096)\n"
    "      --sectors-per-cluster N\n"
    "                           only 1 (fatfsgen miswrites other values)\n"
    "      --root-entry-count N root directory entries (default 512)\n"
    "      --long-names         long file names (VFAT); else names must fit 8.3\n"
    "      --fat-type 12|16     check that the geometry gives this FAT type\n"
    "      --fat-count 1|2      number of FATs (default 2)\n"
    "      --wear-levelling     wrap the FAT in ESP-IDF's wear-levelling sectors\n"
    "      --wl-mode perf|safe  wear-levelling mode (needs --sector-size 512)\n"
    "  -q, --quiet              no warnings\n"
    "  -h, --help               this help\n"
    "      --version            print the version\n"
    "\n"
    "Exit status: 0 ok, 1 bad input (sizes that do not fit together, the directory,\n"
    "its files, a full image), 2 bad command line.\n";

enum {
	OPT_TYPE = 256,
	OPT_SIZE,
	OPT_PAGE_SIZE,
	OPT_BLOCK_SIZE,
	OPT_OBJ_NAME_LEN,
	OPT_META_LEN,
	OPT_NO_MAGIC,
	OPT_NO_MAGIC_LEN,
	OPT_FOLLOW_SYMLINKS,
	OPT_BIG_ENDIAN,
	OPT_ALIGNED,
	OPT_LIST,
	OPT_EXTRACT,
	OPT_JSON,
	OPT_SECTOR_SIZE,
	OPT_SECTORS_PER_CLUSTER,
	OPT_ROOT_ENTRY_COUNT,
	OPT_LONG_NAMES,
	OPT_FAT_TYPE,
	OPT_FAT_COUNT,
	OPT_WEAR_LEVELLING,
	OPT_WL_MODE,
};

/* A number as spiffsgen takes it (Python int()), or with a K/M suffix. */
static int parse_num(const char *opt, const char *arg, uint64_t max, uint64_t *out)
{
	int64_t v;

	if (num_pyint_parse(arg, strlen(arg), &v) == 0) {
		if (v < 0)
			return cli_usage_error("%s: '%s' is negative", opt, arg);
		*out = (uint64_t)v;
	} else if (num_size_parse(arg, out) < 0) {
		return cli_usage_error("%s: '%s' is not a number", opt, arg);
	}
	if (*out > max)
		return cli_usage_error("%s: '%s' is over %llu", opt, arg, (unsigned long long)max);
	return 0;
}

static int parse_u32(const char *opt, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (parse_num(opt, arg, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_type(const char *arg, enum mkfs_type *t)
{
	if (strcmp(arg, "spiffs") == 0)
		*t = MKFS_SPIFFS;
	else if (strcmp(arg, "fat") == 0)
		*t = MKFS_FAT;
	else
		return cli_usage_error("--type: '%s' is not spiffs or fat", arg);
	return 0;
}

/* A number that must be one of @choices (fatfsgen's argparse choices). */
static int parse_choice(const char *opt, const char *arg, const uint32_t *choices, size_t n,
			const char *list, uint32_t *out)
{
	uint64_t v;
	size_t i;

	if (parse_num(opt, arg, UINT32_MAX, &v) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (v == choices[i]) {
			*out = (uint32_t)v;
			return 0;
		}
	}
	return cli_usage_error("%s: '%s' is not one of %s", opt, arg, list);
}

/* The FAT options; @ch is known to be one of them. */
static int parse_fat_option(int ch, const char *arg, struct fat_config *f)
{
	static const uint32_t sector[] = {512, 1024, 2048, 4096};
	static const uint32_t spc[] = {1, 2, 4, 8, 16, 32, 64, 128};
	static const uint32_t type[] = {0, 12, 16}, count[] = {1, 2};
	uint32_t v = 0;

	switch (ch) {
	case OPT_SECTOR_SIZE:
		return parse_choice("--sector-size", arg, sector, 4, "512, 1024, 2048, 4096",
				    &f->sector_size);
	case OPT_SECTORS_PER_CLUSTER:
		return parse_choice("--sectors-per-cluster", arg, spc, 8, "1, 2, 4, ... 128",
				    &f->sectors_per_cluster);
	case OPT_ROOT_ENTRY_COUNT:
		return parse_u32("--root-entry-count", arg, &f->root_entries);
	case OPT_LONG_NAMES:
		f->long_names = 1;
		return 0;
	case OPT_FAT_TYPE:
		if (parse_choice("--fat-type", arg, type, 3, "12, 16", &v) < 0)
			return -1;
		f->fat_type = (int)v;
		return 0;
	case OPT_FAT_COUNT:
		return parse_choice("--fat-count", arg, count, 2, "1, 2", &f->fat_count);
	case OPT_WEAR_LEVELLING:
		f->wear_levelling = 1;
		return 0;
	default: /* OPT_WL_MODE */
		if (strcmp(arg, "perf") == 0)
			f->wl_mode = FAT_WL_MODE_PERF;
		else if (strcmp(arg, "safe") == 0)
			f->wl_mode = FAT_WL_MODE_SAFE;
		else
			return cli_usage_error("--wl-mode: '%s' is not perf or safe", arg);
		return 0;
	}
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct mkfs_opts *o)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"type", required_argument, NULL, OPT_TYPE},
	    {"size", required_argument, NULL, OPT_SIZE},
	    {"page-size", required_argument, NULL, OPT_PAGE_SIZE},
	    {"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
	    {"obj-name-len", required_argument, NULL, OPT_OBJ_NAME_LEN},
	    {"meta-len", required_argument, NULL, OPT_META_LEN},
	    {"no-magic", no_argument, NULL, OPT_NO_MAGIC},
	    {"no-magic-len", no_argument, NULL, OPT_NO_MAGIC_LEN},
	    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
	    {"big-endian", no_argument, NULL, OPT_BIG_ENDIAN},
	    {"aligned-obj-ix-tables", no_argument, NULL, OPT_ALIGNED},
	    {"list", no_argument, NULL, OPT_LIST},
	    {"extract", no_argument, NULL, OPT_EXTRACT},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"sector-size", required_argument, NULL, OPT_SECTOR_SIZE},
	    {"sectors-per-cluster", required_argument, NULL, OPT_SECTORS_PER_CLUSTER},
	    {"root-entry-count", required_argument, NULL, OPT_ROOT_ENTRY_COUNT},
	    {"long-names", no_argument, NULL, OPT_LONG_NAMES},
	    {"fat-type", required_argument, NULL, OPT_FAT_TYPE},
	    {"fat-count", required_argument, NULL, OPT_FAT_COUNT},
	    {"wear-levelling", no_argument, NULL, OPT_WEAR_LEVELLING},
	    {"wl-mode", required_argument, NULL, OPT_WL_MODE},
	    CLI_LONGOPT_QUIET,
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	struct spiffs_config *c = &o->spiffs;
	int ch, rc, idx;

	opterr = 0;
	while ((idx = -1, ch = getopt_long(argc, argv, ":o:qh", longopts, &idx)) != -1) {
		/* remember one option of each kind, to refuse mixing them */
		if (ch >= OPT_PAGE_SIZE && ch <= OPT_ALIGNED && !o->spiffs_opt && idx >= 0)
			o->spiffs_opt = longopts[idx].name;
		if (ch >= OPT_SECTOR_SIZE && ch <= OPT_WL_MODE) {
			if (!o->fat_opt && idx >= 0)
				o->fat_opt = longopts[idx].name;
			if (parse_fat_option(ch, optarg, &o->fat) < 0)
				return -1;
			continue;
		}
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_TYPE:
			if (parse_type(optarg, &o->type) < 0)
				return -1;
			break;
		case OPT_SIZE:
			o->size_set = 1;
			o->fat.size_detect = strcmp(optarg, "detect") == 0;
			if (!o->fat.size_detect &&
			    parse_num("--size", optarg, UINT64_MAX, &o->size) < 0)
				return -1;
			break;
		case OPT_PAGE_SIZE:
			if (parse_u32("--page-size", optarg, &c->page_size) < 0)
				return -1;
			break;
		case OPT_BLOCK_SIZE:
			if (parse_u32("--block-size", optarg, &c->block_size) < 0)
				return -1;
			break;
		case OPT_OBJ_NAME_LEN:
			if (parse_u32("--obj-name-len", optarg, &c->obj_name_len) < 0)
				return -1;
			break;
		case OPT_META_LEN:
			if (parse_u32("--meta-len", optarg, &c->meta_len) < 0)
				return -1;
			break;
		case OPT_NO_MAGIC:
			c->use_magic = 0;
			break;
		case OPT_NO_MAGIC_LEN:
			c->use_magic_len = 0;
			break;
		case OPT_FOLLOW_SYMLINKS:
			c->follow_symlinks = 1;
			break;
		case OPT_BIG_ENDIAN:
			c->big_endian = 1;
			break;
		case OPT_ALIGNED:
			c->aligned_obj_ix_tables = 1;
			break;
		case OPT_LIST:
		case OPT_EXTRACT:
			if (o->mode != MKFS_BUILD)
				return cli_usage_error("%s",
						       "--list and --extract exclude each other");
			o->mode = ch == OPT_LIST ? MKFS_LIST : MKFS_EXTRACT;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	if (cli_one_operand(argc, argv, o->mode == MKFS_BUILD ? "directory" : "image", &o->dir) < 0)
		return -1;
	if (o->json && o->mode != MKFS_LIST)
		return cli_usage_error("%s", "--json needs --list");
	if (o->spiffs_opt && o->type == MKFS_FAT)
		return cli_usage_error("--%s is a SPIFFS option, not for --type fat",
				       o->spiffs_opt);
	if (o->fat_opt && o->type != MKFS_FAT)
		return cli_usage_error("--%s needs --type fat", o->fat_opt);
	if (o->mode != MKFS_BUILD) {
		/* the image's own length is its size, a FAT image describes itself */
		if (o->size_set || c->follow_symlinks || o->fat_opt)
			return cli_usage_error("--%s has no use with --list or --extract",
					       o->size_set	    ? "size"
					       : c->follow_symlinks ? "follow-symlinks"
								    : o->fat_opt);
		if (o->mode == MKFS_EXTRACT && !o->output)
			return cli_usage_error("%s", "no output directory given (-o DIR)");
		return 0;
	}
	if (o->type == MKFS_NONE)
		return cli_usage_error("%s", "no file system given (--type spiffs or fat)");
	if (o->fat.size_detect && o->type != MKFS_FAT)
		return cli_usage_error("%s", "--size detect needs --type fat");
	if (o->fat.wl_mode != FAT_WL_MODE_UNSET && !o->fat.wear_levelling)
		return cli_usage_error("%s", "--wl-mode needs --wear-levelling");
	/* wl_fatfsgen.py offers only these two (argparse choices) */
	if (o->fat.wear_levelling && o->fat.sector_size != 512 && o->fat.sector_size != 4096)
		return cli_usage_error("--sector-size %u: with --wear-levelling only 512 or 4096",
				       (unsigned)o->fat.sector_size);
	if (!o->output)
		return cli_usage_error("%s", "no output given (-o FILE)");
	if (!o->size_set)
		return cli_usage_error("%s", "no image size given (--size SIZE)");
	return 0;
}

int main(int argc, char **argv)
{
	struct mkfs_opts opts = {0};
	struct buf out = BUF_INIT;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mkfs");
	cli_set_usage(usage_text, help_text);
	spiffs_config_default(&opts.spiffs);
	fat_config_default(&opts.fat);
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	/* SPIFFS options with no --type: the image is SPIFFS */
	if (opts.type == MKFS_NONE && opts.spiffs_opt)
		opts.type = MKFS_SPIFFS;
	if (opts.mode == MKFS_LIST) {
		rc = mkfs_list(opts.type, &opts.spiffs, opts.dir, opts.json, opts.output) < 0
			 ? EXIT_INPUT
			 : EXIT_OK;
		goto out;
	}
	if (opts.mode == MKFS_EXTRACT) {
		rc = mkfs_extract(opts.type, &opts.spiffs, opts.dir, opts.output) < 0 ? EXIT_INPUT
										      : EXIT_OK;
		goto out;
	}
	/* the generators' own errors (bad sizes, like bad names and a full image) are input
	 * errors: exit 1 (issue 18), not usage errors */
	rc = EXIT_INPUT;
	if (opts.type == MKFS_FAT ? fat_build_dir(&opts.fat, opts.size, opts.dir, &out, NULL)
				  : spiffs_build_dir(&opts.spiffs, opts.size, opts.dir, &out, NULL))
		goto out;
	if (fileio_atomic_write_file(opts.output, out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	return rc;
}
