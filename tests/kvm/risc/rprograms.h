/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest programs of the arm64 and ppc64 kvm suite (assembled into the test binaries by the
 * target's gcc, see rprograms-arm64.c and rprograms-ppc.c), and the labels the tests know them
 * by.  Both architectures have the same programs with the same labels, instruction for
 * instruction; "mmio PORT" is a 4-byte store of the first register (x0/w0, r3) to RG_MMIO +
 * PORT through RG_REG_MMIO.  A label's guest address is rg_prog_addr(prog, label).
 */
#ifndef KVMDBG_TESTS_KVM_RPROGRAMS_H
#define KVMDBG_TESTS_KVM_RPROGRAMS_H

#include "rguest.h"

/* The registers the programs call r0, r1, r2 and r7. */
#if defined(__aarch64__)
#define PROG_R0 0
#define PROG_R1 1
#define PROG_R2 2
#define PROG_R7 7
#else
#define PROG_R0 3
#define PROG_R1 4
#define PROG_R2 5
#define PROG_R7 10
#endif

/*
 * step: a straight sequence with a branch, a three-times loop and an MMIO store in the middle
 * (PROG_R0 and so on name the registers):
 *
 *	start:		nop
 *	after_nop:	r0 = 0x1234
 *	after_mov:	r0 += 0x10
 *	after_add:	b target
 *			(an illegal instruction, never executed)
 *	target:		r1 = 3
 *	loop:		r1 -= 1, setting the flags
 *	after_dec:	bne loop
 *	after_loop:	mmio RG_PORT_MARK
 *	after_mark:	r2 = r0			(0x1244)
 *	done:		mmio RG_PORT_DONE
 */
enum step_label {
	STEP_START,
	STEP_AFTER_NOP,
	STEP_AFTER_MOV,
	STEP_AFTER_ADD,
	STEP_TARGET,
	STEP_LOOP,
	STEP_AFTER_DEC,
	STEP_AFTER_LOOP,
	STEP_AFTER_MARK,
	STEP_DONE,
	STEP_NR
};
extern const struct rg_prog prog_step;

/*
 * bp: BP_PASSES passes of an inner loop of BP_INNER_COUNT iterations, with an MMIO store to
 * RG_PORT_PASS after each pass (r0 ends as BP_PASSES * BP_INNER_COUNT):
 *
 *	start:		r7 = BP_PASSES
 *	outer:		r1 = BP_INNER_COUNT
 *	inner:		r0 += 1
 *	inner2:		r1 -= 1, setting the flags
 *	jnz:		bne inner
 *	pass:		mmio RG_PORT_PASS
 *	after_pass:	r7 -= 1, setting the flags
 *			bne outer
 *	done:		mmio RG_PORT_DONE
 */
#define BP_PASSES 2
#define BP_INNER_COUNT 5
enum bp_label {
	BP_START,
	BP_OUTER,
	BP_INNER,
	BP_INNER2,
	BP_JNZ,
	BP_PASS,
	BP_AFTER_PASS,
	BP_DONE,
	BP_NR
};
extern const struct rg_prog prog_bp;

/*
 * watch: one 4-byte store and one 4-byte load of WATCH_DATA (through RG_REG_DATA):
 *
 *	start:		r0 = WATCH_VALUE	(two instructions)
 *	store:		store r0 to WATCH_DATA
 *	after_store:	nop
 *	load:		load r1 from WATCH_DATA
 *	after_load:	nop
 *	done:		mmio RG_PORT_DONE
 */
#define WATCH_DATA (RG_DATA + 0x10)
#define WATCH_VALUE 0x11223344u
enum watch_label {
	WATCH_START,
	WATCH_STORE,
	WATCH_AFTER_STORE,
	WATCH_LOAD,
	WATCH_AFTER_LOAD,
	WATCH_DONE,
	WATCH_NR
};
extern const struct rg_prog prog_watch;

#if defined(__aarch64__)
/*
 * stp (arm64 only): one store of 16 bytes whose second 8 are WATCH_DATA, its first 8 below:
 *
 *	start:		x0, x1 = 0x5566, 0x7788
 *	stp:		stp x0, x1, [WATCH_DATA - 8]
 *	after:		nop
 *	done:		mmio RG_PORT_DONE
 */
enum stp_label {
	STP_START,
	STP_STP,
	STP_AFTER,
	STP_DONE,
	STP_NR
};
extern const struct rg_prog prog_stp;
#endif

/*
 * trap: the guest's own breakpoint instruction (arm64 "brk #0x42", ppc "trap") and a handler
 * for the exception it raises, which reports itself and returns past it:
 *
 *	start:		nop
 *	at:		the breakpoint instruction
 *	after:		nop
 *	done:		mmio RG_PORT_DONE
 *	handler:	mmio RG_PORT_MARK
 *			return address (ELR_EL1, SRR0) += 4
 *			return from the exception (eret, rfid)
 *
 * TRAP_VECTOR is the guest vector the exception goes to (arm64: synchronous, current EL with
 * SP_ELx; ppc: program); rg_branch() makes the instruction to put there.
 */
#if defined(__aarch64__)
#define TRAP_VECTOR (RG_VECTORS + 0x200)
#else
#define TRAP_VECTOR 0x700ull
#endif
enum trap_label {
	TRAP_START,
	TRAP_AT,
	TRAP_AFTER,
	TRAP_DONE,
	TRAP_HANDLER,
	TRAP_NR
};
extern const struct rg_prog prog_trap;

/*
 * sw: the kernel's breakpoint instruction itself (arm64 "brk #0"; ppc: the instruction
 * KVM_REG_PPC_DEBUG_INST names, written over "sw_at" by the probe):
 *
 *	start:		nop
 *	at:		the breakpoint instruction
 *	after:		nop
 *	done:		mmio RG_PORT_DONE
 */
enum sw_label {
	SW_START,
	SW_AT,
	SW_AFTER,
	SW_DONE,
	SW_NR
};
extern const struct rg_prog prog_sw;

/*
 * sled: SLED_LEN stores, each to its own doubleword of SLED_DATA (store k writes the 4 bytes at
 * SLED_DATA + 8 * k), so that as many breakpoints or watchpoints as the hardware has each fire
 * at their own instruction:
 *
 *	start:		store r0 to SLED_DATA + 0
 *			store r0 to SLED_DATA + 8
 *			...	(SLED_LEN stores in all; store k is at start + 4 * k)
 *	done:		mmio RG_PORT_DONE
 */
#define SLED_LEN 16
#define SLED_DATA (RG_DATA + 0x100)
enum sled_label {
	SLED_START,
	SLED_DONE,
	SLED_NR
};
extern const struct rg_prog prog_sled;

/* The 4-byte unconditional branch from @from to @to (both guest addresses), in guest order. */
uint32_t rg_branch(uint64_t from, uint64_t to);

#endif /* KVMDBG_TESTS_KVM_RPROGRAMS_H */
