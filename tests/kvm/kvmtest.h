/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared fixture and run loop of the kvm suite: a guest (guest.h) with libkvmdbg attached,
 * driven exactly as kvmdbg.h documents (pre_run, KVM_RUN, handle_exit), every KVM_RUN bounded
 * by a watchdog.
 */
#ifndef KVMDBG_TESTS_KVM_KVMTEST_H
#define KVMDBG_TESTS_KVM_KVMTEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "guest.h"
#include "programs.h"

/* Longest a single test may keep one vCPU in KVM_RUN in total. */
#define KT_WATCHDOG_SECONDS GUEST_WATCHDOG_SECONDS

/*
 * The fixture is the common struct kc_test (common.h), set up with kc_setup1() or kc_setup2()
 * and torn down with kc_teardown(); the run loop and the expect and assert helpers that do not
 * depend on x86 are common.h's kc_*() too.
 */

/* g_test_init() plus the signal handlers the suite needs. */
void kt_init(int *argc, char ***argv);

/* Load @prog and put vCPU @i in the program's mode at @label. */
void kt_start(struct kc_test *t, unsigned int i, const struct guest_prog *prog, unsigned int label);
/* Set the vCPU's rdi (the count program's argument). */
void kt_set_rdi(struct kc_test *t, unsigned int i, uint64_t rdi);
struct kvm_regs kt_regs(struct kc_test *t, unsigned int i);

/* Run; assert a non-debug exit that is an "out" to @port. */
void kt_expect_out(struct kc_test *t, unsigned int i, uint16_t port);

/*
 * After the I/O exit of an "out" at @out_pc (the next instruction at @next_pc): whether the
 * kernel had already completed the instruction when it exited.  Where it had (KVM's instruction
 * emulator, as on this project's development host), the out's single-step trap is folded into
 * the I/O exit and the next step event comes after the following instruction; where it had not
 * (hardware-assisted I/O exits), the next KVM_RUN completes it and reports its step at @next_pc.
 * Asserts that the guest is at one of the two.
 */
bool kt_out_completed(struct kc_test *t, unsigned int i, uint64_t out_pc, uint64_t next_pc);

/* Assert the raw x86 fields of an event: exception number and DR6 bits that must be set. */
void kt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t dr6_bits);

/* The kick callback of the suite: pthread_kill(*(pthread_t *)data, GUEST_SIG_KICK). */
void kt_kick_thread(void *data);

/*
 * Probes, done once per process with raw ioctls in a fresh VM: 1 if the kernel delivers the
 * feature, 0 with the finding in *ret_why, or -errno without usable KVM (*ret_why says why).
 */
int kt_probe_sw_breakpoints(const char **ret_why);
int kt_probe_hw_breakpoints(const char **ret_why);
int kt_probe_watchpoints(const char **ret_why);
int kt_probe_debug_reg_trap(const char **ret_why);

/*
 * Whether the kernel delivers hardware execute breakpoints (kt_probe_hw_breakpoints()); if not,
 * the test is skipped with the probe's finding and false returned.
 */
bool kt_require_hw_breakpoints(void);

#endif /* KVMDBG_TESTS_KVM_KVMTEST_H */
