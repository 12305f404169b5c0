/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 guest programs (see rprograms.h), assembled by gcc into a data section of the test
 * binary and copied into guest RAM at RG_CODE by rg_load().  Each is a gas macro instantiated
 * once; it uses only pc-relative branches and addresses in registers, so the bytes run wherever
 * they are loaded.  After each program comes a table of its label offsets, in the order of its
 * enum in rprograms.h.  The exception stub (rguest.h) comes last.
 */
#include "rprograms-asm.h"

/* clang-format off */
#define MMIO(port) "	str w0, [x28, #" STR(port) "]\n"

__asm__(
	".pushsection .rodata.kvmdbg_guest, \"a\"\n"

	".macro kt_step p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_after_nop:\n"
	"	mov x0, #0x1234\n"
	"\\p\\()_after_mov:\n"
	"	add x0, x0, #0x10\n"
	"\\p\\()_after_add:\n"
	"	b \\p\\()_target\n"
	"	udf #0\n"
	"\\p\\()_target:\n"
	"	mov x1, #3\n"
	"\\p\\()_loop:\n"
	"	subs x1, x1, #1\n"
	"\\p\\()_after_dec:\n"
	"	b.ne \\p\\()_loop\n"
	"\\p\\()_after_loop:\n"
	MMIO(ASM_PORT_MARK)
	"\\p\\()_after_mark:\n"
	"	mov x2, x0\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("after_nop") OFF("after_mov") OFF("after_add") OFF("target")
	OFF("loop") OFF("after_dec") OFF("after_loop") OFF("after_mark") OFF("done")
	".endm\n"

	".macro kt_bp p\n"
	PROG_BEGIN
	"	mov w7, #" STR(ASM_BP_PASSES) "\n"
	"\\p\\()_outer:\n"
	"	mov w1, #" STR(ASM_BP_INNER) "\n"
	"\\p\\()_inner:\n"
	"	add w0, w0, #1\n"
	"\\p\\()_inner2:\n"
	"	subs w1, w1, #1\n"
	"\\p\\()_jnz:\n"
	"	b.ne \\p\\()_inner\n"
	"\\p\\()_pass:\n"
	MMIO(ASM_PORT_PASS)
	"\\p\\()_after_pass:\n"
	"	subs w7, w7, #1\n"
	"	b.ne \\p\\()_outer\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("outer") OFF("inner") OFF("inner2") OFF("jnz") OFF("pass")
	OFF("after_pass") OFF("done")
	".endm\n"

	".macro kt_watch p\n"
	PROG_BEGIN
	"	movz w0, #0x3344\n"
	"	movk w0, #0x1122, lsl #16\n"
	"\\p\\()_store:\n"
	"	str w0, [x27, #" STR(ASM_WATCH_OFF) "]\n"
	"\\p\\()_after_store:\n"
	"	nop\n"
	"\\p\\()_load:\n"
	"	ldr w1, [x27, #" STR(ASM_WATCH_OFF) "]\n"
	"\\p\\()_after_load:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("store") OFF("after_store") OFF("load") OFF("after_load") OFF("done")
	".endm\n"

	/* a pair store whose first half lies below WATCH_DATA and whose second half is it */
	".macro kt_stp p\n"
	PROG_BEGIN
	"	movz x0, #0x5566\n"
	"	movz x1, #0x7788\n"
	"\\p\\()_stp:\n"
	"	stp x0, x1, [x27, #(" STR(ASM_WATCH_OFF) " - 8)]\n"
	"\\p\\()_after:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("stp") OFF("after") OFF("done")
	".endm\n"

	".macro kt_trap p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_at:\n"
	"	brk #0x42\n"
	"\\p\\()_after:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	"\\p\\()_handler:\n"
	MMIO(ASM_PORT_MARK)
	"	mrs x9, elr_el1\n"
	"	add x9, x9, #4\n"
	"	msr elr_el1, x9\n"
	"	eret\n"
	PROG_END
	OFF("start") OFF("at") OFF("after") OFF("done") OFF("handler")
	".endm\n"

	".macro kt_sw p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_at:\n"
	"	brk #0\n"
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
	"	str w0, [x27, #(0x100 + 8 * \\p\\()_k)]\n"
	"	.set \\p\\()_k, \\p\\()_k + 1\n"
	"	.endr\n"
	"\\p\\()_done:\n"
	MMIO(ASM_PORT_DONE)
	"1:	b 1b\n"
	PROG_END
	OFF("start") OFF("done")
	".endm\n"

	"kt_step kt_step_a64\n"
	"kt_bp kt_bp_a64\n"
	"kt_watch kt_watch_a64\n"
	"kt_trap kt_trap_a64\n"
	"kt_sw kt_sw_a64\n"
	"kt_sled kt_sled_a64\n"
	"kt_stp kt_stp_a64\n"

	/* The exception stub: report, then spin. */
	RG_STUB_ASM
	".popsection\n");
/* clang-format on */

RG_PROGS(a64);
PROG_SYMS(kt_stp_a64);
const struct rg_prog prog_stp = RG_PROG(kt_stp_a64, STP_NR);

uint32_t rg_branch(uint64_t from, uint64_t to)
{
	/* B: imm26, in instructions */
	return 0x14000000u | (uint32_t)(((to - from) >> 2) & 0x03ffffffu);
}
