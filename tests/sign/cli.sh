#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-sign command-line tests: sign/verify every scheme with test keys (tests/keys, openssl),
# reproducible output, openssl verifying our signatures, the external-signer flow,
# Secure Boot v1, and error cases (exact message, exit status, no output file).
#   cli.sh BIN_DIR
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
keydir=$(cd "$(dirname "$0")/../keys" && pwd) || exit 1
bin=$(cd "$1" && pwd) || exit 1
sign=$bin/esp-sign
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: sign.cli (no openssl command: it makes the EC keys and checks signatures)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1


# run_err DESC STATUS 'EXACT STDERR' OUTFILE CMD...: exit STATUS, stderr exactly the
# message (first line for usage errors), OUTFILE not created
run_err() {
	local desc=$1 want_rc=$2 want_msg=$3 outfile=$4 rc got nfail=$fail
	shift 4
	rm -f "$outfile"
	"$@" >out.txt 2>err.txt
	rc=$?
	[ "$rc" -eq "$want_rc" ] || bad "$desc: exit $rc, want $want_rc ($(head -c 300 err.txt))"
	if [ "$want_rc" -eq 2 ]; then got=$(head -1 err.txt); else got=$(cat err.txt); fi
	[ "$got" = "$want_msg" ] || bad "$desc: stderr '$got', want '$want_msg'"
	[ -e "$outfile" ] && bad "$desc: left $outfile behind"
	[ $fail -eq $nfail ] && ok
}

same() { if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; fi; }
differ() { if cmp -s "$1" "$2"; then bad "$3: $1 and $2 are identical"; else ok; fi; }

# hex FILE OFFSET LEN -> lowercase hex of those bytes
hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
# revhex HEX -> the bytes in reverse order
revhex() { echo "$1" | fold -w2 | tac | tr -d '\n'; }
# unhex HEX > FILE
# shellcheck disable=SC2001 # sed's & (each hex pair) has no ${var//} form before bash 5.2
unhex() { printf '%b' "$(echo "$1" | sed 's/../\\x&/g')"; }
# der_sig R_HEX S_HEX OUT: ECDSA-Sig-Value in DER, made by openssl itself
der_sig() {
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$1" "$2" >der.cnf
	openssl asn1parse -genconf der.cnf -out "$3" -noout >/dev/null
}
size() { wc -c <"$1" | tr -d ' '; }

# ---- keys (PKCS#8: RSA committed in tests/keys, EC from genpkey; PKCS#1 and SEC1 forms) ----
cp "$keydir/test-only-rsa3072.pem" rsa.pem
cp "$keydir/test-only-rsa3072-b.pem" rsa-b.pem
openssl rsa -in rsa.pem -traditional -out rsa.pkcs1.pem 2>/dev/null
for c in 192 256 384; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-$c -out p$c.pem
	openssl ec -in p$c.pem -out p$c.sec1.pem 2>/dev/null
done
for k in rsa rsa-b p192 p256 p384; do openssl pkey -in $k.pem -pubout -out $k.pub.pem; done
cp "$keydir/test-only-rsa2048.pem" rsa2048.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pem
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl pkey -in p256.pem -aes256 -passout pass:secret -out enc-pkcs8.pem
openssl rsa -in rsa.pem -aes256 -passout pass:secret -traditional -out enc-pkcs1.pem 2>/dev/null
for f in rsa.pkcs1.pem p256.sec1.pem enc-pkcs8.pem enc-pkcs1.pem ed25519.pem; do
	[ -s "$f" ] || { echo "cannot make test key $f with openssl"; exit 1; }
done

# a 10000-byte "image" (not 4 KiB aligned) and its 0xFF-padded form
head -c 10000 /dev/zero | tr '\0' '\132' >img.bin
printf 'espgen' | dd of=img.bin bs=1 seek=100 conv=notrunc 2>/dev/null
cp img.bin padded.bin
head -c 2288 /dev/zero | tr '\0' '\377' >>padded.bin

sector=12288 # the signature sector follows the padded image
declare -A scheme=([rsa]="RSA-3072" [p192]="ECDSA P-192" [p256]="ECDSA P-256" [p384]="ECDSA P-384")
declare -A dgst=([rsa]=sha256 [p192]=sha256 [p256]=sha256 [p384]=sha384)
declare -A cb=([p192]=24 [p256]=32 [p384]=48)
declare -A sigoff=([rsa]=812 [p192]=101 [p256]=101 [p384]=149)

# openssl_verify_block KEY SIGNED BLOCK: openssl checks block BLOCK of SIGNED over the
# padded image, with the signature taken out of the block and put back in big-endian
openssl_verify_block() {
	local k=$1 f=$2 b=$3 base off
	base=$((sector + b * 1216))
	off=$((base + ${sigoff[$k]}))
	if [ "$k" = rsa ] || [ "$k" = rsa-b ]; then
		unhex "$(revhex "$(hex "$f" $off 384)")" >sig.raw
		openssl dgst -sha256 -verify "$k.pub.pem" -sigopt rsa_padding_mode:pss \
			-sigopt rsa_pss_saltlen:32 -signature sig.raw padded.bin >/dev/null
	else
		local n=${cb[$k]}
		der_sig "$(revhex "$(hex "$f" "$off" "$n")")" "$(revhex "$(hex "$f" $((off + n)) "$n")")" sig.der
		openssl dgst "-${dgst[$k]}" -verify "$k.pub.pem" -signature sig.der padded.bin >/dev/null
	fi
}

# ---- every scheme: sign, reproducible, verify (ours and openssl's) ----
for k in rsa p192 p256 p384; do
	run_ok "$k sign" "$sign" --key $k.pem img.bin -o $k.signed
	[ "$(size $k.signed)" = 16384 ] && ok || bad "$k: signed size $(size $k.signed)"
	run_ok "$k sign again" "$sign" --key $k.pem img.bin -o $k.again
	same $k.signed $k.again "$k: signing twice"
	run_ok "$k pubkey digest" "$sign" --pubkey-digest $k.pub.pem -o $k.kd
	run_ok "$k pubkey digest of the private key" "$sign" --pubkey-digest $k.pem -o $k.kd2
	same $k.kd $k.kd2 "$k: digest of private and public key"
	kd=$(hex $k.kd 0 32)
	run_ok "$k verify" "$sign" --verify --pubkey $k.pub.pem $k.signed
	want="block 0: ${scheme[$k]}, key digest $kd: signature verified
block 1: empty
block 2: empty"
	[ "$(cat out.txt)" = "$want" ] && ok || bad "$k verify report: $(cat out.txt)"
	run_ok "$k verify with the private key" "$sign" --verify --key $k.pem $k.signed
	run_ok "$k verify with the key digest" "$sign" --verify --key-digest $k.kd $k.signed
	if openssl_verify_block $k $k.signed 0; then ok; else bad "$k: openssl rejects our signature"; fi
	# --random: other bytes, still valid
	run_ok "$k sign --random" "$sign" --random --key $k.pem img.bin -o $k.rnd
	differ $k.signed $k.rnd "$k: --random"
	run_ok "$k verify --random" "$sign" --verify --pubkey $k.pub.pem $k.rnd
	if openssl_verify_block $k $k.rnd 0; then ok; else bad "$k: openssl rejects --random"; fi
	# the digest an external signer gets is what openssl hashes
	run_ok "$k digest-out" "$sign" --digest-out $k.dig --pubkey $k.pub.pem img.bin
	openssl dgst "-${dgst[$k]}" -binary padded.bin >$k.dig.ref
	same $k.dig $k.dig.ref "$k: --digest-out"
done
# a public key with a compressed point (PEM and DER) gives the digest and verifies as the
# uncompressed one does (espsecure takes both); 8 keys per curve cover both Y parities
for c in 192 256 384; do
	for i in 1 2 3 4 5 6 7 8; do
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-$c -out c$c.pem
		openssl pkey -in c$c.pem -pubout -out c$c.pub.pem
		openssl ec -in c$c.pem -pubout -conv_form compressed -out c$c.cmp.pem 2>/dev/null
		openssl ec -in c$c.pem -pubout -conv_form compressed -outform DER \
			-out c$c.cmp.der 2>/dev/null
		run_ok "p$c compressed digest" "$sign" --pubkey-digest c$c.cmp.pem -o c$c.kdc
		run_ok "p$c compressed DER digest" "$sign" --pubkey-digest c$c.cmp.der -o c$c.kdd
		run_ok "p$c uncompressed digest" "$sign" --pubkey-digest c$c.pub.pem -o c$c.kd
		same c$c.kd c$c.kdc "p$c: digest of the compressed key ($i)"
		same c$c.kd c$c.kdd "p$c: digest of the compressed DER key ($i)"
	done
	run_ok "p$c compressed sign" "$sign" --key c$c.pem img.bin -o c$c.signed
	run_ok "p$c verify with the compressed key" "$sign" --verify --pubkey c$c.cmp.pem c$c.signed
done
# X not on the curve: a compressed P-256 key with X = 1 (1 - 3 + b has no root mod p)
cmpbad=$(od -An -v -tx1 c256.cmp.der | tr -d ' \n' | head -c 54)
unhex "${cmpbad}$(printf '%062d01' 0)" >cbad.der
run_err "compressed point off the curve" 1 \
	"esp-sign: cbad.der: EC public key: the compressed point is not on the curve" \
	o.kd "$sign" --pubkey-digest cbad.der -o o.kd
# the same key in PKCS#1 / SEC1 form signs the same bytes as in PKCS#8
run_ok "rsa PKCS#1" "$sign" --key rsa.pkcs1.pem img.bin -o rsa.pkcs1.signed
same rsa.signed rsa.pkcs1.signed "PKCS#1 vs PKCS#8"
for c in 192 256 384; do
	run_ok "p$c SEC1" "$sign" --key p$c.sec1.pem img.bin -o p$c.sec1.signed
	same p$c.signed p$c.sec1.signed "SEC1 vs PKCS#8 (P-$c)"
done

# ---- several keys; adding to a signed image ----
run_ok "three keys" "$sign" --key rsa.pem --key p256.pem --key p384.pem img.bin -o three.bin
for b in 0 1 2; do
	k=$(echo rsa p256 p384 | cut -d' ' -f$((b + 1)))
	run_ok "three keys: verify $k" "$sign" --verify --pubkey "$k.pub.pem" three.bin
	grep -q "^block $b: ${scheme[$k]}, key digest $(hex "$k.kd" 0 32): signature verified$" out.txt \
		&& ok || bad "three keys: block $b report: $(cat out.txt)"
	if openssl_verify_block "$k" three.bin $b; then ok; else bad "three keys: openssl, block $b"; fi
done
run_ok "add one" "$sign" --key p256.pem rsa.signed -o two.bin
run_ok "add another" "$sign" --key p384.pem two.bin -o three-b.bin
same three.bin three-b.bin "adding one key at a time"

# ---- external signer: --digest-out, openssl signs, --signature ----
openssl pkeyutl -sign -inkey rsa.pem -in rsa.dig -pkeyopt digest:sha256 \
	-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -out ext-rsa.sig
run_ok "external rsa" "$sign" --signature ext-rsa.sig --pubkey rsa.pub.pem img.bin -o ext1.bin
run_ok "external rsa verify" "$sign" --verify --pubkey rsa.pub.pem ext1.bin
run_ok "digest-out on a signed image" "$sign" --digest-out ext-p384.dig --pubkey p384.pub.pem ext1.bin
same ext-p384.dig p384.dig "digest-out after one signature"
openssl pkeyutl -sign -inkey p384.pem -in ext-p384.dig -out ext-p384.sig
run_ok "external p384 (DER)" "$sign" --signature ext-p384.sig --pubkey p384.pub.pem ext1.bin -o ext2.bin
run_ok "external p384 verify" "$sign" --verify --pubkey p384.pub.pem ext2.bin
openssl pkeyutl -sign -inkey p192.pem -in p192.dig -out ext-p192.sig
run_ok "two external signatures at once" "$sign" --signature ext-rsa.sig --pubkey rsa.pub.pem \
	--signature ext-p192.sig --pubkey p192.pub.pem img.bin -o ext3.bin
run_ok "external p192 verify" "$sign" --verify --pubkey p192.pub.pem ext3.bin
run_err "signature with the wrong public key" 1 \
	"esp-sign: img.bin: the signature does not verify with rsa-b.pub.pem over this image" \
	bad.bin "$sign" --signature ext-rsa.sig --pubkey rsa-b.pub.pem img.bin -o bad.bin
run_err "ECDSA signature given as RSA" 1 \
	"esp-sign: ext-p384.sig: RSA-3072 signature must be 384 bytes, not $(size ext-p384.sig)" \
	bad.bin "$sign" --signature ext-p384.sig --pubkey rsa.pub.pem img.bin -o bad.bin
run_err "missing signature file" 1 "esp-sign: nosuch.sig: cannot open: No such file or directory" \
	bad.bin "$sign" --signature nosuch.sig --pubkey rsa.pub.pem img.bin -o bad.bin

# ---- Secure Boot v1 ----
run_ok "v1 sign" "$sign" --sb-version 1 --key p256.pem img.bin -o v1.bin
run_ok "v1 sign again" "$sign" --sb-version 1 --key p256.pem img.bin -o v1.again
same v1.bin v1.again "v1: signing twice"
[ "$(size v1.bin)" = 10068 ] && ok || bad "v1: size $(size v1.bin)"
cmp -s -n 10000 v1.bin img.bin && ok || bad "v1: image bytes changed"
[ "$(hex v1.bin 10000 4)" = 00000000 ] && ok || bad "v1: version word"
der_sig "$(hex v1.bin 10004 32)" "$(hex v1.bin 10036 32)" v1.der
if openssl dgst -sha256 -verify p256.pub.pem -signature v1.der img.bin >/dev/null; then ok; else
	bad "v1: openssl rejects the signature"; fi
run_ok "v1 verify" "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1.bin
[ "$(cat out.txt)" = "ECDSA P-256 (Secure Boot v1): signature verified" ] && ok || bad "v1 report: $(cat out.txt)"
# a raw 64-byte X || Y public key (espsecure accepts that for v1)
openssl pkey -pubin -in p256.pub.pem -outform DER | tail -c 64 >p256.raw
run_ok "v1 verify with a raw public key" "$sign" --verify --sb-version 1 --pubkey p256.raw v1.bin
run_ok "v1 digest-out" "$sign" --sb-version 1 --digest-out v1.dig img.bin
openssl pkeyutl -sign -inkey p256.pem -in v1.dig -out v1-ext.sig
run_ok "v1 external" "$sign" --sb-version 1 --signature v1-ext.sig --pubkey p256.pub.pem img.bin -o v1-ext.bin
run_ok "v1 external verify" "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1-ext.bin

# ---- errors: key problems ----
run_err "Ed25519 key" 1 \
	"esp-sign: ed25519.pem: unsupported key type (only RSA and ECDSA keys are used by Secure Boot)" \
	o.bin "$sign" --key ed25519.pem img.bin -o o.bin
run_err "RSA-2048 key" 1 "esp-sign: rsa2048.pem: RSA key has 2048 bits; Secure Boot v2 supports only RSA-3072" \
	o.bin "$sign" --key rsa2048.pem img.bin -o o.bin
run_err "P-521 key" 1 \
	"esp-sign: p521.pem: key uses curve secp521r1; Secure Boot v2 supports ECDSA P-192, P-256 and P-384 only" \
	o.bin "$sign" --key p521.pem img.bin -o o.bin
run_err "v1 with an RSA key" 1 \
	"esp-sign: rsa.pem: RSA key given; Secure Boot v1 needs an ECDSA P-256 (prime256v1) key" \
	o.bin "$sign" --sb-version 1 --key rsa.pem img.bin -o o.bin
run_err "v1 with a P-384 key" 1 \
	"esp-sign: p384.pem: key uses curve secp384r1; Secure Boot v1 needs ECDSA P-256 (prime256v1)" \
	o.bin "$sign" --sb-version 1 --key p384.pem img.bin -o o.bin
for f in enc-pkcs8.pem enc-pkcs1.pem; do
	run_err "encrypted key $f" 1 \
		"esp-sign: $f: key is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN.pem)" \
		o.bin "$sign" --key $f img.bin -o o.bin
done
run_err "public key to sign" 1 "esp-sign: p256.pub.pem: is a public key; signing needs the private key" \
	o.bin "$sign" --key p256.pub.pem img.bin -o o.bin
printf 'not a key\n' >junk.pem
run_err "not a key" 1 "esp-sign: junk.pem: not a PEM private or public key" \
	o.kd "$sign" --pubkey-digest junk.pem -o o.kd
run_err "pubkey digest of an RSA-2048 key" 1 \
	"esp-sign: rsa2048.pem: RSA key has 2048 bits; Secure Boot v2 supports only RSA-3072" \
	o.kd "$sign" --pubkey-digest rsa2048.pem -o o.kd

# ---- errors: images ----
run_err "mismatched key on verify" 1 "esp-sign: rsa.signed: no signature block verifies with rsa-b.pub.pem" \
	none "$sign" --verify --pubkey rsa-b.pub.pem rsa.signed
grep -q "^block 0: RSA-3072, key digest $(hex rsa.kd 0 32): made with another key$" out.txt \
	&& ok || bad "mismatched key report: $(cat out.txt)"
run_err "mismatched key digest on verify" 1 "esp-sign: p256.signed: no signature block verifies with rsa.kd" \
	none "$sign" --verify --key-digest rsa.kd p256.signed
head -c 16383 rsa.signed >trunc.bin
run_err "truncated signed image" 1 \
	"esp-sign: trunc.bin: not a Secure Boot v2 signed image: size 16383 is not a non-zero multiple of 4096" \
	none "$sign" --verify --pubkey rsa.pub.pem trunc.bin
head -c 12288 rsa.signed >nosector.bin
run_err "image cut before its signature sector" 1 "esp-sign: nosector.bin: no signature block verifies with rsa.pub.pem" \
	none "$sign" --verify --pubkey rsa.pub.pem nosector.bin
head -c 67 v1.bin >v1-trunc.bin
run_err "truncated v1 image" 1 "esp-sign: v1-trunc.bin: too short for a Secure Boot v1 signature (67 bytes)" \
	none "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1-trunc.bin
cp rsa.signed tampered.bin
printf 'X' | dd of=tampered.bin bs=1 seek=5 conv=notrunc 2>/dev/null
run_err "changed image" 1 \
	"esp-sign: tampered.bin: a signature block's image digest does not match the image (changed after signing?)" \
	none "$sign" --verify --pubkey rsa.pub.pem tampered.bin
grep -q "^block 0: RSA-3072, key digest $(hex rsa.kd 0 32): image digest does not match the image$" out.txt \
	&& ok || bad "changed image report: $(cat out.txt)"
run_err "adding to a changed image" 1 \
	"esp-sign: tampered.bin: signature block 0 does not match the image before it (changed after signing?)" \
	o.bin "$sign" --key p256.pem tampered.bin -o o.bin
cp v1.bin v1-tampered.bin
printf 'X' | dd of=v1-tampered.bin bs=1 seek=5 conv=notrunc 2>/dev/null
run_err "changed v1 image" 1 "esp-sign: v1-tampered.bin: the Secure Boot v1 signature does not verify with p256.pub.pem" \
	none "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1-tampered.bin
run_err "image with 3 signatures" 1 "esp-sign: three.bin: already has 3 signature blocks; no room for another" \
	o.bin "$sign" --key p192.pem three.bin -o o.bin
run_err "image with 2 signatures, 2 more keys" 1 \
	"esp-sign: two.bin: has 2 signature blocks; 2 more do not fit (at most 3)" \
	o.bin "$sign" --key p192.pem --key p384.pem two.bin -o o.bin
run_err "digest-out for a full image" 1 "esp-sign: three.bin: already has 3 signature blocks; no room for another" \
	o.dig "$sign" --digest-out o.dig --pubkey p192.pub.pem three.bin
: >empty.bin
run_err "empty image" 1 "esp-sign: empty.bin: image is empty" o.bin "$sign" --key p256.pem empty.bin -o o.bin
run_err "missing image" 1 "esp-sign: nothere.bin: cannot open: No such file or directory" \
	o.bin "$sign" --key p256.pem nothere.bin -o o.bin
head -c 31 rsa.kd >short.kd
run_err "short key digest" 1 "esp-sign: short.kd: key digest must be 32 bytes, not 31" \
	none "$sign" --verify --key-digest short.kd rsa.signed
# a failed run leaves an existing target untouched
cp img.bin keep.bin
"$sign" --key rsa2048.pem img.bin -o keep.bin 2>/dev/null
same keep.bin img.bin "failed run kept the old target"

# ---- usage errors (exit 2) ----
run_err "no key" 2 "esp-sign: no signing key given (--key KEY.pem)" o.bin "$sign" img.bin -o o.bin
run_err "no output" 2 "esp-sign: no output given (-o FILE)" o.bin "$sign" --key p256.pem img.bin
run_err "no image" 2 "esp-sign: no IMAGE given" o.bin "$sign" --key p256.pem -o o.bin
run_err "four keys" 2 "esp-sign: --key given more than 3 times" o.bin \
	"$sign" --key p256.pem --key p256.pem --key p256.pem --key p256.pem img.bin -o o.bin
run_err "verify with -o" 2 "esp-sign: -o is not used with --verify" o.bin \
	"$sign" --verify --pubkey rsa.pub.pem rsa.signed -o o.bin
run_err "verify without a key" 2 "esp-sign: --verify needs either --pubkey PUB.pem or --key-digest DIGEST.bin" \
	none "$sign" --verify rsa.signed
run_err "signature without pubkey" 2 \
	"esp-sign: give one --pubkey for each --signature (1 signatures, 0 public keys)" o.bin \
	"$sign" --signature ext-rsa.sig img.bin -o o.bin
run_err "bad --sb-version" 2 "esp-sign: --sb-version: '3' is not 1 or 2" o.bin \
	"$sign" --sb-version 3 --key p256.pem img.bin -o o.bin
run_err "unknown option" 2 "esp-sign: unknown option '--frobnicate'" o.bin \
	"$sign" --frobnicate --key p256.pem img.bin -o o.bin
run_err "v1 with two keys" 2 "esp-sign: Secure Boot v1 takes one --key" o.bin \
	"$sign" --sb-version 1 --key p256.pem --key p256.pem img.bin -o o.bin
# an image the tools could not read back once signed (over FILEIO_MAX_INPUT, 256 MiB) is
# refused: 256 MiB of input (sparse) plus the signature sector
cp img.bin huge.bin
truncate -s 268435456 huge.bin
run_err "signed image over the read limit" 1 \
	"esp-sign: huge.bin: the signed image would be 268439552 bytes, more than the 268435456 bytes the tools read back" \
	o.bin "$sign" --key p256.pem huge.bin -o o.bin
rm -f huge.bin
run_ok "--help" "$sign" --help
grep -q '^usage: esp-sign' out.txt && ok || bad "--help output"
run_ok "--version" "$sign" --version

finish
