// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Breakpoints and watchpoints: validation, insertion into guest memory or hardware slots,
 * one-shot disarming and re-arming, removal that never writes old bytes over new guest code.
 * Every function here runs with vm->lock held.
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

/*
 * Put the breakpoint instruction into guest memory, saving what it covers.  When arming again
 * (not first), memory that already holds the instruction was restored from a snapshot taken
 * with it in place, and the bytes saved at insert time stay.
 */
int sw_put_in(struct kvmdbg_point *p, bool first)
{
	uint8_t cur[MAX_INSN];
	int ret;

	if (p->in_memory)
		return 0;
	ret = sw_read(p, cur);
	if (ret < 0)
		return ret;
	if (first || memcmp(cur, p->insn, p->insn_len)) {
		ret = sw_write(p, p->insn);
		if (ret < 0)
			return ret;
		memcpy(p->orig, cur, p->insn_len);
	}
	p->in_memory = true;
	p->overwritten = false;
	sw_owed(p, false);
	return 0;
}

/* Write back every owed breakpoint instruction.  The first error, or 0. */
int sw_put_in_owed(struct kvmdbg_vm *vm)
{
	int err = 0;

	for (size_t i = 0; vm->nr_owed && i <= vm->sw.mask; i++) {
		struct kvmdbg_point *p = vm->sw.buckets[i];

		if (p && p->put_in_owed && !p->steppers) {
			int ret = sw_put_in(p, false);

			if (ret < 0 && !err)
				err = ret;
		}
	}
	return err;
}

/* Mark or clear "armed, but its write-back failed: not in memory", keeping the VM's count. */
void sw_owed(struct kvmdbg_point *p, bool owed)
{
	if (p->put_in_owed == owed)
		return;
	p->put_in_owed = owed;
	if (owed)
		p->vm->nr_owed++;
	else
		p->vm->nr_owed--;
}

/*
 * Take the breakpoint instruction out of guest memory.  If the guest replaced it, its new code
 * stays and the point is marked overwritten.
 */
int sw_take_out(struct kvmdbg_point *p)
{
	uint8_t cur[MAX_INSN];
	int ret;

	if (!p->in_memory)
		return 0;
	ret = sw_read(p, cur);
	if (ret < 0)
		return ret;
	if (memcmp(cur, p->insn, p->insn_len)) {
		p->overwritten = true;
	} else {
		ret = sw_write(p, p->orig);
		if (ret < 0)
			return ret;
	}
	p->in_memory = false;
	return 0;
}

static void fired_add(struct kvmdbg_vm *vm, struct kvmdbg_point *p)
{
	if (p->on_fired)
		return;
	p->on_fired = true;
	p->fired_prev = NULL;
	p->fired_next = vm->fired;
	if (vm->fired)
		vm->fired->fired_prev = p;
	vm->fired = p;
}

void point_unfire(struct kvmdbg_point *p)
{
	if (!p->on_fired)
		return;
	if (p->fired_prev)
		p->fired_prev->fired_next = p->fired_next;
	else
		p->vm->fired = p->fired_next;
	if (p->fired_next)
		p->fired_next->fired_prev = p->fired_prev;
	p->on_fired = false;
	p->fired_prev = p->fired_next = NULL;
}

/* Count a hit; a one-shot point disarms itself. */
void point_fired(struct kvmdbg_point *p)
{
	p->hits++;
	if (!(p->flags & KVMDBG_POINT_ONESHOT))
		return;
	if (p->type == KVMDBG_POINT_SW_BREAK && sw_take_out(p) < 0) {
		/*
		 * The instruction could not be taken out: the point stays armed (and off the
		 * fired list); the step-over that follows reports the write error from
		 * kvmdbg_vcpu_pre_run().
		 */
		return;
	}
	p->armed = false;
	fired_add(p->vm, p);
	if (p->type != KVMDBG_POINT_SW_BREAK) {
		vm_bump(p->vm);
	}
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

	list_for_each(p, &vcpu->vm->hw, hw_node)
	{
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

	list_for_each(p, &vm->hw,
		      hw_node) if (p->vcpu == owner && p->type == type && p->addr == addr) return p;
	return NULL;
}

/*
 * Two hardware points of one type at one address conflict when one of them is VM-wide or both
 * belong to the same vCPU: some vCPU would carry both.
 */
static bool hw_conflict(struct kvmdbg_vm *vm, const struct kvmdbg_point *np)
{
	struct kvmdbg_point *p;

	list_for_each(p, &vm->hw,
		      hw_node) if (p->type == np->type && p->addr == np->addr &&
				   (!p->vcpu || !np->vcpu || p->vcpu == np->vcpu)) return true;
	return false;
}

/* The instruction for a new software breakpoint: the alternative one, or the usual one. */
static void set_insn(struct kvmdbg_point *p, bool alt)
{
	const struct arch *arch = p->vm->arch;

	if (alt) {
		memcpy(p->insn, arch->sw_insn_alt, arch->sw_insn_alt_len);
		p->insn_len = (uint8_t)arch->sw_insn_alt_len;
	} else {
		memcpy(p->insn, p->vm->sw_insn, p->vm->sw_insn_len);
		p->insn_len = (uint8_t)p->vm->sw_insn_len;
	}
	p->len = p->insn_len;
}

/*
 * Where the instruction goes, and whether it would share bytes with another breakpoint's,
 * at the same virtual addresses (s390's 4-byte DIAG over a 2-byte instruction; riscv) or
 * at the same physical ones (two virtual addresses aliasing one physical page): each would
 * save the other's bytes as "original", and removing them leaves a breakpoint instruction in
 * guest memory.
 */
static int place_insn(struct kvmdbg_point *p, const struct xlat *x)
{
	struct kvmdbg_vm *vm = p->vm;
	uint64_t room = GUEST_PAGE - p->addr % GUEST_PAGE;

	for (unsigned int d = 1; d < MAX_INSN; d++) {
		const struct kvmdbg_point *q = table_find(&vm->sw, p->addr - d);

		if ((q && q->insn_len > d) || (d < p->insn_len && table_find(&vm->sw, p->addr + d)))
			return -EEXIST;
	}
	p->gpa = x->gpa;
	p->split = 0;
	if (p->insn_len > room) {
		/* the instruction crosses into the next page, which may be anywhere */
		if (!x->has_gpa2)
			return x->ret2 < 0 ? x->ret2 : -EFAULT;
		p->split = (uint8_t)room;
		p->gpa2 = x->gpa2;
	}
	if (phys_overlaps(vm, p->gpa, p->split ? p->split : p->insn_len, NULL) ||
	    (p->split && phys_overlaps(vm, p->gpa2, p->insn_len - p->split, NULL)))
		return -EEXIST;
	return 0;
}

/*
 * s390: the 2-byte 0x0000 needs KVM_CAP_S390_USER_INSTR0, which cannot be switched off again
 * (it changes what the guest's own 0x0000 does for the rest of the VM's life), so it is
 * enabled only by an insert that will succeed: after every check, and after a trial write of
 * the site's own bytes has shown that the memory is writable.  Where it cannot be enabled,
 * the 4-byte DIAG is used, placed anew.
 */
static int enable_alt_insn(struct kvmdbg_point *p, const struct xlat *x)
{
	struct kvmdbg_vm *vm = p->vm;
	uint8_t site[MAX_INSN];
	int ret;

	ret = sw_read(p, site);
	if (ret < 0)
		return ret;
	ret = sw_write(p, site);
	if (ret < 0)
		return ret;
	if (kernel_enable_cap(vm->fd, vm->arch->alt_insn_cap) == 0) {
		vm->alt_insn = ALT_INSN_ENABLED;
		return 0;
	}
	vm->alt_insn = ALT_INSN_NO;
	set_insn(p, false);
	return place_insn(p, x);
}

/*
 * Whether a new software breakpoint takes the architecture's alternative instruction: where
 * ->pick_alt_insn says so for the site (riscv: a compressed instruction), unless it needs a
 * VM capability that cannot be had (s390).
 */
static int pick_alt_insn(struct kvmdbg_point *p, const struct xlat *x, bool *ret_alt)
{
	struct kvmdbg_vm *vm = p->vm;
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

static int insert_sw(struct kvmdbg_point *p, const struct xlat *x)
{
	struct kvmdbg_vm *vm = p->vm;
	bool alt;
	int ret;

	if (table_find(&vm->sw, p->addr))
		return -EEXIST;
	if (x->ret < 0)
		return x->ret;
	ret = pick_alt_insn(p, x, &alt);
	if (ret < 0)
		return ret;
	set_insn(p, alt);
	ret = place_insn(p, x);
	if (ret < 0)
		return ret;
	if (alt && vm->alt_insn == ALT_INSN_OFFERED) {
		ret = enable_alt_insn(p, x);
		if (ret < 0)
			return ret;
	}
	ret = table_add(&vm->sw, p);
	if (ret < 0)
		return ret;
	ret = phys_add(vm, p);
	if (ret < 0)
		goto fail_table;
	ret = sw_put_in(p, true);
	if (ret < 0)
		goto fail_phys;
	/* the first software breakpoint turns on the kernel's interception */
	if (vm->sw.count == 1)
		vm_bump(vm);
	__atomic_store_n(&vm->sw_ever, true, __ATOMIC_RELEASE);
	return 0;

fail_phys:
	phys_del(vm, p);
fail_table:
	table_del(&vm->sw, p);
	return ret;
}

static int insert_hw(struct kvmdbg_point *p, const struct xlat *x)
{
	struct kvmdbg_vm *vm = p->vm;
	int bank = point_bank(vm, p->type);
	int n;

	if (hw_conflict(vm, p))
		return -EEXIST;
	if (arch_has_quirk(vm->arch, QUIRK_HW_NEEDS_PHYS)) {
		/* s390: the kernel compares the watched bytes at their absolute address */
		if (x->ret < 0)
			return x->ret;
		p->phys = x->gpa;
	}
	if (p->vcpu) {
		n = find_free_slot(p->vcpu, bank);
		if (n < 0)
			return n;
		p->vcpu->slots[bank][n] = p;
	} else {
		if (vm->nr_vm_hw[bank] >= vm->slots[bank])
			return -ENOSPC;
		struct kvmdbg_vcpu *v;

		list_for_each(v, &vm->vcpus, node) if (find_free_slot(v, bank) < 0) return -ENOSPC;
		list_for_each(v, &vm->vcpus, node) v->slots[bank][find_free_slot(v, bank)] = p;
		vm->nr_vm_hw[bank]++;
	}
	/* in insertion order, so that vCPUs attached later get the same slots */
	list_add_tail(&vm->hw, &p->hw_node);
	vm_bump(vm);
	return 0;
}

void point_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *via, enum kvmdbg_point_type type,
		     uint64_t addr, struct xlat *x)
{
	size_t longest = vm->sw_insn_len > vm->arch->sw_insn_alt_len ? vm->sw_insn_len
								     : vm->arch->sw_insn_alt_len;
	uint64_t room = GUEST_PAGE - addr % GUEST_PAGE;

	memset(x, 0, sizeof(*x));
	if (type != KVMDBG_POINT_SW_BREAK && !arch_has_quirk(vm->arch, QUIRK_HW_NEEDS_PHYS))
		return;
	x->ret = mem_translate(vm, via, addr, &x->gpa, false);
	if (x->ret < 0 || type != KVMDBG_POINT_SW_BREAK || room >= longest)
		return;
	/* the instruction may cross into the next page: where is that one? */
	x->ret2 = mem_translate(vm, via, addr + room, &x->gpa2, false);
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
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->vcpu = vcpu;
	list_init(&p->hw_node);
	p->type = type;
	p->flags = flags;
	p->addr = addr;
	/* an execute breakpoint covers one address; a software one its instruction (on insert) */
	p->len = type == KVMDBG_POINT_HW_BREAK || !len ? 1 : len;
	p->user_data = user_data;
	p->armed = true;
	p->id = ++vm->next_id;

	ret = map_add(&vm->ids, p->id, p);
	if (ret < 0) {
		free(p);
		return ret;
	}
	ret = type == KVMDBG_POINT_SW_BREAK ? insert_sw(p, x) : insert_hw(p, x);
	if (ret < 0) {
		map_del(&vm->ids, p->id, p);
		free(p);
		return ret;
	}
	vm->nr_points++;
	if (ret_id)
		*ret_id = p->id;
	return 0;
}

/* What every point's destroy ends with. */
static void forget(struct kvmdbg_point *p)
{
	struct kvmdbg_vm *vm = p->vm;

	point_unfire(p);
	map_del(&vm->ids, p->id, p);
	vm->nr_points--;
	free(p);
}

/* Hardware points leave their slots and the VM's list: this cannot fail. */
static void destroy_hw(struct kvmdbg_point *p)
{
	struct kvmdbg_vm *vm = p->vm;
	int bank = point_bank(vm, p->type);
	struct kvmdbg_vcpu *v;

	list_for_each(v, &vm->vcpus, node) for (unsigned int n = 0; n < vm->slots[bank];
						n++) if (v->slots[bank][n] == p) v->slots[bank][n] =
		NULL;
	list_del(&p->hw_node);
	if (!p->vcpu)
		vm->nr_vm_hw[bank]--;
	vm_bump(vm);
	forget(p);
}

int point_destroy(struct kvmdbg_point *p)
{
	struct kvmdbg_vm *vm = p->vm;
	int ret;

	if (p->type != KVMDBG_POINT_SW_BREAK) {
		destroy_hw(p);
		return 0;
	}
	/*
	 * With steppers the original bytes are already back in memory, unless a snapshot
	 * restore put the instruction back (kvmdbg_vm_mark_all_armed())
	 */
	if (!p->steppers || p->in_memory) {
		ret = sw_take_out(p);
		if (ret < 0)
			return ret;
	}
	ret = p->overwritten ? 1 : 0;
	sw_owed(p, false);
	table_del(&vm->sw, p);
	phys_del(vm, p);
	if (!vm->sw.count)
		vm_bump(vm);
	forget(p);
	return ret;
}

int point_remove(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		 uint64_t addr)
{
	struct kvmdbg_point *p;

	if (!point_type_is_valid(type))
		return -EINVAL;
	if (type == KVMDBG_POINT_SW_BREAK)
		p = table_find(&vm->sw, addr);
	else
		p = point_find_hw(vm, vcpu, type, addr);
	if (!p || p->vcpu != vcpu)
		return -ENOENT;
	return point_destroy(p);
}

/*
 * Destroy every point owned by owner, or every point when owner is NULL.  Points whose
 * memory cannot be written stay; the first such error is returned.
 */
int point_destroy_owned(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *owner)
{
	struct kvmdbg_point *p, *tmp;
	int err = 0;

	/* table_del shifts entries back into the freed bucket: look at the same bucket again */
	for (size_t i = 0; i <= vm->sw.mask;) {
		p = vm->sw.buckets[i];
		if (p && (!owner || p->vcpu == owner)) {
			int ret = point_destroy(p);

			if (ret >= 0)
				continue;
			if (!err)
				err = ret;
		}
		i++;
	}
	list_for_each_safe(p, tmp, &vm->hw, hw_node) if (!owner || p->vcpu == owner) destroy_hw(p);
	return err;
}

struct kvmdbg_point *point_by_id(struct kvmdbg_vm *vm, uint64_t id)
{
	size_t cursor = 0;

	return map_next(&vm->ids, id, &cursor);
}

/*
 * A snapshot is a struct kvmdbg_point of its own, detached from everything: only the fields
 * the getters read are meaningful in it.
 */
_public_ int kvmdbg_vm_get_point(struct kvmdbg_vm *vm, uint64_t id, struct kvmdbg_point **ret_point)
{
	struct kvmdbg_point *p, *snap;

	if (!vm || !ret_point)
		return -EINVAL;
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		return -ENOMEM;
	pthread_mutex_lock(&vm->lock);
	p = id ? point_by_id(vm, id) : NULL;
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
