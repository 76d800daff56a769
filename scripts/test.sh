#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every test, as CI runs it (.ci/run); stops at the first failure and exits non-zero.
#   1. build/ (gcc, warnings are errors): the whole CTest suite (unit tests, golden
#      sets, bad-input table, script tests, install tests, the Debian package)
#   2. build-clang/ (clang, warnings are errors): every target, then the unit tests
#   3. shellcheck over every shell script
#   4. build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer): the CTest suite
#      without the install tests and the Debian package (label install: packaging, not
#      memory safety)
#   5. valgrind memcheck on build/: every unit test and a fixed sample of the golden and
#      bad-input cases (tests/valgrind.sh; VALGRIND_SAMPLE=N takes cases 1, 1+N, ...
#      of each table, default 4; 1 runs them all), in parallel
#   6. libFuzzer smoke (tests/fuzz/ci.sh): every harness over its seed corpus, then
#      FUZZ_SECONDS (default 5) of fuzzing each
# The closing lines summarise each step (CTest's "N% tests passed" lines verbatim) and
# list everything that was skipped, with the reason. Logs: build/test-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
start=$SECONDS
summary=()
current=""

# stage NAME CMD...: CMD's output on the terminal and in build/test-logs/NAME.log, then
# its wall and CPU time
stage() {
	local name=$1
	local TIMEFORMAT="==== $name: %0R s (CPU: %0U s user, %0S s system)"
	shift
	current=$name
	echo "==== $name"
	time { "$@" 2>&1 | tee "build/test-logs/$name.log"; }
}

# ctest_run DIR ARGS...: the suite in DIR; prints the SKIP lines of skipped tests too,
# which ctest keeps in its log only
ctest_run() {
	local dir=$1
	shift
	(cd "$dir" && ctest --output-on-failure -j"$jobs" "$@")
	grep -h '^SKIP: ' "$dir/Testing/Temporary/LastTest.log" || true
}

# passed STAGE PATTERN: the stage's closing line that matches, for the summary
passed() { grep -E "$2" "build/test-logs/$1.log" | tail -1; }

finish() {
	local rc=$?
	trap - EXIT
	echo
	echo "==== summary"
	printf '%s\n' "${summary[@]}"
	# every skip, whichever step printed it (never silent: see each test's SKIP line)
	grep -h '^SKIP: ' build/test-logs/*.log 2>/dev/null | sort -u || echo "skipped: nothing"
	# (times in this shell, not in a $(...) subshell, which would start from zero)
	times >build/test-logs/times
	echo "CPU time of all steps (user, system): $(tail -1 build/test-logs/times)"
	if [ $rc -eq 0 ]; then
		echo "test.sh: all steps passed in $((SECONDS - start)) s"
	else
		echo "test.sh: FAILED in step '$current' (exit $rc; log: build/test-logs/$current.log)"
	fi
	exit $rc
}
trap finish EXIT

mkdir -p build/test-logs
rm -f build/test-logs/*.log

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESPGEN_WERROR=ON
	cmake --build build -j"$jobs"
}
stage build build
stage ctest ctest_run build
summary+=("gcc, CTest: $(passed ctest 'tests passed')")

clang_build() {
	CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DESPGEN_WERROR=ON
	cmake --build build-clang -j"$jobs"
	ctest_run build-clang -R '^unit\.'
}
stage clang clang_build
summary+=("clang, unit tests: $(passed clang 'tests passed')")

# every shell script: *.sh, *.bash, and files whose first line names sh or bash
shell_scripts() {
	find . \( -path './build*' -o -path ./.git \) -prune -o -type f -print | sort |
		while read -r f; do
			case $f in
			*.sh | *.bash) echo "$f" ;;
			*) head -1 "$f" 2>/dev/null | grep -qE '^#!.*[/ ](ba)?sh( |$)' && echo "$f" ;;
			esac
		done
}
shellcheck_all() {
	local files
	mapfile -t files < <(shell_scripts)
	[ ${#files[@]} -gt 0 ] || { echo "shellcheck: no script found"; return 1; }
	printf '%s\0' "${files[@]}" | xargs -0 -n 4 -P "$jobs" shellcheck -x
	echo "shellcheck: ${#files[@]} scripts, no finding"
}
stage shellcheck shellcheck_all
summary+=("$(passed shellcheck '^shellcheck: ')")

asan() {
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DESPGEN_SANITIZE=ON
	cmake --build build-asan -j"$jobs"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest_run build-asan -LE install
}
stage asan asan
summary+=("ASan+UBSan, CTest without the install tests: $(passed asan 'tests passed')")

stage valgrind env VALGRIND_SAMPLE="${VALGRIND_SAMPLE:-4}" bash tests/valgrind.sh build
summary+=("$(passed valgrind '^valgrind: [0-9]+ runs')")

stage fuzz bash tests/fuzz/ci.sh "${FUZZ_SECONDS:-5}" build-fuzz
summary+=("$(passed fuzz '^fuzz: ')")
