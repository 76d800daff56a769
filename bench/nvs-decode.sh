#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times NVS decoding on two crafted worst cases and prints seconds and peak memory:
#   blobs.bin  512 KiB: 64 pages of empty v2 blob chunks (chunk indices 0-254 of one
#              key, again and again), then 64 pages of blob indexes naming 255 chunks
#              each -- the case that made joining chunks quadratic (21.7 s before)
#   pages.bin  256 MiB: 65536 full pages, one u8 item each, stored in reverse
#              sequence-number order -- the case that made page ordering quadratic (58 s)
# Each is described by esp-imginfo and decoded by esp-mknvs --decode.
# Usage: bench/nvs-decode.sh [BIN_DIR] (default build/bin). Needs python3 (zlib) to
# build the images.
set -eu
cd "$(dirname "$0")/.."
bin=${1:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp" <<'PY'
import struct, sys, zlib

def crc(b):
    return zlib.crc32(b, 0xFFFFFFFF) & 0xFFFFFFFF

def entry(ns, typ, span, chunk, key, data8):
    e = bytearray(struct.pack('<BBBBI', ns, typ, span, chunk, 0))
    e += key.encode().ljust(16, b'\0') + data8
    struct.pack_into('<I', e, 4, crc(bytes(e[0:4] + e[8:32])))
    return bytes(e)

def page(seq, entries, state=0xFFFFFFFC):
    hdr = bytearray(b'\xff' * 32)
    struct.pack_into('<II', hdr, 0, state, seq)
    hdr[8] = 0xFE
    struct.pack_into('<I', hdr, 28, crc(bytes(hdr[4:28])))
    bitmap = bytearray(b'\xff' * 32)
    for i in range(len(entries)):
        bitmap[i // 4] &= ~(1 << (2 * (i % 4) + 0)) & 0xFF  # 0b10: written
    body = b''.join(entries).ljust(126 * 32, b'\xff')
    return bytes(hdr) + bytes(bitmap) + body

empty_crc = struct.pack('<HHI', 0, 0xFFFF, crc(b''))
out = bytearray()
seq = 0
ns = entry(0, 0x01, 1, 0xFF, 'ns', bytes([1]) + b'\xff' * 7)
n = 0
for p in range(64):
    ents = [ns] if p == 0 else []
    while len(ents) < 126:
        ents.append(entry(1, 0x42, 1, n % 255, 'k', empty_crc))
        n += 1
    out += page(seq, ents)
    seq += 1
idx = entry(1, 0x48, 1, 0xFF, 'k', struct.pack('<IBBH', 0, 255, 0, 0xFFFF))
for p in range(64):
    out += page(seq, [idx] * 126)
    seq += 1
open(sys.argv[1] + '/blobs.bin', 'wb').write(out)

with open(sys.argv[1] + '/pages.bin', 'wb') as f:
    npages = 65536
    for p in range(npages):
        seq = npages - 1 - p
        ents = [entry(1, 0x01, 1, 0xFF, 'v', bytes([seq & 0xFF]) + b'\xff' * 7)]
        if seq == 0:
            ents.insert(0, ns)
        f.write(page(seq, ents))
PY

# run LABEL CMD...: wall seconds and peak RSS (GNU time's %M, else getrusage through
# python3) of CMD; its stderr (warnings) goes to $tmp/err
run() {
	local what=$1 t0 t1 kib
	shift
	t0=$(date +%s%N)
	if /usr/bin/time -f %M true >/dev/null 2>&1; then
		/usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || true
		kib=$(tail -1 "$tmp/rss")
	else
		kib=$(python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@" 2>"$tmp/err")
	fi
	t1=$(date +%s%N)
	awk -v w="$what" -v t=$((t1 - t0)) -v k="$kib" \
		'BEGIN { printf "%-24s %8.3f s  peak %d KiB\n", w, t / 1e9, k }'
}

for img in blobs pages; do
	size=$(wc -c <"$tmp/$img.bin")
	echo "$img.bin ($size bytes)"
	run "  esp-imginfo" "$bin/esp-imginfo" "$tmp/$img.bin"
	run "  esp-mknvs --decode" "$bin/esp-mknvs" --decode "$tmp/$img.bin" -o "$tmp/$img.csv"
	echo "  decoded CSV: $(wc -l <"$tmp/$img.csv") lines, $(grep -c 'warning' "$tmp/err" || true) warnings"
done
