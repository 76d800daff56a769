/* SPDX-License-Identifier: Apache-2.0 */
/* num_size_parse (CLI/INI sizes) and num_pyint_parse (Python int(x, 0)). */
#include "num.h"

#include <string.h>

#include "ascii.h"
#include "check.h"

static int size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;

	return num_size_parse(s, &v) == 0 && v == want;
}

static int size_bad(const char *s)
{
	uint64_t v;

	return num_size_parse(s, &v) < 0;
}

static int py_ok(const char *s, int64_t want)
{
	int64_t v = 0;

	return num_pyint_parse(s, strlen(s), &v) == 0 && v == want;
}

static int py_bad(const char *s)
{
	int64_t v;

	return num_pyint_parse(s, strlen(s), &v) < 0;
}

int main(void)
{
	CHECK(size_ok("0", 0));
	CHECK(size_ok("4096", 4096));
	CHECK(size_ok("0x1000", 0x1000));
	CHECK(size_ok("0X1f", 0x1f));
	CHECK(size_ok("4K", 4096));
	CHECK(size_ok("4kb", 4096));
	CHECK(size_ok("4MB", 4u << 20));
	CHECK(size_ok("16m", 16u << 20));
	CHECK(size_ok("0x10K", 0x4000));
	CHECK(size_ok("0x1b", 0x1b)); /* b is a hex digit, not a suffix */
	CHECK(size_ok("18446744073709551615", UINT64_MAX));
	CHECK(size_bad("18446744073709551616"));
	CHECK(size_bad("18014398509481984M")); /* overflows when multiplied */
	CHECK(size_bad(""));
	CHECK(size_bad("0x"));
	CHECK(size_bad("K"));
	CHECK(size_bad("4Q"));
	CHECK(size_bad("4 K"));
	CHECK(size_bad("-1"));
	CHECK(size_bad("4KBB"));

	CHECK(py_ok("0", 0));
	CHECK(py_ok("00", 0));
	CHECK(py_ok("0_0", 0));
	CHECK(py_ok("123", 123));
	CHECK(py_ok("-123", -123));
	CHECK(py_ok("+7", 7));
	CHECK(py_ok("  42\t", 42));
	CHECK(py_ok("0x1_000", 0x1000));
	CHECK(py_ok("0x_ff", 0xff));
	CHECK(py_ok("0XFF", 0xff));
	CHECK(py_ok("0o17", 15));
	CHECK(py_ok("0b101", 5));
	CHECK(py_ok("1_000_000", 1000000));
	CHECK(py_ok("9223372036854775807", INT64_MAX));
	CHECK(py_bad("9223372036854775808"));
	CHECK(py_bad("010"));
	CHECK(py_bad("0_1"));
	CHECK(py_bad("1__0"));
	CHECK(py_bad("_1"));
	CHECK(py_bad("1_"));
	CHECK(py_bad("0x"));
	CHECK(py_bad("0x__1"));
	CHECK(py_bad("0b2"));
	CHECK(py_bad("0o8"));
	CHECK(py_bad(""));
	CHECK(py_bad("-"));
	CHECK(py_bad("- 1"));
	CHECK(py_bad("1 2"));
	CHECK(py_bad("0x1g"));

	CHECK(ascii_casecmp("Data", "dATA") == 0);
	CHECK(ascii_casecmp("data", "date") != 0);
	CHECK(ascii_hex_digit('0') == 0 && ascii_hex_digit('9') == 9);
	CHECK(ascii_hex_digit('a') == 10 && ascii_hex_digit('F') == 15);
	CHECK(ascii_hex_digit('g') == -1 && ascii_hex_digit('/') == -1 && ascii_hex_digit(0xB5) == -1);
	CHECK(ascii_ncasecmp("APPx", "appy", 3) == 0);
	return check_status();
}
