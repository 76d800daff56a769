/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper for tests/pkcs11: prepares SoftHSM2 tokens through PKCS#11 itself, so that
 * no PIN ever goes on a command line (softhsm2-util and pkcs11-tool take PINs only as
 * arguments or from a terminal). PINs come from the environment: the user PIN from
 * ESPGEN_PKCS11_PIN (as esp-sign reads it), the SO PIN from P11TEST_SO_PIN.
 *
 *   p11token MODULE init TOKEN
 *   p11token MODULE gen TOKEN LABEL ID rsa:BITS|ec:P-192|ec:P-256|ec:P-384|aes
 *
 * gen prints the public key as hex for the test to rebuild with openssl:
 * "rsa MODULUS EXPONENT" or "ec POINT" (uncompressed 04 || X || Y); "aes" for a secret key.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

static CK_FUNCTION_LIST_PTR f;

static int fail(const char *what, CK_RV rv)
{
	fprintf(stderr, "p11token: %s failed (CK_RV 0x%lx)\n", what, (unsigned long)rv);
	return 1;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr, "p11token: set %s\n", name);
		exit(1);
	}
	return v;
}

static void pad32(const char *s, CK_UTF8CHAR out[32])
{
	size_t n = strlen(s);

	memset(out, ' ', 32);
	memcpy(out, s, n > 32 ? 32 : n);
}

/* The slot holding the token labelled @label (or, @label NULL, the first free one). */
static int find_slot(const char *label, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_UTF8CHAR want[32];

	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	if (label)
		pad32(label, want);
	for (i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;

		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (label ? (ti.flags & CKF_TOKEN_INITIALIZED) && memcmp(ti.label, want, 32) == 0
			  : !(ti.flags & CKF_TOKEN_INITIALIZED)) {
			*slot = slots[i];
			return 0;
		}
	}
	fprintf(stderr, "p11token: no %s token\n", label ? label : "free");
	return -1;
}

static int init_token(const char *label)
{
	const char *so = env("P11TEST_SO_PIN"), *pin = env("ESPGEN_PKCS11_PIN");
	CK_UTF8CHAR lab[32];
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_RV rv;

	if (find_slot(NULL, &slot) < 0)
		return 1;
	pad32(label, lab);
	rv = f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so, strlen(so), lab);
	if (rv != CKR_OK)
		return fail("C_InitToken", rv);
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv != CKR_OK)
		return fail("C_OpenSession", rv);
	rv = f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so, strlen(so));
	if (rv == CKR_OK)
		rv = f->C_InitPIN(s, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK)
		return fail("SO login / C_InitPIN", rv);
	f->C_Logout(s);
	f->C_CloseSession(s);
	return 0;
}

static void print_hex(const CK_BYTE *p, CK_ULONG n)
{
	CK_ULONG i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int print_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BYTE v[2048];
	CK_ATTRIBUTE a = {type, v, sizeof(v)};
	CK_RV rv = f->C_GetAttributeValue(s, o, &a, 1);

	if (rv != CKR_OK)
		return fail("C_GetAttributeValue", rv);
	/* CKA_EC_POINT is DER OCTET STRING { 04 || X || Y }: print the point alone */
	if (type == CKA_EC_POINT && a.ulValueLen > 2 && v[0] == 0x04) {
		CK_ULONG hl = v[1] == 0x81 ? 3 : 2;

		print_hex(v + hl, a.ulValueLen - hl);
	} else {
		print_hex(v, a.ulValueLen);
	}
	return 0;
}

static int gen(const char *token, const char *label, const char *idhex, const char *type)
{
	static const CK_BYTE p192[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01};
	static const CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	static const CK_BYTE p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
	static CK_BYTE f4[] = {0x01, 0x00, 0x01};
	const char *pin = env("ESPGEN_PKCS11_PIN");
	CK_BBOOL yes = CK_TRUE;
	CK_BYTE id[64];
	CK_ULONG idlen = 0, bits = 0, aeslen = 32;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE pub, priv;
	CK_SLOT_ID slot;
	CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_ATTRIBUTE pt[8], kt[8];
	CK_ULONG np = 0, nk = 0;
	CK_RV rv;

	while (idhex[2 * idlen] && idlen < sizeof(id)) {
		unsigned v;

		if (sscanf(idhex + 2 * idlen, "%2x", &v) != 1)
			return 1;
		id[idlen++] = (CK_BYTE)v;
	}
	if (find_slot(token, &slot) < 0)
		return 1;
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (rv == CKR_OK)
		rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK)
		return fail("session / login", rv);

#define ATTR(t, n, ty, p, l)                                                                       \
	(t[n].type = (ty), t[n].pValue = (void *)(p), t[n].ulValueLen = (l), n++)
	ATTR(kt, nk, CKA_TOKEN, &yes, sizeof(yes));
	ATTR(kt, nk, CKA_LABEL, label, strlen(label));
	ATTR(kt, nk, CKA_ID, id, idlen);
	ATTR(kt, nk, CKA_SIGN, &yes, sizeof(yes));
	ATTR(kt, nk, CKA_SENSITIVE, &yes, sizeof(yes));
	ATTR(kt, nk, CKA_PRIVATE, &yes, sizeof(yes));
	if (strcmp(type, "aes") == 0) {
		mech.mechanism = CKM_AES_KEY_GEN;
		ATTR(kt, nk, CKA_VALUE_LEN, &aeslen, sizeof(aeslen));
		rv = f->C_GenerateKey(s, &mech, kt, nk, &priv);
		if (rv != CKR_OK)
			return fail("C_GenerateKey", rv);
		printf("aes\n");
		return 0;
	}
	ATTR(pt, np, CKA_TOKEN, &yes, sizeof(yes));
	ATTR(pt, np, CKA_LABEL, label, strlen(label));
	ATTR(pt, np, CKA_ID, id, idlen);
	ATTR(pt, np, CKA_VERIFY, &yes, sizeof(yes));
	if (strncmp(type, "rsa:", 4) == 0) {
		bits = strtoul(type + 4, NULL, 10);
		ATTR(pt, np, CKA_MODULUS_BITS, &bits, sizeof(bits));
		ATTR(pt, np, CKA_PUBLIC_EXPONENT, f4, sizeof(f4));
	} else {
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		if (strcmp(type, "ec:P-192") == 0)
			ATTR(pt, np, CKA_EC_PARAMS, p192, sizeof(p192));
		else if (strcmp(type, "ec:P-256") == 0)
			ATTR(pt, np, CKA_EC_PARAMS, p256, sizeof(p256));
		else if (strcmp(type, "ec:P-384") == 0)
			ATTR(pt, np, CKA_EC_PARAMS, p384, sizeof(p384));
		else
			return fail("unknown key type", 0);
	}
#undef ATTR
	rv = f->C_GenerateKeyPair(s, &mech, pt, np, kt, nk, &pub, &priv);
	if (rv != CKR_OK)
		return fail("C_GenerateKeyPair", rv);
	if (bits) {
		printf("rsa ");
		if (print_attr(s, pub, CKA_MODULUS))
			return 1;
		printf(" ");
		if (print_attr(s, pub, CKA_PUBLIC_EXPONENT))
			return 1;
	} else {
		printf("ec ");
		if (print_attr(s, pub, CKA_EC_POINT))
			return 1;
	}
	printf("\n");
	f->C_Logout(s);
	f->C_CloseSession(s);
	return 0;
}

int main(int argc, char **argv)
{
	CK_C_GetFunctionList get;
	void *dl, *sym;
	int rc;

	if (argc < 4) {
		fprintf(stderr, "usage: p11token MODULE init TOKEN | gen TOKEN LABEL ID TYPE\n");
		return 2;
	}
	dl = dlopen(argv[1], RTLD_NOW);
	if (!dl || !(sym = dlsym(dl, "C_GetFunctionList"))) {
		fprintf(stderr, "p11token: cannot load %s\n", argv[1]);
		return 1;
	}
	memcpy(&get, &sym, sizeof(get));
	if (get(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK)
		return fail("C_Initialize", 0);
	if (strcmp(argv[2], "init") == 0)
		rc = init_token(argv[3]);
	else if (strcmp(argv[2], "gen") == 0 && argc == 7)
		rc = gen(argv[3], argv[4], argv[5], argv[6]);
	else
		rc = 2;
	f->C_Finalize(NULL);
	dlclose(dl);
	return rc;
}
