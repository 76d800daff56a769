#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# esp-imginfo on file-system partitions: a SPIFFS or FAT image alone and inside a flash
# image built by esp-mkflash ('spiffs = DIR', 'fat = DIR') is its file list; --diff of two
# images whose trees differ in one file names exactly that file (class file), --ignore
# file or --ignore file:[PART:]PATH accepts it, and a change elsewhere is still caught.
# usage: fs.sh BIN_DIR TESTS_BIN_DIR
src=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/esp-imginfo/common.sh
. "$src/common.sh"

# same WHAT FILE TEXT: FILE holds exactly TEXT
same() {
	[ "$(cat "$2")" = "$3" ] || bad "$1: got
$(cat "$2")
want
$3"
}

mkdir -p a/www b
printf 'hello\n' >a/www/index.html
printf 'cfg\n' >a/conf.txt
cp -r a/. b/
printf 'changed\n' >b/www/index.html
h_a=5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
h_b=7f8b1dfc466b6249f06cbe55c9174df2578e7754da793fded244ef5cba2a38f1
h_c=4d523dee6bc8c17a3e283570526d8d6ed3d1edda07c53e94c55e491bbf780337
"$bin/esp-mkfs" --type spiffs --size 64K a -o a.bin || bad "esp-mkfs a"
"$bin/esp-mkfs" --type spiffs --size 64K b -o b.bin || bad "esp-mkfs b"

# ---- an image alone ----
"$info" a.bin >out 2>err || bad "describe a.bin: $(cat err)"
same describe out "kind: spiffs
size: 0x10000
file_count: 2
files:
  - /conf.txt: 4 bytes, sha256 $h_c
  - /www/index.html: 6 bytes, sha256 $h_a
image: 0x10000 bytes, $(sha256sum <a.bin | cut -d' ' -f1)
problems: none"
"$info" --json a.bin >out || bad "describe --json"
grep -q '"path": "/www/index.html",' out && grep -q "\"sha256\": \"$h_a\"" out ||
	bad "JSON lacks the file: $(cat out)"
"$info" --diff a.bin b.bin >out
[ $? = 1 ] || bad "diff: exit status"
same diff out "files[/www/index.html]: 6 bytes, sha256 $h_a -> 8 bytes, sha256 $h_b [file]
image: 9 bytes differ, first at offset 0x308 (file 0x308) [content]
2 differences (0 ignored)"

# ---- in flash images from manifests, the trees differing in one file ----
"$mkelf" boot.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x1800 --section .iram.text,0x403cff10,0x800 \
	--section .dram0.rodata,0x3fcd5710,0x300 || bad "mkelf"
printf '[storage]\ntype = data\nsubtype = spiffs\nsize = 64K\n' >parts.ini
for t in a b; do
	printf 'chip = esp32c3\nflash_mode = dio\nflash_freq = 80m\nflash_size = 4MB\n' >$t.ini
	printf 'layout = parts.ini\nbootloader = boot.elf\n\n[storage]\nspiffs = %s\n' $t >>$t.ini
	"$bin/esp-mkflash" --manifest $t.ini -o F$t.bin 2>err || bad "esp-mkflash $t: $(cat err)"
done
"$info" --diff Fa.bin Fb.bin >out
[ $? = 1 ] || bad "flash diff: exit status"
p='partitions[storage].content'
same "flash diff" out "$p.files[/www/index.html]: 6 bytes, sha256 $h_a -> 8 bytes, sha256 $h_b \
[file]
$p.image: 9 bytes differ, first at offset 0x308 (file 0x9308) [content]
2 differences (0 ignored)"
# ignoring the file: the image bytes it explains are ignored too
for ign in file file:/www/index.html file:storage:/www/index.html; do
	"$info" --diff --ignore $ign Fa.bin Fb.bin >out || bad "--ignore $ign: exit $?"
	tail -1 out | grep -qx "2 differences, all ignored" || bad "--ignore $ign: $(cat out)"
done
for ign in file:/conf.txt file:other:/www/index.html; do
	"$info" --diff --ignore $ign Fa.bin Fb.bin >out
	[ $? = 1 ] || bad "--ignore $ign accepted another file"
done
# a file ignored, but another change: still different
printf 'more\n' >b/new.txt
"$bin/esp-mkflash" --manifest b.ini -o Fb.bin 2>err || bad "esp-mkflash b2: $(cat err)"
"$info" --diff --ignore file:/www/index.html Fa.bin Fb.bin >out
[ $? = 1 ] || bad "one file ignored, another added: exit status"
h_n=$(printf 'more\n' | sha256sum | cut -d' ' -f1)
grep -qxF "$p.files[/new.txt]: added: 5 bytes, sha256 $h_n [file]" out ||
	bad "added file: $(cat out)"
tail -1 out | grep -qx "3 differences (1 ignored)" || bad "added file: $(cat out)"
# a damaged file system is a problem of the partition, not an error
cp Fa.bin Fd.bin
printf '\231' | dd of=Fd.bin bs=1 seek=$((0x9000 + 256 + 12)) conv=notrunc status=none
"$info" --check Fd.bin >out
[ $? = 1 ] || bad "damaged: exit status"
want="partition storage: spiffs does not decode: object 1: type 0x99, not a file [fs-decode]"
grep -qxF "$want" out ||
	bad "damaged: $(cat out)"
# ---- issue 18, acceptance 3: a wear-levelled FAT and a SPIFFS partition ----
mkdir -p fa/certs fb
printf 'ca\n' >fa/certs/ca.pem
printf 'device one\n' >fa/certs/device.pem
cp -r fa/. fb/
printf 'device two\n' >fb/certs/device.pem
printf '\n[certs]\ntype = data\nsubtype = fat\nsize = 256K\n' >>parts.ini
for t in a b; do
	printf 'chip = esp32c3\nflash_mode = dio\nflash_freq = 80m\nflash_size = 4MB\n' >w$t.ini
	printf 'layout = parts.ini\nbootloader = boot.elf\n\n[storage]\nspiffs = a\n' >>w$t.ini
	printf '\n[certs]\nfat = f%s\nwear_levelling = yes\n' $t >>w$t.ini
	"$bin/esp-mkflash" --manifest w$t.ini -o W$t.bin 2>err || bad "esp-mkflash w$t: $(cat err)"
done
"$info" Wa.bin >out || bad "describe Wa.bin"
grep -qx "        kind: fat" out && grep -qx "        wear_levelling: yes" out &&
	grep -qx "          - /CERTS: directory" out || bad "FAT partition: $(cat out)"
"$info" --diff Wa.bin Wb.bin >out
[ $? = 1 ] || bad "FAT diff: exit status"
h_1=$(printf 'device one\n' | sha256sum | cut -d' ' -f1)
h_2=$(printf 'device two\n' | sha256sum | cut -d' ' -f1)
q='partitions[certs].content'
same "FAT diff" out "$q.files[/CERTS/DEVICE.PEM]: 11 bytes, sha256 $h_1 -> 11 bytes, sha256 $h_2 \
[file]
$q.image: 3 bytes differ, first at offset 0xa007 (file 0x23007) [content]
2 differences (0 ignored)"
"$info" --diff --ignore file:certs:/CERTS/DEVICE.PEM Wa.bin Wb.bin >out ||
	bad "FAT: ignoring the one file: $(cat out)"

"$info" --diff --ignore file:/x a.bin >/dev/null 2>err
[ $? = 2 ] || bad "--diff with one file: usage error"
"$info" --ignore file:/x a.bin >/dev/null 2>err
[ $? = 2 ] && grep -q -- "--ignore needs --diff" err || bad "--ignore file: without --diff"
exit "$fail"
