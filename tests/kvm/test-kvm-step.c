/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite, case 2: single-step over a known instruction sequence in real mode, 32-bit
 * protected mode and 64-bit long mode, with the exact linear pc of every step.
 */
#include "kvmtest.h"

/*
 * The step program's pc after each instruction, in order; an entry with a port is the
 * "out" exit that comes before the step of that instruction.
 */
static const struct {
	unsigned int label;
	uint16_t port_before;
} step_expect[] = {
	{ STEP_AFTER_NOP, 0 }, { STEP_AFTER_MOV, 0 },  { STEP_AFTER_ADD, 0 },
	{ STEP_TARGET, 0 },    { STEP_LOOP, 0 },       { STEP_AFTER_DEC, 0 },
	{ STEP_LOOP, 0 },      { STEP_AFTER_DEC, 0 },  { STEP_LOOP, 0 },
	{ STEP_AFTER_DEC, 0 }, { STEP_AFTER_LOOP, 0 }, { STEP_AFTER_MARK, GUEST_PORT_MARK },
	{ STEP_DONE, 0 },
};

static void test_step(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_step[mode];
	struct kvmdbg_vcpu *vcpu;
	struct kvm_regs regs;

	KC_REQUIRE(t);
	vcpu = t->vcpu[0];
	kt_start(t, 0, prog, STEP_START);

	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_true(kvmdbg_vcpu_is_single_step(vcpu));

	for (size_t k = 0; k < G_N_ELEMENTS(step_expect); k++) {
		const struct kvmdbg_event *ev;
		uint64_t addr = 0;

		/*
		 * An "out" exits to us first; its step comes with the next KVM_RUN, unless the
		 * kernel completed it before the exit (then the next step is one further).
		 */
		if (step_expect[k].port_before) {
			kt_expect_out(t, 0, step_expect[k].port_before);
			if (kt_out_completed(t, 0, guest_prog_addr(prog, step_expect[k - 1].label),
					     guest_prog_addr(prog, step_expect[k].label)))
				continue;
		}
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_STEP,
				     guest_prog_addr(prog, step_expect[k].label));
		kt_assert_raw(ev, 1, 0x4000);
		g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
		g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
		g_assert_cmpint(kvmdbg_event_get_access(ev), ==, -EINVAL);
		g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
		g_assert_cmpint(kvmdbg_vcpu_reinject(vcpu, ev), ==, -EINVAL);
		/* The guest really is there. */
		g_assert_cmphex(guest_get_pc(&t->g, 0), ==,
				guest_prog_addr(prog, step_expect[k].label));
	}
	kt_expect_out(t, 0, GUEST_PORT_DONE);

	regs = kt_regs(t, 0);
	g_assert_cmphex(regs.rbx & 0xffffffff, ==, 0x1244);
	g_assert_cmphex(regs.rcx & 0xffffffff, ==, 0);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(NULL, true), ==, -EINVAL);
	g_assert_false(kvmdbg_vcpu_is_single_step(NULL));
}

/* Stepping, switched off in the middle and on again, goes on exactly where the guest is. */
static void test_step_toggle(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_step[GUEST_LONG64];
	struct kvmdbg_vcpu *vcpu;

	KC_REQUIRE(t);
	vcpu = t->vcpu[0];
	kt_start(t, 0, prog, STEP_START);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_NOP));
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_MOV));
	/* Off: the guest runs to the "out" in the middle without a debug exit. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	kt_expect_out(t, 0, GUEST_PORT_MARK);
	/* On again after the "out": the first step is the out's own, or the one after it. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	if (!kt_out_completed(t, 0, guest_prog_addr(prog, STEP_AFTER_LOOP),
			      guest_prog_addr(prog, STEP_AFTER_MARK)))
		kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_MARK));
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_DONE));
	kt_expect_out(t, 0, GUEST_PORT_DONE);
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	for (int m = 0; m < GUEST_NR_MODES; m++) {
		g_autofree char *path = g_strdup_printf("/kvmdbg/kvm/step/%s", guest_mode_name(m));

		g_test_add(path, struct kc_test, GINT_TO_POINTER(m), kc_setup1, test_step,
			   kc_teardown);
	}
	g_test_add("/kvmdbg/kvm/step/toggle", struct kc_test, NULL, kc_setup1, test_step_toggle,
		   kc_teardown);
	return g_test_run();
}
