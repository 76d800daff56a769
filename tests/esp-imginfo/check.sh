#!/bin/sh
# esp-imginfo --check. A good factory image built by esp-mkflash --manifest has no
# problems; the same image broken in one way at a time (dd/printf) gives exit 1 and
# the exact message of that kind of problem. Every image the manifest form builds from
# configs/ (the factory example, each device of the batch example, and each
# configs/partitions layout) has no problems either.
# usage: check.sh BIN_DIR TESTS_BIN_DIR
# shellcheck disable=SC2317,SC2034 # the table's commands and options (eval) use ff, put,
# place and $other
src=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/esp-imginfo/common.sh
. "$src/common.sh"

# ff N: N bytes of 0xFF (erased flash)
ff() {
	head -c $(($1)) /dev/zero | tr '\0' '\377'
}

# put FILE OFFSET PRINTF-BYTES / place FILE OFFSET SOURCE: overwrite bytes in place
put() {
	# shellcheck disable=SC2059 # the bytes are given as printf escapes
	printf "$3" | dd of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}
place() {
	dd if="$3" of="$1" bs=1 seek=$(($2)) conv=notrunc status=none
}

# no_problems FILE [OPTION...]: exit 0 and "no problems"
no_problems() {
	f=$1
	shift
	n=$((n + 1))
	"$info" --check "$@" "$f" >out 2>err
	rc=$?
	[ "$rc" = 0 ] && [ "$(cat out)" = "no problems" ] && [ ! -s err ] ||
		bad "$f: exit $rc, want 0 and 'no problems': $(head -3 out err)"
}

# ---- inputs: the ELFs of scripts/example.sh, a layout with an erased gap ----
"$mkelf" bootloader.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x1800 --section .iram.text,0x403cff10,0x800 \
	--section .dram0.rodata,0x3fcd5710,0x300 || bad "mkelf bootloader"
"$mkelf" app.elf --machine riscv --entry 0x40380000 \
	--section .flash.appdesc,0x3c000020,0x100,progbits,16,desc \
	--section .flash.rodata,0x3c000120,0x2000 --section .iram0.text,0x40380000,0x1200 \
	--section .dram0.data,0x3fc81200,0x200 --section .flash.text,0x42010020,0x3000 ||
	bad "mkelf app"
# the same app linked for the ESP32-C6, and a bootloader too big for its room
"$mkelf" c6.elf --machine riscv --entry 0x40800000 \
	--section .flash.appdesc,0x42000020,0x100,progbits,16,desc \
	--section .flash.text,0x42010020,0x300 --section .iram0.text,0x40800000,0x100 ||
	bad "mkelf c6"
"$mkelf" big.elf --machine riscv --entry 0x403ce710 \
	--section .iram_loader.text,0x403ce710,0x9000 || bad "mkelf big"
"$bin/esp-mkimage" --chip esp32c6 c6.elf -o c6.bin || bad "esp-mkimage c6"
"$bin/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 2MB \
	big.elf -o big.bin || bad "esp-mkimage big"

# nvs 0x9000, otadata 0xd000, phy_init 0xf000, factory 0x10000, ota_0 0x50000,
# ota_1 0x90000 (erased), a gap 0xd0000-0x100000, storage 0x100000
part() {
	printf '[%s]\ntype = %s\nsubtype = %s\nsize = %s\n%s\n' "$@"
}
{
	part nvs data nvs 16K
	part otadata data ota 8K
	part phy_init data phy 4K
	part factory app factory 256K
	part ota_0 app ota_0 256K
	part ota_1 app ota_1 256K
	part storage data fat 64K 'offset = 0x100000'
} >layout.ini
# the same with ota_2 for ota_1: a gap in the OTA slots
sed 's/ota_1/ota_2/' layout.ini >gap.ini
manifest() {
	cat <<EOF
chip = esp32c3
flash_mode = dio
flash_freq = 80m
flash_size = 2MB
fill = yes
layout = $1
bootloader = bootloader.elf

[otadata]
boot = ota_0

[factory]
elf = app.elf

[ota_0]
elf = app.elf
EOF
}
manifest layout.ini >good.ini
manifest gap.ini >gap-manifest.ini
"$bin/esp-mkflash" --manifest good.ini -o good.bin || bad "esp-mkflash good.ini"
"$bin/esp-mkflash" --manifest gap-manifest.ini -o gap.bin || bad "esp-mkflash gap"
no_problems good.bin
no_problems gap.bin

# ---- one break per case: NAME, the image broken, --check's options ('-': none), the
# exact line --check prints, and the commands that break the copy $C ----
"$bin/esp-mkotadata" --boot ota_1 --slots 2 -o boot-ota1.bin || bad "esp-mkotadata ota_1"
"$bin/esp-mkotadata" --boot ota_2 --slots 3 -o boot-ota2.bin || bad "esp-mkotadata ota_2"
dd if=good.bin of=bootloader.bin bs=4096 count=7 status=none
"$bin/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 2MB \
	app.elf -o factory.bin || bad "esp-mkimage app"
"$bin/esp-sign" --key "$src/ecdsa256.pem" factory.bin -o factory-signed.bin || bad "esp-sign"
printf '[nvs]\ntype = data\nsubtype = nvs\nsize = 16K\n' >noapp.ini
"$bin/esp-mkpart" noapp.ini -o noapp-table.bin || bad "esp-mkpart noapp"
key=$src/ecdsa256.pem
other=$root/tests/fuzz/corpus/sbkey/ec256-pub.pem
tab=$(printf '\t')
while IFS="$tab" read -r name base opts want cmd; do
	case $name in '' | '#'*) continue ;; esac
	n=$((n + 1))
	C=$name.bin
	cp "$base" "$C"
	eval "$cmd" || { bad "$name: the break failed"; continue; }
	[ "$opts" = - ] && opts=
	eval "\"\$info\" --check $opts \"\$C\"" >out 2>err
	rc=$?
	[ "$rc" = 1 ] || bad "$name: exit $rc, want 1 :: $(head -3 err)"
	grep -Fxq -- "$want" out || { bad "$name: no line '$want' in:"; cat out >&2; }
	lines=$(($(wc -l <out) - 1))
	[ "$(tail -1 out)" = "$lines problem$([ "$lines" = 1 ] || echo s)" ] ||
		bad "$name: the last line is not the count: $(tail -1 out)"
done <<'EOF'
flash-size	good.bin	-	partition storage ends at 0x110000, past the flash size in the bootloader header (1MB) [flash-size]	put $C 3 '\017'
image-size	good.bin	-	the image ends at 0x200000, past the flash size in the bootloader header (1MB) [image-size]	put $C 3 '\017'
app-content	good.bin	-	partition factory: neither an app image (no magic byte 0xE9) nor erased [app-content]	put $C 0x10000 'XYZ'
app-decode	good.bin	-	partition factory: app image does not decode [app-decode]	put $C 0x10001 '\377'
app-chip	good.bin	-	partition ota_0: app image for esp32c6, but the bootloader is for esp32c3 [app-chip]	ff 0x40000 | place $C 0x50000 /dev/stdin && place $C 0x50000 c6.bin
boot-invalid	good.bin	-	the bootloader starts ota_0 (otadata entry 0), which holds no valid app image (invalid) [boot]	ff 0x40000 | place $C 0x50000 /dev/stdin && place $C 0x50000 c6.bin
boot-erased-slot	good.bin	-	the bootloader starts ota_1 (otadata entry 0), which holds no valid app image (erased) [boot]	place $C 0xd000 boot-ota1.bin
boot-erased-factory	good.bin	-	the bootloader starts factory (no valid otadata entry), which holds no valid app image (erased) [boot]	ff 0x2000 | place $C 0xd000 /dev/stdin && ff 0x40000 | place $C 0x10000 /dev/stdin
boot-not-in-image	good.bin	-	the bootloader starts ota_1 (otadata entry 0), which holds no valid app image (not in the image) [boot]	place $C 0xd000 boot-ota1.bin && head -c $((0x90000)) $C >cut && mv cut $C
otadata-slot	gap.bin	-	partition otadata: entry 0 selects ota_2 (seq 3), but the layout has 1 OTA app slot (ota_0 to ota_0); ota_1 is missing, and the bootloader counts slots only up to the first gap: the bootloader starts ota_0 [otadata-slot]	place $C 0xd000 boot-ota2.bin
otadata-crc	good.bin	-	partition otadata: otadata entry 0: CRC 0x47439800 invalid, expected 0x4743989a [otadata-crc]	put $C 0xd01c '\000'
no-bootloader	good.bin	-	no bootloader image of a known chip at 0x0, 0x1000 or 0x2000 [no-bootloader]	put $C 0 '\000'
bootloader-offset	good.bin	-	bootloader: image for esp32c3 at 0x1000, but the esp32c3 ROM loads it from 0x0 [bootloader-offset]	ff 0x8000 | place $C 0 /dev/stdin && place $C 0x1000 bootloader.bin
bootloader-overlap	good.bin	-	bootloader: image at 0x0 ends at 0x9050, inside the partition table at 0x8000 [bootloader-overlap]	place $C 0 big.bin && dd if=good.bin of=$C bs=4096 skip=8 seek=8 count=1 conv=notrunc status=none
stray-bytes	good.bin	-	0xd0000-0x100000: not erased, but outside every partition [stray-bytes]	put $C 0xe0000 'x'
no-app	good.bin	-	partition table: no app partition the bootloader can start (factory, ota_N or test) [no-app]	"$bin/esp-mkflash" --chip esp32c3 0 bootloader.bin 0x8000 noapp-table.bin -o $C
unsigned-bootloader	good.bin	--pubkey "$key"	bootloader: no Secure Boot signature, but --pubkey was given [unsigned]	:
unsigned-app	good.bin	--pubkey "$key"	partition ota_0: no Secure Boot signature, but --pubkey was given [unsigned]	place $C 0x10000 factory-signed.bin
signature-key	good.bin	--pubkey "$other"	partition factory: signature does not verify with the given key [signature-key]	place $C 0x10000 factory-signed.bin
EOF

# the same as JSON: kind, message and file offset of each problem
"$info" --check --json app-chip.bin >out 2>err
[ $? = 1 ] || bad "--json: exit status"
if command -v jq >/dev/null 2>&1; then
	got=$(jq -r '.problems[] | "\(.kind) \(.offset)"' out | tr '\n' ' ')
	[ "$got" = "app-chip 327680 boot 327680 " ] || bad "--json problems: '$got'"
	jq -e '.problems[0].message == "partition ota_0: app image for esp32c6, but the bootloader is for esp32c3"' \
		out >/dev/null || bad "--json message"
else
	echo "SKIP: imginfo.check's jq checks of the --json problems (jq is not installed)"
fi
v=$("$info" --version | cut -d' ' -f3)
"$info" --check --json good.bin >out &&
	[ "$(tr -d ' \n' <out)" = '{"schema_version":1,"tool_version":"'"$v"'","problems":[]}' ] ||
	bad "--json without problems: $(cat out)"
# a signed app that verifies is no problem; other kinds of image are checked as they are
no_problems factory-signed.bin --pubkey "$key"
no_problems factory.bin
"$info" --check --pubkey "$key" factory.bin >out
[ $? = 1 ] && grep -Fxq 'no Secure Boot signature, but --pubkey was given [unsigned]' out ||
	bad "unsigned app image: $(cat out)"
# usage: --check describes one file, and is not --diff
"$info" --check --diff good.bin good.bin >out 2>err
[ $? = 2 ] && grep -q "exclude each other" err || bad "--check --diff"
"$info" --check >out 2>err
[ $? = 2 ] || bad "--check without a file"
"$info" --check missing.bin >out 2>err
[ $? = 2 ] && [ ! -s out ] || bad "--check of a missing file"

# ---- every image the manifest form builds from configs/ ----
cp "$root"/configs/factory/* . && cp factory.ini example.ini
"$bin/esp-mkflash" --manifest example.ini -o example.bin || bad "configs/factory/factory.ini"
no_problems example.bin
"$bin/esp-mkflash" --manifest batch.ini --devices devices.csv -o devices >/dev/null ||
	bad "configs/factory/batch.ini"
for f in devices/*/FLASH.bin; do
	no_problems "$f"
done
[ "$(find devices -mindepth 2 -maxdepth 2 -name FLASH.bin | wc -l)" = 5 ] || bad "batch: not 5 devices"
# each configs/partitions layout with its apps built and an NVS partition filled
printf 'key,type,encoding,value\nfactory,namespace,,\nserial,data,string,SN-1\n' >nvs.csv
for layout in "$root"/configs/partitions/*.csv; do
	name=$(basename "$layout" .csv)
	{
		printf 'chip = esp32c3\nflash_mode = dio\nflash_freq = 80m\nflash_size = 4MB\n'
		printf 'layout = %s\nbootloader = bootloader.elf\n' "$layout"
		grep -q '^factory, *app' "$layout" && printf '[factory]\nelf = app.elf\n'
		grep -q 'app, *ota_0' "$layout" &&
			printf '[otadata]\nboot = ota_0\n[ota_0]\nelf = app.elf\n'
		grep -q '^nvs, ' "$layout" && printf '[nvs]\nnvs = nvs.csv\n'
	} >"$name.ini"
	if "$bin/esp-mkflash" --manifest "$name.ini" -o "$name.bin" 2>err; then
		no_problems "$name.bin"
	else
		bad "$name: $(cat err)"
	fi
done

echo "$n images checked"
exit $fail
