/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny x86 guest for the kvm test suite, built with raw KVM ioctls and no libkvmdbg, so that
 * a harness problem never looks like a library bug (and the probes can ask the kernel directly).
 *
 * Every guest program is copied to GUEST_CODE and entered there in one of three modes whose
 * instructions this host's KVM emulates (and real hardware runs natively elsewhere): real mode
 * with CS.base = GUEST_CODE, 32-bit flat protected mode and 64-bit long mode at CPL0 with
 * identity paging.  In all three a program label at offset o has the linear address
 * GUEST_CODE + o, which is what KVM_EXIT_DEBUG reports as pc.
 */
#ifndef KVMDBG_TESTS_KVM_GUEST_H
#define KVMDBG_TESTS_KVM_GUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/kvm.h>

#include "common.h"

/* Guest-physical memory map (one memory slot at gpa 0). */
#define GUEST_MEM_SIZE 0x400000ull /* 4 MiB */
#define GUEST_IVT 0x0000ull	   /* real-mode interrupt vectors */
#define GUEST_GDT 0x1000ull
#define GUEST_TSS 0x1800ull
#define GUEST_PML4 0x2000ull
#define GUEST_PDPT 0x3000ull
#define GUEST_PD 0x4000ull	   /* linear 0-1 GiB: identity, 2 MiB pages */
#define GUEST_PD_ALIAS 0x5000ull   /* linear 1-2 GiB: the alias below */
#define GUEST_FAULT_STUB 0x7f00ull /* real-mode exception handler: out to GUEST_PORT_FAULT */
#define GUEST_CODE 0x8000ull	   /* programs are copied here */
#define GUEST_CODE_MAX 0x6000ull
#define GUEST_DATA 0xe000ull /* scratch data the programs use */
#define GUEST_STACK_TOP 0xfff0ull

/*
 * In long mode, linear GUEST_ALIAS_VA maps the 2 MiB page at gpa GUEST_ALIAS_GPA, so the
 * translation of a breakpoint address differs from the identity there.  GUEST_UNMAPPED_VA is
 * mapped by nothing.
 */
#define GUEST_ALIAS_VA 0x40000000ull
#define GUEST_ALIAS_GPA 0x200000ull
#define GUEST_UNMAPPED_VA 0x80000000ull
/* Linear and guest-physical (2 MiB page, identity), past the RAM: an access is an MMIO exit. */
#define GUEST_MMIO 0x400000ull

/* Real-mode code segment: its base is GUEST_CODE. */
#define GUEST_REAL_CS (GUEST_CODE >> 4)

/* I/O ports the programs write to. */
#define GUEST_PORT_DONE 0x10  /* the program finished */
#define GUEST_PORT_MARK 0x11  /* a marker in the middle of a program */
#define GUEST_PORT_PASS 0x12  /* one pass of a looping program finished */
#define GUEST_PORT_FAULT 0x13 /* an unexpected real-mode exception */

enum guest_mode {
	GUEST_REAL = 0,
	GUEST_PROT32 = 1,
	GUEST_LONG64 = 2,
	GUEST_NR_MODES,
};

const char *guest_mode_name(enum guest_mode mode);

/*
 * A program assembled into the test binary: bytes [start, end) and the offsets of its labels,
 * in the order of that program's label enum (see programs.h).
 */
struct guest_prog {
	const char *name;
	enum guest_mode mode;
	const uint8_t *start;
	const uint8_t *end;
	const uint32_t *offs;
	unsigned int nr_offs;
};

/* Linear address of label @label of @prog once loaded. */
uint64_t guest_prog_addr(const struct guest_prog *prog, unsigned int label);
size_t guest_prog_size(const struct guest_prog *prog);

/*
 * The guest itself is the common struct kc_guest (common.h): kc_guest_open() creates the VM
 * with guest RAM, page tables, GDT and IVT in place, kc_guest_add_vcpu() a vCPU with the
 * supported CPUID, kc_guest_close() releases it.
 */

/* Copy a program to GUEST_CODE. */
void guest_load(struct kc_guest *g, const struct guest_prog *prog);
/* Put vCPU @i in @mode at the linear address @pc (general registers zeroed, rsp at the stack). */
int guest_enter(struct kc_guest *g, unsigned int i, enum guest_mode mode, uint64_t pc);
/* Point real-mode vector @vector at GUEST_REAL_CS:@ip. */
void guest_set_vector(struct kc_guest *g, unsigned int vector, uint16_t ip);

int guest_get_regs(struct kc_guest *g, unsigned int i, struct kvm_regs *regs);
int guest_set_regs(struct kc_guest *g, unsigned int i, const struct kvm_regs *regs);
/* Linear address of the vCPU's next instruction (CS.base + RIP). */
uint64_t guest_get_pc(struct kc_guest *g, unsigned int i);

/* Raw KVM_SET_GUEST_DEBUG; 0 or -errno. */
int guest_set_debug(struct kc_guest *g, unsigned int i, uint32_t control, const uint64_t dr[8]);
/* A short description of the vCPU's last exit, for messages ("io out port 0x10", ...). */
const char *guest_exit_str(struct kc_guest *g, unsigned int i, char *buf, size_t size);
/* Whether the last exit is an "out" to @port. */
bool guest_exit_is_out(struct kc_guest *g, unsigned int i, uint64_t port);
/* Whether the last exit is an MMIO access of 4 bytes at @addr (a write of data, or a read). */
bool guest_exit_is_mmio(struct kc_guest *g, unsigned int i, uint64_t addr, bool write,
			uint32_t data);
/* Answer the MMIO read of the last exit with @data (its first bytes). */
void guest_mmio_reply(struct kc_guest *g, unsigned int i, uint32_t data);

/* Longest a single test may keep one vCPU in KVM_RUN in total. */
#define GUEST_WATCHDOG_SECONDS 30

/* The signal the tests' kick callbacks send (kt_init() installs a do-nothing handler). */
#define GUEST_SIG_KICK SIGUSR1

#endif /* KVMDBG_TESTS_KVM_GUEST_H */
