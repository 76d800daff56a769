#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times a second run of a 2000-device batch (bench/batch.sh's inputs) with nothing
# changed: every device is up to date, none is built (target: under 2 s); then a run
# with one row changed (one device built).
# Usage: bench/resume.sh [BIN_DIR] (default build/bin); DEVICES=N for another count.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
mkelf=${MKELF:-build/tests/mkelf}
n=${DEVICES:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=bench/batch-inputs.sh
. bench/batch-inputs.sh
d=$tmp/ex
batch_inputs "$d" "$bin" "$mkelf" 1
batch_devices "$n" >"$d/devices.csv"

run() { "$bin/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/out"; }
t0=$(date +%s%N)
run
t1=$(date +%s%N)
run 2>"$tmp/err2"
t2=$(date +%s%N)
sed -i '2s/,SN-/,XN-/' "$d/devices.csv"
t3=$(date +%s%N)
run 2>"$tmp/err3"
t4=$(date +%s%N)
echo "devices: $n, cores: $(nproc)"
echo "first run:                 $(((t1 - t0) / 1000000)) ms"
echo "second run, nothing new:   $(((t2 - t1) / 1000000)) ms ($(cat "$tmp/err2"))"
echo "third run, one row changed: $(((t4 - t3) / 1000000)) ms ($(cat "$tmp/err3"))"
