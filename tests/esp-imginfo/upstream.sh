#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Where esp-imginfo must tell what esptool/espsecure tell (issue 20), each case built
# here: an ESP-IDF v5.2+ bootloader's esp_bootloader_desc_t, an app whose appended
# SHA-256 is cut short, descriptor text with bytes after its NUL, the ESP32-C6's name
# for frequency code 0, and a signed blob that is not an app image.
# usage: upstream.sh BIN_DIR TESTS_BIN_DIR
# shellcheck disable=SC2317 # lines and block run through expect
src=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/esp-imginfo/common.sh
. "$src/common.sh"

# expect DESC 'EXACT OUTPUT' CMD...: exit 0 and stdout exactly the text
expect() {
	desc=$1 want=$2
	shift 2
	"$@" >out 2>err || bad "$desc: exit $? ($(head -3 err))"
	[ "$(cat out)" = "$want" ] || bad "$desc: got
$(cat out)
want
$want"
}

# lines FILE PATTERN: the lines of FILE matching PATTERN
lines() { grep -E "$2" "$1"; }
# block FILE KEY: the top-level KEY of a text description, its indented lines with it
block() { sed -n "/^$2:/,/^[a-z]/p" "$1" | sed '$d'; }
# json_has FILE SNIPPET: the JSON in FILE, spaces and newlines dropped, holds SNIPPET
json_has() { tr -d ' \n' <"$1" | grep -qF "$2"; }

# ---- a bootloader with an esp_bootloader_desc_t (esptool: "Bootloader Information") ----
"$mkelf" bl.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x100 \
	--section .dram0.bootdesc,0x3fcd5710,0x60,progbits,16,bootdesc || bad "mkelf bl"
"$bin/esp-mkimage" --chip esp32c3 bl.elf -o bl.bin || bad "esp-mkimage bl"
"$info" bl.bin >bl.txt || bad "imginfo bl.bin: exit $?"
expect "bootloader descriptor" "bootloader_desc:
  file_offset: 0x20
  magic: 0x50
  secure_version: 2
  version: 7
  idf_ver: v5.2.1
  date_time: Dec  1 2026 10:00:00x
  date_time_after_nul: 797a" block bl.txt bootloader_desc
"$info" --json bl.bin >bl.json || bad "imginfo --json bl.bin"
json_has bl.json '"bootloader_desc":{"file_offset":32,"magic":80,"secure_version":2,"version":7,"idf_ver":"v5.2.1","date_time":"Dec1202610:00:00x","date_time_after_nul":"797a"}' ||
	bad "bootloader_desc in JSON: $(tr -d ' \n' <bl.json | grep -o '"bootloader_desc[^}]*}')"
# an older bootloader (no descriptor) has none
"$mkelf" old.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x100 --section .dram0.data,0x3fcd5710,0x60,progbits,16,zero ||
	bad "mkelf old"
"$bin/esp-mkimage" --chip esp32c3 old.elf -o old.bin || bad "esp-mkimage old"
"$info" old.bin | grep -q bootloader_desc && bad "a bootloader without a descriptor shows one"

# ---- descriptor text with bytes after its NUL; the C6's frequency code 0 ----
"$mkelf" c6.elf --machine riscv --entry 0x40800000 \
	--section .flash.appdesc,0x42000020,0x100,progbits,16,descnul \
	--section .flash.text,0x42010020,0x300 --section .iram0.text,0x40800000,0x100 ||
	bad "mkelf c6"
"$bin/esp-mkimage" --chip esp32c6 --flash-freq 80m c6.elf -o c6.bin || bad "esp-mkimage c6"
"$info" c6.bin >c6.txt || bad "imginfo c6.bin"
expect "C6 frequency code 0, project_name after its NUL" "  flash_freq: 0x0 (80m)
  project_name: ab
  project_name_after_nul: 6364" lines c6.txt 'flash_freq|project_name'
"$info" --json c6.bin >c6.json || bad "imginfo --json c6.bin"
json_has c6.json '"project_name":"ab","project_name_after_nul":"6364"' ||
	bad "project_name_after_nul missing from JSON"

# ---- an app whose appended SHA-256 is cut short: described, and --check names it ----
"$mkelf" app.elf --machine riscv --entry 0x40380000 \
	--section .flash.appdesc,0x3c000020,0x100,progbits,16,desc \
	--section .flash.text,0x42010020,0x300 || bad "mkelf app"
"$bin/esp-mkimage" --chip esp32c3 app.elf -o app.bin || bad "esp-mkimage app"
n=$(wc -c <app.bin)
head -c $((n - 10)) app.bin >short.bin
stored=$(od -An -v -tx1 -j $((n - 32)) -N 22 app.bin | tr -d ' \n')
full=$(od -An -v -tx1 -j $((n - 32)) -N 32 app.bin | tr -d ' \n')
"$info" short.bin >short.txt || bad "imginfo short.bin: exit $?"
expect "cut-short digest" "sha256: $stored truncated: 22 of 32 bytes, expected $full" \
	lines short.txt '^sha256:'
"$info" --check short.bin >out 2>err
rc=$?
[ "$rc" = 1 ] && [ "$(cat out)" = "SHA-256 digest truncated: the file ends after 22 of its 32 bytes [digest]
1 problem" ] || bad "--check short.bin: exit $rc, $(cat out err)"
head -c $((n - 32)) app.bin >nodigest.bin
"$info" nodigest.bin | grep -q '^sha256: truncated: 0 of 32 bytes' || bad "digest wholly missing"

# ---- a signed blob that is not an app image (espsecure signature-info-v2 reads it) ----
if command -v openssl >/dev/null 2>&1; then
	openssl ecparam -name prime256v1 -genkey -noout -out k.pem 2>/dev/null &&
		openssl ec -in k.pem -pubout -out pub.pem 2>/dev/null &&
		openssl ecparam -name prime256v1 -genkey -noout -out k2.pem 2>/dev/null &&
		openssl ec -in k2.pem -pubout -out pub2.pem 2>/dev/null || bad "openssl keys"
	head -c 10000 /dev/zero | tr '\0' 'Z' >blob.bin
	"$bin/esp-sign" --key k.pem blob.bin -o blob.signed || bad "esp-sign blob"
	"$bin/esp-sign" --pubkey-digest pub.pem -o kd.bin || bad "pubkey digest"
	kd=$(od -An -v -tx1 kd.bin | tr -d ' \n')
	data=$(head -c 12288 blob.signed | sha256sum | cut -c1-64)
	expect "signed blob" "kind: signed data
data_length: 0x3000
data: 0x3000 bytes, $data
signature:
  scheme: secure boot v2
  file_offset: 0x3000
  blocks:
    - 0: ECDSA P-256, key digest $kd, CRC valid, image digest matches
problems: none" "$info" blob.signed
	expect "signed blob verified" "no problems" "$info" --check --pubkey pub.pem blob.signed
	"$info" --check --pubkey pub2.pem blob.signed >out 2>err
	rc=$?
	[ "$rc" = 1 ] && [ "$(cat out)" = "signature does not verify with the given key [signature-key]
1 problem" ] || bad "blob with another key: exit $rc, $(cat out err)"
else
	echo "SKIP: signed-blob cases (no openssl command to make the key)"
fi

[ "$fail" = 0 ] && echo "upstream.sh: all passed"
exit "$fail"
