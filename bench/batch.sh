#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times a 1000-device batch (4 MiB images, one NVS partition with 10 keys per device)
# against cp of 1000 files of the same size, and prints the ratio.
# Usage: bench/batch.sh [BIN_DIR] (default build/bin); DEVICES=N for another count.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mkelf=${MKELF:-build/tests/mkelf}
n=${DEVICES:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

OUT=$tmp/ex BIN=$bin MKELF=$mkelf bash scripts/example.sh >/dev/null
d=$tmp/ex
cp configs/factory/batch.ini "$d/"
sed -i 's/^flash_size = 4MB/flash_size = 4MB\nfill = yes/' "$d/batch.ini"
cat >"$d/device-nvs.csv" <<'CSV'
key,type,encoding,value
factory,namespace,,
serial,data,string,${serial}
mac,data,hex2bin,${mac}
calib_a,data,i16,${calib_a}
calib_b,data,i32,${calib_b}
region,data,string,${region}
hw_rev,data,u8,3
batch,data,u32,20261124
token,data,base64,${token}
key_id,data,u16,${key_id}
model,data,string,ESP-DEMO
CSV
{
	echo "device_id,serial,mac,calib_a,calib_b,region,token,key_id"
	for i in $(seq 1 "$n"); do
		printf 'u%05d,SN-%08d,24dcc3%06x,%d,%d,EU,%s,%d\n' "$i" "$i" "$i" $((i % 200 - 100)) \
			$((i * 37)) "$(printf '%016d' "$i" | base64)" $((i % 60000))
	done
} >"$d/devices.csv"

t0=$(date +%s%N)
"$bin/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/out"
t1=$(date +%s%N)
size=$(stat -c %s "$tmp/out/u00001/FLASH.bin")
cp "$tmp/out/u00001/FLASH.bin" "$tmp/ref.bin"
mkdir "$tmp/cp"
t2=$(date +%s%N)
for i in $(seq 1 "$n"); do cp "$tmp/ref.bin" "$tmp/cp/$i.bin"; done
sync -f "$tmp/cp"
t3=$(date +%s%N)
tb=$(((t1 - t0) / 1000000))
tc=$(((t3 - t2) / 1000000))
echo "devices: $n, image: $size bytes each, cores: $(nproc)"
echo "esp-mkflash --devices: ${tb} ms total, $((tb * 1000 / n)) us per device"
echo "cp of $n files:        ${tc} ms"
awk -v a="$tb" -v b="$tc" 'BEGIN { if (b < 1) b = 1; printf "ratio batch / cp: %.2f\n", a / b }'
