#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run Doxygen on a Doxyfile into a scratch directory; fail if it prints any warning, or if a
page it generated links to a file or an anchor that is not there.

Usage: check-doxygen.py DOXYGEN DOXYFILE

Doxygen's own WARN_AS_ERROR stops at the first warning (or, in newer versions, has a value the
older ones reject); this lists every warning and works with any version.  Doxygen says nothing
about some broken links (a Markdown link to "page.md#section" is passed through as it is), so
every local href and src of the HTML output is followed as well, and its text is searched
for Markdown that Doxygen passed through raw.
"""

import glob
import html
import html.parser
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import unquote


class Links(html.parser.HTMLParser):
    """The ids and names an HTML file defines, and the local links it makes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.anchors.add(value)
            if key in ("href", "src") or (tag == "object" and key == "data"):
                if value and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                    self.links.append((self.getpos()[0], value))


def check_refs(config):
    """@ref NAME "text" must not break its text across lines: Doxygen then ends the reference
    at the line break and prints the rest as raw text, without a warning."""
    bad = []
    inputs = re.findall(r'"([^"]+)"', config.split("INPUT", 1)[1].split("\n\n", 1)[0])
    for folder in inputs:
        for path in sorted(glob.glob(os.path.join(folder, "*.md"))):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in re.finditer(r'@ref\s+[\w.-]+(\s*\n\s*"|\s+"[^"\n]*\n)', text):
                line = text.count("\n", 0, m.start()) + 1
                bad.append("%s:%d: @ref with its text broken across lines" % (path, line))
    return bad


def page_files(config):
    """The HTML files of the Markdown pages: NAME.html for "# Title {#NAME}", index.html for
    the main page."""
    names = ["index.html"]
    inputs = re.findall(r'"([^"]+)"', config.split("INPUT", 1)[1].split("\n\n", 1)[0])
    for folder in inputs:
        for path in sorted(glob.glob(os.path.join(folder, "*.md"))):
            with open(path, encoding="utf-8") as f:
                m = re.match(r"#[^\n]*\{#([\w-]+)\}", f.read())
            if m:
                names.append(m.group(1) + ".html")
    return names


def check_markup(html_dir, names):
    """Markdown that Doxygen did not understand shows up as raw ` or ** in the text of a page
    (a code span inside double quotes, bold around a code span)."""
    bad = []
    for path in [os.path.join(html_dir, name) for name in names]:
        if not os.path.exists(path):
            bad.append("%s: the page was not generated" % os.path.basename(path))
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        body = text[text.find('<div class="contents">'):]
        body = re.sub(r'<div class="fragment">.*?</div><!-- fragment -->', "", body, flags=re.S)
        body = re.sub(r"<(pre|code|script)\b.*?</\1>", "", body, flags=re.S)
        body = html.unescape(re.sub(r"<[^>]+>", "", body))
        for m in re.finditer(r"`|\*\*|@ref\b|\[TOC\]", body):
            bad.append("%s: raw Markdown in the text: ...%s..." % (
                os.path.basename(path), body[max(0, m.start() - 40):m.end() + 40]
                .replace("\n", " ")))
    return bad


def check_links(html_dir):
    """Return a list of broken local links in the HTML output."""
    parsed = {}
    for path in glob.glob(os.path.join(html_dir, "**", "*.html"), recursive=True):
        p = Links()
        with open(path, encoding="utf-8", errors="replace") as f:
            p.feed(f.read())
        parsed[os.path.normpath(path)] = p
    broken = []
    for path, p in sorted(parsed.items()):
        for line, link in p.links:
            target, _, fragment = link.partition("#")
            target = unquote(target)
            full = os.path.normpath(os.path.join(os.path.dirname(path), target)) \
                if target else path
            where = "%s:%d" % (os.path.relpath(path, html_dir), line)
            if not os.path.exists(full):
                broken.append("%s: link to a missing file: %s" % (where, link))
            elif fragment and full in parsed and unquote(fragment) not in parsed[full].anchors:
                broken.append("%s: link to a missing anchor: %s" % (where, link))
    return broken


def main():
    doxygen, doxyfile = sys.argv[1:3]
    with open(doxyfile, encoding="utf-8") as f:
        config = f.read()
    refs = check_refs(config)
    with tempfile.TemporaryDirectory(prefix="kvmdbg-doxygen-") as out:
        # Later settings override earlier ones; "-" makes Doxygen read its config from stdin.
        config += '\nOUTPUT_DIRECTORY = "%s"\nWARN_LOGFILE =\nQUIET = YES\n' % out
        proc = subprocess.run([doxygen, "-"], input=config, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        broken = []
        if proc.returncode == 0:
            broken = check_links(os.path.join(out, "html")) + \
                check_markup(os.path.join(out, "html"), page_files(config))
        pages = len(glob.glob(os.path.join(out, "html", "*.html")))
    # Doxygen repeats a warning for each place it renders the text: print each line once.
    lines = list(dict.fromkeys(line for line in proc.stdout.splitlines() if line.strip()))
    for line in lines + broken + refs:
        print(line)
    if proc.returncode != 0:
        print("doxygen exited with %d" % proc.returncode)
        return 1
    if lines:
        print("doxygen printed %d distinct warning line(s): each must be fixed "
              "(every public declaration documented, no broken reference)" % len(lines))
        return 1
    if broken or refs:
        print("%d broken link(s) or raw Markdown in the generated HTML, %d broken "
              "reference(s) in the pages" % (len(broken), len(refs)))
        return 1
    print("doxygen: no warnings; %d HTML pages, every local link resolves" % pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
