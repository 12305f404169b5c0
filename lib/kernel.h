/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel edge: the only calls that reach the kernel.  lib/kernel.c implements them with
 * ioctl() for the architecture the library is built for; the unit tests link a fake that records
 * every call, and that can pretend to be the kernel of any architecture, instead.
 */
#ifndef KVMDBG_KERNEL_H
#define KVMDBG_KERNEL_H

#include <stddef.h>
#include <stdint.h>

struct arch;
struct walk_x86_regs;

/* The architecture whose structures the other calls take (lib/kernel.c: the native one). */
const struct arch *kernel_arch(void);

/* Whether fd is a KVM VM fd (not /dev/kvm, not a vCPU, not another file): 1, 0, or -errno. */
int kernel_is_vm_fd(int fd);

/* KVM_CHECK_EXTENSION on fd: the capability's value (>= 0) or -errno. */
int kernel_check_extension(int fd, unsigned long cap);

/* KVM_ENABLE_CAP of cap (no flags, no arguments) on fd: 0 or -errno. */
int kernel_enable_cap(int fd, unsigned long cap);

/*
 * KVM_SET_GUEST_DEBUG with size bytes of the native struct kvm_guest_debug: 0 or -errno.
 * -EOPNOTSUPP where the library was built without the call (headers without guest debug).
 */
int kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size);

/* KVM_TRANSLATE: 0 and *ret_gpa, -EFAULT if not mapped, or -errno. */
int kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa);

/* KVM_GET_ONE_REG of a 32- or 64-bit register: 0 and *ret_value, or -errno. */
int kernel_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *ret_value);

/*
 * The x86 paging registers of a vCPU, for walk_x86() (lib/walk/walk.h): cr0, cr3, cr4 and efer
 * from KVM_GET_SREGS2 where the kernel has it (KVM_CAP_SREGS2, asked on vm_fd), with the four
 * PDPTRs when it says they are valid (PAE paging), else from KVM_GET_SREGS; maxphyaddr from the
 * guest's CPUID (KVM_GET_CPUID2) as KVM takes it: leaf 0x80000008 EAX[7:0], 36 without that
 * leaf; 0 (not read) while CR0.PG is clear.  Two vCPU calls (one without paging), each waiting
 * while the vCPU is inside KVM_RUN.  0 and *ret,
 * or -errno; -EOPNOTSUPP where the library is not built for x86.  (arm64's registers are
 * ONE_REGs: kernel_get_one_reg() with the ids of walk.h.)
 */
int kernel_get_x86_paging(int vm_fd, int vcpu_fd, struct walk_x86_regs *ret);

/*
 * The pc from KVM_GET_REGS: the u64 at pc_offset in struct kvm_regs (arch->pc_regs_offset);
 * on x86, with KVM_GET_SREGS, the linear pc CS.base + RIP whatever pc_offset says.  0 and
 * *ret_pc, -EINVAL for an offset outside struct kvm_regs, or -errno.
 */
int kernel_get_regs_pc(int vcpu_fd, size_t pc_offset, uint64_t *ret_pc);

/*
 * KVM_GET_SREGS: the u64 at offset in struct kvm_sregs (arch->space_sregs_offset).  0 and
 * *ret_value, -EINVAL for an offset outside it, or -errno.
 */
int kernel_get_sregs_u64(int vcpu_fd, size_t offset, uint64_t *ret_value);

/*
 * A trial run for kvmdbg_vm_probe() (x86 only): a throwaway VM made with KVM_CREATE_VM on the
 * /dev/kvm fd, one vCPU in real mode with CS = 0, 64 KiB of RAM at guest-physical 0 holding
 * mem (copied), IP = ip, the KVM_SET_GUEST_DEBUG image debug (debug_size bytes), one KVM_RUN.
 * Every fd and mapping is closed again.  0 and *ret (the first exit), or -errno when the VM
 * could not be built (-EOPNOTSUPP off x86); a refused KVM_SET_GUEST_DEBUG is ret->debug_err.
 */
#define TRIAL_MEM 0x10000

struct trial_exit {
	int debug_err;	    /* KVM_SET_GUEST_DEBUG's result; no KVM_RUN when it failed */
	int run_err;	    /* KVM_RUN's result */
	uint32_t reason;    /* exit_reason */
	uint32_t exception; /* KVM_EXIT_DEBUG: exception, pc, dr6 */
	uint64_t pc;
	uint64_t dr6;
	uint16_t port; /* KVM_EXIT_IO: the port */
};

int kernel_trial_run(int kvm_fd, const uint8_t *mem, uint16_t ip, const void *debug,
		     size_t debug_size, struct trial_exit *ret);

#endif /* KVMDBG_KERNEL_H */
