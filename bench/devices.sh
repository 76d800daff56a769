#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The devices CSV at its documented limit, and file modes of parallel batches.
#  1. Generates a 1,000,000-row devices CSV (8 columns, ~80 MB) for the example's
#     batch manifest (an NVS partition of 10 keys, 7 of them from the row) and runs
#     esp-mkflash --check on it: every row read, checked for a repeated id, and its NVS
#     partition generated. Prints wall time and peak RSS against the budget (30 s, 1 GiB).
#  2. Builds 2,000 small devices with -j 2 under umask 022, MODE_RUNS times (default
#     10), and counts files not 0644 and directories not 0755 (the umask was once read
#     with umask(0)/umask(m) racing between threads: world-writable images).
# Usage: bench/devices.sh [BIN_DIR] (default build/bin); ROWS=N, MODE_RUNS=N, JOBS=N.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mkelf=${MKELF:-build/tests/mkelf}
rows=${ROWS:-1000000}
runs=${MODE_RUNS:-10}
jobs=${JOBS:-$(nproc)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/batch-inputs.sh
. bench/batch-inputs.sh
d=$tmp/ex
batch_inputs "$d" "$bin" "$mkelf" 0
# rows N FILE
rows() {
	awk -v n="$1" 'BEGIN {
		print "device_id,serial,mac,calib_a,calib_b,region,token,key_id"
		for (i = 1; i <= n; i++)
			printf "u%07d,SN-%08d,24dcc3%06x,%d,%d,EU,MDAwMDAwMDAwMDAwMDAwMQ==,%d\n",
				i, i, i, i % 200 - 100, i * 37, i % 60000
	}' >"$2"
}

# run_measured CMD...: runs CMD, sets wall (seconds) and peak (KiB of resident memory)
run_measured() {
	local t0 t1 pid hwm
	t0=$(date +%s%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$tmp/rss" "$@"
		peak=$(tail -1 "$tmp/rss")
	else
		# VmHWM only grows: its last reading before the process ends is the peak
		"$@" &
		pid=$!
		peak=0
		while hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$pid/status 2>/dev/null); do
			[ -n "$hwm" ] && peak=$hwm
			sleep 0.05
		done
		wait $pid
	fi
	t1=$(date +%s%N)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
}

rows "$rows" "$d/devices.csv"
size=$(stat -c %s "$d/devices.csv")
run_measured "$bin/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" --check \
	-j "$jobs" -o "$tmp/out"
echo "devices CSV: $rows rows, $size bytes; --check -j $jobs, cores: $(nproc)"
echo "wall time: ${wall} s (budget 30 s)"
echo "peak RSS:  $((peak / 1024)) MiB (budget 1024 MiB; $(awk -v p="$peak" -v s="$size" \
	'BEGIN { printf "%.1f", p * 1024 / s }')x the CSV)"

# 2. modes: an image of the bootloader, the table and the NVS partition (52 KiB)
sed -e '/^\[otadata\]/,/^min_rev_full/d' "$d/batch.ini" >"$d/small.ini"
rows 2000 "$d/small.csv"
bad_files=0 bad_dirs=0
for _ in $(seq 1 "$runs"); do
	rm -rf "$tmp/modes"
	(umask 022 && "$bin/esp-mkflash" --manifest "$d/small.ini" --devices "$d/small.csv" -j 2 \
		-o "$tmp/modes")
	f=$(find "$tmp/modes" -mindepth 1 -type f ! -perm 644 | wc -l)
	g=$(find "$tmp/modes" -mindepth 1 -type d ! -perm 755 | wc -l)
	bad_files=$((bad_files + f))
	bad_dirs=$((bad_dirs + g))
done
echo "modes: $runs runs of 2000 devices -j 2 under umask 022:" \
	"$bad_files files not 0644, $bad_dirs directories not 0755"
