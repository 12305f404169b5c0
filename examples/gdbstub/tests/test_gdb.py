#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drive kvm-gdbstub with the real gdb, as a user would, and check gdb's own output.

Usage: test_gdb.py KVM-GDBSTUB GUEST.elf

Each scenario starts a fresh stub on a free loopback port and runs
'gdb -batch -nx -x SCRIPT GUEST.elf'.  Addresses come from the ELF (nm, objdump), values
from what the guest computes.  Hardware watchpoints are checked where the stub's probe found
that this KVM delivers them; elsewhere the test checks that gdb is refused cleanly and says
why it skips the rest.  TAP output; skipped as a whole only without a usable /dev/kvm.
"""

import os
import re
import subprocess
import sys
import tempfile

# the helper next to this file; no __pycache__ in the source tree
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stubtest  # noqa: E402

GDB_TIMEOUT = 180

PREAMBLE = """set pagination off
set confirm off
set width 0
set height 0
python
def try_cmd(cmd):
    try:
        gdb.execute(cmd)
    except gdb.error as e:
        print("GDB-ERROR:", e)
end
target remote 127.0.0.1:{port}
"""


def run_gdb(gdb, stub, elf, commands):
    with tempfile.NamedTemporaryFile("w", suffix=".gdb", delete=False) as f:
        f.write(PREAMBLE.format(port=stub.port) + commands)
        path = f.name
    try:
        proc = subprocess.run([gdb, "-batch", "-nx", "-x", path, elf],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=GDB_TIMEOUT)
        return proc.stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) \
            else (e.stdout or "")
        return out + "\n<gdb timed out>"
    finally:
        os.unlink(path)


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


def scenario_break_step_regs(tap, gdb, exe, elf, syms, insns):
    count = syms["count"][0]
    filled = syms["registers_filled"][0]
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
info registers rip
printf "rdi=%d\\n", $rdi
printf "rsi=%d\\n", $rsi
info threads
break *count
continue
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
stepi
printf "pc=%#lx\\n", $pc
info registers rip
delete
hbreak add
continue
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
    tap.ok(has(out, rf"^Breakpoint 1 at {count:#x}: file \S*guest\.c, line \d+\.$"),
           "break *count: at the symbol's address from nm", out)
    tap.ok(has(out, r"^Thread 1 hit Breakpoint 1, count \(\) at \S*guest\.c:\d+$"),
           "continue: thread 1 stops at Breakpoint 1 in count()", out)
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
    tap.ok(has(out, r"^#1  0x[0-9a-f]+ in count \(\) at \S*guest\.c:\d+$") and
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


def scenario_threads(tap, gdb, exe, elf, syms, insns):
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
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
    tap.ok(has(out, r"^Thread 2 hit Breakpoint 1, worker \(\) at \S*guest\.c:\d+$"),
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


def scenario_watch(tap, gdb, exe, elf, syms):
    stub = stubtest.Stub(exe, elf, "--once")
    delivers = stub.delivers()
    hw_watch = delivers["write watchpoints"] and delivers["access watchpoints"]
    if hw_watch:
        hw = """
watch counter
continue
delete
awatch total
continue
delete
watch position
continue
delete
"""
    else:
        hw = """
watch counter
python try_cmd("continue")
delete
awatch total
python try_cmd("continue")
delete
"""
    out = run_gdb(gdb, stub, elf, hw + """
set can-use-hw-watchpoints 0
watch counter
continue
continue
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
               "watch position (16 bytes, two debug registers): x = 3", out)
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
    tap.ok(has(out, r"^Watchpoint \d+: counter$"),
           "set can-use-hw-watchpoints 0; watch counter: a software watchpoint", out)
    tap.ok(has(out, r"^Thread 1 hit Watchpoint \d+: counter\n\nOld value = 0\nNew value = 1\n"
               r"count \(\) at \S*guest\.c:\d+$"),
           "gdb single-steps (vCont;s) to the first write: Old value = 0, New value = 1", out)
    tap.ok(has(out, r"^Thread 1 hit Watchpoint \d+: counter\n\nOld value = 1\nNew value = 2$"),
           "and on to the second: Old value = 1, New value = 2", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "continue to the end", out)
    no_surprises(tap, out, "watchpoints", errors=0 if hw_watch else 2)
    check_exit(tap, stub, out, 0, "watchpoints")


def scenario_interrupt(tap, gdb, exe, elf, syms):
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
set var spin_loops = 1000000000
python import threading, os, signal; threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
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
    tap.ok(len(spins) == 1 and 0 < int(spins[0]) < 1000000000,
           "it had spun for a while, not to the end", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "after 'set var spin_loops = 0', continue runs to the end", out)
    no_surprises(tap, out, "interrupt", signals=1)
    check_exit(tap, stub, out, 0, "interrupt")


def scenario_detach_kill(tap, gdb, exe, elf, syms):
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
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

    stub = stubtest.Stub(exe, elf)
    out1 = run_gdb(gdb, stub, elf, """
set var spin_loops = 1000000000
detach
""")
    out2 = run_gdb(gdb, stub, elf, """
bt 1
printf "spins=%lu\\n", spins
set var spin_loops = 0
continue
""")
    spins = values(out2, "spins")
    tap.ok(has(out1, r"^\[Inferior 1 \(Remote target\) detached\]$") and
           has(out2, r"^#0  (0x[0-9a-f]+ in )?busy_wait \(\) at ") and
           len(spins) == 1 and 0 < int(spins[0]) < 1000000000,
           "a gdb that connects after a detach finds the guest stopped where it ran",
           out1 + out2)
    tap.ok(has(out2, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and can run it to its end", out2)
    no_surprises(tap, out1 + out2, "reconnect after detach")
    check_exit(tap, stub, out2, 0, "reconnect after detach")

    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
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


def scenario_reconnect(tap, gdb, exe, elf, syms):
    stub = stubtest.Stub(exe, elf)
    out1 = run_gdb(gdb, stub, elf, """
break count
continue
printf "pc=%#lx\\n", $pc
disconnect
""")
    out2 = run_gdb(gdb, stub, elf, """
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


def scenario_one_vcpu(tap, gdb, exe, elf, syms):
    stub = stubtest.Stub(exe, elf, "--once", "--vcpus", "1")
    out = run_gdb(gdb, stub, elf, """
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


def guest_line(elf, text):
    """The line of guest/guest.c that holds text (the source is next to the tests)."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest", "guest.c")
    with open(src, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise RuntimeError(f"no line with {text!r} in {src}")


def scenario_ctrlc_then_breakpoint(tap, gdb, exe, elf, syms):
    """gdb's all-stop mode removes every breakpoint at each stop and inserts it again when it
    resumes; after a Ctrl-C the inserted-again breakpoint packs to what the kernel already has.
    0.1 never recognised its hit and livelocked (or, for a watchpoint, swallowed it)."""
    line = guest_line(elf, 'put_string("guest: counter=");')
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, f"""
break guest.c:{line}
set var spin_loops = 1000000000
python import threading, os, signal; threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
continue
set var spin_loops = 0
continue
info breakpoints
continue
""")
    tap.note("scenario: a breakpoint set before a Ctrl-C, then continue to it")
    tap.ok(has(out, r"^Thread 1 received signal SIGINT, Interrupt\.$"), "Ctrl-C stops the guest",
           out)
    tap.ok(has(out, rf"^Thread 1 hit Breakpoint 1, guest_main \(.*\) at \S*guest\.c:{line}$"),
           "continue reaches the breakpoint set before the Ctrl-C", out)
    tap.ok(has(out, r"^\s+breakpoint already hit 1 time$"), "hit once", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and on to the end", out)
    no_surprises(tap, out, "ctrl-c then breakpoint", signals=1)
    check_exit(tap, stub, out, 0, "ctrl-c then breakpoint")


def scenario_two_vcpus_breakpoints(tap, gdb, exe, elf, syms):
    """Two vCPUs, a breakpoint each reaches (vCPU 0 add(), vCPU 1 worker()), continue four
    times: every stop is one of the two, with its thread; 0.1 could hang here."""
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
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


def scenario_thousand_cycles(tap, gdb, exe, elf, syms):
    """A thousand gdb stop/resume cycles at one breakpoint, removed and inserted again by gdb
    at every stop (its default all-stop mode)."""
    line = guest_line(elf, "spins = i + 1;")
    stub = stubtest.Stub(exe, elf, "--once", "--vcpus", "1")
    out = run_gdb(gdb, stub, elf, f"""
set var spin_loops = 1000
break guest.c:{line}
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


def scenario_step_set_regs_step(tap, gdb, exe, elf, syms, insns):
    """stepi; set $rax = 1; stepi: a register write between two steps.  On VMX/SVM KVM keeps
    the trap flag only at the RIP its last KVM_SET_GUEST_DEBUG saw, and KVM_SET_REGS rewrites
    RFLAGS: 0.1 ran free after the write (the vm tier's kvm_amd machine shows it)."""
    count = syms["count"][0]
    stub = stubtest.Stub(exe, elf, "--once")
    out = run_gdb(gdb, stub, elf, """
break *count
continue
stepi
printf "pc=%#lx\\n", $pc
set $rax = 1
stepi
printf "pc=%#lx\\n", $pc
set $rip = $rip
stepi
printf "pc=%#lx\\n", $pc
delete
continue
""")
    tap.note("scenario: stepi; set $rax; stepi")
    pcs, pc = [], count
    for _ in range(3):
        pc = stubtest.next_insn(insns, pc) if pc in insns else None
        pcs.append(hex(pc) if pc is not None else "?")
    tap.ok(values(out, "pc") == pcs, "each stepi moves exactly one instruction, register "
           f"writes between them or not (want {pcs})", out)
    tap.ok(has(out, r"^\[Inferior 1 \(Remote target\) exited normally\]$"),
           "and on to the end", out)
    no_surprises(tap, out, "stepi; set; stepi")
    check_exit(tap, stub, out, 0, "stepi; set; stepi")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    exe, elf = sys.argv[1], sys.argv[2]
    gdb = stubtest.need_tool("gdb")
    syms = stubtest.symbols(elf)
    insns = stubtest.instructions(elf)
    tap = stubtest.Tap()
    try:
        scenario_break_step_regs(tap, gdb, exe, elf, syms, insns)
        scenario_threads(tap, gdb, exe, elf, syms, insns)
        scenario_watch(tap, gdb, exe, elf, syms)
        scenario_interrupt(tap, gdb, exe, elf, syms)
        scenario_detach_kill(tap, gdb, exe, elf, syms)
        scenario_reconnect(tap, gdb, exe, elf, syms)
        scenario_one_vcpu(tap, gdb, exe, elf, syms)
        scenario_ctrlc_then_breakpoint(tap, gdb, exe, elf, syms)
        scenario_two_vcpus_breakpoints(tap, gdb, exe, elf, syms)
        scenario_thousand_cycles(tap, gdb, exe, elf, syms)
        scenario_step_set_regs_step(tap, gdb, exe, elf, syms, insns)
    except (OSError, RuntimeError) as e:
        tap.ok(False, f"the test could not go on: {e}")
    tap.done()


if __name__ == "__main__":
    sys.exit(main())
