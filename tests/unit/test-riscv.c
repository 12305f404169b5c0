// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The riscv64 backend against golden images written byte by byte, little-endian, from the
 * uapi layout (arch/riscv/include/uapi/asm/kvm.h, Linux 6.9 and later):
 *   struct kvm_guest_debug (8): u32 control, u32 pad; struct kvm_guest_debug_arch is empty
 *   control: only KVM_GUESTDBG_ENABLE 0x1 means anything
 *   struct kvm_run (2352): u32 exit_reason @8 (KVM_EXIT_DEBUG 4); the debug exit is empty
 *   ebreak 0x00100073 (4 bytes), c.ebreak 0x9002 (2 bytes); a 32-bit instruction has 0b11 in
 *   its lowest two bits.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "golden.h"

#define ARCH (&arch_riscv64)

static void test_description(void)
{
	static const uint8_t ebreak[4] = { 0x73, 0x00, 0x10, 0x00 };
	static const uint8_t c_ebreak[2] = { 0x02, 0x90 };

	g_assert_cmpstr(ARCH->name, ==, "riscv64");
	g_assert_true(arch_by_name("riscv64") == ARCH);
	g_assert_false(ARCH->big_endian);
	g_assert_cmpuint(ARCH->guest_debug_size, ==, 8);
	g_assert_cmpuint(ARCH->run_size, ==, 2352);
	g_assert_cmpuint(ARCH->aux_size, ==, 0);
	g_assert_cmpuint(ARCH->slots[BANK_BP], ==, 0);
	g_assert_cmpuint(ARCH->slots[BANK_WP], ==, 0);
	g_assert_cmphex(ARCH->legacy_mask, ==, 0x1);
	g_assert_cmpuint(ARCH->sw_insn_len, ==, 4);
	g_assert_cmpmem(ARCH->sw_insn, 4, ebreak, 4);
	g_assert_cmpuint(ARCH->sw_insn_alt_len, ==, 2);
	g_assert_cmpmem(ARCH->sw_insn_alt, 2, c_ebreak, 2);
	g_assert_cmpuint(ARCH->alt_insn_cap, ==, 0);
	g_assert_nonnull(ARCH->pick_alt_insn);
	/* KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | CORE_REG(regs.pc), 0 */
	g_assert_cmphex(ARCH->pc_reg, ==, 0x8030000002000000ull);
	g_assert_false(ARCH->pc_from_regs);
	g_assert_false(arch_has_quirk(ARCH, QUIRK_KVM_TRANSLATE));
#if defined(__riscv)
	g_assert_true(arch_native() == ARCH);
#endif
}

static void test_control(void)
{
	/* SINGLESTEP is never in the mask (0x1), so it is never sent */
	g_assert_cmphex(arch_control(ARCH, 0), ==, 0);
	g_assert_cmphex(arch_control(ARCH, REQ_SW_BP), ==, 0);
	g_assert_cmphex(arch_control(ARCH, REQ_ENABLE), ==, 0x1);
	g_assert_cmphex(arch_control(ARCH, REQ_ENABLE | REQ_SW_BP), ==, 0x1);
	g_assert_cmphex(arch_control(ARCH, REQ_ENABLE | REQ_STEP), ==, 0x3);
	g_assert_cmphex(arch_control(ARCH, REQ_ENABLE | REQ_HW | REQ_INJECT_BP |
				      REQ_INJECT_DB | REQ_BLOCK_IRQ), ==, 0x1);
}

static void test_pack(void)
{
	static const uint8_t enable[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t off[8];
	struct debug_state st;
	uint8_t out[8];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_SW_BP;
	golden_pack(ARCH, &st, 0x1, 0, out, NULL);
	assert_bytes(out, enable, 8);
	golden_pack(ARCH, &st, 0, 0, out, NULL);
	assert_bytes(out, off, 8);
}

static void test_validate(void)
{
	static const uint64_t lens[7] = { 0, 1, 2, 3, 4, 8, 16 };
	static const int sw_even[7] = { 0, 0, 0, -EINVAL, 0, -EINVAL, -EINVAL };
	const int odd = -EINVAL;

	for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
		g_test_message("len %" G_GUINT64_FORMAT, lens[l]);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0x80200000, lens[l]), ==,
				sw_even[l]);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0x80200002, lens[l]), ==,
				sw_even[l]);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0x80200001, lens[l]), ==,
				odd);
		/* no hardware points at all */
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_HW_BREAK, 0x80200000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_READ, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_ACCESS, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate((enum kvmdbg_point_type)5, 0x1000, lens[l]), ==,
				-EINVAL);
	}
}

static void test_pick(void)
{
	/* the lowest byte of the instruction decides: 0b11 in bits 1:0 is a 32-bit one */
	static const struct {
		uint8_t site[2];
		bool alt;
	} table[] = {
		{ { 0x13, 0x05 }, false }, /* addi (0x00000513...) */
		{ { 0x73, 0x00 }, false }, /* ebreak itself */
		{ { 0xef, 0x00 }, false }, /* jal */
		{ { 0x05, 0x45 }, true },  /* c.li a0, 1 (0x4505) */
		{ { 0x82, 0x80 }, true },  /* c.ret (0x8082) */
		{ { 0x02, 0x90 }, true },  /* c.ebreak */
		{ { 0x01, 0x00 }, true },  /* c.nop */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		g_test_message("%02x %02x", table[i].site[0], table[i].site[1]);
		g_assert_cmpint(ARCH->pick_alt_insn(table[i].site), ==, table[i].alt);
	}
}

static void test_decode(void)
{
	struct arch_exit e;

	/* every KVM_EXIT_DEBUG is an ebreak; the pc comes from ONE_REG */
	g_assert_true(golden_decode(ARCH, golden_run(4, false), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_false(e.has_pc);
	g_assert_false(e.has_exception);
	g_assert_false(e.has_status);
	g_assert_false(e.has_data_addr);
	g_assert_false(e.intercept);
	g_assert_false(e.foreign_insn);

	g_assert_false(golden_decode(ARCH, golden_run(2, false), &e));
	g_assert_false(golden_decode(ARCH, golden_run(4, true), &e));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/riscv/description", test_description);
	g_test_add_func("/kvmdbg/unit/riscv/control", test_control);
	g_test_add_func("/kvmdbg/unit/riscv/pack", test_pack);
	g_test_add_func("/kvmdbg/unit/riscv/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/riscv/pick-insn", test_pick);
	g_test_add_func("/kvmdbg/unit/riscv/decode", test_decode);

	return g_test_run();
}
