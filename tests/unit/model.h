/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A model of upstream KVM's guest debugging for the unit tier.
 *
 * The fake kernel edge (fake-kernel.c) returns whatever a test scripts; in model mode it hands
 * KVM_SET_GUEST_DEBUG, KVM_GET_ONE_REG (pc, ppc DEBUG_INST), KVM_GET_REGS (pc), KVM_TRANSLATE
 * and KVM_ENABLE_CAP (s390 USER_INSTR0) to this model instead, which parses and validates the
 * exact bytes the way the upstream kernel of the architecture does.  model_run() replaces
 * ioctl(KVM_RUN): it executes a guest program of abstract instructions until an exit and
 * writes exactly the kvm_run fields that kernel writes, in the architecture's byte order,
 * after filling the rest of the exit union with garbage.
 *
 * Each rule is one small function or table entry in model.c, with the upstream file and
 * function it comes from and where it was (or can be) checked against a real kernel.
 */
#ifndef KVMDBG_TEST_MODEL_H
#define KVMDBG_TEST_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_run;
struct arch;

enum model_arch {
	MODEL_X86 = 1,      /* upstream VMX/SVM, not this host's PVM */
	MODEL_ARM64 = 2,
	MODEL_PPC_PR = 3,   /* Book3S PR, big-endian ppc64 */
	MODEL_PPC_HV = 4,   /* Book3S HV, big-endian ppc64 */
	MODEL_PPC_BOOKE = 5,
	MODEL_S390 = 6,
	MODEL_RISCV = 7,
};

/* The abstract instruction set; every architecture has the same kinds, in its own lengths. */
enum model_kind {
	MI_NOP = 1,
	MI_STORE = 2,      /* size bytes at addr (arm64: 16 is an STP pair) */
	MI_LOAD = 3,
	MI_MMIO_STORE = 4, /* addr outside RAM: KVM_EXIT_MMIO */
	MI_MMIO_LOAD = 5,
	MI_OUT = 6,        /* x86: out imm8, al (KVM's fast PIO path) */
	MI_OUTS = 7,       /* x86: outsb (string I/O, emulated) */
	MI_JUMP = 8,       /* to addr */
	MI_BRK = 9,        /* the guest's own breakpoint (x86 int3, arm64 BRK #imm, riscv ebreak) */
	MI_HALT = 10,      /* x86 hlt: KVM_EXIT_HLT */
	MI_ICEBP = 11,     /* x86 icebp / int1 */
	MI_MOV_DR = 12,    /* x86 mov to a debug register */
};

/* enum model_kind flags */
#define MIF_SAME_VALUE 1u /* a store that writes back the bytes already there */

struct model_insn {
	uint64_t pc;
	uint8_t len;   /* 0: the kind's default length on the architecture */
	uint8_t kind;  /* enum model_kind */
	uint8_t flags;
	uint8_t size;  /* access size */
	uint64_t addr; /* access address or jump target */
	uint16_t imm;  /* MI_BRK: arm64 BRK immediate; riscv: 2 for c.ebreak */
	uint8_t enc[16];
};

/* What the model did at its last model_run() of a vCPU. */
enum model_exit_kind {
	ME_NONE = 0,
	ME_STEP = 1,       /* a single-step exit */
	ME_BP_INSN = 2,    /* a breakpoint instruction exited (own: the program's own MI_BRK) */
	ME_HW_BP = 3,      /* a hardware execute breakpoint (slot) */
	ME_WATCH = 4,      /* a watchpoint (slot; access_addr/len; far on arm64) */
	ME_GUEST_DB = 5,   /* x86 icebp: #DB with no cause bit */
	ME_DEBUG_REG = 6,  /* x86 DR7.GD */
	ME_MMIO = 7,
	ME_IO = 8,
	ME_HALT = 9,
	ME_INTR = 10,      /* -EINTR, exit_reason KVM_EXIT_INTR (a signal) */
	ME_IMMEDIATE = 11, /* -EINTR from immediate_exit: nothing written */
	ME_ERROR = 12,     /* the model flagged an error (see model_error_text) */
};

struct model_exit {
	int kind;          /* enum model_exit_kind */
	uint64_t pc;       /* the vCPU's pc after the exit */
	uint64_t at;       /* the instruction the exit is about (breakpoint, access) */
	bool own;          /* ME_BP_INSN: the program's own instruction, not a debugger's */
	int slot;          /* ME_HW_BP, ME_WATCH: the slot that fired (first of several) */
	uint64_t slot_mask;
	uint64_t access_addr, access_len;
	bool write;
	uint64_t far;      /* arm64 watchpoint */
	bool step_too;     /* x86: the #DB also had DR6.BS */
	uint64_t retired;  /* instructions retired by this model_run() */
};

struct model;
struct model_vcpu;

/* A model VM of an architecture with guest RAM [ram_gpa, ram_gpa + ram_size). */
struct model *model_new(enum model_arch arch, uint64_t ram_gpa, size_t ram_size);
void model_free(struct model *m);
/*
 * Make the fake kernel edge route to this model (and set its capabilities with fake_set_cap);
 * call after fake_kernel_reset() and before kvmdbg_vm_new().
 */
void model_install(struct model *m);
const struct arch *model_kvmdbg_arch(struct model *m);
enum model_arch model_get_arch(struct model *m);
uint8_t *model_ram(struct model *m);
uint64_t model_ram_gpa(struct model *m);
size_t model_ram_size(struct model *m);

/* Configuration, before model_install(): arm64 slot counts, s390 USER_INSTR0, x86 "emulate all". */
void model_set_hw_counts(struct model *m, unsigned int bps, unsigned int wps);
void model_set_user_instr0(struct model *m, bool offered);
void model_set_garbage_seed(struct model *m, uint64_t seed);
/* x86: a vCPU whose every instruction KVM's emulator runs (invalid guest state, or PVM). */
void model_set_x86_emulate_all(struct model *m, bool on);
/* ppc PR: the guest runs in problem state (MSR_PR): the debug instruction is a program check. */
void model_set_ppc_problem_state(struct model *m, bool on);
/* Instruction budget of one model_run() before a timer signal (-EINTR, KVM_EXIT_INTR). */
void model_set_budget(struct model *m, unsigned int insns);

/* Guest address translation: page size (default 4096) and va page -> pa page (default identity). */
void model_set_page_size(struct model *m, uint64_t size);
void model_map_page(struct model *m, uint64_t va, uint64_t pa);
/* 0 and *gpa, or -EFAULT. */
int model_translate(struct model *m, uint64_t gva, uint64_t *gpa);
/* A kvmdbg_translate_fn for kvmdbg_vm_set_memory_ops(), user_data = the model. */
int model_translate_cb(void *user_data, uint64_t gva, uint64_t *ret_gpa);

/* The program: add an instruction (its encoding goes into RAM); returns the next pc. */
uint64_t model_add(struct model *m, const struct model_insn *in);
uint64_t model_nop(struct model *m, uint64_t pc);
uint64_t model_store(struct model *m, uint64_t pc, uint64_t addr, uint8_t size);
uint64_t model_load(struct model *m, uint64_t pc, uint64_t addr, uint8_t size);
uint64_t model_jump(struct model *m, uint64_t pc, uint64_t target);
uint64_t model_simple(struct model *m, uint64_t pc, enum model_kind kind, uint64_t addr);
const struct model_insn *model_insn_at(struct model *m, uint64_t pc);
/* Default length of a kind on the architecture. */
unsigned int model_default_len(struct model *m, enum model_kind kind);

/* A write by the guest (or the VMM) into guest-physical memory, code included. */
void model_guest_write(struct model *m, uint64_t gpa, const void *buf, size_t len);

/* vCPUs: one per vCPU fd the library sees, each with its kvm_run buffer. */
struct model_vcpu *model_vcpu_new(struct model *m, int fd, struct kvm_run *run, uint64_t pc);
struct model_vcpu *model_vcpu_by_fd(struct model *m, int fd);
/*
 * ioctl(KVM_RUN): 0 after an exit written into kvm_run, or -EINTR; -EIO when the model flagged
 * an error (model_errors()), which no kernel would return.
 */
int model_run(struct model_vcpu *v);
/* KVM_SET_REGS (x86: drops TF unless pc is the captured step rip; rf sets RFLAGS.RF). */
void model_set_regs(struct model_vcpu *v, uint64_t pc, bool rf);
/* A signal for the vCPU thread: the next model_run() returns -EINTR, KVM_EXIT_INTR. */
void model_signal(struct model_vcpu *v);
uint64_t model_pc(struct model_vcpu *v);
uint64_t model_retired(struct model_vcpu *v);
const struct model_exit *model_last_exit(struct model_vcpu *v);
uint32_t model_guest_debug(struct model_vcpu *v);
/* Whether a hardware slot of the vCPU holds an enabled execute/watch point at addr. */
bool model_hw_enabled_at(struct model_vcpu *v, bool watch, uint64_t addr);
/* x86: TF in hardware RFLAGS now; singlestep_rip. */
bool model_x86_hw_tf(struct model_vcpu *v);
/* Exceptions the guest received (x86 INJECT_*, a #BP/#DB the guest took itself). */
unsigned int model_guest_exceptions(struct model_vcpu *v);
/* Count of KVM_SET_GUEST_DEBUG calls on the vCPU, and the last one's result. */
unsigned int model_sgd_calls(struct model_vcpu *v);

/* Errors the model flagged (code not the program's, a debugger's breakpoint run by the guest). */
unsigned int model_errors(struct model *m);
const char *model_error_text(struct model *m);
void model_clear_errors(struct model *m);

#endif /* KVMDBG_TEST_MODEL_H */
