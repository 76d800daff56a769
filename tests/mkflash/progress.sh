#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Progress of a batch: --progress=jsonl writes exactly one JSON object per finished
# device to stderr (built, up-to-date, failed); without a terminal and without
# --progress stderr stays empty; on a terminal one line is redrawn with \r.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
d=$tmp/f
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cp "$SRC"/configs/factory/batch.ini "$SRC"/configs/factory/device-nvs.csv \
	"$SRC"/configs/factory/devices.csv "$d/"
cd "$d" || exit 1
mk() { "$BIN/esp-mkflash" "$@"; }
v=$("$BIN/esp-mkflash" --version | cut -d' ' -f3)
line() { # ID STATUS SHA MESSAGE
	printf '{"schema_version":1,"tool_version":"%s","id":"%s","status":"%s","sha256":%s,"message":"%s"}\n' \
		"$v" "$1" "$2" "$3" "$4"
}

mk --manifest batch.ini --devices devices.csv -j 1 -o O 2>err && [ ! -s err ] && ok ||
	bad "no terminal, no --progress: stderr not empty: $(cat err)"
rm -r O
mk --manifest batch.ini --devices devices.csv -j 1 --progress=jsonl -o O 2>err || bad "jsonl run"
for id in unit-0001 unit-0002 unit-0003 unit-0004 unit-0005; do
	line $id built "\"$(sha256sum O/$id/FLASH.bin | cut -d' ' -f1)\"" ""
done >want
cmp -s want err && ok || bad "jsonl, built: $(diff want err)"
# FLASH.json, like every JSON document espgen writes, starts with its schema and tool
printf '{\n  "schema_version": 1,\n  "tool_version": "%s",\n  "device_id": "unit-0001",\n  "action_key": "' "$v" >want
head -c "$(stat -c %s want)" O/unit-0001/FLASH.json | cmp -s want - && ok ||
	bad "FLASH.json's first fields: $(head -5 O/unit-0001/FLASH.json)"

# a rerun: up to date; one changed row built, one failed (with --keep-going)
sed -i -e 's/^unit-0002,ESP-2026-0002,/unit-0002,ESP-2026-X002,/' \
	-e 's/^unit-0004,ESP-2026-0004,24dcc3a00004,-3,/unit-0004,ESP-2026-0004,24dcc3a00004,40000,/' devices.csv
mk --manifest batch.ini --devices devices.csv -j 1 --keep-going --progress jsonl -o O 2>err
[ $? -eq 1 ] && ok || bad "a failed device: exit"
msg="esp-mkflash: device-nvs.csv:5: calib_offset: value '40000' out of range for i16 (-32768 to 32767)\\nesp-mkflash: devices.csv:5: device unit-0004 not built: column 'calib_offset' ('40000'), used at device-nvs.csv:5"
{
	line unit-0001 up-to-date "\"$(sha256sum O/unit-0001/FLASH.bin | cut -d' ' -f1)\"" ""
	line unit-0002 built "\"$(sha256sum O/unit-0002/FLASH.bin | cut -d' ' -f1)\"" ""
	line unit-0003 up-to-date "\"$(sha256sum O/unit-0003/FLASH.bin | cut -d' ' -f1)\"" ""
	line unit-0004 failed null "$msg"
	line unit-0005 up-to-date "\"$(sha256sum O/unit-0005/FLASH.bin | cut -d' ' -f1)\"" ""
} >want
head -5 err | cmp -s want - && ok || bad "jsonl, mixed: $(diff want <(head -5 err))"
tail -n +6 err | grep -qx "esp-mkflash: 3 up to date, 1 built" && ok || bad "summary: $(cat err)"

# on a terminal: one line redrawn with \r, ended by a newline; nothing with --progress none
if command -v script >/dev/null; then
	sed -i 's/,40000,/,-3,/' devices.csv
	rm -r O
	script -qec "'$BIN/esp-mkflash' --manifest batch.ini --devices devices.csv -j 1 -o O 2>&1 >/dev/null" /dev/null |
		tr -d '\n' >tty.out
	grep -qE $'^\r.*\r5/5 devices, [0-9.]+/s, ETA 0:00:00\e\\[K\r?$' tty.out && ok ||
		bad "terminal display: $(od -c tty.out | head)"
	rm -r O
	script -qec "'$BIN/esp-mkflash' --manifest batch.ini --devices devices.csv -j 1 --progress none -o O" /dev/null >tty.out
	grep -q 'devices,' tty.out && bad "--progress none drew" || ok
fi
finish
