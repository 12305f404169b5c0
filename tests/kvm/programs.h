/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest programs of the kvm suite (assembled into the test binaries by gcc, see programs.c),
 * and the labels the tests know them by.  A label's linear address is
 * guest_prog_addr(prog, label) in every mode.
 */
#ifndef KVMDBG_TESTS_KVM_PROGRAMS_H
#define KVMDBG_TESTS_KVM_PROGRAMS_H

#include "guest.h"

/*
 * step: a straight sequence with a jump, a three-times loop and an "out" in the middle:
 *
 *	start:		nop
 *	after_nop:	mov $0x1234, %eax
 *	after_mov:	add $0x10, %eax
 *	after_add:	jmp target
 *			ud2			(never executed)
 *	target:		mov $3, %ecx
 *	loop:		dec %ecx
 *	after_dec:	jnz loop
 *	after_loop:	out %al, $GUEST_PORT_MARK
 *	after_mark:	xchg %eax, %ebx		(ebx = 0x1244)
 *	done:		out %al, $GUEST_PORT_DONE
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
extern const struct guest_prog prog_step[GUEST_NR_MODES];

/*
 * bp: BP_PASSES passes of an inner loop of BP_INNER_COUNT iterations, with an "out" to
 * GUEST_PORT_PASS after each pass (eax ends as BP_PASSES * BP_INNER_COUNT):
 *
 *	start:		mov $BP_PASSES, %edi
 *	outer:		mov $BP_INNER_COUNT, %ecx
 *	inner:		inc %eax
 *	inner2:		dec %ecx
 *	jnz:		jnz inner
 *	pass:		out %al, $GUEST_PORT_PASS
 *	after_pass:	dec %edi
 *			jnz outer
 *	done:		out %al, $GUEST_PORT_DONE
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
extern const struct guest_prog prog_bp[GUEST_NR_MODES];

/*
 * int3 (real mode only): the guest's own breakpoint instruction, and a vector-3 handler:
 *
 *	start:		nop
 *	at:		int3
 *	after:		out %al, $GUEST_PORT_DONE
 *	handler:	out %al, $GUEST_PORT_MARK
 *			iret
 */
enum int3_label {
	INT3_START,
	INT3_AT,
	INT3_AFTER,
	INT3_HANDLER,
	INT3_NR
};
extern const struct guest_prog prog_int3_real;

/*
 * spin (long mode): announce itself, then spin until the host writes a non-zero word:
 *
 *	start:		movl $1, SPIN_STARTED
 *	loop:		cmpl $0, SPIN_GO
 *	je:		je loop
 *	after:		out %al, $GUEST_PORT_DONE
 */
#define SPIN_STARTED (GUEST_DATA + 0)
#define SPIN_GO (GUEST_DATA + 4)
enum spin_label {
	SPIN_START,
	SPIN_LOOP,
	SPIN_JE,
	SPIN_AFTER,
	SPIN_NR
};
extern const struct guest_prog prog_spin_long64;

/*
 * count (long mode): an inner loop of %edi iterations (set by the host):
 *
 *	start:		mov %edi, %ecx
 *	loop:		inc %eax
 *	loop2:		dec %ecx
 *	jnz:		jnz loop
 *	done:		out %al, $GUEST_PORT_DONE
 */
enum count_label {
	COUNT_START,
	COUNT_LOOP,
	COUNT_LOOP2,
	COUNT_JNZ,
	COUNT_DONE,
	COUNT_NR
};
extern const struct guest_prog prog_count_long64;

/*
 * watch (long mode): one 4-byte store and one 4-byte load of WATCH_DATA:
 *
 *	start:		mov $WATCH_VALUE, %eax
 *	store:		movl %eax, WATCH_DATA
 *	after_store:	nop
 *	load:		movl WATCH_DATA, %ebx
 *	after_load:	nop
 *	done:		out %al, $GUEST_PORT_DONE
 */
#define WATCH_DATA (GUEST_DATA + 0x10)
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
extern const struct guest_prog prog_watch_long64;

/*
 * mmio (long mode): the watch program with GUEST_MMIO for WATCH_DATA, past the RAM: the
 * store and the load each exit with KVM_EXIT_MMIO (labels: enum watch_label).
 */
extern const struct guest_prog prog_mmio_long64;

/*
 * drmov (long mode): the guest reads DR7:
 *
 *	start:		nop
 *	mov:		mov %dr7, %rax
 *	after:		nop
 *	done:		out %al, $GUEST_PORT_DONE
 */
enum drmov_label {
	DRMOV_START,
	DRMOV_MOV,
	DRMOV_AFTER,
	DRMOV_DONE,
	DRMOV_NR
};
extern const struct guest_prog prog_drmov_long64;

#endif /* KVMDBG_TESTS_KVM_PROGRAMS_H */
