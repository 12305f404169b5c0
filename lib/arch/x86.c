// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * x86 backend.
 *
 * struct kvm_guest_debug (72 bytes, little-endian):
 *   @0  u32 control      @4 u32 pad
 *   @8  u64 debugreg[8]  (DR0-DR3 linear addresses, [4]-[6] unused, [7] DR7)
 * struct kvm_run (2352 bytes): @8 u32 exit_reason (KVM_EXIT_DEBUG 4); @32 debug.arch.
 * struct kvm_debug_exit_arch (32 bytes, at kvm_run offset 32):
 *   @0  u32 exception (1 #DB, 3 #BP)  @4 u32 pad
 *   @8  u64 pc (linear: CS.base + RIP)  @16 u64 dr6  @24 u64 dr7
 *
 * DR7: slot n enabled by Gn (bit 2n+1); R/Wn at bit 16+4n (00 execute, 01 write, 11 read or
 * write; there is no read-only); LENn at bit 18+4n (00 1 byte, 01 2, 11 4, 10 8); bit 10 is
 * reserved and reads as 1; GD (bit 13) makes guest debug-register accesses fault with DR6.BD.
 * DR6: B0-B3 (bits 0-3) say which slot fired, BD bit 13, BS bit 14 (single-step).
 * The layout is written down in doc/kvm-guest-debug.md too.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define X86_CTL_ENABLE 0x00000001u
#define X86_CTL_SINGLESTEP 0x00000002u
#define X86_CTL_USE_SW_BP 0x00010000u
#define X86_CTL_USE_HW_BP 0x00020000u
#define X86_CTL_INJECT_DB 0x00040000u
#define X86_CTL_INJECT_BP 0x00080000u
#define X86_CTL_BLOCKIRQ 0x00100000u

#define X86_DR7_FIXED 0x400ull
#define X86_DR7_GD (1ull << 13)
#define X86_DR6_SLOTS 0xfull
#define X86_DR6_BD (1ull << 13)
#define X86_DR6_BS (1ull << 14)

#define X86_DB_VECTOR 1
#define X86_BP_VECTOR 3

#define X86_GUEST_DEBUG_SIZE 72
#define X86_EXIT_SIZE 32
#define X86_RUN_SIZE 2352
#define X86_RUN_DEBUG 32
#define X86_NR_SLOTS 4
#define X86_SREGS_CR3 240

#if defined(__x86_64__)
#include <stddef.h>
#include <linux/kvm.h>

_Static_assert(sizeof(struct kvm_guest_debug) == X86_GUEST_DEBUG_SIZE, "kvm_guest_debug size");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.debugreg) == 8, "debugreg offset");
_Static_assert(sizeof(struct kvm_debug_exit_arch) == X86_EXIT_SIZE, "exit size");
_Static_assert(offsetof(struct kvm_debug_exit_arch, exception) == 0, "exception offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, pc) == 8, "pc offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, dr6) == 16, "dr6 offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, dr7) == 24, "dr7 offset");
_Static_assert(sizeof(struct kvm_run) == X86_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, debug.arch) == X86_RUN_DEBUG, "debug.arch offset");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(KVM_EXIT_MMIO == 6, "KVM_EXIT_MMIO");
_Static_assert(offsetof(struct kvm_run, mmio.is_write) == 52, "mmio.is_write offset");
_Static_assert(offsetof(struct kvm_sregs, cr3) == X86_SREGS_CR3, "kvm_sregs.cr3 offset");
_Static_assert(X86_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(X86_CTL_SINGLESTEP == KVM_GUESTDBG_SINGLESTEP, "SINGLESTEP");
_Static_assert(X86_CTL_USE_SW_BP == KVM_GUESTDBG_USE_SW_BP, "USE_SW_BP");
_Static_assert(X86_CTL_USE_HW_BP == KVM_GUESTDBG_USE_HW_BP, "USE_HW_BP");
_Static_assert(X86_CTL_INJECT_DB == KVM_GUESTDBG_INJECT_DB, "INJECT_DB");
_Static_assert(X86_CTL_INJECT_BP == KVM_GUESTDBG_INJECT_BP, "INJECT_BP");
#ifdef KVM_GUESTDBG_BLOCKIRQ
_Static_assert(X86_CTL_BLOCKIRQ == KVM_GUESTDBG_BLOCKIRQ, "BLOCKIRQ");
#endif
#endif

static int x86_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
	case KVMDBG_POINT_HW_BREAK:
		/* an instruction breakpoint covers one byte: LEN must be 00 */
		return len <= 1 ? 0 : -EINVAL;
	case KVMDBG_POINT_WATCH_READ:
		return -EOPNOTSUPP;
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_ACCESS:
		if (len != 1 && len != 2 && len != 4 && len != 8)
			return -EINVAL;
		/* the hardware ignores the low address bits below the length */
		return addr & (len - 1) ? -EINVAL : 0;
	}
	return -EINVAL;
}

static uint64_t x86_dr7_fields(const struct hw_slot *s)
{
	uint64_t rw, len;

	switch (s->kind) {
	case SLOT_WRITE:
		rw = 1;
		break;
	case SLOT_ACCESS:
		rw = 3;
		break;
	default:
		return 0; /* execute: R/W 00, LEN 00 */
	}
	switch (s->len) {
	case 2:
		len = 1;
		break;
	case 4:
		len = 3;
		break;
	case 8:
		len = 2;
		break;
	default:
		len = 0;
		break;
	}
	return rw | len << 2;
}

static void x86_pack(const struct arch *arch, const struct debug_state *state, uint32_t control,
		     uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	uint64_t dr7 = 0;

	memset(buf, 0, X86_GUEST_DEBUG_SIZE);
	put_u32(buf, control, false);
	if (!(control & X86_CTL_USE_HW_BP))
		return;

	dr7 = X86_DR7_FIXED;
	for (unsigned int n = 0; n < X86_NR_SLOTS; n++) {
		const struct hw_slot *s = &state->slots[BANK_BP][n];

		if (s->kind == SLOT_OFF)
			continue;
		put_u64(buf + 8 + 8 * n, s->addr, false);
		dr7 |= 1ull << (2 * n + 1);
		dr7 |= x86_dr7_fields(s) << (16 + 4 * n);
	}
	if (state->trap_debug_regs)
		dr7 |= X86_DR7_GD;
	put_u64(buf + 8 + 8 * 7, dr7, false);
}

static bool x86_decode(const struct arch *arch, const uint8_t *run, bool stepping,
		       struct arch_exit *out)
{
	const uint8_t *exit = run + X86_RUN_DEBUG;
	uint32_t exception = get_u32(exit, false);
	uint64_t dr6 = get_u64(exit + 16, false);

	if (get_u32(run + RUN_EXIT_REASON, false) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	out->has_pc = true;
	out->pc = get_u64(exit + 8, false);
	out->has_exception = true;
	out->exception = exception;
	out->slot_bank = BANK_BP;

	/* a #BP exit writes exception and pc only (kvm_handle_exception's BP_VECTOR case) */
	if (exception == X86_BP_VECTOR) {
		out->causes = CAUSE_BP_INSN;
		return true;
	}
	if (exception != X86_DB_VECTOR)
		return true;
	out->has_status = true;
	out->status = dr6;
	if (dr6 & X86_DR6_BS)
		out->causes |= CAUSE_STEP;
	if (dr6 & X86_DR6_BD)
		out->causes |= CAUSE_DEBUG_REG;
	if (dr6 & X86_DR6_SLOTS) {
		out->causes |= CAUSE_SLOT;
		out->slot_mask = dr6 & X86_DR6_SLOTS;
	}
	/* no cause bit: ICEBP (INT1, 0xf1), which only the guest raises */
	if (!out->causes)
		out->causes = CAUSE_FOREIGN;
	return true;
}

/*
 * struct kvm_run: KVM_EXIT_MMIO (6) at exit_reason; mmio { u64 phys_addr @32, u8 data[8] @40,
 * u32 len @48, u8 is_write @52 }.
 */
#define X86_EXIT_MMIO 6
#define X86_RUN_MMIO_IS_WRITE 52

/*
 * An address space is its page-table root: CR3 without the PCID (bits 11:0) and the flags
 * above the physical address (bit 63: no flush on write; LAM bits 62:61).
 */
static uint64_t x86_space(const uint64_t *regs)
{
	return regs[0] & 0x000ffffffffff000ull;
}

static bool x86_step_lost(const uint8_t *run)
{
	return get_u32(run + RUN_EXIT_REASON, false) == X86_EXIT_MMIO && run[X86_RUN_MMIO_IS_WRITE];
}

const struct arch arch_x86 = {
	.name = "x86_64",
	.big_endian = false,
	.quirks = QUIRK_STEP_RESEND | QUIRK_KVM_TRANSLATE | QUIRK_DEBUG_REG_TRAP,
	.walker = WALKER_X86,
	.guest_debug_size = X86_GUEST_DEBUG_SIZE,
	.run_size = X86_RUN_SIZE,
	.slots = { X86_NR_SLOTS, 0 },
	.shared_slots = true,
	/* what x86 had before KVM_CAP_SET_GUEST_DEBUG2 existed (no BLOCKIRQ) */
	.legacy_mask = X86_CTL_ENABLE | X86_CTL_SINGLESTEP | X86_CTL_USE_SW_BP |
		       X86_CTL_USE_HW_BP | X86_CTL_INJECT_DB | X86_CTL_INJECT_BP,
	.sw_insn = { 0xcc },
	.sw_insn_len = 1,
	.control = {
		[REQ_BIT_ENABLE] = X86_CTL_ENABLE,
		[REQ_BIT_STEP] = X86_CTL_SINGLESTEP,
		[REQ_BIT_SW_BP] = X86_CTL_USE_SW_BP,
		[REQ_BIT_HW] = X86_CTL_USE_HW_BP,
		[REQ_BIT_INJECT_BP] = X86_CTL_INJECT_BP,
		[REQ_BIT_INJECT_DB] = X86_CTL_INJECT_DB,
		[REQ_BIT_BLOCK_IRQ] = X86_CTL_BLOCKIRQ,
	},
	.validate = x86_validate,
	.pack = x86_pack,
	.decode = x86_decode,
	.step_lost = x86_step_lost,
	.space_from_sregs = true,
	.space_sregs_offset = X86_SREGS_CR3,
	.space = x86_space,
};

#if defined(__x86_64__)
const struct arch *const arch_native_backend = &arch_x86;
#endif
