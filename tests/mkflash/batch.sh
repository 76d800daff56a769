#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Per-device batches: equal to building each device on its own, the same bytes on
# every rerun and for any -j, bad rows named by row and column with no output.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv \
	"$SRC"/configs/factory/devices.csv "$d/"
mk() { "$BIN/esp-mkflash" "$@"; }

mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -j 2 -o "$tmp/o1" || bad "batch -j 2"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -j 1 -o "$tmp/o2" || bad "batch -j 1"
diff -r "$tmp/o1" "$tmp/o2" >/dev/null && ok || bad "-j 1 and -j 2 differ"
[ "$(wc -l <"$tmp/o1/index.csv")" -eq 6 ] && ok || bad "index has a header and 5 devices"
head -1 "$tmp/o1/index.csv" | grep -qx 'device_id,file,sha256,build_id' && ok || bad "index header"

# each device equals a single build whose NVS CSV has the row's values filled in
for id in unit-0001 unit-0003 unit-0005; do
	row=$(grep "^$id," "$d/devices.csv")
	s=$(echo "$row" | cut -d, -f2) m=$(echo "$row" | cut -d, -f3) c=$(echo "$row" | cut -d, -f4)
	r=$(echo "$row" | cut -d, -f5-)
	r=${r#\"}
	r=${r%\"}
	one=$tmp/one-$id
	cp -r "$d" "$one"
	sed -e "s/\${serial}/$s/" -e "s/\${mac}/$m/" -e "s/\${calib_offset}/$c/" \
		-e "s/\${region}/\"$r\"/" "$d/device-nvs.csv" >"$one/device-nvs.csv"
	mk --manifest "$one/batch.ini" -o "$one/FLASH.bin" || bad "$id single build"
	cmp -s "$one/FLASH.bin" "$tmp/o1/$id/FLASH.bin" && ok || bad "$id: batch != single build"
	grep -v -e '"device_id"' -e '"action_key"' -e '"device_inputs"' "$tmp/o1/$id/FLASH.json" |
		cmp -s - "$one/FLASH.json" && ok || bad "$id: JSON differs beyond device_id"
	grep -q "\"device_id\": \"$id\"" "$tmp/o1/$id/FLASH.json" && ok || bad "$id: device_id"
	# the NVS partition (0x9000, 16K) is what esp-mknvs makes of the filled CSV
	"$BIN/esp-mknvs" --size 0x4000 "$one/device-nvs.csv" -o "$one/nvs.bin" &&
		region "$tmp/o1/$id/FLASH.bin" 0x9000 0x4000 "$one/got" &&
		cmp -s "$one/got" "$one/nvs.bin" && ok || bad "$id: NVS region"
	sum=$(sha256sum "$tmp/o1/$id/FLASH.bin" | cut -d' ' -f1)
	grep -q "^$id,$id/FLASH.bin,$sum," "$tmp/o1/index.csv" && ok || bad "$id: index line"
done

# a rerun over the same directory gives the same bytes; stale temporaries are removed
mkdir "$tmp/o1/.tmp-unit-0001-abcdef"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o1" || bad "rerun"
diff -r "$tmp/o1" "$tmp/o2" >/dev/null && ok || bad "rerun differs or left a temporary"

# bad rows: named by row and column, exit 1, no output at all without --keep-going
printf 'unit-0006,ESP-2026-0006,24dcc3a00006,40000,EU\n' >>"$d/devices.csv"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o3" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/o3" ] && ok || bad "out-of-range row: exit/output"
grep -qF "devices.csv:7: device unit-0006 not built: column 'calib_offset' ('40000'), used at" "$tmp/err" &&
	grep -qF "device-nvs.csv:5: calib_offset: value '40000' out of range for i16" "$tmp/err" && ok ||
	bad "out-of-range row message: $(cat "$tmp/err")"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --keep-going -j 2 -o "$tmp/o4" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/o4/unit-0006" ] && [ -f "$tmp/o4/unit-0005/FLASH.bin" ] &&
	[ "$(wc -l <"$tmp/o4/index.csv")" -eq 6 ] && ok || bad "--keep-going"
grep -qF "1 of 6 devices failed" "$tmp/err" && ok || bad "--keep-going report: $(cat "$tmp/err")"

sed -i '$d' "$d/devices.csv"
printf 'unit-0007,ESP-2026-0007,24dcc3a00007,1\n' >>"$d/devices.csv"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o5" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/o5" ] &&
	grep -qF "devices.csv:7: 4 fields, but the header names 5 columns (a column is missing)" "$tmp/err" &&
	ok || bad "missing column: $(cat "$tmp/err")"

sed -i '$d' "$d/devices.csv"
# shellcheck disable=SC2016 # placeholders of the CSV, not shell variables
sed -i 's/\${region}/${zone}/' "$d/device-nvs.csv"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/o6" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -e "$tmp/o6" ] &&
	grep -qF "devices.csv:2: device unit-0001: no column 'zone' (used at" "$tmp/err" && ok ||
	bad "unknown placeholder: $(cat "$tmp/err")"
mk --manifest "$d/batch.ini" -o "$tmp/single.bin" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "placeholder \${serial} needs a devices CSV (--devices)" "$tmp/err" && ok ||
	bad "placeholder without --devices: $(cat "$tmp/err")"

# --check: the manifest and every row, nothing written; the first bad row, or every
# one with --keep-going
# shellcheck disable=SC2016 # placeholders of the CSV, not shell variables
sed -i 's/\${zone}/${region}/' "$d/device-nvs.csv"
mk --manifest "$d/batch.ini" --devices "$d/devices.csv" --check -o "$tmp/c1" && [ ! -e "$tmp/c1" ] &&
	ok || bad "--check of good rows"
cp "$d/devices.csv" "$d/bad.csv"
printf 'unit-0008,ESP-2026-0008,24dcc3a00008,40000,EU\nunit-0009,ESP-2026-0009,24dcc3a00009,-40000,EU\n' \
	>>"$d/bad.csv"
mk --manifest "$d/batch.ini" --devices "$d/bad.csv" --check -j 2 2>"$tmp/err"
[ $? -eq 1 ] && [ "$(grep -c 'not built' "$tmp/err")" -eq 1 ] &&
	grep -qF "bad.csv:7: device unit-0008 not built: column 'calib_offset' ('40000')" "$tmp/err" && ok ||
	bad "--check, first bad row: $(cat "$tmp/err")"
mk --manifest "$d/batch.ini" --devices "$d/bad.csv" --check --keep-going -j 2 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "bad.csv:7: device unit-0008 not built" "$tmp/err" &&
	grep -qF "bad.csv:8: device unit-0009 not built" "$tmp/err" &&
	grep -qF "2 of 7 devices have bad rows" "$tmp/err" && ok || bad "--check --keep-going: $(cat "$tmp/err")"
mk --manifest "$d/factory.ini" --check && ok || bad "--check of a manifest without placeholders"
mk --manifest "$d/batch.ini" --check 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "placeholder \${serial} needs a devices CSV (--devices)" "$tmp/err" && ok ||
	bad "--check of placeholders without --devices: $(cat "$tmp/err")"
mk --manifest "$d/batch.ini" --check -o x.bin 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--check without --devices takes no -o" "$tmp/err" && ok || bad "--check -o"

# values from the devices CSV in an NVS 'file' row name a file below the row's
# directory (not ../, not absolute), and every file row reads only inside the
# manifest's directory (links resolved) or the one 'nvs_files' names
mkdir -p "$d/certs" "$tmp/shared"
printf 'c1' >"$d/certs/c1.der"
printf 'shared' >"$tmp/shared/s.der"
printf 'secret' >"$tmp/secret"
ln -sf "$tmp/secret" "$d/certs/link.der"
cp "$d/batch.ini" "$d/files.ini"
sed -i 's/^nvs = device-nvs.csv/nvs = files.csv/' "$d/files.ini"
# shellcheck disable=SC2016 # placeholders of the CSV, not shell variables
printf 'key,type,encoding,value\nns,namespace,,\ncert,file,binary,certs/${cert}\n' >"$d/files.csv"
# value, then the message that refuses it ('' for none)
while IFS='|' read -r v want; do
	printf 'device_id,cert\nd1,%s\n' "$v" >"$d/files-dev.csv"
	rm -rf "$tmp/fo"
	mk --manifest "$d/files.ini" --devices "$d/files-dev.csv" -o "$tmp/fo" 2>"$tmp/err"
	rc=$?
	if [ -z "$want" ]; then
		[ $rc -eq 0 ] && ok || bad "file row value '$v': $(cat "$tmp/err")"
		continue
	fi
	[ $rc -eq 1 ] && [ ! -e "$tmp/fo" ] && grep -qF "files.csv:3: $want" "$tmp/err" &&
		grep -qF "files-dev.csv:2: device d1 not built: column 'cert' ('$v'), used at $d/files.csv:3" "$tmp/err" &&
		ok || bad "file row value '$v': exit $rc, $(cat "$tmp/err")"
done <<EOF
c1.der|
../../secret|a device's value in a file row must name a file below the row's directory: the path goes up a directory ('..')
$tmp/secret|a device's value in a file row must name a file below the row's directory: the path is absolute
link.der|file 'certs/link.der' is outside the manifest's directory (a directory of other files may be allowed with 'nvs_files = DIR' in [nvs])
EOF
# a row of the manifest's own naming another directory: only with nvs_files
printf 'device_id,cert\nd1,c1.der\n' >"$d/files-dev.csv"
printf 'ca,file,binary,../shared/s.der\n' >>"$d/files.csv"
mk --manifest "$d/files.ini" --devices "$d/files-dev.csv" -o "$tmp/fo1" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "files.csv:4: file '../shared/s.der' is outside the manifest's directory" "$tmp/err" &&
	ok || bad "a row outside without nvs_files: $(cat "$tmp/err")"
printf 'nvs_files = ../shared\n' >>"$d/files.ini"
mk --manifest "$d/files.ini" --devices "$d/files-dev.csv" -o "$tmp/fo2" && ok || bad "nvs_files allows"
printf 'ca,file,binary,../secret\n' >>"$d/files.csv"
mk --manifest "$d/files.ini" --devices "$d/files-dev.csv" -o "$tmp/fo3" 2>/dev/null
[ $? -eq 1 ] && ok || bad "nvs_files allowed more than its directory"
sed -i 's/^nvs_files = .*/nvs_files = nowhere/' "$d/files.ini"
mk --manifest "$d/files.ini" --devices "$d/files-dev.csv" -o "$tmp/fo4" 2>"$tmp/err"
[ $? -eq 1 ] && grep -qF "files.ini:22: nvs_files = 'nowhere': No such file or directory" "$tmp/err" &&
	ok || bad "nvs_files missing: $(cat "$tmp/err")"
finish
