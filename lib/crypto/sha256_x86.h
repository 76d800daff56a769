/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 block function using the x86 SHA extensions (internal to lib/crypto/hash.c). */
#ifndef ESPGEN_SHA256_X86_H
#define ESPGEN_SHA256_X86_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has the SHA extensions (and SSSE3/SSE4.1). */
int sha256_x86_available(void);
/* Runs the compression function over @n 64-byte blocks at @p. */
void sha256_x86_blocks(uint32_t state[8], const uint8_t *p, size_t n);

#endif
