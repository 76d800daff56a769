/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Makes calloc() fail on demand, to reach the out-of-memory paths of code that
 * allocates inside mbedTLS (it calls calloc() directly, with no hook of its own).
 * The executable's calloc() interposes the C library's for every shared object.
 * Not under AddressSanitizer, which owns the allocator: FAILCALLOC_WORKS is 0 there
 * and the tests that need it skip themselves.
 */
#ifndef ESPGEN_FAILCALLOC_H
#define ESPGEN_FAILCALLOC_H

#include <stdlib.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAILCALLOC_WORKS 0
#endif
#endif
#if !defined(FAILCALLOC_WORKS) && defined(__SANITIZE_ADDRESS__)
#define FAILCALLOC_WORKS 0
#endif
#ifndef FAILCALLOC_WORKS
#define FAILCALLOC_WORKS 1
#endif

/* -1: calloc() works (the start); n >= 0: n more calls work, then every call fails. */
static long failcalloc_countdown = -1;

#if FAILCALLOC_WORKS
/* glibc's own calloc(), exported under this name for allocators that wrap it */
void *__libc_calloc(size_t n, size_t size);

void *calloc(size_t n, size_t size)
{
	if (failcalloc_countdown == 0)
		return NULL;
	if (failcalloc_countdown > 0)
		failcalloc_countdown--;
	return __libc_calloc(n, size);
}
#endif

#endif
