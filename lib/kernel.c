// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel edge: the only file of the library that calls ioctl(). */
#include <errno.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "kernel.h"

int kvmdbg_kernel_check_extension(int fd, unsigned long cap)
{
	int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return ret < 0 ? -errno : ret;
}

int kvmdbg_kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size)
{
	if (size != sizeof(struct kvm_guest_debug))
		return -EINVAL;
	return ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, buf) < 0 ? -errno : 0;
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
