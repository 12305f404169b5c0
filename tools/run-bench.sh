#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The benchmark of issue 13 in one command: configure an optimised build of the library and
# kvmdbg-bench alone (-O2 with debug info, so that perf can name functions; NDEBUG; no test
# suites), build it, and run the full benchmark at a lower priority.
#
#   tools/run-bench.sh [BUILDDIR] [kvmdbg-bench options...]
#
# BUILDDIR defaults to build-bench; options go to kvmdbg-bench (--markdown for the README's
# table, --quick, --max-points N, --reps N, --only ROW,...).  The tables go to stdout, progress
# to stderr.  A full run takes a few minutes; the machine's other load shows in the medians
# (compare runs made at different moments; the ratios move much less than the times).
#
# To profile one size of the library alone (this host has no hardware counters: cpu-clock;
# the library has no frame pointers: dwarf call graphs):
#   perf record -e cpu-clock --call-graph dwarf -- \
#       BUILDDIR/tests/bench/kvmdbg-bench --only hit,miss --min-points 1000000 --no-peers

set -eu
cd "$(dirname "$0")/.."

builddir=build-bench
case ${1:-} in
'' | -*) ;;
*)
	builddir=$1
	shift
	;;
esac

options="-Dbuildtype=debugoptimized -Db_ndebug=true -Dbench=enabled -Dtests=disabled"
options="$options -Ddocs=disabled -Dexamples=false"

if [ -f "$builddir/meson-private/coredata.dat" ]; then
	# shellcheck disable=SC2086
	meson configure "$builddir" $options >/dev/null
else
	# shellcheck disable=SC2086
	meson setup "$builddir" $options >/dev/null
fi
meson compile -C "$builddir" tests/bench/kvmdbg-bench >/dev/null
exec nice -n 10 "$builddir/tests/bench/kvmdbg-bench" "$@"
