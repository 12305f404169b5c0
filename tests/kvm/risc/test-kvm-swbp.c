/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64 and ppc64: software breakpoints (arm64 BRK #0; ppc the instruction
 * KVM_REG_PPC_DEBUG_INST names), and the guest's own breakpoint instruction.
 *
 * The memory side needs no kernel support and runs everywhere.  Running into one is probed once
 * with a raw KVM_SET_GUEST_DEBUG and skipped with the probe's finding where the kernel does not
 * deliver it.
 */
#include <sys/ioctl.h>

#include "rtest.h"

static void check_sw_event(struct kc_test *t, const struct kvmdbg_event *ev,
			   uint64_t p)
{
	uint64_t addr = 0;

	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, kc_point(t->vm, p).addr);
#if defined(__aarch64__)
	/* BRK, immediate 0 */
	rt_assert_raw(ev, RT_EC_BRK64, 0xffff, 0);
#else
	rt_assert_raw(ev, 0, 0xffffffffu, 0);
#endif
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
}

/* Insert writes the breakpoint instruction at the address; remove puts the word back. */
static void test_insert_remove(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t inner, outer;
	uint64_t p, q;
	g_autofree uint8_t *snap = NULL, *expect = NULL;
	uint32_t insn;
	int tag;

	KC_REQUIRE(t);
	rt_start(t, 0, prog, BP_START);
	insn = rt_sw_insn(t);
	g_test_message("the breakpoint instruction is 0x%08x", insn);
	inner = rg_prog_addr(prog, BP_INNER);
	outer = rg_prog_addr(prog, BP_OUTER);
	snap = rt_snapshot(t);
	expect = rt_snapshot(t);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 4, 0, &tag, &p), ==,
			0);
	g_assert_cmpuint(p, !=, 0);
	g_assert_cmpint(kc_point(t->vm, p).type, ==, KVMDBG_POINT_SW_BREAK);
	g_assert_cmphex(kc_point(t->vm, p).addr, ==, inner);
	g_assert_cmpuint(kc_point(t->vm, p).len, ==, 4);
	g_assert_true(kc_point(t->vm, p).user_data == &tag);
	g_assert_null(kc_point(t->vm, p).vcpu);
	g_assert_true(kc_point(t->vm, p).armed);
	memcpy(expect + (inner - RG_MEM_BASE), &insn, 4);
	kc_assert_mem(t, RG_MEM_BASE, expect, RG_MEM_SIZE);
	g_assert_true(kc_find(t->vm, KVMDBG_POINT_SW_BREAK, inner) == p);

	/* A vCPU breakpoint is in the same shared memory. */
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer, 0, 0, NULL, &q), ==,
		0);
	g_assert_true(kc_point(t->vm, q).vcpu == t->vcpu[0]);
	g_assert_cmpuint(kc_point(t->vm, q).len, ==, 4);
	memcpy(expect + (outer - RG_MEM_BASE), &insn, 4);
	kc_assert_mem(t, RG_MEM_BASE, expect, RG_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 2);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	memcpy(expect + (inner - RG_MEM_BASE), snap + (inner - RG_MEM_BASE), 4);
	kc_assert_mem(t, RG_MEM_BASE, expect, RG_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);

	/* A breakpoint the guest overwrote is removed without touching the guest's word. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 0, 0, NULL, NULL), ==,
			0);
	rt_put_word(t, inner, 0x12345678u);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 1);
	g_assert_cmphex(rt_word(t, inner), ==, 0x12345678u);
	rt_put_word(t, inner, rt_snap_word(snap, inner));

	/* Freeing the VM object puts back what is still inserted. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, outer, 1,
					 KVMDBG_POINT_ONESHOT, NULL, NULL),
			==, 0);
	g_assert_cmphex(rt_word(t, inner), ==, insn);
	kvmdbg_vcpu_free(t->vcpu[0]);
	t->vcpu[0] = NULL;
	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
}

/* Where the kernel delivers them: stop, continue (step over), exact counts, memory restored. */
static void test_run_continue(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	g_autofree uint8_t *snap = NULL;
	uint64_t p, q;
	uint64_t inner, done;
	uint32_t insn;

	KC_REQUIRE(t);
	if (!rt_require_sw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);
	insn = rt_sw_insn(t);
	inner = rg_prog_addr(prog, BP_INNER);
	done = rg_prog_addr(prog, BP_DONE);
	snap = rt_snapshot(t);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 4, 0, NULL, &p), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, done, 4, 0, NULL, &q), ==,
			0);

	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		for (unsigned int n = 1; n <= BP_INNER_COUNT; n++) {
			const struct kvmdbg_event *ev;

			ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner);
			check_sw_event(t, ev, p);
			g_assert_cmpuint(kc_point(t->vm, p).hits, ==,
					 (pass - 1) * BP_INNER_COUNT + n);
			/* Stopped before the instruction: r0 counts the iterations done. */
			g_assert_cmphex(rt_pc(t, 0), ==, inner);
			g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==,
					(pass - 1) * BP_INNER_COUNT + n - 1);
			g_assert_cmphex(rt_word(t, inner), ==, insn);
		}
		rt_expect_mmio(t, 0, RG_PORT_PASS);
		/* The step over it put the breakpoint back. */
		g_assert_cmphex(rt_word(t, inner), ==, insn);
	}
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, done), q);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpuint(kc_point(t->vm, q).hits, ==, 1);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * BP_INNER_COUNT);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, done), ==, 0);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
}

/* A one-shot software breakpoint: fires once, original word back, re-arms. */
static void test_run_oneshot(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	g_autofree uint8_t *snap = NULL;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t inner;
	uint32_t insn;

	KC_REQUIRE(t);
	if (!rt_require_sw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);
	insn = rt_sw_insn(t);
	inner = rg_prog_addr(prog, BP_INNER);
	snap = rt_snapshot(t);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 4,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		g_assert_cmphex(rt_word(t, inner), ==, insn);
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner);
		check_sw_event(t, ev, p);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);
		/* Disarmed: the original word is back at once. */
		kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);

		rt_expect_mmio(t, 0, RG_PORT_PASS);
		g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, pass * BP_INNER_COUNT);
		g_assert_false(kc_point(t->vm, p).armed);
		kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
		g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
		if (pass < BP_PASSES) {
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
			g_assert_true(kc_point(t->vm, p).armed);
		}
	}
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
	/* Removing a disarmed one writes nothing. */
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
}

/* Point the guest's own vector for its breakpoint instruction at the program's handler. */
static void install_trap_handler(struct kc_test *t)
{
	rt_put_word(t, TRAP_VECTOR, rg_branch(TRAP_VECTOR, rg_prog_addr(&prog_trap, TRAP_HANDLER)));
}

/*
 * Without a breakpoint of the library the guest's own breakpoint instruction is the guest's:
 * no debug exit, its handler runs and returns past it.
 */
static void test_guest_trap_own(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_trap;

	KC_REQUIRE(t);
	rt_start(t, 0, prog, TRAP_START);
	install_trap_handler(t);
	rt_expect_mmio(t, 0, RG_PORT_MARK);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
}

#if defined(__aarch64__)
/*
 * With a breakpoint of the library inserted, every BRK exits (USE_SW_BP): the guest's own BRK
 * #0x42 is a KVMDBG_EVENT_GUEST_BREAKPOINT.  arm64 KVM cannot inject it back, so the test does
 * what a VMM that drops it does: moves the pc past it and cancels the resume.
 */
static void test_guest_trap(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_trap;
	const struct kvmdbg_event *ev;
	g_autofree uint8_t *snap = NULL;
	uint64_t p;
	uint64_t at, done, addr = 0;

	KC_REQUIRE(t);
	if (!rt_require_sw_breakpoints(t))
		return;
	rt_start(t, 0, prog, TRAP_START);
	install_trap_handler(t);
	at = rg_prog_addr(prog, TRAP_AT);
	done = rg_prog_addr(prog, TRAP_DONE);
	snap = rt_snapshot(t);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, done, 4, 0, NULL, &p), ==,
			0);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_GUEST_BREAKPOINT, at);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	/* BRK #0x42: the immediate is in the ISS */
	rt_assert_raw(ev, RT_EC_BRK64, 0xffff, 0x42);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_reinject(NULL, ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], NULL), ==, -EINVAL);
	/* The guest's BRK is untouched, and it is where the vCPU is. */
	g_assert_cmphex(rt_pc(t, 0), ==, at);
	g_assert_cmphex(rt_word(t, at), ==, rt_snap_word(snap, at));

	/* Running again without doing anything stops there again. */
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_GUEST_BREAKPOINT, at);

	/* Skip it: pc += 4 through ONE_REG, then forget the resume. */
	rt_set_pc(t, 0, at + RG_INSN);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, done), p);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);

	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, 1);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
}
#else
/*
 * Book3S leaves the guest's own "trap" to the guest even while the library's breakpoints are
 * in: its program interrupt handler runs (SRR0 = the trap) and returns past it; the library's
 * breakpoint after it still fires.
 */
static void test_guest_trap(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_trap;
	g_autofree uint8_t *snap = NULL;
	uint64_t p;
	struct kvm_regs regs;
	uint64_t at, done;

	KC_REQUIRE(t);
	if (!rt_require_sw_breakpoints(t))
		return;
	rt_start(t, 0, prog, TRAP_START);
	install_trap_handler(t);
	at = rg_prog_addr(prog, TRAP_AT);
	done = rg_prog_addr(prog, TRAP_DONE);
	snap = rt_snapshot(t);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, done, 4, 0, NULL, &p), ==,
			0);
	rt_expect_mmio(t, 0, RG_PORT_MARK);
	g_assert_cmpint(ioctl(t->g.vcpus[0].fd, KVM_GET_REGS, &regs), ==, 0);
	g_assert_cmphex(regs.srr0, ==, at);
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, done), p);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);

	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, 1);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);
}
#endif

/*
 * kvmdbg_vcpu_cancel_resume() at a software breakpoint: without the step over, the vCPU stops
 * there again; after moving the pc, the run starts at the new pc.
 */
static void test_cancel_resume(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint64_t inner = rg_prog_addr(prog, BP_INNER);
	uint64_t p;

	KC_REQUIRE(t);
	if (!rt_require_sw_breakpoints(t))
		return;
	rt_start(t, 0, prog, BP_START);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 4, 0, NULL, &p), ==,
			0);

	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner), p);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 0);
	/* Nothing ran in between: the same stop again. */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 2);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 0);
	/* Running on as usual steps over it: one iteration later. */
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner), p);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1);
	/* Back to the start of the inner loop. */
	rt_set_pc(t, 0, rg_prog_addr(prog, BP_OUTER));
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_sw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 4);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, BP_INNER_COUNT);
	/* Removed while stopped at it: the guest runs freely to its end. */
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1 + BP_INNER_COUNT);
	rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1 + 2 * BP_INNER_COUNT);
}

int main(int argc, char **argv)
{
	rt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/sw-bp/memory/insert-remove", struct kc_test, NULL, kc_setup1,
		   test_insert_remove, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/continue", struct kc_test, NULL, kc_setup1,
		   test_run_continue, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/oneshot", struct kc_test, NULL, kc_setup1,
		   test_run_oneshot, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/cancel-resume", struct kc_test, NULL, kc_setup1,
		   test_cancel_resume, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/guest-trap", struct kc_test, NULL, kc_setup1,
		   test_guest_trap, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/guest-trap-own", struct kc_test, NULL, kc_setup1,
		   test_guest_trap_own, kc_teardown);
	return g_test_run();
}
