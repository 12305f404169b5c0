#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gdbserver/README.md shows each recipe whole: every file given is one of its ```c blocks,
byte for byte, and every ```c block is one of the files.

Usage: check-readme.py README.md RECIPE.c...
"""

import re
import sys


def main():
    readme, files = sys.argv[1], sys.argv[2:]
    with open(readme, encoding="utf-8") as f:
        blocks = re.findall(r"^```c\n(.*?)^```$", f.read(), re.S | re.M)
    failures = 0
    texts = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            texts[path] = f.read()
        if texts[path] not in blocks:
            print(f"FAIL: {path} is not shown whole in {readme}")
            failures += 1
    for i, block in enumerate(blocks):
        if block not in texts.values():
            print(f"FAIL: C block {i + 1} of {readme} is none of the recipes")
            failures += 1
    print(f"{len(blocks)} C blocks, {len(files)} recipes, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
