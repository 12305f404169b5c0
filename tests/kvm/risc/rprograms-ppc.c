/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ppc64 guest programs (see rprograms.h), assembled by gcc into a data section of the test
 * binary and copied into guest RAM at RG_CODE by rg_load(), in the byte order of the host (a
 * little-endian host runs a little-endian guest).  Each is a gas macro instantiated once; it uses
 * only relative branches and addresses in registers, so the bytes run wherever they are loaded.
 * After each program comes a table of its label offsets, in the order of its enum in
 * rprograms.h.  The exception stub (rguest.h) comes last.  Registers are plain numbers: r3 is
 * "3".
 */
#include "rprograms.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* The assembler cannot see the C constants; these must agree with them. */
#define ASM_PORT_DONE 0x80
#define ASM_PORT_MARK 0x88
#define ASM_PORT_PASS 0x90
#define ASM_PORT_FAULT 0x98
#define ASM_WATCH_OFF 0x10
#define ASM_BP_PASSES 2
#define ASM_BP_INNER 5
#define ASM_SLED_LEN 16
_Static_assert(ASM_PORT_DONE == RG_PORT_DONE, "port");
_Static_assert(ASM_PORT_MARK == RG_PORT_MARK, "port");
_Static_assert(ASM_PORT_PASS == RG_PORT_PASS, "port");
_Static_assert(ASM_PORT_FAULT == RG_PORT_FAULT, "port");
_Static_assert(RG_DATA + ASM_WATCH_OFF == WATCH_DATA, "watch");
_Static_assert(ASM_BP_PASSES == BP_PASSES, "bp");
_Static_assert(ASM_BP_INNER == BP_INNER_COUNT, "bp");
_Static_assert(ASM_SLED_LEN == SLED_LEN && RG_DATA + 0x100 == SLED_DATA, "sled");
_Static_assert(RG_REG_MMIO == 28 && RG_REG_DATA == 27, "registers");

/* clang-format off */
#define PROG_BEGIN							\
	"	.balign 16\n"						\
	"	.globl \\p\\()_start, \\p\\()_end, \\p\\()_offs\n"	\
	"	.hidden \\p\\()_start, \\p\\()_end, \\p\\()_offs\n"	\
	"\\p\\()_start:\n"
#define PROG_END							\
	"\\p\\()_end:\n"						\
	"	.balign 4\n"						\
	"\\p\\()_offs:\n"
#define OFF(label) "	.long \\p\\()_" label " - \\p\\()_start\n"
#define MMIO(port) "	stw 3, " STR(port) "(28)\n"

__asm__(
	".pushsection .rodata.kvmdbg_guest, \"a\"\n"

	".macro kt_step p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_after_nop:\n"
	"	li 3, 0x1234\n"
	"\\p\\()_after_mov:\n"
	"	addi 3, 3, 0x10\n"
	"\\p\\()_after_add:\n"
	"	b \\p\\()_target\n"
	"	.long 0\n"
	"\\p\\()_target:\n"
	"	li 4, 3\n"
	"\\p\\()_loop:\n"
	"	addic. 4, 4, -1\n"
	"\\p\\()_after_dec:\n"
	"	bne \\p\\()_loop\n"
	"\\p\\()_after_loop:\n"
	MMIO(ASM_PORT_MARK)
	"\\p\\()_after_mark:\n"
	"	mr 5, 3\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("after_nop") OFF("after_mov") OFF("after_add") OFF("target")
	OFF("loop") OFF("after_dec") OFF("after_loop") OFF("after_mark") OFF("done")
	".endm\n"

	".macro kt_bp p\n"
	PROG_BEGIN
	"	li 10, " STR(ASM_BP_PASSES) "\n"
	"\\p\\()_outer:\n"
	"	li 4, " STR(ASM_BP_INNER) "\n"
	"\\p\\()_inner:\n"
	"	addi 3, 3, 1\n"
	"\\p\\()_inner2:\n"
	"	addic. 4, 4, -1\n"
	"\\p\\()_jnz:\n"
	"	bne \\p\\()_inner\n"
	"\\p\\()_pass:\n"
	MMIO(ASM_PORT_PASS)
	"\\p\\()_after_pass:\n"
	"	addic. 10, 10, -1\n"
	"	bne \\p\\()_outer\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("outer") OFF("inner") OFF("inner2") OFF("jnz") OFF("pass")
	OFF("after_pass") OFF("done")
	".endm\n"

	".macro kt_watch p\n"
	PROG_BEGIN
	"	lis 3, 0x1122\n"
	"	ori 3, 3, 0x3344\n"
	"\\p\\()_store:\n"
	"	stw 3, " STR(ASM_WATCH_OFF) "(27)\n"
	"\\p\\()_after_store:\n"
	"	nop\n"
	"\\p\\()_load:\n"
	"	lwz 4, " STR(ASM_WATCH_OFF) "(27)\n"
	"\\p\\()_after_load:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("store") OFF("after_store") OFF("load") OFF("after_load") OFF("done")
	".endm\n"

	".macro kt_trap p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_at:\n"
	"	trap\n"
	"\\p\\()_after:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	"\\p\\()_handler:\n"
	MMIO(ASM_PORT_MARK)
	"	mfsrr0 9\n"
	"	addi 9, 9, 4\n"
	"	mtsrr0 9\n"
	"	rfid\n"
	PROG_END
	OFF("start") OFF("at") OFF("after") OFF("done") OFF("handler")
	".endm\n"

	".macro kt_sw p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_at:\n"
	"	nop\n"
	"\\p\\()_after:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("at") OFF("after") OFF("done")
	".endm\n"

	".macro kt_sled p\n"
	PROG_BEGIN
	"	.set \\p\\()_k, 0\n"
	"	.rept " STR(ASM_SLED_LEN) "\n"
	"	stw 3, (0x100 + 8 * \\p\\()_k)(27)\n"
	"	.set \\p\\()_k, \\p\\()_k + 1\n"
	"	.endr\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("done")
	".endm\n"

	"kt_step kt_step_ppc\n"
	"kt_bp kt_bp_ppc\n"
	"kt_watch kt_watch_ppc\n"
	"kt_trap kt_trap_ppc\n"
	"kt_sw kt_sw_ppc\n"
	"kt_sled kt_sled_ppc\n"

	/* The exception stub: report, then spin. */
	"	.balign 4\n"
	"	.globl rg_arch_stub, rg_arch_stub_end\n"
	"	.hidden rg_arch_stub, rg_arch_stub_end\n"
	"rg_arch_stub:\n"
	MMIO(ASM_PORT_FAULT)
	"1:	b 1b\n"
	"rg_arch_stub_end:\n"
	".popsection\n");
/* clang-format on */

#define DECLARE_PROG(p)                   \
	extern const uint8_t p##_start[]; \
	extern const uint8_t p##_end[];   \
	extern const uint32_t p##_offs[]

#define PROG(p, nr)                                                                                \
	{                                                                                          \
		.name = #p, .start = p##_start, .end = p##_end, .offs = p##_offs, .nr_offs = (nr), \
	}

DECLARE_PROG(kt_step_ppc);
DECLARE_PROG(kt_bp_ppc);
DECLARE_PROG(kt_watch_ppc);
DECLARE_PROG(kt_trap_ppc);
DECLARE_PROG(kt_sw_ppc);
DECLARE_PROG(kt_sled_ppc);

const struct rg_prog prog_step = PROG(kt_step_ppc, STEP_NR);
const struct rg_prog prog_bp = PROG(kt_bp_ppc, BP_NR);
const struct rg_prog prog_watch = PROG(kt_watch_ppc, WATCH_NR);
const struct rg_prog prog_trap = PROG(kt_trap_ppc, TRAP_NR);
const struct rg_prog prog_sw = PROG(kt_sw_ppc, SW_NR);
const struct rg_prog prog_sled = PROG(kt_sled_ppc, SLED_NR);

uint32_t rg_branch(uint64_t from, uint64_t to)
{
	/* b: opcode 18, LI the byte displacement (bits 25:2), AA = LK = 0 */
	return 0x48000000u | (uint32_t)((to - from) & 0x03fffffcu);
}
