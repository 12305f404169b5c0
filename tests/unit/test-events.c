// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Events are values, over the fake kernel edge (fixture.h): the typed getters and what each
 * one refuses for an event of the wrong type, NULL, names, copies that outlive their point
 * and the vCPU's next exit, and handing an event's exception back to the guest
 * (kvmdbg_vcpu_reinject()) only on the vCPU and run it came from.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

static void test_event_names(void)
{
	const char *names[9];

	g_assert_cmpstr(kvmdbg_event_type_name(KVMDBG_EVENT_SW_BREAKPOINT), ==, "sw-breakpoint");
	for (int i = 0; i < 9; i++) {
		names[i] = kvmdbg_event_type_name((enum kvmdbg_event_type)i);
		g_assert_nonnull(names[i]);
		g_assert_cmpstr(names[i], !=, "");
		for (int j = 0; j < i; j++)
			g_assert_cmpstr(names[i], !=, names[j]);
	}
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)9), ==, "unknown");
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)-1), ==, "unknown");
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)1000), ==, "unknown");
}

static void test_null_event(void)
{
	uint64_t addr = 0x77;
	uint32_t exc = 0x77;
	uint64_t st = 0x77;

	g_assert_cmpint(kvmdbg_event_get_type(NULL), ==, KVMDBG_EVENT_UNKNOWN);
	g_assert_null(kvmdbg_event_get_vcpu(NULL));
	g_assert_cmphex(kvmdbg_event_get_pc(NULL), ==, 0);
	g_assert_cmpuint(kvmdbg_event_get_point_id(NULL), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(NULL, &addr), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(NULL, &exc), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_raw_status(NULL, &st), ==, -EINVAL);
	g_assert_cmphex(addr, ==, 0x77);
	g_assert_cmphex(exc, ==, 0x77);
	g_assert_cmphex(st, ==, 0x77);
}

static void test_null_ret_event(struct fx *f, gconstpointer data)
{
	/* a debug exit handed in without somewhere to put the event: refused, nothing counted */
	uint64_t p = fx_find(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_SW);
	struct kvm_run *run = f->run[0];
	const struct kvmdbg_event *ev;
	(void)data;

	g_assert_cmpuint(p, !=, 0);
	fx_x86_bp(run, FX_BASE_SW);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], 0, NULL), ==, -EINVAL);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);
	fx_assert_unchanged(f);

	/* the same exit handled properly afterwards is one hit */
	g_assert_cmpint(fx_x86_exit(f, 0, 3, FX_BASE_SW, FX_DR6_NONE, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
}

static void test_event_wrong_type(struct fx *f, gconstpointer data)
{
	uint64_t pw;
	const struct kvmdbg_event *ev;
	uint64_t addr = 0x77, st = 0x77;
	uint32_t exc = 0x77;
	(void)data;

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL, &pw),
			==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[1], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);

	/* step */
	g_assert_cmpint(fx_x86_exit(f, 1, 1, 0x500000, FX_DR6_STEP, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_STEP);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmphex(addr, ==, 0x77);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, NULL), ==, -EINVAL);

	/* software breakpoint: a point, but no slot, no access */
	g_assert_cmpint(fx_x86_exit(f, 0, 3, FX_BASE_SW, FX_DR6_NONE, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), !=, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmphex(addr, ==, 0x77);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);

	/* hardware breakpoint (slot 0): a slot, but no access */
	g_assert_cmpint(fx_x86_exit(f, 0, 1, FX_BASE_HW, FX_DR6_SLOT(0), &ev), ==,
			KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmphex(addr, ==, 0x77);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);

	/* watchpoint (slot 1): everything; NULL out-parameters refused */
	g_assert_cmpint(fx_x86_exit(f, 0, 1, 0x401005, FX_DR6_SLOT(1), &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pw);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, 0);
	g_assert_cmphex(addr, ==, 0x2000);

	/* interrupted: no kernel exit behind it */
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	addr = 0x77;
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmphex(addr, ==, 0x77);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, -ENODATA);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &st), ==, -ENODATA);
	g_assert_cmphex(exc, ==, 0x77);
	g_assert_cmphex(st, ==, 0x77);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, NULL), ==, -EINVAL);

	/* a guest int3: no point */
	f->mem[0x200] = 0xcc;
	g_assert_cmpint(fx_x86_exit(f, 0, 3, FX_GPA + 0x200, FX_DR6_NONE, &ev), ==,
			KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
}

/*
 * Regression: an event lent out a pointer to its point, which another thread could free
 * (valgrind showed the invalid read).  Fix: what an event says of its point is a copy, and
 * kvmdbg_event_copy() gives the caller an event of its own.
 */
static void test_event_outlives_point(void)
{
	const uint64_t a = fx_addr(0x700);
	const struct kvmdbg_event *ev;
	struct kvmdbg_event *copy = NULL;
	uint64_t id;
	int tag;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, KVMDBG_POINT_ONESHOT,
					 &tag, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_db(f.run[0], a, FX_DR6_SLOT(0));
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_copy(ev, &copy), ==, 0);

	/* another thread removes the point: the event still says all of it */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_HW_BREAK, a), ==, 0);
	for (int i = 0; i < 2; i++) {
		const struct kvmdbg_event *e = i ? copy : ev;

		g_assert_cmpuint(kvmdbg_event_get_point_id(e), ==, id);
		g_assert_cmpint(kvmdbg_event_get_point_type(e), ==, KVMDBG_POINT_HW_BREAK);
		g_assert_cmphex(kvmdbg_event_get_point_addr(e), ==, a);
		g_assert_cmpuint(kvmdbg_event_get_point_len(e), ==, 1);
		g_assert_cmpuint(kvmdbg_event_get_point_flags(e), ==, KVMDBG_POINT_ONESHOT);
		g_assert_true(kvmdbg_event_get_user_data(e) == &tag);
		g_assert_cmpuint(kvmdbg_event_get_hit_count(e), ==, 1);
		g_assert_cmpuint(kvmdbg_event_get_seqno(e), ==, 1);
		g_assert_true(kvmdbg_event_get_vcpu(e) == f.vcpu[0]);
		g_assert_cmpint(kvmdbg_event_get_slot(e), ==, 0);
	}
	g_assert_cmpint(kvmdbg_vm_get_point(f.vm, id, &(struct kvmdbg_point *){ NULL }), ==,
			-ENOENT);

	/* the copy outlives the vCPU's next event; the borrowed one is not the caller's */
	g_assert_cmpint(kvmdbg_vcpu_kick(f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(kvmdbg_event_get_seqno(ev), ==, 2);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_point_type(ev), ==, -EINVAL);
	g_assert_null(kvmdbg_event_get_user_data(ev));
	g_assert_cmphex(kvmdbg_event_get_point_addr(copy), ==, a);
	kvmdbg_event_free((struct kvmdbg_event *)ev);
	g_assert_cmpuint(kvmdbg_event_get_seqno(ev), ==, 2);
	kvmdbg_event_free(copy);
	kvmdbg_event_free(NULL);
	g_assert_cmpint(kvmdbg_event_copy(NULL, &copy), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_copy(ev, NULL), ==, -EINVAL);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* Handing an exception back */

static void test_reinject_wrong_event(struct fx *f, gconstpointer data)
{
	const uint64_t g = FX_GPA + 0x200;
	const struct kvmdbg_event *ev, *step_ev, *bp_ev;
	struct kvmdbg_vm *vm2;
	struct kvmdbg_vcpu *v2;
	struct kvm_run *run2 = fake_run_new();
	(void)data;

	/* a guest int3 on vCPU 0 */
	f->mem[g - FX_GPA] = 0xcc;
	fx_mark(f);
	g_assert_cmpint(fx_x86_exit(f, 0, 3, g, FX_DR6_NONE, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_GUEST_BREAKPOINT);

	/* handed to another vCPU of this VM, or to a vCPU of another VM */
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[1], ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(200, &vm2), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(vm2, 201, run2, &v2), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_reinject(v2, ev), ==, -EINVAL);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(v2), >=, 0);
	fake_log_clear();
	kvmdbg_vcpu_free(v2);
	kvmdbg_vm_free(vm2);
	g_free(run2);
	/* neither vCPU injects anything */
	fx_assert_unchanged(f);

	/* events of the wrong type, on the right vCPU */
	g_assert_cmpint(fx_x86_exit(f, 0, 3, FX_BASE_SW, FX_DR6_NONE, &bp_ev), ==,
			KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(bp_ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], bp_ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	fx_assert_unchanged(f);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[1], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	fx_mark(f);
	g_assert_cmpint(fx_x86_exit(f, 1, 1, 0x500000, FX_DR6_STEP, &step_ev), ==,
			KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(step_ev), ==, KVMDBG_EVENT_STEP);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[1], step_ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[1]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[1], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[1], ev), ==, -EINVAL);
	fx_assert_unchanged(f);
}

/* A copy of the last event hands its exception back; an older one, or after a run, does not. */
static void test_reinject_copy(void)
{
	const struct kvmdbg_event *ev;
	struct kvmdbg_event *copy, *old;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fx_x86_db(f.run[0], fx_addr(0x21), FX_DR6_NONE); /* the guest's ICEBP */
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_copy(ev, &old), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	/* it ran: too late for that one */
	g_assert_cmpint(kvmdbg_vcpu_reinject(f.vcpu[0], old), ==, -EINVAL);

	fx_x86_db(f.run[0], fx_addr(0x31), FX_DR6_NONE);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_copy(ev, &copy), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f.vcpu[0], old), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f.vcpu[0], copy), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	/* ENABLE | INJECT_DB */
	g_assert_cmphex(fake_log_get(0).bytes[2], ==, 0x04);
	kvmdbg_event_free(copy);
	kvmdbg_event_free(old);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/events/names", test_event_names);
	g_test_add_func("/kvmdbg/unit/events/null", test_null_event);
	fx_test_add("/kvmdbg/unit/events/null-ret-event", fx_setup_baseline, test_null_ret_event);
	fx_test_add("/kvmdbg/unit/events/wrong-type", fx_setup_baseline, test_event_wrong_type);
	g_test_add_func("/kvmdbg/unit/events/outlives-point", test_event_outlives_point);

	fx_test_add("/kvmdbg/unit/events/reinject/wrong-event", fx_setup_baseline,
		    test_reinject_wrong_event);
	g_test_add_func("/kvmdbg/unit/events/reinject/copy", test_reinject_copy);

	return g_test_run();
}
