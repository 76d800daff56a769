#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times esp-encrypt on a 16 MiB image against `cp` + `sha256sum` of the same bytes and
# prints the ratios: XTS-AES-128 (esp32c3) and XTS-AES-256 (esp32s3), encryption and
# decryption, and the ESP32 scheme (a new AES-256 key schedule every 32 bytes), all at
# flash address 0. Usage: bench/encrypt.sh [BIN_DIR] (default build/bin); RUNS=N runs
# of each (best is kept, default 7).
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
runs=${RUNS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

head -c $((16 << 20)) /dev/urandom >"$tmp/in.bin"
"$bin/esp-encrypt" --keygen --chip esp32c3 -o "$tmp/k128.bin"
"$bin/esp-encrypt" --keygen --chip esp32s3 --key-size 256 -o "$tmp/k256.bin"
"$bin/esp-encrypt" --keygen --chip esp32 -o "$tmp/kesp32.bin"
"$bin/esp-encrypt" --chip esp32c3 --key "$tmp/k128.bin" --address 0 "$tmp/in.bin" \
	-o "$tmp/enc.bin"

# best of N runs: "WALL CPU" in milliseconds (CPU = user + sys, steadier than wall
# clock on a shared machine), each the best of its own
best() {
	local bw=999999 bc=999999 w c
	for _ in $(seq "$runs"); do
		read -r w c < <({ TIMEFORMAT='%3R %3U %3S'; time "$@" >/dev/null; } 2>&1 |
			awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }')
		[ "$w" -lt "$bw" ] && bw=$w
		[ "$c" -lt "$bc" ] && bc=$c
	done
	echo "$bw $bc"
}
enc() { # CHIP KEY [more options]
	local chip=$1 key=$2
	shift 2
	"$bin/esp-encrypt" --chip "$chip" --key "$tmp/$key" --address 0 "$@" "$tmp/in.bin" \
		-o "$tmp/out.bin"
}
dec() { "$bin/esp-encrypt" --decrypt --chip esp32c3 --key "$tmp/k128.bin" --address 0 \
	"$tmp/enc.bin" -o "$tmp/out.bin"; }
base() { cp "$tmp/in.bin" "$tmp/copy.bin" && sha256sum "$tmp/copy.bin"; }

read -r tb cb < <(best base)
line() { # LABEL CMD...: times of CMD and their ratios to cp + sha256sum
	local label=$1 w c
	shift
	read -r w c < <(best "$@")
	awk -v l="$label" -v w="$w" -v c="$c" -v bw="$tb" -v bc="$cb" 'BEGIN {
		if (bw < 1) bw = 1; if (bc < 1) bc = 1
		printf "%-32s %5d ms wall %5d ms cpu   ratio %.2f wall %.2f cpu\n", l, w, c,
			w / bw, c / bc }'
}
echo "input: $(stat -c %s "$tmp/in.bin") bytes, best of $runs"
printf '%-32s %5d ms wall %5d ms cpu\n' "cp + sha256sum" "$tb" "$cb"
line "esp32c3 (XTS-AES-128)" enc esp32c3 k128.bin
line "esp32s3 (XTS-AES-256)" enc esp32s3 k256.bin
line "esp32c3 --decrypt" dec
line "esp32 (AES-256, key per 32 B)" enc esp32 kesp32.bin
