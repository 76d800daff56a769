/* SPDX-License-Identifier: Apache-2.0 */
/* esp-imginfo: what an ESP image holds, and what differs between two (lib/inspect/imginfo.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "imginfo.h"
#include "nvs.h"
#include "sbkey.h"
#include "secret.h"

/* Exit statuses as diff(1): 0 same (or described), 1 different (--check: problems found),
 * 2 trouble. */
enum { IMGINFO_EXIT_SAME = 0, IMGINFO_EXIT_DIFFERENT = 1, IMGINFO_EXIT_ERROR = 2 };

struct imginfo_cli {
	const char *files[2];
	int diff;
	int check;
	int json;
	unsigned ignore_mask;
	const char **ignore_files; /* --ignore file:[PART:]PATH, one slot per argument */
	size_t nignore_files;
	const char *pubkey;
	const char *flash_key; /* --flash-key: a flash-encryption key file */
	const char *nvs_key;   /* --nvs-key: an nvs_keys image */
	const char *hmac_key;  /* --hmac-key: the HMAC key NVS keys derive from */
};

static const char usage_text[] =
    "usage: esp-imginfo [--json] [--pubkey KEY] [--nvs-key KEYS | --hmac-key HMAC]\n"
    "                   [--flash-key KEY.bin] FILE\n"
    "       esp-imginfo --check [--json] [--pubkey KEY] [--flash-key KEY.bin] FILE\n"
    "       esp-imginfo --diff [--json] [--ignore CLASS]... [--pubkey KEY]\n"
    "                   [--nvs-key KEYS | --hmac-key HMAC] [--flash-key KEY.bin] A B\n";

static const char help_text[] =
    "\n"
    "Describes an app or bootloader image (signed or not), a partition table, an\n"
    "otadata or NVS partition, or a whole flash image (bootloader, table and every\n"
    "partition's content), recognised by content. With --diff, compares two images\n"
    "of the same kind field by field and names each difference and its class.\n"
    "With --check, lists only what would keep a device from booting or lose data.\n"
    "\n"
    "      --json             JSON instead of text\n"
    "      --check            list the problems of FILE (none: 'no problems', exit 0)\n"
    "      --diff             compare A with B\n"
    "      --ignore CLASS     accept differences of CLASS (repeatable): header appdesc\n"
    "                         elf-sha256 digest signature partition content otadata\n"
    "                         file; or of one file: file:PATH, file:PARTITION:PATH\n"
    "      --pubkey KEY       verify Secure Boot signatures with this key (PEM)\n"
    "      --nvs-key FILE     decrypt encrypted NVS partitions with these keys (an\n"
    "                         nvs_keys image, as esp-mknvs --keygen writes it)\n"
    "      --hmac-key FILE    the same with the keys derived from this 32-byte HMAC key\n"
    "      --flash-key KEY    a flash image stored flash-encrypted: decrypt what the\n"
    "                         device encrypts with this key file, then describe it\n"
    "  -h, --help             this help\n"
    "      --version          print the version\n"
    "\n"
    "Exit status: 0 described / identical (or only ignored differences) / no problems,\n"
    "1 different / problems found, 2 bad input or command line.\n";

enum {
	OPT_JSON = 256,
	OPT_DIFF,
	OPT_CHECK,
	OPT_IGNORE,
	OPT_PUBKEY,
	OPT_NVS_KEY,
	OPT_HMAC_KEY,
	OPT_FLASH_KEY,
};

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct imginfo_cli *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"diff", no_argument, NULL, OPT_DIFF},
	    {"check", no_argument, NULL, OPT_CHECK},
	    {"ignore", required_argument, NULL, OPT_IGNORE},
	    {"pubkey", required_argument, NULL, OPT_PUBKEY},
	    {"nvs-key", required_argument, NULL, OPT_NVS_KEY},
	    {"hmac-key", required_argument, NULL, OPT_HMAC_KEY},
	    {"flash-key", required_argument, NULL, OPT_FLASH_KEY},
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	enum imginfo_class cls;
	int c, want, rc;

	memset(o, 0, sizeof(*o));
	o->ignore_files = calloc((size_t)argc, sizeof(*o->ignore_files));
	if (!o->ignore_files)
		return diag_error("out of memory");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_DIFF:
			o->diff = 1;
			break;
		case OPT_CHECK:
			o->check = 1;
			break;
		case OPT_IGNORE:
			if (strncmp(optarg, "file:", 5) == 0 && optarg[5]) {
				o->ignore_files[o->nignore_files++] = optarg + 5;
				break;
			}
			if (imginfo_class_parse(optarg, &cls) < 0)
				return cli_usage_error("--ignore: unknown class '%s' (classes: %s)",
						       optarg, imginfo_class_names());
			o->ignore_mask |= 1u << cls;
			break;
		case OPT_PUBKEY:
			o->pubkey = optarg;
			break;
		case OPT_NVS_KEY:
			o->nvs_key = optarg;
			break;
		case OPT_HMAC_KEY:
			o->hmac_key = optarg;
			break;
		case OPT_FLASH_KEY:
			o->flash_key = optarg;
			break;
		default:
			if ((rc = cli_common_option(c, argv)) != 0)
				return rc;
			break;
		}
	}
	if (o->diff && o->check)
		return cli_usage_error("--check and --diff exclude each other");
	if (o->nvs_key && o->hmac_key)
		return cli_usage_error("--nvs-key and --hmac-key exclude each other");
	want = o->diff ? 2 : 1;
	if (argc - optind != want)
		return cli_usage_error(o->diff ? "--diff takes two files" : "one file expected");
	if ((o->ignore_mask || o->nignore_files) && !o->diff)
		return cli_usage_error("--ignore needs --diff");
	o->files[0] = argv[optind];
	o->files[1] = o->diff ? argv[optind + 1] : NULL;
	return 0;
}

static int emit_json(json_t *j)
{
	char *s;
	int rc;

	j = imginfo_json_versioned(j);
	if (!j)
		return diag_error("out of memory");
	s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (!s)
		return diag_error("out of memory");
	rc = printf("%s\n", s) < 0 ? -1 : 0;
	free(s);
	return rc;
}

static int emit_text(const struct buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
		return diag_error("cannot write the output");
	return 0;
}

/* @path described into @tree; with a flash key (@fkey not empty), decrypted first. */
static int load(const char *path, const struct imginfo_opts *io, const struct buf *fkey,
		struct buf *b, struct imginfo_node **tree)
{
	struct imginfo_node *dec = NULL, *container = NULL;

	if (fileio_read(path, FILEIO_MAX_INPUT, b) < 0)
		return -1;
	/* UF2 and Intel HEX: described as the flash content they carry */
	if (imginfo_container_load(path, b, &container) < 0)
		return -1;
	if (fkey->len) {
		dec = imginfo_node_list("decrypted_regions");
		if (!dec || imginfo_flash_decrypt(path, fkey->data, fkey->len, b, dec) < 0) {
			imginfo_node_free(dec);
			imginfo_node_free(container);
			return -1;
		}
	}
	if (imginfo_describe(b->data ? b->data : (const uint8_t *)"", b->len, path, io, tree) < 0) {
		imginfo_node_free(dec);
		imginfo_node_free(container);
		return -1;
	}
	if (dec)
		imginfo_node_add(*tree, dec);
	imginfo_container_add(*tree, container);
	return 0;
}

int main(int argc, char **argv)
{
	struct imginfo_cli o;
	struct imginfo_opts io = {NULL, 0, NULL};
	struct sbkey *key = NULL;
	struct nvs_keys nvs_keys;
	struct buf in[2] = {BUF_INIT, BUF_INIT}, text = BUF_INIT, fkey = BUF_INIT;
	struct imginfo_node *tree[2] = {NULL, NULL};
	struct imginfo_difflist diffs = {NULL, 0, 0};
	int rc = IMGINFO_EXIT_ERROR, r;
	size_t i;

	diag_set_program("esp-imginfo");
	cli_set_usage(usage_text, help_text);
	r = parse_args(argc, argv, &o);
	if (r) {
		free(o.ignore_files);
		return r > 0 ? EXIT_OK : IMGINFO_EXIT_ERROR;
	}
	if (o.pubkey) {
		if (sbkey_load(o.pubkey, 0, &key) < 0)
			goto out;
		io.pubkey = key;
	}
	if (o.nvs_key || o.hmac_key) {
		if ((o.nvs_key ? nvs_keys_load(o.nvs_key, &nvs_keys)
			       : nvs_keys_load_hmac(o.hmac_key, &nvs_keys)) < 0)
			goto out;
		io.nvs_keys = &nvs_keys;
	}
	io.check = o.check;
	if (o.flash_key) {
		secret_protect_process();
		if (fileio_read(o.flash_key, 4096, &fkey) < 0)
			goto out;
	}
	if (load(o.files[0], &io, &fkey, &in[0], &tree[0]) < 0)
		goto out;
	if (o.check) {
		if (o.json)
			r = emit_json(imginfo_check_to_json(tree[0]));
		else
			r = imginfo_check_format_text(tree[0], &text) < 0 ? -1 : emit_text(&text);
		if (r == 0)
			rc = imginfo_problems(tree[0]) ? IMGINFO_EXIT_DIFFERENT : IMGINFO_EXIT_SAME;
		goto out;
	}
	if (!o.diff) {
		if (o.json)
			r = emit_json(imginfo_to_json(tree[0]));
		else
			r = imginfo_format_text(tree[0], &text) < 0 ? -1 : emit_text(&text);
		if (r == 0)
			rc = IMGINFO_EXIT_SAME;
		goto out;
	}
	if (load(o.files[1], &io, &fkey, &in[1], &tree[1]) < 0)
		goto out;
	if (imginfo_diff(tree[0], tree[1], &diffs) < 0)
		goto out;
	for (i = 0; i < o.nignore_files; i++)
		imginfo_diff_ignore_file(&diffs, o.ignore_files[i]);
	r = imginfo_diff_judge(&diffs, o.ignore_mask) ? IMGINFO_EXIT_DIFFERENT : IMGINFO_EXIT_SAME;
	if (o.json) {
		if (emit_json(imginfo_diff_to_json(&diffs)) < 0)
			goto out;
	} else if (imginfo_diff_format_text(&diffs, &text) < 0 || emit_text(&text) < 0) {
		goto out;
	}
	rc = r;
out:
	if (fflush(stdout) != 0 && rc != IMGINFO_EXIT_ERROR) {
		diag_error("cannot write the output");
		rc = IMGINFO_EXIT_ERROR;
	}
	imginfo_difflist_free(&diffs);
	free(o.ignore_files);
	imginfo_node_free(tree[0]);
	imginfo_node_free(tree[1]);
	buf_free(&in[0]);
	buf_free(&in[1]);
	buf_free(&text);
	secret_buf_free(&fkey);
	sbkey_free(key);
	if (io.nvs_keys)
		nvs_keys_wipe(&nvs_keys);
	return rc;
}
