#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install what is needed, build libkvmdbg and its examples in ./build, and run the demo.
# Arguments go to the demo.  BUILDDIR overrides the build directory (default: build).
# The demo exits with 77 when this machine has no usable /dev/kvm.

set -eu
cd "$(dirname "$0")/.."

sh tools/setup.sh

builddir=${BUILDDIR:-build}
if [ -f "$builddir/meson-private/coredata.dat" ]; then
	meson configure "$builddir" -Dexamples=true
else
	meson setup "$builddir" -Dexamples=true
fi
meson compile -C "$builddir"
exec "$builddir/examples/kvmdbg-demo" "$@"
