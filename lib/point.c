// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Breakpoints and watchpoints: validation, insertion into guest memory (software breakpoints,
 * kept in the compact store of sw.c) or hardware slots, one-shot disarming, removal that never
 * writes old bytes over new guest code.  Every function here runs with vm->lock held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

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

/* Software breakpoints */

const uint8_t *sw_insn(const struct kvmdbg_vm *vm, uint32_t idx)
{
	return sw_has(&vm->sw, idx, SW_ALT) ? vm->arch->sw_insn_alt : vm->sw_insn;
}

size_t sw_insn_len(const struct kvmdbg_vm *vm, uint32_t idx)
{
	return sw_has(&vm->sw, idx, SW_ALT) ? vm->arch->sw_insn_alt_len : vm->sw_insn_len;
}

/* The longest breakpoint instruction the VM may write. */
static size_t longest_insn(const struct kvmdbg_vm *vm)
{
	return vm->sw_insn_len > vm->arch->sw_insn_alt_len ? vm->sw_insn_len
							 : vm->arch->sw_insn_alt_len;
}

struct kvmdbg_vcpu *sw_owner(const struct kvmdbg_vm *vm, uint32_t idx)
{
	const struct sw_extra *x = sw_extra(&vm->sw, idx);

	return x ? x->vcpu : NULL;
}

unsigned int sw_steppers(const struct kvmdbg_vm *vm, uint32_t idx)
{
	for (unsigned int i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			return vm->stepping[i].count;
	return 0;
}

/*
 * One more (delta 1) or one fewer (-1) vCPU stepping over the breakpoint.  The array has a
 * place for every vCPU (made at attach), so this never allocates.
 */
void sw_steppers_add(struct kvmdbg_vm *vm, uint32_t idx, int delta)
{
	unsigned int i;

	for (i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			break;
	if (i == vm->nr_stepping) {
		if (delta < 0 || i == vm->cap_stepping)
			return;
		vm->stepping[vm->nr_stepping++] = (struct stepping){ .idx = idx };
	}
	vm->stepping[i].count += (unsigned int)delta;
	if (!vm->stepping[i].count)
		vm->stepping[i] = vm->stepping[--vm->nr_stepping];
}

/*
 * The breakpoint goes: vCPUs stepping over it find it gone (its id no longer names its
 * record), and a new point that takes the record starts with none.
 */
static void sw_steppers_drop(struct kvmdbg_vm *vm, uint32_t idx)
{
	for (unsigned int i = 0; i < vm->nr_stepping; i++)
		if (vm->stepping[i].idx == idx)
			vm->stepping[i] = vm->stepping[--vm->nr_stepping];
}

/*
 * Put the breakpoint instruction into guest memory, saving what it covers.  When arming again
 * (not first), memory that already holds the instruction was restored from a snapshot taken
 * with it in place, and the bytes saved at insert time stay.
 */
/*
 * The bytes of a breakpoint that lies whole in a registered region, for the hot paths: no
 * callback, no copy through a buffer.  NULL: the general path.
 */
static uint8_t *sw_host(struct kvmdbg_vm *vm, uint32_t idx, size_t len)
{
	if (sw_has(&vm->sw, idx, SW_EXTRA) && sw_extra(&vm->sw, idx)->split)
		return NULL;
	return mem_host(vm, sw_gpa(&vm->sw, idx), len);
}

static bool same(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void copy(uint8_t *to, const uint8_t *from, size_t len)
{
	for (size_t i = 0; i < len; i++)
		to[i] = from[i];
}

int sw_put_in(struct kvmdbg_vm *vm, uint32_t idx, bool first)
{
	size_t len = sw_insn_len(vm, idx);
	const uint8_t *insn = sw_insn(vm, idx);
	uint8_t cur[MAX_INSN], *host;
	int ret;

	if (sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	host = sw_host(vm, idx, len);
	if (host) {
		if (first || !same(host, insn, len)) {
			copy(sw_rec(&vm->sw, idx)->orig, host, len);
			copy(host, insn, len);
		}
	} else {
		ret = sw_read(vm, idx, cur);
		if (ret < 0)
			return ret;
		if (first || !same(cur, insn, len)) {
			ret = sw_write(vm, idx, insn);
			if (ret < 0)
				return ret;
			copy(sw_rec(&vm->sw, idx)->orig, cur, len);
		}
	}
	sw_set(&vm->sw, idx, SW_IN_MEMORY);
	if (sw_has(&vm->sw, idx, SW_EXTRA)) {
		sw_extra(&vm->sw, idx)->overwritten = false;
		sw_owe_not(vm, idx);
		sw_extra_trim(&vm->sw, idx);
	}
	return 0;
}

/* Write back every owed breakpoint instruction.  The first error, or 0. */
int sw_put_in_owed(struct kvmdbg_vm *vm)
{
	struct sw_extra *x;
	size_t cursor = 0;
	uint32_t idx;
	int err = 0;

	while (vm->nr_owed && (idx = sw_next_extra(&vm->sw, &cursor, &x))) {
		if (x->owed && !sw_steppers(vm, idx)) {
			int ret = sw_put_in(vm, idx, false);

			if (ret < 0 && !err)
				err = ret;
			/* a put-in may free the extra and move others: look at this place again */
			if (ret == 0)
				cursor = 0;
		}
	}
	return err;
}

int sw_owe(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct sw_extra *x = sw_extra_get(&vm->sw, idx);

	if (!x)
		return -ENOMEM;
	if (!x->owed) {
		x->owed = true;
		vm->nr_owed++;
	}
	return 0;
}

void sw_owe_not(struct kvmdbg_vm *vm, uint32_t idx)
{
	struct sw_extra *x = sw_extra(&vm->sw, idx);

	if (x && x->owed) {
		x->owed = false;
		vm->nr_owed--;
	}
}

/*
 * Take the breakpoint instruction out of guest memory.  If the guest replaced it, its new code
 * stays and the point is marked overwritten.
 */
int sw_take_out(struct kvmdbg_vm *vm, uint32_t idx)
{
	size_t len = sw_insn_len(vm, idx);
	uint8_t cur[MAX_INSN], *host;
	int ret;

	if (!sw_has(&vm->sw, idx, SW_IN_MEMORY))
		return 0;
	host = sw_host(vm, idx, len);
	if (host && same(host, sw_insn(vm, idx), len)) {
		copy(host, sw_rec(&vm->sw, idx)->orig, len);
		sw_clear(&vm->sw, idx, SW_IN_MEMORY);
		return 0;
	}
	ret = sw_read(vm, idx, cur);
	if (ret < 0)
		return ret;
	if (!same(cur, sw_insn(vm, idx), len)) {
		struct sw_extra *x = sw_extra_get(&vm->sw, idx);

		if (!x)
			return -ENOMEM;
		x->overwritten = true;
	} else {
		ret = sw_write(vm, idx, sw_rec(&vm->sw, idx)->orig);
		if (ret < 0)
			return ret;
	}
	sw_clear(&vm->sw, idx, SW_IN_MEMORY);
	return 0;
}

/* Count a hit; a one-shot point disarms itself. */
void sw_fired(struct kvmdbg_vm *vm, uint32_t idx)
{
	sw_hit(&vm->sw, idx);
	if (!sw_has(&vm->sw, idx, SW_ONESHOT))
		return;
	/*
	 * Where the instruction cannot be taken out, or the point not recorded as fired (out of
	 * memory), it stays armed; the step-over that follows reports a write error from
	 * kvmdbg_vcpu_pre_run().
	 */
	if (sw_fired_add(&vm->sw, idx) < 0)
		return;
	if (sw_take_out(vm, idx) < 0) {
		vm->sw.nr_fired--;
		return;
	}
	sw_clear(&vm->sw, idx, SW_ARMED);
}

/* Hardware points */

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

static int insert_hw(struct kvmdbg_vm *vm, struct kvmdbg_point *p, const struct xlat *x)
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
static void destroy_hw(struct kvmdbg_point *p)
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

/* Inserting software breakpoints */

/* What an insert of a software breakpoint knows before it has a record. */
struct sw_new {
	uint64_t addr;
	bool alt;
	size_t len;  /* of the instruction */
	uint8_t split; /* bytes on the first page, if it crosses into the next; else 0 */
};

/*
 * Whether the instruction would share bytes with another breakpoint's, at the same virtual
 * addresses (s390's 4-byte DIAG over a 2-byte instruction; riscv) or at the same physical
 * ones (two virtual addresses aliasing one physical page): each would save the other's bytes
 * as "original", and removing them leaves a breakpoint instruction in guest memory.  Only
 * what the architecture makes possible is looked up: nothing on x86 with one offset.
 */
static int check_overlap(struct kvmdbg_vm *vm, struct sw_new *n, const struct xlat *x)
{
	uint64_t room = GUEST_PAGE - n->addr % GUEST_PAGE;
	size_t longest = longest_insn(vm);

	for (unsigned int d = 1; d < longest; d++) {
		uint32_t q = sw_find(&vm->sw, n->addr - d);

		if ((q && sw_insn_len(vm, q) > d) || (d < n->len && sw_find(&vm->sw, n->addr + d)))
			return -EEXIST;
	}
	n->split = 0;
	if (n->len > room) {
		/* the instruction crosses into the next page, which may be anywhere */
		if (!x->has_gpa2)
			return x->ret2 < 0 ? x->ret2 : -EFAULT;
		n->split = (uint8_t)room;
	}
	/* bytes found through the point's own offsets lie at the virtual neighbours just seen */
	if (phys_overlaps(vm, x->gpa, n->split ? n->split : n->len, true,
			  (int64_t)(x->gpa - n->addr)) ||
	    (n->split && phys_overlaps(vm, x->gpa2, n->len - n->split, true,
				       (int64_t)(x->gpa2 - (n->addr + n->split)))))
		return -EEXIST;
	return 0;
}

/*
 * Whether a new software breakpoint takes the architecture's alternative instruction: where
 * ->pick_alt_insn says so for the site (riscv: a compressed instruction), unless it needs a
 * VM capability that cannot be had (s390).
 */
static int pick_alt_insn(struct kvmdbg_vm *vm, const struct xlat *x, bool *ret_alt)
{
	const struct arch *arch = vm->arch;
	uint8_t site[MAX_INSN];
	int ret;

	*ret_alt = false;
	if (!arch->pick_alt_insn || (arch->alt_insn_cap && vm->alt_insn == ALT_INSN_NO))
		return 0;
	ret = mem_read(vm, x->gpa, site, arch->sw_insn_alt_len);
	if (ret < 0)
		return ret;
	*ret_alt = arch->pick_alt_insn(site);
	return 0;
}

static void choose(struct kvmdbg_vm *vm, struct sw_new *n, bool alt)
{
	n->alt = alt;
	n->len = alt ? vm->arch->sw_insn_alt_len : vm->sw_insn_len;
}

/*
 * s390: the 2-byte 0x0000 needs KVM_CAP_S390_USER_INSTR0, which cannot be switched off again
 * (it changes what the guest's own 0x0000 does for the rest of the VM's life), so it is
 * enabled only by an insert that will succeed: after every check, and after a trial write of
 * the site's own bytes has shown that the memory is writable.  Where it cannot be enabled,
 * the 4-byte DIAG is used, checked anew.  (The 2-byte instruction at an even address never
 * crosses a page.)
 */
static int enable_alt_insn(struct kvmdbg_vm *vm, struct sw_new *n, const struct xlat *x)
{
	uint8_t site[MAX_INSN];
	int ret;

	ret = mem_read(vm, x->gpa, site, n->len);
	if (ret < 0)
		return ret;
	ret = mem_write(vm, x->gpa, site, n->len);
	if (ret < 0)
		return ret;
	if (kernel_enable_cap(vm->fd, vm->arch->alt_insn_cap) == 0) {
		vm->alt_insn = ALT_INSN_ENABLED;
		return 0;
	}
	vm->alt_insn = ALT_INSN_NO;
	choose(vm, n, false);
	return check_overlap(vm, n, x);
}

/* The record's place in guest memory, and what it has beyond the record. */
static int sw_setup(struct kvmdbg_vm *vm, uint32_t idx, const struct sw_new *n,
		    struct kvmdbg_vcpu *vcpu, void *user_data, const struct xlat *x)
{
	struct sw_extra *xt;
	int ret = sw_offset_set(&vm->sw, idx, x->gpa);

	if (ret < 0)
		return ret;
	if (!vcpu && !user_data && !n->split)
		return 0;
	xt = sw_extra_get(&vm->sw, idx);
	if (!xt)
		return -ENOMEM;
	xt->vcpu = vcpu;
	xt->user_data = user_data;
	if (n->split) {
		xt->split = n->split;
		xt->gpa2 = x->gpa2;
		vm->nr_split++;
	}
	return 0;
}

/* Undo sw_setup() and sw_alloc() for an insert that failed. */
static void sw_unsetup(struct kvmdbg_vm *vm, uint32_t idx)
{
	const struct sw_extra *xt = sw_extra(&vm->sw, idx);

	if (xt && xt->split)
		vm->nr_split--;
	sw_release(&vm->sw, idx);
}

static int insert_sw(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr,
		     unsigned int flags, void *user_data, const struct xlat *x, uint64_t *ret_id)
{
	struct sw_new n = { .addr = addr };
	uint32_t idx;
	bool alt;
	int ret;

	if (sw_find(&vm->sw, addr))
		return -EEXIST;
	if (x->ret < 0)
		return x->ret;
	ret = pick_alt_insn(vm, x, &alt);
	if (ret < 0)
		return ret;
	choose(vm, &n, alt);
	ret = check_overlap(vm, &n, x);
	if (ret < 0)
		return ret;
	if (alt && vm->alt_insn == ALT_INSN_OFFERED) {
		ret = enable_alt_insn(vm, &n, x);
		if (ret < 0)
			return ret;
	}
	ret = sw_alloc(&vm->sw, addr, &idx);
	if (ret < 0)
		return ret;
	sw_set(&vm->sw, idx,
	       SW_ARMED | (n.alt ? SW_ALT : 0) | (flags & KVMDBG_POINT_ONESHOT ? SW_ONESHOT : 0));
	ret = sw_setup(vm, idx, &n, vcpu, user_data, x);
	if (ret < 0)
		goto fail;
	ret = phys_add(vm, idx);
	if (ret < 0)
		goto fail;
	ret = sw_put_in(vm, idx, true);
	if (ret < 0) {
		phys_del(vm, idx);
		goto fail;
	}
	/* the first software breakpoint turns on the kernel's interception */
	if (vm->sw.count == 1)
		vm_bump(vm);
	__atomic_store_n(&vm->sw_ever, true, __ATOMIC_RELEASE);
	vm->nr_points++;
	if (ret_id)
		*ret_id = sw_id(&vm->sw, idx);
	return 0;

fail:
	sw_unsetup(vm, idx);
	return ret;
}

bool point_needs_translation(const struct kvmdbg_vm *vm, enum kvmdbg_point_type type)
{
	return type == KVMDBG_POINT_SW_BREAK || arch_has_quirk(vm->arch, QUIRK_HW_NEEDS_PHYS);
}

void point_translate(const struct kvmdbg_vm *vm, struct translator *t,
		     enum kvmdbg_point_type type, uint64_t addr, struct xlat *x)
{
	uint64_t room = GUEST_PAGE - addr % GUEST_PAGE;

	memset(x, 0, sizeof(*x));
	if (!point_needs_translation(vm, type))
		return;
	x->ret = translator_run(t, addr, &x->gpa);
	if (x->ret < 0 || type != KVMDBG_POINT_SW_BREAK || room >= longest_insn(vm))
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

	if (!point_type_is_valid(type) || (flags & ~(unsigned int)KVMDBG_POINT_ONESHOT))
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
		 const struct xlat *x, uint64_t *ret_id)
{
	struct kvmdbg_point *p;
	int ret;

	ret = point_check(vm, vcpu, type, addr, len, flags);
	if (ret < 0)
		return ret;
	if (type == KVMDBG_POINT_SW_BREAK)
		return insert_sw(vm, vcpu, addr, flags, user_data, x, ret_id);

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
	p->armed = true;
	/* bit 31 of the low half: never a software breakpoint's record index */
	p->id = (uint64_t)++vm->hw_serial << 32 | 1u << 31;
	ret = insert_hw(vm, p, x);
	if (ret < 0) {
		free(p);
		return ret;
	}
	vm->nr_points++;
	if (ret_id)
		*ret_id = p->id;
	return 0;
}

/* 0, 1 (the guest had replaced the instruction), or the write error: the point stays */
static int destroy_sw(struct kvmdbg_vm *vm, uint32_t idx)
{
	const struct sw_extra *x;
	int ret;

	/*
	 * With steppers the original bytes are already back in memory, unless a snapshot
	 * restore put the instruction back (kvmdbg_vm_mark_all_armed())
	 */
	if (!sw_steppers(vm, idx) || sw_has(&vm->sw, idx, SW_IN_MEMORY)) {
		ret = sw_take_out(vm, idx);
		if (ret < 0)
			return ret;
	}
	x = sw_extra(&vm->sw, idx);
	ret = x && x->overwritten ? 1 : 0;
	if (x && x->owed)
		vm->nr_owed--;
	if (x && x->split)
		vm->nr_split--;
	phys_del(vm, idx);
	sw_steppers_drop(vm, idx);
	sw_release(&vm->sw, idx);
	vm->nr_points--;
	if (!vm->sw.count)
		vm_bump(vm);
	return ret;
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
		return destroy_sw(vm, idx);
	}
	p = point_find_hw(vm, vcpu, type, addr);
	if (!p)
		return -ENOENT;
	destroy_hw(p);
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
			ret = destroy_sw(vm, idx);
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
			ret = destroy_sw(vm, idx);
			if (ret < 0 && !err)
				err = ret;
		}
	}
	list_for_each_safe(p, tmp, &vm->hw, hw_node)
		if (!owner || p->vcpu == owner)
			destroy_hw(p);
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
		snap->flags = sw_has(&vm->sw, idx, SW_ONESHOT) ? KVMDBG_POINT_ONESHOT : 0;
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
