/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ppc64 Book3S part of the harness (rguest.h), written for KVM-PR (a kernel without it, HV
 * only, makes every case skip as "no usable KVM"): a VM of type KVM_VM_PPC_PR, a vCPU with the
 * host's PVR (PR would otherwise model a 970), HIOR 0 so that interrupts go to the vectors at
 * 0x100 and on, and on a little-endian host LPCR.ILE so that they are taken little-endian; the
 * guest runs with MSR = SF | ME (| LE), in real mode.  Registers through KVM_GET_REGS and
 * KVM_SET_REGS.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rguest.h"

#define MSR_SF (1ull << 63)
#define MSR_ME (1ull << 12)
#define MSR_LE (1ull << 0)
#define LPCR_ILE (1ull << 25)

static bool host_little_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
}

int rg_arch_init_vcpu(struct kc_guest *g, unsigned int i)
{
	struct kvm_sregs sregs;
	unsigned long pvr;
	int ret;

	if (ioctl(g->vcpus[i].fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	/* Linux emulates mfpvr for user space */
	__asm__ volatile("mfpvr %0" : "=r"(pvr));
	sregs.pvr = pvr;
	if (ioctl(g->vcpus[i].fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	/* interrupts at 0x100 .. (PR's own default, after a PVR, is 0xfff00000) */
	ret = rg_set_one_reg(g, i, KVM_REG_PPC_HIOR, 0);
	if (ret < 0)
		return ret;
	if (host_little_endian()) {
		ret = rg_set_one_reg(g, i, KVM_REG_PPC_LPCR_64, LPCR_ILE);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int rg_arch_enter(struct kc_guest *g, unsigned int i, uint64_t pc)
{
	struct kvm_regs regs;

	if (ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	memset(regs.gpr, 0, sizeof(regs.gpr));
	regs.gpr[RG_REG_MMIO] = RG_MMIO;
	regs.gpr[RG_REG_DATA] = RG_DATA;
	regs.gpr[1] = RG_DATA;
	regs.cr = 0;
	regs.xer = 0;
	regs.ctr = 0;
	regs.lr = 0;
	regs.srr0 = 0;
	regs.srr1 = 0;
	regs.msr = MSR_SF | MSR_ME | (host_little_endian() ? MSR_LE : 0);
	regs.pc = pc;
	if (ioctl(g->vcpus[i].fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int rg_get_pc(struct kc_guest *g, unsigned int i, uint64_t *ret_pc)
{
	struct kvm_regs regs;

	if (ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	*ret_pc = regs.pc;
	return 0;
}

int rg_set_pc(struct kc_guest *g, unsigned int i, uint64_t pc)
{
	struct kvm_regs regs;

	if (ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	regs.pc = pc;
	return ioctl(g->vcpus[i].fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}

int rg_get_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t *ret_val)
{
	struct kvm_regs regs;

	if (n > 31)
		return -EINVAL;
	if (ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	*ret_val = regs.gpr[n];
	return 0;
}

int rg_set_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t val)
{
	struct kvm_regs regs;

	if (n > 31)
		return -EINVAL;
	if (ioctl(g->vcpus[i].fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	regs.gpr[n] = val;
	return ioctl(g->vcpus[i].fd, KVM_SET_REGS, &regs) < 0 ? -errno : 0;
}
