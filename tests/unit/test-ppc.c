// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The powerpc backends against golden images written byte by byte from the uapi layout
 * (arch/powerpc/include/uapi/asm/kvm.h), big-endian for ppc64 and little-endian for ppc64le:
 *   struct kvm_guest_debug (264): u32 control, u32 pad,
 *     bp[16] { u64 addr; u32 type; u32 reserved } (16 bytes each, from offset 8)
 *   type: KVMPPC_DEBUG_BREAKPOINT 0x2, KVMPPC_DEBUG_WATCH_WRITE 0x4, KVMPPC_DEBUG_WATCH_READ 0x8
 *   control: ENABLE 0x1, SINGLESTEP 0x2, USE_SW_BP 0x10000, USE_HW_BP 0x20000
 *   struct kvm_run (2352): u32 exit_reason @8 (KVM_EXIT_DEBUG 4);
 *     debug.arch @32 { u64 address; u32 status; u32 reserved }
 * BookE (arch/powerpc/kvm/booke.c) reads bp[0..3] only (2 IAC + 2 DAC), breakpoints and
 * watchpoints in any order; Book3S ignores everything but control.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "golden.h"

#define BOOKE (&arch_ppc64_booke)
#define BOOK3S (&arch_ppc64_book3s)
#define BOOK3S_LE (&arch_ppc64le_book3s)

static const uint8_t zero[264];

static void test_description(void)
{
	const struct arch *all[] = { BOOKE, BOOK3S, BOOK3S_LE };

	g_assert_true(arch_by_name("ppc64-booke") == BOOKE);
	g_assert_true(arch_by_name("ppc64-book3s") == BOOK3S);
	g_assert_true(arch_by_name("ppc64le-book3s") == BOOK3S_LE);
	for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
		const struct arch *a = all[i];

		g_test_message("%s", a->name);
		g_assert_cmpuint(a->guest_debug_size, ==, 264);
		g_assert_cmpuint(a->run_size, ==, 2352);
		g_assert_cmpuint(a->aux_size, ==, 0);
		/* the instruction is the kernel's: KVM_REG_PPC_DEBUG_INST */
		g_assert_cmpuint(a->sw_insn_len, ==, 0);
		g_assert_cmphex(a->sw_insn_reg, ==, 0x102000000000008bull);
		g_assert_cmpuint(a->step_cap, ==, 176); /* KVM_CAP_PPC_GUEST_DEBUG_SSTEP */
		g_assert_true(a->pc_from_regs);
		g_assert_cmpuint(a->pc_reg, ==, 0);
		g_assert_false(arch_has_quirk(a, QUIRK_KVM_TRANSLATE));
		g_assert_false(arch_has_quirk(a, QUIRK_FAILED_SET_DISABLES));
		g_assert_false(arch_has_quirk(a, QUIRK_DEBUG_REG_TRAP));
	}
	g_assert_true(BOOKE->big_endian);
	g_assert_true(BOOK3S->big_endian);
	g_assert_false(BOOK3S_LE->big_endian);
	/* BookE: 2 instruction and 2 data address compare registers, separate banks */
	g_assert_cmpuint(BOOKE->slots[BANK_BP], ==, 2);
	g_assert_cmpuint(BOOKE->slots[BANK_WP], ==, 2);
	g_assert_false(BOOKE->shared_slots);
	g_assert_cmphex(BOOKE->legacy_mask, ==, 0x30003);
	/* Book3S: no hardware points, USE_HW_BP not offered */
	g_assert_cmpuint(BOOK3S->slots[BANK_BP], ==, 0);
	g_assert_cmpuint(BOOK3S->slots[BANK_WP], ==, 0);
	g_assert_cmphex(BOOK3S->legacy_mask, ==, 0x10003);
	g_assert_cmphex(BOOK3S_LE->legacy_mask, ==, 0x10003);
	/* a ppc64 VM whose kernel has KVM_CAP_PPC_BOOKE_SREGS (62) is BookE */
	g_assert_cmpuint(BOOK3S->variant_cap, ==, 62);
	g_assert_true(BOOK3S->variant == BOOKE);
	g_assert_cmpuint(BOOKE->variant_cap, ==, 0);
#if defined(__powerpc64__) && defined(__BIG_ENDIAN__)
	g_assert_true(arch_native() == BOOK3S);
#elif defined(__powerpc64__)
	g_assert_true(arch_native() == BOOK3S_LE);
#endif
}

static void test_control(void)
{
	static const struct {
		uint32_t req;
		uint32_t control;
	} table[] = {
		{ 0, 0 },
		{ REQ_STEP | REQ_SW_BP | REQ_HW, 0 },
		{ REQ_ENABLE, 0x00000001 },
		{ REQ_ENABLE | REQ_STEP, 0x00000003 },
		{ REQ_ENABLE | REQ_SW_BP, 0x00010001 },
		{ REQ_ENABLE | REQ_HW, 0x00020001 },
		{ REQ_ENABLE | REQ_SW_BP | REQ_HW | REQ_STEP,
		  0x00030003 },
		/* nothing to inject with, no interrupt blocking */
		{ REQ_ENABLE | REQ_INJECT_BP | REQ_INJECT_DB |
			  REQ_BLOCK_IRQ, 0x00000001 },
	};
	const struct arch *all[] = { BOOKE, BOOK3S, BOOK3S_LE };

	for (size_t a = 0; a < G_N_ELEMENTS(all); a++) {
		for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
			g_test_message("%s req 0x%x", all[a]->name, table[i].req);
			g_assert_cmphex(arch_control(all[a], table[i].req), ==, table[i].control);
		}
	}
}

static void test_pack_booke_full(void)
{
	/* two breakpoints and two watchpoints: bp[0..3], breakpoints first */
	static const uint8_t expected[8 + 4 * 16] = {
		0x00, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* control 0x30003, pad */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, /* bp[0].addr 0x10000 */
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* BREAKPOINT, reserved */
		0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f, 0xfc, /* bp[1].addr 0xc000000000001ffc */
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* BREAKPOINT */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x08, /* bp[2].addr 0x8008 */
		0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* WATCH_WRITE */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x02, /* bp[3].addr 0x9002 */
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, /* WATCH_READ | WATCH_WRITE */
	};
	struct debug_state st;
	uint8_t out[264];

	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x10000, 1, 0);
	golden_slot(&st, BANK_BP, 1, SLOT_EXEC, 0xc000000000001ffcull, 1, 0);
	golden_slot(&st, BANK_WP, 0, SLOT_WRITE, 0x8008, 8, 0);
	golden_slot(&st, BANK_WP, 1, SLOT_ACCESS, 0x9002, 2, 0);
	golden_pack(BOOKE, &st, 0x30003, 0, out, NULL);
	assert_bytes(out, expected, sizeof(expected));
	assert_bytes(out + sizeof(expected), zero, 264 - sizeof(expected));
}

static void test_pack_booke_gaps(void)
{
	/* the second breakpoint slot and the second watchpoint slot: bp[0] and bp[1] */
	static const uint8_t expected[8 + 2 * 16] = {
		0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x04, /* bp[0].addr 0x400004 */
		0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* BREAKPOINT */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x01, /* bp[1].addr 0x500001 */
		0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, /* WATCH_READ */
	};
	/* a lone watchpoint goes to bp[0] */
	static const uint8_t expected_wp[8 + 16] = {
		0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, /* bp[0].addr */
		0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, /* WATCH_WRITE */
	};
	struct debug_state st;
	uint8_t out[264];

	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 1, SLOT_EXEC, 0x400004, 1, 0);
	golden_slot(&st, BANK_WP, 1, SLOT_READ, 0x500001, 1, 0);
	golden_pack(BOOKE, &st, 0x20001, 0, out, NULL);
	assert_bytes(out, expected, sizeof(expected));
	assert_bytes(out + sizeof(expected), zero, 264 - sizeof(expected));

	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_WP, 1, SLOT_WRITE, 0xfffffffffffffff0ull, 4, 0);
	golden_pack(BOOKE, &st, 0x20001, 0, out, NULL);
	assert_bytes(out, expected_wp, sizeof(expected_wp));
	assert_bytes(out + sizeof(expected_wp), zero, 264 - sizeof(expected_wp));
}

static void test_pack_no_hw(void)
{
	static const uint8_t sw_step_be[8] = { 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t sw_step_le[8] = { 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	struct debug_state st;
	uint8_t out[264];

	/* slots are packed only with USE_HW_BP */
	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x10000, 1, 0);
	golden_pack(BOOKE, &st, 0x10003, 0, out, NULL);
	assert_bytes(out, sw_step_be, 8);
	assert_bytes(out + 8, zero, 256);
	golden_pack(BOOK3S, &st, 0x10003, 0, out, NULL);
	assert_bytes(out, sw_step_be, 8);
	assert_bytes(out + 8, zero, 256);
	golden_pack(BOOK3S_LE, &st, 0x10003, 0, out, NULL);
	assert_bytes(out, sw_step_le, 8);
	assert_bytes(out + 8, zero, 256);
	golden_pack(BOOK3S_LE, &st, 0, 0, out, NULL);
	assert_bytes(out, zero, 264);
}

static void test_pack_le_layout(void)
{
	/*
	 * the ppc64le byte order of the same layout; Book3S has no slots and pack() fills only
	 * the slots an arch has, so this is BookE's layout in little-endian order
	 */
	static const uint8_t expected[8 + 2 * 16] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0x00, 0xc0, /* addr 0xc000000001020304 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* BREAKPOINT */
		0x08, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* addr 0x7008 */
		0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* READ | WRITE */
	};
	struct arch booke_le = *BOOKE;
	struct debug_state st;
	uint8_t out[264];

	booke_le.big_endian = false;
	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0xc000000001020304ull, 1, 0);
	golden_slot(&st, BANK_WP, 0, SLOT_ACCESS, 0x7008, 8, 0);
	golden_pack(&booke_le, &st, 0x20001, 0, out, NULL);
	assert_bytes(out, expected, sizeof(expected));
	assert_bytes(out + sizeof(expected), zero, 264 - sizeof(expected));
}

#define E (-EINVAL)
#define N (-EOPNOTSUPP)

static void check_validate(const struct arch *arch, int type, uint64_t addr,
			   const int expected[8])
{
	static const uint64_t lens[8] = { 0, 1, 2, 3, 4, 8, 16, 5 };

	for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
		int ret = arch->validate((enum kvmdbg_point_type)type, addr, lens[l]);

		if (ret != expected[l])
			g_test_message("%s type %d addr 0x%" G_GINT64_MODIFIER
				       "x len %" G_GUINT64_FORMAT,
				       arch->name, type, addr, lens[l]);
		g_assert_cmpint(ret, ==, expected[l]);
	}
}

static void test_validate(void)
{
	static const struct {
		int type;
		uint64_t addr;
		int booke[8];  /* lens 0, 1, 2, 3, 4, 8, 16, 5 */
		int book3s[8];
	} table[] = {
		/* breakpoints: 0, 1 or 4 (gdb's kind), word-aligned */
		{ KVMDBG_POINT_SW_BREAK, 0x1000,
		  { 0, 0, E, E, 0, E, E, E }, { 0, 0, E, E, 0, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1002,
		  { E, E, E, E, E, E, E, E }, { E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1001,
		  { E, E, E, E, E, E, E, E }, { E, E, E, E, E, E, E, E } },
		/* Book3S: no hardware points of any kind */
		{ KVMDBG_POINT_HW_BREAK, 0x1000,
		  { 0, 0, E, E, 0, E, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_HW_BREAK, 0x1004,
		  { 0, 0, E, E, 0, E, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_HW_BREAK, 0x1006,
		  { E, E, E, E, E, E, E, E }, { N, N, N, N, N, N, N, N } },
		/* watchpoints: 1, 2, 4 or 8, naturally aligned */
		{ KVMDBG_POINT_WATCH_WRITE, 0x1000,
		  { E, 0, 0, E, 0, 0, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1004,
		  { E, 0, 0, E, 0, E, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_READ, 0x1002,
		  { E, 0, 0, E, E, E, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_READ, 0x1001,
		  { E, 0, E, E, E, E, E, E }, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1008,
		  { E, 0, 0, E, 0, 0, E, E }, { N, N, N, N, N, N, N, N } },
		{ 5, 0x1000,
		  { E, E, E, E, E, E, E, E }, { E, E, E, E, E, E, E, E } },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		check_validate(BOOKE, table[i].type, table[i].addr, table[i].booke);
		check_validate(BOOK3S, table[i].type, table[i].addr, table[i].book3s);
		check_validate(BOOK3S_LE, table[i].type, table[i].addr, table[i].book3s);
	}
}

#undef E
#undef N

/* ---- decode ---- */

static uint8_t *debug_run(bool be, uint64_t address, uint32_t status)
{
	uint8_t *run = golden_run(4, be);

	golden_put(run + 32, address, 8, be);
	golden_put(run + 40, status, 4, be);
	golden_put(run + 44, 0xdeadbeef, 4, be); /* reserved: ignored */
	return run;
}

static void test_decode_booke(void)
{
	const struct arch *all[] = { BOOKE };
	struct arch_exit e;

	for (size_t a = 0; a < G_N_ELEMENTS(all); a++) {
		const struct arch *arch = all[a];
		bool be = arch->big_endian;

		g_test_message("%s", arch->name);
		/* instruction breakpoint: address = pc, the slot is the one at the pc */
		g_assert_true(golden_decode(arch, debug_run(be, 0xc000000000012340ull, 2), &e));
		g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
		g_assert_cmphex(e.slot_mask, ==, 0);
		g_assert_cmpint(e.slot_bank, ==, BANK_BP);
		g_assert_true(e.slot_by_pc);
		g_assert_true(e.has_pc);
		g_assert_cmphex(e.pc, ==, 0xc000000000012340ull);
		g_assert_false(e.has_data_addr);
		g_assert_false(e.has_exception);
		g_assert_true(e.has_status);
		g_assert_cmphex(e.status, ==, 2);

		/* write watch: address = the DAC, the pc is not in the exit */
		g_assert_true(golden_decode(arch, debug_run(be, 0x7ff00008, 4), &e));
		g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
		g_assert_cmpint(e.slot_bank, ==, BANK_WP);
		g_assert_false(e.slot_by_pc);
		g_assert_cmphex(e.slot_addr, ==, 0x7ff00008);
		g_assert_true(e.has_data_addr);
		g_assert_cmphex(e.data_addr, ==, 0x7ff00008);
		g_assert_cmpint(e.access, ==, KVMDBG_ACCESS_WRITE);
		g_assert_false(e.has_pc);
		g_assert_cmphex(e.status, ==, 4);

		/* read watch */
		g_assert_true(golden_decode(arch, debug_run(be, 0x1008, 8), &e));
		g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
		g_assert_cmpint(e.slot_bank, ==, BANK_WP);
		g_assert_cmphex(e.data_addr, ==, 0x1008);
		g_assert_cmpint(e.access, ==, KVMDBG_ACCESS_READ);
		g_assert_false(e.has_pc);

		/*
		 * status 0: a single-step or a software breakpoint.  Not stepping: the
		 * breakpoint instruction at the address; stepping: the step (the new pc), unless
		 * a breakpoint of the library's sits there.
		 */
		g_assert_true(golden_decode(arch, debug_run(be, 0x700, 0), &e));
		g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
		g_assert_true(e.has_pc);
		g_assert_cmphex(e.pc, ==, 0x700);
		g_assert_false(e.has_data_addr);
		g_assert_cmphex(e.status, ==, 0);
		g_assert_true(golden_decode_stepping(arch, debug_run(be, 0x704, 0), true, &e));
		g_assert_cmphex(e.causes, ==, CAUSE_STEP | CAUSE_STEP_OR_BP);
		g_assert_true(e.has_pc);
		g_assert_cmphex(e.pc, ==, 0x704);
		g_assert_cmphex(e.status, ==, 0);

		/* a status that names a slot says so whether stepping or not */
		g_assert_true(golden_decode_stepping(arch, debug_run(be, 0x708, 2), true, &e));
		g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
		g_assert_cmphex(e.pc, ==, 0x708);

		/* an unknown status */
		g_assert_true(golden_decode(arch, debug_run(be, 0x700, 0x100), &e));
		g_assert_cmphex(e.causes, ==, 0);
		g_assert_cmphex(e.pc, ==, 0x700);
		g_assert_cmphex(e.status, ==, 0x100);

		/* not a debug exit (and 4 in the other byte order is not 4) */
		g_assert_false(golden_decode(arch, golden_run(2, be), &e));
		g_assert_false(golden_decode(arch, golden_run(4, !be), &e));
	}
}

/*
 * Book3S: status is never the kernel's answer (HV writes only the address of a breakpoint
 * exit, PR writes 0, or nothing for a step): whatever it holds, the exit is a breakpoint
 * instruction at the address, or, when the vCPU was stepping, the step, whose pc the exit
 * does not carry (PR leaves the address of an earlier exit); it carries no status.
 */
static void test_decode_book3s(void)
{
	static const uint32_t stale[] = { 0, 2, 4, 8, 0xc, 0x100, 0xdeadbeef };
	const struct arch *all[] = { BOOK3S, BOOK3S_LE };
	struct arch_exit e;

	for (size_t a = 0; a < G_N_ELEMENTS(all); a++) {
		const struct arch *arch = all[a];
		bool be = arch->big_endian;

		for (size_t i = 0; i < G_N_ELEMENTS(stale); i++) {
			g_test_message("%s, status 0x%x", arch->name, stale[i]);
			g_assert_true(golden_decode(arch, debug_run(be, 0xc000000000012340ull,
								    stale[i]), &e));
			g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
			g_assert_true(e.has_pc);
			g_assert_cmphex(e.pc, ==, 0xc000000000012340ull);
			g_assert_false(e.has_status);
			g_assert_false(e.has_data_addr);
			g_assert_false(e.has_exception);
			g_assert_cmphex(e.slot_mask, ==, 0);

			g_assert_true(golden_decode_stepping(
				arch, debug_run(be, 0xc000000000012340ull, stale[i]), true, &e));
			g_assert_cmphex(e.causes, ==, CAUSE_STEP | CAUSE_STEP_OR_BP);
			g_assert_false(e.has_pc);
			g_assert_false(e.has_status);
			g_assert_cmphex(e.slot_mask, ==, 0);
		}
		g_assert_false(golden_decode(arch, golden_run(2, be), &e));
		g_assert_false(golden_decode(arch, golden_run(4, !be), &e));
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/ppc/description", test_description);
	g_test_add_func("/kvmdbg/unit/ppc/control", test_control);
	g_test_add_func("/kvmdbg/unit/ppc/pack/booke-full", test_pack_booke_full);
	g_test_add_func("/kvmdbg/unit/ppc/pack/booke-gaps", test_pack_booke_gaps);
	g_test_add_func("/kvmdbg/unit/ppc/pack/no-hw", test_pack_no_hw);
	g_test_add_func("/kvmdbg/unit/ppc/pack/le-layout", test_pack_le_layout);
	g_test_add_func("/kvmdbg/unit/ppc/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/ppc/decode/booke", test_decode_booke);
	g_test_add_func("/kvmdbg/unit/ppc/decode/book3s", test_decode_book3s);

	return g_test_run();
}
