#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# valgrind memcheck (--leak-check=full) over the unit tests and the tool runs of the
# golden tables: the public vectors (SHARED_DIR/vectors through tools/conformance), our
# own golden sets (tests/golden/*) and the bad-input table (tests/badinput). A memory
# error or leak in any run fails the script; the valgrind logs of those runs are printed.
#
#   tests/valgrind.sh BUILD_DIR [SHARED_DIR]     (a normal build, not the sanitizer one)
#
# VALGRIND_SAMPLE=N (default 1: every case): of each table, the cases 1, 1+N, 1+2N, ...
#   in table order (comment and blank lines not counted), so the sample is the same on
#   every run and every table keeps cases of each kind. The unit tests always all run.
# VALGRIND_JOBS (default nproc): how many jobs run at once. A job is one unit test or a
#   chunk of at most VALGRIND_CHUNK (default 8; 4 times that for the bad-input table)
#   cases of one table, so the cores stay busy.
# VALGRIND_SETS: which sets to run (default "unit own shared badinput").
# A vector folder runs only when its tool (BUILD_DIR/bin/esp-FOLDER) is built, so a new
# folder for a tool still to be written is reported as skipped, not failed.
set -u
build=$(cd "${1:?usage: valgrind.sh BUILD_DIR [SHARED_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=${2:-$here/../../shared}
sets=${VALGRIND_SETS:-unit own shared badinput}
sample=${VALGRIND_SAMPLE:-1}
chunk=${VALGRIND_CHUNK:-8}
jobs=${VALGRIND_JOBS:-$(nproc)}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-valgrind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/logs" "$tmp/jobs"
vg=(valgrind --error-exitcode=99 --leak-check=full --track-fds=no -q)
# wrappers with the tools' names, since the runners take a directory of tools; one log
# file per run (mktemp: a pid can come back in a long parallel run)
for exe in "$build"/bin/esp-*; do
	name=$(basename "$exe")
	cat >"$tmp/bin/$name" <<W
#!/bin/sh
log=\$(mktemp "$tmp/logs/$name.XXXXXX")
exec ${vg[*]} --log-file="\$log" "$exe" "\$@"
W
	chmod +x "$tmp/bin/$name"
done

njobs=0
# job NAME CMD...: queue CMD (run in a subshell with its output in the job's .out)
job() {
	local name=$1 f
	shift
	njobs=$((njobs + 1))
	f=$tmp/jobs/$(printf '%04d' $njobs)
	printf '%s\n' "$name" >"$f.name"
	{
		printf 'cd %q || exit 2\n' "$here"
		printf '%q ' "$@"
		printf '\n'
	} >"$f.sh"
}

# split TABLE HEADER ROWS OUT_PREFIX: the sampled rows of TABLE in chunks of ROWS rows,
# OUT_PREFIX.N.tsv (with TABLE's first line on top when HEADER=1); prints the files
split_table() {
	awk -v header="$2" -v every="$sample" -v chunk="$3" -v out="$4" '
		NR == 1 && header { head = $0; next }
		/^[ \t]*$/ || /^#/ { next }
		{ if (n++ % every) next }
		(k % chunk) == 0 {
			f = out "." (k / chunk) ".tsv"
			print f
			if (header) print head > f
		}
		{ print > f; k++ }
	' "$1"
}

skip() { echo "SKIP: $1 ($2)"; }

# table_tool DIR WHAT: true when DIR has a cases.tsv and its tool, esp-<DIR's name>, is
# built (sets tool); a table whose tool is not built is a SKIP line
table_tool() {
	tool=$(basename "$1")
	[ -f "$1/cases.tsv" ] || return 1
	[ -x "$build/bin/esp-$tool" ] && return 0
	skip "$2 $tool" "esp-$tool is not built"
	return 1
}

for set in $sets; do
	case $set in
	unit)
		for t in "$build"/tests/test_*; do
			[ -x "$t" ] || continue
			n=$(basename "$t")
			job "unit $n" "${vg[@]}" --log-file="$tmp/logs/$n.log" "$t"
		done ;;
	own)
		for d in "$here"/golden/*/; do
			table_tool "$d" "golden own" || continue
			for t in $(split_table "$d/cases.tsv" 1 "$chunk" "$tmp/own-$tool"); do
				job "golden own $tool ${t##*/}" env GOLDEN_CASES="$t" \
					./golden.sh own "$tool" "$shared" "$tmp/bin"
			done
		done ;;
	shared)
		if [ ! -x "$shared/tools/conformance" ]; then
			skip "golden shared" "no $shared/tools/conformance: shared/ is not beside this checkout"
			continue
		fi
		for d in "$shared"/vectors/*/; do
			table_tool "$d" vectors || continue
			if ! head -1 "$d/cases.tsv" | tr '\t' '\n' | grep -qx expected; then
				skip "vectors $tool under valgrind" \
					"not a golden-output table; its own CTest test checks it"
				continue
			fi
			# a set of one folder per chunk: the vector folder's files by symlink,
			# only the table is the chunk
			for t in $(split_table "$d/cases.tsv" 1 "$chunk" "$tmp/shared-$tool"); do
				s=${t%.tsv}.set
				mkdir -p "$s/$tool"
				for e in "$d"*; do
					[ "${e##*/}" = cases.tsv ] || ln -s "$e" "$s/$tool/"
				done
				mv "$t" "$s/$tool/cases.tsv"
				job "vectors $tool ${t##*/}" "$shared/tools/conformance" \
					--bin "$tmp/bin" --set "$s" --only "$tool"
			done
		done ;;
	badinput)
		# bigger chunks: run.sh makes its fixtures (with the tools, so under
		# valgrind too) once per chunk
		for t in $(split_table "$here/badinput/cases.tsv" 0 $((chunk * 4)) "$tmp/badinput"); do
			job "badinput ${t##*/}" sh ./badinput/run.sh "$tmp/bin" "$build/tests/mkelf" "$t"
		done ;;
	esac
done
[ $njobs -gt 0 ] || { echo "valgrind.sh: nothing to run"; exit 1; }

if [ "$sample" = 1 ]; then what="every case"; else what="cases 1, 1+$sample, ..."; fi
echo "valgrind: $njobs jobs, $jobs at a time; unit tests and $what of each table"
# each job's output to its .out and its exit status to its .rc
# shellcheck disable=SC2016 # $1 is for the inner sh
find "$tmp/jobs" -name '*.sh' -print0 | sort -z |
	xargs -0 -P "$jobs" -I{} bash -c 'TIMEFORMAT="%U %S"
		{ time sh "$1" >"${1%.sh}.out" 2>&1; } 2>"${1%.sh}.time"
		echo $? >"${1%.sh}.rc"' _ {}

fail=0
for f in "$tmp"/jobs/*.sh; do
	f=${f%.sh}
	rc=$(cat "$f.rc" 2>/dev/null || echo "not run")
	last=$(tail -1 "$f.out" 2>/dev/null)
	cpu=$(awk '{ printf "%.1f", $1 + $2 }' "$f.time" 2>/dev/null)
	if [ "$rc" != 0 ]; then
		fail=1
		echo "FAIL: $(cat "$f.name"): exit $rc"
		grep -E 'FAIL|failed|rror' "$f.out" | head -40
	else
		echo "ok: $(cat "$f.name") (${cpu} s CPU): $last"
	fi
done

# every log with an error in it, whatever the runner made of the exit status (a tool
# that is expected to fail passes its runner with valgrind's 99 too)
found='ERROR SUMMARY: [1-9]|definitely lost|indirectly lost|Invalid (read|write)|uninitialised'
bad=$(grep -lE "$found" "$tmp"/logs/* 2>/dev/null)
if [ -n "$bad" ]; then
	fail=1
	for f in $bad; do
		echo "---- $(basename "$f")"
		head -60 "$f"
	done
fi
echo "valgrind: $(find "$tmp/logs" -type f | wc -l) runs, $(echo "$bad" | grep -c .) with errors"
exit $fail
