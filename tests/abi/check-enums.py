#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that enum-values.c pins every enumerator of the public header, and nothing else.

enum-values.c holds one PIN(NAME, VALUE) static assertion per enumerator; the compiler checks
the values, this script that none is missing (a new enumerator must get its line) and none is
stale (a removed one is an ABI break the file must not hide).
"""

import argparse
import re
import sys


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def header_enumerators(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    names = []
    for body in re.findall(r"\benum\s+\w+\s*\{(.*?)\}", text, re.S):
        for item in body.split(","):
            m = re.match(r"\s*([A-Za-z_]\w*)", item)
            if m:
                names.append(m.group(1))
    return names


def pinned(path):
    text = strip_comments(open(path, encoding="utf-8").read())
    return re.findall(r"^\s*PIN\(\s*([A-Za-z_]\w*)\s*,", text, re.M)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True)
    ap.add_argument("--pins", required=True)
    args = ap.parse_args()

    declared = header_enumerators(args.header)
    pins = pinned(args.pins)
    ok = True
    if not declared:
        print("FAIL: no enumerators found in %s" % args.header)
        ok = False
    for name in declared:
        if name not in pins:
            print("FAIL: %s (%s) has no PIN() in %s" % (name, args.header, args.pins))
            ok = False
    for name in pins:
        if name not in declared:
            print("FAIL: %s is pinned in %s but not declared in %s" % (name, args.pins,
                                                                       args.header))
            ok = False
        if pins.count(name) > 1:
            print("FAIL: %s is pinned twice" % name)
            ok = False
    if ok:
        print("%d enumerators, each pinned to its value" % len(declared))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
