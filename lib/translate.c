// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Address translation: the caller's translate callback, else the VM's default translation on
 * the translating vCPU: the page walkers of lib/walk (x86, arm64) over that vCPU's registers,
 * or x86's KVM_TRANSLATE.
 *
 * Locking (doc/internals.md): what to call is read under vm->lock (mem_translator()), the call
 * is made without it (translator_run()), because a callback may be slow and because every way
 * of asking the vCPU (its registers, KVM_TRANSLATE) is a vCPU ioctl, which waits while that
 * vCPU is inside KVM_RUN.  A walk then takes vm->lock for itself, to read the page tables
 * through the registered regions and the read callback, and lets it go again: the tables are
 * read entry by entry and never written, so no Accessed or Dirty bit changes (unlike the
 * kernel's walk behind KVM_TRANSLATE).
 */
#include <errno.h>

#include "internal.h"
#include "kernel.h"

/* The translation an architecture has without being told: a walk where there is a walker. */
static enum kvmdbg_translation arch_default(const struct arch *arch)
{
	return arch->walker != WALKER_NONE ? KVMDBG_TRANSLATION_WALK : KVMDBG_TRANSLATION_NONE;
}

/* vm->lock held */
static enum kvmdbg_translation vm_translation(const struct kvmdbg_vm *vm)
{
	if (vm->translation == KVMDBG_TRANSLATION_DEFAULT)
		return arch_default(vm->arch);
	return vm->translation;
}

/*
 * The translating vCPU: via if given, else the one the caller chose, else the one that stopped
 * last, else the first attached.  vm->lock held.
 */
static int translating_fd(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via)
{
	if (!via)
		via = vm->translate_vcpu ? vm->translate_vcpu : vm->stopped_vcpu;
	if (!via && !list_empty(&vm->vcpus))
		via = list_first(&vm->vcpus, struct kvmdbg_vcpu, node);
	return via ? via->fd : -1;
}

void mem_translator(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, struct translator *t)
{
	t->fn = vm->translate;
	t->data = vm->mem_data;
	t->vm = vm;
	t->how = vm_translation(vm);
	t->fd = translating_fd(vm, via);
	t->regs_ret = 1;
}

/*
 * The registers a walk needs, from the translating vCPU, without vm->lock.  arm64: with the
 * MMU off only SCTLR_EL1 and the PA size matter, so two ONE_REG reads instead of five.
 */
static int read_regs(struct translator *t)
{
	struct walk_arm64_regs *a = &t->regs.arm64;
	uint64_t mmfr0 = 0;
	int ret;

	switch (t->vm->arch->walker) {
	case WALKER_X86:
		return kernel_get_x86_paging(t->vm->fd, t->fd, &t->regs.x86);
	case WALKER_ARM64:
		*a = (struct walk_arm64_regs){ 0 };
		ret = kernel_get_one_reg(t->fd, WALK_ARM64_REG_SCTLR_EL1, &a->sctlr_el1);
		/* SCTLR_EL1.M: stage 1 on */
		if (ret == 0 && (a->sctlr_el1 & 1)) {
			ret = kernel_get_one_reg(t->fd, WALK_ARM64_REG_TCR_EL1, &a->tcr_el1);
			if (ret == 0)
				ret = kernel_get_one_reg(t->fd, WALK_ARM64_REG_TTBR0_EL1,
							 &a->ttbr0_el1);
			if (ret == 0)
				ret = kernel_get_one_reg(t->fd, WALK_ARM64_REG_TTBR1_EL1,
							 &a->ttbr1_el1);
		}
		if (ret == 0)
			ret = kernel_get_one_reg(t->fd, WALK_ARM64_REG_ID_AA64MMFR0_EL1, &mmfr0);
		if (ret == 0)
			a->pa_bits = walk_arm64_pa_bits(mmfr0);
		return ret;
	default:
		return -EOPNOTSUPP;
	}
}

/* The walkers' reads of page tables: guest memory as it is, vm->lock held. */
static int walk_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	return mem_read(ctx, gpa, buf, len);
}

/*
 * The walk reads guest memory under vm->lock, taken plainly: a vCPU thread's call that walks
 * (an exit's translation, classify_exit()) already holds the signal mask of vcpu_lock().
 */
static int translator_walk(struct translator *t, uint64_t gva, uint64_t *ret_gpa)
{
	struct kvmdbg_vm *vm = t->vm;
	struct walk_result r;
	int ret;

	if (t->regs_ret > 0)
		t->regs_ret = read_regs(t);
	if (t->regs_ret < 0)
		return t->regs_ret;
	pthread_mutex_lock(&vm->lock);
	if (vm->arch->walker == WALKER_X86)
		ret = walk_x86(&t->regs.x86, walk_read, vm, gva, &r);
	else
		ret = walk_arm64(&t->regs.arm64, walk_read, vm, gva, &r);
	pthread_mutex_unlock(&vm->lock);
	if (ret == 0)
		*ret_gpa = r.gpa;
	return ret;
}

int translator_run(struct translator *t, uint64_t gva, uint64_t *ret_gpa)
{
	if (t->fn)
		return t->fn(t->data, gva, ret_gpa);
	if (t->how == KVMDBG_TRANSLATION_NONE)
		return -EOPNOTSUPP;
	/* no vCPU, no page tables in use: nothing is mapped */
	if (t->fd < 0)
		return -EFAULT;
	if (t->how == KVMDBG_TRANSLATION_KVM)
		return kernel_translate(t->fd, gva, ret_gpa);
	return translator_walk(t, gva, ret_gpa);
}

int mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, uint64_t gva, uint64_t *ret_gpa)
{
	struct translator t;

	pthread_mutex_lock(&vm->lock);
	mem_translator(vm, via, &t);
	pthread_mutex_unlock(&vm->lock);
	return translator_run(&t, gva, ret_gpa);
}

_public_ int kvmdbg_translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	if (!ret_gpa)
		return -EINVAL;
	*ret_gpa = gva;
	return 0;
}

_public_ int kvmdbg_vm_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t gva,
				 uint64_t *ret_gpa)
{
	if (!vm || !ret_gpa || (vcpu && vcpu->vm != vm))
		return -EINVAL;
	return mem_translate(vm, vcpu, gva, ret_gpa);
}

_public_ int kvmdbg_vm_set_default_translation(struct kvmdbg_vm *vm, enum kvmdbg_translation how)
{
	if (!vm)
		return -EINVAL;
	switch (how) {
	case KVMDBG_TRANSLATION_DEFAULT:
	case KVMDBG_TRANSLATION_NONE:
		break;
	case KVMDBG_TRANSLATION_WALK:
		if (vm->arch->walker == WALKER_NONE)
			return -EOPNOTSUPP;
		break;
	case KVMDBG_TRANSLATION_KVM:
		if (!arch_has_quirk(vm->arch, QUIRK_KVM_TRANSLATE))
			return -EOPNOTSUPP;
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&vm->lock);
	vm->translation = how;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

_public_ int kvmdbg_vm_get_default_translation(struct kvmdbg_vm *vm,
					       enum kvmdbg_translation *ret_how)
{
	if (!vm || !ret_how)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	*ret_how = vm_translation(vm);
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

_public_ int kvmdbg_vm_set_translate_vcpu(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu)
{
	if (!vm || (vcpu && vcpu->vm != vm))
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	vm->translate_vcpu = vcpu;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}
