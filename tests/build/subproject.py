#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Use libkvmdbg as a Meson subproject: a scratch project with subprojects/libkvmdbg pointing
at this source tree gets the library with dependency('kvmdbg'), which the subproject's
meson.override_dependency() answers; the scratch project builds consumer.c and runs it.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

MESON_BUILD = """\
project('kvmdbg-subproject-consumer', 'c', meson_version: '>= 1.0')
kvmdbg_dep = dependency('kvmdbg', fallback: 'libkvmdbg',
	default_options: ['tests=disabled', 'examples=false', 'docs=disabled'])
assert(kvmdbg_dep.type_name() == 'internal',
	'dependency(\\'kvmdbg\\') must come from the subproject, not from ' + kvmdbg_dep.type_name())
executable('consumer', 'consumer.c', dependencies: kvmdbg_dep)
"""


def run(cmd):
    print("+ " + " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--meson", required=True)
    ap.add_argument("--srcdir", required=True, help="libkvmdbg's source tree")
    ap.add_argument("--source", required=True, help="consumer.c")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="kvmdbg-subproject-") as top:
        os.mkdir(os.path.join(top, "subprojects"))
        os.symlink(os.path.abspath(args.srcdir), os.path.join(top, "subprojects", "libkvmdbg"))
        shutil.copy(args.source, os.path.join(top, "consumer.c"))
        with open(os.path.join(top, "meson.build"), "w", encoding="utf-8") as f:
            f.write(MESON_BUILD)

        build = os.path.join(top, "build")
        # Force the fallback so that an installed libkvmdbg cannot answer instead.
        run([args.meson, "setup", "--force-fallback-for=kvmdbg", build, top])
        run([args.meson, "compile", "-C", build])
        run([os.path.join(build, "consumer")])
    print("subproject consumer: built and ran")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print("command failed with exit status %d" % e.returncode)
        sys.exit(1)
