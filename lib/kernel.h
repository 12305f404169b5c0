/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel edge: the only calls that reach the kernel.  lib/kernel.c implements them with
 * ioctl(); the unit tests link a fake that records every call instead.
 */
#ifndef KVMDBG_KERNEL_H
#define KVMDBG_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* KVM_CHECK_EXTENSION on fd: the capability's value (>= 0) or -errno. */
int kvmdbg_kernel_check_extension(int fd, unsigned long cap);

/* KVM_SET_GUEST_DEBUG with size bytes of the native struct kvm_guest_debug: 0 or -errno. */
int kvmdbg_kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size);

/* KVM_TRANSLATE: 0 and *ret_gpa, -EFAULT if not mapped, or -errno. */
int kvmdbg_kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa);

#endif /* KVMDBG_KERNEL_H */
