#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Shards (--shard K/N) and --merge-index: 4 shards as 4 concurrent processes in one
# OUTDIR, merged, equal one unsharded run byte for byte; the merge refuses a missing,
# repeated or altered device, naming it; a device stays in its shard when rows are added.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv "$d/"
mk() { "$BIN/esp-mkflash" "$@"; }
# 40 devices
{
	echo 'device_id,serial,mac,calib_offset,region'
	for i in $(seq -w 1 40); do echo "unit-00$i,ESP-2026-00$i,24dcc3a000$i,$((10#$i - 20)),EU"; done
} >"$d/devices.csv"

mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -j 2 -o "$tmp/one" || bad "unsharded run"
for k in 0 1 2 3; do
	mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -j 1 --shard "$k/4" \
		-o "$tmp/sh" 2>"$tmp/err$k" &
done
fails=0
for k in 0 1 2 3; do wait -n || fails=$((fails + 1)); done
[ $fails -eq 0 ] && ok || bad "a shard failed: $(cat "$tmp"/err?)"
cat "$tmp"/err? | cmp -s - /dev/null && ok || bad "shards were not quiet: $(cat "$tmp"/err?)"
[ ! -e "$tmp/sh/index.csv" ] && [ -f "$tmp/sh/index-3-of-4.csv" ] && ok || bad "shard indexes"
n=0
for k in 0 1 2 3; do n=$((n + $(wc -l <"$tmp/sh/index-$k-of-4.csv") - 1)); done
[ $n -eq 40 ] && ok || bad "the shard indexes hold $n devices, not 40"
mk --devices "$d/devices.csv" --merge-index "$tmp/sh" 2>"$tmp/err" && [ ! -s "$tmp/err" ] && ok ||
	bad "merge: $(cat "$tmp/err")"
cmp -s "$tmp/one/index.csv" "$tmp/sh/index.csv" && ok || bad "merged index.csv != one run's"
same=1
for i in $(seq -w 1 40); do
	for f in FLASH.bin FLASH.json; do
		cmp -s "$tmp/one/unit-00$i/$f" "$tmp/sh/unit-00$i/$f" || same=0
	done
done
[ $same -eq 1 ] && ok || bad "a device differs between the shards and one run"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --merge-index "$tmp/sh" && ok ||
	bad "merge again, with --manifest"

# the same shard twice at once: the second fails at once; an unsharded run too
exec 9>"$tmp/sh/.espgen.lock-1-of-4"
flock -n 9 || bad "cannot take the shard lock"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --shard 1/4 -o "$tmp/sh" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qxF "esp-mkflash: $tmp/sh: another esp-mkflash run is using this directory for this shard" "$tmp/err" &&
	ok || bad "the same shard twice: $(cat "$tmp/err")"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --shard 2/4 -o "$tmp/sh" && ok ||
	bad "another shard beside a running one"
exec 9>&-
exec 9<"$tmp/sh/.espgen.lock"
flock -s -n 9 || bad "cannot take the shared lock"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/sh" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qxF "esp-mkflash: $tmp/sh: another esp-mkflash run is using this directory" "$tmp/err" &&
	ok || bad "an unsharded run beside a shard: $(cat "$tmp/err")"
exec 9<&-

# a shard cleans only its own leftovers: another shard may be building the others
a=$(grep -l '^unit-0001,' "$tmp"/sh/index-?-of-4.csv)
a=${a##*index-}
a=${a%%-of-4.csv}
b=$(((a + 1) % 4))
mkdir "$tmp/sh/.tmp-unit-0001-abcdef"
: >"$tmp/sh/.tmp-unit-0001-abcdef/FLASH.bin"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --shard $b/4 -o "$tmp/sh" || bad "shard $b"
[ -e "$tmp/sh/.tmp-unit-0001-abcdef/FLASH.bin" ] && ok || bad "shard $b removed shard $a's temporary"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --shard "$a/4" -o "$tmp/sh" || bad "shard $a"
[ ! -e "$tmp/sh/.tmp-unit-0001-abcdef" ] && ok || bad "shard $a left its own temporary"

# adding rows moves no device to another shard
cp "$d/devices.csv" "$d/more.csv"
for i in $(seq 41 60); do echo "unit-00$i,ESP-2026-00$i,24dcc3a000$i,1,EU" >>"$d/more.csv"; done
mk --manifest "$d/batch.ini" --devices "$d/more.csv" --shard "$a/4" -o "$tmp/more" || bad "more rows"
cut -d, -f1 "$tmp/sh/index-$a-of-4.csv" >"$tmp/ids-a"
grep -vxF -f "$tmp/ids-a" <(cut -d, -f1 "$tmp/more/index-$a-of-4.csv") |
	grep -qv '^unit-00[4-6]' && bad "a device moved shard" || ok
grep -qxF -f "$tmp/ids-a" <(cut -d, -f1 "$tmp/more/index-$a-of-4.csv") && ok || bad "ids kept"
[ "$(grep -cxF -f "$tmp/ids-a" <(cut -d, -f1 "$tmp/more/index-$a-of-4.csv"))" -eq \
	"$(wc -l <"$tmp/ids-a")" ] && ok || bad "a device left shard $a"

# the merge refuses what is not complete, naming the device, and writes nothing
cp -r "$tmp/sh" "$tmp/m1"
rm "$tmp/m1/index.csv"
rm "$tmp/m1/index-$a-of-4.csv"
mk --devices "$d/devices.csv" --merge-index "$tmp/m1" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/m1/index.csv" ] &&
	grep -qxF "esp-mkflash: $d/devices.csv:2: device unit-0001 is in no shard index" "$tmp/err" &&
	tail -1 "$tmp/err" | grep -q "problems in the shard indexes; no index.csv written$" && ok ||
	bad "a missing shard: $(cat "$tmp/err")"
cp "$tmp/sh/index-$a-of-4.csv" "$tmp/m1/index-$a-of-4.csv"
cp "$tmp/sh/index-$a-of-4.csv" "$tmp/m1/index-$a-of-2.csv"
mk --devices "$d/devices.csv" --merge-index "$tmp/m1" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/m1/index.csv" ] &&
	grep -qxF "esp-mkflash: $tmp/m1/index-$a-of-4.csv:2: device $(sed -n 2p "$tmp/m1/index-$a-of-2.csv" | cut -d, -f1) is also in $tmp/m1/index-$a-of-2.csv" "$tmp/err" &&
	ok || bad "a repeated device: $(cat "$tmp/err")"
rm "$tmp/m1/index-$a-of-2.csv"
printf '\377' | dd of="$tmp/m1/unit-0001/FLASH.bin" bs=1 seek=100 conv=notrunc status=none
rm "$tmp/m1/unit-0002/FLASH.json"
mk --devices "$d/devices.csv" --merge-index "$tmp/m1" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/m1/index.csv" ] &&
	grep -qE "^esp-mkflash: $tmp/m1/index-$a-of-4.csv:[0-9]+: device unit-0001 has a FLASH.bin whose SHA-256 is not the index's$" "$tmp/err" &&
	grep -qE "index-[0-3]-of-4.csv:[0-9]+: device unit-0002 has no FLASH.json$" "$tmp/err" &&
	grep -qxF "esp-mkflash: $tmp/m1: 2 problems in the shard indexes; no index.csv written" "$tmp/err" &&
	ok || bad "altered outputs: $(cat "$tmp/err")"
head -5 "$d/devices.csv" >"$d/fewer.csv"
mk --devices "$d/fewer.csv" --merge-index "$tmp/sh" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qE "index-[0-3]-of-4.csv:[0-9]+: device unit-0005 is not in $d/fewer.csv$" "$tmp/err" &&
	grep -qxF "esp-mkflash: ... 16 more" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -eq 22 ] &&
	ok || bad "a device of no row: $(cat "$tmp/err")"
mkdir "$tmp/empty"
mk --devices "$d/devices.csv" --merge-index "$tmp/empty" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qxF "esp-mkflash: $tmp/empty: holds no shard index (index-K-of-N.csv)" "$tmp/err" &&
	ok || bad "no shard index: $(cat "$tmp/err")"

# generated keys: keys-K-of-N.csv per shard, merged into the one run's keys.csv
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --keygen-per-device -o "$tmp/k1" ||
	bad "keygen run"
for k in 0 1 2 3; do
	mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --keygen-per-device --shard "$k/4" \
		-o "$tmp/k2" || bad "keygen shard $k"
done
[ -f "$tmp/k2/keys-0-of-4.csv" ] && [ ! -e "$tmp/k2/keys.csv" ] && ok || bad "shard key indexes"
mk --devices "$d/devices.csv" --merge-index "$tmp/k2" && cmp -s "$tmp/k1/keys.csv" "$tmp/k2/keys.csv" &&
	ok || bad "merged keys.csv != one run's"
finish
