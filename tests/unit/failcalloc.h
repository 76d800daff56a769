/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Makes calloc() fail on demand, to reach the out-of-memory paths of code that
 * allocates inside mbedTLS (it calls calloc() directly, with no hook of its own).
 * The executable's calloc() interposes the C library's for every shared object.
 * Not under AddressSanitizer or valgrind, which own the allocator: FAILCALLOC_WORKS is
 * 0 there and the tests that need it skip themselves, saying so.
 */
#ifndef ESPGEN_FAILCALLOC_H
#define ESPGEN_FAILCALLOC_H

#include <stdlib.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAILCALLOC_BUILT 0
#endif
#endif
#if !defined(FAILCALLOC_BUILT) && defined(__SANITIZE_ADDRESS__)
#define FAILCALLOC_BUILT 0
#endif
#ifndef FAILCALLOC_BUILT
#define FAILCALLOC_BUILT 1
#endif

/* -1: calloc() works (the start); n >= 0: n more calls work, then every call fails. */
static long failcalloc_countdown = -1;

#if FAILCALLOC_BUILT
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

/*
 * Whether a failure can be asked for, found by asking: under valgrind this calloc() is
 * never called (valgrind's own replaces it), which nothing at compile time tells. The
 * call goes through a volatile pointer so that the compiler cannot drop it.
 */
static inline int failcalloc_works(void)
{
	void *(*volatile call)(size_t, size_t) = calloc;
	void *p;
	int works;

	if (!FAILCALLOC_BUILT)
		return 0;
	failcalloc_countdown = 0;
	p = call(1, 1);
	failcalloc_countdown = -1;
	works = p == NULL;
	free(p);
	return works;
}
#define FAILCALLOC_WORKS failcalloc_works()

#endif
