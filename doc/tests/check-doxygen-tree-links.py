#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run doc/check-doxygen.py and accept the links it cannot follow that point into the source tree.

Usage: check-doxygen-tree-links.py CHECK_DOXYGEN DOC_DIR DOXYGEN DOXYFILE

The kernel interface page links each "[tested: ...]" mark to the test source that checks it
(tests/test-interface.c, ../tests/kvm/test-kvm-step.c): links for a reader of the source
tree, which the generated HTML cannot resolve.  check-doxygen.py reports every local link of
the HTML that leads nowhere; this runs it and accepts such a report only for a link to a C
source that exists in the tree relative to DOC_DIR (where the pages are).  Any other report,
a Doxygen warning or a broken link to anything else, still fails.
"""

import os
import re
import subprocess
import sys

BROKEN = re.compile(r"^[^:]+\.html:\d+: link to a missing file: (\S+)$")
SUMMARY = re.compile(r"^\d+ broken link\(s\) or raw Markdown in the generated HTML, "
                     r"0 broken reference\(s\) in the pages$")


def main():
    check, doc_dir, doxygen, doxyfile = sys.argv[1:5]
    proc = subprocess.run([sys.executable, check, doxygen, doxyfile], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode == 0:
        print(proc.stdout, end="")
        return 0
    tree, other = [], []
    for line in proc.stdout.splitlines():
        m = BROKEN.match(line)
        if m and m.group(1).endswith((".c", ".h")) and \
                os.path.isfile(os.path.join(doc_dir, m.group(1))):
            tree.append(m.group(1))
        elif not SUMMARY.match(line):
            other.append(line)
    for line in other:
        print(line)
    if other or not tree:
        return 1
    print("doxygen: no warnings; every local link resolves but %d link(s) to source files of "
          "the tree, which exist: %s" % (len(tree), ", ".join(sorted(set(tree)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
