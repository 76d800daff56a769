#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times a 1000-device batch whose NVS partitions are encrypted (nvs_encryption = flash)
# with keys generated per device (nvs_keys = generate: OUTDIR/<id>/nvs_keys.bin) against
# the same batch unencrypted, and prints the ratio (target: at most 1.3x), the fastest
# of three alternating rounds of each. Same inputs as bench/batch.sh (4 MiB images, a
# 10-key NVS partition per device), the layout with an nvs_keys partition added. Then
# every device's NVS region, cut from FLASH.bin at the layout's offset and size, is
# decoded with its own key file and compared with its row's values.
# Usage: bench/nvs-encrypt-batch.sh [BIN_DIR] (default build/bin); DEVICES=N for another count.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mkelf=${MKELF:-build/tests/mkelf}
n=${DEVICES:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/batch-inputs.sh
. bench/batch-inputs.sh
d=$tmp/ex
batch_inputs "$d" "$bin" "$mkelf" 1
batch_devices "$n" >"$d/devices.csv"
printf '\n[nvs_keys]\ntype = data\nsubtype = nvs_keys\nsize = 4K\nflags = encrypted\n' \
	>>"$d/partitions.ini"
sed 's/^nvs = device-nvs.csv/&\nnvs_encryption = flash\n\n[nvs_keys]\nnvs_keys = generate/' \
	"$d/batch.ini" >"$d/nvsenc.ini"

run() { # run MANIFEST OUTDIR: prints the milliseconds it took
	batch_ms "$bin/esp-mkflash" --manifest "$1" --devices "$d/devices.csv" -o "$2"
}
# alternating rounds, the fastest of each kind: the first run also warms the caches
tp='' te=''
for _ in 1 2 3; do
	rm -rf "$tmp/plain" "$tmp/enc"
	tp=$(batch_min "$tp" "$(run "$d/batch.ini" "$tmp/plain")")
	rm -rf "$tmp/plain"
	te=$(batch_min "$te" "$(run "$d/nvsenc.ini" "$tmp/enc")")
done

# every device: its NVS region decodes with its own key file to its row's values (the
# template with the row filled in; the decoder writes the CSV that regenerates the image)
json_num() { tr -d '\n ' <"$1" | grep -o "\"name\":\"nvs\",\"offset\":[0-9]*,\"size\":[0-9]*" | sed "s/.*\"$2\":\([0-9]*\).*/\1/"; }
off=$(json_num "$tmp/enc/u00001/FLASH.json" offset)
size=$(json_num "$tmp/enc/u00001/FLASH.json" size)
ok=0
while IFS=, read -r id serial mac ca cb region token keyid; do
	[ "$id" = device_id ] && continue
	dd if="$tmp/enc/$id/FLASH.bin" of="$tmp/nvs.bin" bs=4096 skip=$((off / 4096)) \
		count=$((size / 4096)) status=none
	"$bin/esp-mknvs" --decode --key "$tmp/enc/$id/nvs_keys.bin" "$tmp/nvs.bin" -o "$tmp/dec.csv"
	# a base64 value comes back as the hex of its bytes
	hex=$(printf '%s' "$token" | base64 -d | od -An -tx1 -v | tr -d ' \n')
	sed -e "s/\${serial}/$serial/" -e "s/\${mac}/$mac/" -e "s/\${calib_a}/$ca/" \
		-e "s/\${calib_b}/$cb/" -e "s/\${region}/$region/" \
		-e "s/^token,data,base64,\${token}/token,data,hex2bin,$hex/" \
		-e "s/\${key_id}/$keyid/" "$d/device-nvs.csv" >"$tmp/want.csv"
	if grep -v '^#' "$tmp/dec.csv" | cmp -s - "$tmp/want.csv"; then ok=$((ok + 1)); fi
done <"$d/devices.csv"
open=$(find "$tmp/enc" -name nvs_keys.bin ! -perm 600 | wc -l)
listed=$(grep -c ',nvs_keys,' "$tmp/enc/keys.csv")
echo "devices: $n, image: $(stat -c %s "$tmp/enc/u00001/FLASH.bin") bytes each, cores: $(nproc)"
echo "unencrypted batch:             ${tp} ms, $((tp * 1000 / n)) us per device"
echo "encrypted NVS, generated keys: ${te} ms, $((te * 1000 / n)) us per device"
echo "key files not mode 0600:       $open; listed in keys.csv: $listed"
echo "$ok/$n decrypt to their rows"
awk -v a="$te" -v b="$tp" 'BEGIN { if (b < 1) b = 1; printf "ratio encrypted / plain: %.2f\n", a / b }'
[ "$ok" = "$n" ] && [ "$open" = 0 ] && [ "$listed" = "$n" ]
