# SPDX-License-Identifier: Apache-2.0
# Sourced by vectors.sh and roundtrip.sh: mkfs_set SRC DEST makes DEST a set folder for
# shared/tools/conformance (cases.tsv copied, expected/ and every input tree linked). A
# copy of the vectors that turned symbolic links into small files holding the link text
# (git with core.symlinks off) has its link trees (links/, fatlinks/) rebuilt with real
# links, so the link cases test links.

# shellcheck shell=bash
mkfs_set() { # mkfs_set SRC DEST
	local src=$1 dest=$2 tree name f target
	mkdir -p "$dest/inputs" || return 1
	cp "$src/cases.tsv" "$dest/cases.tsv" || return 1
	ln -s "$src/expected" "$dest/expected" || return 1
	for tree in "$src"/inputs/*; do
		ln -s "$tree" "$dest/inputs/$(basename "$tree")" || return 1
	done
	# *links/: a regular file whose whole content names a path beside it was a link
	for tree in "$src"/inputs/*links; do
		[ -d "$tree" ] || continue
		name=$(basename "$tree")
		[ -z "$(find "$tree" -type l)" ] || continue
		rm "$dest/inputs/$name"
		cp -R "$tree" "$dest/inputs/$name"
		chmod -R u+w "$dest/inputs/$name"
		for f in "$dest/inputs/$name"/*; do
			[ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 256 ] || continue
			target=$(cat "$f")
			case $target in '' | /* | *$'\n'*) continue ;; esac
			if [ -e "$(dirname "$f")/$target" ]; then
				rm "$f" && ln -s "$target" "$f"
			fi
		done
	done
}
