/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal unit-test helpers: each CHECK failure prints where and counts; main returns
 * check_status(). */
#ifndef ESPGEN_CHECK_H
#define ESPGEN_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr)                                                                        \
	do {                                                                               \
		check_count++;                                                             \
		if (!(expr)) {                                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
			check_failures++;                                                  \
		}                                                                          \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)
#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *check_a_ = (a), *check_b_ = (b);                               \
		check_count++;                                                             \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {           \
			fprintf(stderr, "%s:%d: CHECK_STR failed:\n  got:  %s\n  want: %s\n",   \
				__FILE__, __LINE__, check_a_ ? check_a_ : "(null)",            \
				check_b_ ? check_b_ : "(null)");                               \
			check_failures++;                                                  \
		}                                                                          \
	} while (0)

static inline int check_status(void)
{
	printf("%d checks, %d failed\n", check_count, check_failures);
	/* a test that checked nothing proves nothing: fail, and say why */
	if (check_count == 0) {
		printf("FAIL: no check ran\n");
		return 1;
	}
	return check_failures ? 1 : 0;
}

#endif
