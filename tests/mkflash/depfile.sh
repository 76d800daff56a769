#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkflash --depfile: one Makefile rule naming every file the build read (the
# manifest, layout, bootloader, ELFs and files, NVS CSVs and the files their rows
# name, the devices CSV), names escaped, the same for any -j, and none on failure.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
# a directory whose name needs escaping: space, '#', '$'
d="$tmp/in put#1\$x"
make_inputs "$d" || { echo "cannot make inputs"; exit 1; }
cd "$tmp" || exit 1
e=${d// /\\ }
e=${e//#/\\#}
e=${e//\$/\$\$}

# the manifest form: every input once, in the order read
"$BIN/esp-mkflash" --manifest "$d/factory.ini" -o "$tmp/F.bin" --depfile "$tmp/F.d" ||
	bad "manifest with --depfile"
want="$tmp/F.bin: $e/factory.ini $e/partitions.ini $e/bootloader.elf $e/app.elf"
[ "$(cat "$tmp/F.d")" = "$want" ] && ok || bad "depfile: got '$(cat "$tmp/F.d")', want '$want'"
[ "$(wc -l <"$tmp/F.d")" -eq 1 ] && ok || bad "one line"
# the image is the one built without --depfile
"$BIN/esp-mkflash" --manifest "$d/factory.ini" -o "$tmp/G.bin" && cmp -s "$tmp/F.bin" "$tmp/G.bin" &&
	cmp -s "$tmp/F.json" "$tmp/G.json" && ok || bad "--depfile changed the image"

# NVS CSVs and the files their rows name, per device, in device order for any -j
cp "$d/factory.ini" "$d/batch.ini"
printf '\n[nvs]\nnvs = dev.csv\n' >>"$d/batch.ini"
# shellcheck disable=SC2016 # placeholders of the CSV, not shell variables
printf 'key,type,encoding,value\nns,namespace,,\nserial,data,string,${serial}\ncert,file,binary,certs/${id}.der\nca,file,binary,ca.der\n' >"$d/dev.csv"
mkdir -p "$d/certs"
printf 'id,serial\nd1,S1\nd2,S2\nd3,S3\n' >"$d/devices.csv"
for i in d1 d2 d3; do printf '%s' "$i" >"$d/certs/$i.der"; done
printf 'ca' >"$d/ca.der"
for j in 1 3; do
	"$BIN/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -j $j \
		-o "$tmp/out$j" --depfile "$tmp/out$j.d" || bad "batch -j $j"
done
want="$tmp/out1: $e/batch.ini $e/partitions.ini $e/bootloader.elf $e/app.elf $e/dev.csv"
want="$want $e/devices.csv $e/certs/d1.der $e/ca.der $e/certs/d2.der $e/certs/d3.der"
[ "$(cat "$tmp/out1.d")" = "$want" ] && ok || bad "batch depfile: got '$(cat "$tmp/out1.d")', want '$want'"
[ "$(sed "s|^$tmp/out3:|$tmp/out1:|" "$tmp/out3.d")" = "$(cat "$tmp/out1.d")" ] && ok ||
	bad "-j 3 lists another order: $(cat "$tmp/out3.d")"
# the manifest form with an NVS CSV without placeholders: its file rows too
# shellcheck disable=SC2016 # placeholders of the CSV, not shell variables
sed -i 's/\${serial}/S0/; s|certs/\${id}.der|certs/d1.der|' "$d/dev.csv"
"$BIN/esp-mkflash" --manifest "$d/batch.ini" -o "$tmp/N.bin" --depfile "$tmp/N.d" || bad "nvs manifest"
want="$tmp/N.bin: $e/batch.ini $e/partitions.ini $e/bootloader.elf $e/app.elf $e/dev.csv"
want="$want $e/certs/d1.der $e/ca.der"
[ "$(cat "$tmp/N.d")" = "$want" ] && ok || bad "nvs depfile: got '$(cat "$tmp/N.d")', want '$want'"

# a failed build writes no depfile and leaves an old one as it was
printf 'old\n' >"$tmp/N.d"
rm "$d/ca.der"
"$BIN/esp-mkflash" --manifest "$d/batch.ini" -o "$tmp/N.bin" --depfile "$tmp/N.d" 2>/dev/null
[ $? -eq 1 ] && [ "$(cat "$tmp/N.d")" = old ] && ok || bad "failed build touched the depfile"
"$BIN/esp-mkflash" --manifest "$d/batch.ini" --devices "$d/devices.csv" -o "$tmp/out4" \
	--depfile "$tmp/out4.d" 2>/dev/null
[ $? -eq 1 ] && [ ! -e "$tmp/out4.d" ] && ok || bad "failed batch wrote a depfile"
[ -n "$(find "$tmp" -mindepth 1 -maxdepth 1 -name '*.tmp*')" ] && bad "temporary file left" || ok

# only with --manifest
"$BIN/esp-mkflash" --chip esp32c3 --depfile "$tmp/m.d" 0x0 "$d/bootloader.elf" -o "$tmp/m.bin" 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF -- "--devices, --jobs, --keep-going, --depfile and --check go with --manifest" "$tmp/err" &&
	[ ! -e "$tmp/m.d" ] && ok || bad "--depfile without --manifest: $(cat "$tmp/err")"
finish
