#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cli.sh ESP-MKNVS SHARED_DIR OWN_DIR
# Usage errors (exit 2, message, no output), --help/--version, and for every vector
# that has an image: --decode, then generating from that CSV gives the same bytes.
exe=$1 shared=$2 own=$3
# shellcheck source=tests/mknvs/common.sh
. "$(dirname "$0")/common.sh"
printf 'key,type,encoding,value\nns,namespace,,\na,data,u8,1\n' >"$tmp/in.csv"

expect_usage "esp-mknvs: --size 0x3100: size of partition must be multiple of 4096" --size 0x3100 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --size 0: minimum partition size" --size 0 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --size 0x800: size of partition must be multiple of 4096" --size 0x800 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --size -0x1000: minimum partition size" --size -0x1000 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --size: '12k' is not a number" --size 12k "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: no --size given" "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: no output given (-o FILE)" --size 0x3000 "$tmp/in.csv"
expect_usage "esp-mknvs: no input CSV given" --size 0x3000 -o "$tmp/out"
expect_usage "esp-mknvs: --version: '3' is not 1 or 2" --size 0x3000 --version 3 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --version: '1x' is not 1 or 2" --size 0x3000 --version=1x "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: unknown option '--inputkey'" --inputkey k.bin --size 0x3000 "$tmp/in.csv" -o "$tmp/out"
expect_usage "esp-mknvs: --decode takes one NVS image" --decode a.bin b.bin -o "$tmp/out"
expect_usage "esp-mknvs: --size is not used with --decode" --decode --size 0x3000 a.bin -o "$tmp/out"

"$exe" --help | grep -q "^usage: esp-mknvs" || { echo "FAIL: --help"; fail=$((fail + 1)); }
"$exe" --help | grep -q "^      --hmac-key FILE" || { echo "FAIL: --help encryption"; fail=$((fail + 1)); }
"$exe" --version | grep -q "^esp-mknvs (espgen) " || { echo "FAIL: --version"; fail=$((fail + 1)); }
# --version 1 before the input is the format, not the program version
"$exe" --size 0x3000 --version 1 "$tmp/in.csv" -o "$tmp/v1.bin" && [ "$(od -An -tx1 -j8 -N1 "$tmp/v1.bin")" = " ff" ] ||
	{ echo "FAIL: --version 1"; fail=$((fail + 1)); }
# -o - writes the image to stdout; --decode defaults to stdout
"$exe" --size 0x3000 "$tmp/in.csv" -o - >"$tmp/stdout.bin" && "$exe" --size 0x3000 "$tmp/in.csv" -o "$tmp/file.bin" &&
	cmp -s "$tmp/stdout.bin" "$tmp/file.bin" || { echo "FAIL: -o -"; fail=$((fail + 1)); }
"$exe" --decode "$tmp/file.bin" | grep -qx "a,data,u8,1" || { echo "FAIL: --decode to stdout"; fail=$((fail + 1)); }
# two CSVs share the namespace state
printf 'key,type,encoding,value\nb,data,u8,2\n' >"$tmp/in2.csv"
printf 'key,type,encoding,value\nns,namespace,,\na,data,u8,1\nb,data,u8,2\n' >"$tmp/both.csv"
"$exe" --size 0x3000 "$tmp/in.csv" "$tmp/in2.csv" -o "$tmp/two.bin" && "$exe" --size 0x3000 "$tmp/both.csv" -o "$tmp/one.bin" &&
	cmp -s "$tmp/two.bin" "$tmp/one.bin" || { echo "FAIL: two CSVs"; fail=$((fail + 1)); }
# an error keeps an existing output as it was
printf 'keep' >"$tmp/keep"
printf 'key,type,encoding,value\nns,namespace,,\na,data,u8,300\n' >"$tmp/bad.csv"
"$exe" --size 0x3000 "$tmp/bad.csv" -o "$tmp/keep" 2>/dev/null
[ $? -eq 1 ] && [ "$(cat "$tmp/keep")" = keep ] || { echo "FAIL: output touched on error"; fail=$((fail + 1)); }

# round trips: NAME ARGS DIR EXPECTED (ARGS hold --size/--version)
roundtrip() {
	local dir=$1 name=$2 args=$3 bin=$4
	read -ra argv <<<"$args"
	if ! "$exe" --decode "$dir/$bin" -o "$tmp/rt.csv" 2>"$tmp/rt.err"; then
		echo "FAIL: roundtrip $name: decode failed: $(head -c 200 "$tmp/rt.err")"
		fail=$((fail + 1))
		return
	fi
	if ! "$exe" "${argv[@]}" "$tmp/rt.csv" -o "$tmp/rt.bin" 2>"$tmp/rt.err" || ! cmp -s "$tmp/rt.bin" "$dir/$bin"; then
		echo "FAIL: roundtrip $name: $(head -c 200 "$tmp/rt.err")"
		fail=$((fail + 1))
	fi
	rt=$((rt + 1))
}
rt=0
for dir in "$shared/vectors/mknvs" "$own"; do
	[ -f "$dir/cases.tsv" ] || { echo "SKIP: round trips of $dir (no cases.tsv there)"; continue; }
	while IFS=$'\t' read -r name args _ expected rest; do
		case "$name" in name|'') continue ;; esac
		case "$args" in *--decode*) continue ;; esac
		case "$expected" in *.bin) ;; *) continue ;; esac
		# files-more, file-csvdir hold a string with CR from a file: not expressible in CSV
		case "$name" in files-more|file-csvdir) continue ;; esac
		roundtrip "$dir" "$name" "$args" "$expected"
	done <"$dir/cases.tsv"
done
# our own set alone has fewer (the public one is skipped above when shared/ is absent)
min=30
[ -f "$shared/vectors/mknvs/cases.tsv" ] || min=20
[ $rt -gt $min ] || { echo "FAIL: only $rt round trips ran"; fail=$((fail + 1)); }

[ $fail -eq 0 ] && echo "cli.mknvs: all passed ($rt round trips)"
[ $fail -eq 0 ]
