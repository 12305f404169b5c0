/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm-gdbstub: a tiny VMM (x86-64 or arm64, the host's) with a gdb stub from
 * libkvmdbg-gdbserver.
 *
 *   main.c    command line, guest RAM and the ELF image, a thread per vCPU, the gdb server
 *   x86.c     x86-64: long mode at CPL0, identity page tables, the I/O ports
 *   arm64.c   arm64: EL1h with the MMU off, the MMIO registers
 */
#ifndef KVM_GDBSTUB_VMM_H
#define KVM_GDBSTUB_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <kvmdbg/gdbserver.h>
#include <kvmdbg/kvmdbg.h>

#define EXIT_SKIP 77
#define MAX_VCPUS 8

/* gdb's signal numbers (not the host's) for stops the VMM finds itself. */
#define GDB_SIGILL 4
#define GDB_SIGSEGV 11

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned int index;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvmdbg_vcpu *dbg;
	pthread_t thread;
	bool started;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	uint8_t *ram;
	uint64_t entry;
	unsigned int nr_vcpus;
	unsigned int nr_vcpus_total; /* what the guest is told */
	struct vcpu vcpus[MAX_VCPUS];
	struct kvmdbg_vm *dbg;
	struct kvmdbg_gdbserver *gdb;
	int done_fd; /* eventfd: the guest ended with no gdb attached */
	int exit_status;
	pthread_mutex_t console_lock;
	char console[256];
	size_t console_len;
	uint32_t arm_target; /* arm64: KVM_ARM_PREFERRED_TARGET */
};

/* What an exit of the guest's own (not a debug exit) means for the run loop. */
enum outcome {
	RUN_ON,	     /* handled: run again */
	RUN_STOPPED, /* reported to gdb (kvmdbg_gdbserver_vcpu_report_stop()) */
	RUN_HALTED,  /* the vCPU will not run again */
	RUN_EXITED,  /* the guest ended, with vm->exit_status */
};

/* The architecture's part (x86.c or arm64.c). */
extern const uint16_t arch_elf_machine;
extern const uint64_t arch_ram_base, arch_ram_size, arch_load_min;
/* Whether [addr, addr + size) may hold part of the image. */
bool arch_segment_fits(uint64_t addr, uint64_t size);
/* Before the vCPUs: tables in RAM, memory for libkvmdbg. */
int arch_vm_init(struct vm *vm, char *why, size_t size);
/* A vCPU at the entry point, with its index and the vCPU count in registers. */
int arch_vcpu_init(struct vm *vm, struct vcpu *v, char *why, size_t size);
enum outcome arch_exit(struct vcpu *v);
/* What this host delivers, probed (x86) or as the kernel says (arm64). */
void arch_probe(struct vm *vm);

/* main.c */
/* Report a stop to gdb with signal and a note "vCPU N: ..."; RUN_STOPPED. */
enum outcome stopped(struct vcpu *v, int signal, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void console_put(struct vm *vm, unsigned int index, uint8_t ch);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* KVM_GDBSTUB_VMM_H */
