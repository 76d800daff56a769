#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# esp-imginfo command-line tests. Inputs are made by our own tools (mkelf, esp-mkimage,
# esp-mkpart, esp-mkotadata, esp-mknvs, esp-sign with the test key ecdsa256.pem,
# esp-mkflash), so the golden text and JSON in golden/ are reviewed by hand:
#   - describe every kind (golden/<name>.txt and .json),
#   - --diff of deliberate single changes (golden/diff-<name>.txt), exit 1; same: exit 0,
#   - --ignore, bad input and usage (exit 2, a message, no crash),
#   - the configs/factory flash image of scripts/example.sh, down to each partition.
# usage: cli.sh BIN_DIR TESTS_BIN_DIR   (UPDATE=1 rewrites the golden files)
src=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/esp-imginfo/common.sh
. "$src/common.sh"

# run EXPECTED_STATUS CMD...: output in $T/out, stderr in $T/err
run() {
	want=$1
	shift
	"$@" >out 2>err
	got=$?
	[ "$got" = "$want" ] || bad "exit $got (want $want): $* :: $(head -3 err)"
}

# golden NAME FILE: compares FILE with golden/NAME (or rewrites it with UPDATE=1)
golden() {
	# the version every JSON document carries: golden files hold a placeholder
	sed -i 's/^  "tool_version": ".*",$/  "tool_version": "@VERSION@",/' "$2"
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$2" "$src/golden/$1"
	elif ! cmp -s "$2" "$src/golden/$1"; then
		bad "$1 differs from the golden file:"
		diff -u "$src/golden/$1" "$2" | head -20 >&2
	fi
}

# ---- inputs ----
app_sections="--section .flash.appdesc,0x3c000020,0x100,progbits,16,desc
	--section .flash.rodata,0x3c000120,0x200 --section .iram0.text,0x40380000,0x120
	--section .dram0.data,0x3fc81200,0x20 --section .flash.text,0x42010020,0x300"
# shellcheck disable=SC2086
"$mkelf" app.elf --machine riscv --entry 0x40380000 $app_sections || bad "mkelf app"
# the same loadable bytes in a different ELF file: only the ELF SHA-256 differs
# shellcheck disable=SC2086
"$mkelf" app-phdrs.elf --phdrs --machine riscv --entry 0x40380000 $app_sections ||
	bad "mkelf app --phdrs"
"$mkelf" boot.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x180 --section .dram0.rodata,0x3fcd5710,0x30 ||
	bad "mkelf bootloader"
mkimage() {
	"$bin/esp-mkimage" --chip esp32c3 --flash-freq 80m --flash-size 4MB "$@" >/dev/null ||
		bad "esp-mkimage $*"
}
mkimage --flash-mode dio app.elf -o app.bin
mkimage --flash-mode qio app.elf -o app-qio.bin
mkimage --flash-mode dio app-phdrs.elf -o app-elfsha.bin
mkimage --flash-mode dio boot.elf -o bootloader.bin
cat >parts.csv <<'EOF'
nvs,      data, nvs,     0x9000,  0x4000,
otadata,  data, ota,     0xd000,  0x2000,
factory,  app,  factory, 0x10000, 0x40000,
ota_0,    app,  ota_0,   0x50000, 0x40000,
ota_1,    app,  ota_1,   0x90000, 0x40000,
storage,  data, spiffs,  0xd0000, 0x10000, readonly
EOF
sed 's/0x9000,  0x4000/0x9000,  0x3000/' parts.csv >parts-nvs.csv
"$bin/esp-mkpart" parts.csv -o table.bin || bad "esp-mkpart"
"$bin/esp-mkpart" parts-nvs.csv -o table-nvs.bin || bad "esp-mkpart nvs size"
"$bin/esp-mkotadata" --boot ota_1 --slots 2 -o otadata.bin || bad "esp-mkotadata"
"$bin/esp-mkotadata" --boot ota_0 --slots 2 -o otadata-0.bin || bad "esp-mkotadata ota_0"
cat >nvs.csv <<'EOF'
key,type,encoding,value
factory,namespace,,
serial,data,string,SN-0001
hw_rev,data,u8,3
calib,data,hex2bin,0102a0ff
EOF
"$bin/esp-mknvs" --size 0x4000 nvs.csv -o nvs.bin || bad "esp-mknvs"
"$bin/esp-sign" --key "$src/ecdsa256.pem" app.bin -o signed.bin || bad "esp-sign"
"$bin/esp-sign" --random --key "$src/ecdsa256.pem" app.bin -o signed-random.bin ||
	bad "esp-sign --random"
# one byte of the IROM segment (.flash.text at image offset 0x10020 + 0x10)
cp app.bin app-byte.bin
printf '\125' | dd of=app-byte.bin bs=1 seek=$((0x10030)) conv=notrunc status=none
mkflash() {
	out=$1
	shift
	"$bin/esp-mkflash" --chip esp32c3 0x0 bootloader.bin 0x8000 "$@" -o "$out" ||
		bad "esp-mkflash $out"
}
mkflash flash.bin table.bin 0x9000 nvs.bin 0xd000 otadata.bin 0x10000 app.bin
mkflash flash-byte.bin table.bin 0x9000 nvs.bin 0xd000 otadata.bin 0x10000 app-byte.bin
mkflash flash-ota.bin table.bin 0x9000 nvs.bin 0xd000 otadata-0.bin 0x10000 app.bin

# ---- every kind, text and JSON ----
command -v jq >/dev/null 2>&1 || echo "SKIP: imginfo.cli's jq checks of the JSON (jq is not installed)"
for name in app bootloader table otadata nvs signed flash; do
	run 0 "$info" $name.bin
	golden $name.txt out
	run 0 "$info" --json $name.bin
	golden $name.json out
	if command -v jq >/dev/null 2>&1; then
		jq -e '.problems == []' out >/dev/null || bad "$name: JSON does not parse or has problems"
	fi
done
run 0 "$info" --pubkey "$src/ecdsa256.pem" signed.bin
golden signed-pubkey.txt out
grep -q "verification: verified with the given key" out || bad "signature not verified"

# ---- deliberate single changes ----
diffcase() {
	name=$1
	shift
	run 1 "$info" --diff "$@"
	golden diff-"$name".txt out
}
diffcase header app.bin app-qio.bin
diffcase partition-size table.bin table-nvs.bin
diffcase segment-byte app.bin app-byte.bin
diffcase flash-segment-byte flash.bin flash-byte.bin
diffcase otadata-slot otadata.bin otadata-0.bin
diffcase flash-otadata-slot flash.bin flash-ota.bin
diffcase elf-sha256 app.bin app-elfsha.bin
run 1 "$info" --diff --json flash.bin flash-byte.bin
golden diff-flash-segment-byte.json out
# what each names, stated once more in plain words
grep -q '^header.flash_mode: 2 (dio) -> 0 (qio) \[header\]$' "$src/golden/diff-header.txt" ||
	bad "header diff"
grep -q '^entries\[nvs\].size: 0x4000 -> 0x3000 \[partition\]$' \
	"$src/golden/diff-partition-size.txt" || bad "partition size diff"
grep -q '^partitions\[factory\].content.segments\[0x42010020\]: 1 byte differs' \
	"$src/golden/diff-flash-segment-byte.txt" || bad "segment byte diff"
grep -q '^partitions\[otadata\].content.entries\[0\].seq: 0x2 -> 0x1 \[otadata\]$' \
	"$src/golden/diff-flash-otadata-slot.txt" || bad "otadata diff"

# identical inputs, and --ignore
for f in app.bin bootloader.bin table.bin otadata.bin nvs.bin signed.bin flash.bin; do
	run 0 "$info" --diff $f $f
	[ "$(cat out)" = identical ] || bad "$f is not identical to itself"
done
run 0 "$info" --diff --ignore elf-sha256 app.bin app-elfsha.bin
run 1 "$info" --diff --ignore digest app.bin app-elfsha.bin
run 1 "$info" --diff signed.bin signed-random.bin
grep -q '\[signature\]$' out || bad "a new signature is a signature difference"
[ "$(grep -vc '\[signature\]$' out)" = 1 ] || bad "a new signature changes only the signature"
run 0 "$info" --diff --ignore signature signed.bin signed-random.bin
run 1 "$info" --diff --ignore signature --ignore digest app.bin app-byte.bin
run 0 "$info" --diff --ignore content app.bin app-byte.bin
run 0 "$info" --diff --ignore header --ignore partition --ignore otadata --ignore content \
	flash.bin flash-ota.bin
run 2 "$info" --diff app.bin table.bin
grep -q "cannot compare images of different kinds" err || bad "kind mismatch message"

# ---- bad input: exit 2 with a message, never a crash ----
: >empty.bin
head -c 100 app.bin >trunc-app.bin
head -c $((0x30000)) flash.bin >trunc-flash.bin
head -c 5000 /dev/zero | tr '\0' 'x' >garbage.bin
printf '\351\005\002' >tiny-app.bin
for f in empty.bin trunc-app.bin garbage.bin tiny-app.bin missing.bin; do
	run 2 "$info" $f
	[ -s err ] || bad "$f: no message"
	[ -s out ] && bad "$f: output on error"
	grep -q "^esp-imginfo: " err || bad "$f: message without the program name"
	run 2 "$info" --diff app.bin $f
done
# a flash image cut short still describes what is there
run 0 "$info" trunc-flash.bin
grep -q "the file ends inside" out || bad "truncated flash image"
# usage
run 2 "$info"
run 2 "$info" --diff app.bin
run 2 "$info" app.bin app.bin
run 2 "$info" --diff --ignore bogus app.bin app.bin
grep -q "unknown class 'bogus'" err || bad "--ignore bogus message"
run 2 "$info" --ignore digest app.bin
run 2 "$info" --frobnicate app.bin
run 2 "$info" --pubkey "$T/missing.pem" app.bin
run 0 "$info" --help
grep -q "^usage: esp-imginfo" out || bad "--help"
run 0 "$info" --version

# ---- the configs/factory flash image (scripts/example.sh), down to each partition ----
OUT=$T/ex BIN=$bin MKELF=$mkelf "$root/scripts/example.sh" >/dev/null 2>&1 ||
	bad "scripts/example.sh"
if [ -f ex/FLASH.bin ]; then
	run 0 "$info" ex/FLASH.bin
	grep -q "^problems: none$" out || bad "factory image has problems"
	if command -v jq >/dev/null 2>&1; then
		run 0 "$info" --json ex/FLASH.bin
		got=$(jq -r '[.bootloader.kind, .partition_table.kind,
			(.partitions[] | .name + "=" + (.content.kind // .in_image)),
			(.partitions[] | select(.content.kind == "otadata") | .content.boots)] | join(" ")' \
			<out 2>/dev/null | sed 's/"//g')
		want="bootloader image partition table nvs=erased otadata=otadata"
		want="$want phy_init=erased factory=app image ota_0=app image"
		want="$want ota_1=no (beyond the end of the file) ota_0"
		[ "$got" = "$want" ] || bad "factory image: got '$got', want '$want'"
	fi
fi

exit $fail
