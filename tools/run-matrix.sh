#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The cross tier: build the unit suite natively and for every other architecture the library
# supports, with Debian's cross compilers against each architecture's real uapi headers (so
# every backend's static layout assertions are checked against its own <linux/kvm.h>), run it
# (under qemu-user for the foreign ones), and print one summary line per architecture.
#
#   tools/run-matrix.sh [ARCH...]
#
# ARCH: native s390x ppc64 ppc64le aarch64 riscv64 (default: all of them).  Installs what is
# missing first (tools/setup.sh, tools/cross-setup.sh; apt, idempotent).  Build directories:
# build-cross/<arch> (MATRIX_DIR overrides build-cross).  With CI=true, warnings are errors.
# Exits non-zero when a build or a test failed.
#
# loongarch64 is not in the matrix.  Debian 12 has the emulator (qemu-user 1:7.2+dfsg-7+deb12u18
# ships /usr/bin/qemu-loongarch64) but nothing to build with: apt-cache search finds no
# gcc-loongarch64-linux-gnu, no libc6-dev-loong64-cross and no linux-libc-dev-loong64-cross
# ('apt-cache search loong' finds only qemu-system-misc, for its qemu-system-loongarch64);
# loong64 is a Debian port, not in bookworm.  Even a compiler that knows the target (LLVM has a
# LoongArch backend since 16, and bookworm has clang-16; not tried) would find no loong64 libc,
# GLib or kernel headers of Linux 6.10+ (LoongArch KVM has guest debug only since then) to build
# the unit suite against.  Its backend is unit-tested on every host like the others.

set -eu
cd "$(dirname "$0")/.."

arches=${*:-native s390x ppc64 ppc64le aarch64 riscv64}
dir=${MATRIX_DIR:-build-cross}
# absolute, whether MATRIX_DIR is relative to the tree or not
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
werror=false
[ "${CI:-}" = true ] && werror=true

foreign=""
for a in $arches; do
	case $a in
	native) ;;
	s390x | ppc64 | ppc64le | aarch64 | riscv64) foreign="$foreign $a" ;;
	*) echo "run-matrix.sh: unknown architecture '$a'" >&2; exit 2 ;;
	esac
done

sh tools/setup.sh
# shellcheck disable=SC2086 # one word per architecture
[ -z "$foreign" ] || sh tools/cross-setup.sh "$dir/sysroot" $foreign
mkdir -p "$dir"

# arch -> "debian-arch-of-its-glib (- for none) uapi-header-package"
arch_info()
{
	case $1 in
	native) echo "native linux-libc-dev" ;;
	s390x) echo "s390x linux-libc-dev-s390x-cross" ;;
	ppc64) echo "- linux-libc-dev-ppc64-cross" ;;
	ppc64le) echo "ppc64el linux-libc-dev-ppc64el-cross" ;;
	aarch64) echo "arm64 linux-libc-dev-arm64-cross" ;;
	riscv64) echo "- linux-libc-dev-riscv64-cross" ;;
	esac
}

summary=$dir/summary.txt
: >"$summary"
failed=0

for a in $arches; do
	set -- $(arch_info "$a")
	glib=$1
	headers="$2 $(dpkg-query -W -f='${Version}' "$2" 2>/dev/null || echo '?')"
	build=$dir/$a
	log=$dir/$a.log
	start=$(date +%s)
	opts="-Dtests=enabled -Dexamples=false -Ddocs=disabled -Dwerror=$werror"
	if [ "$a" = native ]; then
		set --
		glib_kind=GLib
	else
		paths=$dir/paths-$a.ini
		printf "[constants]\nsysroot = '%s'\n" "$dir/sysroot/sysroot-$glib" >"$paths"
		set -- --cross-file "$paths" --cross-file "cross/$a.ini"
		if [ "$glib" = - ]; then
			opts="$opts -Dglib_shim=true"
			glib_kind=shim
		else
			glib_kind=GLib
		fi
	fi
	echo "run-matrix.sh: $a: configure, build, unit suite (log: $log)"
	status=ok
	reconfigure=""
	[ -f "$build/build.ninja" ] && reconfigure=--reconfigure
	# shellcheck disable=SC2086 # the options are words
	meson setup $reconfigure "$build" "$@" $opts >"$log" 2>&1 || status="configure failed"
	if [ "$status" = ok ]; then
		ninja -C "$build" -j2 >>"$log" 2>&1 || status="build failed"
	fi
	if [ "$status" = ok ]; then
		rm -f "$build/meson-logs/testlog.json"
		meson test -C "$build" --suite unit --print-errorlogs >>"$log" 2>&1 ||
			status="tests failed"
	fi
	secs=$(($(date +%s) - start))
	counts=$(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json
import sys

programs = bad = ok = notok = skip = 0
try:
    with open(sys.argv[1], encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            programs += 1
            if test.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL"):
                bad += 1
            for out in (test.get("stdout") or "").splitlines():
                if out.startswith("not ok "):
                    notok += 1
                elif out.startswith("ok ") and "# SKIP" in out:
                    skip += 1
                elif out.startswith("ok "):
                    ok += 1
except OSError:
    pass
print(f"{programs - bad}/{programs} programs, {ok} cases passed, {notok} failed, {skip} skipped")
PY
)
	[ "$status" = ok ] || { failed=1; tail -n 30 "$log" >&2; }
	printf '%-8s %-6s %-4s %-58s %4ss  %s\n' "$a" "$status" "$glib_kind" "$counts" "$secs" \
		"$headers" >>"$summary"
done

echo
printf '%-8s %-6s %-4s %-58s %5s  %s\n' arch result test "unit suite" time "uapi headers"
cat "$summary"
if [ "$failed" -ne 0 ]; then
	echo "run-matrix.sh: FAILED"
	exit 1
fi
echo "run-matrix.sh: all passed"
