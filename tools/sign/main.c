/* SPDX-License-Identifier: Apache-2.0 */
/* esp-sign: Secure Boot v2 (and v1) signing, verification and public-key digests. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ascii.h"
#include "cli.h"
#include "diag.h"
#include "fileio.h"
#include "pkcs11.h"
#include "sbkey.h"
#include "sbsign.h"
#include "sbsigner.h"

enum sign_mode {
	MODE_SIGN,
	MODE_SIGNATURE, /* append signatures made elsewhere */
	MODE_DIGEST_OUT,
	MODE_VERIFY,
	MODE_PUBKEY_DIGEST,
};

struct sign_opts {
	enum sign_mode mode;
	int version;	/* Secure Boot 1 or 2 */
	unsigned flags; /* SB_SIGN_RANDOM */
	const char *image;
	const char *output;
	const char *digest_out;
	const char *key_digest;
	const char *pubkey_digest; /* key file for --pubkey-digest */
	const char *keys[SBV2_MAX_BLOCKS + 1];
	size_t nkeys;
	const char *pubkeys[SBV2_MAX_BLOCKS + 1];
	size_t npubkeys;
	const char *sigs[SBV2_MAX_BLOCKS + 1];
	size_t nsigs;
	const char *pkcs11_module; /* for "pkcs11:" keys; NULL: p11-kit's proxy */
	const char *pin_file;
};

static const char usage_text[] =
    "usage: esp-sign [--sb-version 1|2] --key KEY.pem [--key KEY.pem ...] [--random]\n"
    "                IMAGE -o SIGNED\n"
    "       esp-sign [--sb-version 1|2] --key 'pkcs11:token=T;object=K' [--pkcs11-module SO]\n"
    "                [--pin-file FILE] IMAGE -o SIGNED\n"
    "       esp-sign [--sb-version 1|2] --signature SIG --pubkey PUB.pem [...] IMAGE -o SIGNED\n"
    "       esp-sign [--sb-version 1|2] --digest-out DIGEST --pubkey PUB.pem IMAGE\n"
    "       esp-sign --verify [--sb-version 1|2] (--pubkey PUB.pem | --key-digest DIGEST.bin)\n"
    "                IMAGE\n"
    "       esp-sign --pubkey-digest KEY.pem -o DIGEST.bin\n";

static const char help_text[] =
    "\n"
    "Signs ESP32-family images for Secure Boot as espsecure sign-data does, verifies\n"
    "them, and computes the public-key digest burnt into eFuse.\n"
    "\n"
    "  -o, --output FILE         signed image (or key digest) to write\n"
    "  -k, --key KEY.pem         private key (PKCS#1, SEC1 or PKCS#8 PEM); up to 3 for v2.\n"
    "                            An image that already ends in a signature sector gets\n"
    "                            the new blocks added to it (also --keyfile)\n"
    "  -k, --key 'pkcs11:URI'    a key in a PKCS#11 token (RFC 7512: token=, object=, id=);\n"
    "                            the token signs the digest; the block is verified\n"
    "                            before it is written. Also accepted for --pubkey\n"
    "      --pkcs11-module SO    PKCS#11 module to load (default: p11-kit's proxy)\n"
    "      --pin-file FILE       token PIN (one line); else $ESPGEN_PKCS11_PIN. Never\n"
    "                            give a PIN on the command line\n"
    "      --sb-version 1|2      Secure Boot version (default 2; v1 is ESP32 ECDSA P-256)\n"
    "      --random              fresh random ECDSA nonce / PSS salt; by default the same\n"
    "                            key and image give the same signature (RFC 6979, derived\n"
    "                            PSS salt)\n"
    "      --verify              check IMAGE; every signature block is reported on stdout;\n"
    "                            exit 0 only if a block made with the key verifies\n"
    "  -p, --pubkey PUB.pem      public key (a private key file is fine too; also\n"
    "                            --pub-key)\n"
    "      --key-digest FILE     32-byte eFuse key digest to verify against (v2)\n"
    "      --pubkey-digest KEY   write the SHA-256 public-key digest of KEY (v2)\n"
    "      --digest-out FILE     write the digest that must be signed to add a signature\n"
    "                            (SHA-256, SHA-384 for P-384) for an external signer\n"
    "      --signature SIG       add a signature made elsewhere over that digest (RSA: 384\n"
    "                            raw bytes; ECDSA: DER or raw r||s); it is verified with\n"
    "                            the matching --pubkey first (repeatable, in pairs)\n"
    "  -h, --help                this help\n"
    "      --version             print the version\n";

enum {
	OPT_SB_VERSION = 256,
	OPT_RANDOM,
	OPT_VERIFY,
	OPT_KEY_DIGEST,
	OPT_PUBKEY_DIGEST,
	OPT_DIGEST_OUT,
	OPT_SIGNATURE,
	OPT_PKCS11_MODULE,
	OPT_PIN_FILE,
	OPT_PIN,
};

static int add_name(const char **list, size_t *n, const char *opt, const char *arg)
{
	if (*n >= SBV2_MAX_BLOCKS)
		return cli_usage_error("%s given more than %d times", opt, SBV2_MAX_BLOCKS);
	list[(*n)++] = arg;
	return 0;
}

static int uses_pkcs11(const struct sign_opts *o)
{
	size_t i;

	for (i = 0; i < o->nkeys; i++)
		if (pkcs11_is_uri(o->keys[i]))
			return 1;
	for (i = 0; i < o->npubkeys; i++)
		if (pkcs11_is_uri(o->pubkeys[i]))
			return 1;
	return pkcs11_is_uri(o->pubkey_digest);
}

/* Cross-option rules once every option is known. */
static int check_args(struct sign_opts *o)
{
	int needs_image = o->mode != MODE_PUBKEY_DIGEST;
	int writes_output =
	    o->mode == MODE_SIGN || o->mode == MODE_SIGNATURE || o->mode == MODE_PUBKEY_DIGEST;

	if (needs_image && !o->image)
		return cli_usage_error("no IMAGE given");
	if (!needs_image && o->image)
		return cli_usage_error("--pubkey-digest takes no IMAGE");
	if (writes_output && !o->output)
		return cli_usage_error("no output given (-o FILE)");
	if (!writes_output && o->output)
		return cli_usage_error("-o is not used with %s",
				       o->mode == MODE_VERIFY ? "--verify" : "--digest-out");
	if (o->flags & SB_SIGN_RANDOM && o->mode != MODE_SIGN)
		return cli_usage_error("--random only applies when signing with --key");
	if (o->key_digest && (o->mode != MODE_VERIFY || o->version != 2))
		return cli_usage_error("--key-digest needs --verify and Secure Boot v2");
	if ((o->pkcs11_module || o->pin_file) && !uses_pkcs11(o))
		return cli_usage_error("--pkcs11-module and --pin-file are for 'pkcs11:' keys");

	switch (o->mode) {
	case MODE_SIGN:
		if (o->nkeys == 0)
			return cli_usage_error("no signing key given (--key KEY.pem)");
		if (o->npubkeys)
			return cli_usage_error("--pubkey is for --verify, --signature and "
					       "--digest-out; sign with --key");
		if (o->version == 1 && o->nkeys > 1)
			return cli_usage_error("Secure Boot v1 takes one --key");
		break;
	case MODE_SIGNATURE:
		if (o->nkeys)
			return cli_usage_error("--signature cannot be combined with --key");
		if (o->npubkeys != o->nsigs)
			return cli_usage_error("give one --pubkey for each --signature (%zu "
					       "signatures, %zu public keys)",
					       o->nsigs, o->npubkeys);
		if (o->version == 1 && o->nsigs > 1)
			return cli_usage_error("Secure Boot v1 takes one --signature");
		break;
	case MODE_DIGEST_OUT:
	case MODE_VERIFY:
		/* --key is accepted in place of --pubkey here (its public half is used) */
		if (o->nkeys + o->npubkeys > 1)
			return cli_usage_error("%s takes one key", o->mode == MODE_VERIFY
								       ? "--verify"
								       : "--digest-out");
		if (o->nkeys)
			o->pubkeys[o->npubkeys++] = o->keys[--o->nkeys];
		if (o->mode == MODE_VERIFY && !o->npubkeys == !o->key_digest)
			return cli_usage_error("--verify needs either --pubkey PUB.pem or "
					       "--key-digest DIGEST.bin");
		if (o->mode == MODE_DIGEST_OUT && o->version == 2 && !o->npubkeys)
			return cli_usage_error("--digest-out needs the --pubkey of the signer "
					       "(RSA and P-256 sign SHA-256, P-384 SHA-384)");
		break;
	case MODE_PUBKEY_DIGEST:
		if (o->nkeys || o->npubkeys || o->version != 2)
			return cli_usage_error("--pubkey-digest takes only the key and -o");
		break;
	}
	return 0;
}

static int set_mode(struct sign_opts *o, enum sign_mode mode, const char *opt)
{
	if (o->mode != MODE_SIGN && o->mode != mode)
		return cli_usage_error("%s cannot be combined with --verify, --signature, "
				       "--digest-out or --pubkey-digest",
				       opt);
	o->mode = mode;
	return 0;
}

/* Returns 0 to go on, 1 when --help/--version was served, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct sign_opts *o)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"key", required_argument, NULL, 'k'},
	    {"keyfile", required_argument, NULL, 'k'},
	    {"pubkey", required_argument, NULL, 'p'},
	    {"pub-key", required_argument, NULL, 'p'},
	    {"sb-version", required_argument, NULL, OPT_SB_VERSION},
	    {"random", no_argument, NULL, OPT_RANDOM},
	    {"verify", no_argument, NULL, OPT_VERIFY},
	    {"key-digest", required_argument, NULL, OPT_KEY_DIGEST},
	    {"pubkey-digest", required_argument, NULL, OPT_PUBKEY_DIGEST},
	    {"digest-out", required_argument, NULL, OPT_DIGEST_OUT},
	    {"signature", required_argument, NULL, OPT_SIGNATURE},
	    CLI_LONGOPT_HELP,
	    CLI_LONGOPT_VERSION,
	    {"pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE},
	    {"pin-file", required_argument, NULL, OPT_PIN_FILE},
	    {"pin", optional_argument, NULL, OPT_PIN},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	o->version = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":o:k:p:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'k':
			if (add_name(o->keys, &o->nkeys, "--key", optarg) < 0)
				return -1;
			break;
		case 'p':
			if (add_name(o->pubkeys, &o->npubkeys, "--pubkey", optarg) < 0)
				return -1;
			break;
		case OPT_SB_VERSION:
			if (strcmp(optarg, "1") == 0)
				o->version = 1;
			else if (strcmp(optarg, "2") == 0)
				o->version = 2;
			else
				return cli_usage_error("--sb-version: '%s' is not 1 or 2", optarg);
			break;
		case OPT_RANDOM:
			o->flags |= SB_SIGN_RANDOM;
			break;
		case OPT_PKCS11_MODULE:
			o->pkcs11_module = optarg;
			break;
		case OPT_PIN_FILE:
			o->pin_file = optarg;
			break;
		case OPT_PIN:
			/* the value is never echoed: it would be the PIN */
			return cli_usage_error(
			    "--pin: a PIN on the command line shows in the process "
			    "list; use --pin-file FILE or %s",
			    P11_PIN_ENV);
		case OPT_VERIFY:
			if (set_mode(o, MODE_VERIFY, "--verify") < 0)
				return -1;
			break;
		case OPT_KEY_DIGEST:
			o->key_digest = optarg;
			break;
		case OPT_PUBKEY_DIGEST:
			if (set_mode(o, MODE_PUBKEY_DIGEST, "--pubkey-digest") < 0)
				return -1;
			o->pubkey_digest = optarg;
			break;
		case OPT_DIGEST_OUT:
			if (set_mode(o, MODE_DIGEST_OUT, "--digest-out") < 0)
				return -1;
			o->digest_out = optarg;
			break;
		case OPT_SIGNATURE:
			if (set_mode(o, MODE_SIGNATURE, "--signature") < 0 ||
			    add_name(o->sigs, &o->nsigs, "--signature", optarg) < 0)
				return -1;
			break;
		default:
			if ((rc = cli_common_option(ch, argv)) != 0)
				return rc;
			break;
		}
	}
	if (optind < argc - 1)
		return cli_usage_error("more than one IMAGE given");
	if (optind == argc - 1)
		o->image = argv[optind];
	return check_args(o);
}

/*
 * The keys of the run, for lib/format/secureboot to open: --key to sign with, --pubkey
 * with each --signature, or the one key of --verify, --digest-out or --pubkey-digest.
 */
static void signer_setup(const struct sign_opts *o, struct sbsigner *s)
{
	const char *const *names = o->pubkeys;
	size_t i, n = o->npubkeys;

	memset(s, 0, sizeof(*s));
	s->version = o->version;
	s->flags = o->flags;
	s->pkcs11_module = o->pkcs11_module;
	s->pin_file = o->pin_file;
	s->public_only = o->mode != MODE_SIGN && o->mode != MODE_SIGNATURE;
	if (o->mode == MODE_SIGN) {
		names = o->keys;
		n = o->nkeys;
	} else if (o->mode == MODE_PUBKEY_DIGEST) {
		names = &o->pubkey_digest;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		s->keys[i] = names[i];
		s->sig_files[i] = o->mode == MODE_SIGNATURE ? o->sigs[i] : NULL;
	}
	s->nkeys = n;
}

static int cmd_pubkey_digest(const struct sbsigner *s, struct buf *out)
{
	uint8_t digest[SBV2_KEY_DIGEST_LEN];

	if (sbv2_pubkey_digest(sbsigner_public(s, 0), digest) < 0)
		return -1;
	return buf_append(out, digest, sizeof(digest));
}

static int cmd_digest_out(const struct sign_opts *o, const struct sbsigner *s,
			  const struct buf *img, struct buf *out)
{
	uint8_t digest[SB_MAX_DIGEST];
	enum sbkey_scheme scheme = SB_ECDSA_P256; /* v1 needs no key: it is always P-256 */

	if (s->nkeys)
		scheme = sbkey_scheme(sbsigner_public(s, 0));
	if (sbsign_digest(o->version, o->image, img->data, img->len, scheme, digest) < 0)
		return -1;
	return buf_append(out, digest, sbkey_scheme_digest_len(scheme));
}

static void print_block(unsigned i, const struct sbv2_verify_result *r)
{
	const struct sbv2_block_info *info = &r->info[i];
	char hex[2 * SBV2_KEY_DIGEST_LEN + 1];

	if (info->state != SBV2_BLOCK_VALID) {
		printf("block %u: %s\n", i, sbv2_block_state_text(info->state));
		return;
	}
	ascii_hex_encode(info->key_digest, sizeof(info->key_digest), hex);
	printf("block %u: %s, key digest %s: %s\n", i, sbkey_scheme_name(info->scheme), hex,
	       sbv2_verdict_text(r->verdict[i]));
}

static int cmd_verify(const struct sign_opts *o, const struct sbsigner *s, const struct buf *img)
{
	const struct sbkey *pub = s->nkeys ? sbsigner_public(s, 0) : NULL;
	struct sbv2_verify_result res;
	uint8_t want[SBV2_KEY_DIGEST_LEN] = {0};
	const char *against;
	unsigned i;
	int r;

	if (o->version == 1) {
		r = sbv1_verify_image(o->image, img->data, img->len, pub);
		if (r < 0)
			return -1;
		if (r > 0)
			return diag_file(o->image,
					 "the Secure Boot v1 signature does not verify "
					 "with %s",
					 o->pubkeys[0]);
		printf("ECDSA P-256 (Secure Boot v1): signature verified\n");
		return 0;
	}
	if (o->key_digest) {
		struct buf d = BUF_INIT;

		if (fileio_read(o->key_digest, 4096, &d) < 0)
			return -1;
		if (d.len != sizeof(want)) {
			diag_file(o->key_digest, "key digest must be %zu bytes, not %zu",
				  sizeof(want), d.len);
			buf_free(&d);
			return -1;
		}
		memcpy(want, d.data, sizeof(want));
		buf_free(&d);
		against = o->key_digest;
	} else {
		against = o->pubkeys[0];
	}
	if (sbv2_verify_image(o->image, img->data, img->len, pub, want, &res) < 0)
		return -1;
	for (i = 0; i < SBV2_MAX_BLOCKS; i++)
		print_block(i, &res);
	fflush(stdout);
	if (res.tampered)
		return diag_file(o->image, "a signature block's image digest does not match the "
					   "image (changed after signing?)");
	if (res.verified < 0)
		return diag_file(o->image, "no signature block verifies with %s", against);
	return 0;
}

int main(int argc, char **argv)
{
	struct sign_opts opts = {0};
	struct sbsigner signer;
	struct buf img = BUF_INIT, out = BUF_INIT;
	int rc = EXIT_USAGE, r;

	diag_set_program("esp-sign");
	cli_set_usage(usage_text, help_text);
	memset(&signer, 0, sizeof(signer));
	r = parse_args(argc, argv, &opts);
	if (r != 0) {
		rc = r > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_INPUT;
	if (opts.image && fileio_read(opts.image, FILEIO_MAX_INPUT, &img) < 0)
		goto out;
	signer_setup(&opts, &signer);
	if (sbsigner_open(&signer) < 0)
		goto out;
	switch (opts.mode) {
	case MODE_SIGN:
	case MODE_SIGNATURE:
		r = sbsigner_sign(&signer, opts.image, img.data, img.len, &out);
		break;
	case MODE_DIGEST_OUT:
		r = cmd_digest_out(&opts, &signer, &img, &out);
		break;
	case MODE_VERIFY:
		r = cmd_verify(&opts, &signer, &img);
		break;
	case MODE_PUBKEY_DIGEST:
		r = cmd_pubkey_digest(&signer, &out);
		break;
	default:
		r = -1;
		break;
	}
	if (r < 0)
		goto out;
	if (opts.mode != MODE_VERIFY &&
	    fileio_atomic_write_file(opts.mode == MODE_DIGEST_OUT ? opts.digest_out : opts.output,
				     out.data, out.len) < 0)
		goto out;
	rc = EXIT_OK;
out:
	sbsigner_close(&signer);
	buf_free(&img);
	buf_free(&out);
	return rc;
}
