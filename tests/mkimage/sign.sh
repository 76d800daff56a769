#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-mkimage --sign-key: a signed image for every scheme on a chip whose ROM takes it,
# checked by esp-sign and independently by openssl; reproducible bytes; equal to the
# unsigned image put through esp-sign; bad keys and option mixes (message, exit status,
# no output file). RSA keys: tests/keys; EC keys are made here by openssl.
#   sign.sh BIN_DIR TEST_BIN_DIR
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
keydir=$(cd "$(dirname "$0")/../keys" && pwd) || exit 1
bin=$(cd "$1" && pwd) || exit 1
mkelf=$(cd "$2" && pwd)/mkelf
imginfo=$(cd "$2" && pwd)/imginfo
mkimage=$bin/esp-mkimage
sign=$bin/esp-sign
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: mkimage.sign (no openssl command: it makes the EC keys and checks signatures)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1


# run_err DESC STATUS 'EXACT STDERR' CMD...: exit STATUS, stderr exactly the message
# (first line for usage errors), o.bin not created
run_err() {
	local desc=$1 want_rc=$2 want_msg=$3 rc got nfail=$fail
	shift 3
	rm -f o.bin
	"$@" >out.txt 2>err.txt
	rc=$?
	[ "$rc" -eq "$want_rc" ] || bad "$desc: exit $rc, want $want_rc ($(head -c 300 err.txt))"
	if [ "$want_rc" -eq 2 ]; then got=$(head -1 err.txt); else got=$(cat err.txt); fi
	[ "$got" = "$want_msg" ] || bad "$desc: stderr '$got', want '$want_msg'"
	[ -e o.bin ] && bad "$desc: left o.bin behind"
	grep -q "Sanitizer\|runtime error" err.txt && bad "$desc: sanitizer report"
	[ $fail -eq $nfail ] && ok
}

same() { if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; fi; }
differ() { if cmp -s "$1" "$2"; then bad "$3: $1 and $2 are identical"; else ok; fi; }
arith() { if (($2)); then ok; else bad "$1: $2"; fi; }
size() { wc -c <"$1" | tr -d ' '; }

# the openssl cross-check of tests/sign/cli.sh: the signature is taken out of the block,
# put back in big-endian (DER for ECDSA) and checked over the unsigned image
hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
revhex() { echo "$1" | fold -w2 | tac | tr -d '\n'; }
# shellcheck disable=SC2001 # sed's & (each hex pair) has no ${var//} form before bash 5.2
unhex() { printf '%b' "$(echo "$1" | sed 's/../\\x&/g')"; }
der_sig() {
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$1" "$2" >der.cnf
	openssl asn1parse -genconf der.cnf -out "$3" -noout >/dev/null
}
declare -A scheme=([rsa]="RSA-3072" [p192]="ECDSA P-192" [p256]="ECDSA P-256" [p384]="ECDSA P-384")
declare -A dgst=([rsa]=sha256 [p192]=sha256 [p256]=sha256 [p384]=sha384)
declare -A cb=([p192]=24 [p256]=32 [p384]=48)
declare -A sigoff=([rsa]=812 [p192]=101 [p256]=101 [p384]=149)

# openssl_verify KEY SIGNED UNSIGNED BLOCK: block BLOCK of SIGNED's sector (which starts
# where UNSIGNED ends; --secure-pad-v2 leaves nothing to 0xFF-pad) signs UNSIGNED
openssl_verify() {
	local k=$1 f=$2 u=$3 b=$4 off
	off=$(($(size "$u") + b * 1216 + ${sigoff[$k]}))
	if [ "$k" = rsa ]; then
		unhex "$(revhex "$(hex "$f" $off 384)")" >sig.raw
		openssl dgst -sha256 -verify "$k.pub.pem" -sigopt rsa_padding_mode:pss \
			-sigopt rsa_pss_saltlen:32 -signature sig.raw "$u" >/dev/null
	else
		local n=${cb[$k]}
		der_sig "$(revhex "$(hex "$f" "$off" "$n")")" "$(revhex "$(hex "$f" $((off + n)) "$n")")" sig.der
		openssl dgst "-${dgst[$k]}" -verify "$k.pub.pem" -signature sig.der "$u" >/dev/null
	fi
}

# ---- keys (RSA: committed test-only keys, tests/keys; EC: made here) ----
cp "$keydir/test-only-rsa3072.pem" rsa.pem
for c in 192 256 384; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-$c -out p$c.pem
done
for k in rsa p192 p256 p384; do openssl pkey -in $k.pem -pubout -out $k.pub.pem; done
cp "$keydir/test-only-rsa2048.pem" rsa2048.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl pkey -in p256.pem -aes256 -passout pass:secret -out enc.pem
for f in rsa.pem p192.pem p384.pem rsa2048.pem p521.pem ed25519.pem enc.pem; do
	[ -s "$f" ] || { echo "cannot make test key $f with openssl"; exit 1; }
done

# mkapp OUT DROM IROM IRAM DRAM: an ESP-IDF shaped app (as in cli.sh)
mkapp() {
	"$mkelf" "$1" --entry "$4" \
		--section ".flash.appdesc,$2,256,progbits,16,desc" \
		--section ".flash.rodata,$(($2 + 256)),301" \
		--section ".iram0.text,$4,0x140" \
		--section ".dram0.data,$5,0x80" \
		--section ".flash.text,$3,0x2001" || bad "mkelf $1"
}
mkapp c3.elf 0x3C000020 0x42010020 0x40380000 0x3FC88000
mkapp c2.elf 0x3C000020 0x42010020 0x4037C000 0x3FCA0000
mkapp c6.elf 0x42000020 0x42010020 0x40800000 0x40820000
mkapp p4.elf 0x40000020 0x40010020 0x4FF00000 0x4FF20000
mkapp esp32.elf 0x3F400020 0x400D0020 0x40080000 0x3FFB0000

# ---- Secure Boot v2, one scheme per chip that takes it ----
# key chip elf [extra options]
while read -ra row; do
	k=${row[0]:-} chip=${row[1]:-} elf=${row[2]:-} extra=("${row[@]:3}")
	[ -z "$k" ] && continue
	t="$k/$chip"
	run_ok "$t sign" "$mkimage" --chip "$chip" "${extra[@]}" --sign-key "$k.pem" "$elf" -o "$k.signed"
	[ -s err.txt ] && bad "$t: unexpected message: $(cat err.txt)"
	run_ok "$t sign again" "$mkimage" --chip "$chip" "${extra[@]}" --sign-key "$k.pem" "$elf" -o "$k.again"
	same "$k.signed" "$k.again" "$t: same key, same ELF"
	# the unsigned image with the same padding, signed afterwards by esp-sign
	run_ok "$t unsigned" "$mkimage" --chip "$chip" "${extra[@]}" --secure-pad-v2 "$elf" -o "$k.unsigned"
	arith "$t: unsigned ends on a 64 KB page" "$(size "$k.unsigned") % 65536 == 0"
	arith "$t: one sector added" "$(size "$k.signed") == $(size "$k.unsigned") + 4096"
	run_ok "$t esp-sign" "$sign" --key "$k.pem" "$k.unsigned" -o "$k.later"
	same "$k.signed" "$k.later" "$t: esp-mkimage --sign-key vs esp-mkimage + esp-sign"
	run_ok "$t verify" "$sign" --verify --pubkey "$k.pub.pem" "$k.signed"
	grep -q "^block 0: ${scheme[$k]}, key digest [0-9a-f]*: signature verified$" out.txt &&
		ok || bad "$t: verify report: $(cat out.txt)"
	if openssl_verify "$k" "$k.signed" "$k.unsigned" 0; then ok; else bad "$t: openssl rejects it"; fi
	"$imginfo" "$k.signed" | grep -qx "digest=valid" && ok || bad "$t: app digest"
	# --random: other bytes, still valid for both verifiers
	run_ok "$t --random" "$mkimage" --chip "$chip" "${extra[@]}" --random --sign-key "$k.pem" "$elf" -o "$k.rnd"
	differ "$k.signed" "$k.rnd" "$t: --random"
	run_ok "$t verify --random" "$sign" --verify --pubkey "$k.pub.pem" "$k.rnd"
	if openssl_verify "$k" "$k.rnd" "$k.unsigned" 0; then ok; else bad "$t: openssl rejects --random"; fi
done <<'EOF'
rsa esp32c3 c3.elf
p192 esp32c2 c2.elf
p256 esp32c6 c6.elf
p384 esp32p4 p4.elf
EOF

# RSA on ESP32 (revision v3.0 and later): no warning when the image says so
run_ok "esp32 rsa" "$mkimage" --chip esp32 --min-rev-full 300 --sign-key rsa.pem esp32.elf -o e.signed
[ -s err.txt ] && bad "esp32 rsa: unexpected message: $(cat err.txt)"
run_ok "esp32 rsa verify" "$sign" --verify --pubkey rsa.pub.pem e.signed
run_ok "esp32 rsa, any revision" "$mkimage" --chip esp32 --sign-key rsa.pem esp32.elf -o e2.signed
[ "$(cat err.txt)" = "esp-mkimage: esp32.elf: warning: Secure Boot v2 needs ESP32 revision v3.0 or later; the image allows older ones (--min-rev-full 300 would not)" ] &&
	ok || bad "esp32 rsa warning: $(cat err.txt)"

# three keys of two schemes on a chip with both; --secure-pad-v2 given as well changes nothing
run_ok "three keys" "$mkimage" --chip esp32c6 --secure-pad-v2 --sign-key rsa.pem --sign-key p256.pem \
	--sign-key p384.pem c6.elf -o three.signed
run_ok "three keys unsigned" "$mkimage" --chip esp32c6 --secure-pad-v2 c6.elf -o three.unsigned
run_ok "three keys esp-sign" "$sign" --key rsa.pem --key p256.pem --key p384.pem three.unsigned -o three.later
same three.signed three.later "three keys: esp-mkimage vs esp-sign"
b=0
for k in rsa p256 p384; do
	run_ok "three keys: verify $k" "$sign" --verify --pubkey $k.pub.pem three.signed
	grep -q "^block $b: ${scheme[$k]}, key digest [0-9a-f]*: signature verified$" out.txt &&
		ok || bad "three keys: block $b report: $(cat out.txt)"
	if openssl_verify $k three.signed three.unsigned $b; then ok; else bad "three keys: openssl, block $b"; fi
	b=$((b + 1))
done

# ---- Secure Boot v1 (esp32, P-256, signature appended) ----
run_ok "v1 sign" "$mkimage" --chip esp32 --sb-version 1 --sign-key p256.pem esp32.elf -o v1.signed
run_ok "v1 sign again" "$mkimage" --chip esp32 --sb-version 1 --sign-key p256.pem esp32.elf -o v1.again
same v1.signed v1.again "v1: same key, same ELF"
run_ok "v1 unsigned" "$mkimage" --chip esp32 --secure-pad esp32.elf -o v1.unsigned
run_ok "v1 esp-sign" "$sign" --sb-version 1 --key p256.pem v1.unsigned -o v1.later
same v1.signed v1.later "v1: esp-mkimage --sign-key vs esp-mkimage + esp-sign"
n=$(size v1.unsigned)
arith "v1: 68 bytes appended" "$(size v1.signed) == n + 68"
arith "v1: ends 12 bytes before a 64 KB boundary" "($(size v1.signed) + 12) % 65536 == 0"
run_ok "v1 verify" "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1.signed
[ "$(hex v1.signed "$n" 4)" = 00000000 ] && ok || bad "v1: version word"
der_sig "$(hex v1.signed $((n + 4)) 32)" "$(hex v1.signed $((n + 36)) 32)" v1.der
if openssl dgst -sha256 -verify p256.pub.pem -signature v1.der v1.unsigned >/dev/null; then ok; else
	bad "v1: openssl rejects the signature"; fi
run_ok "v1 --random" "$mkimage" --chip esp32 --sb-version 1 --random --sign-key p256.pem esp32.elf -o v1.rnd
differ v1.signed v1.rnd "v1: --random"
run_ok "v1 verify --random" "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1.rnd

# ---- bad keys: exit 1, no output ----
m=esp-mkimage
run_err "Ed25519 key" 1 \
	"$m: ed25519.pem: unsupported key type (only RSA and ECDSA keys are used by Secure Boot)" \
	"$mkimage" --chip esp32c3 --sign-key ed25519.pem c3.elf -o o.bin
run_err "RSA-2048 key" 1 "$m: rsa2048.pem: RSA key has 2048 bits; Secure Boot v2 supports only RSA-3072" \
	"$mkimage" --chip esp32c3 --sign-key rsa2048.pem c3.elf -o o.bin
run_err "P-521 key" 1 \
	"$m: p521.pem: key uses curve secp521r1; Secure Boot v2 supports ECDSA P-192, P-256 and P-384 only" \
	"$mkimage" --chip esp32c6 --sign-key p521.pem c6.elf -o o.bin
run_err "encrypted key" 1 \
	"$m: enc.pem: key is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN.pem)" \
	"$mkimage" --chip esp32c6 --sign-key enc.pem c6.elf -o o.bin
run_err "public key" 1 "$m: p256.pub.pem: is a public key; signing needs the private key" \
	"$mkimage" --chip esp32c6 --sign-key p256.pub.pem c6.elf -o o.bin
run_err "missing key" 1 "$m: nokey.pem: cannot open: No such file or directory" \
	"$mkimage" --chip esp32c6 --sign-key nokey.pem c6.elf -o o.bin
run_err "ECDSA on an RSA-only chip" 1 \
	"$m: p256.pem: ECDSA P-256 key given; Secure Boot v2 on esp32c3 verifies RSA-3072 signatures only" \
	"$mkimage" --chip esp32c3 --sign-key p256.pem c3.elf -o o.bin
run_err "ECDSA on ESP32" 1 \
	"$m: p384.pem: ECDSA P-384 key given; Secure Boot v2 on esp32 verifies RSA-3072 signatures only" \
	"$mkimage" --chip esp32 --min-rev 3 --sign-key p384.pem esp32.elf -o o.bin
run_err "RSA on an ECDSA-only chip" 1 \
	"$m: rsa.pem: RSA-3072 key given; Secure Boot v2 on esp32c2 verifies ECDSA (P-192, P-256, P-384) signatures only" \
	"$mkimage" --chip esp32c2 --sign-key rsa.pem c2.elf -o o.bin
run_err "one bad key among good ones" 1 \
	"$m: rsa.pem: RSA-3072 key given; Secure Boot v2 on esp32c2 verifies ECDSA (P-192, P-256, P-384) signatures only" \
	"$mkimage" --chip esp32c2 --sign-key p256.pem --sign-key rsa.pem c2.elf -o o.bin
run_err "v1 with an RSA key" 1 \
	"$m: rsa.pem: RSA key given; Secure Boot v1 needs an ECDSA P-256 (prime256v1) key" \
	"$mkimage" --chip esp32 --sb-version 1 --sign-key rsa.pem esp32.elf -o o.bin
run_err "v1 with a P-384 key" 1 \
	"$m: p384.pem: key uses curve secp384r1; Secure Boot v1 needs ECDSA P-256 (prime256v1)" \
	"$mkimage" --chip esp32 --sb-version 1 --sign-key p384.pem esp32.elf -o o.bin
# a failed run leaves an existing target untouched
cp c3.elf keep.bin
"$mkimage" --chip esp32c3 --sign-key rsa2048.pem c3.elf -o keep.bin 2>/dev/null
same keep.bin c3.elf "failed run kept the old target"

# ---- usage: exit 2, no output ----
run_err "four keys" 2 "$m: --sign-key given more than 3 times" \
	"$mkimage" --chip esp32c6 --sign-key p256.pem --sign-key p256.pem --sign-key p256.pem \
	--sign-key p256.pem c6.elf -o o.bin
run_err "v1 on esp32c3" 2 "$m: --sb-version 1: Secure Boot v1 exists on esp32 only, not esp32c3" \
	"$mkimage" --chip esp32c3 --sb-version 1 --sign-key p256.pem c3.elf -o o.bin
run_err "v1 with two keys" 2 "$m: Secure Boot v1 takes one --sign-key" \
	"$mkimage" --chip esp32 --sb-version 1 --sign-key p256.pem --sign-key p256.pem esp32.elf -o o.bin
run_err "v1 with --secure-pad-v2" 2 "$m: --secure-pad-v2 does not go with Secure Boot v1" \
	"$mkimage" --chip esp32 --sb-version 1 --secure-pad-v2 --sign-key p256.pem esp32.elf -o o.bin
run_err "chip of unknown schemes" 2 \
	"$m: --sign-key: the Secure Boot v2 schemes of esp32s31 are not known; build the image unsigned and sign it with esp-sign" \
	"$mkimage" --chip esp32s31 --sign-key p256.pem c6.elf -o o.bin
for opt in --no-digest --ram-only-header; do
	run_err "sign $opt" 2 "$m: --sign-key needs the SHA-256 digest (not with --no-digest or --ram-only-header)" \
		"$mkimage" --chip esp32c6 $opt --sign-key p256.pem c6.elf -o o.bin
done
run_err "sign --pad-to-size" 2 "$m: --pad-to-size cannot be combined with --sign-key" \
	"$mkimage" --chip esp32c6 --pad-to-size 1MB --sign-key p256.pem c6.elf -o o.bin
run_err "--sb-version without a key" 2 "$m: --sb-version, --random, --pkcs11-module and --pin-file need --sign-key" \
	"$mkimage" --chip esp32 --sb-version 1 esp32.elf -o o.bin
run_err "--random without a key" 2 "$m: --sb-version, --random, --pkcs11-module and --pin-file need --sign-key" \
	"$mkimage" --chip esp32c6 --random c6.elf -o o.bin
run_err "bad --sb-version" 2 "$m: --sb-version: '3' is not 1 or 2" \
	"$mkimage" --chip esp32c6 --sb-version 3 --sign-key p256.pem c6.elf -o o.bin
run_err "--sign-key without a value" 2 "$m: option '--sign-key' needs a value" \
	"$mkimage" --chip esp32c6 c6.elf -o o.bin --sign-key
run_ok "--help" "$mkimage" --help
grep -q -- '--sign-key KEY.pem' out.txt && grep -q -- '--sb-version 1|2' out.txt && ok || bad "--help lacks signing"

finish
