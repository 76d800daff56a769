#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every test: the whole CTest suite in the normal build, valgrind memcheck over the
# golden and bad-input runs, a short libFuzzer run of every parser, then the CTest suite
# again in an AddressSanitizer + UndefinedBehaviorSanitizer build. Fails on any failure.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j"$jobs")
# memcheck: unit tests, golden sets (ours and ../shared's) and the bad-input table
bash tests/valgrind.sh build
# libFuzzer smoke: every parser's harness over its seed corpus plus 20 s of fuzzing
bash tests/fuzz/ci.sh "${FUZZ_SECONDS:-20}" build-fuzz
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DESPGEN_SANITIZE=ON
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --output-on-failure -j"$jobs")
