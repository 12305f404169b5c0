// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * arm64-walk: the arm64 walk-through of doc/guide.md.  The parts between the snippet markers
 * are shown there: setting up a VM object for an arm64 guest (the identity translation for a
 * guest with its MMU off; hardware slots as KVM_CAP_GUEST_DEBUG_HW_BPS/_WPS count them) and handing
 * a guest's own BRK back to it (the exception entry KVM's enter_exception64() performs for the
 * exceptions it injects, done with KVM_GET_ONE_REG and KVM_SET_ONE_REG).
 *
 * The register ids are spelled out here so that this file builds on every host (the docs
 * suite builds it on x86); arch/arm64/include/uapi/asm/kvm.h defines the same values.  The
 * functions that talk to an arm64 vCPU are only compiled; main() runs the pure part, the new
 * PSTATE, pc and SPSR of the exception entry, on cases whose expected values follow the rules
 * of enter_exception64() (arch/arm64/kvm/hyp/exception.c), and exits 1 on a mismatch.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include <kvmdbg/kvmdbg.h>

/* arch/arm64/include/uapi/asm/kvm.h: KVM_REG_ARM_CORE, KVM_REG_ARM_CORE_REG(), and
 * KVM_REG_ARM64_SYSREG with its op0/op1/CRn/CRm/op2 fields */
#define CORE_REG(offset) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | 0x0010ull << 16 | (offset) / 4)
#define SYS_REG(op0, op1, crn, crm, op2)                                                      \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | 0x0013ull << 16 | (op0) << 14 | (op1) << 11 |     \
	 (crn) << 7 | (crm) << 3 | (op2))
/* offsets in struct kvm_regs: regs[31], sp, pc, pstate, sp_el1, elr_el1, spsr[] */
#define REG_PC CORE_REG(32 * 8)
#define REG_PSTATE CORE_REG(33 * 8)
#define REG_ELR_EL1 CORE_REG(35 * 8)
#define REG_SPSR_EL1 CORE_REG(36 * 8) /* spsr[KVM_SPSR_EL1], KVM_SPSR_EL1 = 0 */
#define REG_SCTLR_EL1 SYS_REG(3, 0, 1, 0, 0)
#define REG_ESR_EL1 SYS_REG(3, 0, 5, 2, 0)
#define REG_VBAR_EL1 SYS_REG(3, 0, 12, 0, 0)

static int arm64_debug_setup(struct kvmdbg_vm *dbg, uint64_t entry, uint64_t data)
	__attribute__((unused));
static int hand_back_brk(int vcpu_fd, const struct kvmdbg_event *ev, bool vm_has_mte)
	__attribute__((unused));

/* snippet: arm64-setup */
/* A breakpoint at entry and a read watchpoint on the 8 bytes at data. */
static int arm64_debug_setup(struct kvmdbg_vm *dbg, uint64_t entry, uint64_t data)
{
	enum kvmdbg_point_type bp = KVMDBG_POINT_SW_BREAK;
	int ret;

	/* This guest runs with its MMU off: the identity spares the walk's register reads. */
	ret = kvmdbg_vm_set_memory_ops(dbg, NULL, NULL, kvmdbg_translate_identity, NULL);
	if (ret < 0)
		return ret;
	/* KVM_CAP_GUEST_DEBUG_HW_BPS: the host's breakpoint registers */
	if (kvmdbg_vm_get_hw_slots(dbg, false) > 0)
		bp = KVMDBG_POINT_HW_BREAK;
	ret = kvmdbg_vm_insert(dbg, bp, entry, 0, 0, NULL, NULL);
	if (ret < 0)
		return ret;
	/* Read-only watchpoints: arm64 has them, x86 has not. */
	if (kvmdbg_vm_get_hw_slots(dbg, true) <= 0)
		return -EOPNOTSUPP;
	return kvmdbg_vm_insert(dbg, KVMDBG_POINT_WATCH_READ, data, 8, 0, NULL, NULL);
}
/* snippet end */

/* snippet: arm64-entry */
/* EL1 state before and after taking an exception (KVM's enter_exception64()). */
struct el1_entry {
	uint64_t pc, pstate, vbar, sctlr;	/* in */
	uint64_t new_pc, new_pstate, spsr, elr;	/* out */
};

#define PSTATE_NZCV (0xfull << 28)
#define PSTATE_TCO (1ull << 25)
#define PSTATE_DIT (1ull << 24)
#define PSTATE_PAN (1ull << 22)
#define PSTATE_SSBS (1ull << 12)
#define PSTATE_DAIF (0xfull << 6)
#define PSTATE_EL1H 0x5ull
#define SCTLR_SPAN (1ull << 23)
#define SCTLR_DSSBS (1ull << 44)

static void enter_el1(struct el1_entry *e, bool vm_has_mte)
{
	uint64_t mode = e->pstate & 0x1f;	/* M[4:0] */
	uint64_t offset;

	if (mode == PSTATE_EL1H)
		offset = 0x200;		/* from EL1, on SP_EL1 */
	else if (mode == 0x4)
		offset = 0x000;		/* from EL1, on SP_EL0 */
	else if (!(mode & 0x10))
		offset = 0x400;		/* from AArch64 EL0 */
	else
		offset = 0x600;		/* from AArch32 EL0 */
	e->elr = e->pc;			/* a BRK returns to itself */
	e->spsr = e->pstate;
	e->new_pc = e->vbar + offset;	/* + 0: a synchronous exception */
	/* kept: NZCV, DIT, PAN; set: DAIF, EL1h; 0: UAO, SS, IL, BTYPE */
	e->new_pstate = (e->pstate & (PSTATE_NZCV | PSTATE_DIT | PSTATE_PAN)) |
			PSTATE_DAIF | PSTATE_EL1H;
	if (!(e->sctlr & SCTLR_SPAN))
		e->new_pstate |= PSTATE_PAN;
	if (e->sctlr & SCTLR_DSSBS)
		e->new_pstate |= PSTATE_SSBS;
	if (vm_has_mte)
		e->new_pstate |= PSTATE_TCO;
}
/* snippet end */

/* snippet: arm64-handback */
static int get_reg(int vcpu_fd, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

/* A KVMDBG_EVENT_GUEST_BREAKPOINT: deliver the BRK to the guest's EL1 vectors. */
static int hand_back_brk(int vcpu_fd, const struct kvmdbg_event *ev, bool vm_has_mte)
{
	struct el1_entry e = { .pc = kvmdbg_event_get_pc(ev) };
	uint64_t esr;
	int ret;

	/* the syndrome of the exit: EC 0x3c, IL, the BRK's immediate */
	ret = kvmdbg_event_get_raw_status(ev, &esr);
	if (!ret)
		ret = get_reg(vcpu_fd, REG_PSTATE, &e.pstate);
	if (!ret)
		ret = get_reg(vcpu_fd, REG_VBAR_EL1, &e.vbar);
	if (!ret)
		ret = get_reg(vcpu_fd, REG_SCTLR_EL1, &e.sctlr);
	if (ret)
		return ret;
	enter_el1(&e, vm_has_mte);
	ret = set_reg(vcpu_fd, REG_ESR_EL1, esr);	/* FAR_EL1 stays as it is */
	if (!ret)
		ret = set_reg(vcpu_fd, REG_ELR_EL1, e.elr);
	if (!ret)
		ret = set_reg(vcpu_fd, REG_SPSR_EL1, e.spsr);
	if (!ret)
		ret = set_reg(vcpu_fd, REG_PSTATE, e.new_pstate);
	if (!ret)
		ret = set_reg(vcpu_fd, REG_PC, e.new_pc);
	return ret;
}
/* snippet end */

struct entry_case {
	const char *what;
	uint64_t pstate, sctlr;
	bool mte;
	uint64_t want_pc, want_pstate;
};

int main(void)
{
	const uint64_t vbar = 0xffff800010010800ull, pc = 0xffff800010234560ull;
	static const struct entry_case cases[] = {
		/* EL1h, Z and C set, interrupts masked: the current-EL SP_ELx vectors */
		{ "EL1h", 0x600003c5, SCTLR_SPAN, false, 0x200, 0x600003c5 },
		/* EL1t: the current-EL SP_EL0 vectors */
		{ "EL1t", 0x80000004, SCTLR_SPAN, false, 0x000, 0x800003c5 },
		/* AArch64 EL0, N set, interrupts open: the lower-EL AArch64 vectors */
		{ "EL0t", 0x80000000, SCTLR_SPAN, false, 0x400, 0x800003c5 },
		/* AArch32 EL0 (M[4] set): the lower-EL AArch32 vectors */
		{ "AArch32 EL0", 0x00000010, SCTLR_SPAN, false, 0x600, 0x000003c5 },
		/* SPAN clear sets PAN; DSSBS sets SSBS; MTE sets TCO; DIT is kept; UAO, SS, IL,
		 * BTYPE (bits 23, 21, 20, 11:10) go */
		{ "EL1h, SPAN 0, DSSBS, MTE", 0x01b00c05, SCTLR_DSSBS, true, 0x200,
		  0x034013c5 },
		/* PAN already set stays set with SPAN 1 */
		{ "EL0t with PAN", 0x00400000, SCTLR_SPAN, false, 0x400, 0x004003c5 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct entry_case *c = &cases[i];
		struct el1_entry e = { .pc = pc, .pstate = c->pstate, .vbar = vbar,
				       .sctlr = c->sctlr };

		enter_el1(&e, c->mte);
		if (e.new_pc != vbar + c->want_pc || e.new_pstate != c->want_pstate ||
		    e.spsr != c->pstate || e.elr != pc) {
			printf("%s: pc 0x%" PRIx64 " pstate 0x%" PRIx64 " spsr 0x%" PRIx64
			       " elr 0x%" PRIx64 "; expected pc 0x%" PRIx64 " pstate 0x%" PRIx64
			       "\n", c->what, e.new_pc, e.new_pstate, e.spsr, e.elr,
			       vbar + c->want_pc, c->want_pstate);
			bad = 1;
		} else {
			printf("%s: vector +0x%03" PRIx64 ", pstate 0x%08" PRIx64 "\n", c->what,
			       c->want_pc, e.new_pstate);
		}
	}
	return bad;
}
