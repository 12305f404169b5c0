#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kvm-gdbstub on a serial line, as in the vm tier (gdb on the host, the stub in a machine).

Usage: test_serial.py KVM-GDBSTUB GUEST.elf

The stub gets the slave end of a pty (--serial); a relay joins the master end to a loopback
TCP port for gdb, as QEMU's chardev joins a guest's serial port to a socket.  Real gdb: a
breakpoint, a backtrace, detach (the guest runs on), a second session on the same line when
gdb speaks again, and kill.  TAP; skipped (77) without a usable /dev/kvm.
"""

import os
import pty
import re
import select
import socket
import subprocess
import sys
import threading
import time

count = failed = 0


def ok(cond, desc, detail=""):
    global count, failed
    count += 1
    print(("ok" if cond else "not ok") + f" {count} - {desc}", flush=True)
    if not cond:
        failed += 1
        for line in str(detail).splitlines():
            print(f"#   {line}", flush=True)


def relay(listener, master):
    """Each gdb that connects talks to the serial line, one after another."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            while True:
                r, _, _ = select.select([conn, master], [], [], 60)
                if not r:
                    return
                if conn in r:
                    data = conn.recv(4096)
                    if not data:
                        break
                    os.write(master, data)
                if master in r:
                    try:
                        data = os.read(master, 4096)
                    except OSError:
                        return
                    conn.sendall(data)


def gdb(port, elf, *commands):
    args = ["gdb", "-batch", "-nx", "-ex", "set confirm off",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        args += ["-ex", c]
    proc = subprocess.run(args + [elf], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    return proc.stdout + proc.stderr


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, elf = sys.argv[1], sys.argv[2]
    master, slave = pty.openpty()
    wrapper = os.environ.get("GDBSTUB_WRAPPER", "").split()
    stub = subprocess.Popen([*wrapper, exe, "--serial=" + os.ttyname(slave), elf],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.close(slave)
    # gdb only once the stub has made the line raw: bytes that come before would meet the
    # terminal's default line discipline (echo, lines)
    lines, ready = [], threading.Event()

    def pump():
        for line in stub.stdout:
            lines.append(line)
            if "kvm-gdbstub: serving gdb on" in line:
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(timeout=120)
    if stub.poll() == 77:
        print("1..0 # SKIP no usable /dev/kvm", flush=True)
        return 77
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    threading.Thread(target=relay, args=(listener, master), daemon=True).start()

    # the guest spins long enough for a second gdb to find it running
    out1 = gdb(port, elf, "break count", "continue", "bt", "set var spin_loops = 1000000000",
               "detach")
    ok(re.search(r"^Thread 1 hit Breakpoint 1, count \(\) at ", out1, re.M),
       "serial: break count; continue", out1)
    ok(re.search(r"^#1  0x[0-9a-f]+ in guest_main \(cpu=0, nr_cpus=2\)", out1, re.M),
       "serial: bt", out1)
    ok(re.search(r"^\[Inferior 1 \(Remote target\) detached\]$", out1, re.M),
       "serial: detach", out1)
    out2 = gdb(port, elf, "info threads", "bt 1", "kill")
    ok(re.search(r"^\s+2\s+Thread 2 \(vCPU 1", out2, re.M) and
       re.search(r"^#0  (0x[0-9a-f]+ in )?busy_wait \(\) at ", out2, re.M),
       "serial: a second session on the same line, when gdb speaks again: the guest had run on",
       out2)
    ok(re.search(r"^\[Inferior 1 \(Remote target\) killed\]$", out2, re.M), "serial: kill",
       out2)
    try:
        code = stub.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stub.kill()
        code = None
    time.sleep(0.2)
    output = "".join(lines)
    ok(code == 0, "serial: the stub exits with 0 after the kill", output)
    ok(output.count("kvm-gdbstub: gdb connected") == 2 and
       "kvm-gdbstub: gdb detached; the guest runs on" in output,
       "serial: two sessions, a detach between them", output)
    listener.close()
    os.close(master)
    print(f"1..{count}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
