// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Continuing from a stop, over the fake kernel edge (fixture.h): the next pre_run steps the
 * vCPU over the breakpoint it stopped at (software: original bytes back, one step, breakpoint
 * back; hardware: slot off, one step, slot on) with interrupts held off where the kernel can,
 * and handle_exit answers RESUME for that step.  With the caller's own single-step, with
 * kvmdbg_vcpu_cancel_resume(), with the point removed or replaced meanwhile, with another
 * vCPU's point, when memory or the kernel refuse.  Images are x86's (test-run.c says how to
 * read them); arm64, whose watchpoints stop before the access, is here too.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

static void test_hw_hit_step_over(struct fx *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa, pb;
	const struct kvmdbg_event *ev;
	uint8_t full[72], step[72];
	(void)data;

	pa = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	pb = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	/* DR7 = 0x400 | G0 | G1 = 0x40a */
	x86_image(full, 0x00020001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, full);

	/* slot 1 fires at b */
	fx_x86_event(f, 0, 1, b, FX_DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pb);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, b);
	fx_assert_raw(ev, 1, FX_DR6_SLOT(1));
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 1);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 0);
	g_assert_true(fx_point_armed(f->vm, pb));

	/* step over it: slot 1 off, SINGLESTEP on; DR7 = 0x400 | G0 = 0x402 */
	x86_image(step, 0x00020003, a, 0, 0, 0, 0x402);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);

	/* the step ends: the library's own business */
	fx_x86_resume(f, 0, 1, b + 3, FX_DR6_STEP);

	/* slot 1 on again, no SINGLESTEP */
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, full);
	fx_pre_run_none(f->vcpu[0]);
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 1);

	/* and once more from slot 0 */
	fx_x86_event(f, 0, 1, a, FX_DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	x86_image(step, 0x00020003, 0, b, 0, 0, 0x408);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	fx_x86_resume(f, 0, 1, a + 1, FX_DR6_STEP);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, full);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);

	/* a second hit of b counts */
	fx_x86_event(f, 0, 1, b, FX_DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 2);
}

static void test_sw_hit_step_over(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100);
	uint64_t p;
	const struct kvmdbg_event *ev;
	int ud;
	uint8_t img[72], step[72];
	(void)data;

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 0, 0, &ud, &p), ==, 0);
	g_assert_cmpint(fx_point(f->vm, p).type, ==, KVMDBG_POINT_SW_BREAK);
	g_assert_cmphex(fx_point(f->vm, p).addr, ==, s);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 1);
	g_assert_cmpuint(fx_point(f->vm, p).flags, ==, 0);
	g_assert_true(fx_point(f->vm, p).user_data == &ud);
	g_assert_null(fx_point(f->vm, p).vcpu);
	g_assert_true(fx_point_armed(f->vm, p));
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s) == p);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, s));
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);

	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* int3: pc is the breakpoint's address */
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, s);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	fx_assert_raw(ev, 3, FX_DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);

	/* resume: original byte back and one step */
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));

	/* the step is done: int3 back */
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_none(f->vcpu[0]);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);

	/* hit again */
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);

	/* everything else in memory untouched all along */
	f->mem[s - FX_GPA] = fx_orig(f, s);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	f->mem[s - FX_GPA] = 0xcc;
}

static void test_step_over_blockirq(struct fx *f, gconstpointer data)
{
	/*
	 * The step over a breakpoint is a single-step like any other: where the kernel offers
	 * BLOCKIRQ it must hold interrupts off, or the step lands in an interrupt handler, the
	 * breakpoint is put back before the stopped instruction ran, and the same breakpoint is
	 * reported a second time when the handler returns.
	 */
	const uint64_t a = 0x401000, b = 0x402000;
	const uint64_t s = fx_ram(f, 0x300);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_event(f, 0, 1, b, FX_DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	x86_image(img, 0x00120003, a, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_resume(f, 0, 1, b + 3, FX_DR6_STEP);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00030001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(img, 0x00130003, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
}

static void test_hw_step_over_user_step(struct fx *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	pa = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00120003, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 1, a, FX_DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);

	/* slot 0 off for the step, stepping as the user asked */
	x86_image(img, 0x00120003, 0, b, 0, 0, 0x408);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* the user asked for steps: the end of the step-over is one */
	fx_x86_event(f, 0, 1, a + 2, FX_DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a + 2);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);

	/* slot 0 back, still stepping */
	x86_image(img, 0x00120003, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);
}

static void test_sw_step_over_user_step(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	int ret;
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00110003, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	/* the kernel already steps: whether the step rip is refreshed is the library's call */
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_assert_cmpint(ret, >=, 0);
	assert_log_len((size_t)ret);
	if (ret == 1)
		assert_gd(0, FX_VCPU_FD, img);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));

	/* the end of the step-over is a step the user asked for */
	fx_x86_event(f, 0, 1, s + 1, FX_DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, s + 1);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), >=, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);
}

static void test_hw_cancel_resume(struct fx *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 1, a, FX_DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	/* the caller moved pc away: run on with everything armed, no step */
	fx_pre_run_none(f->vcpu[0]);
	/* cancelling with nothing to cancel is harmless */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	fx_pre_run_none(f->vcpu[0]);
}

static void test_exit_debug_reg_access(struct fx *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00020001, 0, 0, 0, 0, 0x2400);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 1, 0x401234, FX_DR6_BD, ev,
		   KVMDBG_EVENT_DEBUG_REG_ACCESS);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401234);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	fx_assert_raw(ev, 1, FX_DR6_BD);

	/* resuming lets the mov run: GD off for one step */
	x86_image(step, 0x00020003, 0, 0, 0, 0, 0x400);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	fx_x86_resume(f, 0, 1, 0x401237, FX_DR6_STEP);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_none(f->vcpu[0]);
}

/*
 * Regression (found by fuzz-api): with a control mask that has no SINGLESTEP, a trapped
 * debug-register access planned its step-over anyway, and pre_run sent SINGLESTEP, a bit
 * outside the mask the library promises to obey.  Fix: without single-step there is no
 * step-over: the access traps again until the caller turns the trap off.
 */
static void test_debug_reg_step_outside_mask(void)
{
	const struct kvmdbg_event *ev;
	struct fake_call c;
	struct fx f;

	fx_init(&f, "x86_64", 0x30001, 1); /* ENABLE | USE_SW_BP | USE_HW_BP */
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f.vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_db(f.run[0], fx_addr(0x10), 0xffff2ff0ull); /* DR6.BD */
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_DEBUG_REG_ACCESS, fx_addr(0x10));
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	for (size_t i = 0; i < fake_log_len(); i++) {
		c = fake_log_get(i);
		g_assert_cmphex((c.bytes[0] | c.bytes[1] << 8 | c.bytes[2] << 16) & ~0x30001u, ==,
				0);
	}
	fx_fini(&f);
}

/*
 * Regression: an arm64 watchpoint stops the vCPU before the access (EC 0x34, pc = the store;
 * doc/kvm-guest-debug.md, "What stops where").  Running again applied nothing, so KVM_RUN
 * re-executed the store, which stopped on the watchpoint again at once, forever.  Fix: the
 * next pre_run steps over the accessing instruction with the slot off, and the slot comes back
 * when the step ends (unlike x86, whose watchpoints trap after the access).
 */
static void test_arm64_watch_steps_over_access(void)
{
	const struct kvmdbg_event *ev;
	struct fx fix, *f = &fix;
	struct fake_call c;
	uint64_t w;
	int ret;

	fx_init_bare(f, "aarch64", 0x30003);
	fake_set_cap(FX_CAP_HW_BPS, 2);
	fake_set_cap(FX_CAP_HW_WPS, 2);
	fx_vm(f, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x80002000, 8, 0, NULL,
					 &w), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);

	/* EC 0x34, WnR: taken before the store executes, pc = the store */
	fake_set_one_reg(FX_REG_ARM64_PC, 0x80001010, 0);
	fx_arm64(f->run[0], 0xd2000062u, 0x80002000);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_WATCHPOINT);

	/* to go on, the next pre_run must switch the slot off and single-step */
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_test_message("pre_run after arm64 watchpoint: %d (set_guest_debug calls: %zu)", ret,
		       fake_log_count(FAKE_SET_GUEST_DEBUG));
	g_assert_cmpint(ret, ==, 1);
	c = fake_log_get(0);
	g_assert_cmphex(fx_get(c.bytes, 4, false) & 0x2, ==, 0x2); /* SINGLESTEP */
	g_assert_cmphex(fx_get(c.bytes + 264, 8, false), ==, 0);   /* dbg_wcr[0]: slot off */

	/* the step completes: resumed, and the watch comes back */
	fake_set_one_reg(FX_REG_ARM64_PC, 0x80001014, 0);
	fx_arm64(f->run[0], 0xca000022u, 0);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	c = fake_log_get(0);
	g_assert_cmphex(fx_get(c.bytes + 264, 8, false), !=, 0);
	g_assert_cmpuint(fx_point_hits(f->vm, w), ==, 1);
	fx_fini(f);
}

/* ------------------------------------------------------------------------------------------ */
/* Points removed, replaced or someone else's */

static void test_sw_removed_meanwhile(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200);
	uint8_t img[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* removed (say, by the gdb thread) while the vCPU ran into it */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fx_x86_resume(f, 0, 3, s, FX_DR6_NONE);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	/* the original instruction simply runs: nothing to step over */
	fx_pre_run_none(f->vcpu[0]);
}

static void test_sw_removed_while_stopped(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	int ret;
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	/* the debugger removes the breakpoint it stopped at, then continues */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_assert_cmpint(ret, >=, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	if (ret == 1) {
		/* a step was made after all: its end must not write the int3 back */
		fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
		g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
		fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	}
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	g_assert_cmphex(*fx_mem(f, s2), ==, 0xcc);
}

static void test_sw_removed_while_stepping(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200);
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));

	/* removed by another thread during the step: the original byte is already back */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s2), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
}

/*
 * Regression: a step-over that ended after its point was removed and a new one inserted at the
 * same address (gdb does this at every stop) put the new point's breakpoint back under another
 * vCPU that was stepping over it: that vCPU ran into it mid-step, and the same arrival was
 * reported twice.  Fix: a step-over names its point by a VM-unique id, not by its address.
 */
static void test_reinserted_under_another_stepper(void)
{
	const uint64_t x = fx_addr(0x200);
	const struct kvmdbg_event *ev;
	struct fx fix, *f = &fix;
	uint64_t p2;
	uint8_t o;

	fx_init(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2, 2);
	o = f->orig[0x200];
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, x, 0, 0, NULL, NULL), ==, 0);
	kvmdbg_vcpu_pre_run(f->vcpu[0]);
	kvmdbg_vcpu_pre_run(f->vcpu[1]);

	/* A stops at x and starts stepping over it */
	fx_x86_bp(f->run[0], x);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1); /* original byte back, step */
	g_assert_cmphex(*fx_mem(f, x), ==, o);

	/* meanwhile the debugger removes it and sets it again (gdb does this on every stop) */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, x), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, x, 0, 0, NULL, &p2), ==, 0);

	/* B hits the new one and starts its own step over it */
	fx_x86_bp(f->run[1], x);
	g_assert_cmpint(fx_exit(f, 1, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	g_assert_cmphex(*fx_mem(f, x), ==, o);

	/* A's step completes: it must not put the int3 back under B, which is still stepping */
	fx_x86_db(f->run[0], x + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_test_message("byte at x while B steps over it: %02x (original %02x)", *fx_mem(f, x), o);
	/* an int3 there: B, mid-step, executes it, and the arrival is reported again (2 hits) */
	g_assert_cmphex(*fx_mem(f, x), ==, o);
	/* B's step completes: the breakpoint goes back, one hit in all */
	fx_x86_db(f->run[1], x + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(f, 1, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmphex(*fx_mem(f, x), ==, 0xcc);
	g_assert_cmpuint(fx_point_hits(f->vm, p2), ==, 1);
	fx_fini_restored(f);
}

static void test_sw_scoped_other_vcpu(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	fx_attach(f, 1);
	fx_settle(f, 1);
	p = fx_vinsert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_true(fx_point(f->vm, p).vcpu == f->vcpu[0]);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s));
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);

	/* the int3 is in shared memory: every vCPU must intercept it */
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img);

	/* vCPU 1 runs into vCPU 0's breakpoint: stepped over silently */
	fx_x86_resume(f, 1, 3, s, FX_DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies_step(f->vcpu[1], FX_VCPU_FD + 1, step);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fx_x86_resume(f, 1, 1, s + 1, FX_DR6_STEP);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);

	/* on its own vCPU it is an event */
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	fx_pre_run_none(f->vcpu[1]);
}

/* ------------------------------------------------------------------------------------------ */
/* Failures */

/*
 * Regression: the step over a software breakpoint puts the breakpoint instruction back when
 * the step ends; when that write failed, the point still claimed to be armed and in memory.
 * Fix: the write stays owed, the error is reported, and the write is tried again (at the next
 * pre_run, and by rearm): nothing is lost once memory is writable.
 */
static void test_sw_write_back_fails(void)
{
	const uint64_t a = fx_addr(0x300);
	const struct kvmdbg_event *ev;
	struct kvm_run *run;
	struct fx f;
	int ret;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	/* memory through callbacks only, so that writes can fail */
	fx_vm_callbacks(&f, 1);
	run = f.run[0];

	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(run, a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_SW_BREAKPOINT, a);

	/* the step over it: original byte back, one step */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x300]);

	/* the step ends; putting int3 back fails */
	fx_fail_writes(&f, -EIO, 1);
	fx_x86_db(run, a + 2, FX_DR6_STEP);
	ret = fx_exit(&f, 0, &ev);
	if (ret >= 0) {
		/* handled, but the next pre_run must say that the breakpoint is not in memory */
		g_assert_cmpint(ret, ==, KVMDBG_EXIT_RESUME);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, -EIO);
	} else {
		g_assert_cmpint(ret, ==, -EIO);
	}
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x300]);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);

	/* memory writable again: the next pre_run puts it back */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	fx_x86_bp(run, a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_SW_BREAKPOINT, a);

	/* removal restores the original byte and does not claim the guest overwrote it */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x300]);
	fx_fini(&f);
}

/*
 * Regression: a pre_run whose KVM_SET_GUEST_DEBUG failed after it had taken a breakpoint's
 * bytes out for the step over it left them out, although the vCPU was not going to run the
 * step.  Fix: the failed pre_run puts them back, and its retry steps over.
 */
static void test_sw_pre_run_fails_mid_step_over(void)
{
	const uint64_t a = fx_addr(0x310);
	const struct kvmdbg_event *ev;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);

	fake_fail_set_guest_debug(-EBUSY, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, -EBUSY);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);

	/* the retry steps over it */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x310]);
	fx_x86_db(f.run[0], a + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	fx_fini(&f);
}

/*
 * Regression (found by fuzz-api): kvmdbg_vcpu_cancel_resume() that ended a step over a
 * software breakpoint whose instruction could not be written back returned that write error,
 * which its header did not list.  The write stays owed and the next pre_run puts the
 * instruction back: the call returns 0.
 */
static void test_cancel_resume_write_error(void)
{
	const uint64_t a = fx_addr(0x320);
	const struct kvmdbg_event *ev;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	fx_vm_callbacks(&f, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	/* the step over it starts: the original byte is back */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x320]);

	/* the VMM moves the pc away while memory cannot be written */
	fx_fail_writes(&f, -EFAULT, FX_ALWAYS);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f.vcpu[0]), ==, 0);

	/* writable again: the next pre_run puts the breakpoint back */
	f.fail_writes = 0;
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	fx_fini_restored(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	fx_test_add("/kvmdbg/unit/stepover/hw", fx_setup_x86, test_hw_hit_step_over);
	fx_test_add("/kvmdbg/unit/stepover/sw", fx_setup_x86, test_sw_hit_step_over);
	fx_test_add("/kvmdbg/unit/stepover/blockirq", fx_setup_x86, test_step_over_blockirq);
	fx_test_add("/kvmdbg/unit/stepover/hw-user-step", fx_setup_x86,
		    test_hw_step_over_user_step);
	fx_test_add("/kvmdbg/unit/stepover/sw-user-step", fx_setup_x86,
		    test_sw_step_over_user_step);
	fx_test_add("/kvmdbg/unit/stepover/cancel-resume", fx_setup_x86, test_hw_cancel_resume);
	fx_test_add("/kvmdbg/unit/stepover/debug-reg-access", fx_setup_x86,
		    test_exit_debug_reg_access);
	g_test_add_func("/kvmdbg/unit/stepover/debug-reg-no-singlestep-in-mask",
			test_debug_reg_step_outside_mask);
	g_test_add_func("/kvmdbg/unit/stepover/arm64-watch-steps-over-access",
			test_arm64_watch_steps_over_access);

	fx_test_add("/kvmdbg/unit/stepover/sw-removed-before-exit", fx_setup_x86,
		    test_sw_removed_meanwhile);
	fx_test_add("/kvmdbg/unit/stepover/sw-removed-while-stopped", fx_setup_x86,
		    test_sw_removed_while_stopped);
	fx_test_add("/kvmdbg/unit/stepover/sw-removed-while-stepping", fx_setup_x86,
		    test_sw_removed_while_stepping);
	g_test_add_func("/kvmdbg/unit/stepover/reinserted-under-another-stepper",
			test_reinserted_under_another_stepper);
	fx_test_add("/kvmdbg/unit/stepover/other-vcpu-point", fx_setup_x86,
		    test_sw_scoped_other_vcpu);

	g_test_add_func("/kvmdbg/unit/stepover/sw-write-back-fails", test_sw_write_back_fails);
	g_test_add_func("/kvmdbg/unit/stepover/sw-pre-run-fails",
			test_sw_pre_run_fails_mid_step_over);
	g_test_add_func("/kvmdbg/unit/stepover/cancel-resume-write-error",
			test_cancel_resume_write_error);

	return g_test_run();
}
