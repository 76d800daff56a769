/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Compressed elliptic-curve public keys. mbedTLS 2.28 (Debian's) parses only
 * uncompressed points, while espsecure (through Python's cryptography) also takes a
 * SubjectPublicKeyInfo whose point is compressed (SEC 1 §2.3.3: 0x02/0x03 || X). This
 * module recognises such a key and recovers Y from the curve equation, so that sbkey
 * can load it as it loads any other public key.
 */
#ifndef ESPGEN_ECPOINT_H
#define ESPGEN_ECPOINT_H

#include <stddef.h>
#include <stdint.h>

/* The longest uncompressed point handled: P-384, 1 + 2 * 48 bytes. */
#define ECPOINT_MAX_UNCOMPRESSED 97

/*
 * @data: a PEM "PUBLIC KEY" (NUL-terminated, @len counting the NUL) or its DER; only
 * read (not const because mbedTLS's ASN.1 reader takes a mutable cursor).
 * Returns 1 and fills @group (an mbedtls_ecp_group_id) and @point (0x04 || X || Y,
 * @plen bytes) when @data is an EC public key with a compressed point on a curve whose
 * prime is 3 mod 4 (every NIST curve Secure Boot uses); 0 when @data is something else
 * (let the caller report it); -1 when it is such a key but the point is not on the
 * curve.
 */
int ecpoint_spki_decompress(uint8_t *data, size_t len, int *group,
			    uint8_t point[ECPOINT_MAX_UNCOMPRESSED], size_t *plen);

#endif
