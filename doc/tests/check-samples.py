#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that every C sample in the documentation is code that compiles.

Usage: check-samples.py EXAMPLES_DIR DOC_FILE...
       check-samples.py --print EXAMPLES_DIR NAME   (a snippet, ready to paste)

The samples live in EXAMPLES_DIR as programs the docs suite builds and runs; the parts the
documentation shows are marked in them:

    /* snippet: NAME */
    ...
    /* snippet end */

Every ```c block of a Markdown file, and every .EX/.EE block of a man page, must be the text
of one snippet (the common indentation removed), and every snippet must be shown somewhere.
So a sample in the documentation cannot change without the compiled code changing with it.
"""

import glob
import os
import re
import sys

START = re.compile(r"^\s*/\* snippet: ([A-Za-z0-9_-]+) \*/\s*$")
END = re.compile(r"^\s*/\* snippet end \*/\s*$")


def dedent(lines):
    """Remove the indentation common to all non-empty lines (tabs or spaces, not mixed)."""
    body = [line for line in lines if line.strip()]
    if not body:
        return lines
    width = min(len(line) - len(line.lstrip("\t ")) for line in body)
    return [line[width:] if line.strip() else "" for line in lines]


def read_snippets(folder):
    snippets = {}
    bad = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.[ch]"))):
        name, start, lines = None, 0, []
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n").rstrip()
                m = START.match(line)
                if m:
                    if name:
                        print("%s:%d: snippet %s inside %s" % (path, number, m.group(1), name))
                        bad = 1
                    name, start, lines = m.group(1), number, []
                elif END.match(line):
                    if not name:
                        print("%s:%d: snippet end without a start" % (path, number))
                        bad = 1
                    elif name in snippets:
                        print("%s:%d: snippet %s defined twice" % (path, start, name))
                        bad = 1
                    else:
                        snippets[name] = ("%s:%d" % (os.path.basename(path), start),
                                          dedent(lines))
                    name = None
                elif name:
                    lines.append(line)
        if name:
            print("%s:%d: snippet %s has no end" % (path, start, name))
            bad = 1
    return snippets, bad


def markdown_blocks(path):
    """(line, language, lines) of every fenced block."""
    blocks = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```\s*([A-Za-z0-9_.{}-]*)\s*$", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            blocks.append((i + 1, m.group(1), [line.rstrip() for line in lines[i + 1:j]]))
            i = j + 1
        else:
            i += 1
    return blocks


def unescape_troff(line):
    line = line.replace("\\e", "\\").replace("\\-", "-").replace("\\(aq", "'")
    return line.replace("\\(dq", '"').replace("\\&", "")


def man_blocks(path):
    blocks = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == ".EX":
            j = i + 1
            while j < len(lines) and lines[j].strip() != ".EE":
                j += 1
            body = [unescape_troff(line).rstrip() for line in lines[i + 1:j]]
            blocks.append((i + 1, "c", body))
            i = j + 1
        else:
            i += 1
    return blocks


def expand(lines):
    return [line.expandtabs(8) for line in lines]


def main():
    if sys.argv[1] == "--print":
        snippets, bad = read_snippets(sys.argv[2])
        if sys.argv[3] not in snippets:
            print("no snippet %s; there are: %s" % (sys.argv[3], " ".join(sorted(snippets))))
            return 1
        print("```c\n%s\n```" % "\n".join(snippets[sys.argv[3]][1]))
        return bad
    folder, docs = sys.argv[1], sys.argv[2:]
    snippets, bad = read_snippets(folder)
    used = set()
    shown = 0
    for doc in docs:
        # the man page comes as its source, kvmdbg.7.in, before configure_file()
        is_man = re.search(r"\.[1-9](\.in)?$", doc) is not None
        for number, lang, lines in (man_blocks(doc) if is_man else markdown_blocks(doc)):
            if lang.lower() not in ("c", "{.c}"):
                continue
            shown += 1
            match = None
            for name, (where, text) in snippets.items():
                if lines == text or (is_man and expand(dedent(lines)) == expand(text)):
                    match = name
                    break
            if match:
                used.add(match)
                continue
            bad = 1
            print("%s:%d: this C block is not a snippet of %s" % (doc, number, folder))
            best = max(snippets.items(), key=lambda kv: len(set(kv[1][1]) & set(lines)),
                       default=None)
            if best:
                name, (where, text) = best
                print("  closest: snippet %s (%s); first difference:" % (name, where))
                for k, (a, b) in enumerate(zip(lines + [""] * len(text),
                                               text + [""] * len(lines))):
                    if a != b:
                        print("    doc:     %r\n    snippet: %r" % (a, b))
                        break
    for name in sorted(set(snippets) - used):
        bad = 1
        print("snippet %s (%s) is shown nowhere" % (name, snippets[name][0]))
    print("%d C blocks in %d documents, %d snippets: %s" % (shown, len(docs), len(snippets),
                                                           "mismatch" if bad else "all agree"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
