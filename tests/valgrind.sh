#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# valgrind memcheck over the golden suites: every tool run of the public vectors
# (shared/tools/conformance), our own golden sets (tests/golden/*), the bad-input
# table (tests/badinput) and the unit tests goes through valgrind
# --error-exitcode=99 --leak-check=full. A memory error or leak makes the run exit
# 99, which the runners report as a failed case; the logs of those runs are printed.
#
#   tests/valgrind.sh BUILD_DIR [SHARED_DIR]     (a normal build, not the sanitizer one)
#
# VALGRIND_SETS: which sets to run (default "unit own shared badinput").
set -u
build=$(cd "${1:?usage: valgrind.sh BUILD_DIR [SHARED_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${2:-$here/../../shared}
sets=${VALGRIND_SETS:-unit own shared badinput}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/logs"
vg=(valgrind --error-exitcode=99 --leak-check=full --track-fds=no -q
	"--log-file=$tmp/logs/%q{VG_NAME}.%p.log")
# wrappers with the tools' names: the runners take a --bin style directory
for exe in "$build"/bin/esp-*; do
	name=$(basename "$exe")
	cat >"$tmp/bin/$name" <<W
#!/bin/sh
VG_NAME=$name exec ${vg[*]} "$exe" "\$@"
W
	chmod +x "$tmp/bin/$name"
done

fail=0
step() {
	local what=$1
	shift
	echo "== $what"
	if ! "$@" >"$tmp/out" 2>&1; then
		fail=1
		grep -E 'FAIL|failed|Error|error' "$tmp/out" | head -40
	fi
	tail -1 "$tmp/out"
}
for set in $sets; do
	case $set in
	unit)
		for t in "$build"/tests/test_*; do
			[ -x "$t" ] || continue
			step "unit $(basename "$t")" env VG_NAME="$(basename "$t")" \
				"${vg[@]}" "$t"
		done ;;
	own)
		for d in "$here"/golden/*/; do
			tool=$(basename "$d")
			if [ ! -f "$d/cases.tsv" ] || [ ! -x "$build/bin/esp-$tool" ]; then
				continue
			fi
			step "golden own $tool" "$here/golden.sh" own "$tool" "$shared" "$tmp/bin"
		done ;;
	shared)
		if [ -x "$shared/tools/conformance" ]; then
			step "golden shared (all tools)" "$shared/tools/conformance" --bin "$tmp/bin"
		else
			echo "== golden shared: skipped (no $shared/tools/conformance)"
		fi ;;
	badinput)
		step "badinput table" sh "$here/badinput/run.sh" "$tmp/bin" "$build/tests/mkelf" ;;
	esac
done

# every log with an error in it, whatever the runner made of the exit status
bad=$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost|indirectly lost|Invalid (read|write)|uninitialised' \
	"$tmp"/logs/*.log 2>/dev/null)
if [ -n "$bad" ]; then
	fail=1
	for f in $bad; do
		echo "---- $(basename "$f")"
		head -60 "$f"
	done
fi
echo "valgrind: $(find "$tmp/logs" -name '*.log' | wc -l) runs, $(echo "$bad" | grep -c . ) with errors"
exit $fail
