// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One-shot points and snapshots, the fuzzer's hot path, over the fake kernel edge
 * (fixture.h): a one-shot disarms itself when it fires (at most one event, whichever vCPUs
 * race to it), kvmdbg_vm_rearm() puts back what fired, and kvmdbg_vm_mark_all_armed() tells
 * the library that a snapshot restore put guest memory back under it.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

static void test_hw_oneshot(struct fx *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa;
	const struct kvmdbg_event *ev;
	uint8_t full[72], img[72];
	(void)data;

	pa = fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, KVMDBG_POINT_ONESHOT);
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	g_assert_cmpuint(fx_point(f->vm, pa).flags, ==, KVMDBG_POINT_ONESHOT);
	g_assert_true(fx_point_armed(f->vm, pa));
	x86_image(full, 0x00020001, a, b, 0, 0, 0x40a);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, full);

	fx_x86_event(f, 0, 1, a, FX_DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);
	g_assert_false(fx_point_armed(f->vm, pa));
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_HW_BREAK, a) == pa);

	/* slot 0 disabled, no step needed: DR7 = 0x400 | G1 = 0x408 */
	x86_image(img, 0x00020001, 0, b, 0, 0, 0x408);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_none(f->vcpu[0]);

	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, pa));
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, full);

	fx_x86_event(f, 0, 1, a, FX_DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 2);
	g_assert_false(fx_point_armed(f->vm, pa));
}

static void test_sw_oneshot(struct fx *f, gconstpointer data)
{
	const uint64_t s1 = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200);
	uint64_t p1, p2;
	const struct kvmdbg_event *ev;
	uint8_t img[72], *snapshot;
	(void)data;

	p1 = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s1, 1, KVMDBG_POINT_ONESHOT);
	p2 = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_x86_event(f, 0, 3, s1, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p1);
	/* disarmed by handle_exit: the original byte is back */
	g_assert_cmphex(*fx_mem(f, s1), ==, fx_orig(f, s1));
	g_assert_false(fx_point_armed(f->vm, p1));
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 1);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s1) == p1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	/* nothing to step over, nothing for the kernel (the fuzzer's hot path) */
	fx_pre_run_none(f->vcpu[0]);
	f->mem[s2 - FX_GPA] = fx_orig(f, s2);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	f->mem[s2 - FX_GPA] = 0xcc;

	/* re-arm */
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, p1));
	g_assert_cmphex(*fx_mem(f, s1), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	fx_pre_run_none(f->vcpu[0]);

	fx_x86_event(f, 0, 3, s1, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 2);
	g_assert_cmphex(*fx_mem(f, s1), ==, fx_orig(f, s1));

	/* a snapshot restore put the int3 back: mark, without writing memory */
	f->mem[s1 - FX_GPA] = 0xcc;
	snapshot = g_malloc(FX_SIZE);
	memcpy(snapshot, f->mem, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, p1));
	g_assert_true(fx_point_armed(f->vm, p2));
	g_assert_cmpmem(f->mem, FX_SIZE, snapshot, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	g_free(snapshot);

	/* fires again after the mark */
	fx_x86_event(f, 0, 3, s1, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 3);
	g_assert_cmphex(*fx_mem(f, s1), ==, fx_orig(f, s1));

	/* removing everything leaves memory as it was */
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
}

static void test_sw_oneshot_race(struct fx *f, gconstpointer data)
{
	/* two vCPUs hit a one-shot breakpoint at once: one event, the other runs on */
	const uint64_t s = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	fx_attach(f, 1);
	fx_settle(f, 1);
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, KVMDBG_POINT_ONESHOT);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_applies(f->vcpu[1], FX_VCPU_FD + 1, img);

	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fx_x86_resume(f, 1, 3, s, FX_DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	g_assert_cmphex(*fx_mem(f, s), ==, fx_orig(f, s));
	fx_pre_run_none(f->vcpu[1]);
	fx_pre_run_none(f->vcpu[0]);
}

/*
 * Regression: a one-shot whose original byte could not be written back when it fired was
 * marked armed again but left on the fired list, so kvmdbg_vm_rearm() counted it.  Fix: the
 * hit is counted and reported, the point stays armed and in memory, nothing is queued for
 * re-arming, and the step-over that follows reports the write error from pre_run.
 */
static void test_oneshot_restore_write_fails(void)
{
	const uint64_t x = fx_addr(0x300);
	const struct kvmdbg_event *ev;
	struct fx fix, *f = &fix;
	uint64_t p;

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	fx_vm_callbacks(f, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, x, 1,
					 KVMDBG_POINT_ONESHOT, NULL, &p), ==, 0);
	g_assert_cmphex(*fx_mem(f, x), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);

	/* the hit is reported, but the original byte cannot be written back */
	fx_fail_writes(f, -EFAULT, FX_ALWAYS);
	fx_x86_bp(f->run[0], x);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	/* still armed, still in memory, not on the fired list: nothing to re-arm */
	g_assert_true(fx_point_armed(f->vm, p));
	g_assert_cmphex(*fx_mem(f, x), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	/* the step-over needs the same write and reports its failure */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EFAULT);

	fx_fail_writes(f, -EFAULT, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, x), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	fx_fini(f);
}

/* ------------------------------------------------------------------------------------------ */
/* Snapshot restores */

/*
 * Regression: kvmdbg_vm_mark_all_armed() marked only software one-shots armed.  A snapshot
 * restore puts guest memory back, but a hardware one-shot lives in a slot, not in memory: the
 * restored run never saw it.  Fix: mark_all_armed() re-arms fired hardware one-shots too.
 */
static void test_mark_all_armed_hw_oneshot(void)
{
	const uint64_t a = fx_addr(0x600);
	const struct kvmdbg_event *ev;
	uint64_t p;
	struct fake_call c;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, KVMDBG_POINT_ONESHOT,
					 NULL, &p), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_db(f.run[0], a, FX_DR6_SLOT(0));
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_false(fx_point_armed(f.vm, p));
	/* the fuzzer runs on: the slot goes off, debugging with it */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	c = fake_log_get(0);
	g_assert_cmphex(c.bytes[0] | c.bytes[1] << 8 | c.bytes[2] << 16, ==, 0);

	/* the snapshot restore */
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f.vm), ==, 1);
	g_assert_true(fx_point_armed(f.vm, p));
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	c = fake_log_get(0);
	/* ENABLE | USE_HW_BP, DR0 = a, DR7 = G0 | bit 10 */
	g_assert_cmphex(c.bytes[0] | c.bytes[1] << 8 | c.bytes[2] << 16, ==, 0x020001);
	g_assert_cmphex(c.bytes[8] | c.bytes[9] << 8 | c.bytes[10] << 16, ==, a);
	g_assert_cmphex(c.bytes[64] | c.bytes[65] << 8, ==, 0x402);
	fx_x86_db(f.run[0], a, FX_DR6_SLOT(0));
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_HW_BREAKPOINT, a);
	/* nothing fired is left: a second call changes nothing */
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f.vm), ==, 1);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f.vm), ==, 0);
	fx_fini(&f);
}

/*
 * Regression (found by fuzz-api): a snapshot restored while a vCPU was stepping over a
 * breakpoint puts the breakpoint instruction back where the step-over had taken it out;
 * mark_all_armed() skipped that point, and its removal, believing the original bytes were in
 * memory, left the instruction there for good.  Fix: such a point counts as in memory after
 * mark_all_armed(), and a removal or another vCPU's step-over takes the instruction out.
 */
static void test_restore_while_stepping(void)
{
	const uint64_t a = fx_addr(0x520);
	const struct kvmdbg_event *ev;
	uint8_t *snapshot;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	snapshot = g_memdup2(f.mem, FX_SIZE);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	/* the step over it begins: the original byte is back */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x520]);

	/* the fuzzer's reset, right then */
	memcpy(f.mem, snapshot, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f.vm), >=, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* and the step ends: nothing written back */
	fx_x86_db(f.run[0], a + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	g_free(snapshot);
	fx_fini(&f);
}

/*
 * Regression: the same, the step ending before the removal; with the fix the breakpoint is
 * in memory, and stays.
 */
static void test_restore_while_stepping_then_step(void)
{
	const uint64_t a = fx_addr(0x540);
	const struct kvmdbg_event *ev;
	uint8_t *snapshot;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	snapshot = g_memdup2(f.mem, FX_SIZE);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	memcpy(f.mem, snapshot, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f.vm), >=, 0);
	fx_x86_db(f.run[0], a + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	/* it fires again */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	fx_assert_event(ev, KVMDBG_EVENT_SW_BREAKPOINT, a);
	g_assert_cmpint(kvmdbg_vm_remove_all(f.vm), ==, 1);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	g_free(snapshot);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	fx_test_add("/kvmdbg/unit/snapshot/oneshot/hw", fx_setup_x86, test_hw_oneshot);
	fx_test_add("/kvmdbg/unit/snapshot/oneshot/sw", fx_setup_x86, test_sw_oneshot);
	fx_test_add("/kvmdbg/unit/snapshot/oneshot/race", fx_setup_x86, test_sw_oneshot_race);
	g_test_add_func("/kvmdbg/unit/snapshot/oneshot/restore-write-fails",
			test_oneshot_restore_write_fails);

	g_test_add_func("/kvmdbg/unit/snapshot/mark-all-armed/hw-oneshot",
			test_mark_all_armed_hw_oneshot);
	g_test_add_func("/kvmdbg/unit/snapshot/restore-while-stepping",
			test_restore_while_stepping);
	g_test_add_func("/kvmdbg/unit/snapshot/restore-while-stepping-then-step",
			test_restore_while_stepping_then_step);

	return g_test_run();
}
