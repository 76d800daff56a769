#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""treecmp.py spiffs|fat FOLLOW INPUT EXTRACTED: does EXTRACTED hold INPUT's files?

Contents must be equal byte for byte. SPIFFS keeps names as they are. FAT keeps them as
fatfsgen stores them (spec/filesystems.md §3.7): upper-cased, and for long names its
bytewise lower-casing of the UTF-16 text, so both sides are compared case-folded after
applying that step to the input's names. Links are read through (FAT always, SPIFFS
directory links only with FOLLOW=1)."""
import hashlib
import os
import sys


def fat_form(name):
    # upper-case, then lower-case every byte A-Z of the UTF-16LE text (also inside
    # non-ASCII code units), as fatfsgen writes long names
    return name.upper().encode('utf-16-le').lower().decode('utf-16-le').casefold()


def files(root, follow, fat):
    out = {}
    for top, dirs, names in os.walk(root, followlinks=follow):
        rel = os.path.relpath(top, root)
        parts = [] if rel == '.' else rel.split(os.sep)
        for d in dirs:
            if fat:
                out['/'.join(fat_form(p) for p in parts + [d]) + '/'] = 'dir'
        for n in names:
            path = parts + [n]
            with open(os.path.join(top, n), 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            key = '/'.join(fat_form(p) for p in path) if fat else '/'.join(path)
            out[key] = digest
    return out


def main():
    kind, follow, src, got = sys.argv[1], sys.argv[2] == '1', sys.argv[3], sys.argv[4]
    fat = kind == 'fat'
    want = files(src, follow or fat, fat)
    have = files(got, False, fat)
    if fat:
        have = {k.casefold(): v for k, v in have.items()}
    bad = sorted(set(want) ^ set(have)) + sorted(k for k in want if k in have and want[k] != have[k])
    for k in bad[:10]:
        print('treecmp: %s: %s' % (k, 'differs' if k in want and k in have else
                                    'missing' if k in want else 'extra'))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
