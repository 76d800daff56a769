#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# esp-sign with keys in a PKCS#11 token (SoftHSM2 in a temporary directory): every Secure
# Boot v2 scheme signed through the module and checked by esp-sign --verify and by the
# openssl command against a public key rebuilt by openssl from the token's own
# attributes; Secure Boot v1; mixed token and file keys; the error cases (exact message,
# exit 1, no output file); and no PIN in any output, log or process argument list.
#   sign.sh BIN_DIR P11TOKEN NOT_A_MODULE.so
set -u
# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
keydir=$(cd "$(dirname "$0")/../keys" && pwd) || exit 1
bin=$(cd "$1" && pwd) || exit 1
sign=$bin/esp-sign
p11token=$2
notamodule=$3
[ -x "$sign" ] || { echo "esp-sign is not built: $sign"; exit 1; }

module=${SOFTHSM2_MODULE:-}
if [ -z "$module" ]; then
	for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so \
		/usr/local/lib/softhsm/libsofthsm2.so; do
		[ -e "$m" ] && module=$m && break
	done
fi
if [ -z "$module" ] || [ ! -e "$module" ]; then
	echo "SKIP: pkcs11.sign (SoftHSM2, Debian package softhsm2, is not installed)"
	exit 77
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: pkcs11.sign (no openssl command: it checks the signatures)"
	exit 77
fi

tmp=$(mktemp -d)
sampler=
cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null && wait "$sampler" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

# The PINs are fresh per run and distinctive, so grepping for them means something.
# They only ever travel in the environment or in pin.txt.
rnd() { od -An -N8 -tx1 /dev/urandom | tr -d ' \n'; }
ESPGEN_PKCS11_PIN=pin-$(rnd)
P11TEST_SO_PIN=so-$(rnd)
export ESPGEN_PKCS11_PIN P11TEST_SO_PIN
printf '%s\n' "$ESPGEN_PKCS11_PIN" >pin.txt
mkdir tokens
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = INFO\n' \
	"$tmp" >softhsm2.conf
export SOFTHSM2_CONF=$tmp/softhsm2.conf

# Every process's argument list, sampled while the tests run; checked for PINs at the end.
# It stops itself when asked (a killed loop could leave a last ps running, which would
# then see the PIN searches below).
(while [ ! -e sampler.stop ]; do
	ps -eo args= 2>/dev/null
	sleep 0.1
done) >ps.log &
sampler=$!

# Every command the tests run goes through run(): its arguments are logged (args.log)
# and its stdout/stderr kept (logs/N.out, logs/N.err) for the PIN check.
mkdir logs
n=0
run() {
	n=$((n + 1))
	printf '%s\n' "$*" >>args.log
	"$@" >out.txt 2>err.txt
	local rc=$?
	cp out.txt logs/$n.out
	cp err.txt logs/$n.err
	return $rc
}

# run_ok DESC CMD...: must exit 0
run_ok() {
	local desc=$1
	shift
	if run "$@"; then ok; else bad "$desc: exit $? ($(head -c 300 err.txt))"; fi
}

# run_err DESC STATUS 'EXACT STDERR' OUTFILE CMD...: exit STATUS, stderr exactly the
# message (first line for usage errors), OUTFILE not created
run_err() {
	local desc=$1 want_rc=$2 want_msg=$3 outfile=$4 rc got nfail=$fail
	shift 4
	rm -f "$outfile"
	run "$@"
	rc=$?
	[ "$rc" -eq "$want_rc" ] || bad "$desc: exit $rc, want $want_rc ($(head -c 300 err.txt))"
	if [ "$want_rc" -eq 2 ]; then got=$(head -1 err.txt); else got=$(cat err.txt); fi
	# a message ending in '*' is a prefix (the rest comes from the C library)
	case $want_msg in
	*'*') [[ $got == "${want_msg%\*}"* ]] ;;
	*) [ "$got" = "$want_msg" ] ;;
	esac || bad "$desc: stderr '$got', want '$want_msg'"
	[ -e "$outfile" ] && bad "$desc: left $outfile behind"
	left=$(find . -maxdepth 1 -name '*.tmp*' -printf '%f ')
	[ -n "$left" ] && bad "$desc: left a temporary file: $left"
	[ $fail -eq $nfail ] && ok
}

same() { if cmp -s "$1" "$2"; then ok; else bad "$3: $1 and $2 differ"; fi; }
hex() { od -An -v -tx1 -j "$2" -N "$3" "$1" | tr -d ' \n'; }
revhex() { echo "$1" | fold -w2 | tac | tr -d '\n'; }
# shellcheck disable=SC2001 # sed's & (each hex pair) has no ${var//} form before bash 5.2
unhex() { printf '%b' "$(echo "$1" | sed 's/../\\x&/g')"; }
der_sig() {
	printf 'asn1=SEQUENCE:sig\n[sig]\nr=INTEGER:0x%s\ns=INTEGER:0x%s\n' "$1" "$2" >der.cnf
	openssl asn1parse -genconf der.cnf -out "$3" -noout >/dev/null
}
size() { wc -c <"$1" | tr -d ' '; }

# ---- the token and its keys, made inside the token (C_GenerateKeyPair) ----
run "$p11token" "$module" init fw || { echo "cannot make a SoftHSM2 token: $(cat err.txt)"; exit 1; }
run "$p11token" "$module" init spare || { echo "cannot make a second token: $(cat err.txt)"; exit 1; }

declare -A curve=([ec:P-192]=prime192v1 [ec:P-256]=prime256v1 [ec:P-384]=secp384r1)
# gen NAME ID TYPE [LABEL]: key NAME.pub.pem rebuilt by openssl from the token's
# CKA_MODULUS/CKA_PUBLIC_EXPONENT or CKA_EC_POINT (not through espgen's code)
gen() {
	local name=$1 id=$2 type=$3 label=${4:-$1} kind a b
	run "$p11token" "$module" gen fw "$label" "$id" "$type" || {
		bad "generate $name ($type): $(cat err.txt)"
		return 1
	}
	read -r kind a b <out.txt
	case $kind in
	rsa)
		printf 'asn1=SEQUENCE:spki\n[spki]\nalg=SEQUENCE:alg\nkey=BITWRAP,SEQUENCE:rsa\n%s\n%s\n' \
			'[alg]
oid=OID:rsaEncryption
params=NULL' "[rsa]
n=INTEGER:0x$a
e=INTEGER:0x$b" >spki.cnf ;;
	ec)
		printf 'asn1=SEQUENCE:spki\n[spki]\nalg=SEQUENCE:alg\nkey=FORMAT:HEX,BITSTRING:%s\n%s\n' \
			"$a" "[alg]
oid=OID:id-ecPublicKey
curve=OID:${curve[$type]}" >spki.cnf ;;
	*) return 0 ;;
	esac
	openssl asn1parse -genconf spki.cnf -out "$name.pub.der" -noout >/dev/null &&
		openssl pkey -pubin -inform DER -in "$name.pub.der" -out "$name.pub.pem" ||
		bad "openssl cannot rebuild the public key of $name"
}
gen rsa 01 rsa:3072
gen p256 03 ec:P-256
gen p384 04 ec:P-384
gen rsa2048 05 rsa:2048
gen aes 06 aes
gen p256b 07 ec:P-256 "release key 2"
keys="rsa p256 p384"
# P-192 if this SoftHSM2 (its OpenSSL) supports the curve
if run "$p11token" "$module" gen fw probe192 ff ec:P-192; then
	gen p192 02 ec:P-192 && keys="rsa p192 p256 p384"
else
	echo "SKIP: ECDSA P-192 through the token (this SoftHSM2 has no P-192)"
fi

# a 10000-byte image and its 0xFF-padded form (what the signature covers)
head -c 10000 /dev/zero | tr '\0' '\132' >img.bin
printf 'espgen' | dd of=img.bin bs=1 seek=100 conv=notrunc 2>/dev/null
cp img.bin padded.bin
head -c 2288 /dev/zero | tr '\0' '\377' >>padded.bin

sector=12288
declare -A scheme=([rsa]="RSA-3072" [p192]="ECDSA P-192" [p256]="ECDSA P-256" [p384]="ECDSA P-384")
declare -A dgst=([rsa]=sha256 [p192]=sha256 [p256]=sha256 [p384]=sha384)
declare -A cb=([p192]=24 [p256]=32 [p384]=48)
declare -A sigoff=([rsa]=812 [p192]=101 [p256]=101 [p384]=149)

# openssl_verify_block KEY SIGNED BLOCK (signature out of the block, big-endian again)
openssl_verify_block() {
	local k=$1 f=$2 b=$3 off n
	off=$((sector + b * 1216 + ${sigoff[$k]}))
	if [ "$k" = rsa ]; then
		unhex "$(revhex "$(hex "$f" $off 384)")" >sig.raw
		openssl dgst -sha256 -verify "$k.pub.pem" -sigopt rsa_padding_mode:pss \
			-sigopt rsa_pss_saltlen:32 -signature sig.raw padded.bin >/dev/null
	else
		n=${cb[$k]}
		der_sig "$(revhex "$(hex "$f" "$off" "$n")")" "$(revhex "$(hex "$f" $((off + n)) "$n")")" sig.der
		openssl dgst "-${dgst[$k]}" -verify "$k.pub.pem" -signature sig.der padded.bin >/dev/null
	fi
}

uri() { echo "pkcs11:token=fw;object=$1"; }

# ---- every scheme through the token; verified by esp-sign and by openssl ----
for k in $keys; do
	run_ok "$k sign" "$sign" --pkcs11-module "$module" --key "$(uri "$k")" img.bin -o "$k.signed"
	[ "$(size "$k.signed")" = 16384 ] && ok || bad "$k: signed size $(size "$k.signed")"
	cmp -s -n 10000 "$k.signed" img.bin && ok || bad "$k: image bytes changed"
	run_ok "$k pubkey digest" "$sign" --pubkey-digest "$k.pub.pem" -o "$k.kd"
	kd=$(hex "$k.kd" 0 32)
	run_ok "$k verify" "$sign" --verify --pubkey "$k.pub.pem" "$k.signed"
	want="block 0: ${scheme[$k]}, key digest $kd: signature verified
block 1: empty
block 2: empty"
	[ "$(cat out.txt)" = "$want" ] && ok || bad "$k verify report: $(cat out.txt)"
	if openssl_verify_block "$k" "$k.signed" 0; then ok; else bad "$k: openssl rejects the token's signature"; fi
	# the PIN from --pin-file instead of the environment; the key by id=
	id=$(case $k in rsa) echo 01 ;; p192) echo 02 ;; p256) echo 03 ;; p384) echo 04 ;; esac)
	run_ok "$k sign, PIN file, id=" env -u ESPGEN_PKCS11_PIN "$sign" --pkcs11-module "$module" \
		--pin-file pin.txt --key "pkcs11:token=fw;id=%$id" img.bin -o "$k.pinfile"
	run_ok "$k verify (PIN file)" "$sign" --verify --pubkey "$k.pub.pem" "$k.pinfile"
	if openssl_verify_block "$k" "$k.pinfile" 0; then ok; else bad "$k: openssl rejects (PIN file)"; fi
	# the token's key as --pubkey / --pubkey-digest
	run_ok "$k verify with the token key" "$sign" --pkcs11-module "$module" --verify \
		--pubkey "$(uri "$k")" "$k.signed"
	run_ok "$k pubkey digest from the token" "$sign" --pkcs11-module "$module" \
		--pubkey-digest "$(uri "$k")" -o "$k.kd.token"
	same "$k.kd" "$k.kd.token" "$k: key digest from the token and from openssl's PEM"
done

# ---- percent-encoded label, type=private, all three blocks (token, file, token) ----
cp "$keydir/test-only-rsa3072.pem" file-rsa.pem
openssl pkey -in file-rsa.pem -pubout -out file-rsa.pub.pem
run_ok "three keys" "$sign" --pkcs11-module "$module" \
	--key "pkcs11:token=fw;object=release%20key%202;type=private" --key file-rsa.pem \
	--key "$(uri p384)" img.bin -o three.bin
[ "$(size three.bin)" = 16384 ] && ok || bad "three keys: size $(size three.bin)"
run_ok "three keys: block 0" "$sign" --verify --pubkey p256b.pub.pem three.bin
run_ok "three keys: block 1" "$sign" --verify --pubkey file-rsa.pub.pem three.bin
run_ok "three keys: block 2" "$sign" --verify --pubkey p384.pub.pem three.bin
if openssl_verify_block p384 three.bin 2; then ok; else bad "three keys: openssl rejects block 2"; fi
# adding a token signature to an image signed with a file key
run_ok "add to a signed image" "$sign" --key file-rsa.pem img.bin -o one.bin
run_ok "add a token block" "$sign" --pkcs11-module "$module" --key "$(uri p256)" one.bin -o two.bin
run_ok "added block verifies" "$sign" --verify --pubkey p256.pub.pem two.bin
if openssl_verify_block p256 two.bin 1; then ok; else bad "added block: openssl rejects it"; fi

# the PIN file named in the URI (RFC 7512 pin-source)
run_ok "pin-source" env -u ESPGEN_PKCS11_PIN "$sign" --pkcs11-module "$module" \
	--key "pkcs11:token=fw;object=p256?pin-source=file:$tmp/pin.txt" img.bin -o pinsrc.bin
run_ok "pin-source: verify" "$sign" --verify --pubkey p256.pub.pem pinsrc.bin

# ---- Secure Boot v1 (ECDSA P-256) through the token ----
run_ok "v1 sign" "$sign" --sb-version 1 --pkcs11-module "$module" --key "$(uri p256)" img.bin -o v1.bin
[ "$(size v1.bin)" = 10068 ] && ok || bad "v1: size $(size v1.bin)"
run_ok "v1 verify" "$sign" --verify --sb-version 1 --pubkey p256.pub.pem v1.bin
der_sig "$(hex v1.bin 10004 32)" "$(hex v1.bin 10036 32)" v1.der
if openssl dgst -sha256 -verify p256.pub.pem -signature v1.der img.bin >/dev/null; then ok; else
	bad "v1: openssl rejects the token's signature"; fi

# ---- esp-mkimage --sign-key with a token key: the same blocks as esp-sign gives ----
elf=$(cd "$(dirname "$0")/../golden/mkimage/inputs" && pwd)/c3-nodesc.elf
run_ok "esp-mkimage token sign" "$bin/esp-mkimage" --chip esp32c3 --pkcs11-module "$module" \
	--sign-key "$(uri rsa)" "$elf" -o mk-signed.bin
run_ok "esp-mkimage token sign: verify" "$sign" --verify --pubkey rsa.pub.pem mk-signed.bin
run_ok "esp-mkimage unsigned" "$bin/esp-mkimage" --chip esp32c3 --secure-pad-v2 "$elf" -o mk-plain.bin
if [ "$(stat -c %s mk-signed.bin)" -eq $(( ($(stat -c %s mk-plain.bin) + 4095) / 4096 * 4096 + 4096 )) ] &&
	cmp -s -n "$(stat -c %s mk-plain.bin)" mk-plain.bin mk-signed.bin; then ok; else
	bad "esp-mkimage token sign: not the unsigned image plus a signature sector"; fi
# openssl over the unsigned image padded with 0xFF to its 4 KiB sector
mv padded.bin padded.keep
n=$(stat -c %s mk-plain.bin)
{ cat mk-plain.bin; head -c $(( (n + 4095) / 4096 * 4096 - n )) /dev/zero | tr '\0' '\377'; } >padded.bin
keep_sector=$sector
sector=$(( (n + 4095) / 4096 * 4096 ))
if openssl_verify_block rsa mk-signed.bin 0; then ok; else bad "esp-mkimage token sign: openssl rejects it"; fi
sector=$keep_sector
mv padded.keep padded.bin

# ---- p11-kit's proxy module as the default (when installed, SoftHSM2 is registered) ----
if [ -e /usr/share/p11-kit/modules/softhsm2.module ] &&
	ls /usr/lib/*/p11-kit-proxy.so /usr/lib/p11-kit-proxy.so >/dev/null 2>&1; then
	run_ok "default module" "$sign" --key "$(uri p256)" img.bin -o proxy.bin
	run_ok "default module: verify" "$sign" --verify --pubkey p256.pub.pem proxy.bin
fi

# ---- error cases: a clear message, exit 1, no output ----
u=$(uri rsa)
run_err "wrong PIN (environment)" 1 \
	"esp-sign: $u: cannot log in to token 'fw' (incorrect PIN, CK_RV 0xa0)" o.bin \
	env ESPGEN_PKCS11_PIN=not-the-pin "$sign" --pkcs11-module "$module" --key "$u" img.bin -o o.bin
printf 'not-the-pin\n' >wrong-pin.txt
run_err "wrong PIN (file)" 1 \
	"esp-sign: $u: cannot log in to token 'fw' (incorrect PIN, CK_RV 0xa0)" o.bin \
	"$sign" --pkcs11-module "$module" --pin-file wrong-pin.txt --key "$u" img.bin -o o.bin
run_err "no PIN" 1 \
	"esp-sign: $u: token 'fw' needs a PIN: give --pin-file FILE or set ESPGEN_PKCS11_PIN" o.bin \
	env -u ESPGEN_PKCS11_PIN "$sign" --pkcs11-module "$module" --key "$u" img.bin -o o.bin
: >empty-pin.txt
run_err "empty PIN file" 1 "esp-sign: empty-pin.txt: PIN file is empty" o.bin \
	"$sign" --pkcs11-module "$module" --pin-file empty-pin.txt --key "$u" img.bin -o o.bin
run_err "missing object" 1 \
	"esp-sign: $(uri nosuchkey): no private key of that name on token 'fw'" o.bin \
	"$sign" --pkcs11-module "$module" --key "$(uri nosuchkey)" img.bin -o o.bin
run_err "missing token" 1 \
	"esp-sign: pkcs11:token=nosuch;object=rsa: no token labelled 'nosuch' in $module" o.bin \
	"$sign" --pkcs11-module "$module" --key "pkcs11:token=nosuch;object=rsa" img.bin -o o.bin
run_err "wrong key type: RSA-2048" 1 \
	"esp-sign: $(uri rsa2048): RSA key has 2048 bits; Secure Boot v2 supports only RSA-3072" o.bin \
	"$sign" --pkcs11-module "$module" --key "$(uri rsa2048)" img.bin -o o.bin
run_err "wrong key type: secret key" 1 \
	"esp-sign: $(uri aes): is a secret key; Secure Boot signs with an RSA-3072 or ECDSA private key" \
	o.bin "$sign" --pkcs11-module "$module" --key "$(uri aes)" img.bin -o o.bin
run_err "wrong key type: RSA for Secure Boot v1" 1 \
	"esp-sign: $u: RSA key given; Secure Boot v1 needs an ECDSA P-256 (prime256v1) key" o.bin \
	"$sign" --sb-version 1 --pkcs11-module "$module" --key "$u" img.bin -o o.bin
run_err "unloadable module: no such file" 1 \
	"esp-sign: $tmp/nosuch.so: cannot load the PKCS#11 module ($tmp/nosuch.so: cannot open shared object file: No such file or directory)" \
	o.bin "$sign" --pkcs11-module "$tmp/nosuch.so" --key "$u" img.bin -o o.bin
printf 'not a library\n' >fake.so
run_err "unloadable module: not a library" 1 \
	"esp-sign: $tmp/fake.so: cannot load the PKCS#11 module ($tmp/fake.so: *" \
	o.bin "$sign" --pkcs11-module "$tmp/fake.so" --key "$u" img.bin -o o.bin
run_err "unloadable module: not PKCS#11" 1 \
	"esp-sign: $notamodule: not a PKCS#11 module (no C_GetFunctionList)" o.bin \
	"$sign" --pkcs11-module "$notamodule" --key "$u" img.bin -o o.bin
run_err "public key only" 1 \
	"esp-sign: pkcs11:token=fw;object=rsa;type=public: names no private key (type= must be 'private' for signing)" \
	o.bin "$sign" --pkcs11-module "$module" --key "pkcs11:token=fw;object=rsa;type=public" img.bin -o o.bin
run_err "two tokens, no token=" 1 \
	"esp-sign: pkcs11:object=rsa: 2 tokens match; name one with token=LABEL" o.bin \
	"$sign" --pkcs11-module "$module" --key "pkcs11:object=rsa" img.bin -o o.bin
run_err "bad percent-encoding" 1 \
	"esp-sign: pkcs11:token=fw;object=%zz: attribute 'object': bad percent-encoding or longer than 255 bytes" \
	o.bin "$sign" --pkcs11-module "$module" --key "pkcs11:token=fw;object=%zz" img.bin -o o.bin
run_err "unknown URI attribute" 1 \
	"esp-sign: pkcs11:token=fw;colour=red: unsupported attribute 'colour'" o.bin \
	"$sign" --pkcs11-module "$module" --key "pkcs11:token=fw;colour=red" img.bin -o o.bin
# the PIN is refused on the command line, and never echoed back (fake PIN here, so the
# real one stays off the argument list)
run_err "--pin refused" 2 \
	"esp-sign: --pin: a PIN on the command line shows in the process list; use --pin-file FILE or ESPGEN_PKCS11_PIN" \
	o.bin "$sign" --pin=fake-pin-4711 --key "$u" img.bin -o o.bin
grep -q fake-pin-4711 err.txt out.txt && bad "--pin: the value is echoed"
run_err "pin-value refused" 1 \
	"esp-sign: the key URI must not hold the PIN (pin-value): it would show in the process list; use --pin-file FILE or ESPGEN_PKCS11_PIN" \
	o.bin "$sign" --pkcs11-module "$module" --key "$u?pin-value=fake-pin-4711" img.bin -o o.bin
grep -q fake-pin-4711 err.txt out.txt && bad "pin-value: the value is echoed"
# token and file keys are counted together against the room left in the sector
run_err "no room for a token and a file key" 1 \
	"esp-sign: two.bin: has 2 signature blocks; 2 more do not fit (at most 3)" o.bin \
	"$sign" --pkcs11-module "$module" --key "$(uri p384)" --key file-rsa.pem two.bin -o o.bin
# a token key must be of a scheme the chip's ROM verifies, as a key file must
run_err "esp-mkimage: RSA token key for an ECDSA-only chip" 1 \
	"esp-mkimage: $u: RSA-3072 key given; Secure Boot v2 on esp32c2 verifies ECDSA (P-192, P-256, P-384) signatures only" \
	o.bin "$bin/esp-mkimage" --chip esp32c2 --pkcs11-module "$module" --sign-key "$u" "$elf" -o o.bin
run_err "--pin-file without a token key" 2 \
	"esp-sign: --pkcs11-module and --pin-file are for 'pkcs11:' keys" o.bin \
	"$sign" --pin-file pin.txt --key file-rsa.pem img.bin -o o.bin

# ---- no PIN anywhere: outputs, logs, argument lists ----
# the argument list of a signing esp-sign caught while it runs (it waits on a FIFO image)
mkfifo img.fifo
printf '%s\n' "$sign --pkcs11-module $module --key $(uri p256) img.fifo -o fifo.bin" >>args.log
"$sign" --pkcs11-module "$module" --key "$(uri p256)" img.fifo -o fifo.bin >logs/fifo.out 2>logs/fifo.err &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	tr '\0' ' ' </proc/$pid/cmdline >cmdline.txt 2>/dev/null
	grep -q img.fifo cmdline.txt && break
	sleep 0.1
done
# never hang on the FIFO if esp-sign died before opening it
timeout 60 sh -c 'cat img.bin >img.fifo' || bad "esp-sign did not read the FIFO"
wait $pid && ok || bad "signing from a FIFO failed: $(cat logs/fifo.err)"
grep -q -- "--key pkcs11:token=fw;object=p256 img.fifo" cmdline.txt && ok ||
	bad "could not read the argument list of esp-sign: '$(cat cmdline.txt)'"
run_ok "FIFO-signed image verifies" "$sign" --verify --pubkey p256.pub.pem fifo.bin
touch sampler.stop
wait "$sampler" 2>/dev/null
sampler=
[ -s ps.log ] && ok || bad "the process sampler logged nothing"
[ -s args.log ] && ok || bad "no argument log"
# self-check: the search below does find the PIN where it is
grep -qrlF -e "$ESPGEN_PKCS11_PIN" pin.txt && ok || bad "the PIN search cannot find the PIN"
for pin in "$ESPGEN_PKCS11_PIN" "$P11TEST_SO_PIN"; do
	# everything the tests wrote except the PIN file itself and the token store
	hits=$(grep -rlF --exclude=pin.txt --exclude-dir=tokens -e "$pin" .)
	[ -z "$hits" ] && ok || bad "a PIN appears in: $hits"
done
# SoftHSM2 logs to syslog; if that lands in a readable file, check it too
for f in /var/log/syslog /var/log/messages; do
	[ -r "$f" ] && ! grep -qF -- "$ESPGEN_PKCS11_PIN" "$f" && ok
	[ -r "$f" ] && grep -qF -- "$ESPGEN_PKCS11_PIN" "$f" && bad "the PIN appears in $f"
done

finish
