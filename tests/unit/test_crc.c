/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 check values (spec/otadata.md §3, spec/nvs.md §1). */
#include "crc.h"

#include "check.h"

int main(void)
{
	static const uint8_t seq1[4] = {1, 0, 0, 0}, seq2[4] = {2, 0, 0, 0}, seq3[4] = {3, 0, 0, 0};
	const char *digits = "123456789";

	/* standard CRC-32 (zlib crc32(0, ...)) */
	CHECK(crc32_le(0, digits, 9) == 0xCBF43926u);
	CHECK(crc32_le(0, "", 0) == 0);
	/* continuing a CRC equals one pass */
	CHECK(crc32_le(crc32_le(0, digits, 4), digits + 4, 5) == 0xCBF43926u);
	/* the ESP variant: zero bytes give 0xFFFFFFFF, seq check values of otadata.md */
	CHECK(crc32_esp("", 0) == 0xFFFFFFFFu);
	CHECK(crc32_esp(seq1, 4) == 0x4743989Au);
	CHECK(crc32_esp(seq2, 4) == 0x55F63774u);
	CHECK(crc32_esp(seq3, 4) == 0xED4A5011u);
	CHECK(crc32_le(0, seq1, 4) == 0x99F8B879u); /* the wrong (standard) one */
	/* Python: zlib.crc32(b'123456789', 0xFFFFFFFF) */
	CHECK(crc32_esp(digits, 9) == 0xD202D277u);
	return check_status();
}
