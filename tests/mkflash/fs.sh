#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# File-system partitions in the manifest ('spiffs = DIR', 'fat = DIR'): the region holds
# exactly what esp-mkfs makes of DIR with the same options, FLASH.json says kind spiffs or
# fat, the depfile lists DIR, its directories and files, and a partition of another
# subtype, bad options or a tree that does not fit are FILE:LINE errors with no output.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/in
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cd "$d" || exit 1
printf '\n[storage]\ntype = data\nsubtype = spiffs\nsize = 64K\n' >>partitions.ini
printf '\n[fatfs]\ntype = data\nsubtype = fat\nsize = 512K\n' >>partitions.ini
mkdir -p www/css www/js
printf '<html>hello</html>\n' >www/index.html
printf 'body{}\n' >www/css/site.css
printf 'x' >www/js/a.js
: >www/empty.txt
cp factory.ini fs.ini
printf '\n[storage]\nspiffs = www\n' >>fs.ini
# where storage lands: after ota_1 (1M at 0x210000 + 1M)
off=$((0x310000))

run_ok "spiffs manifest" "$BIN/esp-mkflash" --manifest fs.ini -o "$tmp/F.bin" --depfile "$tmp/F.d"
run_ok "esp-mkfs" "$BIN/esp-mkfs" --type spiffs --size 64K www -o "$tmp/want.bin"
region "$tmp/F.bin" $off 65536 "$tmp/got.bin"
cmp -s "$tmp/got.bin" "$tmp/want.bin" && ok || bad "storage region differs from esp-mkfs's image"
grep -q '"kind": "spiffs"' "$tmp/F.json" && grep -q '"source": "spiffs = www"' "$tmp/F.json" &&
	ok || bad "FLASH.json: no spiffs region"
want="$tmp/F.bin: fs.ini partitions.ini bootloader.elf app.elf www www/empty.txt"
want="$want www/index.html www/css www/css/site.css www/js www/js/a.js"
[ "$(cat "$tmp/F.d")" = "$want" ] && ok || bad "depfile: got '$(cat "$tmp/F.d")', want '$want'"

# every option key, as esp-mkfs's long option
{
	cat factory.ini
	printf '\n[storage]\nspiffs = www\npage_size = 512\nblock_size = 8192\n'
	printf 'obj_name_len = 40\nmeta_len = 0\nuse_magic = yes\nuse_magic_len = no\n'
	printf 'big_endian = yes\naligned_obj_ix_tables = yes\nfollow_symlinks = no\n'
} >opts.ini
run_ok "spiffs options" "$BIN/esp-mkflash" --manifest opts.ini -o "$tmp/O.bin"
run_ok "esp-mkfs options" "$BIN/esp-mkfs" --type spiffs --size 64K --page-size 512 \
	--block-size 8192 --obj-name-len 40 --meta-len 0 --no-magic-len --big-endian \
	--aligned-obj-ix-tables www -o "$tmp/want-o.bin"
region "$tmp/O.bin" $off 65536 "$tmp/got-o.bin"
cmp -s "$tmp/got-o.bin" "$tmp/want-o.bin" && ok || bad "options: region differs from esp-mkfs's"
cp factory.ini nomagic.ini
printf '\n[storage]\nspiffs = www\nuse_magic = no\n' >>nomagic.ini
run_ok "use_magic = no" "$BIN/esp-mkflash" --manifest nomagic.ini -o "$tmp/N.bin"
run_ok "esp-mkfs --no-magic" "$BIN/esp-mkfs" --type spiffs --size 64K --no-magic www \
	-o "$tmp/want-n.bin"
region "$tmp/N.bin" $off 65536 "$tmp/got-n.bin"
cmp -s "$tmp/got-n.bin" "$tmp/want-n.bin" && ok || bad "use_magic = no: differs from --no-magic"

# FAT, wear-levelled, with every option key
mkdir -p certs/sub
printf 'cert\n' >certs/device-certificate.pem
printf 'key' >certs/sub/k.der
{
	cat factory.ini
	printf '\n[fatfs]\nfat = certs\nsector_size = 512\nroot_entry_count = 16\n'
	printf 'long_names = yes\nfat_type = 12\nfat_count = 1\nwear_levelling = yes\n'
	printf 'wl_mode = safe\n'
} >fat.ini
fat_off=$((0x320000))
run_ok "fat manifest" "$BIN/esp-mkflash" --manifest fat.ini -o "$tmp/T.bin" --depfile "$tmp/T.d"
run_ok "esp-mkfs fat" "$BIN/esp-mkfs" --type fat --size 512K --sector-size 512 \
	--root-entry-count 16 --long-names --fat-type 12 --fat-count 1 --wear-levelling \
	--wl-mode safe certs -o "$tmp/want-t.bin"
region "$tmp/T.bin" $fat_off 524288 "$tmp/got-t.bin"
cmp -s "$tmp/got-t.bin" "$tmp/want-t.bin" && ok || bad "fat region differs from esp-mkfs's image"
grep -q '"kind": "fat"' "$tmp/T.json" && grep -q '"source": "fat = certs"' "$tmp/T.json" &&
	ok || bad "FLASH.json: no fat region"
want="$tmp/T.bin: fat.ini partitions.ini bootloader.elf app.elf certs"
want="$want certs/device-certificate.pem certs/sub certs/sub/k.der"
[ "$(cat "$tmp/T.d")" = "$want" ] && ok || bad "fat depfile: got '$(cat "$tmp/T.d")', want '$want'"
# both in one image, defaults
cp fs.ini both.ini
printf '\n[fatfs]\nfat = certs\nlong_names = yes\n' >>both.ini
run_ok "spiffs and fat" "$BIN/esp-mkflash" --manifest both.ini -o "$tmp/S.bin"
run_ok "esp-mkfs fat defaults" "$BIN/esp-mkfs" --type fat --size 512K --long-names certs \
	-o "$tmp/want-s.bin"
region "$tmp/S.bin" $fat_off 524288 "$tmp/got-s.bin"
cmp -s "$tmp/got-s.bin" "$tmp/want-s.bin" && ok || bad "fat defaults: differs from esp-mkfs's"
region "$tmp/S.bin" $off 65536 "$tmp/got-s2.bin"
cmp -s "$tmp/got-s2.bin" "$tmp/want.bin" && ok || bad "spiffs beside fat: differs"

# a batch: every device's image holds the same file systems
printf 'id,serial\nd1,S1\nd2,S2\n' >devices.csv
run_ok "batch" "$BIN/esp-mkflash" --manifest both.ini --devices devices.csv -o "$tmp/batch"
cmp -s "$tmp/batch/d1/FLASH.bin" "$tmp/S.bin" && cmp -s "$tmp/batch/d2/FLASH.bin" "$tmp/S.bin" &&
	ok || bad "batch: a device image differs from the single build"

# fail NAME EDIT MESSAGE: the manifest fs.ini plus the lines EDIT must fail with MESSAGE
fail() {
	local name=$1 text=$2 want=$3
	cp factory.ini bad.ini
	printf '%b' "$text" >>bad.ini
	rm -f "$tmp/B.bin" "$tmp/B.json"
	"$BIN/esp-mkflash" --manifest bad.ini -o "$tmp/B.bin" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ]; then bad "$name: exit $rc, want 1 ($(cat "$tmp/err"))"; return; fi
	if [ -e "$tmp/B.bin" ] || [ -e "$tmp/B.json" ]; then bad "$name: left output"; return; fi
	[ "$(cat "$tmp/err")" = "$want" ] && ok || bad "$name: got '$(cat "$tmp/err")', want '$want'"
}
fail subtype '\n[phy_init]\nspiffs = www\n' \
	"esp-mkflash: bad.ini:22: [phy_init] is not a SPIFFS partition (data, spiffs)"
fail geometry '\n[storage]\nspiffs = www\nblock_size = 12288\n' \
	"esp-mkflash: bad.ini:22: [storage] cannot hold this SPIFFS image: image size 0x10000 is \
not a multiple of the block size 12288"
fail bool '\n[storage]\nspiffs = www\nbig_endian = maybe\n' \
	"esp-mkflash: bad.ini:23: 'maybe' is not yes or no"
fail other-key '\n[storage]\nspiffs = www\nnvs_version = 1\n' \
	"esp-mkflash: bad.ini:23: 'nvs_version' applies to nvs only"
fail no-dir '\n[storage]\nspiffs = nope\n' \
	"esp-mkflash: nope: cannot open directory: No such file or directory
esp-mkflash: bad.ini:22: [storage]: no spiffs image from 'nope'"
fail fat-subtype '\n[storage]\nfat = certs\n' \
	"esp-mkflash: bad.ini:22: [storage] is not a FAT partition (data, fat)"
fail fat-sector '\n[fatfs]\nfat = certs\nsector_size = 256\n' \
	"esp-mkflash: bad.ini:23: sector_size = 256: not one of 512, 1024, 2048, 4096"
fail fat-type '\n[fatfs]\nfat = certs\nfat_type = 32\n' \
	"esp-mkflash: bad.ini:23: fat_type = 32: not one of 12, 16"
fail wl-mode '\n[fatfs]\nfat = certs\nwear_levelling = yes\nwl_mode = fast\n' \
	"esp-mkflash: bad.ini:24: wl_mode = fast: not perf or safe"
fail wl-mode-alone '\n[fatfs]\nfat = certs\nwl_mode = perf\n' \
	"esp-mkflash: bad.ini:23: wl_mode needs wear_levelling = yes"
fail fat-geometry '\n[fatfs]\nfat = certs\nfat_type = 16\n' \
	"esp-mkflash: bad.ini:22: [fatfs] cannot hold this FAT image: --fat-type 16 does not \
match the geometry, which gives FAT12"
# (the library's messages name esp-mkfs's options)
fail fat-short-names '\n[fatfs]\nfat = certs\n' \
	"esp-mkflash: certs: file name '/device-certificate.pem' does not fit 8.3 (8 characters, \
3 for the extension): use --long-names
esp-mkflash: bad.ini:22: [fatfs]: no fat image from 'certs'"
fail spiffs-key-for-fat '\n[fatfs]\nfat = certs\npage_size = 512\n' \
	"esp-mkflash: bad.ini:23: 'page_size' applies to spiffs only"
head -c 70000 /dev/zero >www/big.bin
fail full '\n[storage]\nspiffs = www\n' \
	"esp-mkflash: the files do not fit in the 0x10000-byte image (full at '/big.bin')
esp-mkflash: bad.ini:22: [storage]: no spiffs image from 'www'"
finish
