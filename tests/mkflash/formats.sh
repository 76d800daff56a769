#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkflash's other containers and argument files: an ESP-IDF-like build/flash_args
# read with @FILE gives the bytes of the same pairs on the command line; HEX and UF2
# outputs carry exactly the raw merge (esp-imginfo describes them alike, --diff finds
# nothing); a HEX output fed back as an input lands at its own addresses.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/build
make_inputs "$tmp/in" || { echo "cannot make inputs"; exit 1; }
mkdir -p "$d/bootloader" "$d/partition_table"
"$BIN/esp-mkimage" --chip esp32c3 "$tmp/in/bootloader.elf" -o "$d/bootloader/bootloader.bin" &&
	"$BIN/esp-mkimage" --chip esp32c3 "$tmp/in/app.elf" -o "$d/hello world.bin" &&
	"$BIN/esp-mkpart" "$tmp/in/partitions.ini" -o "$d/partition_table/partition-table.bin" ||
	{ echo "cannot make images"; exit 1; }

# build/flash_args as ESP-IDF writes it (v4 option spellings, paths relative to build/);
# a quoted name, CR LF line ends, and -o after the file, as in the README
printf '%s\r\n' '--flash_mode dio --flash_freq 80m --flash_size 2MB' \
	'0x0 bootloader/bootloader.bin' '0x10000 "hello world.bin"' \
	'0x8000 partition_table/partition-table.bin' >"$d/flash_args"
(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 @flash_args -o "$tmp/F.bin") && ok ||
	bad "@flash_args: exit $?"
(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 --flash-mode dio --flash-freq 80m \
	--flash-size 2MB 0x0 bootloader/bootloader.bin 0x10000 "hello world.bin" \
	0x8000 partition_table/partition-table.bin -o "$tmp/want.bin") || bad "explicit pairs"
cmp -s "$tmp/F.bin" "$tmp/want.bin" && ok || bad "@flash_args differs from the same pairs"
# options may follow the file, as esptool takes them
(cd "$d" && "$BIN/esp-mkflash" @flash_args --chip esp32c3 -o "$tmp/F3.bin") && ok ||
	bad "@flash_args before --chip: exit $?"
cmp -s "$tmp/F3.bin" "$tmp/want.bin" && ok || bad "@flash_args before --chip differs"
# the file is read relative to the current directory, not to the tool
(cd "$tmp" && "$BIN/esp-mkflash" --chip esp32c3 @build/flash_args -o F2.bin 2>err.txt)
[ $? -eq 1 ] && grep -qF 'bootloader/bootloader.bin: cannot open' "$tmp/err.txt" && ok ||
	bad "paths in an argument file resolve from the current directory"

# HEX and UF2 of the same pairs: esp-imginfo sees the raw merge behind each
for fmt in hex uf2; do
	(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 --format $fmt @flash_args -o "$tmp/F.$fmt") ||
		{ bad "--format $fmt: exit $?"; continue; }
	"$BIN/esp-imginfo" "$tmp/F.bin" >"$tmp/raw.txt"
	"$BIN/esp-imginfo" "$tmp/F.$fmt" >"$tmp/$fmt.txt" || bad "imginfo $fmt: exit $?"
	# the same description after the container's own section
	sed '/^container:/,/^[a-z]/{/^[a-z]/!d;/^container:/d}' "$tmp/$fmt.txt" >"$tmp/$fmt.body"
	cmp -s "$tmp/raw.txt" "$tmp/$fmt.body" && ok || bad "imginfo $fmt differs from raw"
	"$BIN/esp-imginfo" --diff "$tmp/F.bin" "$tmp/F.$fmt" >/dev/null && ok ||
		bad "imginfo --diff raw $fmt: exit $?"
	"$BIN/esp-imginfo" --json "$tmp/F.$fmt" >"$tmp/$fmt.json" || bad "imginfo --json $fmt"
	want=intel-hex
	[ $fmt = uf2 ] && want=uf2
	grep -q "\"format\": \"$want\"" "$tmp/$fmt.json" && ok || bad "JSON names the container"
done
grep -qxF '  family_id: 0xd42ba06c (esp32c3)' "$tmp/uf2.txt" && ok || bad "UF2 family in text"
grep -qxF '    - 0x8000 +0xc00' "$tmp/hex.txt" && ok || bad "HEX runs in text"

# the HEX output as an input: its ADDR is ignored, its runs land where they were
"$BIN/esp-mkflash" --chip esp32c3 0x0 "$tmp/F.hex" -o "$tmp/back.bin" && ok || bad "hex input"
# F.hex was patched to dio/80m/2MB: so is its content
"$BIN/esp-mkflash" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 2MB \
	0x1000 "$tmp/F.hex" -o "$tmp/back2.bin" || bad "hex input, patched again"
cmp -s "$tmp/back.bin" "$tmp/F.bin" && ok || bad "HEX round trip changed the bytes"
cmp -s "$tmp/back2.bin" "$tmp/F.bin" && ok || bad "HEX input with ADDR 0x1000"
finish
