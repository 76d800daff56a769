#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times a 1000-device batch with a new flash-encryption key per device
# (--keygen-per-device) against the same batch unencrypted, and prints the ratio
# (target: at most 1.5x), the fastest of three alternating rounds of each. Same inputs as bench/batch.sh: 4 MiB images, one NVS
# partition of 10 keys per device; the bootloader, table, otadata and both app slots
# are encrypted with each device's key.
# Usage: bench/encrypt-batch.sh [BIN_DIR] (default build/bin); DEVICES=N for another count.
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

run() { # run OUTDIR [OPTION]: prints the milliseconds it took
	batch_ms "$bin/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" \
		"${@:2}" -o "$1"
}
# alternating rounds, the fastest of each kind: the first run also warms the caches
tp='' te=''
for _ in 1 2 3; do
	rm -rf "$tmp/plain" "$tmp/enc"
	tp=$(batch_min "$tp" "$(run "$tmp/plain")")
	rm -rf "$tmp/plain"
	te=$(batch_min "$te" "$(run "$tmp/enc" --keygen-per-device)")
done
size=$(stat -c %s "$tmp/enc/u00001/FLASH.bin")
enc=$(grep -c '"encrypted": true' "$tmp/enc/u00001/FLASH.json")
open=$(find "$tmp/enc" -name flash_key.bin ! -perm 600 | wc -l)
echo "devices: $n, image: $size bytes each, encrypted regions each: $enc, cores: $(nproc)"
echo "unencrypted batch:             ${tp} ms, $((tp * 1000 / n)) us per device"
echo "--keygen-per-device batch:     ${te} ms, $((te * 1000 / n)) us per device"
echo "key files not mode 0600:       $open"
awk -v a="$te" -v b="$tp" 'BEGIN { if (b < 1) b = 1; printf "ratio encrypted / plain: %.2f\n", a / b }'
