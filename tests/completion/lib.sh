# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared by zsh.sh and fish.sh: the long options a tool's --help documents and the
# value completions every shell must give (the same as completion.sh asks of bash).

# help_options TOOL: the long options of TOOL's --help, sorted, one line: option lines
# ("  -o, --output FILE", "      --decode") and aliases named as "also --name"
help_options() {
	local help
	help=$("$1" --help)
	{
		printf '%s\n' "$help" | grep -oE -- '^ +(-[A-Za-z], )?--[a-z0-9][a-z0-9-]+' |
			grep -oE -- '--[a-z0-9-]+'
		printf '%s\n' "$help" | tr '\n' ' ' | tr -s ' ' |
			grep -oE -- 'also --[a-z0-9-]+' | sed 's/^also //'
	} | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
}

# begin SHELL FILE: exits 77 (SKIP) without SHELL, 1 without FILE; else makes $tmp
# (removed on exit) with $tmp/cwd, where layout.ini and layout.csv are to complete
begin() {
	if ! command -v "$1" >/dev/null; then
		echo "SKIP: $1 completion ($1 is not installed; Debian package $1)"
		exit 77
	fi
	[ -f "$2" ] || { echo "FAIL: no $1 completion $2"; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	mkdir "$tmp/cwd"
	touch "$tmp/cwd/layout.ini" "$tmp/cwd/layout.csv"
}

# value_cases: "EXPECTED|COMMAND LINE" rows, the line ending where TAB is pressed
value_cases() {
	cat <<'CASES'
esp32c2 esp32c3 esp32c5 esp32c6 esp32c61|esp-mkimage --chip esp32c
esp32h2 esp32h21 esp32h4|esp-mkflash -c esp32h
15m 20m 30m 60m|esp-mkimage --chip esp32c2 --flash-freq 
12m 16m 24m 48m|esp-mkimage --chip=esp32h2 --flash-freq=
dio dout|esp-mkflash --flash-mode d
128MB 16MB 1MB|esp-mkpart --flash-size 1
256KB 2MB|esp-mkflash --pad-to-size 2
csv ini|esp-mkpart --decode --format 
hex raw uf2|esp-mkflash --format 
image regions|esp-mkflash --output-mode 
v1 v2|esp-mkpart --secure=
invalid|esp-mkotadata --boot ota_1 --state inv
ota_1 ota_10 ota_11 ota_12 ota_13 ota_14 ota_15|esp-mkotadata --boot ota_1
digest|esp-imginfo --diff --ignore dig
128 256|esp-encrypt --keygen --chip esp32s3 --key-size 
192 256|esp-encrypt --keygen -c esp32 --key-size 
--sb-version --signature|esp-sign --s
fat spiffs|esp-mkfs --type 
layout.csv layout.ini|esp-mkpart lay
layout.ini|esp-mkflash -o layout.i
layout.csv|esp-mknvs --key layout.c
CASES
}

# check WANTED GOT WHAT: one result line; false when GOT is not WANTED
check() {
	if [ "$2" != "$1" ]; then
		echo "FAIL: '$3': got '$2', expected '$1'"
		return 1
	else
		echo "ok: '$3' -> $2"
	fi
}
