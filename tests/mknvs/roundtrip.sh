#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mknvs --decode proves itself: for every image the generator makes, decode then
# generate again gives the same bytes, or decode exits 1 naming the entry (page and
# entry index) and writes nothing. Run over:
#  - every generating row of the public vector sets (vectors/mknvs, vectors-next/mknvs
#    with their keys: encrypted images decoded with --key/--hmac-key) and our own set;
#  - random CSVs from tests/mknvs/randcsv (seed RANDCSV_SEED, default 20; count
#    RANDCSV_COUNT, default 200 to keep CTest short: RANDCSV_COUNT=1000 for the full run);
#  - the four cases that once went wrong, with exact output.
# Usage: roundtrip.sh ESP-MKNVS RANDCSV SHARED_DIR OWN_GOLDEN_DIR
exe=$1 randcsv=$2 shared=$3 own=$4
# shellcheck source=tests/mknvs/common.sh
. "$(dirname "$0")/common.sh"
seed=${RANDCSV_SEED:-20}
count=${RANDCSV_COUNT:-200}
same=0 refused=0

# check_decode NAME DIR "OPTIONS" INPUT...: OPTIONS generate the image of the INPUT
# CSVs from DIR (file rows resolve there); then decode it into $tmp/d/x.csv and
# generate again from $tmp/d. Returns 2 when the inputs do not generate.
check_decode() {
	local name=$1 dir=$2 keyargs=() a argv
	read -ra argv <<<"$3"
	shift 3
	for ((a = 0; a < ${#argv[@]}; a++)); do
		case "${argv[a]}" in --key | --hmac-key) keyargs=("${argv[a]}" "${argv[a + 1]}") ;; esac
	done
	rm -rf "$tmp/d" "$tmp/a.bin" "$tmp/b.bin" && mkdir "$tmp/d"
	(cd "$dir" && "$exe" "${argv[@]}" "$@" -o "$tmp/a.bin") 2>/dev/null || return 2
	if ! "$exe" --decode "${keyargs[@]}" "$tmp/a.bin" -o "$tmp/d/x.csv" 2>"$tmp/d.err"; then
		if ! grep -qE "a\.bin: page [0-9]+( entry [0-9]+)?[: ]" "$tmp/d.err" || [ -e "$tmp/d/x.csv" ] ||
			[ -e "$tmp/d/x.files" ] || [ -n "$(ls -A "$tmp/d")" ]; then
			err "$name: decode failed without naming the entry, or left output: $(head -c 300 "$tmp/d.err")"
			return 1
		fi
		echo "refused: $name: $(head -c 300 "$tmp/d.err" | tail -n 1)"
		refused=$((refused + 1))
		return 0
	fi
	if ! (cd "$tmp/d" && "$exe" "${argv[@]}" x.csv -o "$tmp/b.bin") 2>"$tmp/b.err"; then
		err "$name: the decoded CSV does not generate: $(head -c 300 "$tmp/b.err")"
		return 1
	fi
	# encrypted twice under the same keys the same plain image gives the same bytes
	if ! cmp -s "$tmp/a.bin" "$tmp/b.bin"; then
		err "$name: the decoded CSV generates other bytes"
		return 1
	fi
	same=$((same + 1))
}

# the generating rows of a vector set: NAME ARGS INPUT EXPECTED ...
vector_set() {
	local dir=$1 name args input expected argv inputs k
	[ -f "$dir/cases.tsv" ] || { echo "SKIP: $dir (no cases.tsv)"; return; }
	while IFS=$'\t' read -r name args input expected _; do
		case "$args" in --size*) ;; *) continue ;; esac
		case "$expected" in *.bin) ;; *) continue ;; esac
		read -ra argv <<<"$args"
		read -ra inputs <<<"$input"
		# key paths are relative to the set
		for ((k = 0; k < ${#argv[@]}; k++)); do
			case "${argv[k]}" in --key | --hmac-key) argv[k + 1]=$dir/${argv[k + 1]} ;; esac
		done
		check_decode "$(basename "$(dirname "$dir")")/$name" "$dir" "${argv[*]}" "${inputs[@]}"
		[ $? -eq 2 ] && err "$name: the vector's CSV does not generate"
	done <"$dir/cases.tsv"
}
vector_set "$shared/vectors/mknvs"
vector_set "$shared/vectors-next/mknvs"
vector_set "$own"
vectors=$((same + refused)) vrefused=$refused
[ "$vectors" -gt 40 ] || err "only $vectors vector round trips ran"

# random CSVs; a CSV the generator refuses (too small a size is retried larger) is not
# counted
rm -rf "$tmp/rand" && mkdir "$tmp/rand"
"$randcsv" "$seed" "$count" "$tmp/rand" || err "randcsv failed"
ungen=0
for ((i = 0; i < count; i++)); do
	read -ra argv <"$tmp/rand/$i/args"
	check_decode "random case $i (seed $seed)" "$tmp/rand/$i" "${argv[*]}" in.csv
	if [ $? -eq 2 ]; then
		argv[1]=0x100000
		check_decode "random case $i (seed $seed)" "$tmp/rand/$i" "${argv[*]}" in.csv
		[ $? -eq 2 ] && ungen=$((ungen + 1))
	fi
done
[ $((count - ungen)) -gt $((count * 3 / 4)) ] || err "only $((count - ungen)) of $count random CSVs generate"

# the four cases of issue 20, with exact results
cd "$tmp" || exit 1
head -c 100000 /dev/zero | tr '\0' 'Z' >big.bin
printf 'ab\0cd' >nul.txt
printf 'MyNet' >ssid.txt
printf 'key,type,encoding,value\nns,namespace,,\nbig,file,binary,big.bin\n' >big.csv
printf 'key,type,encoding,value\nns,namespace,,\ns,file,string,nul.txt\n' >nul.csv
printf 'key,type,encoding,value\na,data,u8,1\nb,data,u8,7\n' >ns0.csv
printf 'key,type,encoding,value\nnvs.net80211,namespace,,\nap.ssid,file,string,ssid.txt\nap.passwd,data,string,secret12\nap.authmode,data,u8,3\n' >ap.csv
for c in big nul ns0 ap; do
	"$exe" --size 0x20000 $c.csv -o $c.nvs || err "$c: does not generate"
done
mkdir out
"$exe" --decode big.nvs -o out/big.csv || err "big: decode"
[ "$(cat out/big.csv)" = "# NVS image decoded by esp-mknvs (format version 2, 131072 bytes)
key,type,encoding,value
ns,namespace,,
big,file,binary,big.files/0-big.bin" ] || err "big: CSV $(head -c 300 out/big.csv)"
cmp -s big.bin out/big.files/0-big.bin || err "big: the file"
"$exe" --decode nul.nvs -o out/nul.csv || err "nul: decode"
grep -qx 's,file,string,nul.files/0-s.txt' out/nul.csv && cmp -s nul.txt out/nul.files/0-s.txt || err "nul: $(cat out/nul.csv)"
"$exe" --decode ns0.nvs -o out/ns0.csv && [ ! -e out/ns0.files ] || err "ns0: decode"
[ "$(tail -n +2 out/ns0.csv)" = "key,type,encoding,value
a,data,u8,1
b,data,u8,7" ] || err "ns0: $(cat out/ns0.csv)"
for c in big nul ns0; do
	(cd out && "$exe" --size 0x20000 $c.csv -o ../$c.again) && cmp -s $c.nvs $c.again || err "$c: round trip"
	# from another directory: the files are found beside the CSV
	"$exe" --size 0x20000 out/$c.csv -o $c.again2 && cmp -s $c.nvs $c.again2 || err "$c: round trip from elsewhere"
done
"$exe" --decode ap.nvs -o out/ap.csv 2>ap.err
rc=$?
[ $rc -eq 1 ] && [ ! -e out/ap.csv ] && [ "$(cat ap.err)" = "esp-mknvs: ap.nvs: page 0 entry 11: namespace 'nvs.net80211', key 'ap.pmk_info': holds no PMK of the ap.ssid and ap.passwd decoded (were they 'file' rows? the generator hashes a file row's name); no CSV is written" ] ||
	err "ap: exit $rc, $(cat ap.err)"
# to standard output there is no files directory: the big blob fails, naming it
"$exe" --decode big.nvs >stdout.csv 2>big.err
rc=$?
[ $rc -eq 1 ] && [ ! -s stdout.csv ] && [ "$(cat big.err)" = "esp-mknvs: big.nvs: page 25 entry 2: namespace 'ns', key 'big': blob too large for one CSV field, and no files directory to write it to; no CSV is written" ] ||
	err "big to stdout: exit $rc, $(cat big.err)"
# a second decode replaces OUT.files; a file in the way fails and leaves all as it was
echo stale >out/big.files/stale
"$exe" --decode big.nvs -o out/big.csv && [ ! -e out/big.files/stale ] && cmp -s big.bin out/big.files/0-big.bin || err "big: decoding again"
rm -f out/x.csv && echo in-the-way >out/x.files
"$exe" --decode big.nvs -o out/x.csv 2>x.err
rc=$?
[ $rc -eq 1 ] && [ ! -e out/x.csv ] && [ "$(cat out/x.files)" = in-the-way ] && [ -z "$(find out -name '.espgen-*')" ] &&
	grep -qF "out/x.files: exists and is not a directory" x.err || err "files dir in the way: exit $rc, $(cat x.err)"

echo "vectors: $vectors ($vrefused refused with the entry named); random: $((count - ungen)) of $count generated (seed $seed)"
echo "round trips with the same bytes: $same, refused naming the entry: $refused"
[ "$fail" -eq 0 ] && echo "roundtrip.mknvs: all passed"
[ "$fail" -eq 0 ]
