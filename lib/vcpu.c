// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vCPU object: attach and free, its settings, its points, and the kick.  The run loop
 * lives in apply.c (pre-run), exit.c (handle-exit) and stepover.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "internal.h"
#include "kernel.h"

_public_ int kvmdbg_vcpu_new(struct kvmdbg_vm *vm, int vcpu_fd, struct kvm_run *run,
			     struct kvmdbg_vcpu **ret_vcpu)
{
	struct kvmdbg_vcpu *vcpu, *v;
	int ret;

	if (!vm || vcpu_fd < 0 || !run || !ret_vcpu)
		return -EINVAL;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->fd = vcpu_fd;
	vcpu->run = run;
	/* calloc: applied is the all-zero state, debugging off, which a new vCPU has */
	vcpu->dirty = true;
	list_init(&vcpu->node);
	atomic_init(&vcpu->kick_pending, false);
	pthread_mutex_init(&vcpu->kick_lock, NULL);

	pthread_mutex_lock(&vm->lock);
	list_for_each(v, &vm->vcpus, node) {
		if (v->fd == vcpu_fd) {
			ret = -EEXIST;
			goto fail;
		}
	}
	if (vm->debug_supported < 0) {
		ret = kernel_set_guest_debug(vcpu_fd, vcpu->applied.bytes,
					     vm->arch->guest_debug_size);
		vm->debug_supported = ret == 0;
	}
	if (vm->arch->sw_insn_reg && !vm->sw_insn_len) {
		/* ppc: the kernel says which instruction it treats as a breakpoint */
		uint64_t insn;

		if (kernel_get_one_reg(vcpu_fd, vm->arch->sw_insn_reg, &insn) == 0 && insn) {
			put_u32(vm->sw_insn, (uint32_t)insn, vm->arch->big_endian);
			vm->sw_insn_len = 4;
		}
	}
	ret = point_assign_slots(vcpu);
	if (ret < 0)
		goto fail;
	/* a place for this vCPU among those that step over a breakpoint (see stepover.c) */
	if (vm->cap_stepping < vm->nr_vcpus + 1) {
		struct stepping *st = realloc(vm->stepping, (vm->nr_vcpus + 1) * sizeof(*st));

		if (!st) {
			ret = -ENOMEM;
			goto fail;
		}
		vm->stepping = st;
		vm->cap_stepping = vm->nr_vcpus + 1;
	}
	/* in attach order: the first vCPU serves the default address translation */
	list_add_tail(&vm->vcpus, &vcpu->node);
	vm->nr_vcpus++;
	pthread_mutex_unlock(&vm->lock);
	*ret_vcpu = vcpu;
	return 0;

fail:
	pthread_mutex_unlock(&vm->lock);
	pthread_mutex_destroy(&vcpu->kick_lock);
	free(vcpu);
	return ret;
}

_public_ void kvmdbg_vcpu_free(struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_vm *vm;
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	sigset_t old;
	int err;

	if (!vcpu)
		return;
	vm = vcpu->vm;
	vcpu_lock(vm, &old);
	/*
	 * Errors of both leave breakpoints in the VM: owed ones that other vCPUs' pre-runs write
	 * back, and, below, the ones whose memory could not be restored.
	 */
	err = step_over_finish(vcpu);
	err = point_destroy_owned(vm, vcpu);
	(void)err;
	/*
	 * Points whose memory could not be written survive destroy_owned(); they must not
	 * outlive their owner (p->vcpu would dangle).  They stay in the VM as orphans that every
	 * vCPU steps over unseen, until a removal can restore their bytes.
	 */
	while ((idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		if (x->vcpu == vcpu) {
			x->vcpu = NULL;
			x->orphan = true;
		}
	}
	list_del(&vcpu->node);
	if (vm->translate_vcpu == vcpu)
		vm->translate_vcpu = NULL;
	if (vm->stopped_vcpu == vcpu)
		vm->stopped_vcpu = NULL;
	vm->nr_vcpus--;
	vcpu_unlock(vm, &old);
	pthread_mutex_destroy(&vcpu->kick_lock);
	free(vcpu);
}

_public_ struct kvmdbg_vm *kvmdbg_vcpu_get_vm(struct kvmdbg_vcpu *vcpu)
{
	return vcpu ? vcpu->vm : NULL;
}

_public_ int kvmdbg_vcpu_insert(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
				uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
				uint64_t *ret_id)
{
	if (!vcpu)
		return -EINVAL;
	return vm_insert_point(vcpu->vm, vcpu, type, addr, len, flags, user_data, NULL, ret_id);
}

_public_ int kvmdbg_vcpu_remove(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
				uint64_t addr)
{
	int ret;

	if (!vcpu)
		return -EINVAL;
	pthread_mutex_lock(&vcpu->vm->lock);
	ret = point_remove(vcpu->vm, vcpu, type, addr);
	pthread_mutex_unlock(&vcpu->vm->lock);
	return ret;
}

_public_ int kvmdbg_vcpu_find(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr,
			      uint64_t *ret_id)
{
	if (!vcpu)
		return -EINVAL;
	return vm_find_point(vcpu->vm, vcpu, type, addr, ret_id);
}

int vcpu_read_space(struct kvmdbg_vcpu *vcpu, uint64_t *ret_space)
{
	const struct arch *arch = vcpu->vm->arch;
	uint64_t regs[3] = { 0 };
	int ret = 0;

	if (!arch->space)
		return -EOPNOTSUPP;
	if (arch->space_from_sregs) {
		ret = kernel_get_sregs_u64(vcpu->fd, arch->space_sregs_offset, &regs[0]);
	} else {
		for (int i = 0; i < 3 && ret == 0 && arch->space_regs[i]; i++)
			ret = kernel_get_one_reg(vcpu->fd, arch->space_regs[i], &regs[i]);
	}
	if (ret < 0)
		return ret;
	*ret_space = arch->space(regs);
	return 0;
}

_public_ int kvmdbg_vcpu_get_space(struct kvmdbg_vcpu *vcpu, uint64_t *ret_space)
{
	if (!vcpu || !ret_space)
		return -EINVAL;
	return vcpu_read_space(vcpu, ret_space);
}

bool vcpu_has_control(struct kvmdbg_vcpu *vcpu, uint32_t req)
{
	sigset_t old;
	int ret;

	vcpu_lock(vcpu->vm, &old);
	ret = check_control(vcpu->vm, req);
	vcpu_unlock(vcpu->vm, &old);
	return ret == 0;
}

_public_ int kvmdbg_vcpu_set_single_step(struct kvmdbg_vcpu *vcpu, bool enable)
{
	if (!vcpu)
		return -EINVAL;
	if (enable && !vcpu_has_control(vcpu, REQ_STEP))
		return -EOPNOTSUPP;
	if (vcpu->single_step != enable) {
		vcpu->single_step = enable;
		vcpu->dirty = true;
	}
	return 0;
}

_public_ bool kvmdbg_vcpu_is_single_step(struct kvmdbg_vcpu *vcpu)
{
	return vcpu ? vcpu->single_step : false;
}

_public_ int kvmdbg_vcpu_set_trap_debug_regs(struct kvmdbg_vcpu *vcpu, bool enable)
{
	if (!vcpu)
		return -EINVAL;
	/* only x86 has a control for it */
	if (enable && (!vcpu_has_control(vcpu, REQ_HW) ||
		       !arch_has_quirk(vcpu->vm->arch, QUIRK_DEBUG_REG_TRAP)))
		return -EOPNOTSUPP;
	if (vcpu->trap_debug_regs != enable) {
		vcpu->trap_debug_regs = enable;
		vcpu->dirty = true;
	}
	return 0;
}

_public_ int kvmdbg_vcpu_set_kick(struct kvmdbg_vcpu *vcpu, kvmdbg_kick_fn kick, void *user_data)
{
	if (!vcpu)
		return -EINVAL;
	/* kick_lock is held around every callback: this waits for one under way */
	pthread_mutex_lock(&vcpu->kick_lock);
	vcpu->kick = kick;
	vcpu->kick_data = user_data;
	pthread_mutex_unlock(&vcpu->kick_lock);
	return 0;
}

_public_ int kvmdbg_vcpu_kick(struct kvmdbg_vcpu *vcpu)
{
	if (!vcpu)
		return -EINVAL;
	/* immediate_exit first: a pending kick always has it set (see exit.c) */
	vcpu_set_immediate_exit(vcpu, 1);
	atomic_store_explicit(&vcpu->kick_pending, true, memory_order_release);
	/* not vm->lock: its holder may be waiting for this very vCPU to leave KVM_RUN */
	pthread_mutex_lock(&vcpu->kick_lock);
	if (vcpu->kick)
		vcpu->kick(vcpu->kick_data);
	pthread_mutex_unlock(&vcpu->kick_lock);
	return 0;
}
