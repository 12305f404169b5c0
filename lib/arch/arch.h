/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pure architecture layer: library debug state in, the exact bytes of one architecture's
 * struct kvm_guest_debug out; the bytes of one architecture's struct kvm_run after an exit in,
 * decoded fields out.  No ioctl, no allocation, no dependency on the host architecture: every
 * backend is compiled and unit-tested on every host, in the target's byte order, and on its own
 * architecture it static-asserts its layout against the real <linux/kvm.h>.
 *
 * The core reaches an architecture only through struct arch: its data says what the
 * kernel of that architecture offers and how to probe it, its quirks (enum arch_quirk) name
 * each way that kernel behaves unlike the others, and its functions do the rest.  Adding an
 * architecture: its backend file here, one line in arches.def, its golden tests
 * (tests/unit/test-<file>.c), its docs; see doc/internals.md.
 */
#ifndef KVMDBG_ARCH_H
#define KVMDBG_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

/* Largest slot bank of any architecture (s390: 50 kvm_hw_breakpoint entries). */
#define MAX_SLOTS 64
/* Largest struct kvm_guest_debug of any architecture (arm64: 520 bytes). */
#define MAX_GUEST_DEBUG 520
/* Largest array a struct kvm_guest_debug points to (s390: 50 x 32-byte kvm_hw_breakpoint). */
#define MAX_AUX 1600
/* Largest breakpoint instruction. */
#define MAX_INSN 4
/* The smallest page of every architecture: where an instruction or an access may change page. */
#define GUEST_PAGE 4096ull

/* Exit reasons (include/uapi/linux/kvm.h), the same number on every architecture. */
#define EXIT_REASON_DEBUG 4
#define EXIT_REASON_S390_SIEIC 13

/* Capability numbers, the same on every architecture. */
#define CAP_SET_GUEST_DEBUG 23
#define CAP_PPC_BOOKE_SREGS 62
#define CAP_GUEST_DEBUG_HW_BPS 119
#define CAP_GUEST_DEBUG_HW_WPS 120
#define CAP_S390_USER_INSTR0 130
#define CAP_PPC_GUEST_DEBUG_SSTEP 176
#define CAP_SET_GUEST_DEBUG2 195

/*
 * Architecture-neutral requests: bit n of a request is REQ_n, which arch->control[n] maps to
 * the architecture's control bits (arch_control()).
 */
enum req_bit {
	REQ_BIT_ENABLE,
	REQ_BIT_STEP,
	REQ_BIT_SW_BP,
	REQ_BIT_HW,
	REQ_BIT_INJECT_BP,
	REQ_BIT_INJECT_DB,
	REQ_BIT_BLOCK_IRQ,
	REQ_NR,
};

enum req {
	REQ_ENABLE = 1u << REQ_BIT_ENABLE,
	REQ_STEP = 1u << REQ_BIT_STEP,
	REQ_SW_BP = 1u << REQ_BIT_SW_BP,
	REQ_HW = 1u << REQ_BIT_HW,
	REQ_INJECT_BP = 1u << REQ_BIT_INJECT_BP,
	REQ_INJECT_DB = 1u << REQ_BIT_INJECT_DB,
	REQ_BLOCK_IRQ = 1u << REQ_BIT_BLOCK_IRQ,
	REQ_ALL = (1u << REQ_NR) - 1,
};

/*
 * How one architecture's KVM behaves unlike the others, where the core must follow it.  Each
 * names the kernel code it comes from; doc/kvm-guest-debug.md has the details.
 */
enum arch_quirk {
	/*
	 * Single-step lasts only until the next register write or emulated instruction: VMX and
	 * SVM set TF only at the RIP KVM_SET_GUEST_DEBUG saw (x86 kvm_arch_vcpu_ioctl_set_guest_
	 * debug(), kvm_set_rflags()).  The state is sent before every stepping run.
	 */
	QUIRK_STEP_RESEND = 1u << 0,
	/*
	 * A KVM_SET_GUEST_DEBUG that fails leaves debugging off (s390 kvm_arch_vcpu_ioctl_set_
	 * guest_debug() clears guestdbg state on error): the last state is given again.
	 */
	QUIRK_FAILED_SET_DISABLES = 1u << 1,
	/*
	 * A watchpoint stops the vCPU before the access executes (arm64): like an execute
	 * breakpoint it is stepped over with its slot off, or it fires again at once.
	 */
	QUIRK_WATCH_BEFORE_ACCESS = 1u << 2,
	/*
	 * The kernel compares watched data with a copy it takes at KVM_SET_GUEST_DEBUG (s390
	 * guestdbg.c): after a hit the state is sent anew, even unchanged.
	 */
	QUIRK_WATCH_RESEND = 1u << 3,
	/* Hardware points need the guest-physical address too (s390's phys_addr). */
	QUIRK_HW_NEEDS_PHYS = 1u << 4,
	/*
	 * KVM_TRANSLATE walks the guest's page tables (x86 kvm_arch_vcpu_ioctl_translate());
	 * elsewhere it fails (EINVAL), answers nothing (ppc Book3S) or searches a software TLB
	 * (ppc BookE): the library offers it as a translation (KVMDBG_TRANSLATION_KVM) on x86 only.
	 */
	QUIRK_KVM_TRANSLATE = 1u << 5,
	/* The guest's debug-register accesses can be trapped (x86 DR7.GD). */
	QUIRK_DEBUG_REG_TRAP = 1u << 6,
};

/*
 * The page walker (lib/walk/walk.h) that translates an architecture's addresses by default, from
 * registers the core reads off the translating vCPU; WALKER_NONE: no walker, no default.
 */
enum arch_walker {
	WALKER_NONE = 0,
	WALKER_X86,   /* walk_x86(), registers from kernel_get_x86_paging() */
	WALKER_ARM64, /* walk_arm64(), registers by ONE_REG (WALK_ARM64_REG_*) */
};

/* What one slot does; 0 is an unused slot. */
enum slot_kind {
	SLOT_OFF = 0,
	SLOT_EXEC = 1,
	SLOT_WRITE = 2,
	SLOT_READ = 3,
	SLOT_ACCESS = 4,
};

struct hw_slot {
	uint8_t kind; /* enum slot_kind */
	uint64_t addr;
	uint64_t len;
	uint64_t phys; /* guest-physical (s390: absolute) address, where ->hw_needs_phys */
};

/* Slot banks: breakpoints and watchpoints; an architecture with shared slots uses bank 0. */
enum {
	BANK_BP = 0,
	BANK_WP = 1,
};

/* Everything ->pack needs to produce struct kvm_guest_debug. */
struct debug_state {
	uint32_t req; /* enum req */
	bool trap_debug_regs;
	struct hw_slot slots[2][MAX_SLOTS];
	uint64_t ids[2][MAX_SLOTS]; /* the core's: which point each slot holds */
};

/* What a debug exit says happened. */
enum exit_cause {
	CAUSE_STEP = 1u << 0,	   /* single-step completed */
	CAUSE_BP_INSN = 1u << 1,   /* a breakpoint instruction trapped; pc is its address */
	CAUSE_SLOT = 1u << 2,	   /* a hardware slot fired: slot_mask, or by address */
	CAUSE_DEBUG_REG = 1u << 3, /* guest touched a debug register */
	/*
	 * With CAUSE_STEP: the exit cannot tell a step from a breakpoint instruction (ppc status
	 * 0) and the vCPU was stepping.  A breakpoint of the library's at the pc makes it the
	 * breakpoint's stop; else it is the step.
	 */
	CAUSE_STEP_OR_BP = 1u << 4,
	/* a debug exception none of the library's requests causes (x86 ICEBP): the guest's */
	CAUSE_FOREIGN = 1u << 5,
};

struct arch_exit {
	uint32_t causes; /* enum exit_cause */
	/*
	 * CAUSE_SLOT: bit n = slot n of slot_bank fired.  0 means the hardware does not say which
	 * slot: the core looks for the slot of slot_bank at the pc (slot_by_pc) or at slot_addr.
	 */
	uint64_t slot_mask;
	int slot_bank;
	bool slot_by_pc;
	uint64_t slot_addr;
	int access;  /* enum kvmdbg_access the hardware reported, or 0 */
	bool has_pc; /* false: read the pc through ->pc_reg / ->pc_from_regs */
	uint64_t pc;
	bool has_data_addr;
	uint64_t data_addr;
	bool has_exception;
	uint32_t exception;
	bool has_status;
	uint64_t status;
	/*
	 * The exit is an instruction intercept, not KVM_EXIT_DEBUG (s390): run->psw_addr is
	 * past the instruction and pc is its address, so ->set_pc must rewind the PSW before the
	 * vCPU runs that address again.
	 */
	bool intercept;
	/* BP_INSN: the instruction is certainly not the library's (arm64 BRK #n with n != 0) */
	bool foreign_insn;
};

struct arch {
	const char *name;
	bool big_endian;
	unsigned int quirks; /* enum arch_quirk */
	enum arch_walker walker;
	/* sizeof(struct kvm_guest_debug) on this arch */
	size_t guest_debug_size;
	/* sizeof(struct kvm_run): ->decode reads no byte past it (the fuzz tier checks it) */
	size_t run_size;
	/* bytes of the array struct kvm_guest_debug points to (s390), else 0 */
	size_t aux_size;
	/* slots per bank; shared_slots: breakpoints and watchpoints draw from bank 0 */
	unsigned int slots[2];
	bool shared_slots;
	/* capabilities that give the slot counts instead (arm64), or 0 */
	unsigned long slot_caps[2];
	/* the control bits of each request bit (enum req_bit); see arch_control() */
	uint32_t control[REQ_NR];
	/*
	 * Request bits of which one at least must be present for any control bit to be sent, or
	 * 0 (s390: software breakpoints are intercepts, and debugging stays off for them alone).
	 */
	uint32_t control_needs;
	/* control bits accepted by kernels that do not report KVM_CAP_SET_GUEST_DEBUG2 */
	uint32_t legacy_mask;
	/* a capability without which the kernel cannot single-step (ppc), or 0 */
	unsigned long step_cap;
	/* where a capability is > 0, the VM is of another variant (ppc BookE), else 0 */
	unsigned long variant_cap;
	const struct arch *variant;

	/* the software-breakpoint instruction, in guest memory byte order; len 0: none */
	uint8_t sw_insn[MAX_INSN];
	size_t sw_insn_len;
	/*
	 * A second one, used where ->pick_alt_insn says so and, if alt_insn_cap is set, that VM
	 * capability could be enabled: s390's 2-byte 0x0000, riscv's c.ebreak.
	 */
	uint8_t sw_insn_alt[MAX_INSN];
	size_t sw_insn_alt_len;
	unsigned long alt_insn_cap;
	/*
	 * ONE_REG id that holds the software-breakpoint instruction, a 32-bit word (ppc: a U32
	 * register; loongarch: a U64 one, the word in its low half), or 0
	 */
	uint64_t sw_insn_reg;

	/*
	 * Where an exit lacks the pc: the ONE_REG id of the pc, or (pc_from_regs) the u64 at
	 * pc_regs_offset in struct kvm_regs (ppc: 0, loongarch: 256).
	 */
	uint64_t pc_reg;
	bool pc_from_regs;
	size_t pc_regs_offset;

	/*
	 * A vCPU's address-space id, for points scoped to one (->space NULL: none): ->space of
	 * the u64 at space_sregs_offset in struct kvm_sregs (x86: CR3) when space_from_sregs, else
	 * of the ONE_REG registers space_regs[] (arm64: TCR_EL1, TTBR0_EL1, TTBR1_EL1).
	 */
	bool space_from_sregs;
	size_t space_sregs_offset;
	uint64_t space_regs[3];
	uint64_t (*space)(const uint64_t *regs);

	/*
	 * Check a point request: 0, -EINVAL (bad length or alignment) or -EOPNOTSUPP (the arch
	 * cannot do this kind at all).
	 */
	int (*validate)(enum kvmdbg_point_type type, uint64_t addr, uint64_t len);
	/*
	 * state -> exactly guest_debug_size bytes at buf; control must be
	 * arch_control(arch, state->req).  An architecture whose struct points to an array
	 * (s390) writes aux_size bytes at aux and the pointer value aux_addr into buf: the caller
	 * passes the address the array will have when the kernel reads it.
	 */
	void (*pack)(const struct arch *arch, const struct debug_state *state, uint32_t control,
		     uint8_t *buf, uint8_t *aux, uint64_t aux_addr);
	/*
	 * run_size bytes of struct kvm_run after KVM_RUN returned 0 -> out; returns false (out
	 * undefined) when the exit is not a debug exit at all.  stepping: whether the vCPU ran
	 * single-stepping, for exits that do not say whether they are a step (ppc status 0).
	 */
	bool (*decode)(const struct arch *arch, const uint8_t *run, bool stepping,
		       struct arch_exit *out);
	/* Write the pc into struct kvm_run for the next KVM_RUN (s390 psw_addr); may be NULL. */
	void (*set_pc)(uint8_t *run, uint64_t pc);
	/*
	 * Whether a stepping vCPU's exit (not a debug exit) is one whose step the kernel will
	 * never report, although the instruction completed (x86: an MMIO write that exits to
	 * userspace, a FIXME in complete_emulated_mmio()); may be NULL.
	 */
	bool (*step_lost)(const uint8_t *run);
	/*
	 * Given the first sw_insn_alt_len bytes at a breakpoint site, whether the site takes the
	 * alternative instruction (riscv: a compressed instruction; s390: always, where its
	 * capability can be had); NULL: never.
	 */
	bool (*pick_alt_insn)(const uint8_t *site);
};

#define ARCH(file, symbol) extern const struct arch symbol;
#include "arches.def"
#undef ARCH

/*
 * The backend of the architecture this library was built for (the ioctl edge's): the backend
 * file compiled for its own architecture defines arch_native_backend.
 */
extern const struct arch *const arch_native_backend;

static inline const struct arch *arch_native(void)
{
	return arch_native_backend;
}

static inline bool arch_has_quirk(const struct arch *arch, enum arch_quirk quirk)
{
	return arch->quirks & quirk;
}

/* Request bits -> the architecture's control bits. */
uint32_t arch_control(const struct arch *arch, uint32_t req);

/* Every backend by its name ("x86_64", "s390x", "ppc64-booke", ...); NULL if unknown. */
const struct arch *arch_by_name(const char *name);
/* The i-th backend, for iterating over all of them; NULL past the last. */
const struct arch *arch_get(unsigned int i);

/* Byte-order helpers for backends. */
static inline void put_u16(uint8_t *p, uint16_t v, bool be)
{
	p[be ? 1 : 0] = (uint8_t)v;
	p[be ? 0 : 1] = (uint8_t)(v >> 8);
}

static inline void put_u32(uint8_t *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline void put_u64(uint8_t *p, uint64_t v, bool be)
{
	for (int i = 0; i < 8; i++)
		p[be ? 7 - i : i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get_u16(const uint8_t *p, bool be)
{
	return (uint16_t)(p[be ? 1 : 0] | p[be ? 0 : 1] << 8);
}

static inline uint32_t get_u32(const uint8_t *p, bool be)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[be ? 3 - i : i] << (8 * i);
	return v;
}

static inline uint64_t get_u64(const uint8_t *p, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[be ? 7 - i : i] << (8 * i);
	return v;
}

/* struct kvm_run: exit_reason is a u32 at offset 8 on every architecture. */
#define RUN_EXIT_REASON 8
/* struct kvm_run: flags is a u16 at offset 14 on every architecture. */
#define RUN_FLAGS 14

#endif /* KVMDBG_ARCH_H */
