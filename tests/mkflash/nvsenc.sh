#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# NVS encryption in the manifest, one image at a time: with nvs_encryption = flash the
# NVS region is esp-mknvs --encrypt of the same CSV with the same keys and the nvs_keys
# region is the keys image (esp-encrypt of it at its address when the manifest has a
# flash-encryption key); with hmac the NVS region is esp-mknvs --encrypt --hmac-key.
# Generated keys land beside FLASH.bin, mode 0600, and no key byte is ever printed or
# put in FLASH.json.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: tests/mkflash/nvsenc.sh (jq is not installed)"; exit 77; }
cd "$tmp" || exit 1
make_inputs "$tmp" || { echo "cannot make inputs"; exit 1; }
mk() { "$BIN/esp-mkflash" "$@"; }
printf '\n[nvs_keys]\ntype = data\nsubtype = nvs_keys\nsize = 4K\nflags = encrypted\n' >>partitions.ini
printf 'key,type,encoding,value\nwifi,namespace,,\nssid,data,string,factory-net\npsk,data,string,s3cret-pass\nboot,data,u8,7\n' >nvs.csv
"$BIN/esp-mknvs" --keygen -o keys.bin || exit 1
"$BIN/esp-encrypt" --keygen --chip esp32c3 -o fe.bin || exit 1
head -c 32 /dev/urandom >hk.bin
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }

# cut IMAGE JSON NAME OUT: the region NAME of IMAGE, by the offset and size FLASH.json gives
cut_region() {
	local off len
	read -r off len < <(jq -r ".regions[] | select(.name == \"$3\") | \"\\(.offset) \\(.size)\"" "$2")
	[ -n "$off" ] || return 1
	region "$1" "$off" "$len" "$4"
}
# no_key_leak KEYFILE FILE...: none of the key's 32-byte halves in hex in any FILE
no_key_leak() {
	local k=$1 h
	shift
	h=$(hex "$k")
	for part in "${h:0:64}" "${h:64:64}"; do
		[ -n "$part" ] || continue
		grep -qi "$part" "$@" && return 1
	done
	return 0
}

# flash scheme, shared keys file, no flash encryption: the keys region stays plaintext
sed '$a [nvs]\nnvs = nvs.csv\nnvs_encryption = flash\n\n[nvs_keys]\nnvs_keys = keys.bin' \
	factory.ini >a.ini
mk --manifest a.ini --depfile a.d -o A.bin >out 2>err && [ ! -s out ] && [ ! -s err ] && ok ||
	bad "flash scheme: $(cat err)"
"$BIN/esp-mknvs" --size 0x4000 --encrypt --key keys.bin nvs.csv -o ref.bin || bad "esp-mknvs --encrypt"
cut_region A.bin A.json nvs a-nvs && cmp -s a-nvs ref.bin && ok || bad "flash: NVS region is not esp-mknvs --encrypt"
cut_region A.bin A.json nvs_keys a-keys && cmp -s a-keys keys.bin && ok || bad "flash: nvs_keys region is not the keys image"
[ "$(jq -r '.regions[] | select(.name == "nvs") | "\(.nvs_encryption) \(.key_file)"' A.json)" = "flash keys.bin" ] &&
	ok || bad "flash: FLASH.json does not name the scheme and key file"
grep -q 'keys\.bin' a.d && ok || bad "depfile lacks keys.bin"
no_key_leak keys.bin A.json out err && ok || bad "flash: key bytes in FLASH.json or output"

# with flash_encryption_key the keys region is esp-encrypt of the keys image at its
# address; the NVS region is not flash-encrypted (NVS has its own encryption)
sed '/^layout = /a flash_encryption_key = fe.bin' a.ini >b.ini
mk --manifest b.ini -o B.bin >out 2>err && [ ! -s out ] && [ ! -s err ] && ok ||
	bad "flash scheme with flash encryption: $(cat err)"
cut_region B.bin B.json nvs b-nvs && cmp -s b-nvs ref.bin && ok || bad "flash+fe: NVS region"
off=$(jq -r '.regions[] | select(.name == "nvs_keys") | .offset' B.json)
"$BIN/esp-encrypt" --chip esp32c3 --key fe.bin --address "$off" keys.bin -o keys-enc.bin ||
	bad "esp-encrypt of the keys"
cut_region B.bin B.json nvs_keys b-keys && cmp -s b-keys keys-enc.bin && ok ||
	bad "flash+fe: nvs_keys region is not esp-encrypt of the keys image"
[ "$(jq -r '.regions[] | select(.name == "nvs_keys") | .encrypted' B.json)" = true ] && ok ||
	bad "flash+fe: nvs_keys region not marked encrypted"
no_key_leak keys.bin B.json out err && ok || bad "flash+fe: key bytes in FLASH.json or output"

# hmac scheme: the NVS region is esp-mknvs --encrypt --hmac-key; the layout's nvs_keys
# partition has no section and is left alone
sed '$a [nvs]\nnvs = nvs.csv\nnvs_encryption = hmac\nhmac_key = hk.bin' factory.ini >c.ini
mk --manifest c.ini -o C.bin >out 2>err && [ ! -s out ] && [ ! -s err ] && ok || bad "hmac scheme: $(cat err)"
"$BIN/esp-mknvs" --size 0x4000 --encrypt --hmac-key hk.bin nvs.csv -o ref-h.bin || bad "esp-mknvs --hmac-key"
cut_region C.bin C.json nvs c-nvs && cmp -s c-nvs ref-h.bin && ok || bad "hmac: NVS region is not esp-mknvs --encrypt --hmac-key"
jq -e '.regions[] | select(.name == "nvs_keys")' C.json >/dev/null && bad "hmac: nvs_keys region filled" || ok
[ "$(jq -r '.regions[] | select(.name == "nvs") | .nvs_encryption' C.json)" = hmac ] && ok || bad "hmac: FLASH.json scheme"
no_key_leak hk.bin C.json out err && ok || bad "hmac: key bytes in FLASH.json or output"

# generated keys, single build: FLASH.nvs_keys.bin / FLASH.hmac_key.bin, mode 0600
sed 's/^nvs_keys = keys.bin/nvs_keys = generate/' a.ini >g.ini
mk --manifest g.ini -o G.bin >out 2>err && [ ! -s out ] && [ ! -s err ] && ok || bad "generate: $(cat err)"
[ "$(stat -c %a G.nvs_keys.bin 2>/dev/null)" = 600 ] && [ "$(stat -c %s G.nvs_keys.bin)" = 4096 ] &&
	ok || bad "generate: G.nvs_keys.bin missing or not 0600"
cut_region G.bin G.json nvs g-nvs && "$BIN/esp-mknvs" --decode --key G.nvs_keys.bin g-nvs -o g.csv &&
	diff <(grep -v '^#' g.csv) nvs.csv >/dev/null && ok || bad "generate: NVS does not decode to the CSV"
cut_region G.bin G.json nvs_keys g-keys && cmp -s g-keys G.nvs_keys.bin && ok || bad "generate: keys region"
[ "$(jq -r '.regions[] | select(.name == "nvs") | .key_file' G.json)" = G.nvs_keys.bin ] && ok ||
	bad "generate: FLASH.json key_file"
no_key_leak G.nvs_keys.bin G.json out err && ok || bad "generate: key bytes in FLASH.json or output"
cp G.nvs_keys.bin g1.bin
mk --manifest g.ini -o G.bin || bad "generate again"
cmp -s g1.bin G.nvs_keys.bin && bad "generate: the same keys twice" || ok

sed 's/^hmac_key = hk.bin/hmac_key = generate/' c.ini >h.ini
mk --manifest h.ini -o H.bin >out 2>err && [ ! -s out ] && [ ! -s err ] && ok || bad "hmac generate: $(cat err)"
[ "$(stat -c %a H.hmac_key.bin 2>/dev/null)" = 600 ] && [ "$(stat -c %s H.hmac_key.bin)" = 32 ] &&
	ok || bad "hmac generate: H.hmac_key.bin missing, not 0600 or not 32 bytes"
"$BIN/esp-mknvs" --size 0x4000 --encrypt --hmac-key H.hmac_key.bin nvs.csv -o ref-hg.bin &&
	cut_region H.bin H.json nvs h-nvs && cmp -s h-nvs ref-hg.bin && ok || bad "hmac generate: NVS region"
no_key_leak H.hmac_key.bin H.json out err && ok || bad "hmac generate: key bytes in FLASH.json or output"

# a failed build writes none of the three files
rm -f G.bin G.json G.nvs_keys.bin
sed 's/^ssid,data,string,.*/ssid,data,string,x/; $a bad,data,u8,300' nvs.csv >bad.csv
sed 's/^nvs = nvs.csv/nvs = bad.csv/' g.ini >gb.ini
mk --manifest gb.ini -o G.bin 2>/dev/null && bad "bad CSV built" || ok
[ ! -e G.bin ] && [ ! -e G.json ] && [ ! -e G.nvs_keys.bin ] && ok || bad "a failed build left files"
finish
