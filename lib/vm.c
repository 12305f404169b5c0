// SPDX-License-Identifier: LGPL-2.1-or-later
/* The VM object: capabilities, the VM-wide point table, the list of vCPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

static void probe(struct kvmdbg_vm *vm)
{
	const struct arch *arch = kernel_arch();
	int ret;

	/* a variant of the architecture known by a capability (ppc BookE) */
	if (arch->variant_cap && kernel_check_extension(vm->fd, arch->variant_cap) > 0)
		arch = arch->variant;
	vm->arch = arch;

	ret = kernel_check_extension(vm->fd, CAP_SET_GUEST_DEBUG);
	/* x86 worked long before it advertised the capability: a trial call decides later */
	vm->debug_supported = ret > 0 ? 1 : -1;

	ret = kernel_check_extension(vm->fd, CAP_SET_GUEST_DEBUG2);
	if (ret > 0) {
		/*
		 * Only the bits the library can send: s390 reports KVM_GUESTDBG_EXIT_PENDING
		 * (part of its KVM_GUESTDBG_VALID_MASK), which its ioctl refuses.
		 */
		vm->mask = (uint32_t)ret & arch_control(arch, REQ_ALL);
		vm->mask_from_cap = true;
		vm->debug_supported = 1;
	} else {
		vm->mask = arch->legacy_mask;
	}
	if (arch->step_cap && kernel_check_extension(vm->fd, arch->step_cap) <= 0) {
		uint32_t enable = arch_control(arch, REQ_ENABLE);

		vm->mask &= ~(arch_control(arch, REQ_ENABLE | REQ_STEP) & ~enable);
	}
	for (int bank = 0; bank < 2; bank++) {
		vm->slots[bank] = arch->slots[bank];
		/* the capability gives the count (arm64), at most what the layout has room for */
		if (arch->slot_caps[bank]) {
			ret = kernel_check_extension(vm->fd, arch->slot_caps[bank]);
			if (ret <= 0)
				vm->slots[bank] = 0;
			else if ((unsigned int)ret < vm->slots[bank])
				vm->slots[bank] = (unsigned int)ret;
		}
	}
	/* ppc: read from the first vCPU attached */
	if (!arch->sw_insn_reg) {
		memcpy(vm->sw_insn, arch->sw_insn, arch->sw_insn_len);
		vm->sw_insn_len = arch->sw_insn_len;
	}
	if (arch->alt_insn_cap && kernel_check_extension(vm->fd, arch->alt_insn_cap) > 0)
		vm->alt_insn = ALT_INSN_OFFERED;
}

_public_ int kvmdbg_vm_new(int vm_fd, struct kvmdbg_vm **ret_vm)
{
	struct kvmdbg_vm *vm;
	int ret;

	if (vm_fd < 0 || !ret_vm || kernel_is_vm_fd(vm_fd) <= 0)
		return -EINVAL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->fd = vm_fd;
	list_init(&vm->vcpus);
	list_init(&vm->hw);
	list_init(&vm->hw_fired);
	ret = sw_store_init(&vm->sw);
	if (ret < 0) {
		free(vm);
		return ret;
	}
	ret = map_init(&vm->phys);
	if (ret == 0) {
		ret = map_init(&vm->ids);
		if (ret < 0)
			map_fini(&vm->phys);
	}
	if (ret < 0) {
		sw_store_fini(&vm->sw);
		free(vm);
		return ret;
	}
	pthread_mutex_init(&vm->lock, NULL);
	vm->signal_guard = true;
	atomic_init(&vm->gen, 1);
	probe(vm);
	*ret_vm = vm;
	return 0;
}

_public_ void kvmdbg_vm_free(struct kvmdbg_vm *vm)
{
	int err;

	if (!vm)
		return;
	while (!list_empty(&vm->vcpus))
		kvmdbg_vcpu_free(list_first(&vm->vcpus, struct kvmdbg_vcpu, node));
	pthread_mutex_lock(&vm->lock);
	/* points whose memory cannot be restored survive this: freed below all the same */
	err = point_destroy_owned(vm, NULL);
	(void)err;
	pthread_mutex_unlock(&vm->lock);
	/* points whose memory could not be restored are dropped all the same */
	sw_store_fini(&vm->sw);
	free(vm->stepping);
	map_fini(&vm->phys);
	map_fini(&vm->ids);
	free(vm->regions);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

_public_ int kvmdbg_vm_has_feature(struct kvmdbg_vm *vm, enum kvmdbg_feature feature)
{
	int ret;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	switch (feature) {
	case KVMDBG_FEATURE_GUEST_DEBUG:
		ret = check_control(vm, 0) == 0;
		break;
	case KVMDBG_FEATURE_SINGLE_STEP:
		ret = check_control(vm, REQ_STEP) == 0;
		break;
	case KVMDBG_FEATURE_SW_BREAKPOINT:
		ret = vm->sw_insn_len && check_control(vm, REQ_SW_BP) == 0;
		break;
	case KVMDBG_FEATURE_HW_BREAKPOINT:
	case KVMDBG_FEATURE_WATCH_WRITE:
	case KVMDBG_FEATURE_WATCH_READ:
	case KVMDBG_FEATURE_WATCH_ACCESS: {
		static const enum kvmdbg_point_type types[] = {
			[KVMDBG_FEATURE_HW_BREAKPOINT] = KVMDBG_POINT_HW_BREAK,
			[KVMDBG_FEATURE_WATCH_WRITE] = KVMDBG_POINT_WATCH_WRITE,
			[KVMDBG_FEATURE_WATCH_READ] = KVMDBG_POINT_WATCH_READ,
			[KVMDBG_FEATURE_WATCH_ACCESS] = KVMDBG_POINT_WATCH_ACCESS,
		};
		enum kvmdbg_point_type type = types[feature];

		/* a naturally aligned 1-byte point is the simplest request of every kind */
		ret = vm->slots[point_bank(vm, type)] && vm->arch->validate(type, 0, 1) == 0 &&
		      check_control(vm, REQ_HW) == 0;
		break;
	}
	case KVMDBG_FEATURE_STEP_BLOCK_IRQ:
		ret = check_control(vm, REQ_STEP | REQ_BLOCK_IRQ) == 0 &&
		      arch_has_control(vm->arch, REQ_BLOCK_IRQ);
		break;
	case KVMDBG_FEATURE_REINJECT:
		ret = check_control(vm, REQ_INJECT_BP | REQ_INJECT_DB) == 0 &&
		      arch_has_control(vm->arch, REQ_INJECT_BP);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

_public_ int kvmdbg_vm_get_hw_slots(struct kvmdbg_vm *vm, bool watchpoints)
{
	int bank;

	if (!vm)
		return -EINVAL;
	if (vm->debug_supported == 0 || check_control(vm, REQ_HW) < 0)
		return 0;
	bank = point_bank(vm, watchpoints ? KVMDBG_POINT_WATCH_WRITE : KVMDBG_POINT_HW_BREAK);
	return (int)vm->slots[bank];
}

_public_ int kvmdbg_vm_get_control_mask(struct kvmdbg_vm *vm, uint32_t *ret_mask)
{
	if (!vm || !ret_mask)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	*ret_mask = vm->debug_supported == 0 ? 0 : vm->mask;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

int vm_insert_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		    uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
		    const uint64_t *space, uint64_t *ret_id)
{
	struct translator t;
	struct xlat x;
	int ret;

	/* bad input is refused before anything reaches the kernel */
	pthread_mutex_lock(&vm->lock);
	ret = point_check(vm, vcpu, type, addr, len, flags);
	mem_translator(vm, vcpu, &t);
	pthread_mutex_unlock(&vm->lock);
	if (ret < 0)
		return ret;
	/* translated without the lock: KVM_TRANSLATE waits while its vCPU runs */
	point_translate(vm, &t, type, addr, &x);
	pthread_mutex_lock(&vm->lock);
	ret = point_insert(vm, vcpu, type, addr, len, flags, user_data, space, &x, ret_id);
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

_public_ int kvmdbg_vm_insert(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
			      uint64_t len, unsigned int flags, void *user_data, uint64_t *ret_id)
{
	if (!vm)
		return -EINVAL;
	return vm_insert_point(vm, NULL, type, addr, len, flags, user_data, NULL, ret_id);
}

_public_ int kvmdbg_vm_insert_in_space(struct kvmdbg_vm *vm, enum kvmdbg_point_type type,
				       uint64_t addr, uint64_t len, unsigned int flags,
				       uint64_t space, void *user_data, uint64_t *ret_id)
{
	if (!vm)
		return -EINVAL;
	return vm_insert_point(vm, NULL, type, addr, len, flags, user_data, &space, ret_id);
}

_public_ int kvmdbg_vm_remove(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr)
{
	int ret;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	ret = point_remove(vm, NULL, type, addr);
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int vm_find_point(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner, enum kvmdbg_point_type type,
		  uint64_t addr, uint64_t *ret_id)
{
	int ret = -ENOENT;

	if (!ret_id || !point_type_is_valid(type))
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (type == KVMDBG_POINT_SW_BREAK) {
		uint32_t idx = sw_find(&vm->sw, addr);

		if (idx && sw_owner(vm, idx) == owner) {
			*ret_id = sw_id(&vm->sw, idx);
			ret = 0;
		}
	} else {
		struct kvmdbg_point *p = point_find_hw(vm, owner, type, addr);

		if (p) {
			*ret_id = p->id;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

_public_ int kvmdbg_vm_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
			    uint64_t *ret_id)
{
	if (!vm)
		return -EINVAL;
	return vm_find_point(vm, NULL, type, addr, ret_id);
}

_public_ int kvmdbg_vm_remove_all(struct kvmdbg_vm *vm)
{
	long before;
	int ret;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	before = vm->nr_points;
	ret = point_destroy_owned(vm, NULL);
	before -= vm->nr_points;
	pthread_mutex_unlock(&vm->lock);
	return ret < 0 ? ret : (int)before;
}

/* Hardware one-shots that fired: on again at the next pre-run of each vCPU. */
static int rearm_hw(struct kvmdbg_vm *vm)
{
	struct kvmdbg_point *p, *tmp;
	int count = 0;

	list_for_each_safe(p, tmp, &vm->hw_fired, fired_node) {
		p->armed = true;
		point_unfire(p);
		count++;
	}
	if (count)
		vm_bump(vm);
	return count;
}

struct reset {
	struct kvmdbg_vm *vm;
	int count;
};

static int rearm_one(void *data, uint32_t idx)
{
	struct reset *r = data;
	int ret = sw_put_in(r->vm, idx, false);

	if (ret < 0)
		return ret;
	sw_set(&r->vm->sw, idx, SW_ARMED);
	r->count++;
	return 0;
}

_public_ int kvmdbg_vm_rearm(struct kvmdbg_vm *vm)
{
	struct reset r = { .vm = vm };
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	int ret;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	r.count = rearm_hw(vm);
	/* what fired, and only that: the instruction back in, the point armed */
	ret = sw_fired_each(&vm->sw, rearm_one, &r);
	/* breakpoints whose write-back after a step-over failed (rare: a walk of the extras) */
	while (ret == 0 && vm->nr_owed && (idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		if (!x->owed || sw_steppers(vm, idx))
			continue;
		ret = sw_put_in(vm, idx, false);
		if (ret == 0) {
			r.count++;
			cursor = 0; /* the extra may be gone, and others moved */
		}
	}
	pthread_mutex_unlock(&vm->lock);
	return ret < 0 ? ret : r.count;
}

/* The snapshot restored has the instruction in memory: say so, writing nothing. */
static int mark_one(void *data, uint32_t idx)
{
	struct reset *r = data;

	sw_set(&r->vm->sw, idx, SW_IN_MEMORY | SW_ARMED);
	if (sw_has(&r->vm->sw, idx, SW_EXTRA)) {
		sw_extra(&r->vm->sw, idx)->overwritten = false;
		sw_extra_trim(&r->vm->sw, idx);
	}
	r->count++;
	return 0;
}

_public_ int kvmdbg_vm_mark_all_armed(struct kvmdbg_vm *vm)
{
	struct reset r = { .vm = vm };
	struct kvmdbg_vcpu *v;
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	int ret;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	/* what fired since the last reset: software and hardware one-shots */
	r.count = rearm_hw(vm);
	ret = sw_fired_each(&vm->sw, mark_one, &r);
	(void)ret; /* mark_one() cannot fail */
	/*
	 * Breakpoints vCPUs were stepping over, their bytes out: the snapshot has them in.  The
	 * step-over goes on (it runs the breakpoint's own stop again, as any snapshot restore
	 * does), and whatever ends it, a step or a removal, finds them in memory.
	 */
	list_for_each(v, &vm->vcpus, node) {
		idx = step_over_sw_point(v);
		if (idx && !sw_has(&vm->sw, idx, SW_IN_MEMORY) && sw_has(&vm->sw, idx, SW_ARMED)) {
			sw_set(&vm->sw, idx, SW_IN_MEMORY);
			r.count++;
		}
	}
	/* breakpoints whose write-back failed are in the snapshot all the same (rare: a walk) */
	cursor = 0;
	while (vm->nr_owed && (idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		if (!x->owed || sw_steppers(vm, idx))
			continue;
		sw_set(&vm->sw, idx, SW_IN_MEMORY);
		sw_owe_not(vm, idx);
		sw_extra_trim(&vm->sw, idx);
		cursor = 0;
		r.count++;
	}
	pthread_mutex_unlock(&vm->lock);
	return r.count;
}

_public_ long kvmdbg_vm_get_point_count(struct kvmdbg_vm *vm)
{
	long n;

	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	n = vm->nr_points;
	pthread_mutex_unlock(&vm->lock);
	return n;
}
