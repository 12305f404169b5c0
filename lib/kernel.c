// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel edge: the only file of the library that calls ioctl(). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "arch/arch.h"
#include "kernel.h"

const struct kvmdbg_arch *kvmdbg_kernel_arch(void)
{
	return kvmdbg_arch_native();
}

int kvmdbg_kernel_check_extension(int fd, unsigned long cap)
{
	int ret;

#ifndef __KVM_HAVE_GUEST_DEBUG
	/* built without KVM_SET_GUEST_DEBUG: whatever the kernel offers cannot be used */
	if (cap == KVMDBG_CAP_SET_GUEST_DEBUG || cap == KVMDBG_CAP_SET_GUEST_DEBUG2)
		return 0;
#endif
	ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return ret < 0 ? -errno : ret;
}

int kvmdbg_kernel_enable_cap(int fd, unsigned long cap)
{
	struct kvm_enable_cap ec;

	memset(&ec, 0, sizeof(ec));
	ec.cap = (__u32)cap;
	return ioctl(fd, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
}

int kvmdbg_kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size)
{
#ifdef __KVM_HAVE_GUEST_DEBUG
	if (size != sizeof(struct kvm_guest_debug))
		return -EINVAL;
	return ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, buf) < 0 ? -errno : 0;
#else
	(void)vcpu_fd;
	(void)buf;
	(void)size;
	return -EOPNOTSUPP;
#endif
}

int kvmdbg_kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(vcpu_fd, KVM_TRANSLATE, &tr) < 0)
		return -errno;
	if (!tr.valid)
		return -EFAULT;
	*ret_gpa = tr.physical_address;
	return 0;
}

int kvmdbg_kernel_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *ret_value)
{
	struct kvm_one_reg reg = { .id = id };
	uint64_t v64 = 0;
	uint32_t v32 = 0;

	switch (id & KVM_REG_SIZE_MASK) {
	case KVM_REG_SIZE_U32:
		reg.addr = (uintptr_t)&v32;
		break;
	case KVM_REG_SIZE_U64:
		reg.addr = (uintptr_t)&v64;
		break;
	default:
		return -EINVAL;
	}
	if (ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	*ret_value = (id & KVM_REG_SIZE_MASK) == KVM_REG_SIZE_U32 ? v32 : v64;
	return 0;
}

int kvmdbg_kernel_get_regs_pc(int vcpu_fd, uint64_t *ret_pc)
{
#if defined(__powerpc64__)
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	*ret_pc = regs.pc;
	return 0;
#else
	(void)vcpu_fd;
	(void)ret_pc;
	return -EOPNOTSUPP;
#endif
}
