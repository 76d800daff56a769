#!/usr/bin/env bash
# The main job on the bundled example: configs/ -> build/example/.
set -eu
cd "$(dirname "$0")/.."
out=build/example
mkdir -p "$out"
build/bin/esp-mkpart --flash-size 4MB configs/partitions/two_ota.ini -o "$out/partitions.bin"
echo "wrote $out/partitions.bin ($(stat -c %s "$out/partitions.bin") bytes):"
build/bin/esp-mkpart --decode "$out/partitions.bin" -o -
