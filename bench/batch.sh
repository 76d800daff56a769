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

# shellcheck source=bench/batch-inputs.sh
. bench/batch-inputs.sh
d=$tmp/ex
batch_inputs "$d" "$bin" "$mkelf" 1
batch_devices "$n" >"$d/devices.csv"

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
