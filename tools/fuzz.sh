#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run the libFuzzer targets of tests/fuzz for a time budget each.
#
#   tools/fuzz.sh [--merge] [SECONDS]     (default: 60 seconds per target)
#
# Builds with clang in its own build directory (FUZZ_BUILDDIR, default build-fuzz, configured
# with -Dfuzz=enabled), then runs every target (FUZZ_TARGETS, default "decode pack api") for
# SECONDS, FUZZ_JOBS targets at a time (default 1; nice'd), starting from the seed corpus
# tests/fuzz/corpus/<target>/.  New corpus entries go to FUZZ_BUILDDIR/corpus/<target>/, out
# of the tree; with --merge the ones that add coverage are merged into tests/fuzz/corpus
# (libFuzzer -merge=1; check how many that adds before committing: the corpora are replayed by
# every test run and are meant to stay at a few dozen files).  A crash, a leak, a sanitizer
# report or a failed check is saved as tests/fuzz/crashes/<target>-crash-<sha1> (not
# committed: tests/fuzz/.gitignore) and makes the script exit non-zero.  Replay one with
# FUZZ_TRACE=1 FUZZ_BUILDDIR/tests/fuzz/fuzz-<target> FILE (the api target then prints every
# call).  Installs clang and its runtimes first if missing (tools/setup.sh fuzz).

set -eu
cd "$(dirname "$0")/.."

merge=false
if [ "${1:-}" = --merge ]; then
	merge=true
	shift
fi
secs=${1:-60}
case $secs in
'' | *[!0-9]*) echo "usage: tools/fuzz.sh [--merge] [SECONDS]" >&2; exit 2 ;;
esac
dir=${FUZZ_BUILDDIR:-build-fuzz}
targets=${FUZZ_TARGETS:-decode pack api}
jobs=${FUZZ_JOBS:-1}

sh tools/setup.sh fuzz
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dfuzz=enabled -Dtests=enabled -Ddocs=disabled \
		-Dexamples=false >"$dir.setup.log" 2>&1 ||
		{ cat "$dir.setup.log" >&2; exit 1; }
fi
exes=""
for t in $targets; do
	exes="$exes tests/fuzz/fuzz-$t"
done
# shellcheck disable=SC2086 # one word per target
ninja -C "$dir" -j2 $exes

mkdir -p tests/fuzz/crashes
status=$dir/fuzz-status
rm -rf "$status"
mkdir -p "$status"

run_one()
{
	t=$1
	mkdir -p "$dir/corpus/$t"
	start=$(date +%s)
	# the first directory gets the new entries; the seed corpus is only read
	if nice "$dir/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="tests/fuzz/crashes/$t-" \
		"$dir/corpus/$t" "tests/fuzz/corpus/$t" >"$dir/fuzz-$t.log" 2>&1; then
		echo ok >"$status/$t"
	else
		echo FAILED >"$status/$t"
	fi
	echo $(($(date +%s) - start)) >"$status/$t.secs"
}

running=0
for t in $targets; do
	echo "fuzz.sh: $t for ${secs}s (log: $dir/fuzz-$t.log)"
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

failed=0
echo
printf '%-8s %-7s %6s %12s %9s %8s %8s\n' target result time runs exec/s corpus cov
for t in $targets; do
	log=$dir/fuzz-$t.log
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	files=$(find "$dir/corpus/$t" -type f | wc -l)
	result=$(cat "$status/$t" 2>/dev/null || echo FAILED)
	printf '%-8s %-7s %5ss %12s %9s %8s %8s\n' "$t" "$result" \
		"$(cat "$status/$t.secs" 2>/dev/null || echo ?)" "${runs:-?}" "${eps:-?}" \
		"$files" "${cov:-?}"
	if [ "$result" != ok ]; then
		failed=1
		grep -E 'ERROR|SUMMARY|check failed|Test unit written' "$log" |
			head -n 8 >&2 || true
	fi
done

if $merge; then
	for t in $targets; do
		before=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
		"$dir/tests/fuzz/fuzz-$t" -merge=1 "tests/fuzz/corpus/$t" "$dir/corpus/$t" \
			>"$dir/merge-$t.log" 2>&1
		after=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
		echo "fuzz.sh: merged into tests/fuzz/corpus/$t: $before -> $after files"
	done
fi

if [ "$failed" -ne 0 ]; then
	echo "fuzz.sh: FAILED (reproducers in tests/fuzz/crashes/)"
	exit 1
fi
echo "fuzz.sh: no crash"
