#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check the kvmdbg(7) man page: groff renders it without a warning, no rendered line is
wider than 80 columns, and every kvmdbg_* and KVMDBG_* name it mentions is in the header.

Usage: check-man.py GROFF MAN_PAGE HEADER
Exit status: 0, 1 on a problem, 77 when groff is not installed.
"""

import os
import re
import shutil
import subprocess
import sys


def main():
    groff, page, header = sys.argv[1:4]
    groff = shutil.which(groff) or (groff if os.path.exists(groff) else None)
    with open(page, encoding="utf-8") as f:
        source = f.read()
    with open(header, encoding="utf-8") as f:
        api = f.read()
    bad = 0

    names = sorted(set(re.findall(r"\b(?:kvmdbg|KVMDBG)_[A-Za-z0-9_]+", source)))
    for name in names:
        if not re.search(r"\b%s\b" % re.escape(name), api):
            print("%s: %s is not in %s" % (page, name, header))
            bad = 1
    if not groff:
        print("groff is not installed: %d API names checked, the page not rendered" %
              len(names))
        return 1 if bad else 77

    env = dict(os.environ, LC_ALL="C.UTF-8")
    proc = subprocess.run([groff, "-man", "-t", "-ww", "-z", page], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for line in proc.stderr.splitlines():
        print("groff: %s" % line)
        bad = 1
    if proc.returncode != 0:
        print("groff exited with %d" % proc.returncode)
        bad = 1
    proc = subprocess.run([groff, "-man", "-t", "-Tutf8", "-rLL=80n", page], env=env,
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    text = re.sub(r".\x08", "", proc.stdout)
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > 80:
            print("rendered line %d is %d columns wide: %s" % (number, len(line), line))
            bad = 1
    print("%s: %d API names, %d rendered lines: %s" % (os.path.basename(page), len(names),
          len(text.splitlines()), "problems" if bad else "fine"))
    return bad


if __name__ == "__main__":
    sys.exit(main())
