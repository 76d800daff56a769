#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The bad-input table: every case of cases.tsv runs one tool on a broken input and
# must fail with the expected exit status and message, leaving its output directory
# as it was (no output, no temporary file; a pre-existing target unchanged).
#
#   tests/badinput/run.sh BIN_DIR MKELF [CASES.tsv] [--probe]
#
# cases.tsv: NAME <TAB> STATUS <TAB> KEEP <TAB> MESSAGE <TAB> COMMAND
#   STATUS   expected exit status
#   KEEP     '-', or a file name made in $O before the run with known content
#   MESSAGE  a substring of one stderr line; '-': stderr must be empty
#            (a few cases at a limit succeed: STATUS 0, the output is not checked)
#   COMMAND  run by sh with $BIN (tools), $F (good inputs, see fixtures.sh),
#            $W (scratch for broken inputs, fresh per case), $O (output directory,
#            fresh per case), $MKELF
# --probe prints each case's status and stderr instead of checking (for writing cases).
set -u
[ $# -ge 2 ] || { echo "usage: run.sh BIN_DIR MKELF [CASES.tsv] [--probe]" >&2; exit 2; }
BIN=$(cd "$1" && pwd)
MKELF=$2
here=$(cd "$(dirname "$0")" && pwd)
cases=$here/cases.tsv
probe=0
shift 2
for a in "$@"; do
	case $a in
	--probe) probe=1 ;;
	*) cases=$a ;;
	esac
done
export BIN MKELF
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-badinput.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
F=$tmp/fixtures
mkdir -p "$F"
export F
# shellcheck source=tests/badinput/fixtures.sh
. "$here/fixtures.sh"
chmod -R a-w "$F" 2>/dev/null

tab=$(printf '\t')
n=0 fails=0 skipped=0
keep_content="keep-me: an existing target that a failed run must not touch"
while IFS="$tab" read -r name status keep msg cmd; do
	case $name in '' | '#'*) continue ;; esac
	n=$((n + 1))
	W=$tmp/w/$name
	O=$tmp/o/$name
	mkdir -p "$W" "$O"
	export W O
	# shellcheck disable=SC2016 # the literal text of the command, not an expansion
	case $cmd in
	*openssl*|*'$F/p256'*|*'$F/p521'*|*'$F/ed25519'*)
		if [ ! -f "$F/p256.pem" ]; then
			skipped=$((skipped + 1))
			echo "SKIP: badinput $name (no openssl command: it makes the key fixtures)"
			continue
		fi ;;
	esac
	if [ "$keep" != "-" ]; then
		printf '%s\n' "$keep_content" >"$O/$keep"
	fi
	(cd "$W" && sh -c "$cmd") >"$tmp/stdout" 2>"$tmp/stderr" </dev/null
	rc=$?
	if [ $probe = 1 ]; then
		printf '%s\t%s\t%s\n' "$name" "$rc" "$(tr '\n' '|' <"$tmp/stderr")"
		continue
	fi
	why=""
	[ "$rc" = "$status" ] || why="exit status $rc, expected $status"
	[ "$msg" = "-" ] && msg=""
	if [ -n "$msg" ] && ! grep -qF -e "$msg" "$tmp/stderr"; then
		why="${why:+$why; }message '$msg' not in stderr"
	fi
	# a sanitizer build exits 1 on a finding too: never let that pass as a message
	if grep -qE '==[0-9]+==ERROR|runtime error:|LeakSanitizer|Invalid (read|write)' "$tmp/stderr"; then
		why="${why:+$why; }sanitizer or valgrind report"
	fi
	if [ -z "$msg" ] && [ -s "$tmp/stderr" ]; then
		why="${why:+$why; }unexpected stderr"
	fi
	# the output directory: nothing new, the kept target unchanged
	left=$(cd "$O" && ls -A)
	if [ "$status" = 0 ]; then
		: # accepted at the limit: the output is the tool's own business
	elif [ "$keep" = "-" ]; then
		[ -z "$left" ] || why="${why:+$why; }left in the output directory: $left"
	else
		[ "$left" = "$keep" ] || why="${why:+$why; }output directory holds: $left"
		[ "$(cat "$O/$keep" 2>/dev/null)" = "$keep_content" ] ||
			why="${why:+$why; }$keep was changed"
	fi
	if [ -n "$why" ]; then
		fails=$((fails + 1))
		echo "FAIL $name: $why"
		echo "  command: $cmd"
		sed 's/^/  stderr: /' "$tmp/stderr"
	fi
	rm -rf "$W" "$O"
done <"$cases"
[ $probe = 1 ] && exit 0
echo "badinput: $n cases, $fails failed, $skipped skipped"
# (a table given on the command line may be a part: tests/valgrind.sh runs it in chunks)
if [ "$cases" = "$here/cases.tsv" ] && [ "$n" -lt 80 ]; then
	echo "badinput: fewer than 80 cases" >&2
	exit 1
fi
[ "$n" -gt 0 ] || { echo "badinput: no case in $cases" >&2; exit 1; }
[ "$fails" = 0 ]
