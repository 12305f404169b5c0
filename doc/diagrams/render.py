#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render doc/diagrams/*.dot to the committed *.svg next to them, or check that they agree.

Usage: render.py [--check] [DIR]

The SVGs are committed so that the documentation builds, and reads on a forge, without
Graphviz.  Without --check, every NAME.dot is rendered to NAME.svg with `dot -Tsvg`.  With
--check (the docs suite), every .dot must have its .svg and the reverse, and, where `dot` is
installed, each .svg must have the content the .dot gives today: the same nodes, edges and
texts.  The layout is not compared, so another Graphviz version does not make the check fail.
Exit status: 0 when all is well, 1 on a mismatch, 77 when only `dot` is missing.
"""

import glob
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def content(svg_text):
    """The node and edge titles and all texts of an SVG made by dot, as a sorted list."""
    root = ET.fromstring(svg_text)
    items = []
    for group in root.iter(SVG + "g"):
        kind = group.get("class")
        if kind not in ("node", "edge", "cluster"):
            continue
        title = group.find(SVG + "title")
        texts = [t.text or "" for t in group.iter(SVG + "text")]
        items.append((kind, title.text if title is not None else "", tuple(texts)))
    return sorted(items)


def render(dot, path):
    return subprocess.run([dot, "-Tsvg", path], check=True, stdout=subprocess.PIPE,
                          text=True).stdout


def main():
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    folder = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    sources = sorted(glob.glob(os.path.join(folder, "*.dot")))
    svgs = sorted(glob.glob(os.path.join(folder, "*.svg")))
    dot = shutil.which("dot")
    bad = 0

    if not sources:
        print("no .dot file in %s" % folder)
        return 1
    if not check:
        if not dot:
            print("render.py: Graphviz `dot` is not installed (apt-get install graphviz)")
            return 1
        for src in sources:
            out = src[:-4] + ".svg"
            with open(out, "w", encoding="utf-8") as f:
                f.write(render(dot, src))
            print("wrote %s" % out)
        return 0

    for src in sources:
        if src[:-4] + ".svg" not in svgs:
            print("%s has no %s.svg: run doc/diagrams/render.py" % (src, src[:-4]))
            bad = 1
    for svg in svgs:
        if svg[:-4] + ".dot" not in sources:
            print("%s has no .dot source" % svg)
            bad = 1
    if bad:
        return 1
    if not dot:
        print("%d diagrams, each with its .svg; Graphviz `dot` is not installed, so their "
              "content was not compared" % len(sources))
        return 77
    for src in sources:
        svg = src[:-4] + ".svg"
        with open(svg, encoding="utf-8") as f:
            committed = content(f.read())
        fresh = content(render(dot, src))
        if committed != fresh:
            print("%s is out of date with %s: run doc/diagrams/render.py" % (svg, src))
            for item in sorted(set(fresh) - set(committed)):
                print("  missing: %s" % (item,))
            for item in sorted(set(committed) - set(fresh)):
                print("  stale:   %s" % (item,))
            bad = 1
        else:
            print("%s: %d nodes and edges, as in the source" % (os.path.basename(svg),
                                                               len(fresh)))
    return bad


if __name__ == "__main__":
    sys.exit(main())
