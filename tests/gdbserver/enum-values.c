/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every enumerator of gdbserver.h, pinned to its value, as tests/abi/enum-values.c does for
 * kvmdbg.h (check-enums.py checks that none is missing here).
 */
#include <kvmdbg/gdbserver.h>

#define PIN(name, value) _Static_assert((name) == (value), #name " must stay " #value)

/* enum kvmdbg_gdbserver_end: what kvmdbg_gdbserver_serve() returns */
PIN(KVMDBG_GDBSERVER_END_DISCONNECTED, 1);
PIN(KVMDBG_GDBSERVER_END_DETACHED, 2);
PIN(KVMDBG_GDBSERVER_END_KILLED, 3);
PIN(KVMDBG_GDBSERVER_END_EXITED, 4);
PIN(KVMDBG_GDBSERVER_END_SHUTDOWN, 5);

/* enum kvmdbg_gdbserver_break_mode */
PIN(KVMDBG_GDBSERVER_BREAK_AUTO, 0);
PIN(KVMDBG_GDBSERVER_BREAK_SOFTWARE, 1);
PIN(KVMDBG_GDBSERVER_BREAK_HARDWARE, 2);

/* enum kvmdbg_gdbserver_watch_mode */
PIN(KVMDBG_GDBSERVER_WATCH_AUTO, 0);
PIN(KVMDBG_GDBSERVER_WATCH_ON, 1);
PIN(KVMDBG_GDBSERVER_WATCH_OFF, 2);

/* enum kvmdbg_gdbserver_log_level */
PIN(KVMDBG_GDBSERVER_LOG_ERROR, 1);
PIN(KVMDBG_GDBSERVER_LOG_INFO, 2);
PIN(KVMDBG_GDBSERVER_LOG_DEBUG, 3);
