#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that every test a documentation page cites exists, in the file the page links to.

Usage: check-citations.py BUILD_ROOT SOURCE_ROOT DOC... [--links DOC...]

The pages back their statements with marks such as "[tested: interface/single-step,
interface/hw-breakpoint/*](tests/test-interface.c)" (doc/kvm-guest-debug.md explains them):
the names of test cases, and a link, relative to the page, to the source file that defines
them.  Each name must be a test case that one of the built test programs lists (GLib's
"-l"), with "*" as a wildcard, or a sample program in doc/examples/; and the link must be
a file of the source tree that the program listing the case is built from (Meson's
meson-info/intro-targets.json says which), or the sample itself.  A renamed, moved or
deleted test case then fails the docs suite instead of leaving a page that cites nothing or
links to the wrong file.  A mark whose names contain "..." is the legend and is skipped.
The pages after "--links" must link every mark; in the others a mark may go without a link
(then only its names are checked).
"""

import fnmatch
import glob
import json
import os
import re
import subprocess
import sys

MARK = re.compile(r"\[tested(?:,[^:\]]*)?:([^\]]*)\](?:\(([^)\s]*)\))?")
PREFIXES = {
    "interface/": "/kvmdbg/docs/interface/",
    "kvm/": "/kvmdbg/kvm/",
    "unit/": "/kvmdbg/unit/",
}


def target_sources(build_root):
    """Each built program's source files, from Meson's introspection data."""
    path = os.path.join(build_root, "meson-info", "intro-targets.json")
    with open(path, encoding="utf-8") as f:
        targets = json.load(f)
    sources = {}
    for target in targets:
        files = {os.path.normpath(s) for group in target.get("target_sources", [])
                 for s in group.get("sources", [])}
        for name in target.get("filename", []):
            sources[os.path.normpath(name)] = files
    return sources


def list_cases(build_root):
    """{program: set of the test cases it lists}"""
    programs = []
    for pattern in ("tests/unit/test-unit-*", "tests/kvm/test-kvm-*", "doc/test-docs-*"):
        programs += [p for p in glob.glob(os.path.join(build_root, pattern))
                     if os.path.isfile(p) and os.access(p, os.X_OK)]
    cases = {}
    for program in sorted(programs):
        out = subprocess.run([program, "-l"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True, timeout=60).stdout
        cases[os.path.normpath(program)] = {line.strip() for line in out.splitlines()
                                            if line.startswith("/kvmdbg/")}
    return cases


def main():
    build_root, source_root, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    docs = [a for a in args if a != "--links"]
    linked = set(args[args.index("--links") + 1:]) if "--links" in args else set()
    cases = list_cases(build_root)
    sources = target_sources(build_root)
    if not any(cases.values()):
        print("no test program found under %s" % build_root)
        return 1
    bad = 0
    cited = 0
    for doc in docs:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for m in MARK.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            names = [" ".join(n.split()) for n in m.group(1).split(",")]
            if any("..." in name for name in names):
                continue    # the legend that explains the marks
            where = "%s:%d" % (doc, line)
            if m.group(2) is None and doc in linked:
                print("%s: the mark links to no test file: %s" % (where, m.group(0)))
                bad = 1
                continue
            target = None
            if m.group(2) is not None:
                target = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(doc)),
                                                       m.group(2)))
            if target is not None and not os.path.isfile(target):
                print("%s: the mark links to a missing file %s" % (where, m.group(2)))
                bad = 1
                continue
            for name in names:
                cited += 1
                prefix = next((p for p in PREFIXES if name.startswith(p)), None)
                if prefix:
                    path = PREFIXES[prefix] + name[len(prefix):]
                    listing = [p for p, c in cases.items()
                               if any(fnmatch.fnmatchcase(x, path) for x in c)]
                    if not listing:
                        print("%s: no test case %s" % (where, path))
                        bad = 1
                    elif target and not any(target in sources.get(p, ()) for p in listing):
                        print("%s: %s is not built from %s" % (where, path, m.group(2)))
                        bad = 1
                elif re.fullmatch(r"[a-z0-9-]+", name):
                    sample = os.path.normpath(os.path.join(source_root, "doc", "examples",
                                                           name + ".c"))
                    if not os.path.exists(sample):
                        print("%s: no sample %s" % (where, sample))
                        bad = 1
                    elif target and target != sample:
                        print("%s: the sample %s is not %s" % (where, name, m.group(2)))
                        bad = 1
                else:
                    print("%s: cannot read the citation '%s'" % (where, name))
                    bad = 1
    print("%d citations in %d documents against %d test cases of %d programs: %s"
          % (cited, len(docs), sum(len(c) for c in cases.values()), len(cases),
             "broken" if bad else "all exist, each in the file its mark links to"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
