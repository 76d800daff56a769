#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vectors.sh BIN_DIR SHARED_DIR
# Every row of shared/vectors-next/mkfs (spiffs-* and fat-*) through
# shared/tools/conformance, from a temporary set with the link trees restored (links.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/mkfs/links.sh
. "$here/links.sh"
bin=$(cd "$1" && pwd) shared=$2
src=$shared/vectors-next/mkfs
conf=$shared/tools/conformance
if [ ! -x "$conf" ] || [ ! -f "$src/cases.tsv" ]; then
	echo "SKIP: mkfs vectors (none at $src: shared/ is not beside this checkout)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-mkfs.XXXXXX") || exit 2
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
mkfs_set "$src" "$tmp/set/mkfs" || exit 2
rows=$(($(wc -l <"$tmp/set/mkfs/cases.tsv") - 1))
[ "$rows" -gt 0 ] || { echo "FAIL: no rows in $src/cases.tsv"; exit 1; }
"$conf" --bin "$bin" --set "$tmp/set" --only mkfs
