# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the batch benches: the example's inputs for a per-device batch.
#   batch_inputs DIR BIN MKELF [FILL]: builds the example of configs/factory into DIR
#   (scripts/example.sh), copies its batch manifest there (with `fill = yes` when FILL
#   is 1: 4 MiB images) and writes device-nvs.csv, an NVS partition of 10 keys, 7 of
#   them from the devices CSV's columns.
#   batch_devices N: that devices CSV with N rows, on stdout.
#   batch_ms CMD...: runs CMD, prints the milliseconds it took.
#   batch_min A B: the smaller of two numbers, A empty meaning none yet.

batch_inputs() {
	local d=$1
	OUT=$d BIN=$2 MKELF=$3 bash scripts/example.sh >/dev/null
	cp configs/factory/batch.ini "$d/"
	if [ "${4:-0}" = 1 ]; then
		sed -i 's/^flash_size = 4MB/flash_size = 4MB\nfill = yes/' "$d/batch.ini"
	fi
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
}

batch_devices() {
	local i
	echo "device_id,serial,mac,calib_a,calib_b,region,token,key_id"
	for i in $(seq 1 "$1"); do
		printf 'u%05d,SN-%08d,24dcc3%06x,%d,%d,EU,%s,%d\n' "$i" "$i" "$i" $((i % 200 - 100)) \
			$((i * 37)) "$(printf '%016d' "$i" | base64)" $((i % 60000))
	done
}

batch_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

batch_min() {
	if [ -z "$1" ] || [ "$2" -lt "$1" ]; then echo "$2"; else echo "$1"; fi
}
