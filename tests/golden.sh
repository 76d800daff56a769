#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# CTest driver for golden cases.
#   golden.sh shared TOOL SHARED_DIR BIN_DIR   public vectors via shared/tools/conformance
#   golden.sh next   TOOL SHARED_DIR BIN_DIR   the same for shared/vectors-next (new tools)
#   golden.sh own    TOOL SHARED_DIR BIN_DIR   our own set in tests/golden/TOOL/cases.tsv
# The own-set format is that of shared/vectors (name, args, input, expected) plus an
# optional 'stderr' column: a substring the tool's stderr must contain. expected=ERROR
# means exit status 1 and no output file; expected=USAGE means exit status 2 and no
# output file. GOLDEN_CASES: another table to run in the set's folder instead of its
# cases.tsv (tests/valgrind.sh runs a set in chunks).
set -u
mode=$1 tool=$2 shared=$3 bin=$4
here=$(cd "$(dirname "$0")" && pwd)

if [ "$mode" = shared ] || [ "$mode" = next ]; then
	conf=$shared/tools/conformance
	set_dir=$shared/vectors
	[ "$mode" = next ] && set_dir=$shared/vectors-next
	if [ ! -x "$conf" ] || [ ! -d "$set_dir/$tool" ]; then
		echo "SKIP: golden.$mode.$tool (no ${set_dir##*/}/$tool or tools/conformance in $shared)"
		exit 77
	fi
	if [ ! -x "$bin/esp-$tool" ]; then
		echo "SKIP: golden.$mode.$tool (esp-$tool is not built yet)"
		exit 77
	fi
	exec "$conf" --bin "$bin" --set "$set_dir" --only "$tool"
fi

dir=$here/golden/$tool
cases=${GOLDEN_CASES:-$dir/cases.tsv}
exe=$bin/esp-$tool
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
IFS=$'\t' read -ra cols < <(head -1 "$cases")
declare -A ci
for i in "${!cols[@]}"; do ci[${cols[$i]}]=$i; done

while IFS= read -r line; do
	IFS=$'\x1f' read -ra row <<<"${line//$'\t'/$'\x1f'}"
	name=${row[${ci[name]}]:-}
	case "$name" in ''|\#*) continue ;; esac
	args=${row[${ci[args]}]:-}
	input=""; [ -n "${ci[input]:-}" ] && input=${row[${ci[input]}]:-}
	expected=${row[${ci[expected]}]:-}
	want_err=""; [ -n "${ci[stderr]:-}" ] && want_err=${row[${ci[stderr]}]:-}
	read -ra argv <<<"$args"
	out=$tmp/$name.out
	cmd=("$exe" "${argv[@]}")
	[ -n "$input" ] && cmd+=("$input")
	cmd+=(-o "$out")
	(cd "$dir" && "${cmd[@]}") >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	why=""
	if [ "$expected" = ERROR ] || [ "$expected" = USAGE ]; then
		want=1; [ "$expected" = USAGE ] && want=2
		[ $rc -eq $want ] || why="exit $rc, want $want"
		[ -e "$out" ] && why="$why; left an output file"
	elif [ $rc -ne 0 ]; then
		why="exit $rc: $(head -c 300 "$tmp/stderr")"
	elif ! cmp -s "$out" "$dir/$expected"; then
		why="output differs from $expected ($(cmp "$out" "$dir/$expected" 2>&1 | head -1))"
	fi
	if [ -n "$want_err" ] && ! grep -qF -- "$want_err" "$tmp/stderr"; then
		why="$why; stderr lacks '$want_err' (got: $(head -c 300 "$tmp/stderr"))"
	fi
	if [ -n "$why" ]; then
		echo "FAIL $tool/$name: $why"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done < <(tail -n +2 "$cases")
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
