// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * riscv64 backend (little-endian).
 *
 * struct kvm_guest_debug (8 bytes): @0 u32 control, @4 u32 pad; struct kvm_guest_debug_arch is
 * empty.  Only KVM_GUESTDBG_ENABLE means anything (Linux 6.9 and later): it takes the
 * breakpoint exception away from the guest, so every ebreak, the guest's own too, exits with
 * KVM_EXIT_DEBUG.  The kernel does not check the other bits; the library never sends them.
 * There is no single-step and there are no hardware breakpoints or watchpoints.
 * struct kvm_run (2352 bytes): @8 u32 exit_reason (KVM_EXIT_DEBUG 4); struct
 * kvm_debug_exit_arch is empty, so the pc (the ebreak's address) is read with KVM_GET_ONE_REG
 * (KVM_REG_RISCV_CORE_REG(regs.pc)).
 *
 * Software breakpoints: ebreak (0x00100073, 4 bytes) where the instruction at the site is a
 * 32-bit one, c.ebreak (0x9002, 2 bytes) where it is a compressed one (its low two bits are
 * not 0b11), so that a breakpoint never covers two instructions.
 *
 * Without single-step the library cannot step over a breakpoint: running again at a
 * breakpoint that is still armed stops there again (one-shot points disarm themselves).
 *
 * Debian 12's 6.1 headers have no guest debug for riscv (no __KVM_HAVE_GUEST_DEBUG, no
 * KVM_CAP_SET_GUEST_DEBUG): the layout is asserted there all the same, but lib/kernel.c then
 * builds without the KVM_SET_GUEST_DEBUG edge (see lib/meson.build).
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define RISCV_CTL_ENABLE 0x00000001u
#define RISCV_CTL_SINGLESTEP 0x00000002u

#define RISCV_GUEST_DEBUG_SIZE 8
#define RISCV_EXIT_SIZE 0
#define RISCV_RUN_SIZE 2352
#define RISCV_RUN_DEBUG 32

/* KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE | KVM_REG_RISCV_CORE_REG(regs.pc) */
#define RISCV_REG_PC 0x8030000002000000ull

#if defined(__riscv) && __riscv_xlen == 64
#include <stddef.h>
#include <linux/kvm.h>

_Static_assert(sizeof(struct kvm_guest_debug) == RISCV_GUEST_DEBUG_SIZE, "kvm_guest_debug");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(sizeof(struct kvm_run) == RISCV_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, debug) == RISCV_RUN_DEBUG, "debug offset");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(RISCV_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(RISCV_REG_PC == (KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE |
				KVM_REG_RISCV_CORE_REG(regs.pc)),
	       "regs.pc ONE_REG id");
#ifdef KVM_CAP_SET_GUEST_DEBUG
_Static_assert(KVM_CAP_SET_GUEST_DEBUG == CAP_SET_GUEST_DEBUG, "SET_GUEST_DEBUG");
#endif
#endif

static int riscv_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
		/* 0, 1 or an instruction length gdb uses (2, 4) */
		if (len > 2 && len != 4)
			return -EINVAL;
		return addr & 1 ? -EINVAL : 0;
	case KVMDBG_POINT_HW_BREAK:
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

static void riscv_pack(const struct arch *arch, const struct debug_state *state, uint32_t control,
		       uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	memset(buf, 0, RISCV_GUEST_DEBUG_SIZE);
	put_u32(buf, control, false);
}

static bool riscv_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			 struct arch_exit *out)
{
	if (get_u32(run + RUN_EXIT_REASON, false) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	/* an ebreak is the only thing that exits with KVM_EXIT_DEBUG */
	out->causes = CAUSE_BP_INSN;
	return true;
}

static bool riscv_pick_alt_insn(const uint8_t *site)
{
	/* 32-bit instructions have 0b11 in their lowest bits, compressed ones do not */
	return (site[0] & 3) != 3;
}

const struct arch arch_riscv64 = {
	.name = "riscv64",
	.big_endian = false,
	.guest_debug_size = RISCV_GUEST_DEBUG_SIZE,
	.run_size = RISCV_RUN_SIZE,
	.legacy_mask = RISCV_CTL_ENABLE,
	/* ebreak */
	.sw_insn = { 0x73, 0x00, 0x10, 0x00 },
	.sw_insn_len = 4,
	/* c.ebreak */
	.sw_insn_alt = { 0x02, 0x90 },
	.sw_insn_alt_len = 2,
	.pc_reg = RISCV_REG_PC,
	.control = {
		[REQ_BIT_ENABLE] = RISCV_CTL_ENABLE,
		[REQ_BIT_STEP] = RISCV_CTL_SINGLESTEP,
	},
	.validate = riscv_validate,
	.pack = riscv_pack,
	.decode = riscv_decode,
	.pick_alt_insn = riscv_pick_alt_insn,
};

#if defined(__riscv) && __riscv_xlen == 64
const struct arch *const arch_native_backend = &arch_riscv64;
#endif
