#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkflash --idf-build: ESP-IDF-like build directories made here (bootloader, table,
# app, otadata; flasher_args.json and flash_args as ESP-IDF v5.x and v6.0 write them).
# --idf-build DIR == `cd DIR && esp-mkflash --chip C @flash_args` == the manifest that
# --manifest-out writes, built with --manifest; == `esptool merge-bin @flash_args` when
# ESPTOOL_DIR names an esptool v5.3.1 tree. Then the errors, each naming its field.
# shellcheck source=tests/mkflash/common.sh
. "$(dirname "$0")/common.sh"
make_inputs "$tmp/in" || { echo "cannot make inputs"; exit 1; }
cd "$tmp" || exit 1

# The partition CSV of ESP-IDF's "two OTA definitions" table (the app at APP).
partitions() {
	cat <<EOF
# Name,   Type, SubType, Offset,   Size, Flags
nvs,      data, nvs,     ,         0x4000,
otadata,  data, ota,     ,         0x2000,
phy_init, data, phy,     ,         0x1000,
factory,  app,  factory, $1,  1M,
ota_0,    app,  ota_0,   ,         1M,
ota_1,    app,  ota_1,   ,         1M,
EOF
}

# mkbuild DIR STYLE TABLE_OFFSET OTADATA_OFFSET APP_OFFSET: a build directory as idf.py
# leaves it. STYLE v5 spells the flash options with underscores, v6 with hyphens.
mkbuild() {
	local d=$1 style=$2 toff=$3 ooff=$4 aoff=$5 opt=--flash-mode sep=-
	[ "$style" = v5 ] && opt=--flash_mode sep=_
	mkdir -p "$d/bootloader" "$d/partition_table" || return 1
	partitions "$aoff" >"$d/partitions.csv" || return 1
	"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m --flash-size 4MB \
		"$tmp/in/bootloader.elf" -o "$d/bootloader/bootloader.bin" &&
		"$BIN/esp-mkimage" --chip esp32c3 --flash-mode dio --flash-freq 80m \
			--flash-size 4MB "$tmp/in/app.elf" -o "$d/hello_world.bin" &&
		"$BIN/esp-mkpart" --offset "$toff" --flash-size 4MB "$d/partitions.csv" \
			-o "$d/partition_table/partition-table.bin" || return 1
	# gen_empty_partition.py: the otadata partition erased
	head -c 8192 /dev/zero | tr '\0' '\377' >"$d/ota_data_initial.bin"
	cat >"$d/flasher_args.json" <<EOF
{
    "write_flash_args" : [ "${opt}", "dio",
                           "--flash${sep}size", "4MB",
                           "--flash${sep}freq", "80m" ],
    "flash_settings" : {
        "flash_mode": "dio",
        "flash_size": "4MB",
        "flash_freq": "80m"
    },
    "flash_files" : {
        "0x0" : "bootloader/bootloader.bin",
        "$aoff" : "hello_world.bin",
        "$toff" : "partition_table/partition-table.bin",
        "$ooff" : "ota_data_initial.bin"
    },
    "bootloader" : { "offset" : "0x0", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "$aoff", "file" : "hello_world.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "$toff", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "otadata" : { "offset" : "$ooff", "file" : "ota_data_initial.bin", "encrypted" : "false" },
    "extra_esptool_args" : {
        "after"  : "hard${sep}reset",
        "before" : "default${sep}reset",
        "stub"   : true,
        "chip"   : "esp32c3"
    }
}
EOF
	printf '%s\n' "${opt} dio --flash${sep}freq 80m --flash${sep}size 4MB" \
		'0x0 bootloader/bootloader.bin' "$aoff hello_world.bin" \
		"$toff partition_table/partition-table.bin" "$ooff ota_data_initial.bin" \
		>"$d/flash_args"
}

# same DESC A B: the two files hold the same bytes
same() {
	cmp -s "$2" "$3" && ok || bad "$1: $2 and $3 differ"
}

# the reference: `python3 -m esptool` from ESPTOOL_DIR, with a python that has its modules
esptool_dir=${ESPTOOL_DIR:-} py='' why="ESPTOOL_DIR names no esptool v5.3.1 tree"
if [ -n "$esptool_dir" ] && [ -d "$esptool_dir/esptool" ]; then
	why="no python3 imports esptool from $esptool_dir"
	for p in python3 /usr/bin/python3; do
		if PYTHONPATH=$esptool_dir "$p" -c 'import esptool' 2>/dev/null; then
			py=$p
			break
		fi
	done
fi
# (v5 layout: default table offset; v6: CONFIG_PARTITION_TABLE_OFFSET=0x9000)
for style in v5 v6; do
	toff=0x8000 ooff=0xd000 aoff=0x10000
	[ $style = v6 ] && toff=0x9000 ooff=0xe000 aoff=0x20000
	d=$tmp/$style/build
	mkbuild "$d" $style $toff $ooff $aoff || { bad "$style: cannot make the build directory"; continue; }
	run_ok "$style --idf-build" "$BIN/esp-mkflash" --idf-build "$d" -o "$tmp/$style.idf.bin"
	(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 @flash_args -o "$tmp/$style.args.bin") &&
		ok || bad "$style @flash_args: exit $?"
	same "$style --idf-build vs @flash_args" "$tmp/$style.idf.bin" "$tmp/$style.args.bin"
	# every file at its address, the bootloader as built (its header already says so)
	region "$tmp/$style.idf.bin" $aoff "$(stat -c %s "$d/hello_world.bin")" "$tmp/app.part"
	same "$style app region" "$tmp/app.part" "$d/hello_world.bin"
	region "$tmp/$style.idf.bin" $toff 0xc00 "$tmp/pt.part"
	same "$style table region" "$tmp/pt.part" "$d/partition_table/partition-table.bin"

	# other formats and options combine with it as with ADDR FILE pairs
	for extra in "--format hex" "--format uf2" "--pad-to-size 4MB" "--target-offset 0x0"; do
		# shellcheck disable=SC2086 # the words of $extra are the options
		"$BIN/esp-mkflash" --idf-build "$d" $extra -o "$tmp/x.idf" &&
			(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 @flash_args $extra \
				-o "$tmp/x.args") || { bad "$style $extra: exit $?"; continue; }
		same "$style $extra" "$tmp/x.idf" "$tmp/x.args"
	done
	# one more ADDR FILE pair goes in beside the build's files
	head -c 100 /dev/urandom >"$tmp/extra.bin"
	"$BIN/esp-mkflash" --idf-build "$d" 0x3f0000 "$tmp/extra.bin" -o "$tmp/x.idf" &&
		(cd "$d" && "$BIN/esp-mkflash" --chip esp32c3 @flash_args 0x3f0000 "$tmp/extra.bin" \
			-o "$tmp/x.args") && same "$style extra pair" "$tmp/x.idf" "$tmp/x.args" ||
		bad "$style extra pair: exit $?"

	# the manifest of the build, written elsewhere (paths lead back to the build)
	mkdir -p "$tmp/$style/factory"
	run_ok "$style --manifest-out" "$BIN/esp-mkflash" --idf-build "$d" \
		--manifest-out "$tmp/$style/factory/factory.ini"
	[ -f "$tmp/$style/factory/factory.partitions.ini" ] && ok || bad "$style: no layout"
	grep -qxF 'bootloader = ../build/bootloader/bootloader.bin' \
		"$tmp/$style/factory/factory.ini" && ok || bad "$style: bootloader path"
	grep -qxF "offset = $toff" "$tmp/$style/factory/factory.partitions.ini" && ok ||
		bad "$style: the layout keeps the table offset"
	run_ok "$style --manifest" "$BIN/esp-mkflash" --manifest \
		"$tmp/$style/factory/factory.ini" -o "$tmp/$style.manifest.bin"
	same "$style --manifest vs --idf-build" "$tmp/$style.manifest.bin" "$tmp/$style.idf.bin"
	# from inside the build directory, relative names: the same manifest works
	(cd "$d" && "$BIN/esp-mkflash" --idf-build . --manifest-out f.ini &&
		"$BIN/esp-mkflash" --manifest f.ini -o "$tmp/$style.rel.bin") &&
		same "$style manifest in DIR" "$tmp/$style.rel.bin" "$tmp/$style.idf.bin" ||
		bad "$style manifest in DIR: exit $?"
	grep -qxF '[otadata]' "$d/f.ini" && grep -qxF 'file = ota_data_initial.bin' "$d/f.ini" &&
		ok || bad "$style: the otadata region is a file section"

	if [ -z "$py" ]; then
		[ $style = v5 ] && echo "SKIP: the esptool merge-bin comparison ($why)"
		continue
	fi
	(cd "$d" && PYTHONPATH=$esptool_dir "$py" -m esptool --chip esp32c3 merge-bin \
		-o "$tmp/$style.esptool.bin" @flash_args >/dev/null 2>"$tmp/esptool.err") &&
		same "$style --idf-build vs esptool merge-bin" "$tmp/$style.idf.bin" \
			"$tmp/$style.esptool.bin" ||
		bad "$style esptool merge-bin: exit $? ($(head -c 300 "$tmp/esptool.err"))"
done

# The manifest is ready to extend (docs/esp-idf.md): otadata that boots ota_0, and an NVS
# partition filled per device from a devices CSV.
f=$tmp/v5/factory
sed -i '/^\[otadata\]$/,/^$/s/^file = .*/boot = ota_0/' "$f/factory.ini"
printf '\n[nvs]\nnvs = nvs.csv\n' >>"$f/factory.ini"
# shellcheck disable=SC2016 # ${serial} is for esp-mkflash to fill
printf 'key,type,encoding,value\nstorage,namespace,,\nserial,data,string,${serial}\n' >"$f/nvs.csv"
printf 'device_id,serial\nunit-1,SN0001\nunit-2,SN0002\n' >"$f/devices.csv"
run_ok "extended manifest" "$BIN/esp-mkflash" --manifest "$f/factory.ini" \
	--devices "$f/devices.csv" -o "$tmp/out"
"$BIN/esp-mkotadata" --boot ota_0 --slots 2 -o "$tmp/ota0.bin" || bad "esp-mkotadata"
region "$tmp/out/unit-2/FLASH.bin" 0xd000 0x2000 "$tmp/ota.part"
same "extended: otadata boots ota_0" "$tmp/ota.part" "$tmp/ota0.bin"
"$BIN/esp-imginfo" "$tmp/out/unit-2/FLASH.bin" | grep -q 'SN0002' && ok ||
	bad "extended: the device's NVS is not in its image"
# the build's regions are unchanged: the app as --idf-build placed it
region "$tmp/out/unit-1/FLASH.bin" 0x10000 0x10000 "$tmp/a.part"
region "$tmp/v5.idf.bin" 0x10000 0x10000 "$tmp/b.part"
same "extended: the app region" "$tmp/a.part" "$tmp/b.part"

# Errors: exit 1, the JSON file and field named, no output.
e=$tmp/err
# expect_err DESC MESSAGE ARGS...: exit 1, MESSAGE on stderr, no out.bin or e.ini
expect_err() {
	local desc=$1 msg=$2
	shift 2
	rm -f "$tmp/out.bin" "$tmp/e.ini" "$tmp/e.partitions.ini"
	"$BIN/esp-mkflash" "$@" 2>"$tmp/err.txt" >/dev/null
	local rc=$?
	[ $rc -eq 1 ] && ok || bad "$desc: exit $rc, want 1"
	grep -qF -- "$msg" "$tmp/err.txt" && ok || bad "$desc: no '$msg' in: $(cat "$tmp/err.txt")"
	[ ! -e "$tmp/out.bin" ] && [ ! -e "$tmp/e.ini" ] && [ ! -e "$tmp/e.partitions.ini" ] &&
		ok || bad "$desc: output left behind"
}
# edit SED: a copy of the v6 build with flasher_args.json edited
edit() {
	rm -rf "$e"
	cp -r "$tmp/v6/build" "$e"
	sed -i "$1" "$e/flasher_args.json"
}
expect_err "no JSON" "$tmp/nowhere/flasher_args.json: cannot open" \
	--idf-build "$tmp/nowhere" -o "$tmp/out.bin"
edit 's/"flash_files" : {/"flash_files" : {,/'
expect_err "bad JSON" "$e/flasher_args.json:10: invalid JSON" --idf-build "$e" -o "$tmp/out.bin"
edit 's/"esp32c3"/"esp32x9"/'
expect_err "unknown chip" "$e/flasher_args.json: extra_esptool_args.chip: unknown chip 'esp32x9'" \
	--idf-build "$e" -o "$tmp/out.bin"
edit '/"chip"/d; s/"stub"   : true,/"stub" : true/'
expect_err "no chip" "$e/flasher_args.json: extra_esptool_args.chip: missing" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/"flash_size": "4MB"/"flash_size": "detect"/'
expect_err "detect" \
	"$e/flasher_args.json: flash_settings.flash_size: 'detect' is not a value esptool merge-bin takes for esp32c3" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/"flash_mode": "dio",/"flash_mode": 3,/'
expect_err "not a string" "$e/flasher_args.json: flash_settings.flash_mode: not a string" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/"0x20000" : /"0x2000O" : /'
expect_err "bad address" "$e/flasher_args.json: flash_files[\"0x2000O\"]: '0x2000O' is not a flash address" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/: "hello_world.bin"/: "missing.bin"/'
expect_err "missing file" \
	"$e/flasher_args.json: flash_files[\"0x20000\"]: $e/missing.bin: No such file or directory" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/"0x20000" : "hello_world.bin",/"0x0" : "hello_world.bin",/'
expect_err "duplicate address" "$e/flasher_args.json:12: invalid JSON: duplicate object key near '\"0x0\"'" \
	--idf-build "$e" -o "$tmp/out.bin"
edit 's/"flash_size": "4MB"/"flash_size": "keep"/'
expect_err "keep in a manifest" \
	"$e/flasher_args.json: flash_settings.flash_size: 'keep' cannot go into a manifest" \
	--idf-build "$e" --manifest-out "$tmp/e.ini"
edit '/"partition-table" :/d'
expect_err "no table entry" "$e/flasher_args.json: partition-table: missing" \
	--idf-build "$e" --manifest-out "$tmp/e.ini"
edit 's/"0x20000" : "hello_world.bin",/"0x20000" : "hello_world.bin", "0x3f0000" : "hello_world.bin",/'
expect_err "file at no partition" \
	"$e/flasher_args.json: flash_files[\"0x3f0000\"]: hello_world.bin starts at no partition" \
	--idf-build "$e" --manifest-out "$tmp/e.ini"
# usage errors: exit 2
"$BIN/esp-mkflash" --idf-build "$d" --chip esp32 -o "$tmp/out.bin" 2>/dev/null
[ $? -eq 2 ] && ok || bad "--chip with --idf-build is a usage error"
"$BIN/esp-mkflash" --manifest-out "$tmp/e.ini" 2>/dev/null
[ $? -eq 2 ] && ok || bad "--manifest-out without --idf-build is a usage error"
"$BIN/esp-mkflash" --idf-build "$d" --manifest-out "$tmp/e.ini" -o "$tmp/out.bin" 2>/dev/null
[ $? -eq 2 ] && ok || bad "--manifest-out with -o is a usage error"
"$BIN/esp-mkflash" --idf-build "$d" --manifest-out "$tmp/e.ini" --manifest "$tmp/e.ini" \
	2>"$tmp/err.txt"
[ $? -eq 2 ] && grep -qF -- '--idf-build and --manifest are two forms' "$tmp/err.txt" && ok ||
	bad "--idf-build with --manifest is a usage error"
[ ! -e "$tmp/e.ini" ] && ok || bad "a usage error wrote the manifest"
finish
