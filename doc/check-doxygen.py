#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run Doxygen on a Doxyfile into a scratch directory; fail if it prints any warning.

Usage: check-doxygen.py DOXYGEN DOXYFILE

Doxygen's own WARN_AS_ERROR stops at the first warning (or, in newer versions, has a value the
older ones reject); this lists every warning and works with any version.
"""

import subprocess
import sys
import tempfile


def main():
    doxygen, doxyfile = sys.argv[1:3]
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    with tempfile.TemporaryDirectory(prefix="kvmdbg-doxygen-") as out:
        # Later settings override earlier ones; "-" makes Doxygen read its config from stdin.
        config += '\nOUTPUT_DIRECTORY = "%s"\nWARN_LOGFILE =\nQUIET = YES\n' % out
        proc = subprocess.run([doxygen, "-"], input=config, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Doxygen repeats a warning for each place it renders the text: print each line once.
    lines = list(dict.fromkeys(line for line in proc.stdout.splitlines() if line.strip()))
    for line in lines:
        print(line)
    if proc.returncode != 0:
        print("doxygen exited with %d" % proc.returncode)
        return 1
    if lines:
        print("doxygen printed %d distinct warning line(s): each must be fixed "
              "(every public declaration documented, no broken reference)" % len(lines))
        return 1
    print("doxygen: no warnings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
