#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write a section-3 man page for every exported call of a library, from its header's Doxygen.

Usage:
  gen-man3.py --header H --sym S --outdir DIR --package P --version V --lib L
              --include I [--overview PAGE] [--date YYYY-MM-DD]

  --header   the public header whose Doxygen comments document the calls
  --sym      the linker version script: every global symbol gets a page, and only those
  --outdir   where the pages go (created; *.3 files of an earlier run that no symbol
             asks for any more are removed)
  --package  the library's name, for the title line and LIBRARY (libkvmdbg)
  --version  the version, for the title line (0.2.0)
  --lib      the name for -l and pkg-config (kvmdbg)
  --include  what the synopsis includes (kvmdbg/kvmdbg.h)
  --overview the overview page every SEE ALSO ends with (default: LIB(7))
  --date     the date of the title line; default: SOURCE_DATE_EPOCH, else the header's
             modification time

Each page has NAME (from @brief), LIBRARY, SYNOPSIS (the #include and the declaration as
the header has it, with the callback typedefs it takes), DESCRIPTION (the comment, the
parameters, the enums and callbacks it takes or names), RETURN VALUE (@return), ERRORS
(every -Exxx that begins a clause of @return, with that clause; "As other_call()" and
"-Exxx as other_call()" take other_call's), NOTES (the introduction of the Doxygen groups
the call is in, and of those it refers to with @ref, which becomes "TITLE under NOTES"; so
does "the introduction"), HISTORY (@since and the symbol's version node) and SEE ALSO (the
calls the comment and its groups name, and the overview). Every callback typedef also gets
a page that is a .so link to the page of the first call that takes it.

It knows the subset of Doxygen the header uses: @brief, @param, @return, @since, @p, @c,
#NAME, @ref, @code/@endcode, \\#, "- " lists, @defgroup with @{ and @}. Anything it does not
know stops it, so that a page never shows raw markup. Nothing here is specific to one
library: doc/meson.build runs it once per public header.
"""

import argparse
import datetime
import os
import re
import sys

WIDTH = 80 - 7  # a rendered line is 80 columns; the synopsis is indented by 7
BARE_ERRORS = {"ENOMEM": "memory could not be allocated"}


class Error(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Reading the header


def comment_lines(body):
    """The text lines of a /** ... */ comment body, without the leading ' * '."""
    lines = []
    for line in body.split("\n"):
        line = re.sub(r"^\s*\*( |$)", "", line.rstrip())
        lines.append(line)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


class Doc:
    """A parsed Doxygen comment."""

    def __init__(self, lines):
        self.brief = ""
        self.body = []      # lines of the detailed description
        self.params = []    # (name, text)
        self.ret = ""
        self.since = ""
        self.group = None   # (name, title) for @defgroup
        current = None      # the list the current line continues
        for line in lines:
            stripped = line.strip()
            m = re.match(r"@(\w+)\s*(.*)$", stripped)
            tag = m.group(1) if m else None
            if tag in ("brief", "return", "since"):
                current = [m.group(2)]
                setattr(self, "_" + tag, current)
            elif tag == "param":
                pm = re.match(r"(\w+)\s*(.*)$", m.group(2))
                current = [pm.group(2)]
                self.params.append((pm.group(1), current))
            elif tag == "defgroup":
                gm = re.match(r"(\w+)\s+(.*)$", m.group(2))
                self.group = (gm.group(1), gm.group(2).strip())
                current = None
            elif tag in ("{", "}", "file"):
                current = None
            elif stripped.startswith("@{") or stripped.startswith("@}"):
                current = None
            elif tag in ("code", "endcode"):
                current = None
                self.body.append(line)
            elif tag and tag not in ("p", "c", "ref"):
                raise Error("unknown Doxygen command @%s in: %s" % (tag, line))
            elif not stripped:
                # a blank line ends @brief and the tags; the description goes on
                current = None
                self.body.append("")
            elif current is not None:
                current.append(stripped)
            else:
                self.body.append(line)
        self.brief = " ".join(getattr(self, "_brief", [])).strip()
        self.ret = " ".join(getattr(self, "_return", [])).strip()
        self.since = " ".join(getattr(self, "_since", [])).strip()
        self.params = [(name, " ".join(text).strip()) for name, text in self.params]
        while self.body and not self.body[0].strip():
            self.body.pop(0)
        while self.body and not self.body[-1].strip():
            self.body.pop()


class Decl:
    """A function, a function-pointer typedef or an enum, with its comment and groups."""

    def __init__(self, kind, name, doc, groups, text=None, ret=None, params=None,
                 members=None):
        self.kind = kind
        self.name = name
        self.doc = doc
        self.groups = groups    # outermost first: [(name, title, Doc)]
        self.text = text        # the declaration, whitespace normalised
        self.ret = ret          # return type
        self.params = params    # [(type, name)]
        self.members = members  # enums: [(name, value, Doc)]


def split_params(text):
    params = []
    for part in [p.strip() for p in text.split(",")]:
        if part in ("void", ""):
            continue
        m = re.match(r"^(.*?)(\w+)$", part)
        if not m:
            raise Error("cannot read the parameter %r" % part)
        params.append((m.group(1).strip(), m.group(2)))
    return params


def read_header(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    decls = {}
    groups_by_name = {}
    stack = []          # open groups
    pos = 0
    token = re.compile(r"/\*\*(.*?)\*/", re.S)
    while True:
        m = token.search(text, pos)
        if not m:
            break
        body = m.group(1)
        pos = m.end()
        lines = comment_lines(body)
        if [line.strip() for line in lines] == ["@}"]:
            if not stack:
                raise Error("@} without a group")
            stack.pop()
            continue
        doc = Doc(lines)
        if doc.group:
            name, title = doc.group
            groups_by_name[name] = (name, title, doc)
            if "@{" in body:
                stack.append((name, title, doc))
            continue
        if "@file" in body:
            continue
        # what the comment documents: the text up to the next ';' at brace depth 0
        rest = text[pos:]
        em = re.match(r"\s*enum\s+(\w+)\s*\{(.*?)\};", rest, re.S)
        if em:
            members = []
            for mm in re.finditer(r"(?:/\*\*(.*?)\*/\s*)?([A-Z_][A-Z0-9_]*)\s*=\s*([^,]+?)\s*,",
                                  em.group(2), re.S):
                members.append((mm.group(2), mm.group(3),
                                Doc(comment_lines(mm.group(1) or ""))))
            decls[em.group(1)] = Decl("enum", em.group(1), doc, list(stack), members=members)
            pos += em.end()
            continue
        end = rest.index(";")
        decl = " ".join(rest[:end + 1].split())
        tm = re.match(r"typedef (.+?)\(\*(\w+)\)\((.*)\);$", decl)
        fm = re.match(r"(.+?)\b(\w+)\((.*)\);$", decl)
        if tm:
            decls[tm.group(2)] = Decl("typedef", tm.group(2), doc, list(stack), text=decl,
                                      ret=tm.group(1).strip(),
                                      params=split_params(tm.group(3)))
        elif fm:
            decls[fm.group(2)] = Decl("function", fm.group(2), doc, list(stack), text=decl,
                                      ret=fm.group(1).strip(),
                                      params=split_params(fm.group(3)))
        else:
            raise Error("cannot read the declaration after a comment: %s" % decl[:80])
        pos += end + 1
    if stack:
        raise Error("group %s is not closed" % stack[-1][0])
    return decls, groups_by_name


def read_symbols(path):
    """{symbol: version node} of a version script's global symbols."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    symbols = {}
    for node, body in re.findall(r"([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;", text, re.S):
        scope = "global"
        for item in re.split(r"[;\s]+", body):
            if item in ("global:", "local:"):
                scope = item[:-1]
            elif item and scope == "global":
                symbols[item] = node
    return symbols


# ---------------------------------------------------------------------------------------
# Writing roff


class Writer:
    def __init__(self, decls, groups, pages):
        self.decls = decls
        self.groups = groups
        self.pages = pages  # names that have a page
        self.names = set(decls)
        self.group_title = None  # of the innermost group of the page being written
        for d in decls.values():
            self.names.update(m[0] for m in d.members or [])

    def inline(self, text):
        """Doxygen inline markup to roff, for filled text."""
        out = []
        pattern = re.compile(
            r"(?P<hash>\\#)"
            r"|(?P<bs>\\)"
            r"|@p\s+(?P<p>\w+)"
            r"|@c\s+(?P<c>[^\s,;:()]+?)(?=[.,;:)]*(?:\s|$))"
            r"|@ref\s+(?P<ref>\w+)(?:\s+\"(?P<reftext>[^\"]*)\")?"
            r"|#(?P<const>[A-Z][A-Z0-9_]+)"
            r"|\benum\s+(?P<enum>[a-z]\w+)"
            r"|\b(?P<call>[a-z]\w*_\w+)\(\)"
            r"|(?P<minus>(?<![\w-])-(?=E[A-Z]|errno\b|[0-9]))"
            r"|(?P<intro>the introduction(?: of this group)?)"
            r"|(?P<at>@\w+)")
        pos = 0
        for m in pattern.finditer(text):
            out.append(self.plain(text[pos:m.start()]))
            pos = m.end()
            if m.group("hash"):
                out.append("#")
            elif m.group("bs"):
                out.append("\\e")
            elif m.group("p"):
                out.append("\\fI%s\\fP" % m.group("p"))
            elif m.group("c"):
                out.append("\\fB%s\\fP" % m.group("c").replace("-", "\\-"))
            elif m.group("ref"):
                name = m.group("ref")
                if name not in self.groups:
                    raise Error("@ref %s: no such group" % name)
                # page() puts the introduction of every group referred to under NOTES
                title = m.group("reftext") or self.groups[name][1]
                out.append("\\fI%s\\fP under NOTES" % title)
            elif m.group("const"):
                out.append("\\fB%s\\fP" % m.group("const"))
            elif m.group("enum"):
                out.append("\\fBenum %s\\fP" % m.group("enum"))
            elif m.group("call"):
                out.append(self.call_ref(m.group("call")))
            elif m.group("intro"):
                # Doxygen's group introduction is under NOTES here
                if not self.group_title:
                    raise Error("'the introduction' outside a group: %s" % text)
                out.append("\\fI%s\\fP under NOTES" % self.group_title)
            elif m.group("minus"):
                out.append("\\-")
            else:
                raise Error("unknown Doxygen command %s in: %s" % (m.group("at"), text))
        out.append(self.plain(text[pos:]))
        return "".join(out)

    def plain(self, text):
        """Text between markup: the declared names of the header in bold."""
        return re.sub(r"\b\w+\b",
                      lambda m: "\\fB%s\\fP" % m.group(0) if m.group(0) in self.names
                      else m.group(0), text)

    def call_ref(self, name):
        if name in self.pages:
            return "\\fB%s\\fP(3)" % name
        return "\\fB%s\\fP()" % name

    def paragraphs(self, lines):
        """Description lines (with "- " lists and @code blocks) to roff requests."""
        out = []
        para = []
        item = None
        code = None

        def flush():
            nonlocal para, item
            if item is not None:
                out.append(".IP \\(bu 2")
                out.extend(self.fill(" ".join(item)))
                item = None
            if para:
                out.append(".PP")
                out.extend(self.fill(" ".join(para)))
                para = []

        for line in lines:
            stripped = line.strip()
            if code is not None:
                if stripped == "@endcode":
                    out.append(".PP")
                    out.append(".in +4n")
                    out.append(".EX")
                    out.extend(self.code_lines(code))
                    out.append(".EE")
                    out.append(".in")
                    code = None
                else:
                    code.append(line)
                continue
            if stripped == "@code":
                flush()
                code = []
            elif not stripped:
                flush()
            elif stripped.startswith("- "):
                if para:
                    flush()
                elif item is not None:
                    out.append(".IP \\(bu 2")
                    out.extend(self.fill(" ".join(item)))
                item = [stripped[2:]]
            elif item is not None and line.startswith("  "):
                item.append(stripped)
            else:
                if item is not None:
                    flush()
                para.append(stripped)
        if code is not None:
            raise Error("@code without @endcode")
        flush()
        return out

    @staticmethod
    def code_lines(lines):
        body = [line for line in lines if line.strip()]
        width = min(len(line) - len(line.lstrip(" ")) for line in body) if body else 0
        out = []
        for line in lines:
            line = line[width:].replace("\\", "\\e")
            if line.startswith(".") or line.startswith("'"):
                line = "\\&" + line
            out.append(line)
        return out

    def fill(self, text):
        """Filled text as source lines, none starting with a control character."""
        text = self.inline(text)
        lines = []
        line = ""
        for word in text.split():
            if line and len(line) + 1 + len(word) > 90:
                lines.append(line)
                line = word
            else:
                line = word if not line else line + " " + word
        if line:
            lines.append(line)
        return ["\\&" + line if line[:1] in (".", "'") else line for line in lines]

    @staticmethod
    def quote(s):
        return '"%s"' % s if (" " in s or not s) else s

    def prototype(self, ret, name, params, typedef=False):
        """.BI lines of a declaration, wrapped to WIDTH, the parameters aligned."""
        if typedef:
            head = "typedef %s%s(*%s)(" % (ret, "" if ret.endswith("*") else " ", name)
        else:
            head = "%s%s%s(" % (ret, "" if ret.endswith("*") else " ", name)
        parts = []  # (bold, italic) per parameter, with its separator
        for i, (ptype, pname) in enumerate(params):
            sep = ");" if i == len(params) - 1 else ","
            parts.append((ptype + ("" if ptype.endswith("*") else " "), pname, sep))
        if not parts:
            return [".B %s" % self.quote(head + "void);")]
        indent = len(head) if len(head) < WIDTH // 2 else 8
        lines = []
        cur = []      # alternating bold/italic pieces of the line
        cur_len = 0
        prefix = head
        if len(head) + len(parts[0][0]) + len(parts[0][1]) + len(parts[0][2]) > WIDTH:
            # not even the first parameter fits after the name: all of them go below it
            lines.append([head])
            indent = 8
            prefix = " " * indent
            cur_len = indent
        for bold, italic, sep in parts:
            piece_len = len(bold) + len(italic) + len(sep)
            if cur and cur_len + 1 + piece_len > WIDTH:
                lines.append(cur)
                cur, cur_len, prefix = [], indent, " " * indent
            if not cur:
                cur = [prefix + bold, italic, sep]
                cur_len = len(prefix) + piece_len
            else:
                cur[-1] += " "
                cur[-1] += bold
                cur += [italic, sep]
                cur_len += 1 + piece_len
        lines.append(cur)
        out = []
        for pieces in lines:
            # .BI alternates bold and italic, starting with bold
            if len(pieces) == 1:
                out.append(".B " + self.quote(pieces[0]))
            else:
                out.append(".BI " + " ".join(self.quote(p) for p in pieces))
        for line in out:
            if len(line) > 200:
                raise Error("synopsis line too long: %s" % line)
        return out


# ---------------------------------------------------------------------------------------
# Errors from @return


def clauses(ret):
    parts = re.split(r";\s*|\.\s+|,\s+(?:or\s+)?(?=-E[A-Z])|\s+or\s+(?=-E[A-Z])", ret)
    return [p.strip().rstrip(".").strip() for p in parts if p.strip()]


def errors_of(name, decls, seen=None):
    """[(code, clause)] that @return of name lists, in its order, one clause per code."""
    seen = seen or set()
    if name in seen or name not in decls:
        return []
    seen.add(name)
    ret = decls[name].doc.ret
    found = {}
    order = []
    inherit = []
    for clause in clauses(ret):
        am = re.match(r"(?:0;\s*)?as (\w+)\(\)", clause, re.I)
        if am:
            inherit.append(am.group(1))
        m = re.match(r"(?:or\s+|and\s+)?-(E[A-Z0-9]+)\b\s*:?\s*(.*)$", clause, re.S)
        if not m:
            continue
        code, text = m.group(1), m.group(2).strip() or BARE_ERRORS.get(m.group(1), "")
        rm = re.match(r"as (\w+)\(\)$", text)
        if rm:
            other = dict(errors_of(rm.group(1), decls, set(seen)))
            text = other.get(code, text)
        if code in found:
            found[code] += "; or " + text
        else:
            found[code] = text
            order.append(code)
    for other in inherit:
        for code, text in errors_of(other, decls, set(seen)):
            if code not in found:
                # in the other call's words, which may name its own parameters
                found[code] = "as for %s(): %s" % (other, text)
                order.append(code)
    return [(code, found[code]) for code in order]


# ---------------------------------------------------------------------------------------
# One page


def references(decl, decls, groups_chain):
    names = set()
    texts = [decl.doc.brief, decl.doc.ret, "\n".join(decl.doc.body)]
    texts += [t for _, t in decl.doc.params]
    for _, _, gdoc in groups_chain:
        texts.append("\n".join(gdoc.body))
    for text in texts:
        # the calls named, with () or without (a function passed as a callback)
        names.update(re.findall(r"\b(\w+)\b", text))
    return names


def used_types(decl, decls):
    """The enums and typedefs of the header a function takes, returns or names."""
    enums, typedefs = [], []
    texts = [decl.ret] + [t for t, _ in decl.params]
    texts += [decl.doc.brief, decl.doc.ret, "\n".join(decl.doc.body)]
    texts += [t for _, t in decl.doc.params]
    for text in texts:
        for m in re.finditer(r"\benum\s+(\w+)|\b(\w+)\b", text):
            name = m.group(1) or m.group(2)
            d = decls.get(name)
            if d is None:
                continue
            if d.kind == "enum" and name not in enums:
                enums.append(name)
    for ptype, _ in decl.params:
        base = ptype.replace("const", "").replace("*", "").strip()
        d = decls.get(base)
        if d is not None and d.kind == "typedef" and base not in typedefs:
            typedefs.append(base)
    return enums, typedefs


def name_line(brief):
    text = re.sub(r"@[pc]\s+", "", brief)
    text = text.replace("\\#", "#").replace("#KVMDBG", "KVMDBG")
    text = re.sub(r"#([A-Z])", r"\1", text).strip().rstrip(".")
    if re.match(r"[A-Z][a-z]", text):
        text = text[0].lower() + text[1:]
    return text.replace("\\", "\\e").replace("-", "\\-")


def page(decl, args, w, decls, symbols, date):
    name = decl.name
    doc = decl.doc
    w.group_title = decl.groups[-1][1] if decl.groups else None
    out = []
    out.append('.\\" Generated by doc/gen-man3.py from %s; do not edit.' %
               os.path.basename(args.header))
    out.append('.TH %s 3 %s "%s %s" "%s"' % (name, date,
                                             args.package, args.version, args.package))
    # left-aligned and unhyphenated: the API's long names would leave wide gaps or be split
    out.append(".ad l")
    out.append(".nh")
    out.append(".nr HY 0")  # the man macros' hyphenation mode, which .EE goes back to
    out.append(".SH NAME")
    out.append("%s \\- %s" % (name, name_line(doc.brief)))
    out.append(".SH LIBRARY")
    out.append("%s (\\fI\\-l%s\\fP; \\fBpkg\\-config \\-\\-libs %s\\fP)" %
               (args.package, args.lib, args.lib))
    enums, typedefs = used_types(decl, decls)
    out.append(".SH SYNOPSIS")
    out.append(".nf")
    out.append(".B #include <%s>" % args.include)
    for t in typedefs:
        td = decls[t]
        out.append(".PP")
        out.extend(w.prototype(td.ret, td.name, td.params, typedef=True))
    out.append(".PP")
    out.extend(w.prototype(decl.ret, name, decl.params))
    out.append(".fi")

    out.append(".SH DESCRIPTION")
    out.append(".PP")
    out.extend(w.fill(doc.brief))
    out.extend(w.paragraphs(doc.body))
    if decl.params:
        out.append(".PP")
        out.append("The arguments:")
        for pname, ptext in doc.params:
            out.append(".TP")
            out.append(".I %s" % pname)
            out.extend(w.fill(ptext) if ptext else ["(no description)"])
        documented = [p for p, _ in doc.params]
        for _, pname in decl.params:
            if pname not in documented:
                raise Error("%s: parameter %s has no @param" % (name, pname))
    for t in typedefs:
        td = decls[t]
        out.append(".SS The callback %s" % t)
        out.extend(w.fill(td.doc.brief))
        out.extend(w.paragraphs(td.doc.body))
        for pname, ptext in td.doc.params:
            out.append(".TP")
            out.append(".I %s" % pname)
            out.extend(w.fill(ptext))
        if td.doc.ret:
            out.append(".PP")
            out.extend(w.fill("It returns " + td.doc.ret[0].lower() + td.doc.ret[1:]))
    for e in enums:
        ed = decls[e]
        out.append(".SS enum %s" % e)
        out.extend(w.fill(ed.doc.brief))
        for mname, value, mdoc in ed.members:
            out.append(".TP")
            out.append(".BR %s \" (%s)\"" % (mname, value))
            text = mdoc.brief or " ".join(line.strip() for line in mdoc.body)
            out.extend(w.fill(text))

    if doc.ret:
        out.append(".SH RETURN VALUE")
        out.extend(w.fill(doc.ret))
    errors = errors_of(name, decls)
    if errors:
        out.append(".SH ERRORS")
        out.append("The call returns the negative of these error numbers; it does not set")
        out.append(".IR errno .")
        for code, text in errors:
            text = text or BARE_ERRORS.get(code, "")
            if not text:
                raise Error("%s: -%s has no explanation in @return" % (name, code))
            text = text[0].upper() + text[1:]
            if not text.endswith("."):
                text += "."
            out.append(".TP")
            out.append(".B %s" % code)
            out.extend(w.fill(text))

    # the groups the call is in, outermost first, then those its comment refers to
    chain = list(decl.groups)
    texts = [doc.brief, doc.ret, "\n".join(doc.body)] + [t for _, t in doc.params]
    for gname in re.findall(r"@ref\s+(\w+)", "\n".join(texts)):
        if gname in w.groups and all(g[0] != gname for g in chain):
            chain.append(w.groups[gname])
    if chain:
        out.append(".SH NOTES")
        for gname, title, gdoc in chain:
            out.append(".SS %s" % title)
            out.extend(w.paragraphs(gdoc.body))

    out.append(".SH HISTORY")
    since = doc.since
    if not since:
        raise Error("%s: no @since" % name)
    out.extend(w.fill("%s %s" % (args.package, since) + ("" if since.endswith(".") else ".")))
    out.append(".PP")
    out.append("The symbol is exported with the version")
    out.append(".BR %s ." % symbols[name])

    out.append(".SH SEE ALSO")
    refs = sorted(n for n in references(decl, decls, chain)
                  if n != name and n in w.pages)
    items = [(n, "3") for n in refs]
    om = re.match(r"(.+)\((\w+)\)$", args.overview)
    items.append((om.group(1), om.group(2)) if om else (args.overview, ""))
    for i, (ref, sec) in enumerate(items):
        out.append(".BR %s (%s)%s" % (ref, sec, "," if i < len(items) - 1 else ""))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header", required=True)
    ap.add_argument("--sym", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--lib", required=True)
    ap.add_argument("--include", required=True)
    ap.add_argument("--overview", default=None)
    ap.add_argument("--date", default=None)
    args = ap.parse_args()
    if not args.overview:
        args.overview = "%s(7)" % args.lib
    if args.date:
        date = args.date
    else:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        stamp = int(epoch) if epoch else int(os.stat(args.header).st_mtime)
        date = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).strftime(
            "%Y-%m-%d")

    try:
        decls, groups = read_header(args.header)
        symbols = read_symbols(args.sym)
        for sym in symbols:
            if sym not in decls or decls[sym].kind != "function":
                raise Error("%s is in %s but not declared as a function in %s" %
                            (sym, args.sym, args.header))
        w = Writer(decls, groups, set(symbols))
        os.makedirs(args.outdir, exist_ok=True)
        wanted = set()
        for sym in sorted(symbols):
            path = os.path.join(args.outdir, sym + ".3")
            text = page(decls[sym], args, w, decls, symbols, date)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            wanted.add(sym + ".3")
        for name, d in sorted(decls.items()):
            if d.kind != "typedef":
                continue
            users = [s for s in sorted(symbols)
                     if any(t.replace("const", "").replace("*", "").strip() == name
                            for t, _ in decls[s].params)]
            if not users:
                continue
            with open(os.path.join(args.outdir, name + ".3"), "w", encoding="utf-8") as f:
                f.write(".so man3/%s.3\n" % users[0])
            wanted.add(name + ".3")
        for old in os.listdir(args.outdir):
            if old.endswith(".3") and old not in wanted:
                os.unlink(os.path.join(args.outdir, old))
    except Error as e:
        print("gen-man3.py: %s" % e, file=sys.stderr)
        return 1
    print("gen-man3.py: %d pages in %s" % (len(wanted), args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
