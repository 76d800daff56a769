#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The example built twice, from other working directories, time zones, locales and
# umasks, with the inputs' mtimes changed, gives identical FLASH.bin and FLASH.json.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
make_inputs "$tmp/a" && make_inputs "$tmp/b" || { echo "cannot make inputs"; exit 1; }
(cd "$tmp/a" && export TZ=UTC LC_ALL=C && umask 022 && "$BIN/esp-mkflash" --manifest factory.ini -o FLASH.bin) || bad "build a"
touch -d '2001-02-03 04:05:06' "$tmp/b"/*
(cd / && umask 077 && TZ=Asia/Kolkata LC_ALL=C.UTF-8 LANG=de_DE.UTF-8 \
	"$BIN/esp-mkflash" --manifest "$tmp/b/factory.ini" -o "$tmp/b/FLASH.bin") || bad "build b"
cmp -s "$tmp/a/FLASH.bin" "$tmp/b/FLASH.bin" && ok || bad "FLASH.bin differs"
cmp -s "$tmp/a/FLASH.json" "$tmp/b/FLASH.json" && ok || bad "FLASH.json differs"
# and a third time in the same place: nothing changes
sleep 1
(cd "$tmp/a" && "$BIN/esp-mkflash" --manifest factory.ini -o FLASH2.bin) &&
	cmp -s "$tmp/a/FLASH.bin" "$tmp/a/FLASH2.bin" && ok || bad "rebuild differs"
finish
