// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * arm64 backend (little-endian).
 *
 * struct kvm_guest_debug (520 bytes):
 *   @0   u32 control      @4 u32 pad
 *   @8   u64 dbg_bcr[16]  @136 u64 dbg_bvr[16]
 *   @264 u64 dbg_wcr[16]  @392 u64 dbg_wvr[16]
 * control: ENABLE 0x1, SINGLESTEP 0x2, USE_SW_BP 0x10000 (every BRK exits), USE_HW 0x20000 (the
 * dbg_* registers are loaded).  No inject bit, no interrupt blocking.
 * struct kvm_run (2352 bytes): @8 u32 exit_reason (KVM_EXIT_DEBUG 4), @14 u16 flags
 * (KVM_DEBUG_ARCH_HSR_HIGH_VALID 1: hsr_high is set); @32 debug.arch:
 *   struct kvm_debug_exit_arch (16 bytes): @0 u32 hsr (ESR_EL2 low half), @4 u32 hsr_high,
 *   @8 u64 far (the data address of a watchpoint).
 *
 * DBGBCRn (execute breakpoint): E bit 0, PMC bits 2:1 = 0b11 (EL1 and EL0), BAS bits 8:5 =
 * 0b1111 (the A64 instruction at DBGBVRn), BT bits 23:20 = 0 (unlinked address match); DBGBVRn
 * the address, bits 1:0 zero.
 * DBGWCRn (watchpoint): E bit 0, PAC bits 2:1 = 0b11, LSC bits 4:3 (0b01 load, 0b10 store, 0b11
 * either), BAS bits 12:5 one bit per byte of the doubleword at DBGWVRn (the address with bits
 * 2:0 clear): a watch of len bytes at addr sets len contiguous bits from bit (addr & 7), so it
 * must not cross the doubleword.
 * Slots: KVM_CAP_GUEST_DEBUG_HW_BPS / _WPS (ID_AA64DFR0_EL1.BRPs/WRPs + 1), at most 16 each.
 *
 * Exits by ESR exception class (hsr bits 31:26): 0x30 breakpoint (the slot is found by the pc),
 * 0x32 software step, 0x34 watchpoint (far: an address the access touched; the slot is found
 * by it; ISS.WnR, bit 6, says whether it was a write), 0x3c BRK64 (ISS bits 15:0: the
 * immediate; BRK #0 is the library's) and 0x38 BKPT from AArch32.  The pc is not in the exit:
 * it is read with KVM_GET_ONE_REG (regs.pc).  The kernel cannot inject a debug exception: a
 * guest's own BRK is reported, and delivering it is the VMM's work (emulating the exception
 * entry).
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define ARM64_CTL_ENABLE 0x00000001u
#define ARM64_CTL_SINGLESTEP 0x00000002u
#define ARM64_CTL_USE_SW_BP 0x00010000u
#define ARM64_CTL_USE_HW 0x00020000u

#define ARM64_GUEST_DEBUG_SIZE 520
#define ARM64_EXIT_SIZE 16
#define ARM64_RUN_SIZE 2352
#define ARM64_RUN_DEBUG 32
#define ARM64_MAX_DBG_REGS 16
#define ARM64_BCR 8
#define ARM64_BVR (ARM64_BCR + 8 * ARM64_MAX_DBG_REGS)
#define ARM64_WCR (ARM64_BVR + 8 * ARM64_MAX_DBG_REGS)
#define ARM64_WVR (ARM64_WCR + 8 * ARM64_MAX_DBG_REGS)

#define ARM64_HSR_HIGH_VALID 1u

#define ARM64_EC_BREAKPT_LOW 0x30
#define ARM64_EC_SOFTSTP_LOW 0x32
#define ARM64_EC_WATCHPT_LOW 0x34
#define ARM64_EC_BKPT32 0x38
#define ARM64_EC_BRK64 0x3c
#define ARM64_ESR_WNR (1u << 6)

/* E, PMC = EL1 and EL0, BAS = the whole A64 instruction */
#define ARM64_BCR_EXEC (1u | 3u << 1 | 0xfu << 5)
/* KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offsetof(kvm_regs, regs.pc) / 4) */
#define ARM64_REG_PC 0x6030000000100040ull
/* ARM64_SYS_REG(3, 0, 2, 0, 2/0/1): TCR_EL1, TTBR0_EL1, TTBR1_EL1 (asm/sysreg.h) */
#define ARM64_REG_TCR_EL1 0x603000000013c102ull
#define ARM64_REG_TTBR0_EL1 0x603000000013c100ull
#define ARM64_REG_TTBR1_EL1 0x603000000013c101ull
/* TCR_EL1.A1: the ASID is TTBR1's; TCR_EL1.AS: 16-bit ASIDs (else 8) */
#define ARM64_TCR_A1 (1ull << 22)
#define ARM64_TCR_AS (1ull << 36)

#if defined(__aarch64__)
#include <stddef.h>
#include <linux/kvm.h>

_Static_assert(sizeof(struct kvm_guest_debug) == ARM64_GUEST_DEBUG_SIZE, "kvm_guest_debug");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.dbg_bcr) == ARM64_BCR, "dbg_bcr");
_Static_assert(offsetof(struct kvm_guest_debug, arch.dbg_bvr) == ARM64_BVR, "dbg_bvr");
_Static_assert(offsetof(struct kvm_guest_debug, arch.dbg_wcr) == ARM64_WCR, "dbg_wcr");
_Static_assert(offsetof(struct kvm_guest_debug, arch.dbg_wvr) == ARM64_WVR, "dbg_wvr");
_Static_assert(KVM_ARM_MAX_DBG_REGS == ARM64_MAX_DBG_REGS, "KVM_ARM_MAX_DBG_REGS");
_Static_assert(sizeof(struct kvm_debug_exit_arch) == ARM64_EXIT_SIZE, "exit size");
_Static_assert(offsetof(struct kvm_debug_exit_arch, hsr) == 0, "hsr offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, hsr_high) == 4, "hsr_high offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, far) == 8, "far offset");
_Static_assert(sizeof(struct kvm_run) == ARM64_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, flags) == RUN_FLAGS, "flags offset");
_Static_assert(offsetof(struct kvm_run, debug.arch) == ARM64_RUN_DEBUG, "debug.arch offset");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(KVM_DEBUG_ARCH_HSR_HIGH_VALID == ARM64_HSR_HIGH_VALID, "HSR_HIGH_VALID");
_Static_assert(ARM64_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(ARM64_CTL_SINGLESTEP == KVM_GUESTDBG_SINGLESTEP, "SINGLESTEP");
_Static_assert(ARM64_CTL_USE_SW_BP == KVM_GUESTDBG_USE_SW_BP, "USE_SW_BP");
_Static_assert(ARM64_CTL_USE_HW == KVM_GUESTDBG_USE_HW, "USE_HW");
_Static_assert(ARM64_REG_PC == (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
				KVM_REG_ARM_CORE_REG(regs.pc)),
	       "regs.pc ONE_REG id");
_Static_assert(ARM64_REG_TCR_EL1 == ARM64_SYS_REG(3, 0, 2, 0, 2), "TCR_EL1 ONE_REG id");
_Static_assert(ARM64_REG_TTBR0_EL1 == ARM64_SYS_REG(3, 0, 2, 0, 0), "TTBR0_EL1 ONE_REG id");
_Static_assert(ARM64_REG_TTBR1_EL1 == ARM64_SYS_REG(3, 0, 2, 0, 1), "TTBR1_EL1 ONE_REG id");
_Static_assert(KVM_CAP_GUEST_DEBUG_HW_BPS == CAP_GUEST_DEBUG_HW_BPS, "HW_BPS");
_Static_assert(KVM_CAP_GUEST_DEBUG_HW_WPS == CAP_GUEST_DEBUG_HW_WPS, "HW_WPS");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG == CAP_SET_GUEST_DEBUG, "SET_GUEST_DEBUG");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG2 == CAP_SET_GUEST_DEBUG2, "SET_GUEST_DEBUG2");
#endif

static int arm64_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
	case KVMDBG_POINT_HW_BREAK:
		/* 0, 1 or the instruction length gdb uses (4) */
		if (len > 1 && len != 4)
			return -EINVAL;
		return addr & 3 ? -EINVAL : 0;
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		/* byte-address select covers one doubleword */
		if (len < 1 || len > 8 || (addr & 7) + len > 8)
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static void arm64_pack(const struct arch *arch, const struct debug_state *state, uint32_t control,
		       uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	memset(buf, 0, ARM64_GUEST_DEBUG_SIZE);
	put_u32(buf, control, false);
	if (!(control & ARM64_CTL_USE_HW))
		return;
	for (unsigned int n = 0; n < ARM64_MAX_DBG_REGS; n++) {
		const struct hw_slot *b = &state->slots[BANK_BP][n];
		const struct hw_slot *w = &state->slots[BANK_WP][n];

		if (b->kind == SLOT_EXEC) {
			put_u64(buf + ARM64_BCR + 8 * n, ARM64_BCR_EXEC, false);
			put_u64(buf + ARM64_BVR + 8 * n, b->addr, false);
		}
		if (w->kind == SLOT_WRITE || w->kind == SLOT_READ || w->kind == SLOT_ACCESS) {
			uint64_t lsc = w->kind == SLOT_READ ? 1 : w->kind == SLOT_WRITE ? 2 : 3;
			uint64_t len = w->len ? w->len : 1;
			uint64_t bas = ((1ull << len) - 1) << (w->addr & 7);

			put_u64(buf + ARM64_WCR + 8 * n,
				1 | 3ull << 1 | lsc << 3 | (bas & 0xff) << 5, false);
			put_u64(buf + ARM64_WVR + 8 * n, w->addr & ~7ull, false);
		}
	}
}

static bool arm64_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			 struct arch_exit *out)
{
	const uint8_t *exit = run + ARM64_RUN_DEBUG;
	uint32_t hsr = get_u32(exit, false);
	uint32_t hsr_high = get_u32(exit + 4, false);
	uint16_t flags = get_u16(run + RUN_FLAGS, false);

	if (get_u32(run + RUN_EXIT_REASON, false) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	out->has_exception = true;
	out->exception = hsr >> 26;
	out->has_status = true;
	out->status = hsr;
	if (flags & ARM64_HSR_HIGH_VALID)
		out->status |= (uint64_t)hsr_high << 32;
	switch (hsr >> 26) {
	case ARM64_EC_BREAKPT_LOW:
		out->causes = CAUSE_SLOT;
		out->slot_bank = BANK_BP;
		out->slot_by_pc = true;
		break;
	case ARM64_EC_SOFTSTP_LOW:
		out->causes = CAUSE_STEP;
		break;
	case ARM64_EC_WATCHPT_LOW:
		out->causes = CAUSE_SLOT;
		out->slot_bank = BANK_WP;
		out->has_data_addr = true;
		out->data_addr = get_u64(exit + 8, false);
		out->slot_addr = out->data_addr;
		/* ISS.WnR (bit 6): the access was a write */
		out->access = hsr & ARM64_ESR_WNR ? KVMDBG_ACCESS_WRITE : KVMDBG_ACCESS_READ;
		break;
	case ARM64_EC_BRK64:
		out->causes = CAUSE_BP_INSN;
		/* the library only writes BRK #0 */
		out->foreign_insn = (hsr & 0xffff) != 0;
		break;
	case ARM64_EC_BKPT32:
		out->causes = CAUSE_BP_INSN;
		out->foreign_insn = true;
		break;
	}
	return true;
}

/*
 * An address space is its ASID (the Arm ARM's "ASID", TTBRn_EL1 bits 63:48): TTBR1_EL1's
 * where TCR_EL1.A1 says so (Linux sets it), else TTBR0_EL1's; 8 bits unless TCR_EL1.AS.
 * regs: TCR_EL1, TTBR0_EL1, TTBR1_EL1.
 */
static uint64_t arm64_space(const uint64_t *regs)
{
	uint64_t asid = (regs[0] & ARM64_TCR_A1 ? regs[2] : regs[1]) >> 48;

	return regs[0] & ARM64_TCR_AS ? asid : asid & 0xff;
}

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.big_endian = false,
	.quirks = QUIRK_WATCH_BEFORE_ACCESS,
	.walker = WALKER_ARM64,
	.guest_debug_size = ARM64_GUEST_DEBUG_SIZE,
	.run_size = ARM64_RUN_SIZE,
	/* at most; KVM_CAP_GUEST_DEBUG_HW_BPS and _WPS give the counts */
	.slots = { ARM64_MAX_DBG_REGS, ARM64_MAX_DBG_REGS },
	.slot_caps = { CAP_GUEST_DEBUG_HW_BPS, CAP_GUEST_DEBUG_HW_WPS },
	.shared_slots = false,
	.legacy_mask = ARM64_CTL_ENABLE | ARM64_CTL_SINGLESTEP | ARM64_CTL_USE_SW_BP |
		       ARM64_CTL_USE_HW,
	/* BRK #0 */
	.sw_insn = { 0x00, 0x00, 0x20, 0xd4 },
	.sw_insn_len = 4,
	.pc_reg = ARM64_REG_PC,
	.space_regs = { ARM64_REG_TCR_EL1, ARM64_REG_TTBR0_EL1, ARM64_REG_TTBR1_EL1 },
	.space = arm64_space,
	.control = {
		[REQ_BIT_ENABLE] = ARM64_CTL_ENABLE,
		[REQ_BIT_STEP] = ARM64_CTL_SINGLESTEP,
		[REQ_BIT_SW_BP] = ARM64_CTL_USE_SW_BP,
		[REQ_BIT_HW] = ARM64_CTL_USE_HW,
	},
	.validate = arm64_validate,
	.pack = arm64_pack,
	.decode = arm64_decode,
};

#if defined(__aarch64__) && defined(__AARCH64EL__)
const struct arch *const arch_native_backend = &arch_aarch64;
#endif
