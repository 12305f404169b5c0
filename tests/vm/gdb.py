#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real gdb on the host against kvm-gdbstub inside a vm-tier machine (run.sh --gdb).

Reads the machine's serial console on standard input, as console.py does (whose Merger turns
the kvm suite's TAP, if any ran, into this machine's TAP), and once the machine's /init
offers gdb sessions ("@@VM GDB-READY"), runs the scenarios of
examples/gdbstub/tests/test_gdb.py with the host's gdb.  Each stub a scenario starts is asked
for on the control port (a virtio serial port, QEMU: --control socket):

    RUN NAME ARGS...      /init runs kvm-gdbstub --serial=/dev/hvc0 ARGS /gdb/guest.elf
    DONE                  no more sessions: /init goes on to power the machine off

and gdb talks to it on the virtio console /dev/hvc0 (QEMU: --target socket).  /init frames
each stub's output on the console with "@@VM GDB-BEGIN NAME" and
"@@VM GDB-END NAME STATUS MS"; the stub's own lines say what it found and how it ended.

Output: one TAP stream (test points, then the plan), as console.py writes it.
Exit status: 0 when every test point passed or was skipped, 1 otherwise.
"""

import argparse
import json
import os
import re
import socket
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "gdbstub", "tests"))
import console  # noqa: E402
import stubtest  # noqa: E402
import test_gdb  # noqa: E402

START_TIMEOUT = 180     # a stub's start: x86's probe runs several guests under nested TCG
END_TIMEOUT = 180       # a stub's end after gdb's last command
CONNECT_TIMEOUT = 60    # QEMU's sockets appear when it starts


class Session:
    """One kvm-gdbstub run inside the machine."""

    def __init__(self, name):
        self.name = name
        self.begun = False
        self.serving = False
        self.status = None      # its exit status, once /init said GDB-END
        self.msecs = None
        self.lines = []


class Machine:
    """The console reader, the control port, and what /init said."""

    def __init__(self, args, merger, out_lock):
        self.args = args
        self.merger = merger
        self.lock = out_lock
        self.cond = threading.Condition()
        self.ready = False
        self.none = None        # why /init offers no gdb sessions
        self.eof = False
        self.sessions = {}
        self.current = None
        self.ctl = None
        self.log = open(args.log, "w", encoding="utf-8") if args.log else None

    # -- the console ---------------------------------------------------------------------

    def read_console(self):
        stream = open(sys.stdin.fileno(), "r", encoding="utf-8", errors="replace",
                      newline="\n", closefd=False)
        for raw in stream:
            if self.log:
                self.log.write(raw)
                self.log.flush()
            self.line(raw)
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def line(self, raw):
        line = console.CONTROL_RE.sub("", raw.rstrip("\r\n")).rstrip()
        at = line.find("@@VM GDB-")
        if at > 0:
            self.line(line[:at])
            line = line[at:]
        if line.startswith("@@VM GDB-"):
            words = line.split(None, 2)
            rest = words[2] if len(words) > 2 else ""
            self.marker(words[1], rest)
            return
        with self.cond:
            session = self.current
            if session and not line.startswith("@@VM "):
                session.lines.append(line)
                if line.startswith("kvm-gdbstub: serving gdb on "):
                    session.serving = True
                    self.cond.notify_all()
        if session and not line.startswith("@@VM "):
            self.comment("%s: %s" % (session.name, line))
            return
        with self.lock:
            self.merger.feed(line)

    def marker(self, kind, rest):
        parts = rest.split()
        with self.cond:
            if kind == "GDB-READY":
                self.ready = True
            elif kind == "GDB-NONE":
                self.none = rest or "no reason given"
            elif kind == "GDB-BEGIN" and parts:
                session = self.sessions.setdefault(parts[0], Session(parts[0]))
                session.begun = True
                self.current = session
            elif kind == "GDB-END" and len(parts) >= 3:
                session = self.sessions.setdefault(parts[0], Session(parts[0]))
                try:
                    session.status = int(parts[1])
                    session.msecs = int(parts[2])
                except ValueError:
                    session.status = -1
                if self.current is session:
                    self.current = None
            self.cond.notify_all()
        if kind == "GDB-NONE":
            self.comment("gdb sessions: " + (rest or "none"))
        elif kind == "GDB-END" and len(parts) >= 3:
            self.comment("%s ended with status %s after %.1f s" %
                         (parts[0], parts[1], int(parts[2]) / 1000.0))

    def comment(self, text):
        with self.lock:
            self.merger.comment("%s: %s" % (self.merger.machine, text))

    def wait_for(self, predicate, timeout):
        """Wait until predicate() (under the lock) or the console ends or time runs out."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate() and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(min(left, 1.0))
            return predicate()

    # -- the control port ----------------------------------------------------------------

    def connect(self):
        """The control port, as soon as QEMU offers it: a virtio serial port whose guest
        side reads end-of-file while nobody is connected on the host."""
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while time.monotonic() < deadline and not self.eof:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(self.args.control)
                self.ctl = sock
                return True
            except OSError:
                sock.close()
                time.sleep(0.05)
        return False

    def send(self, text):
        self.ctl.sendall(text.encode())


class VmStub:
    """kvm-gdbstub inside the machine, as test_gdb.py's scenarios use a stubtest.Stub."""

    number = 0

    def __init__(self, machine, *args):
        VmStub.number += 1
        self.machine = machine
        self.name = "gdb%d" % VmStub.number
        self.session = Session(self.name)
        self.target = machine.args.target
        self.err_lines = []
        with machine.cond:
            machine.sessions[self.name] = self.session
        machine.comment("%s: kvm-gdbstub --serial=/dev/hvc0 %s" % (self.name, " ".join(args)))
        machine.send("RUN %s %s\n" % (self.name, " ".join(args)))
        s = self.session
        if not machine.wait_for(lambda: s.serving or s.status is not None, START_TIMEOUT):
            raise RuntimeError("%s: kvm-gdbstub did not start serving gdb within %d s" %
                               (self.name, START_TIMEOUT))
        if not s.serving:
            raise RuntimeError("%s: kvm-gdbstub exited with %s before serving gdb: %s" %
                               (self.name, s.status, self.output()))

    @property
    def lines(self):
        return self.session.lines

    def output(self):
        return "\n".join(self.session.lines)

    def line(self, prefix):
        for line in self.session.lines:
            if line.startswith("kvm-gdbstub: " + prefix):
                return line[len("kvm-gdbstub: "):]
        return None

    delivers = stubtest.Stub.delivers
    reason = stubtest.Stub.reason

    def alive(self):
        return self.session.status is None

    def wait(self, timeout=END_TIMEOUT):
        s = self.session
        self.machine.wait_for(lambda: s.status is not None, max(timeout, END_TIMEOUT))
        return s.status

    def kill(self):
        """End a stub a failed scenario left running: Ctrl-C, then gdb's 'k' packet."""
        if not self.alive():
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.connect(self.target)
                sock.sendall(b"\x03")
                time.sleep(2)
                sock.sendall(b"+$k#6b")
                time.sleep(2)
        except OSError:
            pass
        self.wait(60)


class VmTap:
    """test_gdb's TAP calls, as test points of this machine's stream."""

    def __init__(self, machine, must_not_skip):
        self.machine = machine
        self.must_not_skip = re.compile(must_not_skip) if must_not_skip else None

    def point(self, ok, desc, directive=""):
        m = self.machine
        with m.lock:
            m.merger.point(ok, "%s: gdb: %s" % (m.merger.machine, desc), directive)

    def ok(self, cond, desc, detail=None):
        self.point(bool(cond), desc)
        if not cond and detail is not None:
            for line in str(detail).splitlines() or [""]:
                self.machine.comment("  " + line)
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, "got:  %r\nwant: %r" % (got, want))

    def skip(self, desc, reason):
        if self.must_not_skip and self.must_not_skip.search(reason):
            self.ok(False, "%s (skipped, but this machine must run it: %s)" % (desc, reason))
        else:
            self.point(True, desc, "# SKIP " + reason)

    def note(self, text):
        for line in str(text).splitlines():
            self.machine.comment(line)


def check_delivery(ctx, tap, machine, arch, must_deliver):
    """What the first stub says of this KVM: on the machines that deliver everything, every
    feature the scenarios use (x86: the probe's findings; arm64: what the kernel accepts).
    Returns why the scenarios cannot run here, or None."""
    stub = ctx.stub("--once")
    line = stub.line("this KVM delivers:") or stub.line("this KVM offers:") or ""
    tap.note("the stub: " + line)
    if must_deliver:
        if arch == "x86_64":
            found = stub.delivers()
            tap.ok(all(found.values()), "the nested KVM delivers single-step, hardware "
                   "breakpoints, int3 and write and access watchpoints (kvm-gdbstub's probe)",
                   stub.output())
        else:
            tap.ok(all(test_gdb.offers(stub, f) in ("yes", "accepted") for f in
                       ("single-step", "hardware breakpoints", "BRK breakpoints",
                        "watchpoints")),
                   "KVM accepts single-step, hardware breakpoints, BRK and watchpoints",
                   stub.output())
    out = test_gdb.run_gdb(ctx, stub, "monitor info\nkill\n")
    tap.ok(re.search(r"^\[Inferior 1 \(Remote target\) killed\]$", out, re.M),
           "gdb connects over the virtio console; monitor info; kill", out)
    tap.note(out)
    tap.eq(stub.wait(), 0, "kvm-gdbstub exits with 0 after the kill")
    if arch == "x86_64":
        found = stub.delivers()
        if not found["int3"] and not found["hardware breakpoints"]:
            return ("this KVM delivers neither int3 nor debug-register breakpoints (the "
                    "stub's probe: %s): no gdb breakpoint can stop the guest (stock QEMU's "
                    "TCG does not deliver them to a nested guest; the x86_64 machine's QEMU "
                    "has qemu-svm-debug.patch)" % line)
    return None


def run_scenarios(args, machine, tap):
    gdb = stubtest.need_tool(args.gdb)
    ctx = test_gdb.Context(tap, gdb, None, args.elf,
                           start_stub=lambda *a: VmStub(machine, *a),
                           preamble="set remotetimeout 10\n", gdb_timeout=args.gdb_timeout)
    ctx.ctrl_c_delay = 3.0
    ctx.settle = 2.0
    arch = ctx.arch.name
    scenarios = [(s.__name__.replace("scenario_", ""), s) for s in test_gdb.SCENARIOS]
    if args.scenarios:
        wanted = args.scenarios.split(",")
        scenarios = [(n, s) for n, s in scenarios if n in wanted]
    cannot = None
    for name, scenario in [("delivery", None)] + scenarios:
        t0 = time.monotonic()
        try:
            if scenario is None:
                cannot = check_delivery(ctx, tap, machine, arch, args.must_deliver)
            elif cannot:
                tap.skip("the scenarios %s" % ", ".join(n for n, _ in scenarios), cannot)
                return
            else:
                scenario(ctx)
        except (OSError, RuntimeError) as e:
            tap.ok(False, "%s: the scenario could not go on: %s" % (name, e))
        # a stub that a failed scenario left running would hold the line
        for session in list(machine.sessions.values()):
            if session.status is None:
                stub = VmStub.__new__(VmStub)
                stub.machine, stub.session, stub.target = machine, session, args.target
                tap.note("%s is still running after the scenario: ending it" % session.name)
                stub.kill()
                if session.status is None:
                    tap.ok(False, "%s: the stub it left running does not end: no more "
                           "scenarios" % name)
                    return
        machine.comment("scenario %s: %.1f s" % (name, time.monotonic() - t0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", default="vm")
    parser.add_argument("--log", help="also write the raw console to this file")
    parser.add_argument("--summary", help="write the counts as JSON to this file")
    parser.add_argument("--must-not-skip", metavar="REGEX")
    parser.add_argument("--control", required=True, help="QEMU's socket of the control port")
    parser.add_argument("--target", required=True, help="QEMU's socket of /dev/hvc0")
    parser.add_argument("--elf", required=True, help="the guest ELF the stub runs")
    parser.add_argument("--gdb", default="gdb", help="the gdb to run (gdb-multiarch)")
    parser.add_argument("--gdb-timeout", type=int, default=600,
                        help="seconds one gdb script may take")
    parser.add_argument("--must-deliver", action="store_true",
                        help="this KVM delivers every debug feature the scenarios use")
    parser.add_argument("--scenarios", default=os.environ.get("KVMDBG_VM_GDB_SCENARIOS"),
                        help="only these, by name (delivery,break_step_regs,...; default: "
                        "$KVMDBG_VM_GDB_SCENARIOS, or all)")
    args = parser.parse_args()

    merger = console.Merger(args.machine, sys.stdout, args.must_not_skip)
    machine = Machine(args, merger, threading.Lock())
    # The suite's skips are judged by --must-not-skip; the gdb scenarios skip only what this
    # KVM does not deliver, so on a machine that must deliver every feature none may skip.
    tap = VmTap(machine, r".*" if args.must_deliver else None)
    reader = threading.Thread(target=machine.read_console, daemon=True)
    reader.start()
    t0 = time.monotonic()
    if not machine.connect():
        tap.ok(False, "the control port %s: cannot connect" % args.control)
    elif not machine.wait_for(lambda: machine.ready or machine.none, 10 ** 6):
        tap.ok(False, "the machine ended before it offered gdb sessions")
    elif machine.none:
        tap.ok(False, "the machine offers no gdb sessions: " + machine.none)
    else:
        machine.comment("gdb sessions offered %.1f s after QEMU started" %
                        (time.monotonic() - t0))
        t1 = time.monotonic()
        try:
            run_scenarios(args, machine, tap)
        finally:
            machine.comment("gdb scenarios: %.1f s" % (time.monotonic() - t1))
            try:
                machine.send("DONE\n")
            except OSError:
                pass
    reader.join()
    with machine.lock:
        merger.finish()
    if machine.log:
        machine.log.close()
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as out:
            json.dump({"machine": args.machine, "passed": merger.passed,
                       "failed": merger.failed, "skipped": merger.skipped,
                       "done": merger.done}, out)
            out.write("\n")
    return 1 if merger.failed else 0


if __name__ == "__main__":
    sys.exit(main())
