/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite: the harness itself, capabilities, "pre_run only when changed", and bad input on a
 * live VM.
 */
#include <sys/ioctl.h>

#include "kvmtest.h"

/* The harness alone, with raw ioctls: the program runs to its end and single-steps. */
static void test_harness(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_step[mode];
	struct kvm_run *run;
	struct kvm_regs regs;

	KC_REQUIRE(t);
	run = t->g.vcpus[0].run;

	kt_start(t, 0, prog, STEP_START);
	g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
	g_assert_true(guest_exit_is_out(&t->g, 0, GUEST_PORT_MARK));
	g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
	g_assert_true(guest_exit_is_out(&t->g, 0, GUEST_PORT_DONE));
	regs = kt_regs(t, 0);
	g_assert_cmphex(regs.rbx & 0xffffffff, ==, 0x1244);
	g_assert_cmphex(regs.rcx & 0xffffffff, ==, 0);

	/* The same program stepped once from the start. */
	g_assert_cmpint(guest_enter(&t->g, 0, mode, guest_prog_addr(prog, STEP_START)), ==, 0);
	g_assert_cmpint(
		guest_set_debug(&t->g, 0, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP, NULL), ==,
		0);
	g_assert_cmpint(kc_raw_run(t, 0), ==, 0);
	g_assert_cmpuint(run->exit_reason, ==, KVM_EXIT_DEBUG);
	g_assert_cmpuint(run->debug.arch.exception, ==, 1);
	g_assert_cmphex(run->debug.arch.pc, ==, guest_prog_addr(prog, STEP_AFTER_NOP));
	g_assert_cmphex(run->debug.arch.dr6 & 0x4000, ==, 0x4000);
	g_assert_cmphex(guest_get_pc(&t->g, 0), ==, guest_prog_addr(prog, STEP_AFTER_NOP));
	g_assert_cmpint(guest_set_debug(&t->g, 0, 0, NULL), ==, 0);
}

/* Case 1: the library's capability answers agree with what the kernel says. */
static void test_caps(struct kc_test *t, const void *data)
{
	const uint32_t hw = KVM_GUESTDBG_USE_HW_BP;
	uint32_t mask = 0, dummy = 0x5a5a5a5a;
	int cap1, cap2, gd;
	const struct {
		enum kvmdbg_feature feature;
		const char *name;
		uint32_t bits;
	} features[] = {
		{ KVMDBG_FEATURE_SINGLE_STEP, "SINGLE_STEP", KVM_GUESTDBG_SINGLESTEP },
		{ KVMDBG_FEATURE_SW_BREAKPOINT, "SW_BREAKPOINT", KVM_GUESTDBG_USE_SW_BP },
		{ KVMDBG_FEATURE_HW_BREAKPOINT, "HW_BREAKPOINT", hw },
		{ KVMDBG_FEATURE_WATCH_WRITE, "WATCH_WRITE", hw },
		{ KVMDBG_FEATURE_WATCH_ACCESS, "WATCH_ACCESS", hw },
		{ KVMDBG_FEATURE_STEP_BLOCK_IRQ, "STEP_BLOCK_IRQ", KVM_GUESTDBG_BLOCKIRQ },
	};

	KC_REQUIRE(t);

	cap1 = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG);
	cap2 = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	g_assert_cmpint(cap1, >=, 0);
	g_assert_cmpint(cap2, >=, 0);
	g_test_message("KVM_CAP_SET_GUEST_DEBUG = %d, KVM_CAP_SET_GUEST_DEBUG2 = 0x%x", cap1, cap2);

	g_assert_cmpint(kvmdbg_vm_get_control_mask(t->vm, &mask), ==, 0);
	if (cap2 > 0) {
		g_assert_cmphex(mask, ==, (uint32_t)cap2);
	} else {
		/* A kernel before KVM_CAP_SET_GUEST_DEBUG2: at most the x86 bits. */
		g_assert_cmphex(mask & ~0x1f0003u, ==, 0);
		g_assert_cmphex(mask & KVM_GUESTDBG_ENABLE, ==, KVM_GUESTDBG_ENABLE);
	}

	/* Whether KVM_SET_GUEST_DEBUG works at all: the capability, or a trial (debug off). */
	gd = cap1 > 0 || guest_set_debug(&t->g, 0, 0, NULL) == 0;
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_GUEST_DEBUG), ==, gd);

	for (size_t k = 0; k < G_N_ELEMENTS(features); k++) {
		int want = gd && (mask & features[k].bits) == features[k].bits;
		int have = kvmdbg_vm_has_feature(t->vm, features[k].feature);

		g_test_message("feature %s: %d", features[k].name, have);
		g_assert_cmpint(have, ==, want);
	}
	/* x86 has no read-only watchpoint, whatever the kernel. */
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_WATCH_READ), ==, 0);
	if (gd && (mask & KVM_GUESTDBG_INJECT_BP) && (mask & KVM_GUESTDBG_INJECT_DB))
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_REINJECT), ==, 1);
	if (!(mask & (KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB)))
		g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, KVMDBG_FEATURE_REINJECT), ==, 0);

	/* DR0-DR3, shared between breakpoints and watchpoints. */
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, false), ==, gd && (mask & hw) ? 4 : 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(t->vm, true), ==, gd && (mask & hw) ? 4 : 0);

	/* Bad arguments. */
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, (enum kvmdbg_feature)0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(t->vm, (enum kvmdbg_feature)10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(NULL, KVMDBG_FEATURE_GUEST_DEBUG), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(NULL, false), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(NULL, &dummy), ==, -EINVAL);
	g_assert_cmphex(dummy, ==, 0x5a5a5a5a);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(t->vm, NULL), ==, -EINVAL);
}

/* Case 9: pre_run issues KVM_SET_GUEST_DEBUG when, and only when, the debug state changed. */
static void test_pre_run(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_step[GUEST_LONG64];
	struct kvmdbg_vcpu *vcpu;
	const struct kvmdbg_event *ev;
	uint64_t target;

	KC_REQUIRE(t);
	vcpu = t->vcpu[0];
	target = guest_prog_addr(prog, STEP_TARGET);
	kt_start(t, 0, prog, STEP_START);

	/* Whatever the first call does, a second one without a change does nothing. */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), >=, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	/*
	 * Stepping on: every run of an x86 vCPU that steps needs KVM_SET_GUEST_DEBUG again
	 * (VMX/SVM keep TF only at the RIP the last call saw), changed or not.
	 */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_NOP));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_MOV));
	(void)ev;
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);

	/* Setting what is already set, or changing and changing back: the same one call. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);

	/* Not stepping (for a while, without running): from here on, no change, no call. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* A VM-wide point reaches the vCPU at its next pre_run, once. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, target, 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, target), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Inserted and removed between two pre_runs: nothing to apply. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, target, 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, target), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* The same for a vCPU point and for DR7.GD. */
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_HW_BREAK, target, 0, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, KVMDBG_POINT_HW_BREAK, target), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(vcpu, false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);

	/* Stepping again, exactly where the program is. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	kc_expect_event(t, 0, KVMDBG_EVENT_STEP, guest_prog_addr(prog, STEP_AFTER_ADD));

	/* Off again: once, then the program runs freely to its end. */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(vcpu, false), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(vcpu));
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	kt_expect_out(t, 0, GUEST_PORT_MARK);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);
	kt_expect_out(t, 0, GUEST_PORT_DONE);

	g_assert_cmpint(kvmdbg_vcpu_pre_run(NULL), ==, -EINVAL);
}

/* Every call that fails must leave the point count and the applied debug state alone. */
static void assert_unchanged(struct kc_test *t, long count)
{
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, count);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[0]), ==, 0);
}

/* Run the bp program into the four points bad-input left in place. */
static void run_four_points(struct kc_test *t, uint64_t p[4], uint64_t start,
			    uint64_t outer, uint64_t pass, uint64_t done)
{
	const struct {
		uint64_t pc;
		int point; /* index into p, or -1 for an "out" to port */
		uint16_t port;
	} expect[] = {
		{ start, 0, 0 },
		{ outer, 1, 0 },
		{ pass, 2, 0 },
		{ 0, -1, GUEST_PORT_PASS },
		{ outer, 1, 0 },
		{ pass, 2, 0 },
		{ 0, -1, GUEST_PORT_PASS },
		{ done, 3, 0 },
		{ 0, -1, GUEST_PORT_DONE },
	};

	for (size_t k = 0; k < G_N_ELEMENTS(expect); k++) {
		const struct kvmdbg_event *ev;

		if (expect[k].point < 0) {
			kt_expect_out(t, 0, expect[k].port);
			continue;
		}
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, expect[k].pc);
		g_assert_true(kvmdbg_event_get_point_id(ev) == p[expect[k].point]);
	}
	g_assert_cmpuint(kc_point(t->vm, p[0]).hits, ==, 1);
	g_assert_cmpuint(kc_point(t->vm, p[1]).hits, ==, 2);
	g_assert_cmpuint(kc_point(t->vm, p[2]).hits, ==, 2);
	g_assert_cmpuint(kc_point(t->vm, p[3]).hits, ==, 1);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * BP_INNER_COUNT);
}

/* Case 8: bad input on a live VM is refused with the documented error and changes nothing. */
static void test_bad_input(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const enum kvmdbg_point_type hw = KVMDBG_POINT_HW_BREAK;
	uint64_t p[4], dummy = 0xdeadbeef;
	struct kvmdbg_vcpu *vcpu;
	struct kvmdbg_vm *vm;
	uint64_t start, outer, pass, done, inner;
	uint8_t *snapshot;

	KC_REQUIRE(t);
	vm = t->vm;
	vcpu = t->vcpu[0];
	start = guest_prog_addr(prog, BP_START);
	outer = guest_prog_addr(prog, BP_OUTER);
	inner = guest_prog_addr(prog, BP_INNER);
	pass = guest_prog_addr(prog, BP_PASS);
	done = guest_prog_addr(prog, BP_DONE);
	kt_start(t, 0, prog, BP_START);
	snapshot = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), >=, 0);
	assert_unchanged(t, 0);

	/* Refused before anything is looked at. */
	g_assert_cmpint(kvmdbg_vm_insert(NULL, hw, start, 0, 0, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, (enum kvmdbg_point_type)42, start, 0, 0, NULL, NULL),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, (enum kvmdbg_point_type)5, start, 0, 0, NULL, NULL),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, start, 0, 1u << 7, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, start, 2, 0, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, start, 4, 0, NULL, NULL), ==,
			-EINVAL);
	/* Watch lengths 1, 2, 4, 8, naturally aligned. */
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA + 1, 4, 0, NULL, &dummy),
		==, -EINVAL);
	g_assert_true(dummy == 0xdeadbeef);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA + 2, 4, 0, NULL, NULL),
		==, -EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA + 4, 8, 0, NULL, NULL),
		==, -EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA + 1, 2, 0, NULL, NULL),
		==, -EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 3, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 0, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 16, 0, NULL, NULL), ==,
		-EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA + 1, 4, 0,
					   NULL, NULL),
			==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_insert(NULL, hw, start, 0, 0, NULL, NULL), ==, -EINVAL);
	/* x86 cannot watch reads alone. */
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_READ, WATCH_DATA, 4, 0, NULL, &dummy), ==,
		-EOPNOTSUPP);
	g_assert_true(dummy == 0xdeadbeef);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_WATCH_READ, WATCH_DATA, 4, 0, NULL, NULL), ==,
		-EOPNOTSUPP);
	/* A software breakpoint where nothing is mapped (KVM_TRANSLATE says so). */
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, GUEST_UNMAPPED_VA, 1, 0, NULL, NULL),
		==, -EFAULT);
	assert_unchanged(t, 0);

	/* Removing what is not there. */
	g_assert_cmpint(kvmdbg_vm_remove(vm, hw, start), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, start), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, hw, start), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(NULL, hw, start), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(vm, (enum kvmdbg_point_type)42, start), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_remove(NULL, hw, start), ==, -EINVAL);
	g_assert_cmpuint(kc_find(vm, hw, start), ==, 0);
	{
		uint64_t id = 0xdeadbeef;

		g_assert_cmpint(kvmdbg_vm_find(NULL, hw, start, &id), ==, -EINVAL);
		g_assert_cmpuint(id, ==, 0xdeadbeef);
	}
	assert_unchanged(t, 0);

	/* Removing twice: the second is a clean -ENOENT. */
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 8, 0, NULL, NULL), ==,
		0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 1);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_insert(vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(vm, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	kc_assert_mem(t, 0, snapshot, GUEST_MEM_SIZE);
	/* Both changes cancelled out before reaching the vCPU. */
	assert_unchanged(t, 0);

	/* Four slots: two VM-wide points and two of the vCPU fill them. */
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, start, 0, 0, NULL, &p[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, outer, 0, 0, NULL, &p[1]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, hw, pass, 0, 0, NULL, &p[2]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, hw, done, 0, 0, NULL, &p[3]), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 4);
	g_assert_null(kc_point(t->vm, p[0]).vcpu);
	g_assert_null(kc_point(t->vm, p[1]).vcpu);
	g_assert_true(kc_point(t->vm, p[2]).vcpu == vcpu);
	g_assert_true(kc_point(t->vm, p[3]).vcpu == vcpu);
	g_assert_true(kc_find(vm, hw, outer) == p[1]);
	g_assert_cmpuint(kc_find(vm, hw, pass), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	assert_unchanged(t, 4);

	/* A fifth hardware point of any kind and scope finds no slot. */
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, inner, 0, 0, NULL, &dummy), ==, -ENOSPC);
	g_assert_true(dummy == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, hw, inner, 0, 0, NULL, NULL), ==, -ENOSPC);
	g_assert_cmpint(
		kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, WATCH_DATA, 4, 0, NULL, NULL), ==,
		-ENOSPC);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(vcpu, KVMDBG_POINT_WATCH_ACCESS, WATCH_DATA, 4, 0, NULL, NULL),
		==, -ENOSPC);
	/* The same key twice, and a vCPU point where a VM-wide one sits. */
	g_assert_cmpint(kvmdbg_vm_insert(vm, hw, start, 0, 0, NULL, NULL), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, hw, start, 0, 0, NULL, NULL), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, hw, pass, 0, 0, NULL, NULL), ==, -EEXIST);
	/* Removing in the wrong scope. */
	g_assert_cmpint(kvmdbg_vcpu_remove(vcpu, hw, start), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(vm, hw, pass), ==, -ENOENT);
	assert_unchanged(t, 4);
	kc_assert_mem(t, 0, snapshot, GUEST_MEM_SIZE);

	/*
	 * Nothing changed: exactly the four points fire, in program order, and the guest ends
	 * (where the kernel delivers hardware breakpoints).
	 */
	if (kt_require_hw_breakpoints())
		run_four_points(t, p, start, outer, pass, done);

	/* remove_all counts both scopes. */
	g_assert_cmpint(kvmdbg_vm_remove_all(vm), ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove_all(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_point_count(NULL), ==, -EINVAL);
	g_free(snapshot);
}

/*
 * With two vCPUs, a VM-wide hardware point needs a free slot on each: when one vCPU's own
 * points fill its slots, the insert fails and neither vCPU changes.  Attaching the same vCPU
 * twice is refused.
 */
static void test_two_vcpus(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	static const unsigned int labels[4] = { BP_START, BP_OUTER, BP_PASS, BP_DONE };
	struct kvmdbg_vcpu *dup = NULL;
	const struct kvmdbg_event *ev = NULL;
	struct kvmdbg_vm *vm2 = NULL;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	kt_start(t, 1, prog, BP_START);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[0]), >=, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[1]), >=, 0);

	for (int k = 0; k < 4; k++)
		g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[1], KVMDBG_POINT_HW_BREAK,
						   guest_prog_addr(prog, labels[k]), 0, 0, NULL,
						   NULL),
				==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
					 guest_prog_addr(prog, BP_INNER), 0, 0, NULL, NULL),
			==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 4);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[1]), ==, 1);
	/* vCPU 0 still has all four free for its own. */
	for (int k = 0; k < 4; k++)
		g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_HW_BREAK,
						   guest_prog_addr(prog, labels[k]), 0, 0, NULL,
						   NULL),
				==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 8);

	/* vCPU 0 runs into its own first point only (where the kernel delivers it). */
	if (kt_require_hw_breakpoints())
		kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, guest_prog_addr(prog, BP_START));

	g_assert_cmpint(kvmdbg_vcpu_new(t->vm, t->g.vcpus[0].fd, t->g.vcpus[0].run, &dup), ==,
			-EEXIST);
	g_assert_null(dup);
	g_assert_cmpint(kvmdbg_vcpu_new(t->vm, -1, t->g.vcpus[0].run, &dup), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(t->vm, t->g.vcpus[0].fd, NULL, &dup), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(NULL, t->g.vcpus[0].fd, t->g.vcpus[0].run, &dup), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(t->vm, t->g.vcpus[0].fd, t->g.vcpus[0].run, NULL), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(-1, &vm2), ==, -EINVAL);
	g_assert_null(vm2);
	g_assert_cmpint(kvmdbg_vm_new(t->g.vm_fd, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(t->vcpu[0], 0, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(NULL, 0, &ev), ==, -EINVAL);
	g_assert_null(kvmdbg_vcpu_get_vm(NULL));
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	for (int m = 0; m < GUEST_NR_MODES; m++) {
		g_autofree char *path =
			g_strdup_printf("/kvmdbg/kvm/harness/%s", guest_mode_name(m));

		g_test_add(path, struct kc_test, GINT_TO_POINTER(m), kc_setup1, test_harness,
			   kc_teardown);
	}
	g_test_add("/kvmdbg/kvm/caps", struct kc_test, NULL, kc_setup1, test_caps, kc_teardown);
	g_test_add("/kvmdbg/kvm/pre-run/only-when-changed", struct kc_test, NULL, kc_setup1,
		   test_pre_run, kc_teardown);
	g_test_add("/kvmdbg/kvm/errors/bad-input", struct kc_test, NULL, kc_setup1, test_bad_input,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/errors/two-vcpus", struct kc_test, NULL, kc_setup2, test_two_vcpus,
		   kc_teardown);
	return g_test_run();
}
