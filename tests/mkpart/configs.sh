#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every configs/partitions/X.ini encodes to the same bytes as its CSV twin X.csv,
# and, where the public vectors exist, to gen_esp32part.py's output for that layout.
# Both pass --strict, alone and with --chip for every chip, and give the same bytes.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
vec=$SHARED/vectors/mkpart/expected
[ -d "$vec" ] ||
	echo "SKIP: configs/partitions against gen_esp32part.py (no $vec; INI = CSV still checked)"
chips=$("$BIN/esp-mkpart" --chip '?' x -o x 2>&1 | sed -n 's/.*(chips: \(.*\))$/\1/p')
[ -n "$chips" ] || { echo "FAIL: no chip list in the --chip error"; fail=1; }
for ini in "$SRC"/configs/partitions/*.ini; do
	base=$(basename "$ini" .ini)
	csv=${ini%.ini}.csv
	if [ ! -f "$csv" ]; then echo "FAIL $base: no CSV twin"; fail=$((fail + 1)); continue; fi
	if ! "$BIN/esp-mkpart" "$ini" -o "$tmp/ini.bin" ||
		! "$BIN/esp-mkpart" "$csv" -o "$tmp/csv.bin"; then
		echo "FAIL $base: encode failed"; fail=$((fail + 1)); continue
	fi
	if ! cmp "$tmp/ini.bin" "$tmp/csv.bin"; then echo "FAIL $base: INI != CSV"; fail=$((fail + 1)); continue; fi
	for f in "$ini" "$csv"; do
		for chip in "" $chips; do
			"$BIN/esp-mkpart" --strict ${chip:+--chip "$chip"} "$f" -o "$tmp/strict.bin" &&
				cmp -s "$tmp/strict.bin" "$tmp/ini.bin" ||
				{ echo "FAIL $base: $(basename "$f") --strict ${chip:+--chip $chip}"; fail=$((fail + 1)); continue 3; }
		done
	done
	golden=$vec/partitions_$base.bin
	if [ ! -f "$golden" ]; then
		[ -d "$vec" ] && echo "SKIP: $base against gen_esp32part.py (no $golden; INI = CSV still checked)"
	elif ! cmp "$tmp/ini.bin" "$golden"; then
		echo "FAIL $base: differs from gen_esp32part.py's $golden"; fail=$((fail + 1)); continue
	fi
	pass=$((pass + 1))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 10 ]
