/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure Boot keys held in a PKCS#11 token (an HSM, SoftHSM2, a smart card): the key is
 * named by an RFC 7512 URI ("pkcs11:token=fw;object=sbv2"), the module is loaded at run
 * time with dlopen(), and only the digest leaves for the token to sign. The public half
 * is read from the token as a struct sbkey, so sbsign.h builds and checks the block.
 */
#ifndef ESPGEN_PKCS11_H
#define ESPGEN_PKCS11_H

#include <stddef.h>
#include <stdint.h>

#include "sbkey.h"

struct buf;

/* Environment variable a PIN is taken from when no PIN file is given. */
#define P11_PIN_ENV "ESPGEN_PKCS11_PIN"

struct pkcs11_module;
struct pkcs11_key;

/* 1 when @name is a PKCS#11 URI ("pkcs11:" prefix) rather than a key file name. */
int pkcs11_is_uri(const char *name);

/*
 * Loads the PKCS#11 module @path (NULL: p11-kit's proxy module) and initialises it.
 * Returns 0 and a module to release with pkcs11_module_close() after every key opened
 * through it, or -1 with a message.
 */
int pkcs11_module_open(const char *path, struct pkcs11_module **out);

/* Finalises and unloads @mod (NULL is fine). */
void pkcs11_module_close(struct pkcs11_module *mod);

/*
 * Finds the private key @uri names (path attributes token, manufacturer, model, serial,
 * object, id, type=private; query attribute pin-source=FILE) on a token of @mod, logs in
 * and reads its public half. The PIN comes from @pin_file, else from pin-source, else
 * from $ESPGEN_PKCS11_PIN; it is never printed and is wiped after use. Exactly one
 * private RSA or EC key must match. The key size/curve is checked later by
 * sbkey_check() on pkcs11_key_public(). Returns 0 and a key to release with
 * pkcs11_key_close() (before @mod is closed), or -1 with a message naming @uri.
 */
int pkcs11_key_open(struct pkcs11_module *mod, const char *uri, const char *pin_file,
		 struct pkcs11_key **out);

/* Releases @key and its session (NULL is fine). */
void pkcs11_key_close(struct pkcs11_key *key);

/* The public key read from the token (named by the URI); owned by @key. */
const struct sbkey *pkcs11_key_public(const struct pkcs11_key *key);
/* The key as messages name it (its URI). */
const char *pkcs11_key_name(const struct pkcs11_key *key);

/*
 * Has the token sign @dlen bytes of prehashed @digest as Secure Boot v2 wants:
 * CKM_RSA_PKCS_PSS (SHA-256, MGF1-SHA256, 32-byte salt) for RSA-3072, CKM_ECDSA for
 * P-192/P-256/P-384. Writes the big-endian signature (sbkey_scheme_sig_len() bytes, r || s
 * for ECDSA) to @sig (SB_MAX_SIG bytes of room) and checks it against the public key.
 * Returns 0, or -1 with a message.
 */
int pkcs11_key_sign_digest(struct pkcs11_key *key, const uint8_t *digest, size_t dlen, uint8_t *sig);

/*
 * The pieces of an RFC 7512 URI that pkcs11_key_open() uses, percent-decoded; exposed for
 * the unit test. Strings are NUL-terminated; id is binary (id_len bytes).
 */
struct pkcs11_uri {
	char token[33];
	char manufacturer[33];
	char model[17];
	char serial[17];
	char object[256];
	uint8_t id[128];
	size_t id_len;
	int has_token, has_manufacturer, has_model, has_serial, has_object, has_id;
	int type; /* 0 any, 1 private, 2 public, 3 other (cert, secret-key, data) */
	char pin_source[1024];
};

/*
 * A copy of @uri to print: the value of every pin-value attribute replaced by "***".
 * Malloc'd (free it), or NULL when out of memory.
 */
char *pkcs11_uri_redact(const char *uri);

/* Parses @uri into @out. Returns 0, or -1 with a message naming the bad attribute. */
int pkcs11_uri_parse(const char *uri, struct pkcs11_uri *out);

#endif
