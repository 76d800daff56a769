#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# usage: deb.sh version SOURCE_DIR CMAKE_VERSION
#        deb.sh package SOURCE_DIR BUILD_BIN MKELF
# version: debian/changelog's version is the CMake project version (one version, set in
#   the top-level CMakeLists.txt; the changelog must follow it).
# package: the Debian package as docs/debian.md builds and uses it, each command of that
#   page run here:
#   1. dpkg-checkbuilddeps and dpkg-buildpackage -us -uc -b in a copy of the tree (the
#      source tree stays clean), offline; lintian, when installed: no E: line
#   2. the .deb holds every tool of BUILD_BIN, its man page, its bash, zsh and fish
#      completions and the CMake package
#   3. as root (and espgen not installed already): dpkg -i, else dpkg -x into a scratch
#      root (and dpkg -x in any case); every tool's --version from the installed bin/,
#      scripts/example.sh with
#      those tools (FLASH.bin equal to the one BUILD_BIN makes) and the completion tests
#      on the installed completion files
#   4. after dpkg -i: dpkg -r espgen leaves none of the package's files
# Exit 77 (SKIP, with the reason) without dpkg-buildpackage, debhelper or a build
# dependency.
set -eu
mode=$1
src=$(cd "$2" && pwd)

changelog_version() { sed -n '1s/^espgen (\([^)]*\)).*/\1/p' "$src/debian/changelog"; }

if [ "$mode" = version ]; then
	got=$(changelog_version)
	[ "$got" = "$3" ] || {
		echo "FAIL: debian/changelog says '$got', CMakeLists.txt project(VERSION) '$3':" \
			"add a changelog entry for $3 (dch -v $3)"
		exit 1
	}
	echo "ok: debian/changelog version $got = CMake project version"
	exit 0
fi

build_bin=$(cd "$3" && pwd)
mkelf=$4
version=$(changelog_version)
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
for cmd in dpkg-buildpackage dh lintian; do
	command -v $cmd >/dev/null && continue
	[ $cmd = lintian ] && { echo "SKIP: lintian check (lintian is not installed)"; continue; }
	echo "SKIP: the Debian package ($cmd is missing: apt-get install dpkg-dev debhelper)"
	exit 77
done
deps=$(cd "$src" && dpkg-checkbuilddeps 2>&1) || {
	echo "SKIP: the Debian package (${deps#dpkg-checkbuilddeps: error: })"
	exit 77
}
# each command this test runs, as docs/debian.md tells the user to type it
for cmd in "dpkg-checkbuilddeps" "dpkg-buildpackage -us -uc -b" "lintian ../espgen_" \
	"dpkg -i ../espgen_" "dpkg -x ../espgen_" "dpkg -r espgen" "dpkg -L espgen" \
	"BIN=/usr/bin scripts/example.sh" "esp-mkpart --version"; do
	grep -qF -- "$cmd" "$src/docs/debian.md" || fail "docs/debian.md does not show '$cmd'"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/espgen-deb.XXXXXX")
installed=""
cleanup() {
	[ -z "$installed" ] || dpkg -r espgen >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# 1. the copy: what git tracks and would track (no build directories), else the tree
mkdir "$tmp/espgen"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
	(cd "$src" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
		tar -xf - -C "$tmp/espgen"
else
	tar -C "$src" --exclude='./build*' -cf - . | tar -xf - -C "$tmp/espgen"
fi
before=$(cd "$src" && find . -path './build*' -prune -o -print | LC_ALL=C sort | md5sum)
(cd "$tmp/espgen" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$tmp/build.log" 2>&1 || {
	tail -40 "$tmp/build.log"
	fail "dpkg-buildpackage -us -uc -b (log above)"
}
after=$(cd "$src" && find . -path './build*' -prune -o -print | LC_ALL=C sort | md5sum)
[ "$before" = "$after" ] || fail "building the package changed the source tree"
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$tmp/espgen_${version}_$arch.deb
[ -f "$deb" ] || fail "no $deb"
echo "ok: dpkg-buildpackage -us -uc -b: ${deb##*/}"
if command -v lintian >/dev/null; then
	(cd "$tmp/espgen" && lintian "../espgen_${version}_$arch.changes") >"$tmp/lintian.log" 2>&1 || true
	grep -v '^running with root privileges' "$tmp/lintian.log" || true
	if grep -q '^E: ' "$tmp/lintian.log"; then
		fail "lintian reports errors"
	fi
	echo "ok: lintian, no error"
fi

# 2. the contents
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/contents"
want="/usr/share/zsh/vendor-completions/_espgen /usr/lib/cmake/espgen/espgenConfig.cmake
/usr/lib/cmake/espgen/espgenConfigVersion.cmake /usr/lib/cmake/espgen/espgenFunctions.cmake
/usr/share/doc/espgen/copyright"
tools=()
for t in "$build_bin"/esp-*; do
	tool=${t##*/}
	tools+=("$tool")
	want="$want /usr/bin/$tool /usr/share/man/man1/$tool.1.gz
		/usr/share/bash-completion/completions/$tool
		/usr/share/fish/vendor_completions.d/$tool.fish"
done
for f in $want; do
	grep -qx -- "$f" "$tmp/contents" || fail "the package has no $f"
done
echo "ok: ${#tools[@]} tools, their man pages and completions, the CMake package"

# 3. install
root=""
status=$(dpkg-query -W -f='${Status}' espgen 2>/dev/null || true)
if [ "$(id -u)" = 0 ] && [ "${status% installed}" = "$status" ]; then
	if dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
		installed=1
		echo "ok: dpkg -i ${deb##*/}"
	elif grep -q 'lock' "$tmp/dpkg.log"; then
		# another dpkg is running (another test run, apt): not a fault of the package
		echo "SKIP: dpkg -i, dpkg -r (the dpkg database is locked; unpacked with dpkg -x)"
		root=$tmp/root
		dpkg -x "$deb" "$root"
	else
		cat "$tmp/dpkg.log"
		fail "dpkg -i"
	fi
else
	root=$tmp/root
	dpkg -x "$deb" "$root"
	echo "ok: dpkg -x ${deb##*/} (not root, or espgen is installed already: not touched)"
fi
# dpkg -x in any case (docs/debian.md shows it for users without root)
[ -n "$root" ] || dpkg -x "$deb" "$tmp/unpacked"
bin=$root/usr/bin
for b in "$bin" "$tmp/unpacked/usr/bin"; do
	[ -d "$b" ] || continue
	for tool in "${tools[@]}"; do
		got=$("$b/$tool" --version) || fail "$b/$tool --version"
		[ "$got" = "$tool (espgen) $version" ] || fail "$b/$tool --version: '$got'"
	done
	echo "ok: every tool's --version from $b says $version"
done
for b in "$bin" "$build_bin"; do
	out=$tmp/example-$([ "$b" = "$bin" ] && echo deb || echo build)
	OUT=$out BIN=$b MKELF=$mkelf bash "$src/scripts/example.sh" >"$out.log" 2>&1 ||
		{ cat "$out.log"; fail "scripts/example.sh with $b"; }
done
cmp "$tmp/example-deb/FLASH.bin" "$tmp/example-build/FLASH.bin" ||
	fail "the example's FLASH.bin from $bin differs from the build tree's"
echo "ok: scripts/example.sh from $bin: FLASH.bin equals the build tree's"
share=$root/usr/share
t=$src/tests/completion
bash "$t/completion.sh" "$share/bash-completion/completions/esp-mkpart" "$bin" >"$tmp/c.log" ||
	{ cat "$tmp/c.log"; fail "bash completion of the package"; }
for sh in zsh fish; do
	case $sh in
	zsh) file=$share/zsh/vendor-completions/_espgen ;;
	fish) file=$share/fish/vendor_completions.d/esp-mkpart.fish ;;
	esac
	rc=0
	bash "$t/$sh.sh" "$file" "$bin" >"$tmp/c.log" || rc=$?
	case $rc in
	0) ;;
	77) grep '^SKIP' "$tmp/c.log" ;;
	*) cat "$tmp/c.log"; fail "$sh completion of the package" ;;
	esac
done
echo "ok: the installed bash, zsh and fish completions"

# 4. remove
if [ -n "$installed" ]; then
	dpkg -L espgen >"$tmp/files"
	dpkg -r espgen >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -r espgen"; }
	installed=""
	while read -r f; do
		[ -d "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] || continue
		fail "$f is left after dpkg -r espgen"
	done <"$tmp/files"
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' espgen 2>/dev/null || true)
	case $status in
	i* | r*) fail "dpkg -r espgen: the package is still known as '$status'" ;;
	esac
	echo "ok: dpkg -r espgen left none of its $(wc -l <"$tmp/files") paths"
fi
