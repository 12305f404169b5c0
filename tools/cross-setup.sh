#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install what the cross tier needs on Debian 12 (x86-64): Debian's cross compilers with each
# architecture's real libc and kernel uapi headers (linux-libc-dev-<arch>-cross), qemu-user to
# run the results, and GLib for the target unpacked into a private sysroot.
#
#   tools/cross-setup.sh [SYSROOT_DIR] [ARCH...]
#
# ARCH is s390x, ppc64, ppc64le, aarch64 or riscv64 (default: the first four).  SYSROOT_DIR
# (default: build-cross/sysroot, gitignored) gets one sysroot-<arch> per architecture that has
# GLib in Debian 12; ppc64 (big-endian) and riscv64 have none there, and their unit tests run
# on the g_test stand-in tests/shim/glib.h instead.
#
# GLib is never installed through multiarch: 'dpkg --add-architecture' breaks apt on these
# machines (bookworm-security has no s390x, and the foreign packages drag amd64 ones with them).
# The sysroot is made with apt-get run on private state (its own sources, lists, cache and an
# empty dpkg status), 'apt-get download' and 'dpkg-deb -x': nothing is installed, the system's
# apt state is not touched.  Idempotent: what is there already is not fetched again.

set -eu
cd "$(dirname "$0")/.."

sysroot_dir=${1:-build-cross/sysroot}
# absolute, whether given relative to the tree or not: apt takes it from other directories
mkdir -p "$sysroot_dir"
sysroot_dir=$(cd "$sysroot_dir" && pwd)
[ $# -gt 0 ] && shift
arches=${*:-s390x ppc64 ppc64le aarch64}
mirror=${KVMDBG_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# arch -> "gcc-package debian-arch-of-the-cross-packages debian-arch-of-glib (or -)"
arch_info()
{
	case $1 in
	s390x) echo "gcc-s390x-linux-gnu s390x s390x" ;;
	ppc64) echo "gcc-powerpc64-linux-gnu ppc64 -" ;;
	ppc64le) echo "gcc-powerpc64le-linux-gnu ppc64el ppc64el" ;;
	aarch64) echo "gcc-aarch64-linux-gnu arm64 arm64" ;;
	riscv64) echo "gcc-riscv64-linux-gnu riscv64 -" ;;
	*) echo "cross-setup.sh: unknown architecture '$1'" >&2; return 1 ;;
	esac
}

is_installed()
{
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
else
	sudo="sudo"
fi

apt_get()
{
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# The cross headers and libc are only Recommends of gcc-<arch>-linux-gnu: name them.
wanted="qemu-user"
for a in $arches; do
	set -- $(arch_info "$a")
	wanted="$wanted $1 libc6-dev-$2-cross linux-libc-dev-$2-cross"
done
missing=""
for pkg in $wanted; do
	is_installed "$pkg" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
	echo "cross-setup.sh: installing:$missing"
	apt_get update
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	apt_get install --no-install-recommends $missing
else
	echo "cross-setup.sh: cross toolchains present"
fi

# GLib for one Debian architecture, into $sysroot_dir/sysroot-<debian arch>.
fetch_glib()
{
	darch=$1
	dest=$sysroot_dir/sysroot-$darch
	if [ -f "$dest/.complete" ]; then
		echo "cross-setup.sh: GLib sysroot for $darch present"
		return 0
	fi
	state=$sysroot_dir/apt-$darch
	rm -rf "$dest" "$state"
	mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/debs" \
		"$state/etc/preferences.d" "$dest"
	: >"$state/status"
	cat >"$state/sources.list" <<EOF
deb [arch=$darch] $mirror bookworm main
deb [arch=$darch] $mirror bookworm-updates main
EOF
	set -- -o "Dir::Etc::SourceList=$state/sources.list" \
		-o "Dir::Etc::SourceParts=/nonexistent" \
		-o "Dir::Etc::Preferences=/nonexistent" \
		-o "Dir::Etc::PreferencesParts=$state/etc/preferences.d" \
		-o "Dir::State::Lists=$state/lists" \
		-o "Dir::State::status=$state/status" \
		-o "Dir::Cache=$state/cache" \
		-o "APT::Architecture=$darch" -o "APT::Architectures::=$darch" \
		-o "Acquire::Languages=none"
	echo "cross-setup.sh: fetching GLib for $darch into $dest"
	apt-get -q "$@" update >"$state/update.log" 2>&1 || {
		cat "$state/update.log" >&2
		return 1
	}
	(cd "$state/debs" && apt-get -q "$@" download libglib2.0-0 libglib2.0-dev \
		libpcre2-8-0 libpcre2-dev libpcre2-16-0 libpcre2-32-0 libpcre2-posix3) \
		>"$state/download.log" 2>&1 || {
		cat "$state/download.log" >&2
		return 1
	}
	for deb in "$state"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dest"
	done
	# the lists are only needed for the download
	rm -rf "$state/lists" "$state/cache"
	touch "$dest/.complete"
}

for a in $arches; do
	set -- $(arch_info "$a")
	[ "$3" = - ] || fetch_glib "$3"
done
echo "cross-setup.sh: done"
