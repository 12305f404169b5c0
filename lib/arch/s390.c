// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * s390x backend (big-endian).
 *
 * struct kvm_guest_debug (24 bytes):
 *   @0  u32 control      @4 u32 pad
 *   @8  u32 nr_hw_bp     @12 u32 pad
 *   @16 u64 hw_bp        (a user-space pointer to nr_hw_bp struct kvm_hw_breakpoint)
 * struct kvm_hw_breakpoint (32 bytes):
 *   @0 u64 addr  @8 u64 phys_addr  @16 u64 len  @24 u8 type  @25 u8 pad[7]
 *   type: KVM_HW_BP 1, KVM_HW_WP_WRITE 2.
 * control: ENABLE 0x1, SINGLESTEP 0x2, USE_HW_BP 0x10000 (the bit that is USE_SW_BP on x86,
 * ppc and arm64).  There is no software-breakpoint bit and no inject bit.
 * struct kvm_run (2368 bytes): @8 u32 exit_reason, @32 u64 psw_mask, @40 u64 psw_addr, @48 the
 * exit union:
 *   KVM_EXIT_DEBUG (4): struct kvm_debug_exit_arch { @48 u64 addr; @56 u8 type; pad[7] },
 *     type KVM_HW_BP (addr: the breakpoint), KVM_HW_WP_WRITE (addr: the watched address) or
 *     KVM_SINGLESTEP 4 (addr: the new PSW address).
 *   KVM_EXIT_S390_SIEIC (13): @48 u8 icptcode, @50 u16 ipa, @52 u32 ipb.
 *
 * The kernel's rules (arch/s390/kvm/guestdbg.c, kvm-s390.c):
 * - at most 50 entries; watchpoints at most 100 bytes and write-only; every watchpoint needs
 *   phys_addr, the guest absolute address, because the kernel compares the watched bytes and
 *   reports a hit only when their value changed;
 * - USE_HW_BP with no entry is -EINVAL, so the bit is only sent with entries;
 * - the old state is cleared before the new one is checked: a failed call leaves debugging off
 *   (->failed_set_disables);
 * - the array is copied during the call, so it only has to live until the call returns.
 *
 * Software breakpoints are not a guest-debug feature on s390: the library writes the 2-byte
 * instruction 0x0000 where the VM capability KVM_CAP_S390_USER_INSTR0 could be enabled (the
 * guest's operation exception then exits with KVM_EXIT_S390_SIEIC, icptcode 0x2c, ipa 0), and
 * the 4-byte DIAG 0x501 (83 00 05 01: R1 = R3 = 0, B2 = 0, D2 = 0x501) otherwise (an
 * instruction intercept, icptcode 0x04, ipa 0x83xx, ipb 0x0501xxxx).  Either way psw_addr is
 * past the instruction when the vCPU exits: the pc of the event is psw_addr minus the
 * instruction length, and ->set_pc writes psw_addr back (the kernel loads the PSW from
 * struct kvm_run at every KVM_RUN).
 */
#include <errno.h>
#include <string.h>

#include "arch.h"

#define S390_CTL_ENABLE 0x00000001u
#define S390_CTL_SINGLESTEP 0x00000002u
#define S390_CTL_USE_HW_BP 0x00010000u

#define S390_HW_BP 1
#define S390_HW_WP_WRITE 2
#define S390_SINGLESTEP 4

#define S390_GUEST_DEBUG_SIZE 24
#define S390_HW_BP_SIZE 32
#define S390_EXIT_SIZE 16
#define S390_RUN_SIZE 2368
#define S390_RUN_PSW_ADDR 40
#define S390_RUN_UNION 48

#define S390_MAX_BP 50
#define S390_MAX_WP_LEN 100

#define S390_ICPT_INSTRUCTION 0x04
#define S390_ICPT_OPEREXC 0x2c

#if defined(__s390x__)
#include <stddef.h>
#include <linux/kvm.h>

_Static_assert(sizeof(void *) == 8, "64-bit pointers");
_Static_assert(sizeof(struct kvm_guest_debug) == S390_GUEST_DEBUG_SIZE, "kvm_guest_debug size");
_Static_assert(offsetof(struct kvm_guest_debug, control) == 0, "control offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.nr_hw_bp) == 8, "nr_hw_bp offset");
_Static_assert(offsetof(struct kvm_guest_debug, arch.hw_bp) == 16, "hw_bp offset");
_Static_assert(sizeof(struct kvm_hw_breakpoint) == S390_HW_BP_SIZE, "kvm_hw_breakpoint size");
_Static_assert(offsetof(struct kvm_hw_breakpoint, addr) == 0, "addr offset");
_Static_assert(offsetof(struct kvm_hw_breakpoint, phys_addr) == 8, "phys_addr offset");
_Static_assert(offsetof(struct kvm_hw_breakpoint, len) == 16, "len offset");
_Static_assert(offsetof(struct kvm_hw_breakpoint, type) == 24, "type offset");
_Static_assert(sizeof(struct kvm_debug_exit_arch) == S390_EXIT_SIZE, "exit size");
_Static_assert(offsetof(struct kvm_debug_exit_arch, addr) == 0, "exit addr offset");
_Static_assert(offsetof(struct kvm_debug_exit_arch, type) == 8, "exit type offset");
_Static_assert(sizeof(struct kvm_run) == S390_RUN_SIZE, "kvm_run size");
_Static_assert(offsetof(struct kvm_run, exit_reason) == RUN_EXIT_REASON, "exit_reason");
_Static_assert(offsetof(struct kvm_run, psw_addr) == S390_RUN_PSW_ADDR, "psw_addr offset");
_Static_assert(offsetof(struct kvm_run, debug.arch) == S390_RUN_UNION, "debug.arch offset");
_Static_assert(offsetof(struct kvm_run, s390_sieic.icptcode) == S390_RUN_UNION, "icptcode");
_Static_assert(offsetof(struct kvm_run, s390_sieic.ipa) == S390_RUN_UNION + 2, "ipa offset");
_Static_assert(offsetof(struct kvm_run, s390_sieic.ipb) == S390_RUN_UNION + 4, "ipb offset");
_Static_assert(KVM_EXIT_DEBUG == EXIT_REASON_DEBUG, "KVM_EXIT_DEBUG");
_Static_assert(KVM_EXIT_S390_SIEIC == EXIT_REASON_S390_SIEIC, "KVM_EXIT_S390_SIEIC");
_Static_assert(S390_CTL_ENABLE == KVM_GUESTDBG_ENABLE, "ENABLE");
_Static_assert(S390_CTL_SINGLESTEP == KVM_GUESTDBG_SINGLESTEP, "SINGLESTEP");
_Static_assert(S390_CTL_USE_HW_BP == KVM_GUESTDBG_USE_HW_BP, "USE_HW_BP");
_Static_assert(S390_HW_BP == KVM_HW_BP, "KVM_HW_BP");
_Static_assert(S390_HW_WP_WRITE == KVM_HW_WP_WRITE, "KVM_HW_WP_WRITE");
_Static_assert(S390_SINGLESTEP == KVM_SINGLESTEP, "KVM_SINGLESTEP");
_Static_assert(KVM_CAP_S390_USER_INSTR0 == CAP_S390_USER_INSTR0, "USER_INSTR0");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG == CAP_SET_GUEST_DEBUG, "SET_GUEST_DEBUG");
_Static_assert(KVM_CAP_SET_GUEST_DEBUG2 == CAP_SET_GUEST_DEBUG2, "SET_GUEST_DEBUG2");
#endif

static int s390_validate(enum kvmdbg_point_type type, uint64_t addr, uint64_t len)
{
	switch (type) {
	case KVMDBG_POINT_SW_BREAK:
	case KVMDBG_POINT_HW_BREAK:
		/* 0, 1 or the instruction length gdb uses (2) */
		if (len > 2)
			return -EINVAL;
		/* instructions are halfword-aligned */
		return addr & 1 ? -EINVAL : 0;
	case KVMDBG_POINT_WATCH_WRITE:
		if (len < 1 || len > S390_MAX_WP_LEN || addr + (len - 1) < addr)
			return -EINVAL;
		return 0;
	case KVMDBG_POINT_WATCH_READ:
	case KVMDBG_POINT_WATCH_ACCESS:
		/* PER storage-alteration events: writes only */
		return -EOPNOTSUPP;
	}
	return -EINVAL;
}

static void s390_pack(const struct arch *arch, const struct debug_state *state, uint32_t control,
		      uint8_t *buf, uint8_t *aux, uint64_t aux_addr)
{
	uint32_t n = 0;

	memset(buf, 0, S390_GUEST_DEBUG_SIZE);
	memset(aux, 0, S390_MAX_BP * S390_HW_BP_SIZE);
	if (control & S390_CTL_USE_HW_BP) {
		for (unsigned int i = 0; i < S390_MAX_BP; i++) {
			const struct hw_slot *s = &state->slots[BANK_BP][i];
			uint8_t *e = aux + S390_HW_BP_SIZE * n;

			if (s->kind != SLOT_EXEC && s->kind != SLOT_WRITE)
				continue;
			put_u64(e, s->addr, true);
			put_u64(e + 8, s->phys, true);
			put_u64(e + 16, s->len, true);
			e[24] = s->kind == SLOT_EXEC ? S390_HW_BP : S390_HW_WP_WRITE;
			n++;
		}
		/* USE_HW_BP without an entry is -EINVAL */
		if (!n)
			control &= ~S390_CTL_USE_HW_BP;
	}
	put_u32(buf, control, true);
	if (n) {
		put_u32(buf + 8, n, true);
		put_u64(buf + 16, aux_addr, true);
	}
}

static bool s390_decode(const struct arch *arch, const uint8_t *run, bool stepping,
			struct arch_exit *out)
{
	uint32_t reason = get_u32(run + RUN_EXIT_REASON, true);
	uint64_t psw = get_u64(run + S390_RUN_PSW_ADDR, true);
	const uint8_t *u = run + S390_RUN_UNION;

	memset(out, 0, sizeof(*out));
	out->slot_bank = BANK_BP;
	if (reason == EXIT_REASON_DEBUG) {
		uint64_t addr = get_u64(u, true);
		uint8_t type = u[8];

		out->has_pc = true;
		out->pc = psw;
		out->has_exception = true;
		out->exception = type;
		out->has_status = true;
		out->status = addr;
		switch (type) {
		case S390_HW_BP:
			out->causes = CAUSE_SLOT;
			out->slot_addr = addr;
			break;
		case S390_HW_WP_WRITE:
			out->causes = CAUSE_SLOT;
			out->slot_addr = addr;
			out->has_data_addr = true;
			out->data_addr = addr;
			out->access = KVMDBG_ACCESS_WRITE;
			break;
		case S390_SINGLESTEP:
			out->causes = CAUSE_STEP;
			break;
		}
		return true;
	}
	if (reason == EXIT_REASON_S390_SIEIC) {
		uint8_t icpt = u[0];
		uint16_t ipa = get_u16(u + 2, true);
		uint32_t ipb = get_u32(u + 4, true);
		unsigned int ilen;

		if (icpt == S390_ICPT_OPEREXC && ipa == 0)
			ilen = 2; /* 0x0000 with KVM_CAP_S390_USER_INSTR0 */
		else if (icpt == S390_ICPT_INSTRUCTION && (ipa & 0xff00) == 0x8300 &&
			 (ipb & 0xffff0000) == 0x05010000)
			ilen = 4; /* DIAG 0x501, base register 0 */
		else
			return false;
		out->causes = CAUSE_BP_INSN;
		/* the library's DIAG has R1 = R3 = 0 */
		out->foreign_insn = ilen == 4 && ipa != 0x8300;
		out->intercept = true;
		out->has_pc = true;
		out->pc = psw - ilen;
		out->has_exception = true;
		out->exception = icpt;
		out->has_status = true;
		out->status = (uint64_t)ipa << 32 | ipb;
		return true;
	}
	return false;
}

static void s390_set_pc(uint8_t *run, uint64_t pc)
{
	put_u64(run + S390_RUN_PSW_ADDR, pc, true);
}

/*
 * The 2-byte 0x0000 fits over any instruction (2, 4 or 6 bytes long), so it is the choice
 * wherever KVM_CAP_S390_USER_INSTR0 can be had (alt_insn_cap); the 4-byte DIAG elsewhere.
 */
static bool s390_pick_alt_insn(const uint8_t *site)
{
	(void)site;
	return true;
}

const struct arch arch_s390x = {
	.name = "s390x",
	.big_endian = true,
	.quirks = QUIRK_FAILED_SET_DISABLES | QUIRK_WATCH_RESEND | QUIRK_HW_NEEDS_PHYS,
	.guest_debug_size = S390_GUEST_DEBUG_SIZE,
	.run_size = S390_RUN_SIZE,
	.aux_size = S390_MAX_BP * S390_HW_BP_SIZE,
	/* one array for breakpoints and watchpoints */
	.slots = { S390_MAX_BP, 0 },
	.shared_slots = true,
	.legacy_mask = S390_CTL_ENABLE | S390_CTL_SINGLESTEP | S390_CTL_USE_HW_BP,
	.sw_insn = { 0x83, 0x00, 0x05, 0x01 },
	.sw_insn_len = 4,
	.sw_insn_alt = { 0x00, 0x00 },
	.sw_insn_alt_len = 2,
	.alt_insn_cap = CAP_S390_USER_INSTR0,
	/* software breakpoints are intercepts: debugging stays off for them alone */
	.control_needs = REQ_STEP | REQ_HW,
	.control = {
		[REQ_BIT_ENABLE] = S390_CTL_ENABLE,
		[REQ_BIT_STEP] = S390_CTL_SINGLESTEP,
		[REQ_BIT_HW] = S390_CTL_USE_HW_BP,
	},
	.validate = s390_validate,
	.pack = s390_pack,
	.decode = s390_decode,
	.set_pc = s390_set_pc,
	.pick_alt_insn = s390_pick_alt_insn,
};

#if defined(__s390x__)
const struct arch *const arch_native_backend = &arch_s390x;
#endif
