/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite, cases 3-5: hardware execute breakpoints in every slot DR0-DR3, continuing past
 * them (the library steps over), exact hit counts, and one-shot breakpoints with re-arm; in
 * real mode, 32-bit protected mode and long mode.  Where the kernel does not deliver execute
 * breakpoints (a probe runs one raw), the cases skip with the probe's finding.
 */
#include "kvmtest.h"

/* Check a hardware breakpoint event and return its slot. */
static int check_hw_event(struct kc_test *t, const struct kvmdbg_event *ev,
			  uint64_t point)
{
	uint64_t status = 0, addr = 0;
	int slot;

	g_assert_true(kvmdbg_event_get_point_id(ev) == point);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, kc_point(t->vm, point).addr);
	slot = kvmdbg_event_get_slot(ev);
	g_assert_cmpint(slot, >=, 0);
	g_assert_cmpint(slot, <, 4);
	/* The right slot is the one the hardware names in DR6.B0-B3. */
	kt_assert_raw(ev, 1, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, 0);
	g_assert_cmphex(status & 0xf, ==, 1u << slot);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	/* Not the guest's own: there is nothing to hand back. */
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
	return slot;
}

static void check_new_point(struct kc_test *t, uint64_t p, uint64_t addr, unsigned int flags,
			    void *user_data)
{
	g_assert_cmpuint(p, !=, 0);
	g_assert_cmpint(kc_point(t->vm, p).type, ==, KVMDBG_POINT_HW_BREAK);
	g_assert_cmphex(kc_point(t->vm, p).addr, ==, addr);
	g_assert_cmphex(kc_point(t->vm, p).flags, ==, flags);
	g_assert_true(kc_point(t->vm, p).user_data == user_data);
	g_assert_null(kc_point(t->vm, p).vcpu);
	g_assert_true(kc_point(t->vm, p).armed);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 0);
}

/*
 * Case 3 (and 4): four breakpoints fill DR0-DR3; each stop names the point, its address and the
 * slot DR6 reports, the four slots are all different, and running on after each stop (the one
 * on an "out" too) reaches the next one and the end.
 */
static void test_slots(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_bp[mode];
	static const unsigned int labels[4] = { BP_START, BP_OUTER, BP_PASS, BP_DONE };
	static const int tags[4];
	uint64_t p[4];
	int slot_of[4] = { -1, -1, -1, -1 };
	unsigned int slots_seen = 0;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);

	for (int k = 0; k < 4; k++) {
		uint64_t addr = guest_prog_addr(prog, labels[k]);

		g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, addr, k % 2, 0,
						 (void *)&tags[k], &p[k]),
				==, 0);
		check_new_point(t, p[k], addr, 0, (void *)&tags[k]);
		g_assert_true(kc_find(t->vm, KVMDBG_POINT_HW_BREAK, addr) == p[k]);
	}
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 4);

	/* start, outer, pass ("out"), outer, pass, done, in program order. */
	const int order[] = { 0, 1, 2, -1, 1, 2, -1, 3 };
	for (size_t k = 0; k < G_N_ELEMENTS(order); k++) {
		const struct kvmdbg_event *ev;
		int i = order[k], slot;

		if (i < 0) {
			kt_expect_out(t, 0, GUEST_PORT_PASS);
			continue;
		}
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT,
				     guest_prog_addr(prog, labels[i]));
		slot = check_hw_event(t, ev, p[i]);
		g_test_message("%s: slot %d", guest_mode_name(mode), slot);
		if (slot_of[i] < 0) {
			/* A new point: a slot no other point has. */
			g_assert_cmphex(slots_seen & (1u << slot), ==, 0);
			slots_seen |= 1u << slot;
			slot_of[i] = slot;
		}
		g_assert_cmpint(slot, ==, slot_of[i]);
	}
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmphex(slots_seen, ==, 0xf);

	g_assert_cmpuint(kc_point(t->vm, p[0]).hits, ==, 1);
	g_assert_cmpuint(kc_point(t->vm, p[1]).hits, ==, BP_PASSES);
	g_assert_cmpuint(kc_point(t->vm, p[2]).hits, ==, BP_PASSES);
	g_assert_cmpuint(kc_point(t->vm, p[3]).hits, ==, 1);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * BP_INNER_COUNT);
}

/* Case 4: continue past a breakpoint in a loop and reach a second one, exact counts. */
static void test_continue(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_bp[mode];
	uint64_t inner, done;
	uint64_t inner_addr = guest_prog_addr(prog, BP_INNER);
	uint64_t done_addr = guest_prog_addr(prog, BP_DONE);

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);

	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 1, 0, NULL, &inner), ==,
		0);
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, done_addr, 0, 0, NULL, &done), ==,
		0);

	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		for (unsigned int n = 1; n <= BP_INNER_COUNT; n++) {
			const struct kvmdbg_event *ev;
			struct kvm_regs regs;

			ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr);
			check_hw_event(t, ev, inner);
			g_assert_cmpuint(kc_point(t->vm, inner).hits, ==,
					 (pass - 1) * BP_INNER_COUNT + n);
			/* Stopped before the instruction: eax counts the iterations done. */
			regs = kt_regs(t, 0);
			g_assert_cmphex(regs.rax & 0xffffffff, ==,
					(pass - 1) * BP_INNER_COUNT + n - 1);
			g_assert_cmphex(guest_get_pc(&t->g, 0), ==, inner_addr);
		}
		kt_expect_out(t, 0, GUEST_PORT_PASS);
	}
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, done_addr), done);
	kt_expect_out(t, 0, GUEST_PORT_DONE);

	g_assert_cmpuint(kc_point(t->vm, inner).hits, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpuint(kc_point(t->vm, done).hits, ==, 1);
	g_assert_true(kc_point(t->vm, inner).armed);
	g_assert_true(kc_point(t->vm, done).armed);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * BP_INNER_COUNT);
}

/*
 * Regression: gdb's all-stop mode removes every breakpoint at each stop and inserts it again
 * before it resumes.  A hardware breakpoint inserted again at the same address packs to the
 * bytes the kernel already has; 0.1 did not record that the slot now held the new point, took
 * its next hit for a stale slot's and answered RESUME forever: a livelock at the breakpoint.
 * Here every stop is followed by z1/Z1, after a stop at the breakpoint and after a Ctrl-C.
 */
static void test_reinsert_every_stop(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	uint64_t inner_addr = guest_prog_addr(prog, BP_INNER);
	uint64_t id, last = 0;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 1, 0, NULL,
					 &id), ==, 0);

	/* Ctrl-C before the guest ran: the vCPU stops, gdb removes and inserts, continue */
	g_assert_cmpint(kvmdbg_vcpu_kick(t->vcpu[0]), ==, 0);
	kc_expect_event(t, 0, KVMDBG_EVENT_INTERRUPTED, 0);
	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		for (unsigned int n = 1; n <= BP_INNER_COUNT; n++) {
			const struct kvmdbg_event *ev;

			g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr),
					==, 0);
			g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr,
							 1, 0, NULL, &id), ==, 0);
			g_assert_cmpuint(id, >, last);
			last = id;
			ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr);
			g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, id);
			g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==,
					(pass - 1) * BP_INNER_COUNT + n - 1);
		}
		kt_expect_out(t, 0, GUEST_PORT_PASS);
	}
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr), ==, 0);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
}

/* Case 5: a one-shot breakpoint fires once, stays disarmed through the loop, and re-arms. */
static void test_oneshot(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_bp[mode];
	uint64_t inner_addr = guest_prog_addr(prog, BP_INNER);
	const struct kvmdbg_event *ev;
	uint64_t p;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	check_new_point(t, p, inner_addr, KVMDBG_POINT_ONESHOT, NULL);
	/* Nothing has fired yet. */
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 0);

	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr);
		check_hw_event(t, ev, p);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);

		/* The other iterations of the loop run through it without a stop. */
		kt_expect_out(t, 0, GUEST_PORT_PASS);
		g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, pass * BP_INNER_COUNT);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);
		g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
		g_assert_true(kc_find(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr) == p);

		if (pass < BP_PASSES) {
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
			g_assert_true(kc_point(t->vm, p).armed);
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 0);
		}
	}
	/* Not re-armed after the last pass: the guest ends without another stop. */
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES);
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
	g_assert_true(kc_point(t->vm, p).armed);
	g_assert_cmpint(kvmdbg_vm_rearm(NULL), ==, -EINVAL);
}

/*
 * Removing the breakpoint the vCPU stopped at frees its slot for the next insert, which then
 * reports that slot; running on is still exact.
 */
static void test_reuse_slot(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	static const unsigned int labels[4] = { BP_START, BP_OUTER, BP_PASS, BP_DONE };
	uint64_t p[4], inner;
	const struct kvmdbg_event *ev;
	uint64_t inner_addr = guest_prog_addr(prog, BP_INNER);
	int freed;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);
	for (int k = 0; k < 4; k++)
		g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
						 guest_prog_addr(prog, labels[k]), 0, 0, NULL,
						 &p[k]),
				==, 0);
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0, 0, NULL, NULL), ==,
		-ENOSPC);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, guest_prog_addr(prog, BP_START));
	freed = check_hw_event(t, ev, p[0]);
	g_assert_cmpint(
		kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, guest_prog_addr(prog, BP_START)), ==,
		0);
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0, 0, NULL, &inner), ==,
		0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 4);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, guest_prog_addr(prog, BP_OUTER));
	check_hw_event(t, ev, p[1]);
	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		if (pass > 1) {
			ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT,
					     guest_prog_addr(prog, BP_OUTER));
			check_hw_event(t, ev, p[1]);
		}
		for (unsigned int n = 0; n < BP_INNER_COUNT; n++) {
			ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr);
			g_assert_cmpint(check_hw_event(t, ev, inner), ==, freed);
		}
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT,
				     guest_prog_addr(prog, BP_PASS));
		check_hw_event(t, ev, p[2]);
		kt_expect_out(t, 0, GUEST_PORT_PASS);
	}
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, guest_prog_addr(prog, BP_DONE));
	check_hw_event(t, ev, p[3]);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, inner).hits, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpuint(kc_point(t->vm, p[1]).hits, ==, BP_PASSES);
}

/*
 * kvmdbg_vcpu_cancel_resume(): without the step over, an x86 instruction breakpoint fires again
 * at once; after moving the pc, the run starts there.
 */
static void test_cancel_resume(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	uint64_t inner_addr = guest_prog_addr(prog, BP_INNER);
	uint64_t p;
	struct kvm_regs regs;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr, 0, 0, NULL, &p),
			==, 0);

	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 0);

	/* Nothing ran in between: the same stop again. */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 2);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 0);

	/* Running on as usual steps over it: one iteration later. */
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 3);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 1);

	/* Back to the start of the inner loop (long mode: CS.base is 0). */
	regs = kt_regs(t, 0);
	regs.rip = guest_prog_addr(prog, BP_OUTER);
	regs.rcx = 0x77;
	g_assert_cmpint(guest_set_regs(&t->g, 0, &regs), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(t->vcpu[0]), ==, 0);
	check_hw_event(t, kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, inner_addr), p);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 4);
	regs = kt_regs(t, 0);
	g_assert_cmphex(regs.rax, ==, 1);
	g_assert_cmphex(regs.rcx, ==, BP_INNER_COUNT);

	/* Removed while stopped at it: the guest runs freely to its end. */
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, inner_addr), ==, 0);
	kt_expect_out(t, 0, GUEST_PORT_PASS);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 1 + BP_INNER_COUNT);
	kt_expect_out(t, 0, GUEST_PORT_PASS);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 1 + 2 * BP_INNER_COUNT);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(NULL), ==, -EINVAL);
}

/*
 * DR7.GD, where the kernel delivers it: a guest access to a debug register stops before it
 * executes, and running on lets it execute.
 */
static void test_trap_debug_regs(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_drmov_long64;
	const struct kvmdbg_event *ev;
	const char *why;

	KC_REQUIRE(t);
	if (kt_probe_debug_reg_trap(&why) != 1) {
		g_test_skip_printf("the kernel does not deliver debug register traps: %s", why);
		return;
	}
	kt_start(t, 0, prog, DRMOV_START);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(t->vcpu[0], true), ==, 0);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_DEBUG_REG_ACCESS, guest_prog_addr(prog, DRMOV_MOV));
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	kt_assert_raw(ev, 1, 0x2000);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
	g_assert_cmphex(guest_get_pc(&t->g, 0), ==, guest_prog_addr(prog, DRMOV_MOV));

	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(NULL, true), ==, -EINVAL);
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	for (int m = 0; m < GUEST_NR_MODES; m++) {
		const char *name = guest_mode_name(m);
		g_autofree char *slots = g_strdup_printf("/kvmdbg/kvm/hw-bp/slots/%s", name);
		g_autofree char *cont = g_strdup_printf("/kvmdbg/kvm/hw-bp/continue/%s", name);
		g_autofree char *oneshot = g_strdup_printf("/kvmdbg/kvm/hw-bp/oneshot/%s", name);

		g_test_add(slots, struct kc_test, GINT_TO_POINTER(m), kc_setup1, test_slots,
			   kc_teardown);
		g_test_add(cont, struct kc_test, GINT_TO_POINTER(m), kc_setup1, test_continue,
			   kc_teardown);
		g_test_add(oneshot, struct kc_test, GINT_TO_POINTER(m), kc_setup1, test_oneshot,
			   kc_teardown);
	}
	g_test_add("/kvmdbg/kvm/hw-bp/cancel-resume", struct kc_test, NULL, kc_setup1,
		   test_cancel_resume, kc_teardown);
	g_test_add("/kvmdbg/kvm/debug-regs/trap", struct kc_test, NULL, kc_setup1,
		   test_trap_debug_regs, kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/regress/reinsert-every-stop", struct kc_test, NULL,
		   kc_setup1, test_reinsert_every_stop, kc_teardown);
	g_test_add("/kvmdbg/kvm/hw-bp/reuse-slot", struct kc_test, NULL, kc_setup1, test_reuse_slot,
		   kc_teardown);
	return g_test_run();
}
