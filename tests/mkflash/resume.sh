#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Resume: a batch killed (SIGKILL) mid-run and run again equals a clean run; a second
# run with nothing changed builds none; a changed row, a changed input of one device
# or a removed generated key rebuilds exactly that device; a changed manifest all.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv "$d/"
cd "$d" || exit 1
mk() { "$BIN/esp-mkflash" "$@"; }
{
	echo 'device_id,serial,mac,calib_offset,region'
	for i in $(seq -w 1 300); do echo "u$i,ESP-$i,24dcc3a00$i,$((10#$i % 50)),EU"; done
} >devices.csv

mk --manifest batch.ini --devices devices.csv -j 2 -o clean 2>err && [ ! -s err ] && ok ||
	bad "clean run: $(cat err)"

# killed after some devices: the rerun finishes and equals the clean run
"$BIN/esp-mkflash" --manifest batch.ini --devices devices.csv -j 1 -o part 2>/dev/null &
pid=$!
for _ in $(seq 1 400); do
	[ "$(find part -maxdepth 1 -name 'u*' 2>/dev/null | wc -l)" -ge 30 ] && break
	sleep 0.02
done
kill -KILL $pid
wait $pid 2>/dev/null
n=$(find part -maxdepth 1 -name 'u*' | wc -l)
[ "$n" -ge 30 ] && [ "$n" -lt 300 ] && [ ! -e part/index.csv ] && ok ||
	bad "the kill came at $n devices"
mk --manifest batch.ini --devices devices.csv -j 2 -o part 2>err && ok || bad "rerun: $(cat err)"
grep -qxE "esp-mkflash: [0-9]+ up to date, [0-9]+ built" err && ok || bad "rerun report: $(cat err)"
diff -r -x '.espgen.lock' clean part >/dev/null && ok || bad "killed + rerun != clean run"

# nothing changed: nothing built
mk --manifest batch.ini --devices devices.csv -o clean 2>err
grep -qx "esp-mkflash: 300 up to date, 0 built" err && ok || bad "second run: $(cat err)"
cmp -s clean/index.csv part/index.csv && ok || bad "index after an all-up-to-date run"

# one row changed: that device alone
cp clean/u007/FLASH.json before7.json
cp clean/u008/FLASH.json before8.json
sed -i 's/^u007,ESP-007,/u007,ESP-X07,/' devices.csv
mk --manifest batch.ini --devices devices.csv -o clean 2>err
grep -qx "esp-mkflash: 299 up to date, 1 built" err && ok || bad "a changed row: $(cat err)"
cmp -s before7.json clean/u007/FLASH.json && bad "u007 not rebuilt" || ok
cmp -s before8.json clean/u008/FLASH.json && ok || bad "u008 rebuilt"

# an input of the shared part changed (the NVS CSV): every device
printf '# changed\n' >>device-nvs.csv
mk --manifest batch.ini --devices devices.csv -o clean 2>err && [ ! -s err ] && ok ||
	bad "a changed shared input: $(cat err)"

# a device's own input: a file its row names
printf 'device_id,cert\nd1,c1.der\nd2,c2.der\n' >fdev.csv
# shellcheck disable=SC2016 # a manifest placeholder, not a shell expansion
printf 'key,type,encoding,value\nns,namespace,,\ncert,file,binary,${cert}\n' >fnvs.csv
sed 's/^nvs = .*/nvs = fnvs.csv/' batch.ini >files.ini
printf 'one' >c1.der
printf 'two' >c2.der
mk --manifest files.ini --devices fdev.csv -o F 2>err && [ ! -s err ] && ok || bad "files batch: $(cat err)"
grep -qxF '    "c1.der"' F/d1/FLASH.json && ok || bad "d1's input not recorded: $(head -8 F/d1/FLASH.json)"
printf 'ONE' >c1.der
mk --manifest files.ini --devices fdev.csv -o F 2>err
grep -qx "esp-mkflash: 1 up to date, 1 built" err && ok || bad "a changed device input: $(cat err)"

# generated keys: a device is up to date only with its key file
printf 'device_id,serial,mac,calib_offset,region\nk1,S1,24dcc3a00001,1,EU\nk2,S2,24dcc3a00002,2,EU\n' >kdev.csv
mk --manifest batch.ini --devices kdev.csv --keygen-per-device -o K 2>err && [ ! -s err ] && ok ||
	bad "keygen batch: $(cat err)"
cp K/k1/flash_key.bin k1.key
mk --manifest batch.ini --devices kdev.csv --keygen-per-device -o K 2>err
grep -qx "esp-mkflash: 2 up to date, 0 built" err && cmp -s k1.key K/k1/flash_key.bin && ok ||
	bad "keygen rerun: $(cat err)"
rm K/k2/flash_key.bin
mk --manifest batch.ini --devices kdev.csv --keygen-per-device -o K 2>err
grep -qx "esp-mkflash: 1 up to date, 1 built" err && [ -f K/k2/flash_key.bin ] && ok ||
	bad "a device without its key file: $(cat err)"
# the same devices without --keygen-per-device are other builds
mk --manifest batch.ini --devices kdev.csv -o K 2>err && [ ! -s err ] && [ ! -e K/k1/flash_key.bin ] &&
	ok || bad "keygen then plain: $(cat err)"
finish
