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

/* ------------------------------------------------------------------------------------------ */
/* Regression: kvmdbg_vm_mark_all_armed() and fired hardware one-shots */

/*
 * A snapshot restore puts guest memory back, but a hardware one-shot lives in a slot, not in
 * memory: after mark_all_armed() it must be armed again too, or the restored run never sees it.
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

/* ------------------------------------------------------------------------------------------ */
/* Regression: s390's KVM_CAP_SET_GUEST_DEBUG2 mask includes a bit the ioctl refuses */


/*
 * Regression (found by fuzz-api): a snapshot restored while a vCPU was stepping over a
 * breakpoint puts the breakpoint instruction back where the step-over had taken it out;
 * mark_all_armed() skipped that point, and its removal, believing the original bytes were in
 * memory, left the instruction there for good.
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

/* The same, the step ending before the removal: the breakpoint is in memory, and stays. */
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
	g_test_add_func("/kvmdbg/unit/points/regress/s390-diag-page-cross",
			test_s390_diag_page_cross);
	g_test_add_func("/kvmdbg/unit/points/regress/riscv-ebreak-page-cross",
			test_riscv_ebreak_page_cross);
	g_test_add_func("/kvmdbg/unit/points/regress/s390-failed-insert-keeps-cap-off",
			test_s390_failed_insert_keeps_cap_off);
	g_test_add_func("/kvmdbg/unit/points/regress/mark-all-armed-hw-oneshot",
			test_mark_all_armed_hw_oneshot);
	g_test_add_func("/kvmdbg/unit/points/regress/restore-while-stepping",
			test_restore_while_stepping);
	g_test_add_func("/kvmdbg/unit/points/regress/restore-while-stepping-then-step",
			test_restore_while_stepping_then_step);
	return g_test_run();
}
