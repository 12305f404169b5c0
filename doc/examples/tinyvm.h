/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tinyvm: the smallest x86 VMM the documentation's samples need, with raw KVM ioctls only.
 *
 * One VM with 64 KiB of RAM at guest-physical 0 and one vCPU in real mode.  A sample's guest
 * code is copied to TINYVM_CODE, which is also the base of the code segment, so the code's
 * offset o has the linear address TINYVM_CODE + o: the address KVM_EXIT_DEBUG reports as pc
 * and the one breakpoints are set at.  Every interrupt vector points to a stub that writes to
 * TINYVM_TRAP_PORT, so an exception the guest takes itself shows up as an I/O exit.
 *
 * Real mode is used because every x86 KVM runs it, including the emulating ones this project
 * is tested on (see the kernel interface page); the samples that need page tables use 64-bit
 * mode (tinyvm_start_paged()).  The samples include this file only for the
 * setup; the parts the documentation shows never depend on it.
 */
#ifndef KVMDBG_DOC_TINYVM_H
#define KVMDBG_DOC_TINYVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define TINYVM_RAM_SIZE 0x10000u
#define TINYVM_STUB 0x0f00u	/* the exception stub of every vector */
#define TINYVM_CODE 0x1000u	/* the guest code; CS = TINYVM_CODE >> 4 */
#define TINYVM_CODE_MAX 0x1000u
#define TINYVM_DATA 0x3000u	/* scratch data for the samples' guests */
#define TINYVM_STACK 0xfff0u

#define TINYVM_DONE_PORT 0x10	/* a guest writes here when it is done */
#define TINYVM_TRAP_PORT 0x11	/* ... and the stub writes here */

/* Exit status of a sample that cannot run here (no usable KVM), as Meson's tests expect. */
#define TINYVM_EXIT_SKIP 77

struct tinyvm {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	uint8_t *ram;
	struct kvm_run *run;
	size_t run_size;
};

/*
 * Open /dev/kvm and create the VM and its vCPU, with code[0..size) at TINYVM_CODE and the
 * vCPU at its first byte.  Returns 0, or -errno with a static explanation in *ret_why.
 */
int tinyvm_open(struct tinyvm *t, const void *code, size_t size, const char **ret_why);
void tinyvm_close(struct tinyvm *t);

/* Put the vCPU at offset ip of the code, in real mode, with cleared registers. */
int tinyvm_start(struct tinyvm *t, uint16_t ip);

/*
 * For samples that need page tables (address spaces, code mapped later): 64-bit long mode at CPL0
 * with 4 KiB pages, because real mode has no paging and the KVM this project is tested on drops
 * CR0.PG from KVM_SET_SREGS outside long mode.  tinyvm_identity_map() writes a top-level table
 * (PML4) at guest-physical pml4 whose first entry leads to three tables in the pages from tables
 * on (PDPT, page directory, page table), which map linear 0 .. TINYVM_RAM_SIZE to the same
 * guest-physical addresses, present and writable.  Two calls with different pml4 and the same
 * tables give two address spaces with the same mappings.  TINYVM_PTE() is where the page table
 * entry of a linear address below 2 MiB is.  tinyvm_start_paged() puts the vCPU at offset ip of the
 * code in 64-bit mode with CR3 = cr3, no IDT (an exception is a triple fault:
 * KVM_EXIT_SHUTDOWN).  Code offset ip has the linear address tinyvm_addr(ip) as in real mode.
 */
#define TINYVM_PTE_PRESENT 0x1u
#define TINYVM_PTE_WRITE 0x2u
#define TINYVM_PTE(tables, va) ((tables) + 0x2000u + ((va) >> 12) * 8u)
void tinyvm_identity_map(struct tinyvm *t, uint32_t pml4, uint32_t tables);
int tinyvm_start_paged(struct tinyvm *t, uint16_t ip, uint32_t cr3);

/* The linear address of code offset ip. */
static inline uint64_t tinyvm_addr(uint16_t ip)
{
	return TINYVM_CODE + ip;
}

/* KVM_RUN: 0 or -errno. */
int tinyvm_run(struct tinyvm *t);

/* Whether the last exit is an "out" to port. */
bool tinyvm_exit_is_out(const struct tinyvm *t, uint16_t port);

/* The vCPU's ax register, and its instruction pointer as a code offset. */
int tinyvm_get_ax(struct tinyvm *t, uint16_t *ret_ax);
int tinyvm_get_ip(struct tinyvm *t, uint16_t *ret_ip);

/* "exit 4 (debug)" and the like, for messages. */
const char *tinyvm_exit_name(const struct tinyvm *t);

#endif /* KVMDBG_DOC_TINYVM_H */
