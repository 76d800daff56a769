#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkimage command-line tests: every chip, every option, every bad input.
#   cli.sh BIN_DIR TEST_BIN_DIR
# Inputs are made by mkelf (libelf); results are read back with imginfo (lib/appimage).
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
bin=$(cd "$1" && pwd)/esp-mkimage
mkelf=$(cd "$2" && pwd)/mkelf
imginfo=$(cd "$2" && pwd)/imginfo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


# run NAME ARGS...: expects success and an output file
run() {
	local name=$1; shift
	if "$bin" "$@" 2>"$tmp/err"; then ok; else bad "$name: exit $? ($(head -c 300 "$tmp/err"))"; fi
}

# fails NAME CODE PATTERN ARGS...: exit CODE, stderr has PATTERN, no output, no crash
fails() {
	local name=$1 code=$2 pat=$3; shift 3
	rm -f "$tmp/out.bin"
	"$bin" "$@" -o "$tmp/out.bin" 2>"$tmp/err" >/dev/null
	local rc=$?
	[ $rc -eq "$code" ] || { bad "$name: exit $rc, want $code ($(head -c 300 "$tmp/err"))"; return; }
	[ -e "$tmp/out.bin" ] && { bad "$name: left an output file"; return; }
	grep -qF -- "$pat" "$tmp/err" || { bad "$name: stderr lacks '$pat': $(head -c 300 "$tmp/err")"; return; }
	grep -q "Sanitizer\|runtime error" "$tmp/err" && { bad "$name: sanitizer report"; return; }
	ok
}

# field FILE KEY VALUE: imginfo reports KEY=VALUE for FILE
field() {
	local got
	got=$("$imginfo" "$1" | sed -n "s/^$2=//p")
	[ "$got" = "$3" ] && ok || bad "$1: $2=$got, want $3"
}

# arith NAME EXPR: a shell arithmetic check
arith() { if (($2)); then ok; else bad "$1: $2"; fi; }

get() { "$imginfo" "$1" | sed -n "s/^$2=//p"; }

# chip DROM IROM IRAM DRAM
layout="
esp32    0x3F400020 0x400D0020 0x40080000 0x3FFB0000 0
esp32s2  0x3F000020 0x40080020 0x40020000 0x3FFB0000 2
esp32s3  0x3C000020 0x42010020 0x40378000 0x3FC88000 9
esp32c2  0x3C000020 0x42010020 0x4037C000 0x3FCA0000 12
esp32c3  0x3C000020 0x42010020 0x40380000 0x3FC88000 5
esp32c5  0x42000020 0x42010020 0x40800000 0x40820000 23
esp32c6  0x42000020 0x42010020 0x40800000 0x40820000 13
esp32c61 0x42000020 0x42010020 0x40800000 0x40820000 20
esp32h2  0x42000020 0x42010020 0x40800000 0x40820000 16
esp32h21 0x42000020 0x42010020 0x40800000 0x40820000 25
esp32h4  0x42000020 0x42010020 0x40810000 0x40820000 28
esp32p4  0x40000020 0x40010020 0x4FF00000 0x4FF20000 18
esp32s31 0x40000020 0x40040020 0x2F000000 0x2F020000 32
esp32e22 0x3C000020 0x3C010020 0x30FE0000 0x31000000 31
"

# mkapp OUT DROM IROM IRAM DRAM [extra mkelf args]: an ESP-IDF shaped app
mkapp() {
	local out=$1 drom=$2 irom=$3 iram=$4 dram=$5; shift 5
	"$mkelf" "$out" --entry "$iram" \
		--section ".flash.appdesc,$drom,256,progbits,16,desc" \
		--section ".flash.rodata,$((drom + 256)),301" \
		--section ".iram0.vectors,$iram,0x40" \
		--section ".iram0.text,$((iram + 0x40)),0x100" \
		--section ".iram0.text2,$((iram + 0x140)),0x1c" \
		--section ".dram0.data,$dram,0x80" \
		--section ".dram0.bss,$((dram + 0x80)),0x200,nobits" \
		--section ".flash.text,$irom,0x2001" "$@" || bad "mkelf $out"
}

# ---- every chip: defaults, decode what we encode ----
while read -r chip drom irom iram dram id; do
	[ -z "$chip" ] && continue
	elf=$tmp/$chip.elf
	mkapp "$elf" "$drom" "$irom" "$iram" "$dram"
	run "$chip-default" --chip "$chip" "$elf" -o "$tmp/$chip.bin"
	field "$tmp/$chip.bin" chip_id "$id"
	field "$tmp/$chip.bin" checksum valid
	field "$tmp/$chip.bin" digest valid
	field "$tmp/$chip.bin" hash_appended 1
	field "$tmp/$chip.bin" entry "$(printf 0x%08x "$iram")"
	field "$tmp/$chip.bin" desc_offset 0x20
	field "$tmp/$chip.bin" desc_elf_sha256 "$(sha256sum "$elf" | cut -d' ' -f1)"
	# appdesc+rodata, the three IRAM sections merged, DRAM, text (+ padding)
	info=$("$imginfo" "$tmp/$chip.bin")
	echo "$info" | grep -q "addr=$(printf 0x%08x "$iram") len=0x15c " && ok ||
		bad "$chip: IRAM sections not merged: $info"
	tline=$(echo "$info" | grep "addr=$(printf 0x%08x "$irom") ")
	toff=${tline##*data=}
	arith "$chip-text-aligned" "$toff % 65536 == $irom % 65536"
	# wrong machine for a RISC-V chip; address outside the map
	case $chip in
	esp32 | esp32s2 | esp32s3 | esp32e22)
		mkapp "$tmp/x.elf" "$drom" "$irom" "$iram" "$dram" --machine xtensa
		run "$chip-xtensa" --chip "$chip" "$tmp/x.elf" -o "$tmp/x.bin" ;;
	*)
		mkapp "$tmp/x.elf" "$drom" "$irom" "$iram" "$dram" --machine xtensa
		fails "$chip-xtensa-rejected" 1 "cannot run on $chip" --chip "$chip" "$tmp/x.elf" ;;
	esac
	"$mkelf" "$tmp/o.elf" --section ".flash.rodata,$drom,16" --section ".bad,0x10000100,16"
	fails "$chip-outside" 1 "section .bad at 0x10000100 (0x10 bytes) is outside the memory map of $chip" \
		--chip "$chip" "$tmp/o.elf"
done <<<"$layout"

c3elf=$tmp/esp32c3.elf
c3bin=$tmp/esp32c3.bin

# ---- options ----
run dio-80m-4MB --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB "$c3elf" -o "$tmp/a.bin"
field "$tmp/a.bin" flash_mode 2
field "$tmp/a.bin" flash_size_freq 0x2f
run keep --chip esp32c3 --flash-mode keep --flash-freq keep --flash-size keep "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "keep differs from the defaults"
run c6-80m --chip esp32c6 --flash-freq 80m --flash-size 16MB "$tmp/esp32c6.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" flash_size_freq 0x40
run h2-12m --chip esp32h2 --flash-freq 12m --flash-mode qout "$tmp/esp32h2.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" flash_size_freq 0x02
field "$tmp/a.bin" flash_mode 1
run c2-60m --chip esp32c2 --flash-freq 60m --flash-size 128MB "$tmp/esp32c2.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" flash_size_freq 0x7f
run revs --chip esp32c3 --min-rev 3 --min-rev-full 101 --max-rev-full 0x18f "$c3elf" -o "$tmp/a.bin"
field "$tmp/a.bin" min_rev 3
field "$tmp/a.bin" min_rev_full 101
field "$tmp/a.bin" max_rev_full 399
run no-digest --chip esp32c3 --no-digest "$c3elf" -o "$tmp/a.bin"
field "$tmp/a.bin" hash_appended 0
field "$tmp/a.bin" digest none
run dont-append --chip esp32c3 --dont-append-digest "$c3elf" -o "$tmp/b.bin"
cmp -s "$tmp/a.bin" "$tmp/b.bin" && ok || bad "--dont-append-digest != --no-digest"
arith no-digest-len "$(stat -c %s "$tmp/a.bin") + 32 == $(stat -c %s "$c3bin")"

run secure-v2 --chip esp32c3 --secure-pad-v2 "$c3elf" -o "$tmp/a.bin"
arith secure-v2-len "$(stat -c %s "$tmp/a.bin") % 65536 == 0"
field "$tmp/a.bin" digest valid
run secure-v1-c3 --chip esp32c3 --secure-pad "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "--secure-pad is not ignored on esp32c3"
run secure-v1 --chip esp32 --secure-pad "$tmp/esp32.elf" -o "$tmp/a.bin"
arith secure-v1-len "($(get "$tmp/a.bin" image_len) + 112) % 65536 == 0"
run secure-both --chip esp32 --secure-pad --secure-pad-v2 "$tmp/esp32.elf" -o "$tmp/b.bin"
arith secure-both-v2 "($(get "$tmp/b.bin" image_len) + 32) % 65536 == 0"

run sha-explicit --chip esp32c3 --elf-sha256-offset 0xb0 "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "--elf-sha256-offset 0xb0 differs from the automatic one"
run sha-zero --chip esp32c3 --elf-sha256-offset 0 "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "--elf-sha256-offset 0 is not 'automatic'"

mkapp "$tmp/seg.elf" 0x3C000020 0x42010020 0x40380000 0x3FC88000 --phdrs
run use-segments --chip esp32c3 --use-segments "$tmp/seg.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" checksum valid
field "$tmp/a.bin" desc_elf_sha256 "$(printf '0%.0s' $(seq 64))" # no automatic SHA
mkapp "$tmp/lma.elf" 0x3C000020 0x42010020 0x40380000 0x3FC88000 --phdrs --phdr-lma-shift 0x10000
run use-segments-lma --chip esp32c3 --use-segments "$tmp/lma.elf" -o "$tmp/a.bin"
"$imginfo" "$tmp/a.bin" | grep -q "addr=0x42020020 " && ok || bad "--use-segments does not use p_paddr"

run mmu-8k --chip esp32c6 --flash-mmu-page-size 8KB "$tmp/esp32c6.elf" -o "$tmp/a.bin"
arith mmu-8k-smaller "$(stat -c %s "$tmp/a.bin") < $(stat -c %s "$tmp/esp32c6.bin")"
run mmu-ignored --chip esp32c3 -q --flash-mmu-page-size 8KB "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "--flash-mmu-page-size is not ignored on esp32c3"
"$bin" --chip esp32c3 --flash-mmu-page-size 8KB "$c3elf" -o "$tmp/a.bin" 2>"$tmp/err"
grep -q "warning: changing the MMU page size is not supported on ESP32-C3" "$tmp/err" && ok ||
	bad "no MMU warning: $(cat "$tmp/err")"
"$mkelf" "$tmp/d13.elf" --entry 0x42000020 --section ".flash.appdesc,0x42002020,256,progbits,4,desc13" \
	--section ".flash.text,0x42004020,64"
run mmu-from-desc --chip esp32c6 "$tmp/d13.elf" -o "$tmp/a.bin"
arith mmu-from-desc-len "$(stat -c %s "$tmp/a.bin") < 0x6000"

run pad-to --chip esp32c3 --pad-to-size 128KB "$c3elf" -o "$tmp/a.bin"
arith pad-to-len "$(stat -c %s "$tmp/a.bin") == 131072"
field "$tmp/a.bin" digest valid
field "$tmp/a.bin" trailing $((131072 - $(stat -c %s "$c3bin")))
# departure: with --no-digest the padding is appended, the image stays intact
run pad-no-digest --chip esp32c3 --pad-to-size 4KB --no-digest "$c3elf" -o "$tmp/a.bin"
arith pad-no-digest-len "$(stat -c %s "$tmp/a.bin") % 4096 == 0"
field "$tmp/a.bin" checksum valid
run pad-zero --chip esp32c3 --pad-to-size 0KB "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "--pad-to-size 0KB pads"

run ram-only --chip esp32c3 --ram-only-header --use-segments "$tmp/seg.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" segments 2
field "$tmp/a.bin" hash_appended 0
field "$tmp/a.bin" checksum valid
run ram-only-pad --chip esp32c3 --ram-only-header --use-segments --pad-to-size 64KB "$tmp/seg.elf" -o "$tmp/b.bin"
arith ram-only-pad-len "$(stat -c %s "$tmp/b.bin") % 65536 == 0"
cmp -s -n "$(stat -c %s "$tmp/a.bin")" "$tmp/a.bin" "$tmp/b.bin" && ok || bad "ram-only pad changed the image"

# determinism, default output name, help, version
run again --chip esp32c3 "$c3elf" -o "$tmp/a.bin"
cmp -s "$tmp/a.bin" "$c3bin" && ok || bad "two runs differ"
cp "$c3elf" "$tmp/app.elf"
(cd "$tmp" && "$bin" --chip esp32c3 app.elf 2>/dev/null) && [ -f "$tmp/app.bin" ] && ok ||
	bad "default output name app.bin"
"$bin" --help >"$tmp/help" 2>&1 && grep -q -- "--elf-sha256-offset" "$tmp/help" && ok || bad "--help"
"$bin" --version >/dev/null 2>&1 && ok || bad "--version"

# ---- bad input (exit 1) ----
echo "hello" >"$tmp/text.elf"
fails not-elf 1 "text.elf: not an ELF file" --chip esp32c3 "$tmp/text.elf"
: >"$tmp/empty.elf"
fails empty 1 "not an ELF file" --chip esp32c3 "$tmp/empty.elf"
head -c 600 "$c3elf" >"$tmp/trunc.elf"
fails truncated 1 "truncated" --chip esp32c3 "$tmp/trunc.elf"
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\002\000\363\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\064\000\040\000\000\000\050\000\000\000\000\000' >"$tmp/noshdr.elf"
fails no-sections 1 "no section headers" --chip esp32c3 "$tmp/noshdr.elf"
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\363\000%044d' 0 >"$tmp/elf64.elf"
fails elf64 1 "not a 32-bit little-endian ELF" --chip esp32c3 "$tmp/elf64.elf"
mkapp "$tmp/arm.elf" 0x3C000020 0x42010020 0x40380000 0x3FC88000 --machine 0x28
fails arm 1 "not an Xtensa or RISC-V ELF file (e_machine = 0x0028)" --chip esp32c3 "$tmp/arm.elf"
fails missing 1 "cannot open" --chip esp32c3 "$tmp/nonexistent.elf"
"$mkelf" "$tmp/ovl.elf" --section ".a,0x3FC88000,0x100" --section ".b,0x3FC880F0,0x20"
fails overlap 1 "section .b at 0x3fc880f0 overlaps section .a" --chip esp32c3 "$tmp/ovl.elf"
# a section running past the end of DRAM still touches the chip's memory: taken, as
# esptool takes it; one wholly past it was linked for something else
"$mkelf" "$tmp/span.elf" --section ".a,0x3FCFFF00,0x200"
run span --chip esp32c3 "$tmp/span.elf" -o "$tmp/span.bin"
"$mkelf" "$tmp/past.elf" --section ".a,0x3FD00000,0x200"
fails past 1 "section .a at 0x3fd00000 (0x200 bytes) is outside the memory map" --chip esp32c3 "$tmp/past.elf"
"$mkelf" "$tmp/c6.elf" --section ".flash.appdesc,0x42000020,256,progbits,4,desc"
fails c6-as-esp32 1 "section .flash.appdesc at 0x42000020" --chip esp32 "$tmp/c6.elf"
args=()
for i in $(seq 0 16); do args+=(--section ".d$i,$((0x3FC88000 + i * 0x100)),0x10"); done
"$mkelf" "$tmp/many.elf" "${args[@]}"
fails too-many 1 "17 segments after merging adjacent sections (max 16)" --chip esp32c3 "$tmp/many.elf"
args=()
for i in $(seq 0 16); do args+=(--section ".d$i,$((0x3FC88000 + i * 0x10)),0x10"); done
"$mkelf" "$tmp/adj.elf" "${args[@]}"
run many-adjacent --chip esp32c3 "$tmp/adj.elf" -o "$tmp/a.bin"
field "$tmp/a.bin" segments 1
"$mkelf" "$tmp/nodesc.elf" --section ".flash.appdesc,0x3C000020,256,progbits,4,zero"
# an asked-for offset outside an app descriptor: written there as esptool writes it,
# with a warning (and nothing written, with a warning, when no segment covers it)
warns() {
	local name=$1 pat=$2; shift 2
	run "$name" "$@" -o "$tmp/w.bin"
	grep -qF -- "$pat" "$tmp/err" || bad "$name: stderr lacks '$pat': $(head -c 300 "$tmp/err")"
}
warns no-desc "warning: --elf-sha256-offset 0xb0: no app descriptor" \
	--chip esp32c3 --elf-sha256-offset 0xb0 "$tmp/nodesc.elf"
warns no-desc-offset "warning: --elf-sha256-offset 0xc0: no app descriptor" \
	--chip esp32c3 --elf-sha256-offset 0xc0 "$c3elf"
warns sha-outside "warning: --elf-sha256-offset 0x100000 is outside every segment's data" \
	--chip esp32c3 --elf-sha256-offset 0x100000 "$c3elf"
"$mkelf" "$tmp/patdesc.elf" --section ".flash.appdesc,0x3C000020,256,progbits,4,pat"
fails sha-not-zero 1 "digest offset 0xb0 are not zero" --chip esp32c3 "$tmp/patdesc.elf"
# esptool: with --ram-only-header RAM data comes first and 0xB0 lands in it
fails ram-only-sha 1 "are not zero" --chip esp32c3 --ram-only-header "$c3elf"
"$mkelf" "$tmp/same.elf" --section ".flash.rodata,0x3C000020,16" --section ".flash.text,0x42000100,16"
run same-page-ok --chip esp32c3 "$tmp/same.elf" -o "$tmp/a.bin"
"$mkelf" "$tmp/same.elf" --section ".flash.rodata,0x3C000020,16" --section ".flash.more,0x3C000800,16"
fails same-page 1 "lands in the same 64 KB flash mapping" --chip esp32c3 "$tmp/same.elf"
"$mkelf" "$tmp/none.elf" --section ".comment,0,16"
fails no-loadable 1 "no loadable sections" --chip esp32c3 "$tmp/none.elf"
"$mkelf" "$tmp/short.elf" --section ".flash.appdesc,0x42000020,64,progbits,4,desc"
fails short-desc 1 "too short for an esp_app_desc_t" --chip esp32c6 "$tmp/short.elf"
"$mkelf" "$tmp/d9.elf" --section ".flash.appdesc,0x42000020,256,progbits,4,desc9"
fails desc-mmu-bad 1 "0 bytes is not a valid ESP32-C6 page size" --chip esp32c6 "$tmp/d9.elf"

# an error leaves an existing output untouched
echo keep >"$tmp/keep.bin"
"$bin" --chip esp32c3 "$tmp/text.elf" -o "$tmp/keep.bin" 2>/dev/null
[ "$(cat "$tmp/keep.bin")" = keep ] && ok || bad "failed run changed the output"

# ---- bad usage (exit 2) ----
fails no-chip 2 "--chip is required" "$c3elf"
fails bad-chip 2 "unknown chip 'esp8266'" --chip esp8266 "$c3elf"
fails bad-mode 2 "--flash-mode: 'fast'" --chip esp32c3 --flash-mode fast "$c3elf"
fails bad-freq 2 "--flash-freq: '80m' is not supported by esp32h2; use one of 48m 24m 16m 12m" \
	--chip esp32h2 --flash-freq 80m "$tmp/esp32h2.elf"
fails bad-size 2 "--flash-size: '512KB'" --chip esp32c3 --flash-size 512KB "$c3elf"
fails bad-mmu 2 "--flash-mmu-page-size: '4KB'" --chip esp32c3 --flash-mmu-page-size 4KB "$c3elf"
fails bad-mmu-chip 2 "8192 bytes is not a valid ESP32-C2 page size" --chip esp32c2 \
	--flash-mmu-page-size 8KB "$tmp/esp32c2.elf"
fails bad-pad 2 "--pad-to-size: '4096'" --chip esp32c3 --pad-to-size 4096 "$c3elf"
fails bad-rev 2 "--min-rev: '256'" --chip esp32c3 --min-rev 256 "$c3elf"
fails bad-rev-full 2 "--max-rev-full: '65536'" --chip esp32c3 --max-rev-full 65536 "$c3elf"
fails bad-offset 2 "--elf-sha256-offset: 'x'" --chip esp32c3 --elf-sha256-offset x "$c3elf"
fails secure-no-digest 2 "secure padding only applies" --chip esp32c3 --secure-pad-v2 --no-digest "$c3elf"
fails secure-ram-only 2 "secure padding only applies" --chip esp32 --secure-pad --ram-only-header \
	"$tmp/esp32.elf"
fails no-input 2 "no ELF file given" --chip esp32c3
fails two-inputs 2 "more than one ELF file" --chip esp32c3 "$c3elf" "$c3elf"
fails unknown-opt 2 "unknown option '--frobnicate'" --chip esp32c3 --frobnicate "$c3elf"

# ---- corrupted ELFs: an error or an image, never a crash ----
size=$(stat -c %s "$c3elf")
for i in $(seq 1 80); do
	cp "$c3elf" "$tmp/fz.elf"
	for _ in 1 2 3; do
		off=$(((RANDOM * 32768 + RANDOM) % (i % 3 == 0 ? 52 : size)))
		# shellcheck disable=SC2059 # the format is the octal escape of a random byte
		printf "\\$(printf %03o $((RANDOM % 256)))" |
			dd of="$tmp/fz.elf" bs=1 seek="$off" conv=notrunc status=none
	done
	"$bin" --chip esp32c3 "$tmp/fz.elf" -o "$tmp/fz.bin" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc -gt 1 ] || grep -q "Sanitizer\|runtime error" "$tmp/err"; then
		bad "corrupt ELF $i: exit $rc $(head -c 300 "$tmp/err")"
		cp "$tmp/fz.elf" "/tmp/esp-mkimage-crash-$i.elf"
	else
		ok
	fi
done

finish
