// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel edge: the only file of the library that calls ioctl(). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "arch/arch.h"
#include "kernel.h"
#include "walk/walk.h"

const struct arch *kernel_arch(void)
{
	return arch_native();
}

int kernel_is_vm_fd(int fd)
{
	/*
	 * Only a KVM fd answers KVM_CHECK_EXTENSION (a vCPU fd refuses it); of those, only
	 * /dev/kvm itself answers KVM_GET_API_VERSION.
	 */
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) < 0)
		return errno == EBADF ? -EBADF : 0;
	return ioctl(fd, KVM_GET_API_VERSION, 0) < 0;
}

int kernel_check_extension(int fd, unsigned long cap)
{
	int ret;

#ifndef __KVM_HAVE_GUEST_DEBUG
	/* built without KVM_SET_GUEST_DEBUG: whatever the kernel offers cannot be used */
	if (cap == CAP_SET_GUEST_DEBUG || cap == CAP_SET_GUEST_DEBUG2)
		return 0;
#endif
	ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);
	return ret < 0 ? -errno : ret;
}

int kernel_enable_cap(int fd, unsigned long cap)
{
	struct kvm_enable_cap ec;

	memset(&ec, 0, sizeof(ec));
	ec.cap = (__u32)cap;
	return ioctl(fd, KVM_ENABLE_CAP, &ec) < 0 ? -errno : 0;
}

int kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size)
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

int kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa)
{
	struct kvm_translation tr = { .linear_address = gva };

	if (ioctl(vcpu_fd, KVM_TRANSLATE, &tr) < 0)
		return -errno;
	if (!tr.valid)
		return -EFAULT;
	*ret_gpa = tr.physical_address;
	return 0;
}

int kernel_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *ret_value)
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

#if defined(__x86_64__)
/* The most CPUID entries a vCPU holds (KVM_MAX_CPUID_ENTRIES, arch/x86/include/asm/kvm_host.h). */
#define MAX_CPUID_ENTRIES 256

/*
 * The guest's MAXPHYADDR as KVM itself takes it (cpuid_maxphyaddr() in arch/x86/kvm/cpuid.c):
 * leaf 0x80000008 EAX[7:0] when leaf 0x80000000 says it exists, else 36.
 */
static int get_maxphyaddr(int vcpu_fd, unsigned int *ret)
{
	struct kvm_cpuid2 *c;
	bool has_leaf = false;
	unsigned int m = 36;

	c = calloc(1, sizeof(*c) + MAX_CPUID_ENTRIES * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = MAX_CPUID_ENTRIES;
	if (ioctl(vcpu_fd, KVM_GET_CPUID2, c) < 0) {
		int err = -errno;

		free(c);
		return err;
	}
	for (unsigned int i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x80000000 && c->entries[i].eax >= 0x80000008)
			has_leaf = true;
	for (unsigned int i = 0; has_leaf && i < c->nent; i++)
		if (c->entries[i].function == 0x80000008)
			m = c->entries[i].eax & 0xff;
	free(c);
	*ret = m;
	return 0;
}

/* cr0, cr3, cr4, efer and, where valid, the PDPTRs */
static int get_sregs(int vm_fd, int vcpu_fd, struct walk_x86_regs *r)
{
	struct kvm_sregs s;

#ifdef KVM_GET_SREGS2
	/* a VM-fd call, cheap unlike a vCPU one: asked each time rather than remembered */
	if (ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SREGS2) > 0) {
		struct kvm_sregs2 s2;

		if (ioctl(vcpu_fd, KVM_GET_SREGS2, &s2) < 0)
			return -errno;
		r->cr0 = s2.cr0;
		r->cr3 = s2.cr3;
		r->cr4 = s2.cr4;
		r->efer = s2.efer;
		/* set only while PAE paging is on (kvm_arch_vcpu_ioctl_get_sregs2(), x86.c) */
		r->pdptrs_valid = s2.flags & KVM_SREGS2_FLAGS_PDPTRS_VALID;
		if (r->pdptrs_valid)
			memcpy(r->pdptrs, s2.pdptrs, sizeof(r->pdptrs));
		return 0;
	}
#endif
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	r->cr0 = s.cr0;
	r->cr3 = s.cr3;
	r->cr4 = s.cr4;
	r->efer = s.efer;
	return 0;
}
#endif

int kernel_get_x86_paging(int vm_fd, int vcpu_fd, struct walk_x86_regs *ret)
{
#if defined(__x86_64__)
	struct walk_x86_regs r;
	int err;

	memset(&r, 0, sizeof(r));
	err = get_sregs(vm_fd, vcpu_fd, &r);
	/* without paging the walk needs no MAXPHYADDR: one vCPU call fewer */
	if (err == 0 && (r.cr0 & (1u << 31)))
		err = get_maxphyaddr(vcpu_fd, &r.maxphyaddr);
	if (err == 0)
		*ret = r;
	return err;
#else
	(void)vm_fd;
	(void)vcpu_fd;
	(void)ret;
	return -EOPNOTSUPP;
#endif
}

int kernel_get_regs_pc(int vcpu_fd, size_t pc_offset, uint64_t *ret_pc)
{
#if defined(__x86_64__)
	/* the linear pc, as KVM_EXIT_DEBUG reports it */
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	(void)pc_offset;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	*ret_pc = sregs.cs.base + regs.rip;
#elif defined(__riscv)
	/* its struct kvm_regs is empty: the pc is a ONE_REG register there */
	(void)vcpu_fd;
	(void)pc_offset;
	(void)ret_pc;
	return -EOPNOTSUPP;
#else
	struct kvm_regs regs;

	if (pc_offset + sizeof(*ret_pc) > sizeof(regs))
		return -EINVAL;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	memcpy(ret_pc, (const uint8_t *)&regs + pc_offset, sizeof(*ret_pc));
#endif
	return 0;
}

int kernel_get_sregs_u64(int vcpu_fd, size_t offset, uint64_t *ret_value)
{
#if defined(__x86_64__)
	struct kvm_sregs sregs;

	if (offset + sizeof(*ret_value) > sizeof(sregs))
		return -EINVAL;
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	memcpy(ret_value, (const uint8_t *)&sregs + offset, sizeof(*ret_value));
	return 0;
#else
	/* only x86 reads its address space from the sregs (arm64's struct is empty) */
	(void)vcpu_fd;
	(void)offset;
	(void)ret_value;
	return -EOPNOTSUPP;
#endif
}

int kernel_trial_run(int kvm_fd, const uint8_t *mem, uint16_t ip, const void *debug,
		     size_t debug_size, struct trial_exit *ret)
{
#if defined(__x86_64__)
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run = MAP_FAILED;
	int vm_fd, vcpu_fd = -1, run_size, err;
	void *ram;

	memset(ret, 0, sizeof(*ret));
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		return -errno;
	ram = mmap(NULL, TRIAL_MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		err = -errno;
		goto out_vm;
	}
	memcpy(ram, mem, TRIAL_MEM);
	region = (struct kvm_userspace_memory_region){
		.memory_size = TRIAL_MEM,
		.userspace_addr = (uintptr_t)ram,
	};
	/* VMX without unrestricted guest runs real mode through a TSS KVM builds here */
	(void)ioctl(vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		err = -errno;
		goto out_ram;
	}
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu_fd < 0 || run_size < (int)sizeof(*run)) {
		err = vcpu_fd < 0 || run_size < 0 ? -errno : -EINVAL;
		goto out_ram;
	}
	run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED || ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		err = -errno;
		goto out_ram;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rflags = 2;
	regs.rsp = 0xf000;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		err = -errno;
		goto out_ram;
	}
	err = 0;
	if (debug_size != sizeof(struct kvm_guest_debug)) {
		err = -EINVAL;
		goto out_ram;
	}
	if (ioctl(vcpu_fd, KVM_SET_GUEST_DEBUG, debug) < 0) {
		ret->debug_err = -errno;
		goto out_ram;
	}
	if (ioctl(vcpu_fd, KVM_RUN, 0) < 0)
		ret->run_err = -errno;
	ret->reason = run->exit_reason;
	if (run->exit_reason == KVM_EXIT_DEBUG) {
		ret->exception = run->debug.arch.exception;
		ret->pc = run->debug.arch.pc;
		ret->dr6 = run->debug.arch.dr6;
	} else if (run->exit_reason == KVM_EXIT_IO) {
		ret->port = run->io.port;
	}
out_ram:
	if (run != MAP_FAILED)
		munmap(run, (size_t)run_size);
	if (vcpu_fd >= 0)
		close(vcpu_fd);
	munmap(ram, TRIAL_MEM);
out_vm:
	close(vm_fd);
	return err;
#else
	(void)kvm_fd;
	(void)mem;
	(void)ip;
	(void)debug;
	(void)debug_size;
	(void)ret;
	return -EOPNOTSUPP;
#endif
}
