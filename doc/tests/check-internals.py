#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that doc/internals.md names only what the tree has.

Usage: check-internals.py SOURCE_ROOT PAGE

Every `code` span of the page that looks like a path (lib/..., tests/..., tools/..., doc/...)
must exist, NAME standing for any file; every `name()` must be defined (a function or a
function-like macro) in lib/ or include/; every `struct x`, `enum x` and QUIRK_/REQ_/
STEP_OVER_/CAUSE_ name must be declared there.  A page about the internals that a rename
leaves behind then fails the docs suite.
"""

import glob
import os
import re
import sys


def main():
    root, page = sys.argv[1], sys.argv[2]
    with open(page, encoding="utf-8") as f:
        text = f.read()
    sources = ""
    for path in glob.glob(os.path.join(root, "lib", "**", "*.[ch]"), recursive=True) + \
            glob.glob(os.path.join(root, "lib", "**", "*.def"), recursive=True) + \
            glob.glob(os.path.join(root, "include", "**", "*.h"), recursive=True):
        with open(path, encoding="utf-8") as f:
            sources += f.read()
    errors = []
    spans = re.findall(r"`([^`]+)`", text)
    for span in spans:
        if re.match(r"^(lib|tests|tools|doc|include)/", span):
            pattern = os.path.join(root, span.replace("NAME", "*"))
            if not glob.glob(pattern):
                errors.append(f"{span}: no such file")
        elif re.match(r"^[a-z_][a-z0-9_>-]*\(\)$", span):
            name = span[:-2].split("->")[-1]
            if "->" in span:
                ok = re.search(rf"\(\*{re.escape(name)}\)\(", sources) is not None
            else:
                ok = re.search(rf"^[^;(]*\b{re.escape(name)}\(", sources, re.M) is not None or \
                    re.search(rf"#define {re.escape(name)}\(", sources) is not None
            if not ok:
                errors.append(f"{span}: not defined in lib/ or include/")
        elif re.match(r"^(struct|enum) \w+$", span):
            if span.split()[1].startswith("kvm_"):
                continue  # the kernel's uapi, not ours
            if not re.search(rf"\b{span}\s*\{{", sources):
                errors.append(f"{span}: not declared in lib/ or include/")
        elif re.match(r"^(QUIRK|REQ|STEP_OVER|CAUSE|KVMDBG)_[A-Z0-9_]+$", span):
            if not re.search(rf"\b{span}\b", sources):
                errors.append(f"{span}: not declared in lib/ or include/")
    for e in errors:
        print(f"{page}: {e}")
    print(f"check-internals: {len(spans)} code spans, {len(errors)} unknown")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
