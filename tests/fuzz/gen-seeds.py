#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the hand-made seeds of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*).

The seeds are what a fuzzer cannot easily guess: for each architecture a real exit of each
kind (a breakpoint instruction, a single-step, a hardware slot, a watchpoint, an s390
intercept) and short sessions shaped like a debugger's and a coverage fuzzer's (insert, run,
stop, step over, re-arm, snapshot reset, the guest overwriting a breakpoint, a kick).  The
input formats are the ones fuzz-decode.c, fuzz-pack.c and fuzz-api.c read; when one of them
changes, change this file with it and run it again:

    python3 tests/fuzz/gen-seeds.py [tests/fuzz/corpus]

It rewrites seed-* files only; entries from fuzzer runs (other names) are left alone.
"""

import os
import struct
import sys

# arch_get() order (lib/arch/native.c)
ARCHES = ["x86_64", "s390x", "ppc64-book3s", "ppc64-booke", "ppc64le-book3s", "aarch64",
          "riscv64"]
BIG = {"s390x", "ppc64-book3s", "ppc64-booke"}

# fuzz-api.c ops[] order
OPS = ["vm-insert", "vm-remove", "vcpu-insert", "vcpu-remove", "single-step",
       "trap-debug-regs", "pre-run", "handle-exit", "rearm", "mark-all-armed", "remove-all",
       "guest-write", "cancel-resume", "reinject", "kick", "snapshot", "restore",
       "fail-set-guest-debug", "fail-writes", "vcpu-replace", "vm-find", "null-args",
       "bulk-insert", "set-kick", "queries", "map-page", "set-space", "get-space",
       "insert-in-space", "insert-many", "plant-pending", "heal", "signal-guard", "translate",
       "read", "write", "vcpu-find", "set-translate-vcpu"]
OP = {name: i for i, name in enumerate(OPS)}

SW, HW, WW, WR, WA = 0, 1, 2, 3, 4
MEM_GPA = 0x10000


def u16(v, be=False):
    return struct.pack(">H" if be else "<H", v & 0xffff)


def u32(v, be=False):
    return struct.pack(">I" if be else "<I", v & 0xffffffff)


def u64(v, be=False):
    return struct.pack(">Q" if be else "<Q", v & 0xffffffffffffffff)


# ---------------------------------------------------------------- kvm_run debug exits
# Each returns the 32 bytes of struct kvm_run from offset 32 (fuzz-api.c writes them there).

def x86_exit(exception, pc=0, dr6=0xffff0ff0):
    return u32(exception) + u32(0) + u64(pc) + u64(dr6) + u64(0x400)


def s390_debug(kind, addr, psw=0):
    # @32 psw_mask, @40 psw_addr, @48 kvm_debug_exit_arch { addr, type }
    return u64(0x0705000180000000, True) + u64(psw, True) + u64(addr, True) + bytes([kind]) + \
        bytes(7)


def s390_sieic(icpt, ipa, ipb, psw=0):
    return u64(0x0705000180000000, True) + u64(psw, True) + bytes([icpt, 0]) + u16(ipa, True) + \
        u32(ipb, True) + bytes(8)


def arm64_exit(ec, iss=0, far=0):
    return u32(ec << 26 | 1 << 25 | iss) + u32(0) + u64(far) + bytes(16)


def ppc_exit(status, address=0, be=True):
    return u64(address, be) + u32(status, be) + u32(0, be) + bytes(16)


# ---------------------------------------------------------------- fuzz-api.c input

def setup(arch, caps=0, mask=None, bps=0, wps=0, mem=0, vcpus=1):
    b = bytes([ARCHES.index(arch), caps, bps, wps, mem | (vcpus - 1) << 2])
    if caps & 3 == 2:
        b += u32(mask)
    return b


def addr_ram(off, align=False):
    # pick_addr(): sel & 3 == 0, an offset into guest RAM
    return bytes([0 | (4 if align else 0)]) + u16(off)


def insert(typ, off, length=0, oneshot=False, vcpu=None):
    head = bytes([OP["vm-insert"]]) if vcpu is None else bytes([OP["vcpu-insert"], vcpu])
    return head + bytes([typ]) + addr_ram(off) + bytes([length, 1 if oneshot else 0])


def remove(typ, off, vcpu=None):
    head = bytes([OP["vm-remove"]]) if vcpu is None else bytes([OP["vcpu-remove"], vcpu])
    return head + bytes([typ]) + addr_ram(off)


def pre_run(v=0):
    return bytes([OP["pre-run"], v])


def exit_(v, exit32, addr_off=None, reason="debug", ilen=0, flags=0, result=0):
    """handle-exit: the exit's 32 bytes; addr_off patches the pc (or arm64 far) field and
    the fake kernel's pc register with MEM_GPA + addr_off."""
    sel = {"debug": 0, "sieic": 1}[reason]
    if addr_off is not None:
        sel |= 4
        if ilen:
            sel |= 8 | (0x80 if ilen == 4 else 0)
    if result == -4:
        sel |= 0x10
    addr = addr_ram(addr_off if addr_off is not None else 0)
    return bytes([OP["handle-exit"], v, sel]) + addr + exit32 + bytes([flags])


def op(name, *args):
    return bytes([OP[name]]) + bytes(args)


def guest_write(off, data):
    return bytes([OP["guest-write"]]) + u16(off) + bytes([len(data) - 1]) + data


# ---------------------------------------------------------------- per-arch sessions

def arch_setup(arch, vcpus=1, mem=0):
    if arch == "x86_64":
        return setup(arch, mem=mem, vcpus=vcpus)
    if arch == "s390x":
        return setup(arch, caps=4, mem=mem, vcpus=vcpus)       # USER_INSTR0
    if arch in ("ppc64-book3s", "ppc64le-book3s"):
        return setup(arch, caps=1 | 8 | 0x20, mem=mem, vcpus=vcpus)  # legacy mask, step
    if arch == "ppc64-booke":
        return setup(arch, caps=1 | 8 | 0x20 | 0x40, mem=mem, vcpus=vcpus)
    if arch == "aarch64":
        return setup(arch, bps=2, wps=2, mem=mem, vcpus=vcpus)
    return setup(arch, caps=2, mask=1, mem=mem, vcpus=vcpus)   # riscv: ENABLE only


def bp_hit(arch, v, off):
    """The exit of a software breakpoint at MEM_GPA + off."""
    be = arch in BIG
    if arch == "x86_64":
        return exit_(v, x86_exit(3), off)
    if arch == "s390x":
        return exit_(v, s390_sieic(0x2c, 0, 0), off, reason="sieic", ilen=2)
    if arch.startswith("ppc"):
        return exit_(v, ppc_exit(0, 0, be), off)
    if arch == "aarch64":
        return exit_(v, arm64_exit(0x3c, 0), off)
    return exit_(v, bytes(32), off)


def step_done(arch, v, off):
    be = arch in BIG
    if arch == "x86_64":
        return exit_(v, x86_exit(1, dr6=0xffff4ff0), off)
    if arch == "s390x":
        return exit_(v, s390_debug(4, MEM_GPA + off), off)
    if arch.startswith("ppc"):
        return exit_(v, ppc_exit(0, 0, be), off)
    if arch == "aarch64":
        return exit_(v, arm64_exit(0x32), off)
    return exit_(v, bytes(32), off)


def hw_hit(arch, v, off, slot=0):
    be = arch in BIG
    if arch == "x86_64":
        return exit_(v, x86_exit(1, dr6=0xffff0ff0 | 1 << slot), off)
    if arch == "s390x":
        return exit_(v, s390_debug(1, MEM_GPA + off), off)
    if arch.startswith("ppc"):
        return exit_(v, ppc_exit(2, 0, be), off)
    if arch == "aarch64":
        return exit_(v, arm64_exit(0x30), off)
    return None


def watch_hit(arch, v, data_off, pc_off, slot=0):
    be = arch in BIG
    if arch == "x86_64":
        return exit_(v, x86_exit(1, dr6=0xffff0ff0 | 1 << slot), pc_off)
    if arch == "s390x":
        return exit_(v, s390_debug(2, MEM_GPA + data_off), pc_off)
    if arch.startswith("ppc"):
        return exit_(v, ppc_exit(4, 0, be), data_off)
    if arch == "aarch64":
        return exit_(v, arm64_exit(0x34, 1 << 6, MEM_GPA + data_off), data_off)
    return None


def api_seeds():
    seeds = {}
    for arch in ARCHES:
        a = arch.replace("-", "_")
        bp, nxt = 0x100, 0x104
        # gdb: break, continue, stop, step over, continue, remove
        s = arch_setup(arch) + insert(SW, bp) + pre_run() + bp_hit(arch, 0, bp) + pre_run() + \
            step_done(arch, 0, nxt) + pre_run() + remove(SW, bp)
        seeds["api-%s-sw-step-over" % a] = s
        # coverage fuzzer: one-shots, hit, re-arm, snapshot reset
        s = arch_setup(arch) + insert(SW, 0x200, oneshot=True) + insert(SW, 0x208, oneshot=True) + \
            op("snapshot") + pre_run() + bp_hit(arch, 0, 0x200) + op("rearm") + \
            bp_hit(arch, 0, 0x208) + op("restore", 0) + op("mark-all-armed") + op("remove-all")
        seeds["api-%s-oneshot-reset" % a] = s
        # the guest overwrites a breakpoint; removing it leaves the guest's bytes
        s = arch_setup(arch) + insert(SW, 0x300) + guest_write(0x300, b"\x90\x90\x90\x90") + \
            remove(SW, 0x300)
        seeds["api-%s-guest-overwrite" % a] = s
        # two vCPUs, a vCPU's own breakpoint hit by the other, single-step, kick
        s = arch_setup(arch, vcpus=2) + insert(SW, 0x400, vcpu=0) + pre_run(0) + pre_run(1) + \
            bp_hit(arch, 1, 0x400) + pre_run(1) + step_done(arch, 1, 0x404) + \
            op("single-step", 0, 1) + pre_run(0) + step_done(arch, 0, 0x500) + \
            op("kick", 0) + exit_(0, bytes(32), result=-4) + op("vcpu-replace", 0)
        seeds["api-%s-two-vcpus" % a] = s
        # hardware points
        hit = hw_hit(arch, 0, 0x600)
        if hit:
            s = arch_setup(arch) + insert(HW, 0x600) + insert(WW, 0x800, 4) + pre_run() + hit + \
                pre_run() + step_done(arch, 0, 0x604) + \
                watch_hit(arch, 0, 0x800, 0x610, slot=1) + pre_run() + op("remove-all")
            seeds["api-%s-hw" % a] = s
        # writes that fail (callbacks), a failing KVM_SET_GUEST_DEBUG
        s = arch_setup(arch, mem=1) + insert(SW, 0x700, oneshot=True) + pre_run() + \
            op("fail-writes") + bp_hit(arch, 0, 0x700) + pre_run() + remove(SW, 0x700) + \
            op("remove-all") + op("fail-writes") + op("fail-set-guest-debug", 3) + pre_run() + \
            op("null-args")
        seeds["api-%s-failures" % a] = s
    # x86 only: a trapped debug-register access, a guest int3 handed back
    s = arch_setup("x86_64") + op("trap-debug-regs", 0, 1) + pre_run() + \
        exit_(0, x86_exit(1, dr6=0xffff2ff0), 0x900) + pre_run() + \
        step_done("x86_64", 0, 0x903) + guest_write(0x950, b"\xcc") + \
        exit_(0, x86_exit(3), 0x950) + \
        op("reinject", 0, 0) + \
        pre_run()
    seeds["api-x86_64-debug-regs-reinject"] = s
    # a coverage fuzzer: 48 one-shot breakpoints (the table grows), hits, re-arm, remove
    for arch in ("x86_64", "aarch64", "s390x"):
        s = arch_setup(arch) + bytes([OP["bulk-insert"], 47]) + addr_ram(0x100, align=True) + \
            bytes([1, 1]) + pre_run() + bp_hit(arch, 0, 0x100) + bp_hit(arch, 0, 0x104) + \
            op("rearm") + op("queries", 0) + op("set-kick", 0, 1) + op("kick", 0) + \
            exit_(0, bytes(32), result=-4) + remove(SW, 0x110) + op("remove-all")
        seeds["api-%s-coverage" % arch] = s
    # a debugger's memory view: translate, read and write over a breakpoint (masked, and
    # the new bytes are what removing it restores), through a second virtual page mapped
    # onto RAM; x86 by KVM_TRANSLATE and a region, arm64 by callbacks, s390 untranslated
    for arch, mem in (("x86_64", 2), ("aarch64", 1), ("s390x", 2)):
        s = arch_setup(arch, mem=mem) + insert(SW, 0x100) + insert(SW, 0x400, vcpu=0) + \
            pre_run() + op("map-page", 1 | 2 << 2) + op("set-translate-vcpu", 0) + \
            op("translate", 0x80, 3) + u64(MEM_GPA + 0x1100) + \
            op("read", 0, 0x80) + addr_ram(0x0f0) + bytes([64]) + \
            op("read", 0, 0) + addr_ram(0xff0) + bytes([32]) + \
            op("read", 1) + addr_ram(0x100) + bytes([8]) + \
            op("write", 0, 0x80) + addr_ram(0x0fe) + bytes([8]) + bytes(range(0x41, 0x49)) + \
            op("write", 1) + addr_ram(0x200) + bytes([4]) + b"\x11\x22\x33\x44" + \
            op("vcpu-find", 0, SW) + addr_ram(0x400) + \
            op("read", 0, 0x80) + addr_ram(0x0fe) + bytes([8]) + remove(SW, 0x100)
        seeds["api-%s-memory" % arch] = s
    # s390 without USER_INSTR0: the 4-byte DIAG and its intercept
    s = setup("s390x") + insert(SW, 0xa00) + pre_run() + \
        exit_(0, s390_sieic(0x04, 0x8300, 0x05010000), 0xa00, reason="sieic", ilen=4) + \
        pre_run() + step_done("s390x", 0, 0xa04) + remove(SW, 0xa00)
    seeds["api-s390x-diag"] = s
    return seeds


# ---------------------------------------------------------------- fuzz-decode.c input

def decode_seeds():
    seeds = {}

    def run_image(arch, reason, exit32, flags=0):
        be = arch in BIG
        img = bytearray(64)
        img[8:12] = u32(reason, be)
        img[14:16] = u16(flags, be)
        img[32:64] = exit32
        return bytes([ARCHES.index(arch), 0]) + bytes(img)

    for arch in ARCHES:
        be = arch in BIG
        a = arch.replace("-", "_")
        if arch == "x86_64":
            exits = {"bp": x86_exit(3, 0x1000), "step": x86_exit(1, 0x1001, 0xffff4ff0),
                     "slot2": x86_exit(1, 0x1000, 0xffff0ff4), "gd": x86_exit(1, 0, 0xffff2ff0)}
        elif arch == "s390x":
            exits = {"hwbp": s390_debug(1, 0x1000, 0x1000), "watch": s390_debug(2, 0x2000, 0x1004),
                     "step": s390_debug(4, 0x1002, 0x1002)}
            seeds["decode-s390x-instr0"] = run_image(arch, 13, s390_sieic(0x2c, 0, 0, 0x1002))
            seeds["decode-s390x-diag"] = run_image(arch, 13, s390_sieic(4, 0x8300, 0x05010000,
                                                                        0x1004))
        elif arch.startswith("ppc"):
            exits = {"status0": ppc_exit(0, 0x1000, be), "bp": ppc_exit(2, 0x1000, be),
                     "watch-write": ppc_exit(4, 0x2000, be), "watch-read": ppc_exit(8, 0x2000, be)}
        elif arch == "aarch64":
            exits = {"brk0": arm64_exit(0x3c), "brk1": arm64_exit(0x3c, 1),
                     "bkpt32": arm64_exit(0x38),
                     "step": arm64_exit(0x32), "hwbp": arm64_exit(0x30),
                     "watch": arm64_exit(0x34, 1 << 6, 0x2003)}
            seeds["decode-aarch64-hsr-high"] = run_image(arch, 4, arm64_exit(0x32), flags=1)
        else:
            exits = {"ebreak": bytes(32)}
        for name, e in exits.items():
            seeds["decode-%s-%s" % (a, name)] = run_image(arch, 4, e)
    return seeds


# ---------------------------------------------------------------- fuzz-pack.c input

def pack_seeds():
    seeds = {}

    def point(typ, addr, length, phys=0, at=0):
        return bytes([typ]) + u64(addr) + bytes([length]) + u64(phys) + bytes([at])

    STEP, SWBP, INJ_BP, BLOCK = 2, 4, 16, 64
    for arch in ARCHES:
        a = arch.replace("-", "_")
        head = bytes([ARCHES.index(arch)])
        seeds["pack-%s-off" % a] = head + bytes([0, 0, 16, 16]) + u64(0)
        seeds["pack-%s-step" % a] = head + bytes([STEP | BLOCK | SWBP, 0, 16, 16]) + u64(0)
        pts = point(HW, 0x1000, 0) + point(WW, 0x2000, 4, 0x2000, 1) + \
            point(WA, 0x3000, 8, 0x3000, 2) + point(WR, 0x4001, 1, 0x4001, 3)
        seeds["pack-%s-slots" % a] = head + bytes([SWBP, 1, 2, 2]) + u64(0x7f0000001000) + pts
        seeds["pack-%s-inject" % a] = head + bytes([INJ_BP, 0, 16, 16]) + u64(0)
    return seeds


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    for target, seeds in (("api", api_seeds()), ("decode", decode_seeds()),
                          ("pack", pack_seeds())):
        d = os.path.join(top, target)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith("seed-"):
                os.unlink(os.path.join(d, name))
        for name, data in seeds.items():
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
