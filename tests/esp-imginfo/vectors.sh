#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Acceptance 1 of esp-imginfo: every expected output of the shared vectors (images:
# the .bin files; .csv/.err files are text, not images) is recognised, decodes with
# no problem ("problems": []), and its JSON parses. --diff of one image per set
# with itself says identical. Exit 77 (skip) without ../shared/vectors.
# usage: vectors.sh BIN_DIR SHARED_DIR
set -u
info=$(cd "$1" && pwd)/esp-imginfo
vec=$2/vectors
[ -d "$vec" ] || { echo "SKIP: imginfo.vectors (no shared vectors at $vec)"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: imginfo.vectors (jq is not installed)"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0
n=0
for f in "$vec"/*/expected/*.bin "$vec"/sign/signed/*.bin; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if ! "$info" --json "$f" >"$T/out.json" 2>"$T/err"; then
		echo "FAIL: $f: exit $? $(cat "$T/err")"
		fail=1
		continue
	fi
	if ! jq -e '(.problems | length) == 0 and (.kind | type) == "string"' "$T/out.json" \
		>/dev/null 2>&1; then
		echo "FAIL: $f: JSON does not parse or has problems:"
		jq -c .problems "$T/out.json" 2>&1 | head -5
		fail=1
	fi
	# (every "invalid" status in the description is also listed under problems)
	# one self-comparison per vector set keeps the run short
	set_dir=$(dirname "$(dirname "$f")")
	[ "$set_dir" = "${last_set:-}" ] && continue
	last_set=$set_dir
	if ! "$info" --diff "$f" "$f" >"$T/diff" 2>&1 || [ "$(cat "$T/diff")" != identical ]; then
		echo "FAIL: $f: not identical to itself"
		fail=1
	fi
done
# signed vectors verify with their public keys
while IFS='	' read -r name _ _ signed pubkeys _; do
	[ "$name" = name ] && continue
	for k in $pubkeys; do
		out=$("$info" --pubkey "$vec/sign/$k" "$vec/sign/$signed" 2>&1) ||
			{ echo "FAIL: $name: $out"; fail=1; continue; }
		echo "$out" | grep -q "^  verification: verified with the given key" ||
			{ echo "FAIL: $name: $k does not verify"; fail=1; }
	done
done <"$vec/sign/cases.tsv"
# and not with another key
out=$("$info" --pubkey "$vec/sign/keys/rsa3072-a.pub.pem" \
	"$vec/sign/signed/own-esp32c6-default-ecdsa256.bin" 2>&1)
echo "$out" | grep -q "^  verification: does not verify with the given key" ||
	{ echo "FAIL: a signature verifies with another key"; fail=1; }
echo "$out" | grep -q "^  - signature does not verify with the given key" ||
	{ echo "FAIL: a signature that does not verify is not a problem"; fail=1; }
echo "$n vector images checked"
[ "$n" -gt 0 ] || fail=1
exit $fail
