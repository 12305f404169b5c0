#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that every test a documentation page cites exists.

Usage: check-citations.py BUILD_ROOT SOURCE_ROOT DOC...

The pages back their statements with marks such as "[tested: interface/single-step,
kvm/step/real, unit/x86/decode/int3, raw-interface]" (doc/kvm-guest-debug.md explains them).
Each name must be a test case that the built test programs list (GLib's "-l"), with "*" as a
wildcard, or a sample program in doc/examples/.  A renamed or deleted test case then fails the
docs suite instead of leaving a page that cites nothing.
"""

import fnmatch
import glob
import os
import re
import subprocess
import sys

MARK = re.compile(r"\[tested(?:,[^:\]]*)?:([^\]]*)\]")
PREFIXES = {
    "interface/": "/kvmdbg/docs/interface/",
    "kvm/": "/kvmdbg/kvm/",
    "unit/": "/kvmdbg/unit/",
}


def list_cases(build_root):
    programs = []
    for pattern in ("tests/unit/test-unit-*", "tests/kvm/test-kvm-*", "doc/test-docs-*"):
        programs += [p for p in glob.glob(os.path.join(build_root, pattern))
                     if os.path.isfile(p) and os.access(p, os.X_OK)]
    cases = set()
    for program in sorted(programs):
        out = subprocess.run([program, "-l"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=60).stdout
        cases.update(line.strip() for line in out.splitlines() if line.startswith("/kvmdbg/"))
    return programs, cases


def main():
    build_root, source_root, docs = sys.argv[1], sys.argv[2], sys.argv[3:]
    programs, cases = list_cases(build_root)
    if not cases:
        print("no test program found under %s" % build_root)
        return 1
    bad = 0
    cited = 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for m in MARK.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for name in (" ".join(n.split()) for n in m.group(1).split(",")):
                if "..." in name:
                    continue    # the legend that explains the marks
                cited += 1
                prefix = next((p for p in PREFIXES if name.startswith(p)), None)
                if prefix:
                    path = PREFIXES[prefix] + name[len(prefix):]
                    if not any(fnmatch.fnmatchcase(c, path) for c in cases):
                        print("%s:%d: no test case %s" % (doc, line, path))
                        bad = 1
                elif re.fullmatch(r"[a-z0-9-]+", name):
                    sample = os.path.join(source_root, "doc", "examples", name + ".c")
                    if not os.path.exists(sample):
                        print("%s:%d: no sample %s" % (doc, line, sample))
                        bad = 1
                else:
                    print("%s:%d: cannot read the citation '%s'" % (doc, line, name))
                    bad = 1
    print("%d citations in %d documents against %d test cases of %d programs: %s"
          % (cited, len(docs), len(cases), len(programs), "broken" if bad else "all exist"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
