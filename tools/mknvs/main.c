/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mknvs: NVS partition images from the ESP-IDF generator's CSV, and back. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "flash.h"
#include "num.h"
#include "nvs.h"

/* Largest CSV read (a full 16 MB partition as hex text is about 32 MB). */
#define MKNVS_MAX_CSV ((size_t)64 << 20)

struct mknvs_opts {
	const char *output;
	char **inputs;
	size_t ninputs;
	uint64_t size;
	int size_set;
	int version;
	int decode;
};

static const char usage_text[] =
	"usage: esp-mknvs --size SIZE [--version 1|2] INPUT.csv [INPUT.csv ...] -o NVS.bin\n"
	"       esp-mknvs --decode NVS.bin [-o NVS.csv]\n";

static const char help_text[] =
	"\n"
	"Builds an NVS partition image from the CSV of ESP-IDF's NVS partition generator\n"
	"(key,type,encoding,value), byte-identical to nvs_partition_gen.py generate\n"
	"(esp-idf-nvs-partition-gen 0.2.0), or turns an image back into such a CSV.\n"
	"\n"
	"  -o, --output FILE   output file ('-' for standard output, the default for --decode)\n"
	"      --size SIZE     partition size: a multiple of 0x1000 (Python int syntax:\n"
	"                      0x6000, 24576). Below 0x3000 the partition is read-only: no\n"
	"                      spare page, and the image holds only the pages with data\n"
	"      --version 1|2   NVS format: 2 (default) splits blobs over pages, 1 does not\n"
	"      --decode        read an NVS image and write its entries as generator CSV\n"
	"  -q, --quiet         no warnings\n"
	"  -h, --help          this help\n"
	"      --version       (without a value) print the program version\n"
	"\n"
	"Several CSVs are read in order into one image, as the generator does.\n"
	"'file' rows name a path relative to the current directory (as the generator\n"
	"resolves it); when nothing is there, the CSV's own directory is tried.\n"
	"Encryption (the generator's encrypt/decrypt/generate-key) is not supported.\n"
	"\n"
	"Exit status: 0 ok, 1 bad input (with FILE:LINE), 2 bad command line.\n";

enum {
	OPT_SIZE = 256,
	OPT_VERSION,
	OPT_DECODE,
};

static int parse_size(const char *arg, struct mknvs_opts *o)
{
	const char *problem;
	int64_t v;

	/* the generator's check_size(): int(SIZE, 0) */
	if (num_pyint_parse(arg, strlen(arg), &v) < 0)
		return cli_usage_error("--size: '%s' is not a number (0x6000, 24576, ...)", arg);
	problem = nvs_size_problem(v);
	if (problem)
		return cli_usage_error("--size %s: %s", arg, problem);
	if ((uint64_t)v > FLASHIMG_MAX_SIZE) /* the image is built in memory */
		return cli_usage_error("--size %s: larger than the largest flash (128MB)", arg);
	o->size = (uint64_t)v;
	o->size_set = 1;
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct mknvs_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"size", required_argument, NULL, OPT_SIZE},
		{"version", optional_argument, NULL, OPT_VERSION},
		{"decode", no_argument, NULL, OPT_DECODE},
		CLI_LONGOPT_QUIET,
		CLI_LONGOPT_HELP,
		{NULL, 0, NULL, 0},
	};
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_VERSION: {
			/* "--version 1|2" is the NVS format (the generator's option); bare
			 * --version prints ours */
			const char *v = optarg;

			if (!v && optind < argc && argv[optind][0] != '-' && argv[optind][0] &&
			    !argv[optind][1])
				v = argv[optind++];
			if (!v)
				return cli_version();
			if (strcmp(v, "1") && strcmp(v, "2"))
				return cli_usage_error("--version: '%s' is not 1 or 2", v);
			o->version = v[0] - '0';
			break;
		}
		case OPT_SIZE:
			if (parse_size(optarg, o) < 0)
				return -1;
			break;
		case OPT_DECODE:
			o->decode = 1;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = (size_t)(argc - optind);
	if (o->ninputs == 0)
		return cli_usage_error("%s",
				       o->decode ? "no NVS image given" : "no input CSV given");
	if (o->decode) {
		if (o->ninputs > 1)
			return cli_usage_error("%s", "--decode takes one NVS image");
		if (o->size_set)
			return cli_usage_error("%s", "--size is not used with --decode");
		if (!o->output)
			o->output = "-";
		return 0;
	}
	if (!o->size_set)
		return cli_usage_error("%s", "no --size given");
	if (!o->output)
		return cli_usage_error("%s", "no output given (-o FILE)");
	return 0;
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * A 'file' row's path: as the generator resolves it, relative to the current
 * directory; failing that, beside the CSV (so a CSV and its files can move together).
 */
static int read_row_file(void *ctx, const char *csv_file, unsigned line, const char *path,
			 struct buf *out)
{
	const char *slash = strrchr(csv_file, '/');
	struct buf alt = BUF_INIT;
	int rc;

	(void)ctx;
	if (is_file(path))
		return fileio_read(path, FILEIO_MAX_INPUT, out);
	if (path[0] == '/' || !slash)
		return diag_at(csv_file, line, "cannot read file '%s': no such file", path);
	if (buf_append(&alt, csv_file, (size_t)(slash - csv_file) + 1) < 0 ||
	    buf_puts(&alt, path) < 0 || buf_fill(&alt, 0, 1) < 0) {
		buf_free(&alt);
		return -1;
	}
	if (is_file((const char *)alt.data))
		rc = fileio_read((const char *)alt.data, FILEIO_MAX_INPUT, out);
	else
		rc = diag_at(csv_file, line,
			     "cannot read file '%s': not in the current directory, nor as '%s'", path,
			     (const char *)alt.data);
	buf_free(&alt);
	return rc;
}

static int run_generate(const struct mknvs_opts *o, struct buf *out)
{
	struct nvs_csv *csvs = calloc(o->ninputs, sizeof(*csvs));
	struct nvs_gen_opts go = {o->size, o->version};
	struct buf text = BUF_INIT;
	size_t i, done = 0;
	int rc = -1;

	if (!csvs)
		return diag_error("out of memory");
	for (i = 0; i < o->ninputs; i++) {
		nvs_csv_init(&csvs[i], o->inputs[i]);
		done++;
		text.len = 0;
		if (fileio_read(o->inputs[i], MKNVS_MAX_CSV, &text) < 0 ||
		    nvs_csv_parse(&csvs[i], text.data ? text.data : (const uint8_t *)"", text.len) < 0)
			goto out;
	}
	if (nvs_size_read_only(o->size))
		diag_warn_at(NULL, 0,
			     "size 0x%llx is below 0x3000: read-only NVS (no spare page, only the "
			     "pages with data are written); flag the partition readonly",
			     (unsigned long long)o->size);
	rc = nvs_generate(csvs, o->ninputs, &go, read_row_file, NULL, out);
out:
	for (i = 0; i < done; i++)
		nvs_csv_free(&csvs[i]);
	free(csvs);
	buf_free(&text);
	return rc;
}

static int run_decode(const struct mknvs_opts *o, struct buf *out)
{
	struct buf img = BUF_INIT;
	struct nvs_image im;
	int rc = -1;

	nvs_image_init(&im);
	if (fileio_read(o->inputs[0], FILEIO_MAX_INPUT, &img) < 0)
		goto out;
	if (nvs_decode(o->inputs[0], img.data ? img.data : (const uint8_t *)"", img.len, &im) < 0)
		goto out;
	rc = nvs_format_csv(o->inputs[0], &im, out);
out:
	nvs_image_free(&im);
	buf_free(&img);
	return rc;
}

int main(int argc, char **argv)
{
	struct mknvs_opts opts = {0};
	struct buf out = BUF_INIT;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-mknvs");
	cli_set_usage(usage_text, help_text);
	opts.version = 2;
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	r = opts.decode ? run_decode(&opts, &out) : run_generate(&opts, &out);
	if (r < 0)
		goto out;
	if (fileio_atomic_write_file(opts.output, out.data ? out.data : (const uint8_t *)"", out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	buf_free(&out);
	return rc;
}
