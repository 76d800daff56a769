/* SPDX-License-Identifier: Apache-2.0 */
/*
 * otadata partitions (spec/otadata.md) for imginfo: both entries with their CRC and
 * whether the bootloader uses them, the entry it follows and, inside a flash image,
 * the app partition that boots.
 */
#include "describe.h"

#include <stdio.h>

#include "node.h"
#include "otadata.h"

/* 1 when all but the two entries (at the start of the first two sectors) is 0xFF. */
static int rest_erased(const uint8_t *data, size_t len)
{
	return node_erased(data + OTADATA_ENTRY_SIZE, OTADATA_SECTOR - OTADATA_ENTRY_SIZE) &&
	       node_erased(data + OTADATA_SECTOR + OTADATA_ENTRY_SIZE,
			   len - OTADATA_SECTOR - OTADATA_ENTRY_SIZE);
}

int describe_otadata_like(const uint8_t *data, size_t len)
{
	if (len < OTADATA_MIN_SIZE || len % OTADATA_SECTOR)
		return 0;
	return rest_erased(data, len);
}

static void describe_entry(struct describe_ctx *c, struct imginfo_node *l,
			   const struct otadata_entry *e, int i, uint64_t base, const char *where)
{
	char label[4];
	struct imginfo_node *it;
	int empty = e->seq == OTADATA_SEQ_EMPTY;
	int crc_ok = e->crc == otadata_seq_crc(e->seq);
	const char *crc_text = empty ? "n/a (empty)" : crc_ok ? "valid" : "invalid";
	const char *use = otadata_entry_valid(e) ? "used" : "ignored";
	const char *state = otadata_state_name(e->state);

	/* a state esp_ota_img_states_t does not define has no name */
	if (!state)
		state = "unknown";

	snprintf(label, sizeof(label), "%d", i);
	it = node_item(l, label, NULL);
	node_uint(it, "index", (uint64_t)i, IMGINFO_F_NODIFF, NULL);
	node_uint(it, "file_offset", base + (uint64_t)i * OTADATA_SECTOR,
		  IMGINFO_F_HEX | IMGINFO_F_NODIFF, NULL);
	node_uint(it, "seq", e->seq, IMGINFO_F_HEX, empty ? "empty" : NULL);
	node_hex(it, "label", e->label, OTADATA_LABEL_LEN);
	node_uint(it, "state", e->state, IMGINFO_F_HEX, state);
	node_uint(it, "crc", e->crc, IMGINFO_F_HEX, NULL);
	node_str(it, "crc_status", "%s", crc_text);
	node_str(it, "bootloader", "%s", use);
	if (empty)
		node_line(it, "%d: empty (seq 0xffffffff), state 0x%x (%s), crc 0x%08x, %s", i,
			  e->state, state, e->crc, use);
	else
		node_line(it, "%d: seq 0x%x, state 0x%x (%s), crc 0x%08x %s, %s", i, e->seq,
			  e->state, state, e->crc, crc_text, use);
	if (!empty && !crc_ok)
		describe_problem(c, "otadata-crc", base + (uint64_t)i * OTADATA_SECTOR, where,
				 "otadata entry %d: CRC 0x%08x invalid, expected 0x%08x", i, e->crc,
				 otadata_seq_crc(e->seq));
}

void describe_ota_slots(const struct parttable *pt, struct describe_ota_slots *slots)
{
	size_t i;

	slots->present = otadata_layout_slots(pt);
	slots->count = otadata_slot_count(slots->present);
	slots->has_factory = 0;
	slots->known = 1;
	for (i = 0; i < pt->n; i++)
		slots->has_factory |= pt->v[i].type == PARTTABLE_TYPE_APP &&
				      pt->v[i].subtype == PARTTABLE_SUBTYPE_APP_FACTORY;
}

enum describe_boots describe_otadata_boots(const struct otadata_entry e[2], int active,
					   const struct describe_ota_slots *slots, unsigned *slot)
{
	/* an ota slot by the active entry, else factory, else ota_0 */
	*slot = 0;
	if (active >= 0 && slots->count > 0) {
		*slot = otadata_seq_slot(e[active].seq, slots->count);
		return DESCRIBE_BOOTS_OTA;
	}
	if (slots->has_factory)
		return DESCRIBE_BOOTS_FACTORY;
	return slots->count > 0 ? DESCRIBE_BOOTS_OTA : DESCRIBE_BOOTS_NOTHING;
}

/* What boots. Without the table (@slots unknown) only the rule can be given, and it is
 * not compared. */
static void describe_boots(struct imginfo_node *n, const struct otadata_entry e[2], int active,
			   const struct describe_ota_slots *slots)
{
	unsigned slot;

	if (slots && slots->known) {
		switch (describe_otadata_boots(e, active, slots, &slot)) {
		case DESCRIBE_BOOTS_OTA:
			node_str(n, "boots", "ota_%u", slot);
			break;
		case DESCRIBE_BOOTS_FACTORY:
			node_str(n, "boots", "factory");
			break;
		case DESCRIBE_BOOTS_NOTHING:
			node_str(n, "boots", "nothing (no app partition)");
			break;
		}
	} else if (active >= 0) {
		node_set_flags(node_str(n, "boots", "ota slot %u modulo the number of ota slots",
					e[active].seq - 1),
			       IMGINFO_F_NODIFF);
	} else {
		node_set_flags(node_str(n, "boots", "factory, else ota_0 (no valid entry)"),
			       IMGINFO_F_NODIFF);
	}
}

void describe_otadata(struct describe_ctx *c, struct imginfo_node *n, const uint8_t *data,
		      size_t len, uint64_t base, const struct describe_ota_slots *slots,
		      const char *where)
{
	struct otadata_entry e[2];
	struct imginfo_node *l, *rest;
	int active, i, erased;

	node_set_class(n, IMGINFO_CLASS_OTADATA);
	otadata_decode(data, len, e);
	node_str(n, "kind", "%s", imginfo_kind_name(IMGINFO_OTADATA));
	node_uint(n, "size", len, IMGINFO_F_HEX, NULL);
	l = node_list(n, "entries");
	for (i = 0; i < 2; i++)
		describe_entry(c, l, &e[i], i, base, where);
	active = otadata_active(e);
	if (active < 0)
		node_str(n, "active_entry", "none");
	else
		node_uint(n, "active_entry", (uint64_t)active, 0, NULL);
	describe_boots(n, e, active, slots);
	/* everything but the two entries: normally 0xFF */
	if (!n)
		return;
	rest = node_obj(n, "rest");
	erased = rest_erased(data, len);
	node_str(rest, "erased", "%s", erased ? "yes" : "no"); /* an otadata difference */
	node_line(rest, "%s", erased ? "erased" : "not erased");
	if (rest) {
		/* the bytes after entry 0 up to the end, entry 1 left to the fields */
		rest->cls = IMGINFO_CLASS_CONTENT;
		node_data(rest, data + OTADATA_ENTRY_SIZE, len - OTADATA_ENTRY_SIZE,
			  base + OTADATA_ENTRY_SIZE);
		rest->skip_off = OTADATA_SECTOR - OTADATA_ENTRY_SIZE;
		rest->skip_len = OTADATA_ENTRY_SIZE;
	}
}
