/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared fixture, run loop and probes of the arm64 and ppc64 kvm suite: a guest (rguest.h) with
 * libkvmdbg attached, driven exactly as kvmdbg.h documents (pre_run, KVM_RUN, handle_exit),
 * every KVM_RUN bounded by a watchdog.  The x86 suite has its own (../kvmtest.h).
 */
#ifndef KVMDBG_TESTS_KVM_RTEST_H
#define KVMDBG_TESTS_KVM_RTEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "rguest.h"
#include "rprograms.h"

/* The raw exception classes of arm64 debug exits (ESR_EL2.EC). */
#define RT_EC_BREAKPOINT 0x30
#define RT_EC_SOFTSTEP 0x32
#define RT_EC_WATCHPOINT 0x34
#define RT_EC_BRK64 0x3c

/*
 * The fixture is the common struct kc_test (common.h), set up with kc_setup1() or kc_setup2()
 * and torn down with kc_teardown(); the run loop and the expect and assert helpers that do not
 * depend on the architecture are common.h's kc_*() too.
 */

/* g_test_init() plus the signal handler the suite needs. */
void rt_init(int *argc, char ***argv);

/* Load @prog and put vCPU @i at its label @label. */
void rt_start(struct kc_test *t, unsigned int i, const struct rg_prog *prog, unsigned int label);
/* Move vCPU @i to @pc (after settling an MMIO exit, see rg_settle()). */
void rt_set_pc(struct kc_test *t, unsigned int i, uint64_t pc);
uint64_t rt_pc(struct kc_test *t, unsigned int i);
/* General register @n of vCPU @i. */
uint64_t rt_gpr(struct kc_test *t, unsigned int i, unsigned int n);

/* Run; assert a non-debug exit that is a 4-byte MMIO write to RG_MMIO + @port. */
void rt_expect_mmio(struct kc_test *t, unsigned int i, uint64_t port);

/*
 * After the MMIO exit of a store at @mmio_pc (the next instruction at @next_pc): whether the
 * kernel had already completed the store when it exited (ppc: the emulation moves the pc on
 * before the exit, and a single-step then stops one instruction later; arm64 completes it on
 * the next KVM_RUN and reports the store's own step at @next_pc).  Asserts that the guest is at
 * one of the two.
 */
bool rt_mmio_completed(struct kc_test *t, unsigned int i, uint64_t mmio_pc, uint64_t next_pc);

/*
 * Assert the raw fields of an event: arm64, the exception class and ESR; ppc, no exception
 * number (-ENODATA) and the status word.  @status_mask selects the bits of the status to
 * compare with @status.
 */
void rt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status_mask,
		   uint64_t status);

/* A copy of the whole guest memory. */
uint8_t *rt_snapshot(struct kc_test *t);
/* The 4-byte word at guest address @gpa. */
uint32_t rt_word(struct kc_test *t, uint64_t gpa);
/* The 4-byte word at guest address @gpa in a copy of guest memory (rt_snapshot()). */
uint32_t rt_snap_word(const uint8_t *snap, uint64_t gpa);
void rt_put_word(struct kc_test *t, uint64_t gpa, uint32_t word);

/*
 * The software-breakpoint instruction the library writes (arm64 BRK #0; ppc the value of
 * KVM_REG_PPC_DEBUG_INST read with a raw ONE_REG), as a word in guest order.
 */
uint32_t rt_sw_insn(struct kc_test *t);

/*
 * Probes, done once per process with raw ioctls in a fresh VM: 1 if the kernel delivers the
 * feature, 0 with the finding in *ret_why, or -errno without usable KVM (*ret_why says why).
 */
int rt_probe_single_step(const char **ret_why);
int rt_probe_sw_breakpoints(const char **ret_why);
int rt_probe_hw_breakpoints(const char **ret_why);
int rt_probe_watchpoints(const char **ret_why);

/*
 * Whether a test of the feature can run: the library says the kernel offers it (else the test
 * is skipped with "the kernel offers no ..." and the capability values) and the probe finds it
 * delivered (else skipped with "the kernel does not deliver ...: " and the finding).
 */
bool rt_require_single_step(struct kc_test *t);
bool rt_require_sw_breakpoints(struct kc_test *t);
bool rt_require_hw_breakpoints(struct kc_test *t);
bool rt_require_watchpoints(struct kc_test *t);

#endif /* KVMDBG_TESTS_KVM_RTEST_H */
