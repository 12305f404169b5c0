// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The x86 backend against golden images written out byte by byte from the uapi layout
 * (struct kvm_guest_debug: u32 control, u32 pad, u64 debugreg[8]; struct kvm_debug_exit_arch:
 * u32 exception, u32 pad, u64 pc, u64 dr6, u64 dr7; all little-endian) and the DR7/DR6 bit
 * layout.  The expected bytes never come from the backend's own helpers.
 *
 * DR7 reminder used for the hand-computed values below:
 *   Gn = bit 2n+1; bit 10 always 1; GD = bit 13;
 *   nibble n at bit 16+4n = RW | LEN << 2, RW: exec 00, write 01, access 11;
 *   LEN: 1 byte 00, 2 bytes 01, 4 bytes 11, 8 bytes 10.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "arch/arch.h"

#define ARCH (&arch_x86)

static void dump(const char *what, const uint8_t *b, size_t n)
{
	GString *s = g_string_new(what);

	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%s%02x", i % 8 ? " " : "  ", b[i]);
	g_test_message("%s", s->str);
	g_string_free(s, TRUE);
}

#define assert_image(actual, expected)                                                       \
	do {                                                                                 \
		if (memcmp((actual), (expected), 72) != 0) {                                 \
			dump("expected:", (expected), 72);                                   \
			dump("actual:  ", (actual), 72);                                     \
		}                                                                            \
		g_assert_cmpmem((actual), 72, (expected), 72);                               \
	} while (0)

static void set_slot(struct debug_state *st, unsigned int n, enum slot_kind kind,
		     uint64_t addr, uint64_t len)
{
	st->slots[BANK_BP][n].kind = (uint8_t)kind;
	st->slots[BANK_BP][n].addr = addr;
	st->slots[BANK_BP][n].len = len;
}

/* Pack into a buffer pre-filled with garbage, and check nothing past 72 bytes is written. */
static void pack(const struct debug_state *st, uint32_t control, uint8_t out[72])
{
	uint8_t buf[96];

	memset(buf, 0x5a, sizeof(buf));
	ARCH->pack(ARCH, st, control, buf, NULL, 0);
	for (size_t i = 72; i < sizeof(buf); i++)
		g_assert_cmphex(buf[i], ==, 0x5a);
	memcpy(out, buf, 72);
}

static void test_description(void)
{
	const uint8_t insn[MAX_INSN] = { 0xcc };

	g_assert_false(ARCH->big_endian);
	g_assert_cmpuint(ARCH->guest_debug_size, ==, 72);
	g_assert_cmpuint(ARCH->run_size, ==, 2352);
	g_assert_cmpuint(ARCH->aux_size, ==, 0);
	g_assert_true(arch_has_quirk(ARCH, QUIRK_KVM_TRANSLATE));
	g_assert_true(arch_has_quirk(ARCH, QUIRK_DEBUG_REG_TRAP));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_FAILED_SET_DISABLES));
	g_assert_cmpuint(ARCH->pc_reg, ==, 0);
	g_assert_false(ARCH->pc_from_regs);
	g_assert_true(arch_by_name("x86_64") == ARCH);
	g_assert_cmpuint(ARCH->slots[BANK_BP], ==, 4);
	g_assert_true(ARCH->shared_slots);
	/* ENABLE | SINGLESTEP | USE_SW_BP | USE_HW_BP | INJECT_DB | INJECT_BP: no BLOCKIRQ */
	g_assert_cmphex(ARCH->legacy_mask, ==, 0x000f0003);
	g_assert_cmpuint(ARCH->sw_insn_len, ==, 1);
	g_assert_cmpmem(ARCH->sw_insn, 1, insn, 1);
	g_assert_nonnull(ARCH->control);
	g_assert_nonnull(ARCH->validate);
	g_assert_nonnull(ARCH->pack);
	g_assert_nonnull(ARCH->decode);
	g_assert_nonnull(ARCH->name);
#if defined(__x86_64__)
	g_assert_true(arch_native() == ARCH);
#endif
}

/* ---- control ---- */

static void test_control(void)
{
	static const struct {
		uint32_t req;
		uint32_t control;
	} table[] = {
		{ 0, 0 },
		/* nothing without ENABLE */
		{ REQ_STEP, 0 },
		{ REQ_STEP | REQ_SW_BP | REQ_HW | REQ_INJECT_BP |
			  REQ_INJECT_DB | REQ_BLOCK_IRQ,
		  0 },
		{ REQ_ENABLE, 0x00000001 },
		{ REQ_ENABLE | REQ_STEP, 0x00000003 },
		{ REQ_ENABLE | REQ_SW_BP, 0x00010001 },
		{ REQ_ENABLE | REQ_HW, 0x00020001 },
		{ REQ_ENABLE | REQ_INJECT_DB, 0x00040001 },
		{ REQ_ENABLE | REQ_INJECT_BP, 0x00080001 },
		{ REQ_ENABLE | REQ_BLOCK_IRQ, 0x00100001 },
		{ REQ_ENABLE | REQ_STEP | REQ_BLOCK_IRQ, 0x00100003 },
		{ REQ_ENABLE | REQ_SW_BP | REQ_HW, 0x00030001 },
		{ REQ_ENABLE | REQ_SW_BP | REQ_INJECT_BP, 0x00090001 },
		{ REQ_ENABLE | REQ_HW | REQ_INJECT_DB, 0x00060001 },
		{ REQ_ENABLE | REQ_STEP | REQ_SW_BP | REQ_HW |
			  REQ_INJECT_BP | REQ_INJECT_DB | REQ_BLOCK_IRQ,
		  0x001f0003 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		g_test_message("req 0x%x", table[i].req);
		g_assert_cmphex(arch_control(ARCH, table[i].req), ==, table[i].control);
	}
}

/* ---- pack ---- */

static void test_pack_one_exec(void)
{
	static const uint8_t expected[72] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001, pad */
		0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR0 0x401000 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [4] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [5] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [6] */
		0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0x402: G0, bit 10 */
	};
	static const uint8_t expected_step[72] = {
		0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20003, pad */
		0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR0 0x401000 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [4] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [5] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [6] */
		0x02, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0x402 */
	};
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_HW;
	set_slot(&st, 0, SLOT_EXEC, 0x401000, 1);
	pack(&st, 0x00020001, out);
	assert_image(out, expected);

	/* an execute slot with length 0 is the same */
	set_slot(&st, 0, SLOT_EXEC, 0x401000, 0);
	pack(&st, 0x00020001, out);
	assert_image(out, expected);

	st.req |= REQ_STEP;
	pack(&st, 0x00020003, out);
	assert_image(out, expected_step);
}

static void test_pack_slot_positions(void)
{
	/* one execute slot at each position n: DRn holds the address, DR7 = 0x400 | 1 << (2n+1) */
	static const uint8_t dr7_low[4][2] = {
		{ 0x02, 0x04 }, /* 0x402 */
		{ 0x08, 0x04 }, /* 0x408 */
		{ 0x20, 0x04 }, /* 0x420 */
		{ 0x80, 0x04 }, /* 0x480 */
	};

	for (unsigned int n = 0; n < 4; n++) {
		struct debug_state st;
		uint8_t expected[72], out[72];

		memset(&st, 0, sizeof(st));
		memset(expected, 0, sizeof(expected));
		expected[0] = 0x01;
		expected[2] = 0x02;
		/* address 0x0000_7f00_1234_5678 */
		expected[8 + 8 * n + 0] = 0x78;
		expected[8 + 8 * n + 1] = 0x56;
		expected[8 + 8 * n + 2] = 0x34;
		expected[8 + 8 * n + 3] = 0x12;
		expected[8 + 8 * n + 4] = 0x00;
		expected[8 + 8 * n + 5] = 0x7f;
		expected[64] = dr7_low[n][0];
		expected[65] = dr7_low[n][1];
		set_slot(&st, n, SLOT_EXEC, 0x00007f0012345678ull, 1);
		g_test_message("slot %u", n);
		pack(&st, 0x00020001, out);
		assert_image(out, expected);
	}
}

static void test_pack_four_write(void)
{
	/*
	 * slot 0 exec, slot 1 write len 1, slot 2 write len 2, slot 3 write len 4.
	 * nibbles: 0 = 0x0, 1 = 01|00<<2 = 0x1, 2 = 01|01<<2 = 0x5, 3 = 01|11<<2 = 0xd
	 * DR7 = 0xd5100000 | 0x400 | 0x2 | 0x8 | 0x20 | 0x80 = 0xd51004aa
	 */
	static const uint8_t expected[72] = {
		0x03, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x120003 */
		0x00, 0x00, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff, /* DR0 0xffffffff81000000 */
		0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR1 0x1001 */
		0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 0x2002 */
		0x04, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR3 0x3004 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [4] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [5] */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* [6] */
		0xaa, 0x04, 0x10, 0xd5, 0x00, 0x00, 0x00, 0x00, /* DR7 0xd51004aa */
	};
	/* the same with GD (bit 13): DR7 0xd51024aa */
	static const uint8_t expected_gd[72] = {
		0x03, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff,
		0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x04, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xaa, 0x24, 0x10, 0xd5, 0x00, 0x00, 0x00, 0x00,
	};
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_STEP | REQ_HW | REQ_BLOCK_IRQ;
	set_slot(&st, 0, SLOT_EXEC, 0xffffffff81000000ull, 1);
	set_slot(&st, 1, SLOT_WRITE, 0x1001, 1);
	set_slot(&st, 2, SLOT_WRITE, 0x2002, 2);
	set_slot(&st, 3, SLOT_WRITE, 0x3004, 4);
	pack(&st, 0x00120003, out);
	assert_image(out, expected);

	st.trap_debug_regs = true;
	pack(&st, 0x00120003, out);
	assert_image(out, expected_gd);
}

static void test_pack_four_access(void)
{
	/*
	 * slot 0 write len 8, slot 1 access len 1, slot 2 access len 2, slot 3 access len 8.
	 * nibbles: 0 = 01|10<<2 = 0x9, 1 = 11|00<<2 = 0x3, 2 = 11|01<<2 = 0x7, 3 = 11|10<<2 = 0xb
	 * DR7 = 0xb7390000 | 0x4aa = 0xb73904aa
	 */
	static const uint8_t expected[72] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x08, 0x00, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x00, /* DR0 0x7fff0008 */
		0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* DR1 0x100000000 */
		0x52, 0x55, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 0x5552 */
		0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, /* DR3 0x123456789abcdef0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xaa, 0x04, 0x39, 0xb7, 0x00, 0x00, 0x00, 0x00, /* DR7 0xb73904aa */
	};
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_HW;
	set_slot(&st, 0, SLOT_WRITE, 0x7fff0008, 8);
	set_slot(&st, 1, SLOT_ACCESS, 0x100000000ull, 1);
	set_slot(&st, 2, SLOT_ACCESS, 0x5552, 2);
	set_slot(&st, 3, SLOT_ACCESS, 0x123456789abcdef0ull, 8);
	pack(&st, 0x00020001, out);
	assert_image(out, expected);
}

static void test_pack_gaps(void)
{
	/*
	 * slot 0 access len 4, slot 1 off (its stale address must not leak), slot 2 exec,
	 * slot 3 off; GD on; slots of bank 1 and beyond slot 3 are not x86's and are ignored.
	 * nibble 0 = 11|11<<2 = 0xf; DR7 = 0x000f0000 | 0x400 | G0 0x2 | G2 0x20 | GD 0x2000
	 *        = 0x000f2422
	 */
	static const uint8_t expected[72] = {
		0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x30001 */
		0x44, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR0 0x4444 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR1 off */
		0xf0, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 0xfff0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR3 off */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x22, 0x24, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0x000f2422 */
	};
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_SW_BP | REQ_HW;
	st.trap_debug_regs = true;
	set_slot(&st, 0, SLOT_ACCESS, 0x4444, 4);
	set_slot(&st, 1, SLOT_OFF, 0xdead, 8);
	set_slot(&st, 2, SLOT_EXEC, 0xfff0, 1);
	for (unsigned int n = 4; n < MAX_SLOTS; n++)
		set_slot(&st, n, SLOT_WRITE, 0xbad0 + n, 8);
	for (unsigned int n = 0; n < MAX_SLOTS; n++) {
		st.slots[BANK_WP][n].kind = SLOT_ACCESS;
		st.slots[BANK_WP][n].addr = 0xbeef0000 + 8 * n;
		st.slots[BANK_WP][n].len = 8;
	}
	pack(&st, 0x00030001, out);
	assert_image(out, expected);
}

static void test_pack_no_hw(void)
{
	/* without USE_HW_BP every debug register is zero, whatever the slots and GD say */
	static const uint8_t expected_sw_step[72] = {
		0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x10003 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0 */
	};
	static const uint8_t expected_inject[72] = {
		0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x90001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t zero[72];
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_STEP | REQ_SW_BP;
	st.trap_debug_regs = true;
	set_slot(&st, 0, SLOT_EXEC, 0x401000, 1);
	set_slot(&st, 3, SLOT_WRITE, 0x2000, 8);
	pack(&st, 0x00010003, out);
	assert_image(out, expected_sw_step);

	pack(&st, 0x00090001, out);
	assert_image(out, expected_inject);

	/* debugging off: 72 zero bytes */
	st.req = 0;
	pack(&st, 0, out);
	assert_image(out, zero);
}

static void test_pack_hw_no_slots(void)
{
	static const uint8_t expected[72] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0x400 */
	};
	static const uint8_t expected_gd[72] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR7 0x2400 */
	};
	struct debug_state st;
	uint8_t out[72];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_HW;
	pack(&st, 0x00020001, out);
	assert_image(out, expected);

	st.trap_debug_regs = true;
	pack(&st, 0x00020001, out);
	assert_image(out, expected_gd);
}

/* ---- validate ---- */

#define E (-EINVAL)
#define N (-EOPNOTSUPP)

static void test_validate(void)
{
	static const uint64_t lens[8] = { 0, 1, 2, 3, 4, 5, 8, 16 };
	static const struct {
		int type;
		uint64_t addr;
		int expected[8]; /* for lens 0, 1, 2, 3, 4, 5, 8, 16 */
	} table[] = {
		/* breakpoints: len 0 or 1, any address */
		{ KVMDBG_POINT_SW_BREAK, 0x1000, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1001, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1002, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0x1004, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_SW_BREAK, 0xffffffffffffffffull, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1000, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1001, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1002, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0x1004, { 0, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_HW_BREAK, 0xffffffffffffffffull, { 0, 0, E, E, E, E, E, E } },
		/* write and access: 1, 2, 4 or 8, naturally aligned */
		{ KVMDBG_POINT_WATCH_WRITE, 0x1000, { E, 0, 0, E, 0, E, 0, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1001, { E, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1002, { E, 0, 0, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1004, { E, 0, 0, E, 0, E, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1008, { E, 0, 0, E, 0, E, 0, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0x1006, { E, 0, 0, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_WRITE, 0xfffffffffffffff8ull, { E, 0, 0, E, 0, E, 0, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1000, { E, 0, 0, E, 0, E, 0, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1001, { E, 0, E, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1002, { E, 0, 0, E, E, E, E, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1004, { E, 0, 0, E, 0, E, E, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x1008, { E, 0, 0, E, 0, E, 0, E } },
		{ KVMDBG_POINT_WATCH_ACCESS, 0x100c, { E, 0, 0, E, 0, E, E, E } },
		/* read-only: x86 has none, whatever the length or address */
		{ KVMDBG_POINT_WATCH_READ, 0x1000, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_READ, 0x1001, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_READ, 0x1002, { N, N, N, N, N, N, N, N } },
		{ KVMDBG_POINT_WATCH_READ, 0x1004, { N, N, N, N, N, N, N, N } },
		/* unknown types */
		{ 5, 0x1000, { E, E, E, E, E, E, E, E } },
		{ -1, 0x1000, { E, E, E, E, E, E, E, E } },
		{ 0x7fffffff, 0x1000, { E, E, E, E, E, E, E, E } },
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

	/* lengths that only look like powers of two after truncation */
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0, 0x100000001ull), ==, E);
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0, 0x100000000ull), ==, E);
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_HW_BREAK, 0, 0x100000001ull), ==, E);
	g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0, ~0ull), ==, E);
}

#undef E
#undef N

/* ---- decode ---- */

/*
 * The exit inside a whole struct kvm_run image (2352 bytes): exit_reason KVM_EXIT_DEBUG (4) as
 * a little-endian u32 at offset 8, struct kvm_debug_exit_arch at offset 32, garbage elsewhere.
 */
static void decode(const uint8_t exit[32], struct arch_exit *out)
{
	static uint8_t run[2352];

	memset(run, 0x77, sizeof(run));
	run[8] = 0x04;
	run[9] = run[10] = run[11] = 0x00;
	memcpy(run + 32, exit, 32);
	/* garbage first: decode must set every field */
	memset(out, 0xa5, sizeof(*out));
	g_assert_true(ARCH->decode(ARCH, run, false, out));
}

static void assert_common(const struct arch_exit *e, uint32_t exception, uint64_t pc,
			  uint64_t status)
{
	g_assert_true(e->has_pc);
	g_assert_cmphex(e->pc, ==, pc);
	g_assert_true(e->has_exception);
	g_assert_cmphex(e->exception, ==, exception);
	/* only a #DB exit writes dr6 (kvm_handle_exception; #BP: exception and pc only) */
	g_assert_cmpint(e->has_status, ==, exception == 1);
	if (exception == 1)
		g_assert_cmphex(e->status, ==, status);
	g_assert_false(e->has_data_addr);
	g_assert_false(e->intercept);
	g_assert_false(e->foreign_insn);
}

static void test_decode_not_debug(void)
{
	/* every exit reason but KVM_EXIT_DEBUG (4), little-endian at offset 8 */
	static const uint32_t reasons[] = { 0, 1, 2, 3, 5, 6, 9, 13, 17, 0x04000000, 0x400 };
	static uint8_t run[2352];
	struct arch_exit e;

	for (size_t i = 0; i < G_N_ELEMENTS(reasons); i++) {
		memset(run, 0, sizeof(run));
		run[32] = 1; /* an exception 1 in the debug union, which must not matter */
		run[8] = (uint8_t)reasons[i];
		run[9] = (uint8_t)(reasons[i] >> 8);
		run[10] = (uint8_t)(reasons[i] >> 16);
		run[11] = (uint8_t)(reasons[i] >> 24);
		g_test_message("exit_reason 0x%x", reasons[i]);
		g_assert_false(ARCH->decode(ARCH, run, false, &e));
	}
}

static void test_decode_step(void)
{
	static const uint8_t exit[32] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1, pad */
		0x03, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x401003 */
		0xf0, 0x4f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff4ff0 (BS) */
		0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* dr7 0x400 */
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_STEP);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 1, 0x401003, 0xffff4ff0);
}

static void test_decode_slot(void)
{
	for (unsigned int n = 0; n < 4; n++) {
		uint8_t exit[32] = {
			0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1 */
			0x00, 0x00, 0x00, 0x81, 0xff, 0xff, 0xff, 0xff, /* pc 0xffffffff81000000 */
			0xf0, 0x0f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff0ff0 | ... */
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* dr7 0 */
		};
		struct arch_exit e;

		exit[16] = (uint8_t)(0xf0 | 1u << n); /* Bn */
		g_test_message("slot %u", n);
		decode(exit, &e);
		g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
		g_assert_cmphex(e.slot_mask, ==, 1u << n);
		g_assert_cmpint(e.slot_bank, ==, BANK_BP);
		assert_common(&e, 1, 0xffffffff81000000ull, 0xffff0ff0u | 1u << n);
	}
}

static void test_decode_several_slots(void)
{
	static const uint8_t exit[32] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1 */
		0x10, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x2010 */
		0xf5, 0x0f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff0ff5: B0 B2 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t exit_all_step[32] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1 */
		0x10, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x2010 */
		0xff, 0x4f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff4fff: B0-B3 BS */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT);
	g_assert_cmphex(e.slot_mask, ==, 0x5);
	g_assert_cmpint(e.slot_bank, ==, BANK_BP);
	assert_common(&e, 1, 0x2010, 0xffff0ff5);

	decode(exit_all_step, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_SLOT | CAUSE_STEP);
	g_assert_cmphex(e.slot_mask, ==, 0xf);
	assert_common(&e, 1, 0x2010, 0xffff4fff);
}

static void test_decode_bd(void)
{
	static const uint8_t exit[32] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1 */
		0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x1234 */
		0xf0, 0x2f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff2ff0 (BD) */
		0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* dr7 0x2400 */
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_DEBUG_REG);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 1, 0x1234, 0xffff2ff0);
}

static void test_decode_int3(void)
{
	static const uint8_t exit[32] = {
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 3 */
		0x00, 0x7c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x7c00 */
		0xf0, 0x0f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff0ff0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	/* #BP with stale DR6 bits: DR6 says nothing about a #BP */
	static const uint8_t exit_stale[32] = {
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 3 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0xff, 0xff, /* pc 0xffff800000000001 */
		0xf3, 0x6f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff6ff3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 3, 0x7c00, 0xffff0ff0);

	decode(exit_stale, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 3, 0xffff800000000001ull, 0xffff6ff3);
}

/* ICEBP (INT1, 0xf1): a #DB with no cause bit in DR6, which only the guest raises */
static void test_decode_icebp(void)
{
	static const uint8_t exit[32] = {
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 1 */
		0x21, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0x1021 */
		0xf0, 0x0f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff0ff0 */
		0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* dr7 0x400 */
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_FOREIGN);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 1, 0x1021, 0xffff0ff0);
}

static void test_decode_unknown(void)
{
	static const uint8_t exit[32] = {
		0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* exception 14 */
		0xef, 0xbe, 0xad, 0xde, 0x00, 0x00, 0x00, 0x00, /* pc 0xdeadbeef */
		0xf1, 0x4f, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, /* dr6 0xffff4ff1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, 0);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 14, 0xdeadbeef, 0xffff4ff1);
}

static void test_decode_exact_copy(void)
{
	/*
	 * Every field copied exactly: a 64-bit status with high bits, an exception number with
	 * high bits, garbage in the padding (ignored), a dr7 that is not reported anywhere.
	 */
	static const uint8_t exit[32] = {
		0x01, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, /* exception 1, pad garbage */
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, /* pc 0x1122334455667788 */
		0xf0, 0x4f, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12, /* dr6 0x12345678ffff4ff0 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* dr7 */
	};
	static const uint8_t exit_big_exception[32] = {
		0x01, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, /* exception 0x80000001 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* pc 0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* dr6 0 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct arch_exit e;

	decode(exit, &e);
	g_assert_cmphex(e.causes, ==, CAUSE_STEP);
	assert_common(&e, 1, 0x1122334455667788ull, 0x12345678ffff4ff0ull);

	decode(exit_big_exception, &e);
	g_assert_cmphex(e.causes, ==, 0);
	g_assert_false(e.has_status);
	g_assert_cmphex(e.slot_mask, ==, 0);
	assert_common(&e, 0x80000001u, 0, 0);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/x86/description", test_description);
	g_test_add_func("/kvmdbg/unit/x86/control", test_control);
	g_test_add_func("/kvmdbg/unit/x86/pack/one-exec", test_pack_one_exec);
	g_test_add_func("/kvmdbg/unit/x86/pack/slot-positions", test_pack_slot_positions);
	g_test_add_func("/kvmdbg/unit/x86/pack/four-write", test_pack_four_write);
	g_test_add_func("/kvmdbg/unit/x86/pack/four-access", test_pack_four_access);
	g_test_add_func("/kvmdbg/unit/x86/pack/gaps", test_pack_gaps);
	g_test_add_func("/kvmdbg/unit/x86/pack/no-hw", test_pack_no_hw);
	g_test_add_func("/kvmdbg/unit/x86/pack/hw-no-slots", test_pack_hw_no_slots);
	g_test_add_func("/kvmdbg/unit/x86/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/x86/decode/step", test_decode_step);
	g_test_add_func("/kvmdbg/unit/x86/decode/slot", test_decode_slot);
	g_test_add_func("/kvmdbg/unit/x86/decode/several-slots", test_decode_several_slots);
	g_test_add_func("/kvmdbg/unit/x86/decode/bd", test_decode_bd);
	g_test_add_func("/kvmdbg/unit/x86/decode/int3", test_decode_int3);
	g_test_add_func("/kvmdbg/unit/x86/decode/icebp", test_decode_icebp);
	g_test_add_func("/kvmdbg/unit/x86/decode/unknown-exception", test_decode_unknown);
	g_test_add_func("/kvmdbg/unit/x86/decode/exact-copy", test_decode_exact_copy);
	g_test_add_func("/kvmdbg/unit/x86/decode/not-debug", test_decode_not_debug);

	return g_test_run();
}
