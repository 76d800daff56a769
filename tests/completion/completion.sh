#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: completion.sh COMPLETION_SCRIPT BIN_DIR
# Sources the completion script and calls its function as bash does (COMP_WORDS,
# COMP_CWORD), checking COMPREPLY: the options offered for "--" are the long options
# of the tool's --help (so completion, --help and the man page agree), and values
# complete for --chip, --flash-freq (per chip), --format, --secure=, ...
set -u
script=$1 bin=$2
fail=0
# shellcheck source=/dev/null
source "$script"

# complete WORD...: the last word is the one being completed; prints COMPREPLY sorted
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_espgen "$1"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

expect() { # expect "WANTED" WORD...
	local want=$1 got
	shift
	got=$(complete_line "$@")
	if [ "$got" != "$want" ]; then
		echo "FAIL: '$*': got '$got', expected '$want'"
		fail=1
	else
		echo "ok: '$*' -> $got"
	fi
}

for cmd in esp-mkpart esp-mkimage esp-mkotadata esp-mkflash esp-mknvs esp-sign esp-imginfo \
	esp-encrypt esp-mkfs; do
	[ "$(complete -p "$cmd" 2>/dev/null)" = "complete -F _espgen $cmd" ] ||
		{ echo "FAIL: no completion registered for $cmd"; fail=1; }
	[ -x "$bin/$cmd" ] || { echo "SKIP: --help options of $cmd ($bin/$cmd is not built)"; continue; }
	# the long options --help documents: option lines and "also --alias"
	help=$("$bin/$cmd" --help)
	want=$({
		printf '%s\n' "$help" | grep -oE -- '^ +(-[A-Za-z], )?--[a-z0-9][a-z0-9-]+' |
			grep -oE -- '--[a-z0-9-]+'
		printf '%s\n' "$help" | tr '\n' ' ' | tr -s ' ' |
			grep -oE -- 'also --[a-z0-9-]+' | sed 's/^also //'
	} | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//')
	expect "$want" "$cmd" --
done

expect "esp32c2 esp32c3 esp32c5 esp32c6 esp32c61" esp-mkimage --chip esp32c
expect "esp32h2 esp32h21 esp32h4" esp-mkflash -c esp32h
expect "15m 20m 30m 60m" esp-mkimage --chip esp32c2 --flash-freq ""
expect "12m 16m 24m 48m" esp-mkimage --chip = esp32h2 app.elf --flash-freq ""
expect "dio dout" esp-mkflash --flash-mode d
expect "128MB 16MB 1MB" esp-mkpart --flash-size 1
expect "256KB 2MB" esp-mkflash --pad-to-size 2
expect "csv ini" esp-mkpart --decode --format ""
expect "hex raw uf2" esp-mkflash --format ""
expect "image regions" esp-mkflash --output-mode ""
expect "v1 v2" esp-mkpart --secure =
expect "invalid" esp-mkotadata --boot ota_0 --state inv
expect "ota_1 ota_10 ota_11 ota_12 ota_13 ota_14 ota_15" esp-mkotadata --boot ota_1
expect "digest" esp-imginfo --diff --ignore dig
expect "128 256" esp-encrypt --keygen --chip esp32s3 --key-size ""
expect "192 256" esp-encrypt --keygen -c esp32 --key-size ""
expect "--sb-version --signature" esp-sign --s
expect "" esp-mkpart --offset 0x
expect "fat spiffs" esp-mkfs --type ""
expect "perf safe" esp-mkfs --type fat --wear-levelling --wl-mode ""
expect "" esp-mkfs --type spiffs --page-size ""

# files: -o and plain arguments complete paths
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/layout.ini" "$tmp/layout.csv"
expect "$tmp/layout.csv $tmp/layout.ini" esp-mkpart "$tmp/lay"
expect "$tmp/layout.ini" esp-mkflash -o "$tmp/layout.i"
exit $fail
