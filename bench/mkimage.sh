#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times esp-mkimage on an ESP32-C3 app ELF of about 8 MiB (app descriptor, 4 MiB DROM,
# 4 MiB IROM, some IRAM/DRAM) against `sha256sum` of the image it writes, and reports
# esp-mkimage's peak memory (max RSS). Target (issue 3): at most 2x sha256sum.
#   bench/mkimage.sh [BIN_DIR [TEST_BIN_DIR]]   (default build/bin, build/tests)
# RUNS=N sets the number of runs (best of N, default 9). Needs build/tests/mkelf.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
tbin=${2:-build/tests}
runs=${RUNS:-9}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mib=$((1 << 20))
"$tbin/mkelf" "$tmp/app.elf" --entry 0x40380000 \
	--section ".flash.appdesc,0x3C000020,256,progbits,16,desc" \
	--section ".flash.rodata,0x3C000120,$((4 * mib - 256))" \
	--section ".iram0.vectors,0x40380000,0x400" \
	--section ".iram0.text,0x40380400,0xfc00" \
	--section ".dram0.data,0x3FC88000,0x4000" \
	--section ".dram0.bss,0x3FC8C000,0x8000,nobits" \
	--section ".flash.text,0x42010020,$((4 * mib))"
mk() { "$bin/esp-mkimage" --chip esp32c3 --flash-size 16MB "$tmp/app.elf" -o "$tmp/app.bin"; }
sum() { sha256sum "$tmp/app.bin"; }
mk
elf_size=$(stat -c %s "$tmp/app.elf")
img_size=$(stat -c %s "$tmp/app.bin")

# best of N: wall-clock time and CPU time (user + sys), in microseconds, from bash's
# `time` (getrusage). Inputs are in the page cache after the first run. On a busy
# machine the CPU ratio is the steadier of the two.
best() {
	local bw=999999999 bc=999999999 w u s t
	local TIMEFORMAT='%3R %3U %3S'
	for _ in $(seq "$runs"); do
		t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
		read -r w u s <<<"$t"
		w=$(awk -v w="$w" 'BEGIN { printf "%d", w * 1e6 }')
		t=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1e6 }')
		[ "$w" -lt "$bw" ] && bw=$w
		[ "$t" -lt "$bc" ] && bc=$t
	done
	echo "$bw $bc"
}
read -r tm cm <<<"$(best mk)"
read -r ts cs <<<"$(best sum)"
# the same with glibc's malloc asking for transparent huge pages (madvise): most of
# esp-mkimage's system time is page faults on fresh buffers (see bench/RESULTS.md)
thp() { GLIBC_TUNABLES=glibc.malloc.hugetlb=1 mk; }
read -r th ch <<<"$(best thp)"

# peak memory: GNU time's %M (max RSS, KiB), else getrusage through python3
if [ -x /usr/bin/time ]; then
	rss=$(/usr/bin/time -f %M "$bin/esp-mkimage" --chip esp32c3 --flash-size 16MB \
		"$tmp/app.elf" -o "$tmp/app.bin" 2>&1 >/dev/null | tail -1)
else
	rss=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$bin/esp-mkimage" --chip esp32c3 --flash-size 16MB "$tmp/app.elf" -o "$tmp/app.bin")
fi

ms() { awk -v t="$1" 'BEGIN { printf "%.1f ms", t / 1000 }'; }
echo "ELF:   $elf_size bytes"
echo "image: $img_size bytes"
echo "esp-mkimage, best of $runs:         wall $(ms "$tm"), cpu $(ms "$cm")"
echo "  with GLIBC_TUNABLES=glibc.malloc.hugetlb=1: wall $(ms "$th"), cpu $(ms "$ch")"
echo "sha256sum of the image, best of $runs: wall $(ms "$ts"), cpu $(ms "$cs")"
awk -v a="$tm" -v b="$ts" -v c="$cm" -v d="$cs" -v e="$th" -v f="$ch" -v r="$rss" -v s="$img_size" 'BEGIN {
	if (b < 1) b = 1; if (d < 1) d = 1
	printf "ratio esp-mkimage / sha256sum: wall %.2f, cpu %.2f (target <= 2.00)\n", a / b, c / d
	printf "  with malloc huge pages:       wall %.2f, cpu %.2f\n", e / b, f / d
	printf "peak memory (max RSS): %d KiB = %.2f x the image size\n", r, r * 1024 / s }'
