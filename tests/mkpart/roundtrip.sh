#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# encode -> decode -> encode gives the same bytes, through both text forms, with and
# without the MD5 row, for the bundled layouts and our own golden inputs.
set -u
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for src in "$SRC"/configs/partitions/*.ini "$SRC"/configs/partitions/*.csv \
	"$SRC"/tests/golden/mkpart/inputs/p-*.csv; do
	for md5 in "" --no-md5; do
		for fmt in csv ini; do
			name="$(basename "$src") $md5 $fmt"
			# shellcheck disable=SC2086
			if ! "$BIN/esp-mkpart" $md5 "$src" -o "$tmp/a.bin" 2>/dev/null; then
				continue # layouts needing options (bootloader entries) are covered elsewhere
			fi
			# shellcheck disable=SC2086
			if ! "$BIN/esp-mkpart" --decode $md5 --format $fmt "$tmp/a.bin" -o "$tmp/t.$fmt" ||
				! "$BIN/esp-mkpart" $md5 "$tmp/t.$fmt" -o "$tmp/b.bin" ||
				! "$BIN/esp-mkpart" --decode $md5 --format $fmt "$tmp/b.bin" -o "$tmp/t2.$fmt" ||
				! cmp -s "$tmp/a.bin" "$tmp/b.bin" || ! cmp -s "$tmp/t.$fmt" "$tmp/t2.$fmt"; then
				echo "FAIL $name"; fail=$((fail + 1))
			else
				pass=$((pass + 1))
			fi
		done
	done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 40 ]
