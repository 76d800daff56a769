/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS#11 signing keys (see pkcs11.h). The Cryptoki API comes from p11-kit's standalone
 * header; the module itself is dlopen()ed, so there is no link-time dependency on any
 * vendor library. Everything the token says is checked: the public key is rebuilt as a
 * SubjectPublicKeyInfo and parsed by sbkey, and every signature is verified with it.
 */
#include "pkcs11.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#include "ascii.h"
#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "hash.h"
#include "num.h"
#include "secret.h"

#define PIN_MAX 256   /* longer PIN files are refused: not a PIN */
#define ATTR_MAX 4096 /* largest attribute we read (RSA modulus, EC point) */
#define MAX_MATCHES 8 /* objects looked at per search */
#define MAX_SLOTS 64

struct pkcs11_module {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	char *path;
	int finalize; /* we initialised it, so we finalise it */
};

struct pkcs11_key {
	struct pkcs11_module *mod;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE priv;
	CK_KEY_TYPE type;
	int always_auth;
	char *name;
	char pin[PIN_MAX + 1]; /* kept for CKA_ALWAYS_AUTHENTICATE keys only; wiped on close */
	size_t pin_len;
	struct sbkey *pub;
};

/* p11-kit's proxy module (it loads every module registered with p11-kit) when it is
 * installed, else NULL. */
static const char *default_module(void)
{
#ifdef ESPGEN_P11_PROXY_MODULE
	if (access(ESPGEN_P11_PROXY_MODULE, R_OK) == 0)
		return ESPGEN_P11_PROXY_MODULE;
#endif
	return NULL;
}

/* Short text for the return values a user can act on. */
static const char *rv_text(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return "incorrect PIN";
	case CKR_PIN_LOCKED:
		return "PIN locked";
	case CKR_PIN_EXPIRED:
		return "PIN expired";
	case CKR_PIN_LEN_RANGE:
		return "PIN length out of range";
	case CKR_USER_PIN_NOT_INITIALIZED:
		return "user PIN not initialised";
	case CKR_TOKEN_NOT_PRESENT:
		return "token not present";
	case CKR_DEVICE_ERROR:
		return "device error";
	case CKR_DEVICE_REMOVED:
		return "device removed";
	case CKR_MECHANISM_INVALID:
		return "mechanism not supported by the token";
	case CKR_MECHANISM_PARAM_INVALID:
		return "mechanism parameters not supported by the token";
	case CKR_KEY_TYPE_INCONSISTENT:
		return "key type does not fit the mechanism";
	case CKR_KEY_FUNCTION_NOT_PERMITTED:
		return "key may not be used for signing";
	case CKR_ARGUMENTS_BAD:
		return "bad arguments";
	case CKR_GENERAL_ERROR:
		return "general error";
	case CKR_HOST_MEMORY:
		return "out of memory";
	default:
		return NULL;
	}
}

/* "CKR text (0x...)" into @out. */
static const char *rv_str(CK_RV rv, char out[64])
{
	const char *t = rv_text(rv);

	if (t)
		snprintf(out, 64, "%s, CK_RV 0x%lx", t, (unsigned long)rv);
	else
		snprintf(out, 64, "CK_RV 0x%lx", (unsigned long)rv);
	return out;
}

/* ---- module ---- */

int pkcs11_module_open(const char *path, struct pkcs11_module **out)
{
	CK_C_GetFunctionList get_list;
	CK_C_INITIALIZE_ARGS args;
	struct pkcs11_module *m;
	void *sym;
	char rvs[64];
	CK_RV rv;

	*out = NULL;
	if (!path)
		path = default_module();
	if (!path)
		return diag_error("no PKCS#11 module given and p11-kit's proxy module is not "
				  "installed; give --pkcs11-module PATH");
	m = calloc(1, sizeof(*m));
	if (!m || !(m->path = strdup(path))) {
		free(m);
		return diag_error("out of memory");
	}
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		const char *e = dlerror();

		diag_file(path, "cannot load the PKCS#11 module (%s)", e ? e : "dlopen failed");
		goto fail;
	}
	sym = dlsym(m->dl, "C_GetFunctionList");
	if (!sym) {
		diag_file(path, "not a PKCS#11 module (no C_GetFunctionList)");
		goto fail;
	}
	/* POSIX guarantees a dlsym() result converts to a function pointer */
	memcpy(&get_list, &sym, sizeof(get_list));
	rv = get_list(&m->f);
	if (rv != CKR_OK || !m->f) {
		diag_file(path, "C_GetFunctionList failed (%s)", rv_str(rv, rvs));
		goto fail;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	rv = m->f->C_Initialize(&args);
	if (rv == CKR_OK) {
		m->finalize = 1;
	} else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		diag_file(path, "cannot initialise the PKCS#11 module (%s)", rv_str(rv, rvs));
		goto fail;
	}
	*out = m;
	return 0;
fail:
	pkcs11_module_close(m);
	return -1;
}

void pkcs11_module_close(struct pkcs11_module *mod)
{
	if (!mod)
		return;
	if (mod->finalize)
		mod->f->C_Finalize(NULL);
	if (mod->dl)
		dlclose(mod->dl);
	free(mod->path);
	free(mod);
}

/* ---- tokens and objects ---- */

/* A blank-padded token-info field as a C string without the padding. */
static void unpad(const unsigned char *f, size_t n, char *out)
{
	while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == 0))
		n--;
	memcpy(out, f, n);
	out[n] = 0;
}

static int token_matches(const CK_TOKEN_INFO *ti, const struct pkcs11_uri *u)
{
	char s[33];

	unpad(ti->label, sizeof(ti->label), s);
	if (u->has_token && strcmp(s, u->token) != 0)
		return 0;
	unpad(ti->manufacturerID, sizeof(ti->manufacturerID), s);
	if (u->has_manufacturer && strcmp(s, u->manufacturer) != 0)
		return 0;
	unpad(ti->model, sizeof(ti->model), s);
	if (u->has_model && strcmp(s, u->model) != 0)
		return 0;
	unpad(ti->serialNumber, sizeof(ti->serialNumber), s);
	if (u->has_serial && strcmp(s, u->serial) != 0)
		return 0;
	return 1;
}

/* Finds the one slot whose token matches @u; -1 with a message for none or several. */
static int find_slot(struct pkcs11_key *k, const struct pkcs11_uri *u, CK_SLOT_ID *slot,
		     CK_TOKEN_INFO *info)
{
	CK_FUNCTION_LIST_PTR f = k->mod->f;
	CK_SLOT_ID slots[MAX_SLOTS];
	CK_ULONG n = MAX_SLOTS, i, found = 0;
	char rvs[64];
	CK_RV rv;

	rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK)
		return diag_file(k->name, "cannot list the module's slots (%s)", rv_str(rv, rvs));
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK || !token_matches(&ti, u))
			continue;
		if (!(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		if (found++ == 0) {
			*slot = slots[i];
			*info = ti;
		}
	}
	if (found == 0) {
		if (u->has_token)
			return diag_file(k->name, "no token labelled '%s' in %s", u->token,
					 k->mod->path);
		return diag_file(k->name, "no token matches in %s", k->mod->path);
	}
	if (found > 1)
		return diag_file(k->name, "%lu tokens match; name one with token=LABEL",
				 (unsigned long)found);
	return 0;
}

/* Reads a PIN file: one line, the trailing newline dropped. */
static int read_pin_file(const char *path, char *pin, size_t *len)
{
	struct buf b = BUF_INIT;
	size_t n;
	int rc = -1;

	if (fileio_read(path, PIN_MAX + 2, &b) < 0)
		return -1;
	n = b.len;
	if (n > 0 && b.data[n - 1] == '\n')
		n--;
	if (n > 0 && b.data[n - 1] == '\r')
		n--;
	if (n == 0)
		diag_file(path, "PIN file is empty");
	else if (n > PIN_MAX || memchr(b.data, '\n', n) || memchr(b.data, 0, n))
		diag_file(path, "not a PIN file (one line of at most %d bytes)", PIN_MAX);
	else
		rc = 0;
	if (rc == 0) {
		memcpy(pin, b.data, n);
		pin[n] = 0;
		*len = n;
	}
	secret_buf_free(&b);
	return rc;
}

/* The PIN from @pin_file, pin-source or the environment; *len 0 when there is none. */
static int get_pin(const char *pin_file, const struct pkcs11_uri *u, char *pin, size_t *len)
{
	const char *env;

	*len = 0;
	secret_protect_process(); /* no core dump holding the PIN */
	if (pin_file)
		return read_pin_file(pin_file, pin, len);
	if (u->pin_source[0]) {
		const char *src = u->pin_source;

		if (strncmp(src, "file:", 5) == 0)
			src += 5;
		if (src[0] == '|')
			return diag_error("pin-source commands ('|...') are not supported; give a "
					  "file");
		return read_pin_file(src, pin, len);
	}
	env = getenv(P11_PIN_ENV);
	if (env && *env) {
		size_t n = strlen(env);

		if (n > PIN_MAX)
			return diag_error("%s is longer than %d bytes", P11_PIN_ENV, PIN_MAX);
		memcpy(pin, env, n + 1);
		*len = n;
	}
	return 0;
}

static int login(struct pkcs11_key *k, const CK_TOKEN_INFO *ti, const char *pin_file,
		 const struct pkcs11_uri *u)
{
	CK_FUNCTION_LIST_PTR f = k->mod->f;
	char label[33], rvs[64];
	CK_RV rv;

	unpad(ti->label, sizeof(ti->label), label);
	if (get_pin(pin_file, u, k->pin, &k->pin_len) < 0)
		return -1;
	if (k->pin_len == 0 && !(ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH)) {
		if (!(ti->flags & CKF_LOGIN_REQUIRED))
			return 0;
		return diag_file(k->name, "token '%s' needs a PIN: give --pin-file FILE or set %s",
				 label, P11_PIN_ENV);
	}
	/* a PIN-pad reader takes the PIN itself (NULL, 0) */
	rv = f->C_Login(k->session, CKU_USER, k->pin_len ? (CK_UTF8CHAR_PTR)k->pin : NULL,
			k->pin_len);
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return 0;
	return diag_file(k->name, "cannot log in to token '%s' (%s)", label, rv_str(rv, rvs));
}

/* Up to MAX_MATCHES objects matching @tmpl; returns the count or -1. */
static long find_objects(struct pkcs11_key *k, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *objs)
{
	CK_FUNCTION_LIST_PTR f = k->mod->f;
	CK_ULONG count = 0;
	char rvs[64];
	CK_RV rv;

	rv = f->C_FindObjectsInit(k->session, tmpl, n);
	if (rv != CKR_OK)
		return diag_file(k->name, "cannot search the token (%s)", rv_str(rv, rvs));
	rv = f->C_FindObjects(k->session, objs, MAX_MATCHES, &count);
	f->C_FindObjectsFinal(k->session);
	if (rv != CKR_OK)
		return diag_file(k->name, "cannot search the token (%s)", rv_str(rv, rvs));
	return (long)count;
}

/* Fills @tmpl with the label/id of @u; returns the number of entries. */
static CK_ULONG name_template(const struct pkcs11_uri *u, CK_ATTRIBUTE *tmpl)
{
	CK_ULONG n = 0;

	if (u->has_object) {
		tmpl[n].type = CKA_LABEL;
		tmpl[n].pValue = (void *)u->object;
		tmpl[n].ulValueLen = strlen(u->object);
		n++;
	}
	if (u->has_id) {
		tmpl[n].type = CKA_ID;
		tmpl[n].pValue = (void *)u->id;
		tmpl[n].ulValueLen = u->id_len;
		n++;
	}
	return n;
}

/* Explains why no private key matched, from what else has that name. */
static int no_key_error(struct pkcs11_key *k, const struct pkcs11_uri *u, const char *label)
{
	CK_OBJECT_HANDLE objs[MAX_MATCHES];
	CK_ATTRIBUTE tmpl[3];
	CK_OBJECT_CLASS cls;
	CK_ULONG n = name_template(u, tmpl);
	CK_ATTRIBUTE a = {CKA_CLASS, &cls, sizeof(cls)};
	long i, found = find_objects(k, tmpl, n, objs);
	int secret = 0, pub = 0;

	for (i = 0; i < found; i++) {
		if (k->mod->f->C_GetAttributeValue(k->session, objs[i], &a, 1) != CKR_OK)
			continue;
		secret |= cls == CKO_SECRET_KEY;
		pub |= cls == CKO_PUBLIC_KEY || cls == CKO_CERTIFICATE;
	}
	if (u->type == 2 || u->type == 3)
		return diag_file(k->name, "names no private key (type= must be 'private' for "
					  "signing)");
	if (secret)
		return diag_file(k->name, "is a secret key; Secure Boot signs with an RSA-3072 or "
					  "ECDSA private key");
	if (pub)
		return diag_file(k->name, "token '%s' holds only the public half of this key",
				 label);
	return diag_file(k->name, "no private key of that name on token '%s'", label);
}

/* Reads attribute @type of @obj into a new buffer; 0, 1 when absent, -1 on errors. */
static int get_attr(struct pkcs11_key *k, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
		    struct buf *out)
{
	CK_FUNCTION_LIST_PTR f = k->mod->f;
	CK_ATTRIBUTE a = {type, NULL, 0};
	CK_RV rv;

	rv = f->C_GetAttributeValue(k->session, obj, &a, 1);
	if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
	    a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen == 0)
		return 1;
	if (rv != CKR_OK || a.ulValueLen > ATTR_MAX)
		return diag_file(k->name, "cannot read key attribute 0x%lx from the token",
				 (unsigned long)type);
	out->len = 0;
	if (buf_reserve(out, a.ulValueLen) < 0)
		return diag_error("out of memory");
	a.pValue = out->data;
	rv = f->C_GetAttributeValue(k->session, obj, &a, 1);
	if (rv != CKR_OK)
		return diag_file(k->name, "cannot read key attribute 0x%lx from the token",
				 (unsigned long)type);
	out->len = a.ulValueLen;
	return 0;
}

/* The public key object that pairs with the private key (same CKA_ID, else label). */
static int find_public(struct pkcs11_key *k, const struct pkcs11_uri *u, CK_OBJECT_HANDLE *pub)
{
	CK_OBJECT_HANDLE objs[MAX_MATCHES];
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
	struct buf id = BUF_INIT;
	CK_ULONG n = 1;
	long found;
	int r;

	r = get_attr(k, k->priv, CKA_ID, &id);
	if (r < 0)
		return -1;
	if (r == 0) {
		tmpl[n].type = CKA_ID;
		tmpl[n].pValue = id.data;
		tmpl[n].ulValueLen = id.len;
		n++;
	} else {
		n += name_template(u, tmpl + 1);
	}
	found = find_objects(k, tmpl, n, objs);
	buf_free(&id);
	if (found < 0)
		return -1;
	if (found != 1)
		return diag_file(k->name,
				 "%s public key object for this key on the token; cannot "
				 "read its public key",
				 found ? "more than one" : "no");
	*pub = objs[0];
	return 0;
}

/* ---- DER, just enough for a SubjectPublicKeyInfo ---- */

static int der_put(struct buf *b, uint8_t tag, const uint8_t *v, size_t len)
{
	uint8_t h[6];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else {
		return -1;
	}
	if (buf_append(b, h, n) < 0 || (len && buf_append(b, v, len) < 0))
		return -1;
	return 0;
}

/* INTEGER from an unsigned big-endian number (leading zeros dropped, sign byte added). */
static int der_uint(struct buf *b, const uint8_t *v, size_t len)
{
	uint8_t tmp[ATTR_MAX + 1];

	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	if (len == 0 || len > ATTR_MAX)
		return -1;
	tmp[0] = 0;
	memcpy(tmp + 1, v, len);
	if (v[0] & 0x80)
		return der_put(b, 0x02, tmp, len + 1);
	return der_put(b, 0x02, v, len);
}

/* SEQUENCE { SEQUENCE { OID alg, @params }, BIT STRING { 0, @key } } */
static int spki(const uint8_t *alg_oid, size_t oid_len, const uint8_t *params, size_t plen,
		const uint8_t *key, size_t klen, struct buf *out)
{
	struct buf alg = BUF_INIT, bits = BUF_INIT, seq = BUF_INIT;
	int rc = -1;

	if (der_put(&alg, 0x06, alg_oid, oid_len) < 0 || buf_append(&alg, params, plen) < 0)
		goto out;
	if (der_put(&seq, 0x30, alg.data, alg.len) < 0)
		goto out;
	if (buf_fill(&bits, 0, 1) < 0 || buf_append(&bits, key, klen) < 0)
		goto out;
	if (der_put(&seq, 0x03, bits.data, bits.len) < 0)
		goto out;
	rc = der_put(out, 0x30, seq.data, seq.len);
out:
	buf_free(&alg);
	buf_free(&bits);
	buf_free(&seq);
	return rc;
}

static int rsa_spki(const struct buf *n, const struct buf *e, struct buf *out)
{
	static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
	static const uint8_t null[] = {0x05, 0x00};
	struct buf ints = BUF_INIT, key = BUF_INIT;
	int rc = -1;

	if (der_uint(&ints, n->data, n->len) < 0 || der_uint(&ints, e->data, e->len) < 0 ||
	    der_put(&key, 0x30, ints.data, ints.len) < 0)
		goto out;
	rc = spki(oid, sizeof(oid), null, sizeof(null), key.data, key.len, out);
out:
	buf_free(&ints);
	buf_free(&key);
	return rc;
}

/*
 * CKA_EC_POINT is a DER OCTET STRING around the uncompressed point (PKCS#11 2.40), but
 * some tokens return the bare point: unwrap only when the DER length fits exactly.
 */
static void ec_point_unwrap(const uint8_t **p, size_t *len)
{
	const uint8_t *d = *p;
	size_t n = *len, hl, l;

	if (n < 2 || d[0] != 0x04)
		return;
	if (d[1] < 0x80) {
		hl = 2;
		l = d[1];
	} else if (d[1] == 0x81 && n >= 3) {
		hl = 3;
		l = d[2];
	} else if (d[1] == 0x82 && n >= 4) {
		hl = 4;
		l = (size_t)d[2] << 8 | d[3];
	} else {
		return;
	}
	if (hl + l != n || l == 0 || d[hl] != 0x04 || l % 2 == 0)
		return;
	*p = d + hl;
	*len = l;
}

static int ec_spki(const struct buf *params, const struct buf *point, struct buf *out)
{
	static const uint8_t oid[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
	const uint8_t *pt = point->data;
	size_t plen = point->len;

	ec_point_unwrap(&pt, &plen);
	return spki(oid, sizeof(oid), params->data, params->len, pt, plen, out);
}

/* Reads the public half of the private key and parses it as a struct sbkey. */
static int read_public(struct pkcs11_key *k, const struct pkcs11_uri *u)
{
	struct buf a = BUF_INIT, b = BUF_INIT, der = BUF_INIT;
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
	int rc = -1, r;

	if (k->type == CKK_RSA) {
		r = get_attr(k, k->priv, CKA_MODULUS, &a);
		if (r == 0)
			r = get_attr(k, k->priv, CKA_PUBLIC_EXPONENT, &b);
		if (r > 0) { /* not on the private key: ask its public key object */
			if (find_public(k, u, &pub) < 0 || get_attr(k, pub, CKA_MODULUS, &a) != 0 ||
			    get_attr(k, pub, CKA_PUBLIC_EXPONENT, &b) != 0)
				goto missing;
		} else if (r < 0) {
			goto out;
		}
		if (rsa_spki(&a, &b, &der) < 0)
			goto bad;
	} else {
		r = get_attr(k, k->priv, CKA_EC_PARAMS, &a);
		if (r < 0)
			goto out;
		/* CKA_EC_POINT is a public-key attribute; a few tokens put it on both */
		if (get_attr(k, k->priv, CKA_EC_POINT, &b) != 0) {
			if (find_public(k, u, &pub) < 0 || get_attr(k, pub, CKA_EC_POINT, &b) != 0)
				goto missing;
		}
		if (r > 0 &&
		    get_attr(k, pub != CK_INVALID_HANDLE ? pub : k->priv, CKA_EC_PARAMS, &a) != 0)
			goto missing;
		if (ec_spki(&a, &b, &der) < 0)
			goto bad;
	}
	if (sbkey_parse(k->name, der.data, der.len, 0, &k->pub) < 0)
		goto out;
	rc = 0;
	goto out;
missing:
	diag_file(k->name, "cannot read the public key from the token");
	goto out;
bad:
	diag_file(k->name, "the token's public key is malformed");
out:
	buf_free(&a);
	buf_free(&b);
	buf_free(&der);
	return rc;
}

static int find_private(struct pkcs11_key *k, const struct pkcs11_uri *u, const char *label)
{
	CK_FUNCTION_LIST_PTR f = k->mod->f;
	CK_OBJECT_HANDLE objs[MAX_MATCHES];
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_BBOOL aa = CK_FALSE;
	CK_ATTRIBUTE ta[2] = {{CKA_KEY_TYPE, &k->type, sizeof(k->type)},
			      {CKA_ALWAYS_AUTHENTICATE, &aa, sizeof(aa)}};
	long found;

	if (!u->has_object && !u->has_id)
		return diag_file(k->name, "name the key with object=LABEL and/or id=ID");
	if (u->type == 2 || u->type == 3)
		return no_key_error(k, u, label);
	found = find_objects(k, tmpl, 1 + name_template(u, tmpl + 1), objs);
	if (found < 0)
		return -1;
	if (found == 0)
		return no_key_error(k, u, label);
	if (found > 1)
		return diag_file(k->name,
				 "%s%ld private keys match on token '%s'; add id= to "
				 "the URI",
				 found == MAX_MATCHES ? "at least " : "", found, label);
	k->priv = objs[0];
	if (f->C_GetAttributeValue(k->session, k->priv, ta, 1) != CKR_OK)
		return diag_file(k->name, "cannot read the key type from the token");
	if (k->type != CKK_RSA && k->type != CKK_EC)
		return diag_file(k->name,
				 "unsupported key type (CKK 0x%lx); Secure Boot signs "
				 "with RSA-3072 or ECDSA keys",
				 (unsigned long)k->type);
	if (f->C_GetAttributeValue(k->session, k->priv, ta + 1, 1) == CKR_OK)
		k->always_auth = aa == CK_TRUE;
	return 0;
}

int pkcs11_key_open(struct pkcs11_module *mod, const char *uri, const char *pin_file,
		 struct pkcs11_key **out)
{
	struct pkcs11_uri *u;
	struct pkcs11_key *k;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot = 0;
	char label[33], rvs[64];
	CK_RV rv;
	int rc = -1;

	*out = NULL;
	u = malloc(sizeof(*u));
	k = calloc(1, sizeof(*k));
	if (!u || !k || !(k->name = pkcs11_uri_redact(uri))) {
		free(u);
		free(k);
		return diag_error("out of memory");
	}
	k->mod = mod;
	k->session = CK_INVALID_HANDLE;
	if (pkcs11_uri_parse(uri, u) < 0 || find_slot(k, u, &slot, &ti) < 0)
		goto out;
	unpad(ti.label, sizeof(ti.label), label);
	rv = mod->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &k->session);
	if (rv != CKR_OK) {
		k->session = CK_INVALID_HANDLE;
		diag_file(k->name, "cannot open a session on token '%s' (%s)", label,
			  rv_str(rv, rvs));
		goto out;
	}
	if (login(k, &ti, pin_file, u) < 0 || find_private(k, u, label) < 0 ||
	    read_public(k, u) < 0)
		goto out;
	if (!k->always_auth) {
		secret_wipe(k->pin, sizeof(k->pin));
		k->pin_len = 0;
	}
	*out = k;
	k = NULL;
	rc = 0;
out:
	secret_wipe(u, sizeof(*u)); /* pin-source names a file only, but be tidy */
	free(u);
	pkcs11_key_close(k);
	return rc;
}

void pkcs11_key_close(struct pkcs11_key *key)
{
	if (!key)
		return;
	if (key->session != CK_INVALID_HANDLE)
		key->mod->f->C_CloseSession(key->session);
	secret_wipe(key->pin, sizeof(key->pin));
	sbkey_free(key->pub);
	free(key->name);
	free(key);
}

const struct sbkey *pkcs11_key_public(const struct pkcs11_key *key)
{
	return key->pub;
}

const char *pkcs11_key_name(const struct pkcs11_key *key)
{
	return key->name;
}

int pkcs11_key_sign_digest(struct pkcs11_key *key, const uint8_t *digest, size_t dlen, uint8_t *sig)
{
	CK_FUNCTION_LIST_PTR f = key->mod->f;
	enum sbkey_scheme scheme = sbkey_scheme(key->pub);
	CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
	CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
	uint8_t raw[SB_MAX_SIG];
	CK_ULONG len = sizeof(raw);
	size_t want = sbkey_scheme_sig_len(scheme);
	char rvs[64];
	CK_RV rv;

	if (scheme == SB_SCHEME_NONE)
		return sbkey_check(key->pub, 2);
	if (dlen != sbkey_scheme_digest_len(scheme))
		return diag_file(key->name, "%s signs a %zu-byte digest, not %zu bytes",
				 sbkey_scheme_name(scheme), sbkey_scheme_digest_len(scheme), dlen);
	if (scheme == SB_RSA3072) {
		mech.mechanism = CKM_RSA_PKCS_PSS;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
	}
	rv = f->C_SignInit(key->session, &mech, key->priv);
	if (rv == CKR_OK && key->always_auth)
		rv = f->C_Login(key->session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)key->pin,
				key->pin_len);
	if (rv == CKR_OK)
		rv = f->C_Sign(key->session, (CK_BYTE_PTR)digest, dlen, raw, &len);
	if (rv != CKR_OK)
		return diag_file(key->name, "the token cannot sign with %s (%s)",
				 scheme == SB_RSA3072 ? "CKM_RSA_PKCS_PSS" : "CKM_ECDSA",
				 rv_str(rv, rvs));
	/* an RSA signature is as long as the modulus; left-pad one that lost its zeros */
	if (scheme == SB_RSA3072 && len < want) {
		memmove(raw + (want - len), raw, len);
		memset(raw, 0, want - len);
		len = want;
	}
	if (len != want)
		return diag_file(key->name,
				 "the token returned a %lu-byte signature, not %zu bytes",
				 (unsigned long)len, want);
	if (sbkey_verify_digest(key->pub, digest, dlen, raw, len) != 0)
		return diag_file(key->name, "the token's signature does not verify with its public "
					    "key");
	memcpy(sig, raw, len);
	return 0;
}
