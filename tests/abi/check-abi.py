#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that libkvmdbg's shared library, version script and public header agree.

- every symbol the library exports is listed in the version script, in the version node the
  script puts it in, and starts with kvmdbg_;
- every symbol in the version script is exported and declared in the header;
- every function declared in the header is in the version script;
- the library needs libc only (the dynamic loader is tolerated) and its SONAME is the expected
  one.
"""

import argparse
import re
import subprocess
import sys

PREFIX = "kvmdbg_"
ALLOWED_NEEDED = re.compile(r"^(libc\.so\.6|ld-linux[-\w.]*\.so\.\d+)$")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def parse_version_script(path):
    """Return {symbol: node} for every global symbol of the script."""
    text = strip_comments(open(path, encoding="utf-8").read())
    symbols = {}
    for node, body in re.findall(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;", text, re.S):
        scope = "global"
        for item in re.split(r"[;\s]+", body):
            if not item:
                continue
            if item in ("global:", "local:"):
                scope = item[:-1]
            elif scope == "global":
                if item in symbols:
                    fail("%s is listed twice in the version script" % item)
                symbols[item] = node
            elif item != "*":
                fail("unexpected local entry %r in the version script" % item)
    if not symbols:
        fail("no global symbols found in the version script %s" % path)
    return symbols


def parse_header(path):
    """Return the names of the functions the header declares."""
    text = strip_comments(open(path, encoding="utf-8").read())
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.M | re.S)
    # A declaration is a name followed by its parameter list; a function-pointer typedef
    # "(*kvmdbg_x_fn)(" has ")" after the name and so does not match.
    names = set(re.findall(r"(?<!\w)(" + PREFIX + r"\w+)\s*\(", text))
    if not names:
        fail("no function declarations found in %s" % path)
    return names


def run(cmd):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout


def exported_symbols(nm, lib):
    """Return {symbol: version} for the defined dynamic symbols; version nodes left out."""
    out = {}
    for line in run([nm, "-D", "--defined-only", lib]).splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        kind, name = fields[1], fields[2]
        name, _, version = name.partition("@")
        version = version.lstrip("@")
        if kind == "A" and not version:
            continue  # the symbol that names a version node
        out[name] = version
    return out


def dynamic_section(readelf, lib):
    needed, sonames = [], []
    for line in run([readelf, "-d", "-W", lib]).splitlines():
        m = re.search(r"\((NEEDED|SONAME)\)\s+.*\[(.*)\]", line)
        if m:
            (needed if m.group(1) == "NEEDED" else sonames).append(m.group(2))
    return needed, sonames


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nm", default="nm")
    ap.add_argument("--readelf", default="readelf")
    ap.add_argument("--lib", required=True)
    ap.add_argument("--sym", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--soname", required=True)
    args = ap.parse_args()

    script = parse_version_script(args.sym)
    declared = parse_header(args.header)
    exported = exported_symbols(args.nm, args.lib)

    for name, version in sorted(exported.items()):
        if not name.startswith(PREFIX):
            fail("%s is exported but lacks the %s prefix" % (name, PREFIX))
        if name not in script:
            fail("%s is exported but not listed in %s" % (name, args.sym))
        elif version != script[name]:
            fail("%s is exported with version %r, the script says %r"
                 % (name, version, script[name]))
    for name in sorted(script):
        if name not in exported:
            fail("%s is in the version script but the library does not export it" % name)
        if name not in declared:
            fail("%s is in the version script but not declared in the header" % name)
    for name in sorted(declared - set(script)):
        fail("%s is declared in the header but not in the version script" % name)

    needed, sonames = dynamic_section(args.readelf, args.lib)
    for lib in needed:
        if not ALLOWED_NEEDED.match(lib):
            fail("the library needs %s; only libc is allowed" % lib)
    if "libc.so.6" not in needed:
        fail("libc.so.6 is not among the library's DT_NEEDED entries: %s" % needed)
    if sonames != [args.soname]:
        fail("SONAME is %s, expected %s" % (sonames, args.soname))

    print("%d symbols exported, %d in the version script, %d declared in the header; "
          "DT_NEEDED %s; SONAME %s" % (len(exported), len(script), len(declared),
                                       " ".join(needed), " ".join(sonames)))
    if failures:
        print("%d ABI check(s) failed" % len(failures))
        return 1
    print("ABI checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
