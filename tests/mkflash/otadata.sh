#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# [otadata] boot = V in a manifest and esp-mkotadata --boot V --layout L are one rule:
# for every V and layout both succeed with the same otadata bytes, or both refuse.
# The layouts include a gap (ota_0, ota_2: the bootloader counts one slot).
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/w
mkdir -p "$d"
cp "$SRC/tests/golden/mkflash/inputs/c3-bootloader.bin" "$d/boot.bin"
printf 'otadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x10000,0x10000\nota_2,app,ota_2,0x20000,0x10000\n' >"$d/gap.csv"
printf 'otadata,data,ota,0xd000,0x2000\nota_0,app,ota_0,0x10000,0x10000\nota_1,app,ota_1,0x20000,0x10000\nota_2,app,ota_2,0x30000,0x10000\n' >"$d/three.csv"
printf 'otadata,data,ota,0xd000,0x2000\nfactory,app,factory,0x10000,0x10000\n' >"$d/factory.csv"

# manifest LAYOUT VALUE: writes $d/m.ini
manifest() {
	printf 'chip = esp32c3\nflash_mode = dio\nflash_freq = 80m\nflash_size = 4MB\n' >"$d/m.ini"
	printf 'layout = %s\nbootloader = boot.bin\n\n[otadata]\nboot = %s\n' "$1" "$2" >>"$d/m.ini"
}

values=(blank factory ota_0 ota_1 ota_2 ota_3 ota_15 ota_16 ota_0junk 'ota_ 1' ota_4294967297
	ota_01 ota_ OTA_0 ota_-1 ota_+1 ota_0x1 ota0 ota_1.0)
for layout in gap.csv three.csv factory.csv; do
	for v in "${values[@]}"; do
		rm -f "$d/o.bin" "$d/F.bin"
		"$BIN/esp-mkotadata" --boot "$v" --layout "$d/$layout" -o "$d/o.bin" 2>/dev/null
		a=$?
		manifest "$layout" "$v"
		"$BIN/esp-mkflash" --manifest "$d/m.ini" -o "$d/F.bin" 2>"$d/err"
		b=$?
		if [ $a -eq 0 ] && [ $b -eq 0 ]; then
			region "$d/F.bin" 0xd000 0x2000 "$d/got"
			cmp -s "$d/got" "$d/o.bin" && ok || bad "$layout, boot = '$v': different otadata"
		elif [ $a -ne 0 ] && [ $b -eq 1 ]; then
			# refused at the line of 'boot'
			grep -qF "m.ini:9: boot = '$v': " "$d/err" && ok || bad "$layout, boot = '$v': $(cat "$d/err")"
		else
			bad "$layout, boot = '$v': esp-mkotadata exit $a, manifest exit $b"
		fi
	done
done

# the gap, in words: ota_2 of (ota_0, ota_2) would boot ota_0 (seq 3 % 1 slot)
manifest gap.csv ota_2
"$BIN/esp-mkflash" --manifest "$d/m.ini" -o "$d/F.bin" 2>"$d/err"
grep -qF "m.ini:9: boot = 'ota_2': the layout has 1 OTA app slot (ota_0 to ota_0); ota_1 is missing, and the bootloader counts slots only up to the first gap" "$d/err" &&
	[ ! -e "$d/F.bin" ] && ok || bad "gap message: $(cat "$d/err")"
# ota_0 of the gap layout is seq 1: 01 00 00 00, then 0xFF x 24, then crc32(1)
manifest gap.csv ota_0
"$BIN/esp-mkflash" --manifest "$d/m.ini" -o "$d/F.bin" && region "$d/F.bin" 0xd000 32 "$d/got"
[ "$(od -An -tx1 "$d/got" | tr -d ' \n')" = "01000000$(printf 'ff%.0s' $(seq 24))9a984347" ] && ok ||
	bad "ota_0 entry: $(od -An -tx1 "$d/got")"
finish
