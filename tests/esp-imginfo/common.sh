# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # its variables are for, and $src from, the sourcing script
# Sourced by the esp-imginfo test scripts, with their arguments BIN_DIR TESTS_BIN_DIR:
# the tools, mkelf, this folder and the source root; a scratch directory (removed at
# exit) as the working directory; bad() to note a failure in $fail.
set -u
bin=$(cd "$1" && pwd)
mkelf=$(cd "$2" && pwd)/mkelf
root=$(cd "$src/../.." && pwd)
info=$bin/esp-imginfo
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}
