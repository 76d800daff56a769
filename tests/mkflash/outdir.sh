#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OUTDIR of a batch is shared with whatever else is there: files keep the umask's mode
# for any -j, a link in it never leads a removal out of it, a second run on it fails at
# once, a device id never replaces what an earlier run did not write, and a failed sync
# fails the run.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv \
	"$SRC"/configs/factory/devices.csv "$d/"
mk() { "$BIN/esp-mkflash" --manifest "$d/batch.ini" "$@"; }
# devices N FILE: N rows in the shape of the example's devices.csv
devices() {
	awk -v n="$1" 'BEGIN { print "device_id,serial,mac,calib_offset,region"
		for (i = 1; i <= n; i++) printf "u%05d,SN-%08d,24dcc3%06x,%d,EU\n", i, i, i, i % 50 }' >"$2"
}

# 1. modes under umask 022 with two threads: files 0644, directories 0755 (the umask
#    was once read with umask(0)/umask(m) from every thread, leaving files 0666)
devices 300 "$tmp/many.csv"
(umask 022 && mk --devices "$tmp/many.csv" -j 2 -o "$tmp/modes") || bad "batch of 300"
modes=$(find "$tmp/modes" -mindepth 1 -type f ! -name .espgen.lock -printf '%m\n' | sort | uniq -c)
[ "$modes" = "$(printf '%7d 644' 601)" ] && ok || bad "file modes under umask 022: $modes"
dmodes=$(find "$tmp/modes" -mindepth 1 -type d -printf '%m\n' | sort -u)
[ "$dmodes" = 755 ] && ok || bad "directory modes under umask 022: $dmodes"

# 2. a '.tmp-*' link to another directory: nothing there is removed, the link stays
mkdir -p "$tmp/victim" "$tmp/o2"
echo keep >"$tmp/victim/FLASH.bin"
echo keep >"$tmp/victim/notes"
ln -s "$tmp/victim" "$tmp/o2/.tmp-unit-0001-abcdef"
mk --devices "$d/devices.csv" -o "$tmp/o2" 2>"$tmp/err" || bad "run with a .tmp- link: $(cat "$tmp/err")"
[ "$(cat "$tmp/victim/FLASH.bin" "$tmp/victim/notes" 2>/dev/null)" = "$(printf 'keep\nkeep')" ] &&
	[ -L "$tmp/o2/.tmp-unit-0001-abcdef" ] && ok || bad "the .tmp- link led a removal outside OUTDIR"
grep -qF "o2: warning: .tmp-unit-0001-abcdef is not a directory esp-mkflash made; left as it is" \
	"$tmp/err" && ok || bad "no warning for the link: $(cat "$tmp/err")"
# a stale directory holding a link named like a device file: the link goes, its target stays
mkdir "$tmp/o2/.tmp-unit-0002-abcdef"
ln -s "$tmp/victim/notes" "$tmp/o2/.tmp-unit-0002-abcdef/FLASH.json"
mk --devices "$d/devices.csv" -o "$tmp/o2" 2>/dev/null || bad "rerun over a stale directory"
[ ! -e "$tmp/o2/.tmp-unit-0002-abcdef" ] && [ -f "$tmp/victim/notes" ] && ok ||
	bad "stale directory not removed, or its link followed"

# 3. a second run on a locked OUTDIR fails at once and touches nothing
cp -r "$tmp/o2" "$tmp/o3"
exec 9>"$tmp/o3/.espgen.lock"
flock -n 9 || bad "cannot take the lock for the test"
before=$(cd "$tmp/o3" && find . -printf '%p %s %T@\n' | sort)
timeout 20 "$BIN/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o3" \
	2>"$tmp/err"
rc=$?
exec 9>&-
[ $rc -eq 1 ] && grep -qxF "esp-mkflash: $tmp/o3: another esp-mkflash run is using this directory" \
	"$tmp/err" && ok || bad "locked OUTDIR: exit $rc, $(cat "$tmp/err")"
[ "$(cd "$tmp/o3" && find . -printf '%p %s %T@\n' | sort)" = "$before" ] && ok ||
	bad "a run on a locked OUTDIR changed it"
# two runs at once: one builds, the other fails at once; the built devices are whole
devices 200 "$tmp/two.csv"
mk --devices "$tmp/two.csv" -j 1 -o "$tmp/o4" 2>"$tmp/e1" &
p1=$!
sleep 0.2
mk --devices "$tmp/two.csv" -j 1 -o "$tmp/o4" 2>"$tmp/e2"
rc2=$?
wait $p1
rc1=$?
[ $((rc1 + rc2)) -eq 1 ] && grep -qF "another esp-mkflash run is using this directory" "$tmp/e1" "$tmp/e2" &&
	ok || bad "two runs: exits $rc1 $rc2: $(cat "$tmp/e1" "$tmp/e2")"
[ "$(find "$tmp/o4" -name FLASH.bin | wc -l)" -eq 200 ] &&
	[ "$(find "$tmp/o4" -name FLASH.json | wc -l)" -eq 200 ] && ok || bad "two runs: devices lost files"

# 4. a device id naming something the run did not make: refused before anything is built
mkdir -p "$tmp/o5/keys"
echo secret >"$tmp/o5/keys/k.pem"
{ head -1 "$d/devices.csv"; echo 'keys,ESP-1,24dcc3a00001,1,EU'; echo 'other,ESP-2,24dcc3a00002,1,EU'; } \
	>"$tmp/keys.csv"
mk --devices "$tmp/keys.csv" -o "$tmp/o5" 2>"$tmp/err"
[ $? -eq 1 ] && [ "$(cat "$tmp/o5/keys/k.pem")" = secret ] && [ ! -e "$tmp/o5/other" ] &&
	[ ! -e "$tmp/o5/index.csv" ] && ok || bad "id 'keys' replaced a directory or built others"
grep -qF "keys.csv:2: device id 'keys': $tmp/o5/keys exists and is not this device's output of an earlier esp-mkflash run" \
	"$tmp/err" && ok || bad "id 'keys' message: $(cat "$tmp/err")"
# a file, a link, and a device directory with one more file are not replaced either
for what in file link extra; do
	rm -rf "$tmp/o6"
	mk --devices "$d/devices.csv" -o "$tmp/o6" || bad "$what: first run"
	case $what in
	file) rm -r "$tmp/o6/unit-0002" && echo x >"$tmp/o6/unit-0002" ;;
	link) rm -r "$tmp/o6/unit-0002" && ln -s "$tmp/victim" "$tmp/o6/unit-0002" ;;
	extra) echo x >"$tmp/o6/unit-0002/notes" ;;
	esac
	mk --devices "$d/devices.csv" -o "$tmp/o6" 2>"$tmp/err"
	[ $? -eq 1 ] && grep -qF "devices.csv:3: device id 'unit-0002'" "$tmp/err" && ok ||
		bad "$what: not refused: $(cat "$tmp/err")"
done
[ -f "$tmp/victim/notes" ] && [ -f "$tmp/o6/unit-0002/notes" ] && ok || bad "refused names were touched"
# a device directory of an earlier run for another id is not this device's
rm -rf "$tmp/o7"
mk --devices "$d/devices.csv" -o "$tmp/o7" || bad "first run for the swap"
mv "$tmp/o7/unit-0001" "$tmp/o7/x" && mv "$tmp/o7/unit-0002" "$tmp/o7/unit-0001" && mv "$tmp/o7/x" "$tmp/o7/unit-0002"
mk --devices "$d/devices.csv" -o "$tmp/o7" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "devices.csv:2: device id 'unit-0001'" "$tmp/err" && ok ||
	bad "swapped device directories: $(cat "$tmp/err")"
# a failed check leaves an OUTDIR it created as if never made
printf 'device_id,serial,mac,calib_offset,region\nd1,S,24dcc3a00001,40000,EU\n' >"$tmp/range.csv"
mk --devices "$tmp/range.csv" -o "$tmp/o8" 2>/dev/null
[ $? -eq 1 ] && [ ! -e "$tmp/o8" ] && ok || bad "a bad row left OUTDIR behind"

# 11. a failed sync fails the run, and no index claims the devices
if [ -n "${FAILSYNC:-}" ]; then
	ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$FAILSYNC \
		"$BIN/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o9" 2>"$tmp/err"
	[ $? -eq 1 ] && [ ! -e "$tmp/o9/index.csv" ] &&
		grep -qF "o9: cannot sync the devices written: Input/output error" "$tmp/err" && ok ||
		bad "failed syncfs: $(cat "$tmp/err")"
fi
finish
