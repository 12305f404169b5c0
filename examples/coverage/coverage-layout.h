/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The coverage guest's memory map, shared by the generated assembly (gen_guest.py) and
 * coverage.c: preprocessor constants only.
 *
 * The guest runs in real mode.  Its code segment starts at COV_CODE_BASE (CS is
 * COV_CODE_BASE >> 4), so a label at offset o has the linear address COV_CODE_BASE + o,
 * which is the pc KVM_EXIT_DEBUG reports; every other segment has base 0, so data
 * addresses are physical.
 */
#ifndef KVMDBG_EXAMPLES_COVERAGE_LAYOUT_H
#define KVMDBG_EXAMPLES_COVERAGE_LAYOUT_H

/* Guest RAM, at guest-physical 0. */
#define COV_RAM_SIZE 0x20000
/* Real-mode interrupt vectors: vector v leads to fault stub v. */
#define COV_IVT 0x0000
/* The input bytes, written by the host before each run. */
#define COV_INPUT 0x0600
#define COV_INPUT_MAX 256
/* u16: the guest's result for the last input. */
#define COV_RESULT 0x0700
/* Fault stub v: mov $v, %al; out %al, $COV_PORT_FAULT; hlt. */
#define COV_FAULT_STUBS 0x1000
#define COV_FAULT_STUB_SIZE 8
#define COV_STACK_TOP 0x7000
/* The generated code: at most 64 KiB, one real-mode segment. */
#define COV_CODE_BASE 0x10000
#define COV_CODE_MAX 0x10000

/* The guest is ready for an input (and done with the last one). */
#define COV_PORT_READY 0x10
/* The guest took an exception itself; al holds the vector. */
#define COV_PORT_FAULT 0x13

#endif /* KVMDBG_EXAMPLES_COVERAGE_LAYOUT_H */
