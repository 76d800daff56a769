#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flash encryption in the manifest: every region ESP-IDF encrypts (bootloader, table,
# otadata, apps) is esp-encrypt of the plain build's bytes at its own address, the
# others are the plain build's bytes, and FLASH.json says which with both hashes. With
# sign_key the bootloader and apps are signed first (a prebuilt signed app verified).
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: tests/mkflash/encrypt.sh (jq is not installed)"; exit 77; }
cd "$tmp" || exit 1
make_inputs "$tmp" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/*.csv . || exit 1
"$BIN/esp-encrypt" --keygen --chip esp32c3 -o key.bin || exit 1
sed '/^layout = /a flash_encryption_key = key.bin' factory.ini >enc.ini
"$BIN/esp-mkflash" --manifest factory.ini -o P.bin || bad "plain build"
"$BIN/esp-mkflash" --manifest enc.ini -o E.bin >out 2>err || bad "encrypted build: $(cat err)"
[ ! -s out ] && [ ! -s err ] && ok || bad "encrypted build printed something"
[ "$(stat -c %s P.bin)" = "$(stat -c %s E.bin)" ] && ok || bad "image sizes differ"
grep -q "$(od -An -tx1 key.bin | tr -d ' \n')" E.json && bad "key in FLASH.json" || ok

# check_regions IMAGE PLAIN JSON KEY: each region against the plain image
check_regions() {
	local img=$1 plain=$2 json=$3 key=$4 n i name off len enc sha psha
	n=$(jq '.regions | length' "$json")
	for ((i = 0; i < n; i++)); do
		read -r name off len enc sha psha < <(jq -r ".regions[$i] |
			\"\\(.name) \\(.offset) \\(.data_size) \\(.encrypted) \\(.sha256) \\(.plain_sha256)\"" "$json")
		region "$img" "$off" "$len" "s-$name"
		region "$plain" "$off" "$len" "p-$name"
		[ "$(sha256sum <"s-$name" | cut -c1-64)" = "$sha" ] && ok || bad "$name: sha256"
		case $name in
		bootloader | partition_table | otadata | factory | ota_0) want=true ;;
		*) want=false ;;
		esac
		[ "$enc" = "$want" ] && ok || bad "$name: encrypted is $enc"
		if [ "$enc" = true ]; then
			"$BIN/esp-encrypt" --chip "${CHIP:-esp32c3}" ${CONF:+--flash-crypt-conf "$CONF"} \
				--key "$key" --address "$off" --decrypt \
				"s-$name" -o "d-$name" || bad "$name: decrypt"
			cmp -s "d-$name" "p-$name" && ok || bad "$name: not the plain bytes encrypted"
			cmp -s "s-$name" "p-$name" && bad "$name: stored plain" || ok
			[ "$(sha256sum <"d-$name" | cut -c1-64)" = "$psha" ] && ok ||
				bad "$name: plain_sha256"
		else
			cmp -s "s-$name" "p-$name" && ok || bad "$name: changed"
			[ "$sha" = "$psha" ] && ok || bad "$name: plain_sha256 of a plain region"
		fi
	done
}
check_regions E.bin P.bin E.json key.bin
# the gaps between regions stay as in the plain build: compare outside the regions
cmp -s <(jq -r '.regions[] | "\(.offset) \(.data_size)"' P.json) \
	<(jq -r '.regions[] | "\(.offset) \(.data_size)"' E.json) && ok || bad "region sizes differ"

# esp-imginfo: with the key, the plaintext is described and checked; without it, the
# image is said to look encrypted
"$BIN/esp-imginfo" --check --flash-key key.bin E.bin >out 2>&1 && grep -qx "no problems" out &&
	ok || bad "imginfo --flash-key --check: $(cat out)"
"$BIN/esp-imginfo" --diff --flash-key key.bin E.bin E.bin >out 2>&1 && ok || bad "imginfo --diff: $(cat out)"
"$BIN/esp-imginfo" --flash-key key.bin E.bin >desc 2>&1 || bad "imginfo --flash-key: $(cat desc)"
"$BIN/esp-imginfo" P.bin >pdesc 2>&1 || bad "imginfo plain"
diff <(sed '/^decrypted_regions:/,$d' desc) pdesc >/dev/null && ok || bad "decrypted description differs from the plain one"
for r in bootloader partition_table otadata factory ota_0; do
	grep -q "^  - $r at 0x" desc && ok || bad "$r not listed as decrypted"
done
grep -q "^  - nvs at" desc && bad "nvs listed as decrypted" || ok
"$BIN/esp-imginfo" E.bin >out 2>&1
[ $? -eq 2 ] && grep -qxF "esp-imginfo: E.bin: looks like a flash-encrypted flash image: no bootloader magic at 0x0 and no partition table at 0x8000, where both are expected, and neither is erased (decrypt it with --flash-key KEY.bin)" out &&
	ok || bad "imginfo without the key: $(cat out)"
"$BIN/esp-encrypt" --keygen --chip esp32c3 -o wrong.bin || exit 1
"$BIN/esp-imginfo" --flash-key wrong.bin E.bin >out 2>&1
[ $? -eq 2 ] && grep -qF "E.bin: no chip's bootloader decrypts with this flash key" out && ok ||
	bad "imginfo with a wrong key: $(cat out)"

# the example in configs/: its test-only key, and the image checks out
cp "$SRC"/configs/factory/TEST-ONLY-flash-key.bin . || exit 1
"$BIN/esp-mkflash" --manifest encrypted.ini -o X.bin 2>err || bad "configs example: $(cat err)"
check_regions X.bin P.bin X.json TEST-ONLY-flash-key.bin
"$BIN/esp-imginfo" --check --flash-key TEST-ONLY-flash-key.bin X.bin >out 2>&1 && ok ||
	bad "configs example: imginfo --check: $(cat out)"

# deterministic: the same manifest and key give the same bytes
"$BIN/esp-mkflash" --manifest enc.ini -o E2.bin || bad "second build"
cmp -s E.bin E2.bin && cmp -s E.json E2.json && ok || bad "not deterministic"

# esp32: its own scheme, FLASH_CRYPT_CONF part of the cipher
"$MKELF" boot32.elf --machine xtensa --entry 0x40080400 \
	--section .iram_loader.text,0x40078000,0x1000 --section .iram.text,0x40080400,0x800 \
	--section .dram0.data,0x3FFF0000,0x100 || exit 1
"$MKELF" app32.elf --machine xtensa --entry 0x40080000 \
	--section .flash.appdesc,0x3F400020,0x100,progbits,16,desc \
	--section .flash.rodata,0x3F400120,0x1000 --section .iram0.text,0x40080000,0x400 \
	--section .dram0.data,0x3FFB0000,0x80 --section .flash.text,0x400D0020,0x2000 || exit 1
"$BIN/esp-encrypt" --keygen --chip esp32 -o key32.bin || exit 1
printf 'chip = esp32\nflash_mode = dio\nflash_freq = 40m\nflash_size = 4MB\nlayout = partitions.ini\nbootloader = boot32.elf\n\n[factory]\nelf = app32.elf\n' >p32.ini
sed '/^layout = /a flash_encryption_key = key32.bin\nflash_crypt_conf = 0x3' p32.ini >e32.ini
"$BIN/esp-mkflash" --manifest p32.ini -o P32.bin 2>err || bad "esp32 plain: $(cat err)"
"$BIN/esp-mkflash" --manifest e32.ini -o E32.bin 2>err || bad "esp32 encrypted: $(cat err)"
CHIP=esp32 CONF=0x3 check_regions E32.bin P32.bin E32.json key32.bin
"$BIN/esp-imginfo" --check --flash-key key32.bin E32.bin >out 2>&1 && grep -qx "no problems" out &&
	ok || bad "esp32: imginfo --check: $(cat out)"
grep -q "bootloader at 0x1000" <("$BIN/esp-imginfo" --flash-key key32.bin E32.bin 2>&1) && ok ||
	bad "esp32: imginfo does not find the bootloader: $(cat out)"

# a batch with --keygen-per-device: each image is the plain batch's image encrypted
# with its own key (mode 0600, never printed); a second run replaces the devices
"$BIN/esp-mkflash" --manifest batch.ini --devices devices.csv -o PB || bad "plain batch"
"$BIN/esp-mkflash" --manifest batch.ini --devices devices.csv --keygen-per-device -o KB \
	>out 2>err || bad "keygen batch: $(cat err)"
[ ! -s out ] && [ ! -s err ] && ok || bad "keygen batch printed something"
ids=$(tail -n +2 devices.csv | cut -d, -f1)
for id in $ids; do
	k=KB/$id/flash_key.bin
	[ "$(stat -c %a "$k")" = 600 ] && [ "$(stat -c %s "$k")" = 32 ] && ok || bad "$id: key mode/size"
	check_regions "KB/$id/FLASH.bin" "PB/$id/FLASH.bin" "KB/$id/FLASH.json" "$k"
	"$BIN/esp-imginfo" --check --flash-key "$k" "KB/$id/FLASH.bin" >out 2>&1 && ok ||
		bad "$id: imginfo --check with its key: $(cat out)"
done
# shellcheck disable=SC2086 # one word per device id
set -- $ids
cmp -s "KB/$1/flash_key.bin" "KB/$2/flash_key.bin" && bad "two devices share a key" || ok
cp "KB/$1/flash_key.bin" old.key
"$BIN/esp-mkflash" --manifest batch.ini --devices devices.csv --keygen-per-device -o KB \
	2>err && ok || bad "second keygen run on the same OUTDIR: $(cat err)"
# (the devices are up to date, keys included: kept; a removed device gets a new key)
cmp -s "KB/$1/flash_key.bin" old.key && ok || bad "an up-to-date device's key was replaced"
rm -r "KB/$1"
"$BIN/esp-mkflash" --manifest batch.ini --devices devices.csv --keygen-per-device -o KB \
	2>err && ok || bad "third keygen run on the same OUTDIR: $(cat err)"
cmp -s "KB/$1/flash_key.bin" old.key && bad "key not renewed" || ok
# a devices CSV column names each device's key file
for id in $ids; do cp "KB/$id/flash_key.bin" "key-$id.bin"; done
{ head -1 devices.csv | sed 's/$/,fe_key/'; tail -n +2 devices.csv |
	while IFS= read -r l; do echo "$l,key-${l%%,*}.bin"; done; } >dk.csv
# shellcheck disable=SC2016 # a manifest placeholder, not a shell expansion
sed '/^layout = /a flash_encryption_key = ${fe_key}' batch.ini >col.ini
"$BIN/esp-mkflash" --manifest col.ini --devices dk.csv -o CB 2>err || bad "column keys: $(cat err)"
for id in $ids; do
	cmp -s "CB/$id/FLASH.bin" "KB/$id/FLASH.bin" && ok || bad "$id: column key image differs"
done
"$BIN/esp-mkflash" --manifest col.ini -o X.bin 2>err
# shellcheck disable=SC2016 # a manifest placeholder, not a shell expansion
[ $? -eq 1 ] && grep -qF 'col.ini:8: flash_encryption_key = ${fe_key} names a devices CSV column: build with --devices' err &&
	ok || bad "column key without --devices: $(cat err)"

# sign_key: the bootloader and the apps signed, then encrypted; the plain build to
# compare with is the signed one
if ! command -v openssl >/dev/null; then
	echo "SKIP: the signed cases of mkflash.encrypt (no openssl command: it writes public keys)"
	finish
	exit
fi
cp "$SRC/tests/keys/test-only-rsa3072.pem" sb.pem || exit 1
openssl pkey -in sb.pem -pubout -out sb.pub.pem 2>/dev/null || exit 1
sed '/^layout = /a sign_key = sb.pem' factory.ini >sign.ini
sed '/^layout = /a sign_key = sb.pem' enc.ini >both.ini
"$BIN/esp-mkflash" --manifest sign.ini -o S.bin 2>err || bad "signed build: $(cat err)"
"$BIN/esp-mkflash" --manifest both.ini -o B.bin 2>err || bad "signed encrypted build: $(cat err)"
check_regions B.bin S.bin B.json key.bin
for r in bootloader factory ota_0; do
	read -r off len < <(jq -r ".regions[] | select(.name == \"$r\") |
		\"\(.offset) \(.data_size)\"" S.json)
	region S.bin "$off" "$len" "sig-$r"
	"$BIN/esp-sign" --verify --pubkey sb.pub.pem "sig-$r" >/dev/null 2>&1 && ok ||
		bad "$r: not signed with sb.pem"
done
"$BIN/esp-imginfo" --check --pubkey sb.pub.pem S.bin >out 2>&1 && ok || bad "imginfo --check: $(cat out)"
"$BIN/esp-imginfo" --check --flash-key key.bin --pubkey sb.pub.pem B.bin >out 2>&1 &&
	grep -qx "no problems" out && ok || bad "imginfo --flash-key --pubkey --check: $(cat out)"
# a prebuilt app already signed is verified, not signed again
region S.bin "$(jq -r '.regions[] | select(.name == "factory") | .offset' S.json)" \
	"$(jq -r '.regions[] | select(.name == "factory") | .data_size' S.json)" signed-app.bin
sed '0,/^elf = app.elf$/s//file = signed-app.bin/' sign.ini >pre.ini
"$BIN/esp-mkflash" --manifest pre.ini -o Q.bin 2>err || bad "prebuilt signed app: $(cat err)"
cmp -s Q.bin S.bin && ok || bad "prebuilt signed app changed"
cp "$SRC/tests/keys/test-only-rsa3072-b.pem" other.pem || exit 1
sed 's/^sign_key = sb.pem$/sign_key = other.pem/' pre.ini >wrong.ini
"$BIN/esp-mkflash" --manifest wrong.ini -o W.bin 2>err
[ $? -eq 1 ] && [ ! -e W.bin ] && ok || bad "a prebuilt app signed with another key was taken"
grep -qF "wrong.ini:16: signed-app.bin is already signed but does not verify with other.pem" err &&
	ok || bad "wrong key message: $(cat err)"
finish
