/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers the unit tests share beside check.h: hex text into bytes, catching the
 * messages a call prints to compare them exactly, and running a test with stderr
 * muted. Include after check.h.
 */
#ifndef ESPGEN_TESTUTIL_H
#define ESPGEN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "ascii.h"
#include "buf.h"
#include "diag.h"

/* Hex text into bytes (stops at the first non-hex pair or @max); returns the count. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (hex[0] && hex[1] && n < max) {
		int hi = ascii_hex_digit(hex[0]), lo = ascii_hex_digit(hex[1]);

		if (hi < 0 || lo < 0)
			break;
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return n;
}

/* Messages go to @msg until msg_end(), which checks they were exactly @want. */
static inline void msg_begin(struct buf *msg)
{
	msg->len = 0;
	diag_capture_begin(msg);
}

static inline void msg_end(struct buf *msg, const char *want)
{
	diag_capture_end();
	CHECK(buf_fill(msg, 0, 1) == 0);
	CHECK_STR((const char *)msg->data, want);
}

/* Runs @fn with stderr sent to /dev/null: for loops whose decode errors are expected
 * (the library captures decoder messages itself, and captures do not nest). */
static inline void run_quiet(void (*fn)(void))
{
	int saved;

	fflush(stderr);
	saved = dup(2);
	if (saved >= 0 && freopen("/dev/null", "w", stderr)) {
		fn();
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	} else {
		fn();
	}
}

#endif
