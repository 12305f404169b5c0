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

/* The project asks for GLib 2.58; g_test_skip_printf() came in 2.70. */
#if !GLIB_CHECK_VERSION(2, 70, 0)
#define g_test_skip_printf(...)                                    \
	do {                                                       \
		char *kt_skip_msg_ = g_strdup_printf(__VA_ARGS__); \
		g_test_skip(kt_skip_msg_);                         \
		g_free(kt_skip_msg_);                              \
	} while (0)
#endif

/* Longest a single test may keep one vCPU in KVM_RUN in total. */
#define KT_WATCHDOG_SECONDS 30
/* Most KVMDBG_EXIT_RESUME results in a row kt_run() accepts before calling it a loop. */
#define KT_MAX_RESUMES 16

struct kt {
	bool ok; /* false: the setup skipped the test */
	struct guest g;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[GUEST_MAX_VCPUS];
	struct guest_watchdog wd[GUEST_MAX_VCPUS];
};

/* g_test_init() plus the signal handlers the suite needs. */
void kt_init(int *argc, char ***argv);

/* Fixture setup with one or two vCPUs; skips the test with the reason when KVM is unusable. */
void kt_setup1(struct kt *t, const void *data);
void kt_setup2(struct kt *t, const void *data);
void kt_teardown(struct kt *t, const void *data);
/* Add one more vCPU (KVM and library objects). */
void kt_add_vcpu(struct kt *t);

/* Load @prog and put vCPU @i in the program's mode at @label. */
void kt_start(struct kt *t, unsigned int i, const struct guest_prog *prog, unsigned int label);
/* Set the vCPU's rdi (the count program's argument). */
void kt_set_rdi(struct kt *t, unsigned int i, uint64_t rdi);
struct kvm_regs kt_regs(struct kt *t, unsigned int i);

/* A bare KVM_RUN (no library calls) under the vCPU's watchdog: 0 or -errno. */
int kt_raw_run(struct kt *t, unsigned int i);

/*
 * One round of the documented loop: pre_run, KVM_RUN, handle_exit.  Asserts that pre_run and
 * handle_exit succeed and that the watchdog did not fire.
 */
int kt_run_once(struct kt *t, unsigned int i, const struct kvmdbg_event **ret_event);
/* Rounds until the result is not KVMDBG_EXIT_RESUME (at most KT_MAX_RESUMES of them). */
int kt_run(struct kt *t, unsigned int i, const struct kvmdbg_event **ret_event);

/* Run; assert an event of @type at @pc on vCPU @i and return it. */
const struct kvmdbg_event *kt_expect_event(struct kt *t, unsigned int i,
					   enum kvmdbg_event_type type, uint64_t pc);
/* Run; assert a non-debug exit that is an "out" to @port. */
void kt_expect_out(struct kt *t, unsigned int i, uint16_t port);

/*
 * After the I/O exit of an "out" at @out_pc (the next instruction at @next_pc): whether the
 * kernel had already completed the instruction when it exited.  Where it had (KVM's instruction
 * emulator, as on this project's development host), the out's single-step trap is folded into
 * the I/O exit and the next step event comes after the following instruction; where it had not
 * (hardware-assisted I/O exits), the next KVM_RUN completes it and reports its step at @next_pc.
 * Asserts that the guest is at one of the two.
 */
bool kt_out_completed(struct kt *t, unsigned int i, uint64_t out_pc, uint64_t next_pc);

/* Describe a kt_run() result for messages. */
char *kt_result_str(struct kt *t, unsigned int i, int ret, const struct kvmdbg_event *ev);

/* Assert the raw x86 fields of an event: exception number and DR6 bits that must be set. */
void kt_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t dr6_bits);

/* A copy of @len bytes at @mem (g_memdup2() is newer than the GLib the project asks for). */
uint8_t *kt_memdup(const void *mem, size_t len);

/* Assert guest memory [gpa, gpa + len) equals @expect, naming the first differing byte. */
void kt_assert_mem(struct kt *t, uint64_t gpa, const void *expect, size_t len);

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

/* Skip unless the test's fixture came up. */
#define KT_REQUIRE(t)           \
	do {                    \
		if (!(t)->ok)   \
			return; \
	} while (0)

#endif /* KVMDBG_TESTS_KVM_KVMTEST_H */
