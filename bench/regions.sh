#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# --output-mode regions at scale: COUNT devices (default 100000) of bench/batch.sh's
# inputs (4 MiB filled images, a 10-key NVS partition per device) in regions mode, its
# wall time, disk bytes (du -sb) and peak RSS (target: 100,000 devices under 60 s); then
# IMAGES devices (default 1000) in both modes, for the ratio of bytes written, and each
# device's flash_args merged by esp-mkflash compared with its image.
# Usage: bench/regions.sh [BIN_DIR] (default build/bin); COUNT=N, IMAGES=N.
set -eu
cd "$(dirname "$0")/.."
bin=$(cd "${1:-build/bin}" && pwd)
mkelf=${MKELF:-build/tests/mkelf}
n=${COUNT:-100000}
m=${IMAGES:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/batch-inputs.sh
. bench/batch-inputs.sh
d=$tmp/ex
batch_inputs "$d" "$bin" "$mkelf" 1
batch_devices "$n" >"$d/devices.csv"
head -n $((m + 1)) "$d/devices.csv" >"$d/few.csv"

# run CSV MODE OUT: one batch; prints "wall_ms peak_rss_kib"
run() {
	local t0 t1
	t0=$(date +%s%N)
	if /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o "$tmp/rss" "$bin/esp-mkflash" --manifest "$d/batch.ini" \
			--devices "$1" --output-mode "$2" -o "$3"
	else
		python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$bin/esp-mkflash" \
			--manifest "$d/batch.ini" --devices "$1" --output-mode "$2" -o "$3" >"$tmp/rss"
	fi
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000)) $(cat "$tmp/rss")"
}

read -r big_ms big_rss < <(run "$d/devices.csv" regions "$tmp/big")
big_du=$(du -sb "$tmp/big" | cut -f1)
rm -rf "$tmp/big"
read -r reg_ms reg_rss < <(run "$d/few.csv" regions "$tmp/reg")
reg_du=$(du -sb "$tmp/reg" | cut -f1)
read -r img_ms img_rss < <(run "$d/few.csv" image "$tmp/img")
img_du=$(du -sb "$tmp/img" | cut -f1)

# acceptance: every device's flash_args, merged, is its image (the manifest fills: 4MB)
differ=0
for id in $(tail -n +2 "$d/few.csv" | cut -d, -f1); do
	(cd "$tmp/reg/$id" && "$bin/esp-mkflash" --chip esp32c3 @flash_args \
		--fill-flash-size 4MB -o "$tmp/m.bin") && cmp -s "$tmp/m.bin" "$tmp/img/$id/FLASH.bin" ||
		differ=$((differ + 1))
done

echo "cores: $(nproc)"
echo "regions, $n devices: ${big_ms} ms, $big_du bytes on disk, peak RSS $((big_rss / 1024)) MiB"
echo "regions, $m devices: ${reg_ms} ms, $reg_du bytes on disk, peak RSS $((reg_rss / 1024)) MiB"
echo "image,   $m devices: ${img_ms} ms, $img_du bytes on disk, peak RSS $((img_rss / 1024)) MiB"
awk -v a="$reg_du" -v b="$img_du" 'BEGIN { printf "bytes regions / image: %.2f%%\n", 100 * a / b }'
echo "merged flash_args differing from the image: $differ of $m"
