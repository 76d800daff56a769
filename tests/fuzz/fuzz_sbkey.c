/* SPDX-License-Identifier: Apache-2.0 */
/* Secure Boot key loading (lib/crypto/sbkey.c sbkey_parse): PEM/DER private and public
 * keys, raw 64-byte P-256 public keys; then the checks esp-sign makes. */
#include "fuzz_common.h"

#include "sbkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbkey *k = NULL;
	uint8_t fields[SB_MAX_PUBKEY + 64];
	size_t n = sizeof(fields);

	if (size > 65536)
		return 0;
	if (sbkey_parse("fuzz.pem", data, size, 0, &k) < 0)
		return 0;
	(void)sbkey_scheme(k);
	(void)sbkey_has_private(k);
	(void)sbkey_check(k, 1);
	if (sbkey_check(k, 2) == 0)
		(void)sbkey_sbv2_fields(k, fields, &n);
	sbkey_free(k);
	return 0;
}
