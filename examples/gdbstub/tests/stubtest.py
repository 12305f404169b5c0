# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared pieces of the kvm-gdbstub tests: start the stub, read the guest ELF, report TAP.

Every wait has a timeout; a stub that is still running at the end is killed.
"""

import atexit
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time

EXIT_SKIP = 77
START_TIMEOUT = 30


class Tap:
    """Test Anything Protocol output: one line per check, a plan at the end."""

    def __init__(self):
        self.count = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        self.count += 1
        if cond:
            print(f"ok {self.count} - {desc}", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.count} - {desc}", flush=True)
            if detail is not None:
                for line in str(detail).splitlines() or [""]:
                    print(f"#   {line}", flush=True)
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc, f"got:  {got!r}\nwant: {want!r}")

    def skip(self, desc, reason):
        self.count += 1
        print(f"ok {self.count} - {desc} # SKIP {reason}", flush=True)

    def note(self, text):
        for line in str(text).splitlines():
            print(f"# {line}", flush=True)

    def done(self):
        print(f"1..{self.count}", flush=True)
        sys.exit(1 if self.failed else 0)


def skip_all(reason):
    """Skip the whole test: exit 77, which Meson's exit-code protocol reports as SKIP."""
    print(f"1..0 # SKIP {reason}", flush=True)
    sys.exit(EXIT_SKIP)


def need_tool(name):
    path = shutil.which(name)
    if not path:
        print(f"Bail out! {name} is not installed (tools/setup.sh installs it)", flush=True)
        sys.exit(1)
    return path


_stubs = []


@atexit.register
def _kill_all():
    for stub in _stubs:
        stub.kill()


class Stub:
    """A kvm-gdbstub process listening on a free loopback port.

    GDBSTUB_WRAPPER in the environment runs it under a tool, for example
    GDBSTUB_WRAPPER="valgrind --error-exitcode=99 --leak-check=full".
    """

    def __init__(self, exe, elf, *args):
        _stubs.append(self)
        self.lines = []
        self.err_lines = []
        wrapper = os.environ.get("GDBSTUB_WRAPPER", "").split()
        self.proc = subprocess.Popen(
            [*wrapper, exe, "--port", "0", *args, elf],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self._port_ready = threading.Event()
        self.port = None
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines, True)),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.err_lines, False)),
        ]
        for t in self._threads:
            t.daemon = True
            t.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._port_ready.is_set():
            if self.proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("kvm-gdbstub did not start listening in time")
            self._port_ready.wait(0.05)
        if self.port is None:
            code = self.proc.wait(timeout=10)
            for t in self._threads:
                t.join(timeout=5)
            if code == EXIT_SKIP:
                skip_all("no usable KVM: " + " ".join(self.err_lines).strip())
            raise RuntimeError(f"kvm-gdbstub exited with {code}: {self.output()}")

    def _pump(self, stream, lines, is_stdout):
        for line in stream:
            lines.append(line.rstrip("\n"))
            if is_stdout:
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
                    self._port_ready.set()

    @property
    def target(self):
        """What gdb's 'target remote' takes."""
        return f"127.0.0.1:{self.port}"

    def output(self):
        return "\n".join(self.lines + self.err_lines)

    def line(self, prefix):
        """The first stdout line that starts with prefix (after 'kvm-gdbstub: ')."""
        for line in self.lines:
            if line.startswith("kvm-gdbstub: " + prefix):
                return line[len("kvm-gdbstub: "):]
        return None

    def delivers(self):
        """What the stub's probes found: {'int3': False, 'write watchpoints': True, ...}."""
        line = self.line("this KVM delivers:") or ""
        found = {}
        for name in ("single-step", "hardware breakpoints", "int3", "write watchpoints",
                     "access watchpoints"):
            m = re.search(re.escape(name) + r" (yes|no)", line)
            found[name] = bool(m and m.group(1) == "yes")
        return found

    def reason(self, what):
        """The stub's startup line that says why 'what' is not available."""
        for line in self.lines:
            if what in line:
                return line[len("kvm-gdbstub: "):]
        return ""

    def wait(self, timeout=30):
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        for t in self._threads:
            t.join(timeout=5)
        return code

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def alive(self):
        return self.proc.poll() is None


def symbols(elf, prefix=""):
    """name -> (address, size) from nm (prefix: a cross binutils', "aarch64-linux-gnu-")."""
    out = subprocess.run([need_tool(prefix + "nm"), "-S", elf], check=True, capture_output=True,
                         text=True, timeout=30).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4:
            syms[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
        elif len(parts) == 3:
            syms[parts[2]] = (int(parts[0], 16), 0)
    return syms


def instructions(elf, prefix=""):
    """Sorted addresses of every instruction, from objdump (x86: bytes; arm64: words)."""
    out = subprocess.run([need_tool(prefix + "objdump"), "-d", elf], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    addrs = []
    for line in out.splitlines():
        # "  addr:\tbytes\tmnemonic"; a long instruction's bytes go on in lines without one
        m = re.match(r"^\s+([0-9a-f]+):\t(?:[0-9a-f]{2}(?:[0-9a-f]{6})? )+\s*\t\S", line)
        if m:
            addrs.append(int(m.group(1), 16))
    return sorted(set(addrs))


def next_insn(insns, addr, n=1):
    i = insns.index(addr)
    return insns[i + n]


def elf_machine(elf):
    """The ELF header's e_machine: 62 for x86-64, 183 for arm64."""
    with open(elf, "rb") as f:
        head = f.read(20)
    return struct.unpack_from("<H", head, 18)[0]


def load_segments(elf):
    """[(vaddr, file bytes, memsz)] of the PT_LOAD segments, parsed from the ELF itself."""
    with open(elf, "rb") as f:
        data = f.read()
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz, p_memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and p_memsz:
            segs.append((p_vaddr, data[p_offset:p_offset + p_filesz], p_memsz))
    return segs
