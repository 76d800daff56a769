#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A bootloader carrying a Secure Boot signature (v2 sector or v1 block): the manifest
# form refuses to patch a header that differs (the signature would break) and places
# one that matches as it is; the merge form patches as esptool merge-bin does, warning.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
if ! command -v openssl >/dev/null; then
	echo "SKIP: mkflash.signed (no openssl command: it makes the test key)"
	exit 77
fi
cd "$tmp" || exit 1
make_inputs "$tmp" || { echo "cannot make inputs"; exit 1; }
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem 2>/dev/null || exit 1
"$MKELF" boot.elf --entry 0x403CE000 --section ".iram0.text,0x403CE000,0x200" \
	--section ".dram0.data,0x3FCD5000,0x40" || exit 1
# built for the manifest's settings (dio, 80m, 4MB), and for others (dio, 40m, 1MB)
"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB boot.elf \
	-o good.bin || exit 1
"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio boot.elf -o other.bin || exit 1
for v in 1 2; do
	"$BIN/esp-sign" --sb-version $v --key k.pem good.bin -o good-v$v.bin || bad "sign v$v"
	"$BIN/esp-sign" --sb-version $v --key k.pem other.bin -o other-v$v.bin || bad "sign v$v"
done
manifest() { sed "s/^bootloader = .*/bootloader = $1/" factory.ini >"m-$1.ini"; }

for v in 1 2; do
	manifest other-v$v.bin
	"$BIN/esp-mkflash" --manifest "m-other-v$v.bin.ini" -o F$v.bin 2>err
	[ $? -eq 1 ] && [ ! -e F$v.bin ] && [ ! -e F$v.json ] && ok || bad "v$v: a differing header was patched"
	want="m-other-v$v.bin.ini:9: bootloader other-v$v.bin is signed (Secure Boot v$v) and its header"
	want="$want differs from this manifest (flash_freq 40m, not 80m; flash_size 1MB, not 4MB):"
	want="$want patching it would break the signature; build the bootloader with the manifest's"
	want="$want flash settings, or set them to match the image"
	grep -qxF "esp-mkflash: $want" err && ok || bad "v$v message: $(cat err)"
	# a header that matches: the signed file is placed byte for byte
	manifest good-v$v.bin
	"$BIN/esp-mkflash" --manifest "m-good-v$v.bin.ini" -o G$v.bin 2>err || bad "v$v: matching header"
	[ ! -s err ] && ok || bad "v$v: matching header warned: $(cat err)"
	region G$v.bin 0 "$(stat -c %s good-v$v.bin)" got$v.bin
	cmp -s got$v.bin good-v$v.bin && ok || bad "v$v: signed bootloader changed"
	# merge form: esptool's bytes (header patched), and a warning
	"$BIN/esp-mkflash" --chip esp32c3 --flash-freq 80m 0x0 other-v$v.bin -o M$v.bin 2>err ||
		bad "v$v merge form"
	grep -qxF "esp-mkflash: other-v$v.bin: warning: Image file at 0x0 is signed (Secure Boot v$v): it has flash_freq 40m, not 80m; patching its header breaks the signature" err &&
		ok || bad "v$v merge warning: $(cat err)"
	[ "$(od -An -tx1 -j2 -N2 M$v.bin | tr -d ' ')" = 020f ] && ok || bad "v$v merge: header not patched"
	"$BIN/esp-mkflash" --chip esp32c3 --flash-mode dio 0x0 other-v$v.bin -o N$v.bin 2>err &&
		[ ! -s err ] && cmp -s N$v.bin other-v$v.bin && ok || bad "v$v merge: no change, but $(cat err)"
done
# an unsigned bootloader is still patched to the manifest's settings
manifest other.bin
"$BIN/esp-mkflash" --manifest m-other.bin.ini -o U.bin 2>err && [ ! -s err ] &&
	[ "$(od -An -tx1 -j2 -N2 U.bin | tr -d ' ')" = 022f ] && ok || bad "unsigned bootloader: $(cat err)"
finish
