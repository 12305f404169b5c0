/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64 and ppc64: the harness itself, the capability answers against the raw
 * capabilities, "pre_run only when changed", and bad input on a live VM.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "rtest.h"

#if defined(__aarch64__)
/* ENABLE | SINGLESTEP | USE_SW_BP | USE_HW: every control bit arm64 has */
#define ARCH_MASK 0x30003u
#else
/* ENABLE | SINGLESTEP | USE_SW_BP: Book3S takes USE_HW_BP and ignores it */
#define ARCH_MASK 0x10003u
#endif

/* The harness alone, with raw ioctls: the program runs to its end, twice. */
static void test_harness(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_step;
	uint32_t word;

	KC_REQUIRE(t);
	for (int round = 0; round < 2; round++) {
		/* the second time from an MMIO exit: rg_enter() settles it first */
		rt_start(t, 0, prog, STEP_START);
		g_assert_cmphex(rt_pc(t, 0), ==, rg_prog_addr(prog, STEP_START));
		g_assert_cmphex(rt_gpr(t, 0, RG_REG_MMIO), ==, RG_MMIO);
		g_assert_cmphex(rt_gpr(t, 0, PROG_R2), ==, 0);
		g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
		g_assert_true(rg_exit_is_mmio(&t->g, 0, RG_PORT_MARK));
		/* the stored word, in the guest's (the host's) byte order */
		memcpy(&word, t->g.vcpus[0].run->mmio.data, sizeof(word));
		g_assert_cmphex(word, ==, 0x1244);
		g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
		g_assert_true(rg_exit_is_mmio(&t->g, 0, RG_PORT_DONE));
		g_assert_cmphex(rt_gpr(t, 0, PROG_R2), ==, 0x1244);
		g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, 0);
	}

	/* A pc moved after an MMIO exit is where the guest goes on. */
	rt_set_pc(t, 0, rg_prog_addr(prog, STEP_AFTER_LOOP));
	g_assert_cmphex(rt_pc(t, 0), ==, rg_prog_addr(prog, STEP_AFTER_LOOP));
	g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
	g_assert_true(rg_exit_is_mmio(&t->g, 0, RG_PORT_MARK));

	/* A stray exception of the guest reaches its own vector and the stub reports it. */
	g_assert_cmpint(rg_enter(&t->g, 0, rg_prog_addr(prog, STEP_AFTER_ADD) + RG_INSN), ==, 0);
	g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
	g_assert_true(rg_exit_is_mmio(&t->g, 0, RG_PORT_FAULT));
}

/* Case 1: the library's capability answers agree with what the kernel says. */
static void test_caps(struct kc_test *t, const void *data)
{
	uint32_t mask = 0, dummy = 0x5a5a5a5a;
	int cap1, cap2, bps, wps, gd;

	KC_REQUIRE(t);
	cap1 = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG);
	cap2 = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	bps = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS);
	wps = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_WPS);
	g_assert_cmpint(cap1, >=, 0);
	g_assert_cmpint(cap2, >=, 0);
	g_assert_cmpint(bps, >=, 0);
	g_assert_cmpint(wps, >=, 0);
	g_test_message("KVM_CAP_SET_GUEST_DEBUG = %d, KVM_CAP_SET_GUEST_DEBUG2 = 0x%x, "
		       "KVM_CAP_GUEST_DEBUG_HW_BPS = %d, KVM_CAP_GUEST_DEBUG_HW_WPS = %d",
		       cap1, cap2, bps, wps);
	gd = cap1 > 0 || cap2 > 0;
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_GUEST_DEBUG), ==, gd);

	g_assert_cmpint(kvmdbg_vm_get_control_mask(t->vm, &mask), ==, 0);
	g_test_message("control mask 0x%x", mask);
#if defined(__aarch64__)
	/* The kernel's own mask where it says (4.x on), else every bit arm64 has. */
	g_assert_cmphex(mask, ==, cap2 > 0 ? (uint32_t)cap2 : ARCH_MASK);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
			gd && (mask & KVM_GUESTDBG_SINGLESTEP) != 0);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			gd && (mask & KVM_GUESTDBG_USE_SW_BP) != 0);
	/* The slot counts are the capabilities' (at most the 16 the layout has). */
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, false), ==,
			gd && (mask & KVM_GUESTDBG_USE_HW) ? MIN(bps, 16) : 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, true), ==,
			gd && (mask & KVM_GUESTDBG_USE_HW) ? MIN(wps, 16) : 0);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_HW_BREAKPOINT), ==,
			gd && (mask & KVM_GUESTDBG_USE_HW) && bps > 0);
	for (int f = KVMDBG_FEATURE_WATCH_WRITE; f <= KVMDBG_FEATURE_WATCH_ACCESS; f++)
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, f), ==,
				gd && (mask & KVM_GUESTDBG_USE_HW) && wps > 0);
#else
	/* powerpc has no KVM_CAP_SET_GUEST_DEBUG2: the bits Book3S has always taken. */
	g_assert_cmpint(cap2, ==, 0);
	{
		int sstep = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PPC_GUEST_DEBUG_SSTEP);
		uint64_t inst = 0;

		g_test_message("KVM_CAP_PPC_GUEST_DEBUG_SSTEP = %d", sstep);
		g_assert_cmphex(mask, ==,
				sstep > 0 ? ARCH_MASK : ARCH_MASK & ~KVM_GUESTDBG_SINGLESTEP);
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
				gd && sstep > 0);
		/* the breakpoint instruction is the kernel's, read from the vCPU */
		g_assert_cmpint(rg_get_one_reg(&t->g, 0, KVM_REG_PPC_DEBUG_INST, &inst), ==, 0);
		g_test_message("KVM_REG_PPC_DEBUG_INST = 0x%08llx", (unsigned long long)inst);
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
				gd && inst != 0);
	}
	/* Book3S has no hardware breakpoints or watchpoints, whatever it accepts. */
	g_assert_cmpint(bps, ==, 0);
	g_assert_cmpint(wps, ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, true), ==, 0);
	for (int f = KVMDBG_FEATURE_HW_BREAKPOINT; f <= KVMDBG_FEATURE_WATCH_ACCESS; f++)
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, f), ==, 0);
	for (int type = KVMDBG_POINT_HW_BREAK; type <= KVMDBG_POINT_WATCH_ACCESS; type++) {
		uint64_t p = 0xdeadbeef;
		uint64_t addr = type == KVMDBG_POINT_HW_BREAK ? RG_CODE : WATCH_DATA;

		g_assert_cmpint(kvmdbg_vm_insert(t->vm, type, addr, 4, 0, NULL, &p), ==,
				-EOPNOTSUPP);
		g_assert_true(p == 0xdeadbeef);
		g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], type, addr, 4, 0, NULL, NULL), ==,
				-EOPNOTSUPP);
	}
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
#endif
	/* Neither kernel blocks interrupts while stepping or injects for the guest. */
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_STEP_BLOCK_IRQ), ==, 0);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_REINJECT), ==, 0);

	/* Bad arguments. */
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, (enum kvmdbg_feature)0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, (enum kvmdbg_feature)10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(NULL, KVMDBG_FEATURE_GUEST_DEBUG), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(NULL, false), ==, -EINVAL);
	dummy = 0x5a5a5a5a;
	g_assert_cmpint(kvmdbg_vm_get_control_mask(NULL, &dummy), ==, -EINVAL);
	g_assert_cmphex(dummy, ==, 0x5a5a5a5a);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(t->vm, NULL), ==, -EINVAL);
}

/* Case 9: pre_run issues KVM_SET_GUEST_DEBUG when, and only when, the debug state changed. */
static void test_pre_run(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_step;
	struct kvmdbg_vcpu *vcpu;
	uint64_t target, loop;

	KC_REQUIRE(t);
	if (!rt_require_single_step(t))
		return;
	vcpu = t->vcpu[0];
	target = rg_prog_addr(prog, STEP_TARGET);
	loop = rg_prog_addr(prog, STEP_LOOP);
	rt_start(t, 0, prog, STEP_START);

	/* Whatever the first call does, a second one without a change does nothing. */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), >=, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Stepping on: each step needs no new KVM_SET_GUEST_DEBUG. */
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_NOP));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_MOV));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Setting what is already set, or changing and changing back, is no change. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* A software breakpoint switches USE_SW_BP on, once; removing it switches it off. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, loop, 4, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, loop), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Inserted and removed between two pre_runs: nothing to apply. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, loop, 0, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, loop), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* The same for hardware points, where the kernel has them. */
	if (kvmdbg_vm_get_hw_slots(t->vm, false) > 0) {
		g_assert_cmpint(
			kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, target, 4, 0, NULL, NULL),
			==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
		g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, target), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
		g_assert_cmpint(
			kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_HW_BREAK, target, 0, 0, NULL, NULL),
			==, 0);
		g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, KVMDBG_POINT_HW_BREAK, target), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	}
	if (kvmdbg_vm_get_hw_slots(t->vm, true) > 0) {
		g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 4, 0,
						   NULL, NULL),
				==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA), ==,
				0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	}
	/* There is no debug-register trap outside x86. */
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(vcpu, true), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Still stepping exactly where the program is. */
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_ADD));

	/* Off again: once, then the program runs freely to its end. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_MARK);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R2), ==, 0x1244);

	g_assert_cmpint(kvmdbg_vcpu_pre_run(NULL), ==, -EINVAL);
}

/* Case 8: bad input on a live VM is refused with the documented error and changes nothing. */
static void test_bad_input(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t dummy = 0xdeadbeef;
	struct kvmdbg_vcpu *vcpu;
	struct kvmdbg_vm *vm;
	uint64_t inner;
	g_autofree uint8_t *snap = NULL;

	KC_REQUIRE(t);
	vm = t->vm;
	vcpu = t->vcpu[0];
	inner = rg_prog_addr(prog, BP_INNER);
	rt_start(t, 0, prog, BP_START);
	snap = rt_snapshot(t);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), >=, 0);

	/* Refused before anything is looked at. */
	g_assert_cmpint(kvmdbg_vm_insert(NULL, KVMDBG_POINT_SW_BREAK, inner, 0, 0, NULL, NULL), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, (enum kvmdbg_point_type)42, inner, 0, 0, NULL, NULL),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 0, 1u << 7, NULL, NULL),
			==, -EINVAL);
	/* Instructions are 4 bytes, 4-byte aligned: lengths 0, 1 and 4 only. */
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner + 2, 4, 0, NULL, &dummy),
			==, -EINVAL);
	g_assert_true(dummy == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 2, 0, NULL, NULL), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 8, 0, NULL, NULL), ==,
			-EINVAL);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_SW_BREAK, inner + 1, 0, 0, NULL, NULL), ==,
		-EINVAL);
	/* Nothing backs it. */
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, RG_MMIO, 4, 0, NULL, NULL), ==,
			-EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, RG_MEM_BASE + RG_MEM_SIZE, 4, 0,
					 NULL, NULL),
			==, -EFAULT);
#if defined(__aarch64__)
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_HW_BREAK, inner + 2, 0, 0, NULL, NULL),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_HW_BREAK, inner, 2, 0, NULL, NULL), ==,
			-EINVAL);
	/* Watchpoints: 1 to 8 bytes within one aligned doubleword. */
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 0, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 9, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_READ, WATCH_DATA + 6, 4, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA + 1, 8, 0,
					   NULL, NULL),
			==, -EINVAL);
#endif
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);

	/* Removing what is not there, or twice. */
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(NULL, KVMDBG_POINT_SW_BREAK, inner), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(vm, (enum kvmdbg_point_type)42, inner), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 4, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 4, 0, NULL, NULL), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_SW_BREAK, inner, 4, 0, NULL, NULL),
			==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
	/* Both changes cancelled out before reaching the vCPU. */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Attaching again, or with bad arguments. */
	{
		struct kvmdbg_vcpu *dup = NULL;
		const struct kvmdbg_event *ev = NULL;

		g_assert_cmpint(kvmdbg_vcpu_new(vm, t->g.vcpus[0].fd, t->g.vcpus[0].run, &dup), ==,
				-EEXIST);
		g_assert_null(dup);
		g_assert_cmpint(kvmdbg_vcpu_new(vm, -1, t->g.vcpus[0].run, &dup), ==, -EINVAL);
		g_assert_cmpint(kvmdbg_vcpu_handle_exit(vcpu, 0, NULL), ==, -EINVAL);
		g_assert_cmpint(kvmdbg_vcpu_handle_exit(NULL, 0, &ev), ==, -EINVAL);
		g_assert_null(ev);
	}

	/* After all of it, the guest runs as if nothing had happened. */
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * BP_INNER_COUNT);
}

int main(int argc, char **argv)
{
	rt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/harness/" RG_ARCH, struct kc_test, NULL, kc_setup1, test_harness,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/caps", struct kc_test, NULL, kc_setup1, test_caps, kc_teardown);
	g_test_add("/kvmdbg/kvm/pre-run/only-when-changed", struct kc_test, NULL, kc_setup1,
		   test_pre_run, kc_teardown);
	g_test_add("/kvmdbg/kvm/errors/bad-input", struct kc_test, NULL, kc_setup1, test_bad_input,
		   kc_teardown);
	return g_test_run();
}
