/* SPDX-License-Identifier: Apache-2.0 */
/* esp-mknvs: NVS partition images from the ESP-IDF generator's CSV, and back; NVS
 * encryption (the generator's encrypt, decrypt and generate-key). */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "flash.h"
#include "num.h"
#include "nvs.h"
#include "secret.h"
#include "utf8.h"

/* Largest CSV read (a full 16 MB partition as hex text is about 32 MB). */
#define MKNVS_MAX_CSV ((size_t)64 << 20)

/* What a run does: generate is the default; the others are chosen by their option. */
enum mknvs_mode {
	MODE_GENERATE,
	MODE_ENCRYPT,
	MODE_DECRYPT,
	MODE_DECODE,
	MODE_KEYGEN,
};

static const char *const mode_option[] = {"", "--encrypt", "--decrypt", "--decode", "--keygen"};

struct mknvs_opts {
	const char *output;
	char **inputs;
	size_t ninputs;
	uint64_t size;
	int size_set;
	int version;
	int version_set;
	enum mknvs_mode mode;
	const char *key;      /* --key: an nvs_keys image (or 64 raw key bytes) */
	const char *hmac_key; /* --hmac-key: the eFuse HMAC key the keys derive from */
};

static const char usage_text[] =
    "usage: esp-mknvs --size SIZE [--version 1|2] INPUT.csv [INPUT.csv ...] -o NVS.bin\n"
    "       esp-mknvs --decode [--key KEYS.bin | --hmac-key HMAC.bin] NVS.bin [-o NVS.csv]\n"
    "       esp-mknvs --size SIZE [--version 1|2] --encrypt (--key KEYS.bin | --hmac-key\n"
    "                 HMAC.bin) INPUT.csv [INPUT.csv ...] -o NVS.bin\n"
    "       esp-mknvs --decrypt (--key KEYS.bin | --hmac-key HMAC.bin) ENC.bin -o NVS.bin\n"
    "       esp-mknvs --keygen [--hmac-key HMAC.bin] -o KEYS.bin\n";

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
    "      --decode        read an NVS image and write its entries as generator CSV,\n"
    "                      proved to generate the same bytes (values too big for CSV\n"
    "                      go to OUT.files/ beside -o OUT.csv)\n"
    "                      (an encrypted one with --key or --hmac-key)\n"
    "      --encrypt       build the image, then encrypt it (NVS encryption, XTS-AES-256)\n"
    "      --decrypt       write the plain image of an encrypted one\n"
    "      --keygen        write an nvs_keys partition image (mode 0600): random keys,\n"
    "                      or with --hmac-key the keys derived from that HMAC key\n"
    "      --key FILE      the keys: an nvs_keys partition image (64 key bytes and their\n"
    "                      CRC, as --keygen writes it) or 64 raw key bytes\n"
    "      --hmac-key FILE the HMAC-based scheme: the 32-byte eFuse HMAC key the\n"
    "                      device derives its NVS keys from\n"
    "  -q, --quiet         no warnings\n"
    "  -h, --help          this help\n"
    "      --version       (without a value) print the program version\n"
    "\n"
    "Several CSVs are read in order into one image, as the generator does.\n"
    "'file' rows name a path relative to the current directory (as the generator\n"
    "resolves it); when nothing is there, the CSV's own directory is tried.\n"
    "--encrypt, --decrypt and --keygen --hmac-key are byte-identical to the\n"
    "generator's encrypt, decrypt and generate-key. Keys are never printed; a wrong\n"
    "key is an error. Decrypted images and CSVs are written with mode 0600.\n"
    "\n"
    "Exit status: 0 ok, 1 bad input (with FILE:LINE), 2 bad command line.\n";

enum {
	OPT_SIZE = 256,
	OPT_VERSION,
	OPT_DECODE,
	OPT_ENCRYPT,
	OPT_DECRYPT,
	OPT_KEYGEN,
	OPT_KEY,
	OPT_HMAC_KEY,
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

static int set_mode(struct mknvs_opts *o, enum mknvs_mode mode)
{
	if (o->mode != MODE_GENERATE && o->mode != mode)
		return cli_usage_error("%s and %s exclude each other", mode_option[o->mode],
				       mode_option[mode]);
	o->mode = mode;
	return 0;
}

/* 1 when @a and @b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* The key options against the mode; the output never replaces a key file. */
static int check_keys(const struct mknvs_opts *o)
{
	const char *key = o->key ? o->key : o->hmac_key;

	if (o->key && o->hmac_key)
		return cli_usage_error("%s", "--key and --hmac-key exclude each other");
	switch (o->mode) {
	case MODE_GENERATE:
		if (key)
			return cli_usage_error("%s needs --encrypt, --decrypt or --decode",
					       o->key ? "--key" : "--hmac-key");
		return 0;
	case MODE_ENCRYPT:
	case MODE_DECRYPT:
		if (!key)
			return cli_usage_error("%s needs the keys: --key NVS_KEYS.bin or "
					       "--hmac-key HMAC.bin",
					       mode_option[o->mode]);
		break;
	case MODE_KEYGEN:
		if (o->key)
			return cli_usage_error("%s", "--keygen writes the keys file; --key is not "
						     "used (--hmac-key derives the keys)");
		break;
	case MODE_DECODE:
		break;
	}
	if (key && o->output && same_file(o->output, key))
		return cli_usage_error("-o %s is the key file", o->output);
	return 0;
}

static int check_keygen(const struct mknvs_opts *o)
{
	if (o->ninputs)
		return cli_usage_error("%s", "--keygen takes no input");
	if (o->size_set || o->version_set)
		return cli_usage_error("%s", "--size and --version are not used with --keygen");
	if (!o->output)
		return cli_usage_error("%s", "no output given (-o NVS_KEYS.bin)");
	/* a secret on a terminal or in a pipe's buffer is out of our hands */
	if (strcmp(o->output, "-") == 0)
		return cli_usage_error("%s", "--keygen writes the keys to a file only, not to "
					     "standard output");
	return 0;
}

/* --decode and --decrypt: one image in, no generator options. */
static int check_image_input(struct mknvs_opts *o)
{
	const char *opt = mode_option[o->mode];

	if (o->ninputs == 0)
		return cli_usage_error("%s", "no NVS image given");
	if (o->ninputs > 1)
		return cli_usage_error("%s takes one NVS image", opt);
	if (o->size_set)
		return cli_usage_error("--size is not used with %s", opt);
	if (!o->output) {
		if (o->mode == MODE_DECRYPT)
			return cli_usage_error("%s", "no output given (-o FILE)");
		o->output = "-";
	}
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
	    {"encrypt", no_argument, NULL, OPT_ENCRYPT},
	    {"decrypt", no_argument, NULL, OPT_DECRYPT},
	    {"keygen", no_argument, NULL, OPT_KEYGEN},
	    {"key", required_argument, NULL, OPT_KEY},
	    {"hmac-key", required_argument, NULL, OPT_HMAC_KEY},
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
			o->version_set = 1;
			break;
		}
		case OPT_SIZE:
			if (parse_size(optarg, o) < 0)
				return -1;
			break;
		case OPT_DECODE:
		case OPT_ENCRYPT:
		case OPT_DECRYPT:
		case OPT_KEYGEN:
			if (set_mode(o, ch == OPT_DECODE    ? MODE_DECODE
					: ch == OPT_ENCRYPT ? MODE_ENCRYPT
					: ch == OPT_DECRYPT ? MODE_DECRYPT
							    : MODE_KEYGEN) < 0)
				return -1;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		case OPT_HMAC_KEY:
			o->hmac_key = optarg;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = (size_t)(argc - optind);
	if (o->mode == MODE_KEYGEN)
		rc = check_keygen(o);
	else if (o->mode == MODE_DECODE || o->mode == MODE_DECRYPT)
		rc = check_image_input(o);
	else if (o->ninputs == 0)
		rc = cli_usage_error("%s", "no input CSV given");
	else if (!o->size_set)
		rc = cli_usage_error("%s", "no --size given");
	else if (!o->output)
		rc = cli_usage_error("%s", "no output given (-o FILE)");
	else
		rc = 0;
	return rc < 0 ? -1 : check_keys(o);
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
			     "cannot read file '%s': not in the current directory, nor as '%s'",
			     path, (const char *)alt.data);
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
		    nvs_csv_parse(&csvs[i], text.data ? text.data : (const uint8_t *)"", text.len) <
			0)
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

/* The keys of --key or --hmac-key. */
static int load_keys(const struct mknvs_opts *o, struct nvs_keys *k)
{
	if (o->key)
		return nvs_keys_load(o->key, k);
	return nvs_keys_load_hmac(o->hmac_key, k);
}

static int run_encrypt(const struct mknvs_opts *o, struct buf *out)
{
	struct nvs_keys k;
	int rc;

	/* a key file that is no good fails before the CSVs are read */
	if (load_keys(o, &k) < 0)
		return -1;
	rc = run_generate(o, out);
	if (rc == 0)
		rc = nvs_encrypt(o->output, &k, out->data, out->len);
	nvs_keys_wipe(&k);
	return rc;
}

/* The image of --decode or --decrypt into @img: decrypted when a key is given. */
static int read_image(const struct mknvs_opts *o, struct buf *img)
{
	const char *file = o->inputs[0];
	struct nvs_keys k;
	int rc;

	if (o->key || o->hmac_key) {
		if (load_keys(o, &k) < 0)
			return -1;
		rc = fileio_read(file, FILEIO_MAX_INPUT, img);
		if (rc == 0)
			rc = nvs_decrypt(file, &k, img->data, img->len);
		nvs_keys_wipe(&k);
		return rc;
	}
	if (fileio_read(file, FILEIO_MAX_INPUT, img) < 0)
		return -1;
	/* decoded, it would be a CSV of nothing but warnings */
	if (img->data && nvs_looks_encrypted(img->data, img->len))
		return diag_file(file, "is an encrypted NVS partition (its entries fail their item "
				       "CRC); decode it with --key NVS_KEYS.bin or --hmac-key "
				       "HMAC.bin");
	return 0;
}

/*
 * The files directory of a decoded CSV: OUT.files beside OUT.csv (".csv" dropped,
 * any other name kept whole). @dir gets it as the CSV names it (relative to the CSV's
 * directory), @path as a path from here. Standard output has none: both stay empty.
 */
static int files_dir(const char *output, struct buf *dir, struct buf *path)
{
	const char *slash = strrchr(output, '/');
	const char *base = slash ? slash + 1 : output;
	size_t n = strlen(base);

	/* a name the CSV cannot carry as plain text (the rows could not name it): none */
	if (!strcmp(output, "-") || strpbrk(base, "\r\n") || !utf8_valid((const uint8_t *)base, n))
		return 0;
	if (n > 4 && !strcmp(base + n - 4, ".csv"))
		n -= 4;
	if (buf_append(dir, base, n) < 0 || buf_puts(dir, ".files") < 0 || buf_fill(dir, 0, 1) < 0)
		return -1;
	if ((slash && buf_append(path, output, (size_t)(slash - output) + 1) < 0) ||
	    buf_puts(path, (const char *)dir->data) < 0 || buf_fill(path, 0, 1) < 0)
		return -1;
	return 0;
}

static int run_decode(const struct mknvs_opts *o, struct buf *out, struct buf *dir,
		      struct nvs_decode_files *files)
{
	struct buf img = BUF_INIT;
	int rc = -1;

	if (read_image(o, &img) < 0)
		goto out;
	rc = nvs_decode_csv(o->inputs[0], img.data ? img.data : (const uint8_t *)"", img.len,
			    dir->len ? (const char *)dir->data : NULL, out, files);
out:
	secret_buf_free(&img);
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

/* Removes the tree at @path (ours: a staged or replaced files directory). */
static void remove_tree(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A new empty directory ".espgen-XXXXXX" beside @target into @tmp. */
static int make_temp_dir(const char *target, struct buf *tmp)
{
	const char *slash = strrchr(target, '/');

	if ((slash && buf_append(tmp, target, (size_t)(slash - target) + 1) < 0) ||
	    buf_puts(tmp, ".espgen-XXXXXX") < 0 || buf_fill(tmp, 0, 1) < 0)
		return -1;
	if (!mkdtemp((char *)tmp->data))
		return diag_file(target, "cannot create a directory beside it: %s",
				 strerror(errno));
	return 0;
}

/* Writes the decoded files into the new directory @tdir with file mode @mode. */
static int write_files(const char *tdir, const struct nvs_decode_files *files, mode_t mode)
{
	struct buf p = BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < files->n && rc == 0; i++) {
		const struct nvs_decode_file *f = &files->v[i];
		size_t done = 0;
		int fd;

		p.len = 0;
		if (buf_printf(&p, "%s/%s", tdir, f->name) < 0 || buf_fill(&p, 0, 1) < 0) {
			rc = -1;
			break;
		}
		fd = open((const char *)p.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd < 0) {
			rc = diag_file((const char *)p.data, "%s", strerror(errno));
			break;
		}
		while (done < f->len) {
			ssize_t w = write(fd, f->data + done, f->len - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = diag_file((const char *)p.data, "%s", strerror(errno));
				break;
			}
			done += (size_t)w;
		}
		if (close(fd) < 0 && rc == 0)
			rc = diag_file((const char *)p.data, "%s", strerror(errno));
	}
	buf_free(&p);
	return rc;
}

/*
 * Writes the decoded CSV and its files directory as one: the files go into a new
 * directory beside the target, then an existing OUT.files is moved aside, the new one
 * renamed in, and the CSV committed; a failure on the way puts everything back. The
 * replaced directory is removed at the end, all with the termination signals held
 * back. @mode: 0600 when the image was decrypted.
 */
static int write_decoded(const char *output, const struct buf *csv, const char *dpath,
			 const struct nvs_decode_files *files, mode_t mode)
{
	struct fileio_atomic_file af;
	struct buf tdir = BUF_INIT, old = BUF_INIT;
	struct stat st;
	sigset_t sigs;
	int rc = -1, opened = 0, moved = 0;

	/* the staged directory is not a temporary fileio's signal handler knows */
	fileio_signals_hold(&sigs);
	if (make_temp_dir(dpath, &tdir) < 0)
		goto out;
	if (chmod((const char *)tdir.data, (mode | 0111) & ~fileio_umask()) < 0 ||
	    write_files((const char *)tdir.data, files, mode) < 0)
		goto out;
	if (fileio_atomic_open_mode(&af, output, mode) < 0)
		goto out;
	opened = 1;
	if (fileio_atomic_write(&af, csv->data, csv->len) < 0)
		goto out;
	if (lstat(dpath, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			diag_file(dpath, "exists and is not a directory: the decoded files go there");
			goto out;
		}
		/* rename() puts a directory only over an empty one: move the old one aside */
		if (make_temp_dir(dpath, &old) < 0)
			goto out;
		if (rename(dpath, (const char *)old.data) < 0) {
			diag_file(dpath, "cannot replace it: %s", strerror(errno));
			rmdir((const char *)old.data);
			old.len = 0;
			goto out;
		}
		moved = 1;
	}
	if (rename((const char *)tdir.data, dpath) < 0) {
		diag_file(dpath, "cannot create it: %s", strerror(errno));
		goto out;
	}
	opened = 0;
	if (fileio_atomic_commit(&af) < 0) {
		rename(dpath, (const char *)tdir.data);
		goto out;
	}
	rc = 0;
out:
	if (opened)
		fileio_atomic_abort(&af);
	if (moved && rc < 0)
		rename((const char *)old.data, dpath);
	else if (moved)
		remove_tree((const char *)old.data);
	if (tdir.len && rc < 0)
		remove_tree((const char *)tdir.data);
	fileio_signals_release(&sigs);
	buf_free(&tdir);
	buf_free(&old);
	return rc;
}

static int run_keygen(const struct mknvs_opts *o)
{
	struct nvs_keys k;
	int rc;

	if (o->hmac_key)
		rc = nvs_keys_load_hmac(o->hmac_key, &k);
	else
		rc = nvs_keys_random(&k);
	if (rc == 0)
		rc = nvs_keys_write(o->output, &k);
	nvs_keys_wipe(&k);
	return rc;
}

/* Builds what the mode makes into @out (--keygen writes its file itself; --decode's
 * files, when it has any, go to @files, named in the CSV under @dir). */
static int run(const struct mknvs_opts *o, struct buf *out, struct buf *dir,
	       struct nvs_decode_files *files)
{
	switch (o->mode) {
	case MODE_GENERATE:
		return run_generate(o, out);
	case MODE_ENCRYPT:
		return run_encrypt(o, out);
	case MODE_DECRYPT:
		return read_image(o, out);
	case MODE_DECODE:
		return run_decode(o, out, dir, files);
	case MODE_KEYGEN:
		return run_keygen(o);
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct mknvs_opts opts = {0};
	struct buf out = BUF_INIT, dir = BUF_INIT, dpath = BUF_INIT;
	struct nvs_decode_files files = {NULL, 0, 0};
	int rc = EXIT_USAGE, r;
	/* what was decrypted holds the device's secrets: not for other users' eyes */
	mode_t mode;

	diag_set_program("esp-mknvs");
	cli_set_usage(usage_text, help_text);
	opts.version = 2;
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (opts.mode == MODE_DECODE && files_dir(opts.output, &dir, &dpath) < 0)
		goto out;
	if (run(&opts, &out, &dir, &files) < 0)
		goto out;
	mode = (opts.key || opts.hmac_key) && opts.mode != MODE_ENCRYPT ? 0600 : 0666;
	if (files.n) {
		if (write_decoded(opts.output, &out, (const char *)dpath.data, &files, mode) < 0)
			goto out;
	} else if (opts.mode != MODE_KEYGEN) {
		if (fileio_atomic_write_file_mode(
			opts.output, out.data ? out.data : (const uint8_t *)"", out.len, mode) < 0)
			goto out;
	}
	rc = EXIT_OK;
out:
	secret_buf_free(&out);
	nvs_decode_files_free(&files);
	buf_free(&dir);
	buf_free(&dpath);
	return rc;
}
