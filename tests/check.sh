# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the shell tests: a pass/fail tally and the usual checks.
#   . "$(dirname "$0")/../check.sh"       (before any cd)
# ok / bad MESSAGE count one check; run_ok DESC CMD... must exit 0 (its output goes
# to out.txt and err.txt in the current directory); finish prints the tally and
# fails when a check failed or none ran (saying so).
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*"
	fail=$((fail + 1))
}

run_ok() {
	local desc=$1
	shift
	if "$@" >out.txt 2>err.txt; then ok; else bad "$desc: exit $? ($(head -c 300 err.txt))"; fi
}

finish() {
	echo "$pass passed, $fail failed"
	# a script that ran no check proves nothing: that is a failure, never a quiet pass
	if [ $((pass + fail)) -eq 0 ]; then
		echo "FAIL: no check ran"
		return 1
	fi
	[ "$fail" -eq 0 ]
}
