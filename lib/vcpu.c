// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vCPU object and the run loop: pre-run packs and applies the debug state (one
 * KVM_SET_GUEST_DEBUG, only when it changed or the architecture needs it anew), handle-exit
 * decodes KVM_EXIT_DEBUG into an event and runs the policies: step-over, one-shot,
 * guest-owned exceptions, kicks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "internal.h"
#include "kernel.h"

/* struct kvm_run: exit_reason is a u32 at 8 everywhere, immediate_exit a u8 at 1 */
#define RUN_IMMEDIATE_EXIT 1
#define EXIT_REASON_INTR 10

static void set_immediate_exit(struct kvmdbg_vcpu *vcpu, uint8_t value)
{
	__atomic_store_n((uint8_t *)vcpu->run + RUN_IMMEDIATE_EXIT, value, __ATOMIC_RELEASE);
}

_public_ int kvmdbg_vcpu_new(struct kvmdbg_vm *vm, int vcpu_fd, struct kvm_run *run,
				  struct kvmdbg_vcpu **ret_vcpu)
{
	struct kvmdbg_vcpu *vcpu, **tail;
	int ret;

	if (!vm || vcpu_fd < 0 || !run || !ret_vcpu)
		return -EINVAL;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->fd = vcpu_fd;
	vcpu->run = run;
	vcpu->dirty = true;
	atomic_init(&vcpu->kick_pending, false);
	pthread_mutex_init(&vcpu->kick_lock, NULL);
	/* a new vCPU has debugging off: the all-zero state of every architecture */
	memset(vcpu->applied, 0, sizeof(vcpu->applied));

	pthread_mutex_lock(&vm->lock);
	for (tail = &vm->vcpus; *tail; tail = &(*tail)->next) {
		if ((*tail)->fd == vcpu_fd) {
			ret = -EEXIST;
			goto fail;
		}
	}
	if (vm->debug_supported < 0) {
		ret = kernel_set_guest_debug(vcpu_fd, vcpu->applied,
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
	/* in attach order: the first vCPU serves the default address translation */
	*tail = vcpu;
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

/*
 * Put back what a step-over took away; vm->lock held.  A breakpoint instruction that cannot
 * be written back stays owed (armed, not in memory): its error is returned, and the next
 * pre-run tries again.
 */
static int finish_step_over(struct kvmdbg_vcpu *vcpu)
{
	int ret = 0;

	if (vcpu->resume == RESUME_STEPPING && !vcpu->resume_debug_reg &&
	    vcpu->resume_type == KVMDBG_POINT_SW_BREAK) {
		struct kvmdbg_point *p = table_find(&vcpu->vm->sw, vcpu->resume_addr);

		/* a point removed and inserted again meanwhile is another point */
		if (p && p->id == vcpu->resume_id && p->steppers && !--p->steppers && p->armed) {
			ret = sw_put_in(p, false);
			if (ret < 0)
				sw_owed(p, true);
		}
	}
	vcpu->resume = RESUME_NONE;
	vcpu->resume_debug_reg = false;
	vcpu->dirty = true;
	return ret;
}

/* Write back every owed breakpoint instruction; vm->lock held.  The first error, or 0. */
static int put_in_owed(struct kvmdbg_vm *vm)
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

_public_ void kvmdbg_vcpu_free(struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_vm *vm;
	sigset_t old;

	if (!vcpu)
		return;
	vm = vcpu->vm;
	vcpu_lock(vm, &old);
	finish_step_over(vcpu);
	point_destroy_owned(vm, vcpu);
	/*
	 * Points whose memory could not be written survive destroy_owned(); they must not
	 * outlive their owner (p->vcpu would dangle).  They stay in the VM as orphans that every
	 * vCPU steps over unseen, until a removal can restore their bytes.
	 */
	for (size_t i = 0; i <= vm->sw.mask; i++) {
		struct kvmdbg_point *p = vm->sw.buckets[i];

		if (p && p->vcpu == vcpu) {
			p->vcpu = NULL;
			p->orphan = true;
		}
	}
	for (struct kvmdbg_vcpu **pp = &vm->vcpus; *pp; pp = &(*pp)->next) {
		if (*pp == vcpu) {
			*pp = vcpu->next;
			break;
		}
	}
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
				     uint64_t addr, uint64_t len, unsigned int flags,
				     void *user_data, uint64_t *ret_id)
{
	if (!vcpu)
		return -EINVAL;
	return vm_insert_point(vcpu->vm, vcpu, type, addr, len, flags, user_data, ret_id);
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

_public_ int kvmdbg_vcpu_find(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
				   uint64_t addr, uint64_t *ret_id)
{
	if (!vcpu)
		return -EINVAL;
	return vm_find_point(vcpu->vm, vcpu, type, addr, ret_id);
}

/* Whether the kernel accepts the control bits of req, for a call of the vCPU's thread. */
static bool has_control(struct kvmdbg_vm *vm, uint32_t req)
{
	sigset_t old;
	int ret;

	vcpu_lock(vm, &old);
	ret = check_control(vm, req);
	vcpu_unlock(vm, &old);
	return ret == 0;
}

_public_ int kvmdbg_vcpu_set_single_step(struct kvmdbg_vcpu *vcpu, bool enable)
{
	if (!vcpu)
		return -EINVAL;
	if (enable && !has_control(vcpu->vm, REQ_STEP))
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
	if (enable && (!has_control(vcpu->vm, REQ_HW) ||
		       !vcpu->vm->arch->has_debug_reg_trap))
		return -EOPNOTSUPP;
	if (vcpu->trap_debug_regs != enable) {
		vcpu->trap_debug_regs = enable;
		vcpu->dirty = true;
	}
	return 0;
}

/* Begin the step over the breakpoint the vCPU stopped at; vm->lock held. */
static int start_step_over(struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	struct kvmdbg_point *p;

	vcpu->resume = RESUME_NONE;
	if (vcpu->resume_debug_reg) {
		if (!vcpu->trap_debug_regs)
			return 0;
	} else if (vcpu->resume_type == KVMDBG_POINT_SW_BREAK) {
		p = table_find(&vm->sw, vcpu->resume_addr);
		if (!p || !(p->in_memory || p->steppers))
			return 0; /* gone or disarmed meanwhile: the original code is back */
		/* in memory although another vCPU steps over it: a snapshot put it back */
		if (!p->steppers || p->in_memory) {
			int ret = sw_take_out(p);

			if (ret < 0) {
				vcpu->resume = RESUME_PENDING;
				return ret;
			}
		}
		p->steppers++;
		vcpu->resume_id = p->id;
	} else {
		p = vcpu->slots[vcpu->resume_bank][vcpu->resume_slot];
		if (!p || !p->armed || p->addr != vcpu->resume_addr)
			return 0;
	}
	vcpu->resume = RESUME_STEPPING;
	return 0;
}

/* Undo a step-over begun by a pre-run that then failed: it stays pending. vm->lock held. */
static void undo_step_over(struct kvmdbg_vcpu *vcpu)
{
	/* finish_step_over() puts the instruction back; an error there leaves it owed */
	finish_step_over(vcpu);
	vcpu->resume = RESUME_PENDING;
}

/* The request bits and slots the vCPU needs now; vm->lock held. */
static uint32_t build_state(struct kvmdbg_vcpu *vcpu, struct debug_state *st)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	bool stepping_over = vcpu->resume == RESUME_STEPPING;
	bool over_slot = stepping_over && !vcpu->resume_debug_reg &&
			 vcpu->resume_type != KVMDBG_POINT_SW_BREAK;
	uint32_t req = vcpu->inject;

	memset(st, 0, sizeof(*st));
	for (int bank = 0; bank < 2; bank++) {
		for (unsigned int n = 0; n < vm->slots[bank]; n++) {
			const struct kvmdbg_point *p = vcpu->slots[bank][n];

			if (!p || !p->armed)
				continue;
			/*
			 * Off for the step over the point the vCPU stopped at; the slot may have
			 * been given to another point since (a vCPU kicked mid step-over, its
			 * points removed and others inserted): that one stays on.
			 */
			if (over_slot && vcpu->resume_bank == bank &&
			    vcpu->resume_slot == (int)n && p->addr == vcpu->resume_addr &&
			    p->type == vcpu->resume_type)
				continue;
			st->ids[bank][n] = p->id;
			st->slots[bank][n] = (struct hw_slot){
				.kind = (uint8_t)point_slot_kind(p->type),
				.addr = p->addr,
				.len = p->len,
				.phys = p->phys,
			};
			req |= REQ_HW;
		}
	}
	if (vcpu->trap_debug_regs) {
		/* off for the one step that lets a trapped debug-register access run */
		st->trap_debug_regs = !(stepping_over && vcpu->resume_debug_reg);
		req |= REQ_HW;
	}
	if (vm->sw.count)
		req |= REQ_SW_BP;
	if (vcpu->single_step || stepping_over) {
		req |= REQ_STEP;
		if (check_control(vm, REQ_STEP | REQ_BLOCK_IRQ) == 0)
			req |= REQ_BLOCK_IRQ;
	}
	if (req)
		req |= REQ_ENABLE;
	st->req = req;
	return req;
}

/* Give the kernel the state it had before a failed call (s390 switched debugging off). */
static void reapply(struct kvmdbg_vcpu *vcpu)
{
	const struct arch *arch = vcpu->vm->arch;

	if (!vcpu->applied_req)
		return; /* debugging was off: it is off */
	memcpy(vcpu->aux_io, vcpu->applied_aux, arch->aux_size);
	if (kernel_set_guest_debug(vcpu->fd, vcpu->applied, arch->guest_debug_size) < 0) {
		/* then the kernel has debugging off */
		memset(vcpu->applied, 0, sizeof(vcpu->applied));
		memset(vcpu->applied_aux, 0, sizeof(vcpu->applied_aux));
		vcpu->applied_req = 0;
		memset(vcpu->applied_ids, 0, sizeof(vcpu->applied_ids));
		vcpu->applied_slots[0] = vcpu->applied_slots[1] = 0;
	}
}

/*
 * The slots a state enables, per bank, and the point each one holds: part of what the kernel
 * has, so recorded whenever a state is known to be the kernel's, sent or not.  A point
 * removed and inserted again at the same place packs to the same bytes but is another
 * point: without its id here, its hits would be taken for a stale slot's.
 */
static void enabled_slots(struct kvmdbg_vcpu *vcpu, const struct debug_state *st)
{
	for (int bank = 0; bank < 2; bank++) {
		vcpu->applied_slots[bank] = 0;
		for (int n = 0; n < MAX_SLOTS; n++) {
			vcpu->applied_ids[bank][n] = st->ids[bank][n];
			if (st->slots[bank][n].kind != SLOT_OFF)
				vcpu->applied_slots[bank] |= 1ull << n;
		}
	}
}

/* Whether the next run needs the state sent although nothing changed (x86 stepping). */
static bool must_resend(const struct kvmdbg_vcpu *vcpu)
{
	return vcpu->vm->arch->step_resend && (vcpu->applied_req & REQ_STEP);
}

_public_ int kvmdbg_vcpu_pre_run(struct kvmdbg_vcpu *vcpu)
{
	const uint32_t inject_bits = REQ_INJECT_BP | REQ_INJECT_DB;
	struct kvmdbg_vm *vm;
	const struct arch *arch;
	struct debug_state st;
	uint8_t buf[MAX_GUEST_DEBUG];
	uint8_t aux[MAX_AUX];
	uint64_t aux_addr;
	bool started;
	sigset_t old;
	uint64_t gen;
	uint32_t req;
	int ret;

	if (!vcpu)
		return -EINVAL;
	vm = vcpu->vm;
	arch = vm->arch;
	/* the vCPU runs after this: the last event can no longer be handed back */
	vcpu->reinject_seqno = 0;

	/* a kick that raced with the last exit: this run must not enter the guest */
	if (atomic_load_explicit(&vcpu->kick_pending, memory_order_acquire))
		set_immediate_exit(vcpu, 1);
	/* x86: the step KVM will not report after an MMIO write; see handle_exit */
	if (vcpu->mmio_step_owed && !vcpu->ie_set) {
		vcpu->ie_set = true;
		set_immediate_exit(vcpu, 1);
	}

	gen = atomic_load_explicit(&vm->gen, memory_order_acquire);
	if (!vcpu->dirty && vcpu->resume != RESUME_PENDING && !vcpu->inject &&
	    gen == vcpu->seen_gen) {
		if (!must_resend(vcpu))
			return 0;
		/* same state, sent again: KVM takes the RIP to step from at this call */
		ret = kernel_set_guest_debug(vcpu->fd, vcpu->applied,
						    arch->guest_debug_size);
		return ret < 0 ? ret : 1;
	}

	vcpu_lock(vm, &old);
	ret = put_in_owed(vm);
	if (ret < 0) {
		vcpu_unlock(vm, &old);
		return ret;
	}
	started = false;
	if (vcpu->resume == RESUME_PENDING) {
		ret = start_step_over(vcpu);
		if (ret < 0) {
			vcpu_unlock(vm, &old);
			return ret;
		}
		started = vcpu->resume == RESUME_STEPPING;
	}
	req = build_state(vcpu, &st);
	vcpu->seen_gen = gen;
	vcpu_unlock(vm, &old);

	/* the array the kernel reads (s390) is always the vCPU's aux_io */
	aux_addr = (uint64_t)(uintptr_t)vcpu->aux_io;
	arch->pack(&st, arch->control(req), buf, aux, aux_addr);
	if (!(req & inject_bits) && !vcpu->force_apply && !(arch->step_resend &&
							    (req & REQ_STEP)) &&
	    !memcmp(buf, vcpu->applied, arch->guest_debug_size) &&
	    !memcmp(aux, vcpu->applied_aux, arch->aux_size)) {
		enabled_slots(vcpu, &st);
		vcpu->dirty = false;
		return 0;
	}
	memcpy(vcpu->aux_io, aux, arch->aux_size);
	ret = kernel_set_guest_debug(vcpu->fd, buf, arch->guest_debug_size);
	if (ret < 0) {
		if (arch->failed_set_disables)
			reapply(vcpu);
		if (started) {
			vcpu_lock(vm, &old);
			undo_step_over(vcpu);
			vcpu_unlock(vm, &old);
		}
		vcpu->dirty = true;
		return ret;
	}
	/* the kernel acts on the inject bits once; they are not part of the lasting state */
	if (req & inject_bits) {
		req &= ~inject_bits;
		st.req = req;
		arch->pack(&st, arch->control(req), buf, aux, aux_addr);
	}
	memcpy(vcpu->applied, buf, arch->guest_debug_size);
	memcpy(vcpu->applied_aux, aux, arch->aux_size);
	vcpu->applied_req = req;
	enabled_slots(vcpu, &st);
	vcpu->inject = 0;
	vcpu->force_apply = false;
	vcpu->dirty = false;
	return 1;
}

/* An event without a point. */
static void set_event(struct kvmdbg_vcpu *vcpu, enum kvmdbg_event_type type)
{
	vcpu->event.type = type;
}

/* An event of a point: what it says about the point is copied, so it outlives the point. */
static void set_point_event(struct kvmdbg_vcpu *vcpu, enum kvmdbg_event_type type,
			    const struct kvmdbg_point *p)
{
	struct kvmdbg_event *ev = &vcpu->event;

	ev->type = type;
	ev->point_id = p->id;
	ev->point_type = p->type;
	ev->point_addr = p->addr;
	ev->point_len = p->len;
	ev->point_flags = p->flags;
	ev->user_data = p->user_data;
	ev->hits = p->hits;
}

/* Whether the kernel can single-step, which every step-over needs. */
static bool can_step(const struct kvmdbg_vm *vm)
{
	return check_control(vm, REQ_STEP) == 0;
}

/*
 * Step this vCPU over a breakpoint at the next pre-run.  Without single-step (riscv, ppc
 * Book3S HV) there is no step-over: a breakpoint still armed stops the vCPU again.
 */
static void plan_step_over(struct kvmdbg_vcpu *vcpu, const struct kvmdbg_point *p, int bank,
			   int slot)
{
	if (!can_step(vcpu->vm))
		return;
	vcpu->resume = RESUME_PENDING;
	vcpu->resume_debug_reg = false;
	vcpu->resume_type = p->type;
	vcpu->resume_addr = p->addr;
	vcpu->resume_bank = bank;
	vcpu->resume_slot = slot;
}

/* Whether a breakpoint instruction of the architecture sits at gpa; vm->lock held. */
static bool insn_at(struct kvmdbg_vcpu *vcpu, bool has_gpa, uint64_t gpa)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	const struct arch *arch = vm->arch;
	uint8_t cur[MAX_INSN];

	if (!has_gpa)
		return true; /* cannot look: the guest's, since it is not ours */
	if (vm->sw_insn_len && (mem_read(vm, gpa, cur, vm->sw_insn_len) < 0 ||
				!memcmp(cur, vm->sw_insn, vm->sw_insn_len)))
		return true;
	if (arch->sw_insn_alt_len && (mem_read(vm, gpa, cur, arch->sw_insn_alt_len) < 0 ||
				      !memcmp(cur, arch->sw_insn_alt, arch->sw_insn_alt_len)))
		return true;
	return false;
}

/* What handle-exit learnt outside the lock. */
struct exit_ctx {
	const struct arch_exit *ex;
	/* the pc's guest-physical address, for an unknown breakpoint: not looked up yet */
	bool translated;
	bool has_gpa;
	uint64_t gpa;
};

/* classify() needs the pc translated, which happens without the lock; then it goes on */
#define NEED_GPA (-EAGAIN)

/*
 * A breakpoint instruction trapped at pc; vm->lock held.  Where the exit was an intercept
 * whose pc register is already past the instruction (s390), it is moved back to pc whenever
 * the instruction is the library's, so that the vCPU runs that address again.
 */
static int classify_bp_insn(struct kvmdbg_vcpu *vcpu, const struct exit_ctx *c)
{
	const struct arch_exit *ex = c->ex;
	struct kvmdbg_vm *vm = vcpu->vm;
	struct kvmdbg_point *p = table_find(&vm->sw, ex->pc);
	int ret;

	if (ex->foreign_insn) {
		ret = KVMDBG_EXIT_EVENT;
		set_event(vcpu, KVMDBG_EVENT_GUEST_BREAKPOINT);
	} else if (p && p->in_memory) {
		if ((p->vcpu && p->vcpu != vcpu) || p->orphan) {
			/* another vCPU's breakpoint: step over it unseen */
			plan_step_over(vcpu, p, 0, 0);
			ret = KVMDBG_EXIT_RESUME;
		} else {
			point_fired(p);
			if (p->armed)
				plan_step_over(vcpu, p, 0, 0);
			set_point_event(vcpu, KVMDBG_EVENT_SW_BREAKPOINT, p);
			ret = KVMDBG_EXIT_EVENT;
		}
	} else if (!c->translated) {
		return NEED_GPA;
	} else if (!insn_at(vcpu, c->has_gpa, c->gpa)) {
		/*
		 * Ours but taken out (a one-shot that fired, another vCPU stepping over it,
		 * removed meanwhile): the original code is back, so running again executes it.
		 */
		ret = KVMDBG_EXIT_RESUME;
	} else {
		/* anything else is the guest's own */
		set_event(vcpu, KVMDBG_EVENT_GUEST_BREAKPOINT);
		return KVMDBG_EXIT_EVENT;
	}
	if (ex->intercept && vcpu->event.type != KVMDBG_EVENT_GUEST_BREAKPOINT &&
	    vm->arch->set_pc)
		vm->arch->set_pc((uint8_t *)vcpu->run, ex->pc);
	return ret;
}

/* How far addr lies from [p->addr, p->addr + p->len): 0 inside. */
static uint64_t distance(const struct kvmdbg_point *p, uint64_t addr)
{
	if (addr < p->addr)
		return p->addr - addr;
	if (addr - p->addr < p->len)
		return 0;
	return addr - (p->addr + p->len - 1);
}

/*
 * The slot of a bank that the kernel had enabled and that covers addr, for hardware that does
 * not name the slot; -1 if none.  A breakpoint matches its address only.  A watchpoint exit
 * reports an address of the access (arm64 FAR), which can lie outside the watched bytes: an
 * STP with its base 8 below them reports the base.  Linux's own arm64 watchpoint handler
 * gives such a hit to the closest watchpoint, and so does this.
 */
static int find_slot(struct kvmdbg_vcpu *vcpu, int bank, uint64_t addr)
{
	unsigned int nr = vcpu->vm->slots[bank];
	uint64_t best_dist = UINT64_MAX;
	int best = -1;

	for (unsigned int n = 0; n < nr; n++) {
		const struct kvmdbg_point *p = vcpu->slots[bank][n];
		uint64_t d;

		if (!p || !p->armed || !(vcpu->applied_slots[bank] & (1ull << n)))
			continue;
		d = distance(p, addr);
		if (p->type == KVMDBG_POINT_HW_BREAK ? d != 0 : d >= best_dist)
			continue;
		best_dist = d;
		best = (int)n;
	}
	return best;
}

/*
 * One or more slots fired; vm->lock held.  -ENOENT when none of them is a slot of ours that
 * the kernel had enabled: x86 may set DR6.Bn for a disabled slot whose stale address matched.
 */
static int classify_slots(struct kvmdbg_vcpu *vcpu, const struct arch_exit *ex)
{
	int bank = ex->slot_bank;
	uint64_t mask = ex->slot_mask & vcpu->applied_slots[bank];

	if (!ex->slot_mask) {
		int n = find_slot(vcpu, bank, ex->slot_by_pc ? ex->pc : ex->slot_addr);

		if (n >= 0)
			mask = 1ull << n;
	}
	for (int n = 0; n < MAX_SLOTS; n++) {
		struct kvmdbg_point *p;

		if (!(mask & (1ull << n)))
			continue;
		p = vcpu->slots[bank][n];
		/* the kernel's slot n may still hold a point replaced since the last pre-run */
		if (!p || !p->armed || p->id != vcpu->applied_ids[bank][n])
			continue;
		point_fired(p);
		vcpu->event.slot = n;
		if (p->type == KVMDBG_POINT_HW_BREAK) {
			if (p->armed)
				plan_step_over(vcpu, p, bank, n);
			set_point_event(vcpu, KVMDBG_EVENT_HW_BREAKPOINT, p);
		} else {
			static const int access[] = {
				[KVMDBG_POINT_WATCH_WRITE] = KVMDBG_ACCESS_WRITE,
				[KVMDBG_POINT_WATCH_READ] = KVMDBG_ACCESS_READ,
				[KVMDBG_POINT_WATCH_ACCESS] = KVMDBG_ACCESS_READ_WRITE,
			};

			/* the hardware may say which access it was (ppc BookE) */
			vcpu->event.access = ex->access ? ex->access : access[p->type];
			vcpu->event.data_addr = ex->has_data_addr ? ex->data_addr : p->addr;
			set_point_event(vcpu, KVMDBG_EVENT_WATCHPOINT, p);
			/* arm64: the access has not run yet; step it with the slot off */
			if (vcpu->vm->arch->watch_before_access && p->armed)
				plan_step_over(vcpu, p, bank, n);
			/* s390: the kernel's copy of the watched data is stale: send the state anew */
			if (vcpu->vm->arch->watch_resend) {
				vcpu->force_apply = true;
				vcpu->dirty = true;
			}
		}
		return KVMDBG_EXIT_EVENT;
	}
	return -ENOENT;
}

/* vm->lock held; *ret_err: a write-back error of a step-over that ended here */
static int classify(struct kvmdbg_vcpu *vcpu, const struct exit_ctx *c, int *ret_err)
{
	const struct arch_exit *ex = c->ex;
	bool stepped_over = false;

	*ret_err = 0;
	if (vcpu->resume == RESUME_STEPPING) {
		*ret_err = finish_step_over(vcpu);
		stepped_over = true;
	} else if (vcpu->resume == RESUME_PENDING) {
		/* a debug exit before the planned step-over ran: plan it anew if still due */
		vcpu->resume = RESUME_NONE;
	}

	if (ex->causes & CAUSE_STEP_OR_BP) {
		/*
		 * A stepping vCPU that stops where a breakpoint of ours sits, either having
		 * trapped on it or having stepped onto it: the same place, the instruction not
		 * yet run.  It is the breakpoint's stop.
		 */
		const struct kvmdbg_point *p = table_find(&vcpu->vm->sw, ex->pc);

		if (p && p->in_memory)
			return classify_bp_insn(vcpu, c);
	}
	if (ex->causes & CAUSE_BP_INSN)
		return classify_bp_insn(vcpu, c);
	if (ex->causes & CAUSE_SLOT) {
		int ret = classify_slots(vcpu, ex);

		if (ret != -ENOENT)
			return ret;
	}
	if (ex->causes & CAUSE_DEBUG_REG && vcpu->trap_debug_regs) {
		/*
		 * The access faults before it runs: let it run with the trap off for one step.
		 * Without single-step it traps again until the caller turns the trap off.
		 */
		if (can_step(vcpu->vm)) {
			vcpu->resume = RESUME_PENDING;
			vcpu->resume_debug_reg = true;
		}
		set_event(vcpu, KVMDBG_EVENT_DEBUG_REG_ACCESS);
		return KVMDBG_EXIT_EVENT;
	}
	if (ex->causes & CAUSE_STEP) {
		if (vcpu->single_step) {
			set_event(vcpu, KVMDBG_EVENT_STEP);
			return KVMDBG_EXIT_EVENT;
		}
		if (stepped_over)
			return KVMDBG_EXIT_RESUME;
	}
	/*
	 * Only slots that are not ours (any more): a point removed or disarmed after the kernel
	 * got it fires until the next pre-run, which switches it off; with no slot of ours
	 * enabled, it is the guest's.
	 */
	if (ex->causes == CAUSE_SLOT &&
	    (vcpu->applied_slots[0] | vcpu->applied_slots[1]))
		return KVMDBG_EXIT_RESUME;
	if (ex->causes) {
		set_event(vcpu, KVMDBG_EVENT_GUEST_DEBUG);
		return KVMDBG_EXIT_EVENT;
	}
	set_event(vcpu, KVMDBG_EVENT_UNKNOWN);
	return KVMDBG_EXIT_EVENT;
}

/* The pc, for exits that do not carry it (arm64, riscv, some of ppc's). */
static int read_pc(struct kvmdbg_vcpu *vcpu, uint64_t *ret_pc)
{
	const struct arch *arch = vcpu->vm->arch;

	if (arch->pc_reg)
		return kernel_get_one_reg(vcpu->fd, arch->pc_reg, ret_pc);
	if (arch->pc_from_regs)
		return kernel_get_regs_pc(vcpu->fd, ret_pc);
	return -EOPNOTSUPP;
}

/* A new event of this vCPU: numbered, and this vCPU is now the one that stopped last. */
static struct kvmdbg_event *report(struct kvmdbg_vcpu *vcpu)
{
	vcpu->event.seqno = ++vcpu->seqno;
	vcpu->reinject_seqno = vcpu->seqno;
	__atomic_store_n(&vcpu->vm->stopped_vcpu, vcpu, __ATOMIC_RELAXED);
	return &vcpu->event;
}

/* KVM_RUN failed with run_result (< 0). */
static int handle_run_error(struct kvmdbg_vcpu *vcpu, int run_result,
			    const struct kvmdbg_event **ret_event)
{
	struct kvmdbg_event *ev = &vcpu->event;

	if (run_result != -EINTR)
		return run_result;
	if (vcpu->ie_set) {
		/* the MMIO write completed without entering the guest: that was the step */
		vcpu->ie_set = false;
		vcpu->mmio_step_owed = false;
		if (!atomic_load_explicit(&vcpu->kick_pending, memory_order_acquire))
			set_immediate_exit(vcpu, 0);
		if (vcpu->resume == RESUME_STEPPING) {
			sigset_t old;
			int ret;

			vcpu_lock(vcpu->vm, &old);
			ret = finish_step_over(vcpu);
			vcpu_unlock(vcpu->vm, &old);
			if (ret < 0)
				return ret;
		}
		if (vcpu->single_step) {
			int ret = kernel_get_regs_pc(vcpu->fd, &ev->pc);

			if (ret < 0)
				return ret;
			ev->type = KVMDBG_EVENT_STEP;
			*ret_event = report(vcpu);
			return KVMDBG_EXIT_EVENT;
		}
		return KVMDBG_EXIT_RESUME;
	}
	/*
	 * kvmdbg_vcpu_kick() sets immediate_exit before it marks the kick pending, so a pending
	 * kick's immediate_exit is always set: consuming the kick clears it.  Any other -EINTR
	 * (a signal, the VMM's own immediate_exit) is the VMM's: left as it is.
	 */
	if (atomic_exchange_explicit(&vcpu->kick_pending, false, memory_order_acq_rel)) {
		set_immediate_exit(vcpu, 0);
		ev->type = KVMDBG_EVENT_INTERRUPTED;
		*ret_event = report(vcpu);
		return KVMDBG_EXIT_EVENT;
	}
	/* as the kernel reports a signal: a VMM's switch on exit_reason sees a plain exit */
	put_u32((uint8_t *)vcpu->run + RUN_EXIT_REASON, EXIT_REASON_INTR,
		       vcpu->vm->arch->big_endian);
	return KVMDBG_EXIT_NOT_DEBUG;
}

/*
 * Classify a debug exit; vm->lock taken here.  An unknown breakpoint instruction needs the
 * pc's guest-physical address to look at the instruction: translated (a callback, or
 * KVM_TRANSLATE of this vCPU, which is not running) without the lock, then classified on.
 */
static int classify_exit(struct kvmdbg_vcpu *vcpu, struct exit_ctx *c, int *ret_err)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	sigset_t old;
	int ret;

	vcpu_lock(vm, &old);
	ret = classify(vcpu, c, ret_err);
	vcpu_unlock(vm, &old);
	if (ret != NEED_GPA)
		return ret;
	c->has_gpa = mem_translate(vm, vcpu, c->ex->pc, &c->gpa, true) == 0;
	c->translated = true;
	vcpu_lock(vm, &old);
	ret = classify_bp_insn(vcpu, c);
	vcpu_unlock(vm, &old);
	return ret;
}

_public_ int kvmdbg_vcpu_handle_exit(struct kvmdbg_vcpu *vcpu, int run_result,
					  const struct kvmdbg_event **ret_event)
{
	const struct arch *arch;
	struct arch_exit ex;
	struct exit_ctx c = { .ex = &ex };
	struct kvmdbg_event *ev;
	bool stepping;
	int ret, err;

	if (!vcpu || !ret_event || run_result > 0)
		return -EINVAL;
	arch = vcpu->vm->arch;
	ev = &vcpu->event;
	*ev = (struct kvmdbg_event){ .vcpu = vcpu, .slot = -EINVAL, .access = -EINVAL };

	if (run_result < 0)
		return handle_run_error(vcpu, run_result, ret_event);
	if (!arch->decode((const uint8_t *)vcpu->run, &ex)) {
		/* x86: KVM never reports the step over an MMIO write; pre-run makes up for it */
		if (arch->step_lost &&
		    (vcpu->single_step || vcpu->resume == RESUME_STEPPING) &&
		    arch->step_lost((const uint8_t *)vcpu->run))
			vcpu->mmio_step_owed = true;
		return KVMDBG_EXIT_NOT_DEBUG;
	}
	/* s390 intercepts are the library's business only once it placed a breakpoint */
	if (ex.intercept && !__atomic_load_n(&vcpu->vm->sw_ever, __ATOMIC_ACQUIRE))
		return KVMDBG_EXIT_NOT_DEBUG;

	/* ppc status 0: a step if this vCPU is stepping, else a breakpoint instruction */
	stepping = vcpu->single_step || vcpu->resume == RESUME_STEPPING;
	if (ex.causes & CAUSE_STEP_OR_BP) {
		if (stepping) {
			ex.causes |= CAUSE_STEP;
			/* Book3S PR writes neither address nor status for a step: stale */
			if (arch->step_pc_from_regs)
				ex.has_pc = false;
		} else {
			ex.causes = CAUSE_BP_INSN;
		}
	}
	if (!ex.has_pc) {
		ret = read_pc(vcpu, &ex.pc);
		if (ret < 0)
			return ret;
		ex.has_pc = true;
	}
	ev->pc = ex.pc;
	ev->has_exception = ex.has_exception;
	ev->exception = ex.exception;
	ev->has_status = ex.has_status;
	ev->status = ex.status;

	ret = classify_exit(vcpu, &c, &err);
	if (err < 0)
		return err;
	if (ret == KVMDBG_EXIT_EVENT)
		*ret_event = report(vcpu);
	return ret;
}

_public_ int kvmdbg_vcpu_cancel_resume(struct kvmdbg_vcpu *vcpu)
{
	int ret = 0;

	if (!vcpu)
		return -EINVAL;
	if (vcpu->resume == RESUME_STEPPING) {
		sigset_t old;

		vcpu_lock(vcpu->vm, &old);
		ret = finish_step_over(vcpu);
		vcpu_unlock(vcpu->vm, &old);
	}
	vcpu->resume = RESUME_NONE;
	vcpu->resume_debug_reg = false;
	return ret < 0 ? ret : 0;
}

_public_ int kvmdbg_vcpu_reinject(struct kvmdbg_vcpu *vcpu,
				       const struct kvmdbg_event *event)
{
	uint32_t req;

	/* only the last event, before the vCPU ran again */
	if (!vcpu || !event || event->vcpu != vcpu || !event->seqno ||
	    event->seqno != vcpu->reinject_seqno)
		return -EINVAL;
	if (event->type == KVMDBG_EVENT_GUEST_BREAKPOINT)
		req = REQ_INJECT_BP;
	else if (event->type == KVMDBG_EVENT_GUEST_DEBUG)
		req = REQ_INJECT_DB;
	else
		return -EINVAL;
	if (!has_control(vcpu->vm, req) || !arch_has_control(vcpu->vm->arch, req))
		return -EOPNOTSUPP;
	vcpu->inject = req;
	return 0;
}

_public_ int kvmdbg_vcpu_set_kick(struct kvmdbg_vcpu *vcpu, kvmdbg_kick_fn kick,
				       void *user_data)
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
	/* immediate_exit first: a pending kick always has it set (see handle_run_error) */
	set_immediate_exit(vcpu, 1);
	atomic_store_explicit(&vcpu->kick_pending, true, memory_order_release);
	/* not vm->lock: its holder may be waiting for this very vCPU to leave KVM_RUN */
	pthread_mutex_lock(&vcpu->kick_lock);
	if (vcpu->kick)
		vcpu->kick(vcpu->kick_data);
	pthread_mutex_unlock(&vcpu->kick_lock);
	return 0;
}
