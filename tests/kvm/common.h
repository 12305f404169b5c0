/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The architecture-independent part of the kvm suite, shared by the x86 harness (guest.h,
 * kvmtest.h) and the arm64 and ppc64 one (risc/rguest.h, risc/rtest.h):
 *
 * - the raw guest: /dev/kvm, a VM with one memory slot, vCPUs with their kvm_run mapped, raw
 *   KVM_RUN, and the watchdog that bounds every KVM_RUN (no libkvmdbg, so that a harness problem
 *   never looks like a library bug);
 * - the fixture: the guest with libkvmdbg attached, driven exactly as kvmdbg.h documents
 *   (pre_run, KVM_RUN, handle_exit), and the expect and assert helpers built on it;
 * - the probes' plumbing: a fresh VM run once with raw ioctls, and the once-per-process cache
 *   of each probe's finding.
 *
 * Each harness supplies what differs through the hooks of struct kc_arch, defined once per build
 * (guest.c on x86, risc/rguest.c on arm64 and ppc64).
 */
#ifndef KVMDBG_TESTS_KVM_COMMON_H
#define KVMDBG_TESTS_KVM_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/kvm.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

/* The project asks for GLib 2.58; g_test_skip_printf() came in 2.70. */
#if !GLIB_CHECK_VERSION(2, 70, 0)
#define g_test_skip_printf(...)                                    \
	do {                                                       \
		char *kc_skip_msg_ = g_strdup_printf(__VA_ARGS__); \
		g_test_skip(kc_skip_msg_);                         \
		g_free(kc_skip_msg_);                              \
	} while (0)
#endif

#define KC_MAX_VCPUS 2
/* Most KVMDBG_EXIT_RESUME results in a row kc_run() accepts before calling it a loop. */
#define KC_MAX_RESUMES 16

struct kc_vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
};

struct kc_guest {
	int kvm_fd;
	int vm_fd;
	uint8_t *mem; /* kc_arch.mem_base in the guest */
	unsigned int nr_vcpus;
	struct kc_vcpu vcpus[KC_MAX_VCPUS];
#if defined(__x86_64__) || defined(__i386__)
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
#elif defined(__aarch64__)
	struct kvm_vcpu_init init; /* KVM_ARM_PREFERRED_TARGET */
#endif
};

/*
 * What each harness supplies (one definition per build, `kc_arch`).  Every hook returns 0 or
 * -errno where it can fail.
 */
struct kc_arch {
	/* The one memory slot. */
	uint64_t mem_base;
	uint64_t mem_size;
	/* The KVM_CREATE_VM type and the skip reason when that fails. */
	unsigned long vm_type;
	const char *create_vm_why;
	/* Longest a single test may keep one vCPU in KVM_RUN in total. */
	unsigned int watchdog_seconds;
	/* After the memory slot is in place: the architecture's tables (*ret_why on failure). */
	int (*guest_init)(struct kc_guest *g, const char **ret_why);
	/* Before the memory and descriptors are released (may be NULL). */
	void (*guest_fini)(struct kc_guest *g);
	/* After vCPU @i is created and its kvm_run mapped. */
	int (*vcpu_init)(struct kc_guest *g, unsigned int i);
	/* The vCPU's pc, or ~0 if it cannot be read (for messages). */
	uint64_t (*pc)(struct kc_guest *g, unsigned int i);
	/* A short description of the vCPU's last exit, for messages. */
	const char *(*exit_str)(struct kc_guest *g, unsigned int i, char *buf, size_t size);
};

extern const struct kc_arch kc_arch;

/* The host pointer of guest-physical @gpa (inside the memory slot). */
static inline uint8_t *kc_mem(struct kc_guest *g, uint64_t gpa)
{
	return g->mem + (gpa - kc_arch.mem_base);
}

/*
 * Open /dev/kvm and create a VM with its guest RAM, then the architecture's tables.
 * Returns 0, or -errno with a static explanation in *ret_why (for a skip reason).
 */
int kc_guest_open(struct kc_guest *g, const char **ret_why);
/* Add a vCPU (index g->nr_vcpus), initialised for the architecture; 0 or -errno. */
int kc_guest_add_vcpu(struct kc_guest *g);
void kc_guest_close(struct kc_guest *g);
/* Raw KVM_RUN: 0 or -errno. */
int kc_guest_run(struct kc_guest *g, unsigned int i);

/*
 * Every KVM_RUN of the suite is bounded: a watchdog is a per-thread timer that, once its
 * deadline passes, signals the thread that armed it every 100 ms with KC_SIG_WATCHDOG (whose
 * handler does nothing and is installed without SA_RESTART), so that a KVM_RUN stuck in a
 * spinning guest returns -EINTR.
 */
#define KC_SIG_WATCHDOG SIGUSR2

struct kc_watchdog {
	bool armed;
	timer_t timer;
	struct timespec deadline;
	unsigned int seconds;
};

/* Install the do-nothing handler, without SA_RESTART, for @sig. */
void kc_install_signal(int sig);
/* Arm for the calling thread; 0 or -errno. */
int kc_watchdog_start(struct kc_watchdog *w, unsigned int seconds);
bool kc_watchdog_expired(const struct kc_watchdog *w);
void kc_watchdog_stop(struct kc_watchdog *w);

/* Monotonic time in nanoseconds. */
uint64_t kc_now_ns(void);

/* The fixture: a guest with libkvmdbg attached. */
struct kc_test {
	bool ok; /* false: the setup skipped the test */
	struct kc_guest g;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[KC_MAX_VCPUS];
	struct kc_watchdog wd[KC_MAX_VCPUS];
};

/* Fixture setup with one or two vCPUs; skips the test with the reason when KVM is unusable. */
void kc_setup1(struct kc_test *t, const void *data);
void kc_setup2(struct kc_test *t, const void *data);
void kc_teardown(struct kc_test *t, const void *data);
/* Add one more vCPU (KVM and library objects). */
void kc_add_vcpu(struct kc_test *t);

/* A bare KVM_RUN (no library calls) under the vCPU's watchdog: 0 or -errno. */
int kc_raw_run(struct kc_test *t, unsigned int i);
/*
 * One round of the documented loop: pre_run, KVM_RUN, handle_exit.  Asserts that pre_run and
 * handle_exit succeed and that the watchdog did not fire.
 */
int kc_run_once(struct kc_test *t, unsigned int i, const struct kvmdbg_event **ret_event);
/* Rounds until the result is not KVMDBG_EXIT_RESUME (at most KC_MAX_RESUMES of them). */
int kc_run(struct kc_test *t, unsigned int i, const struct kvmdbg_event **ret_event);

/* Run; assert an event of @type at @pc on vCPU @i and return it. */
const struct kvmdbg_event *kc_expect_event(struct kc_test *t, unsigned int i,
					   enum kvmdbg_event_type type, uint64_t pc);
/*
 * Run; assert a non-debug exit for which @match(g, i, @arg) holds; @what describes it for the
 * message ("an out to port 0x10").
 */
void kc_expect_exit(struct kc_test *t, unsigned int i,
		    bool (*match)(struct kc_guest *g, unsigned int i, uint64_t arg), uint64_t arg,
		    const char *what);
/*
 * After the exit of the instruction at @exit_pc (the @what, "out" or "MMIO store"; the next
 * instruction at @next_pc): whether the kernel had already completed it when it exited.
 * Asserts that the guest is at one of the two.
 */
bool kc_exit_completed(struct kc_test *t, unsigned int i, const char *what, uint64_t exit_pc,
		       uint64_t next_pc);

/* Describe a run result for messages. */
char *kc_result_str(struct kc_test *t, unsigned int i, int ret, const struct kvmdbg_event *ev);

/* A copy of @len bytes at @mem (g_memdup2() is newer than the GLib the project asks for). */
uint8_t *kc_memdup(const void *mem, size_t len);
/* Assert guest memory [gpa, gpa + len) equals @expect, naming the first differing byte. */
void kc_assert_mem(struct kc_test *t, uint64_t gpa, const void *expect, size_t len);

/* Skip unless the test's fixture came up. */
#define KC_REQUIRE(t)           \
	do {                    \
		if (!(t)->ok)   \
			return; \
	} while (0)

/* A probe runs its guest once in a fresh VM with raw ioctls and reports what the kernel did. */
struct kc_probe {
	struct kc_guest g;
	struct kc_watchdog wd;
	char *why;
	size_t size;
};

/* Open the probe's VM with one vCPU; 0, or -errno with the finding filled. */
int kc_probe_open(struct kc_probe *p);
/*
 * Run once under a 5 s watchdog; 0, or -errno with the finding filled (prefixed "with @with, "
 * unless @with is NULL).
 */
int kc_probe_run(struct kc_probe *p, const char *with);

/* A probe done once per process: its result and finding, reported once with @name. */
struct kc_probe_once {
	const char *name;
	int (*fn)(char *why, size_t size);
	bool done;
	int result;
	char why[320];
};

/*
 * 1 if the kernel delivers the feature, 0 with the finding in *ret_why, or -errno without
 * usable KVM (*ret_why says why).
 */
int kc_probe_once(struct kc_probe_once *r, const char **ret_why);

/* What a snapshot of point id says (kvmdbg_vm_get_point(); asserts that the point exists). */
struct kc_point {
	uint64_t id, addr, len, hits;
	enum kvmdbg_point_type type;
	unsigned int flags;
	void *user_data;
	struct kvmdbg_vcpu *vcpu;
	bool armed;
};

struct kc_point kc_point(struct kvmdbg_vm *vm, uint64_t id);
/* kvmdbg_vm_find()'s id, or 0 when it says -ENOENT (asserting nothing else). */
uint64_t kc_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr);

#endif /* KVMDBG_TESTS_KVM_COMMON_H */
