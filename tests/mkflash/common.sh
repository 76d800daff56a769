# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared by the mkflash tests: a work directory with the example's manifest, layout
# and generated ELF inputs (the same as scripts/example.sh makes).
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# make_inputs DIR: copies configs/factory and generates bootloader.elf and app.elf
make_inputs() {
	mkdir -p "$1"
	cp "$SRC"/configs/factory/*.ini "$1/"
	"$MKELF" "$1/bootloader.elf" --machine riscv --entry 0x403ce710 \
		--section .iram_loader.text,0x403ce710,0x1800 --section .iram.text,0x403cff10,0x800 \
		--section .dram0.rodata,0x3fcd5710,0x300 || return 1
	"$MKELF" "$1/app.elf" --machine riscv --entry 0x40380000 \
		--section .flash.appdesc,0x3c000020,0x100,progbits,16,desc \
		--section .flash.rodata,0x3c000120,0x2000 --section .iram0.text,0x40380000,0x1200 \
		--section .dram0.data,0x3fc81200,0x200 --section .flash.text,0x42010020,0x3000
}

# region FILE OFFSET LEN OUT: copies LEN bytes at OFFSET of FILE into OUT
region() {
	dd if="$1" of="$4" bs=1 skip=$(($2)) count=$(($3)) status=none
}
