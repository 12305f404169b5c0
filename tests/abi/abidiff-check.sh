#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ABI check (suite abi): compare the freshly built libkvmdbg.so with the checked-in baseline
# tests/abi/libkvmdbg.abi (libabigail's XML of the last released ABI) with abidiff.
#
#   abidiff-check.sh BASELINE LIBRARY HEADERS_DIR SUPPRESSIONS
#   abidiff-check.sh --regenerate BASELINE LIBRARY HEADERS_DIR SUPPRESSIONS
#
# Fails when:
#   - abidiff finds a function or variable of the baseline removed or changed (a parameter or
#     return type, an enumerator of an enum a function takes or returns renumbered, ...);
#     libabigail takes symbol versions into account, so a symbol kept under its old version
#     node is not a removal;
#   - a symbol was added to a version node the baseline already has (released nodes of
#     lib/kvmdbg.sym are sealed: new symbols go into a new node);
#   - the library's SONAME is not the baseline's: after a deliberate ABI break (soversion
#     bumped in meson.build) the baseline must be regenerated, or nothing would be checked.
# Compatible changes (new symbols in a new node) are printed and pass.  Skips (exit 77) only
# when abidiff is not installed (Debian: abigail-tools; tools/setup.sh abi).
#
# Regenerating the baseline, after a deliberate ABI change such as the 0.2 API: build with
# debug info (the default buildtype has it), then from the top of the tree
#
#   meson setup build && meson compile -C build
#   sh tests/abi/abidiff-check.sh --regenerate tests/abi/libkvmdbg.abi \
#           build/lib/libkvmdbg.so include/kvmdbg tests/abi/libkvmdbg.suppr
#
# and commit tests/abi/libkvmdbg.abi with the change, saying in the commit message why the
# ABI changed.  The suppressions (tests/abi/libkvmdbg.suppr) keep the kernel's uapi types
# (struct kvm_run, which the public header only declares) out of the baseline.

set -u

regenerate=false
if [ "${1:-}" = --regenerate ]; then
	regenerate=true
	shift
fi
if [ $# -ne 4 ]; then
	echo "usage: $0 [--regenerate] BASELINE LIBRARY HEADERS_DIR SUPPRESSIONS" >&2
	exit 2
fi
baseline=$1
lib=$2
headers=$3
suppr=$4

if ! command -v abidiff >/dev/null 2>&1 || ! command -v abidw >/dev/null 2>&1; then
	echo "SKIP: abidiff/abidw not found (Debian: apt-get install abigail-tools," \
		"or sh tools/setup.sh abi)"
	exit 77
fi

if ! readelf -S "$lib" 2>/dev/null | grep -q '\.debug_info'; then
	echo "warning: $lib has no debug info (a release build?): only its symbols are" \
		"compared, not the types of the functions"
fi

if $regenerate; then
	abidw --suppressions "$suppr" --headers-dir "$headers" --drop-private-types \
		--exported-interfaces-only --no-corpus-path --no-comp-dir-path --no-show-locs \
		--type-id-style hash --out-file "$baseline" "$lib" || exit 1
	# source paths as seen from the build directory: keep them relative to the tree
	sed -i "s|<abi-instr \(.*\) path='[^']*/lib/|<abi-instr \1 path='lib/|" "$baseline"
	echo "wrote $baseline from $lib"
	exit 0
fi

if [ ! -f "$baseline" ]; then
	echo "FAIL: no baseline $baseline (see the top of $0 to generate it)"
	exit 1
fi

failed=0

# the SONAME: the baseline's, from its XML; the library's, from its dynamic section
base_soname=$(sed -n "s/.*<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$baseline" | head -n 1)
lib_soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
if [ "$base_soname" != "$lib_soname" ]; then
	echo "FAIL: the library is $lib_soname, the baseline $base_soname: an ABI break was" \
		"declared; regenerate the baseline (see the top of $0)"
	failed=1
fi

report=$(abidiff --suppressions "$suppr" --headers-dir2 "$headers" --drop-private-types \
	--no-show-locs "$baseline" "$lib")
rc=$?
[ -z "$report" ] || echo "$report"
# "Functions changes summary: R Removed, C Changed, A Added ..." and the same for variables
changed=$(echo "$report" |
	sed -n 's/.*changes summary: \([0-9]*\) Removed[^,]*, \([0-9]*\) Changed.*/\1 \2/p' |
	awk '{ n += $1 + $2 } END { print n + 0 }')
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change, 8 incompatible
# change.  libabigail counts only removals as incompatible (8): a changed parameter, return or
# enum type of an existing function is only "a change" (4).  For this library every change to
# what already exists is a break; only additions are compatible.
if [ $((rc & 3)) -ne 0 ]; then
	echo "FAIL: abidiff could not compare (exit status $rc)"
	failed=1
elif [ $((rc & 8)) -ne 0 ] || [ "$changed" -ne 0 ]; then
	echo "FAIL: incompatible ABI change (above: a function or variable removed or changed);" \
		"if it is deliberate, bump the soversion and regenerate the baseline (see the" \
		"top of $0)"
	failed=1
elif [ $((rc & 4)) -ne 0 ]; then
	echo "compatible ABI change (above: additions only)"
fi

# symbols added to a node the baseline already has
base_syms=$(sed -n "s/.*<elf-symbol name='\([^']*\)' version='\([^']*\)'.*/\1@\2/p" \
	"$baseline" | sort)
base_nodes=$(echo "$base_syms" | sed 's/.*@//' | sort -u)
lib_syms=$(nm -D --defined-only --with-symbol-versions "$lib" |
	awk '$2 != "A" { sub(/@@?/, "@", $3); print $3 }' | sort)
for sym in $lib_syms; do
	node=${sym#*@}
	if echo "$base_nodes" | grep -qx "$node" && ! echo "$base_syms" | grep -qx "$sym"; then
		echo "FAIL: ${sym%@*} was added to the released version node $node; add it in" \
			"a new node of lib/kvmdbg.sym"
		failed=1
	fi
done

if [ "$failed" -ne 0 ]; then
	exit 1
fi
echo "ABI of $lib_soname matches the baseline ($(echo "$base_syms" | wc -l) symbols)"
exit 0
