/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the arm64 and ppc64 guest programs (rprograms-arm64.c, rprograms-ppc.c) share: the
 * constants their assembly uses, the exception stub and the program objects of rprograms.h.
 * Only those two files include it.
 */
#ifndef KVMDBG_TESTS_KVM_RPROGRAMS_ASM_H
#define KVMDBG_TESTS_KVM_RPROGRAMS_ASM_H

#include "progasm.h"
#include "rprograms.h"

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

/*
 * The exception stub (rguest.h) after the programs, which reports with MMIO()
 * (the including file's store to RG_MMIO + port) and spins.
 */
#define RG_STUB_ASM                                        \
	"	.balign 4\n"                                     \
	"	.globl rg_arch_stub, rg_arch_stub_end\n"         \
	"	.hidden rg_arch_stub, rg_arch_stub_end\n"        \
	"rg_arch_stub:\n" MMIO(ASM_PORT_FAULT) "1:	b 1b\n" \
					       "rg_arch_stub_end:\n"

/* The program objects of rprograms.h, from the programs kt_<name>_@sfx. */
#define RG_PROG(p, nr)                                                                             \
	{                                                                                          \
		.name = #p, .start = p##_start, .end = p##_end, .offs = p##_offs, .nr_offs = (nr), \
	}
#define RG_PROGS(sfx)                                                        \
	PROG_SYMS(kt_step_##sfx);                                            \
	PROG_SYMS(kt_bp_##sfx);                                              \
	PROG_SYMS(kt_watch_##sfx);                                           \
	PROG_SYMS(kt_trap_##sfx);                                            \
	PROG_SYMS(kt_sw_##sfx);                                              \
	PROG_SYMS(kt_sled_##sfx);                                            \
	const struct rg_prog prog_step = RG_PROG(kt_step_##sfx, STEP_NR);    \
	const struct rg_prog prog_bp = RG_PROG(kt_bp_##sfx, BP_NR);          \
	const struct rg_prog prog_watch = RG_PROG(kt_watch_##sfx, WATCH_NR); \
	const struct rg_prog prog_trap = RG_PROG(kt_trap_##sfx, TRAP_NR);    \
	const struct rg_prog prog_sw = RG_PROG(kt_sw_##sfx, SW_NR);          \
	const struct rg_prog prog_sled = RG_PROG(kt_sled_##sfx, SLED_NR)

#endif /* KVMDBG_TESTS_KVM_RPROGRAMS_ASM_H */
