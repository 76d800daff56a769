/* SPDX-License-Identifier: Apache-2.0 */
/* FAT geometry: sector counts and FAT type from the options (spec/filesystems.md §3.2, §4). */
#include "fat.h"

#include <stdio.h>
#include <string.h>

#include "fat_int.h"

/* Cluster counts where fatfsgen switches type (utils.py, compared with < and <=). */
#define FAT12_LIMIT 4085u
#define FAT16_LIMIT 65525u

void fat_config_default(struct fat_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sector_size = FAT_DEFAULT_SECTOR_SIZE;
	c->sectors_per_cluster = 1;
	c->root_entries = FAT_DEFAULT_ROOT_ENTRIES;
	c->fat_count = FAT_DEFAULT_FAT_COUNT;
}

uint32_t fat_geom_fat_sectors(uint64_t clusters, uint32_t ss)
{
	uint64_t bytes;

	/* fatfsgen sizes the FAT as if @clusters entries were all there are (§3.2) */
	if (clusters < FAT12_LIMIT)
		bytes = (clusters * 3 + 1) / 2 + 3;
	else
		bytes = clusters * 2 + 4;
	return (uint32_t)((bytes + ss - 1) / ss);
}

static int sector_size_ok(uint32_t ss, int wl)
{
	if (wl)
		return ss == 512 || ss == 4096;
	return ss == 512 || ss == 1024 || ss == 2048 || ss == 4096;
}

int fat_geom_compute(const struct fat_config *c, uint64_t size, struct fat_geom *g, char *why,
		     size_t n)
{
	uint32_t ss = c->sector_size, r = c->root_entries;
	uint64_t total, rs, d;

	memset(g, 0, sizeof(*g));
	if (!sector_size_ok(ss, c->wear_levelling)) {
		snprintf(why, n, "sector size %u is not one of %s", (unsigned)ss,
			 c->wear_levelling ? "512, 4096 (with --wear-levelling)"
					   : "512, 1024, 2048, 4096");
		return -1;
	}
	if (c->sectors_per_cluster != 1) {
		snprintf(why, n,
			 "%u sectors per cluster: only 1 is supported (fatfsgen lays clusters out "
			 "one sector apart whatever the boot sector says)",
			 (unsigned)c->sectors_per_cluster);
		return -1;
	}
	if (c->fat_count != 1 && c->fat_count != 2) {
		snprintf(why, n, "FAT count %u is not 1 or 2", (unsigned)c->fat_count);
		return -1;
	}
	if (c->wear_levelling) {
		if (c->size_detect) {
			snprintf(why, n, "%s", "--size detect does not work with --wear-levelling");
			return -1;
		}
		if (c->wl_mode != FAT_WL_MODE_UNSET && ss != 512) {
			snprintf(why, n, "--wl-mode needs --sector-size 512 (not %u)",
				 (unsigned)ss);
			return -1;
		}
		if (size == 0 || size % FAT_WL_SECTOR) {
			snprintf(why, n, "image size 0x%llx is not a multiple of %u",
				 (unsigned long long)size, FAT_WL_SECTOR);
			return -1;
		}
		if (size / FAT_WL_SECTOR <= fat_wl_sectors(c, size)) {
			snprintf(why, n,
				 "image size 0x%llx leaves no room for a FAT inside the %u "
				 "wear-levelling sectors",
				 (unsigned long long)size, (unsigned)fat_wl_sectors(c, size));
			return -1;
		}
		size = (size / FAT_WL_SECTOR - fat_wl_sectors(c, size)) * FAT_WL_SECTOR;
	} else if (c->wl_mode != FAT_WL_MODE_UNSET) {
		snprintf(why, n, "%s", "--wl-mode needs --wear-levelling");
		return -1;
	}
	if (size == 0 || size % ss) {
		snprintf(why, n, "image size 0x%llx is not a multiple of the sector size %u",
			 (unsigned long long)size, (unsigned)ss);
		return -1;
	}
	if ((uint64_t)r * 32 % ss) {
		snprintf(why, n, "%u root entries (%u bytes) do not fill whole %u-byte sectors",
			 (unsigned)r, (unsigned)r * 32, (unsigned)ss);
		return -1;
	}
	rs = (uint64_t)r * 32 / ss;
	if (r > 128 && rs % 2) {
		snprintf(why, n, "%u root entries fill an odd number of sectors (%u)", (unsigned)r,
			 (unsigned)rs);
		return -1;
	}
	total = size / ss;
	if (total > FAT16_LIMIT) {
		snprintf(why, n,
			 "image size 0x%llx needs FAT32 (%llu sectors), which is not supported",
			 (unsigned long long)size, (unsigned long long)total);
		return -1;
	}
	g->ss = ss;
	g->total = (uint32_t)total;
	g->fat_sectors = fat_geom_fat_sectors(total, ss);
	g->fat_count = c->fat_count;
	g->root_entries = r;
	g->root_sectors = (uint32_t)rs;
	if (total < 1 + (uint64_t)g->fat_count * g->fat_sectors + rs) {
		snprintf(why, n,
			 "image size 0x%llx is too small for the boot sector, FATs and "
			 "root directory",
			 (unsigned long long)size);
		return -1;
	}
	d = total - 1 - (uint64_t)g->fat_count * g->fat_sectors - rs;
	g->data_sectors = (uint32_t)d;
	g->clusters = (uint32_t)d + 2;
	g->type = g->clusters < FAT12_LIMIT ? 12 : 16;
	if (g->clusters > FAT16_LIMIT) {
		snprintf(why, n,
			 "image size 0x%llx needs FAT32 (%u clusters), which is not supported",
			 (unsigned long long)size, (unsigned)g->clusters);
		return -1;
	}
	/* FatFs on the device counts data clusters only and stays FAT12 up to 4085 of them;
	 * fatfsgen counts two more: in between the two disagree (§3.2) */
	if (d >= FAT12_LIMIT - 2 && d <= FAT12_LIMIT) {
		snprintf(why, n,
			 "%llu data clusters: fatfsgen writes FAT16 where the device reads FAT12 "
			 "(avoid 4083 to 4085 clusters: change the size)",
			 (unsigned long long)d);
		return -1;
	}
	if (c->fat_type && c->fat_type != g->type) {
		snprintf(why, n, "--fat-type %d does not match the geometry, which gives FAT%d",
			 c->fat_type, g->type);
		return -1;
	}
	return 0;
}

void fat_geom_boot_sector(const struct fat_geom *g, uint8_t *p)
{
	memset(p, 0, 512);
	memcpy(p, "\xEB\xFE\x90MSDOS5.0", 11);
	buf_put_le16(p + 11, (uint16_t)g->ss);
	p[13] = 1;
	buf_put_le16(p + 14, 1);
	p[16] = (uint8_t)g->fat_count;
	buf_put_le16(p + 17, (uint16_t)(g->root_sectors * g->ss / 32));
	buf_put_le16(p + 19, (uint16_t)g->total);
	p[21] = 0xF8;
	buf_put_le16(p + 22, (uint16_t)g->fat_sectors);
	buf_put_le16(p + 24, 0x3F);
	buf_put_le16(p + 26, 0xFF);
	p[36] = 0x80;
	p[38] = 0x29;
	/* volume serial at 39: 0 where fatfsgen draws a random one (§1) */
	memcpy(p + 43, "Espressif  FAT     ", 19);
	p[510] = 0x55;
	p[511] = 0xAA;
}
