#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: zsh.sh COMPLETION BIN_DIR
# The zsh completion (COMPLETION: the _espgen that completion/gen.sh built) in `zsh -f`,
# as a user gets it: compinit finds _espgen in fpath, and TAB runs the completion in a
# zsh on a pseudo-terminal (zpty). A test widget bound to TAB prints every match the
# completion adds (compadd -O), so the options offered after "TOOL --" must be exactly
# the long options of TOOL's --help, for every tool in BIN_DIR, and values complete as
# lib.sh lists. Exit 77 (SKIP) without zsh.
set -u
comp=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/completion/lib.sh
source "$here/lib.sh"
begin zsh "$comp"
fail=0
mkdir "$tmp/fpath"
cp "$comp" "$tmp/fpath/_espgen"

# the driver: starts `zsh -f -i` on a zpty, sets up compinit and the capture, then types
# each query followed by TAB; prints "N<TAB>MATCH" for each match of query N
cat >"$tmp/driver.zsh" <<'ZSH'
zmodload zsh/zpty || exit 1
fp=$1
shift
zpty z zsh -f -i
zpty -w z "PS1='' RPS1=''; fpath=(${(q)fp} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'unsetopt autolist listambiguous; setopt nobeep'
# compadd as a function: the matches it would add are printed between <m> and </m>;
# calls that only query (-O, -A, -D) go to the builtin unchanged
zpty -w z 'compadd() { if [[ -n ${(M)@:#-[OAD]} ]]; then builtin compadd "$@"; return; fi;
	local -a m; local w; builtin compadd -O m "$@"; for w in $m; do print -r -- "<m>$w</m>"; done; }'
zpty -w z '_t_complete() { zle complete-word; print -r -- "<e""nd>"; zle kill-whole-line; };
	zle -N _t_complete; bindkey "^I" _t_complete'
# the quotes keep the typed command (echoed) from matching what it prints
zpty -w z "print '<rea''dy>'"
zpty -r -m z out '*<ready>*' || exit 1
n=0
for q in "$@"; do
	n=$((n + 1))
	zpty -w -n z "$q"$'\t'
	zpty -r -m z out '*<end>*' || exit 1
	print -r -- "$out" | tr -d '\r' | grep -o '<m>[^<]*</m>' |
		sed -e 's|^<m>||' -e 's|</m>$||' -e "s|^|$n	|"
done
zpty -d z
ZSH

queries=()
wanted=()
for cmd in "$bin"/esp-*; do
	[ -x "$cmd" ] || continue
	queries+=("${cmd##*/} --")
	wanted+=("$(help_options "$cmd")")
done
[ ${#queries[@]} -gt 0 ] || { echo "FAIL: no esp-* tool in $bin"; exit 1; }
ntools=${#queries[@]}
while IFS='|' read -r want q; do
	queries+=("$q")
	wanted+=("$want")
done < <(value_cases)

(cd "$tmp/cwd" && timeout 120 zsh -f "$tmp/driver.zsh" "$tmp/fpath" "${queries[@]}") >"$tmp/out" ||
	{ echo "FAIL: the zsh driver failed or hung (exit $?)"; exit 1; }
for i in "${!queries[@]}"; do
	got=$(awk -F '\t' -v n=$((i + 1)) '$1 == n { print $2 }' "$tmp/out")
	# options: the long ones (the short ones are not in the comparison)
	[ "$i" -lt "$ntools" ] && got=$(printf '%s\n' "$got" | grep -- '^--')
	got=$(printf '%s\n' "$got" | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/^ //; s/ $//')
	check "${wanted[$i]}" "$got" "zsh: ${queries[$i]}" || fail=1
done
exit $fail
