// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hardware points: breakpoints and watchpoints in the debug slots of each vCPU that carries
 * them (VM-wide points take a slot on every vCPU, a vCPU's own points one of its own), in
 * insertion order, so that a vCPU attached later gets the same slots.  The state pre-run
 * packs is built from the slots (apply.c).  Every function here runs with vm->lock held.
 */
#include <errno.h>
#include <stdlib.h>

#include "internal.h"

static void hw_fired_add(struct kvmdbg_point *p)
{
	if (list_empty(&p->fired_node))
		list_add_tail(&p->vm->hw_fired, &p->fired_node);
}

void point_unfire(struct kvmdbg_point *p)
{
	list_del(&p->fired_node);
}

/* Count a hit; a one-shot point disarms itself. */
void point_fired(struct kvmdbg_point *p)
{
	p->hits++;
	if (!(p->flags & KVMDBG_POINT_ONESHOT))
		return;
	p->armed = false;
	hw_fired_add(p);
	vm_bump(p->vm);
}

static int find_free_slot(struct kvmdbg_vcpu *vcpu, int bank)
{
	for (unsigned int n = 0; n < vcpu->vm->slots[bank]; n++)
		if (!vcpu->slots[bank][n])
			return (int)n;
	return -ENOSPC;
}

/* Give a new vCPU a slot for every VM-wide hardware point. */
int point_assign_slots(struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_point *p;

	list_for_each(p, &vcpu->vm->hw, hw_node) {
		int bank = point_bank(vcpu->vm, p->type);
		int n;

		if (p->vcpu)
			continue;
		n = find_free_slot(vcpu, bank);
		if (n < 0)
			return n;
		vcpu->slots[bank][n] = p;
	}
	return 0;
}

/* The hardware point of this scope (owner vCPU, or NULL for VM-wide), type and address. */
struct kvmdbg_point *point_find_hw(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner,
				   enum kvmdbg_point_type type, uint64_t addr)
{
	struct kvmdbg_point *p;

	list_for_each(p, &vm->hw, hw_node)
		if (p->vcpu == owner && p->type == type && p->addr == addr)
			return p;
	return NULL;
}

/*
 * Two hardware points of one type at one address conflict when one of them is VM-wide or both
 * belong to the same vCPU: some vCPU would carry both.
 */
static bool hw_conflict(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
			struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_point *p;

	list_for_each(p, &vm->hw, hw_node)
		if (p->type == type && p->addr == addr && (!p->vcpu || !vcpu || p->vcpu == vcpu))
			return true;
	return false;
}

int hw_insert(struct kvmdbg_vm *vm, struct kvmdbg_point *p, const struct xlat *x)
{
	int bank = point_bank(vm, p->type);
	int n, ret;

	if (hw_conflict(vm, p->type, p->addr, p->vcpu))
		return -EEXIST;
	if (arch_has_quirk(vm->arch, QUIRK_HW_NEEDS_PHYS)) {
		/* s390: the kernel compares the watched bytes at their absolute address */
		if (x->ret < 0)
			return x->ret;
		p->phys = x->gpa;
	}
	ret = map_add(&vm->ids, p->id, p);
	if (ret < 0)
		return ret;
	if (p->vcpu) {
		n = find_free_slot(p->vcpu, bank);
		if (n < 0) {
			map_del(&vm->ids, p->id, p);
			return n;
		}
		p->vcpu->slots[bank][n] = p;
	} else {
		struct kvmdbg_vcpu *v;

		ret = vm->nr_vm_hw[bank] >= vm->slots[bank] ? -ENOSPC : 0;
		list_for_each(v, &vm->vcpus, node)
			if (find_free_slot(v, bank) < 0)
				ret = -ENOSPC;
		if (ret < 0) {
			map_del(&vm->ids, p->id, p);
			return ret;
		}
		list_for_each(v, &vm->vcpus, node)
			v->slots[bank][find_free_slot(v, bank)] = p;
		vm->nr_vm_hw[bank]++;
	}
	/* in insertion order, so that vCPUs attached later get the same slots */
	list_add_tail(&vm->hw, &p->hw_node);
	vm_bump(vm);
	return 0;
}

/* Hardware points leave their slots and the VM's list: this cannot fail. */
void hw_destroy(struct kvmdbg_point *p)
{
	struct kvmdbg_vm *vm = p->vm;
	int bank = point_bank(vm, p->type);
	struct kvmdbg_vcpu *v;

	list_for_each(v, &vm->vcpus, node)
		for (unsigned int n = 0; n < vm->slots[bank]; n++)
			if (v->slots[bank][n] == p)
				v->slots[bank][n] = NULL;
	list_del(&p->hw_node);
	point_unfire(p);
	if (!p->vcpu)
		vm->nr_vm_hw[bank]--;
	map_del(&vm->ids, p->id, p);
	vm->nr_points--;
	vm_bump(vm);
	free(p);
}
