#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: subdirectory.sh SOURCE_DIR MKELF [GENERATOR]
# The image functions from the build tree: examples/cmake-consumer with
# -DESPGEN_SOURCE_DIR (espgen added with add_subdirectory, the tools built as targets
# of the consumer). Checks that the factory image is the manifest's, that a second
# build runs nothing, and that touching the layout remakes the table and the image only.
# Slower than install.consumer: it compiles the library and four tools.
set -eu
src=$(cd "$1" && pwd)
mkelf=$2
gen=${3:-Unix Makefiles}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-subdir.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
case $gen in
Ninja) verbose=(-- -v) ;;
*) verbose=(-- VERBOSE=1) ;;
esac
cp -r "$src/configs" "$tmp/configs"
# a snapshot of the sources (without build directories), so that edits made to the
# checkout while the test runs cannot look like rebuilds
mkdir "$tmp/src"
for e in "$src"/*; do
	case ${e##*/} in
	build*) ;;
	*) cp -r "$e" "$tmp/src/" ;;
	esac
done
src=$tmp/src
b=$tmp/b
cmake -S "$src/examples/cmake-consumer" -B "$b" -G "$gen" -DESPGEN_SOURCE_DIR="$src" \
	-DESPGEN_CONFIGS="$tmp/configs" -DESPGEN_MKELF="$mkelf" >"$tmp/configure.log" 2>&1 ||
	{ cat "$tmp/configure.log"; fail "configure"; }
cmake --build "$b" -j2 >"$tmp/1.log" 2>&1 || { cat "$tmp/1.log"; fail "build"; }
mkdir "$tmp/ref"
cp "$tmp/configs/factory/factory.ini" "$tmp/configs/factory/partitions.ini" \
	"$b/bootloader.elf" "$b/app.elf" "$tmp/ref/"
"$b/bin/esp-mkflash" --manifest "$tmp/ref/factory.ini" -o "$tmp/ref/FLASH.bin"
cmp "$tmp/ref/FLASH.bin" "$b/FLASH.bin" || fail "FLASH.bin differs from the manifest's"

sleep 1
cmake --build "$b" -j2 "${verbose[@]}" >"$tmp/2.log" 2>&1 || fail "second build"
if grep -E "(^|[ /])bin/esp-[a-z]+ " "$tmp/2.log"; then
	fail "the second build ran an espgen tool"
fi

touch "$tmp/configs/factory/partitions.ini"
cmake --build "$b" -j2 "${verbose[@]}" >"$tmp/3.log" 2>&1 || fail "build after touch"
ran=$(grep -oE "(^|[ /])bin/esp-[a-z]+ " "$tmp/3.log" | sed 's|.*/||' | LC_ALL=C sort | tr -d ' ' |
	tr '\n' ' ')
[ "$ran" = "esp-mkflash esp-mkpart " ] || { cat "$tmp/3.log"; fail "after touching the layout ran: $ran"; }
echo "ok: $gen"
