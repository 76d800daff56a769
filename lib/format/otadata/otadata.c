#include "otadata.h"

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
