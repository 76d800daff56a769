#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# NVS encryption in batches: a 20-device batch with nvs_keys = generate, where every
# device's NVS region (cut from FLASH.bin by the layout's offset and size) decodes with
# its own OUTDIR/<id>/nvs_keys.bin to its row's values, key files are 0600, keys.csv
# names them and no key byte is in any output or FLASH.json; per-device key files from
# a devices column; generated HMAC keys.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
command -v jq >/dev/null || { echo "SKIP: tests/mkflash/nvsenc-batch.sh (jq is not installed)"; exit 77; }
cd "$tmp" || exit 1
make_inputs "$tmp" || { echo "cannot make inputs"; exit 1; }
mk() { "$BIN/esp-mkflash" "$@"; }
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
printf '\n[nvs_keys]\ntype = data\nsubtype = nvs_keys\nsize = 4K\nflags = encrypted\n' >>partitions.ini
# shellcheck disable=SC2016 # the manifest's placeholders, not the shell's
printf 'key,type,encoding,value\ndev,namespace,,\nserial,data,string,${serial}\ntoken,data,string,${token}\n' >nvs.csv
echo "device_id,serial,token,nvskey" >devices.csv
for i in $(seq -w 1 20); do
	echo "d$i,SER-$i,tok-$i-$RANDOM,keys/d$i.bin" >>devices.csv
done
sed '$a [nvs]\nnvs = nvs.csv\nnvs_encryption = flash\n\n[nvs_keys]\nnvs_keys = generate' \
	factory.ini >gen.ini

mk --manifest gen.ini --devices devices.csv -j 2 --depfile gen.d -o OUT >out 2>err &&
	[ ! -s out ] && [ ! -s err ] && ok || bad "generate batch: $(cat err)"
[ "$(head -1 OUT/keys.csv)" = "device_id,kind,file" ] && ok || bad "keys.csv header"
[ "$(grep -c ',nvs_keys,' OUT/keys.csv)" = 20 ] && ok || bad "keys.csv does not list 20 key files"
decoded=0
while IFS=, read -r id serial token _; do
	[ "$id" = device_id ] && continue
	k=OUT/$id/nvs_keys.bin
	grep -qx "$id,nvs_keys,$id/nvs_keys.bin" OUT/keys.csv && ok || bad "$id: not in keys.csv"
	[ "$(stat -c %a "$k" 2>/dev/null)" = 600 ] && ok || bad "$id: key file missing or not 0600"
	# the NVS partition by the layout's offset and size, as FLASH.json gives them
	read -r noff nlen < <(jq -r '.regions[] | select(.name == "nvs") | "\(.offset) \(.size)"' "OUT/$id/FLASH.json")
	region "OUT/$id/FLASH.bin" "$noff" "$nlen" nvs.bin
	if "$BIN/esp-mknvs" --decode --key "$k" nvs.bin -o dec.csv 2>err &&
		grep -qx "serial,data,string,$serial" dec.csv && grep -qx "token,data,string,$token" dec.csv; then
		decoded=$((decoded + 1))
	else
		bad "$id: NVS does not decode to its row: $(cat err)"
	fi
	h=$(hex "$k")
	grep -qi -e "${h:0:64}" -e "${h:64:64}" out err OUT/*/FLASH.json OUT/*.csv gen.d && bad "$id: key bytes leaked" || ok
done <devices.csv
[ "$decoded" = 20 ] && ok || bad "$decoded/20 decrypt"
grep -q 'keys/' gen.d && bad "depfile lists key files a generating run did not read" || ok

# a rerun replaces the devices: directories holding a generated key are ours
mk --manifest gen.ini --devices devices.csv -o OUT 2>err && ok || bad "rerun: $(cat err)"
# the wrong key is refused, not decoded as garbage
region OUT/d01/FLASH.bin "$noff" "$nlen" nvs.bin
"$BIN/esp-mknvs" --decode --key OUT/d02/nvs_keys.bin nvs.bin -o dec.csv 2>err && bad "d02's key decodes d01" || ok

# per-device key files from a column (recorded in the depfile), and the keys region
# is that file
mkdir keys
for i in $(seq -w 1 20); do "$BIN/esp-mknvs" --keygen -o "keys/d$i.bin" || exit 1; done
# shellcheck disable=SC2016
sed 's/^nvs_keys = generate/nvs_keys = ${nvskey}/' gen.ini >col.ini
mk --manifest col.ini --devices devices.csv --depfile col.d -o COL 2>err && ok || bad "column batch: $(cat err)"
for id in d01 d07 d20; do
	region "COL/$id/FLASH.bin" "$noff" "$nlen" nvs.bin
	"$BIN/esp-mknvs" --decode --key "keys/$id.bin" nvs.bin -o dec.csv 2>err &&
		grep -qx "serial,data,string,SER-${id#d}" dec.csv && ok || bad "$id: column key: $(cat err)"
	read -r koff klen < <(jq -r '.regions[] | select(.name == "nvs_keys") | "\(.offset) \(.size)"' "COL/$id/FLASH.json")
	region "COL/$id/FLASH.bin" "$koff" "$klen" k.bin
	cmp -s k.bin "keys/$id.bin" && ok || bad "$id: keys region is not its key file"
	grep -q "keys/$id.bin" col.d && ok || bad "$id: key file not in the depfile"
	[ "$(jq -r '.regions[] | select(.name == "nvs") | .key_file' "COL/$id/FLASH.json")" = "keys/$id.bin" ] &&
		ok || bad "$id: FLASH.json key_file"
done
[ ! -e COL/keys.csv ] && [ ! -e COL/d01/nvs_keys.bin ] && ok || bad "column batch wrote key files"
# a device's missing key file: its row named, nothing written
rm keys/d05.bin
mk --manifest col.ini --devices devices.csv -o COL2 2>err
[ $? -eq 1 ] && grep -qF "devices.csv:6: device d05: cannot use its nvs_keys keys/d05.bin" err &&
	[ ! -e COL2 ] && ok || bad "missing column key file: $(cat err)"

# generated HMAC keys: OUTDIR/<id>/hmac_key.bin, 32 bytes, 0600, listed as hmac_key
head -4 devices.csv >few.csv
sed '$a [nvs]\nnvs = nvs.csv\nnvs_encryption = hmac\nhmac_key = generate' factory.ini >hm.ini
mk --manifest hm.ini --devices few.csv -o HM 2>err && ok || bad "hmac batch: $(cat err)"
for id in d01 d02 d03; do
	[ "$(stat -c '%a %s' "HM/$id/hmac_key.bin" 2>/dev/null)" = "600 32" ] && ok || bad "$id: hmac_key.bin"
	grep -qx "$id,hmac_key,$id/hmac_key.bin" HM/keys.csv && ok || bad "$id: not in keys.csv"
	region "HM/$id/FLASH.bin" "$noff" "$nlen" nvs.bin
	"$BIN/esp-mknvs" --decode --hmac-key "HM/$id/hmac_key.bin" nvs.bin -o dec.csv 2>err &&
		grep -qx "serial,data,string,SER-${id#d}" dec.csv && ok || bad "$id: hmac decode: $(cat err)"
done
# with --keygen-per-device too, keys.csv lists both kinds; a later run that generates
# no keys removes keys.csv
sed '$a [nvs]\nnvs = nvs.csv\nnvs_encryption = flash\n\n[nvs_keys]\nnvs_keys = generate' \
	factory.ini >kg.ini
mk --manifest kg.ini --devices few.csv --keygen-per-device -o KG 2>err && ok || bad "keygen batch: $(cat err)"
grep -qx "d02,flash_key,d02/flash_key.bin" KG/keys.csv && grep -qx "d02,nvs_keys,d02/nvs_keys.bin" KG/keys.csv &&
	ok || bad "keys.csv with both kinds: $(cat KG/keys.csv)"
# the keys region: the device's keys image, encrypted with the device's flash key
read -r koff klen < <(jq -r '.regions[] | select(.name == "nvs_keys") | "\(.offset) \(.size)"' KG/d02/FLASH.json)
"$BIN/esp-encrypt" --chip esp32c3 --key KG/d02/flash_key.bin --address "$koff" KG/d02/nvs_keys.bin -o kenc.bin &&
	region KG/d02/FLASH.bin "$koff" "$klen" k.bin && cmp -s k.bin kenc.bin && ok ||
	bad "keygen batch: keys region is not esp-encrypt of the device's keys"
sed -i 's/^nvs_keys = generate/nvs_keys = keys\/d01.bin/' kg.ini
mk --manifest kg.ini --devices few.csv -o KG 2>err && [ ! -e KG/keys.csv ] && ok || bad "stale keys.csv kept: $(cat err)"
finish
