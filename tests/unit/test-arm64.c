// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The arm64 backend against golden images written byte by byte, little-endian, from the uapi
 * layout (arch/arm64/include/uapi/asm/kvm.h) and the Arm ARM's debug registers:
 *   struct kvm_guest_debug (520): u32 control, u32 pad, u64 dbg_bcr[16] @8, dbg_bvr[16] @136,
 *     dbg_wcr[16] @264, dbg_wvr[16] @392
 *   control: ENABLE 0x1, SINGLESTEP 0x2, USE_SW_BP 0x10000, USE_HW 0x20000
 *   DBGBCR: E bit 0, PMC bits 2:1, BAS bits 8:5 -> execute breakpoint 0x1e7
 *   DBGWCR: E bit 0, PAC bits 2:1 (0b11), LSC bits 4:3 (1 load, 2 store, 3 both), BAS 12:5
 *   DBGWVR: the doubleword-aligned address; BAS selects bytes of that doubleword
 *   struct kvm_run (2352): u32 exit_reason @8, u16 flags @14 (1: hsr_high valid),
 *     debug.arch @32 { u32 hsr; u32 hsr_high; u64 far }
 *   ESR.EC (hsr bits 31:26): 0x30 breakpoint, 0x32 step, 0x34 watchpoint, 0x38 BKPT (A32),
 *   0x3c BRK (A64, ISS = the immediate); ISS.WnR bit 6 on a watchpoint: a write.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "golden.h"

#define ARCH (&arch_aarch64)

static const uint8_t zero[520];

static void test_description(void)
{
	static const uint8_t brk0[4] = { 0x00, 0x00, 0x20, 0xd4 }; /* 0xd4200000 */

	g_assert_cmpstr(ARCH->name, ==, "aarch64");
	g_assert_true(arch_by_name("aarch64") == ARCH);
	g_assert_false(ARCH->big_endian);
	g_assert_cmpuint(ARCH->guest_debug_size, ==, 520);
	g_assert_cmpuint(ARCH->run_size, ==, 2352);
	g_assert_cmpuint(ARCH->aux_size, ==, 0);
	/* at most 16 each; the kernel says how many (KVM_CAP_GUEST_DEBUG_HW_BPS 119, _WPS 120) */
	g_assert_cmpuint(ARCH->slots[BANK_BP], ==, 16);
	g_assert_cmpuint(ARCH->slots[BANK_WP], ==, 16);
	g_assert_cmpuint(ARCH->slot_caps[BANK_BP], ==, 119);
	g_assert_cmpuint(ARCH->slot_caps[BANK_WP], ==, 120);
	g_assert_false(ARCH->shared_slots);
	g_assert_cmphex(ARCH->legacy_mask, ==, 0x30003);
	g_assert_cmpuint(ARCH->sw_insn_len, ==, 4);
	g_assert_cmpmem(ARCH->sw_insn, 4, brk0, 4);
	/* KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | offsetof(regs.pc) / 4 */
	g_assert_cmphex(ARCH->pc_reg, ==, 0x6030000000100040ull);
	g_assert_false(ARCH->pc_from_regs);
	g_assert_false(arch_has_quirk(ARCH, QUIRK_KVM_TRANSLATE));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_FAILED_SET_DISABLES));
#if defined(__aarch64__)
	g_assert_true(arch_native() == ARCH);
#endif
}

static void test_control(void)
{
	static const struct {
		uint32_t req;
		uint32_t control;
	} table[] = {
		{ 0, 0 },
		{ REQ_STEP | REQ_HW, 0 },
		{ REQ_ENABLE, 0x00000001 },
		{ REQ_ENABLE | REQ_STEP, 0x00000003 },
		{ REQ_ENABLE | REQ_SW_BP, 0x00010001 },
		{ REQ_ENABLE | REQ_HW, 0x00020001 },
		{ REQ_ENABLE | REQ_SW_BP | REQ_HW | REQ_STEP,
		  0x00030003 },
		/* no inject, no interrupt blocking on arm64 */
		{ REQ_ENABLE | REQ_INJECT_BP | REQ_INJECT_DB |
			  REQ_BLOCK_IRQ, 0x00000001 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		g_test_message("req 0x%x", table[i].req);
		g_assert_cmphex(arch_control(ARCH, table[i].req), ==, table[i].control);
	}
}

static void test_pack_breakpoints(void)
{
	static const uint8_t head[8] = { 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bcr[8] = { 0xe7, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bvr0[8] = { 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bvr15[8] = { 0xfc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct debug_state st;
	uint8_t out[520], expected[520];

	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x400000, 1, 0);
	golden_slot(&st, BANK_BP, 15, SLOT_EXEC, 0xfffffffffffffffcull, 1, 0);
	golden_pack(ARCH, &st, 0x20001, 0, out, NULL);

	memset(expected, 0, sizeof(expected));
	memcpy(expected, head, 8);
	memcpy(expected + 8, bcr, 8);        /* dbg_bcr[0] */
	memcpy(expected + 8 + 120, bcr, 8);  /* dbg_bcr[15] */
	memcpy(expected + 136, bvr0, 8);     /* dbg_bvr[0] */
	memcpy(expected + 136 + 120, bvr15, 8); /* dbg_bvr[15] */
	assert_bytes(out, expected, 520);
}

static void test_pack_watchpoints(void)
{
	static const uint8_t head[8] = { 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* write, 1 byte at 0x1003: 1 | 3 << 1 | 2 << 3 | 0x08 << 5 = 0x117 */
	static const uint8_t wcr0[8] = { 0x17, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t wvr0[8] = { 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* read, 8 bytes at 0x2000: 1 | 6 | 1 << 3 | 0xff << 5 = 0x1fef */
	static const uint8_t wcr1[8] = { 0xef, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t wvr1[8] = { 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* access, 2 bytes at 0x3006: 1 | 6 | 3 << 3 | 0xc0 << 5 = 0x181f */
	static const uint8_t wcr2[8] = { 0x1f, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t wvr2[8] = { 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	/* access, 4 bytes at 0xffff800000004004 in slot 15: BAS 0xf0 -> 0x1e1f */
	static const uint8_t wcr15[8] = { 0x1f, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t wvr15[8] = { 0x00, 0x40, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff };
	/* execute breakpoint alongside, in slot 3 */
	static const uint8_t bcr3[8] = { 0xe7, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bvr3[8] = { 0x10, 0x32, 0x54, 0x76, 0x00, 0x00, 0x00, 0x00 };
	struct debug_state st;
	uint8_t out[520], expected[520];

	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_WP, 0, SLOT_WRITE, 0x1003, 1, 0);
	golden_slot(&st, BANK_WP, 1, SLOT_READ, 0x2000, 8, 0);
	golden_slot(&st, BANK_WP, 2, SLOT_ACCESS, 0x3006, 2, 0);
	golden_slot(&st, BANK_WP, 15, SLOT_ACCESS, 0xffff800000004004ull, 4, 0);
	golden_slot(&st, BANK_BP, 3, SLOT_EXEC, 0x76543210, 1, 0);
	golden_pack(ARCH, &st, 0x30003, 0, out, NULL);

	memset(expected, 0, sizeof(expected));
	memcpy(expected, head, 8);
	memcpy(expected + 8 + 3 * 8, bcr3, 8);
	memcpy(expected + 136 + 3 * 8, bvr3, 8);
	memcpy(expected + 264, wcr0, 8);
	memcpy(expected + 264 + 8, wcr1, 8);
	memcpy(expected + 264 + 16, wcr2, 8);
	memcpy(expected + 264 + 120, wcr15, 8);
	memcpy(expected + 392, wvr0, 8);
	memcpy(expected + 392 + 8, wvr1, 8);
	memcpy(expected + 392 + 16, wvr2, 8);
	memcpy(expected + 392 + 120, wvr15, 8);
	assert_bytes(out, expected, 520);
}

static void test_pack_every_length(void)
{
	/*
	 * Every length 1..8 at every offset of the doubleword that fits, for each access kind:
	 * DBGWCR low 16 bits = 0x7 | LSC << 3 | BAS << 5 with BAS = len ones from bit off.
	 */
	static const struct {
		enum slot_kind kind;
		unsigned int lsc;
	} kinds[] = {
		{ SLOT_READ, 1 },
		{ SLOT_WRITE, 2 },
		{ SLOT_ACCESS, 3 },
	};

	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		for (unsigned int len = 1; len <= 8; len++) {
			for (unsigned int off = 0; off + len <= 8; off++) {
				struct debug_state st;
				uint8_t out[520], expected[520];
				unsigned int bas = ((1u << len) - 1) << off;
				unsigned int wcr = 0x7 | kinds[k].lsc << 3 | bas << 5;
				unsigned int n = (len + off) % 16;

				memset(&st, 0, sizeof(st));
				golden_slot(&st, BANK_WP, n, kinds[k].kind,
					    0x123456780ull + off, len, 0);
				golden_pack(ARCH, &st, 0x20001, 0, out, NULL);
				memset(expected, 0, sizeof(expected));
				expected[0] = 0x01;
				expected[2] = 0x02;
				expected[264 + 8 * n] = (uint8_t)wcr;
				expected[264 + 8 * n + 1] = (uint8_t)(wcr >> 8);
				/* DBGWVR: 0x123456780, little-endian */
				expected[392 + 8 * n] = 0x80;
				expected[392 + 8 * n + 1] = 0x67;
				expected[392 + 8 * n + 2] = 0x45;
				expected[392 + 8 * n + 3] = 0x23;
				expected[392 + 8 * n + 4] = 0x01;
				g_test_message("kind %d len %u off %u slot %u", kinds[k].kind, len,
					       off, n);
				assert_bytes(out, expected, 520);
			}
		}
	}
}

static void test_pack_no_hw(void)
{
	static const uint8_t head[8] = { 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct debug_state st;
	uint8_t out[520];

	/* slots are written only with USE_HW */
	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x400000, 1, 0);
	golden_slot(&st, BANK_WP, 0, SLOT_WRITE, 0x1000, 8, 0);
	golden_pack(ARCH, &st, 0x10003, 0, out, NULL);
	assert_bytes(out, head, 8);
	assert_bytes(out + 8, zero, 512);
	golden_pack(ARCH, &st, 0, 0, out, NULL);
	assert_bytes(out, zero, 520);
}

#define E (-EINVAL)

static void test_validate(void)
{
	static const uint64_t lens[11] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16 };
	static const struct {
		int type;
		uint64_t addr;
		int expected[11];
	} table[] = {
		/* breakpoints: 0, 1 or 4 (gdb's kind), word-aligned */
		{ KVMDBG_POINT_SW_BREAK, 0x1000, { 0, 0, E, E, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1002, { E, E, E, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1004, { 0, 0, E, E, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1001, { E, E, E, E, E, E, E, E, E, E, E } },
		/* watchpoints: 1..8 bytes inside one doubleword, any kind */
		{ KVMDBG_POINT_WATCH_WRITE, 0x1000, { E, 0, 0, 0, 0, 0, 0, 0, 0, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1001, { E, 0, 0, 0, 0, 0, 0, 0, E, E, E } },
		{ KVMDBG_POINT_WATCH_READ, 0x1004, { E, 0, 0, 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_READ, 0x1007, { E, 0, E, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1006, { E, 0, 0, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1008, { E, 0, 0, 0, 0, 0, 0, 0, 0, E, E } },
		{ 5, 0x1000, { E, E, E, E, E, E, E, E, E, E, E } },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
			int ret = ARCH->validate((enum kvmdbg_point_type)table[i].type,
						 table[i].addr, lens[l]);

			if (ret != table[i].expected[l])
				g_test_message("type %d addr 0x%" G_GINT64_MODIFIER
					       "x len %" G_GUINT64_FORMAT,
					       table[i].type, table[i].addr, lens[l]);
			g_assert_cmpint(ret, ==, table[i].expected[l]);
		}
	}
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0, 0x100000001ull), ==, E);
}

#undef E

/* ---- decode ---- */

static uint8_t *debug_run(uint32_t hsr, uint32_t hsr_high, uint64_t far, uint16_t flags)
{
	uint8_t *run = golden_run(4, false);

	golden_put(run + 14, flags, 2, false);
	golden_put(run + 32, hsr, 4, false);
	golden_put(run + 36, hsr_high, 4, false);
	golden_put(run + 40, far, 8, false);
	return run;
}

static void test_decode_breakpoint(void)
{
	struct arch_exit e;

	/* EC 0x30, IL: the pc is read afterwards, the slot found by it */
	g_assert_true(golden_decode(ARCH, debug_run(0xc2000000, 0, 0x1111, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
	g_assert_cmphex(e.slot_mask, ==, 0);
	g_assert_cmpint(e.slot_bank, ==, BANK_BP);
	g_assert_true(e.slot_by_pc);
	g_assert_false(e.has_pc);
	g_assert_false(e.has_data_addr);
	g_assert_true(e.has_exception);
	g_assert_cmphex(e.exception, ==, 0x30);
	g_assert_true(e.has_status);
	g_assert_cmphex(e.status, ==, 0xc2000000);
}

static void test_decode_step(void)
{
	struct arch_exit e;

	/* EC 0x32; hsr_high counts only with KVM_DEBUG_ARCH_HSR_HIGH_VALID in run->flags */
	g_assert_true(golden_decode(ARCH, debug_run(0xca000022, 0x5, 0, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_STEP);
	g_assert_false(e.has_pc);
	g_assert_cmphex(e.exception, ==, 0x32);
	g_assert_cmphex(e.status, ==, 0x5ca000022ull);

	g_assert_true(golden_decode(ARCH, debug_run(0xca000022, 0x5, 0, 0), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_STEP);
	g_assert_cmphex(e.status, ==, 0xca000022ull);
}

static void test_decode_watchpoint(void)
{
	struct arch_exit e;

	/* EC 0x34, WnR set: a write; far is the address the access touched */
	g_assert_true(golden_decode(ARCH, debug_run(0xd2000062, 0, 0xffff000012345678ull, 1),
				    &e));
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
	g_assert_cmpint(e.slot_bank, ==, BANK_WP);
	g_assert_false(e.slot_by_pc);
	g_assert_cmphex(e.slot_addr, ==, 0xffff000012345678ull);
	g_assert_true(e.has_data_addr);
	g_assert_cmphex(e.data_addr, ==, 0xffff000012345678ull);
	g_assert_cmpint(e.access, ==, KVMDBG_ACCESS_WRITE);
	g_assert_false(e.has_pc);
	g_assert_cmphex(e.exception, ==, 0x34);

	/* WnR clear: a read */
	g_assert_true(golden_decode(ARCH, debug_run(0xd2000022, 0, 0x8008, 1), &e));
	g_assert_cmpint(e.access, ==, KVMDBG_ACCESS_READ);
	g_assert_cmphex(e.data_addr, ==, 0x8008);
}

static void test_decode_brk(void)
{
	struct arch_exit e;

	/* BRK #0: possibly the library's */
	g_assert_true(golden_decode(ARCH, debug_run(0xf2000000, 0, 0, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_false(e.foreign_insn);
	g_assert_false(e.intercept);
	g_assert_false(e.has_pc);
	g_assert_cmphex(e.exception, ==, 0x3c);

	/* BRK #0x800 (Linux's BUG()): certainly the guest's */
	g_assert_true(golden_decode(ARCH, debug_run(0xf2000800, 0, 0, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_true(e.foreign_insn);
	g_assert_cmphex(e.status, ==, 0xf2000800);

	/* BKPT from AArch32: the guest's */
	g_assert_true(golden_decode(ARCH, debug_run(0xe2000001, 0, 0, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_true(e.foreign_insn);
	g_assert_cmphex(e.exception, ==, 0x38);

	/* any other class: a debug exit of nothing known */
	g_assert_true(golden_decode(ARCH, debug_run(0x06000000, 0, 0, 1), &e));
	g_assert_cmphex(e.causes, ==, 0);
	g_assert_cmphex(e.exception, ==, 0x01);
}

static void test_decode_not_debug(void)
{
	struct arch_exit e;

	g_assert_false(golden_decode(ARCH, golden_run(6, false), &e));   /* MMIO */
	g_assert_false(golden_decode(ARCH, golden_run(4, true), &e));    /* 4, big-endian */
	g_assert_false(golden_decode(ARCH, golden_run(0x104, false), &e));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/arm64/description", test_description);
	g_test_add_func("/kvmdbg/unit/arm64/control", test_control);
	g_test_add_func("/kvmdbg/unit/arm64/pack/breakpoints", test_pack_breakpoints);
	g_test_add_func("/kvmdbg/unit/arm64/pack/watchpoints", test_pack_watchpoints);
	g_test_add_func("/kvmdbg/unit/arm64/pack/every-length", test_pack_every_length);
	g_test_add_func("/kvmdbg/unit/arm64/pack/no-hw", test_pack_no_hw);
	g_test_add_func("/kvmdbg/unit/arm64/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/arm64/decode/breakpoint", test_decode_breakpoint);
	g_test_add_func("/kvmdbg/unit/arm64/decode/step", test_decode_step);
	g_test_add_func("/kvmdbg/unit/arm64/decode/watchpoint", test_decode_watchpoint);
	g_test_add_func("/kvmdbg/unit/arm64/decode/brk", test_decode_brk);
	g_test_add_func("/kvmdbg/unit/arm64/decode/not-debug", test_decode_not_debug);

	return g_test_run();
}
