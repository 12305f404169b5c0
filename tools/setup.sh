#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install everything libkvmdbg's build, tests and docs need on Debian 12 (or a later Debian or
# Ubuntu).  Idempotent: when every package is installed already, apt is not touched at all.
# Run as root (or with sudo available).
#
#   tools/setup.sh [GROUP...]
#
# GROUP makes more packages required (.ci/run asks for all of them):
#   sanitize  valgrind (the 'valgrind' test setup; gcc brings the ASan, UBSan and TSan runtimes)
#   fuzz      clang and its compiler-rt (libFuzzer and clang's sanitizer runtimes)
#   abi       abigail-tools (abidiff, for the abi suite's ABI baseline check)
#   style     clang-format-14 (the style suite: tools/check-format.sh)
#   vm        gdb-multiarch (the vm tier's gdb sessions on its arm64 machines: tests/vm/run.sh
#             --gdb; run.sh installs the rest it needs itself)

set -eu

# What the build, the test suites and the docs need (gdb drives the gdb stub example's
# test; graphviz and groff check the docs' diagrams and man page).
required="build-essential gcc g++ meson ninja-build pkg-config libglib2.0-dev linux-libc-dev
	  python3 binutils doxygen gdb graphviz groff-base"
# Nice to have: the 'valgrind' test setup; abidiff for the abi suite (which skips without it).
# A failure to install them is not fatal, unless a GROUP asks for them.
optional="valgrind abigail-tools"
for group in "$@"; do
	case $group in
	sanitize) required="$required valgrind" ;;
	# the unversioned names follow Debian's default clang (14 on Debian 12)
	fuzz) required="$required clang libclang-rt-dev" ;;
	abi) required="$required abigail-tools" ;;
	style) required="$required clang-format-14" ;;
	vm) required="$required gdb-multiarch" ;;
	*) echo "setup.sh: unknown group '$group' (sanitize, fuzz, abi, style, vm)" >&2; exit 2 ;;
	esac
done

is_installed()
{
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing_of()
{
	out=""
	for pkg in $1; do
		is_installed "$pkg" || out="$out $pkg"
	done
	echo "$out"
}

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "setup.sh: this script needs a Debian-based system (dpkg and apt-get)" >&2
	exit 1
fi

missing_required=$(missing_of "$required")
missing_optional=$(missing_of "$optional")
if [ -z "$missing_required" ] && [ -z "$missing_optional" ]; then
	echo "setup.sh: all packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "setup.sh: missing packages:$missing_required$missing_optional; run as root" >&2
	exit 1
fi

apt_get()
{
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

echo "setup.sh: installing:$missing_required$missing_optional"
apt_get update
if [ -n "$missing_required" ]; then
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt_get install --no-install-recommends $missing_required
fi
for pkg in $missing_optional; do
	apt_get install --no-install-recommends "$pkg" ||
		echo "setup.sh: optional package $pkg could not be installed; going on" >&2
done

missing_required=$(missing_of "$required")
if [ -n "$missing_required" ]; then
	echo "setup.sh: still missing:$missing_required" >&2
	exit 1
fi
echo "setup.sh: done"
