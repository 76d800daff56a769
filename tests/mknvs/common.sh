# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the esp-mknvs test scripts once $exe (the tool) is set: a scratch
# directory $tmp (removed at exit), failures counted in $fail, and expect_usage.
set -u
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

err() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

# expect_usage "stderr substring" ARGS...: exit 2 with the message, and no $tmp/out
expect_usage() {
	local want=$1
	shift
	rm -f "$tmp/out"
	# shellcheck disable=SC2154 # exe: set by the script that sources this file
	"$exe" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
	local rc=$?
	if [ $rc -ne 2 ] || [ -e "$tmp/out" ] || ! grep -qF -- "$want" "$tmp/stderr"; then
		err "$*: exit $rc (want 2), stderr: $(head -c 200 "$tmp/stderr")"
	fi
}
