/* SPDX-License-Identifier: Apache-2.0 */
/* Compressed EC public keys: see ecpoint.h. */
#include "ecpoint.h"

#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>

/* SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING }; gives the curve
 * and the point's bytes, or 0 when @der is not an EC key of a named curve. */
static int spki_fields(uint8_t *der, size_t len, mbedtls_ecp_group_id *gid,
		       const uint8_t **pt, size_t *ptlen)
{
	uint8_t *p = der, *end = der + len;
	mbedtls_asn1_buf alg, params;
	mbedtls_asn1_bitstring bits;
	size_t n;

	if (mbedtls_asn1_get_tag(&p, end, &n, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) !=
		0 ||
	    p + n != end)
		return 0;
	if (mbedtls_asn1_get_alg(&p, end, &alg, &params) != 0 ||
	    MBEDTLS_OID_CMP(MBEDTLS_OID_EC_ALG_UNRESTRICTED, &alg) != 0 ||
	    params.tag != MBEDTLS_ASN1_OID || mbedtls_oid_get_ec_grp(&params, gid) != 0)
		return 0;
	if (mbedtls_asn1_get_bitstring(&p, end, &bits) != 0 || p != end || bits.unused_bits)
		return 0;
	*pt = bits.p;
	*ptlen = bits.len;
	return 1;
}

/* y^2 = x^3 + a x + b (mod p); with p = 3 (mod 4) a square root of r is r^((p+1)/4). */
static int recover_y(const mbedtls_ecp_group *grp, const mbedtls_mpi *x, int odd, mbedtls_mpi *y)
{
	mbedtls_mpi r, t, e;
	int ok = 0;

	mbedtls_mpi_init(&r);
	mbedtls_mpi_init(&t);
	mbedtls_mpi_init(&e);
	if (mbedtls_mpi_get_bit(&grp->P, 0) != 1 || mbedtls_mpi_get_bit(&grp->P, 1) != 1 ||
	    mbedtls_mpi_cmp_mpi(x, &grp->P) >= 0)
		goto out;
	/* r = x^3 + a x + b; mbedTLS leaves A unset for the curves where a = -3 */
	if (mbedtls_mpi_mul_mpi(&r, x, x) != 0 || mbedtls_mpi_mod_mpi(&r, &r, &grp->P) != 0 ||
	    mbedtls_mpi_mul_mpi(&r, &r, x) != 0)
		goto out;
	if (grp->A.p == NULL) {
		if (mbedtls_mpi_mul_int(&t, x, 3) != 0 || mbedtls_mpi_sub_mpi(&r, &r, &t) != 0)
			goto out;
	} else if (mbedtls_mpi_mul_mpi(&t, &grp->A, x) != 0 ||
		   mbedtls_mpi_add_mpi(&r, &r, &t) != 0) {
		goto out;
	}
	if (mbedtls_mpi_add_mpi(&r, &r, &grp->B) != 0 ||
	    mbedtls_mpi_mod_mpi(&r, &r, &grp->P) != 0)
		goto out;
	if (mbedtls_mpi_add_int(&e, &grp->P, 1) != 0 || mbedtls_mpi_shift_r(&e, 2) != 0 ||
	    mbedtls_mpi_exp_mod(y, &r, &e, &grp->P, NULL) != 0)
		goto out;
	/* no root: x is not the abscissa of a curve point */
	if (mbedtls_mpi_mul_mpi(&t, y, y) != 0 || mbedtls_mpi_mod_mpi(&t, &t, &grp->P) != 0 ||
	    mbedtls_mpi_cmp_mpi(&t, &r) != 0)
		goto out;
	if ((int)mbedtls_mpi_get_bit(y, 0) != odd) {
		if (mbedtls_mpi_cmp_int(y, 0) == 0 || mbedtls_mpi_sub_mpi(y, &grp->P, y) != 0)
			goto out;
	}
	ok = 1;
out:
	mbedtls_mpi_free(&r);
	mbedtls_mpi_free(&t);
	mbedtls_mpi_free(&e);
	return ok;
}

static int decompress(mbedtls_ecp_group_id gid, const uint8_t *pt, size_t ptlen,
		      uint8_t point[ECPOINT_MAX_UNCOMPRESSED], size_t *plen)
{
	mbedtls_ecp_group grp;
	mbedtls_mpi x, y;
	size_t cb;
	int ret = -1;

	mbedtls_ecp_group_init(&grp);
	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&y);
	if (mbedtls_ecp_group_load(&grp, gid) != 0)
		goto out;
	cb = mbedtls_mpi_size(&grp.P);
	if (ptlen != 1 + cb || 1 + 2 * cb > ECPOINT_MAX_UNCOMPRESSED)
		goto out;
	if (mbedtls_mpi_read_binary(&x, pt + 1, cb) != 0 ||
	    !recover_y(&grp, &x, pt[0] & 1, &y))
		goto out;
	point[0] = 0x04;
	if (mbedtls_mpi_write_binary(&x, point + 1, cb) != 0 ||
	    mbedtls_mpi_write_binary(&y, point + 1 + cb, cb) != 0)
		goto out;
	*plen = 1 + 2 * cb;
	ret = 1;
out:
	mbedtls_ecp_group_free(&grp);
	mbedtls_mpi_free(&x);
	mbedtls_mpi_free(&y);
	return ret;
}

int ecpoint_spki_decompress(uint8_t *data, size_t len, int *group,
			    uint8_t point[ECPOINT_MAX_UNCOMPRESSED], size_t *plen)
{
	mbedtls_pem_context pem;
	mbedtls_ecp_group_id gid;
	const uint8_t *pt;
	uint8_t *der;
	size_t derlen, used;
	int ret = 0;

	mbedtls_pem_init(&pem);
	if (len > 0 && data[len - 1] == 0 &&
	    mbedtls_pem_read_buffer(&pem, "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----",
				    data, NULL, 0, &used) == 0) {
		der = pem.buf;
		derlen = pem.buflen;
	} else {
		der = data;
		derlen = len;
	}
	if (spki_fields(der, derlen, &gid, &pt, &derlen) && derlen > 0 &&
	    (pt[0] == 0x02 || pt[0] == 0x03)) {
		ret = decompress(gid, pt, derlen, point, plen);
		if (ret > 0)
			*group = (int)gid;
	}
	mbedtls_pem_free(&pem);
	return ret;
}
