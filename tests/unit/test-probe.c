// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the kernel offers, and what the library makes of it: the capabilities asked with
 * KVM_CHECK_EXTENSION when a VM object is made (the features, the control mask, the hardware
 * slots), the trial KVM_SET_GUEST_DEBUG on an old kernel that advertises nothing, and
 * kvmdbg_vm_probe(), which runs tiny guests to see which debug exits are really delivered.
 * Over the fake kernel edge (fixture.h); images are x86's, as in test-run.c.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"
#include "kernel.h"

/* ------------------------------------------------------------------------------------------ */
/* Capabilities */

static void assert_probes_only(int fd)
{
	size_t len = fake_log_len();
	bool seen_debug = false, seen_debug2 = false;

	for (size_t i = 0; i < len; i++) {
		struct fake_call c = fake_log_get(i);

		g_assert_cmpint(c.kind, ==, FAKE_CHECK_EXTENSION);
		g_assert_cmpint(c.fd, ==, fd);
		if (c.cap == FAKE_CAP_SET_GUEST_DEBUG) {
			g_assert_false(seen_debug);
			seen_debug = true;
		} else if (c.cap == FAKE_CAP_SET_GUEST_DEBUG2) {
			g_assert_false(seen_debug2);
			seen_debug2 = true;
		} else {
			fake_log_dump();
			g_error("probe of capability %lu, not a guest-debug capability", c.cap);
		}
	}
	g_assert_true(seen_debug);
	g_assert_true(seen_debug2);
}

static void test_probe_default(void)
{
	/* index: feature number; GUEST_DEBUG .. REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 1, 1 };
	struct kvmdbg_vm *vm = NULL;
	uint32_t mask = 0;

	fake_kernel_reset();
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &vm), ==, 0);
	g_assert_nonnull(vm);
	assert_probes_only(FX_VM_FD);

	fake_log_clear();
	fx_assert_features(vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(vm, false), ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(vm, true), ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	/* asking does not probe again */
	assert_log_len(0);

	kvmdbg_vm_free(vm);
	assert_log_len(0);
}

static void test_probe_no_debug2(void)
{
	/* a kernel with KVM_CAP_SET_GUEST_DEBUG but before KVM_CAP_SET_GUEST_DEBUG2 */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 1 };
	struct kvmdbg_vm *vm = NULL;
	uint32_t mask = 0;

	fake_kernel_reset();
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &vm), ==, 0);
	assert_probes_only(FX_VM_FD);
	fx_assert_features(vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0xf0003);
	kvmdbg_vm_free(vm);
}

static void test_probe_debug2_no_inject(void)
{
	/* DEBUG2 mask 0x30003: no INJECT_*, no BLOCKIRQ */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 0 };
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	uint32_t mask = 0;
	uint64_t s = 0, g = 0;

	fx_init_bare(f, "x86_64", 0x30003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x30003);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, fx_translate_identity, NULL),
			==, 0);
	fx_attach(f, 0);
	fx_settle(f, 0);

	/* single-step without BLOCKIRQ: control 0x3 */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00000003, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], false), ==, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, fx_x86_off);

	/* a guest int3 cannot be handed back */
	s = fx_ram(f, 0x100);
	g = fx_ram(f, 0x200);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	f->mem[g - FX_GPA] = 0xcc;
	fx_x86_event(f, 0, 3, g, FX_DR6_NONE, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	fx_pre_run_none(f->vcpu[0]);

	/* the step over the library's breakpoint has no BLOCKIRQ either: exactly 0x10003 */
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(img, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);

	fx_fini(f);
}

static void test_probe_only_step(void)
{
	/* a kernel whose mask has ENABLE and SINGLESTEP only */
	static const int expected[10] = { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
	struct fx fix, *f = &fix;
	uint64_t p = 0xdeadbeef;
	uint8_t img[72];

	fx_init_bare(f, "x86_64", 0x3);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, fx_translate_identity, NULL),
			==, 0);
	fx_attach(f, 0);
	fx_settle(f, 0);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x10), 1, 0, NULL,
					 &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_WATCH_ACCESS, 0x2000, 4, 0,
					   NULL, &p), ==, -EOPNOTSUPP);
	g_assert_true(p == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00000003, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_fini(f);
}

static void test_vcpu_new_no_calls(struct fx *f, gconstpointer data)
{
	/* with KVM_CAP_SET_GUEST_DEBUG advertised, attaching a vCPU reaches no kernel */
	(void)data;
	fake_log_clear();
	fx_attach(f, 1);
	assert_log_len(0);
}

static void test_bad_feature(struct fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, (enum kvmdbg_feature)0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, (enum kvmdbg_feature)10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, (enum kvmdbg_feature)-1), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, (enum kvmdbg_feature)INT_MAX), ==, -EINVAL);
	fx_assert_unchanged(f);
}

/*
 * Regression: s390 reported a control mask with a bit its ioctl refuses.  The kernel's
 * KVM_CAP_SET_GUEST_DEBUG2 answer (KVM_GUESTDBG_VALID_MASK, 0x10010003 in
 * arch/s390/kvm/kvm-s390.c) includes KVM_GUESTDBG_EXIT_PENDING (asm/kvm_host.h), which
 * kvm_arch_vcpu_ioctl_set_guest_debug() refuses.  Fix: the mask the library reports and obeys
 * is the kernel's intersected with what the backend can send.
 */
static void test_s390_mask_without_exit_pending(void)
{
	uint32_t mask;
	struct fx f;

	fx_init(&f, "s390x", 0x10010003, 1);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f.vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* Old kernels: the trial ioctl */

static void test_probe_trial_ok(void)
{
	/* an old kernel that advertises neither capability, but whose ioctl works */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 1 };
	struct fx fix, *f = &fix;
	uint32_t mask = 0;
	uint8_t img[72];

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	for (size_t i = 0; i < fake_log_len(); i++)
		g_assert_cmpint(fake_log_get(i).kind, ==, FAKE_CHECK_EXTENSION);

	/* the first vCPU makes one trial with debugging off */
	fake_log_clear();
	fx_attach(f, 0);
	assert_log_len(1);
	assert_gd(0, FX_VCPU_FD, fx_x86_off);

	fx_assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0xf0003);

	/* no second trial */
	fake_log_clear();
	fx_attach(f, 1);
	assert_log_len(0);

	/* the trial is what the kernel of vCPU 0 holds: nothing to apply */
	fx_pre_run_none(f->vcpu[0]);

	/* and it all works, without BLOCKIRQ */
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00020003, 0x401000, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	fx_fini(f);
}

static void test_probe_trial_fails(void)
{
	static const int expected[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct fx fix, *f = &fix;
	uint64_t p = 0xdeadbeef;

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, fx_translate_identity, NULL),
			==, 0);

	fake_log_clear();
	fake_fail_set_guest_debug(-EINVAL, 1);
	fx_attach(f, 0); /* the vCPU is still attached */
	assert_log_len(1);
	assert_gd(0, FX_VCPU_FD, fx_x86_off);
	fx_assert_features(f->vm, expected);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x10), 1, 0, NULL,
					 &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0,
					   NULL, &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	g_assert_true(p == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	assert_log_len(0);

	/* nothing to apply, and no second trial */
	fx_pre_run_none(f->vcpu[0]);
	fx_attach(f, 1);
	assert_log_len(0);
	fx_assert_features(f->vm, expected);

	fx_fini(f);
}

/* ------------------------------------------------------------------------------------------ */
/* The delivery probe */

/* What the fake host delivers: a bit per enum kvmdbg_feature. */
struct host {
	unsigned int delivers;
	unsigned int runs;
	int fail;        /* the trial run fails with this, or 0 */
	int eintr_first; /* so many runs give -EINTR first */
};

/*
 * A host that delivers what host->delivers says and, for the rest, does what this project's
 * PVM development host does: the guest runs on to its "out" (or wedges on the int3).  The
 * exits are what KVM writes for each guest kvmdbg_vm_probe() builds.
 */
static int fake_host(void *data, const uint8_t *mem, uint16_t ip, const void *debug,
		     size_t size, struct trial_exit *ret)
{
	struct host *h = data;
	const uint8_t *dbg = debug;
	uint32_t control = (uint32_t)fx_get(dbg, 4, false);
	uint64_t dr0 = fx_get(dbg + 8, 8, false), dr7 = fx_get(dbg + 64, 8, false);
	enum kvmdbg_feature f;

	g_assert_cmpuint(size, ==, 72);
	h->runs++;
	if (h->fail)
		return h->fail;
	if (h->eintr_first) {
		h->eintr_first--;
		ret->run_err = -EINTR;
		return 0;
	}
	/* which guest is it? */
	if (control & 0x2)
		f = KVMDBG_FEATURE_SINGLE_STEP;
	else if (control & 0x10000)
		f = KVMDBG_FEATURE_SW_BREAKPOINT;
	else if ((dr7 >> 16 & 3) == 0)
		f = KVMDBG_FEATURE_HW_BREAKPOINT;
	else if ((dr7 >> 16 & 3) == 1)
		f = KVMDBG_FEATURE_WATCH_WRITE;
	else
		f = KVMDBG_FEATURE_WATCH_ACCESS;
	g_assert_cmpuint(ip, ==, 0x1000);
	/* every vector of the guest's IVT points at its handler */
	g_assert_cmpuint(mem[4 * 3] | mem[4 * 3 + 1] << 8, ==, 0x2000);
	if (!(h->delivers & 1u << f)) {
		if (f == KVMDBG_FEATURE_SW_BREAKPOINT) {
			ret->reason = 17; /* KVM_EXIT_INTERNAL_ERROR, as PVM does in long mode */
			return 0;
		}
		ret->reason = 2; /* KVM_EXIT_IO */
		ret->port = 0x10;
		return 0;
	}
	ret->reason = 4;
	switch (f) {
	case KVMDBG_FEATURE_SINGLE_STEP:
		g_assert_cmphex(mem[0x1000], ==, 0x90);
		ret->exception = 1;
		ret->pc = 0x1001;
		ret->dr6 = 0xffff4ff0;
		break;
	case KVMDBG_FEATURE_SW_BREAKPOINT:
		g_assert_cmphex(mem[0x1001], ==, 0xcc);
		ret->exception = 3;
		ret->pc = 0x1001;
		break;
	case KVMDBG_FEATURE_HW_BREAKPOINT:
		g_assert_cmphex(dr0, ==, 0x1001);
		ret->exception = 1;
		ret->pc = 0x1001;
		ret->dr6 = 0xffff0ff1;
		break;
	default:
		g_assert_cmphex(dr0, ==, 0x800);
		ret->exception = 1;
		ret->pc = 0x1003;
		ret->dr6 = 0xffff0ff1;
		break;
	}
	return 0;
}

static const enum kvmdbg_feature probed[] = {
	KVMDBG_FEATURE_SINGLE_STEP,     KVMDBG_FEATURE_SW_BREAKPOINT,
	KVMDBG_FEATURE_HW_BREAKPOINT,   KVMDBG_FEATURE_WATCH_WRITE,
	KVMDBG_FEATURE_WATCH_ACCESS,
};

/* This project's development host: steps and execute breakpoints, nothing else. */
static void test_probe_pvm_like(void)
{
	struct host h = {
		.delivers = 1u << KVMDBG_FEATURE_SINGLE_STEP | 1u << KVMDBG_FEATURE_HW_BREAKPOINT,
	};
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fake_set_trial(fake_host, &h);
	for (size_t i = 0; i < G_N_ELEMENTS(probed); i++)
		g_assert_cmpint(kvmdbg_vm_get_support(f.vm, probed[i]), ==,
				KVMDBG_SUPPORT_ACCEPTED);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	g_assert_cmpuint(h.runs, ==, 5);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
			KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_HW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_WRITE), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_ACCESS), ==,
			KVMDBG_SUPPORT_NOT_DELIVERED);
	/* what it does not probe, and what the kernel refuses */
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_STEP_BLOCK_IRQ), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_WATCH_READ), ==,
			KVMDBG_SUPPORT_NONE);
	/* accepted stays accepted: has_feature says what the kernel takes */
	g_assert_cmpint(kvmdbg_vm_has_feature(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, (enum kvmdbg_feature)99), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_support(NULL, KVMDBG_FEATURE_SINGLE_STEP), ==, -EINVAL);
	fx_fini(&f);
}

/* A host that delivers everything; signals interrupt some runs; nothing touches the VM. */
static void test_probe_everything(void)
{
	struct host h = { .delivers = ~0u, .eintr_first = 2 };
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fake_set_trial(fake_host, &h);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	assert_log_len(0);
	g_assert_cmpuint(h.runs, ==, 7);
	for (size_t i = 0; i < G_N_ELEMENTS(probed); i++)
		g_assert_cmpint(kvmdbg_vm_get_support(f.vm, probed[i]), ==,
				KVMDBG_SUPPORT_DELIVERED);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/* What the kernel refuses is not probed; errors and other arches. */
static void test_probe_errors(void)
{
	struct host h = { .delivers = ~0u };
	struct fx f;

	/* no DEBUG2 bit for USE_SW_BP: that guest is not run */
	fx_init(&f, "x86_64", 0x3, 1); /* ENABLE | SINGLESTEP only */
	fake_set_trial(fake_host, &h);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, 0);
	g_assert_cmpuint(h.runs, ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_NONE);
	g_assert_cmpint(kvmdbg_vm_probe(NULL, 3), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, -1), ==, -EINVAL);
	fx_fini(&f);

	/* a host that cannot build the VM: the error, and the answers stay "accepted" */
	fx_init(&f, "x86_64", 0x1f0003, 1);
	h = (struct host){ .fail = -EMFILE };
	fake_set_trial(fake_host, &h);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, -EMFILE);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SINGLE_STEP), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	fx_fini(&f);

	fx_init(&f, "aarch64", 0x30003, 1);
	g_assert_cmpint(kvmdbg_vm_probe(f.vm, 3), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_get_support(f.vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==,
			KVMDBG_SUPPORT_ACCEPTED);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/probe/caps/default", test_probe_default);
	g_test_add_func("/kvmdbg/unit/probe/caps/no-debug2", test_probe_no_debug2);
	g_test_add_func("/kvmdbg/unit/probe/caps/debug2-no-inject", test_probe_debug2_no_inject);
	g_test_add_func("/kvmdbg/unit/probe/caps/only-step", test_probe_only_step);
	fx_test_add("/kvmdbg/unit/probe/caps/vcpu-new-no-calls", fx_setup_x86,
		    test_vcpu_new_no_calls);
	fx_test_add("/kvmdbg/unit/probe/caps/unknown-feature", fx_setup_baseline,
		    test_bad_feature);
	g_test_add_func("/kvmdbg/unit/probe/caps/s390-mask-without-exit-pending",
			test_s390_mask_without_exit_pending);
	g_test_add_func("/kvmdbg/unit/probe/trial/ok", test_probe_trial_ok);
	g_test_add_func("/kvmdbg/unit/probe/trial/fails", test_probe_trial_fails);
	g_test_add_func("/kvmdbg/unit/probe/delivery/pvm-like", test_probe_pvm_like);
	g_test_add_func("/kvmdbg/unit/probe/delivery/everything", test_probe_everything);
	g_test_add_func("/kvmdbg/unit/probe/delivery/errors", test_probe_errors);

	return g_test_run();
}
