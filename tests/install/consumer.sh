#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: consumer.sh BUILD_DIR SOURCE_DIR MKELF [GENERATOR...]
# Installs BUILD_DIR to a temporary prefix, moves the prefix, and builds
# examples/cmake-consumer from it with each generator (default: Unix Makefiles, and
# Ninja when it is installed). Per generator:
#   1. the first build makes every image; FLASH.bin equals what esp-mkflash makes
#      from configs/factory/factory.ini with the same ELFs (scripts/example.sh)
#   2. a second build runs no espgen command and changes no output
#   3. touching the layout rebuilds the partition table and the flash image only
#   4. touching the app ELF rebuilds the app images and the flash image only
#   5. touching the signing key rebuilds the signed app image only (tests/keys)
#   6. a second project (made here): touching a file that only a row of the manifest's
#      NVS CSV names rebuilds its image (esp-mkflash --depfile), and nothing else does
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
mkelf=$3
shift 3
if [ $# -eq 0 ]; then
	set -- "Unix Makefiles"
	if command -v ninja >/dev/null; then
		set -- "$@" Ninja
	else
		echo "SKIP: the Ninja generator (ninja is not installed)"
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# install, then move: nothing may point back at the build or the first prefix
cmake --install "$build" --prefix "$tmp/stage" >"$tmp/install.log" || {
	cat "$tmp/install.log"
	fail "cmake --install"
}
mv "$tmp/stage" "$tmp/prefix"
prefix=$tmp/prefix
for f in bin/esp-mkpart bin/esp-mkimage bin/esp-mkotadata bin/esp-mkflash \
	lib/cmake/espgen/espgenConfig.cmake lib/cmake/espgen/espgenConfigVersion.cmake \
	lib/cmake/espgen/espgenFunctions.cmake share/bash-completion/completions/esp-mkpart; do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
if grep -rlF -e "$build" -e "$tmp/stage" -e "$src" "$prefix/lib/cmake/espgen"; then
	fail "the package names an absolute path of the build"
fi
# a man page per tool, rendered by man -l (when scdoc made them), and a completion
for tool in "$prefix"/bin/esp-*; do
	tool=${tool##*/}
	[ -f "$prefix/share/bash-completion/completions/$tool" ] || fail "no completion for $tool"
	[ -d "$build/man" ] || { echo "SKIP: man page of $tool (scdoc made no pages)"; continue; }
	page=$prefix/share/man/man1/$tool.1
	[ -f "$page" ] || fail "no man page for $tool"
	MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$tmp/man.txt" 2>"$tmp/man.err" ||
		fail "man -l $page"
	[ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err"; fail "man -l $page: warnings"; }
	grep -q "^NAME" "$tmp/man.txt" || fail "man -l $page: no NAME"
done

# the inputs the test touches: a copy of configs/
cp -r "$src/configs" "$tmp/configs"

images="partitions.bin bootloader.bin app.bin app-ota0.bin otadata.bin FLASH.bin"
# a Secure Boot key for app-signed.bin (the example signs only when given one): the
# committed test-only key, so no key generation and no openssl needed
cp "$src/tests/keys/test-only-rsa3072.pem" "$tmp/key.pem"
keyopt=(-DSIGN_KEY="$tmp/key.pem")
images="$images app-signed.bin"
stamps() { # the mtime of every image, one line each
	# shellcheck disable=SC2086 # $images is a list
	(cd "$1" && stat -c '%n %.9Y' $images)
}
ran() { # ran LOG TOOL: how many times the installed TOOL ran in LOG
	grep -c -- "$prefix/bin/$2 " "$1" || true
}
# expect LOG BEFORE AFTER changed-images...: exactly those images were remade and
# exactly their tools ran
expect() {
	local log=$1 before=$2 after=$3 img tool want n
	shift 3
	for img in $images; do
		want=same
		case " $* " in *" $img "*) want=changed ;; esac
		if [ "$(grep "^$img " "$before")" = "$(grep "^$img " "$after")" ]; then
			[ $want = same ] || fail "$gen: $img was not rebuilt ($step)"
		else
			[ $want = changed ] || fail "$gen: $img was rebuilt ($step)"
		fi
	done
	for tool in esp-mkpart esp-mkimage esp-mkotadata esp-mkflash; do
		want=0
		for img in "$@"; do
			case $tool:$img in
			esp-mkpart:partitions.bin | esp-mkotadata:otadata.bin | esp-mkflash:FLASH.bin \
				| esp-mkimage:*app*.bin | esp-mkimage:bootloader.bin)
				want=$((want + 1)) ;;
			esac
		done
		n=$(ran "$log" $tool)
		[ "$n" = "$want" ] || fail "$gen: $tool ran $n times, expected $want ($step)"
	done
}

for gen in "$@"; do
	case $gen in
	Ninja) verbose=(-- -v) ;;
	*) verbose=(-- VERBOSE=1) ;;
	esac
	b=$tmp/consumer-${gen// /-}
	echo "== $gen"
	cmake -S "$src/examples/cmake-consumer" -B "$b" -G "$gen" \
		-DCMAKE_PREFIX_PATH="$prefix" -DESPGEN_CONFIGS="$tmp/configs" \
		-DESPGEN_MKELF="$mkelf" "${keyopt[@]}" >"$b.log" 2>&1 || {
		cat "$b.log"
		fail "$gen: configure"
	}
	step="first build"
	cmake --build "$b" -j2 "${verbose[@]}" >"$b.1.log" 2>&1 || {
		cat "$b.1.log"
		fail "$gen: build"
	}
	for img in $images FLASH.json; do
		[ -s "$b/$img" ] || fail "$gen: no $img"
	done
	# the same image as the manifest of configs/factory with the same ELFs
	mkdir -p "$tmp/ref"
	cp "$tmp/configs/factory/factory.ini" "$tmp/configs/factory/partitions.ini" \
		"$b/bootloader.elf" "$b/app.elf" "$tmp/ref/"
	"$prefix/bin/esp-mkflash" --manifest "$tmp/ref/factory.ini" -o "$tmp/ref/FLASH.bin"
	cmp "$tmp/ref/FLASH.bin" "$b/FLASH.bin" || fail "$gen: FLASH.bin differs from the manifest's"
	if [ ${#keyopt[@]} -gt 0 ]; then
		"$prefix/bin/esp-sign" --verify --pubkey "$tmp/key.pem" "$b/app-signed.bin" >/dev/null ||
			fail "$gen: app-signed.bin does not verify"
	fi
	stamps "$b" >"$b.s1"

	step="no-op rebuild"
	sleep 1 # coarse timestamps: let a rebuild show
	cmake --build "$b" -j2 "${verbose[@]}" >"$b.2.log" 2>&1 || fail "$gen: second build"
	stamps "$b" >"$b.s2"
	expect "$b.2.log" "$b.s1" "$b.s2"
	if [ "$gen" = Ninja ]; then
		grep -q "no work to do" "$b.2.log" || fail "Ninja: the second build did work"
	fi

	step="touch the layout"
	touch "$tmp/configs/factory/partitions.ini"
	cmake --build "$b" -j2 "${verbose[@]}" >"$b.3.log" 2>&1 || fail "$gen: build after touch"
	stamps "$b" >"$b.s3"
	expect "$b.3.log" "$b.s2" "$b.s3" partitions.bin FLASH.bin

	step="touch the app ELF"
	sleep 1
	touch "$b/app.elf"
	cmake --build "$b" -j2 "${verbose[@]}" >"$b.4.log" 2>&1 || fail "$gen: build after touch"
	stamps "$b" >"$b.s4"
	if [ ${#keyopt[@]} -gt 0 ]; then
		expect "$b.4.log" "$b.s3" "$b.s4" app.bin app-ota0.bin app-signed.bin FLASH.bin

		step="touch the key"
		sleep 1
		touch "$tmp/key.pem"
		cmake --build "$b" -j2 "${verbose[@]}" >"$b.4k.log" 2>&1 || fail "$gen: build after touch"
		stamps "$b" >"$b.s4k"
		expect "$b.4k.log" "$b.s4" "$b.s4k" app-signed.bin
		cp "$b.s4k" "$b.s4"
	else
		expect "$b.4.log" "$b.s3" "$b.s4" app.bin app-ota0.bin FLASH.bin
	fi

	step="no-op rebuild after the touches"
	sleep 1
	cmake --build "$b" -j2 "${verbose[@]}" >"$b.5.log" 2>&1 || fail "$gen: last build"
	stamps "$b" >"$b.s5"
	expect "$b.5.log" "$b.s4" "$b.s5"

	# 6. inputs that only the manifest's NVS CSV names, known from the depfile
	n=$tmp/nvs-${gen// /-}
	mkdir -p "$n/src"
	cp "$tmp/configs/factory/partitions.ini" "$b/bootloader.bin" "$n/src/"
	printf 'chip = esp32c3\nflash_mode = dio\nflash_freq = 80m\nflash_size = 4MB\n' >"$n/src/m.ini"
	printf 'layout = partitions.ini\nbootloader = bootloader.bin\n\n[nvs]\nnvs = nvs.csv\n' >>"$n/src/m.ini"
	printf 'key,type,encoding,value\nns,namespace,,\ncert,file,binary,certs/cert.der\n' >"$n/src/nvs.csv"
	mkdir -p "$n/src/certs"
	printf 'first' >"$n/src/certs/cert.der"
	cat >"$n/src/CMakeLists.txt" <<'E'
cmake_minimum_required(VERSION 3.20)
project(espgen_nvs_depfile LANGUAGES NONE)
find_package(espgen CONFIG REQUIRED)
espgen_flash_image(image MANIFEST m.ini OUTPUT FLASH.bin ALL)
E
	cmake -S "$n/src" -B "$n/b" -G "$gen" -DCMAKE_PREFIX_PATH="$prefix" >"$n.log" 2>&1 || {
		cat "$n.log"
		fail "$gen: configure the NVS project"
	}
	step="NVS project: first build"
	cmake --build "$n/b" "${verbose[@]}" >"$n.1.log" 2>&1 || { cat "$n.1.log"; fail "$gen: $step"; }
	[ "$(ran "$n.1.log" esp-mkflash)" = 1 ] || fail "$gen: $step: esp-mkflash did not run once"
	grep -qF "certs/cert.der" "$n/b/FLASH.bin.d" || fail "$gen: the depfile lacks certs/cert.der"
	step="NVS project: no-op rebuild"
	sleep 1
	cmake --build "$n/b" "${verbose[@]}" >"$n.2.log" 2>&1 || fail "$gen: $step"
	[ "$(ran "$n.2.log" esp-mkflash)" = 0 ] || fail "$gen: $step ran esp-mkflash"
	step="NVS project: touch the file an NVS row names"
	before=$(stat -c %.9Y "$n/b/FLASH.bin")
	touch "$n/src/certs/cert.der"
	cmake --build "$n/b" "${verbose[@]}" >"$n.3.log" 2>&1 || fail "$gen: $step"
	[ "$(ran "$n.3.log" esp-mkflash)" = 1 ] || fail "$gen: $step: esp-mkflash did not run once"
	[ "$(stat -c %.9Y "$n/b/FLASH.bin")" != "$before" ] || fail "$gen: $step: FLASH.bin not remade"
	step="NVS project: change it"
	sleep 1
	sum=$(sha256sum <"$n/b/FLASH.bin")
	printf 'second' >"$n/src/certs/cert.der"
	cmake --build "$n/b" "${verbose[@]}" >"$n.4.log" 2>&1 || fail "$gen: $step"
	[ "$(sha256sum <"$n/b/FLASH.bin")" != "$sum" ] || fail "$gen: $step: FLASH.bin unchanged"
	sleep 1
	cmake --build "$n/b" "${verbose[@]}" >"$n.5.log" 2>&1 || fail "$gen: last NVS build"
	[ "$(ran "$n.5.log" esp-mkflash)" = 0 ] || fail "$gen: the last NVS build ran esp-mkflash"
	echo "ok: $gen"
done
