#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the bundled example: the factory image of configs/factory
# (an ESP32-C3 with bootloader, partition table, otadata, a factory app and two
# OTA slots) in build/example/. The ELF inputs are generated with build/tests/mkelf.
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-build/example}
rm -rf "$out"
mkdir -p "$out"
cp configs/factory/factory.ini configs/factory/partitions.ini "$out/"
mkelf=${MKELF:-build/tests/mkelf}
$mkelf "$out/bootloader.elf" --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x1800 --section .iram.text,0x403cff10,0x800 \
	--section .dram0.rodata,0x3fcd5710,0x300
$mkelf "$out/app.elf" --machine riscv --entry 0x40380000 \
	--section .flash.appdesc,0x3c000020,0x100,progbits,16,desc \
	--section .flash.rodata,0x3c000120,0x2000 --section .iram0.text,0x40380000,0x1200 \
	--section .dram0.data,0x3fc81200,0x200 --section .flash.text,0x42010020,0x3000
bin=${BIN:-build/bin}
"$bin/esp-mkflash" --manifest "$out/factory.ini" -o "$out/FLASH.bin"
echo "wrote $out/FLASH.bin ($(stat -c %s "$out/FLASH.bin") bytes) and $out/FLASH.json"
# the partition table inside, decoded
dd if="$out/FLASH.bin" of="$out/table.bin" bs=4096 skip=8 count=1 status=none
"$bin/esp-mkpart" --decode "$out/table.bin" -o -
grep '"build_id"' "$out/FLASH.json"
