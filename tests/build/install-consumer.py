#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Install the build into a scratch DESTDIR and build consumer.c against it, the way a user
would: with nothing but `pkg-config --cflags --libs kvmdbg` (or another of the tree's packages,
--package kvmdbg-gdbserver).  Built as C, as C++ (when a C++ compiler is given) and statically
against the package's .a (when it is installed), and each one run.
"""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile


def run(cmd, env=None, capture=False):
    print("+ " + " ".join(shlex.quote(str(c)) for c in cmd), flush=True)
    proc = subprocess.run(cmd, env=env, check=True, text=True,
                          stdout=subprocess.PIPE if capture else None)
    return proc.stdout.strip() if capture else None


def find_file(top, name):
    for root, _, files in os.walk(top):
        if name in files:
            return os.path.join(root, name)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--meson", required=True)
    ap.add_argument("--builddir", required=True)
    ap.add_argument("--pkg-config", required=True)
    ap.add_argument("--cc", required=True, help="C compiler command line")
    ap.add_argument("--cxx", help="C++ compiler command line")
    ap.add_argument("--source", required=True, help="consumer.c")
    ap.add_argument("--package", default="kvmdbg", help="the .pc file's name")
    args = ap.parse_args()
    package = args.package
    static_lib = "lib%s.a" % package

    cc = shlex.split(args.cc)
    cxx = shlex.split(args.cxx) if args.cxx else None
    warn = ["-Wall", "-Wextra", "-Werror"]

    with tempfile.TemporaryDirectory(prefix="kvmdbg-install-") as tmp:
        destdir = os.path.join(tmp, "destdir")
        run([args.meson, "install", "-C", args.builddir, "--no-rebuild", "--quiet",
             "--destdir", destdir])

        pc = find_file(destdir, package + ".pc")
        if not pc:
            print("%s.pc was not installed" % package)
            return 1
        # Only the installed tree: PKG_CONFIG_LIBDIR replaces the system's search path, and
        # the sysroot puts the .pc file's /usr/local (or other prefix) paths inside DESTDIR.
        env = dict(os.environ)
        env.pop("PKG_CONFIG_PATH", None)
        env["PKG_CONFIG_LIBDIR"] = os.path.dirname(pc)
        env["PKG_CONFIG_SYSROOT_DIR"] = destdir

        def pkg_config(*opts):
            return shlex.split(run([args.pkg_config, *opts, package], env=env, capture=True))

        cflags = pkg_config("--cflags")
        libs = pkg_config("--libs")
        static_libs = pkg_config("--static", "--libs")
        libdirs = [f[2:] for f in libs if f.startswith("-L")]
        for flag in cflags + libdirs:
            if flag.startswith(("-I", "/")) and destdir not in flag:
                print("pkg-config flag %s does not point into DESTDIR %s" % (flag, destdir))
                return 1
        if not libdirs:
            print("pkg-config --libs gives no -L flag: %s" % libs)
            return 1
        run_env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(libdirs))

        builds = [("c", cc + ["-std=c99"] + warn, libs, run_env)]
        if cxx:
            builds.append(("c++", cxx + ["-x", "c++", "-std=c++11"] + warn, libs, run_env))
        if any(os.path.exists(os.path.join(d, static_lib)) for d in libdirs):
            # No LD_LIBRARY_PATH: a static program must not need a shared library of ours.
            builds.append(("static", cc + ["-std=c99", "-static"] + warn, static_libs,
                           dict(os.environ)))
        else:
            print("%s is not installed (default_library=shared): no static build" % static_lib)

        for name, compiler, ldflags, env_run in builds:
            exe = os.path.join(tmp, "consumer-" + name)
            run(compiler + cflags + [args.source, "-o", exe] + ldflags)
            run([exe], env=env_run)
    print("installed-tree consumer of %s: %d builds ran" % (package, len(builds)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        print("command failed with exit status %d" % e.returncode)
        sys.exit(1)
