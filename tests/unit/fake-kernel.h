/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake of the kernel edge (lib/kernel.h) for the unit tests.
 *
 * Every call the library makes is recorded in a log (kind, fd, capability or address, the exact
 * bytes given to set_guest_debug and their size, the array an s390 image points to, and what
 * the fake returned), and every result is programmable: the architecture the fake kernel is of
 * (x86_64 by default, whatever the host), capability values, failures of the next
 * set_guest_debug or enable_cap calls, ONE_REG and KVM_GET_REGS values, x86 paging registers per
 * vCPU, and a KVM_TRANSLATE that is the identity by default, shifted by a fixed delta, or
 * -EFAULT on chosen ranges.
 * fake_kernel_reset() puts everything back to the defaults and empties the log.
 *
 * The fake is thread-safe: a test may kick or insert from a second thread.
 */
#ifndef KVMDBG_TEST_FAKE_KERNEL_H
#define KVMDBG_TEST_FAKE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

struct kvm_run;

/* Capability numbers of <linux/kvm.h>, written out so that the tests state them. */
#define FAKE_CAP_SET_GUEST_DEBUG 23
#define FAKE_CAP_SET_GUEST_DEBUG2 195

/* The defaults, as this project's development host reports them. */
#define FAKE_DEFAULT_GUEST_DEBUG 1
#define FAKE_DEFAULT_GUEST_DEBUG2 0x1f0003

/* Largest set_guest_debug image any architecture has (arm64: 520 bytes). */
#define FAKE_MAX_IMAGE 520
/* Largest array an image points to (s390: 50 x 32 bytes). */
#define FAKE_MAX_AUX 1600
/* A struct kvm_run buffer big enough for every architecture (s390: 2368 bytes). */
#define FAKE_RUN_SIZE 4096

struct arch;

enum fake_call_kind {
	FAKE_CHECK_EXTENSION = 1,
	FAKE_SET_GUEST_DEBUG = 2,
	FAKE_TRANSLATE = 3,
	FAKE_ENABLE_CAP = 4,
	FAKE_GET_ONE_REG = 5,
	FAKE_GET_REGS = 6,
	FAKE_GET_X86_PAGING = 7,
};

struct fake_call {
	enum fake_call_kind kind;
	int fd;
	unsigned long cap;           /* FAKE_CHECK_EXTENSION, FAKE_ENABLE_CAP */
	uint64_t gva;                /* FAKE_TRANSLATE */
	uint64_t gpa;                /* FAKE_TRANSLATE: what was returned, when ret == 0 */
	uint64_t reg;                /* FAKE_GET_ONE_REG: the id */
	uint64_t value;              /* FAKE_GET_ONE_REG, FAKE_GET_REGS: what was returned;
				      * FAKE_GET_X86_PAGING: the cr3 returned */
	int vm_fd;                   /* FAKE_GET_X86_PAGING */
	size_t size;                 /* FAKE_SET_GUEST_DEBUG */
	uint8_t bytes[FAKE_MAX_IMAGE]; /* FAKE_SET_GUEST_DEBUG: the first min(size, 520) bytes */
	/*
	 * FAKE_SET_GUEST_DEBUG of s390: the kvm_hw_breakpoint array the image points to, read
	 * during the call (aux_len = 32 * nr_hw_bp bytes; 0 when the image has no array).
	 */
	size_t aux_len;
	uint8_t aux[FAKE_MAX_AUX];
	int ret;                     /* what the fake returned */
};

/* Defaults back, log emptied. */
void fake_kernel_reset(void);

/*
 * The architecture the fake kernel is of, for VMs created from now on (reset: x86_64); its
 * default capabilities are set too: SET_GUEST_DEBUG 1 and SET_GUEST_DEBUG2 as given.
 */
void fake_set_arch(const struct arch *arch, int debug2_mask);
const struct arch *fake_get_arch(void);

/* The log. */
void fake_log_clear(void);
size_t fake_log_len(void);
/* A copy of entry i (asserts that it exists). */
struct fake_call fake_log_get(size_t i);
size_t fake_log_count(enum fake_call_kind kind);
/* Print the whole log with g_test_message() (for failing tests). */
void fake_log_dump(void);

/* check_extension: the value returned for cap (a negative value is returned as an error). */
void fake_set_cap(unsigned long cap, int value);

/*
 * set_guest_debug: the next count calls fail with err (a negative errno) instead of succeeding.
 * Failing calls are still logged.
 */
void fake_fail_set_guest_debug(int err, unsigned int count);

/* enable_cap: the next count calls fail with err. */
void fake_fail_enable_cap(int err, unsigned int count);

/* get_one_reg: register id reads as value (a negative err instead: the call fails). */
void fake_set_one_reg(uint64_t id, uint64_t value, int err);
/* The pseudo register id of the u64 at offset in struct kvm_sregs (KVM_GET_SREGS). */
#define FAKE_SREG(offset) (0xf000000000000000ull | (offset))
/* get_regs_pc: the pc KVM_GET_REGS gives (err < 0: the call fails). */
void fake_set_regs_pc(uint64_t pc, int err);

/*
 * get_x86_paging: the registers a vCPU gives (fd; -1: every vCPU without registers of its own),
 * or err < 0 instead.  Reset: a vCPU after INIT (cr0 0x60000010, paging off, the rest 0) whose
 * VMM set no CPUID (maxphyaddr 36, as the kernel takes it).
 */
struct walk_x86_regs;
void fake_set_x86_paging(int fd, const struct walk_x86_regs *regs, int err);

/* translate: gpa = gva + delta (wrapping), except in the -EFAULT ranges. */
void fake_translate_set_delta(uint64_t delta);
/* translate: [start, start + len) gives -EFAULT. */
void fake_translate_add_fault(uint64_t start, uint64_t len);

/*
 * translate, get_x86_paging and get_one_reg: hook(data, fd, gva) is called first, outside the
 * fake's lock, by every one of them (gva: the address translated; 0 for register reads), so
 * that a test makes them block, as these vCPU calls do while that vCPU is inside KVM_RUN;
 * NULL: none.
 */
void fake_set_translate_hook(void (*hook)(void *data, int fd, uint64_t gva), void *data);

/* is_vm_fd: fd is not a KVM VM fd (every fd is one by default). */
void fake_set_not_vm_fd(int fd);

struct trial_exit;
/* trial_run (kvmdbg_vm_probe()): answered by fn; without one, -EOPNOTSUPP. */
void fake_set_trial(int (*fn)(void *data, const uint8_t *mem, uint16_t ip, const void *debug,
			      size_t size, struct trial_exit *ret),
		    void *data);

/*
 * Model mode (model.c): calls on a vCPU fd the model knows go to these hooks instead of the
 * programmed answers; each returns true when it handled the call, with *ret (0 or -errno).  The
 * calls are logged as usual.  fake_kernel_reset() leaves model mode.
 */
struct fake_model_hooks {
	bool (*set_guest_debug)(void *data, int fd, const void *buf, size_t size, int *ret);
	bool (*get_one_reg)(void *data, int fd, uint64_t id, uint64_t *value, int *ret);
	bool (*get_regs_pc)(void *data, int fd, uint64_t *pc, int *ret);
	bool (*translate)(void *data, int fd, uint64_t gva, uint64_t *gpa, int *ret);
	bool (*enable_cap)(void *data, int fd, unsigned long cap, int *ret);
};
void fake_set_model(const struct fake_model_hooks *hooks, void *data);

/* Test helpers around the log. */

/* Hex dump of a set_guest_debug image, x86 layout annotated, through g_test_message(). */
void fake_dump_image(const char *what, const uint8_t *bytes, size_t size);

/* A zeroed struct kvm_run buffer of FAKE_RUN_SIZE bytes (g_free() it). */
struct kvm_run *fake_run_new(void);

/* Write an x86 struct kvm_guest_debug image, little-endian, independently of the library. */
void x86_image(uint8_t out[72], uint32_t control, uint64_t dr0, uint64_t dr1, uint64_t dr2,
	       uint64_t dr3, uint64_t dr7);

/*
 * Write an x86 exit into a struct kvm_run image (little-endian, whatever the host):
 * exit_reason at offset 8; for KVM_EXIT_DEBUG struct kvm_debug_exit_arch at offset 32
 * (exception, pad, pc, dr6, dr7).
 */
void x86_set_exit_reason(struct kvm_run *run, uint32_t reason);
void x86_set_debug_exit(struct kvm_run *run, uint32_t exception, uint64_t pc, uint64_t dr6,
			uint64_t dr7);

/* Assert that log entry i is a set_guest_debug on fd with exactly these 72 bytes. */
#define assert_gd(i, fd_, expected)                                                          \
	do {                                                                                 \
		struct fake_call c_ = fake_log_get(i);                                       \
		g_assert_cmpint(c_.kind, ==, FAKE_SET_GUEST_DEBUG);                          \
		g_assert_cmpint(c_.fd, ==, (fd_));                                           \
		g_assert_cmpuint(c_.size, ==, 72);                                           \
		if (memcmp(c_.bytes, (expected), 72) != 0) {                                 \
			fake_dump_image("expected", (expected), 72);                         \
			fake_dump_image("actual  ", c_.bytes, 72);                           \
		}                                                                            \
		g_assert_cmpmem(c_.bytes, 72, (expected), 72);                               \
	} while (0)

/* As assert_gd(), but bit 20 of control (x86 KVM_GUESTDBG_BLOCKIRQ) is not compared. */
#define assert_gd_any_blockirq(i, fd_, expected)                                             \
	do {                                                                                 \
		struct fake_call c_ = fake_log_get(i);                                       \
		uint8_t e_[72];                                                              \
		memcpy(e_, (expected), 72);                                                  \
		g_assert_cmpint(c_.kind, ==, FAKE_SET_GUEST_DEBUG);                          \
		g_assert_cmpint(c_.fd, ==, (fd_));                                           \
		g_assert_cmpuint(c_.size, ==, 72);                                           \
		c_.bytes[2] &= (uint8_t)~0x10;                                               \
		e_[2] &= (uint8_t)~0x10;                                                     \
		if (memcmp(c_.bytes, e_, 72) != 0) {                                         \
			fake_dump_image("expected", e_, 72);                                 \
			fake_dump_image("actual  ", c_.bytes, 72);                           \
		}                                                                            \
		g_assert_cmpmem(c_.bytes, 72, e_, 72);                                       \
	} while (0)

/* Assert the log has exactly n entries (dumping it when not). */
#define assert_log_len(n)                                                                    \
	do {                                                                                 \
		if (fake_log_len() != (size_t)(n))                                           \
			fake_log_dump();                                                     \
		g_assert_cmpuint(fake_log_len(), ==, (n));                                   \
	} while (0)

#endif /* KVMDBG_TEST_FAKE_KERNEL_H */
