/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Regression tests from a review of the library, driven through the fake kernel edge.  Each
 * asserts what the header and doc/kvm-guest-debug.md promise, in a case that once failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "arch/arch.h"
#include "fake-kernel.h"
#include "fixture.h"

#define VM_FD 300
#define VCPU_FD 301
#define MEM_GPA 0x10000ull
#define MEM_SIZE 0x10000u

#define CAP_S390_USER_INSTR0 130
#define CAP_HW_BPS 119
#define CAP_HW_WPS 120
#define REG_ARM64_PC 0x6030000000100040ull

struct fix {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[3];
	struct kvm_run *run[3];
	uint8_t *mem;
	uint8_t *orig;
};

static int translate_identity(void *u, uint64_t gva, uint64_t *ret)
{
	(void)u;
	*ret = gva;
	return 0;
}

static void fix_init(struct fix *f, const char *arch, int debug2)
{
	memset(f, 0, sizeof(*f));
	fake_kernel_reset();
	if (arch)
		fake_set_arch(arch_by_name(arch), debug2);
	f->mem = g_malloc(MEM_SIZE);
	for (size_t i = 0; i < MEM_SIZE; i++)
		f->mem[i] = (uint8_t)(i * 37 + 11);
	f->orig = g_memdup2(f->mem, MEM_SIZE);
	for (int i = 0; i < 3; i++)
		f->run[i] = fake_run_new();
}

static void fix_vm(struct fix *f, bool regions)
{
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	if (regions)
		g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==, 0);
}

/* What fix_init() allocated; after kvmdbg_vm_free(), which still writes guest memory. */
static void fix_fini(struct fix *f)
{
	for (int i = 0; i < 3; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->orig);
}

static void fix_vcpu(struct fix *f, int i)
{
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, VCPU_FD + i, f->run[i], &f->vcpu[i]), ==, 0);
}

/* ------------------------------------------------------------ 3. s390 failed insert enables cap */

static void test_s390_failed_insert_enables_cap(void)
{
	struct fix fx, *f = &fx;

	fix_init(f, "s390x", 0x10003);
	fake_set_cap(CAP_S390_USER_INSTR0, 1);
	fix_vm(f, true);
	fix_vcpu(f, 0);
	fake_log_clear();
	/* an address that translates (identity) but is not guest RAM */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, 0x900000, 0, 0, NULL, NULL),
			==, -EFAULT);
	/* "A call that fails changes nothing": yet the VM now has KVM_CAP_S390_USER_INSTR0 on */
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	kvmdbg_vm_free(f->vm);
	fix_fini(f);
}

/* ------------------------------------------------------------ 4. s390 DIAG overlap */

static void test_s390_diag_overlap(void)
{
	struct fix fx, *f = &fx;
	uint64_t a = MEM_GPA + 0x100;

	fix_init(f, "s390x", 0x10003); /* no USER_INSTR0: the 4-byte DIAG 0x501 */
	fix_vm(f, true);
	fix_vcpu(f, 0);
	/* two consecutive instructions, a 2-byte one at a and the next at a + 2 */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	int r0 = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a + 2, 0, 0, NULL, NULL);
	/* refusing the overlap (-EEXIST) is a fix too */
	g_assert_true(r0 == 0 || r0 == -EEXIST);
	int r1 = kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a);
	int r2 = kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a + 2);
	g_test_message("remove a: %d, remove a+2: %d", r1, r2);
	g_test_message("mem %02x %02x %02x %02x %02x %02x, orig %02x %02x %02x %02x %02x %02x",
		       f->mem[0x100], f->mem[0x101], f->mem[0x102], f->mem[0x103], f->mem[0x104],
		       f->mem[0x105], f->orig[0x100], f->orig[0x101], f->orig[0x102],
		       f->orig[0x103], f->orig[0x104], f->orig[0x105]);
	/* the guest never wrote anything: both must be 0 and memory byte-identical */
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	g_assert_cmpint(r1, ==, 0);
	kvmdbg_vm_free(f->vm);
	fix_fini(f);
}

/* ------------------------------------------------------------ 8. HW slot reused: misattributed */

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/regress/s390-failed-insert-enables-cap", test_s390_failed_insert_enables_cap);
	g_test_add_func("/kvmdbg/unit/regress/s390-diag-overlap", test_s390_diag_overlap);
	return g_test_run();
}
