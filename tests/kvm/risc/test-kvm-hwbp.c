/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64 and ppc64, cases 3-5: hardware execute breakpoints in every slot the kernel
 * has, continuing past them (the library steps over), exact hit counts, and one-shot breakpoints
 * with re-arm.  Where the kernel offers no hardware breakpoints (Book3S) the capability probe
 * says so and the cases skip; where it offers them, a raw probe must find them delivered.
 */
#include "rtest.h"

/* Check a hardware breakpoint event at @point and return its slot. */
static int check_hw_event(struct kc_test *t, const struct kvmdbg_event *ev,
			  uint64_t point)
{
	uint64_t addr = 0;
	int slot;

	g_assert_true(kvmdbg_event_get_point_id(ev) == point);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, kc_point(t->vm, point).addr);
	slot = kvmdbg_event_get_slot(ev);
	g_assert_cmpint(slot, >=, 0);
	g_assert_cmpint(slot, <, kvmdbg_vm_get_hw_slots(t->vm, false));
#if defined(__aarch64__)
	rt_assert_raw(ev, RT_EC_BREAKPOINT, 0, 0);
#endif
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	/* Not the guest's own: there is nothing to hand back. */
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
	/* The vCPU stopped before the instruction. */
	g_assert_cmphex(rt_pc(t, 0), ==, kc_point(t->vm, point).addr);
	return slot;
}

/*
 * Case 3: as many breakpoints as there are slots, VM-wide and per vCPU alternately, on the
 * stores of the sled; one more finds no slot.  Each stop names its point and a slot no other
 * point has, so every slot fires once, and running on after each reaches the next one.
 */
static void test_slots(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_sled;
	uint64_t p[SLED_LEN], dummy = 0xdeadbeef;
	uint64_t start = rg_prog_addr(prog, SLED_START);
	uint32_t seen = 0;
	int n;

	KC_REQUIRE(t);
	if (!rt_require_hw_breakpoints(t))
		return;
	n = kvmdbg_vm_get_hw_slots(t->vm, false);
	g_test_message("%d breakpoint slots", n);
	g_assert_cmpint(n, <=, SLED_LEN - 1);
	rt_start(t, 0, prog, SLED_START);

	for (int k = 0; k < n; k++) {
		uint64_t addr = start + RG_INSN * (uint64_t)k;
		int ret;

		if (k % 2)
			ret = kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_HW_BREAK, addr, 4, 0,
						 &p[k], &p[k]);
		else
			ret = kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, addr, 0, 0, &p[k],
					       &p[k]);
		g_assert_cmpint(ret, ==, 0);
		g_assert_cmpint(kc_point(t->vm, p[k]).type, ==, KVMDBG_POINT_HW_BREAK);
		g_assert_cmphex(kc_point(t->vm, p[k]).addr, ==, addr);
		g_assert_true(kc_point(t->vm, p[k]).user_data == &p[k]);
		g_assert_true(kc_point(t->vm, p[k]).vcpu == (k % 2 ? t->vcpu[0] : NULL));
	}
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, n);
	/* Every slot taken. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, start + RG_INSN * n, 0, 0,
					 NULL, &dummy),
			==, -ENOSPC);
	g_assert_true(dummy == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_HW_BREAK, start + RG_INSN * n,
					   0, 0, NULL, NULL),
			==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, start, 0, 0, NULL, NULL), ==,
			-EEXIST);

	for (int k = 0; k < n; k++) {
		const struct kvmdbg_event *ev;
		int slot;

		ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT,
				     start + RG_INSN * (uint64_t)k);
		slot = check_hw_event(t, ev, p[k]);
		g_test_message("breakpoint %d: slot %d", k, slot);
		g_assert_cmphex(seen & (1u << slot), ==, 0);
		seen |= 1u << slot;
		g_assert_cmpuint(kc_point(t->vm, p[k]).hits, ==, 1);
	}
	g_assert_cmphex(seen, ==, (1u << n) - 1);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, n);
}

/* Case 4: continue past a breakpoint in a loop and reach a second one, exact counts. */
static void test_continue(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t inner, pass, done;
	uint64_t inner_addr = rg_prog_addr(prog, BP_INNER);
	uint64_t pass_addr = rg_prog_addr(prog, BP_PASS);
	uint64_t done_addr = rg_prog_addr(prog, BP_DONE);

	KC_REQUIRE(t);
	if (!rt_require_hw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);

	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 4, 0, NULL, &inner), ==,
		0);
	/* on the MMIO store: the step over it is an MMIO exit first */
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, pass_addr, 0, 0, NULL, &pass), ==,
		0);
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, done_addr, 1, 0, NULL, &done), ==,
		0);

	for (unsigned int n = 1; n <= BP_PASSES * BP_INNER_COUNT; n++) {
		check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr),
			       inner);
		g_assert_cmpuint(kc_point(t->vm, inner).hits, ==, n);
		/* Stopped before the instruction: r0 counts the iterations done. */
		g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, n - 1);
		if (n % BP_INNER_COUNT == 0) {
			check_hw_event(t,
				       kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, pass_addr),
				       pass);
			rt_expect_mmio(t, 0, RG_PORT_PASS);
		}
	}
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, done_addr), done);
	rt_expect_mmio(t, 0, RG_PORT_DONE);

	g_assert_cmpuint(kc_point(t->vm, inner).hits, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpuint(kc_point(t->vm, pass).hits, ==, BP_PASSES);
	g_assert_cmpuint(kc_point(t->vm, done).hits, ==, 1);
	g_assert_true(kc_point(t->vm, inner).armed);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * BP_INNER_COUNT);
}

/* Case 5: a one-shot breakpoint fires once, stays disarmed through the loop, and re-arms. */
static void test_oneshot(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t inner_addr = rg_prog_addr(prog, BP_INNER);
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_hw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	g_assert_cmphex(kc_point(t->vm, p).flags, ==, KVMDBG_POINT_ONESHOT);
	/* Nothing has fired yet. */
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 0);

	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);

		/* The other iterations of the loop run through it without a stop. */
		rt_expect_mmio(t, 0, RG_PORT_PASS);
		g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, pass * BP_INNER_COUNT);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);
		g_assert_true(kc_find(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr) == p);

		if (pass < BP_PASSES) {
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
			g_assert_true(kc_point(t->vm, p).armed);
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 0);
		}
	}
	/* Not re-armed after the last pass: the guest ends without another stop. */
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES);
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
	g_assert_true(kc_point(t->vm, p).armed);
}

/*
 * kvmdbg_vcpu_cancel_resume(): without the step over, the breakpoint fires again at once;
 * after moving the pc, the run starts there.  A breakpoint removed while stopped at it lets the
 * guest run on, and its freed slot serves the next insert.
 */
static void test_cancel_resume(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t inner_addr = rg_prog_addr(prog, BP_INNER);
	uint64_t outer_addr = rg_prog_addr(prog, BP_OUTER);
	uint64_t p, q;
	int slot;

	KC_REQUIRE(t);
	if (!rt_require_hw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0, 0, NULL, &p),
			==, 0);

	slot = check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 0);

	/* Nothing ran in between: the same stop again. */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 2);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 0);

	/* Running on as usual steps over it: one iteration later. */
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 3);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1);

	/* Back to the start of the inner loop. */
	rt_set_pc(t, 0, outer_addr);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 4);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, BP_INNER_COUNT);

	/* Removed while stopped at it: its slot goes to the next insert, which fires there. */
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr), ==, 0);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_HW_BREAK, outer_addr, 0, 0, NULL, &q),
		==, 0);
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1 + BP_INNER_COUNT);
	g_assert_cmpint(
		check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, outer_addr), q),
		==, slot);
	g_assert_cmpint(kvmdbg_vcpu_remove(t->vcpu[0], KVMDBG_POINT_HW_BREAK, outer_addr), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1 + 2 * BP_INNER_COUNT);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(NULL), ==, -EINVAL);
}

/* With single-step on, a breakpoint stop comes first and the steps go on from there. */
static void test_with_step(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_step;
	uint64_t loop = rg_prog_addr(prog, STEP_LOOP);
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_hw_breakpoints(t) || !rt_require_single_step(t))
		return;
	rt_start(t, 0, prog, STEP_TARGET);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, loop, 0, 0, NULL, &p), ==,
			0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(t->vcpu[0], true), ==, 0);
	/* target -> loop: the step, then the breakpoint at the same pc */
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, loop);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, loop), p);
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_DEC));
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, loop);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, loop), p);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(t->vcpu[0], false), ==, 0);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, loop), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 3);
	rt_expect_mmio(t, 0, RG_PORT_MARK);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, 0);
}

int main(int argc, char **argv)
{
	rt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/hw-bp/slots", struct kc_test, NULL, kc_setup1, test_slots,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/continue", struct kc_test, NULL, kc_setup1, test_continue,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/oneshot", struct kc_test, NULL, kc_setup1, test_oneshot,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/cancel-resume", struct kc_test, NULL, kc_setup1,
		   test_cancel_resume, kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/with-step", struct kc_test, NULL, kc_setup1, test_with_step,
		   kc_teardown);
	return g_test_run();
}
