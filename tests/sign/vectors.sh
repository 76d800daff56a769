#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-sign against shared/vectors/sign (espsecure v5.3.1 output):
# - every block of every signed vector verifies with its public key (and key digest);
# - signing the unsigned input with the same keys gives the vector's bytes except the
#   signature and CRC of each block (signatures are randomised upstream);
# - public-key digests are byte-identical, from the public and the private key.
#   vectors.sh SHARED_DIR BIN_DIR
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
shared=$1
bin=$(cd "$2" && pwd) || exit 1
dir=$shared/vectors/sign
sign=$bin/esp-sign
if [ ! -f "$dir/cases.tsv" ]; then
	echo "SKIP: sign.vectors (no $dir: shared/ is not beside this checkout)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
byte() { od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' '; }
# zero the signature and CRC of every valid block in the last 4 KiB of a copy of $1
mask() {
	local f=$1 n s b off magic ver sha start end
	n=$(wc -c <"$f")
	s=$((n - 4096))
	for b in 0 1 2; do
		off=$((s + b * 1216))
		magic=$(byte "$f" $off)
		[ "$magic" = 231 ] || continue
		ver=$(byte "$f" $((off + 1)))
		sha=$(byte "$f" $((off + 2)))
		if [ "$ver" = 2 ]; then start=812 end=1196
		elif [ "$sha" = 1 ]; then start=149 end=245
		else start=101 end=165; fi
		dd if=/dev/zero of="$f" bs=1 seek=$((off + start)) count=$((end - start)) \
			conv=notrunc 2>/dev/null
		dd if=/dev/zero of="$f" bs=1 seek=$((off + 1196)) count=4 conv=notrunc 2>/dev/null
	done
}

cd "$dir" || exit 1
while IFS=$'\t' read -r name keys input signed pubkeys _; do
	[ "$name" = name ] && continue
	read -ra karr <<<"$keys"
	read -ra parr <<<"$pubkeys"
	# the vector verifies with each of its keys, block i with key i
	for i in "${!parr[@]}"; do
		p=${parr[$i]}
		if "$sign" --verify --pubkey "$p" "$signed" >"$tmp/out" 2>"$tmp/err" &&
			grep -q "^block $i: .*: signature verified$" "$tmp/out"; then ok; else
			bad "$name: $signed does not verify with $p: $(cat "$tmp/out" "$tmp/err")"
		fi
		"$sign" --pubkey-digest "$p" -o "$tmp/kd" &&
			"$sign" --verify --key-digest "$tmp/kd" "$signed" >/dev/null 2>&1 && ok ||
			bad "$name: $signed does not verify with the key digest of $p"
	done
	# our signature over the same input: same bytes outside signatures and CRCs
	args=()
	for k in "${karr[@]}"; do args+=(--key "$k"); done
	if ! "$sign" "${args[@]}" "$input" -o "$tmp/ours.bin" 2>"$tmp/err"; then
		bad "$name: signing failed: $(cat "$tmp/err")"
		continue
	fi
	for p in "${parr[@]}"; do
		"$sign" --verify --pubkey "$p" "$tmp/ours.bin" >/dev/null 2>&1 && ok ||
			bad "$name: our signature does not verify with $p"
	done
	cp "$signed" "$tmp/ref.bin"
	chmod u+w "$tmp/ref.bin"
	mask "$tmp/ours.bin"
	mask "$tmp/ref.bin"
	cmp -s "$tmp/ours.bin" "$tmp/ref.bin" && ok ||
		bad "$name: differs from $signed outside signatures/CRCs ($(cmp "$tmp/ours.bin" "$tmp/ref.bin" 2>&1))"
done <cases.tsv

while IFS=$'\t' read -r key digest _; do
	[ "$key" = key ] && continue
	priv=${key%.pub.pem}.pem
	for k in "$key" "$priv"; do
		"$sign" --pubkey-digest "$k" -o "$tmp/d.bin" 2>"$tmp/err" && cmp -s "$tmp/d.bin" "$digest" && ok ||
			bad "pubkey digest of $k differs from $digest $(cat "$tmp/err")"
	done
done <digests.tsv

finish
