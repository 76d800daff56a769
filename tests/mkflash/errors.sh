#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bad manifests: each gives its message (FILE:LINE where there is a line), exit
# status 1, and neither FLASH.bin nor FLASH.json.
# shellcheck disable=SC2016 # the cases are sed scripts and INI text: each $ is theirs
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
base=$tmp/base
make_inputs "$base" || { echo "cannot make inputs"; exit 1; }
head -c 2000000 /dev/zero | tr '\0' '\1' >"$base/big.bin"
printf 'not an image' >"$base/data.bin"
"$BIN/esp-mkimage" --chip esp32c6 "$base/app.elf" -o "$base/c6.bin" 2>/dev/null ||
	"$MKELF" "$base/c6.elf" --machine riscv --entry 0x40800000 --section .iram0.text,0x40800000,0x100 &&
	"$BIN/esp-mkimage" --chip esp32c6 "$base/c6.elf" -o "$base/c6.bin"

n=0
# check NAME EDIT MESSAGE: EDIT is a sed script applied to factory.ini (or a shell
# command when it starts with '!'); MESSAGE must appear in stderr.
check() {
	local name=$1 edit=$2 want=$3 d
	n=$((n + 1))
	d=$tmp/c$n
	cp -r "$base" "$d"
	if [ "${edit#!}" != "$edit" ]; then (cd "$d" && eval "${edit#!}"); else sed -i "$edit" "$d/factory.ini"; fi
	"$BIN/esp-mkflash" --manifest "$d/factory.ini" -o "$d/FLASH.bin" 2>"$d/err"
	rc=$?
	if [ $rc -ne 1 ]; then bad "$name: exit $rc, want 1 ($(cat "$d/err"))"; return; fi
	if [ -e "$d/FLASH.bin" ] || [ -e "$d/FLASH.json" ]; then bad "$name: left output"; return; fi
	if ! grep -qF -- "$want" "$d/err"; then bad "$name: stderr lacks '$want': $(cat "$d/err")"; return; fi
	ok
}
M=factory.ini
check unknown-label '$a [storage]\nfile = data.bin' \
	"$M:20: unknown partition [storage]: the layout partitions.ini has no such label"
check too-big '!sed -i "/^\[ota_0\]/,\$d" factory.ini && printf "[ota_0]\nfile = big.bin\n" >>factory.ini' \
	"$M:17: big.bin (2000000 bytes) does not fit in partition ota_0 (0x100000 bytes)"
check non-app '!sed -i "/^\[ota_0\]/,\$d" factory.ini && printf "[ota_0]\nfile = data.bin\n" >>factory.ini' \
	"$M:18: data.bin is not an ESP app image"
check other-chip '!sed -i "/^\[ota_0\]/,\$d" factory.ini && printf "[ota_0]\nfile = c6.bin\n" >>factory.ini' \
	"$M:18: c6.bin is an image for chip id 13, not for esp32c3"
check missing-file 's/^elf = app.elf/elf = nope.elf/' \
	"nope.elf: cannot open: No such file or directory"
check bad-line 's/^chip = esp32c3/chip esp32c3/' \
	"$M:4: expected 'key = value', '[section]' or a comment"
check unknown-key 's/^min_rev_full = 3/min_rev_ful = 3/' \
	"$M:19: unknown key 'min_rev_ful' in [ota_0]"
check unknown-setting '1i flash = 4MB' "$M:1: unknown setting 'flash'"
check no-chip '/^chip =/d' "$M: no 'chip' setting"
check unknown-chip 's/^chip = esp32c3/chip = esp99/' "$M:4: unknown chip 'esp99'"
check keep 's/^flash_freq = 80m/flash_freq = keep/' "'keep' is not allowed"
check bad-freq 's/^flash_freq = 80m/flash_freq = 48m/' \
	"flash frequency '48m' is not supported by esp32c3"
check layout-too-big 's/^flash_size = 4MB/flash_size = 2MB/' \
	"partitions.ini:29: Partitions tables occupies 3.1MB of flash (3211264 bytes) which does not fit in configured flash size 2MB."
check boot-not-otadata '/^\[factory\]/,/^elf/c [factory]\nboot = ota_0' \
	"$M:15: 'boot' is for the otadata partition; [factory] is not one"
check boot-missing-slot 's/^boot = ota_0/boot = ota_5/' \
	"$M:12: boot = 'ota_5': the layout has 2 OTA app slots (ota_0 to ota_1)"
check two-sources '/^elf = app.elf/a file = data.bin' \
	"$M:14: [factory] needs exactly one of file, elf, boot, nvs, nvs_keys, spiffs or fat"
check elf-into-data '$a [nvs]\nelf = app.elf' "$M:21: [nvs] is not an app partition"
check repeated '$a [factory]\nelf = app.elf' "$M:20: repeated section [factory] (first at line 14)"
check bad-layout '!sed -i "s/^size = 16K/size = 16Q/" partitions.ini' \
	"partitions.ini:7: size: Invalid field value 16Q"
check bad-elf '!printf "\177ELF junk" >app.elf' "app.elf:"
check big-bootloader '!head -c 40000 big.bin >bl.bin && sed -i "s/^bootloader = .*/bootloader = bl.bin/" factory.ini' \
	"$M:9: bl.bin is not an ESP app image"

# FLASH.bin and FLASH.json are committed as a pair: when FLASH.json cannot replace
# what is there (a directory), FLASH.bin keeps its old bytes too (it was once renamed
# into place first, leaving a new image beside an old description)
p=$tmp/pair
cp -r "$base" "$p"
echo old >"$p/FLASH.bin"
mkdir "$p/FLASH.json"
"$BIN/esp-mkflash" --manifest "$p/factory.ini" -o "$p/FLASH.bin" 2>"$p/err"
[ $? -eq 1 ] && [ "$(cat "$p/FLASH.bin")" = old ] && [ -d "$p/FLASH.json" ] &&
	[ -z "$(find "$p" -mindepth 1 -maxdepth 1 -name '.espgen-*')" ] && ok || bad "pair: FLASH.bin replaced alone or temporary left"
grep -qF "FLASH.json: cannot rename temporary file into place: Is a directory" "$p/err" && ok ||
	bad "pair: $(cat "$p/err")"
finish
