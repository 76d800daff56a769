/* SPDX-License-Identifier: Apache-2.0 */
/* What the FAT files share among themselves (not for callers of fat.h). */
#ifndef ESPGEN_FAT_INT_H
#define ESPGEN_FAT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "fat.h"

/* Sectors of one FAT sized for @clusters entries, FAT12 below 4085 (§3.2). */
uint32_t fat_geom_fat_sectors(uint64_t clusters, uint32_t ss);

/* Wear-levelling sectors around the FAT of a @size-byte partition (§4). */
uint32_t fat_wl_sectors(const struct fat_config *c, uint64_t size);

/* Writes the 512-byte boot sector of @g at @p (§3.3). */
void fat_geom_boot_sector(const struct fat_geom *g, uint8_t *p);

/*
 * Writes the wear-levelling sectors (§4) into the @size-byte partition @p, which holds
 * 0xFF everywhere but the plain FAT image of @fat_len bytes at offset 4096 (after the
 * dummy sector).
 */
void fat_wl_finish(const struct fat_config *c, uint64_t size, uint8_t *p, size_t fat_len);

/*
 * Finds the FAT image inside the wear-levelling partition @img (@len bytes): returns 0
 * with @fat and @fat_len set, or -1 when the config sector or state is not valid (no message).
 * A FAT whose sectors the device has moved is rotated back into @tmp.
 */
int fat_wl_unwrap(const uint8_t *img, size_t len, struct buf *tmp, const uint8_t **fat,
		  size_t *fat_len);

#endif
