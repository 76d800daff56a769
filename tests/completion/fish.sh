#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: fish.sh COMPLETION BIN_DIR
# The fish completion (COMPLETION: the espgen.fish that completion/gen.sh built) in
# `fish --no-config`, found as a user's fish finds it: under each tool's name in a
# directory on fish_complete_path, the tool on PATH (fish loads no completion for a
# command it cannot find). `complete -C 'TOOL --'` must
# offer exactly the long options of TOOL's --help, for every tool in BIN_DIR, and values
# complete as lib.sh lists. Exit 77 (SKIP) without fish.
set -u
comp=$(cd "$(dirname "$1")" && pwd)/${1##*/} bin=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/completion/lib.sh
source "$here/lib.sh"
begin fish "$comp"
fail=0
mkdir "$tmp/completions"

# complete_line LINE: the candidates fish offers at the end of LINE, sorted, one line
complete_line() {
	# shellcheck disable=SC2016 # $argv is fish's
	(cd "$tmp/cwd" && PATH="$bin:$PATH" fish --no-config -c \
		'set -p fish_complete_path $argv[1]; complete -C $argv[2]' "$tmp/completions" "$1") |
		cut -f1 | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
}

for cmd in "$bin"/esp-*; do
	[ -x "$cmd" ] || continue
	name=${cmd##*/}
	cp "$comp" "$tmp/completions/$name.fish"
	got=$(complete_line "$name --" | tr ' ' '\n' | grep -- '^--' | tr '\n' ' ' | sed 's/ $//')
	check "$(help_options "$cmd")" "$got" "fish: $name --" || fail=1
done
[ -n "$(ls "$tmp/completions")" ] || { echo "FAIL: no esp-* tool in $bin"; exit 1; }
# sourced by hand (a build tree, docs/shells.md) it completes the same
# shellcheck disable=SC2016 # $argv is fish's
got=$(cd "$tmp/cwd" && fish --no-config -c 'source $argv[1]; complete -C "esp-mkpart --"' "$comp" |
	cut -f1 | grep -- '^--' | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//')
check "$(help_options "$bin/esp-mkpart")" "$got" "fish: source; esp-mkpart --" || fail=1
while IFS='|' read -r want q; do
	# --opt=VALUE: fish offers the whole word
	got=$(complete_line "$q" | sed 's/--[a-z-]*=//g')
	check "$want" "$got" "fish: $q" || fail=1
done < <(value_cases)
exit $fail
