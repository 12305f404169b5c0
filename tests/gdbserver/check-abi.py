#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/abi/check-abi.py for libkvmdbg-gdbserver: its version script, its exports and its
header agree, only kvmdbg_gdbserver_* is exported, and it needs libc and libkvmdbg only.

Usage: as check-abi.py (--nm, --readelf, --lib, --sym, --header, --soname).
"""

import importlib.util
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "check_abi", os.path.join(HERE, "..", "abi", "check-abi.py"))
check_abi = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_abi)

check_abi.PREFIX = "kvmdbg_gdbserver_"
check_abi.ALLOWED_NEEDED = re.compile(
    r"^(libc\.so\.6|libkvmdbg\.so\.\d+|ld-linux[-\w.]*\.so\.\d+)$")

if __name__ == "__main__":
    sys.exit(check_abi.main())
