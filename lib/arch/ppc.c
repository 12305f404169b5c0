// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * powerpc backends: ppc64 (big-endian) and ppc64le share one uapi layout (the asm/kvm.h of the
 * two are the same text); what the kernel does with it depends on the KVM flavour.
 *
 * struct kvm_guest_debug (264 bytes):
 *   @0  u32 control      @4 u32 pad
 *   @8  bp[16], 16 bytes each: @0 u64 addr, @8 u32 type, @12 u32 reserved
 *   type: KVMPPC_DEBUG_BREAKPOINT 0x2, KVMPPC_DEBUG_WATCH_WRITE 0x4, KVMPPC_DEBUG_WATCH_READ
 *   0x8 (both watch bits: read or write); KVMPPC_DEBUG_NONE 0 is an unused entry.
 * control: ENABLE 0x1, SINGLESTEP 0x2, USE_SW_BP 0x10000, USE_HW_BP 0x20000.
 * struct kvm_run (2352 bytes): @8 u32 exit_reason (KVM_EXIT_DEBUG 4); @32 debug.arch:
 *   struct kvm_debug_exit_arch (16 bytes): @0 u64 address, @8 u32 status, @12 u32 reserved.
 *
 * BookE (e500 and friends, arch/powerpc/kvm/booke.c): the kernel reads the hardware entries from
 * bp[0 .. IAC_NUM + DAC_NUM - 1] only, which is bp[0..3] (2 instruction and 2 data address
 * compare registers, the e500 counts), so the used entries are packed from bp[0] on:
 * breakpoints first, then watchpoints.  Unknown type bits, a third watchpoint or a fifth
 * breakpoint are -EINVAL.  Exits: status BREAKPOINT with address = the pc (the slot is not
 * named: it is found by address); WATCH_WRITE or WATCH_READ with address = the DAC value, the
 * watched address (the pc is not in the exit: it is read with KVM_GET_REGS); status 0 for both a
 * single-step (address = the new pc) and a software breakpoint (address = its pc), told apart
 * by the core from its own state.  The data address compare takes no length.
 *
 * Book3S (HV and PR, arch/powerpc/kvm/book3s.c) only records control: hardware breakpoints and
 * watchpoints would be accepted and silently ignored, so this backend refuses them
 * (-EOPNOTSUPP).  Single-step exists only where KVM_CAP_PPC_GUEST_DEBUG_SSTEP says so (PR, not
 * HV), and PR leaves the exit's address and status as they were for a single-step exit: the pc
 * is read with KVM_GET_REGS there.
 *
 * Both: the software-breakpoint instruction is whatever KVM_GET_ONE_REG(KVM_REG_PPC_DEBUG_INST)
 * says (Book3S 0x00dddd00, BookE an ehpriv), a 32-bit word written in the guest's byte order,
 * assumed to be the host's.  KVM_CAP_SET_GUEST_DEBUG2 is 0 on powerpc: the accepted control
 * bits are the ones these kernels have always had.  The variant is chosen at run time: a VM
 * whose kernel reports KVM_CAP_PPC_BOOKE_SREGS is BookE.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define PPC_CTL_ENABLE 0x00000001u
#define PPC_CTL_SINGLESTEP 0x00000002u
#define PPC_CTL_USE_SW_BP 0x00010000u
#define PPC_CTL_USE_HW_BP 0x00020000u

#define PPC_DEBUG_BREAKPOINT 0x2u
#define PPC_DEBUG_WATCH_WRITE 0x4u
#define PPC_DEBUG_WATCH_READ 0x8u

#define PPC_GUEST_DEBUG_SIZE 264
#define PPC_EXIT_SIZE 16
#define PPC_RUN_SIZE 2352
#define PPC_RUN_DEBUG 32
#define PPC_NR_BP 16
#define PPC_BOOKE_IAC 2
#define PPC_BOOKE_DAC 2

/* KVM_REG_PPC | KVM_REG_SIZE_U32 | 0x8b */
#define PPC_REG_DEBUG_INST 0x102000000000008bull

#if defined(__powerpc64__)
#include <stddef.h>
#include <linux/kvm.h>

_Static_assert(sizeof(struct kvm_guest_debug) == PPC_GUEST_DEBUG_SIZE, "kvm_guest_debug size");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.bp) == 8, "bp offset");
_Static_assert(sizeof(((struct kvm_guest_debug *)0)->arch.bp) / PPC_NR_BP == 16, "bp entry");
_Static_assert(sizeof(((struct kvm_guest_debug *)0)->arch.bp) == 16 * PPC_NR_BP, "bp[16]");
_Static_assert(offsetof(struct kvm_guest_debug, arch.bp[1].addr) == 24, "bp[1].addr offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.bp[0].type) == 16, "bp[0].type offset");
_Static_assert(sizeof(struct kvm_debug_exit_arch) == PPC_EXIT_SIZE, "exit size");
_Static_assert(offsetof(struct kvm_debug_exit_arch, address) == 0, "address offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, status) == 8, "status offset");
_Static_assert(sizeof(struct kvm_run) == PPC_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, debug.arch) == PPC_RUN_DEBUG, "debug.arch offset");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(PPC_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(PPC_CTL_SINGLESTEP == KVM_GUESTDBG_SINGLESTEP, "SINGLESTEP");
_Static_assert(PPC_CTL_USE_SW_BP == KVM_GUESTDBG_USE_SW_BP, "USE_SW_BP");
_Static_assert(PPC_CTL_USE_HW_BP == KVM_GUESTDBG_USE_HW_BP, "USE_HW_BP");
_Static_assert(PPC_DEBUG_BREAKPOINT == KVMPPC_DEBUG_BREAKPOINT, "BREAKPOINT");
_Static_assert(PPC_DEBUG_WATCH_WRITE == KVMPPC_DEBUG_WATCH_WRITE, "WATCH_WRITE");
_Static_assert(PPC_DEBUG_WATCH_READ == KVMPPC_DEBUG_WATCH_READ, "WATCH_READ");
_Static_assert(KVMPPC_DEBUG_NONE == 0, "NONE");
_Static_assert(PPC_REG_DEBUG_INST == KVM_REG_PPC_DEBUG_INST, "KVM_REG_PPC_DEBUG_INST");
_Static_assert(KVM_CAP_PPC_BOOKE_SREGS == CAP_PPC_BOOKE_SREGS, "BOOKE_SREGS");
_Static_assert(KVM_CAP_PPC_GUEST_DEBUG_SSTEP == CAP_PPC_GUEST_DEBUG_SSTEP, "SSTEP");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG == CAP_SET_GUEST_DEBUG, "SET_GUEST_DEBUG");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG2 == CAP_SET_GUEST_DEBUG2, "SET_GUEST_DEBUG2");
_Static_assert(offsetof(struct kvm_regs, pc) == 0, "kvm_regs.pc");
#endif

static int ppc_validate_break(uint64_t addr, uint64_t len)
{
	/* 0, 1 or the instruction length gdb uses (4) */
	if (len > 1 && len != 4)
		return -EINVAL;
	return addr & 3 ? -EINVAL : 0;
}

static int booke_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
	case KVMDBG_POINT_HW_BREAK:
		return ppc_validate_break(addr, len);
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		if (len != 1 && len != 2 && len != 4 && len != 8)
			return -EINVAL;
		return addr & (len - 1) ? -EINVAL : 0;
	}
	return -EINVAL;
}

static int book3s_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
		return ppc_validate_break(addr, len);
	case KVMDBG_POINT_HW_BREAK:
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		/* the kernel would take them and ignore them */
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

static uint32_t ppc_type(uint8_t kind)
{
	switch (kind) {
	case SLOT_EXEC:
		return PPC_DEBUG_BREAKPOINT;
	case SLOT_WRITE:
		return PPC_DEBUG_WATCH_WRITE;
	case SLOT_READ:
		return PPC_DEBUG_WATCH_READ;
	case SLOT_ACCESS:
		return PPC_DEBUG_WATCH_READ | PPC_DEBUG_WATCH_WRITE;
	}
	return 0;
}

static void ppc_pack(const struct arch *arch, const struct debug_state *state, uint32_t control,
		     uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	bool be = arch->big_endian;
	unsigned int n = 0;

	memset(buf, 0, PPC_GUEST_DEBUG_SIZE);
	put_u32(buf, control, be);
	if (!(control & PPC_CTL_USE_HW_BP))
		return;
	/* from bp[0] on, breakpoints first: the kernel reads the first IAC + DAC entries only */
	for (int bank = 0; bank < 2; bank++) {
		for (unsigned int i = 0; i < arch->slots[bank] && n < PPC_NR_BP; i++) {
			const struct hw_slot *s = &state->slots[bank][i];
			uint8_t *e = buf + 8 + 16 * n;

			if (!ppc_type(s->kind))
				continue;
			put_u64(e, s->addr, be);
			put_u32(e + 8, ppc_type(s->kind), be);
			n++;
		}
	}
}

/*
 * An exit that does not say whether it is a single-step or a breakpoint instruction: a step
 * if the vCPU was stepping (unless a breakpoint of the library's sits at the pc, which the
 * core looks up: CAUSE_STEP_OR_BP), else a breakpoint instruction at the pc.
 */
static void step_or_bp(struct arch_exit *out, bool stepping)
{
	out->causes = stepping ? CAUSE_STEP | CAUSE_STEP_OR_BP : CAUSE_BP_INSN;
}

static bool booke_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			 struct arch_exit *out)
{
	bool be = arch->big_endian;
	const uint8_t *exit = run + PPC_RUN_DEBUG;
	uint64_t address = get_u64(exit, be);
	uint32_t status = get_u32(exit + 8, be);

	if (get_u32(run + RUN_EXIT_REASON, be) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	out->has_status = true;
	out->status = status;
	out->has_pc = true;
	out->pc = address;
	if (status & PPC_DEBUG_BREAKPOINT) {
		out->causes = CAUSE_SLOT;
		out->slot_bank = BANK_BP;
		out->slot_by_pc = true;
	} else if (status & (PPC_DEBUG_WATCH_WRITE | PPC_DEBUG_WATCH_READ)) {
		out->causes = CAUSE_SLOT;
		out->slot_bank = BANK_WP;
		out->slot_addr = address;
		out->has_data_addr = true;
		out->data_addr = address;
		out->access =
			status & PPC_DEBUG_WATCH_WRITE ? KVMDBG_ACCESS_WRITE : KVMDBG_ACCESS_READ;
		/* the address is the watched one, not the pc */
		out->has_pc = false;
		out->pc = 0;
	} else if (status == 0) {
		/* a step's address is the new pc, a breakpoint's its own */
		step_or_bp(out, stepping);
	}
	return true;
}

/*
 * Book3S has no hardware points, and its kernels do not write status for what they do
 * report: HV writes only the address of a software-breakpoint exit (book3s_hv.c,
 * kvmppc_emulate_debug_inst), PR writes status 0 for the debug instruction (emulate.c) and
 * neither field for a single-step exit (book3s_pr.c).  Whatever status says is what an
 * earlier exit left: every Book3S debug exit is a step or a breakpoint instruction.  The
 * address is the pc of a breakpoint; a step's pc is read with KVM_GET_REGS.
 */
static bool book3s_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			  struct arch_exit *out)
{
	bool be = arch->big_endian;

	if (get_u32(run + RUN_EXIT_REASON, be) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	step_or_bp(out, stepping);
	out->has_pc = !stepping;
	out->pc = stepping ? 0 : get_u64(run + PPC_RUN_DEBUG, be);
	return true;
}

#define PPC_COMMON \
	.guest_debug_size = PPC_GUEST_DEBUG_SIZE, .run_size = PPC_RUN_SIZE,                \
	.control = {                                                                       \
		[REQ_BIT_ENABLE] = PPC_CTL_ENABLE,                                          \
		[REQ_BIT_STEP] = PPC_CTL_SINGLESTEP,                                        \
		[REQ_BIT_SW_BP] = PPC_CTL_USE_SW_BP,                                        \
		[REQ_BIT_HW] = PPC_CTL_USE_HW_BP,                                           \
	},                                                                                 \
	.step_cap = CAP_PPC_GUEST_DEBUG_SSTEP, .sw_insn_reg = PPC_REG_DEBUG_INST,          \
	.pc_from_regs = true, .pc_regs_offset = 0, .pack = ppc_pack

const struct arch arch_ppc64_booke = {
	.name = "ppc64-booke",
	.big_endian = true,
	PPC_COMMON,
	.slots = { PPC_BOOKE_IAC, PPC_BOOKE_DAC },
	.shared_slots = false,
	.legacy_mask = PPC_CTL_ENABLE | PPC_CTL_SINGLESTEP | PPC_CTL_USE_SW_BP | PPC_CTL_USE_HW_BP,
	.validate = booke_validate,
	.decode = booke_decode,
};

const struct arch arch_ppc64_book3s = {
	.name = "ppc64-book3s",
	.big_endian = true,
	PPC_COMMON,
	.variant_cap = CAP_PPC_BOOKE_SREGS,
	.variant = &arch_ppc64_booke,
	/* USE_HW_BP is taken and ignored: not offered */
	.legacy_mask = PPC_CTL_ENABLE | PPC_CTL_SINGLESTEP | PPC_CTL_USE_SW_BP,
	.validate = book3s_validate,
	.decode = book3s_decode,
};

const struct arch arch_ppc64le_book3s = {
	.name = "ppc64le-book3s",
	.big_endian = false,
	PPC_COMMON,
	.legacy_mask = PPC_CTL_ENABLE | PPC_CTL_SINGLESTEP | PPC_CTL_USE_SW_BP,
	.validate = book3s_validate,
	.decode = book3s_decode,
};

#if defined(__powerpc64__) && defined(__BIG_ENDIAN__)
/* a BookE kernel is recognised when the VM is probed (variant_cap) */
const struct arch *const arch_native_backend = &arch_ppc64_book3s;
#elif defined(__powerpc64__)
const struct arch *const arch_native_backend = &arch_ppc64le_book3s;
#endif
