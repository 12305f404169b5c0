// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM and vCPU objects over the fake kernel edge (fixture.h): making them (and refusing bad
 * handles), keeping VMs apart, and what freeing a vCPU or a VM takes with it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

static int sentinel_storage;
#define SENTINEL_VM ((struct kvmdbg_vm *)(void *)&sentinel_storage)
#define SENTINEL_VCPU ((struct kvmdbg_vcpu *)(void *)&sentinel_storage)

static void kick_nop(void *user_data)
{
	(void)user_data;
}

/* ------------------------------------------------------------------------------------------ */
/* Making them */

/*
 * Regression: kvmdbg_vm_new() took any fd, and its first ioctl went to whatever it was.  Fix:
 * an fd that is not a KVM VM's is refused with -EINVAL before any ioctl.
 */
static void test_new_refuses_other_fds(void)
{
	struct kvmdbg_vm *vm = (struct kvmdbg_vm *)(void *)&vm;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	fake_set_not_vm_fd(42);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_new(42, &vm), ==, -EINVAL);
	g_assert_true(vm == (struct kvmdbg_vm *)(void *)&vm);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_new(-1, &vm), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(43, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(43, &vm), ==, 0);
	kvmdbg_vm_free(vm);
	fx_fini(&f);
}

static void test_null_vm(struct fx *f, gconstpointer data)
{
	struct kvmdbg_vm *vm = SENTINEL_VM;
	uint64_t p = FX_NO_POINT;
	uint32_t mask = 0x12345678;
	(void)data;

	g_assert_cmpint(kvmdbg_vm_new(-1, &vm), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_new(INT_MIN, &vm), ==, -EINVAL);
	g_assert_true(vm == SENTINEL_VM);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, NULL), ==, -EINVAL);
	/* refused before the kernel sees anything */
	assert_log_len(0);

	kvmdbg_vm_free(NULL);
	g_assert_cmpint(kvmdbg_vm_has_feature(NULL, KVMDBG_FEATURE_GUEST_DEBUG), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(NULL, false), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(NULL, true), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(NULL, &mask), ==, -EINVAL);
	g_assert_cmphex(mask, ==, 0x12345678);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(NULL, 0x200000, 0x1000, f->mem), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(NULL, NULL, NULL, fx_translate_identity, NULL), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert(NULL, KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0, NULL, &p),
			==, -EINVAL);
	g_assert_true(p == FX_NO_POINT);
	g_assert_cmpint(kvmdbg_vm_remove(NULL, KVMDBG_POINT_HW_BREAK, FX_BASE_HW), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_find(NULL, KVMDBG_POINT_HW_BREAK, FX_BASE_HW, &p), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_find(f->vm, KVMDBG_POINT_HW_BREAK, FX_BASE_HW, NULL), ==,
			-EINVAL);
	g_assert_true(p == FX_NO_POINT);
	g_assert_cmpint(kvmdbg_vm_remove_all(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_rearm(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_point_count(NULL), ==, -EINVAL);
	fx_assert_unchanged(f);
}

static void test_null_vcpu(struct fx *f, gconstpointer data)
{
	struct kvmdbg_vcpu *v = SENTINEL_VCPU;
	uint64_t p = FX_NO_POINT;
	const struct kvmdbg_event *ev = FX_NO_EVENT;
	struct kvm_run *run = fake_run_new();
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_new(NULL, 110, run, &v), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, -1, run, &v), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, INT_MIN, run, &v), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, 110, NULL, &v), ==, -EINVAL);
	g_assert_true(v == SENTINEL_VCPU);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, 110, run, NULL), ==, -EINVAL);
	kvmdbg_vcpu_free(NULL);
	g_assert_null(kvmdbg_vcpu_get_vm(NULL));
	g_assert_cmpint(kvmdbg_vcpu_insert(NULL, KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0, NULL, &p),
			==, -EINVAL);
	g_assert_true(p == FX_NO_POINT);
	g_assert_cmpint(kvmdbg_vcpu_remove(NULL, KVMDBG_POINT_HW_BREAK, FX_BASE_HW), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(NULL, true), ==, -EINVAL);
	g_assert_false(kvmdbg_vcpu_is_single_step(NULL));
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(NULL, true), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(NULL, 0, &ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(NULL, -EINTR, &ev), ==, -EINVAL);
	g_assert_true(ev == FX_NO_EVENT);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(NULL, FX_NO_EVENT), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_set_kick(NULL, kick_nop, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_kick(NULL), ==, -EINVAL);
	fx_assert_unchanged(f);
	g_free(run);
}

static void test_vcpu_attached_twice(struct fx *f, gconstpointer data)
{
	struct kvmdbg_vcpu *v = SENTINEL_VCPU;
	struct kvm_run *run = fake_run_new();
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, FX_VCPU_FD, run, &v), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, FX_VCPU_FD + 1, f->run[1], &v), ==, -EEXIST);
	g_assert_true(v == SENTINEL_VCPU);
	fx_assert_unchanged(f);
	g_free(run);
}

static void test_no_global_state(void)
{
	struct fx fix, *f = &fix;
	struct kvmdbg_vm *vm2 = NULL;
	struct kvmdbg_vcpu *v2 = NULL;
	struct kvm_run *run2 = fake_run_new();
	uint8_t img[72];

	fx_setup_x86(f, NULL);
	g_assert_cmpint(kvmdbg_vm_new(200, &vm2), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(vm2, 201, run2, &v2), ==, 0);
	fx_settle_vcpu(v2, 201);
	/* the same vCPU fd number in another VM is another vCPU */
	g_assert_cmpint(kvmdbg_vcpu_new(vm2, FX_VCPU_FD, f->run[1], &f->vcpu[1]), ==, 0);
	fx_settle_vcpu(f->vcpu[1], FX_VCPU_FD);

	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);
	fx_pre_run_none(v2);
	fx_pre_run_none(f->vcpu[1]);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm2), ==, 0);
	g_assert_cmpuint(0, ==, fx_find(vm2, KVMDBG_POINT_HW_BREAK, 0x401000));

	kvmdbg_vcpu_free(f->vcpu[1]);
	f->vcpu[1] = NULL;
	kvmdbg_vcpu_free(v2);
	kvmdbg_vm_free(vm2);
	g_free(run2);
	fx_fini(f);
}

static void test_version(void)
{
	g_assert_cmpstr(kvmdbg_version_string(), ==, KVMDBG_VERSION_STRING);
	g_assert_true(KVMDBG_CHECK_VERSION(0, 1, 0));
}

/* ------------------------------------------------------------------------------------------ */
/* Freeing them */

static void test_free_restores_memory(void)
{
	struct fx fix, *f = &fix;

	fx_setup_x86(f, NULL);
	fx_attach(f, 1);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x100), 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x200), 1, KVMDBG_POINT_ONESHOT);
	fx_vinsert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x300), 1, 0);
	fx_vinsert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, fx_ram(f, 0x400), 1, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);

	/* a vCPU takes its own points with it */
	kvmdbg_vcpu_free(f->vcpu[1]);
	f->vcpu[1] = NULL;
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 3);
	g_assert_cmphex(*fx_mem(f, FX_GPA + 0x300), ==, fx_orig(f, FX_GPA + 0x300));
	g_assert_cmphex(*fx_mem(f, FX_GPA + 0x400), ==, 0xcc);

	/* the VM takes everything else */
	fx_fini_restored(f);
}

/*
 * Regression: a vCPU freed while the original bytes under one of its software breakpoints
 * could not be written back left that point naming the freed vCPU as its owner: it could no
 * longer be removed by key, and a new vCPU object at the same address would "own" it.  Fix:
 * the point survives owned by nobody (orphans-survive-vcpu says what becomes of it).
 */
static void test_free_orphan_has_no_owner(void)
{
	const uint64_t x = fx_addr(0x300);
	struct kvmdbg_vcpu *old, *owner;
	struct fx fix, *f = &fix;
	bool dangling;
	uint64_t p;
	long left;

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	fx_vm_callbacks(f, 2);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, x, 0, 0, NULL, &p),
			==, 0);
	old = f->vcpu[0];
	fx_fail_writes(f, -EFAULT, FX_ALWAYS);
	kvmdbg_vcpu_free(f->vcpu[0]);
	f->vcpu[0] = NULL;
	fx_fail_writes(f, -EFAULT, 0);
	/* a snapshot of the survivor, if any, says who owns it now */
	left = kvmdbg_vm_get_point_count(f->vm);
	owner = left == 1 ? fx_point(f->vm, p).vcpu : NULL;

	g_test_message("points left: %ld; owner of the survivor: %p (freed: %p)", left,
		       (void *)owner, (void *)old);
	/* the survivor still names the freed vCPU as its owner */
	dangling = left == 1 && owner == old;
	/* and can no longer be removed by key: -ENOENT from the VM, its vCPU is gone */
	g_test_message("vm_remove: %d", kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, x));
	/* a new vCPU object may get the same address and then "own" it */
	fx_attach(f, 2);
	g_test_message("new vCPU %p; vcpu_remove through it: %d", (void *)f->vcpu[2],
		       kvmdbg_vcpu_remove(f->vcpu[2], KVMDBG_POINT_SW_BREAK, x));
	g_assert_false(dangling);
	fx_fini(f);
}

/*
 * Regression: points that could not be restored vanished with their vCPU or VM, leaving their
 * breakpoint instruction in guest memory with nothing that knew of it.  Fix: a vCPU's software
 * breakpoint whose original bytes cannot be written back when the vCPU is freed stays in the
 * VM, owned by nobody: other vCPUs step over it unseen, the count shows it, and
 * kvmdbg_vm_remove_all() reports the error until it can remove it.
 */
static void test_orphans_survive_vcpu(void)
{
	const uint64_t a = fx_addr(0x480);
	const struct kvmdbg_event *ev;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	fx_vm_callbacks(&f, 2);
	g_assert_cmpint(kvmdbg_vcpu_insert(f.vcpu[1], KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL),
			==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);

	fx_fail_writes(&f, -EIO, FX_ALWAYS);
	kvmdbg_vcpu_free(f.vcpu[1]);
	f.vcpu[1] = NULL;
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);

	/* vCPU 0 reaches it: not its own, stepped over unseen (the step-over needs memory) */
	fx_fail_writes(&f, -EIO, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x480]);
	fx_x86_db(f.run[0], a + 1, FX_DR6_STEP);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);

	/* removal reports the error while memory cannot be written, and works after */
	fx_fail_writes(&f, -EIO, FX_ALWAYS);
	g_assert_cmpint(kvmdbg_vm_remove_all(f.vm), ==, -EIO);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);
	fx_fail_writes(&f, -EIO, 0);
	g_assert_cmpint(kvmdbg_vm_remove_all(f.vm), ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/vm/new-refuses-other-fds", test_new_refuses_other_fds);
	fx_test_add("/kvmdbg/unit/vm/null/vm", fx_setup_baseline, test_null_vm);
	fx_test_add("/kvmdbg/unit/vm/null/vcpu", fx_setup_baseline, test_null_vcpu);
	fx_test_add("/kvmdbg/unit/vm/vcpu/attached-twice", fx_setup_baseline,
		    test_vcpu_attached_twice);
	g_test_add_func("/kvmdbg/unit/vm/no-global-state", test_no_global_state);
	g_test_add_func("/kvmdbg/unit/vm/version", test_version);

	g_test_add_func("/kvmdbg/unit/vm/free/restores-memory", test_free_restores_memory);
	g_test_add_func("/kvmdbg/unit/vm/free/orphan-has-no-owner", test_free_orphan_has_no_owner);
	g_test_add_func("/kvmdbg/unit/vm/free/orphans-survive-vcpu", test_orphans_survive_vcpu);

	return g_test_run();
}
