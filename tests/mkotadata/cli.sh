#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cli.sh ESP-MKOTADATA: usage errors (exit 2, message, no output file), --help, --version.
set -u
exe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect_usage "stderr substring" ARGS...
expect_usage() {
	local want=$1
	shift
	rm -f "$tmp/out"
	"$exe" "$@" -o "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$?
	if [ $rc -ne 2 ] || [ -e "$tmp/out" ] || ! grep -qF -- "$want" "$tmp/stderr"; then
		echo "FAIL: $*: exit $rc (want 2), stderr: $(head -c 200 "$tmp/stderr")"
		fail=$((fail + 1))
	fi
}

expect_usage "esp-mkotadata: --size: 0x2800 is not a multiple of the 0x1000-byte flash sector" --size 0x2800
expect_usage "esp-mkotadata: --size: 0x1000 is smaller than two sectors (0x2000)" --size 0x1000
expect_usage "esp-mkotadata: --size: 0x0 is smaller than two sectors" --size 0
expect_usage "esp-mkotadata: --size: 'lots' is not a size" --size lots
expect_usage "esp-mkotadata: --size: 0x10000000 is larger than 128MB" --size 256M
expect_usage "esp-mkotadata: --boot: 'ota_16' is not factory or ota_0 .. ota_15" --boot ota_16 --slots 16
expect_usage "esp-mkotadata: --boot: 'ota_01'" --boot ota_01 --slots 2
expect_usage "esp-mkotadata: --boot: 'ota0'" --boot ota0 --slots 2
expect_usage "esp-mkotadata: --boot: 'ota_-1'" --boot ota_-1 --slots 2
expect_usage "esp-mkotadata: --boot ota_2: only 2 OTA slots (--slots 2)" --boot ota_2 --slots 2
expect_usage "esp-mkotadata: --boot ota_0 needs the slot count" --boot ota_0
expect_usage "esp-mkotadata: --slots: '0' is not a number from 1 to 16" --boot ota_0 --slots 0
expect_usage "esp-mkotadata: --slots: '17' is not a number from 1 to 16" --boot ota_0 --slots 17
expect_usage "esp-mkotadata: --state: 'VALID' is not new, pending" --boot ota_0 --slots 2 --state VALID
expect_usage "esp-mkotadata: --seq 2 selects ota_1 of 2 slots, not ota_0" --boot ota_0 --slots 2 --seq 2
expect_usage "esp-mkotadata: --seq: '0' is not a number from 1 to 4294967294" --boot ota_0 --slots 2 --seq 0
expect_usage "esp-mkotadata: --seq: '0xffffffff' is not a number" --boot ota_0 --slots 1 --seq 0xffffffff
expect_usage "--boot factory writes a blank otadata; --state and --seq need --boot ota_N" --boot factory --state new
expect_usage "no entry to write: --state and --seq need --boot ota_N" --seq 1
expect_usage "esp-mkotadata: unknown option '--bogus'" --bogus
expect_usage "esp-mkotadata: unexpected argument 'extra'" extra

# no -o
"$exe" --size 0x2000 >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && grep -qF "no output given (-o FILE)" "$tmp/stderr" || { echo "FAIL: no -o"; fail=$((fail + 1)); }
# an option without its value
"$exe" -o "$tmp/out" --boot >/dev/null 2>"$tmp/stderr"
[ $? -eq 2 ] && [ ! -e "$tmp/out" ] && grep -qF "option '--boot' needs a value" "$tmp/stderr" ||
	{ echo "FAIL: --boot without value"; fail=$((fail + 1)); }
# --help and --version exit 0 on stdout
"$exe" --help | grep -q "^usage: esp-mkotadata" || { echo "FAIL: --help"; fail=$((fail + 1)); }
"$exe" --version | grep -q "^esp-mkotadata (espgen) " || { echo "FAIL: --version"; fail=$((fail + 1)); }
# an existing output is left alone on error
printf 'keep' >"$tmp/keep"
"$exe" --boot ota_5 --slots 2 -o "$tmp/keep" 2>/dev/null
[ "$(cat "$tmp/keep")" = keep ] || { echo "FAIL: output overwritten on error"; fail=$((fail + 1)); }
# deterministic: two runs give the same bytes
"$exe" --boot ota_1 --slots 2 -o "$tmp/a" && "$exe" --boot ota_1 --slots 2 -o "$tmp/b" && cmp -s "$tmp/a" "$tmp/b" ||
	{ echo "FAIL: not deterministic"; fail=$((fail + 1)); }

[ $fail -eq 0 ] && echo "cli.mkotadata: all passed"
[ $fail -eq 0 ]
