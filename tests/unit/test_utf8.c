/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 validation, BOM decoding, Python-compatible line breaks and stripping. */
#include "utf8.h"

#include <string.h>

#include "check.h"

int main(void)
{
	struct buf b = BUF_INIT;
	size_t bad;
	const char *s;
	size_t n;

	CHECK(utf8_valid((const uint8_t *)"abc", 3));
	CHECK(utf8_valid((const uint8_t *)"\xc3\xbc", 2));
	CHECK(!utf8_valid((const uint8_t *)"\xc3", 1));
	CHECK(!utf8_valid((const uint8_t *)"\xc0\xaf", 2));	/* overlong */
	CHECK(!utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
	CHECK(utf8_check((const uint8_t *)"ab\xffz", 4) == 2);

	/* UTF-8 BOM dropped */
	CHECK(utf8_from_text((const uint8_t *)"\xef\xbb\xbfhi", 5, &b, &bad) == 0);
	CHECK(b.len == 2 && memcmp(b.data, "hi", 2) == 0);
	buf_free(&b);
	/* UTF-16 LE and BE, with a surrogate pair (U+1F600) */
	CHECK(utf8_from_text((const uint8_t *)"\xff\xfeh\x00\x3d\xd8\x00\xde", 8, &b, &bad) == 0);
	CHECK(b.len == 5 && memcmp(b.data, "h\xf0\x9f\x98\x80", 5) == 0);
	buf_free(&b);
	CHECK(utf8_from_text((const uint8_t *)"\xfe\xff\x00h\x00\xfc", 6, &b, &bad) == 0);
	CHECK(b.len == 3 && memcmp(b.data, "h\xc3\xbc", 3) == 0);
	buf_free(&b);
	/* UTF-32 LE */
	CHECK(utf8_from_text((const uint8_t *)"\xff\xfe\x00\x00h\x00\x00\x00", 8, &b, &bad) == 0);
	CHECK(b.len == 1 && b.data[0] == 'h');
	buf_free(&b);
	/* odd byte count in UTF-16 */
	CHECK(utf8_from_text((const uint8_t *)"\xff\xfeh\x00i", 5, &b, &bad) < 0 && bad == 4);
	buf_free(&b);

	CHECK(utf8_line_break("\r\nx", 3) == 2);
	CHECK(utf8_line_break("\rx", 2) == 1);
	CHECK(utf8_line_break("\n", 1) == 1);
	CHECK(utf8_line_break("\x0b", 1) == 1);
	CHECK(utf8_line_break("\x1e", 1) == 1);
	CHECK(utf8_line_break("\x1f", 1) == 0);
	CHECK(utf8_line_break("\xc2\x85", 2) == 2);
	CHECK(utf8_line_break("\xe2\x80\xa8", 3) == 3);
	CHECK(utf8_line_break("a", 1) == 0);

	s = " \t\xc2\xa0x y\xe3\x80\x80 ";
	n = strlen(s);
	utf8_strip(&s, &n);
	CHECK(n == 3 && memcmp(s, "x y", 3) == 0);
	s = "   ";
	n = 3;
	utf8_strip(&s, &n);
	CHECK(n == 0);
	return check_status();
}
