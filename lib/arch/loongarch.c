// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * loongarch64 backend (little-endian; Linux 6.10 and later).
 *
 * struct kvm_guest_debug (8 bytes): @0 u32 control, @4 u32 pad; struct kvm_guest_debug_arch is
 * empty (arch/loongarch/include/uapi/asm/kvm.h).  Written out here as 8 bytes on purpose: an
 * empty struct is a GNU C extension of size 0, but C++ gives it size 1, so a C++ translation
 * unit sees a 12-byte struct kvm_guest_debug and a KVM_SET_GUEST_DEBUG number that encodes 12,
 * which the kernel (built as C, 8) does not know.  Pack never depends on the header's idea of
 * the size.
 * control: ENABLE 0x1, USE_SW_BP 0x10000.  The kernel takes ENABLE | USE_SW_BP | SINGLESTEP
 * (KVM_GUESTDBG_VALID_MASK, arch/loongarch/include/asm/kvm_host.h) and gives EINVAL for any other
 * bit; without ENABLE the stored state is 0 (kvm_arch_vcpu_ioctl_set_guest_debug() in
 * arch/loongarch/kvm/vcpu.c).  SINGLESTEP is accepted and implemented nowhere: the vCPU just
 * runs, so the library never sends it.  No hardware breakpoints or watchpoints.
 * KVM_CAP_SET_GUEST_DEBUG is 1 (Linux 6.10, kvm_vm_ioctl_check_extension() in
 * arch/loongarch/kvm/vm.c), KVM_CAP_SET_GUEST_DEBUG2 is not reported (0): the accepted bits are
 * the legacy mask below.  Before 6.10 (LoongArch KVM came in 6.7) every call fails with EINVAL.
 * struct kvm_run (2352 bytes): @8 u32 exit_reason (KVM_EXIT_DEBUG 4); struct
 * kvm_debug_exit_arch is empty, nothing else of the exit is written.
 *
 * The software breakpoint is a hypercall: `hvcl 0x101` (INSN_HVCL 0x002b8000 | KVM_HCALL_SWDBG,
 * HYPERCALL_ENCODE(HYPERVISOR_KVM 1, KVM_HCALL_CODE_SWDBG 1) = 0x101), the 32-bit word
 * 0x002b8101, bytes 01 81 2b 00.  The kernel hands it out through KVM_GET_ONE_REG of
 * KVM_REG_LOONGARCH_DEBUG_INST (a U64 register; kvm_get_one_reg() in vcpu.c), and that is what
 * the library plants, like ppc's KVM_REG_PPC_DEBUG_INST.  kvm_handle_hypercall() in
 * arch/loongarch/kvm/exit.c exits with KVM_EXIT_DEBUG for it whenever guest_debug has ENABLE or
 * USE_SW_BP (KVM_GUESTDBG_SW_BP_MASK), and leaves the pc at the hvcl; with debugging off it is
 * a no-op that writes -1 (KVM_HCALL_INVALID_CODE) into a0 and moves on.  The guest's own `break`
 * goes to the guest, never to the host.
 *
 * The exit carries no pc, and ONE_REG has no register for it (kvm_get_one_reg() knows CSR,
 * CPUCFG, LBT and KVM registers only): it is struct kvm_regs.pc (@256, after gpr[32]) of
 * KVM_GET_REGS.
 *
 * Without single-step the library cannot step over a breakpoint: running again at a breakpoint
 * that is still armed stops there again (one-shot points disarm themselves), as on riscv.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define LOONGARCH_CTL_ENABLE 0x00000001u
#define LOONGARCH_CTL_SINGLESTEP 0x00000002u
#define LOONGARCH_CTL_USE_SW_BP 0x00010000u

#define LOONGARCH_GUEST_DEBUG_SIZE 8
#define LOONGARCH_EXIT_SIZE 0
#define LOONGARCH_RUN_SIZE 2352
#define LOONGARCH_RUN_DEBUG 32
#define LOONGARCH_REGS_PC 256

/* KVM_REG_LOONGARCH | KVM_REG_LOONGARCH_KVM (0x20000) | KVM_REG_SIZE_U64 | 3 */
#define LOONGARCH_REG_DEBUG_INST 0x9030000000020003ull

#if defined(__loongarch64)
#include <stddef.h>
#include <linux/kvm.h>

/* C only: in C++ the empty arch struct makes these 12 (see above) */
_Static_assert(sizeof(struct kvm_guest_debug) == LOONGARCH_GUEST_DEBUG_SIZE, "kvm_guest_debug");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(sizeof(struct kvm_debug_exit_arch) == LOONGARCH_EXIT_SIZE, "exit size");
_Static_assert(sizeof(struct kvm_run) == LOONGARCH_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, debug) == LOONGARCH_RUN_DEBUG, "debug offset");
_Static_assert(offsetof(struct kvm_regs, pc) == LOONGARCH_REGS_PC, "kvm_regs.pc");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(LOONGARCH_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(LOONGARCH_CTL_SINGLESTEP == KVM_GUESTDBG_SINGLESTEP, "SINGLESTEP");
/* Linux 6.10 headers and later; 6.7 to 6.9 have LoongArch KVM without guest debug */
#ifdef KVM_GUESTDBG_USE_SW_BP
_Static_assert(LOONGARCH_CTL_USE_SW_BP == KVM_GUESTDBG_USE_SW_BP, "USE_SW_BP");
#endif
#ifdef KVM_REG_LOONGARCH_DEBUG_INST
_Static_assert(LOONGARCH_REG_DEBUG_INST == KVM_REG_LOONGARCH_DEBUG_INST, "DEBUG_INST id");
#endif
#ifdef KVM_CAP_SET_GUEST_DEBUG
_Static_assert(KVM_CAP_SET_GUEST_DEBUG == CAP_SET_GUEST_DEBUG, "SET_GUEST_DEBUG");
#endif
_Static_assert(KVM_CAP_SET_GUEST_DEBUG2 == CAP_SET_GUEST_DEBUG2, "SET_GUEST_DEBUG2");
#endif

static int loongarch_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
		/* 0, 1 or the instruction length gdb uses (4); instructions are word-aligned */
		if (len > 1 && len != 4)
			return -EINVAL;
		return addr & 3 ? -EINVAL : 0;
	case KVMDBG_POINT_HW_BREAK:
	case KVMDBG_POINT_WATCH_WRITE:
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

static void loongarch_pack(const struct arch *arch, const struct debug_state *state,
			   uint32_t control, uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	memset(buf, 0, LOONGARCH_GUEST_DEBUG_SIZE);
	put_u32(buf, control, false);
}

static bool loongarch_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			     struct arch_exit *out)
{
	if (get_u32(run + RUN_EXIT_REASON, false) != EXIT_REASON_DEBUG)
		return false;
	memset(out, 0, sizeof(*out));
	/* the SWDBG hypercall is the only thing that exits with KVM_EXIT_DEBUG */
	out->causes = CAUSE_BP_INSN;
	return true;
}

const struct arch arch_loongarch64 = {
	.name = "loongarch64",
	.big_endian = false,
	.guest_debug_size = LOONGARCH_GUEST_DEBUG_SIZE,
	.run_size = LOONGARCH_RUN_SIZE,
	.legacy_mask = LOONGARCH_CTL_ENABLE | LOONGARCH_CTL_USE_SW_BP,
	/* the instruction is the kernel's: hvcl 0x101 on every kernel so far */
	.sw_insn_reg = LOONGARCH_REG_DEBUG_INST,
	.pc_from_regs = true,
	.pc_regs_offset = LOONGARCH_REGS_PC,
	.control = {
		[REQ_BIT_ENABLE] = LOONGARCH_CTL_ENABLE,
		[REQ_BIT_STEP] = LOONGARCH_CTL_SINGLESTEP,
		[REQ_BIT_SW_BP] = LOONGARCH_CTL_USE_SW_BP,
	},
	.validate = loongarch_validate,
	.pack = loongarch_pack,
	.decode = loongarch_decode,
};

#if defined(__loongarch64)
const struct arch *const arch_native_backend = &arch_loongarch64;
#endif
