#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real gdb against the two recipes of gdbserver/README.md, on this host's /dev/kvm.

Usage: test_recipes.py GDB RECIPE-THREADS RECIPE-SYNC

Each recipe is started on a free port and driven by 'gdb -batch': threads and their names,
a breakpoint (a hardware one where this host does not deliver int3: the recipes ask
kvmdbg_vm_probe()), stepi, registers, Ctrl-C while the guest runs without any exit, detach
and a second gdb (threads recipe), and kill.  TAP output; skipped (77) without a usable
/dev/kvm.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

PREAMBLE = """set pagination off
set confirm off
set width 0
set height 0
target remote 127.0.0.1:{port}
"""

count = 0
failed = 0


def ok(cond, desc, detail=""):
    global count, failed
    count += 1
    print(("ok" if cond else "not ok") + f" {count} - {desc}", flush=True)
    if not cond:
        failed += 1
        for line in str(detail).splitlines():
            print(f"#   {line}", flush=True)


def start(exe):
    proc = subprocess.Popen([exe, "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    line = proc.stdout.readline()
    m = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not m:
        code = proc.wait(timeout=30)
        if code == 77:
            print("1..0 # SKIP no usable /dev/kvm", flush=True)
            sys.exit(77)
        raise RuntimeError(f"{exe} did not start: {line!r}, exit {code}")
    return proc, int(m.group(1))


def gdb_run(gdb, port, script):
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(PREAMBLE.format(port=port) + script)
        path = f.name
    try:
        return subprocess.run([gdb, "-batch", "-nx", "-x", path], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=120).stdout
    except subprocess.TimeoutExpired as e:
        return (e.stdout or "") + "\n<gdb timed out>"
    finally:
        os.unlink(path)


def has(out, pattern):
    return re.search(pattern, out, re.M) is not None


def finish(proc):
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


INTERRUPT = """python import threading, os, signal; \
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
continue
"""


def recipe_threads(gdb, exe):
    proc, port = start(exe)
    out = gdb_run(gdb, port, """info threads
break *0x1001
continue
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
delete
""" + INTERRUPT + """printf "stopped\\n"
detach
""")
    ok(has(out, r"^\*\s+1\s+Thread 1 \(vCPU 0\)") and has(out, r"^\s+2\s+Thread 2 \(vCPU 1\)"),
       "threads: a thread per vCPU, named", out)
    ok(has(out, r"^Thread 1 hit Breakpoint 1, 0x0+1001 in \?\? \(\)$"),
       "threads: the breakpoint at 0x1001 stops thread 1 (vCPU 0's loop)", out)
    ok(re.findall(r"^pc=(\S+)$", out, re.M) == ["0x1001", "0x1002"],
       "threads: stepi moves one instruction", out)
    ok(has(out, r"^Thread \d received signal SIGINT, Interrupt\.$") and has(out, r"^stopped$"),
       "threads: Ctrl-C stops a guest that runs without exits", out)
    ok(has(out, r"^\[Inferior 1 \(Remote target\) detached\]$"), "threads: detach", out)
    out2 = gdb_run(gdb, port, """info threads
printf "rax=%#lx\\n", $rax
kill
""")
    rax = re.findall(r"^rax=(0x[0-9a-f]+)$", out2, re.M)
    ok(rax and int(rax[0], 16) > 2, "threads: a second gdb finds the guest run on, stopped",
       out2)
    ok(has(out2, r"^\[Inferior 1 \(Remote target\) killed\]$"), "threads: kill", out2)
    ok(finish(proc) == 0, "threads: the VMM ends with status 0 after the kill")


def recipe_sync(gdb, exe):
    proc, port = start(exe)
    out = gdb_run(gdb, port, """info threads
break *0x1001
continue
continue
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
printf "rax=%#lx\\n", $rax
delete
""" + INTERRUPT + """printf "stopped\\n"
kill
""")
    ok(has(out, r"^\*\s+1\s+Thread 1 \(vCPU 0\)") and not has(out, r"Thread 2"),
       "sync: one thread", out)
    # one thread: gdb does not name it in its messages
    ok(len(re.findall(r"^Breakpoint 1, 0x0+1001 in \?\? \(\)$", out, re.M)) == 2,
       "sync: the breakpoint stops the loop, twice (continue steps over it)", out)
    ok(re.findall(r"^pc=(\S+)$", out, re.M) == ["0x1001", "0x1002"],
       "sync: stepi moves one instruction", out)
    rax = re.findall(r"^rax=(0x[0-9a-f]+)$", out, re.M)
    ok(rax == ["0x2"], "sync: rax counts the loop's rounds (inc %ax)", out)
    ok(has(out, r"^Program received signal SIGINT, Interrupt\.$") and has(out, r"^stopped$"),
       "sync: Ctrl-C (input interrupts KVM_RUN with a signal) stops the guest", out)
    ok(has(out, r"^\[Inferior 1 \(Remote target\) killed\]$"), "sync: kill", out)
    ok(finish(proc) == 0, "sync: the VMM ends with status 0 after the kill")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    gdb, threads, sync = sys.argv[1:4]
    if not os.access(gdb, os.X_OK):
        print(f"Bail out! {gdb} is not installed", flush=True)
        return 1
    try:
        recipe_threads(gdb, threads)
        recipe_sync(gdb, sync)
    except (OSError, RuntimeError) as e:
        ok(False, f"the test could not go on: {e}")
    print(f"1..{count}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
