/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for lib/crypto/pkcs11.c: RFC 7512 URI parsing (the token part is tested against
 * SoftHSM2 by tests/pkcs11/sign.sh). */
#include "pkcs11.h"

#include <stdlib.h>

#include "check.h"
#include "diag.h"

static void test_is_uri(void)
{
	CHECK(pkcs11_is_uri("pkcs11:token=a"));
	CHECK(pkcs11_is_uri("pkcs11:"));
	CHECK(!pkcs11_is_uri("key.pem"));
	CHECK(!pkcs11_is_uri("PKCS11:token=a"));
	CHECK(!pkcs11_is_uri(NULL));
}

static void test_parse(void)
{
	struct pkcs11_uri u;

	CHECK(pkcs11_uri_parse("pkcs11:token=fw;object=sbv2%20key;id=%01%ff", &u) == 0);
	CHECK(u.has_token && u.has_object && u.has_id);
	CHECK(!u.has_manufacturer && !u.has_model && !u.has_serial);
	CHECK_STR(u.token, "fw");
	CHECK_STR(u.object, "sbv2 key");
	CHECK(u.id_len == 2 && u.id[0] == 0x01 && u.id[1] == 0xff);
	CHECK(u.type == 0 && u.pin_source[0] == 0);

	CHECK(pkcs11_uri_parse("pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;"
			    "serial=1a2b;token=My%3Btoken;type=private?pin-source=file:/run/pin",
			    &u) == 0);
	CHECK_STR(u.manufacturer, "SoftHSM project");
	CHECK_STR(u.model, "SoftHSM v2");
	CHECK_STR(u.serial, "1a2b");
	CHECK_STR(u.token, "My;token");
	CHECK(u.type == 1);
	CHECK_STR(u.pin_source, "file:/run/pin");

	/* empty components and an empty URI are fine; "=" inside a value is kept */
	CHECK(pkcs11_uri_parse("pkcs11:", &u) == 0 && !u.has_token);
	CHECK(pkcs11_uri_parse("pkcs11:;object=a=b;", &u) == 0);
	CHECK_STR(u.object, "a=b");
	CHECK(pkcs11_uri_parse("pkcs11:object=x;type=public", &u) == 0 && u.type == 2);
	CHECK(pkcs11_uri_parse("pkcs11:object=x;type=secret-key", &u) == 0 && u.type == 3);
	/* a token label is at most 32 bytes */
	CHECK(pkcs11_uri_parse("pkcs11:token=12345678901234567890123456789012", &u) == 0);
	CHECK(u.token[31] == '2' && u.token[32] == 0);
}

static void test_errors(void)
{
	struct pkcs11_uri u;

	CHECK(pkcs11_uri_parse("key.pem", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=%zz", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=%4", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=%", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=a%00b", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:id=", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:colour=red", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:type=banana", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:token=123456789012345678901234567890123", &u) < 0);
	/* a PIN in a URI is never printed: messages and key names use the masked copy */
	{
		static const char *cases[][2] = {
			{"pkcs11:object=a?pin-value=1234", "pkcs11:object=a?pin-value=***"},
			{"pkcs11:pin-value=1", "pkcs11:pin-value=***"},
			{"pkcs11:object=a?pin-value=&pin-value=secret", "pkcs11:object=a?pin-value=***&pin-value=***"},
			{"pkcs11:token=x;object=pin-value=9", "pkcs11:token=x;object=pin-value=9"},
			{"pkcs11:object=b", "pkcs11:object=b"},
		};
		size_t i;

		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			char *r = pkcs11_uri_redact(cases[i][0]);

			CHECK_STR(r, cases[i][1]);
			free(r);
		}
	}
	CHECK(pkcs11_uri_parse("pkcs11:object=a?pin-value=1234", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=a?module-path=/x.so", &u) < 0);
	CHECK(pkcs11_uri_parse("pkcs11:object=a?frob=1", &u) < 0);
}

static void test_module_errors(void)
{
	struct pkcs11_module *m = (struct pkcs11_module *)&m;

	CHECK(pkcs11_module_open("/nonexistent/module.so", &m) < 0);
	CHECK(m == NULL);
	pkcs11_module_close(NULL);
	pkcs11_key_close(NULL);
}

int main(void)
{
	diag_set_program("test_pkcs11");
	test_is_uri();
	test_parse();
	test_errors();
	test_module_errors();
	return check_status();
}
