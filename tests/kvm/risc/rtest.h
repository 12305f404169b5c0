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

/* The project asks for GLib 2.58; g_test_skip_printf() came in 2.70. */
#if !GLIB_CHECK_VERSION(2, 70, 0)
#define g_test_skip_printf(...)                                    \
	do {                                                       \
		char *rt_skip_msg_ = g_strdup_printf(__VA_ARGS__); \
		g_test_skip(rt_skip_msg_);                         \
		g_free(rt_skip_msg_);                              \
	} while (0)
#endif

/* Longest a single test may keep one vCPU in KVM_RUN in total. */
#define RT_WATCHDOG_SECONDS 60
/* Most KVMDBG_EXIT_RESUME results in a row rt_run() accepts before calling it a loop. */
#define RT_MAX_RESUMES 16

/* The raw exception classes of arm64 debug exits (ESR_EL2.EC). */
#define RT_EC_BREAKPOINT 0x30
#define RT_EC_SOFTSTEP 0x32
#define RT_EC_WATCHPOINT 0x34
#define RT_EC_BRK64 0x3c

struct rt {
	bool ok; /* false: the setup skipped the test */
	struct rguest g;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[RG_MAX_VCPUS];
	struct rg_watchdog wd[RG_MAX_VCPUS];
};

/* g_test_init() plus the signal handler the suite needs. */
void rt_init(int *argc, char ***argv);

/* Fixture setup with one or two vCPUs; skips the test with the reason when KVM is unusable. */
void rt_setup1(struct rt *t, const void *data);
void rt_setup2(struct rt *t, const void *data);
void rt_teardown(struct rt *t, const void *data);

/* Load @prog and put vCPU @i at its label @label. */
void rt_start(struct rt *t, unsigned int i, const struct rg_prog *prog, unsigned int label);
/* Move vCPU @i to @pc (after settling an MMIO exit, see rg_settle()). */
void rt_set_pc(struct rt *t, unsigned int i, uint64_t pc);
uint64_t rt_pc(struct rt *t, unsigned int i);
/* General register @n of vCPU @i. */
uint64_t rt_gpr(struct rt *t, unsigned int i, unsigned int n);

/* A bare KVM_RUN (no library calls) under the vCPU's watchdog: 0 or -errno. */
int rt_raw_run(struct rt *t, unsigned int i);
/*
 * One round of the documented loop: pre_run, KVM_RUN, handle_exit.  Asserts that pre_run and
 * handle_exit succeed and that the watchdog did not fire.
 */
int rt_run_once(struct rt *t, unsigned int i, const struct kvmdbg_event **ret_event);
/* Rounds until the result is not KVMDBG_EXIT_RESUME (at most RT_MAX_RESUMES of them). */
int rt_run(struct rt *t, unsigned int i, const struct kvmdbg_event **ret_event);

/* Run; assert an event of @type at @pc on vCPU @i and return it. */
const struct kvmdbg_event *rt_expect_event(struct rt *t, unsigned int i,
					   enum kvmdbg_event_type type, uint64_t pc);
/* Run; assert a non-debug exit that is a 4-byte MMIO write to RG_MMIO + @port. */
void rt_expect_mmio(struct rt *t, unsigned int i, uint64_t port);

/*
 * After the MMIO exit of a store at @mmio_pc (the next instruction at @next_pc): whether the
 * kernel had already completed the store when it exited (ppc: the emulation moves the pc on
 * before the exit, and a single-step then stops one instruction later; arm64 completes it on
 * the next KVM_RUN and reports the store's own step at @next_pc).  Asserts that the guest is at
 * one of the two.
 */
bool rt_mmio_completed(struct rt *t, unsigned int i, uint64_t mmio_pc, uint64_t next_pc);

/* Describe a run result for messages. */
char *rt_result_str(struct rt *t, unsigned int i, int ret, const struct kvmdbg_event *ev);

/*
 * Assert the raw fields of an event: arm64, the exception class and ESR; ppc, no exception
 * number (-ENODATA) and the status word.  @status_mask selects the bits of the status to
 * compare with @status.
 */
void rt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status_mask,
		   uint64_t status);

/* A copy of @len bytes at @mem. */
uint8_t *rt_memdup(const void *mem, size_t len);
/* Assert guest memory [gpa, gpa + len) equals @expect, naming the first differing byte. */
void rt_assert_mem(struct rt *t, uint64_t gpa, const void *expect, size_t len);
/* A copy of the whole guest memory. */
uint8_t *rt_snapshot(struct rt *t);
/* The 4-byte word at guest address @gpa. */
uint32_t rt_word(struct rt *t, uint64_t gpa);
/* The 4-byte word at guest address @gpa in a copy of guest memory (rt_snapshot()). */
uint32_t rt_snap_word(const uint8_t *snap, uint64_t gpa);
void rt_put_word(struct rt *t, uint64_t gpa, uint32_t word);

/*
 * The software-breakpoint instruction the library writes (arm64 BRK #0; ppc the value of
 * KVM_REG_PPC_DEBUG_INST read with a raw ONE_REG), as a word in guest order.
 */
uint32_t rt_sw_insn(struct rt *t);

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
bool rt_require_single_step(struct rt *t);
bool rt_require_sw_breakpoints(struct rt *t);
bool rt_require_hw_breakpoints(struct rt *t);
bool rt_require_watchpoints(struct rt *t);

/* Skip unless the test's fixture came up. */
#define RT_REQUIRE(t)           \
	do {                    \
		if (!(t)->ok)   \
			return; \
	} while (0)

#endif /* KVMDBG_TESTS_KVM_RTEST_H */
