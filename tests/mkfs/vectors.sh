#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vectors.sh BIN_DIR SHARED_DIR
# Every row of shared/vectors-next/mkfs (spiffs-* and fat-*) through
# shared/tools/conformance: a temporary set holds cases.tsv and links to the vectors'
# expected/ and input trees. A copy of the vectors that turned symbolic links into small
# files holding the link text (git with core.symlinks off) has its link trees (links/,
# fatlinks/) rebuilt with real links first, so the link cases test links.
set -u
bin=$(cd "$1" && pwd) shared=$2
src=$shared/vectors-next/mkfs
conf=$shared/tools/conformance
if [ ! -x "$conf" ] || [ ! -f "$src/cases.tsv" ]; then
	echo "SKIP: mkfs vectors (none at $src: shared/ is not beside this checkout)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-mkfs.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
set_dir=$tmp/set/mkfs
mkdir -p "$set_dir/inputs"
cp "$src/cases.tsv" "$set_dir/cases.tsv"
ln -s "$src/expected" "$set_dir/expected"
for t in "$src"/inputs/*; do
	ln -s "$t" "$set_dir/inputs/$(basename "$t")"
done

# *links/: a regular file whose whole content names a path beside it was a link
for tree in "$src"/inputs/*links; do
	[ -d "$tree" ] || continue
	name=$(basename "$tree")
	[ -z "$(find "$tree" -type l)" ] || continue
	rm "$set_dir/inputs/$name"
	cp -R "$tree" "$set_dir/inputs/$name"
	chmod -R u+w "$set_dir/inputs/$name"
	for f in "$set_dir/inputs/$name"/*; do
		[ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 256 ] || continue
		target=$(cat "$f")
		case $target in '' | /* | *$'\n'*) continue ;; esac
		if [ -e "$(dirname "$f")/$target" ]; then
			rm "$f" && ln -s "$target" "$f"
		fi
	done
done

rows=$(($(wc -l <"$set_dir/cases.tsv") - 1))
[ "$rows" -gt 0 ] || { echo "FAIL: no rows in $src/cases.tsv"; exit 1; }
"$conf" --bin "$bin" --set "$tmp/set" --only mkfs
