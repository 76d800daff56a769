#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CTest's entry to differential.py: a small count (DIFF_COUNT, default 20) against the
# upstream trees named by ESPTOOL_DIR, IDF_DIR and NVSGEN_DIR. Without python3 or
# without any of those trees it prints why and exits 77 (skipped); CI has neither, so
# there this is a documented manual check (tests/differential/RESULTS.md).
#   run.sh BIN_DIR TESTS_BIN_DIR SHARED_DIR
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: differential (no python3 to run the upstream tools)"
	exit 77
fi
exec python3 "$(dirname "$0")/differential.py" --bin "$1" --tests-bin "$2" --shared "$3" \
	--count "${DIFF_COUNT:-20}"
