#!/usr/bin/env bash
# Every configs/partitions/X.ini encodes to the same bytes as its CSV twin X.csv,
# and, where the public vectors exist, to gen_esp32part.py's output for that layout.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
vec=$SHARED/vectors/mkpart/expected
[ -d "$vec" ] ||
	echo "SKIP: configs/partitions against gen_esp32part.py (no $vec; INI = CSV still checked)"
for ini in "$SRC"/configs/partitions/*.ini; do
	base=$(basename "$ini" .ini)
	csv=${ini%.ini}.csv
	if [ ! -f "$csv" ]; then echo "FAIL $base: no CSV twin"; fail=$((fail + 1)); continue; fi
	if ! "$BIN/esp-mkpart" "$ini" -o "$tmp/ini.bin" ||
		! "$BIN/esp-mkpart" "$csv" -o "$tmp/csv.bin"; then
		echo "FAIL $base: encode failed"; fail=$((fail + 1)); continue
	fi
	if ! cmp "$tmp/ini.bin" "$tmp/csv.bin"; then echo "FAIL $base: INI != CSV"; fail=$((fail + 1)); continue; fi
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
