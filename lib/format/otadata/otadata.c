/* SPDX-License-Identifier: Apache-2.0 */
#include "otadata.h"

#include <stdio.h>
#include <string.h>

#include "crc.h"
#include "diag.h"

uint32_t otadata_seq_crc(uint32_t seq)
{
	uint8_t b[4];

	buf_put_le32(b, seq);
	return crc32_esp(b, sizeof(b));
}

void otadata_entry_encode(const struct otadata_entry *e, uint8_t out[OTADATA_ENTRY_SIZE])
{
	buf_put_le32(out, e->seq);
	memcpy(out + 4, e->label, OTADATA_LABEL_LEN);
	buf_put_le32(out + 24, e->state);
	buf_put_le32(out + 28, e->crc);
}

void otadata_entry_decode(const uint8_t in[OTADATA_ENTRY_SIZE], struct otadata_entry *e)
{
	e->seq = buf_get_le32(in);
	memcpy(e->label, in + 4, OTADATA_LABEL_LEN);
	e->state = buf_get_le32(in + 24);
	e->crc = buf_get_le32(in + 28);
}

void otadata_entry_make(struct otadata_entry *e, uint32_t seq, uint32_t state)
{
	e->seq = seq;
	memset(e->label, 0xFF, sizeof(e->label));
	e->state = state;
	e->crc = otadata_seq_crc(seq);
}

int otadata_entry_invalid(const struct otadata_entry *e)
{
	return e->seq == OTADATA_SEQ_EMPTY || e->state == OTADATA_STATE_INVALID ||
	       e->state == OTADATA_STATE_ABORTED;
}

int otadata_entry_valid(const struct otadata_entry *e)
{
	return !otadata_entry_invalid(e) && e->crc == otadata_seq_crc(e->seq);
}

int otadata_active(const struct otadata_entry e[2])
{
	int v0 = otadata_entry_valid(&e[0]), v1 = otadata_entry_valid(&e[1]);

	if (v0 && v1)
		return e[1].seq > e[0].seq ? 1 : 0;
	if (v0)
		return 0;
	if (v1)
		return 1;
	return -1;
}

unsigned otadata_seq_slot(uint32_t seq, unsigned slots)
{
	return (unsigned)((uint32_t)(seq - 1u) % slots);
}

int otadata_build(size_t size, const struct otadata_entry *e0, struct buf *out)
{
	size_t start = out->len;

	if (size < OTADATA_MIN_SIZE || size % OTADATA_SECTOR != 0)
		return diag_error("otadata size 0x%zx is not a multiple of 0x%x of at least 0x%x",
				  size, OTADATA_SECTOR, OTADATA_MIN_SIZE);
	if (buf_fill(out, 0xFF, size) < 0)
		return -1;
	if (e0)
		otadata_entry_encode(e0, out->data + start);
	return 0;
}

int otadata_decode(const uint8_t *data, size_t len, struct otadata_entry e[2])
{
	if (len < OTADATA_SECTOR + OTADATA_ENTRY_SIZE)
		return -1;
	otadata_entry_decode(data, &e[0]);
	otadata_entry_decode(data + OTADATA_SECTOR, &e[1]);
	return 0;
}

static const struct {
	const char *name;
	uint32_t state;
} state_names[] = {
	{"new", OTADATA_STATE_NEW},
	{"pending", OTADATA_STATE_PENDING_VERIFY},
	{"valid", OTADATA_STATE_VALID},
	{"invalid", OTADATA_STATE_INVALID},
	{"aborted", OTADATA_STATE_ABORTED},
	{"undefined", OTADATA_STATE_UNDEFINED},
};

const char *otadata_state_name(uint32_t state)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (state_names[i].state == state)
			return state_names[i].name;
	return NULL;
}

int otadata_state_parse(const char *name, uint32_t *state)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(state_names[i].name, name) == 0) {
			*state = state_names[i].state;
			return 0;
		}
	}
	return -1;
}

int otadata_boot_parse(const char *name, struct otadata_boot *out)
{
	const char *p = name + 4;
	unsigned n = 0;

	if (strcmp(name, "blank") == 0 || strcmp(name, "factory") == 0) {
		out->kind = name[0] == 'b' ? OTADATA_BOOT_BLANK : OTADATA_BOOT_FACTORY;
		out->slot = 0;
		return 0;
	}
	/* ESP-IDF spells the subtypes ota_0 .. ota_15: no sign, blank or leading zero */
	if (strncmp(name, "ota_", 4) != 0 || !*p || (p[0] == '0' && p[1]))
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
		if (n >= OTADATA_MAX_SLOTS)
			return -1;
	}
	out->kind = OTADATA_BOOT_OTA;
	out->slot = n;
	return 0;
}

unsigned otadata_slot_count(uint32_t present)
{
	unsigned n = 0;

	while (n < OTADATA_MAX_SLOTS && (present & (1u << n)))
		n++;
	return n;
}

int otadata_slot_check(unsigned slot, uint32_t present, char *why, size_t why_len)
{
	unsigned count = otadata_slot_count(present);
	int len;

	if (slot < count)
		return 0;
	present &= (1u << OTADATA_MAX_SLOTS) - 1;
	if (present == 0) {
		snprintf(why, why_len, "the layout has no OTA app partitions");
		return -1;
	}
	if (count == 0)
		len = snprintf(why, why_len, "the layout has no OTA app slots");
	else
		len = snprintf(why, why_len, "the layout has %u OTA app slot%s (ota_0 to ota_%u)",
			       count, count == 1 ? "" : "s", count - 1);
	/* an ota_N past the gap is in the table, but the bootloader never counts it */
	if (present >> count && len >= 0 && (size_t)len < why_len)
		snprintf(why + len, why_len - (size_t)len,
			 "; ota_%u is missing, and the bootloader counts slots only up to the "
			 "first gap",
			 count);
	return -1;
}

uint32_t otadata_slot_seq(unsigned slot)
{
	return (uint32_t)slot + 1;
}
