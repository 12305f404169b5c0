// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Handle-exit: what KVM_RUN's return and struct kvm_run say, as an event naming the point
 * that fired, or as a verdict that the exit is not the caller's business.
 *
 *   KVM_RUN < 0     handle_run_error(): a kick of ours (INTERRUPTED), the x86 MMIO step the
 *                   kernel does not report, or the caller's own -EINTR/error
 *   decode          the arch backend turns the exit's bytes into causes (arch.h)
 *   pc              from the exit, or read from a register where the exit lacks it
 *   classify()      under the VM lock: a step-over that ends here, then each cause in order:
 *                   breakpoint instruction, hardware slot, debug-register trap, step
 *
 * The kernel holds what vcpu->applied says (apply.c): a slot fires for the library only if
 * the kernel had it on for that very point.  A breakpoint instruction that is not the
 * library's, or a debug exception none of its requests causes, is the guest's own.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

/* include/uapi/linux/kvm.h */
#define EXIT_REASON_INTR 10

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

/* An event of a software breakpoint, by value likewise. */
static void set_sw_event(struct kvmdbg_vcpu *vcpu, uint32_t idx)
{
	const struct kvmdbg_vm *vm = vcpu->vm;
	const struct sw_extra *x = sw_extra(&vm->sw, idx);
	struct kvmdbg_event *ev = &vcpu->event;

	ev->type = KVMDBG_EVENT_SW_BREAKPOINT;
	ev->point_id = sw_id(&vm->sw, idx);
	ev->point_type = KVMDBG_POINT_SW_BREAK;
	ev->point_addr = sw_addr(&vm->sw, idx);
	ev->point_len = sw_insn_len(vm, idx);
	ev->point_flags =
		(sw_has(&vm->sw, idx, SW_ONESHOT) ? KVMDBG_POINT_ONESHOT : 0) | (x ? x->flags : 0);
	ev->user_data = x ? x->user_data : NULL;
	ev->hits = sw_hits(&vm->sw, idx);
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

/*
 * Whether the vCPU runs in address space `space` now (scoped points); 1, 0 or the register
 * read's error.  Only a scoped point's hit asks: the others cost nothing.
 */
static int in_space(struct kvmdbg_vcpu *vcpu, uint64_t space)
{
	uint64_t now;
	int ret = vcpu_read_space(vcpu, &now);

	return ret < 0 ? ret : now == space;
}

/* What handle-exit learnt outside the lock. */
struct exit_ctx {
	const struct arch_exit *ex;
	/* how to translate, read under the lock with the rest */
	struct translator t;
	/* the pc's guest-physical address, for an unknown breakpoint: not looked up yet */
	bool translated;
	bool has_gpa;
	uint64_t gpa;
};

/* classify() needs the pc translated, which happens without the lock; then it goes on */
#define NEED_GPA (-EAGAIN)
/* classify_slots(): no slot of ours fired (not an errno: a register read's error may be any) */
#define NO_SLOT INT_MIN

/*
 * A breakpoint instruction trapped at pc; vm->lock held.  Where the exit was an intercept
 * whose pc register is already past the instruction (s390), it is moved back to pc whenever
 * the instruction is the library's, so that the vCPU runs that address again.
 */
static int classify_bp_insn(struct kvmdbg_vcpu *vcpu, const struct exit_ctx *c)
{
	const struct arch_exit *ex = c->ex;
	struct kvmdbg_vm *vm = vcpu->vm;
	uint32_t idx;
	int ret;

	sw_prefetch_site(vm, ex->pc);
	idx = sw_find(&vm->sw, ex->pc);

	if (ex->foreign_insn) {
		ret = KVMDBG_EXIT_EVENT;
		set_event(vcpu, KVMDBG_EVENT_GUEST_BREAKPOINT);
	} else if (idx && sw_has(&vm->sw, idx, SW_IN_MEMORY)) {
		struct sw_extra *x = sw_extra(&vm->sw, idx);
		int mine = x && x->has_space ? in_space(vcpu, x->space) : 1;

		if (mine < 0)
			return mine;
		if (x && ((x->vcpu && x->vcpu != vcpu) || x->orphan || !mine)) {
			/* another vCPU's, or another address space's: step over it unseen */
			if (!mine)
				x->foreign_hits++;
			step_over_plan(vcpu, KVMDBG_POINT_SW_BREAK, ex->pc, 0, 0);
			ret = KVMDBG_EXIT_RESUME;
		} else {
			sw_fired(vm, idx);
			if (sw_has(&vm->sw, idx, SW_ARMED))
				step_over_plan(vcpu, KVMDBG_POINT_SW_BREAK, ex->pc, 0, 0);
			set_sw_event(vcpu, idx);
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
	if (ex->intercept && vcpu->event.type != KVMDBG_EVENT_GUEST_BREAKPOINT && vm->arch->set_pc)
		vm->arch->set_pc((uint8_t *)vcpu->run, ex->pc);
	return ret;
}

/*
 * How far addr lies from [start, start + len): 0 inside; past the end, UINT64_MAX / 2 more,
 * so that any range the address is in or below comes first.
 */
static uint64_t distance(uint64_t start, uint64_t len, uint64_t addr)
{
	if (addr < start)
		return start - addr;
	if (addr - start < len)
		return 0;
	return UINT64_MAX / 2 + (addr - (start + len - 1));
}

/*
 * The slot of a bank that the kernel had enabled and that covers addr, for hardware that does
 * not name the slot; -1 if none.  A breakpoint matches its address only.  A watchpoint exit
 * reports an address of the access (arm64 FAR), which can lie outside the watched bytes: an
 * STP with its base 8 below them reports the base; the Arm ARM lets it be any address the
 * instruction accessed within an aligned block (EDWAR and FAR: "Determining the memory
 * location that caused a Watchpoint exception").  Linux's arm64 handler gives such a hit to
 * the closest watchpoint.  This does too, preferring the watchpoints the address is in or
 * below: an access starts at or below the watched byte it touches, and QEMU and the cores
 * seen report the start or the watched byte, so a watchpoint that ends below the address is
 * taken only when no other is left (an access that started in it and reported a later byte).
 * Only the slots the kernel had on count, with what they watched then (vcpu->applied), not
 * the points the slots hold now: a slot whose point was removed since fired, and its hit
 * must not go to a neighbour.
 */
static int find_slot(struct kvmdbg_vcpu *vcpu, int bank, uint64_t addr)
{
	const struct applied *a = &vcpu->applied;
	uint64_t best_dist = UINT64_MAX;
	int best = -1;

	for (unsigned int n = 0; n < vcpu->vm->slots[bank]; n++) {
		uint64_t d;

		if (!(a->slots[bank] & (1ull << n)))
			continue;
		d = distance(a->range[bank][n].addr, a->range[bank][n].len, addr);
		/* a breakpoint matches its address only */
		if (d >= best_dist || (a->range[bank][n].kind == SLOT_EXEC && d != 0))
			continue;
		best_dist = d;
		best = (int)n;
	}
	return best;
}

/* A watchpoint of slot n fired; vm->lock held. */
static void watch_fired(struct kvmdbg_vcpu *vcpu, const struct arch_exit *ex,
			struct kvmdbg_point *p, int bank, int n)
{
	static const int access[] = {
		[KVMDBG_POINT_WATCH_WRITE] = KVMDBG_ACCESS_WRITE,
		[KVMDBG_POINT_WATCH_READ] = KVMDBG_ACCESS_READ,
		[KVMDBG_POINT_WATCH_ACCESS] = KVMDBG_ACCESS_READ_WRITE,
	};
	const struct arch *arch = vcpu->vm->arch;

	/* the hardware may say which access it was (ppc BookE) */
	vcpu->event.access = ex->access ? ex->access : access[p->type];
	vcpu->event.data_addr = ex->has_data_addr ? ex->data_addr : p->addr;
	set_point_event(vcpu, KVMDBG_EVENT_WATCHPOINT, p);
	/* arm64: the access has not run yet; step it with the slot off */
	if (arch_has_quirk(arch, QUIRK_WATCH_BEFORE_ACCESS) && p->armed)
		step_over_plan(vcpu, p->type, p->addr, bank, n);
	/* s390: the kernel's copy of the watched data is stale: send the state anew */
	if (arch_has_quirk(arch, QUIRK_WATCH_RESEND)) {
		vcpu->force_apply = true;
		vcpu->dirty = true;
	}
}

/*
 * One or more slots fired; vm->lock held.  NO_SLOT when none of them is a slot of ours that
 * the kernel had enabled: x86 may set DR6.Bn for a disabled slot whose stale address matched.
 */
static int classify_slots(struct kvmdbg_vcpu *vcpu, const struct arch_exit *ex)
{
	const struct applied *a = &vcpu->applied;
	int bank = ex->slot_bank;
	uint64_t mask = ex->slot_mask & a->slots[bank];

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
		if (!p || !p->armed || p->id != a->ids[bank][n])
			continue;
		if (p->has_space) {
			int mine = in_space(vcpu, p->space);

			if (mine < 0)
				return mine;
			if (!mine) {
				/* another address space's: go on past it unseen */
				p->foreign_hits++;
				if (p->type == KVMDBG_POINT_HW_BREAK ||
				    arch_has_quirk(vcpu->vm->arch, QUIRK_WATCH_BEFORE_ACCESS))
					step_over_plan(vcpu, p->type, p->addr, bank, n);
				return KVMDBG_EXIT_RESUME;
			}
		}
		point_fired(p);
		vcpu->event.slot = n;
		if (p->type == KVMDBG_POINT_HW_BREAK) {
			if (p->armed)
				step_over_plan(vcpu, p->type, p->addr, bank, n);
			set_point_event(vcpu, KVMDBG_EVENT_HW_BREAKPOINT, p);
		} else {
			watch_fired(vcpu, ex, p, bank, n);
		}
		return KVMDBG_EXIT_EVENT;
	}
	return NO_SLOT;
}

/* vm->lock held; *ret_err: a write-back error of a step-over that ended here */
static int classify(struct kvmdbg_vcpu *vcpu, const struct exit_ctx *c, int *ret_err)
{
	const struct arch_exit *ex = c->ex;
	bool stepped_over = false;

	*ret_err = 0;
	if (vcpu->step_over.state == STEP_OVER_STEPPING) {
		*ret_err = step_over_finish(vcpu);
		stepped_over = true;
	} else if (vcpu->step_over.state == STEP_OVER_PENDING) {
		/* a debug exit before the planned step-over ran: plan it anew if still due */
		vcpu->step_over.state = STEP_OVER_NONE;
	}

	if (ex->causes & CAUSE_STEP_OR_BP) {
		/*
		 * A stepping vCPU that stops where a breakpoint of ours sits, either having
		 * trapped on it or having stepped onto it: the same place, the instruction not
		 * yet run.  It is the breakpoint's stop.
		 */
		uint32_t idx = sw_find(&vcpu->vm->sw, ex->pc);

		if (idx && sw_has(&vcpu->vm->sw, idx, SW_IN_MEMORY))
			return classify_bp_insn(vcpu, c);
	}
	if (ex->causes & CAUSE_BP_INSN)
		return classify_bp_insn(vcpu, c);
	if (ex->causes & CAUSE_SLOT) {
		int ret = classify_slots(vcpu, ex);

		if (ret != NO_SLOT)
			return ret;
	}
	if (ex->causes & CAUSE_DEBUG_REG && vcpu->trap_debug_regs) {
		/*
		 * The access faults before it runs: let it run with the trap off for one step.
		 * Without single-step it traps again until the caller turns the trap off.
		 */
		step_over_plan_debug_reg(vcpu);
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
	if (ex->causes == CAUSE_SLOT && (vcpu->applied.slots[0] | vcpu->applied.slots[1]))
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
		return kernel_get_regs_pc(vcpu->fd, arch->pc_regs_offset, ret_pc);
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

/* The MMIO write completed without entering the guest: that was the step (x86). */
static int owed_step_done(struct kvmdbg_vcpu *vcpu, const struct kvmdbg_event **ret_event)
{
	struct kvmdbg_event *ev = &vcpu->event;
	int ret;

	vcpu->ie_set = false;
	vcpu->mmio_step_owed = false;
	if (!atomic_load_explicit(&vcpu->kick_pending, memory_order_acquire))
		vcpu_set_immediate_exit(vcpu, 0);
	if (vcpu->step_over.state == STEP_OVER_STEPPING) {
		sigset_t old;

		vcpu_lock(vcpu->vm, &old);
		ret = step_over_finish(vcpu);
		vcpu_unlock(vcpu->vm, &old);
		if (ret < 0)
			return ret;
	}
	if (!vcpu->single_step)
		return KVMDBG_EXIT_RESUME;
	ret = kernel_get_regs_pc(vcpu->fd, vcpu->vm->arch->pc_regs_offset, &ev->pc);
	if (ret < 0)
		return ret;
	ev->type = KVMDBG_EVENT_STEP;
	*ret_event = report(vcpu);
	return KVMDBG_EXIT_EVENT;
}

/* KVM_RUN failed with run_result (< 0). */
static int handle_run_error(struct kvmdbg_vcpu *vcpu, int run_result,
			    const struct kvmdbg_event **ret_event)
{
	if (run_result != -EINTR)
		return run_result;
	if (vcpu->ie_set)
		return owed_step_done(vcpu, ret_event);
	/*
	 * kvmdbg_vcpu_kick() sets immediate_exit before it marks the kick pending, so a pending
	 * kick's immediate_exit is always set: consuming the kick clears it.  Any other -EINTR
	 * (a signal, the VMM's own immediate_exit) is the VMM's: left as it is.
	 */
	if (atomic_exchange_explicit(&vcpu->kick_pending, false, memory_order_acq_rel)) {
		vcpu_set_immediate_exit(vcpu, 0);
		vcpu->event.type = KVMDBG_EVENT_INTERRUPTED;
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
 * pc's guest-physical address to look at the instruction: translated (a callback, or the
 * default translation on this vCPU, which is not running) without the lock, then classified on.
 * The signal mask vcpu_lock() set stays for the whole call, the translation included: the
 * callback runs with every signal blocked like the others, a walk takes the lock plainly,
 * and a miss costs one lock's two system calls, not four.
 */
static int classify_exit(struct kvmdbg_vcpu *vcpu, struct exit_ctx *c, int *ret_err)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	sigset_t old;
	int ret;

	vcpu_lock(vm, &old);
	ret = classify(vcpu, c, ret_err);
	if (ret == NEED_GPA) {
		mem_translator(vm, vcpu, &c->t);
		pthread_mutex_unlock(&vm->lock);
		c->has_gpa = translator_run(&c->t, c->ex->pc, &c->gpa) == 0;
		c->translated = true;
		pthread_mutex_lock(&vm->lock);
		ret = classify_bp_insn(vcpu, c);
	}
	vcpu_unlock(vm, &old);
	return ret;
}

/* Whether the vCPU ran its last KVM_RUN single-stepping, for the caller or a step-over. */
static bool stepping(const struct kvmdbg_vcpu *vcpu)
{
	return vcpu->single_step || vcpu->step_over.state == STEP_OVER_STEPPING;
}

_public_ int kvmdbg_vcpu_handle_exit(struct kvmdbg_vcpu *vcpu, int run_result,
				     const struct kvmdbg_event **ret_event)
{
	const struct arch *arch;
	struct arch_exit ex;
	struct exit_ctx c = { .ex = &ex };
	struct kvmdbg_event *ev;
	int ret, err;

	if (!vcpu || !ret_event || run_result > 0)
		return -EINVAL;
	arch = vcpu->vm->arch;
	ev = &vcpu->event;
	*ev = (struct kvmdbg_event){ .vcpu = vcpu, .slot = -EINVAL, .access = -EINVAL };

	if (run_result < 0)
		return handle_run_error(vcpu, run_result, ret_event);
	if (!arch->decode(arch, (const uint8_t *)vcpu->run, stepping(vcpu), &ex)) {
		/* x86: KVM never reports the step over an MMIO write; pre-run makes up for it */
		if (arch->step_lost && stepping(vcpu) &&
		    arch->step_lost((const uint8_t *)vcpu->run))
			vcpu->mmio_step_owed = true;
		return KVMDBG_EXIT_NOT_DEBUG;
	}
	/* s390 intercepts are the library's business only once it placed a breakpoint */
	if (ex.intercept && !__atomic_load_n(&vcpu->vm->sw_ever, __ATOMIC_ACQUIRE))
		return KVMDBG_EXIT_NOT_DEBUG;
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

	/*
	 * A plain step of a vCPU the caller steps, no step-over under way: nothing shared is
	 * looked at or changed, so the VM lock (and the signal guard's two system calls) are
	 * not needed.  The stepping loop of a debugger costs one KVM_RUN and this.
	 */
	if (ex.causes == CAUSE_STEP && vcpu->single_step &&
	    vcpu->step_over.state == STEP_OVER_NONE) {
		set_event(vcpu, KVMDBG_EVENT_STEP);
		*ret_event = report(vcpu);
		return KVMDBG_EXIT_EVENT;
	}

	ret = classify_exit(vcpu, &c, &err);
	if (err < 0)
		return err;
	if (ret == KVMDBG_EXIT_EVENT)
		*ret_event = report(vcpu);
	return ret;
}

_public_ int kvmdbg_vcpu_reinject(struct kvmdbg_vcpu *vcpu, const struct kvmdbg_event *event)
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
	if (!vcpu_has_control(vcpu, req) || !arch_has_control(vcpu->vm->arch, req))
		return -EOPNOTSUPP;
	vcpu->inject = req;
	return 0;
}
