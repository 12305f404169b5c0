#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the architecture table of doc/guide.md against the library's backend data.

Usage: check-arch-table.py ARCH_TABLE_PROGRAM GUIDE_MD

ARCH_TABLE_PROGRAM (doc/tests/arch-table.c, linked with the library's core) prints the table
from lib/arch/ as Markdown.  The guide holds the same table between the two marker comments
"arch-table begin" and "arch-table end"; every cell must agree, so a backend that changes,
or a new one, changes the page too.  On a mismatch the expected table is printed, ready to
paste.
"""

import subprocess
import sys

BEGIN = "<!-- arch-table begin"
END = "<!-- arch-table end"


def cells(lines):
    rows = []
    for line in lines:
        line = line.strip()
        if not line.startswith("|"):
            continue
        row = [cell.strip() for cell in line.strip("|").split("|")]
        if all(set(cell) <= set("-: ") for cell in row):
            continue    # the |---|---| line
        rows.append(row)
    return rows


def main():
    program, guide = sys.argv[1:3]
    expected_text = subprocess.run([program], check=True, stdout=subprocess.PIPE,
                                   text=True).stdout
    with open(guide, encoding="utf-8") as f:
        lines = f.read().split("\n")
    begin = [i for i, line in enumerate(lines) if line.startswith(BEGIN)]
    end = [i for i, line in enumerate(lines) if line.startswith(END)]
    if len(begin) != 1 or len(end) != 1 or end[0] < begin[0]:
        print("%s: expected one '%s ...' and one '%s ...' marker" % (guide, BEGIN, END))
        return 1
    actual = cells(lines[begin[0] + 1:end[0]])
    expected = cells(expected_text.split("\n"))
    bad = 0
    if len(actual) != len(expected):
        print("%s: the table has %d rows, the library's data %d" % (guide, len(actual),
                                                                     len(expected)))
        bad = 1
    for row, (a, e) in enumerate(zip(actual, expected)):
        if a != e:
            bad = 1
            for col, (x, y) in enumerate(zip(a + [""] * len(e), e + [""] * len(a))):
                if x != y:
                    print("%s: row '%s', column %d: the page says '%s', the library '%s'"
                          % (guide, e[0], col, x, y))
    if bad:
        print("the table from the library's data:\n%s" % expected_text)
        return 1
    print("%s: %d rows x %d architectures agree with lib/arch" % (guide, len(expected) - 1,
                                                                  len(expected[0]) - 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
