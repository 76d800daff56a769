/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OTA data partition (spec/otadata.md): two esp_ota_select_entry_t records, one
 * at the start of each of the first two flash sectors, and the rules ESP-IDF's
 * bootloader and esp_ota_ops.c apply to them. Pure functions: no file access; the
 * only messages are otadata_build()'s.
 */
#ifndef ESPGEN_OTADATA_H
#define ESPGEN_OTADATA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define OTADATA_SECTOR 0x1000	  /* entry 1 sits one flash sector after entry 0 (§1) */
#define OTADATA_MIN_SIZE 0x2000	  /* two sectors */
#define OTADATA_DEFAULT_SIZE 0x2000 /* the only size gen_esp32part.py accepts */
#define OTADATA_ENTRY_SIZE 32
#define OTADATA_LABEL_LEN 20
#define OTADATA_MAX_SLOTS 16	  /* ota_0..ota_15 (app subtypes 0x10..0x1F) */
#define OTADATA_SEQ_EMPTY 0xFFFFFFFFu

/* esp_ota_img_states_t (§2). */
enum otadata_state {
	OTADATA_STATE_NEW = 0x0,
	OTADATA_STATE_PENDING_VERIFY = 0x1,
	OTADATA_STATE_VALID = 0x2,
	OTADATA_STATE_INVALID = 0x3,
	OTADATA_STATE_ABORTED = 0x4,
	OTADATA_STATE_UNDEFINED = 0xFFFFFFFFu,
};

/* One esp_ota_select_entry_t, fields as stored. */
struct otadata_entry {
	uint32_t seq;
	uint8_t label[OTADATA_LABEL_LEN];
	uint32_t state;
	uint32_t crc;
};

/* CRC of an entry: CRC-32 (crc32_esp) of the four little-endian seq bytes (§3). */
uint32_t otadata_seq_crc(uint32_t seq);

/* Serialises @e into 32 bytes, field by field. */
void otadata_entry_encode(const struct otadata_entry *e, uint8_t out[OTADATA_ENTRY_SIZE]);
/* Parses 32 bytes into @e. */
void otadata_entry_decode(const uint8_t in[OTADATA_ENTRY_SIZE], struct otadata_entry *e);

/* The entry as esp_rewrite_ota_data() writes it over a blank one: @seq with its CRC,
 * label 0xFF x 20 (read back from erased flash), @state (§5). */
void otadata_entry_make(struct otadata_entry *e, uint32_t seq, uint32_t state);

/* bootloader_common_ota_select_invalid(): empty seq, or state INVALID/ABORTED (§4). */
int otadata_entry_invalid(const struct otadata_entry *e);
/* bootloader_common_ota_select_valid(): not invalid and the CRC matches (§4). */
int otadata_entry_valid(const struct otadata_entry *e);

/* Index (0 or 1) of the entry the bootloader follows, or -1 when neither is valid:
 * the larger seq wins, a tie goes to entry 0 (§4). */
int otadata_active(const struct otadata_entry e[2]);

/* OTA slot a seq selects among @slots app partitions: (seq - 1) % slots in uint32
 * arithmetic (§4). @slots must be at least 1. */
unsigned otadata_seq_slot(uint32_t seq, unsigned slots);

/*
 * Builds a whole otadata image of @size bytes into @out (appended): all 0xFF, and,
 * unless @e0 is NULL, entry 0 written at offset 0 (entry 1 stays erased, §5).
 * @size must be a multiple of OTADATA_SECTOR and at least OTADATA_MIN_SIZE.
 * Returns 0, or -1 (message printed) when out of memory or @size is not valid.
 */
int otadata_build(size_t size, const struct otadata_entry *e0, struct buf *out);

/*
 * Reads both entries of an otadata image of @len bytes. Returns 0, or -1 (no
 * message) when @len is too short to hold the second entry.
 */
int otadata_decode(const uint8_t *data, size_t len, struct otadata_entry e[2]);

/* A boot choice, as esp-mkotadata --boot and a manifest's 'boot' key name it. */
enum otadata_boot_kind {
	OTADATA_BOOT_BLANK,   /* all 0xFF: factory app if any, else ota_0 (§4) */
	OTADATA_BOOT_FACTORY, /* the same bytes: esp_ota_set_boot_partition(factory) erases (§5) */
	OTADATA_BOOT_OTA,     /* entry 0 selects ota_<slot> */
};

struct otadata_boot {
	enum otadata_boot_kind kind;
	unsigned slot; /* OTADATA_BOOT_OTA only */
};

/*
 * Parses "blank", "factory" or "ota_N": N in decimal from 0 to 15, digits only (no
 * sign, no blanks, no leading zero, nothing after). Returns 0, or -1 (no message).
 */
int otadata_boot_parse(const char *name, struct otadata_boot *out);

/*
 * A set of OTA app slots: bit N set when a layout has an app partition of subtype
 * ota_N. otadata_layout_slots() makes one from a partition table.
 */
struct parttable;
uint32_t otadata_layout_slots(const struct parttable *pt);

/* The slot count the bootloader and esp_ota_get_app_partition_count() use for the
 * slots @present: ota_0, ota_1, ... up to the first one missing (§4). */
unsigned otadata_slot_count(uint32_t present);

/*
 * Whether the bootloader can be told to start ota_@slot when the layout's OTA apps
 * are @present: only below otadata_slot_count(). esp_rewrite_ota_data() refuses the
 * others, and a seq of @slot + 1 would select slot @slot % count, another app (§4,
 * §5). Returns 0, or -1 with the reason in @why ("the layout has ...", no prefix).
 */
int otadata_slot_check(unsigned slot, uint32_t present, char *why, size_t why_len);

/* The seq esp_ota_set_boot_partition(ota_@slot) writes over a blank otadata: @slot + 1,
 * whatever the slot count (§5). */
uint32_t otadata_slot_seq(unsigned slot);

/* Command-line names of the states: new, pending, valid, invalid, aborted, undefined. */
const char *otadata_state_name(uint32_t state);
/* Parses one of those names. Returns 0, or -1 (no message) for anything else. */
int otadata_state_parse(const char *name, uint32_t *state);

#endif
