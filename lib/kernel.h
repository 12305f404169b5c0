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

struct kvmdbg_arch;

/* The architecture whose structures the other calls take (lib/kernel.c: the native one). */
const struct kvmdbg_arch *kvmdbg_kernel_arch(void);

/* KVM_CHECK_EXTENSION on fd: the capability's value (>= 0) or -errno. */
int kvmdbg_kernel_check_extension(int fd, unsigned long cap);

/* KVM_ENABLE_CAP of cap (no flags, no arguments) on fd: 0 or -errno. */
int kvmdbg_kernel_enable_cap(int fd, unsigned long cap);

/*
 * KVM_SET_GUEST_DEBUG with size bytes of the native struct kvm_guest_debug: 0 or -errno.
 * -EOPNOTSUPP where the library was built without the call (headers without guest debug).
 */
int kvmdbg_kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size);

/* KVM_TRANSLATE: 0 and *ret_gpa, -EFAULT if not mapped, or -errno. */
int kvmdbg_kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa);

/* KVM_GET_ONE_REG of a 32- or 64-bit register: 0 and *ret_value, or -errno. */
int kvmdbg_kernel_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *ret_value);

/* KVM_GET_REGS, for the pc (powerpc): 0 and *ret_pc, -EOPNOTSUPP elsewhere, or -errno. */
int kvmdbg_kernel_get_regs_pc(int vcpu_fd, uint64_t *ret_pc);

#endif /* KVMDBG_KERNEL_H */
