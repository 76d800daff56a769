#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The example factory image holds exactly what the single-job tools make of the same
# inputs, at the layout's offsets, with the declared flash settings everywhere.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/ex
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
"$BIN/esp-mkflash" --manifest "$d/factory.ini" -o "$d/FLASH.bin" || { echo "build failed"; exit 1; }
F=$d/FLASH.bin

# bootloader at 0: esp-mkimage with the declared settings gives the same bytes
"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB \
	"$d/bootloader.elf" -o "$tmp/bl.bin"
region "$F" 0 "$(stat -c %s "$tmp/bl.bin")" "$tmp/got"
cmp -s "$tmp/got" "$tmp/bl.bin" && ok || bad "bootloader region"
[ "$(od -An -tx1 -j2 -N2 "$F" | tr -d ' ')" = 022f ] && ok || bad "bootloader header dio/4MB/80m"

# table at 0x8000: esp-mkpart of the layout
"$BIN/esp-mkpart" "$d/partitions.ini" -o "$tmp/pt.bin"
region "$F" 0x8000 0xc00 "$tmp/got"
cmp -s "$tmp/got" "$tmp/pt.bin" && ok || bad "partition table region"

# otadata at 0xd000: boot ota_0
"$BIN/esp-mkotadata" --boot ota_0 --layout "$d/partitions.ini" -o "$tmp/ota.bin"
region "$F" 0xd000 0x2000 "$tmp/got"
cmp -s "$tmp/got" "$tmp/ota.bin" && ok || bad "otadata region"

# apps: factory as converted by esp-mkimage, ota_0 with --min-rev-full 3
"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB \
	"$d/app.elf" -o "$tmp/app.bin"
"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB \
	--min-rev-full 3 "$d/app.elf" -o "$tmp/app3.bin"
n=$(stat -c %s "$tmp/app.bin")
region "$F" 0x10000 "$n" "$tmp/got"
cmp -s "$tmp/got" "$tmp/app.bin" && ok || bad "factory region"
region "$F" 0x110000 "$n" "$tmp/got"
cmp -s "$tmp/got" "$tmp/app3.bin" && ok || bad "ota_0 region"
# gaps are erased flash
region "$F" $((0x10000 + n)) 16 "$tmp/got"
[ "$(od -An -tx1 "$tmp/got" | tr -d ' \n')" = ffffffffffffffffffffffffffffffff ] && ok || bad "0xFF gap"
[ "$(stat -c %s "$F")" -eq $((0x110000 + n)) ] && ok || bad "image ends with the last region"

# FLASH.json: image hash and size, build id derived from the hash, every region
J=$d/FLASH.json
sum=$(sha256sum "$F" | cut -d' ' -f1)
grep -q "\"sha256\": \"$sum\"" "$J" && ok || bad "json image sha256"
grep -q "\"size\": $(stat -c %s "$F")," "$J" && ok || bad "json image size"
grep -Eq '"build_id": "[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"' "$J" && ok || bad "json build id is a name-based UUID"
for r in bootloader partition_table otadata factory ota_0; do
	grep -q "\"name\": \"$r\"" "$J" && ok || bad "json region $r"
done
appsum=$(sha256sum "$tmp/app.bin" | cut -d' ' -f1)
grep -q "\"sha256\": \"$appsum\"" "$J" && ok || bad "json factory sha256"

# fill = yes pads to the flash size; a file source is placed as it is
sed -i 's/^flash_size = 4MB/flash_size = 4MB\nfill = yes/' "$d/factory.ini"
printf '\n[ota_1]\nfile = ota1.bin\n' >>"$d/factory.ini"
cp "$tmp/app.bin" "$d/ota1.bin"
"$BIN/esp-mkflash" --manifest "$d/factory.ini" -o "$d/F2.bin" && [ "$(stat -c %s "$d/F2.bin")" -eq $((4 << 20)) ] && ok || bad "fill = yes"
region "$d/F2.bin" 0x210000 "$n" "$tmp/got"
cmp -s "$tmp/got" "$tmp/app.bin" && ok || bad "file source"
[ -f "$d/F2.json" ] && ok || bad "F2.json beside F2.bin"
finish
