#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# --output-mode regions: each device's flash_args, merged by esp-mkflash @flash_args in the
# device directory, is byte for byte its image-mode FLASH.bin (plain, and with a
# flash-encryption key per device); the shared regions are written once under
# OUTDIR/common/ as <sha256>.bin; a rerun is up to date; regions mode writes under 5% of
# image mode's bytes for 1,000 devices.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv "$d/"
cd "$d" || exit 1
mk() { "$BIN/esp-mkflash" "$@"; }
# rows N: a devices CSV of N rows
rows() {
	echo 'device_id,serial,mac,calib_offset,region'
	for i in $(seq -w 1 "$1"); do
		printf "u%s,ESP-%s,24dcc3%06d,%d,EU\n" "$i" "$i" "$((10#$i))" "$((10#$i % 50))"
	done
}
# same_images OUTDIR_IMAGE OUTDIR_REGIONS: every device's flash_args merged equals its
# image; prints the count of devices that differ
same_images() {
	local id n=0
	for id in $(cut -d, -f1 "$1/index.csv" | tail -n +2); do
		(cd "$2/$id" && "$BIN/esp-mkflash" --chip esp32c3 @flash_args -o "$tmp/m.bin") ||
			n=$((n + 1))
		cmp -s "$1/$id/FLASH.bin" "$tmp/m.bin" || n=$((n + 1))
	done
	echo "$n"
}
rows 50 >devices.csv

mk --manifest batch.ini --devices devices.csv -o img 2>err && [ ! -s err ] && ok ||
	bad "image mode: $(cat err)"
mk --manifest batch.ini --devices devices.csv --output-mode regions -o reg 2>err &&
	[ ! -s err ] && ok || bad "regions mode: $(cat err)"
[ "$(same_images img reg)" = 0 ] && ok || bad "a merged flash_args differs from FLASH.bin"

# the layout of a device directory and of common/
[ "$(ls reg/u01)" = "$(printf '0x9000.bin\nFLASH.json\nflash_args')" ] && ok ||
	bad "u01 holds: $(ls reg/u01)"
head -1 reg/u01/flash_args | grep -qx -- '--flash_mode dio --flash_freq 80m --flash_size 4MB' &&
	ok || bad "flash_args' first line: $(head -1 reg/u01/flash_args)"
grep -qx '0x9000 0x9000.bin' reg/u01/flash_args && ok || bad "no NVS line in flash_args"
n=$(find reg/common -name '*.bin' | wc -l)
[ "$(grep -c ' \.\./common/' reg/u01/flash_args)" = "$n" ] && [ "$n" -ge 4 ] && ok ||
	bad "common/ holds $n files"
for f in reg/common/*.bin; do
	[ "$(sha256sum <"$f" | cut -c1-64).bin" = "$(basename "$f")" ] || bad "$f: not its digest"
done
ok
# flash_args lines in address order
tail -n +2 reg/u01/flash_args | awk '{print $1}' >addrs
sort -c <(while read -r a; do printf '%016x\n' "$a"; done <addrs) 2>/dev/null && ok ||
	bad "flash_args not in address order"

# index.csv: device, flash_args, the regions' digest (as FLASH.json), build id
head -1 reg/index.csv | grep -qx 'device_id,flash_args,regions_sha256,build_id' && ok ||
	bad "index header: $(head -1 reg/index.csv)"
grep -q '^u01,u01/flash_args,[0-9a-f]\{64\},' reg/index.csv && ok || bad "index row of u01"
digest=$(grep '^u01,' reg/index.csv | cut -d, -f3)
grep -q "\"regions_sha256\": \"$digest\"" reg/u01/FLASH.json && ok ||
	bad "FLASH.json lacks the index's regions_sha256"
grep -q '"image": {' reg/u01/FLASH.json && ! grep -A3 '"image": {' reg/u01/FLASH.json |
	grep -q '"sha256"' && ok || bad "FLASH.json of regions mode has an image sha256"

# a rerun builds nothing; a changed row rebuilds that device alone
mk --manifest batch.ini --devices devices.csv --output-mode regions -o reg 2>err
grep -qx "esp-mkflash: 50 up to date, 0 built" err && ok || bad "rerun: $(cat err)"
rm reg/u02/0x9000.bin
mk --manifest batch.ini --devices devices.csv --output-mode regions -o reg 2>err
grep -qx "esp-mkflash: 49 up to date, 1 built" err && ok || bad "a region file removed: $(cat err)"
# the other mode on the same OUTDIR: every device built again, in that mode
mk --manifest batch.ini --devices devices.csv -o reg 2>err
[ ! -s err ] && [ -f reg/u03/FLASH.bin ] && [ ! -e reg/u03/flash_args ] && ok ||
	bad "image mode over regions mode: $(cat err)"
mk --manifest batch.ini --devices devices.csv --output-mode regions -o reg 2>err &&
	[ ! -s err ] && [ ! -e reg/u03/FLASH.bin ] && ok || bad "back to regions: $(cat err)"

# a flash-encryption key per device: the encrypted regions are the device's own
rows 8 >few.csv
mk --manifest batch.ini --devices few.csv --keygen-per-device --output-mode regions -o kreg \
	2>err && [ ! -s err ] && ok || bad "keygen regions: $(cat err)"
for id in u1 u5; do
	key=kreg/$id/flash_key.bin
	[ "$(stat -c %a "$key")" = 600 ] && ok || bad "$key mode"
	(cd "kreg/$id" && mk --chip esp32c3 @flash_args -o "$tmp/k.bin") || bad "merge $id"
	# the same device's image: the image mode with its key given in a manifest
	sed "/^layout = /a flash_encryption_key = $d/$key" batch.ini >k.ini
	grep "^$id," few.csv | { echo 'device_id,serial,mac,calib_offset,region'; cat; } >one.csv
	mk --manifest k.ini --devices one.csv -o "kimg-$id" 2>err || bad "image of $id: $(cat err)"
	cmp -s "kimg-$id/$id/FLASH.bin" "$tmp/k.bin" && ok || bad "$id: encrypted merge differs"
done
[ "$(find kreg/common -name '*.bin' | wc -l)" -lt "$n" ] && ok ||
	bad "encrypted regions in common/"
head -1 kreg/u1/flash_args | grep -qx -- '--flash_mode keep --flash_freq keep --flash_size keep' &&
	ok || bad "encrypted bootloader: $(head -1 kreg/u1/flash_args)"

# a manifest with fill: --fill-flash-size gives its padding back
sed 's/^flash_size = 4MB/flash_size = 4MB\nfill = yes/' batch.ini >fill.ini
rows 3 >three.csv
mk --manifest fill.ini --devices three.csv -o fimg 2>err || bad "fill, image: $(cat err)"
mk --manifest fill.ini --devices three.csv --output-mode regions -o freg 2>err ||
	bad "fill, regions: $(cat err)"
(cd freg/u2 && mk --chip esp32c3 @flash_args --fill-flash-size 4MB -o "$tmp/f.bin") &&
	cmp -s fimg/u2/FLASH.bin "$tmp/f.bin" && ok || bad "fill: the merge differs"

# OUTDIR/common a link: refused, nothing written through it
mkdir -p lnk elsewhere && ln -s ../elsewhere lnk/common
msg="esp-mkflash: lnk/common: is not a directory (a link or a file is left as it is)"
mk --manifest batch.ini --devices three.csv --output-mode regions -o lnk 2>err
[ $? = 1 ] && grep -qxF "$msg" err &&
	[ -z "$(ls elsewhere)" ] && ok || bad "common a link: $(cat err)"

# usage errors
mk --manifest batch.ini --devices devices.csv --output-mode both -o x 2>err
[ $? = 2 ] && grep -q "'both' is not one of image regions" err && ok || bad "bad mode: $(cat err)"
mk --manifest batch.ini --output-mode regions -o x.bin 2>err
[ $? = 2 ] && grep -q -- "--output-mode goes with --manifest and --devices" err && ok ||
	bad "no --devices: $(cat err)"
# a regions-mode shard index is refused by --merge-index
mk --manifest batch.ini --devices devices.csv --output-mode regions --shard 0/2 -o sh 2>/dev/null
mk --manifest batch.ini --devices devices.csv --output-mode regions --shard 1/2 -o sh 2>/dev/null
mk --devices devices.csv --merge-index sh 2>err && bad "regions shards merged" ||
	grep -q "merges shards of --output-mode image only" err && ok || bad "merge: $(cat err)"

# 1,000 devices: regions mode writes under 5% of image mode's bytes
rows 1000 >many.csv
mk --manifest batch.ini --devices many.csv -o bigimg 2>/dev/null || bad "1000 image mode"
mk --manifest batch.ini --devices many.csv --output-mode regions -o bigreg 2>/dev/null ||
	bad "1000 regions mode"
a=$(du -sb bigimg | cut -f1)
b=$(du -sb bigreg | cut -f1)
[ $((b * 20)) -lt "$a" ] && ok || bad "regions mode wrote $b bytes, image mode $a"
finish
