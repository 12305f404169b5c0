/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the guest programs of the kvm suite (programs.c, risc/rprograms-*.c) are laid out: each is
 * a gas macro with one parameter p, instantiated once, whose bytes are bracketed by the global
 * (hidden) symbols p_start and p_end and followed by p_offs, the table of its label offsets.
 */
#ifndef KVMDBG_TESTS_KVM_PROGASM_H
#define KVMDBG_TESTS_KVM_PROGASM_H

#define STR_(x) #x
#define STR(x) STR_(x)

/* clang-format off */
/* Start of a program: global (hidden) symbols for C. */
#define PROG_BEGIN							\
	"	.balign 16\n"						\
	"	.globl \\p\\()_start, \\p\\()_end, \\p\\()_offs\n"	\
	"	.hidden \\p\\()_start, \\p\\()_end, \\p\\()_offs\n"	\
	"\\p\\()_start:\n"
#define PROG_END							\
	"\\p\\()_end:\n"						\
	"	.balign 4\n"						\
	"\\p\\()_offs:\n"
/* One entry of the label table. */
#define OFF(label) "	.long \\p\\()_" label " - \\p\\()_start\n"
/* clang-format on */

/* The C view of program @p. */
#define PROG_SYMS(p)                                 \
	extern const uint8_t p##_start[], p##_end[]; \
	extern const uint32_t p##_offs[]

#endif /* KVMDBG_TESTS_KVM_PROGASM_H */
