#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The tree's one format: what clang-format-14 makes of it under .clang-format, 100 columns.
#
#   tools/check-format.sh [--fix] [SOURCE_ROOT]
#
# Checks every C file git tracks in the two libraries (lib, include, gdbserver) and fails
# (exit 1), naming each file that drifted, if clang-format-14 would change it; --fix rewrites
# them instead.  Tests, examples and samples follow the same style by hand: the formatter
# mangles their tables of concatenated strings and inline assembly.  In a library file, such
# a table sits between clang-format off and on comments, with a comment saying why.  The
# format is version-bound (other clang-format releases break lines differently), so without
# clang-format-14 the check skips (exit 77) and says so; tools/setup.sh style installs it.
#
# clang-format leaves comments alone (ReflowComments: false: it would rewrap the header's
# hand-wrapped Doxygen prose for the worse), so a second pass holds every line, comments
# included, to 100 columns with tabs of 8.

set -eu

fix=false
if [ "${1:-}" = --fix ]; then
	fix=true
	shift
fi
root=${1:-$(dirname "$0")/..}
cd "$root"

dirs="lib include gdbserver"
# generated or foreign text that is not ours to format
exclude='^tests/fuzz/corpus/|^tests/abi/.*\.xml$'

if ! command -v clang-format-14 >/dev/null 2>&1; then
	echo "check-format: SKIP: clang-format-14 is not installed (tools/setup.sh style)"
	exit 77
fi
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "check-format: SKIP: $(pwd) is not a git checkout (the check lists tracked files)"
	exit 77
fi

files=$(git ls-files -- $dirs | grep -E '\.(c|h)$' | grep -Ev "$exclude" || true)
bad=0
for f in $files; do
	[ -f "$f" ] || continue
	if $fix; then
		clang-format-14 -i "$f"
	elif ! clang-format-14 --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "check-format: $f: not as clang-format-14 formats it (tools/check-format.sh --fix)"
		bad=$((bad + 1))
	fi
	long=$(expand -t 8 "$f" | awk -v f="$f" 'length > 100 { printf "%s:%d: %d columns\n", f, NR, length }')
	if [ -n "$long" ]; then
		echo "$long"
		bad=$((bad + 1))
	fi
done
n=$(echo "$files" | wc -w)
if [ "$bad" -ne 0 ]; then
	echo "check-format: $bad of $n files drifted"
	exit 1
fi
echo "check-format: $n files as clang-format-14 formats them, none over 100 columns"
