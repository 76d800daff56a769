#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: man.sh options BIN_DIR SOURCE_DIR
#        man.sh render BIN_DIR SOURCE_DIR MAN_DIR
# options: for every tool (tools/<dir> -> esp-<dir>), the option names (--long and -x)
#   --help documents (option lines, "also --alias") equal those man/esp-<dir>.1.scd
#   lists (the terms of its option lists), and both equal the options of
#   its getopt_long table and short-option string (tools/<dir>/main.c), but for the
#   few options accepted only to be refused (listed below).
# render: every tool has MAN_DIR/esp-<dir>.1 (made by scdoc), and man -l renders it
#   without a warning. Exit 77 (skipped) when scdoc made no pages.
set -eu
mode=$1 bin=$2 src=$3
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}

# Options a tool accepts only to refuse them with a better message: not documented.
refused() {
	case $1 in
	esp-sign) echo --pin ;; # a PIN on the command line would show in ps
	esac
}

# option names (--long and -x) in text on stdin, one per line, sorted, unique
names() {
	grep -oE -- '(^|[^A-Za-z0-9_-])--?[A-Za-z0-9][A-Za-z0-9-]*' |
		sed -E 's/^[^-]*//' | grep -E -- '^(--[a-z0-9][a-z0-9-]+|-[A-Za-z])$' |
		LC_ALL=C sort -u
}

# the options --help documents: those that start an option line, and aliases named
# as "also --name" (prose naming other tools' options does not count)
help_names() {
	local text
	text=$(cat)
	{
		printf '%s\n' "$text" | grep -E -- '^ +(-[A-Za-z], )?--[a-z0-9]' |
			sed -E 's/^ +((-[A-Za-z], )?--[a-z0-9-]+).*/\1/'
		printf '%s\n' "$text" | tr '\n' ' ' | tr -s ' ' |
			grep -oE -- 'also (-[A-Za-z]|--[a-z0-9-]+)' | sed 's/^also //'
	} | names
}

# the options a man page documents: the terms of its OPTIONS list (lines that start
# with a bold option, "*-o*, *--output* _FILE_")
man_names() {
	sed -n '/^# OPTIONS/,/^# [A-Z]/p' | sed -e 's/\\_/_/g' | grep -E '^[*]-' | sed -e 's/[*]//g' -e 's/ _[^_]*_//g' | names
}

# the options of tools/<dir>/main.c: longopts names (CLI_LONGOPT_QUIET, lib/base/cli.h,
# is --quiet) and the getopt short letters
source_names() {
	{
		sed -n '/struct option longopts\[\]/,/};/p' "$1" |
			grep -oE '\{"[a-z0-9-]+"|CLI_LONGOPT_[A-Z]+' |
			sed -E -e 's/^\{"(.*)"$/--\1/' -e 's/^CLI_LONGOPT_/--/' | LC_ALL=C tr '[:upper:]' '[:lower:]'
		grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$1" | sed -E 's/.*"(.*)"$/\1/' |
			tr -d ':+' | grep -oE '[A-Za-z]' | sed 's/^/-/'
	} | LC_ALL=C sort -u
}

tools=()
for dir in "$src"/tools/*/; do
	[ -f "$dir/main.c" ] || continue
	tools+=("esp-$(basename "$dir")")
done

case $mode in
options)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for tool in "${tools[@]}"; do
		page=$src/man/$tool.1.scd
		[ -x "$bin/$tool" ] || { bad "$tool: not built"; continue; }
		[ -f "$page" ] || { bad "$tool: no man page man/$tool.1.scd"; continue; }
		"$bin/$tool" --help | help_names >"$tmp/help"
		man_names <"$page" >"$tmp/man"
		source_names "$src/tools/${tool#esp-}/main.c" >"$tmp/src.all"
		refused "$tool" | LC_ALL=C sort -u >"$tmp/refused"
		LC_ALL=C comm -23 "$tmp/src.all" "$tmp/refused" >"$tmp/src"
		ok=1
		if ! diff -u --label "$tool --help" --label "man/$tool.1.scd" "$tmp/help" "$tmp/man"; then
			bad "$tool: --help and the man page name different options"
			ok=0
		fi
		if ! diff -u --label "$tool getopt_long" --label "$tool --help" "$tmp/src" "$tmp/help"; then
			bad "$tool: the options it accepts and --help differ"
			ok=0
		fi
		[ $ok = 0 ] || echo "$tool: $(wc -l <"$tmp/help") options agree"
	done
	;;
render)
	man_dir=$4
	if [ ! -d "$man_dir" ]; then
		echo "SKIP: man.render (no man pages built: scdoc was not found)"
		exit 77
	fi
	command -v man >/dev/null || { echo "FAIL: no man(1) (Debian package man-db)"; exit 1; }
	for tool in "${tools[@]}"; do
		page=$man_dir/$tool.1
		[ -f "$page" ] || { bad "$tool: no $page"; continue; }
		if ! MANWIDTH=80 man --warnings -E UTF-8 -l "$page" >"$page.txt" 2>"$page.err" ||
			[ -s "$page.err" ]; then
			cat "$page.err" >&2
			bad "$tool: man -l $page"
			continue
		fi
		if ! grep -q "^NAME" "$page.txt" || ! grep -q "^OPTIONS" "$page.txt" ||
			! grep -q "$tool - " "$page.txt"; then
			bad "$tool: $page renders without NAME/OPTIONS"
		fi
		rm -f "$page.txt" "$page.err"
		echo "$tool: man -l ok"
	done
	;;
*)
	echo "usage: man.sh options|render BIN_DIR SOURCE_DIR [MAN_DIR]" >&2
	exit 2
	;;
esac
exit $fail
