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
#include "rprograms-asm.h"

/* clang-format off */
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
	RG_STUB_ASM
	".popsection\n");
/* clang-format on */

RG_PROGS(ppc);

uint32_t rg_branch(uint64_t from, uint64_t to)
{
	/* b: opcode 18, LI the byte displacement (bits 25:2), AA = LK = 0 */
	return 0x48000000u | (uint32_t)((to - from) & 0x03fffffcu);
}
