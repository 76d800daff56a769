#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times esp-mkflash building a 16 MiB factory image against `cp` + `sha256sum` of
# the same number of bytes, and prints the ratio. Usage: bench/mkflash.sh [BIN_DIR]
# (default build/bin). Needs build/tests/mkelf (built with the tests).
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mkelf=${MKELF:-build/tests/mkelf}
runs=${RUNS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# inputs: the example's bootloader and app, a 16 MiB layout, a 12 MiB data partition
OUT=$tmp/ex BIN=$bin MKELF=$mkelf bash scripts/example.sh >/dev/null
d=$tmp/ex
head -c $((12 << 20)) /dev/urandom >"$d/storage.bin"
cat >"$d/partitions.ini" <<'INI'
[nvs]
type = data
subtype = nvs
size = 16K
[otadata]
type = data
subtype = ota
size = 8K
[phy_init]
type = data
subtype = phy
size = 4K
[factory]
type = app
subtype = factory
size = 1M
[ota_0]
type = app
subtype = ota_0
size = 1M
[ota_1]
type = app
subtype = ota_1
size = 1M
[storage]
type = data
subtype = fat
size = 12M
INI
sed -i 's/^flash_size = 4MB/flash_size = 16MB\nfill = yes/' "$d/factory.ini"
printf '\n[storage]\nfile = storage.bin\n' >>"$d/factory.ini"
"$bin/esp-mkflash" --manifest "$d/factory.ini" -o "$d/FLASH.bin"
size=$(stat -c %s "$d/FLASH.bin")
cp "$d/FLASH.bin" "$tmp/ref.bin"

# best of N wall-clock times, in milliseconds
best() {
	local b=999999 t0 t1
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		t=$(((t1 - t0) / 1000000))
		[ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
mk() { "$bin/esp-mkflash" --manifest "$d/factory.ini" -o "$d/FLASH.bin"; }
base() { cp "$tmp/ref.bin" "$tmp/copy.bin" && sha256sum "$tmp/copy.bin"; }
merge() { "$bin/esp-mkflash" --chip esp32c3 --pad-to-size 16MB 0x10000 "$tmp/ref.bin" -o "$tmp/m.bin"; }
tm=$(best mk)
tb=$(best base)
tg=$(best merge)
echo "image: $size bytes"
echo "esp-mkflash --manifest (16 MiB, fill): ${tm} ms"
echo "esp-mkflash merge form (16 MiB file):  ${tg} ms"
echo "cp + sha256sum of the same bytes:      ${tb} ms"
awk -v a="$tm" -v b="$tb" -v c="$tg" 'BEGIN { if (b < 1) b = 1;
	printf "ratio manifest / (cp + sha256sum): %.2f\nratio merge / (cp + sha256sum):    %.2f\n", a / b, c / b }'
