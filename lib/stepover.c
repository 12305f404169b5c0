// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stepping a vCPU over the point it stopped at.  A breakpoint that stays armed would stop the
 * vCPU again at once, and an arm64 watchpoint stops it before the access: to go on, the vCPU
 * single-steps that one instruction without the point, then the point is put back.
 *
 *   exit at a point      ->  plan:   state PENDING (nothing changed yet)
 *   pre-run              ->  start:  software: original bytes back (steppers++);
 *                                    slot: off in the state pre-run builds; state STEPPING
 *   the next exit        ->  finish: software: the breakpoint written back once no vCPU
 *                                    steps over it any more; state NONE
 *
 * Another vCPU may remove the point, fire and re-arm it, or restore a snapshot in between;
 * each step checks that the point is still the one it planned for (by id).  Without
 * single-step (riscv, ppc Book3S HV) nothing is planned: the vCPU stops at the point again
 * until the caller removes or disarms it.
 */
#include <errno.h>

#include "internal.h"

/* Whether the kernel can single-step, which every step-over needs. */
static bool can_step(const struct kvmdbg_vm *vm)
{
	return check_control(vm, REQ_STEP) == 0;
}

void step_over_plan(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr, int bank,
		    int slot)
{
	if (!can_step(vcpu->vm))
		return;
	vcpu->step_over = (struct step_over){
		.state = STEP_OVER_PENDING,
		.kind = type == KVMDBG_POINT_SW_BREAK ? STEP_OVER_SW : STEP_OVER_SLOT,
		.type = type,
		.addr = addr,
		.bank = bank,
		.slot = slot,
	};
}

void step_over_plan_debug_reg(struct kvmdbg_vcpu *vcpu)
{
	if (!can_step(vcpu->vm))
		return;
	vcpu->step_over = (struct step_over){
		.state = STEP_OVER_PENDING,
		.kind = STEP_OVER_DEBUG_REG,
	};
}

uint32_t step_over_sw_point(const struct kvmdbg_vcpu *vcpu)
{
	const struct step_over *so = &vcpu->step_over;

	if (so->state != STEP_OVER_STEPPING || so->kind != STEP_OVER_SW)
		return 0;
	/* a point removed and inserted again meanwhile is another point */
	return sw_by_id(&vcpu->vm->sw, so->id);
}

int step_over_start(struct kvmdbg_vcpu *vcpu)
{
	struct step_over *so = &vcpu->step_over;
	struct kvmdbg_vm *vm = vcpu->vm;
	struct kvmdbg_point *p;
	uint32_t idx;
	int ret;

	so->state = STEP_OVER_NONE;
	switch (so->kind) {
	case STEP_OVER_DEBUG_REG:
		if (!vcpu->trap_debug_regs)
			return 0; /* the caller turned the trap off: nothing to step over */
		break;
	case STEP_OVER_SW:
		idx = sw_find(&vm->sw, so->addr);
		if (!idx || !(sw_has(&vm->sw, idx, SW_IN_MEMORY) || sw_steppers(vm, idx)))
			return 0; /* gone or disarmed meanwhile: the original code is back */
		/* in memory although another vCPU steps over it: a snapshot put it back */
		if (!sw_steppers(vm, idx) || sw_has(&vm->sw, idx, SW_IN_MEMORY)) {
			ret = sw_take_out(vm, idx);
			if (ret < 0) {
				so->state = STEP_OVER_PENDING;
				return ret;
			}
		}
		sw_steppers_add(vm, idx, 1);
		so->id = sw_id(&vm->sw, idx);
		break;
	case STEP_OVER_SLOT:
		p = vcpu->slots[so->bank][so->slot];
		if (!p || !p->armed || p->addr != so->addr)
			return 0;
		break;
	}
	so->state = STEP_OVER_STEPPING;
	return 0;
}

int step_over_finish(struct kvmdbg_vcpu *vcpu)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	uint32_t idx = step_over_sw_point(vcpu);
	int ret = 0;

	if (idx && sw_steppers(vm, idx)) {
		sw_steppers_add(vm, idx, -1);
		if (!sw_steppers(vm, idx) && sw_has(&vm->sw, idx, SW_ARMED)) {
			ret = sw_put_in(vm, idx, false);
			/* owed: the next pre-run tries again; out of memory, the error says so */
			if (ret < 0 && sw_owe(vm, idx) < 0)
				ret = -ENOMEM;
		}
	}
	vcpu->step_over.state = STEP_OVER_NONE;
	vcpu->dirty = true;
	return ret;
}

void step_over_undo(struct kvmdbg_vcpu *vcpu)
{
	/*
	 * finish puts the instruction back; an error there leaves it owed, and the next pre-run
	 * retries the write before it starts the step-over again
	 */
	int owed = step_over_finish(vcpu);

	(void)owed;
	vcpu->step_over.state = STEP_OVER_PENDING;
}

bool step_over_hides(const struct kvmdbg_vcpu *vcpu, int bank, int slot,
		     const struct kvmdbg_point *p)
{
	const struct step_over *so = &vcpu->step_over;

	/*
	 * The slot may have been given to another point since the vCPU stopped (a vCPU kicked
	 * mid step-over, its points removed and others inserted): that one stays on.
	 */
	return so->state == STEP_OVER_STEPPING && so->kind == STEP_OVER_SLOT && so->bank == bank &&
	       so->slot == slot && p->addr == so->addr && p->type == so->type;
}

_public_ int kvmdbg_vcpu_cancel_resume(struct kvmdbg_vcpu *vcpu)
{
	const struct sw_extra *x;
	int ret = 0;

	if (!vcpu)
		return -EINVAL;
	if (vcpu->step_over.state == STEP_OVER_STEPPING) {
		uint32_t idx;
		sigset_t old;

		vcpu_lock(vcpu->vm, &old);
		idx = step_over_sw_point(vcpu);
		ret = step_over_finish(vcpu);
		/*
		 * An instruction that could not be written back stays owed: the next pre-run of
		 * any vCPU retries the write and reports its error.  The caller has nothing to do
		 * about it here; only a debt that could not be recorded (out of memory) is its
		 * business.
		 */
		x = ret < 0 && idx ? sw_extra(&vcpu->vm->sw, idx) : NULL;
		if (x && x->owed)
			ret = 0;
		vcpu_unlock(vcpu->vm, &old);
	}
	vcpu->step_over.state = STEP_OVER_NONE;
	return ret;
}
