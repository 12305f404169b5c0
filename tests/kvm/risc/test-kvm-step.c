/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64 and ppc64, case 2: single-step over a known instruction sequence with the
 * exact pc of every step, where the kernel delivers single-step (probed once with a raw step).
 */
#include "rtest.h"

/*
 * The step program's pc after each instruction, in order; an entry with a port is the MMIO exit
 * that comes before the step of that instruction.
 */
static const struct {
	unsigned int label;
	uint64_t port_before;
} step_expect[] = {
	{ STEP_AFTER_NOP, 0 }, { STEP_AFTER_MOV, 0 },  { STEP_AFTER_ADD, 0 },
	{ STEP_TARGET, 0 },    { STEP_LOOP, 0 },       { STEP_AFTER_DEC, 0 },
	{ STEP_LOOP, 0 },      { STEP_AFTER_DEC, 0 },  { STEP_LOOP, 0 },
	{ STEP_AFTER_DEC, 0 }, { STEP_AFTER_LOOP, 0 }, { STEP_AFTER_MARK, RG_PORT_MARK },
	{ STEP_DONE, 0 },
};

static void check_step_event(struct kc_test *t, const struct kvmdbg_event *ev)
{
	uint64_t addr = 0;

#if defined(__aarch64__)
	/* a software step exception, ISS.EX clear (no exclusive load in the program) */
	rt_assert_raw(ev, RT_EC_SOFTSTEP, 0, 0);
#else
	{
		uint32_t exc = 0;
		uint64_t status = 0;

		/* Book3S PR sets no status for a step: what is there is the last exit's */
		g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, -ENODATA);
		g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);
	}
#endif
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
}

static void test_step(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_step;
	struct kvmdbg_vcpu *vcpu;

	KC_REQUIRE(t);
	if (!rt_require_single_step(t))
		return;
	vcpu = t->vcpu[0];
	rt_start(t, 0, prog, STEP_START);

	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_true(kvmdbg_vcpu_is_single_step(vcpu));

	for (size_t k = 0; k < G_N_ELEMENTS(step_expect); k++) {
		const struct kvmdbg_event *ev;
		uint64_t pc = rg_prog_addr(prog, step_expect[k].label);

		/*
		 * A store to MMIO exits to us first; its step comes with the next KVM_RUN,
		 * unless the kernel completed it before the exit (then the next step is one
		 * further).
		 */
		if (step_expect[k].port_before) {
			rt_expect_mmio(t, 0, step_expect[k].port_before);
			if (rt_mmio_completed(t, 0, rg_prog_addr(prog, step_expect[k - 1].label),
					      pc)) {
				g_test_message("the kernel completed the MMIO store before its "
					       "exit");
				continue;
			}
		}
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_STEP, pc);
		check_step_event(t, ev);
		/* The guest really is there. */
		g_assert_cmphex(rt_pc(t, 0), ==, pc);
	}
	rt_expect_mmio(t, 0, RG_PORT_DONE);

	g_assert_cmphex(rt_gpr(t, 0, PROG_R2), ==, 0x1244);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R1), ==, 0);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(NULL, true), ==, -EINVAL);
	g_assert_false(kvmdbg_vcpu_is_single_step(NULL));
}

/* Stepping, switched off in the middle and on again, goes on exactly where the guest is. */
static void test_step_toggle(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_step;
	struct kvmdbg_vcpu *vcpu;

	KC_REQUIRE(t);
	if (!rt_require_single_step(t))
		return;
	vcpu = t->vcpu[0];
	rt_start(t, 0, prog, STEP_START);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_NOP));
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_MOV));
	/* Off: the guest runs to the MMIO store in the middle without a debug exit. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	rt_expect_mmio(t, 0, RG_PORT_MARK);
	/* On again after the store: the first step is the store's own, or the one after it. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	if (!rt_mmio_completed(t, 0, rg_prog_addr(prog, STEP_AFTER_LOOP),
			       rg_prog_addr(prog, STEP_AFTER_MARK)))
		kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_AFTER_MARK));
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, rg_prog_addr(prog, STEP_DONE));
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R2), ==, 0x1244);
}

int main(int argc, char **argv)
{
	rt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/step/" RG_ARCH, struct kc_test, NULL, kc_setup1, test_step,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/step/toggle", struct kc_test, NULL, kc_setup1, test_step_toggle,
		   kc_teardown);
	return g_test_run();
}
