/* SPDX-License-Identifier: Apache-2.0 */
/* CRC-32 (reflected, polynomial 0xEDB88320) as the ESP ROM and zlib compute it. */
#ifndef ESPGEN_CRC_H
#define ESPGEN_CRC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues a CRC-32 over @len bytes, with the contract of zlib's crc32() and the
 * ESP ROM's esp_rom_crc32_le(): @crc is inverted on entry and the result inverted on
 * exit, so crc32_le(0, ...) is the standard CRC-32 (check value 0xCBF43926 for
 * "123456789") and a previous result can be passed back in to extend it.
 */
uint32_t crc32_le(uint32_t crc, const void *data, size_t len);

/*
 * The variant ESP-IDF stores in otadata entries and NVS pages/items
 * (spec/otadata.md §3, spec/nvs.md §1): esp_rom_crc32_le(UINT32_MAX, ...), i.e.
 * register initialised to 0, final XOR 0xFFFFFFFF. CRC of zero bytes is 0xFFFFFFFF.
 */
uint32_t crc32_esp(const void *data, size_t len);

#endif
