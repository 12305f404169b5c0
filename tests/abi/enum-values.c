/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every enumerator of the public header, pinned to its value (suite abi compiles this file;
 * check-enums.py checks that no enumerator is missing here).  The values are part of the ABI:
 * callers compile them into their programs, and the header promises they are never
 * renumbered.  A new enumerator gets a new line here; a changed value is an ABI break.
 */
#include <kvmdbg/kvmdbg.h>

#define PIN(name, value) _Static_assert((name) == (value), #name " must stay " #value)

/* enum kvmdbg_feature: the values kvmdbg_vm_has_feature() takes */
PIN(KVMDBG_FEATURE_GUEST_DEBUG, 1);
PIN(KVMDBG_FEATURE_SINGLE_STEP, 2);
PIN(KVMDBG_FEATURE_SW_BREAKPOINT, 3);
PIN(KVMDBG_FEATURE_HW_BREAKPOINT, 4);
PIN(KVMDBG_FEATURE_WATCH_WRITE, 5);
PIN(KVMDBG_FEATURE_WATCH_READ, 6);
PIN(KVMDBG_FEATURE_WATCH_ACCESS, 7);
PIN(KVMDBG_FEATURE_STEP_BLOCK_IRQ, 8);
PIN(KVMDBG_FEATURE_REINJECT, 9);

/* enum kvmdbg_support */
PIN(KVMDBG_SUPPORT_NONE, 0);
PIN(KVMDBG_SUPPORT_ACCEPTED, 1);
PIN(KVMDBG_SUPPORT_NOT_DELIVERED, 2);
PIN(KVMDBG_SUPPORT_DELIVERED, 3);

/* enum kvmdbg_translation: what kvmdbg_vm_set_default_translation() takes */
PIN(KVMDBG_TRANSLATION_DEFAULT, 0);
PIN(KVMDBG_TRANSLATION_NONE, 1);
PIN(KVMDBG_TRANSLATION_WALK, 2);
PIN(KVMDBG_TRANSLATION_KVM, 3);

/* enum kvmdbg_point_type: the GDB remote protocol's Z packet types (Z0 ... Z4) */
PIN(KVMDBG_POINT_SW_BREAK, 0);
PIN(KVMDBG_POINT_HW_BREAK, 1);
PIN(KVMDBG_POINT_WATCH_WRITE, 2);
PIN(KVMDBG_POINT_WATCH_READ, 3);
PIN(KVMDBG_POINT_WATCH_ACCESS, 4);

/* enum kvmdbg_point_flags: bits */
PIN(KVMDBG_POINT_ONESHOT, 1);
PIN(KVMDBG_POINT_PENDING, 2);
PIN(KVMDBG_POINT_SELF_HEAL, 4);

/* enum kvmdbg_exit: what kvmdbg_vcpu_handle_exit() returns */
PIN(KVMDBG_EXIT_NOT_DEBUG, 0);
PIN(KVMDBG_EXIT_EVENT, 1);
PIN(KVMDBG_EXIT_RESUME, 2);

/* enum kvmdbg_event_type */
PIN(KVMDBG_EVENT_UNKNOWN, 0);
PIN(KVMDBG_EVENT_STEP, 1);
PIN(KVMDBG_EVENT_SW_BREAKPOINT, 2);
PIN(KVMDBG_EVENT_HW_BREAKPOINT, 3);
PIN(KVMDBG_EVENT_WATCHPOINT, 4);
PIN(KVMDBG_EVENT_DEBUG_REG_ACCESS, 5);
PIN(KVMDBG_EVENT_GUEST_BREAKPOINT, 6);
PIN(KVMDBG_EVENT_GUEST_DEBUG, 7);
PIN(KVMDBG_EVENT_INTERRUPTED, 8);

/* enum kvmdbg_access */
PIN(KVMDBG_ACCESS_WRITE, 1);
PIN(KVMDBG_ACCESS_READ, 2);
PIN(KVMDBG_ACCESS_READ_WRITE, 3);

/* ISO C wants a translation unit to declare something beyond assertions */
extern int kvmdbg_enum_values_checked;
