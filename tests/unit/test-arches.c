// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The core on each architecture but x86, one walk-through a backend: the fake kernel edge
 * pretends to be that architecture's kernel, whatever the host, and the tests assert the exact
 * kernel calls (and the exact bytes of every KVM_SET_GUEST_DEBUG, in the target's byte order),
 * guest memory and the events.  The area files test the core's machinery on x86; what one
 * architecture changes in it is here, from its capabilities to its step-over:
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
 *
 * (loongarch's are in test-loongarch.c.)
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"
#include "fixture.h"

#define CAP_PPC_BOOKE_SREGS 62

/* What translate_delta() adds to an address; [0xdead0000, 0xdeae0000) does not translate. */
static uint64_t phys_delta;

static int translate_delta(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	if (gva >= 0xdead0000 && gva < 0xdeae0000)
		return -EFAULT;
	*ret_gpa = gva + phys_delta;
	return 0;
}

/*
 * The fake kernel is of this architecture and offers guest debug and nothing else (the
 * fixture's capabilities taken back); capabilities set after this and before arch_vm() count.
 */
static void arch_init(struct fx *f, const char *arch, int debug2)
{
	fx_init_plain(f, arch, debug2);
	g_assert_true(fake_get_arch() == arch_by_name(arch));
	phys_delta = 0;
}

/* The VM with guest RAM and translate_delta(); vCPUs come with fx_attach(). */
static void arch_vm(struct fx *f)
{
	fx_vm(f, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_delta, NULL), ==,
			0);
}

/* ================================================================== s390 */

static uint64_t s390_psw(const struct kvm_run *run)
{
	return fx_get((const uint8_t *)run + 40, 8, true);
}

/* A 24-byte image: control, nr_hw_bp; the pointer is checked separately. */
static void s390_image(uint8_t out[24], uint32_t control, uint32_t nr)
{
	memset(out, 0, 24);
	fx_put(out, control, 4, true);
	fx_put(out + 8, nr, 4, true);
}

static void s390_entry(uint8_t out[32], uint64_t addr, uint64_t phys, uint64_t len,
		       uint8_t type)
{
	memset(out, 0, 32);
	fx_put(out, addr, 8, true);
	fx_put(out + 8, phys, 8, true);
	fx_put(out + 16, len, 8, true);
	out[24] = type;
}

/* The image with the pointer bytes (16..23) masked, which must be non-zero iff nr is. */
static void s390_assert(const struct fake_call *c, uint32_t control, uint32_t nr,
			const uint8_t *entries)
{
	uint8_t expected[24], actual[24];
	uint64_t ptr = fx_get(c->bytes + 16, 8, true);

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
	struct fx fix, *f = &fix;
	uint32_t mask = 0;

	arch_init(f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	arch_vm(f);
	/* the capabilities asked: SET_GUEST_DEBUG, _DEBUG2 and USER_INSTR0, nothing enabled */
	g_assert_cmpuint(fake_log_count(FAKE_CHECK_EXTENSION), ==, 3);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 50);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 50);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	fx_fini_restored(f);

	/* a kernel without KVM_CAP_SET_GUEST_DEBUG2: the bits s390 always had */
	arch_init(f, "s390x", 0);
	arch_vm(f);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	fx_fini_restored(f);
}

static void test_s390_sw_instr0(void)
{
	static const uint8_t zero24[24];
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p, q;
	struct fake_call c;
	uint64_t a = FX_GPA + 0x100, b = FX_GPA + 0x206;
	uint32_t e = 0;
	uint64_t s = 0;

	arch_init(f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	arch_vm(f);
	fx_attach(f, 0);
	fake_log_clear();

	/* the first software breakpoint enables the capability; the instruction is 0x0000 */
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_ENABLE_CAP);
	g_assert_cmpint(c.fd, ==, FX_VM_FD);
	g_assert_cmpuint(c.cap, ==, FX_CAP_S390_USER_INSTR0);
	g_assert_cmphex(fx_mem(f, a)[0], ==, 0x00);
	g_assert_cmphex(fx_mem(f, a)[1], ==, 0x00);
	g_assert_cmpmem(fx_mem(f, a) + 2, 16, f->orig + 0x102, 16);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 2);
	fake_log_clear();
	q = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, b, 2, 0);
	assert_log_len(0);
	g_assert_cmphex(fx_mem(f, b)[0], ==, 0x00);
	g_assert_cmphex(fx_mem(f, b)[1], ==, 0x00);

	/* intercepts need no guest debug: nothing to apply */
	fx_pre_run_none(f->vcpu[0]);

	/* the operation-exception intercept, PSW past the 2 bytes */
	fx_s390_sieic(f->run[0], a + 2, 0x2c, 0, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmphex(s390_psw(f->run[0]), ==, a); /* moved back */
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, 0);
	g_assert_cmphex(e, ==, 0x2c);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, 0);
	g_assert_cmphex(s, ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EINVAL);

	/* step over it: original bytes, single-step (ENABLE | SINGLESTEP) */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x3, 0, NULL);
	g_assert_cmpmem(fx_mem(f, a), 2, f->orig + 0x100, 2);
	fx_s390_debug(f->run[0], a + 4, a + 4, 4);
	fx_expect_resume(f, 0);
	g_assert_cmphex(fx_mem(f, a)[0], ==, 0x00);
	g_assert_cmphex(fx_mem(f, a)[1], ==, 0x00);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	fx_assert_image(c, zero24, 24);

	/* the guest's own 0x0000 where the library has none: the guest's, PSW left alone */
	fx_mem(f, FX_GPA + 0x300)[0] = 0;
	fx_mem(f, FX_GPA + 0x300)[1] = 0;
	fx_s390_sieic(f->run[0], FX_GPA + 0x302, 0x2c, 0, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, FX_GPA + 0x300);
	g_assert_cmphex(s390_psw(f->run[0]), ==, FX_GPA + 0x302);
	/* s390 cannot hand it back: the VMM injects the operation exception itself */
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	memcpy(fx_mem(f, FX_GPA + 0x300), f->orig + 0x300, 2);

	/* removed after the vCPU trapped on it: the intercept resumes at its address */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, b), ==, 0);
	(void)q;
	fx_s390_sieic(f->run[0], b + 2, 0x2c, 0, 0);
	fx_expect_resume(f, 0);
	g_assert_cmphex(s390_psw(f->run[0]), ==, b);

	/* other intercepts are the VMM's */
	fx_s390_sieic(f->run[0], 0x1004, 0x04, 0xb220, 0);
	fx_expect_not_debug(f, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);
}

static void test_s390_sw_diag(void)
{
	static const uint8_t diag[4] = { 0x83, 0x00, 0x05, 0x01 };
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t a = FX_GPA + 0x400;

	for (int variant = 0; variant < 2; variant++) {
		arch_init(f, "s390x", 0x10003);
		/* no USER_INSTR0, or one that cannot be enabled */
		if (variant) {
			fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
			fake_fail_enable_cap(-EINVAL, 1);
		}
		arch_vm(f);
		fx_attach(f, 0);
		fake_log_clear();
		p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
		g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, (size_t)variant);
		g_assert_cmpmem(fx_mem(f, a), 4, diag, 4);
		g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);

		/* the DIAG intercept, PSW past the 4 bytes */
		fx_s390_sieic(f->run[0], a + 4, 0x04, 0x8300, 0x05010000);
		fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == p);
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
		g_assert_cmphex(s390_psw(f->run[0]), ==, a);

		/* another DIAG 0x501 (other registers) is the guest's */
		fx_s390_sieic(f->run[0], 0x2004, 0x04, 0x8324, 0x05010000);
		fx_expect_event(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x2000);
		g_assert_cmphex(s390_psw(f->run[0]), ==, 0x2004);
		g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
		fx_fini_restored(f);
	}
}

static void test_s390_intercept_before_sw(void)
{
	struct fx fix, *f = &fix;

	/* before the library placed any software breakpoint, intercepts are the VMM's */
	arch_init(f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	arch_vm(f);
	fx_attach(f, 0);
	fx_s390_sieic(f->run[0], FX_GPA + 2, 0x2c, 0, 0);
	fx_expect_not_debug(f, 0);
	g_assert_cmphex(s390_psw(f->run[0]), ==, FX_GPA + 2);
	fx_s390_sieic(f->run[0], FX_GPA + 4, 0x04, 0x8300, 0x05010000);
	fx_expect_not_debug(f, 0);
	fx_fini_restored(f);
}

static void test_s390_hw(void)
{
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t bp, wp;
	struct fake_call c;
	uint8_t entries[2 * 32];
	uint64_t data = 0;

	arch_init(f, "s390x", 0x10003);
	arch_vm(f);
	fx_attach(f, 0);
	phys_delta = 0x7f000000;

	bp = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 0, 0);
	wp = fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x3001, 100, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_entry(entries, 0x2000, 0x7f002000, 1, 1);
	s390_entry(entries + 32, 0x3001, 0x7f003001, 100, 2);
	s390_assert(&c, 0x10001, 2, entries);
	fx_pre_run_none(f->vcpu[0]);

	/* the breakpoint: found by its address */
	fx_s390_debug(f->run[0], 0x2000, 0x2000, 1);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == bp);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x2000);

	/* step over it: the watch stays, the breakpoint is off for one step */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10003, 1, entries + 32);
	fx_s390_debug(f->run[0], 0x2004, 0x2004, 4);
	fx_expect_resume(f, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);

	/* the watch: the exit names the watched address; pc is the PSW */
	fx_s390_debug(f->run[0], 0x200a, 0x3001, 2);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == wp);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x3001);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x200a);
	/* the kernel's copy of the watched bytes is stale: the same state goes again, once */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);
	fx_pre_run_none(f->vcpu[0]);

	/* the address must translate */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0xdead0000, 8, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0xdead0010, 0, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	fx_fini_restored(f);
}

static void test_s390_limits(void)
{
	struct fx fix, *f = &fix;
	struct fake_call c;
	uint8_t entries[50 * 32];

	arch_init(f, "s390x", 0x10003);
	arch_vm(f);
	fx_attach(f, 0);

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
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 1, 0, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], true), ==, -EOPNOTSUPP);

	/* 50 entries, breakpoints and watchpoints together */
	for (unsigned int n = 0; n < 50; n++) {
		uint64_t addr = 0x100000 + 0x1000 * n;

		if (n % 2)
			fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, addr, n, 0);
		else
			fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, addr, 0, 0);
		s390_entry(entries + 32 * n, addr, addr, n % 2 ? n : 1, n % 2 ? 2 : 1);
	}
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x900000, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x900000, 4, 0, NULL,
					 NULL), ==, -ENOSPC);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 50, entries);
	fx_fini_restored(f);
}

static void test_s390_failed_set_reapplies(void)
{
	struct fx fix, *f = &fix;
	struct fake_call c;
	uint8_t entries[2 * 32];
	uint64_t ptr;

	arch_init(f, "s390x", 0x10003);
	arch_vm(f);
	fx_attach(f, 0);
	s390_entry(entries, 0x2000, 0x2000, 1, 1);
	s390_entry(entries + 32, 0x3000, 0x3000, 8, 2);

	/* the first state ever fails: debugging was off and stays off, nothing to re-apply */
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 0, 0);
	fake_log_clear();
	fake_fail_set_guest_debug(-EINVAL, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EINVAL);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.ret, ==, -EINVAL);
	s390_assert(&c, 0x10001, 1, entries);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 1, entries);
	ptr = fx_get(c.bytes + 16, 8, true);

	/* a failure later: the kernel switched debugging off, the last good state goes back */
	fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x3000, 8, 0);
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
	g_assert_cmphex(fx_get(c.bytes + 16, 8, true), ==, ptr);
	/* the new state is still pending */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 2, entries);
	fx_pre_run_none(f->vcpu[0]);

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
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 24);
	s390_assert(&c, 0x10001, 1, entries);
	fx_fini_restored(f);
}

/* ================================================================== ppc */

/* A 264-byte image: control and n entries (addr, type). */
static void ppc_image(uint8_t out[264], bool be, uint32_t control, unsigned int n,
		      const uint64_t *addrs, const uint32_t *types)
{
	memset(out, 0, 264);
	fx_put(out, control, 4, be);
	for (unsigned int i = 0; i < n; i++) {
		fx_put(out + 8 + 16 * i, addrs[i], 8, be);
		fx_put(out + 16 + 16 * i, types[i], 4, be);
	}
}

static void test_ppc_book3s(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT, before and after a vCPU */
	static const int before[10] = { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
	static const int after[10] = { 0, 1, 1, 1, 0, 0, 0, 0, 0, 0 };
	struct fx fix, *f = &fix;
	struct fake_call c;
	uint32_t mask = 0;

	/* Book3S PR: KVM_CAP_SET_GUEST_DEBUG2 0, single-step offered */
	arch_init(f, "ppc64-book3s", 0);
	fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 1);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	arch_vm(f);
	fx_assert_features(f->vm, before);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 0);
	/* the instruction is not known yet */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA, 0, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	fake_log_clear();
	fx_attach(f, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmphex(c.reg, ==, FX_REG_PPC_DEBUG_INST);
	fx_assert_features(f->vm, after);
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
	fx_attach(f, 1);
	assert_log_len(0);
	fx_fini_restored(f);
}

static void test_ppc_sw_insn_reg(void)
{
	struct fx fix, *f = &fix;
	uint64_t p;
	uint64_t a = FX_GPA + 0x800;
	static const uint8_t le_tw[4] = { 0x08, 0x00, 0xe0, 0x7f };  /* 0x7fe00008, LE */
	static const uint8_t be_ehpriv[4] = { 0x7c, 0x00, 0x02, 0x1c };

	/* ONE_REG fails on the first vCPU: no software breakpoints until one gives it */
	arch_init(f, "ppc64le-book3s", 0);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0, -ENOENT);
	arch_vm(f);
	fx_attach(f, 0);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EOPNOTSUPP);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x7fe00008, 0);
	fx_attach(f, 1);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 1);
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 4, 0);
	/* the 32-bit word in the guest's (little-endian) byte order */
	g_assert_cmpmem(fx_mem(f, a), 4, le_tw, 4);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);

	/* big-endian */
	arch_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_BOOKE_SREGS, 1);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x7c00021c, 0);
	arch_vm(f);
	fx_attach(f, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	g_assert_cmpmem(fx_mem(f, a), 4, be_ehpriv, 4);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);
}

static void test_ppc_status0(void)
{
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t status = 0;
	uint64_t p;
	struct fake_call c;
	uint8_t img[264];
	uint64_t a = FX_GPA + 0x1000;

	/* Book3S PR */
	arch_init(f, "ppc64-book3s", 0);
	fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 1);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	arch_vm(f);
	fx_attach(f, 0);
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	ppc_image(img, true, 0x10001, 0, NULL, NULL);
	fx_assert_image(c, img, 264);

	/* status 0 on a vCPU that is not stepping: the breakpoint; no register read */
	fx_ppc(f->run[0], true, true, a, true, 0);
	fake_log_clear();
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	assert_log_len(0);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);

	/* step over it */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	ppc_image(img, true, 0x10003, 0, NULL, NULL);
	fx_assert_image(c, img, 264);
	g_assert_cmpmem(fx_mem(f, a), 4, f->orig + 0x1000, 4);
	/* PR leaves the last exit's address (a) in a step exit: the pc comes from KVM_GET_REGS */
	fake_set_regs_pc(a + 4, 0);
	fx_ppc(f->run[0], true, true, a, true, 0);
	fake_log_clear();
	fx_expect_resume(f, 0);
	assert_log_len(1);
	g_assert_cmpint(fake_log_get(0).kind, ==, FAKE_GET_REGS);
	g_assert_cmphex(fx_mem(f, a)[1], ==, 0xdd);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	ppc_image(img, true, 0x10001, 0, NULL, NULL);
	fx_assert_image(c, img, 264);

	/* single-step on: status 0 is a step, at the pc KVM_GET_REGS gives */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	ppc_image(img, true, 0x10003, 0, NULL, NULL);
	fx_assert_image(c, img, 264);
	fake_set_regs_pc(0x7000, 0);
	fx_ppc(f->run[0], true, true, 0x6ffc, true, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x7000);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);

	/*
	 * PR writes no status either: after an MMIO exit the union still holds its address and
	 * data (here 0x1244, bit 2 set, a "write watchpoint"), and it is still a step
	 */
	fake_set_regs_pc(0x7004, 0);
	fx_ppc(f->run[0], true, true, 0x10000088, true, 0x1244);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x7004);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);

	/* stepping onto the breakpoint (or trapping on it): the breakpoint's stop */
	fake_set_regs_pc(a, 0);
	fx_ppc(f->run[0], true, true, 0x7000, true, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);

	/* KVM_GET_REGS failing fails the exit */
	fake_set_regs_pc(0, -EIO);
	fx_ppc(f->run[0], true, true, a, true, 0);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, -EIO);
	g_assert_true(ev == FX_NO_EVENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);
}

static void test_ppc_book3s_hv(void)
{
	static const int expected[10] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint32_t mask = 0;
	uint64_t a = FX_GPA + 0x2000;

	/* Book3S HV: no KVM_CAP_PPC_GUEST_DEBUG_SSTEP, so no single-step and no step-over */
	arch_init(f, "ppc64le-book3s", 0);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	arch_vm(f);
	fx_attach(f, 0);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10001);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	/* nor a per-vCPU breakpoint, which others would have to step over */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL,
					   NULL), ==, -EOPNOTSUPP);

	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	fx_ppc(f->run[0], false, true, a, true, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	/* running again stops there again: nothing to apply, the breakpoint stays */
	fx_pre_run_none(f->vcpu[0]);
	g_assert_cmphex(fx_mem(f, a)[1], ==, 0xdd);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);

	/* a one-shot takes itself out, so running again runs the original instruction */
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_ONESHOT);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpmem(fx_mem(f, a), 4, f->orig + 0x2000, 4);
	g_assert_false(fx_point_armed(f->vm, p));
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);
}

static void test_ppc_booke(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t b0, b1, w0, w1;
	struct fake_call c;
	uint8_t img[264];
	uint64_t data = 0;
	uint32_t mask = 0;

	/* a ppc64 kernel with KVM_CAP_PPC_BOOKE_SREGS is BookE */
	arch_init(f, "ppc64-book3s", 0);
	fake_set_cap(CAP_PPC_BOOKE_SREGS, 1);
	fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 1);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x7c00021c, 0);
	arch_vm(f);
	fx_attach(f, 0);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x30003);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 2);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 2);

	b0 = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x10000, 0, 0);
	w0 = fx_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x8008, 8, 0);
	b1 = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x10040, 4, 0);
	w1 = fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000, 2, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x10080, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0xa000, 1, 0, NULL,
					 NULL), ==, -ENOSPC);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	{
		static const uint64_t addrs[4] = { 0x10000, 0x10040, 0x8008, 0x9000 };
		static const uint32_t types[4] = { 0x2, 0x2, 0xc, 0x4 };

		ppc_image(img, true, 0x20001, 4, addrs, types);
		fx_assert_image(c, img, 264);
	}

	/* an instruction breakpoint names no slot: the one at the pc */
	fx_ppc(f->run[0], true, true, 0x10040, true, 0x2);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == b1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x10040);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);
	{
		static const uint64_t addrs[3] = { 0x10000, 0x8008, 0x9000 };
		static const uint32_t types[3] = { 0x2, 0xc, 0x4 };

		ppc_image(img, true, 0x20003, 3, addrs, types);
		fx_assert_image(c, img, 264);
	}
	/* BookE reports the new pc in a step exit: no register read */
	fx_ppc(f->run[0], true, true, 0x10044, true, 0);
	fake_log_clear();
	fx_expect_resume(f, 0);
	assert_log_len(0);
	fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 264);

	/* a read of the access watch: the exit has the DAC, the pc comes from KVM_GET_REGS */
	fake_set_regs_pc(0x10100, 0);
	fx_ppc(f->run[0], true, true, 0x8008, true, 0x8);
	fake_log_clear();
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	assert_log_len(1);
	g_assert_cmpint(fake_log_get(0).kind, ==, FAKE_GET_REGS);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_READ);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x8008);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x10100);

	/* a write of the write watch */
	fx_ppc(f->run[0], true, true, 0x9000, true, 0x4);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	(void)b0;
	fx_fini_restored(f);
}

/* ================================================================== arm64 */

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
	struct fx fix, *f = &fix;

	arch_init(f, "aarch64", 0x30003);
	fake_set_cap(FX_CAP_HW_BPS, 6);
	fake_set_cap(FX_CAP_HW_WPS, 4);
	arch_vm(f);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 6);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 4);
	fx_attach(f, 0);
	for (unsigned int i = 0; i < 6; i++)
		fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x400000 + 4 * i, 0, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x500000, 0, 0, NULL,
					 NULL), ==, -ENOSPC);
	for (unsigned int i = 0; i < 4; i++)
		fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x600000 + 8 * i, 8, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0x700000, 1, 0, NULL,
					 NULL), ==, -ENOSPC);
	fx_fini_restored(f);

	/* more than the layout has room for: 16 */
	arch_init(f, "aarch64", 0x30003);
	fake_set_cap(FX_CAP_HW_BPS, 64);
	fake_set_cap(FX_CAP_HW_WPS, 17);
	arch_vm(f);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 16);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 16);
	fx_fini_restored(f);

	/* none reported: no hardware points */
	arch_init(f, "aarch64", 0x30003);
	arch_vm(f);
	fx_assert_features(f->vm, no_hw);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 0, 0, NULL, NULL),
			==, -EOPNOTSUPP);
	fx_fini_restored(f);
}

static void test_arm64_sw(void)
{
	static const uint8_t brk0[4] = { 0x00, 0x00, 0x20, 0xd4 };
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p;
	struct fake_call c;
	uint8_t img[520];
	uint64_t a = FX_GPA + 0x3000;
	uint32_t e = 0;
	uint64_t s = 0;

	arch_init(f, "aarch64", 0x30003);
	arch_vm(f);
	fx_attach(f, 0);
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 4, 0);
	g_assert_cmpmem(fx_mem(f, a), 4, brk0, 4);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	memset(img, 0, sizeof(img));
	fx_put(img, 0x10001, 4, false);
	fx_assert_image(c, img, 520);

	/* BRK #0: the pc comes from ONE_REG */
	fake_set_one_reg(FX_REG_ARM64_PC, a, 0);
	fx_arm64(f->run[0], ESR_BRK(0), 0);
	fake_log_clear();
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmphex(c.reg, ==, FX_REG_ARM64_PC);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, 0);
	g_assert_cmphex(e, ==, 0x3c);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, 0);
	g_assert_cmphex(s, ==, 0xf2000000);

	/* step over */
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	fx_put(img, 0x10003, 4, false);
	fx_assert_image(c, img, 520);
	g_assert_cmpmem(fx_mem(f, a), 4, f->orig + 0x3000, 4);
	fake_set_one_reg(FX_REG_ARM64_PC, a + 4, 0);
	fx_arm64(f->run[0], ESR_STEP, 0);
	fx_expect_resume(f, 0);
	g_assert_cmpmem(fx_mem(f, a), 4, brk0, 4);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	fx_put(img, 0x10001, 4, false);
	fx_assert_image(c, img, 520);

	/* the guest's own BRK: reported, and it cannot be handed back on arm64 */
	fake_set_one_reg(FX_REG_ARM64_PC, 0x4000, 0);
	fx_arm64(f->run[0], ESR_BRK(0x800), 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x4000);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_REINJECT), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);

	/* a single-step of the caller's, with the pc read after it */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	fake_set_one_reg(FX_REG_ARM64_PC, 0x4004, 0);
	fx_arm64(f->run[0], ESR_STEP, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x4004);

	/* ONE_REG failing fails the exit, untouched */
	fake_set_one_reg(FX_REG_ARM64_PC, 0, -EIO);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, -EIO);
	g_assert_true(ev == FX_NO_EVENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(f);
}

static void test_arm64_hw(void)
{
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t b, w0, w1;
	struct fake_call c;
	uint8_t img[520];
	uint64_t data = 0;

	arch_init(f, "aarch64", 0x30003);
	fake_set_cap(FX_CAP_HW_BPS, 2);
	fake_set_cap(FX_CAP_HW_WPS, 2);
	arch_vm(f);
	fx_attach(f, 0);
	b = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x80001000, 0, 0);
	w0 = fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x80002004, 4, 0);
	w1 = fx_insert(f->vm, KVMDBG_POINT_WATCH_READ, 0x80003001, 1, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	memset(img, 0, sizeof(img));
	fx_put(img, 0x20001, 4, false);
	fx_put(img + 8, 0x1e7, 8, false);                       /* dbg_bcr[0] */
	fx_put(img + 136, 0x80001000, 8, false);                /* dbg_bvr[0] */
	fx_put(img + 264, 0x7 | 2 << 3 | 0xf0 << 5, 8, false);  /* dbg_wcr[0]: store, bytes 4-7 */
	fx_put(img + 264 + 8, 0x7 | 1 << 3 | 0x02 << 5, 8, false); /* dbg_wcr[1]: load, byte 1 */
	fx_put(img + 392, 0x80002000, 8, false);                /* dbg_wvr[0] */
	fx_put(img + 392 + 8, 0x80003000, 8, false);            /* dbg_wvr[1] */
	fx_assert_image(c, img, 520);

	/* the breakpoint, found by the pc ONE_REG gives */
	fake_set_one_reg(FX_REG_ARM64_PC, 0x80001000, 0);
	fx_arm64(f->run[0], ESR_BREAKPT, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == b);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);
	fx_put(img, 0x20003, 4, false);
	fx_put(img + 8, 0, 8, false);
	fx_put(img + 136, 0, 8, false);
	fx_assert_image(c, img, 520);
	fake_set_one_reg(FX_REG_ARM64_PC, 0x80001004, 0);
	fx_arm64(f->run[0], ESR_STEP, 0);
	fx_expect_resume(f, 0);
	fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 520);

	/* a store inside the watched bytes: FAR says where */
	fake_set_one_reg(FX_REG_ARM64_PC, 0x80001010, 0);
	fx_arm64(f->run[0], ESR_WATCH_W, 0x80002006);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x80002006);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x80001010);

	/* a wider load that starts below the watched byte: the same doubleword */
	fx_arm64(f->run[0], ESR_WATCH_R, 0x80003000);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == w1);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_READ);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &data), ==, 0);
	g_assert_cmphex(data, ==, 0x80003000);
	fx_fini_restored(f);
}

/* ================================================================== riscv */

static void test_riscv(void)
{
	/* GUEST_DEBUG STEP SW HW WRITE READ ACCESS BLOCKIRQ REINJECT */
	static const int expected[10] = { 0, 1, 0, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t ebreak[4] = { 0x73, 0x00, 0x10, 0x00 };
	static const uint8_t c_ebreak[2] = { 0x02, 0x90 };
	static const uint8_t enable[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t off[8];
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p, q;
	struct fake_call c;
	uint64_t a = FX_GPA + 0x100, b = FX_GPA + 0x206, g = FX_GPA + 0x300;
	uint32_t mask = 0, e = 0;

	arch_init(f, "riscv64", 0);
	/* a 32-bit instruction at a, a compressed one at b */
	f->orig[0x100] = f->mem[0x100] = 0x13;
	f->orig[0x101] = f->mem[0x101] = 0x05;
	f->orig[0x206] = f->mem[0x206] = 0x05;
	f->orig[0x207] = f->mem[0x207] = 0x45;
	arch_vm(f);
	fx_attach(f, 0);
	fx_assert_features(f->vm, expected);
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

	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0);
	q = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, b, 0, KVMDBG_POINT_ONESHOT);
	g_assert_cmpmem(fx_mem(f, a), 4, ebreak, 4);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);
	g_assert_cmpmem(fx_mem(f, b), 2, c_ebreak, 2);
	g_assert_cmpmem(fx_mem(f, b) + 2, 8, f->orig + 0x208, 8);
	g_assert_cmpuint(fx_point(f->vm, q).len, ==, 2);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 8);
	fx_assert_image(c, enable, 8);

	/* an ebreak exit: the pc from ONE_REG */
	fake_set_one_reg(FX_REG_RISCV_PC, a, 0);
	fx_riscv(f->run[0]);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, -ENODATA);
	/* no single-step, no step-over: nothing changes, the next run stops there again */
	fx_pre_run_none(f->vcpu[0]);
	g_assert_cmpmem(fx_mem(f, a), 4, ebreak, 4);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);

	/* the one-shot takes itself out: the compressed instruction is back */
	fake_set_one_reg(FX_REG_RISCV_PC, b, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == q);
	g_assert_cmpmem(fx_mem(f, b), 2, f->orig + 0x206, 2);
	/* if the vCPU had already fetched it: the original is back, run it */
	fx_expect_resume(f, 0);

	/* the guest's own ebreak and c.ebreak */
	memcpy(fx_mem(f, g), ebreak, 4);
	fake_set_one_reg(FX_REG_RISCV_PC, g, 0);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, g);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	memcpy(fx_mem(f, g), c_ebreak, 2);
	fx_expect_event(f, 0, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	memcpy(fx_mem(f, g), f->orig + 0x300, 4);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 8);
	fx_assert_image(c, off, 8);
	fx_fini_restored(f);
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
