/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mkfs: file-system partition images from a directory (spec/filesystems.md). SPIFFS
 * for now; FAT follows. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "mkfs.h"
#include "num.h"
#include "spiffs.h"

enum mkfs_mode { MKFS_BUILD, MKFS_LIST, MKFS_EXTRACT };

struct mkfs_opts {
	enum mkfs_mode mode;
	int json;
	const char *output;
	const char *dir; /* DIR to build from, or the IMAGE to read */
	uint64_t size;
	int size_set;
	struct spiffs_config spiffs;
};

static const char usage_text[] =
    "usage: esp-mkfs --type spiffs --size SIZE [--page-size N] [--block-size N]\n"
    "                [--obj-name-len N] [--meta-len N] [--no-magic] [--no-magic-len]\n"
    "                [--follow-symlinks] [--big-endian] [--aligned-obj-ix-tables]\n"
    "                DIR -o SPIFFS.bin\n"
    "       esp-mkfs --list [--json] [SPIFFS options] SPIFFS.bin [-o FILE]\n"
    "       esp-mkfs --extract [SPIFFS options] SPIFFS.bin -o DIR\n";

static const char help_text[] =
    "\n"
    "Writes a SPIFFS partition image holding the files below DIR, byte-identical to\n"
    "ESP-IDF's spiffsgen.py with the same options. Each directory's files come first,\n"
    "then its subdirectories, each in name order; a file is stored as '/' + its path\n"
    "below DIR. FAT images (--type fat) are not supported yet.\n"
    "\n"
    "--list prints an image's files (SHA-256, size, name), --extract writes them\n"
    "below DIR; both need the options the image was built with (page and block size,\n"
    "name and meta lengths, --big-endian, --aligned-obj-ix-tables).\n"
    "\n"
    "  -o, --output FILE        output file (--extract: directory; --list: default\n"
    "                           standard output)\n"
    "      --list               list the files of a SPIFFS image\n"
    "      --json               --list as JSON\n"
    "      --extract            write the files of a SPIFFS image below -o DIR\n"
    "      --type spiffs        the file system (only spiffs for now)\n"
    "      --size SIZE          image size, a multiple of the block size\n"
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

static int parse_type(const char *arg)
{
	if (strcmp(arg, "spiffs") == 0)
		return 0;
	if (strcmp(arg, "fat") == 0)
		return cli_usage_error(
		    "--type fat: FAT images are not supported yet (only spiffs)");
	return cli_usage_error("--type: '%s' is not spiffs or fat", arg);
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
	    CLI_LONGOPT_QUIET,
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	struct spiffs_config *c = &o->spiffs;
	int ch, rc, type_set = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_TYPE:
			if (parse_type(optarg) < 0)
				return -1;
			type_set = 1;
			break;
		case OPT_SIZE:
			if (parse_num("--size", optarg, UINT64_MAX, &o->size) < 0)
				return -1;
			o->size_set = 1;
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
	if (o->mode != MKFS_BUILD) {
		/* the image's own length is its size */
		if (o->size_set || c->follow_symlinks)
			return cli_usage_error("%s has no use with --list or --extract",
					       o->size_set ? "--size" : "--follow-symlinks");
		if (o->mode == MKFS_EXTRACT && !o->output)
			return cli_usage_error("%s", "no output directory given (-o DIR)");
		return 0;
	}
	if (!type_set)
		return cli_usage_error("%s", "no file system given (--type spiffs)");
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
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	if (opts.mode == MKFS_LIST) {
		rc = mkfs_list(&opts.spiffs, opts.dir, opts.json, opts.output) < 0 ? EXIT_INPUT
										   : EXIT_OK;
		goto out;
	}
	if (opts.mode == MKFS_EXTRACT) {
		rc = mkfs_extract(&opts.spiffs, opts.dir, opts.output) < 0 ? EXIT_INPUT : EXIT_OK;
		goto out;
	}
	/* spiffsgen's own errors (bad sizes, like bad names and a full image) are input
	 * errors: exit 1 (issue 18), not usage errors */
	rc = EXIT_INPUT;
	if (spiffs_build_dir(&opts.spiffs, opts.size, opts.dir, &out, NULL) < 0)
		goto out;
	if (fileio_atomic_write_file(opts.output, out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	return rc;
}
