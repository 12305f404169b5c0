/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite on arm64: the default address translation, the library's stage-1 walk over the
 * registers of a real vCPU, against what the CPU does.
 *
 * The guest gets translation tables in its RAM and its MMU turned on from the host: MAIR_EL1,
 * TCR_EL1, TTBR0_EL1 and SCTLR_EL1.M written with KVM_SET_ONE_REG before it runs, so no guest
 * code has to enable anything.  4 KiB granule, 39-bit VAs from TTBR0 (TTBR1 off, EPD1):
 *   RG_MEM_BASE's gigabyte   identity, one 1 GiB block, Normal memory (RAM, vectors, data)
 *   RG_MMIO's 2 MiB          identity, a block of Device memory (the programs' MMIO stores)
 *   AT_CODE_VA               a 4 KiB page at AT_CODE_PA, far from it (and AT_CODE_VA is no RAM)
 * Every descriptor has its Access flag set already (TCR_EL1.HA is off: the CPU would fault
 * otherwise), so nothing the CPU does changes the tables either.  A program copied to
 * AT_CODE_PA and run at AT_CODE_VA proves that the walk matches the CPU: a breakpoint inserted
 * there without a translate callback fires at the virtual pc, and a write through the walk
 * changes what the vCPU executes.
 */
#include <sys/ioctl.h>

#include "rtest.h"

#if !defined(__aarch64__)
#error "arm64 only"
#endif

#define AT_L1 (RG_MEM_BASE + 0x100000)
#define AT_L2 (RG_MEM_BASE + 0x101000)
#define AT_L3 (RG_MEM_BASE + 0x102000)
#define AT_CODE_PA (RG_MEM_BASE + 0x110000)
#define AT_CODE_VA 0x20001000ull /* L1[0] L2[256] L3[1] */

#define REG_SCTLR_EL1 ARM64_SYS_REG(3, 0, 1, 0, 0)
#define REG_TTBR0_EL1 ARM64_SYS_REG(3, 0, 2, 0, 0)
#define REG_TCR_EL1 ARM64_SYS_REG(3, 0, 2, 0, 2)
#define REG_MAIR_EL1 ARM64_SYS_REG(3, 0, 10, 2, 0)

/* MAIR_EL1: Attr0 Normal write-back, Attr1 Device-nGnRnE */
#define MAIR 0x00ffull
/* T0SZ 25, IRGN0/ORGN0 write-back, SH0 inner, TG0 4K, EPD1, TG1 4K, IPS 40 bits */
#define TCR (25ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 23 | 2ull << 30 | 2ull << 32)

#define D_TABLE 0x3ull
#define D_BLOCK 0x1ull
#define D_PAGE 0x3ull
#define D_NORMAL (0ull << 2 | 3ull << 8) /* AttrIndx 0, inner shareable */
#define D_DEVICE (1ull << 2)
#define D_AF (1ull << 10)

static void put64(struct kc_test *t, uint64_t gpa, uint64_t v)
{
	memcpy(kc_mem(&t->g, gpa), &v, sizeof(v));
}

static uint64_t code_va(const struct rg_prog *prog, unsigned int label)
{
	return AT_CODE_VA + prog->offs[label];
}

static uint64_t code_pa(const struct rg_prog *prog, unsigned int label)
{
	return AT_CODE_PA + prog->offs[label];
}

static void build_tables(struct kc_test *t)
{
	put64(t, AT_L1 + 0 * 8, AT_L2 | D_TABLE);
	put64(t, AT_L1 + (RG_MEM_BASE >> 30) * 8,
	      (RG_MEM_BASE & ~0x3fffffffull) | D_AF | D_NORMAL | D_BLOCK);
	put64(t, AT_L2 + ((RG_MMIO >> 21) & 0x1ff) * 8,
	      (RG_MMIO & ~0x1fffffull) | D_AF | D_DEVICE | D_BLOCK);
	put64(t, AT_L2 + ((AT_CODE_VA >> 21) & 0x1ff) * 8, AT_L3 | D_TABLE);
	put64(t, AT_L3 + ((AT_CODE_VA >> 12) & 0x1ff) * 8, AT_CODE_PA | D_AF | D_NORMAL | D_PAGE);
}

/* The MMU on, from the host. */
static void mmu_on(struct kc_test *t, unsigned int i)
{
	uint64_t sctlr = 0;

	g_assert_cmpint(rg_set_one_reg(&t->g, i, REG_MAIR_EL1, MAIR), ==, 0);
	g_assert_cmpint(rg_set_one_reg(&t->g, i, REG_TCR_EL1, TCR), ==, 0);
	g_assert_cmpint(rg_set_one_reg(&t->g, i, REG_TTBR0_EL1, AT_L1), ==, 0);
	g_assert_cmpint(rg_get_one_reg(&t->g, i, REG_SCTLR_EL1, &sctlr), ==, 0);
	g_assert_cmpint(rg_set_one_reg(&t->g, i, REG_SCTLR_EL1, sctlr | 1), ==, 0);
}

/* The bp program at AT_CODE_VA, vCPU 0 about to run it with the MMU on, no translate callback. */
static void start_at_va(struct kc_test *t, const struct rg_prog *prog)
{
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t->vm, NULL, NULL, NULL, NULL), ==, 0);
	build_tables(t);
	memcpy(kc_mem(&t->g, AT_CODE_PA), prog->start, rg_prog_size(prog));
	g_assert_cmpint(rg_enter(&t->g, 0, code_va(prog, BP_START)), ==, 0);
	mmu_on(t, 0);
}

static uint64_t translate_ok(struct kc_test *t, uint64_t va)
{
	uint64_t gpa = ~0ull;

	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, va, &gpa), ==, 0);
	return gpa;
}

/*
 * The walk follows SCTLR_EL1.M: the identity while the MMU is off, the tables once it is on;
 * unmapped addresses are -EFAULT; and it leaves the tables byte for byte as they were.
 */
static void test_walk(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	g_autofree uint8_t *snap = NULL;
	enum kvmdbg_translation how;
	uint64_t gpa = ~0ull;

	KC_REQUIRE(t);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t->vm, NULL, NULL, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_default_translation(t->vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_WALK);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t->vm, KVMDBG_TRANSLATION_KVM), ==,
			-EOPNOTSUPP);
	build_tables(t);
	memcpy(kc_mem(&t->g, AT_CODE_PA), prog->start, rg_prog_size(prog));
	g_assert_cmpint(rg_enter(&t->g, 0, code_va(prog, BP_START)), ==, 0);

	/* the MMU off, as KVM_ARM_VCPU_INIT leaves it */
	g_assert_cmphex(translate_ok(t, AT_CODE_VA + 0x10), ==, AT_CODE_VA + 0x10);
	g_assert_cmphex(translate_ok(t, RG_CODE), ==, RG_CODE);

	mmu_on(t, 0);
	snap = rt_snapshot(t);
	g_assert_cmphex(translate_ok(t, code_va(prog, BP_INNER)), ==, code_pa(prog, BP_INNER));
	g_assert_cmphex(translate_ok(t, AT_CODE_VA + 0xffc), ==, AT_CODE_PA + 0xffc);
	g_assert_cmphex(translate_ok(t, RG_CODE + 4), ==, RG_CODE + 4);
	g_assert_cmphex(translate_ok(t, RG_MMIO + RG_PORT_DONE), ==, RG_MMIO + RG_PORT_DONE);
	/* L3[2], L2[257], L1[2]: empty; the TTBR1 half: off */
	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, AT_CODE_VA + 0x1000, &gpa), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, AT_CODE_VA + 0x200000, &gpa), ==,
			-EFAULT);
	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, 0x80000000, &gpa), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, 0xffffff8000000000ull, &gpa), ==,
			-EFAULT);
	/* beyond the 39-bit range of TTBR0 */
	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, 1ull << 39, &gpa), ==, -EFAULT);
	g_assert_cmphex(gpa, ==, ~0ull);
	kc_assert_mem(t, RG_MEM_BASE, snap, RG_MEM_SIZE);

	/* and the CPU agrees: the program runs at AT_CODE_VA to its end */
	for (int pass = 0; pass < BP_PASSES; pass++)
		rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * BP_INNER_COUNT);
	(void)rt_mmio_completed(t, 0, code_va(prog, BP_DONE), code_va(prog, BP_DONE) + 4);
}

/*
 * A software breakpoint at the virtual pc, inserted with no translate callback: BRK #0 goes to
 * the physical page the walk found (every other byte of RAM unchanged), and the vCPU stops on
 * it at the virtual pc, every pass; removed, the program's own word is back.
 */
static void test_sw_at_virtual(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	g_autofree uint8_t *expect = NULL;
	const struct kvmdbg_event *ev;
	uint32_t insn = 0xd4200000u;
	uint64_t p, at;

	KC_REQUIRE(t);
	start_at_va(t, prog);
	at = code_va(prog, BP_PASS);
	expect = rt_snapshot(t);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, at, 4, 0, NULL, &p), ==, 0);
	memcpy(expect + (code_pa(prog, BP_PASS) - RG_MEM_BASE), &insn, 4);
	kc_assert_mem(t, RG_MEM_BASE, expect, RG_MEM_SIZE);
	if (!rt_require_sw_breakpoints(t))
		return;

	for (int pass = 0; pass < BP_PASSES; pass++) {
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, at);
		g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, p);
		rt_assert_raw(ev, RT_EC_BRK64, 0xffff, 0);
		rt_expect_mmio(t, 0, RG_PORT_PASS);
	}
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, at), ==, 0);
	kc_assert_mem(t, AT_CODE_PA, prog->start, rg_prog_size(prog));
}

/* A hardware breakpoint at the virtual pc (arm64 compares virtual addresses). */
static void test_hw_at_virtual(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	const struct kvmdbg_event *ev;
	uint64_t p;

	KC_REQUIRE(t);
	start_at_va(t, prog);
	if (!rt_require_hw_breakpoints(t))
		return;
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, code_va(prog, BP_INNER2), 4,
					 0, NULL, &p), ==, 0);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, code_va(prog, BP_INNER2));
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, p);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, 1);
}

/*
 * A write through the walk lands where the vCPU fetches: the inner loop's count ("mov w1, #5",
 * a MOVZ with its immediate in bits 20:5) becomes 7, and the guest ends with w0 = 2 * 7.
 */
static void test_write_at_virtual(struct kc_test *t, const void *data)
{
	const struct rg_prog *prog = &prog_bp;
	uint32_t insn = 0, want;

	KC_REQUIRE(t);
	start_at_va(t, prog);
	g_assert_cmpint(kvmdbg_vm_read_memory(t->vm, NULL, code_va(prog, BP_OUTER), &insn, 4), ==,
			0);
	g_assert_cmphex(insn, ==, rt_word(t, code_pa(prog, BP_OUTER)));
	g_assert_cmphex((insn >> 5) & 0xffff, ==, BP_INNER_COUNT);
	want = (insn & ~(0xffffu << 5)) | 7u << 5;
	g_assert_cmpint(kvmdbg_vm_write_memory(t->vm, NULL, code_va(prog, BP_OUTER), &want, 4), ==,
			0);
	g_assert_cmphex(rt_word(t, code_pa(prog, BP_OUTER)), ==, want);

	for (int pass = 0; pass < BP_PASSES; pass++)
		rt_expect_mmio(t, 0, RG_PORT_PASS);
	rt_expect_mmio(t, 0, RG_PORT_DONE);
	g_assert_cmphex(rt_gpr(t, 0, PROG_R0), ==, BP_PASSES * 7);
}

int main(int argc, char **argv)
{
	rt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/translate/walk", struct kc_test, NULL, kc_setup1, test_walk,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/sw-bp-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_sw_at_virtual, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/hw-bp-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_hw_at_virtual, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/write-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_write_at_virtual, kc_teardown);
	return g_test_run();
}
