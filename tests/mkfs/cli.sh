#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cli.sh BIN_DIR SHARED_DIR
# esp-mkfs beyond the golden rows: usage errors (exit 2, nothing written), the same
# bytes whatever the files' times, the locale and the directory's creation order,
# --list (text, JSON) and --extract, and for every public spiffs-* image: --extract
# gives the input tree back (build -> extract) and building the extracted tree gives
# the image again (extract -> build).
set -u
bin=$(cd "$1" && pwd) shared=$2
exe=$bin/esp-mkfs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-mkfs-cli.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*"; fail=1; }

expect_usage() { # expect_usage MESSAGE ARGS...: exit 2, MESSAGE on stderr, no output
	local msg=$1
	shift
	rm -rf "$tmp/out"
	"$exe" "$@" >/dev/null 2>"$tmp/stderr"
	local rc=$?
	[ $rc = 2 ] || err "$*: exit $rc, expected 2"
	grep -qF -- "$msg" "$tmp/stderr" || err "$*: no '$msg' in: $(head -1 "$tmp/stderr")"
	[ ! -e "$tmp/out" ] || err "$*: left an output"
}

# a tree made in two creation orders, with different times
mk_tree() { # mk_tree DIR ORDER
	mkdir -p "$1"
	if [ "$2" = fwd ]; then
		for n in a b c; do mkdir -p "$1/$n" && printf '%s-file\n' "$n" >"$1/$n/x.txt"; done
		printf 'top\n' >"$1/Z.txt" && printf 'last\n' >"$1/z.txt"
		head -c 3000 /dev/zero | tr '\0' 'q' >"$1/b/big.bin"
	else
		head -c 3000 /dev/zero | tr '\0' 'q' >"$1/big.tmp"
		printf 'last\n' >"$1/z.txt" && printf 'top\n' >"$1/Z.txt"
		for n in c b a; do mkdir -p "$1/$n" && printf '%s-file\n' "$n" >"$1/$n/x.txt"; done
		mv "$1/big.tmp" "$1/b/big.bin"
	fi
}
mk_tree "$tmp/t1" fwd
mk_tree "$tmp/t2" rev
find "$tmp/t2" -exec touch -d '2001-02-03 04:05:06' {} +
"$exe" --type spiffs --size 0x10000 "$tmp/t1" -o "$tmp/one.bin" || err "build t1"
LC_ALL=C.UTF-8 LANG=de_DE.UTF-8 "$exe" --type spiffs --size 0x10000 "$tmp/t2" -o "$tmp/two.bin" ||
	err "build t2"
cmp -s "$tmp/one.bin" "$tmp/two.bin" || err "creation order, times or locale changed the image"

# --list: files first, then subdirectories, by byte order (Z before z)
printf '%s\n' /Z.txt /z.txt /a/x.txt /b/big.bin /b/x.txt /c/x.txt >"$tmp/want"
"$exe" --list "$tmp/one.bin" | awk '{print $3}' >"$tmp/got" || err "--list failed"
cmp -s "$tmp/want" "$tmp/got" || err "--list order: $(tr '\n' ' ' <"$tmp/got")"
want_sum=$(sha256sum "$tmp/t1/b/big.bin" | cut -d' ' -f1)
"$exe" --list "$tmp/one.bin" | grep -qx "$want_sum       3000 /b/big.bin" || err "--list line of /b/big.bin"
"$exe" --list --json "$tmp/one.bin" -o "$tmp/list.json" || err "--list --json failed"
grep -q "\"sha256\": \"$want_sum\"" "$tmp/list.json" || err "--list --json: no sha256 of /b/big.bin"
"$exe" --extract "$tmp/one.bin" -o "$tmp/x" && diff -r "$tmp/t1" "$tmp/x" >/dev/null ||
	err "--extract does not give the tree back"
# the wrong geometry is an error, not garbage
"$exe" --list --page-size 512 "$tmp/one.bin" >/dev/null 2>&1 && err "--list with the wrong page size succeeded"

expect_usage "esp-mkfs: --sector-size: '256' is not one of 512, 1024, 2048, 4096" --type fat --size 0x40000 --sector-size 256 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --sector-size 1024: with --wear-levelling only 512 or 4096" --type fat --size 0x100000 --wear-levelling --sector-size 1024 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --fat-type: '32' is not one of 12, 16" --type fat --size 0x40000 --fat-type 32 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --fat-count: '3' is not one of 1, 2" --type fat --size 0x40000 --fat-count 3 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --wl-mode: 'fast' is not perf or safe" --type fat --size 0x100000 --wear-levelling --wl-mode fast "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --long-names needs --type fat" --type spiffs --size 0x10000 --long-names "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --page-size is a SPIFFS option, not for --type fat" --type fat --size 0x40000 --page-size 512 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --size detect needs --type fat" --type spiffs --size detect "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --wear-levelling has no use with --list or --extract" --list --type fat --wear-levelling "$tmp/one.bin"
expect_usage "esp-mkfs: --type: 'ext4' is not spiffs or fat" --type ext4 --size 0x10000 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --size: 'lots' is not a number" --type spiffs --size lots "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --page-size: '-256' is negative" --type spiffs --size 0x10000 --page-size -256 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: no output given (-o FILE)" --type spiffs --size 0x10000 "$tmp/t1"
expect_usage "esp-mkfs: no directory given" --type spiffs --size 0x10000 -o "$tmp/out"
expect_usage "esp-mkfs: --json needs --list" --json --type spiffs --size 0x10000 "$tmp/t1" -o "$tmp/out"
expect_usage "esp-mkfs: --size has no use with --list or --extract" --list --size 0x10000 "$tmp/one.bin"
expect_usage "esp-mkfs: no output directory given (-o DIR)" --extract "$tmp/one.bin"
expect_usage "esp-mkfs: --list and --extract exclude each other" --list --extract "$tmp/one.bin" -o "$tmp/out"
"$exe" --help | grep -q -- '--aligned-obj-ix-tables' || err "--help"
"$exe" --help | grep -q -- '--wl-mode perf|safe' || err "--help: FAT options"

# FAT: the same bytes whatever the times and creation order, and read back with and
# without wear levelling (the image type is recognised). Z.txt and z.txt are one FAT name.
cp -R "$tmp/t1" "$tmp/f1" && cp -R "$tmp/t2" "$tmp/f2" && rm "$tmp/f1/Z.txt" "$tmp/f2/Z.txt"
"$exe" --type fat --size 0x100000 "$tmp/t1" -o "$tmp/out" 2>"$tmp/stderr" && err "fat: Z.txt and z.txt accepted"
grep -qF "'/Z.txt' and '/z.txt' are the same FAT name" "$tmp/stderr" || err "fat: Z.txt and z.txt message"
for wl in "" --wear-levelling; do
	"$exe" --type fat --size 0x100000 --long-names $wl "$tmp/f1" -o "$tmp/f1.bin" || err "fat $wl f1"
	LC_ALL=C.UTF-8 "$exe" --type fat --size 0x100000 --long-names $wl "$tmp/f2" -o "$tmp/f2.bin" ||
		err "fat $wl f2"
	cmp -s "$tmp/f1.bin" "$tmp/f2.bin" || err "fat $wl: creation order, times or locale changed the image"
	"$exe" --list "$tmp/f1.bin" | grep -qx "$want_sum       3000 /b/big.bin" ||
		err "fat $wl: --list line of /b/big.bin"
	"$exe" --list --json "$tmp/f1.bin" -o "$tmp/list.json" || err "fat $wl: --list --json"
	grep -q '"type": "fat"' "$tmp/list.json" || err "fat $wl: --list --json type"
	grep -q "\"wear_levelling\": $([ -n "$wl" ] && echo true || echo false)" "$tmp/list.json" ||
		err "fat $wl: --list --json wear_levelling"
	rm -rf "$tmp/fx"
	"$exe" --extract "$tmp/f1.bin" -o "$tmp/fx" && diff -r "$tmp/f1" "$tmp/fx" >/dev/null ||
		err "fat $wl: --extract does not give the tree back"
done
# --type fat forces the FAT reader: a SPIFFS image is an error, not garbage
"$exe" --list --type fat "$tmp/one.bin" >/dev/null 2>"$tmp/stderr" && err "--list --type fat of a SPIFFS image succeeded"
grep -qF "one.bin: not a FAT12/FAT16 image" "$tmp/stderr" || err "--list --type fat of SPIFFS: $(cat "$tmp/stderr")"
"$exe" --version | grep -q '^esp-mkfs (espgen) ' || err "--version"

# every public SPIFFS image: build -> extract -> build
vec=$shared/vectors-next/mkfs
if [ -f "$vec/cases.tsv" ]; then
	n=0
	while IFS=$'\t' read -r name args input expected _; do
		case $name in spiffs-*) ;; *) continue ;; esac
		[ "$expected" = ERROR ] && continue
		read -ra argv <<<"$args"
		# the geometry options are what --extract needs too
		geo=()
		for ((i = 0; i < ${#argv[@]}; i++)); do
			case ${argv[i]} in
			--page-size | --block-size | --obj-name-len | --meta-len) geo+=("${argv[i]}" "${argv[i + 1]}") ;;
			--big-endian | --aligned-obj-ix-tables) geo+=("${argv[i]}") ;;
			esac
		done
		x=$tmp/x-$name
		"$exe" --extract "${geo[@]}" "$vec/$expected" -o "$x" || { err "$name: --extract"; continue; }
		if [ "$input" != inputs/links ]; then
			diff -r "$vec/$input" "$x" >/dev/null || err "$name: extracted tree differs from $input"
		fi
		"$exe" "${argv[@]}" "$x" -o "$tmp/re.bin" && cmp -s "$tmp/re.bin" "$vec/$expected" ||
			err "$name: building the extracted tree does not give the image again"
		n=$((n + 1))
	done < <(tail -n +2 "$vec/cases.tsv")
	[ $n -gt 0 ] || err "no public spiffs-* images"
	echo "round trips: $n images"
else
	echo "note: no vectors at $vec, round trips skipped"
fi
[ $fail = 0 ] && echo "ok"
exit $fail
