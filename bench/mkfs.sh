#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkfs against ESP-IDF's Python generators on a tree of 500 files (50 directories of
# 10, 100 to 1400 bytes each): a 1 MiB SPIFFS image (spiffsgen.py) and a 4 MiB FAT image
# with wear levelling and long names (wl_fatfsgen.py). Target: at least 20x faster.
# espgen's time is the best of 5 runs, the generators' the best of 3: wall-clock time
# (espgen's includes the fsync of its output, which the generators do not do) and CPU
# time (user + system), the steadier one on a loaded machine.
# Usage: bench/mkfs.sh [BIN_DIR] [ESP_IDF_PATH] (or ESP_IDF_PATH in the environment); with
# no ESP-IDF tree, or a python3 without the generators' modules, only espgen is timed.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
idf=${2:-${ESP_IDF_PATH:-}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT='%R %U %S'

# the tree: same names and contents on every run
tree=$tmp/www
python3 - "$tree" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(50):
    os.makedirs('%s/d%02d' % (root, d))
    for f in range(10):
        n = d * 10 + f
        with open('%s/d%02d/file_%03d.txt' % (root, d, n), 'wb') as out:
            out.write(bytes((n * 7 + i) % 251 for i in range(100 + n * 29 % 1300)))
PY
echo "tree: $(find "$tree" -type f | wc -l) files, $(du -sb "$tree" | cut -f1) bytes"

# best N CMD...: the least wall-clock and the least CPU time of N runs of CMD, in
# seconds, on stdout ("WALL CPU")
best() {
	local n=$1 t
	shift
	for _ in $(seq "$n"); do
		t=$({ time "$@" >/dev/null 2>"$tmp/err"; } 2>&1) ||
			{ echo "FAIL: $*: $(tail -1 "$tmp/err")" >&2; exit 1; }
		echo "$t"
	done | awk 'NR == 1 || $1 < w { w = $1 } NR == 1 || $2 + $3 < c { c = $2 + $3 }
		END { printf "%.3f %.3f\n", w, c }'
}

ours_spiffs=$(best 5 "$bin/esp-mkfs" --type spiffs --size 0x100000 "$tree" -o "$tmp/s.bin")
ours_fat=$(best 5 "$bin/esp-mkfs" --type fat --size 0x400000 --wear-levelling --long-names \
	"$tree" -o "$tmp/f.bin")

theirs_spiffs='' theirs_fat=''
spiffsgen=$idf/components/spiffs/spiffsgen.py
fatgen=$idf/components/fatfs/wl_fatfsgen.py
if [ -z "$idf" ]; then
	echo "note: no ESP-IDF tree given (argument or ESP_IDF_PATH): the generators are not timed"
else
	if [ -f "$spiffsgen" ]; then
		theirs_spiffs=$(best 3 python3 "$spiffsgen" 0x100000 "$tree" "$tmp/ps.bin")
	else
		echo "note: no $spiffsgen"
	fi
	if [ ! -f "$fatgen" ]; then
		echo "note: no $fatgen"
	elif ! why=$(cd "$(dirname "$fatgen")" && python3 -c 'import wl_fatfsgen' 2>&1); then
		echo "note: wl_fatfsgen.py does not load in this python3 (not timed): $(echo "$why" | tail -1)"
	else
		theirs_fat=$(best 3 python3 "$fatgen" "$tree" --output_file "$tmp/pf.bin" \
			--partition_size 0x400000 --long_name_support --use_default_datetime)
	fi
fi

row() { # row WHAT "OURS_WALL OURS_CPU" ["THEIRS_WALL THEIRS_CPU"]
	awk -v w="$1" -v o="$2" -v t="$3" 'BEGIN {
		split(o, a, " "); split(t, b, " ")
		if (t == "") {
			printf "%-26s %7.3f s %7.3f s %9s %9s %7s %7s\n", w, a[1], a[2], "-", "-", "-", "-"
			exit
		}
		# a CPU time under the clock tick reads 0: count it as one tick
		c = a[2] > 0.005 ? a[2] : 0.005
		printf "%-26s %7.3f s %7.3f s %7.3f s %7.3f s %6.1fx %6.1fx\n", w, a[1], a[2], b[1], b[2],
			b[1] / a[1], b[2] / c
	}'
}
printf '%-26s %9s %9s %9s %9s %7s %7s\n' image "espgen" "(cpu)" generator "(cpu)" wall cpu
row "SPIFFS 1 MiB" "$ours_spiffs" "$theirs_spiffs"
row "FAT 4 MiB, wear levelling" "$ours_fat" "$theirs_fat"
