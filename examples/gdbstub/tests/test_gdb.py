#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drive kvm-gdbstub with the real gdb, as a user would, and check gdb's own output.

Usage: test_gdb.py KVM-GDBSTUB GUEST.elf

Each scenario starts a fresh stub on a free loopback port and runs
'gdb -batch -nx -x SCRIPT GUEST.elf'.  Addresses come from the ELF (nm, objdump), values
from what the guest computes.  Hardware watchpoints are checked where the stub's probe found
that this KVM delivers them; elsewhere the test checks that gdb is refused cleanly and says
why it skips the rest.  TAP output; skipped as a whole only without a usable /dev/kvm.

The scenarios are written for both guests, x86-64 (guest.c) and arm64 (guest-arm64.c); the
vm tier (tests/vm/gdb.py) runs them against a stub inside a QEMU machine whose Linux runs
upstream KVM, through a Context of its own.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

# the helper next to this file; no __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubtest  # noqa: E402

GDB_TIMEOUT = 180
# busy_wait()'s loop count for "runs until gdb stops it": a nested guest under QEMU's TCG
# spins 10^9 times in about five seconds
SPIN_FOREVER = 10 ** 12
GUEST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest")

PREAMBLE = """set pagination off
set confirm off
set width 0
set height 0
set logging file {log}
set logging overwrite on
set logging debugredirect on
set logging enabled on
{extra}python
def try_cmd(cmd):
    try:
        gdb.execute(cmd)
    except gdb.error as e:
        print("GDB-ERROR:", e)
end
target remote {target}
"""


class Arch:
    """What differs between the two guests: the source, the tools, the registers."""

    def __init__(self, elf):
        machine = stubtest.elf_machine(elf)
        if machine == 62:
            self.name = "x86_64"
            self.source = "guest.c"
            self.tools = ""
            # a register the first instructions of count() leave alone
            self.scratch = "rax"
        elif machine == 183:
            self.name = "arm64"
            self.source = "guest-arm64.c"
            self.tools = "aarch64-linux-gnu-"
            self.scratch = "x9"
        else:
            raise RuntimeError(f"{elf}: an ELF for machine {machine}, not x86-64 or arm64")
        # gdb prints the file as the compiler saw it: a path that ends in the name
        self.src_re = r"\S*" + re.escape(self.source)


class Context:
    """One run of the scenarios: TAP, gdb, the guest, and how a stub is started.

    start_stub(*args) returns an object like stubtest.Stub (target, lines, output(), line(),
    delivers(), reason(), wait()); here a local process, in the vm tier a stub inside a
    machine."""

    def __init__(self, tap, gdb, exe, elf, start_stub=None, preamble="", gdb_timeout=None):
        self.tap = tap
        self.gdb = gdb
        self.exe = exe
        self.elf = elf
        self.arch = Arch(elf)
        self.syms = stubtest.symbols(elf, self.arch.tools)
        self.insns = stubtest.instructions(elf, self.arch.tools)
        self.segments = stubtest.load_segments(elf)
        self.start_stub = start_stub or (lambda *args: stubtest.Stub(exe, elf, *args))
        self.preamble = preamble
        self.gdb_timeout = gdb_timeout or GDB_TIMEOUT
        # seconds before the scripted Ctrl-C, and between two gdb sessions on a guest that
        # runs on: longer where the guest is slow to reach busy_wait() (an emulated machine)
        self.ctrl_c_delay = 1.0
        self.settle = 0.0

    def stub(self, *args):
        return self.start_stub(*args)

    def elf_bytes(self, addr, n):
        """n bytes of the loaded image at addr, from the ELF file."""
        for vaddr, data, memsz in self.segments:
            if vaddr <= addr and addr + n <= vaddr + memsz:
                off = addr - vaddr
                return (data + bytes(memsz - len(data)))[off:off + n]
        raise RuntimeError(f"{addr:#x} is not in the guest image")


class Output(str):
    """What gdb printed; .debug holds its debug output ('set debug remote 1'), kept apart so
    that it cannot come between the parts of a line that the checks look at."""

    debug = ""


def run_gdb(ctx, stub, commands):
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        log = f.name + ".log"
        f.write(PREAMBLE.format(target=stub.target, extra=ctx.preamble, log=log) + commands)
        path = f.name
    try:
        proc = subprocess.run([ctx.gdb, "-batch", "-nx", "-x", path, ctx.elf],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=ctx.gdb_timeout)
        out = Output(proc.stdout)
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        out = Output(text + "\n<gdb timed out>")
    finally:
        os.unlink(path)
    try:
        with open(log, encoding="utf-8", errors="replace") as f:
            out.debug = f.read()
        os.unlink(log)
    except OSError:
        pass
    return out


def traced(command):
    """command with gdb's remote protocol log on: stop_replies() finds the stop packets in the
    Output's .debug."""
    return f"set debug remote 1\n{command}\nset debug remote 0\n"


def stop_replies(out):
    """The stop replies (T packets) gdb received while 'set debug remote 1' was on."""
    return re.findall(r"Packet received: (T[0-9a-f]{2}thread:[^\s]*)", out)


def stop_reason(packet):
    """'swbreak', 'hwbreak', 'watch:ADDR', ... or '' for a plain stop (a step, a signal)."""
    m = re.match(r"T[0-9a-f]{2}thread:[0-9a-f.p-]+;(?:((?:sw|hw)break):|((?:r|a)?watch:[0-9a-f]+))"
                 r";", packet)
    return (m.group(1) or m.group(2)) if m else ""


def has(out, pattern):
    return re.search(pattern, out, re.M) is not None


def values(out, name):
    """Every 'name=VALUE' printed by the scripts' printf lines."""
    return re.findall(r"^" + re.escape(name) + r"=(\S+)$", out, re.M)


def no_surprises(tap, out, what, signals=0, errors=0):
    """gdb reported exactly the signals and errors the scenario provokes, nothing else."""
    got_signals = len(re.findall(r"received signal", out))
    got_errors = len(re.findall(r"GDB-ERROR:|Error in sourced command file|^warning:|"
                                r"Remote connection closed|Protocol error", out, re.M))
    tap.ok(got_signals == signals and got_errors == errors,
           f"{what}: gdb reported {signals} signal(s) and {errors} error(s), as provoked",
           f"signals: {got_signals}, errors: {got_errors}\n{out}")


def check_exit(tap, stub, out, want_status, what):
    code = stub.wait()
    tap.eq(code, want_status, f"{what}: kvm-gdbstub exit status")
    if code != want_status:
        tap.note(stub.output())
        tap.note(out)


def offers(stub, what):
    """arm64: what the stub's 'this KVM offers:' line says of a feature ('accepted', 'no')."""
    line = stub.line("this KVM offers:") or ""
    m = re.search(re.escape(what) + r" (yes|accepted|not delivered|no)\b", line)
    return m.group(1) if m else "no"


def sw_breaks(ctx, stub):
    """Whether gdb's 'break' is a software breakpoint (int3, BRK) with this stub."""
    if ctx.arch.name == "x86_64":
        return stub.delivers()["int3"]
    return offers(stub, "BRK breakpoints") in ("yes", "accepted")


def hw_watches(ctx, stub):
    """Whether the stub takes gdb's hardware watchpoints (Z2, Z4; arm64 also Z3)."""
    if ctx.arch.name == "x86_64":
        found = stub.delivers()
        return found["write watchpoints"] and found["access watchpoints"]
    return offers(stub, "watchpoints") in ("yes", "accepted")


def check_reasons(ctx, out, want, what):
    """The stop replies of a traced part of a script that give a reason are want.  (Those
    without one are gdb's own steps: arm64 reports a watchpoint before the access, and gdb
    steps over it with the watchpoints out.)"""
    got = [r for r in (stop_reason(p) for p in stop_replies(out.debug)) if r]
    ctx.tap.eq(got, want, f"{what}: the stop replies' reasons")


def scenario_break_step_regs(ctx):
    if ctx.arch.name == "arm64":
        return scenario_break_step_regs_arm64(ctx)
    tap, syms, insns = ctx.tap, ctx.syms, ctx.insns
    count = syms["count"][0]
    filled = syms["registers_filled"][0]
    stub = ctx.stub("--once")
    sw = sw_breaks(ctx, stub)
    out = run_gdb(ctx, stub, """
info registers rip
printf "rdi=%d\\n", $rdi
printf "rsi=%d\\n", $rsi
info threads
break *count
""" + traced("continue") + """
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
info registers rip
delete
hbreak add
""" + traced("continue") + """
bt
finish
continue
finish
delete
break registers_filled
continue
printf "pc=%#lx\\n", $pc
info registers rax rbx rcx rdx rsi rdi r8 r9 r10 r11 r12 r13 r14 r15
info registers cr0 cr3 efer
print counter
print total
print message
print/x *(unsigned char *)0x100000
python try_cmd("x/4xb 0x1feffe")
python try_cmd("print *(int *)0")
delete
continue
""")
    tap.note("scenario: break, stepi, registers, hbreak, finish, continue to the end")
    entry = syms["_start"][0]
    tap.ok(has(out, rf"^rip\s+{entry:#x}\s+{entry:#x} <_start>$"),
           "before the first run, rip is the ELF entry point", out)
    tap.eq(values(out, "rdi")[:1], ["0"], "vCPU 0 starts with %rdi = its index")
    tap.eq(values(out, "rsi")[:1], ["2"], "and %rsi = the number of vCPUs")
    tap.ok(has(out, r"^\*\s+1\s+Thread 1 \(vCPU 0\)") and has(out, r"^\s+2\s+Thread 2 \(vCPU 1\)"),
           "info threads: one thread per vCPU, named by qThreadExtraInfo", out)
    tap.ok(has(out, rf"^Breakpoint 1 at {count:#x}: file {ctx.arch.src_re}, line \d+\.$"),
           "break *count: at the symbol's address from nm", out)
    tap.ok(has(out, rf"^Thread 1 hit Breakpoint 1, count \(\) at {ctx.arch.src_re}:\d+$"),
           "continue: thread 1 stops at Breakpoint 1 in count()", out)
    check_reasons(ctx, out, ["swbreak" if sw else "hwbreak", "hwbreak"],
                  "break (int3 where this KVM delivers it), then hbreak")
    pcs = values(out, "pc")
    want = [hex(count), hex(stubtest.next_insn(insns, count)),
            hex(stubtest.next_insn(insns, count, 2)), hex(filled)]
    tap.eq(pcs, want, "$pc at the breakpoint, after each stepi (objdump's next instructions), "
           "and at registers_filled")
    step2 = stubtest.next_insn(insns, count, 2)
    tap.ok(has(out, rf"^rip\s+{step2:#x}\s+{step2:#x} <count\+{step2 - count}>$"),
           "info registers rip after two stepi", out)
    add = syms["add"][0]
    m = re.search(r"^Hardware assisted breakpoint 2 at (0x[0-9a-f]+): file", out, re.M)
    tap.ok(m and add <= int(m.group(1), 16) < add + syms["add"][1],
           "hbreak add: a hardware breakpoint inside add()", out)
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 2, add \(a=0, b=1\) at "),
           "continue: the hardware breakpoint stops add(0, 1)", out)
    tap.ok(has(out, rf"^#1  0x[0-9a-f]+ in count \(\) at {ctx.arch.src_re}:\d+$") and
           has(out, r"^#2  0x[0-9a-f]+ in guest_main \(cpu=0, nr_cpus=2\) at "),
           "bt: add <- count <- guest_main(cpu=0, nr_cpus=2)", out)
    returned = re.findall(r"^Value returned is \$\d+ = (\d+)$", out, re.M)
    tap.eq(returned, ["1", "3"], "finish: add() returns 0 + 1, then 1 + 2")
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 2, add \(a=1, b=2\) at "),
           "continue from a breakpoint steps over it and stops at the next call", out)
    tap.ok(has(out, rf"^Breakpoint 3 at {filled:#x}$") and
           has(out, rf"^Thread 1 hit Breakpoint 3, {filled:#018x} in fill_registers \(\)$"),
           "break registers_filled (an assembler label) stops there", out)
    regs_ok = all(has(out, rf"^{name}\s+0x{digit * 16}\s") for name, digit in (
        ("rax", "1"), ("rbx", "2"), ("rcx", "3"), ("rdx", "4"), ("rsi", "5"), ("rdi", "6"),
        ("r8", "8"), ("r9", "9"), ("r10", "a"), ("r11", "b"), ("r12", "c"), ("r13", "d"),
        ("r14", "e"), ("r15", "f")))
    tap.ok(regs_ok, "info registers: the values fill_registers() loaded", out)
    tap.ok(has(out, r"^cr0\s+0x80010033\s") and has(out, r"^cr3\s+0x2000\s") and
           has(out, r"^efer\s+0x500\s"),
           "control registers: paging on, cr3 at the page tables, long mode active", out)
    tap.ok(has(out, r"^\$\d+ = 5$") and has(out, r"^\$\d+ = 15$"),
           "print counter, total: what count() computed", out)
    tap.ok(has(out, r'^\$\d+ = "hello from the guest", \'\\000\' <repeats 11 times>$'),
           "print message: the guest's string", out)
    tap.ok(has(out, r"^\$\d+ = 0x48$"), "guest memory at the entry point (48 = REX.W)", out)
    tap.ok(has(out, r"^0x1feffe:\s+0x00\s+0x00\s+GDB-ERROR: Cannot access memory at "
               r"address 0x1ff000$"),
           "x/4xb across the unmapped page: two bytes, then gdb's error", out)
    tap.ok(has(out, r"^GDB-ERROR: Cannot access memory at address 0x0$"),
           "print *(int *)0: the NULL page is not mapped", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end: the guest exits with status 0", out)
    no_surprises(tap, out, "break/step", errors=2)
    check_exit(tap, stub, out, 0, "break/step")
    tap.ok(any("guest: counter=5 total=15 worker_result=385 ok" in l for l in stub.lines),
           "the guest computed the right results under the debugger", stub.output())


def scenario_break_step_regs_arm64(ctx):
    tap, syms, insns = ctx.tap, ctx.syms, ctx.insns
    count = syms["count"][0]
    filled = syms["registers_filled"][0]
    entry = syms["_start"][0]
    ram_end = 0x40000000 + (4 << 20)
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, f"""
printf "pc=%#lx\\n", $pc
printf "x0=%d\\n", $x0
printf "x1=%d\\n", $x1
printf "el=%d\\n", $cpsr & 0x3cf
info threads
break *count
""" + traced("continue") + """
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
delete
hbreak add
""" + traced("continue") + f"""
bt
finish
continue
finish
delete
break registers_filled
continue
printf "pc=%#lx\\n", $pc
info registers x9 x10 x11 x12 x13 x14 x15 x19 x20 x21 x22 x23 x24 x25 x26 x27 x28
print counter
print total
print message
print/x *(unsigned int *){entry:#x}
python try_cmd("x/4xb {ram_end - 2:#x}")
python try_cmd("print *(int *)0")
delete
continue
""")
    tap.note("scenario: break, stepi, registers, hbreak, finish, continue to the end (arm64)")
    tap.eq(values(out, "pc")[:1], [hex(entry)], "before the first run, pc is the ELF entry point")
    tap.eq(values(out, "x0")[:1], ["0"], "vCPU 0 starts with x0 = its index")
    tap.eq(values(out, "x1")[:1], ["2"], "and x1 = the number of vCPUs")
    tap.eq(values(out, "el")[:1], [str(0x3c5)], "PSTATE: EL1h, D, A, I and F masked")
    tap.ok(has(out, r"^\*\s+1\s+Thread 1 \(vCPU 0\)") and has(out, r"^\s+2\s+Thread 2 \(vCPU 1\)"),
           "info threads: one thread per vCPU, named by qThreadExtraInfo", out)
    tap.ok(has(out, rf"^Breakpoint 1 at {count:#x}: file {ctx.arch.src_re}, line \d+\.$"),
           "break *count: at the symbol's address from nm", out)
    tap.ok(has(out, rf"^Thread 1 hit Breakpoint 1, count \(\) at {ctx.arch.src_re}:\d+$"),
           "continue: thread 1 stops at Breakpoint 1 in count()", out)
    check_reasons(ctx, out, ["swbreak", "hwbreak"], "break (a BRK in guest memory), then hbreak")
    want = [hex(entry), hex(count), hex(stubtest.next_insn(insns, count)),
            hex(stubtest.next_insn(insns, count, 2)), hex(filled)]
    tap.eq(values(out, "pc"), want, "$pc at the entry, at the breakpoint, after each stepi "
           "(objdump's next instructions), and at registers_filled")
    add = syms["add"][0]
    m = re.search(r"^Hardware assisted breakpoint 2 at (0x[0-9a-f]+): file", out, re.M)
    tap.ok(m and add <= int(m.group(1), 16) < add + syms["add"][1],
           "hbreak add: a hardware breakpoint inside add()", out)
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 2, add \(a=0, b=1\) at "),
           "continue: the hardware breakpoint stops add(0, 1)", out)
    tap.ok(has(out, rf"^#1  0x[0-9a-f]+ in count \(\) at {ctx.arch.src_re}:\d+$") and
           has(out, r"^#2  0x[0-9a-f]+ in guest_main \(cpu=0, nr_cpus=2\) at "),
           "bt: add <- count <- guest_main(cpu=0, nr_cpus=2)", out)
    returned = re.findall(r"^Value returned is \$\d+ = (\d+)$", out, re.M)
    tap.eq(returned, ["1", "3"], "finish: add() returns 0 + 1, then 1 + 2")
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 2, add \(a=1, b=2\) at "),
           "continue from a breakpoint steps over it and stops at the next call", out)
    tap.ok(has(out, rf"^Breakpoint 3 at {filled:#x}$") and
           has(out, rf"^Thread 1 hit Breakpoint 3, {filled:#018x} in fill_registers \(\)$"),
           "break registers_filled (an assembler label) stops there", out)
    regs = [(f"x{n}", f"{n:x}" if n < 16 else f"{n}") for n in (9, 10, 11, 12, 13, 14, 15)]
    regs += [(f"x{n}", f"{n}") for n in range(19, 29)]
    regs_ok = all(has(out, rf"^{name}\s+0x{(digits * 16)[:16]}\s") for name, digits in regs)
    tap.ok(regs_ok, "info registers: the values fill_registers() loaded", out)
    tap.ok(has(out, r"^\$\d+ = 5$") and has(out, r"^\$\d+ = 15$"),
           "print counter, total: what count() computed", out)
    tap.ok(has(out, r'^\$\d+ = "hello from the guest", \'\\000\' <repeats 11 times>$'),
           "print message: the guest's string", out)
    word = int.from_bytes(ctx.elf_bytes(entry, 4), "little")
    tap.ok(has(out, rf"^\$\d+ = {word:#x}$"),
           f"guest memory at the entry point: the first instruction ({word:#010x})", out)
    tap.ok(has(out, rf"^{ram_end - 2:#x}:\s+0x00\s+0x00\s+GDB-ERROR: Cannot access memory at "
               rf"address {ram_end:#x}$"),
           "x/4xb across the end of guest RAM: two bytes, then gdb's error", out)
    tap.ok(has(out, r"^GDB-ERROR: Cannot access memory at address 0x0$"),
           "print *(int *)0: nothing at address 0", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end: the guest exits with status 0", out)
    no_surprises(tap, out, "break/step", errors=2)
    check_exit(tap, stub, out, 0, "break/step")
    tap.ok(any("guest: counter=5 total=15 worker_result=385 ok" in l for l in stub.lines),
           "the guest computed the right results under the debugger", stub.output())


def scenario_stepi_many(ctx):
    """stepi twenty times through straight-line code: every pc is objdump's next one."""
    tap, insns = ctx.tap, ctx.insns
    start = ctx.syms["fill_registers"][0]
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break *fill_registers
continue
printf "pc=%#lx\\n", $pc
set $n = 0
while $n < 20
  stepi
  printf "pc=%#lx\\n", $pc
  set $n = $n + 1
end
delete
continue
""")
    tap.note("scenario: stepi x20 through fill_registers()")
    want = [hex(start)] + [hex(stubtest.next_insn(insns, start, n)) for n in range(1, 21)]
    tap.eq(values(out, "pc"), want, "each of 20 stepi lands on the next instruction")
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "stepi x20")
    check_exit(tap, stub, out, 0, "stepi x20")


def scenario_threads(ctx):
    tap, syms, insns = ctx.tap, ctx.syms, ctx.insns
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break worker
continue
printf "thread=%d\\n", $_thread
printf "pc=%#lx\\n", $pc
stepi
printf "thread=%d\\n", $_thread
printf "pc=%#lx\\n", $pc
info threads
thread 1
printf "thread=%d\\n", $_thread
delete
continue
""")
    tap.note("scenario: a breakpoint that only vCPU 1 reaches")
    m = re.search(r"^Breakpoint 1 at (0x[0-9a-f]+): file", out, re.M)
    bp = int(m.group(1), 16) if m else -1
    worker = syms["worker"]
    tap.ok(worker[0] <= bp < worker[0] + worker[1], "break worker: inside worker()", out)
    tap.ok(has(out, rf"^Thread 2 hit Breakpoint 1, worker \(\) at {ctx.arch.src_re}:\d+$"),
           "continue: Thread 2 (vCPU 1) hits it; the stop reply said thread:2", out)
    tap.eq(values(out, "thread"), ["2", "2", "1"], "$_thread: 2 at the stop, 2 after stepi, "
           "1 after 'thread 1'")
    want = [hex(bp), hex(stubtest.next_insn(insns, bp))] if bp in insns else []
    tap.eq(values(out, "pc"), want, "stepi on thread 2 moves vCPU 1 one instruction")
    tap.ok(has(out, r"^\*\s+2\s+Thread 2 \(vCPU 1\) "), "info threads marks thread 2", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "threads")
    check_exit(tap, stub, out, 0, "threads")


def scenario_watch(ctx):
    tap, syms = ctx.tap, ctx.syms
    stub = ctx.stub("--once")
    hw_watch = hw_watches(ctx, stub)
    # arm64 watches reads alone (Z3); x86 cannot, and gdb's rwatch is refused there
    rwatch = ctx.arch.name == "arm64"
    if hw_watch:
        hw = ("watch counter\n" + traced("continue") + "delete\n" +
              "awatch total\n" + traced("continue") + "delete\n" +
              "watch position\n" + traced("continue") + "delete\n")
        if rwatch:
            hw += "rwatch spin_loops\n" + traced("continue") + "delete\n"
    else:
        hw = """
watch counter
python try_cmd("continue")
delete
awatch total
python try_cmd("continue")
delete
"""
    out = run_gdb(ctx, stub, hw + """
delete
continue
""")
    tap.note("scenario: watchpoints")
    if hw_watch:
        tap.ok(has(out, r"^Hardware watchpoint 1: counter$") and
               has(out, r"^Thread 1 hit Hardware watchpoint 1: counter\n\nOld value = 0\n"
                   r"New value = 1$"),
               "watch counter (Z2): hit with Old value = 0, New value = 1", out)
        tap.ok(has(out, r"^Thread 1 hit Hardware access \(read/write\) watchpoint 2: total\n\n"
                   r"Value = 0$"),
               "awatch total (Z4): the read in count() stops with Value = 0", out)
        tap.ok(has(out, r"^Thread 1 hit Hardware watchpoint 3: position\n\n"
                   r"Old value = \{x = 0, y = 0\}\nNew value = \{x = 3, y = 0\}$"),
               "watch position (16 bytes, two watchpoint registers): x = 3", out)
        pos = syms["position"][0]
        want = [f"watch:{syms['counter'][0]:x}", f"awatch:{syms['total'][0]:x}"]
        # the write to position.x, reported at its first byte (arm64 may report the address
        # rounded down to the watched doubleword: that is this one)
        want.append(f"watch:{pos:x}")
        if rwatch:
            tap.ok(has(out, r"^Thread 1 hit Hardware read watchpoint 4: spin_loops\n\n"
                       r"Value = 1000$"),
                   "rwatch spin_loops (Z3): busy_wait() reads it, Value = 1000", out)
            want.append(f"rwatch:{syms['spin_loops'][0]:x}")
        check_reasons(ctx, out, want, "watch, awatch, watch (16 bytes)" +
                      (", rwatch" if rwatch else "") + ": the data address in each")
    else:
        reason = "; ".join(r for r in (stub.reason("'watch' (Z2) is refused"),
                                       stub.reason("'awatch' (Z4) is refused")) if r)
        tap.ok(has(out, r"^Hardware watchpoint 1: counter\n(Warning:\n)?"
                   r"Could not insert hardware watchpoint 1\.$"),
               "watch counter: Z2 refused with an error, gdb says it cannot insert it", out)
        tap.ok(has(out, r"Could not insert hardware watchpoint 2\.$"),
               "awatch total: Z4 refused the same way", out)
        tap.ok(reason != "", "the stub said at startup why it refuses them", stub.output())
        tap.skip("hardware watchpoint hits (watch, awatch, a 16-byte watch)", reason)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "hardware watchpoints", errors=0 if hw_watch else 2)
    check_exit(tap, stub, out, 0, "hardware watchpoints")

    # gdb's own watchpoints, from count() on: it steps (vCont;s) and compares
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break count
continue
delete
set can-use-hw-watchpoints 0
watch counter
continue
continue
delete
continue
""")
    tap.ok(has(out, r"^Watchpoint \d+: counter$"),
           "set can-use-hw-watchpoints 0; watch counter: a software watchpoint", out)
    tap.ok(has(out, r"^Thread 1 hit Watchpoint \d+: counter\n\nOld value = 0\nNew value = 1\n"
               rf"count \(\) at {ctx.arch.src_re}:\d+$"),
           "gdb single-steps (vCont;s) to the first write: Old value = 0, New value = 1", out)
    tap.ok(has(out, r"^Thread 1 hit Watchpoint \d+: counter\n\nOld value = 1\nNew value = 2$"),
           "and on to the second: Old value = 1, New value = 2", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "software watchpoints")
    check_exit(tap, stub, out, 0, "software watchpoints")


def scenario_interrupt(ctx):
    tap = ctx.tap
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, f"""
set var spin_loops = {SPIN_FOREVER}
python import threading, os, signal; threading.Timer({ctx.ctrl_c_delay}, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
continue
bt 1
printf "spins=%lu\\n", spins
set var spin_loops = 0
continue
""")
    tap.note("scenario: Ctrl-C while the guest runs")
    tap.ok(has(out, r"^Thread 1 received signal SIGINT, Interrupt\.$"),
           "SIGINT to gdb: gdb sends 0x03, the stub kicks the vCPUs, stop reply T02", out)
    tap.ok(has(out, r"^#0  (0x[0-9a-f]+ in )?busy_wait \(\) at "),
           "vCPU 0 was stopped inside busy_wait()", out)
    spins = values(out, "spins")
    tap.ok(len(spins) == 1 and 0 < int(spins[0]) < SPIN_FOREVER,
           "it had spun for a while, not to the end", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "after 'set var spin_loops = 0', continue runs to the end", out)
    no_surprises(tap, out, "interrupt", signals=1)
    check_exit(tap, stub, out, 0, "interrupt")


def scenario_detach_kill(ctx):
    tap = ctx.tap
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break count
continue
detach
""")
    tap.note("scenario: detach, kill")
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 1, count \(\) at "), "break count; continue", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) detached\]$"), "detach", out)
    no_surprises(tap, out, "detach")
    check_exit(tap, stub, out, 0, "detach")
    tap.ok(any("gdb detached; the guest runs on" in l for l in stub.lines) and
           any("guest: counter=5 total=15 worker_result=385 ok" in l for l in stub.lines),
           "after the detach the guest runs to its end without breakpoints", stub.output())

    stub = ctx.stub()
    out1 = run_gdb(ctx, stub, f"""
set var spin_loops = {SPIN_FOREVER}
detach
""")
    time.sleep(ctx.settle)
    out2 = run_gdb(ctx, stub, """
bt 1
printf "spins=%lu\\n", spins
set var spin_loops = 0
continue
""")
    spins = values(out2, "spins")
    tap.ok(has(out1, r"^\[Inferior 1 \(Remote target\) detached\]$") and
           has(out2, r"^#0  (0x[0-9a-f]+ in )?busy_wait \(\) at ") and
           len(spins) == 1 and 0 < int(spins[0]) < SPIN_FOREVER,
           "a gdb that connects after a detach finds the guest stopped where it ran",
           out1 + out2)
    tap.ok(has(out2, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and can run it to its end", out2)
    no_surprises(tap, out1 + out2, "reconnect after detach")
    check_exit(tap, stub, out2, 0, "reconnect after detach")

    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break count
continue
kill
""")
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) killed\]$"), "kill", out)
    no_surprises(tap, out, "kill")
    check_exit(tap, stub, out, 0, "kill")
    tap.ok(any("gdb killed the guest" in l for l in stub.lines) and
           not any("guest: counter=" in l for l in stub.lines),
           "the guest did not run on after the kill", stub.output())


def scenario_reconnect(ctx):
    """gdb disconnects, a second gdb connects, in gdb's default no-ack mode.  On a serial
    line (the vm tier) the stub cannot see the first gdb go: the second one's qSupported
    must turn acknowledgements on again (libkvmdbg-gdbserver's framing)."""
    tap = ctx.tap
    stub = ctx.stub()
    out1 = run_gdb(ctx, stub, """
break count
continue
printf "pc=%#lx\\n", $pc
disconnect
""")
    out2 = run_gdb(ctx, stub, """
printf "pc=%#lx\\n", $pc
printf "counter=%d\\n", counter
info breakpoints
hbreak add
continue
delete
continue
""")
    tap.note("scenario: gdb disconnects, a second gdb connects")
    pc1 = values(out1, "pc")
    tap.ok(len(pc1) == 1 and values(out2, "pc") == pc1,
           "the second gdb finds the guest where the first one left it", out1 + out2)
    tap.eq(values(out2, "counter"), ["0"], "nothing ran in between")
    tap.ok(has(out2, r"^No breakpoints or watchpoints\.$"), "no breakpoints are left over",
           out2)
    tap.ok(has(out2, r"^Thread 1 hit Breakpoint 1, add \(a=0, b=1\) at ") and
           has(out2, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "the second session debugs and ends the guest", out2)
    no_surprises(tap, out1 + out2, "reconnect")
    check_exit(tap, stub, out2, 0, "reconnect")


def scenario_one_vcpu(ctx):
    tap = ctx.tap
    stub = ctx.stub("--once", "--vcpus", "1")
    out = run_gdb(ctx, stub, """
info threads
continue
""")
    tap.note("scenario: one vCPU")
    tap.ok(has(out, r"^\*\s+1\s+Thread 1 \(vCPU 0\)") and not has(out, r"Thread 2"),
           "--vcpus 1: one thread", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"), "runs to the end",
           out)
    no_surprises(tap, out, "one vCPU")
    check_exit(tap, stub, out, 0, "one vCPU")


def guest_line(ctx, text):
    """The line of the guest's source that holds text (the source is next to the tests)."""
    src = os.path.join(GUEST_DIR, ctx.arch.source)
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise RuntimeError(f"no line with {text!r} in {src}")


def line_address(out, line):
    """The address gdb's 'info line N' gives for the start of line N, or None."""
    m = re.search(rf"^Line {line} of \"[^\"]*\" starts at address (0x[0-9a-f]+) ", out, re.M)
    return int(m.group(1), 16) if m else None


# Where gdb stopped: the source line of the selected frame and its pc.
NEXT_WHERE = ('python f = gdb.selected_frame(); '
              'print("line=%d pc=%#x" % (f.find_sal().line, f.pc()))')


def scenario_next(ctx):
    """next over calls in guest_main(): gdb steps the line range and, at each call, plants a
    step-resume breakpoint at the return address and continues to it (Z0, then z0)."""
    tap = ctx.tap
    lines = [guest_line(ctx, text) for text in
             ("\tcount();", "\tmove_position();", "\tfill_registers();", "\tbusy_wait();")]
    stub = ctx.stub("--once")
    sw = sw_breaks(ctx, stub)
    info = "".join(f"info line {ctx.arch.source}:{n}\n" for n in lines)
    where = NEXT_WHERE
    out = run_gdb(ctx, stub, info + f"""
break {ctx.arch.source}:{lines[0]}
continue
delete
{where}
printf "sums=%d,%d\\n", counter, total
""" + traced("next") + f"""
{where}
printf "sums=%d,%d\\n", counter, total
next
{where}
printf "position=%ld,%ld\\n", position.x, position.y
next
{where}
continue
""")
    tap.note("scenario: next over count(), move_position() and fill_registers()")
    addrs = [line_address(out, n) for n in lines]
    tap.ok(all(addrs), "info line: an address for each line of the calls", out)
    stops = re.findall(r"^line=(\d+) pc=(0x[0-9a-f]+)", out, re.M)
    want = [(str(n), hex(a or 0)) for n, a in zip(lines, addrs)]
    tap.eq(stops, want, "break, then each next: the next line of guest_main(), at the first "
           "address of the line ('info line')")
    tap.eq(values(out, "sums"), ["0,0", "5,15"],
           "counter, total: 0, 0 before next over count(); 5, 15 after it (count() ran whole)")
    tap.eq(values(out, "position"), ["3,4"], "next ran move_position() whole: position = 3, 4")
    tap.ok(has(out, rf"^{lines[1]}\s+move_position\(\);$") and
           has(out, rf"^{lines[2]}\s+fill_registers\(\);$") and
           has(out, rf"^{lines[3]}\s+busy_wait\(\);$"),
           "gdb shows each source line it stops at", out)
    # next over count() steps into the call and out through a breakpoint at the return
    # address; where the KVM delivers int3 (BRK) that is a software breakpoint
    check_reasons(ctx, out, ["swbreak" if sw else "hwbreak"],
                  "next over count(): the step-resume breakpoint at the return address")
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "next")
    check_exit(tap, stub, out, 0, "next")


def scenario_ctrlc_then_breakpoint(ctx):
    """gdb's all-stop mode removes every breakpoint at each stop and inserts it again when it
    resumes; after a Ctrl-C the inserted-again breakpoint packs to what the kernel already has.
    0.1 never recognised its hit and livelocked (or, for a watchpoint, swallowed it)."""
    tap = ctx.tap
    line = guest_line(ctx, 'put_string("guest: counter=");')
    stub = ctx.stub("--once")
    sw = sw_breaks(ctx, stub)
    out = run_gdb(ctx, stub, f"""
break {ctx.arch.source}:{line}
set var spin_loops = {SPIN_FOREVER}
python import threading, os, signal; threading.Timer({ctx.ctrl_c_delay}, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
continue
set var spin_loops = 0
""" + traced("continue") + """
info breakpoints
continue
""")
    tap.note("scenario: a breakpoint set before a Ctrl-C, then continue to it")
    tap.ok(has(out, r"^Thread 1 received signal SIGINT, Interrupt\.$"), "Ctrl-C stops the guest",
           out)
    tap.ok(has(out, rf"^Thread 1 hit Breakpoint 1, guest_main \(.*\) at "
               rf"{ctx.arch.src_re}:{line}$"),
           "continue reaches the breakpoint set before the Ctrl-C", out)
    check_reasons(ctx, out, ["swbreak" if sw else "hwbreak"], "the breakpoint after the Ctrl-C")
    tap.ok(has(out, r"^\s+breakpoint already hit 1 time$"), "hit once", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and on to the end", out)
    no_surprises(tap, out, "ctrl-c then breakpoint", signals=1)
    check_exit(tap, stub, out, 0, "ctrl-c then breakpoint")


def scenario_two_vcpus_breakpoints(ctx):
    """Two vCPUs, a breakpoint each reaches (vCPU 0 add(), vCPU 1 worker()), continue four
    times: every stop is one of the two, with its thread; 0.1 could hang here."""
    tap = ctx.tap
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, """
break add
break worker
continue
printf "stop=%d-%d\\n", $_thread, $_hit_bpnum
continue
printf "stop=%d-%d\\n", $_thread, $_hit_bpnum
continue
printf "stop=%d-%d\\n", $_thread, $_hit_bpnum
continue
printf "stop=%d-%d\\n", $_thread, $_hit_bpnum
delete
continue
""")
    tap.note("scenario: two vCPUs, a breakpoint each, continue four times")
    stops = values(out, "stop")
    tap.ok(len(stops) == 4, "four stops", out)
    tap.ok(all(st in ("1-1", "2-2") for st in stops),
           "each at add() (breakpoint 1) on thread 1 or worker() (2) on thread 2", out)
    tap.ok(stops.count("2-2") <= 1, "worker() is reached once", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "the guest ends normally", out)
    no_surprises(tap, out, "two vCPUs")
    check_exit(tap, stub, out, 0, "two vCPUs")


def scenario_thousand_cycles(ctx):
    """A thousand gdb stop/resume cycles at one breakpoint, removed and inserted again by gdb
    at every stop (its default all-stop mode)."""
    tap = ctx.tap
    line = guest_line(ctx, "spins = i + 1;")
    stub = ctx.stub("--once", "--vcpus", "1")
    out = run_gdb(ctx, stub, f"""
set var spin_loops = 1000
break {ctx.arch.source}:{line}
set $n = 0
while $n < 1000
  continue
  set $n = $n + 1
end
printf "spins=%lu\\n", spins
info breakpoints
delete
continue
""")
    tap.note("scenario: a thousand stop/resume cycles at a re-inserted breakpoint")
    tap.ok(values(out, "spins") == ["999"], "the loop's 1000th stop is before its 1000th store",
           out)
    tap.ok(has(out, r"^\s+breakpoint already hit 1000 times$"), "hit 1000 times", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and on to the end", out)
    no_surprises(tap, out, "thousand cycles")
    check_exit(tap, stub, out, 0, "thousand cycles")


def scenario_step_set_regs_step(ctx):
    """stepi; set $rax = N; stepi: a register write between two steps.  On VMX/SVM KVM keeps
    the trap flag only at the RIP its last KVM_SET_GUEST_DEBUG saw, and KVM_SET_REGS rewrites
    RFLAGS: 0.1 ran free after the write (the vm tier's kvm_amd machine shows it)."""
    tap, insns = ctx.tap, ctx.insns
    count = ctx.syms["count"][0]
    reg = ctx.arch.scratch
    stub = ctx.stub("--once")
    out = run_gdb(ctx, stub, f"""
break *count
continue
stepi
printf "pc=%#lx\\n", $pc
set ${reg} = 0x1234
stepi
printf "pc=%#lx\\n", $pc
printf "reg=%#lx\\n", ${reg}
set $pc = $pc
stepi
printf "pc=%#lx\\n", $pc
delete
continue
""")
    tap.note(f"scenario: stepi; set ${reg}; stepi")
    pcs, pc = [], count
    for _ in range(3):
        pc = stubtest.next_insn(insns, pc) if pc in insns else None
        pcs.append(hex(pc) if pc is not None else "?")
    tap.ok(values(out, "pc") == pcs, "each stepi moves exactly one instruction, register "
           f"writes between them or not (want {pcs})", out)
    tap.eq(values(out, "reg"), ["0x1234"], f"${reg} keeps what gdb wrote across the stepi")
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and on to the end", out)
    no_surprises(tap, out, "stepi; set; stepi")
    check_exit(tap, stub, out, 0, "stepi; set; stepi")


SCENARIOS = [
    scenario_break_step_regs,
    scenario_stepi_many,
    scenario_next,
    scenario_threads,
    scenario_watch,
    scenario_interrupt,
    scenario_detach_kill,
    scenario_reconnect,
    scenario_one_vcpu,
    scenario_ctrlc_then_breakpoint,
    scenario_two_vcpus_breakpoints,
    scenario_thousand_cycles,
    scenario_step_set_regs_step,
]


def run_all(ctx, scenarios=None):
    """Every scenario in turn; one that cannot go on is a failure, and the next one runs."""
    for scenario in scenarios or SCENARIOS:
        try:
            scenario(ctx)
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            ctx.tap.ok(False, f"{scenario.__name__}: the scenario could not go on: {e}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, elf = sys.argv[1], sys.argv[2]
    gdb = stubtest.need_tool("gdb")
    tap = stubtest.Tap()
    try:
        ctx = Context(tap, gdb, exe, elf)
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        tap.ok(False, f"the test could not start: {e}")
        tap.done()
    run_all(ctx)
    tap.done()


if __name__ == "__main__":
    sys.exit(main())
