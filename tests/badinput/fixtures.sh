# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh
# Sourced by run.sh: makes the good inputs every case starts from in $F.
# Needs $BIN, $MKELF; everything is made here (no upstream files).
fx() { "$@" >/dev/null 2>"$F/fixture.err" || { cat "$F/fixture.err" >&2; echo "fixture failed: $*" >&2; exit 2; }; }

cat >"$F/good.csv" <<'E'
# Name, Type, SubType, Offset, Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
otadata,  data, ota,     0xf000,  0x2000,
phy_init, data, phy,     0x11000, 0x1000,
factory,  app,  factory, 0x20000, 0x100000,
ota_0,    app,  ota_0,   ,        0x100000,
ota_1,    app,  ota_1,   ,        0x100000,
E
cat >"$F/good.ini" <<'E'
[nvs]
type = data
subtype = nvs
size = 0x6000

[otadata]
type = data
subtype = ota
size = 0x2000

[factory]
type = app
subtype = factory
size = 0x100000

[ota_0]
type = app
subtype = ota_0
size = 0x100000
E
fx "$BIN/esp-mkpart" "$F/good.csv" -o "$F/table.bin"
fx "$MKELF" "$F/app.elf" --entry 0x40380000 \
	--section ".flash.appdesc,0x3C000020,256,progbits,16,desc" \
	--section ".flash.rodata,0x3C000120,301" \
	--section ".iram0.text,0x40380000,0x100" \
	--section ".dram0.data,0x3FC88000,0x80" \
	--section ".flash.text,0x42010020,0x2001"
fx "$BIN/esp-mkimage" --chip esp32c3 "$F/app.elf" -o "$F/app.bin"
fx "$MKELF" "$F/boot.elf" --entry 0x403CE000 \
	--section ".iram0.text,0x403CE000,0x200" \
	--section ".dram0.data,0x3FCD5000,0x40"
fx "$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio "$F/boot.elf" -o "$F/boot.bin"
fx "$BIN/esp-mkotadata" --boot ota_1 --slots 2 -o "$F/otadata.bin"
printf 'key,type,encoding,value\nstorage,namespace,,\nserial,data,string,SN0001\nboot_count,data,u32,7\n' >"$F/nvs.csv"
fx "$BIN/esp-mknvs" --size 0x6000 "$F/nvs.csv" -o "$F/nvs.bin"
cp "$F/good.ini" "$F/partitions.ini"
cat >"$F/factory.ini" <<'E'
chip = esp32c3
flash_mode = dio
flash_freq = 80m
flash_size = 4MB
layout = partitions.ini
bootloader = boot.bin

[otadata]
boot = ota_0

[factory]
file = app.bin

[ota_0]
elf = app.elf

[nvs]
nvs = nvs.csv
E
printf 'device_id,serial\ndev1,SN1\ndev2,SN2\n' >"$F/devices.csv"
if command -v openssl >/dev/null 2>&1; then
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$F/p256.pem" 2>/dev/null
	openssl pkey -in "$F/p256.pem" -pubout -out "$F/p256.pub.pem" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$F/p521.pem" 2>/dev/null
	openssl genpkey -algorithm ED25519 -out "$F/ed25519.pem" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-aes-128-cbc -pass pass:x -out "$F/p256-enc.pem" 2>/dev/null
fi
mkdir -p "$F/adir"
: >"$F/empty"
rm -f "$F/fixture.err"
