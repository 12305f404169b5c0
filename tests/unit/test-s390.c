// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The s390x backend against golden images written byte by byte, big-endian, from the uapi
 * layout (arch/s390/include/uapi/asm/kvm.h, include/uapi/linux/kvm.h):
 *   struct kvm_guest_debug (24): u32 control, u32 pad, u32 nr_hw_bp, u32 pad, u64 hw_bp pointer
 *   struct kvm_hw_breakpoint (32): u64 addr, u64 phys_addr, u64 len, u8 type, u8 pad[7]
 *     type KVM_HW_BP 1, KVM_HW_WP_WRITE 2
 *   control: ENABLE 0x1, SINGLESTEP 0x2, USE_HW_BP 0x10000
 *   struct kvm_run (2368): u32 exit_reason @8, u64 psw_mask @32, u64 psw_addr @40, union @48:
 *     debug.arch { u64 addr; u8 type (1 bp, 2 write watch, 4 single-step) }
 *     s390_sieic { u8 icptcode @48; u16 ipa @50; u32 ipb @52 }
 *   KVM_EXIT_DEBUG 4, KVM_EXIT_S390_SIEIC 13; icptcode 0x04 instruction, 0x2c operation exc.
 * Kernel limits (arch/s390/kvm/guestdbg.c): 50 entries, watchpoints of 1..100 bytes, writes
 * only.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "golden.h"

#define ARCH (&arch_s390x)
#define AUX_ADDR 0x000003ffb2c01040ull /* any pointer value: it must appear as is, BE */

static void test_description(void)
{
	static const uint8_t diag[4] = { 0x83, 0x00, 0x05, 0x01 };
	static const uint8_t zero[2] = { 0x00, 0x00 };

	g_assert_cmpstr(ARCH->name, ==, "s390x");
	g_assert_true(arch_by_name("s390x") == ARCH);
	g_assert_true(ARCH->big_endian);
	g_assert_cmpuint(ARCH->guest_debug_size, ==, 24);
	g_assert_cmpuint(ARCH->run_size, ==, 2368);
	g_assert_cmpuint(ARCH->aux_size, ==, 50 * 32);
	g_assert_cmpuint(ARCH->slots[BANK_BP], ==, 50);
	g_assert_true(ARCH->shared_slots);
	g_assert_cmphex(ARCH->legacy_mask, ==, 0x10003);
	g_assert_cmpuint(ARCH->sw_insn_len, ==, 4);
	g_assert_cmpmem(ARCH->sw_insn, 4, diag, 4);
	g_assert_cmpuint(ARCH->sw_insn_alt_len, ==, 2);
	g_assert_cmpmem(ARCH->sw_insn_alt, 2, zero, 2);
	g_assert_cmpuint(ARCH->alt_insn_cap, ==, 130); /* KVM_CAP_S390_USER_INSTR0 */
	g_assert_true(arch_has_quirk(ARCH, QUIRK_FAILED_SET_DISABLES));
	g_assert_true(arch_has_quirk(ARCH, QUIRK_HW_NEEDS_PHYS));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_KVM_TRANSLATE));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_DEBUG_REG_TRAP));
	g_assert_cmpuint(ARCH->pc_reg, ==, 0);
	g_assert_false(ARCH->pc_from_regs);
	g_assert_nonnull(ARCH->set_pc);
#if defined(__s390x__)
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
		/* software breakpoints are intercepts: nothing to switch on for them */
		{ REQ_ENABLE, 0 },
		{ REQ_ENABLE | REQ_SW_BP, 0 },
		{ REQ_ENABLE | REQ_STEP, 0x00000003 },
		{ REQ_ENABLE | REQ_HW, 0x00010001 },
		{ REQ_ENABLE | REQ_STEP | REQ_HW, 0x00010003 },
		{ REQ_ENABLE | REQ_SW_BP | REQ_STEP, 0x00000003 },
		/* no inject, no interrupt blocking on s390 */
		{ REQ_ENABLE | REQ_INJECT_BP | REQ_INJECT_DB |
			  REQ_BLOCK_IRQ, 0 },
		{ REQ_ENABLE | REQ_STEP | REQ_BLOCK_IRQ, 0x00000003 },
		{ REQ_ENABLE | REQ_HW | REQ_INJECT_DB, 0x00010001 },
		{ 0x7f, 0x00010003 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		g_test_message("req 0x%x", table[i].req);
		g_assert_cmphex(arch_control(ARCH, table[i].req), ==, table[i].control);
	}
}

static void test_pack_step(void)
{
	static const uint8_t expected[24] = {
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* control 0x3, pad */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* nr_hw_bp 0, pad */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* hw_bp NULL */
	};
	static const uint8_t zero_aux[50 * 32];
	struct debug_state st;
	uint8_t out[24], aux[50 * 32];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_STEP;
	golden_pack(ARCH, &st, 0x3, AUX_ADDR, out, aux);
	assert_bytes(out, expected, 24);
	assert_bytes(aux, zero_aux, sizeof(aux));

	/* debugging off: all zero */
	memset(&st, 0, sizeof(st));
	golden_pack(ARCH, &st, 0, AUX_ADDR, out, aux);
	assert_bytes(out, zero_aux, 24);
	assert_bytes(aux, zero_aux, sizeof(aux));
}

static void test_pack_one_bp(void)
{
	static const uint8_t expected[24] = {
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* control 0x10001 */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* nr_hw_bp 1 */
		0x00, 0x00, 0x03, 0xff, 0xb2, 0xc0, 0x10, 0x40, /* hw_bp = AUX_ADDR */
	};
	static const uint8_t entry[32] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x23, 0x46, /* addr 0x12346 */
		0x00, 0x00, 0x00, 0x00, 0x7f, 0x01, 0x23, 0x46, /* phys_addr 0x7f012346 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* len 1 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* type KVM_HW_BP, pad */
	};
	static const uint8_t zero[50 * 32];
	struct debug_state st;
	uint8_t out[24], aux[50 * 32];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_HW;
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x12346, 1, 0x7f012346);
	golden_pack(ARCH, &st, 0x10001, AUX_ADDR, out, aux);
	assert_bytes(out, expected, 24);
	assert_bytes(aux, entry, 32);
	assert_bytes(aux + 32, zero, sizeof(aux) - 32);

	/* the same slot in another position packs to the same first entry */
	memset(&st, 0, sizeof(st));
	golden_slot(&st, BANK_BP, 49, SLOT_EXEC, 0x12346, 1, 0x7f012346);
	golden_pack(ARCH, &st, 0x10001, AUX_ADDR, out, aux);
	assert_bytes(out, expected, 24);
	assert_bytes(aux, entry, 32);
	assert_bytes(aux + 32, zero, sizeof(aux) - 32);
}

static void test_pack_watch_and_step(void)
{
	static const uint8_t expected[24] = {
		0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* control 0x10003 */
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* nr_hw_bp 3 */
		0x00, 0x00, 0x03, 0xff, 0xb2, 0xc0, 0x10, 0x40, /* hw_bp */
	};
	static const uint8_t entries[3 * 32] = {
		/* write watch of 100 bytes (the most the kernel takes) */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x03, /* addr 0x2003 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x20, 0x03, /* phys 0x92003 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, /* len 100 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* KVM_HW_WP_WRITE */
		/* breakpoint at a high address */
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* addr 0x8000000000000002 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* phys 2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* len 1 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* KVM_HW_BP */
		/* 1-byte write watch */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x01, /* addr 0x3001 */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x30, 0x01, /* phys 0x100003001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* len 1 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* KVM_HW_WP_WRITE */
	};
	static const uint8_t zero[50 * 32];
	struct debug_state st;
	uint8_t out[24], aux[50 * 32];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_HW | REQ_STEP;
	/* in slot order, gaps closed; read and access slots cannot exist and are not packed */
	golden_slot(&st, BANK_BP, 3, SLOT_WRITE, 0x2003, 100, 0x92003);
	golden_slot(&st, BANK_BP, 4, SLOT_READ, 0x5000, 8, 0x5000);
	golden_slot(&st, BANK_BP, 7, SLOT_EXEC, 0x8000000000000002ull, 1, 2);
	golden_slot(&st, BANK_BP, 8, SLOT_ACCESS, 0x6000, 8, 0x6000);
	golden_slot(&st, BANK_BP, 20, SLOT_WRITE, 0x3001, 1, 0x100003001ull);
	golden_pack(ARCH, &st, 0x10003, AUX_ADDR, out, aux);
	assert_bytes(out, expected, 24);
	assert_bytes(aux, entries, sizeof(entries));
	assert_bytes(aux + sizeof(entries), zero, sizeof(aux) - sizeof(entries));
}

static void test_pack_fifty(void)
{
	static const uint8_t expected[24] = {
		0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* control 0x10001 */
		0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x00, /* nr_hw_bp 50 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf8, /* hw_bp */
	};
	struct debug_state st;
	uint8_t out[24], aux[50 * 32];

	memset(&st, 0, sizeof(st));
	for (unsigned int n = 0; n < 50; n++)
		golden_slot(&st, BANK_BP, n, n % 2 ? SLOT_WRITE : SLOT_EXEC,
			    0x100000 + 0x100 * n, n % 2 ? n + 1 : 1, 0x200000 + 0x100 * n);
	golden_pack(ARCH, &st, 0x10001, 0xfffffffffffffff8ull, out, aux);
	assert_bytes(out, expected, 24);
	for (unsigned int n = 0; n < 50; n++) {
		uint8_t e[32] = { 0 };

		/* big-endian by hand: addr 0x10nn00, phys 0x20nn00 (nn = n) */
		e[5] = 0x10;
		e[6] = (uint8_t)n;
		e[13] = 0x20;
		e[14] = (uint8_t)n;
		e[23] = (uint8_t)(n % 2 ? n + 1 : 1);
		e[24] = n % 2 ? 2 : 1;
		g_test_message("entry %u", n);
		assert_bytes(aux + 32 * n, e, 32);
	}
}

static void test_pack_hw_without_entries(void)
{
	/* USE_HW_BP with nr_hw_bp 0 is -EINVAL in the kernel: the bit goes */
	static const uint8_t expected[24] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, /* control 0x1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t expected_step[24] = {
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, /* control 0x3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t zero[50 * 32];
	struct debug_state st;
	uint8_t out[24], aux[50 * 32];

	memset(&st, 0, sizeof(st));
	golden_pack(ARCH, &st, 0x10001, AUX_ADDR, out, aux);
	assert_bytes(out, expected, 24);
	assert_bytes(aux, zero, sizeof(aux));
	golden_pack(ARCH, &st, 0x10003, AUX_ADDR, out, aux);
	assert_bytes(out, expected_step, 24);

	/* slots without USE_HW_BP are not packed */
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x1000, 1, 0x1000);
	golden_pack(ARCH, &st, 0x3, AUX_ADDR, out, aux);
	assert_bytes(out, expected_step, 24);
	assert_bytes(aux, zero, sizeof(aux));
}

#define E (-EINVAL)
#define N (-EOPNOTSUPP)

static void test_validate(void)
{
	static const uint64_t lens[10] = { 0, 1, 2, 3, 4, 8, 99, 100, 101, 4096 };
	static const struct {
		int type;
		uint64_t addr;
		int expected[10];
	} table[] = {
		/* breakpoints: 0, 1 or 2 (gdb's kind), halfword-aligned */
		{ KVMDBG_POINT_SW_BREAK, 0x1000, { 0, 0, 0, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1001, { E, E, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1002, { 0, 0, 0, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1000, { 0, 0, 0, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1003, { E, E, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0xfffffffffffffffeull, { 0, 0, 0, E, E, E, E, E, E, E } },
		/* write watchpoints: 1..100 bytes, any alignment */
		{ KVMDBG_POINT_WATCH_WRITE, 0x1000, { E, 0, 0, 0, 0, 0, 0, 0, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1001, { E, 0, 0, 0, 0, 0, 0, 0, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1007, { E, 0, 0, 0, 0, 0, 0, 0, E, E } },
		/* not wrapping around the address space */
		{ KVMDBG_POINT_WATCH_WRITE, ~0ull, { E, 0, E, E, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, ~0ull - 99, { E, 0, 0, 0, 0, 0, 0, 0, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, ~0ull - 98, { E, 0, 0, 0, 0, 0, 0, E, E, E } },
		/* PER watches stores only */
		{ KVMDBG_POINT_WATCH_READ, 0x1000, { N, N, N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1000, { N, N, N, N, N, N, N, N, N, N } },
		{ 5, 0x1000, { E, E, E, E, E, E, E, E, E, E } },
		{ -1, 0x1000, { E, E, E, E, E, E, E, E, E, E } },
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
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0, 0x100000064ull), ==, E);
}

#undef E
#undef N

/* ---- decode ---- */

static uint8_t *debug_run(uint64_t psw_addr, uint64_t addr, uint8_t type)
{
	uint8_t *run = golden_run(4, true);

	golden_put(run + 32, 0x0705000180000000ull, 8, true); /* psw_mask */
	golden_put(run + 40, psw_addr, 8, true);
	golden_put(run + 48, addr, 8, true);
	run[56] = type;
	return run;
}

static uint8_t *sieic_run(uint64_t psw_addr, uint8_t icpt, uint16_t ipa, uint32_t ipb)
{
	uint8_t *run = golden_run(13, true);

	golden_put(run + 40, psw_addr, 8, true);
	run[48] = icpt;
	golden_put(run + 50, ipa, 2, true);
	golden_put(run + 52, ipb, 4, true);
	return run;
}

static void assert_raw(const struct arch_exit *e, uint32_t exception, uint64_t status)
{
	g_assert_true(e->has_exception);
	g_assert_cmphex(e->exception, ==, exception);
	g_assert_true(e->has_status);
	g_assert_cmphex(e->status, ==, status);
}

static void test_decode_hw_bp(void)
{
	struct arch_exit e;

	g_assert_true(golden_decode(ARCH, debug_run(0x10000, 0x10000, 1), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
	g_assert_cmphex(e.slot_mask, ==, 0);
	g_assert_cmpint(e.slot_bank, ==, BANK_BP);
	g_assert_false(e.slot_by_pc);
	g_assert_cmphex(e.slot_addr, ==, 0x10000);
	g_assert_true(e.has_pc);
	g_assert_cmphex(e.pc, ==, 0x10000);
	g_assert_false(e.has_data_addr);
	g_assert_cmpint(e.access, ==, 0);
	g_assert_false(e.intercept);
	assert_raw(&e, 1, 0x10000);
}

static void test_decode_watch(void)
{
	struct arch_exit e;

	/* the exit's addr is the watched address; the pc is the PSW (past the store) */
	g_assert_true(golden_decode(ARCH, debug_run(0x1000a, 0xfedcba9876543211ull, 2), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
	g_assert_cmphex(e.slot_mask, ==, 0);
	g_assert_cmpint(e.slot_bank, ==, BANK_BP);
	g_assert_false(e.slot_by_pc);
	g_assert_cmphex(e.slot_addr, ==, 0xfedcba9876543211ull);
	g_assert_true(e.has_data_addr);
	g_assert_cmphex(e.data_addr, ==, 0xfedcba9876543211ull);
	g_assert_cmpint(e.access, ==, KVMDBG_ACCESS_WRITE);
	g_assert_true(e.has_pc);
	g_assert_cmphex(e.pc, ==, 0x1000a);
	assert_raw(&e, 2, 0xfedcba9876543211ull);
}

static void test_decode_step(void)
{
	struct arch_exit e;

	g_assert_true(golden_decode(ARCH, debug_run(0x20006, 0x20006, 4), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_STEP);
	g_assert_true(e.has_pc);
	g_assert_cmphex(e.pc, ==, 0x20006);
	g_assert_false(e.has_data_addr);
	g_assert_false(e.intercept);
	assert_raw(&e, 4, 0x20006);

	/* an unknown type: a debug exit of nothing known */
	g_assert_true(golden_decode(ARCH, debug_run(0x3000, 0x4000, 8), &e));
	g_assert_cmphex(e.causes, ==, 0);
	g_assert_cmphex(e.pc, ==, 0x3000);
	assert_raw(&e, 8, 0x4000);
}

static void test_decode_instr0(void)
{
	struct arch_exit e;

	/* 0x0000 with KVM_CAP_S390_USER_INSTR0: operation exception, PSW past the 2 bytes */
	g_assert_true(golden_decode(ARCH, sieic_run(0x40002, 0x2c, 0x0000, 0), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_true(e.intercept);
	g_assert_false(e.foreign_insn);
	g_assert_true(e.has_pc);
	g_assert_cmphex(e.pc, ==, 0x40000);
	assert_raw(&e, 0x2c, 0);

	/* an operation exception of another instruction is not a breakpoint */
	g_assert_false(golden_decode(ARCH, sieic_run(0x40004, 0x2c, 0xb2ff, 0), &e));
	g_assert_false(golden_decode(ARCH, sieic_run(0x40002, 0x2c, 0x0001, 0), &e));
}

static void test_decode_diag(void)
{
	struct arch_exit e;

	/* DIAG 0x501, 83 00 05 01: instruction intercept, PSW past the 4 bytes */
	g_assert_true(golden_decode(ARCH, sieic_run(0x50004, 0x04, 0x8300, 0x05010000), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_true(e.intercept);
	g_assert_false(e.foreign_insn);
	g_assert_cmphex(e.pc, ==, 0x50000);
	assert_raw(&e, 0x04, 0x0000830005010000ull); /* ipa << 32 | ipb */

	/* the same DIAG with other registers (QEMU's 83 24 05 01) is not the library's */
	g_assert_true(golden_decode(ARCH, sieic_run(0x50004, 0x04, 0x8324, 0x05010000), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_true(e.foreign_insn);
	g_assert_cmphex(e.pc, ==, 0x50000);

	/* other DIAGs, a DIAG 0x501 through a base register, other intercepts: not debug */
	g_assert_false(golden_decode(ARCH, sieic_run(0x50004, 0x04, 0x8300, 0x05000000), &e));
	g_assert_false(golden_decode(ARCH, sieic_run(0x50004, 0x04, 0x8300, 0x15010000), &e));
	g_assert_false(golden_decode(ARCH, sieic_run(0x50004, 0x04, 0xb200, 0x05010000), &e));
	g_assert_false(golden_decode(ARCH, sieic_run(0x50004, 0x08, 0x8300, 0x05010000), &e));
}

static void test_decode_not_debug(void)
{
	static const uint32_t reasons[] = { 0, 2, 3, 5, 10, 16, 17, 0x04000000, 0x0d000000 };
	struct arch_exit e;

	for (size_t i = 0; i < G_N_ELEMENTS(reasons); i++) {
		uint8_t *run = golden_run(reasons[i], true);

		run[56] = 1;
		g_test_message("exit_reason 0x%x", reasons[i]);
		g_assert_false(golden_decode(ARCH, run, &e));
	}
	/* little-endian 4 is 0x04000000 in big-endian: not a debug exit */
	{
		uint8_t *run = golden_run(0, true);

		run[8] = 4;
		g_assert_false(golden_decode(ARCH, run, &e));
	}
}

static void test_set_pc(void)
{
	static const uint8_t psw[8] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00 };
	uint8_t *run = sieic_run(0x40002, 0x2c, 0, 0);
	uint8_t before[GOLDEN_RUN_SIZE];

	memcpy(before, run, sizeof(before));
	ARCH->set_pc(run, 0x40000);
	assert_bytes(run + 40, psw, 8);
	/* nothing else touched */
	g_assert_cmpmem(run, 40, before, 40);
	g_assert_cmpmem(run + 48, sizeof(before) - 48, before + 48, sizeof(before) - 48);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/s390/description", test_description);
	g_test_add_func("/kvmdbg/unit/s390/control", test_control);
	g_test_add_func("/kvmdbg/unit/s390/pack/step", test_pack_step);
	g_test_add_func("/kvmdbg/unit/s390/pack/one-bp", test_pack_one_bp);
	g_test_add_func("/kvmdbg/unit/s390/pack/watch-and-step", test_pack_watch_and_step);
	g_test_add_func("/kvmdbg/unit/s390/pack/fifty", test_pack_fifty);
	g_test_add_func("/kvmdbg/unit/s390/pack/hw-without-entries",
			test_pack_hw_without_entries);
	g_test_add_func("/kvmdbg/unit/s390/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/s390/decode/hw-bp", test_decode_hw_bp);
	g_test_add_func("/kvmdbg/unit/s390/decode/watch", test_decode_watch);
	g_test_add_func("/kvmdbg/unit/s390/decode/step", test_decode_step);
	g_test_add_func("/kvmdbg/unit/s390/decode/instr0", test_decode_instr0);
	g_test_add_func("/kvmdbg/unit/s390/decode/diag-501", test_decode_diag);
	g_test_add_func("/kvmdbg/unit/s390/decode/not-debug", test_decode_not_debug);
	g_test_add_func("/kvmdbg/unit/s390/set-pc", test_set_pc);

	return g_test_run();
}
