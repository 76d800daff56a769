/* SPDX-License-Identifier: Apache-2.0 */
/* esp-encrypt: host-side flash encryption, as espsecure encrypt-flash-data /
 * decrypt-flash-data, and flash-encryption key generation. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "chip.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "flashenc.h"
#include "num.h"
#include "secret.h"

struct encrypt_opts {
	const struct chip *chip;
	const char *key;
	const char *input;
	const char *output;
	uint64_t address;
	int address_set;
	unsigned conf;
	int conf_set;
	unsigned key_bits;
	size_t keygen_len;
	int decrypt;
	int keygen;
};

static const char usage_text[] =
    "usage: esp-encrypt --chip CHIP --key KEY.bin --address ADDR [--flash-crypt-conf N]\n"
    "                   [--decrypt] INPUT -o OUTPUT\n"
    "       esp-encrypt --keygen [--chip CHIP [--key-size BITS]] -o KEY.bin\n";

static const char help_text[] =
    "\n"
    "Encrypts data for flash the way the chip's flash encryption does (byte-identical\n"
    "to espsecure encrypt-flash-data, with --aes-xts on every chip but esp32), or\n"
    "decrypts it (decrypt-flash-data). The flash address is part of the cipher: the\n"
    "output is only valid at ADDR.\n"
    "\n"
    "  -o, --output FILE          output file\n"
    "  -c, --chip CHIP            target chip: esp32 uses its AES-256 scheme with the key\n"
    "                             tweaked per 32 bytes; the others XTS-AES\n"
    "  -k, --key FILE             key file, raw bytes as burned into the eFuse: esp32 32\n"
    "                             (or 24, 3/4 coding scheme); XTS chips 32 (XTS-AES-128),\n"
    "                             64 (XTS-AES-256 where the chip has it), esp32c2 also 16\n"
    "                             (key derived from 128 eFuse bits)\n"
    "  -a, --address ADDR         flash address the data is written to, a multiple of 16\n"
    "                             (Python int syntax: 0x10000, 65536)\n"
    "      --flash-crypt-conf N   esp32 only: the FLASH_CRYPT_CONF eFuse, 0x0-0xf\n"
    "                             (default 0xf, what ESP-IDF burns)\n"
    "      --decrypt              decrypt INPUT instead\n"
    "      --keygen               write a new random key (mode 0600): 32 bytes, or as\n"
    "                             --key-size asks for the chip\n"
    "      --key-size BITS        with --keygen and --chip: esp32 256 (default) or 192;\n"
    "                             XTS chips 128 (default) or 256 where the chip has\n"
    "                             XTS-AES-256 (a 64-byte key)\n"
    "  -q, --quiet                no warnings\n"
    "  -h, --help                 this help\n"
    "      --version              print the version\n"
    "\n"
    "An esp32 input whose length is not a multiple of 16 is padded with 0xFF (erased\n"
    "flash; espsecure pads with random bytes); XTS inputs must be whole 16-byte blocks.\n"
    "\n"
    "Exit status: 0 ok, 1 bad input (key file, data), 2 bad command line.\n";

enum {
	OPT_CONF = 256,
	OPT_DECRYPT,
	OPT_KEYGEN,
	OPT_KEY_SIZE,
};

/* A Python int(x, 0) literal (espsecure's parsing) that is not negative. */
static int parse_uint(const char *opt, const char *arg, uint64_t *out)
{
	int64_t v;

	if (num_pyint_parse(arg, strlen(arg), &v) < 0)
		return cli_usage_error("%s: '%s' is not a number (0x10000, 65536, ...)", opt, arg);
	if (v < 0)
		return cli_usage_error("%s: '%s' is negative", opt, arg);
	*out = (uint64_t)v;
	return 0;
}

/* 1 when @a and @b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static int check_keygen(int argc, struct encrypt_opts *o)
{
	if (o->key || o->address_set || o->conf_set || o->decrypt)
		return cli_usage_error("--keygen takes only --chip, --key-size and -o");
	if (optind < argc)
		return cli_usage_error("--keygen takes no INPUT");
	if (!o->output)
		return cli_usage_error("no output given (-o KEY.bin)");
	/* a secret on a terminal or in a pipe's buffer is out of our hands */
	if (strcmp(o->output, "-") == 0)
		return cli_usage_error("--keygen writes the key to a file only, not to standard "
				       "output");
	if (o->key_bits && !o->chip)
		return cli_usage_error("--key-size needs --chip (the scheme decides the size)");
	o->keygen_len = flashenc_keygen_len(o->chip, o->key_bits);
	return o->keygen_len ? 0 : -1;
}

static int check_crypt(int argc, char **argv, struct encrypt_opts *o)
{
	const char *problem;

	if (!o->chip)
		return cli_usage_error("--chip is required (one of %s)", chip_names());
	if (chip_flashenc_scheme(o->chip) == CHIP_FE_NONE)
		return cli_usage_error("--chip %s: this chip has no flash encryption",
				       o->chip->name);
	if (!o->key)
		return cli_usage_error("no key given (--key KEY.bin)");
	if (!o->address_set)
		return cli_usage_error("no flash address given (--address ADDR)");
	if (o->key_bits)
		return cli_usage_error("--key-size is for --keygen");
	if (o->conf_set && chip_flashenc_scheme(o->chip) != CHIP_FE_ESP32)
		return cli_usage_error("--flash-crypt-conf is for esp32 only (%s uses XTS-AES, "
				       "which has no FLASH_CRYPT_CONF)",
				       o->chip->name);
	problem = flashenc_address_problem(o->chip, o->address);
	if (problem)
		return cli_usage_error("--address 0x%llx %s", (unsigned long long)o->address,
				       problem);
	if (cli_one_operand(argc, argv, "INPUT", &o->input) < 0)
		return -1;
	if (!o->output)
		return cli_usage_error("no output given (-o FILE)");
	if (same_file(o->output, o->key))
		return cli_usage_error("-o %s is the key file", o->output);
	if (o->conf_set && o->conf == 0)
		diag_warn_at(NULL, 0,
			     "FLASH_CRYPT_CONF 0: every 32-byte block is encrypted with the same "
			     "key (no address tweak)");
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct encrypt_opts *o)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"chip", required_argument, NULL, 'c'},
	    {"key", required_argument, NULL, 'k'},
	    {"address", required_argument, NULL, 'a'},
	    {"flash-crypt-conf", required_argument, NULL, OPT_CONF},
	    {"decrypt", no_argument, NULL, OPT_DECRYPT},
	    {"keygen", no_argument, NULL, OPT_KEYGEN},
	    {"key-size", required_argument, NULL, OPT_KEY_SIZE},
	    CLI_LONGOPT_QUIET,
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {NULL, 0, NULL, 0},
	};
	uint64_t v = 0;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:c:k:a:qh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->chip = chip_find(optarg);
			if (!o->chip)
				return cli_usage_error("--chip: unknown chip '%s' (one of %s)",
						       optarg, chip_names());
			break;
		case 'k':
			o->key = optarg;
			break;
		case 'a':
			if (parse_uint("--address", optarg, &o->address) < 0)
				return -1;
			o->address_set = 1;
			break;
		case OPT_CONF:
			if (parse_uint("--flash-crypt-conf", optarg, &v) < 0)
				return -1;
			/* espsecure keeps the low 4 bits of any value; a typo should not */
			if (v > FLASHENC_CONF_MAX)
				return cli_usage_error("--flash-crypt-conf %s: above 0xf "
						       "(FLASH_CRYPT_CONF is a 4-bit eFuse)",
						       optarg);
			o->conf = (unsigned)v;
			o->conf_set = 1;
			break;
		case OPT_DECRYPT:
			o->decrypt = 1;
			break;
		case OPT_KEYGEN:
			o->keygen = 1;
			break;
		case OPT_KEY_SIZE:
			if (parse_uint("--key-size", optarg, &v) < 0)
				return -1;
			if (v != 128 && v != 192 && v != 256)
				return cli_usage_error("--key-size %s: not 128, 192 or 256",
						       optarg);
			o->key_bits = (unsigned)v;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	return o->keygen ? check_keygen(argc, o) : check_crypt(argc, argv, o);
}

static int run_keygen(const struct encrypt_opts *o)
{
	uint8_t key[FLASHENC_MAX_KEY];
	int rc;

	if (flashenc_keygen(key, o->keygen_len) < 0)
		return -1;
	/* 0600 from the first byte written: the temporary is never readable by others */
	rc = fileio_atomic_write_file_mode(o->output, key, o->keygen_len, 0600);
	secret_wipe(key, sizeof(key));
	return rc;
}

static int run_crypt(const struct encrypt_opts *o)
{
	struct flashenc_key key;
	struct buf in = BUF_INIT, out = BUF_INIT;
	int rc = -1;

	if (flashenc_key_load(o->chip, o->key, &key) < 0)
		return -1;
	if (fileio_read(o->input, FILEIO_MAX_INPUT, &in) < 0)
		goto out;
	if (flashenc_crypt(&key, o->decrypt ? FLASHENC_DECRYPT : FLASHENC_ENCRYPT, o->address,
			   o->conf_set ? o->conf : FLASHENC_CONF_DEFAULT, o->input,
			   in.data ? in.data : (const uint8_t *)"", in.len, &out) < 0)
		goto out;
	rc =
	    fileio_atomic_write_file(o->output, out.data ? out.data : (const uint8_t *)"", out.len);
out:
	flashenc_key_wipe(&key);
	buf_free(&in);
	buf_free(&out);
	return rc;
}

int main(int argc, char **argv)
{
	struct encrypt_opts opts = {0};
	int rc, r;

	diag_set_program("esp-encrypt");
	cli_set_usage(usage_text, help_text);
	r = parse_args(argc, argv, &opts);
	if (r != 0)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	rc = opts.keygen ? run_keygen(&opts) : run_crypt(&opts);
	return rc < 0 ? EXIT_INPUT : EXIT_OK;
}
