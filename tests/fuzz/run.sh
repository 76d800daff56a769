#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer harness (or the ones named) for SECONDS each (default 20)
# over its seed corpus.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]
#
# FUZZ_BUILD: the build directory configured with -DESPGEN_FUZZ=ON (default
#   build-fuzz beside this repository's build/). Harnesses are in $FUZZ_BUILD/fuzz.
# FUZZ_WORK: where the growing corpora, logs and crash artifacts go (default
#   $FUZZ_BUILD/fuzz-work); the seed corpora in tests/fuzz/corpus are only read.
# FUZZ_JOBS: how many harnesses run at once (default 1).
# Exit status: 0 when no harness found anything, 1 otherwise (see the logs and
# $FUZZ_WORK/artifacts/HARNESS/).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=20
case ${1:-} in
[0-9]*) secs=$1; shift ;;
esac
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
jobs=${FUZZ_JOBS:-1}
all="layout_ini layout_csv parttable appimage otadata elf manifest sbkey nvs_csv nvs_decode imginfo"
[ $# -gt 0 ] && all="$*"

for h in $all; do
	if [ ! -x "$build/fuzz/fuzz_$h" ]; then
		echo "run.sh: $build/fuzz/fuzz_$h: not built (cmake -DESPGEN_FUZZ=ON, target fuzz)" >&2
		exit 2
	fi
done
mkdir -p "$work" || exit 2

one() {
	h=$1
	mkdir -p "$work/corpus/$h" "$work/artifacts/$h"
	# the committed seeds first: a crash in one of them shows up at once
	"$build/fuzz/fuzz_$h" -runs=0 "$here/corpus/$h" >"$work/$h.seeds.log" 2>&1 || return 1
	"$build/fuzz/fuzz_$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-close_fd_mask=3 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/$h/" \
		"$work/corpus/$h" "$here/corpus/$h" >"$work/$h.log" 2>&1
}

status=0
running=0
pids=""
for h in $all; do
	(
		if one "$h"; then
			res=ok
		else
			res=FAILED
		fi
		stats=$(grep -E '^#[0-9]+.*(DONE|INITED)' "$work/$h.log" 2>/dev/null | tail -1)
		echo "$h: $res ${secs}s $stats"
		[ "$res" = ok ]
	) &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		for p in $pids; do
			wait "$p" || status=1
		done
		pids=""
		running=0
	fi
done
for p in $pids; do
	wait "$p" || status=1
done
exit $status
