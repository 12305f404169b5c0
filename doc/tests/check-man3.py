#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the generated section-3 man pages of a library against its version script and header.

Usage: check-man3.py --sym S --header H [--include-dir D...] [--groff G]
                     [--overview NAME(7)] [--overview-page FILE] [--cc CC [ARG...] --] DIR

- one page per global symbol of the version script, and no page without one; the only other
  pages are .so links named after a callback typedef of the header, to a page that exists;
- each page has NAME, LIBRARY, SYNOPSIS, DESCRIPTION, HISTORY and SEE ALSO (which names the
  overview page), RETURN VALUE when the call returns something, and its NAME is its symbol;
- groff -man -Tutf8 -ww renders it without a warning, and no line of the -Tutf8 rendering at 80
  columns is wider than 80;
- every name it mentions with the prefix of the symbols (kvmdbg_, in either case) is in the
  header;
- with --overview-page, every page of section 3 the overview page refers to is here;
- the synopsis is the header's declaration: the SYNOPSIS of every page, as rendered, is
  compiled after the header with --cc, where a prototype that differs from the header's in
  any type is a "conflicting types" error.

Exit status: 0, 1 on a problem, 77 when groff is not installed.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

SECTIONS_ALWAYS = ["NAME", "LIBRARY", "SYNOPSIS", "DESCRIPTION", "HISTORY", "SEE ALSO"]


def version_script_symbols(path):
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
    symbols = set()
    for body in re.findall(r"[A-Za-z_][\w.]*\s*\{(.*?)\}\s*[\w.]*\s*;", text, re.S):
        scope = "global"
        for item in re.split(r"[;\s]+", body):
            if item in ("global:", "local:"):
                scope = item[:-1]
            elif item and scope == "global":
                symbols.add(item)
    return symbols


def render(groff, page, env):
    proc = subprocess.run([groff, "-man", "-Tutf8", "-rLL=80n", page], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return re.sub(r".\x08", "", proc.stdout)


def section(text, name):
    """The rendered lines of one section (headings start in column 0)."""
    lines = text.splitlines()
    out = None
    for line in lines:
        if out is None:
            if line.strip() == name and not line.startswith(" "):
                out = []
        elif line and not line.startswith(" "):
            break
        else:
            out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sym", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--overview", default="kvmdbg(7)")
    ap.add_argument("--overview-page", default=None)
    ap.add_argument("--include-dir", action="append", default=[])
    ap.add_argument("--groff", default="groff")
    ap.add_argument("--cc", nargs="+", default=None)
    ap.add_argument("dir")
    args = ap.parse_args()

    groff = shutil.which(args.groff)
    env = dict(os.environ, LC_ALL="C.UTF-8")
    with open(args.header, encoding="utf-8") as f:
        api = f.read()
    typedefs = set(re.findall(r"typedef\s[^;]*?\(\s*\*\s*(\w+)\s*\)", api))
    symbols = version_script_symbols(args.sym)
    # the prefix every exported name shares, up to its first underscore (kvmdbg_)
    prefix = os.path.commonprefix(sorted(symbols)) if symbols else ""
    prefix = prefix[:prefix.index("_") + 1] if "_" in prefix else prefix
    bad = 0

    def fail(msg):
        nonlocal bad
        print("FAIL: " + msg)
        bad = 1

    pages, links = {}, {}
    for path in sorted(glob.glob(os.path.join(args.dir, "*.3"))):
        name = os.path.basename(path)[:-2]
        with open(path, encoding="utf-8") as f:
            source = f.read()
        m = re.match(r"\.so\s+(\S+)\s*$", source)
        if m:
            links[name] = m.group(1)
        else:
            pages[name] = (path, source)
    for sym in sorted(symbols - set(pages)):
        fail("%s is exported (%s) but has no page in %s" % (sym, args.sym, args.dir))
    for name in sorted(set(pages) - symbols):
        fail("%s.3 has no symbol in %s" % (name, args.sym))
    for name, target in sorted(links.items()):
        if name not in typedefs:
            fail("%s.3 is a link, but %s is no callback typedef of %s" % (name, name,
                                                                          args.header))
        if not re.match(r"man3/(\w+)\.3$", target) or target[5:-2] not in pages:
            fail("%s.3 links to %s, which is not a page here" % (name, target))

    if args.overview_page:
        with open(args.overview_page, encoding="utf-8") as f:
            overview = f.read()
        refs = set(re.findall(r"(?:^|\s)(\w+)\s+\(3\)", overview, re.M))
        refs |= set(re.findall(r"\\fB(\w+)\\fP\(3\)", overview))
        for ref in sorted(refs):
            if ref not in pages and prefix and ref.startswith(prefix):
                fail("%s refers to %s(3), which has no page" % (args.overview_page, ref))

    if not groff:
        print("groff is not installed: %d pages and %d links matched to the symbols, the "
              "pages not rendered" % (len(pages), len(links)))
        return 1 if bad else 77

    prototypes = []
    for name, (path, source) in sorted(pages.items()):
        for api_name in sorted(set(re.findall(r"\b(?:%s|%s)[A-Za-z0-9_]+" % (
                prefix, prefix.upper()), source))):
            if not re.search(r"\b%s\b" % re.escape(api_name), api):
                fail("%s.3 names %s, which is not in %s" % (name, api_name, args.header))
        heads = re.findall(r"^\.SH\s+\"?([^\"\n]+)\"?\s*$", source, re.M)
        for want in SECTIONS_ALWAYS:
            if want not in heads:
                fail("%s.3 has no %s section" % (name, want))
        proc = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", path], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for line in proc.stderr.splitlines():
            fail("%s.3: groff: %s" % (name, line))
        if proc.returncode != 0:
            fail("%s.3: groff exited with %d" % (name, proc.returncode))
        text = render(groff, path, env)
        for number, line in enumerate(text.splitlines(), 1):
            if len(line) > 80:
                fail("%s.3: rendered line %d is %d columns wide: %s" % (name, number,
                                                                         len(line), line))
        name_sec = section(text, "NAME") or []
        if not name_sec or not " ".join(name_sec).strip().startswith(name + " "):
            fail("%s.3: NAME does not start with %s" % (name, name))
        see = " ".join(section(text, "SEE ALSO") or [])
        if args.overview not in see:
            fail("%s.3: SEE ALSO does not name %s" % (name, args.overview))
        synopsis = section(text, "SYNOPSIS") or []
        decl = " ".join(line.strip() for line in synopsis
                        if not line.strip().startswith("#include"))
        decl = " ".join(decl.split())
        if not re.search(r"\b%s\(" % re.escape(name), decl):
            fail("%s.3: the synopsis does not declare %s" % (name, name))
        prototypes.append((name, decl))
        returns = not re.search(r"^\s*void\s+%s\s*\(" % re.escape(name), api, re.M)
        if returns and "RETURN VALUE" not in heads:
            fail("%s.3 has no RETURN VALUE section" % name)

    if args.cc:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "synopses.c")
            with open(src, "w", encoding="utf-8") as f:
                rel = os.path.relpath(args.header, args.include_dir[0]) if args.include_dir \
                    else os.path.basename(args.header)
                f.write("#include <%s>\n" % rel)
                for name, decl in prototypes:
                    f.write("/* %s.3 */\n%s\n" % (name, decl))
            cmd = args.cc + ["-std=c11", "-pedantic", "-Werror", "-Wall", "-fsyntax-only"]
            cmd += ["-I" + d for d in args.include_dir] + [src]
            proc = subprocess.run(cmd, text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
            if proc.returncode != 0:
                fail("the synopses do not compile after %s:\n%s" % (args.header, proc.stdout))

    print("%d pages, %d callback links, %d symbols in %s: %s" % (
        len(pages), len(links), len(symbols), os.path.basename(args.sym),
        "problems" if bad else "fine"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
