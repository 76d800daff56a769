#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages espgen needs to build and test, when any is missing.
set -eu
# build: compilers, CMake, the libraries; tests (scripts/test.sh): openssl (EC test keys,
# signature cross-checks), softhsm2 + opensc (PKCS#11 signing), procps (ps: the PIN leak
# check of tests/pkcs11), scdoc + man-db (man pages), jq (JSON checks), clang (the clang
# build) + libclang-rt-14-dev (libFuzzer harnesses), valgrind, shellcheck, time (bench/),
# dpkg-dev + debhelper + lintian (the Debian package, tests/debian), zsh and fish (their
# completion tests), python3 (the FAT upper-case table check and the file-system round
# trip's tree comparison)
pkgs="cmake make gcc pkg-config libelf-dev libmbedtls-dev libinih-dev uuid-dev libjansson-dev
libp11-kit-dev openssl softhsm2 opensc procps scdoc man-db jq clang libclang-rt-14-dev valgrind
shellcheck time dpkg-dev debhelper lintian zsh fish python3"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
