/* SPDX-License-Identifier: Apache-2.0 */
/* A shared library that is not a PKCS#11 module (no C_GetFunctionList), for sign.sh. */
int espgen_not_a_pkcs11_module(void);

int espgen_not_a_pkcs11_module(void)
{
	return 0;
}
