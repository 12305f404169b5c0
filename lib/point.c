// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Breakpoints and watchpoints, whatever their kind: validation, the insert (translated first,
 * without the lock), removal, and the snapshots kvmdbg_vm_get_point() hands out.  Software
 * breakpoints live in guest memory (swbp.c, the store in sw.c), hardware points in slots
 * (hw.c).  Every function here but the public ones runs with vm->lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool point_type_is_valid(int type)
{
	return type >= KVMDBG_POINT_SW_BREAK && type <= KVMDBG_POINT_WATCH_ACCESS;
}

int point_bank(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type)
{
	if (vm->arch->shared_slots || type == KVMDBG_POINT_HW_BREAK)
		return BANK_BP;
	return BANK_WP;
}

enum slot_kind point_slot_kind(enum kvmdbg_point_type type)
{
	switch (type) {
	case KVMDBG_POINT_HW_BREAK:
		return SLOT_EXEC;
	case KVMDBG_POINT_WATCH_WRITE:
		return SLOT_WRITE;
	case KVMDBG_POINT_WATCH_READ:
		return SLOT_READ;
	case KVMDBG_POINT_WATCH_ACCESS:
		return SLOT_ACCESS;
	case KVMDBG_POINT_SW_BREAK:
		break;
	}
	return SLOT_OFF;
}

/*
 * Whether the architecture has a control bit of its own for req (s390 software breakpoints,
 * for one, need none).
 */
bool arch_has_control(const struct arch *arch, uint32_t req)
{
	return arch_control(arch, req | REQ_ENABLE) != arch_control(arch, REQ_ENABLE);
}

/* 0 if the kernel accepts every control bit req needs, else -EOPNOTSUPP. */
int check_control(const struct kvmdbg_vm *vm, uint32_t req)
{
	if (vm->debug_supported == 0)
		return -EOPNOTSUPP;
	return arch_control(vm->arch, req | REQ_ENABLE) & ~vm->mask ? -EOPNOTSUPP : 0;
}

bool point_needs_translation(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type)
{
	return type == KVMDBG_POINT_SW_BREAK || arch_has_quirk(vm->arch, QUIRK_HW_NEEDS_PHYS);
}

void point_translate(const struct kvmdbg_vm *vm, struct translator *t, enum kvmdbg_point_type type,
		     uint64_t addr, struct xlat *x)
{
	uint64_t room = GUEST_PAGE - addr % GUEST_PAGE;

	memset(x, 0, sizeof(*x));
	if (!point_needs_translation(vm, type))
		return;
	x->ret = translator_run(t, addr, &x->gpa);
	if (x->ret < 0 || type != KVMDBG_POINT_SW_BREAK || room >= sw_longest_insn(vm))
		return;
	/* the instruction may cross into the next page: where is that one? */
	x->ret2 = translator_run(t, addr + room, &x->gpa2);
	x->has_gpa2 = x->ret2 == 0;
}

int point_check(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		uint64_t addr, uint64_t len, unsigned int flags)
{
	uint32_t req;
	int ret;

	const unsigned int sw_only = KVMDBG_POINT_PENDING | KVMDBG_POINT_SELF_HEAL;

	if (!point_type_is_valid(type) ||
	    (flags & ~(unsigned int)(KVMDBG_POINT_ONESHOT | sw_only)) ||
	    (type != KVMDBG_POINT_SW_BREAK && (flags & sw_only)))
		return -EINVAL;
	ret = vm->arch->validate(type, addr, len);
	if (ret < 0)
		return ret;
	req = type == KVMDBG_POINT_SW_BREAK ? REQ_SW_BP : REQ_HW;
	ret = check_control(vm, req);
	if (ret < 0)
		return ret;
	if (type == KVMDBG_POINT_SW_BREAK ? !vm->sw_insn_len : !vm->slots[point_bank(vm, type)])
		return -EOPNOTSUPP;
	/*
	 * Another vCPU steps over a vCPU's own software breakpoint unseen: without single-step
	 * (riscv, ppc Book3S HV) that cannot be done.
	 */
	if (vcpu && type == KVMDBG_POINT_SW_BREAK && check_control(vm, REQ_STEP) < 0)
		return -EOPNOTSUPP;
	return 0;
}

int point_insert(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		 uint64_t addr, uint64_t len, unsigned int flags, void *user_data,
		 const uint64_t *space, const struct xlat *x, uint64_t *ret_id)
{
	struct kvmdbg_point *p;
	int ret;

	ret = point_check(vm, vcpu, type, addr, len, flags);
	if (ret < 0)
		return ret;
	if (space && !vm->arch->space)
		return -EOPNOTSUPP;
	if (type == KVMDBG_POINT_SW_BREAK)
		return sw_insert(vm, vcpu, addr, flags, user_data, space, x, ret_id);

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->vcpu = vcpu;
	list_init(&p->hw_node);
	list_init(&p->fired_node);
	p->type = type;
	p->flags = flags;
	p->addr = addr;
	/* an execute breakpoint covers one address */
	p->len = type == KVMDBG_POINT_HW_BREAK || !len ? 1 : len;
	p->user_data = user_data;
	p->has_space = space;
	p->space = space ? *space : 0;
	p->armed = true;
	/* bit 31 of the low half: never a software breakpoint's record index */
	p->id = (uint64_t)++vm->hw_serial << 32 | 1u << 31;
	ret = hw_insert(vm, p, x);
	if (ret < 0) {
		free(p);
		return ret;
	}
	vm->nr_points++;
	if (ret_id)
		*ret_id = p->id;
	return 0;
}

int point_remove(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		 uint64_t addr)
{
	struct kvmdbg_point *p;
	uint32_t idx;

	if (!point_type_is_valid(type))
		return -EINVAL;
	if (type == KVMDBG_POINT_SW_BREAK) {
		idx = sw_find(&vm->sw, addr);
		if (!idx || sw_owner(vm, idx) != vcpu)
			return -ENOENT;
		return sw_destroy(vm, idx);
	}
	p = point_find_hw(vm, vcpu, type, addr);
	if (!p)
		return -ENOENT;
	hw_destroy(p);
	return 0;
}

/*
 * Destroy every point owned by owner, or every point when owner is NULL.  Software
 * breakpoints whose memory cannot be written stay; the first such error is returned.
 */
int point_destroy_owned(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner)
{
	struct kvmdbg_point *p, *tmp;
	uint32_t idx, next;
	int err = 0;

	if (owner) {
		/* an owner is in the extra: only points that have one can be its */
		struct sw_extra *x;
		size_t cursor = 0;

		while ((idx = sw_next_extra(&vm->sw, &cursor, &x))) {
			int ret;

			if (x->vcpu != owner)
				continue;
			ret = sw_destroy(vm, idx);
			if (ret < 0 && !err)
				err = ret;
			/* the extras map lost an entry and may have shifted others back */
			if (ret >= 0)
				cursor = 0;
		}
	} else {
		for (idx = sw_next(&vm->sw, 0); idx; idx = next) {
			int ret;

			next = sw_next(&vm->sw, idx);
			ret = sw_destroy(vm, idx);
			if (ret < 0 && !err)
				err = ret;
		}
	}
	list_for_each_safe(p, tmp, &vm->hw, hw_node)
		if (!owner || p->vcpu == owner)
			hw_destroy(p);
	return err;
}

/* Snapshots and their getters */

_public_ int kvmdbg_vm_get_point(struct kvmdbg_vm *vm, uint64_t id, struct kvmdbg_point **ret_point)
{
	struct kvmdbg_point *p = NULL, *snap;
	size_t cursor = 0;
	uint32_t idx;

	if (!vm || !ret_point)
		return -EINVAL;
	/* a snapshot is detached from everything: only the fields the getters read count */
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	pthread_mutex_lock(&vm->lock);
	idx = id ? sw_by_id(&vm->sw, id) : 0;
	if (idx) {
		const struct sw_extra *x = sw_extra(&vm->sw, idx);

		snap->id = id;
		snap->type = KVMDBG_POINT_SW_BREAK;
		snap->addr = sw_addr(&vm->sw, idx);
		snap->len = sw_insn_len(vm, idx);
		snap->flags = (sw_has(&vm->sw, idx, SW_ONESHOT) ? KVMDBG_POINT_ONESHOT : 0) |
			      (x ? x->flags : 0);
		snap->pending = !sw_planted(&vm->sw, idx);
		snap->heals = x ? x->heals : 0;
		snap->has_space = x && x->has_space;
		snap->space = x ? x->space : 0;
		snap->foreign_hits = x ? x->foreign_hits : 0;
		snap->user_data = x ? x->user_data : NULL;
		snap->vcpu = x ? x->vcpu : NULL;
		snap->armed = sw_has(&vm->sw, idx, SW_ARMED);
		snap->hits = sw_hits(&vm->sw, idx);
		p = snap;
	} else if (id) {
		p = map_next(&vm->ids, id, &cursor);
		if (p) {
			snap->id = p->id;
			snap->type = p->type;
			snap->addr = p->addr;
			snap->len = p->len;
			snap->flags = p->flags;
			snap->user_data = p->user_data;
			snap->vcpu = p->vcpu;
			snap->armed = p->armed;
			snap->hits = p->hits;
			snap->has_space = p->has_space;
			snap->space = p->space;
			snap->foreign_hits = p->foreign_hits;
		}
	}
	pthread_mutex_unlock(&vm->lock);
	if (!p) {
		free(snap);
		return -ENOENT;
	}
	*ret_point = snap;
	return 0;
}

_public_ void kvmdbg_point_free(struct kvmdbg_point *point)
{
	free(point);
}

_public_ uint64_t kvmdbg_point_get_id(const struct kvmdbg_point *point)
{
	return point ? point->id : 0;
}

_public_ enum kvmdbg_point_type kvmdbg_point_get_type(const struct kvmdbg_point *point)
{
	return point ? point->type : KVMDBG_POINT_SW_BREAK;
}

_public_ uint64_t kvmdbg_point_get_addr(const struct kvmdbg_point *point)
{
	return point ? point->addr : 0;
}

_public_ uint64_t kvmdbg_point_get_len(const struct kvmdbg_point *point)
{
	return point ? point->len : 0;
}

_public_ unsigned int kvmdbg_point_get_flags(const struct kvmdbg_point *point)
{
	return point ? point->flags : 0;
}

_public_ void *kvmdbg_point_get_user_data(const struct kvmdbg_point *point)
{
	return point ? point->user_data : NULL;
}

_public_ struct kvmdbg_vcpu *kvmdbg_point_get_vcpu(const struct kvmdbg_point *point)
{
	return point ? point->vcpu : NULL;
}

_public_ bool kvmdbg_point_is_armed(const struct kvmdbg_point *point)
{
	return point ? point->armed : false;
}

_public_ uint64_t kvmdbg_point_get_hit_count(const struct kvmdbg_point *point)
{
	return point ? point->hits : 0;
}

_public_ bool kvmdbg_point_is_pending(const struct kvmdbg_point *point)
{
	return point ? point->pending : false;
}

_public_ uint64_t kvmdbg_point_get_heal_count(const struct kvmdbg_point *point)
{
	return point ? point->heals : 0;
}

_public_ int kvmdbg_point_get_space(const struct kvmdbg_point *point, uint64_t *ret_space)
{
	if (!point || !ret_space)
		return -EINVAL;
	if (!point->has_space)
		return -ENODATA;
	*ret_space = point->space;
	return 0;
}

_public_ uint64_t kvmdbg_point_get_foreign_hits(const struct kvmdbg_point *point)
{
	return point ? point->foreign_hits : 0;
}
