#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CI fuzz smoke: builds the libFuzzer harnesses with clang in BUILD_DIR (default
# build-fuzz) and runs each over its seed corpus plus SECONDS of fuzzing (default 20).
#
#   tests/fuzz/ci.sh [SECONDS] [BUILD_DIR]
#
# Debian 12: clang (clang-14) and libclang-rt-14-dev (libFuzzer), plus the usual
# build dependencies. Exit status: 0 when nothing was found; 1 on a finding (the
# crashing input is in BUILD_DIR/fuzz-work/artifacts/HARNESS/); 2 when the build fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-20}
build=${2:-$root/build-fuzz}
CC=${CC:-clang}
export CC
mkdir -p "$build"
log=$build/fuzz-build.log
if ! cmake -S "$root" -B "$build" -DESPGEN_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$log" 2>&1 ||
	! cmake --build "$build" --target fuzz -j"$(nproc)" >>"$log" 2>&1; then
	cat "$log" >&2
	echo "ci.sh: building the harnesses failed" >&2
	exit 2
fi
rm -rf "$build/fuzz-work"
FUZZ_BUILD=$build FUZZ_WORK=$build/fuzz-work FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)} \
	"$here/run.sh" "$secs"
rc=$?
if [ $rc -ne 0 ]; then
	for log in "$build"/fuzz-work/*.log; do
		grep -q -E 'ERROR|SUMMARY|deadly signal|timeout' "$log" || continue
		echo "---- $log"
		grep -A40 -m1 -E '==[0-9]+==ERROR|runtime error|deadly signal|timeout' "$log"
	done
	exit 1
fi
echo "fuzz: $(find "$build/fuzz" -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x | wc -l) harnesses," \
	"seed corpora and ${secs} s of fuzzing each, no finding"
