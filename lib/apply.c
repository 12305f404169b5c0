// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Pre-run: the debug state a vCPU needs, packed and given to the kernel with one
 * KVM_SET_GUEST_DEBUG, only when it differs from what the kernel holds.
 *
 * The invariant: vcpu->applied is what the kernel holds for the vCPU, owners included.  It
 * changes exactly when a KVM_SET_GUEST_DEBUG succeeds (or when a failed one is known to have
 * left debugging off), and it records, besides the bytes, which slots are on and which point
 * each one holds.  Exits are judged against it: a slot that fires is ours only if the kernel
 * had it on for that very point (exit.c).  A state built anew that packs to the same bytes is
 * not sent, but its slot owners are recorded all the same: a point removed and inserted again
 * at the same place packs to the same bytes, yet is another point.
 *
 * The state is built anew when something every vCPU sees changed (vm->gen, bumped under the
 * VM lock), when a setting of this vCPU changed (dirty), when a step-over is due, or when a
 * guest exception is to be injected; otherwise pre-run costs two loads.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

/* struct kvm_run: immediate_exit is a u8 at offset 1 on every architecture */
#define RUN_IMMEDIATE_EXIT 1

void vcpu_set_immediate_exit(struct kvmdbg_vcpu *vcpu, uint8_t value)
{
	__atomic_store_n((uint8_t *)vcpu->run + RUN_IMMEDIATE_EXIT, value, __ATOMIC_RELEASE);
}

/* The request bits and slots the vCPU needs now; vm->lock held. */
static uint32_t build_state(struct kvmdbg_vcpu *vcpu, struct debug_state *st)
{
	struct kvmdbg_vm *vm = vcpu->vm;
	const struct step_over *so = &vcpu->step_over;
	bool stepping_over = so->state == STEP_OVER_STEPPING;
	uint32_t req = vcpu->inject;

	/* the slots the architecture has, not MAX_SLOTS: pack() reads no further */
	st->trap_debug_regs = false;
	for (int bank = 0; bank < 2; bank++) {
		memset(st->slots[bank], 0, vm->arch->slots[bank] * sizeof(st->slots[bank][0]));
		memset(st->ids[bank], 0, vm->arch->slots[bank] * sizeof(st->ids[bank][0]));
		for (unsigned int n = 0; n < vm->slots[bank]; n++) {
			const struct kvmdbg_point *p = vcpu->slots[bank][n];

			if (!p || !p->armed || step_over_hides(vcpu, bank, (int)n, p))
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
		st->trap_debug_regs = !(stepping_over && so->kind == STEP_OVER_DEBUG_REG);
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

/*
 * The slots a state enables and their owners, now that the kernel holds it; nr: the slots of
 * the architecture per bank (the rest are never set).
 */
static void record_slots(struct applied *a, const struct debug_state *st, const unsigned int nr[2])
{
	for (int bank = 0; bank < 2; bank++) {
		a->slots[bank] = 0;
		for (unsigned int n = 0; n < nr[bank]; n++) {
			a->ids[bank][n] = st->ids[bank][n];
			a->range[bank][n].addr = st->slots[bank][n].addr;
			a->range[bank][n].len = st->slots[bank][n].len;
			a->range[bank][n].kind = st->slots[bank][n].kind;
			if (st->slots[bank][n].kind != SLOT_OFF)
				a->slots[bank] |= 1ull << n;
		}
	}
}

/* The kernel holds the state (req, bytes at buf and aux) from now on. */
static void record(struct applied *a, const struct arch *arch, uint32_t req,
		   const struct debug_state *st, const uint8_t *buf, const uint8_t *aux)
{
	memcpy(a->bytes, buf, arch->guest_debug_size);
	memcpy(a->aux, aux, arch->aux_size);
	a->req = req;
	record_slots(a, st, arch->slots);
}

/*
 * Give the kernel the state it had before a failed call: s390 switched debugging off
 * (QUIRK_FAILED_SET_DISABLES).
 */
static void reapply(struct kvmdbg_vcpu *vcpu)
{
	const struct arch *arch = vcpu->vm->arch;
	struct applied *a = &vcpu->applied;

	if (!a->req)
		return; /* debugging was off: it is off */
	memcpy(vcpu->aux_io, a->aux, arch->aux_size);
	if (kernel_set_guest_debug(vcpu->fd, a->bytes, arch->guest_debug_size) < 0) {
		/* then the kernel has debugging off */
		memset(a, 0, sizeof(*a));
	}
}

/*
 * Whether a state must be sent although the kernel holds the same bytes: x86 keeps TF only at
 * the RIP it saw at KVM_SET_GUEST_DEBUG (QUIRK_STEP_RESEND).
 */
static bool must_resend(const struct arch *arch, uint32_t req)
{
	return arch_has_quirk(arch, QUIRK_STEP_RESEND) && (req & REQ_STEP);
}

/* Nothing changed since the last pre-run: send the same state again only if a quirk says so. */
static int apply_unchanged(struct kvmdbg_vcpu *vcpu)
{
	const struct arch *arch = vcpu->vm->arch;
	int ret;

	if (!must_resend(arch, vcpu->applied.req))
		return 0;
	ret = kernel_set_guest_debug(vcpu->fd, vcpu->applied.bytes, arch->guest_debug_size);
	return ret < 0 ? ret : 1;
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
		vcpu_set_immediate_exit(vcpu, 1);
	/* x86: the step KVM will not report after an MMIO write; see exit.c */
	if (vcpu->mmio_step_owed && !vcpu->ie_set) {
		vcpu->ie_set = true;
		vcpu_set_immediate_exit(vcpu, 1);
	}

	gen = atomic_load_explicit(&vm->gen, memory_order_acquire);
	if (!vcpu->dirty && vcpu->step_over.state != STEP_OVER_PENDING && !vcpu->inject &&
	    gen == vcpu->seen_gen)
		return apply_unchanged(vcpu);

	vcpu_lock(vm, &old);
	ret = sw_put_in_owed(vm);
	if (ret < 0) {
		vcpu_unlock(vm, &old);
		return ret;
	}
	started = false;
	if (vcpu->step_over.state == STEP_OVER_PENDING) {
		ret = step_over_start(vcpu);
		if (ret < 0) {
			vcpu_unlock(vm, &old);
			return ret;
		}
		started = vcpu->step_over.state == STEP_OVER_STEPPING;
	}
	req = build_state(vcpu, &st);
	vcpu->seen_gen = gen;
	vcpu_unlock(vm, &old);

	/* the array the kernel reads (s390) is always the vCPU's aux_io */
	aux_addr = (uint64_t)(uintptr_t)vcpu->aux_io;
	arch->pack(arch, &st, arch_control(arch, req), buf, aux, aux_addr);
	if (!(req & inject_bits) && !vcpu->force_apply && !must_resend(arch, req) &&
	    !memcmp(buf, vcpu->applied.bytes, arch->guest_debug_size) &&
	    !memcmp(aux, vcpu->applied.aux, arch->aux_size)) {
		record_slots(&vcpu->applied, &st, arch->slots);
		vcpu->dirty = false;
		return 0;
	}
	memcpy(vcpu->aux_io, aux, arch->aux_size);
	ret = kernel_set_guest_debug(vcpu->fd, buf, arch->guest_debug_size);
	if (ret < 0) {
		if (arch_has_quirk(arch, QUIRK_FAILED_SET_DISABLES))
			reapply(vcpu);
		if (started) {
			vcpu_lock(vm, &old);
			step_over_undo(vcpu);
			vcpu_unlock(vm, &old);
		}
		vcpu->dirty = true;
		return ret;
	}
	/* the kernel acts on the inject bits once; they are not part of the lasting state */
	if (req & inject_bits) {
		req &= ~inject_bits;
		st.req = req;
		arch->pack(arch, &st, arch_control(arch, req), buf, aux, aux_addr);
	}
	record(&vcpu->applied, arch, req, &st, buf, aux);
	vcpu->inject = 0;
	vcpu->force_apply = false;
	vcpu->dirty = false;
	return 1;
}
