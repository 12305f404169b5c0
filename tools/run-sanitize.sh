#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The sanitize tier: the C test programs under valgrind, in an ASan+UBSan build and in a TSan
# build.
#
#   tools/run-sanitize.sh [TIER...]      TIER: valgrind asan tsan (default: all three)
#
#   valgrind  meson test --setup valgrind --suite unit --suite kvm --suite fuzz-replay, in the
#             plain build directory (BUILDDIR, default build; configured and built here if it
#             is not yet); log: BUILDDIR/meson-logs/testlog-valgrind.json
#   asan      BUILDDIR-asan, -Db_sanitize=address,undefined: meson test --setup asan (every
#             suite but the ones meson.build excludes, with the reason, for sanitized builds:
#             unit, kvm and fuzz-replay); log: BUILDDIR-asan/meson-logs/testlog-asan.json
#   tsan      BUILDDIR-tsan, -Db_sanitize=thread: meson test --setup tsan over the programs
#             that start threads (TSAN_TESTS below); log: .../testlog-tsan.json
#
# A sanitizer or valgrind report fails the test (the setups in meson.build make every report
# abort).  /dev/kvm works under all three on the development host, so the kvm suite runs
# sanitized.  With CI=true warnings are errors.  Prints one line per tier with its time and
# exits non-zero when a build or a test failed.  Installs valgrind first if it is missing
# (tools/setup.sh sanitize).

set -eu
cd "$(dirname "$0")/.."

tiers=${*:-valgrind asan tsan}
builddir=${BUILDDIR:-build}
werror=false
[ "${CI:-}" = true ] && werror=true

# The programs that start threads: the unit tests kick (kicking threads) and threads (a gdb
# thread next to vCPU threads, kicks), and the kvm suite's threads program (vCPU threads, a
# gdb-like thread).  The others are single-threaded: TSan has nothing to look at there.
TSAN_TESTS="kick threads kvm-threads"

for t in $tiers; do
	case $t in
	valgrind | asan | tsan) ;;
	*) echo "run-sanitize.sh: unknown tier '$t' (valgrind, asan, tsan)" >&2; exit 2 ;;
	esac
done

sh tools/setup.sh sanitize

# configure (or reconfigure) $1 with the options that follow
configure()
{
	dir=$1
	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson configure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

summary=""
failed=0
for t in $tiers; do
	start=$(date +%s)
	status=ok
	case $t in
	valgrind)
		dir=$builddir
		log=$dir/meson-logs/testlog-valgrind.json
		rm -f "$log"
		if [ ! -f "$dir/build.ninja" ]; then
			configure "$dir" -Dtests=enabled -Dwerror=$werror \
				>"$dir.valgrind-setup.log" 2>&1 || status="configure failed"
		fi
		[ "$status" != ok ] || ninja -C "$dir" -j2 || status="build failed"
		[ "$status" != ok ] ||
			meson test -C "$dir" --setup valgrind --suite unit --suite kvm \
				--suite fuzz-replay --print-errorlogs || status="tests failed"
		;;
	asan | tsan)
		dir=$builddir-$t
		log=$dir/meson-logs/testlog-$t.json
		rm -f "$log"
		if [ "$t" = asan ]; then
			sanitize=address,undefined
			set --
		else
			sanitize=thread
			# shellcheck disable=SC2086 # one word per test
			set -- $TSAN_TESTS
		fi
		mkdir -p "$dir"
		configure "$dir" -Dtests=enabled -Ddocs=disabled -Dexamples=false \
			-Db_sanitize=$sanitize -Dwerror=$werror >"$dir/configure.log" 2>&1 ||
			{ cat "$dir/configure.log" >&2; status="configure failed"; }
		[ "$status" != ok ] || ninja -C "$dir" -j2 || status="build failed"
		[ "$status" != ok ] ||
			meson test -C "$dir" --setup "$t" --print-errorlogs "$@" ||
			status="tests failed"
		;;
	esac
	secs=$(($(date +%s) - start))
	[ "$status" = ok ] || failed=1
	summary="$summary$(printf '%-9s %-15s %5ss  %s' "$t" "$status" "$secs" "$log")
"
done

echo
printf '%-9s %-15s %6s  %s\n' tier result time "test log"
printf '%s' "$summary"
if [ "$failed" -ne 0 ]; then
	echo "run-sanitize.sh: FAILED"
	exit 1
fi
echo "run-sanitize.sh: all passed"
