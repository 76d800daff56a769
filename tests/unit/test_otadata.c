/* SPDX-License-Identifier: Apache-2.0 */
/* The otadata model (spec/otadata.md): entry bytes, validity, active entry, slots. */
#include "otadata.h"

#include <string.h>

#include "check.h"
#include "parttable.h"

/* Boot names: exactly blank, factory, ota_0 .. ota_15. */
static void test_boot_parse(void)
{
	static const char *const bad[] = {
		"ota_0junk", "ota_ 1", " ota_1", "ota_1 ", "ota_4294967297", "ota_16", "ota_01",
		"ota_",	     "ota_-1", "ota_+1", "ota_0x1", "OTA_0",	      "ota0",	"Factory",
		"",	     "blanks", "ota_1.0",
	};
	struct otadata_boot b;
	size_t i;

	CHECK(otadata_boot_parse("blank", &b) == 0 && b.kind == OTADATA_BOOT_BLANK);
	CHECK(otadata_boot_parse("factory", &b) == 0 && b.kind == OTADATA_BOOT_FACTORY);
	CHECK(otadata_boot_parse("ota_0", &b) == 0 && b.kind == OTADATA_BOOT_OTA && b.slot == 0);
	CHECK(otadata_boot_parse("ota_15", &b) == 0 && b.kind == OTADATA_BOOT_OTA && b.slot == 15);
	CHECK(otadata_boot_parse("ota_10", &b) == 0 && b.slot == 10);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = otadata_boot_parse(bad[i], &b);

		CHECK(rc < 0);
		if (rc == 0)
			fprintf(stderr, "  took '%s'\n", bad[i]);
	}
}

/* The bootloader's slot count stops at the first gap; a slot past it is refused. */
static void test_slots(void)
{
	struct parttable pt;
	struct parttable_entry v[4];
	char why[160];

	CHECK(otadata_slot_count(0) == 0);
	CHECK(otadata_slot_count(0x7) == 3);
	CHECK(otadata_slot_count(0x5) == 1);	/* ota_0, ota_2 */
	CHECK(otadata_slot_count(0xFFFF) == 16);
	CHECK(otadata_slot_count(0xFFFFFFFF) == 16);
	CHECK(otadata_slot_check(0, 0x5, why, sizeof(why)) == 0);
	CHECK(otadata_slot_check(2, 0x5, why, sizeof(why)) < 0);
	CHECK_STR(why, "the layout has 1 OTA app slot (ota_0 to ota_0); ota_1 is missing, and "
		       "the bootloader counts slots only up to the first gap");
	CHECK(otadata_slot_check(3, 0x7, why, sizeof(why)) < 0);
	CHECK_STR(why, "the layout has 3 OTA app slots (ota_0 to ota_2)");
	CHECK(otadata_slot_check(0, 0, why, sizeof(why)) < 0);
	CHECK_STR(why, "the layout has no OTA app partitions");
	CHECK(otadata_slot_check(1, 0x2, why, sizeof(why)) < 0);
	CHECK_STR(why, "the layout has no OTA app slots; ota_0 is missing, and the bootloader "
		       "counts slots only up to the first gap");
	CHECK(otadata_slot_check(15, 0xFFFF, why, sizeof(why)) == 0);
	/* a short buffer is cut, not overrun */
	CHECK(otadata_slot_check(2, 0x5, why, 12) < 0 && strlen(why) == 11);
	/* from blank, seq is N + 1 whatever the count (§5) */
	CHECK(otadata_slot_seq(0) == 1 && otadata_slot_seq(15) == 16);

	/* a layout: app ota_0, app ota_2, data with an ota-like subtype, factory */
	memset(v, 0, sizeof(v));
	v[0].type = PARTTABLE_TYPE_APP;
	v[0].subtype = PARTTABLE_SUBTYPE_APP_OTA_MIN;
	v[1].type = PARTTABLE_TYPE_APP;
	v[1].subtype = PARTTABLE_SUBTYPE_APP_OTA_MIN + 2;
	v[2].type = PARTTABLE_TYPE_DATA;
	v[2].subtype = PARTTABLE_SUBTYPE_APP_OTA_MIN + 1;
	v[3].type = PARTTABLE_TYPE_APP;
	v[3].subtype = PARTTABLE_SUBTYPE_APP_FACTORY;
	memset(&pt, 0, sizeof(pt));
	pt.v = v;
	pt.n = 4;
	CHECK(otadata_layout_slots(&pt) == 0x5);
}

int main(void)
{
	struct otadata_entry e, d, two[2];
	struct buf img = BUF_INIT;
	uint8_t raw[OTADATA_ENTRY_SIZE];
	uint8_t want[OTADATA_ENTRY_SIZE];
	uint32_t st;
	size_t i;

	/* §5: slot 0, no rollback: 01 00 00 00, FF x 24, 9A 98 43 47 */
	otadata_entry_make(&e, 1, OTADATA_STATE_UNDEFINED);
	otadata_entry_encode(&e, raw);
	memset(want, 0xFF, sizeof(want));
	memcpy(want, "\x01\x00\x00\x00", 4);
	memcpy(want + 28, "\x9A\x98\x43\x47", 4);
	CHECK_MEM(raw, want, sizeof(want));
	/* slot 1 with rollback (state NEW = 0) */
	otadata_entry_make(&e, 2, OTADATA_STATE_NEW);
	otadata_entry_encode(&e, raw);
	memcpy(want, "\x02\x00\x00\x00", 4);
	memset(want + 24, 0, 4);
	memcpy(want + 28, "\x74\x37\xF6\x55", 4);
	CHECK_MEM(raw, want, sizeof(want));
	/* decode is the inverse */
	otadata_entry_decode(raw, &d);
	CHECK(d.seq == 2 && d.state == 0 && d.crc == 0x55F63774u);
	for (i = 0; i < OTADATA_LABEL_LEN; i++)
		CHECK(d.label[i] == 0xFF);

	/* §4 validity */
	CHECK(otadata_entry_valid(&d));
	d.crc ^= 1;
	CHECK(!otadata_entry_valid(&d) && !otadata_entry_invalid(&d));
	otadata_entry_make(&d, OTADATA_SEQ_EMPTY, OTADATA_STATE_UNDEFINED);
	CHECK(otadata_entry_invalid(&d));
	otadata_entry_make(&d, 5, OTADATA_STATE_INVALID);
	CHECK(otadata_entry_invalid(&d));
	otadata_entry_make(&d, 5, OTADATA_STATE_ABORTED);
	CHECK(otadata_entry_invalid(&d));
	otadata_entry_make(&d, 5, OTADATA_STATE_PENDING_VERIFY);
	CHECK(otadata_entry_valid(&d));

	/* active entry: larger seq, tie -> 0, one valid, none */
	otadata_entry_make(&two[0], 3, OTADATA_STATE_VALID);
	otadata_entry_make(&two[1], 4, OTADATA_STATE_VALID);
	CHECK(otadata_active(two) == 1);
	two[1].seq = 3;
	two[1].crc = otadata_seq_crc(3);
	CHECK(otadata_active(two) == 0);
	two[0].crc = 0;
	CHECK(otadata_active(two) == 1);
	two[1].state = OTADATA_STATE_ABORTED;
	CHECK(otadata_active(two) == -1);

	/* slots: (seq - 1) % count, uint32 */
	CHECK(otadata_seq_slot(1, 2) == 0);
	CHECK(otadata_seq_slot(2, 2) == 1);
	CHECK(otadata_seq_slot(3, 2) == 0);
	CHECK(otadata_seq_slot(7, 3) == 0);
	CHECK(otadata_seq_slot(0, 3) == 0xFFFFFFFFu % 3);

	/* whole images: blank, preselected; entry 1 stays erased */
	CHECK(otadata_build(0x2000, NULL, &img) == 0);
	CHECK(img.len == 0x2000);
	for (i = 0; i < img.len; i++)
		if (img.data[i] != 0xFF)
			break;
	CHECK(i == img.len);
	buf_free(&img);
	otadata_entry_make(&e, 2, OTADATA_STATE_UNDEFINED);
	CHECK(otadata_build(0x4000, &e, &img) == 0);
	CHECK(img.len == 0x4000);
	CHECK(buf_get_le32(img.data) == 2 && buf_get_le32(img.data + 28) == 0x55F63774u);
	for (i = OTADATA_ENTRY_SIZE; i < img.len; i++)
		if (img.data[i] != 0xFF)
			break;
	CHECK(i == img.len);
	CHECK(otadata_decode(img.data, img.len, two) == 0);
	CHECK(two[0].seq == 2 && two[1].seq == OTADATA_SEQ_EMPTY);
	CHECK(otadata_active(two) == 0);
	CHECK(otadata_decode(img.data, 0x1000, two) < 0);
	buf_free(&img);
	/* invalid sizes are refused (messages go to stderr) */
	CHECK(otadata_build(0x1000, NULL, &img) < 0);
	CHECK(otadata_build(0x2800, NULL, &img) < 0);
	buf_free(&img);

	/* state names */
	CHECK(otadata_state_parse("pending", &st) == 0 && st == 1);
	CHECK(otadata_state_parse("undefined", &st) == 0 && st == 0xFFFFFFFFu);
	CHECK(otadata_state_parse("PENDING", &st) < 0);
	CHECK_STR(otadata_state_name(4), "aborted");
	CHECK(otadata_state_name(7) == NULL);

	test_boot_parse();
	test_slots();
	return check_status();
}
