/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Guest programs, assembled by gcc into a data section of the test binary and copied into guest
 * RAM at GUEST_CODE by guest_load().  Each program is a gas macro instantiated once per mode
 * that needs it (.code16, .code32, .code64); it uses only relative jumps and absolute data
 * addresses, so the same bytes run wherever GUEST_CODE is the linear address of their start.
 * After each program comes a table of its label offsets in the order of its enum in programs.h.
 */
#include "programs.h"
#include "progasm.h"

/* The assembler cannot see the C constants; these must agree with them. */
#define ASM_PORT_DONE 0x10
#define ASM_PORT_MARK 0x11
#define ASM_PORT_PASS 0x12
#define ASM_SPIN_STARTED 0xe000
#define ASM_SPIN_GO 0xe004
#define ASM_WATCH_DATA 0xe010
#define ASM_WATCH_VALUE 0x11223344
#define ASM_MMIO 0x400000
#define ASM_BP_PASSES 2
#define ASM_BP_INNER 5
_Static_assert(ASM_PORT_DONE == GUEST_PORT_DONE, "port");
_Static_assert(ASM_PORT_MARK == GUEST_PORT_MARK, "port");
_Static_assert(ASM_PORT_PASS == GUEST_PORT_PASS, "port");
_Static_assert(ASM_SPIN_STARTED == SPIN_STARTED, "spin");
_Static_assert(ASM_SPIN_GO == SPIN_GO, "spin");
_Static_assert(ASM_WATCH_DATA == WATCH_DATA, "watch");
_Static_assert(ASM_WATCH_VALUE == WATCH_VALUE, "watch");
_Static_assert(ASM_MMIO == GUEST_MMIO, "mmio");
_Static_assert(ASM_BP_PASSES == BP_PASSES, "bp");
_Static_assert(ASM_BP_INNER == BP_INNER_COUNT, "bp");

/* clang-format off */
__asm__(
	".pushsection .rodata.kvmdbg_guest, \"a\"\n"

	".macro kt_step p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_after_nop:\n"
	"	mov $0x1234, %eax\n"
	"\\p\\()_after_mov:\n"
	"	add $0x10, %eax\n"
	"\\p\\()_after_add:\n"
	"	jmp \\p\\()_target\n"
	"	ud2\n"
	"\\p\\()_target:\n"
	"	mov $3, %ecx\n"
	"\\p\\()_loop:\n"
	"	dec %ecx\n"
	"\\p\\()_after_dec:\n"
	"	jnz \\p\\()_loop\n"
	"\\p\\()_after_loop:\n"
	"	out %al, $" STR(ASM_PORT_MARK) "\n"
	"\\p\\()_after_mark:\n"
	"	xchg %eax, %ebx\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("after_nop") OFF("after_mov") OFF("after_add") OFF("target")
	OFF("loop") OFF("after_dec") OFF("after_loop") OFF("after_mark") OFF("done")
	".endm\n"

	".macro kt_bp p\n"
	PROG_BEGIN
	"	mov $" STR(ASM_BP_PASSES) ", %edi\n"
	"\\p\\()_outer:\n"
	"	mov $" STR(ASM_BP_INNER) ", %ecx\n"
	"\\p\\()_inner:\n"
	"	inc %eax\n"
	"\\p\\()_inner2:\n"
	"	dec %ecx\n"
	"\\p\\()_jnz:\n"
	"	jnz \\p\\()_inner\n"
	"\\p\\()_pass:\n"
	"	out %al, $" STR(ASM_PORT_PASS) "\n"
	"\\p\\()_after_pass:\n"
	"	dec %edi\n"
	"	jnz \\p\\()_outer\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("outer") OFF("inner") OFF("inner2") OFF("jnz") OFF("pass")
	OFF("after_pass") OFF("done")
	".endm\n"

	".macro kt_int3 p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_at:\n"
	"	int3\n"
	"\\p\\()_after:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	"\\p\\()_handler:\n"
	"	out %al, $" STR(ASM_PORT_MARK) "\n"
	"	iret\n"
	PROG_END
	OFF("start") OFF("at") OFF("after") OFF("handler")
	".endm\n"

	".macro kt_spin p\n"
	PROG_BEGIN
	"	movl $1, " STR(ASM_SPIN_STARTED) "\n"
	"\\p\\()_loop:\n"
	"	cmpl $0, " STR(ASM_SPIN_GO) "\n"
	"\\p\\()_je:\n"
	"	je \\p\\()_loop\n"
	"\\p\\()_after:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("loop") OFF("je") OFF("after")
	".endm\n"

	".macro kt_count p\n"
	PROG_BEGIN
	"	mov %edi, %ecx\n"
	"\\p\\()_loop:\n"
	"	inc %eax\n"
	"\\p\\()_loop2:\n"
	"	dec %ecx\n"
	"\\p\\()_jnz:\n"
	"	jnz \\p\\()_loop\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("loop") OFF("loop2") OFF("jnz") OFF("done")
	".endm\n"

	".macro kt_watch p\n"
	PROG_BEGIN
	"	mov $" STR(ASM_WATCH_VALUE) ", %eax\n"
	"\\p\\()_store:\n"
	"	movl %eax, " STR(ASM_WATCH_DATA) "\n"
	"\\p\\()_after_store:\n"
	"	nop\n"
	"\\p\\()_load:\n"
	"	movl " STR(ASM_WATCH_DATA) ", %ebx\n"
	"\\p\\()_after_load:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("store") OFF("after_store") OFF("load") OFF("after_load")
	OFF("done")
	".endm\n"

	/* the watch program's shape, its data past the RAM: every access an MMIO exit */
	".macro kt_mmio p\n"
	PROG_BEGIN
	"	mov $" STR(ASM_WATCH_VALUE) ", %eax\n"
	"\\p\\()_store:\n"
	"	movl %eax, " STR(ASM_MMIO) "\n"
	"\\p\\()_after_store:\n"
	"	nop\n"
	"\\p\\()_load:\n"
	"	movl " STR(ASM_MMIO) ", %ebx\n"
	"\\p\\()_after_load:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("store") OFF("after_store") OFF("load") OFF("after_load")
	OFF("done")
	".endm\n"

	".macro kt_drmov p\n"
	PROG_BEGIN
	"	nop\n"
	"\\p\\()_mov:\n"
	"	mov %dr7, %rax\n"
	"\\p\\()_after:\n"
	"	nop\n"
	"\\p\\()_done:\n"
	"	out %al, $" STR(ASM_PORT_DONE) "\n"
	"1:	jmp 1b\n"
	PROG_END
	OFF("start") OFF("mov") OFF("after") OFF("done")
	".endm\n"

	".code16\n"
	"kt_step kt_step_real\n"
	"kt_bp kt_bp_real\n"
	"kt_int3 kt_int3_real\n"
	".code32\n"
	"kt_step kt_step_prot32\n"
	"kt_bp kt_bp_prot32\n"
	".code64\n"
	"kt_step kt_step_long64\n"
	"kt_bp kt_bp_long64\n"
	"kt_spin kt_spin_long64\n"
	"kt_count kt_count_long64\n"
	"kt_watch kt_watch_long64\n"
	"kt_mmio kt_mmio_long64\n"
	"kt_drmov kt_drmov_long64\n"
	".popsection\n");
/* clang-format on */

#define PROG(p, m, nr)                                                                         \
	{                                                                                      \
		.name = #p, .mode = (m), .start = p##_start, .end = p##_end, .offs = p##_offs, \
		.nr_offs = (nr),                                                               \
	}

PROG_SYMS(kt_step_real);
PROG_SYMS(kt_step_prot32);
PROG_SYMS(kt_step_long64);
PROG_SYMS(kt_bp_real);
PROG_SYMS(kt_bp_prot32);
PROG_SYMS(kt_bp_long64);
PROG_SYMS(kt_int3_real);
PROG_SYMS(kt_spin_long64);
PROG_SYMS(kt_count_long64);
PROG_SYMS(kt_watch_long64);
PROG_SYMS(kt_mmio_long64);
PROG_SYMS(kt_drmov_long64);

const struct guest_prog prog_step[GUEST_NR_MODES] = {
	[GUEST_REAL] = PROG(kt_step_real, GUEST_REAL, STEP_NR),
	[GUEST_PROT32] = PROG(kt_step_prot32, GUEST_PROT32, STEP_NR),
	[GUEST_LONG64] = PROG(kt_step_long64, GUEST_LONG64, STEP_NR),
};

const struct guest_prog prog_bp[GUEST_NR_MODES] = {
	[GUEST_REAL] = PROG(kt_bp_real, GUEST_REAL, BP_NR),
	[GUEST_PROT32] = PROG(kt_bp_prot32, GUEST_PROT32, BP_NR),
	[GUEST_LONG64] = PROG(kt_bp_long64, GUEST_LONG64, BP_NR),
};

const struct guest_prog prog_int3_real = PROG(kt_int3_real, GUEST_REAL, INT3_NR);
const struct guest_prog prog_spin_long64 = PROG(kt_spin_long64, GUEST_LONG64, SPIN_NR);
const struct guest_prog prog_count_long64 = PROG(kt_count_long64, GUEST_LONG64, COUNT_NR);
const struct guest_prog prog_watch_long64 = PROG(kt_watch_long64, GUEST_LONG64, WATCH_NR);
const struct guest_prog prog_mmio_long64 = PROG(kt_mmio_long64, GUEST_LONG64, WATCH_NR);
const struct guest_prog prog_drmov_long64 = PROG(kt_drmov_long64, GUEST_LONG64, DRMOV_NR);
