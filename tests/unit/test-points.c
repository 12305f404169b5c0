// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Points: insertion into guest memory and hardware slots, one-shots, re-arming, capabilities,
 * over the fake kernel edge (fixture.h).  Regression tests name what broke.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fixture.h"

/* ------------------------------------------------------------------------------------------ */
/* Regression: a software breakpoint whose instruction crosses a page boundary */

#define PAGE 0x1000ull

/* Guest pages in reverse order: virtual page k of the RAM is physical page 15 - k. */
static int translate_reversed(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t off = gva - FX_GPA;

	(void)user_data;
	if (off >= FX_SIZE)
		return -EFAULT;
	*ret_gpa = FX_GPA + (15 - off / PAGE) * PAGE + off % PAGE;
	return 0;
}

/* Virtual page 2 does not translate. */
static int translate_hole(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	if (gva - FX_GPA >= 2 * PAGE && gva - FX_GPA < 3 * PAGE)
		return -EFAULT;
	return translate_reversed(user_data, gva, ret_gpa);
}

static void assert_ram_is(struct fx *f, const uint8_t *expected)
{
	for (size_t i = 0; i < FX_SIZE; i++)
		if (f->mem[i] != expected[i])
			g_error("guest RAM differs at gpa 0x%" G_GINT64_MODIFIER "x: %02x, not %02x",
				(guint64)(FX_GPA + i), f->mem[i], expected[i]);
}

/*
 * s390's DIAG 0x501 (4 bytes) at the last halfword of a page, and riscv's 4-byte ebreak there:
 * each half goes to the physical page its virtual page maps to.  The second half was written
 * onto the physical page after the first one: unrelated memory, silently corrupted.
 */
static void page_cross(const char *arch, const uint8_t insn[4], uint8_t site0)
{
	const uint64_t a = FX_GPA + PAGE + PAGE - 2; /* virtual page 1, its last halfword */
	const uint64_t first = FX_GPA + 14 * PAGE + PAGE - 2, second = FX_GPA + 13 * PAGE;
	uint8_t *expected;
	struct fx f;

	fx_init(&f, arch, 0, 1);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_reversed, NULL), ==,
			0);
	*fx_mem(&f, first) = site0; /* riscv: a 32-bit instruction there */
	expected = g_memdup2(f.mem, FX_SIZE);
	memcpy(expected + (first - FX_GPA), insn, 2);
	memcpy(expected + (second - FX_GPA), insn + 2, 2);

	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	assert_ram_is(&f, expected);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_free(expected);
	expected = g_memdup2(f.orig, FX_SIZE);
	expected[first - FX_GPA] = site0;
	assert_ram_is(&f, expected);

	/* the second page does not translate: refused, nothing written */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_hole, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EFAULT);
	assert_ram_is(&f, expected);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_free(expected);
	fx_fini(&f);
}

static void test_s390_diag_page_cross(void)
{
	static const uint8_t diag[4] = { 0x83, 0x00, 0x05, 0x01 };

	page_cross("s390x", diag, 0x07);
}

static void test_riscv_ebreak_page_cross(void)
{
	static const uint8_t ebreak[4] = { 0x73, 0x00, 0x10, 0x00 };

	page_cross("riscv64", ebreak, 0x13);
}

/* ------------------------------------------------------------------------------------------ */
/* Regression: s390 KVM_CAP_S390_USER_INSTR0 enabled by an insert that then fails */

static int write_fails(void *user_data, uint64_t gpa, const void *buf, size_t len)
{
	(void)user_data;
	(void)gpa;
	(void)buf;
	(void)len;
	return -EIO;
}

static int read_mem(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct fx *f = user_data;

	memcpy(buf, fx_mem(f, gpa), len);
	return 0;
}

static int translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva;
	return 0;
}

/*
 * The capability cannot be switched off again (it changes what the guest's 0x0000 does for the
 * rest of the VM's life): a failing insert must leave it alone.
 */
static void test_s390_failed_insert_keeps_cap_off(void)
{
	struct fx f;

	fx_init_bare(&f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, read_mem, write_fails, translate_identity,
						 &f), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0, NULL,
					 NULL), ==, -EIO);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* writable: the insert enables it and writes the 2-byte 0x0000 */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 1);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x100)), ==, 0);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x101)), ==, 0);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x102)), ==, f.orig[0x102]);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/points/regress/s390-diag-page-cross",
			test_s390_diag_page_cross);
	g_test_add_func("/kvmdbg/unit/points/regress/riscv-ebreak-page-cross",
			test_riscv_ebreak_page_cross);
	g_test_add_func("/kvmdbg/unit/points/regress/s390-failed-insert-keeps-cap-off",
			test_s390_failed_insert_keeps_cap_off);
	return g_test_run();
}
