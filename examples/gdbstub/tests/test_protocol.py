#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Talk to kvm-gdbstub directly: well-formed packets, malformed ones, and random ones.

Usage: test_protocol.py KVM-GDBSTUB GUEST.elf

Checks the exact replies the protocol asks for (a bad checksum gets '-', an unknown packet
the empty reply, a malformed one E22, unmapped memory E14, ...), that random and oversized
input never kills the stub, and that afterwards the guest's memory and registers are what
they were.  A second stub runs the guest: single-step, hardware breakpoints and their slot
limit, watchpoint packets, Ctrl-C, the guest's exit.  A third one, with software breakpoints,
checks that gdb never sees the int3 bytes (it never runs the guest: an int3 that KVM does
not report can wedge the vCPU).  TAP output; skipped as a whole only without a usable
/dev/kvm.
"""

import os
import random
import re
import socket
import struct
import sys
import time

# the helper next to this file; no __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubtest  # noqa: E402

TIMEOUT = 10
QUIET = 0.3  # how long "no answer" is waited for


class ProtocolError(Exception):
    pass


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.noack = False
        self.output = []  # the text of 'O' packets

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    @staticmethod
    def frame(payload):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        return b"$" + payload + b"#%02x" % (sum(payload) % 256)

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise ProtocolError("the stub closed the connection")
        self.buf += data
        return True

    def read_byte(self, timeout=TIMEOUT):
        while not self.buf:
            if not self._fill(timeout):
                return None
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def quiet(self, timeout=QUIET):
        """True if nothing at all arrives for a while."""
        return not self.buf and not self._fill(timeout)

    def drain(self, timeout=QUIET):
        while self._fill(timeout):
            pass
        self.buf = b""

    def read_packet(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                break
            left = deadline - time.monotonic()
            if left <= 0 or not self._fill(left):
                raise ProtocolError(f"no packet within {timeout} s (have {self.buf[:80]!r})")
        payload = self.buf[start + 1:end]
        csum = self.buf[end + 1:end + 3]
        self.buf = self.buf[end + 3:]
        if int(csum, 16) != sum(payload) % 256:
            raise ProtocolError(f"bad checksum from the stub: {payload[:80]!r}")
        if not self.noack:
            self.send_raw(b"+")
        return payload.decode("latin-1")

    def expect_ack(self):
        if self.noack:
            return
        b = self.read_byte()
        if b != b"+":
            raise ProtocolError(f"expected '+', got {b!r}")

    def cmd(self, payload, timeout=TIMEOUT):
        """Send a packet and return the reply, collecting 'O' output packets on the way."""
        self.send_raw(self.frame(payload))
        self.expect_ack()
        while True:
            reply = self.read_packet(timeout)
            if reply.startswith("O") and reply != "OK" and re.fullmatch(r"O([0-9a-f]{2})+",
                                                                       reply):
                self.output.append(bytes.fromhex(reply[1:]).decode(errors="replace"))
                continue
            return reply


def le64(value):
    return struct.pack("<Q", value).hex()


def guest_memory_ok(c, segments):
    """Every loaded byte of the guest is still what the ELF says."""
    for vaddr, data, memsz in segments:
        image = data + bytes(memsz - len(data))
        for off in range(0, memsz, 0x800):
            n = min(0x800, memsz - off)
            reply = c.cmd(f"m{vaddr + off:x},{n:x}")
            if reply != image[off:off + n].hex():
                return False, f"differs in [{vaddr + off:#x}, {vaddr + off + n:#x})"
    return True, ""


def test_framing_and_errors(tap, exe, elf, syms, segments):
    stub = stubtest.Stub(exe, elf)
    c = Client(stub.port)
    tap.note("framing, acks and error replies (guest stopped at its entry)")

    stop = c.cmd("?")
    tap.eq(stop, "T05thread:1;06:" + le64(0) + ";07:" + le64(0) + ";10:" + le64(0x100000) + ";",
           "'?': stopped with SIGTRAP in thread 1, rbp/rsp/rip expedited, rip = entry")
    tap.eq(c.cmd("qSupported:swbreak+;hwbreak+;xmlRegisters=i386"),
           "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+",
           "qSupported")
    regs_before = {t: (c.cmd(f"Hg{t}"), c.cmd("g"))[1] for t in (1, 2)}
    tap.eq(len(regs_before[1]), 2 * 600, "'g': 600 bytes of registers, as target.xml says")

    c.send_raw(b"$?#00")
    tap.eq(c.read_byte(), b"-", "bad checksum: '-'")
    tap.ok(c.quiet(), "and no reply")
    c.send_raw(b"$?#zz")
    tap.eq(c.read_byte(), b"-", "checksum that is not hex: '-'")
    c.send_raw(b"$?#3")
    c.send_raw(b"g")
    tap.eq(c.read_byte(), b"-", "checksum cut short by junk: '-'")
    tap.eq(c.cmd("?"), stop, "the next good packet is answered")
    c.send_raw(b"-")
    tap.eq(c.read_packet(), stop, "'-' from gdb: the last packet again")

    for pkt in ("qFooBar", "vFooBar", "j", "!", "b", "i", "Qxyz", "vMustReplyEmpty",
                "qTStatus", "qOffsets", "Z9,100000,1", "z5,100000,1", "Hx1", "Z3,101040,4"):
        tap.eq(c.cmd(pkt), "", f"{pkt!r}: the empty reply (not supported)")

    bad = ["m", "m100000", "m,4", "mzz,4", "m100000,", "m100000,4x", "m11111111111111111,1",
           "M100000,2:0", "M100000,2:zzzz", "M100000,1:0000", "X100000,2:a", "X100000:",
           "Z0", "Z0,100231", "Z0,100231,2", "Z1,100231,0", "Z2,101040,0", "Z2,101040,21",
           "z0,zz,1", "p", "pzz", "p41", "p1000", "P10=", "P10=00", "P10=zzzzzzzzzzzzzzzz",
           "P12=09000000", "G00", "Hg99", "Hgzz", "Hg-1", "vCont", "vCont;", "vCont;x",
           "vCont;c:99", "vCont;Czz", "vCont;t", "c1zzz", "Czz", "S05;zz", "qRcmd,zz",
           "qRcmd,1", "qThreadExtraInfo,99", "qThreadExtraInfo,0", "g00"]
    for pkt in bad:
        tap.eq(c.cmd(pkt), "E22", f"{pkt!r}: malformed, E22")
    tap.eq(c.cmd("T99"), "E03", "T for a thread that does not exist: E03")
    tap.eq(c.cmd("T2"), "OK", "T2: vCPU 1 is alive")
    tap.eq(c.cmd("qXfer:features:read:foo.xml:0,100"), "E00", "qXfer of an unknown annex: E00")
    tap.eq(c.cmd("qXfer:features:read:target.xml:zz"), "E00", "qXfer with a bad range: E00")

    for pkt in ("m100000,ffffffff", "m100000,2001", "M100000,ffffffff:00",
                "X100000,ffffffffffffffff:", "m0,ffffffffffffffff"):
        tap.eq(c.cmd(pkt), "E22", f"{pkt!r}: a huge length, E22")
    big = c.cmd("m100000,2000")
    tap.ok(len(big) == 0x4000 and big[:2] == "48", "the largest read, 0x2000 bytes, works")

    for pkt in ("m0,4", "mfff,1", "m1ff000,10", "m400000,1", "m8000000000000000,1",
                "mffffffffffffffff,2", "M0,1:00", "M1ff000,1:00", "X400000,1:\x01"):
        tap.eq(c.cmd(pkt), "E14", f"{pkt!r}: unmapped guest memory, E14")
    tap.eq(c.cmd("M1feffe,2:abcd"), "OK", "a write just below the unmapped page")
    tap.eq(c.cmd("M1feffe,4:11223344"), "E14", "a write into the unmapped page: E14 ...")
    tap.eq(c.cmd("m1feffe,4"), "abcd", "... and nothing written; a read stops at the page")
    tap.eq(c.cmd("X1feffe,2:\x00\x00"), "OK", "X (binary) write puts the zeros back")
    tap.eq(c.cmd("m1feffe,2"), "0000", "and they are there")
    tap.eq(c.cmd("X1feffe,0:"), "OK", "X with no data (gdb's probe for X): OK")
    tap.eq(c.cmd("X1feffe,2:}]}\x03"), "OK", "X with escaped bytes ('}' 0x7d, 0x23)")
    tap.eq(c.cmd("m1feffe,2"), "7d23", "are stored unescaped")
    tap.eq(c.cmd("M1feffe,2:0000"), "OK", "and cleaned up")

    c.send_raw(c.frame("m" * 20000))
    tap.eq(c.read_byte(), b"+", "a packet longer than PacketSize: acked")
    tap.eq(c.read_packet(), "E90", "and refused with E90 (EMSGSIZE)")
    c.send_raw(b"$m100000,4$?#3f")
    tap.eq(c.read_byte(), b"+", "a '$' inside a packet starts a new one")
    tap.eq(c.read_packet(), stop, "and that one is answered")
    c.send_raw(b"\x03")
    tap.ok(c.quiet(), "Ctrl-C while stopped: nothing to interrupt, no reply")

    rng = random.Random(7)
    junk = bytes(b for b in (rng.randrange(256) for _ in range(20000)) if b != ord("$"))
    c.send_raw(junk)
    c.drain()
    tap.eq(c.cmd("?"), stop, "20000 bytes of binary junk between packets: still answering")

    # Random packets, well framed, of every kind that does not run, write or end the guest.
    safe_first = "mgpqHTZz?QvOxyabde"
    alphabet = [chr(b) for b in range(32, 127) if chr(b) not in "$#}*"]
    answered = 0
    for n in range(3000):
        first = rng.choice(safe_first)
        body = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        if n % 3 == 0:
            body = ",".join("%x" % rng.getrandbits(rng.choice((4, 16, 64, 68)))
                            for _ in range(rng.randrange(1, 4)))
        pkt = first + body
        if pkt.startswith(("vCont", "vKill", "QStartNoAck")):
            continue
        c.cmd(pkt)
        answered += 1
    tap.ok(stub.alive(), f"{answered} random well-framed packets: every one answered, stub alive")
    binary = 0
    for n in range(1000):
        payload = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        payload = bytes(b for b in payload if b not in b"$#")
        if not payload or chr(payload[0]) in "csCSDkGPMXvQ":
            continue
        c.cmd(payload)
        binary += 1
    tap.ok(stub.alive(), f"{binary} random binary packets: every one answered, stub alive")

    c.send_raw(b"$m100000,4")
    c.close()
    c = Client(stub.port)
    tap.eq(c.cmd("?"), stop, "gdb gone in the middle of a packet: the next connection works")
    for t in (1, 2):
        c.cmd(f"Hg{t}")
        tap.eq(c.cmd("g"), regs_before[t], f"the registers of thread {t} are unchanged")
    ok, why = guest_memory_ok(c, segments)
    tap.ok(ok, "every loaded byte of the guest is unchanged", why)

    tap.eq(c.cmd("QStartNoAckMode"), "OK", "QStartNoAckMode")
    c.noack = True
    tap.eq(c.cmd("?"), stop, "no-ack mode: the reply comes without a '+'")
    c.send_raw(b"$?#00")
    tap.ok(c.quiet(), "no-ack mode: a bad checksum is dropped silently")
    tap.eq(c.cmd("m100000,1"), "48", "and the next packet is answered")
    c.send_raw(b"$k#6b")
    code = stub.wait()
    tap.eq(code, 0, "'k': the stub ends the guest and exits with 0")


def test_run_control(tap, exe, elf, syms, insns):
    stub = stubtest.Stub(exe, elf)
    delivers = stub.delivers()
    z0_hw = "hardware breakpoint" in (stub.line("gdb's 'break' (Z0) uses") or "")
    c = Client(stub.port)
    tap.note("run control (the guest runs)")
    c.cmd("qSupported:swbreak+;hwbreak+")
    entry = syms["_start"][0]

    def pc_of(reply):
        m = re.search(r";10:([0-9a-f]{16});", reply)
        return struct.unpack("<Q", bytes.fromhex(m.group(1)))[0] if m else None

    r = c.cmd("vCont;s:1")
    tap.ok(r.startswith("T05thread:1;") and pc_of(r) == stubtest.next_insn(insns, entry),
           "vCont;s:1: thread 1 steps one instruction (objdump's next)", r)
    r = c.cmd("Hc1")
    r = c.cmd("s")
    tap.ok(r.startswith("T05thread:1;") and pc_of(r) == stubtest.next_insn(insns, entry, 2),
           "'s' (old style) steps once more", r)
    c.cmd("Hg1")
    tap.eq(c.cmd("p10"), le64(stubtest.next_insn(insns, entry, 2)), "'p10' reads rip")

    add, count = syms["add"][0], syms["count"][0]
    others = [syms["worker"][0], syms["busy_wait"][0], syms["move_position"][0]]
    tap.eq(c.cmd(f"Z1,{add:x},1"), "OK", "Z1 at add()")
    tap.eq(c.cmd(f"Z1,{add:x},1"), "OK", "Z1 at the same place again: OK (idempotent)")
    r = c.cmd("vCont;c")
    tap.ok(r.startswith("T05thread:1;hwbreak:;") and pc_of(r) == add,
           "vCont;c: stops at add() with the hwbreak reason", r)
    for a in others:
        tap.eq(c.cmd(f"Z1,{a:x},1"), "OK", f"Z1 at {a:#x}")
    tap.eq(c.cmd(f"Z1,{count:x},1"), "E28",
           "a fifth hardware breakpoint: E28 (ENOSPC), four debug registers")
    if z0_hw:
        tap.eq(c.cmd(f"Z0,{add:x},1"), "OK",
               "Z0 done in hardware at the address of a Z1: shares its debug register")
        tap.eq(c.cmd(f"z0,{add:x},1"), "OK", "z0 takes only the Z0 away")
        tap.eq(c.cmd(f"Z0,{count:x},1"), "E28", "a Z0 at a new address needs a fifth: E28")
    else:
        tap.skip("Z0 sharing a debug register with Z1", "this KVM reports int3: Z0 is int3")
    for a in others:
        tap.eq(c.cmd(f"z1,{a:x},1"), "OK", f"z1 at {a:#x}")
    tap.eq(c.cmd(f"z1,{count:x},1"), "OK", "z1 of a breakpoint that is not there: OK")
    r = c.cmd("vCont;c")
    tap.ok(r.startswith("T05thread:1;hwbreak:;") and pc_of(r) == add,
           "the Z1 at add() is still there: the next call stops", r)
    tap.eq(c.cmd(f"z1,{add:x},1"), "OK", "z1 at add()")

    counter = syms["counter"][0]
    for ztype, name, key in ((2, "write", "write watchpoints"),
                             (4, "access", "access watchpoints")):
        want = "OK" if delivers[key] else "E19"
        tap.eq(c.cmd(f"Z{ztype},{counter:x},4"), want,
               f"Z{ztype} ({name} watchpoint): {want}, as the stub's probe found "
               f"({'delivered' if delivers[key] else 'not delivered'})")
        tap.eq(c.cmd(f"z{ztype},{counter:x},4"), "OK", f"z{ztype}")
    tap.eq(c.cmd(f"Z3,{counter:x},4"), "", "Z3 (read watchpoint): x86 cannot, empty reply")

    spin = syms["spin_loops"][0]
    busy = syms["busy_wait"]
    tap.eq(c.cmd(f"M{spin:x},8:{le64(10 ** 12)}"), "OK", "spin_loops = 10^12")
    c.send_raw(c.frame("vCont;c"))
    c.expect_ack()
    tap.ok(c.quiet(0.5), "vCont;c: the guest runs, no reply")
    c.send_raw(b"\x03")
    r = c.read_packet()
    pc = pc_of(r)
    tap.ok(r.startswith("T02thread:1;") and pc is not None and busy[0] <= pc < busy[0] + busy[1],
           "Ctrl-C: T02 (SIGINT), vCPU 0 inside busy_wait()", r)
    info = c.cmd("qRcmd," + b"info".hex())
    text = "".join(c.output)
    tap.ok(info == "OK" and "single-step:" in text and "vCPU 1 (thread 2): halted" in text,
           "monitor info: what KVM delivers, the points, the vCPUs", text)
    tap.eq(c.cmd("qThreadExtraInfo,2"), b"vCPU 1, halted".hex(), "qThreadExtraInfo: halted")
    tap.eq(c.cmd(f"M{spin:x},8:{le64(0)}"), "OK", "spin_loops = 0")
    tap.eq(c.cmd("vCont;c"), "W00", "continue: the guest ends with status 0 (W00)")
    code = stub.wait()
    tap.eq(code, 0, "the stub exits with the guest's status")
    tap.ok(any("guest: counter=5 total=15 worker_result=385 ok" in l for l in stub.lines),
           "the guest computed the right results", stub.output())


def test_sw_breakpoint_memory(tap, exe, elf, syms, segments):
    stub = stubtest.Stub(exe, elf, "--breakpoints=sw")
    c = Client(stub.port)
    tap.note("software breakpoints are invisible in memory (the guest does not run)")
    addr = syms["count"][0] + 8
    orig = c.cmd(f"m{addr:x},4")
    tap.eq(c.cmd(f"Z0,{addr:x},1"), "OK", "Z0 with --breakpoints=sw: int3 in guest memory")
    c.cmd("qRcmd," + b"info".hex())
    text = "".join(c.output)
    tap.ok(f"break at {addr:#x}, 1 byte, inserted" in text and
           "gdb 'break' (Z0): software breakpoints" in text,
           "libkvmdbg has it inserted (monitor info)", text)
    tap.eq(c.cmd(f"m{addr:x},4"), orig, "a read shows the byte under the int3, not 0xcc")
    tap.eq(c.cmd(f"M{addr:x},1:90"), "OK", "a write over the breakpoint")
    tap.eq(c.cmd(f"m{addr:x},4"), "90" + orig[2:], "reads the written byte")
    tap.eq(c.cmd(f"z0,{addr:x},1"), "OK", "z0")
    tap.eq(c.cmd(f"m{addr:x},4"), "90" + orig[2:], "the written byte stays after z0")
    tap.eq(c.cmd(f"M{addr:x},1:{orig[:2]}"), "OK", "put the original byte back")
    tap.eq(c.cmd(f"Z0,{addr:x},1"), "OK", "Z0 again")
    c.close()
    c = Client(stub.port)
    ok, why = guest_memory_ok(c, segments)
    tap.ok(ok, "after gdb went away with a Z0 inserted, guest memory is the ELF's again", why)
    c.send_raw(b"$k#6b")
    tap.eq(stub.wait(), 0, "'k'")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, elf = sys.argv[1], sys.argv[2]
    syms = stubtest.symbols(elf)
    insns = stubtest.instructions(elf)
    segments = stubtest.load_segments(elf)
    tap = stubtest.Tap()
    try:
        test_framing_and_errors(tap, exe, elf, syms, segments)
        test_run_control(tap, exe, elf, syms, insns)
        test_sw_breakpoint_memory(tap, exe, elf, syms, segments)
    except (ProtocolError, OSError, RuntimeError) as e:
        tap.ok(False, f"the test could not go on: {e}")
    tap.done()


if __name__ == "__main__":
    sys.exit(main())
