/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 part of the harness (rguest.h): a vCPU of the preferred target, at EL1h with DAIF
 * masked and the MMU off, as KVM_ARM_VCPU_INIT leaves it; registers through ONE_REG.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rguest.h"

/* ONE_REG ids of the core registers: offsets in struct kvm_regs, in 32-bit units. */
#define CORE_REG(field) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(field))

/* EL1h, D, A, I and F masked: the reset PSTATE */
#define PSTATE_EL1H_DAIF 0x3c5ull
#define REG_VBAR_EL1 ARM64_SYS_REG(3, 0, 12, 0, 0)

int rg_arch_init_vcpu(struct kc_guest *g, unsigned int i)
{
	if (i == 0 && ioctl(g->vm_fd, KVM_ARM_PREFERRED_TARGET, &g->init) < 0)
		return -errno;
	if (ioctl(g->vcpus[i].fd, KVM_ARM_VCPU_INIT, &g->init) < 0)
		return -errno;
	return 0;
}

int rg_arch_enter(struct kc_guest *g, unsigned int i, uint64_t pc)
{
	int ret;

	for (unsigned int n = 0; n < 31; n++) {
		uint64_t val = n == RG_REG_MMIO ? RG_MMIO : n == RG_REG_DATA ? RG_DATA : 0;

		ret = rg_set_gpr(g, i, n, val);
		if (ret < 0)
			return ret;
	}
	ret = rg_set_one_reg(g, i, CORE_REG(regs.pstate), PSTATE_EL1H_DAIF);
	if (ret < 0)
		return ret;
	ret = rg_set_one_reg(g, i, CORE_REG(sp_el1), RG_DATA);
	if (ret < 0)
		return ret;
	ret = rg_set_one_reg(g, i, REG_VBAR_EL1, RG_VECTORS);
	if (ret < 0)
		return ret;
	return rg_set_pc(g, i, pc);
}

int rg_get_pc(struct kc_guest *g, unsigned int i, uint64_t *ret_pc)
{
	return rg_get_one_reg(g, i, CORE_REG(regs.pc), ret_pc);
}

int rg_set_pc(struct kc_guest *g, unsigned int i, uint64_t pc)
{
	return rg_set_one_reg(g, i, CORE_REG(regs.pc), pc);
}

int rg_get_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t *ret_val)
{
	if (n > 30)
		return -EINVAL;
	return rg_get_one_reg(g, i, CORE_REG(regs.regs[0]) + 2 * n, ret_val);
}

int rg_set_gpr(struct kc_guest *g, unsigned int i, unsigned int n, uint64_t val)
{
	if (n > 30)
		return -EINVAL;
	return rg_set_one_reg(g, i, CORE_REG(regs.regs[0]) + 2 * n, val);
}
