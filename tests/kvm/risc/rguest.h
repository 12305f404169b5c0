/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny guest for the kvm suite on arm64 and on ppc64 Book3S, built with raw KVM ioctls and no
 * libkvmdbg, so that a harness problem never looks like a library bug (and the probes can ask
 * the kernel directly).  The x86 suite has its own (../guest.h).
 *
 * One memory slot of RG_MEM_SIZE bytes at RG_MEM_BASE.  The vCPU runs at its most privileged
 * guest level with the MMU off (arm64: EL1h, SCTLR_EL1.M = 0; ppc: supervisor, MSR.IR = DR =
 * 0, 64-bit, little-endian where the host is), so an address is its own guest-physical address
 * and the breakpoint addresses the library is given are guest-physical too.  Every program is
 * copied to RG_CODE; a program label at offset o is at RG_CODE + o, which is the pc the kernel
 * reports.
 *
 * With the MMU off the guest's accesses are not cacheable (arm64: Device memory).  Under TCG (the
 * vm tier) that changes nothing; on hardware whose caches are not coherent with such accesses
 * (arm64 without stage-2 FWB) a breakpoint the host writes could be missed.
 *
 * A program talks to the host with 4-byte stores to RG_MMIO + port, an address no memory slot
 * covers: each is a KVM_EXIT_MMIO.  rg_enter() puts RG_MMIO in the register RG_REG_MMIO and
 * RG_DATA in RG_REG_DATA.  Any exception the guest takes itself lands in a stub that stores to
 * RG_PORT_FAULT and spins, so a stray exception shows up as that exit.
 */
#ifndef KVMDBG_TESTS_KVM_RGUEST_H
#define KVMDBG_TESTS_KVM_RGUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <linux/kvm.h>

#include "common.h"

#if defined(__aarch64__)
#define RG_ARCH "arm64"
/* the default IPA size */
#define RG_VM_TYPE 0
#define RG_MEM_BASE 0x40000000ull
/* VBAR_EL1: 16 vectors of 0x80 bytes, 2 KiB aligned */
#define RG_VECTORS (RG_MEM_BASE + 0x1000)
#define RG_VECTORS_SIZE 0x800ull
#define RG_VECTOR_STRIDE 0x80ull
/* the general registers the programs find the MMIO and data addresses in: x28, x27 */
#define RG_REG_MMIO 28
#define RG_REG_DATA 27
#elif defined(__powerpc64__)
#define RG_ARCH "ppc64"
#define RG_VM_TYPE KVM_VM_PPC_PR
#define RG_MEM_BASE 0x0ull
/* the real-mode interrupt vectors 0x100 .. 0x1f00 */
#define RG_VECTORS (RG_MEM_BASE + 0x100)
#define RG_VECTORS_SIZE 0x1f00ull
#define RG_VECTOR_STRIDE 0x100ull
/* r28, r27 */
#define RG_REG_MMIO 28
#define RG_REG_DATA 27
#else
#error "the risc kvm harness is for arm64 and ppc64 hosts"
#endif

/* Guest-physical memory map (one memory slot). */
#define RG_MEM_SIZE 0x200000ull /* 2 MiB */
#define RG_CODE (RG_MEM_BASE + 0x8000)
#define RG_CODE_MAX 0x4000ull
#define RG_DATA (RG_MEM_BASE + 0xe000) /* scratch data the programs use */
/* Outside every memory slot: stores there are KVM_EXIT_MMIO. */
#define RG_MMIO 0x10000000ull

/* MMIO ports (offsets from RG_MMIO, 8-byte aligned). */
#define RG_PORT_DONE 0x80  /* the program finished */
#define RG_PORT_MARK 0x88  /* a marker in the middle of a program */
#define RG_PORT_PASS 0x90  /* one pass of a looping program finished */
#define RG_PORT_FAULT 0x98 /* the guest took an exception of its own */

/* Every instruction of both architectures is 4 bytes. */
#define RG_INSN 4

/*
 * A program assembled into the test binary: bytes [start, end) and the offsets of its labels,
 * in the order of that program's label enum (see rprograms.h).
 */
struct rg_prog {
	const char *name;
	const uint8_t *start;
	const uint8_t *end;
	const uint32_t *offs;
	unsigned int nr_offs;
};

/* Guest address of label @label of @prog once loaded. */
uint64_t rg_prog_addr(const struct rg_prog *prog, unsigned int label);
size_t rg_prog_size(const struct rg_prog *prog);

/*
 * The guest itself is the common struct kc_guest (common.h): kc_guest_open() creates the VM
 * with guest RAM and the exception stubs in place, kc_guest_add_vcpu() a vCPU initialised for
 * the architecture, kc_guest_close() releases it; kc_mem() is the host pointer of a guest
 * address.
 */

/* Copy a program to RG_CODE. */
void rg_load(struct kc_guest *g, const struct rg_prog *prog);
/*
 * Put vCPU @i at @pc: a pending MMIO completion is settled first (rg_settle()), the general
 * registers are zeroed but for RG_REG_MMIO and RG_REG_DATA, the privileged state is the reset
 * one described above.
 */
int rg_enter(struct kc_guest *g, unsigned int i, uint64_t pc);
/*
 * After a KVM_EXIT_MMIO the kernel completes the instruction (pc += 4) on the next KVM_RUN; a
 * pc written in between would be skipped by 4.  This runs KVM_RUN once with immediate_exit,
 * which completes it and enters no guest code.  A no-op after any other exit.
 */
int rg_settle(struct kc_guest *g, unsigned int i);

int rg_get_pc(struct kc_guest *g, unsigned int i, uint64_t *ret_pc);
int rg_set_pc(struct kc_guest *g, unsigned int i, uint64_t pc);
/* General register @n (x0-x30, r0-r31). */
int rg_get_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t *ret_val);
int rg_set_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t val);
/* The pc, or ~0 if it cannot be read (for messages). */
uint64_t rg_pc(struct kc_guest *g, unsigned int i);
/* General register @n; asserts that it can be read. */
uint64_t rg_gpr(struct kc_guest *g, unsigned int i, unsigned int n);

/* Raw ONE_REG access; 0 or -errno. */
int rg_get_one_reg(struct kc_guest *g, unsigned int i, uint64_t id, uint64_t *ret_val);
int rg_set_one_reg(struct kc_guest *g, unsigned int i, uint64_t id, uint64_t val);

/* Raw KVM_SET_GUEST_DEBUG; 0 or -errno. */
int rg_set_debug(struct kc_guest *g, unsigned int i, const struct kvm_guest_debug *dbg);
/* A short description of the vCPU's last exit, for messages ("mmio write 0x10000080", ...). */
const char *rg_exit_str(struct kc_guest *g, unsigned int i, char *buf, size_t size);
/* Whether the last exit is a 4-byte MMIO write to RG_MMIO + @port. */
bool rg_exit_is_mmio(struct kc_guest *g, unsigned int i, uint64_t port);

/* Longest a single test may keep one vCPU in KVM_RUN in total. */
#define RG_WATCHDOG_SECONDS 60

/*
 * Architecture parts (rguest-arm64.c, rguest-ppc.c), which also define rg_get_pc(),
 * rg_set_pc(), rg_get_gpr() and rg_set_gpr().
 */
int rg_arch_init_vcpu(struct kc_guest *g, unsigned int i);
int rg_arch_enter(struct kc_guest *g, unsigned int i, uint64_t pc);
/* The exception stub: RG_VECTOR_STRIDE bytes copied to every vector. */
extern const uint8_t rg_arch_stub[];
extern const uint8_t rg_arch_stub_end[];

#endif /* KVMDBG_TESTS_KVM_RGUEST_H */
