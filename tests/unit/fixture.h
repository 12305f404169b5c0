/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The unit tier's shared fixture: a VM of any architecture over the fake kernel edge, with
 * guest RAM registered, identity translation, and writers of every architecture's exits; and
 * the checks the area tests share (what pre_run sent, how an exit was answered, what a refused
 * call left alone).
 *
 * Every exit writer first fills the whole struct kvm_run after exit_reason with garbage, then
 * writes exactly the fields that the named kernel writes for that exit (as upstream KVM does:
 * the rest of the union holds whatever the previous exit left), so that no test leans on a
 * field the kernel did not write.
 */
#ifndef KVMDBG_TEST_FIXTURE_H
#define KVMDBG_TEST_FIXTURE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"

#define FX_VM_FD 700
#define FX_VCPU_FD 701
#define FX_MAX_VCPUS 4
#define FX_GPA 0x100000ull
#define FX_SIZE 0x10000u

/* Capability numbers of <linux/kvm.h>, stated here rather than taken from the host's. */
#define FX_CAP_HW_BPS 119
#define FX_CAP_HW_WPS 120
#define FX_CAP_S390_USER_INSTR0 130
#define FX_CAP_PPC_GUEST_DEBUG_SSTEP 176
#define FX_REG_ARM64_PC 0x6030000000100040ull
#define FX_REG_RISCV_PC 0x8030000002000000ull
#define FX_REG_PPC_DEBUG_INST 0x102000000000008bull

/* x86 DR6 values as the kernel reports them (active-low bits set). */
#define FX_DR6_NONE 0xffff0ff0ull
#define FX_DR6_STEP 0xffff4ff0ull
#define FX_DR6_SLOT(n) (0xffff0ff0ull | 1ull << (n))
#define FX_DR6_BD 0xffff2ff0ull

/* fx_fail_writes(): every write fails, not a number of them. */
#define FX_ALWAYS UINT_MAX

struct fx {
	const struct arch *arch;
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[FX_MAX_VCPUS];
	struct kvm_run *run[FX_MAX_VCPUS];
	uint8_t *mem;  /* FX_SIZE bytes of guest RAM at FX_GPA */
	uint8_t *orig; /* the same as it was before the library touched it */
	/* fx_write_mem(): how many writes still fail (FX_ALWAYS: all), and with what */
	unsigned int fail_writes;
	int write_err;
	/* fx_mark(): the state a refused call must leave alone */
	uint8_t *expected_mem;
	long expected_count;
};

/* ---- making and freeing the VM ---- */

/*
 * Reset the fake kernel to arch (a kvmdbg_arch name) with that KVM_CAP_SET_GUEST_DEBUG2 value,
 * fill guest RAM with a pattern, create the VM with the RAM registered and an identity
 * translate callback, and attach nr_vcpus vCPUs.
 */
void fx_init(struct fx *f, const char *arch, int debug2, unsigned int nr_vcpus);
/* The same, without the VM (for tests that set capabilities first): fx_vm() then. */
void fx_init_bare(struct fx *f, const char *arch, int debug2);
/*
 * fx_init_bare() for a kernel that offers guest debug and nothing else: the capabilities and
 * the register fx_init_bare() sets are taken back, for tests that set their own.
 */
void fx_init_plain(struct fx *f, const char *arch, int debug2);
/* fx_init()'s second half: the VM, guest RAM registered, identity translation, nr_vcpus. */
void fx_vm(struct fx *f, unsigned int nr_vcpus);
/*
 * The same with guest memory reached through the fixture's callbacks only (fx_read_mem(),
 * fx_write_mem(): no region registered), so that a test can make writes fail.
 */
void fx_vm_callbacks(struct fx *f, unsigned int nr_vcpus);
/* Attach vCPU i now (a vCPU that comes later). */
void fx_attach(struct fx *f, unsigned int i);
/* Free the vCPUs and the VM (which write back what they still hold), not guest RAM. */
void fx_free_vm(struct fx *f);
void fx_fini(struct fx *f);
/* fx_fini(), asserting first that freeing the VM left guest RAM as it was. */
void fx_fini_restored(struct fx *f);

/* For g_test_add(): x86 with the default capabilities, vCPU 0 attached and settled. */
void fx_setup_x86(struct fx *f, gconstpointer data);
/*
 * For g_test_add(): x86, two vCPUs, a software breakpoint at FX_BASE_SW and a hardware one
 * at FX_BASE_HW applied on both, and that state marked (fx_mark()): a baseline on which any
 * stray change of a refused call shows.
 */
void fx_setup_baseline(struct fx *f, gconstpointer data);
void fx_teardown(struct fx *f, gconstpointer data);
/* g_test_add() of a test on the shared fixture, made by setup, torn down by fx_teardown(). */
#define fx_test_add(path, setup, fn) g_test_add((path), struct fx, NULL, (setup), (fn), fx_teardown)

#define FX_BASE_SW (FX_GPA + 0x100)
#define FX_BASE_HW 0x401000ull

/* ---- guest memory ---- */

/* A guest address in the registered RAM. */
static inline uint64_t fx_addr(uint64_t off)
{
	return FX_GPA + off;
}

static inline uint8_t *fx_mem(struct fx *f, uint64_t gpa)
{
	g_assert_cmpuint(gpa - FX_GPA, <, FX_SIZE);
	return f->mem + (gpa - FX_GPA);
}

/* The byte at gpa before the library touched guest RAM. */
static inline uint8_t fx_orig(struct fx *f, uint64_t gpa)
{
	g_assert_cmpuint(gpa - FX_GPA, <, FX_SIZE);
	return f->orig[gpa - FX_GPA];
}

/* A guest address in RAM whose byte is not 0xcc, so that an x86 int3 there shows. */
static inline uint64_t fx_ram(struct fx *f, uint64_t off)
{
	g_assert_cmpuint(off, <, FX_SIZE);
	g_assert_cmphex(f->orig[off], !=, 0xcc);
	return FX_GPA + off;
}

/* The identity translation, and guest RAM through callbacks (user_data: the struct fx). */
int fx_translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa);
/*
 * Guest pages in reverse order: virtual page k of the RAM (FX_PAGE bytes each) is physical
 * page 15 - k; nothing else translates.
 */
#define FX_PAGE 0x1000ull
int fx_translate_reversed(void *user_data, uint64_t gva, uint64_t *ret_gpa);
int fx_read_mem(void *user_data, uint64_t gpa, void *buf, size_t len);
int fx_write_mem(void *user_data, uint64_t gpa, const void *buf, size_t len);
/* fx_write_mem(): the next count writes (FX_ALWAYS: all, until the next call) fail with err. */
void fx_fail_writes(struct fx *f, int err, unsigned int count);

/* ---- exits as each kernel writes them ---- */

/* Garbage over the whole struct kvm_run after exit_reason (the bytes the last exit left). */
void fx_garbage(struct kvm_run *run);
void fx_exit_reason(struct kvm_run *run, uint32_t reason, bool be);

/* x86 #DB exit: the kernel writes exception 1, pc, dr6 and dr7. */
void fx_x86_db(struct kvm_run *run, uint64_t pc, uint64_t dr6);
/* x86 #BP exit (USE_SW_BP): the kernel writes exception 3 and pc only. */
void fx_x86_bp(struct kvm_run *run, uint64_t pc);
/* arm64: hsr (ESR low half) always; far only on a watchpoint exit (EC 0x34). */
void fx_arm64(struct kvm_run *run, uint32_t hsr, uint64_t far);
/*
 * ppc: address always; status only when has_status (Book3S HV writes only the address of a
 * software-breakpoint exit; PR writes neither on a step).
 */
void fx_ppc(struct kvm_run *run, bool be, bool has_address, uint64_t address, bool has_status,
	    uint32_t status);
/* s390 KVM_EXIT_DEBUG: psw_addr and the PER fields. */
void fx_s390_debug(struct kvm_run *run, uint64_t psw, uint64_t addr, uint8_t type);
/* s390 KVM_EXIT_S390_SIEIC: psw_addr (past the instruction), icptcode, ipa, ipb. */
void fx_s390_sieic(struct kvm_run *run, uint64_t psw, uint8_t icpt, uint16_t ipa,
		   uint32_t ipb);
/* riscv ebreak: KVM_EXIT_DEBUG and nothing else (struct kvm_debug_exit_arch is empty). */
void fx_riscv(struct kvm_run *run);
/* loongarch SWDBG hypercall: the same, KVM_EXIT_DEBUG and an empty struct. */
void fx_loongarch(struct kvm_run *run);

/* ---- what pre_run sends ---- */

/* x86 KVM_SET_GUEST_DEBUG with debugging off: 72 zero bytes. */
extern const uint8_t fx_x86_off[72];

/*
 * Settle an x86 vCPU: the first pre_run of a fresh vCPU with nothing to apply may switch
 * debugging off explicitly (72 zero bytes) or do nothing; both are accepted.  Empties the log.
 */
void fx_settle_vcpu(struct kvmdbg_vcpu *vcpu, int fd);
/* The same for the fixture's vCPU i. */
void fx_settle(struct fx *f, unsigned int i);

/* pre_run must issue exactly one KVM_SET_GUEST_DEBUG of size bytes on fd, which succeeds. */
struct fake_call fx_pre_run_one(struct kvmdbg_vcpu *vcpu, int fd, size_t size);

/* pre_run must apply nothing. */
#define fx_pre_run_none(vcpu)                                                                \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);                           \
		assert_log_len(0);                                                           \
	} while (0)

/* pre_run must issue exactly one x86 KVM_SET_GUEST_DEBUG with exactly these 72 bytes. */
#define fx_pre_run_applies(vcpu, fd, image)                                                  \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);                           \
		assert_log_len(1);                                                           \
		assert_gd(0, (fd), (image));                                                 \
		fake_log_clear();                                                            \
	} while (0)

/* The same for a step over a breakpoint, BLOCKIRQ left to /kvmdbg/unit/stepover/blockirq. */
#define fx_pre_run_applies_step(vcpu, fd, image)                                             \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);                           \
		assert_log_len(1);                                                           \
		assert_gd_any_blockirq(0, (fd), (image));                                    \
		fake_log_clear();                                                            \
	} while (0)

/* An image of some size in the log: dumped when it differs. */
#define fx_assert_image(c, expected, n)                                                      \
	do {                                                                                 \
		if (memcmp((c).bytes, (expected), (n)) != 0) {                               \
			fake_dump_image("expected", (const uint8_t *)(expected), (n));       \
			fake_dump_image("actual  ", (c).bytes, (n));                         \
		}                                                                            \
		g_assert_cmpmem((c).bytes, (n), (expected), (n));                            \
	} while (0)

/* ---- how handle_exit answers ---- */

/* Never a valid event: handle_exit must leave *ret_event alone unless it returns EVENT. */
extern const int fx_no_event_storage;
#define FX_NO_EVENT ((const struct kvmdbg_event *)(const void *)&fx_no_event_storage)

/* kvmdbg_vcpu_handle_exit(vcpu i, 0, ev), with *ev set to FX_NO_EVENT first. */
int fx_exit(struct fx *f, unsigned int i, const struct kvmdbg_event **ev);

/* The exit already in vCPU i's struct kvm_run is an event of that type, from that vCPU. */
#define fx_expect_event(f, i, ev, type_)                                                    \
	do {                                                                                 \
		g_assert_cmpint(fx_exit((f), (i), &(ev)), ==, KVMDBG_EXIT_EVENT);          \
		g_assert_true((ev) != FX_NO_EVENT);                                          \
		g_assert_nonnull(ev);                                                        \
		g_assert_cmpint(kvmdbg_event_get_type(ev), ==, (type_));                     \
		g_assert_true(kvmdbg_event_get_vcpu(ev) == (f)->vcpu[i]);                    \
	} while (0)

/* ... is the library's own business: run on. */
#define fx_expect_resume(f, i)                                                               \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(fx_exit((f), (i), &ev_), ==, KVMDBG_EXIT_RESUME);          \
		g_assert_true(ev_ == FX_NO_EVENT);                                           \
	} while (0)

/* ... is the VMM's. */
#define fx_expect_not_debug(f, i)                                                            \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(fx_exit((f), (i), &ev_), ==, KVMDBG_EXIT_NOT_DEBUG);       \
		g_assert_true(ev_ == FX_NO_EVENT);                                           \
	} while (0)

/*
 * An x86 debug exit on vCPU i as the kernel writes it (exception 3: fx_x86_bp(), dr6 not
 * written; else fx_x86_db()), handled with *ev = FX_NO_EVENT first; the library may make no
 * kernel call on the way.
 */
int fx_x86_exit(struct fx *f, unsigned int i, uint32_t exception, uint64_t pc, uint64_t dr6,
		const struct kvmdbg_event **ev);

#define fx_x86_event(f, i, exception, pc, dr6, ev, type_)                                   \
	do {                                                                                 \
		g_assert_cmpint(fx_x86_exit((f), (i), (exception), (pc), (dr6), &(ev)), ==,  \
				KVMDBG_EXIT_EVENT);                                          \
		g_assert_true((ev) != FX_NO_EVENT);                                          \
		g_assert_nonnull(ev);                                                        \
		g_assert_cmpint(kvmdbg_event_get_type(ev), ==, (type_));                     \
		g_assert_true(kvmdbg_event_get_vcpu(ev) == (f)->vcpu[i]);                    \
	} while (0)

#define fx_x86_resume(f, i, exception, pc, dr6)                                              \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(fx_x86_exit((f), (i), (exception), (pc), (dr6), &ev_), ==,   \
				KVMDBG_EXIT_RESUME);                                         \
		g_assert_true(ev_ == FX_NO_EVENT);                                           \
	} while (0)

/* An x86 event's raw exception, and its DR6 (a #BP exit carries none: -ENODATA). */
void fx_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status);

/* ---- points ---- */

/* An insert that must succeed: the point's id. */
uint64_t fx_insert(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
		   uint64_t len, unsigned int flags);
uint64_t fx_vinsert(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr,
		    uint64_t len, unsigned int flags);

/* What a snapshot of point id says (kvmdbg_vm_get_point(); asserts that the point exists). */
struct fx_point {
	uint64_t id, addr, len, hits;
	enum kvmdbg_point_type type;
	unsigned int flags;
	void *user_data;
	struct kvmdbg_vcpu *vcpu;
	bool armed;
};

struct fx_point fx_point(struct kvmdbg_vm *vm, uint64_t id);
bool fx_point_armed(struct kvmdbg_vm *vm, uint64_t id);
uint64_t fx_point_hits(struct kvmdbg_vm *vm, uint64_t id);
/* kvmdbg_vm_find()'s id, or 0 when it says -ENOENT (asserting nothing else). */
uint64_t fx_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr);

/* Assert the event's type and pc. */
#define fx_assert_event(ev, type_, pc_)                                                      \
	do {                                                                                 \
		g_assert_nonnull(ev);                                                        \
		g_assert_cmpstr(kvmdbg_event_type_name(kvmdbg_event_get_type(ev)), ==,       \
				kvmdbg_event_type_name(type_));                              \
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, (pc_));                         \
	} while (0)

/* ---- refusals ---- */

/* An id no insert returns: a refused insert must leave it in *ret_point. */
#define FX_NO_POINT 0xdeadbeefull

/*
 * An insert refused with err, VM-wide and on vCPU 0, with and without ret_point; the caller
 * checks with fx_assert_unchanged() that it changed nothing.
 */
void fx_refuse_insert(struct fx *f, int type, uint64_t addr, uint64_t len, unsigned int flags,
		      int err);

/* Remember the current state (guest RAM, point count) as the one refusals must keep. */
void fx_mark(struct fx *f);

/*
 * Nothing changed since fx_mark(): no kernel call, the same point count and guest RAM, and
 * nothing pending for the next pre_run of vCPUs 0 and 1 (x86 sends a stepping vCPU's state
 * before every run, changed or not).
 */
#define fx_assert_unchanged(f)                                                               \
	do {                                                                                 \
		size_t n_ = 0;                                                               \
		assert_log_len(0);                                                           \
		g_assert_cmpint(kvmdbg_vm_get_point_count((f)->vm), ==, (f)->expected_count); \
		g_assert_cmpmem((f)->mem, FX_SIZE, (f)->expected_mem, FX_SIZE);              \
		for (unsigned int i_ = 0; i_ < 2; i_++) {                                    \
			bool s_ = kvmdbg_vcpu_is_single_step((f)->vcpu[i_]);                 \
			g_assert_cmpint(kvmdbg_vcpu_pre_run((f)->vcpu[i_]), ==, s_ ? 1 : 0); \
			n_ += s_;                                                            \
		}                                                                            \
		assert_log_len(n_);                                                          \
		fake_log_clear();                                                            \
	} while (0)

/* ---- capabilities and bytes ---- */

/*
 * kvmdbg_vm_has_feature() for features 1..9 (expected[0] unused), and -EINVAL for numbers
 * that are no feature.
 */
void fx_assert_features(struct kvmdbg_vm *vm, const int expected[10]);

/* v in n bytes at p, in the byte order be says; and back. */
void fx_put(uint8_t *p, uint64_t v, int n, bool be);
uint64_t fx_get(const uint8_t *p, int n, bool be);

#endif /* KVMDBG_TEST_FIXTURE_H */
