#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CLI contract: --help/--version, usage errors, stdout output, atomic output, determinism.
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
B=$BIN/esp-mkpart
L=$SRC/configs/partitions/two_ota.ini

out=$("$B" --help) && [ "${out%%$'\n'*}" != "" ] && grep -q -- '--decode' <<<"$out" && ok || bad "--help"
out=$("$B" --version) && grep -q '^esp-mkpart (espgen) ' <<<"$out" && ok || bad "--version"
"$B" "$L" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && grep -q 'no output given' "$tmp/err" && ok || bad "missing -o"
"$B" -o "$tmp/x" >/dev/null 2>"$tmp/err"; [ $? -eq 2 ] && grep -q 'no LAYOUT given' "$tmp/err" && ok || bad "missing layout"

# text to stdout
"$B" --decode "$SRC/tests/golden/mkpart/inputs/two_ota.bin" -o - >"$tmp/out.csv" &&
	grep -qx 'ota_1,app,ota_1,0x210000,1M,' "$tmp/out.csv" && ok || bad "-o -"

# an error leaves an existing target unchanged, and no temporary file behind
printf 'keep' >"$tmp/t.bin"
"$B" "$SRC/tests/golden/mkpart/inputs/e-overlap.csv" -o "$tmp/t.bin" 2>/dev/null
[ $? -eq 1 ] && [ "$(cat "$tmp/t.bin")" = keep ] && [ -z "$(find "$tmp" -mindepth 1 -maxdepth 1 -name '*tmp*')" ] && ok || bad "target kept on error"

# output into a missing or read-only directory: exit 1, message names the file
"$B" "$L" -o "$tmp/nodir/t.bin" 2>"$tmp/err"; [ $? -eq 1 ] && grep -q "nodir/t.bin: cannot create" "$tmp/err" && ok || bad "missing dir"
mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	"$B" "$L" -o "$tmp/ro/t.bin" 2>/dev/null; [ $? -eq 1 ] && [ ! -e "$tmp/ro/t.bin" ] && ok || bad "read-only dir"
fi
if [ -w /dev/full ]; then
	"$B" --decode "$SRC/tests/golden/mkpart/inputs/two_ota.bin" -o - >/dev/full 2>"$tmp/err"; [ $? -eq 1 ] && ok || bad "/dev/full"
fi

# deterministic: same bytes in another directory, locale and umask; mode follows umask
(cd "$tmp" && umask 027 && LC_ALL=C.UTF-8 "$B" "$L" -o a.bin) &&
	(cd / && umask 022 && LANG=tr_TR.UTF-8 "$B" "$L" -o "$tmp/b.bin") && cmp -s "$tmp/a.bin" "$tmp/b.bin" &&
	[ "$(stat -c %a "$tmp/a.bin")" = 640 ] && [ "$(stat -c %a "$tmp/b.bin")" = 644 ] && ok || bad "determinism/mode"

finish
