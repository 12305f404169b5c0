// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The core's per-architecture policies, driven through the fake kernel edge pretending to be
 * the kernel of each architecture, whatever the host: the exact kernel calls (and the exact
 * bytes of every KVM_SET_GUEST_DEBUG, in the target's byte order), guest memory, the events.
 *
 *   s390:  software breakpoints as intercepts (0x0000 with KVM_CAP_S390_USER_INSTR0, enabled
 *          by the first one, else DIAG 0x501), the PSW moved back to the breakpoint, hardware
 *          points with their guest-physical address in the array the struct points to, the
 *          kernel's limits, a failed KVM_SET_GUEST_DEBUG followed by the last good state;
 *   ppc:   Book3S refusing hardware points, single-step only with the capability, the
 *          breakpoint instruction read with ONE_REG, status 0 told apart from the vCPU's own
 *          state (with KVM_GET_REGS where Book3S leaves a stale address), BookE's slots;
 *   arm64: slot counts from the capabilities, the pc read with ONE_REG after every exit,
 *          breakpoints found by pc and watchpoints by FAR, no re-injection;
 *   riscv: ENABLE only, ebreak or c.ebreak by the site, no single-step and so no step-over.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"
#include "fixture.h"

#define VM_FD 200
#define VCPU_FD 201

#define MEM_GPA 0x10000ull
#define MEM_SIZE 0x10000u

#define CAP_S390_USER_INSTR0 130
#define CAP_PPC_BOOKE_SREGS 62
#define CAP_PPC_SSTEP 176
#define CAP_HW_BPS 119
#define CAP_HW_WPS 120

#define REG_PPC_DEBUG_INST 0x102000000000008bull
#define REG_ARM64_PC 0x6030000000100040ull
#define REG_RISCV_PC 0x8030000002000000ull

struct fix {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[2];
	struct kvm_run *run[2];
	uint8_t *mem;
	uint8_t *orig;
	uint64_t phys_delta; /* what the translate callback adds */
};

static const int sentinel_storage;
#define SENTINEL ((const struct kvmdbg_event *)(const void *)&sentinel_storage)

static int translate_delta(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	const struct fix *f = user_data;

	if (gva >= 0xdead0000 && gva < 0xdeae0000)
		return -EFAULT;
	*ret_gpa = gva + f->phys_delta;
	return 0;
}

/* The fake kernel is of this architecture; caps set after this and before fix_vm() count. */
static void fix_init(struct fix *f, const char *arch, int debug2)
{
	memset(f, 0, sizeof(*f));
	fake_kernel_reset();
	fake_set_arch(arch_by_name(arch), debug2);
	g_assert_true(fake_get_arch() == arch_by_name(arch));
	f->mem = g_malloc(MEM_SIZE);
	for (size_t i = 0; i < MEM_SIZE; i++)
		f->mem[i] = (uint8_t)(i * 37 + 11);
	f->orig = g_malloc(MEM_SIZE);
	memcpy(f->orig, f->mem, MEM_SIZE);
	for (unsigned int i = 0; i < 2; i++)
		f->run[i] = fake_run_new();
}

static void fix_vm(struct fix *f)
{
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_delta, f), ==, 0);
}

static void fix_vcpu(struct fix *f, unsigned int i)
{
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, VCPU_FD + (int)i, f->run[i], &f->vcpu[i]), ==,
			0);
}

static void fix_fini(struct fix *f)
{
	for (unsigned int i = 0; i < 2; i++)
		kvmdbg_vcpu_free(f->vcpu[i]);
	kvmdbg_vm_free(f->vm);
	/* everything removed: guest memory as it was */
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	for (unsigned int i = 0; i < 2; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->orig);
}

static uint8_t *at(struct fix *f, uint64_t gpa)
{
	g_assert_cmpuint(gpa - MEM_GPA, <, MEM_SIZE);
	return f->mem + (gpa - MEM_GPA);
}

static uint64_t insert(struct fix *f, enum kvmdbg_point_type type, uint64_t addr,
				   uint64_t len, unsigned int flags)
{
	uint64_t p = 0;

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, type, addr, len, flags, NULL, &p), ==, 0);
	g_assert_cmpuint(p, !=, 0);
	return p;
}

static void assert_features(struct kvmdbg_vm *vm, const int expected[10])
{
	for (int i = 1; i <= 9; i++) {
		g_test_message("feature %d", i);
		g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)i), ==, expected[i]);
	}
}

static void put(uint8_t *p, uint64_t v, int n, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, int n, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

/* pre_run issues exactly one set_guest_debug: returns it */
static struct fake_call pre_run_one(struct kvmdbg_vcpu *vcpu, int fd, size_t size)
{
	struct fake_call c;

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_SET_GUEST_DEBUG);
	g_assert_cmpint(c.fd, ==, fd);
	g_assert_cmpuint(c.size, ==, size);
	g_assert_cmpint(c.ret, ==, 0);
	fake_log_clear();
	return c;
}

#define PRE_RUN_NONE(vcpu)                                                                   \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);                           \
		assert_log_len(0);                                                           \
	} while (0)

#define assert_image(c, expected, n)                                                         \
	do {                                                                                 \
		if (memcmp((c).bytes, (expected), (n)) != 0) {                               \
			fake_dump_image("expected", (const uint8_t *)(expected), (n));       \
			fake_dump_image("actual  ", (c).bytes, (n));                         \
		}                                                                            \
		g_assert_cmpmem((c).bytes, (n), (expected), (n));                            \
	} while (0)

/* handle_exit; returns its result, *ev SENTINEL unless an event */
static int exit_of(struct fix *f, unsigned int v, const struct kvmdbg_event **ev)
{
	*ev = SENTINEL;
	return kvmdbg_vcpu_handle_exit(f->vcpu[v], 0, ev);
}

#define EXPECT_EVENT(f, v, ev, type)                                                         \
	do {                                                                                 \
		g_assert_cmpint(exit_of((f), (v), &(ev)), ==, KVMDBG_EXIT_EVENT);            \
		g_assert_true((ev) != SENTINEL);                                             \
		g_assert_cmpint(kvmdbg_event_get_type(ev), ==, (type));                      \
		g_assert_true(kvmdbg_event_get_vcpu(ev) == (f)->vcpu[v]);                    \
	} while (0)

#define EXPECT_RESUME(f, v)                                                                  \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(exit_of((f), (v), &ev_), ==, KVMDBG_EXIT_RESUME);            \
		g_assert_true(ev_ == SENTINEL);                                              \
	} while (0)

#define EXPECT_NOT_DEBUG(f, v)                                                               \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(exit_of((f), (v), &ev_), ==, KVMDBG_EXIT_NOT_DEBUG);         \
		g_assert_true(ev_ == SENTINEL);                                              \
	} while (0)

/* ================================================================== s390 */

/* struct kvm_run of s390, big-endian: exit_reason @8, psw_addr @40, the union @48 */
static void s390_debug_exit(struct kvm_run *run, uint64_t psw, uint64_t addr, uint8_t type)
{
	uint8_t *b = (uint8_t *)run;

	memset(b, 0, 2368);
	put(b + 8, 4, 4, true);
	put(b + 32, 0x0705000180000000ull, 8, true);
	put(b + 40, psw, 8, true);
	put(b + 48, addr, 8, true);
	b[56] = type;
}

static void s390_sieic(struct kvm_run *run, uint64_t psw, uint8_t icpt, uint16_t ipa,
		       uint32_t ipb)
{
	uint8_t *b = (uint8_t *)run;

	memset(b, 0, 2368);
	put(b + 8, 13, 4, true);
	put(b + 40, psw, 8, true);
	b[48] = icpt;
	put(b + 50, ipa, 2, true);
	put(b + 52, ipb, 4, true);
}

static uint64_t s390_psw(const struct kvm_run *run)
{
	return get((const uint8_t *)run + 40, 8, true);
}

/* A 24-byte image: control, nr_hw_bp; the pointer is checked separately. */
static void s390_image(uint8_t out[24], uint32_t control, uint32_t nr)
{
	memset(out, 0, 24);
	put(out, control, 4, true);
	put(out + 8, nr, 4, true);
}

static void s390_entry(uint8_t out[32], uint64_t addr, uint64_t phys, uint64_t len,
		       uint8_t type)
{
	memset(out, 0, 32);
	put(out, addr, 8, true);
	put(out + 8, phys, 8, true);
	put(out + 16, len, 8, true);
	out[24] = type;
}

/* The image with the pointer bytes (16..23) masked, which must be non-zero iff nr is. */
static void s390_assert(const struct fake_call *c, uint32_t control, uint32_t nr,
			const uint8_t *entries)
{
	uint8_t expected[24], actual[24];
	uint64_t ptr = get(c->bytes + 16, 8, true);

	s390_image(expected, control, nr);
	memcpy(actual, c->bytes, 24);
	memset(actual + 16, 0, 8);
	if (memcmp(actual, expected, 24))
		fake_dump_image("expected", expected, 24);
	g_assert_cmpmem(actual, 24, expected, 24);
	if (nr)
		g_assert_cmphex(ptr, !=, 0);
	else
		g_assert_cmphex(ptr, ==, 0);
	g_assert_cmpuint(c->aux_len, ==, 32 * nr);
	if (nr) {
		if (memcmp(c->aux, entries, 32 * nr))
			fake_dump_image("expected array", entries, 32 * nr);
		g_assert_cmpmem(c->aux, 32 * nr, entries, 32 * nr);
	}
}

static void test_s390_probe(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;
	uint32_t mask = 0;

	fix_init(f, "s390x", 0x10003);
	fake_set_cap(CAP_S390_USER_INSTR0, 1);
	fix_vm(f);
	/* the capabilities asked: SET_GUEST_DEBUG, _DEBUG2 and USER_INSTR0, nothing enabled */
	g_assert_cmpuint(fake_log_count(FAKE_CHECK_EXTENSION), ==, 3);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 50);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 50);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	fix_fini(f);

	/* a kernel without KVM_CAP_SET_GUEST_DEBUG2: the bits s390 always had */
	fix_init(f, "s390x", 0);
	fix_vm(f);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	fix_fini(f);
}

static void test_s390_sw_instr0(void)
{
	static const uint8_t zero24[24];
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t p, q;
	struct fake_call c;
	uint64_t a = MEM_GPA + 0x100, b = MEM_GPA + 0x206;
	uint32_t e = 0;
	uint64_t s = 0;

	fix_init(f, "s390x", 0x10003);
	fake_set_cap(CAP_S390_USER_INSTR0, 1);
	fix_vm(f);
	fix_vcpu(f, 0);
	fake_log_clear();

	/* the first software breakpoint enables the capability; the instruction is 0x0000 */
	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_ENABLE_CAP);
	g_assert_cmpint(c.fd, ==, VM_FD);
	g_assert_cmpuint(c.cap, ==, CAP_S390_USER_INSTR0);
	g_assert_cmphex(at(f, a)[0], ==, 0x00);
	g_assert_cmphex(at(f, a)[1], ==, 0x00);
	g_assert_cmpmem(at(f, a) + 2, 16, f->orig + 0x102, 16);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 2);
	fake_log_clear();
	q = insert(f, KVMDBG_POINT_SW_BREAK, b, 2, 0);
	assert_log_len(0);
	g_assert_cmphex(at(f, b)[0], ==, 0x00);
	g_assert_cmphex(at(f, b)[1], ==, 0x00);

	/* intercepts need no guest debug: nothing to apply */
	PRE_RUN_NONE(f->vcpu[0]);

	/* the operation-exception intercept, PSW past the 2 bytes */
	s390_sieic(f->run[0], a + 2, 0x2c, 0, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmphex(s390_psw(f->run[0]), ==, a); /* moved back */
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, 0);
	g_assert_cmphex(e, ==, 0x2c);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, 0);
	g_assert_cmphex(s, ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EINVAL);

	/* step over it: original bytes, single-step (ENABLE | SINGLESTEP) */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x3, 0, NULL);
	g_assert_cmpmem(at(f, a), 2, f->orig + 0x100, 2);
	s390_debug_exit(f->run[0], a + 4, a + 4, 4);
	EXPECT_RESUME(f, 0);
	g_assert_cmphex(at(f, a)[0], ==, 0x00);
	g_assert_cmphex(at(f, a)[1], ==, 0x00);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	assert_image(c, zero24, 24);

	/* the guest's own 0x0000 where the library has none: the guest's, PSW left alone */
	at(f, MEM_GPA + 0x300)[0] = 0;
	at(f, MEM_GPA + 0x300)[1] = 0;
	s390_sieic(f->run[0], MEM_GPA + 0x302, 0x2c, 0, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, MEM_GPA + 0x300);
	g_assert_cmphex(s390_psw(f->run[0]), ==, MEM_GPA + 0x302);
	/* s390 cannot hand it back: the VMM injects the operation exception itself */
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	memcpy(at(f, MEM_GPA + 0x300), f->orig + 0x300, 2);

	/* removed after the vCPU trapped on it: the intercept resumes at its address */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, b), ==, 0);
	(void)q;
	s390_sieic(f->run[0], b + 2, 0x2c, 0, 0);
	EXPECT_RESUME(f, 0);
	g_assert_cmphex(s390_psw(f->run[0]), ==, b);

	/* other intercepts are the VMM's */
	s390_sieic(f->run[0], 0x1004, 0x04, 0xb220, 0);
	EXPECT_NOT_DEBUG(f, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);
}

static void test_s390_sw_diag(void)
{
	static const uint8_t diag[4] = { 0x83, 0x00, 0x05, 0x01 };
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t a = MEM_GPA + 0x400;

	for (int variant = 0; variant < 2; variant++) {
		fix_init(f, "s390x", 0x10003);
		/* no USER_INSTR0, or one that cannot be enabled */
		if (variant) {
			fake_set_cap(CAP_S390_USER_INSTR0, 1);
			fake_fail_enable_cap(-EINVAL, 1);
		}
		fix_vm(f);
		fix_vcpu(f, 0);
		fake_log_clear();
		p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
		g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, (size_t)variant);
		g_assert_cmpmem(at(f, a), 4, diag, 4);
		g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);

		/* the DIAG intercept, PSW past the 4 bytes */
		s390_sieic(f->run[0], a + 4, 0x04, 0x8300, 0x05010000);
		EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == p);
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
		g_assert_cmphex(s390_psw(f->run[0]), ==, a);

		/* another DIAG 0x501 (other registers) is the guest's */
		s390_sieic(f->run[0], 0x2004, 0x04, 0x8324, 0x05010000);
		EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x2000);
		g_assert_cmphex(s390_psw(f->run[0]), ==, 0x2004);
		g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
		fix_fini(f);
	}
}

static void test_s390_intercept_before_sw(void)
{
	struct fix fx, *f = &fx;

	/* before the library placed any software breakpoint, intercepts are the VMM's */
	fix_init(f, "s390x", 0x10003);
	fake_set_cap(CAP_S390_USER_INSTR0, 1);
	fix_vm(f);
	fix_vcpu(f, 0);
	s390_sieic(f->run[0], MEM_GPA + 2, 0x2c, 0, 0);
	EXPECT_NOT_DEBUG(f, 0);
	g_assert_cmphex(s390_psw(f->run[0]), ==, MEM_GPA + 2);
	s390_sieic(f->run[0], MEM_GPA + 4, 0x04, 0x8300, 0x05010000);
	EXPECT_NOT_DEBUG(f, 0);
	fix_fini(f);
}

static void test_s390_hw(void)
{
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t bp, wp;
	struct fake_call c;
	uint8_t entries[2 * 32];
	uint64_t data = 0;

	fix_init(f, "s390x", 0x10003);
	fix_vm(f);
	fix_vcpu(f, 0);
	f->phys_delta = 0x7f000000;

	bp = insert(f, KVMDBG_POINT_HW_BREAK, 0x2000, 0, 0);
	wp = insert(f, KVMDBG_POINT_WATCH_WRITE, 0x3001, 100, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_entry(entries, 0x2000, 0x7f002000, 1, 1);
	s390_entry(entries + 32, 0x3001, 0x7f003001, 100, 2);
	s390_assert(&c, 0x10001, 2, entries);
	PRE_RUN_NONE(f->vcpu[0]);

	/* the breakpoint: found by its address */
	s390_debug_exit(f->run[0], 0x2000, 0x2000, 1);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == bp);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x2000);

	/* step over it: the watch stays, the breakpoint is off for one step */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10003, 1, entries + 32);
	s390_debug_exit(f->run[0], 0x2004, 0x2004, 4);
	EXPECT_RESUME(f, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);

	/* the watch: the exit names the watched address; pc is the PSW */
	s390_debug_exit(f->run[0], 0x200a, 0x3001, 2);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == wp);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x3001);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x200a);
	/* the kernel's copy of the watched bytes is stale: the same state goes again, once */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);
	PRE_RUN_NONE(f->vcpu[0]);

	/* the address must translate */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0xdead0000, 8, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0xdead0010, 0, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	fix_fini(f);
}

static void test_s390_limits(void)
{
	struct fix fx, *f = &fx;
	struct fake_call c;
	uint8_t entries[50 * 32];

	fix_init(f, "s390x", 0x10003);
	fix_vm(f);
	fix_vcpu(f, 0);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x1000, 101, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x1000, 0, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0x1000, 8, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x1000, 8, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1001, 0, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 1, 0, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], true), ==, -EOPNOTSUPP);

	/* 50 entries, breakpoints and watchpoints together */
	for (unsigned int n = 0; n < 50; n++) {
		uint64_t addr = 0x100000 + 0x1000 * n;

		if (n % 2)
			insert(f, KVMDBG_POINT_WATCH_WRITE, addr, n, 0);
		else
			insert(f, KVMDBG_POINT_HW_BREAK, addr, 0, 0);
		s390_entry(entries + 32 * n, addr, addr, n % 2 ? n : 1, n % 2 ? 2 : 1);
	}
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x900000, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x900000, 4, 0, NULL,
					 NULL), ==, -ENOSPC);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 50, entries);
	fix_fini(f);
}

static void test_s390_failed_set_reapplies(void)
{
	struct fix fx, *f = &fx;
	struct fake_call c;
	uint8_t entries[2 * 32];
	uint64_t ptr;

	fix_init(f, "s390x", 0x10003);
	fix_vm(f);
	fix_vcpu(f, 0);
	s390_entry(entries, 0x2000, 0x2000, 1, 1);
	s390_entry(entries + 32, 0x3000, 0x3000, 8, 2);

	/* the first state ever fails: debugging was off and stays off, nothing to re-apply */
	insert(f, KVMDBG_POINT_HW_BREAK, 0x2000, 0, 0);
	fake_log_clear();
	fake_fail_set_guest_debug(-EINVAL, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EINVAL);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.ret, ==, -EINVAL);
	s390_assert(&c, 0x10001, 1, entries);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 1, entries);
	ptr = get(c.bytes + 16, 8, true);

	/* a failure later: the kernel switched debugging off, the last good state goes back */
	insert(f, KVMDBG_POINT_WATCH_WRITE, 0x3000, 8, 0);
	fake_log_clear();
	fake_fail_set_guest_debug(-E2BIG, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -E2BIG);
	assert_log_len(2);
	c = fake_log_get(0);
	g_assert_cmpint(c.ret, ==, -E2BIG);
	s390_assert(&c, 0x10001, 2, entries);
	c = fake_log_get(1);
	g_assert_cmpint(c.kind, ==, FAKE_SET_GUEST_DEBUG);
	g_assert_cmpint(c.ret, ==, 0);
	s390_assert(&c, 0x10001, 1, entries);
	g_assert_cmphex(get(c.bytes + 16, 8, true), ==, ptr);
	/* the new state is still pending */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);
	PRE_RUN_NONE(f->vcpu[0]);

	/* the re-apply fails too: then the library knows debugging is off, and says it again */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x3000), ==, 0);
	fake_log_clear();
	fake_fail_set_guest_debug(-EFAULT, 2);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EFAULT);
	assert_log_len(2);
	c = fake_log_get(0);
	g_assert_cmpint(c.ret, ==, -EFAULT);
	s390_assert(&c, 0x10001, 1, entries);
	c = fake_log_get(1);
	g_assert_cmpint(c.ret, ==, -EFAULT);
	s390_assert(&c, 0x10001, 2, entries);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 24);
	s390_assert(&c, 0x10001, 1, entries);
	fix_fini(f);
}

/* ================================================================== ppc */

static void ppc_exit(struct kvm_run *run, bool be, uint64_t address, uint32_t status)
{
	uint8_t *b = (uint8_t *)run;

	memset(b, 0, 2352);
	put(b + 8, 4, 4, be);
	put(b + 32, address, 8, be);
	put(b + 40, status, 4, be);
}

/* A 264-byte image: control and n entries (addr, type). */
static void ppc_image(uint8_t out[264], bool be, uint32_t control, unsigned int n,
		      const uint64_t *addrs, const uint32_t *types)
{
	memset(out, 0, 264);
	put(out, control, 4, be);
	for (unsigned int i = 0; i < n; i++) {
		put(out + 8 + 16 * i, addrs[i], 8, be);
		put(out + 16 + 16 * i, types[i], 4, be);
	}
}

static void test_ppc_book3s(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT, before and after a vCPU */
	static const int before[10] = { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const int after[10] = { 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;
	struct fake_call c;
	uint32_t mask = 0;

	/* Book3S PR: KVM_CAP_SET_GUEST_DEBUG2 0, single-step offered */
	fix_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_SSTEP, 1);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	fix_vm(f);
	assert_features(f->vm, before);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 0);
	/* the instruction is not known yet */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA, 0, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	fake_log_clear();
	fix_vcpu(f, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
	g_assert_cmpint(c.fd, ==, VCPU_FD);
	g_assert_cmphex(c.reg, ==, REG_PPC_DEBUG_INST);
	assert_features(f->vm, after);
	/* the kernel would take hardware requests and ignore them: refused */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 0, 0, NULL, NULL),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x1000, 0, 0, NULL,
					   NULL), ==, -EOPNOTSUPP);
	for (int t = KVMDBG_POINT_WATCH_WRITE; t <= KVMDBG_POINT_WATCH_ACCESS; t++)
		g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)t, 0x1000, 4, 0,
						 NULL, NULL), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	/* a second vCPU does not read the instruction again */
	fake_log_clear();
	fix_vcpu(f, 1);
	assert_log_len(0);
	fix_fini(f);
}

static void test_ppc_sw_insn_reg(void)
{
	struct fix fx, *f = &fx;
	uint64_t p;
	uint64_t a = MEM_GPA + 0x800;
	static const uint8_t le_tw[4] = { 0x08, 0x00, 0xe0, 0x7f };  /* 0x7fe00008, LE */
	static const uint8_t be_ehpriv[4] = { 0x7c, 0x00, 0x02, 0x1c };

	/* ONE_REG fails on the first vCPU: no software breakpoints until one gives it */
	fix_init(f, "ppc64le-book3s", 0);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0, -ENOENT);
	fix_vm(f);
	fix_vcpu(f, 0);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EOPNOTSUPP);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x7fe00008, 0);
	fix_vcpu(f, 1);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 1);
	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 4, 0);
	/* the 32-bit word in the guest's (little-endian) byte order */
	g_assert_cmpmem(at(f, a), 4, le_tw, 4);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);

	/* big-endian */
	fix_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_BOOKE_SREGS, 1);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x7c00021c, 0);
	fix_vm(f);
	fix_vcpu(f, 0);
	insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	g_assert_cmpmem(at(f, a), 4, be_ehpriv, 4);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);
}

static void test_ppc_status0(void)
{
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t status = 0;
	uint64_t p;
	struct fake_call c;
	uint8_t img[264];
	uint64_t a = MEM_GPA + 0x1000;

	/* Book3S PR */
	fix_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_SSTEP, 1);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	fix_vm(f);
	fix_vcpu(f, 0);
	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	ppc_image(img, true, 0x10001, 0, NULL, NULL);
	assert_image(c, img, 264);

	/* status 0 on a vCPU that is not stepping: the breakpoint; no register read */
	ppc_exit(f->run[0], true, a, 0);
	fake_log_clear();
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	assert_log_len(0);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);

	/* step over it */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	ppc_image(img, true, 0x10003, 0, NULL, NULL);
	assert_image(c, img, 264);
	g_assert_cmpmem(at(f, a), 4, f->orig + 0x1000, 4);
	/* PR leaves the last exit's address (a) in a step exit: the pc comes from KVM_GET_REGS */
	fake_set_regs_pc(a + 4, 0);
	ppc_exit(f->run[0], true, a, 0);
	fake_log_clear();
	EXPECT_RESUME(f, 0);
	assert_log_len(1);
	g_assert_cmpint(fake_log_get(0).kind, ==, FAKE_GET_REGS);
	g_assert_cmphex(at(f, a)[1], ==, 0xdd);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	ppc_image(img, true, 0x10001, 0, NULL, NULL);
	assert_image(c, img, 264);

	/* single-step on: status 0 is a step, at the pc KVM_GET_REGS gives */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	ppc_image(img, true, 0x10003, 0, NULL, NULL);
	assert_image(c, img, 264);
	fake_set_regs_pc(0x7000, 0);
	ppc_exit(f->run[0], true, 0x6ffc, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x7000);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);

	/*
	 * PR writes no status either: after an MMIO exit the union still holds its address and
	 * data (here 0x1244, bit 2 set, a "write watchpoint"), and it is still a step
	 */
	fake_set_regs_pc(0x7004, 0);
	ppc_exit(f->run[0], true, 0x10000088, 0x1244);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x7004);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);

	/* stepping onto the breakpoint (or trapping on it): the breakpoint's stop */
	fake_set_regs_pc(a, 0);
	ppc_exit(f->run[0], true, 0x7000, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);

	/* KVM_GET_REGS failing fails the exit */
	fake_set_regs_pc(0, -EIO);
	ppc_exit(f->run[0], true, a, 0);
	g_assert_cmpint(exit_of(f, 0, &ev), ==, -EIO);
	g_assert_true(ev == SENTINEL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);
}

static void test_ppc_book3s_hv(void)
{
	static const int expected[10] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint32_t mask = 0;
	uint64_t a = MEM_GPA + 0x2000;

	/* Book3S HV: no KVM_CAP_PPC_GUEST_DEBUG_SSTEP, so no single-step and no step-over */
	fix_init(f, "ppc64le-book3s", 0);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	fix_vm(f);
	fix_vcpu(f, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10001);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	/* nor a per-vCPU breakpoint, which others would have to step over */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL,
					   NULL), ==, -EOPNOTSUPP);

	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	pre_run_one(f->vcpu[0], VCPU_FD, 264);
	ppc_exit(f->run[0], false, a, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	/* running again stops there again: nothing to apply, the breakpoint stays */
	PRE_RUN_NONE(f->vcpu[0]);
	g_assert_cmphex(at(f, a)[1], ==, 0xdd);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);

	/* a one-shot takes itself out, so running again runs the original instruction */
	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_ONESHOT);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpmem(at(f, a), 4, f->orig + 0x2000, 4);
	g_assert_false(fx_point_armed(f->vm, p));
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);
}

static void test_ppc_booke(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t b0, b1, w0, w1;
	struct fake_call c;
	uint8_t img[264];
	uint64_t data = 0;
	uint32_t mask = 0;

	/* a ppc64 kernel with KVM_CAP_PPC_BOOKE_SREGS is BookE */
	fix_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_BOOKE_SREGS, 1);
	fake_set_cap(CAP_PPC_SSTEP, 1);
	fake_set_one_reg(REG_PPC_DEBUG_INST, 0x7c00021c, 0);
	fix_vm(f);
	fix_vcpu(f, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x30003);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 2);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 2);

	b0 = insert(f, KVMDBG_POINT_HW_BREAK, 0x10000, 0, 0);
	w0 = insert(f, KVMDBG_POINT_WATCH_ACCESS, 0x8008, 8, 0);
	b1 = insert(f, KVMDBG_POINT_HW_BREAK, 0x10040, 4, 0);
	w1 = insert(f, KVMDBG_POINT_WATCH_WRITE, 0x9000, 2, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x10080, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0xa000, 1, 0, NULL,
					 NULL), ==, -ENOSPC);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	{
		static const uint64_t addrs[4] = { 0x10000, 0x10040, 0x8008, 0x9000 };
		static const uint32_t types[4] = { 0x2, 0x2, 0xc, 0x4 };

		ppc_image(img, true, 0x20001, 4, addrs, types);
		assert_image(c, img, 264);
	}

	/* an instruction breakpoint names no slot: the one at the pc */
	ppc_exit(f->run[0], true, 0x10040, 0x2);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == b1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x10040);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 264);
	{
		static const uint64_t addrs[3] = { 0x10000, 0x8008, 0x9000 };
		static const uint32_t types[3] = { 0x2, 0xc, 0x4 };

		ppc_image(img, true, 0x20003, 3, addrs, types);
		assert_image(c, img, 264);
	}
	/* BookE reports the new pc in a step exit: no register read */
	ppc_exit(f->run[0], true, 0x10044, 0);
	fake_log_clear();
	EXPECT_RESUME(f, 0);
	assert_log_len(0);
	pre_run_one(f->vcpu[0], VCPU_FD, 264);

	/* a read of the access watch: the exit has the DAC, the pc comes from KVM_GET_REGS */
	fake_set_regs_pc(0x10100, 0);
	ppc_exit(f->run[0], true, 0x8008, 0x8);
	fake_log_clear();
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	assert_log_len(1);
	g_assert_cmpint(fake_log_get(0).kind, ==, FAKE_GET_REGS);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_READ);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x8008);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x10100);

	/* a write of the write watch */
	ppc_exit(f->run[0], true, 0x9000, 0x4);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	(void)b0;
	fix_fini(f);
}

/* ================================================================== arm64 */

static void arm64_exit(struct kvm_run *run, uint32_t hsr, uint64_t far)
{
	uint8_t *b = (uint8_t *)run;

	memset(b, 0, 2352);
	put(b + 8, 4, 4, false);
	put(b + 14, 1, 2, false); /* KVM_DEBUG_ARCH_HSR_HIGH_VALID */
	put(b + 32, hsr, 4, false);
	put(b + 40, far, 8, false);
}

#define ESR_BREAKPT 0xc2000000u
#define ESR_STEP 0xca000022u
#define ESR_WATCH_W 0xd2000062u
#define ESR_WATCH_R 0xd2000022u
#define ESR_BRK(n) (0xf2000000u | (n))

static void test_arm64_probe(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	static const int no_hw[10] = { 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;

	fix_init(f, "aarch64", 0x30003);
	fake_set_cap(CAP_HW_BPS, 6);
	fake_set_cap(CAP_HW_WPS, 4);
	fix_vm(f);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 6);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 4);
	fix_vcpu(f, 0);
	for (unsigned int i = 0; i < 6; i++)
		insert(f, KVMDBG_POINT_HW_BREAK, 0x400000 + 4 * i, 0, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x500000, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	for (unsigned int i = 0; i < 4; i++)
		insert(f, KVMDBG_POINT_WATCH_WRITE, 0x600000 + 8 * i, 8, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0x700000, 1, 0, NULL,
					 NULL), ==, -ENOSPC);
	fix_fini(f);

	/* more than the layout has room for: 16 */
	fix_init(f, "aarch64", 0x30003);
	fake_set_cap(CAP_HW_BPS, 64);
	fake_set_cap(CAP_HW_WPS, 17);
	fix_vm(f);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 16);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 16);
	fix_fini(f);

	/* none reported: no hardware points */
	fix_init(f, "aarch64", 0x30003);
	fix_vm(f);
	assert_features(f->vm, no_hw);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 0, 0, NULL, NULL),
			==, -EOPNOTSUPP);
	fix_fini(f);
}

static void test_arm64_sw(void)
{
	static const uint8_t brk0[4] = { 0x00, 0x00, 0x20, 0xd4 };
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t p;
	struct fake_call c;
	uint8_t img[520];
	uint64_t a = MEM_GPA + 0x3000;
	uint32_t e = 0;
	uint64_t s = 0;

	fix_init(f, "aarch64", 0x30003);
	fix_vm(f);
	fix_vcpu(f, 0);
	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 4, 0);
	g_assert_cmpmem(at(f, a), 4, brk0, 4);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 520);
	memset(img, 0, sizeof(img));
	put(img, 0x10001, 4, false);
	assert_image(c, img, 520);

	/* BRK #0: the pc comes from ONE_REG */
	fake_set_one_reg(REG_ARM64_PC, a, 0);
	arm64_exit(f->run[0], ESR_BRK(0), 0);
	fake_log_clear();
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
	g_assert_cmpint(c.fd, ==, VCPU_FD);
	g_assert_cmphex(c.reg, ==, REG_ARM64_PC);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, 0);
	g_assert_cmphex(e, ==, 0x3c);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, 0);
	g_assert_cmphex(s, ==, 0xf2000000);

	/* step over */
	c = pre_run_one(f->vcpu[0], VCPU_FD, 520);
	put(img, 0x10003, 4, false);
	assert_image(c, img, 520);
	g_assert_cmpmem(at(f, a), 4, f->orig + 0x3000, 4);
	fake_set_one_reg(REG_ARM64_PC, a + 4, 0);
	arm64_exit(f->run[0], ESR_STEP, 0);
	EXPECT_RESUME(f, 0);
	g_assert_cmpmem(at(f, a), 4, brk0, 4);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 520);
	put(img, 0x10001, 4, false);
	assert_image(c, img, 520);

	/* the guest's own BRK: reported, and it cannot be handed back on arm64 */
	fake_set_one_reg(REG_ARM64_PC, 0x4000, 0);
	arm64_exit(f->run[0], ESR_BRK(0x800), 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x4000);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_REINJECT), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);

	/* a single-step of the caller's, with the pc read after it */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	pre_run_one(f->vcpu[0], VCPU_FD, 520);
	fake_set_one_reg(REG_ARM64_PC, 0x4004, 0);
	arm64_exit(f->run[0], ESR_STEP, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x4004);

	/* ONE_REG failing fails the exit, untouched */
	fake_set_one_reg(REG_ARM64_PC, 0, -EIO);
	g_assert_cmpint(exit_of(f, 0, &ev), ==, -EIO);
	g_assert_true(ev == SENTINEL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fix_fini(f);
}

static void test_arm64_hw(void)
{
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t b, w0, w1;
	struct fake_call c;
	uint8_t img[520];
	uint64_t data = 0;

	fix_init(f, "aarch64", 0x30003);
	fake_set_cap(CAP_HW_BPS, 2);
	fake_set_cap(CAP_HW_WPS, 2);
	fix_vm(f);
	fix_vcpu(f, 0);
	b = insert(f, KVMDBG_POINT_HW_BREAK, 0x80001000, 0, 0);
	w0 = insert(f, KVMDBG_POINT_WATCH_WRITE, 0x80002004, 4, 0);
	w1 = insert(f, KVMDBG_POINT_WATCH_READ, 0x80003001, 1, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 520);
	memset(img, 0, sizeof(img));
	put(img, 0x20001, 4, false);
	put(img + 8, 0x1e7, 8, false);                       /* dbg_bcr[0] */
	put(img + 136, 0x80001000, 8, false);                /* dbg_bvr[0] */
	put(img + 264, 0x7 | 2 << 3 | 0xf0 << 5, 8, false);  /* dbg_wcr[0]: store, bytes 4-7 */
	put(img + 264 + 8, 0x7 | 1 << 3 | 0x02 << 5, 8, false); /* dbg_wcr[1]: load, byte 1 */
	put(img + 392, 0x80002000, 8, false);                /* dbg_wvr[0] */
	put(img + 392 + 8, 0x80003000, 8, false);            /* dbg_wvr[1] */
	assert_image(c, img, 520);

	/* the breakpoint, found by the pc ONE_REG gives */
	fake_set_one_reg(REG_ARM64_PC, 0x80001000, 0);
	arm64_exit(f->run[0], ESR_BREAKPT, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == b);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 520);
	put(img, 0x20003, 4, false);
	put(img + 8, 0, 8, false);
	put(img + 136, 0, 8, false);
	assert_image(c, img, 520);
	fake_set_one_reg(REG_ARM64_PC, 0x80001004, 0);
	arm64_exit(f->run[0], ESR_STEP, 0);
	EXPECT_RESUME(f, 0);
	pre_run_one(f->vcpu[0], VCPU_FD, 520);

	/* a store inside the watched bytes: FAR says where */
	fake_set_one_reg(REG_ARM64_PC, 0x80001010, 0);
	arm64_exit(f->run[0], ESR_WATCH_W, 0x80002006);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x80002006);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x80001010);

	/* a wider load that starts below the watched byte: the same doubleword */
	arm64_exit(f->run[0], ESR_WATCH_R, 0x80003000);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_READ);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x80003000);
	fix_fini(f);
}

/* ================================================================== riscv */

static void riscv_exit(struct kvm_run *run)
{
	uint8_t *b = (uint8_t *)run;

	memset(b, 0, 2352);
	put(b + 8, 4, 4, false);
}

static void test_riscv(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t ebreak[4] = { 0x73, 0x00, 0x10, 0x00 };
	static const uint8_t c_ebreak[2] = { 0x02, 0x90 };
	static const uint8_t enable[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t off[8];
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint64_t p, q;
	struct fake_call c;
	uint64_t a = MEM_GPA + 0x100, b = MEM_GPA + 0x206, g = MEM_GPA + 0x300;
	uint32_t mask = 0, e = 0;

	fix_init(f, "riscv64", 0);
	/* a 32-bit instruction at a, a compressed one at b */
	f->orig[0x100] = f->mem[0x100] = 0x13;
	f->orig[0x101] = f->mem[0x101] = 0x05;
	f->orig[0x206] = f->mem[0x206] = 0x05;
	f->orig[0x207] = f->mem[0x207] = 0x45;
	fix_vm(f);
	fix_vcpu(f, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x1);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, a, 4, 0, NULL, NULL),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL,
					   NULL), ==, -EOPNOTSUPP);

	p = insert(f, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	q = insert(f, KVMDBG_POINT_SW_BREAK, b, 0, KVMDBG_POINT_ONESHOT);
	g_assert_cmpmem(at(f, a), 4, ebreak, 4);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);
	g_assert_cmpmem(at(f, b), 2, c_ebreak, 2);
	g_assert_cmpmem(at(f, b) + 2, 8, f->orig + 0x208, 8);
	g_assert_cmpuint(fx_point(f->vm, q).len, ==, 2);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 8);
	assert_image(c, enable, 8);

	/* an ebreak exit: the pc from ONE_REG */
	fake_set_one_reg(REG_RISCV_PC, a, 0);
	riscv_exit(f->run[0]);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, -ENODATA);
	/* no single-step, no step-over: nothing changes, the next run stops there again */
	PRE_RUN_NONE(f->vcpu[0]);
	g_assert_cmpmem(at(f, a), 4, ebreak, 4);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);

	/* the one-shot takes itself out: the compressed instruction is back */
	fake_set_one_reg(REG_RISCV_PC, b, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == q);
	g_assert_cmpmem(at(f, b), 2, f->orig + 0x206, 2);
	/* if the vCPU had already fetched it: the original is back, run it */
	EXPECT_RESUME(f, 0);

	/* the guest's own ebreak and c.ebreak */
	memcpy(at(f, g), ebreak, 4);
	fake_set_one_reg(REG_RISCV_PC, g, 0);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, g);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	memcpy(at(f, g), c_ebreak, 2);
	EXPECT_EVENT(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	memcpy(at(f, g), f->orig + 0x300, 4);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	c = pre_run_one(f->vcpu[0], VCPU_FD, 8);
	assert_image(c, off, 8);
	fix_fini(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/arches/s390/probe", test_s390_probe);
	g_test_add_func("/kvmdbg/unit/arches/s390/sw-instr0", test_s390_sw_instr0);
	g_test_add_func("/kvmdbg/unit/arches/s390/sw-diag", test_s390_sw_diag);
	g_test_add_func("/kvmdbg/unit/arches/s390/intercept-before-sw",
			test_s390_intercept_before_sw);
	g_test_add_func("/kvmdbg/unit/arches/s390/hw", test_s390_hw);
	g_test_add_func("/kvmdbg/unit/arches/s390/limits", test_s390_limits);
	g_test_add_func("/kvmdbg/unit/arches/s390/failed-set-reapplies",
			test_s390_failed_set_reapplies);
	g_test_add_func("/kvmdbg/unit/arches/ppc/book3s", test_ppc_book3s);
	g_test_add_func("/kvmdbg/unit/arches/ppc/sw-insn-reg", test_ppc_sw_insn_reg);
	g_test_add_func("/kvmdbg/unit/arches/ppc/status0", test_ppc_status0);
	g_test_add_func("/kvmdbg/unit/arches/ppc/book3s-hv", test_ppc_book3s_hv);
	g_test_add_func("/kvmdbg/unit/arches/ppc/booke", test_ppc_booke);
	g_test_add_func("/kvmdbg/unit/arches/arm64/probe", test_arm64_probe);
	g_test_add_func("/kvmdbg/unit/arches/arm64/sw", test_arm64_sw);
	g_test_add_func("/kvmdbg/unit/arches/arm64/hw", test_arm64_hw);
	g_test_add_func("/kvmdbg/unit/arches/riscv/sw", test_riscv);

	return g_test_run();
}
