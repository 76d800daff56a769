/* SPDX-License-Identifier: Apache-2.0 */
/* The wear-levelling layer of wl_fatfsgen.py and ESP-IDF's WL_Flash (spec/filesystems.md §4). */
#include "fat_int.h"

#include <string.h>

#include "crc.h"

#define WL_STATE_HEADER 64
#define WL_STATE_RECORD 16
#define WL_CONFIG_LEN 48
#define WL_VERSION 2
#define WL_UPDATE_RATE 16
#define WL_WR_SIZE 16
#define WL_TEMP_BUFF 32

static uint32_t state_sectors(uint64_t size)
{
	return (uint32_t)((WL_STATE_HEADER + WL_STATE_RECORD * (size / FAT_WL_SECTOR) +
			   FAT_WL_SECTOR - 1) /
			  FAT_WL_SECTOR);
}

uint32_t fat_wl_sectors(const struct fat_config *c, uint64_t size)
{
	uint64_t ts = size / FAT_WL_SECTOR;
	uint64_t state = (64 + 16 * ts + FAT_WL_SECTOR - 1) / FAT_WL_SECTOR;

	return (uint32_t)(2 + 2 * state + (c->wl_mode == FAT_WL_MODE_SAFE ? 2 : 0));
}

void fat_wl_finish(const struct fat_config *c, uint64_t size, uint8_t *p, size_t fat_len)
{
	uint32_t ssec = state_sectors(size), safe = c->wl_mode == FAT_WL_MODE_SAFE ? 2 : 0;
	uint32_t fat_sectors = (uint32_t)(fat_len / FAT_WL_SECTOR);
	uint8_t *state = p + FAT_WL_SECTOR + fat_len + (size_t)safe * FAT_WL_SECTOR;
	uint8_t *cfg = p + size - FAT_WL_SECTOR;

	/* the dummy sector (first), the safe-mode spares and all padding stay 0xFF */
	memset(state, 0, WL_STATE_HEADER);
	buf_put_le32(state + 4, fat_sectors + 1 + safe); /* max_pos */
	buf_put_le32(state + 16, WL_UPDATE_RATE);	 /* max_count */
	buf_put_le32(state + 20, FAT_WL_SECTOR);	 /* block_size */
	buf_put_le32(state + 24, WL_VERSION);
	/* device_id at 28: 0 where wl_fatfsgen draws a random one (§1) */
	buf_put_le32(state + 60, crc32_esp(state, 60));
	/* two identical copies, so that a power cut while one is rewritten loses nothing */
	memcpy(state + (size_t)ssec * FAT_WL_SECTOR, state, WL_STATE_HEADER);
	memset(cfg, 0, WL_CONFIG_LEN);
	buf_put_le32(cfg + 4, (uint32_t)size);
	buf_put_le32(cfg + 8, FAT_WL_SECTOR);
	buf_put_le32(cfg + 12, FAT_WL_SECTOR);
	buf_put_le32(cfg + 16, WL_UPDATE_RATE);
	buf_put_le32(cfg + 20, WL_WR_SIZE);
	buf_put_le32(cfg + 24, WL_VERSION);
	buf_put_le32(cfg + 28, WL_TEMP_BUFF);
	buf_put_le32(cfg + 32, crc32_esp(cfg, 32));
}

int fat_wl_unwrap(const uint8_t *img, size_t len, struct buf *tmp, const uint8_t **fat,
		  size_t *fat_len)
{
	const uint8_t *cfg, *state;
	uint32_t ssec, records = 0, moves, sectors;
	size_t body, i;

	if (len < 4 * FAT_WL_SECTOR || len % FAT_WL_SECTOR || len > UINT32_MAX)
		return -1;
	cfg = img + len - FAT_WL_SECTOR;
	if (buf_get_le32(cfg + 32) != crc32_esp(cfg, 32) || buf_get_le32(cfg + 4) != len ||
	    buf_get_le32(cfg + 12) != FAT_WL_SECTOR)
		return -1;
	ssec = state_sectors(len);
	if ((uint64_t)(2 * ssec + 2) * FAT_WL_SECTOR >= len)
		return -1;
	state = cfg - 2 * (size_t)ssec * FAT_WL_SECTOR;
	if (buf_get_le32(state + 60) != crc32_esp(state, 60))
		return -1;
	/* the sectors between the dummy and the state copies; a safe-mode image keeps its
	 * two spare sectors at the end of them, past the FAT's own length */
	sectors = (uint32_t)(len / FAT_WL_SECTOR) - 2 - 2 * ssec;
	/* each state record past the header marks one step of the dummy sector */
	for (i = WL_STATE_HEADER; i + WL_STATE_RECORD <= (size_t)ssec * FAT_WL_SECTOR;
	     i += WL_STATE_RECORD) {
		size_t k;

		for (k = 0; k < WL_STATE_RECORD && state[i + k] == 0xFF; k++)
			;
		if (k == WL_STATE_RECORD)
			break;
		records++;
	}
	moves = buf_get_le32(state + 8);
	if (records > sectors || moves > sectors)
		return -1;
	if (records == 0 && moves == 0) {
		*fat = img + FAT_WL_SECTOR;
		*fat_len = (size_t)sectors * FAT_WL_SECTOR;
		return 0;
	}
	/* drop the dummy from where it stands, then undo the rotation of the moves */
	body = (size_t)sectors * FAT_WL_SECTOR;
	tmp->len = 0;
	if (buf_reserve(tmp, 2 * body) < 0)
		return -1;
	buf_append(tmp, img, (size_t)records * FAT_WL_SECTOR);
	buf_append(tmp, img + (size_t)(records + 1) * FAT_WL_SECTOR,
		   body - (size_t)records * FAT_WL_SECTOR);
	memcpy(tmp->data + body, tmp->data, body);
	*fat = tmp->data + body - (size_t)moves * FAT_WL_SECTOR;
	*fat_len = body;
	return 0;
}
