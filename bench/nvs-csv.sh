#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Peak memory of esp-mknvs on 8 MiB generator CSVs of three shapes, against the CSV
# size (target: at most 8x):
#   tiny     a,data,u8,1            the smallest useful row: 12 bytes, one 32-byte item
#   u32      k123456,data,u32,123456  distinct keys and values, about 22 bytes a row
#   string   k12345,data,string,<40 x's>  one item of three entries a row
# The partition size is what the data needs (no padding pages beyond it), so that
# the image in memory is the data's own.
# Usage: bench/nvs-csv.sh [BIN_DIR] (default build/bin); MIB=N for another CSV size.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mib=${MIB:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# peak RSS in KiB of a command: GNU time's %M, else getrusage through python3
peak() {
	if /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null && cat "$tmp/rss"
	else
		python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
	fi
}

# make SHAPE: writes $tmp/SHAPE.csv of $mib MiB; prints its rows and how many fit a
# page (126 entries; a string of 41 bytes takes 3 and must end before the last entry)
make() {
	awk -v shape="$1" -v limit=$((mib << 20)) 'BEGIN {
		out = ENVIRON["T"] "/" shape ".csv"
		s = "key,type,encoding,value\nns,namespace,,\n"
		printf "%s", s > out
		size = length(s)
		x40 = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		for (n = 0; size < limit; n++) {
			if (shape == "tiny") line = "a,data,u8,1"
			else if (shape == "u32") line = sprintf("k%d,data,u32,%d", n, n)
			else line = sprintf("k%d,data,string,%s", n % 100000, x40)
			print line > out
			size += length(line) + 1
		}
		print n, (shape == "string" ? 41 : 126)
	}'
}

export T=$tmp
printf '%-8s %10s %9s %12s %12s %7s\n' shape "CSV bytes" rows "image bytes" "peak KiB" ratio
for shape in tiny u32 string; do
	read -r rows per_page <<<"$(make "$shape")"
	csv=$tmp/$shape.csv
	# the rows and the namespace, rounded up, and the spare page
	pages=$(((rows + 1) / per_page + 2))
	size=$((pages * 4096))
	kib=$(peak "$bin/esp-mknvs" --size "$size" "$csv" -o "$tmp/$shape.bin")
	bytes=$(wc -c <"$csv")
	awk -v s="$shape" -v b="$bytes" -v r="$rows" -v i="$size" -v k="$kib" \
		'BEGIN { printf "%-8s %10d %9d %12d %12d %6.1fx\n", s, b, r, i, k, k * 1024 / b }'
done
