#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# roundtrip.sh BIN_DIR SHARED_DIR
# For every public mkfs case that builds (SPIFFS and FAT, with and without wear
# levelling): building a copy of its input tree whose files all got other times, once with
# LC_ALL=C and once with another locale, gives the expected bytes; and --extract of the
# expected image gives the input's files back byte for byte (treecmp.py).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/mkfs/links.sh
. "$here/links.sh"
bin=$(cd "$1" && pwd) shared=$2
exe=$bin/esp-mkfs
src=$shared/vectors-next/mkfs
if [ ! -f "$src/cases.tsv" ]; then
	echo "SKIP: mkfs vectors (none at $src)"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: no python3 for treecmp.py"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-mkfs-rt.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
mkfs_set "$src" "$tmp/set" || exit 2
# another locale than C, if the machine has one
other=$(locale -a 2>/dev/null | grep -v -x -e C -e POSIX | head -1)
other=${other:-C}
fail=0 n=0
err() { echo "FAIL: $*"; fail=1; }

# a copy of every input tree, links kept, each file and directory with its own time
mkdir -p "$tmp/w/inputs"
for t in "$tmp/set/inputs"/*; do
	cp -R "$(readlink -f "$t")" "$tmp/w/inputs/$(basename "$t")"
done
chmod -R u+w "$tmp/w/inputs"
i=0
while IFS= read -r -d '' f; do
	i=$((i + 1))
	touch -h -d "@$((1000000000 + i * 86413))" "$f"
done < <(find "$tmp/w/inputs" -print0)

while IFS=$'\t' read -r name args input expected _; do
	[ "$expected" = ERROR ] && continue
	read -ra argv <<<"$args"
	want=$src/$expected
	for loc in C "$other"; do
		(cd "$tmp/w" && LC_ALL=$loc "$exe" "${argv[@]}" "$input" -o "$tmp/b.bin") ||
			{ err "$name: build with LC_ALL=$loc"; continue; }
		cmp -s "$tmp/b.bin" "$want" || err "$name: other times or LC_ALL=$loc change the bytes"
	done
	kind=spiffs follow=0 geo=()
	for ((k = 0; k < ${#argv[@]}; k++)); do
		case ${argv[k]} in
		fat) kind=fat ;;
		--follow-symlinks) follow=1 ;;
		--page-size | --block-size | --obj-name-len | --meta-len) geo+=("${argv[k]}" "${argv[k + 1]}") ;;
		--big-endian | --aligned-obj-ix-tables) geo+=("${argv[k]}") ;;
		esac
	done
	rm -rf "$tmp/x"
	"$exe" --extract "${geo[@]}" "$want" -o "$tmp/x" || { err "$name: --extract"; continue; }
	python3 "$here/treecmp.py" "$kind" "$follow" "$tmp/set/$input" "$tmp/x" ||
		err "$name: the extracted files are not those of $input"
	n=$((n + 1))
done < <(tail -n +2 "$src/cases.tsv")
[ $n -gt 0 ] || err "no public images"
echo "round trips: $n images (locales C and $other)"
[ $fail = 0 ] && echo "ok"
exit $fail
