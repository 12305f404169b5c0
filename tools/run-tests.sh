#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install what is needed, configure ./build with every test suite and the docs, build, and run
# the whole test suite.  Extra arguments go to 'meson test' (for example: --suite unit).
# With CI=true, warnings are errors.  BUILDDIR overrides the build directory (default: build).

set -eu
cd "$(dirname "$0")/.."

# the base set, and clang-format-14 for the style suite
sh tools/setup.sh style

builddir=${BUILDDIR:-build}
werror=false
[ "${CI:-}" = true ] && werror=true
options="-Dtests=enabled -Ddocs=enabled -Dexamples=true -Dwerror=$werror"

if [ -f "$builddir/meson-private/coredata.dat" ]; then
	# shellcheck disable=SC2086
	meson configure "$builddir" $options
else
	# shellcheck disable=SC2086
	meson setup "$builddir" $options
fi
meson compile -C "$builddir"
exec meson test -C "$builddir" --print-errorlogs "$@"
