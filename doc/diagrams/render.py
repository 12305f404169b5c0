#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render doc/diagrams/*.dot to the committed *.svg next to them, or check that they agree.

Usage: render.py [--check] [DIR]

The SVGs are committed so that the documentation builds, and reads on a forge, without
Graphviz.  Without --check, every NAME.dot is rendered to NAME.svg with `dot -Tsvg`.  With
--check (the docs suite), every .dot must have its .svg and the reverse, and, where `dot` is
installed, each .svg must have the content the .dot gives today: the same nodes, edges and
texts.  The layout is not compared, so another Graphviz version does not make the check fail.
Every committed .svg must also fit a browser window 1280 pixels wide: its width, in CSS pixels
(96 per inch, so 4/3 of a point), is at most MAX_WIDTH_PX; this part needs no Graphviz.  A
diagram that is wider needs shorter lines in its labels, or another rankdir.
Exit status: 0 when all is well, 1 on a mismatch or a diagram too wide, 77 when only `dot` is
missing (the widths are checked all the same).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
MAX_WIDTH_PX = 1280
# CSS pixels per unit of an SVG length (CSS Values and Units: 1in = 96px = 72pt)
PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54,
               "mm": 96 / 25.4}


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


def width_px(svg_text):
    """The width of an SVG's outer element in CSS pixels, or None if it has no absolute one."""
    width = ET.fromstring(svg_text).get("width", "")
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-z]*)\s*", width)
    if not m or m.group(2) not in PX_PER_UNIT:
        return None
    return float(m.group(1)) * PX_PER_UNIT[m.group(2)]


def check_width(path):
    """0 if the SVG at path fits MAX_WIDTH_PX, else 1 (and says so)."""
    with open(path, encoding="utf-8") as f:
        px = width_px(f.read())
    if px is None:
        print("%s: no absolute width on its <svg> element" % path)
        return 1
    if px > MAX_WIDTH_PX:
        print("%s is %.0f px wide, more than %d: wrap its labels or change its rankdir in the "
              ".dot, then run doc/diagrams/render.py" % (path, px, MAX_WIDTH_PX))
        return 1
    return 0


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
            bad |= check_width(out)
        return bad

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
    for svg in svgs:
        bad |= check_width(svg)
    if not dot:
        print("%d diagrams, each with its .svg; Graphviz `dot` is not installed, so their "
              "content was not compared" % len(sources))
        return 1 if bad else 77
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
            with open(svg, encoding="utf-8") as f:
                px = width_px(f.read())
            print("%s: %d nodes and edges, as in the source; %.0f px wide" %
                  (os.path.basename(svg), len(fresh), px or 0))
    return bad


if __name__ == "__main__":
    sys.exit(main())
