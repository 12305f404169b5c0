#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The vm tier: run libkvmdbg's kvm test suite inside a Linux guest that runs authentic upstream
# KVM, under QEMU full-system emulation (TCG, never the host's KVM).
#
#   tests/vm/run.sh [--builddir DIR] [--only GLOB] [--test-args ARGS] [--extra NAME=PROGRAM]
#                   [--gdb[=MACHINE,...]] MACHINE...
#
# MACHINE is one of
#   x86_64        Debian's amd64 kernel, kvm_amd (nested SVM) in qemu-system-x86_64 -cpu max,
#                 QEMU rebuilt from Debian's own source package with qemu-svm-debug.patch
#   x86_64-stock  the same with Debian's stock QEMU (int3 and debug-register breakpoints and
#                 watchpoints of the nested guest do not work there: the suite's probes skip them)
#   arm64         Debian's arm64 kernel (KVM built in, VHE) in qemu-system-aarch64 -cpu max
#   arm64-nvhe    the same with kvm-arm.mode=nvhe
#   ppc64le       a small pseries kernel built from Debian's linux-source-6.1 with KVM-PR, in
#                 qemu-system-ppc64 -M pseries -cpu POWER8
#   all           every machine above, one after another
#
# For each machine it installs what the host lacks (QEMU, cpio, cross compilers), downloads
# Debian's kernel and busybox-static for the machine's architecture with a private apt state
# (never dpkg --add-architecture, never installed), builds the kvm suite statically (cross-
# compiled where needed), packs an initramfs (busybox, the KVM modules, the suite, init.sh),
# boots it under `timeout` and streams the suite's TAP from the serial console to standard
# output (console.py), followed by how long each phase took.  Downloads and builds are cached
# in $KVMDBG_VM_CACHE (default: $XDG_CACHE_HOME/kvmdbg-vm, or ~/.cache/kvmdbg-vm).
#
# --builddir DIR puts the static builds of the suite, the initramfs and the console logs in DIR
# (default: build-vm in the source tree).  --only GLOB runs only the suite programs whose Meson
# test name matches (kvm-step, kvm-*), --test-args adds arguments to each of them (for example
# "-p /kvmdbg/kvm/step/long64").  --extra NAME=PROGRAM also runs a static TAP program built
# elsewhere for the machine's architecture (repeatable; --only '' then runs it alone).
#
# --gdb adds real gdb sessions to each machine named (--gdb=x86_64,arm64: to those only): a
# static kvm-gdbstub (examples/gdbstub) and its guest go into the initramfs, QEMU gets a
# virtio console for gdb and a virtio serial port for control, and after the kvm suite
# tests/vm/gdb.py runs the scenarios of examples/gdbstub/tests/test_gdb.py with the host's gdb
# (gdb-multiarch for arm64) against a stub inside the machine: software breakpoints (int3,
# BRK) and watchpoints delivered by the machine's KVM, Ctrl-C, two vCPUs, 1000 break/continue
# cycles, stepi and register writes.  The kvm-gdbstub of this tree has no ppc64 backend: there
# --gdb adds a skipped test point.  --only '' --gdb runs the gdb sessions alone.
#
# Standard output is TAP (one plan for all machines named); progress and timings are TAP
# comments.  Exit status: 0 when every test passed or skipped, 1 otherwise.
#
# Environment:
#   KVMDBG_VM_CACHE         cache directory (downloads, QEMU build, ppc64le kernel)
#   KVMDBG_VM_MIRROR        Debian archive (default http://deb.debian.org/debian)
#   KVMDBG_VM_SECURITY      Debian security archive (default http://deb.debian.org/debian-security)
#   KVMDBG_VM_SUITE         Debian release (default: this host's, from /etc/os-release)
#   KVMDBG_VM_BOOT_TIMEOUT  seconds one machine may run, boot to power-off (default 1500)
#   KVMDBG_VM_TEST_TIMEOUT  seconds one test program may run inside (default 600)
#   KVMDBG_VM_JOBS          parallel build jobs (default 2)
#   KVMDBG_VM_GDB_SCENARIOS with --gdb: only these scenarios, by name (delivery,next,...)

set -euo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
vmdir=$srcdir/tests/vm
cache=${KVMDBG_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvmdbg-vm}
builddir=$srcdir/build-vm
mirror=${KVMDBG_VM_MIRROR:-http://deb.debian.org/debian}
security=${KVMDBG_VM_SECURITY:-http://deb.debian.org/debian-security}
suite=${KVMDBG_VM_SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}
boot_timeout=${KVMDBG_VM_BOOT_TIMEOUT:-1500}
test_timeout=${KVMDBG_VM_TEST_TIMEOUT:-600}
jobs=${KVMDBG_VM_JOBS:-2}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
only='*'
test_args=""
extras=()
gdb_machines=""
machine=vm

usage()
{
	sed -n '4,55p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

machines=()
while [ $# -gt 0 ]; do
	case $1 in
	--builddir) builddir=$2; shift 2 ;;
	--builddir=*) builddir=${1#*=}; shift ;;
	--only) only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--extra) extras+=("$2"); shift 2 ;;
	--extra=*) extras+=("${1#*=}"); shift ;;
	--test-args) test_args=$2; shift 2 ;;
	--test-args=*) test_args=${1#*=}; shift ;;
	--gdb) gdb_machines='*'; shift ;;
	--gdb=*) gdb_machines=",${1#*=},"; shift ;;
	-h|--help) usage ;;
	-*) echo "run.sh: unknown option $1" >&2; usage ;;
	all) machines+=(x86_64 x86_64-stock arm64 arm64-nvhe ppc64le); shift ;;
	*) machines+=("$1"); shift ;;
	esac
done
[ ${#machines[@]} -gt 0 ] || usage
mkdir -p "$cache" "$builddir"
builddir=$(cd "$builddir" && pwd)

# ---------------------------------------------------------------------------------------------
# Output: TAP comments for progress, one plan at the end over every machine.

tap_number=0
tap_failed=0
summary=()

say()
{
	printf '# vm[%s]: %s\n' "$machine" "$*"
}

# A failing test point for a machine that could not be brought up; the run goes on.
class_error=""
fail_machine()
{
	class_error="$*"
	say "error: $*"
	return 1
}

now()
{
	date +%s.%N
}

# phase NAME COMMAND...: run COMMAND, print how long it took.
phase_times=()
phase()
{
	local name=$1 t0 t1 rc=0
	shift
	t0=$(now)
	say "phase $name ..."
	"$@" || rc=$?
	t1=$(now)
	local secs
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	phase_times+=("$name ${secs}s")
	if [ $rc -eq 0 ]; then
		say "phase $name: ${secs} s"
	else
		say "phase $name: FAILED after ${secs} s"
	fi
	return $rc
}

# Run a command with its output in a log file; on failure show the end of the log.
logged()
{
	local log=$1 rc=0
	shift
	"$@" > "$log" 2>&1 || rc=$?
	[ $rc -ne 0 ] || return 0
	say "command failed ($rc): $*"
	tail -n 25 "$log" | sed 's/^/#   /'
	return $rc
}

# Serialise work on one cache entry between concurrent runs (meson may run machines in
# parallel): with_lock NAME COMMAND...
with_lock()
{
	local name=$1 fd rc=0
	shift
	mkdir -p "$cache/locks"
	exec {fd}> "$cache/locks/$name"
	flock "$fd"
	"$@" || rc=$?
	exec {fd}>&-
	return $rc
}

# ---------------------------------------------------------------------------------------------
# Host packages.

is_installed()
{
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

install_host_pkgs_locked()
{
	local missing="" pkg
	for pkg in "$@"; do
		is_installed "$pkg" || missing="$missing $pkg"
	done
	[ -n "$missing" ] || return 0
	if [ "$(id -u)" -ne 0 ]; then
		fail_machine "missing host packages:$missing (run as root, or install them)"
		return 1
	fi
	say "installing host packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	local apt="apt-get -y -q -o DPkg::Lock::Timeout=600"
	# shellcheck disable=SC2086
	if ! logged "$cache/apt-install.log" $apt install --no-install-recommends $missing; then
		logged "$cache/apt-update.log" $apt update || true
		# shellcheck disable=SC2086
		logged "$cache/apt-install.log" $apt install --no-install-recommends $missing ||
			{ fail_machine "cannot install:$missing"; return 1; }
	fi
}

need_host_pkgs()
{
	with_lock host-apt install_host_pkgs_locked "$@"
}

# ---------------------------------------------------------------------------------------------
# A private apt state per Debian architecture: $cache/apt/ARCH.  Nothing in /etc/apt or
# /var/lib/dpkg is read or changed; dpkg never learns about the foreign architecture.

apt_opts()
{
	local dir=$cache/apt/$1
	echo "-q -o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=$dir/parts" \
	     "-o Dir::Etc::Preferences=$dir/preferences -o Dir::Etc::PreferencesParts=$dir/parts" \
	     "-o Dir::State::Lists=$dir/lists -o Dir::State::status=$dir/status" \
	     "-o Dir::Cache=$dir/cache -o APT::Architecture=$1 -o APT::Architectures=$1" \
	     "-o Acquire::Languages=none -o APT::Sandbox::User=root"
}

papt_get()
{
	local arch=$1
	shift
	# shellcheck disable=SC2046
	apt-get $(apt_opts "$arch") "$@"
}

papt_cache()
{
	local arch=$1
	shift
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$arch") "$@"
}

# Update the private lists once a day.  A failing suite (a stale mirror index, as seen for
# ppc64el security) is only a warning while the lists needed still resolve.
apt_update_locked()
{
	local arch=$1 src="" dir=$cache/apt/$1
	# Sources too for the host's own architecture: the QEMU build needs them.
	[ "$arch" != amd64 ] || src=yes
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/parts"
	: > "$dir/preferences"
	[ -f "$dir/status" ] || : > "$dir/status"
	{
		for s in "$suite" "$suite-updates"; do
			echo "deb [signed-by=$keyring] $mirror $s main"
			[ -z "$src" ] || echo "deb-src [signed-by=$keyring] $mirror $s main"
		done
		echo "deb [signed-by=$keyring] $security $suite-security main"
		[ -z "$src" ] || echo "deb-src [signed-by=$keyring] $security $suite-security main"
	} > "$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		rm -f "$dir/updated"
	else
		rm -f "$dir/sources.list.new"
	fi
	if [ -f "$dir/updated" ] && [ -z "$(find "$dir/updated" -mmin +1440)" ]; then
		return 0
	fi
	if logged "$dir/update.log" papt_get "$arch" update; then
		touch "$dir/updated"
	elif grep -q '^Reading package lists' "$dir/update.log" &&
	     papt_cache "$arch" policy busybox-static 2>/dev/null | grep 'Candidate: [0-9]' > /dev/null
	then
		say "warning: apt update for $arch had errors; the lists that came work, going on"
		touch "$dir/updated"
	else
		fail_machine "cannot update the package lists for $arch"
		return 1
	fi
}

apt_update()
{
	with_lock "apt-$1" apt_update_locked "$@"
}

# download ARCH PACKAGE: fetch the candidate .deb into $cache/debs/ARCH, print its path.
download_locked()
{
	local arch=$1 pkg=$2 dir=$cache/debs/$1 file size
	mkdir -p "$dir"
	read -r _ file size _ < <(papt_get "$arch" download --print-uris "$pkg" 2>/dev/null |
				    tr -d "'" | tail -n 1) || true
	if [ -z "${file:-}" ]; then
		fail_machine "no candidate for $pkg ($arch)" >&2
		return 1
	fi
	if [ ! -f "$dir/$file" ] || [ "$(stat -c %s "$dir/$file")" != "$size" ]; then
		(cd "$dir" && logged "$dir/download.log" papt_get "$arch" download "$pkg") >&2 ||
			{ fail_machine "cannot download $pkg ($arch)" >&2; return 1; }
	fi
	echo "$dir/$file"
}

download()
{
	with_lock "apt-$1" download_locked "$@"
}

# extract DEB: unpack once into $cache/root/<deb name>, print that directory.
extract_locked()
{
	local deb=$1 dir
	dir=$cache/root/$(basename "$deb" .deb)
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.done"
	fi
	echo "$dir"
}

extract()
{
	with_lock extract extract_locked "$@"
}

# ---------------------------------------------------------------------------------------------
# Kernels.

# Debian's kernel for ARCH, by its meta package (linux-image-FLAVOUR): sets kernel_image,
# kernel_root, kernel_version.
fetch_debian_kernel()
{
	local arch=$1 flavour=$2 pkg deb
	pkg=$(papt_cache "$arch" depends "linux-image-$flavour" 2>/dev/null |
	      sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
	[ -n "$pkg" ] || { fail_machine "cannot resolve linux-image-$flavour ($arch)"; return 1; }
	deb=$(download "$arch" "$pkg") || return 1
	kernel_root=$(extract "$deb") || { fail_machine "cannot unpack $deb"; return 1; }
	kernel_version=$(ls "$kernel_root/lib/modules")
	kernel_image=$kernel_root/boot/vmlinuz-$kernel_version
	[ -f "$kernel_image" ] || { fail_machine "no kernel image in $deb"; return 1; }
	say "kernel: $pkg ($(basename "$deb"))"
	if [ ! -f "$kernel_root/lib/modules/$kernel_version/modules.dep" ]; then
		# The .deb ships no modules.dep; depmod reads the foreign-arch modules just fine.
		with_lock extract depmod -b "$kernel_root" "$kernel_version" ||
			{ fail_machine "depmod failed"; return 1; }
	fi
}

# resolve_modules "name params" ...: the .ko files to load, dependencies first, into
# $stage/vm/modules and $stage/vm/modules.d.  Modules built into the kernel are skipped.
resolve_modules()
{
	local moddir=$kernel_root/lib/modules/$kernel_version entry name params path dep
	local -A seen=()
	: > "$stage/vm/modules"
	mkdir -p "$stage/vm/modules.d"
	for entry in "$@"; do
		name=${entry%% *}
		params=""
		[ "$entry" = "$name" ] || params=${entry#* }
		path=$(awk -v m="$name" -F: '{
			n = $1; sub(".*/", "", n); sub("\\.ko.*", "", n); gsub("_", "-", n)
			mm = m; gsub("_", "-", mm)
			if (n == mm) { print $1; exit }
		}' "$moddir/modules.dep")
		if [ -z "$path" ]; then
			if grep -q "/${name//-/[-_]}\.ko" "$moddir/modules.builtin" 2>/dev/null; then
				say "module $name: built into the kernel"
				continue
			fi
			fail_machine "module $name: not found in $kernel_version"
			return 1
		fi
		# modules.dep lists the dependencies so that the last one loads first.
		for dep in $(grep "^$path:" "$moddir/modules.dep" | cut -d: -f2 |
			     tr ' ' '\n' | sed '/^$/d' | tac) "$path"; do
			[ -z "${seen[$dep]:-}" ] || continue
			seen[$dep]=1
			local file
			file=$(basename "$dep")
			case $file in
			*.ko.xz) xz -dc "$moddir/$dep" > "$stage/vm/modules.d/${file%.xz}" ;;
			*.ko.zst) zstd -qdc "$moddir/$dep" > "$stage/vm/modules.d/${file%.zst}" ;;
			*.ko.gz) gzip -dc "$moddir/$dep" > "$stage/vm/modules.d/${file%.gz}" ;;
			*) cp "$moddir/$dep" "$stage/vm/modules.d/$file" ;;
			esac
			file=${file%.xz}
			file=${file%.zst}
			file=${file%.gz}
			if [ "$dep" = "$path" ]; then
				echo "$file $params" >> "$stage/vm/modules"
			else
				echo "$file" >> "$stage/vm/modules"
			fi
		done
	done
}

# The ppc64le kernel: Debian's linux-source-6.1 (any release's linux-source-N.M is found by
# name) configured with ppc64le-kvm-pr.config.  Sets kernel_image, kernel_root,
# kernel_version; cached per source package and configuration.
build_ppc_kernel_locked()
{
	local pkg deb key dir src tarball line missing=""
	pkg=$(papt_cache amd64 depends linux-source 2>/dev/null |
	      sed -n 's/^ *Depends: \(linux-source-[0-9][^ ]*\).*/\1/p' | head -n 1)
	[ -n "$pkg" ] || { fail_machine "cannot resolve linux-source"; return 1; }
	deb=$(download amd64 "$pkg") || return 1
	key=$(basename "$deb" .deb)-$(sha256sum "$vmdir/ppc64le-kvm-pr.config" | cut -c1-12)
	dir=$cache/ppc-kernel/$key
	kernel_image=$dir/vmlinux
	kernel_root=$dir
	kernel_version=$key
	if [ -f "$kernel_image" ]; then
		say "ppc64le kernel: cached ($kernel_image)"
		return 0
	fi
	say "building the ppc64le KVM-PR kernel from $(basename "$deb") (a few minutes, once)"
	rm -rf "$dir"
	mkdir -p "$dir/src"
	tarball=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | grep 'linux-source-.*\.tar\.xz$' |
		  head -n 1)
	[ -n "$tarball" ] || { fail_machine "no source tarball in $deb"; return 1; }
	logged "$dir/unpack.log" sh -c "dpkg-deb --fsys-tarfile '$deb' |
		tar -xO '$tarball' | tar -xJ -C '$dir/src' --strip-components=1" ||
		{ fail_machine "cannot unpack $tarball"; return 1; }
	src=$dir/src
	local make=(make -C "$src" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- -j "$jobs")
	logged "$dir/config.log" "${make[@]}" tinyconfig || { fail_machine "tinyconfig failed"; return 1; }
	grep -v '^#' "$vmdir/ppc64le-kvm-pr.config" | sed '/^$/d' >> "$src/.config"
	echo "# CONFIG_MODULES is not set" >> "$src/.config"
	logged "$dir/config.log" "${make[@]}" olddefconfig ||
		{ fail_machine "olddefconfig failed"; return 1; }
	while read -r line; do
		grep -qx "$line" "$src/.config" || missing="$missing ${line%%=*}"
	done < <(grep '^CONFIG_' "$vmdir/ppc64le-kvm-pr.config")
	[ -z "$missing" ] || { fail_machine "the kernel configuration dropped:$missing"; return 1; }
	logged "$dir/build.log" "${make[@]}" vmlinux || { fail_machine "the kernel build failed"; return 1; }
	cp "$src/vmlinux" "$dir/vmlinux.new"
	cp "$src/.config" "$dir/config"
	rm -rf "$src"
	mv "$dir/vmlinux.new" "$kernel_image"
	say "ppc64le kernel built: $kernel_image"
}

build_ppc_kernel()
{
	need_host_pkgs gcc-powerpc64le-linux-gnu make bc flex bison xz-utils || return 1
	apt_update amd64 || return 1
	with_lock ppc-kernel build_ppc_kernel_locked
}

# ---------------------------------------------------------------------------------------------
# QEMU for x86-64: Debian's source package of the installed qemu-system-x86, with
# qemu-svm-debug.patch.  Sets qemu_bin; cached per QEMU version and patch.

build_patched_qemu_locked()
{
	local version patch_sum dir src
	version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86)
	patch_sum=$(sha256sum "$vmdir/qemu-svm-debug.patch" | cut -c1-12)
	dir=$cache/qemu/${version//[:~]/_}-$patch_sum
	qemu_bin=$dir/bin/qemu-system-x86_64
	if [ -x "$qemu_bin" ]; then
		say "patched QEMU $version: cached ($qemu_bin)"
		return 0
	fi
	say "building QEMU $version with qemu-svm-debug.patch (a few minutes, once)"
	apt_update amd64 || return 1
	rm -rf "$dir"
	mkdir -p "$dir/dl"
	(cd "$dir/dl" && logged "$dir/source.log" papt_get amd64 source --download-only \
		"qemu=$version") || { fail_machine "cannot download the qemu source $version"; return 1; }
	logged "$dir/unpack.log" dpkg-source -x "$dir"/dl/qemu_*.dsc "$dir/src" ||
		{ fail_machine "cannot unpack the qemu source"; return 1; }
	rm -rf "$dir/dl"
	src=$dir/src
	logged "$dir/patch.log" patch -d "$src" -p1 -i "$vmdir/qemu-svm-debug.patch" ||
		{ fail_machine "qemu-svm-debug.patch does not apply to qemu $version"; return 1; }
	mkdir -p "$dir/build"
	(cd "$dir/build" && logged "$dir/configure.log" "$src/configure" \
		--target-list=x86_64-softmmu --without-default-features --enable-tcg \
		--enable-fdt=system --disable-docs --disable-werror --disable-install-blobs) ||
		{ fail_machine "QEMU configure failed ($dir/configure.log)"; return 1; }
	logged "$dir/build.log" ninja -C "$dir/build" -j "$jobs" qemu-system-x86_64 ||
		{ fail_machine "QEMU build failed ($dir/build.log)"; return 1; }
	# Keep the binary (firmware comes from Debian's packages through -L), drop the 400 MB of
	# source and objects.
	mkdir -p "$dir/bin"
	mv "$dir/build/qemu-system-x86_64" "$qemu_bin"
	rm -rf "$dir/build" "$dir/src"
	say "patched QEMU built: $qemu_bin"
}

build_patched_qemu()
{
	need_host_pkgs qemu-system-x86 dpkg-dev patch meson ninja-build pkg-config libglib2.0-dev \
		libpixman-1-dev zlib1g-dev libfdt-dev python3 || return 1
	with_lock qemu-x86 build_patched_qemu_locked
}

# ---------------------------------------------------------------------------------------------
# The kvm suite, statically linked, for one architecture: sets suite_tests ("name cmd args"
# lines) and suite_dir.

build_suite()
{
	local arch=$1 cross_file=${2:-} dir=$builddir/suite-$1 list
	suite_dir=$dir
	suite_tests=""
	if [ -z "$only" ]; then
		say "--only '': the kvm suite is not built"
		return 0
	fi
	local opts=(--default-library=static --prefer-static -Dc_link_args=-static
		    -Dtests=enabled -Dexamples=false -Ddocs=disabled -Dbuildtype=debugoptimized)
	[ -z "$cross_file" ] || opts+=(--cross-file "$cross_file")
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir"
		logged "$builddir/suite-$arch-setup.log" meson setup "$dir" "$srcdir" "${opts[@]}" ||
			{ fail_machine "meson setup of the static $arch suite failed"; return 1; }
	fi
	# The kvm suite's executables, from Meson's own test list (new tests come along).
	list=$(meson introspect --tests "$dir" | python3 -c '
import json, os, sys
build = sys.argv[1]
for t in json.load(sys.stdin):
    if not any(s.split(":")[-1] == "kvm" for s in t["suite"]):
        continue
    exe = t["cmd"][0]
    if not exe.startswith(build + "/"):
        continue
    print(t["name"], os.path.relpath(exe, build), " ".join(t["cmd"][1:]))
' "$dir") || { fail_machine "meson introspect failed"; return 1; }
	if [ -z "$list" ]; then
		suite_tests=""
		return 0
	fi
	# shellcheck disable=SC2046
	logged "$builddir/suite-$arch-build.log" ninja -C "$dir" -j "$jobs" \
		$(echo "$list" | awk '{ print $2 }') ||
		{ fail_machine "building the static $arch suite failed"; return 1; }
	suite_tests=$list
}

# GLib for a foreign architecture, static libraries included, unpacked from Debian's -dev
# packages into $cache/sysroot/ARCH (private apt state, nothing installed); and a Meson cross
# file for it in $builddir.  Sets cross_file.
make_cross_file()
{
	local arch=$1 triplet=$2 family=$3 dir=$cache/sysroot/$1 pkg deb
	if [ ! -f "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		for pkg in libglib2.0-dev libglib2.0-0 libpcre2-dev libpcre2-8-0; do
			deb=$(download "$arch" "$pkg") || return 1
			dpkg-deb -x "$deb" "$dir" || { fail_machine "cannot unpack $deb"; return 1; }
		done
		touch "$dir/.done"
	fi
	cross_file=$builddir/cross-$arch.ini
	cat > "$cross_file" <<-EOF
		# Written by tests/vm/run.sh: static builds of the kvm suite for $arch.
		[binaries]
		c = '$triplet-gcc'
		ar = '$triplet-ar'
		strip = '$triplet-strip'
		pkgconfig = 'pkg-config'
		pkg-config = 'pkg-config'

		[properties]
		sys_root = '$dir'
		pkg_config_libdir = '$dir/usr/lib/$triplet/pkgconfig:$dir/usr/share/pkgconfig'

		[host_machine]
		system = 'linux'
		cpu_family = '$family'
		cpu = '$family'
		endian = 'little'
	EOF
}

# ---------------------------------------------------------------------------------------------
# gdb sessions (--gdb).

# Whether --gdb asked for sessions on this machine.
gdb_wanted()
{
	case $gdb_machines in
	'') return 1 ;;
	'*'|*",$machine,"*) return 0 ;;
	*) return 1 ;;
	esac
}

# kvm-gdbstub and its guest for ARCH (x86_64, aarch64), the stub statically linked: sets
# gdbstub_exe and gdbstub_elf.
build_gdbstub()
{
	local arch=$1 cross_file=${2:-} dir=$builddir/gdbstub-$1 guest
	local opts=(--default-library=static --prefer-static -Dc_link_args=-static
		    -Dtests=disabled -Dexamples=true -Ddocs=disabled -Dbuildtype=debugoptimized)
	[ -z "$cross_file" ] || opts+=(--cross-file "$cross_file")
	case $arch in
	x86_64) guest=guest.elf ;;
	*) guest='guest-arm64.elf' ;;
	esac
	if [ ! -f "$dir/build.ninja" ]; then
		rm -rf "$dir"
		logged "$builddir/gdbstub-$arch-setup.log" meson setup "$dir" "$srcdir" "${opts[@]}" ||
			{ fail_machine "meson setup of the static $arch kvm-gdbstub failed"; return 1; }
	fi
	logged "$builddir/gdbstub-$arch-build.log" ninja -C "$dir" -j "$jobs" \
		examples/gdbstub/kvm-gdbstub "examples/gdbstub/$guest" ||
		{ fail_machine "building the static $arch kvm-gdbstub failed"; return 1; }
	gdbstub_exe=$dir/examples/gdbstub/kvm-gdbstub
	gdbstub_elf=$dir/examples/gdbstub/$guest
}

# QEMU's devices for the gdb sessions, on the virtio-serial bus BUS_DEVICE: gdb's line (the
# guest's /dev/hvc0) and the control port, both Unix sockets in a short private directory
# (a socket path has at most 107 bytes).  Sets gdb_sockets and appends to qemu_cmd.
add_gdb_devices()
{
	gdb_sockets=$(mktemp -d /tmp/kvmdbg-vm.XXXXXX)
	qemu_cmd+=(-device "$1"
		   -chardev "socket,id=kvmdbg-gdb,path=$gdb_sockets/gdb,server=on,wait=off"
		   -device 'virtconsole,chardev=kvmdbg-gdb,name=kvmdbg.gdb'
		   -chardev "socket,id=kvmdbg-ctl,path=$gdb_sockets/ctl,server=on,wait=off"
		   -device 'virtserialport,chardev=kvmdbg-ctl,name=kvmdbg.ctl')
}

# ---------------------------------------------------------------------------------------------
# The initramfs: busybox, init.sh, the modules, the suite.

# Quote for any POSIX shell (busybox reads the result).
shell_quote()
{
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# make_initramfs BUSYBOX_DEB STRIP MODULE_ENTRIES...: sets initrd.
make_initramfs()
{
	local busybox_deb=$1 strip=$2 bbroot
	shift 2
	stage=$work/root
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,vm,tests}
	bbroot=$(extract "$busybox_deb") || { fail_machine "cannot unpack $busybox_deb"; return 1; }
	{
		cp "$bbroot/bin/busybox" "$stage/bin/busybox" &&
		ln -s busybox "$stage/bin/sh" &&
		mknod -m 600 "$stage/dev/console" c 5 1 &&
		mknod -m 666 "$stage/dev/null" c 1 3 &&
		install -m 755 "$vmdir/init.sh" "$stage/init"
	} || { fail_machine "cannot stage the initramfs in $stage"; return 1; }
	resolve_modules "$@" || return 1
	: > "$stage/vm/tests"
	local name exe args
	while read -r name exe args; do
		[ -n "$name" ] || continue
		# shellcheck disable=SC2254
		case $name in $only) ;; *) continue ;; esac
		cp "$suite_dir/$exe" "$stage/tests/" || { fail_machine "no $exe"; return 1; }
		if [ -n "$strip" ]; then
			"$strip" "$stage/tests/$(basename "$exe")" 2>/dev/null || true
		fi
		echo "$name /tests/$(basename "$exe") $args $test_args" >> "$stage/vm/tests"
	done <<< "$suite_tests"
	local extra
	for extra in "${extras[@]}"; do
		name=${extra%%=*}
		exe=${extra#*=}
		cp "$exe" "$stage/tests/extra-$name" || { fail_machine "no $exe"; return 1; }
		echo "$name /tests/extra-$name" >> "$stage/vm/tests"
	done
	if [ -n "$gdbstub_exe" ]; then
		mkdir -p "$stage/gdb"
		{
			cp "$gdbstub_exe" "$stage/gdb/kvm-gdbstub" &&
			cp "$gdbstub_elf" "$stage/gdb/guest.elf"
		} || { fail_machine "cannot stage kvm-gdbstub"; return 1; }
		if [ -n "$strip" ]; then
			"$strip" "$stage/gdb/kvm-gdbstub" 2>/dev/null || true
		fi
	fi
	{
		echo "VM_MACHINE=$(shell_quote "$machine")"
		echo "VM_DESCRIPTION=$(shell_quote "$description")"
		echo "VM_TEST_TIMEOUT=$(shell_quote "$test_timeout")"
		echo "VM_GDB=${gdbstub_exe:+yes}"
	} > "$stage/vm/config"
	initrd=$work/initrd.cpio.gz
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 > "$initrd"
	[ -s "$initrd" ] || { fail_machine "cannot pack the initramfs"; return 1; }
	say "initramfs: $(du -h "$initrd" | cut -f1) ($(wc -l < "$stage/vm/tests") test programs," \
	    "$(wc -l < "$stage/vm/modules") modules${gdbstub_exe:+, kvm-gdbstub})"
}

# ---------------------------------------------------------------------------------------------
# Boot and stream.

boot()
{
	local rc=0 qrc crc reader=(python3 "$vmdir/console.py")
	# With gdb sessions, gdb.py reads the console as console.py does and drives gdb.
	if [ -n "$gdbstub_exe" ]; then
		reader=(python3 "$vmdir/gdb.py" --control "$gdb_sockets/ctl" --target "$gdb_sockets/gdb"
			--elf "$gdbstub_elf" --gdb "$gdb_bin" ${gdb_must_deliver:+--must-deliver})
	fi
	say "boot: timeout $boot_timeout ${qemu_cmd[*]}"
	set +e
	timeout --kill-after=10 "$boot_timeout" "${qemu_cmd[@]}" < /dev/null 2>&1 |
		"${reader[@]}" --machine "$machine" --log "$work/console.log" \
			--summary "$work/summary.json" ${must_not_skip:+--must-not-skip "$must_not_skip"} |
		renumber
	local statuses=("${PIPESTATUS[@]}")
	qrc=${statuses[0]}
	crc=${statuses[1]}
	set -e
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		say "the machine was stopped by its $boot_timeout s timeout"
		rc=1
	elif [ "$qrc" -ne 0 ]; then
		say "QEMU exited with status $qrc"
		rc=1
	fi
	[ "$crc" -eq 0 ] || rc=1
	say "raw console log: $work/console.log"
	return $rc
}

# Fold a machine's TAP into the run's one sequence (several machines in one run).
renumber()
{
	local line rest
	while IFS= read -r line; do
		case $line in
		"ok "*|"not ok "*)
			tap_number=$((tap_number + 1))
			if [ "${line#not }" != "$line" ]; then
				rest=${line#not ok }
				tap_failed=$((tap_failed + 1))
				rest=${rest#* }
				printf 'not ok %d %s\n' "$tap_number" "$rest"
			else
				rest=${line#ok }
				rest=${rest#* }
				printf 'ok %d %s\n' "$tap_number" "$rest"
			fi
			echo "$tap_number $tap_failed" > "$work/count"
			;;
		1..*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}

# ---------------------------------------------------------------------------------------------
# Machines.

# Whether there is anything to run: kvm suite programs for the architecture, or --extra ones.
have_tests()
{
	[ -n "$suite_tests" ] || [ ${#extras[@]} -gt 0 ] || [ -n "$gdbstub_exe" ]
}

setup_x86_64()
{
	need_host_pkgs qemu-system-x86 cpio kmod || return 1
	local qemu=qemu-system-x86_64 firmware=()
	# The suite first: without tests for the architecture there is nothing to boot for.
	phase suite build_suite x86_64 || return 1
	if gdb_wanted; then
		need_host_pkgs gdb || return 1
		phase gdbstub build_gdbstub x86_64 || return 1
		gdb_bin=gdb
	fi
	have_tests || return 0
	if [ "$machine" = x86_64 ]; then
		phase qemu build_patched_qemu || return 1
		qemu=$qemu_bin
		firmware=(-L /usr/share/seabios -L /usr/share/qemu -L /usr/lib/ipxe/qemu)
		description="Debian amd64 kernel, kvm_amd, QEMU $(dpkg-query -W -f='${source:Version}' \
			qemu-system-x86) TCG with qemu-svm-debug.patch"
		# Everything kvm_amd offers works here: none of it may be skipped.  (It does not offer
		# the debugger's DR7.GD, a trap on guest debug-register access: only VMX handles that,
		# so that probe may skip.)
		must_not_skip='no usable KVM|does not deliver '
		must_not_skip+='(software breakpoints|hardware breakpoints|watchpoints)'
		# and the gdb sessions' probe must find int3 and watchpoints delivered
		gdb_must_deliver=yes
	else
		description="Debian amd64 kernel, kvm_amd, stock QEMU $("$qemu" --version |
			head -n 1 | sed 's/.*version //') TCG"
		must_not_skip='no usable KVM'
	fi
	phase packages apt_update amd64 || return 1
	phase kernel fetch_debian_kernel amd64 amd64 || return 1
	busybox_deb=$(download amd64 busybox-static) || return 1
	local modules=(kvm-amd)
	[ -z "$gdbstub_exe" ] || modules+=(virtio_pci virtio_console)
	phase initramfs make_initramfs "$busybox_deb" strip "${modules[@]}" || return 1
	qemu_cmd=("$qemu" "${firmware[@]}" -accel tcg -cpu max -m 1024 -smp 1
		  -nodefaults -no-user-config -display none -serial stdio -no-reboot
		  -kernel "$kernel_image" -initrd "$initrd"
		  -append "console=ttyS0 quiet panic=-1")
	[ -z "$gdbstub_exe" ] || add_gdb_devices virtio-serial-pci
}

setup_arm64()
{
	need_host_pkgs qemu-system-arm cpio kmod gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
		linux-libc-dev-arm64-cross pkg-config || return 1
	local mode=vhe
	[ "$machine" = arm64 ] || mode=${machine#arm64-}
	description="Debian arm64 kernel, KVM built in ($mode), stock QEMU $(qemu-system-aarch64 \
		--version | head -n 1 | sed 's/.*version //') TCG, -cpu max"
	# Debian's arm64 KVM with -cpu max offers and delivers every guest-debug feature
	# (authentic-kvm.md): no case of the suite may skip here, for any reason.
	must_not_skip='.*'
	# A known fault of this QEMU (7.2, TCG), not of KVM or the suite: now and then a vCPU of
	# one test program runs a translation that QEMU made of a *previous* program's code at the
	# same guest address.  Seen 6 times in 32 boots running kvm-hwbp then kvm-watch (0 in 29
	# running kvm-watch alone), on a loaded host: /kvmdbg/kvm/watch/read ended, after 5 to 18 s,
	# in an MMIO write to port 0x90 at pc 0x40008014, whose memory holds a nop.  QEMU's own log
	# (-d in_asm,exec -dfilter 0x40008000..0x40008fff) showed the watch program's first block
	# translated afresh, the vCPU leave it at the store (no exit reached the test there: the
	# first touch of the data page, a stage-2 fault KVM handles itself), and the re-entry at
	# 0x40008008 run the block "add w0; subs w1; b.ne" that the kvm-hwbp process had translated
	# from prog_bp: 2^32 rounds of that loop (w1 was 0; w0 wrapped to WATCH_VALUE again), then
	# prog_bp's store of w0 to port 0x90.  The exit descriptions of the arm64 and ppc64 suite
	# print the word guest memory holds at the pc ("memory there"), which tells such a case
	# from a real one: on arm64, an MMIO exit at a word that is no load or store is marked
	# EMULATOR_FAULT, and init.sh runs that program once more (saying so as INFO) and reports
	# the second run.  Only that proof triggers it; every other failure counts as it is.
	phase packages apt_update arm64 || return 1
	phase sysroot make_cross_file arm64 aarch64-linux-gnu aarch64 || return 1
	phase suite build_suite aarch64 "$cross_file" || return 1
	if gdb_wanted; then
		need_host_pkgs gdb-multiarch binutils-aarch64-linux-gnu || return 1
		phase gdbstub build_gdbstub aarch64 "$cross_file" || return 1
		gdb_bin=gdb-multiarch
		gdb_must_deliver=yes
	fi
	have_tests || return 0
	phase kernel fetch_debian_kernel arm64 arm64 || return 1
	busybox_deb=$(download arm64 busybox-static) || return 1
	local modules=()
	[ -z "$gdbstub_exe" ] || modules+=(virtio_mmio virtio_console)
	phase initramfs make_initramfs "$busybox_deb" aarch64-linux-gnu-strip "${modules[@]}" ||
		return 1
	local append="console=ttyAMA0 quiet panic=-1"
	[ "$mode" = vhe ] || append="$append kvm-arm.mode=$mode"
	qemu_cmd=(qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu max -m 1024
		  -smp 1 -nodefaults -no-user-config -display none -serial stdio -no-reboot
		  -kernel "$kernel_image" -initrd "$initrd" -append "$append")
	[ -z "$gdbstub_exe" ] || add_gdb_devices virtio-serial-device
}

setup_ppc64le()
{
	need_host_pkgs qemu-system-ppc cpio gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross \
		linux-libc-dev-ppc64el-cross pkg-config || return 1
	description="KVM-PR kernel built from Debian's linux-source, stock QEMU $(qemu-system-ppc64 \
		--version | head -n 1 | sed 's/.*version //') TCG, pseries POWER8"
	# Book3S PR delivers single-step and software breakpoints; it has no hardware breakpoints
	# or watchpoints, which the suite's capability probe must report and skip.  Those skips
	# are the only ones allowed here.
	must_not_skip='^(?!the kernel offers no (hardware breakpoints|watchpoints): )'
	! gdb_wanted || gdb_skip="kvm-gdbstub has no ppc64 backend (examples/gdbstub: x86-64, arm64)"
	phase packages apt_update ppc64el || return 1
	phase sysroot make_cross_file ppc64el powerpc64le-linux-gnu ppc64 || return 1
	phase suite build_suite ppc64le "$cross_file" || return 1
	have_tests || return 0
	phase kernel build_ppc_kernel || return 1
	busybox_deb=$(download ppc64el busybox-static) || return 1
	phase initramfs make_initramfs "$busybox_deb" powerpc64le-linux-gnu-strip || return 1
	qemu_cmd=(qemu-system-ppc64 -M pseries,x-vof=on -cpu POWER8 -m 2048 -smp 1
		  -nodefaults -no-user-config -display none -serial stdio -no-reboot
		  -kernel "$kernel_image" -initrd "$initrd" -append "console=hvc0 quiet panic=-1")
}

run_machine()
{
	machine=$1
	work=$builddir/$machine
	rm -rf "$work"
	mkdir -p "$work"
	must_not_skip=""
	description=""
	suite_tests=""
	class_error=""
	gdbstub_exe=""
	gdbstub_elf=""
	gdb_bin=""
	gdb_must_deliver=""
	gdb_sockets=""
	gdb_skip=""
	phase_times=()
	local t0 rc=0
	t0=$(now)
	case $machine in
	x86_64|x86_64-stock) setup_x86_64 || rc=1 ;;
	arm64|arm64-nvhe|arm64-protected) setup_arm64 || rc=1 ;;
	ppc64le) setup_ppc64le || rc=1 ;;
	*)
		fail_machine "unknown machine '$machine' (x86_64, x86_64-stock, arm64, arm64-nvhe," \
			     "ppc64le)" || rc=1
		;;
	esac
	if [ -n "$gdb_skip" ]; then
		tap_number=$((tap_number + 1))
		printf 'ok %d %s: gdb sessions # SKIP %s\n' "$tap_number" "$machine" "$gdb_skip"
	fi
	if [ $rc -eq 0 ] && ! have_tests; then
		tap_number=$((tap_number + 1))
		printf 'ok %d %s # SKIP the kvm suite builds no test for this architecture\n' \
		       "$tap_number" "$machine"
		summary+=("$machine: skipped (no kvm suite test for its architecture)")
		return 0
	fi
	if [ $rc -eq 0 ]; then
		: > "$work/count"
		phase boot boot || rc=1
		[ -z "$gdb_sockets" ] || rm -rf "$gdb_sockets"
		# The pipeline's subshell kept the count: take it back.
		if [ -s "$work/count" ]; then
			read -r tap_number tap_failed < "$work/count"
		fi
	else
		tap_number=$((tap_number + 1))
		tap_failed=$((tap_failed + 1))
		printf 'not ok %d %s: the machine could not be set up: %s\n' "$tap_number" \
		       "$machine" "${class_error:-see the log above}"
	fi
	local total
	total=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	local counts="not booted"
	if [ -f "$work/summary.json" ]; then
		counts=$(python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))
print("%d passed, %d failed, %d skipped" % (s["passed"], s["failed"], s["skipped"]))' \
			"$work/summary.json")
	fi
	summary+=("$machine: $counts; ${total}s (${phase_times[*]})")
	return $rc
}

status=0
for m in "${machines[@]}"; do
	run_machine "$m" || status=1
done
machine=vm
for line in "${summary[@]}"; do
	say "$line"
done
echo "1..$tap_number"
[ "$tap_failed" -eq 0 ] || status=1
exit $status
