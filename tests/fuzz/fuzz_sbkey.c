/* Secure Boot key loading (lib/sbkey.c sb_key_parse): PEM/DER private and public
 * keys, raw 64-byte P-256 public keys; then the checks esp-sign makes. */
#include "fuzz_common.h"

#include "sbkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_key *k = NULL;
	uint8_t fields[SB_MAX_PUBKEY + 64];
	size_t n = sizeof(fields);

	if (size > 65536)
		return 0;
	if (sb_key_parse("fuzz.pem", data, size, 0, &k) < 0)
		return 0;
	(void)sb_key_scheme(k);
	(void)sb_key_has_private(k);
	(void)sb_key_check(k, 1);
	if (sb_key_check(k, 2) == 0)
		(void)sb_key_sbv2_fields(k, fields, &n);
	sb_key_free(k);
	return 0;
}
